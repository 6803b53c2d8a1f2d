"""The exception tree: one root, leaves that refine builtins."""

from __future__ import annotations

import pytest

from secpolicy import exceptions as exc


class TestTree:
    @pytest.mark.parametrize(
        ("cls", "builtin"),
        [
            (exc.PolicyConfigError, ValueError),
            (exc.PasswordPolicyError, ValueError),
            (exc.AccessDenied, PermissionError),
            (exc.AuditWriteError, OSError),
            (exc.CalendarCoverageError, LookupError),
            (exc.NaiveDatetimeError, ValueError),
        ],
    )
    def test_leaf_refines_builtin(self, cls: type[Exception], builtin: type[Exception]) -> None:
        """Leaves stay catchable by the builtin they refine."""
        assert issubclass(cls, exc.SecPolicyError)
        assert issubclass(cls, builtin)

    @pytest.mark.parametrize("name", exc.__all__)
    def test_every_exception_derives_from_root(self, name: str) -> None:
        """Every exported exception is a SecPolicyError."""
        assert issubclass(getattr(exc, name), exc.SecPolicyError)

    def test_root_is_reexported(self) -> None:
        """The root is importable from the top-level package."""
        import secpolicy

        assert secpolicy.SecPolicyError is exc.SecPolicyError


class TestPolicyConfigError:
    def test_message_names_source_line_and_field(self) -> None:
        """File, line and field lead the message, compiler-style."""
        err = exc.PolicyConfigError(
            "must be >= 1", field="password.min_length", source="secpolicy.toml", line=14
        )
        assert str(err) == "secpolicy.toml:14: password.min_length: must be >= 1"
        assert (err.field, err.source, err.line, err.reason) == (
            "password.min_length",
            "secpolicy.toml",
            14,
            "must be >= 1",
        )

    def test_source_without_line(self) -> None:
        """A source without a line still prefixes the message."""
        assert str(exc.PolicyConfigError("bad", source="p.toml")) == "p.toml: bad"

    def test_plain_message(self) -> None:
        """Without location the message is just the reason."""
        assert str(exc.PolicyConfigError("bad")) == "bad"

    def test_path_attribute(self) -> None:
        """path= and field= name the same field; both attributes carry it."""
        by_path = exc.PolicyConfigError("must be >= 1", path="password.min_length")
        by_field = exc.PolicyConfigError("must be >= 1", field="password.min_length")
        for err in (by_path, by_field):
            assert err.path == err.field == "password.min_length"
            assert str(err) == "password.min_length: must be >= 1"

    def test_under_nests_the_path(self) -> None:
        """under() puts the path below a section and keeps file and line."""
        err = exc.PolicyConfigError("must be >= 1", path="max_failures", source="s.toml", line=3)
        nested = err.under("password.lockout")
        assert nested.path == "password.lockout.max_failures"
        assert str(nested) == "s.toml:3: password.lockout.max_failures: must be >= 1"
        assert exc.PolicyConfigError("bad").under("rbac").path == "rbac"


class TestPasswordPolicyError:
    def test_lists_codes_not_password(self) -> None:
        """The message names violation codes and keeps the violations."""
        from secpolicy.password import Violation

        err = exc.PasswordPolicyError([Violation(code="too_short"), Violation(code="too_common")])
        assert len(err.violations) == 2
        assert str(err) == "password rejected: too_short, too_common"


class TestAccessDenied:
    def test_carries_decision_and_reason(self) -> None:
        """The decision rides on the exception and its reason is the message."""
        from secpolicy.rbac import RBAC

        rbac = RBAC()
        rbac.add_user("u")
        decision = rbac.decide("u", "x", "read")
        err = exc.AccessDenied(decision)
        assert err.decision is decision
        assert decision.reason
        assert str(err) == decision.reason


class TestSignatures:
    @pytest.mark.parametrize("name", exc.__all__)
    def test_no_any_in_exception_signatures(self, name: str) -> None:
        """Exception constructors are typed: no Any among their parameters."""
        init = getattr(exc, name).__init__
        annotations = getattr(init, "__annotations__", {})
        assert all("Any" not in str(a) for a in annotations.values()), annotations

"""Edge cases of the engine's arguments, documents, changes and listings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from secpolicy import FrozenClock
from secpolicy.exceptions import ConstraintViolation, PolicyConfigError
from secpolicy.rbac import (
    RBAC,
    AdminRights,
    InvalidNameError,
    MemoryPolicyStore,
    Rule,
    _decide,
    _engine,
    _names,
    _ops,
)
from secpolicy.rbac._state import new_state

from .conftest import START


class TestArguments:
    @pytest.mark.parametrize(
        "build",
        [
            lambda: RBAC(levels="low"),
            lambda: RBAC(allow_sample_rate=2.0),
            lambda: RBAC(request_ttl=timedelta(0)),
            lambda: RBAC(max_grant_duration="1d"),  # type: ignore[arg-type]
        ],
    )
    def test_constructor_refuses(self, build: Any) -> None:
        """Bad engine settings are refused when built."""
        with pytest.raises(PolicyConfigError):
            build()

    def test_strings_where_lists_belong(self, bank: RBAC) -> None:
        """A string is never iterated as a list of role names."""
        for call in (
            lambda: bank.add_role("x", inherits="viewer"),
            lambda: bank.add_role("y", privileged=True, approver_roles="approver"),
            lambda: bank.add_ssd("s", "ab", 2),
            lambda: bank.add_dsd("d", "ab", 2),
            lambda: bank.create_session("alice", "viewer", tenant="b1"),
            lambda: bank.add_role("z", max_duration=timedelta(0)),
        ):
            with pytest.raises(PolicyConfigError):
                call()

    def test_approve_needs_by_and_session_needs_user(self, bank: RBAC) -> None:
        """approve(by=None) and sessions of unknown users are refused."""
        with pytest.raises(PolicyConfigError):
            bank.approve("gr-1", by=None)  # type: ignore[arg-type]
        with pytest.raises(PolicyConfigError, match="unknown user"):
            bank.create_session("ghost", [])
        with pytest.raises(PolicyConfigError, match="request id"):
            bank.approve(5, by="bob")  # type: ignore[arg-type]
        with pytest.raises(PolicyConfigError, match="request id"):
            bank.revoke_grant(5, by="bob")  # type: ignore[arg-type]

    def test_request_checks(self, bank: RBAC) -> None:
        """Unknown roles and non-timedelta durations are refused at request time."""
        with pytest.raises(PolicyConfigError, match="role"):
            bank.request_grant(
                "dave", "ghost", requested_by="alice", duration=timedelta(1), reason="x"
            )
        with pytest.raises(PolicyConfigError, match="duration"):
            bank.request_grant("dave", "dba", requested_by="alice", duration=3, reason="x")  # type: ignore[arg-type]
        assert (
            repr(
                bank.request_grant(
                    "dave", "dba", requested_by="alice", duration=timedelta(hours=1), reason="x"
                )
            )
            == "GrantRequest('gr-1')"
        )

    def test_action_star_only_whole(self, bank: RBAC) -> None:
        """A rule action is '*' or a name without '*'."""
        with pytest.raises(InvalidNameError):
            bank.grant("viewer", "a", "re*d")

    def test_caches_are_bounded(self, monkeypatch: pytest.MonkeyPatch, bank: RBAC) -> None:
        """The name, effective-role and memo caches empty themselves past their limits."""
        monkeypatch.setattr(_names, "_CACHE_LIMIT", 1)
        monkeypatch.setattr(_decide, "_CACHE_LIMIT", 1)
        monkeypatch.setattr(_engine, "_MEMO_LIMIT", 1)
        for i in range(3):
            assert bank.check("alice", f"accounts/{i}", "read", tenant="b1")
            assert not bank.check("bob", f"nothing/{i}", "read", tenant="b1")


class TestRulesAndLabels:
    def test_rule_covers(self) -> None:
        """Rule.covers applies the action wildcard and the pattern."""
        rbac = RBAC()
        rbac.add_role("r")
        rbac.grant("r", "a/*", "*")
        rule: Rule = rbac.role_permissions("r")[0]
        assert rule.covers("a/b", "read")
        assert not rule.covers("b/c", "read")

    def test_remove_label_and_label_filters(self, bank: RBAC) -> None:
        """Labels can be removed; resources_for lists labelled-away patterns as denies."""
        bank.set_label("accounts/secret", "机密", tenant="b1")
        bank.set_label("accounts/hidden/**", "机密", tenant="b1")
        found = bank.resources_for("alice", "read", tenant="b1")
        assert {p.text for p in found.deny} >= {"accounts/secret", "accounts/hidden/**"}
        assert "accounts/secret" not in found
        assert len(found) == len(list(found))
        bank.remove_label("accounts/secret", tenant="b1")
        bank.remove_label("accounts/hidden/**", tenant="b1")
        assert bank.check("alice", "accounts/secret", "read", tenant="b1")
        with pytest.raises(PolicyConfigError, match="no label"):
            bank.remove_label("accounts/secret", tenant="b1")

    def test_resources_for_under(self, bank: RBAC) -> None:
        """under= keeps patterns that reach the prefix; names outside it are not in the filter."""
        bank.grant("viewer", "loans/1", "read")
        found = bank.resources_for("alice", "read", under="accounts", tenant="b1")
        assert "accounts/**" in list(found)
        assert "loans/1" not in list(found)
        assert "loans/1" not in found
        assert "accounts/7" in found

    def test_exact_deny_removes_exact_allow(self, bank: RBAC) -> None:
        """An exact name both allowed and denied is not listed as allowed."""
        bank.grant("auditor", "reports/q1", "read")
        bank.grant("auditor", "reports/q2", "read")
        bank.deny("auditor", "reports/q1", "read")
        bank.deny("auditor", "reports/*", "write")
        found = bank.resources_for("carol", "read", tenant="b1")
        assert "reports/q1" not in list(found)
        assert "reports/q2" in list(found)


class TestGrantsAndSessions:
    def test_review_of_user_with_grant_and_assignment(self, bank: RBAC) -> None:
        """A user holding both an assignment and a grant appears with both in the review."""
        request = bank.request_grant(
            "alice",
            "dba",
            requested_by="erin",
            duration=timedelta(hours=1),
            reason="x",
            tenant="b1",
        )
        request.approve("bob")
        request.approve("carol")
        entries = {(e.user, e.role, e.via) for e in bank.review_report(tenant="b1").entries}
        assert ("alice", "dba", "privileged grant") in entries
        assert ("alice", "teller", "assigned") in entries

    def test_grant_before_its_start(self, bank: RBAC, clock: FrozenClock) -> None:
        """A clock moved back before a grant's start shows the grant inactive."""
        request = bank.request_grant(
            "dave", "dba", requested_by="alice", duration=timedelta(hours=1), reason="x"
        )
        request.approve("bob")
        request.approve("carol")
        clock.set(START - timedelta(hours=1))
        assert not bank.check("dave", "db/x", "read")
        clock.set(START)
        assert bank.check("dave", "db/x", "read")

    def test_remove_user_with_grants_and_requests(self, bank: RBAC, clock: FrozenClock) -> None:
        """A departure ends grants and withdraws requests made by the user."""
        first = bank.request_grant(
            "dave", "dba", requested_by="alice", duration=timedelta(1), reason="x"
        )
        first.approve("bob")
        first.approve("carol")
        bank.request_grant("erin", "dba", requested_by="dave", duration=timedelta(1), reason="y")
        bank.remove_user("dave")
        assert bank.active_grants() == ()
        assert bank.pending_requests() == ()

    def test_delete_role_with_pending_requests(self, bank: RBAC) -> None:
        """Deleting a privileged role withdraws its pending requests."""
        bank.request_grant("dave", "dba", requested_by="alice", duration=timedelta(1), reason="x")
        bank.delete_role("dba")
        assert bank.pending_requests() == ()

    def test_ended_session_answers(self, bank: RBAC) -> None:
        """A closed session has no roles, no permissions and denies."""
        session = bank.create_session("alice", ["viewer"], tenant="b1")
        session.close()
        assert session.active_roles == frozenset()
        assert session.permissions() == ()
        assert "ended" in repr(session)

    def test_stale_session(self, clock: FrozenClock) -> None:
        """A session of an engine past its staleness bound denies."""
        rbac = RBAC(clock=clock)
        rbac.add_role("r")
        rbac.grant("r", "a", "read")
        rbac.add_user("u")
        rbac.assign("u", "r")
        rbac.attach(MemoryPolicyStore(), max_staleness=timedelta(seconds=1))
        session = rbac.create_session("u", ["r"])
        assert session.check("a", "read")
        clock.advance(timedelta(seconds=2))
        assert not session.check("a", "read")
        assert rbac.resources_for("u", "read").allow == ()

    def test_admin_in_tenant_and_review_needs_by(self, clock: FrozenClock) -> None:
        """An administrator may hold the admin role without a tenant; reviews need by=."""
        rbac = RBAC(clock=clock)
        rbac.add_role("secadmin")
        rbac.add_role("r")
        rbac.add_user("sec")
        rbac.add_user("u")
        rbac.assign("sec", "secadmin")
        rbac.set_admin_rights(AdminRights(rights={"assignments": ["secadmin"]}))
        rbac.assign("u", "r", tenant="t1", by="sec")
        with pytest.raises(PolicyConfigError, match="reviewer"):
            rbac.mark_reviewed("u", "r", tenant="t1", by=None)  # type: ignore[arg-type]
        with pytest.raises(ConstraintViolation):
            rbac.mark_reviewed("u", "r", tenant="t1", by="sec")  # "reviews" not granted to anyone

    @pytest.mark.parametrize(
        "rights", [[], {"nonsense": ["r"]}, {"users": "r"}], ids=["list", "kind", "string"]
    )
    def test_admin_rights_validated(self, rights: Any) -> None:
        """AdminRights refuses malformed rights."""
        with pytest.raises(PolicyConfigError):
            AdminRights(rights=rights)


class TestChanges:
    @pytest.mark.parametrize(
        "change",
        [
            [],
            {"op": "nothing"},
            {"op": "add_user", "args": []},
            {"op": "add_user", "args": {"user": "u"}, "at": "yesterday"},
            {"op": "add_user", "args": {"user": "u"}, "at": "2026-01-01T00:00:00"},
            {"op": "add_user", "args": {"user": "u"}, "at": 5},
            {
                "op": "add_role",
                "args": {"role": "r", "max_duration_seconds": -1},
                "at": "2026-01-01T00:00:00+00:00",
            },
        ],
    )
    def test_malformed_changes(self, change: Any) -> None:
        """A change from a store that is not well formed is a PolicyConfigError."""
        with pytest.raises(PolicyConfigError):
            _ops.apply(new_state(), change)

    def test_a_valid_change(self) -> None:
        """A well-formed change applies with its own time."""
        result = _ops.apply(
            new_state(),
            {"op": "add_user", "args": {"user": "u"}, "at": datetime(2026, 1, 1, tzinfo=UTC)},
        )
        assert "u" in result.state.users

    def test_corrupt_store(self, clock: FrozenClock) -> None:
        """A store handing back a gap or junk is refused and the engine keeps its state."""

        class Broken(MemoryPolicyStore):
            def __init__(self, changes: list[Any]) -> None:
                super().__init__()
                self.broken = changes

            def changes_since(self, version: int) -> list[Any]:
                return self.broken

        with pytest.raises(PolicyConfigError, match="skipped"):
            RBAC.from_store(Broken([(5, {"op": "add_user"})]), clock=clock)
        with pytest.raises(PolicyConfigError, match="table"):
            RBAC.from_store(Broken([(1, "junk")]), clock=clock)


class TestDocuments:
    @pytest.mark.parametrize(
        ("patch", "path"),
        [
            ({"levels": ["a", "a"]}, "levels"),
            ({"approvals": {"request_ttl_seconds": -5}}, "approvals"),
            (
                {"reviews": [{"user": "u", "role": "r", "at": "2026-01-01T00:00:00"}]},
                r"reviews\[0\]\.at",
            ),
            (
                {"reviews": [{"user": "u", "role": "r", "at": datetime(2026, 1, 1, tzinfo=UTC)}]},
                None,
            ),
            ({"privileged_grants": [{"request_id": "x-1"}]}, r"privileged_grants\[0\]\.request_id"),
            (
                {
                    "pending_requests": [
                        {
                            "request_id": "gr-1",
                            "user": "u",
                            "role": "p",
                            "requested_by": "u",
                            "requested_at": "2026-01-01T00:00:00+00:00",
                            "duration_seconds": 60,
                            "reason": "x",
                            "approvals_required": 0,
                            "expires": "2026-01-02T00:00:00+00:00",
                        }
                    ]
                },
                r"approvals_required",
            ),
            (
                {
                    "privileged_grants": [
                        {
                            "request_id": "gr-1",
                            "user": "u",
                            "role": "p",
                            "starts": "2026-01-02T00:00:00+00:00",
                            "expires": "2026-01-01T00:00:00+00:00",
                            "requested_by": "u",
                            "reason": "x",
                        }
                    ]
                },
                r"expires",
            ),
            ({"next_request": 0}, "next_request"),
        ],
    )
    def test_entries_named(self, patch: dict[str, Any], path: str | None) -> None:
        """Errors in the saved-state sections name the entry."""
        document = {"roles": {"r": {}, "p": {"privileged": True}}, "users": ["u"], **patch}
        if path is None:
            assert RBAC.from_dict(document).to_dict()["reviews"][0]["user"] == "u"
            return
        with pytest.raises(PolicyConfigError, match=path):
            RBAC.from_dict(document)

    def test_duplicate_request_ids(self) -> None:
        """A request id appears once across grants and pending requests."""
        grant = {
            "request_id": "gr-1",
            "user": "u",
            "role": "p",
            "starts": "2026-01-01T00:00:00+00:00",
            "expires": "2026-01-02T00:00:00+00:00",
            "requested_by": "boss",
            "approvers": ["ap"],
            "reason": "x",
        }
        document = {
            "roles": {"p": {"privileged": True}},
            "users": ["u", "boss", "ap"],
            "privileged_grants": [grant, grant],
        }
        with pytest.raises(PolicyConfigError, match="twice"):
            RBAC.from_dict(document)


class TestPublicNames:
    def test_public_classes_report_the_public_module(self) -> None:
        """Every public class of the area says it lives in secpolicy.rbac."""
        import secpolicy.rbac as area

        for name in area.__all__:
            value = getattr(area, name)
            if isinstance(value, type) and name not in ("AccessDenied", "ConstraintViolation"):
                assert value.__module__ == "secpolicy.rbac", name

"""The value types' closed sets hold at runtime: effects, event kinds, allowed vs effect."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, get_args

import pytest

from secpolicy.exceptions import PolicyConfigError
from secpolicy.rbac import Decision, EventKind, RBACEvent, ResourcePattern, Rule

AT = datetime(2026, 1, 1, tzinfo=UTC)


def _rule(**changes: Any) -> Rule:
    fields: dict[str, Any] = {
        "role": "teller",
        "resource": ResourcePattern("accounts/**"),
        "action": "read",
        "effect": "allow",
    }
    return Rule(**(fields | changes))


def _decision(**changes: Any) -> Decision:
    fields: dict[str, Any] = {
        "allowed": False,
        "effect": "implicit_deny",
        "roles": (),
        "rule": None,
        "reason": "nothing allows it",
        "user": "alice",
        "resource": "accounts/1",
        "action": "read",
    }
    return Decision(**(fields | changes))


class TestRule:
    @pytest.mark.parametrize("effect", ["allow", "deny"])
    def test_known_effects(self, effect: str) -> None:
        """Both rule effects build."""
        assert _rule(effect=effect).effect == effect

    @pytest.mark.parametrize("effect", ["Allow", "permit", "explicit_deny", "", None, 1])
    def test_unknown_effect_refused(self, effect: object) -> None:
        """An unknown rule effect is a PolicyConfigError naming the field, never a deny."""
        with pytest.raises(PolicyConfigError, match=r"rbac\.rule\.effect") as caught:
            _rule(effect=effect)
        assert caught.value.path == "rbac.rule.effect"

    @pytest.mark.parametrize(
        ("field", "value"),
        [("role", 3), ("action", None), ("resource", "accounts/**"), ("tenant", 5)],
    )
    def test_wrong_types_refused(self, field: str, value: object) -> None:
        """Role, action, resource and tenant must have their types."""
        with pytest.raises(PolicyConfigError, match=rf"rbac\.rule\.{field}"):
            _rule(**{field: value})


class TestDecision:
    @pytest.mark.parametrize("effect", ["deny", "allowed", "ALLOW", None])
    def test_unknown_effect_refused(self, effect: object) -> None:
        """An unknown decision effect is a PolicyConfigError naming the field."""
        with pytest.raises(PolicyConfigError, match=r"rbac\.decision\.effect"):
            _decision(effect=effect)

    @pytest.mark.parametrize(
        ("allowed", "effect"),
        [(True, "explicit_deny"), (True, "implicit_deny"), (False, "allow"), (1, "allow")],
    )
    def test_allowed_agrees_with_effect(self, allowed: object, effect: str) -> None:
        """allowed is True exactly for effect 'allow' (no decision both allows and denies)."""
        with pytest.raises(PolicyConfigError, match=r"rbac\.decision\.allowed"):
            _decision(allowed=allowed, effect=effect)

    def test_consistent_decisions_build(self) -> None:
        """Each effect with its matching allowed flag builds."""
        assert _decision(allowed=True, effect="allow").allowed
        assert not _decision(allowed=False, effect="explicit_deny").allowed


class TestRBACEvent:
    @pytest.mark.parametrize("kind", get_args(EventKind))
    def test_every_kind_builds(self, kind: str) -> None:
        """Every EventKind builds an event."""
        assert RBACEvent(kind=kind, user=None, at=AT).kind == kind  # type: ignore[arg-type]

    @pytest.mark.parametrize("kind", ["role_granted", "USER_ADDED", "", None])
    def test_unknown_kind_refused(self, kind: object) -> None:
        """An unknown event kind is a PolicyConfigError naming the field."""
        with pytest.raises(PolicyConfigError, match=r"rbac\.event\.kind"):
            RBACEvent(kind=kind, user=None, at=AT)  # type: ignore[arg-type]

    def test_naive_time_refused(self) -> None:
        """An event's time carries its zone."""
        with pytest.raises(PolicyConfigError, match=r"rbac\.event\.at"):
            RBACEvent(kind="user_added", user="alice", at=datetime(2026, 1, 1))  # noqa: DTZ001

    def test_details_must_be_a_mapping(self) -> None:
        """Details are a dictionary."""
        with pytest.raises(PolicyConfigError, match=r"rbac\.event\.details"):
            RBACEvent(kind="user_added", user="alice", at=AT, details=["x"])  # type: ignore[arg-type]

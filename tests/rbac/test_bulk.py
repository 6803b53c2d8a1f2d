"""grant_many: the bulk path against grant() one by one, all or nothing, events, stores."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secpolicy import FrozenClock
from secpolicy.exceptions import ConstraintViolation, PolicyConfigError
from secpolicy.rbac import RBAC, AdminRights, MemoryPolicyStore, RBACEvent

ROLES = ["r0", "r1", "r2"]
PATTERNS = ["a", "a/b", "a/*", "a/**", "**", "**/b", "a/*/c", "b/**", "a/b/c", "c"]
RESOURCES = ["a", "a/b", "a/c", "a/b/c", "a/x/c", "b", "b/q", "c", "x/b"]
ACTIONS = ["read", "write", "*"]
TENANTS = [None, "t1"]
START = datetime(2026, 1, 1, tzinfo=UTC)

rule = st.tuples(st.sampled_from(ROLES), st.sampled_from(PATTERNS), st.sampled_from(ACTIONS))


def _engine(clock: FrozenClock, **kwargs: Any) -> RBAC:
    rbac = RBAC(clock=clock, **kwargs)
    for role in ROLES:
        rbac.add_role(role)
    rbac.add_user("u")
    for role in ROLES[:2]:
        rbac.assign("u", role, tenant="t1")
    return rbac


def _decisions(rbac: RBAC) -> list[tuple[bool, str]]:
    out = []
    for tenant in TENANTS:
        for resource in RESOURCES:
            for action in ("read", "write"):
                decision = rbac.decide("u", resource, action, tenant=tenant)
                out.append((decision.allowed, decision.effect))
    return out


class TestGrantMany:
    @settings(max_examples=150, deadline=None)
    @given(
        before=st.lists(st.tuples(st.booleans(), rule), max_size=6),
        batch=st.lists(rule, max_size=12),
        tenant=st.sampled_from(TENANTS),
    )
    def test_same_policy_as_grant_one_by_one(
        self,
        before: list[tuple[bool, tuple[str, str, str]]],
        batch: list[tuple[str, str, str]],
        tenant: str | None,
    ) -> None:
        """The bulk path and its plain twin (grant() per rule) give the same maps and answers."""
        when = FrozenClock(START)
        bulk, plain = _engine(when), _engine(when)
        for engine in (bulk, plain):
            for deny, (role, pattern, action) in before:
                (engine.deny if deny else engine.grant)(role, pattern, action, tenant=tenant)
        added = bulk.grant_many(batch, tenant=tenant)
        new = 0
        for role, pattern, action in batch:
            size = len(plain.role_permissions(role, tenant=tenant, inherited=False))
            plain.grant(role, pattern, action, tenant=tenant)
            new += len(plain.role_permissions(role, tenant=tenant, inherited=False)) - size
        assert added == new
        assert bulk.to_dict() == plain.to_dict()
        assert bulk.state.exact == plain.state.exact
        assert bulk.state.rule_index == plain.state.rule_index
        assert _decisions(bulk) == _decisions(plain)
        assert bulk.resources_for("u", "read", tenant="t1") == plain.resources_for(
            "u", "read", tenant="t1"
        )

    def test_all_or_nothing(self, clock: FrozenClock) -> None:
        """One bad entry refuses the whole batch, naming it; nothing changes or is reported."""
        events: list[RBACEvent] = []
        rbac = _engine(clock, on_event=events.append)
        before = rbac.to_dict()
        del events[:]
        bad: list[Any] = [
            ([("r0", "a", "read"), ("r1", "a/../b", "read")], r"rules\[1\]\.resource"),
            ([("r0", "a", "read"), ("nope", "a", "read")], r"rules\[1\]\.role"),
            ([("r0", "a", "read"), ("r0", "a", "")], r"rules\[1\]\.action"),
            ([("r0", "a", "read"), ("r0", 5, "read")], r"rules\[1\]\.resource"),
            ([("r0", "a")], r"rules\[0\]"),
            (["r0a/read"], r"rules\[0\]"),
            ("r0,a,read", r"rules"),
        ]
        for rules, path in bad:
            with pytest.raises(PolicyConfigError, match=path):
                rbac.grant_many(rules)
        assert rbac.to_dict() == before
        assert events == []

    def test_events_and_count(self, clock: FrozenClock) -> None:
        """Each new rule is one permission_granted event with by=; repeats are skipped."""
        events: list[RBACEvent] = []
        rbac = _engine(clock, on_event=events.append)
        rbac.grant("r0", "a", "read")
        del events[:]
        added = rbac.grant_many(
            [
                ("r0", "a", "read"),
                ("r1", "a/**", "write"),
                ["r1", "a/**", "write"],
                ("r2", "c", "*"),
            ],
            tenant="t1",
            by="admin",
        )
        assert added == 3  # r0/a/read exists without a tenant, not in t1
        assert [e.kind for e in events] == ["permission_granted"] * 3
        assert all(e.by == "admin" and e.tenant == "t1" for e in events)
        assert [e.details["resource"] for e in events] == ["a", "a/**", "c"]
        del events[:]
        assert rbac.grant_many([("r1", "a/**", "write")], tenant="t1") == 0
        assert rbac.grant_many([]) == 0
        assert events == []
        assert rbac.check("u", "a/x", "write", tenant="t1")

    def test_administrator_rights_hold(self, clock: FrozenClock) -> None:
        """Under admin rights the batch needs the permissions right and may not widen own roles."""
        rbac = _engine(clock)
        rbac.add_role("secadmin")
        rbac.add_user("sec")
        rbac.assign("sec", "secadmin")
        rbac.assign("sec", "r2")
        rbac.set_admin_rights(
            AdminRights(rights={"permissions": {"secadmin"}, "admin": {"secadmin"}})
        )
        with pytest.raises(ConstraintViolation):
            rbac.grant_many([("r0", "a", "read")], by="u")
        with pytest.raises(ConstraintViolation):
            rbac.grant_many([("r0", "a", "read"), ("r2", "a", "read")], by="sec")
        assert not rbac.role_permissions("r0")
        assert rbac.grant_many([("r0", "a", "read")], by="sec") == 1

    def test_replayed_from_a_store(self, clock: FrozenClock) -> None:
        """Another engine sharing the store gets the batch on refresh."""
        store = MemoryPolicyStore()
        writer = _engine(clock)
        writer.attach(store)
        reader = RBAC.from_store(store, clock=clock)
        writer.grant_many([("r0", "a/**", "read"), ("r1", "b", "write")], tenant="t1")
        assert reader.refresh() == 1
        assert reader.to_dict() == writer.to_dict()
        assert reader.check("u", "a/b", "read", tenant="t1")

    def test_events_are_built_on_demand(self, clock: FrozenClock) -> None:
        """The change's events are a sequence built when read (indexing and slicing work)."""
        from secpolicy.rbac import _ops

        rbac = _engine(clock)
        change = {"rules": [("r0", "a", "read"), ("r1", "b", "read")], "tenant": "t1"}
        result = _ops.OPS["grant_many"](rbac.state, change, START, "admin")
        events = result.events
        assert len(events) == result.value == 2
        assert _ops.built(events[1]).details == {"resource": "b", "operation": "read"}
        assert [_ops.built(e).role for e in events[:1]] == ["r0"]
        assert all(_ops.built(e).tenant == "t1" for e in events)
        with pytest.raises(PolicyConfigError, match="rules"):
            _ops.OPS["grant_many"](rbac.state, {"rules": "r0 a read"}, START, None)

"""Every mutator interleaved with every read, against a naive model written from the definitions.

The engine answers through memos, cached role sets, remembered trie walks,
shared rule entries and a request cache; the model recomputes everything
from plain sets on every question. Any cache that outlives a revoke, deny,
role deletion, inheritance change, label, clearance, departure, reload or
an expiring privileged grant shows up as a disagreement in ``check``,
``decide``, ``who_can`` or ``resources_for``.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from secpolicy import FrozenClock
from secpolicy.exceptions import ConstraintViolation, PolicyConfigError
from secpolicy.rbac import RBAC
from tests.rbac._reference import segment_match

ROLES = ("r0", "r1", "r2", "p0", "p1")
PRIVILEGED = frozenset({"p0", "p1"})
USERS = ("u0", "u1", "u2")
TENANTS = (None, "t1")
PATTERNS = ("a", "a/b", "secret", "a/secret", "*", "**", "a/*", "a/**", "**/secret", "**/b")
RESOURCES = ("a", "a/b", "b", "secret", "a/secret", "a/b/secret")
DENIED = ("a/secret", "**/secret")
ACTIONS = ("read", "write")
LEVELS = ("lo", "hi")
START = datetime(2026, 1, 1, tzinfo=UTC)


class Model:
    """The policy as plain sets; every answer recomputed from the definitions."""

    def __init__(self, clock: FrozenClock) -> None:
        self.clock = clock
        self.users = set(USERS) | {"ap", "boss"}
        self.inherits: set[tuple[str, str]] = set()
        self.assigned: set[tuple[str, str, str | None]] = set()
        self.rules: set[tuple[str, str, str, str, str | None]] = set()
        self.labels: dict[tuple[str | None, str], str] = {}
        self.clearances: dict[tuple[str | None, str], str] = {}
        self.grants: dict[str, tuple[str, str, str | None, datetime, datetime]] = {}

    def delete_role(self, role: str) -> None:
        """Everything of *role* goes (it is then defined again, empty)."""
        self.inherits = {e for e in self.inherits if role not in e}
        self.assigned = {a for a in self.assigned if a[1] != role}
        self.rules = {r for r in self.rules if r[0] != role}
        self.grants = {k: g for k, g in self.grants.items() if g[1] != role}

    def remove_user(self, user: str) -> None:
        """A departure: assignments, grants and clearances end (the name is then re-added)."""
        self.assigned = {a for a in self.assigned if a[0] != user}
        self.grants = {k: g for k, g in self.grants.items() if g[0] != user}
        self.clearances = {k: v for k, v in self.clearances.items() if k[1] != user}

    def held(self, user: str, tenant: str | None) -> set[str]:
        """Assigned and granted roles with what they inherit; privileged ones only if granted."""
        now = self.clock.now()
        granted = {
            role
            for (u, role, t, s, e) in self.grants.values()
            if (u, t) == (user, tenant) and s <= now < e
        }
        out: set[str] = set()
        stack = [r for (u, r, t) in self.assigned if (u, t) == (user, tenant)] + sorted(granted)
        while stack:
            role = stack.pop()
            if role in out or (role in PRIVILEGED and role not in granted):
                continue
            out.add(role)
            stack.extend(j for (s, j) in self.inherits if s == role)
        return out

    def check(self, user: str, resource: str, action: str, tenant: str | None) -> bool:
        """Some held role allows, none denies, and the clearance covers every label."""
        held = self.held(user, tenant)
        effects = {
            effect
            for (role, pattern, act, effect, t) in self.rules
            if role in held
            and t in (None, tenant)
            and act in ("*", action)
            and segment_match(pattern, resource)
        }
        if "deny" in effects or "allow" not in effects:
            return False
        ranks = [
            LEVELS.index(level)
            for (t, pattern), level in self.labels.items()
            if t in (None, tenant) and segment_match(pattern, resource)
        ]
        if not ranks:
            return True
        clearance = self.clearances.get((tenant, user))
        return clearance is not None and LEVELS.index(clearance) >= max(ranks)


def engine(clock: FrozenClock) -> RBAC:
    """Every role and user of the model registered, ``ap`` the approver."""
    rbac = RBAC(levels=LEVELS, clock=clock, max_grant_duration=timedelta(hours=4))
    rbac.add_role("approver")
    for role in ROLES:
        rbac.add_role(role, privileged=role in PRIVILEGED)
    for user in (*USERS, "ap", "boss"):
        rbac.add_user(user)
    rbac.assign("ap", "approver")
    return rbac


step = st.tuples(
    st.sampled_from(
        [
            "grant",
            "grant",
            "grant",
            "deny",
            "grant_many",
            "revoke",
            "assign",
            "assign",
            "assign",
            "deassign",
            "inherit",
            "uninherit",
            "delete_role",
            "remove_user",
            "label",
            "clearance",
            "privileged",
            "revoke_grant",
            "advance",
            "expire",
            "reload",
            "check",
            "check",
        ]
    ),
    st.sampled_from(ROLES),
    st.sampled_from(ROLES),
    st.sampled_from(USERS),
    st.sampled_from(TENANTS),
    st.sampled_from(PATTERNS),
    st.sampled_from((*ACTIONS, "*")),
    st.integers(0, 1),
    st.sampled_from(RESOURCES),
)


def apply(  # noqa: PLR0912, PLR0915 (one branch per mutator)
    rbac: RBAC, model: Model, clock: FrozenClock, op: tuple[Any, ...]
) -> RBAC:
    """Apply one generated step to both sides; a refused change changes neither."""
    kind, role, other, user, tenant, pattern, action, bit, _ = op
    if kind in ("grant", "deny"):
        if kind == "grant":
            rbac.grant(role, pattern, action, tenant=tenant)
        else:
            # Narrow denies, so that enough is allowed for a stale allow to show.
            pattern = DENIED[bit]
            rbac.deny(role, pattern, action, tenant=tenant)
        model.rules.add((role, pattern, action, "allow" if kind == "grant" else "deny", tenant))
    elif kind == "grant_many":
        batch = [(role, pattern, action), (other, "a/**" if bit else "**/b", "read")]
        rbac.grant_many(batch, tenant=tenant)
        model.rules |= {(r, p, a, "allow", tenant) for (r, p, a) in batch}
    elif kind == "revoke":
        rbac.revoke(role, pattern, action, tenant=tenant)
        model.rules -= {(role, pattern, action, e, tenant) for e in ("allow", "deny")}
    elif kind == "assign":
        rbac.assign(user, role, tenant=tenant)
        model.assigned.add((user, role, tenant))
    elif kind == "deassign":
        rbac.deassign(user, role, tenant=tenant)
        model.assigned.discard((user, role, tenant))
    elif kind == "inherit":
        rbac.add_inheritance(role, other)
        model.inherits.add((role, other))
    elif kind == "uninherit":
        rbac.delete_inheritance(role, other)
        model.inherits.discard((role, other))
    elif kind == "delete_role":
        rbac.delete_role(role)
        rbac.add_role(role, privileged=role in PRIVILEGED)
        model.delete_role(role)
    elif kind == "remove_user":
        rbac.remove_user(user)
        rbac.add_user(user)
        model.remove_user(user)
    elif kind == "label":
        rbac.set_label(pattern, LEVELS[bit], tenant=tenant)
        model.labels[(tenant, pattern)] = LEVELS[bit]
    elif kind == "clearance":
        rbac.set_clearance(user, LEVELS[bit], tenant=tenant)
        model.clearances[(tenant, user)] = LEVELS[bit]
    elif kind == "privileged":
        target = "p0" if bit else "p1"
        span = timedelta(minutes=30 * (1 + bit))
        request = rbac.request_grant(
            user, target, requested_by="boss", duration=span, reason="incident", tenant=tenant
        )
        grant = rbac.approve(request.request_id, by="ap")
        assert grant is not None
        model.grants[grant.request_id] = (user, target, tenant, grant.starts, grant.expires)
    elif kind == "revoke_grant":
        if model.grants:
            request_id = sorted(model.grants)[bit % len(model.grants)]
            rbac.revoke_grant(request_id, by="ap")
            del model.grants[request_id]
    elif kind == "advance":
        clock.advance(timedelta(minutes=20 + 10 * bit))
    elif kind == "expire":
        rbac.expire_grants()
        now = clock.now()
        model.grants = {k: g for k, g in model.grants.items() if g[4] > now}
    elif kind == "reload":
        rbac = RBAC.from_dict(rbac.to_dict(), clock=clock)
    return rbac


class TestInterleavedChanges:
    @settings(max_examples=80, deadline=None)
    @given(st.lists(step, min_size=30, max_size=60))
    def test_every_read_agrees_with_the_model_after_any_changes(
        self, ops: list[tuple[Any, ...]]
    ) -> None:
        """check (twice: memo) and decide on every request, who_can and resources_for on one."""
        clock = FrozenClock(START)
        rbac, model = engine(clock), Model(clock)
        for op in ops:
            if op[0] != "check":
                with contextlib.suppress(PolicyConfigError, ConstraintViolation):
                    rbac = apply(rbac, model, clock, op)
            for user in USERS:
                for tenant in TENANTS:
                    for resource in RESOURCES:
                        for action in ACTIONS:
                            expected = model.check(user, resource, action, tenant)
                            got = rbac.check(user, resource, action, tenant=tenant)
                            assert got is expected, (user, resource, action, tenant, op)
                            assert rbac.check(user, resource, action, tenant=tenant) is expected
                            assert rbac.decide(user, resource, action, tenant=tenant).allowed is got
            resource, action, tenant = op[8], ACTIONS[op[7]], op[4]
            allowed = {u for u in USERS if model.check(u, resource, action, tenant)}
            for user in USERS:
                found = resource in rbac.resources_for(user, action, tenant=tenant)
                assert found is (user in allowed), (user, resource, action, tenant, op)
            assert rbac.who_can(resource, action, tenant=tenant) == frozenset(allowed)

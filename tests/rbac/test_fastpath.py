"""The uncached check's fast path against its plain twins: entries, the fused look-up, names."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secpolicy import FrozenClock
from secpolicy.exceptions import ConstraintViolation, PolicyConfigError
from secpolicy.rbac import RBAC, InvalidNameError
from secpolicy.rbac._decide import allowed_plain, decide, effective, first_check
from secpolicy.rbac._entries import EMPTY_ENTRY, entry_with, entry_without, records
from secpolicy.rbac._names import (
    _REQUEST_CACHE,
    canon_action,
    canon_id,
    canon_request,
    canon_resource,
)
from tests.rbac import test_interleaved as interleaved
from tests.rbac._reference import segment_match

ROLES = ["r0", "r1", "r2", "r3"]
USERS = ["u0", "u1", "u2"]
TENANTS = [None, "t1"]
PATTERNS = ["a", "a/b", "a/*", "a/**", "**", "**/b", "a/*/c", "b/**", "a/b/c", "c", "é"]
RESOURCES = ["a", "a/b", "a/c", "a/b/c", "a/x/c", "b", "b/q", "c", "x/b", "e\u0301"]
ACTIONS = ["read", "write"]

rule = st.tuples(
    st.sampled_from(ROLES),
    st.sampled_from(PATTERNS),
    st.sampled_from([*ACTIONS, "*"]),
    st.sampled_from(["allow", "deny"]),
    st.sampled_from(TENANTS),
)


def _reference(
    rules: set[tuple[str, str, str, str, str | None]],
    held: frozenset[str],
    resource: str,
    action: str,
    tenant: str | None,
) -> bool:
    """Some held role's rule allows, none denies (the naive matcher, NFC names)."""
    import unicodedata

    resource = unicodedata.normalize("NFC", resource)
    effects = {
        effect
        for role, pattern, act, effect, scope in rules
        if role in held
        and scope in (None, tenant)
        and act in (action, "*")
        and segment_match(unicodedata.normalize("NFC", pattern), resource)
    }
    return "allow" in effects and "deny" not in effects


LEVELS = ("low", "mid", "high")


def _build(
    changes: list[tuple[bool, tuple[str, str, str, str, str | None]]],
    assignments: list[tuple[str, str, str | None]],
    edges: list[tuple[int, int]],
) -> tuple[RBAC, set[tuple[str, str, str, str, str | None]]]:
    """An engine after the generated changes, and the rules that are left (the plain model)."""
    rbac = RBAC(levels=LEVELS)
    for role in ROLES:
        rbac.add_role(role)
    for user in USERS:
        rbac.add_user(user)
    for senior, junior in edges:
        if senior > junior:
            rbac.add_inheritance(ROLES[senior], ROLES[junior])
    for user, role, tenant in assignments:
        rbac.assign(user, role, tenant=tenant)
    live: set[tuple[str, str, str, str, str | None]] = set()
    for revoke, (role, pattern, action, effect, tenant) in changes:
        if revoke:
            if any(r[:3] == (role, pattern, action) and r[4] == tenant for r in live):
                rbac.revoke(role, pattern, action, tenant=tenant)
                live = {
                    r for r in live if not (r[:3] == (role, pattern, action) and r[4] == tenant)
                }
        else:
            (rbac.grant if effect == "allow" else rbac.deny)(role, pattern, action, tenant=tenant)
            live.add((role, pattern, action, effect, tenant))
    return rbac, live


class TestEntries:
    @settings(max_examples=300, deadline=None)
    @given(
        st.lists(
            st.tuples(
                st.booleans(),
                st.sampled_from([*ACTIONS, "*"]),
                st.sampled_from(ROLES),
                st.sampled_from(["allow", "deny"]),
            ),
            max_size=20,
        )
    )
    def test_entry_agrees_with_a_set_of_rules(
        self, changes: list[tuple[bool, str, str, str]]
    ) -> None:
        """Adding and removing rules in an entry keeps exactly the rules a plain set keeps."""
        entry = EMPTY_ENTRY
        kept: set[tuple[str, str, str]] = set()
        for remove, action, role, effect in changes:
            if remove:
                if (role, action, effect) not in kept:
                    continue
                entry = entry_without(entry, action, role, effect)
                kept.discard((role, action, effect))
            else:
                entry = entry_with(entry, action, role, effect)
                kept.add((role, action, effect))
            got = [(r, a, e) for r, _, a, e, _ in records(entry, "x", None)]
            assert len(got) == len(set(got))
            assert set(got) == kept
            assert all(allow or deny for allow, deny in entry.values())
            for asked in ACTIONS:
                applying = {(r, a, e) for r, a, e in kept if a in (asked, "*")}
                found = {(r, a, e) for r, _, a, e, _ in records(entry, "x", None, asked)}
                assert found == applying

    def test_entries_are_never_changed(self) -> None:
        """entry_with and entry_without return new entries; the old one is as it was."""
        first = entry_with(EMPTY_ENTRY, "read", "r0", "allow")
        second = entry_with(first, "read", "r1", "deny")
        assert first == {"read": (("r0",), ())}
        assert second == {"read": (("r0",), ("r1",))}
        assert entry_with(second, "read", "r1", "deny") is second  # already there
        third = entry_without(second, "read", "r0", "allow")
        assert third == {"read": ((), ("r1",))}
        assert second == {"read": (("r0",), ("r1",))}
        assert entry_without(third, "read", "r1", "deny") == {}
        assert EMPTY_ENTRY == {}


class TestFusedCheck:
    @settings(max_examples=200, deadline=None)
    @given(
        st.lists(st.tuples(st.booleans(), rule), max_size=18),
        st.lists(
            st.tuples(st.sampled_from(USERS), st.sampled_from(ROLES), st.sampled_from(TENANTS)),
            max_size=6,
        ),
        st.lists(st.tuples(st.integers(1, 3), st.integers(0, 2)), max_size=3),
    )
    def test_check_agrees_with_decide_and_reference(
        self,
        changes: list[tuple[bool, tuple[str, str, str, str, str | None]]],
        assignments: list[tuple[str, str, str | None]],
        edges: list[tuple[int, int]],
    ) -> None:
        """After grants, denies and revokes, the fused check equals decide() and the naive model."""
        rbac, live = _build(changes, assignments, edges)
        state = rbac.state
        for user in USERS:
            for tenant in TENANTS:
                held = effective(state, tenant, user, None).roles
                for resource in RESOURCES:
                    segments = canon_resource(resource)
                    text = "/".join(segments)
                    for action in ACTIONS:
                        want = _reference(live, held, resource, action, tenant)
                        eff = effective(state, tenant, user, None)
                        full = decide(state, tenant, user, segments, action, eff).allowed
                        fast = allowed_plain(state, tenant, user, segments, action, text)
                        assert fast is full is want
                        assert rbac.check(user, resource, action, tenant=tenant) is want

    @settings(max_examples=200, deadline=None)
    @given(
        st.lists(rule.filter(lambda r: r[3] == "allow"), max_size=8),
        st.lists(
            st.tuples(st.sampled_from(PATTERNS), st.sampled_from(LEVELS), st.sampled_from(TENANTS)),
            max_size=6,
        ),
        st.lists(
            st.tuples(st.sampled_from(USERS), st.sampled_from(LEVELS), st.sampled_from(TENANTS)),
            max_size=4,
        ),
    )
    def test_labels_agree_with_decide_and_reference(
        self,
        grants: list[tuple[str, str, str, str, str | None]],
        labels: list[tuple[str, str, str | None]],
        clearances: list[tuple[str, str, str | None]],
    ) -> None:
        """With random labels and clearances the fused check equals decide() and the model."""
        rbac, live = _build([(False, g) for g in grants], [(u, "r0", None) for u in USERS], [])
        rbac.grant("r0", "**", "read")
        live.add(("r0", "**", "read", "allow", None))
        marks: dict[tuple[str | None, str], str] = {}
        for pattern, level, tenant in labels:
            rbac.set_label(pattern, level, tenant=tenant)
            marks[tenant, pattern] = level
        cleared: dict[tuple[str | None, str], str] = {}
        for user, level, tenant in clearances:
            rbac.set_clearance(user, level, tenant=tenant)
            cleared[tenant, user] = level
        state = rbac.state
        for user in USERS:
            for tenant in TENANTS:
                held = effective(state, tenant, user, None).roles
                for resource in RESOURCES:
                    segments = canon_resource(resource)
                    text = "/".join(segments)
                    top = max(
                        (
                            LEVELS.index(level)
                            for (scope, pattern), level in marks.items()
                            if scope in (None, tenant) and segment_match(pattern, text)
                        ),
                        default=None,
                    )
                    mine = cleared.get((tenant, user))
                    fenced = top is not None and (mine is None or LEVELS.index(mine) < top)
                    for action in ACTIONS:
                        want = _reference(live, held, resource, action, tenant) and not fenced
                        eff = effective(state, tenant, user, None)
                        full = decide(state, tenant, user, segments, action, eff).allowed
                        fast = allowed_plain(state, tenant, user, segments, action, text)
                        assert fast is full is want
                        assert rbac.check(user, resource, action, tenant=tenant) is want

    @settings(max_examples=100, deadline=None)
    @given(
        st.lists(
            st.one_of(
                st.tuples(st.just("rule"), st.booleans(), rule),
                st.tuples(
                    st.just("label"),
                    st.sampled_from(PATTERNS),
                    st.sampled_from(LEVELS),
                    st.sampled_from(TENANTS),
                ),
                st.tuples(st.just("delete_role"), st.sampled_from(ROLES)),
            ),
            min_size=1,
            max_size=12,
        )
    )
    def test_request_plans_follow_every_change(self, ops: list[tuple[Any, ...]]) -> None:
        """Plans kept from an earlier state never answer after a rule, label or role change."""
        rbac, _ = _build([], [(u, r, t) for u in USERS for r in ROLES[:2] for t in TENANTS], [])
        for user in USERS:
            rbac.set_clearance(user, "mid")
        for op in ops:
            if op[0] == "rule":
                revoke, (role, pattern, action, effect, tenant) = op[1], op[2]
                if role not in rbac.state.roles:
                    continue
                if revoke:
                    with contextlib.suppress(PolicyConfigError):
                        rbac.revoke(role, pattern, action, tenant=tenant)
                else:
                    (rbac.grant if effect == "allow" else rbac.deny)(
                        role, pattern, action, tenant=tenant
                    )
            elif op[0] == "label":
                rbac.set_label(op[1], op[2], tenant=op[3])
            elif op[1] in rbac.state.roles:
                rbac.delete_role(op[1])
            state = rbac.state  # its cache still holds the plans of the states before
            for user in USERS:
                for tenant in TENANTS:
                    eff = effective(state, tenant, user, None)
                    for resource in RESOURCES:
                        segments = canon_resource(resource)
                        text = "/".join(segments)
                        for action in ACTIONS:
                            full = decide(state, tenant, user, segments, action, eff).allowed
                            fast = allowed_plain(state, tenant, user, segments, action, text)
                            assert fast is full, (user, tenant, resource, action, op)
                            assert rbac.check(user, resource, action, tenant=tenant) is full

    def test_labels_apply_on_the_fast_path(self) -> None:
        """A label above the user's clearance denies on the fused path as on decide()."""
        rbac = RBAC(levels=("low", "high"))
        rbac.add_role("r")
        rbac.grant("r", "a/**", "read")
        rbac.add_user("u")
        rbac.assign("u", "r")
        rbac.set_label("a/secret/**", "high")
        rbac.set_clearance("u", "low")
        assert rbac.check("u", "a/open", "read")
        assert not rbac.check("u", "a/secret/x", "read")
        assert not rbac.decide("u", "a/secret/x", "read").allowed
        rbac.set_clearance("u", "high")
        assert rbac.check("u", "a/secret/x", "read")


class TestRequestRecords:
    @settings(max_examples=60, deadline=None)
    @given(st.lists(interleaved.step, min_size=20, max_size=40))
    def test_records_follow_every_change(self, ops: list[tuple[Any, ...]]) -> None:
        """After every random change, first_check equals allowed_plain, decide and a fresh engine.

        Every mutator (rules, assignments, inheritance, role deletion,
        departures, labels, clearances, privileged grants that start, lapse
        and end, reloads) runs against an engine whose cache still holds the
        records of the states before; a record must never answer for the new
        one.
        """
        clock = FrozenClock(interleaved.START)
        rbac, model = interleaved.engine(clock), interleaved.Model(clock)
        # Roles held from the start, so that stale roles or rules would show.
        for user, role, tenant in (("u0", "r0", None), ("u1", "r1", None), ("u2", "r2", "t1")):
            rbac.assign(user, role, tenant=tenant)
            model.assigned.add((user, role, tenant))
        rbac.grant("r0", "a", "read")
        model.rules.add(("r0", "a", "read", "allow", None))
        requests = [
            (user, resource, action, tenant)
            for user in interleaved.USERS
            for resource in interleaved.RESOURCES
            for action in interleaved.ACTIONS
            for tenant in interleaved.TENANTS
        ]
        for op in ops:
            with contextlib.suppress(PolicyConfigError, ConstraintViolation):
                rbac = interleaved.apply(rbac, model, clock, op)
            state = rbac.state
            fresh = RBAC.from_dict(rbac.to_dict(), clock=clock)
            now = clock.now()
            for key in requests:
                user, resource, action, tenant = key
                segments = canon_resource(resource)
                got = first_check(state, key)
                eff = effective(state, tenant, user, now)
                full = decide(state, tenant, user, segments, action, eff).allowed
                if (tenant, user) in state.user_grants:
                    assert got is None, (key, op)  # the engine decides such a user fully
                else:
                    text = "/".join(segments)
                    plain = allowed_plain(state, tenant, user, segments, action, text)
                    assert got is plain is full, (key, op)
                assert rbac.check(user, resource, action, tenant=tenant) is full, (key, op)
                assert fresh.check(user, resource, action, tenant=tenant) is full, (key, op)
                assert model.check(user, resource, action, tenant) is full, (key, op)

    def test_records_built_in_any_order_answer_right(self) -> None:
        """Records built in either order, and rebuilt, each answer right.

        Each record numbers its own role names (see ``_decide._masks``), so
        the order in which records are built cannot change what one holds.
        """
        rbac = RBAC()
        for role in ROLES:
            rbac.add_role(role)
        for user in USERS:
            rbac.add_user(user)
        rbac.assign("u0", "r0")
        rbac.assign("u0", "r3")
        rbac.assign("u1", "r1")
        rbac.assign("u2", "r2")
        rbac.grant("r0", "a/**", "read")
        rbac.grant("r1", "a/b", "*")
        rbac.deny("r3", "a/b", "read")
        rbac.grant("r2", "**/b", "write")
        requests = [(u, r, a, None) for u in USERS for r in RESOURCES for a in ACTIONS]
        for order in (requests, requests[::-1]):
            rbac.add_user(f"reset-{len(order)}-{order[0][0]}")  # a new state, records kept
            for key in order:
                state = rbac.state
                segments = canon_resource(key[1])
                eff = effective(state, None, key[0], None)
                want = decide(state, None, key[0], segments, key[2], eff).allowed
                assert first_check(state, key) is want, key
                state.cache.pop(key, None)  # rebuilt next time, after more restarts
                assert first_check(state, key) is want, key

    def test_a_malformed_request_is_not_recorded(self) -> None:
        """A name first_check refuses leaves no record behind, and is refused again."""
        rbac = RBAC()
        key = ("u", "a//b", "read", None)
        for _ in range(2):
            with pytest.raises(InvalidNameError):
                first_check(rbac.state, key)
            assert key not in rbac.state.cache


class TestRequestNames:
    @pytest.mark.parametrize(
        ("request_", "field"),
        [
            (("u", "a//b", "read", None), "resource"),
            (("u", "a/../b", "nope*", None), "resource"),
            (("u", "a", "re\x00ad", None), "action"),
            (("u", "a", "*", None), "action"),
            ((" u", "a", "read", None), "user"),
            (("u", "a", "read", "t\n"), "tenant"),
        ],
    )
    def test_errors_name_the_first_bad_field(self, request_: tuple[Any, ...], field: str) -> None:
        """The combined canonicaliser refuses what the per-name ones refuse, in the same order."""
        with pytest.raises(InvalidNameError) as info:
            canon_request(*request_)
        assert info.value.field == field
        with pytest.raises(InvalidNameError):
            RBAC().check(*request_[:3], tenant=request_[3])

    @given(
        st.sampled_from(["u", "é", "e\u0301", "ü"]),
        st.sampled_from(["a/b", "cafe\u0301/x", "café/x", "a"]),
        st.sampled_from(["read", "écrire"]),
        st.sampled_from([None, "t", "te\u0301"]),
    )
    def test_same_as_each_name_alone(
        self, user: str, resource: str, action: str, tenant: str | None
    ) -> None:
        """The combined (cached) answer equals the per-name canonical forms (its plain twin)."""
        _REQUEST_CACHE.clear()
        for _ in range(2):  # computed, then from the cache
            name, segments, act, scope, text = canon_request(user, resource, action, tenant)
            assert segments == canon_resource(resource)
            assert text == "/".join(segments)
            assert act == canon_action(action)
            assert name == canon_id(user, "user")
            assert scope == (None if tenant is None else canon_id(tenant, "tenant"))

    def test_nfd_request_hits_nfc_rule(self) -> None:
        """A decomposed request name finds the rule written in composed form, cached or not."""
        rbac = RBAC()
        rbac.add_role("r")
        rbac.grant("r", "café/menu", "read")
        rbac.add_user("u")
        rbac.assign("u", "r")
        for _ in range(2):
            assert rbac.check("u", "cafe\u0301/menu", "read")
            assert rbac.check("u", "café/menu", "read")


names = st.sampled_from(
    ["u0", "u1", "U0", "\uff551", "", " u", "r0", "r9", "e\u0301", "é", 5, None]
)
document_rules = st.lists(
    st.fixed_dictionaries(
        {
            "role": st.sampled_from(["r0", "r1", "r9", "", 3, "r\u0000"]),
            "resource": st.sampled_from([*PATTERNS, "a//b", "a/../b", 7, "x*y", "a/**/**/b"]),
            "action": st.sampled_from(["read", "*", "re*d", "", None, "\uff52ead"]),
        },
        optional={"tenant": st.sampled_from([None, "t1", "", " t"]), "extra": st.just(1)},
    ),
    max_size=8,
)


class TestBulkLoad:
    @settings(max_examples=300, deadline=None)
    @given(
        users=st.one_of(st.lists(names, max_size=6), st.sampled_from(["u0", 5, None])),
        grants=st.one_of(document_rules, st.just("r0")),
        denies=document_rules,
    )
    def test_same_state_or_error_as_the_plain_replay(
        self, users: Any, grants: Any, denies: Any
    ) -> None:
        """Bulk loading of users and rules equals one validated change per entry, errors too."""
        from datetime import UTC, datetime

        from secpolicy.exceptions import PolicyConfigError
        from secpolicy.rbac import _serde

        now = datetime(2026, 1, 1, tzinfo=UTC)
        document: dict[str, Any] = {
            "roles": {"r0": {}, "r1": {"inherits": ["r0"]}},
            "users": users,
            "grants": grants,
            "denies": denies,
        }
        outcomes = []
        for load in (_serde.load, _serde.load_plain):
            try:
                state = load(document, now)
            except PolicyConfigError as exc:
                outcomes.append(("error", type(exc), exc.field, exc.reason))
            else:
                outcomes.append(
                    (
                        "state",
                        _serde.dump(state),
                        state.exact,
                        state.rule_index,
                        state.users,
                        state.folded,
                    )
                )
        bulk, plain = outcomes
        assert bulk == plain
        if bulk[0] == "state":
            fast, slow = RBAC.from_dict(document), RBAC()
            slow._state = _serde.load_plain(document, now)  # the plain twin
            for resource in RESOURCES:
                for action in ACTIONS:
                    for tenant in TENANTS:
                        assert fast.decide("u0", resource, action, tenant=tenant) == slow.decide(
                            "u0", resource, action, tenant=tenant
                        )

"""Properties: agreement with a reference model, SSD under any call sequence, threads."""

from __future__ import annotations

import threading
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from secpolicy.exceptions import ConstraintViolation, PolicyConfigError
from secpolicy.rbac import RBAC
from secpolicy.rbac._constraints import ssd_held
from tests.rbac._reference import segment_match

ROLES = [f"r{i}" for i in range(6)]
USERS = [f"u{i}" for i in range(4)]
TENANTS = [None, "t1", "t2"]
PATTERNS = ["a", "a/b", "a/*", "a/**", "**", "a/*/c", "b/**", "a/b/c"]
RESOURCES = ["a", "a/b", "a/c", "a/b/c", "a/x/c", "b", "b/q", "c"]
ACTIONS = ["read", "write"]


# -- the reference model, written from the definitions -----------------------------


def ref_check(
    policy: dict[str, Any], user: str, resource: str, action: str, tenant: str | None
) -> bool:
    """Allowed iff some held role allows it and no held role denies it."""
    held: set[str] = set()
    stack = [role for (u, role, t) in policy["assignments"] if u == user and t == tenant]
    while stack:
        role = stack.pop()
        if role not in held:
            held.add(role)
            stack.extend(j for (s, j) in policy["inherits"] if s == role)
    applicable = [
        effect
        for (role, pattern, act, effect, t) in policy["rules"]
        if role in held
        and t in (None, tenant)
        and act in ("*", action)
        and segment_match(pattern, resource)
    ]
    return "deny" not in applicable and "allow" in applicable


policies = st.fixed_dictionaries(
    {
        # Edges only from a higher to a lower role index: always acyclic.
        "inherits": st.lists(
            st.tuples(st.integers(1, 5), st.integers(0, 4))
            .filter(lambda e: e[0] > e[1])
            .map(lambda e: (ROLES[e[0]], ROLES[e[1]])),
            max_size=8,
        ),
        "rules": st.lists(
            st.tuples(
                st.sampled_from(ROLES),
                st.sampled_from(PATTERNS),
                st.sampled_from([*ACTIONS, "*"]),
                st.sampled_from(["allow", "allow", "deny"]),
                st.sampled_from(TENANTS),
            ),
            max_size=14,
        ),
        "assignments": st.lists(
            st.tuples(st.sampled_from(USERS), st.sampled_from(ROLES), st.sampled_from(TENANTS)),
            max_size=8,
        ),
    }
)


def registered() -> RBAC:
    """An engine with every role of ROLES and user of USERS registered, nothing else."""
    rbac = RBAC()
    for role in ROLES:
        rbac.add_role(role)
    for user in USERS:
        rbac.add_user(user)
    return rbac


def change(rbac: RBAC, kind: str, first: str, second: str, tenant: str | None) -> None:
    """One generated change: (de)assign user *first* role *second*, or (un)link role *first*."""
    if kind == "assign":
        rbac.assign(first, second, tenant=tenant)
    elif kind == "deassign":
        rbac.deassign(first, second, tenant=tenant)
    elif kind == "inherit":
        rbac.add_inheritance(first, second)
    elif kind == "uninherit":
        rbac.delete_inheritance(first, second)
    else:
        raise AssertionError(f"no such change: {kind}")


def build(policy: dict[str, Any]) -> RBAC:
    """The engine for a generated policy, built through the public API."""
    rbac = registered()
    for senior, junior in policy["inherits"]:
        rbac.add_inheritance(senior, junior)
    for role, pattern, action, effect, tenant in policy["rules"]:
        (rbac.grant if effect == "allow" else rbac.deny)(role, pattern, action, tenant=tenant)
    for user, role, tenant in policy["assignments"]:
        rbac.assign(user, role, tenant=tenant)
    return rbac


@settings(max_examples=150, deadline=None)
@given(policies)
def test_engine_agrees_with_reference_model(policy: dict[str, Any]) -> None:
    """On random policies, every request gets the reference model's answer."""
    rbac = build(policy)
    for user in USERS:
        for tenant in TENANTS:
            for resource in RESOURCES:
                for action in ACTIONS:
                    expected = ref_check(policy, user, resource, action, tenant)
                    assert rbac.check(user, resource, action, tenant=tenant) is expected
                    assert rbac.decide(user, resource, action, tenant=tenant).allowed is expected


@given(st.sampled_from(PATTERNS), st.sampled_from(RESOURCES))
def test_pattern_matches_reference(pattern: str, resource: str) -> None:
    """The compiled patterns agree with the recursive matcher."""
    from secpolicy.rbac import ResourcePattern

    assert ResourcePattern(pattern).matches(resource) is segment_match(pattern, resource)


# -- static SoD under any sequence of calls ---------------------------------------------

operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("assign"),
            st.sampled_from(USERS),
            st.sampled_from(ROLES),
            st.sampled_from(TENANTS),
        ),
        st.tuples(
            st.just("deassign"),
            st.sampled_from(USERS),
            st.sampled_from(ROLES),
            st.sampled_from(TENANTS),
        ),
        st.tuples(st.just("inherit"), st.sampled_from(ROLES), st.sampled_from(ROLES), st.none()),
        st.tuples(st.just("uninherit"), st.sampled_from(ROLES), st.sampled_from(ROLES), st.none()),
        st.tuples(
            st.just("ssd"),
            st.frozensets(st.sampled_from(ROLES), min_size=2, max_size=4),
            st.integers(2, 3),
            st.none(),
        ),
    ),
    max_size=25,
)


def _ssd_holds(rbac: RBAC) -> bool:
    state = rbac.state
    for tenant, user in state.assignments:
        if True:
            held = ssd_held(state, tenant, user, None)
            for constraint in state.ssd.values():
                if len(held & constraint.roles) >= constraint.n:
                    return False
    return True


@settings(max_examples=200, deadline=None)
@given(operations)
def test_no_call_sequence_breaks_ssd(ops: list[tuple[Any, ...]]) -> None:
    """No call sequence lets a user hold n roles of an SSD set; refused calls change nothing."""
    rbac = registered()
    for number, (kind, a, b, tenant) in enumerate(ops):
        before = rbac.to_dict()
        try:
            if kind == "ssd":
                rbac.add_ssd(f"c{number}", sorted(a), min(b, len(a)))
            else:
                change(rbac, kind, a, b, tenant)
        except (ConstraintViolation, PolicyConfigError):
            assert rbac.to_dict() == before
        assert _ssd_holds(rbac)


# -- concurrency ---------------------------------------------------------------------------


def test_concurrent_readers_and_writers() -> None:
    """Writers and readers at once: no exception, and every state a reader sees is whole."""
    rbac = RBAC()
    rbac.add_role("base")
    rbac.grant("base", "shared/**", "read")
    writers, readers, rounds = 4, 4, 150
    for w in range(writers):
        rbac.add_role(f"w{w}", inherits=["base"])
        rbac.add_user(f"user{w}")
    errors: list[BaseException] = []
    start = threading.Barrier(writers + readers)
    done = threading.Event()

    def writer(w: int) -> None:
        try:
            start.wait()
            for i in range(rounds):
                rbac.grant(f"w{w}", f"own/{w}/{i}", "write")
                rbac.assign(f"user{w}", f"w{w}", tenant=f"t{i % 3}")
                rbac.deassign(f"user{w}", f"w{w}", tenant=f"t{i % 3}")
        except BaseException as exc:  # noqa: BLE001 (collected for the assertion)
            errors.append(exc)

    def reader() -> None:
        try:
            start.wait()
            while not done.is_set():
                state = rbac.state
                # A whole state: every assigned role exists and has its closure.
                for roles in state.assignments.values():
                    if roles:
                        for role in roles:
                            assert role in state.roles
                            assert role in state.closure[role]
                for w in range(writers):
                    rbac.check(f"user{w}", "shared/x", "read", tenant="t1")
                    rbac.decide(f"user{w}", f"own/{w}/0", "write", tenant="t0")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
    threads += [threading.Thread(target=reader) for _ in range(readers)]
    for t in threads:
        t.start()
    for t in threads[:writers]:
        t.join()
    done.set()
    for t in threads[writers:]:
        t.join()
    assert errors == []
    for w in range(writers):
        assert len(rbac.role_permissions(f"w{w}", inherited=False)) == rounds
        assert rbac.assigned_roles(f"user{w}", tenant="t0") == frozenset()


class TestCheckFastPathAgainstDecide:
    @settings(max_examples=150, deadline=None)
    @given(
        st.lists(
            st.tuples(
                st.sampled_from(["assign", "deassign", "inherit", "uninherit", "check"]),
                st.sampled_from(USERS),
                st.sampled_from(ROLES),
                st.sampled_from(ROLES),
                st.sampled_from(TENANTS),
                st.sampled_from(RESOURCES),
            ),
            max_size=40,
        )
    )
    def test_memo_and_role_cache_follow_every_change(self, ops: list[tuple[Any, ...]]) -> None:
        """check() (memo, cached role sets) equals decide() (the full path) after any changes."""
        rbac = registered()
        for i, pattern in enumerate(PATTERNS):
            rbac.grant(ROLES[i % len(ROLES)], pattern, "read")
        rbac.deny(ROLES[0], "a/b/**", "read")
        for op, user, role, other, tenant, resource in ops:
            try:
                if op in ("inherit", "uninherit"):
                    change(rbac, op, role, other, None)
                elif op != "check":
                    change(rbac, op, user, role, tenant)
            except (PolicyConfigError, ConstraintViolation):
                pass
            for who in USERS:
                for scope in TENANTS:
                    expected = rbac.decide(who, resource, "read", tenant=scope).allowed
                    assert rbac.check(who, resource, "read", tenant=scope) is expected
                    assert rbac.check(who, resource, "read", tenant=scope) is expected  # memo

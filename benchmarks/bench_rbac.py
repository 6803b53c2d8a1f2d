"""RBAC decisions against pycasbin, on the same generated data, in one run.

Goals (issue: RBAC):
- ``check()`` median at most 3 us on the large data, and at most 1.5x its
  tiny-policy median (flat in policy size); over 20x faster than pycasbin's
  ``FastEnforcer`` and over 1,000x faster than its ``Enforcer``;
- ``who_can`` under 10 ms; loading and validating the large policy under 100 ms;
- both engines give the same answer on every benchmarked request (asserted).

pycasbin uses the standard ``rbac_model.conf`` (exact object and action match,
``g`` for both user-role and role-role edges).
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks._runner import check_goal, compare, format_ns
from secpolicy.rbac import RBAC

MODEL = """\
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act
"""
ACTIONS = ("read", "write", "delete")


def generate(users: int, roles: int, grants: int, depth: int, seed: int) -> dict[str, Any]:
    """A policy: roles in *depth* levels, each inheriting one role of the level below."""
    rng = random.Random(seed)
    per_level = max(1, roles // depth)
    names = [f"role{i}" for i in range(roles)]
    level = {name: min(i // per_level, depth - 1) for i, name in enumerate(names)}
    by_level: dict[int, list[str]] = {}
    for name in names:
        by_level.setdefault(level[name], []).append(name)
    spec: dict[str, Any] = {}
    for name in names:
        below = by_level.get(level[name] - 1, [])
        spec[name] = {"inherits": [rng.choice(below)] if below else []}
    objects = [f"data/{i}" for i in range(max(10, grants // 5))]
    rules = {(rng.choice(names), rng.choice(objects), rng.choice(ACTIONS)) for _ in range(grants)}
    while len(rules) < grants:
        rules.add((rng.choice(names), rng.choice(objects), rng.choice(ACTIONS)))
    user_names = [f"user{i}" for i in range(users)]
    assignments = [
        {"user": u, "role": r}
        for u in user_names
        for r in rng.sample(names, k=rng.choice((1, 1, 2)))
    ]
    return {
        "roles": spec,
        "users": user_names,
        "grants": [{"role": r, "resource": o, "action": a} for r, o, a in sorted(rules)],
        "assignments": assignments,
        "objects": objects,
    }


def to_casbin(policy: dict[str, Any], *, fast: bool) -> Any:
    import casbin

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rbac_model.conf"
        path.write_text(MODEL, encoding="utf-8")
        enforcer = (
            casbin.FastEnforcer(str(path), cache_key_order=[1, 2])
            if fast
            else casbin.Enforcer(str(path))
        )
    enforcer.add_policies([[g["role"], g["resource"], g["action"]] for g in policy["grants"]])
    grouping = [[a["user"], a["role"]] for a in policy["assignments"]]
    grouping += [
        [senior, junior] for senior, spec in policy["roles"].items() for junior in spec["inherits"]
    ]
    enforcer.add_grouping_policies(grouping)
    return enforcer


def requests(policy: dict[str, Any], n: int, seed: int) -> list[tuple[str, str, str]]:
    """Half requests a user's role can grant (often allowed), half random (mostly denied)."""
    rng = random.Random(seed)
    grants_by_role: dict[str, list[tuple[str, str]]] = {}
    for g in policy["grants"]:
        grants_by_role.setdefault(g["role"], []).append((g["resource"], g["action"]))
    out = []
    for _ in range(n):
        assignment = rng.choice(policy["assignments"])
        pool = grants_by_role.get(assignment["role"])
        if pool and rng.random() < 0.5:
            resource, action = rng.choice(pool)
        else:
            resource, action = rng.choice(policy["objects"]), rng.choice(ACTIONS)
        out.append((assignment["user"], resource, action))
    return out


def _decisions(
    ours: RBAC, ours_tiny: RBAC, *, fast: Any, plain: Any, reqs: list[Any], tiny_reqs: list[Any]
) -> None:
    few = reqs[:5]  # Enforcer takes tens of milliseconds per request

    def ours_large() -> None:
        for request in reqs:
            ours.check(*request)

    def ours_small() -> None:
        for request in tiny_reqs:
            ours_tiny.check(*request)

    def fast_large() -> None:
        for request in reqs:
            fast.enforce(*request)

    def plain_few() -> None:
        for request in few:
            plain.enforce(*request)

    flat = compare(
        "check(): large policy vs tiny policy",
        ours_large,
        {"secpolicy, tiny policy": ours_small},
        number=10,
        items=len(reqs),
        items_theirs=len(tiny_reqs),
    )
    vs_fast = compare(
        "check() vs FastEnforcer.enforce (large policy)",
        ours_large,
        {"pycasbin FastEnforcer": fast_large},
        number=10,
        number_theirs=1,
        items=len(reqs),
    )
    vs_plain = compare(
        "check() vs Enforcer.enforce (large policy)",
        ours_large,
        {"pycasbin Enforcer": plain_few},
        number=5,
        repeat=3,
        number_theirs=1,
        items=len(reqs),
        items_theirs=len(few),
    )
    median = flat.ours.median
    check_goal("check() median <= 3 us (large)", met=median <= 3000, detail=format_ns(median))
    ratio_tiny = median / flat.theirs[0].median
    check_goal(
        "large median <= 1.5x tiny median", met=ratio_tiny <= 1.5, detail=f"{ratio_tiny:.2f}x"
    )
    faster = vs_fast.ratio("pycasbin FastEnforcer")
    check_goal("> 20x faster than FastEnforcer", met=faster > 20, detail=f"{faster:.0f}x")
    much_faster = vs_plain.ratio("pycasbin Enforcer")
    check_goal(
        "> 1,000x faster than Enforcer", met=much_faster > 1000, detail=f"{much_faster:.0f}x"
    )


def _who_can(
    ours: RBAC, *, fast: Any, plain: Any, users: list[str], resource: str, action: str
) -> None:
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        who = ours.who_can(resource, action)
        runs.append(time.perf_counter() - start)
    start = time.perf_counter()
    casbin_who = {u for u in users if fast.enforce(u, resource, action)}
    fast_who = time.perf_counter() - start
    assert who == casbin_who
    sample = users[:20]
    start = time.perf_counter()
    for u in sample:
        plain.enforce(u, resource, action)
    plain_who = (time.perf_counter() - start) * len(users) / len(sample)
    print(f"\n### who_can over {len(users)} users\n")
    print("| contender | time |")
    print("|---|---|")
    print(f"| secpolicy who_can (best of 5) | {min(runs) * 1000:.2f} ms |")
    print(f"| FastEnforcer, enforce per user | {fast_who * 1000:.1f} ms |")
    print(f"| Enforcer, enforce per user (20 users, extrapolated) | {plain_who:.1f} s |")
    check_goal("who_can < 10 ms", met=min(runs) < 0.010, detail=f"{min(runs) * 1000:.2f} ms")


def main() -> None:
    """Compare decision speed, who_can and loading; assert identical answers."""
    large = generate(users=1000, roles=100, grants=10_000, depth=5, seed=1)
    tiny = generate(users=10, roles=5, grants=10, depth=2, seed=2)
    loads = []
    for _ in range(3):
        start = time.perf_counter()
        ours = RBAC.from_dict({k: v for k, v in large.items() if k != "objects"})
        loads.append(time.perf_counter() - start)
    start = time.perf_counter()
    fast = to_casbin(large, fast=True)
    load_fast = time.perf_counter() - start
    plain = to_casbin(large, fast=False)
    ours_tiny = RBAC.from_dict({k: v for k, v in tiny.items() if k != "objects"})

    reqs = requests(large, 2000, seed=3)
    for user, resource, action in reqs:
        assert ours.check(user, resource, action) == fast.enforce(user, resource, action)
    for user, resource, action in reqs[:100]:
        assert ours.check(user, resource, action) == plain.enforce(user, resource, action)
    allowed = sum(ours.check(*r) for r in reqs)
    print(
        f"\n{len(reqs)} requests agree between secpolicy and FastEnforcer ({allowed} allowed); "
        "the first 100 also with Enforcer"
    )
    _decisions(
        ours, ours_tiny, fast=fast, plain=plain, reqs=reqs, tiny_reqs=requests(tiny, 500, seed=4)
    )
    _who_can(
        ours, fast=fast, plain=plain, users=large["users"], resource=reqs[0][1], action=reqs[0][2]
    )
    load_ours = min(loads)
    print(
        f"\n- loading the large policy: secpolicy from_dict {load_ours * 1000:.0f} ms (best of 3; "
        f"names, cycles and SoD validated), FastEnforcer {load_fast * 1000:.0f} ms"
    )
    check_goal(
        "load and validate < 100 ms", met=load_ours < 0.100, detail=f"{load_ours * 1000:.0f} ms"
    )

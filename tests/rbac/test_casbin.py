"""Differential tests against pycasbin on its standard models, with seeded random policies.

Every kind of disagreement between the two engines is listed where the test
avoids or normalises it, with the reason.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from secpolicy.rbac import RBAC

casbin = pytest.importorskip("casbin")

RBAC_MODEL = """\
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

DENY_MODEL = """\
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act, eft

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act
"""

DOMAIN_MODEL = """\
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub, r.dom) && r.dom == p.dom && r.obj == p.obj && r.act == p.act
"""

ACTIONS = ("read", "write", "delete")


def _enforcer(tmp_path: Path, model: str) -> Any:
    path = tmp_path / "model.conf"
    path.write_text(model, encoding="utf-8")
    return casbin.Enforcer(str(path))


def _policy(seed: int, *, roles: int = 12, users: int = 20, rules: int = 120) -> dict[str, Any]:
    """Roles in a shallow forest (pycasbin's role manager stops at 10 levels; we do not)."""
    rng = random.Random(seed)
    names = [f"role{i}" for i in range(roles)]
    edges = [(names[i], names[rng.randrange(i)]) for i in range(1, roles) if rng.random() < 0.6]
    objects = [f"data/{i}" for i in range(15)]
    grants = {(rng.choice(names), rng.choice(objects), rng.choice(ACTIONS)) for _ in range(rules)}
    denies = {
        (rng.choice(names), rng.choice(objects), rng.choice(ACTIONS)) for _ in range(rules // 6)
    }
    people = [f"user{i}" for i in range(users)]
    assignments = {(u, rng.choice(names)) for u in people for _ in range(rng.choice((1, 2)))}
    return {
        "names": names,
        "edges": edges,
        "objects": objects,
        "grants": sorted(grants),
        "denies": sorted(denies),
        "users": people,
        "assignments": sorted(assignments),
    }


def _ours(policy: dict[str, Any], *, denies: bool, tenants: tuple[str, ...] = ()) -> RBAC:
    rbac = RBAC()
    for name in policy["names"]:
        rbac.add_role(name)
    for senior, junior in policy["edges"]:
        rbac.add_inheritance(senior, junior)
    for user in policy["users"]:
        rbac.add_user(user)
    scopes: tuple[str | None, ...] = tenants or (None,)
    for i, (role, obj, act) in enumerate(policy["grants"]):
        rbac.grant(role, obj, act, tenant=scopes[i % len(scopes)])
    if denies:
        for role, obj, act in policy["denies"]:
            rbac.deny(role, obj, act)
    for i, (user, role) in enumerate(policy["assignments"]):
        rbac.assign(user, role, tenant=scopes[i % len(scopes)])
    return rbac


def _requests(policy: dict[str, Any], n: int, seed: int) -> list[tuple[str, str, str]]:
    rng = random.Random(seed)
    return [
        (rng.choice(policy["users"]), rng.choice(policy["objects"]), rng.choice(ACTIONS))
        for _ in range(n)
    ]


class TestAgainstPycasbin:
    @pytest.mark.parametrize("seed", range(3))
    def test_rbac_model(self, tmp_path: Path, seed: int) -> None:
        """Thousands of requests agree with casbin's rbac_model (exact matches, inheritance)."""
        policy = _policy(seed)
        ours = _ours(policy, denies=False)
        theirs = _enforcer(tmp_path, RBAC_MODEL)
        theirs.add_policies([list(g) for g in policy["grants"]])
        theirs.add_grouping_policies(
            [list(a) for a in policy["assignments"]] + [list(e) for e in policy["edges"]]
        )
        requests = _requests(policy, 800, seed + 100)
        allowed = 0
        for user, obj, act in requests:
            expected = theirs.enforce(user, obj, act)
            assert ours.check(user, obj, act) is expected, (user, obj, act)
            allowed += expected
        assert 0 < allowed < len(requests)  # both outcomes exercised

    @pytest.mark.parametrize("seed", range(3))
    def test_rbac_with_deny_model(self, tmp_path: Path, seed: int) -> None:
        """Explicit deny wins in both engines, across inheritance."""
        policy = _policy(seed + 10)
        ours = _ours(policy, denies=True)
        theirs = _enforcer(tmp_path, DENY_MODEL)
        theirs.add_policies(
            [[*g, "allow"] for g in policy["grants"]] + [[*d, "deny"] for d in policy["denies"]]
        )
        theirs.add_grouping_policies(
            [list(a) for a in policy["assignments"]] + [list(e) for e in policy["edges"]]
        )
        for user, obj, act in _requests(policy, 800, seed + 200):
            assert ours.check(user, obj, act) is theirs.enforce(user, obj, act), (user, obj, act)

    @pytest.mark.parametrize("seed", range(2))
    def test_rbac_with_domains(self, tmp_path: Path, seed: int) -> None:
        """Tenants agree with casbin domains when rules and assignments are per domain.

        Difference normalised away: our role hierarchy is global while
        casbin's ``g`` edges are per domain, so the edges are written into
        every domain on casbin's side. A tenant-less grant of ours applies in
        every tenant; casbin has no such rule, so every grant here names a
        tenant.
        """
        tenants = ("t1", "t2")
        policy = _policy(seed + 20)
        ours = _ours(policy, denies=False, tenants=tenants)
        theirs = _enforcer(tmp_path, DOMAIN_MODEL)
        theirs.add_policies(
            [
                [role, tenants[i % 2], obj, act]
                for i, (role, obj, act) in enumerate(policy["grants"])
            ]
        )
        grouping = [[u, r, tenants[i % 2]] for i, (u, r) in enumerate(policy["assignments"])]
        grouping += [[s, j, t] for s, j in policy["edges"] for t in tenants]
        theirs.add_grouping_policies(grouping)
        rng = random.Random(seed)
        for user, obj, act in _requests(policy, 700, seed + 300):
            tenant = rng.choice(tenants)
            expected = theirs.enforce(user, tenant, obj, act)
            assert ours.check(user, obj, act, tenant=tenant) is expected, (user, tenant, obj, act)

    def test_known_disagreements(self, tmp_path: Path) -> None:
        """Where the engines differ by design, ours is the safer answer.

        - pycasbin treats users and roles as one namespace: a user named like
          a role inherits that role's permissions (``g`` resolves any
          subject); ours keeps users and roles apart.
        - pycasbin accepts ``data/../secret`` as a plain string; ours refuses
          non-canonical names with InvalidNameError (never a match).
        """
        theirs = _enforcer(tmp_path, RBAC_MODEL)
        theirs.add_policies([["admin", "data/1", "read"]])
        assert theirs.enforce("admin", "data/1", "read")  # a user called "admin"
        ours = RBAC()
        ours.add_role("admin")
        ours.grant("admin", "data/1", "read")
        ours.add_user("admin")
        assert not ours.check("admin", "data/1", "read")  # holds no role

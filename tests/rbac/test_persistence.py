"""Full-fidelity documents: round trips over random engines, and fuzzed malformed documents."""

from __future__ import annotations

import copy
import json
import random
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secpolicy import FrozenClock
from secpolicy.exceptions import ConstraintViolation, PolicyConfigError
from secpolicy.rbac import RBAC, AdminRights

from .conftest import START

ROLES = ["r0", "r1", "r2", "r3"]
USERS = ["u0", "u1", "u2", "ap"]


def _engine(ops: list[tuple[Any, ...]]) -> RBAC:  # noqa: PLR0912 (one branch per operation)
    clock = FrozenClock(START)
    rbac = RBAC(levels=("low", "high"), clock=clock, max_grant_duration=timedelta(days=30))
    rbac.add_role("approver")
    rbac.add_role("root", privileged=True)
    for role in ROLES:
        rbac.add_role(role)
    for user in USERS:
        rbac.add_user(user)
    rbac.assign("ap", "approver")
    for op in ops:
        kind, a, b, tenant = op
        clock.advance(timedelta(minutes=7))
        try:
            if kind == "assign":
                rbac.assign(a, b, tenant=tenant)
            elif kind == "inherit":
                rbac.add_inheritance(a, b)
            elif kind == "grant":
                rbac.grant(b, f"{a}/**", "read", tenant=tenant)
            elif kind == "deny":
                rbac.deny(b, f"{a}/x", "*", tenant=tenant)
            elif kind == "label":
                rbac.set_label(f"{a}/*", "high", tenant=tenant)
            elif kind == "clear":
                rbac.set_clearance(a, "low", tenant=tenant)
            elif kind == "ssd":
                rbac.add_ssd(f"s-{a}-{b}", sorted({a, b}), 2)
            elif kind == "dsd":
                rbac.add_dsd(f"d-{a}-{b}", sorted({a, b}), 2)
            elif kind == "request":
                request = rbac.request_grant(
                    a,
                    "root",
                    requested_by="ap",
                    duration=timedelta(hours=2),
                    reason="why",
                    tenant=tenant,
                )
                if b == "r0":
                    rbac.add_user("ap2")
                    rbac.assign("ap2", "approver")
                    rbac.approve(request.request_id, by="ap2")
            elif kind == "review":
                rbac.mark_reviewed(a, b, by="ap", tenant=tenant)
        except (PolicyConfigError, ConstraintViolation):
            pass
    return rbac


operation = st.one_of(
    st.tuples(
        st.sampled_from(["assign", "review"]),
        st.sampled_from(USERS),
        st.sampled_from(ROLES),
        st.sampled_from([None, "t1"]),
    ),
    st.tuples(
        st.sampled_from(["inherit", "ssd", "dsd"]),
        st.sampled_from(ROLES),
        st.sampled_from(ROLES),
        st.none(),
    ),
    st.tuples(
        st.sampled_from(["grant", "deny", "label"]),
        st.sampled_from(["a", "b"]),
        st.sampled_from(ROLES),
        st.sampled_from([None, "t1"]),
    ),
    st.tuples(
        st.sampled_from(["clear", "request"]),
        st.sampled_from(USERS[:3]),
        st.sampled_from(ROLES),
        st.sampled_from([None, "t1"]),
    ),
)


class TestRoundTrip:
    @settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(operation, max_size=25))
    def test_random_engines_round_trip(self, ops: list[tuple[Any, ...]]) -> None:
        """to_dict -> JSON -> from_dict -> to_dict is the identity, for any engine."""
        rbac = _engine(ops)
        document = rbac.to_dict()
        again = RBAC.from_dict(json.loads(json.dumps(document)))
        assert again.to_dict() == document

    def test_everything_kept(self) -> None:
        """Grants, pending requests, reviews, assignment dates, counters and settings survive."""
        rbac = _engine(
            [
                ("request", "u0", "r0", None),
                ("request", "u1", "r1", "t1"),
                ("assign", "u2", "r2", None),
                ("review", "u2", "r2", None),
            ]
        )
        rbac.set_admin_rights(AdminRights.three_way(system="r0", security="r1", audit="r2"))
        document = rbac.to_dict()
        assert document["format"] == 2
        assert [g["request_id"] for g in document["privileged_grants"]] == ["gr-1"]
        assert [p["request_id"] for p in document["pending_requests"]] == ["gr-2"]
        assert document["reviews"][0]["user"] == "u2"
        assert document["assignments"][-1]["since"].startswith("2026-01-01T00:")
        assert document["next_request"] == 3
        assert document["admin_rights"]["reviews"] == ["r2"]
        again = RBAC.from_dict(document)
        assert again.to_dict() == document
        request = again.request_grant(
            "u2", "root", requested_by="ap", duration=timedelta(hours=1), reason="x"
        )
        assert request.request_id == "gr-3"

    def test_format_one_documents_load(self) -> None:
        """A document without a format (format 1) still loads."""
        rbac = RBAC.from_dict(
            {"roles": {"a": {}}, "users": ["u"], "assignments": [{"user": "u", "role": "a"}]}
        )
        assert rbac.assigned_roles("u") == {"a"}
        with pytest.raises(PolicyConfigError, match="format"):
            RBAC.from_dict({"format": 99})


BASE: dict[str, Any] = {
    "format": 2,
    "levels": ["low", "high"],
    "roles": {"a": {"inherits": ["b"]}, "b": {}, "p": {"privileged": True}},
    "users": ["u", "v", "w"],
    "grants": [{"role": "a", "resource": "x/**", "action": "read"}],
    "denies": [{"role": "b", "resource": "x/y", "action": "*"}],
    "assignments": [{"user": "u", "role": "a", "since": "2026-01-01T00:00:00+00:00"}],
    "ssd": [{"name": "s", "roles": ["a", "b"], "n": 2}],
    "dsd": [{"name": "d", "roles": ["a", "b"], "n": 2}],
    "labels": [{"resource": "x/*", "level": "high"}],
    "clearances": [{"user": "u", "level": "low"}],
    "privileged_grants": [
        {
            "request_id": "gr-1",
            "user": "v",
            "role": "p",
            "starts": "2026-01-01T00:00:00+00:00",
            "expires": "2026-01-02T00:00:00+00:00",
            "requested_by": "u",
            "approvers": ["w"],
            "reason": "x",
        }
    ],
    "pending_requests": [],
    "reviews": [{"user": "u", "role": "a", "at": "2026-01-01T00:00:00+00:00"}],
    "next_request": 2,
}
BASE["ssd"] = []  # a inherits b: an SSD on both would refuse the assignment


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(_paths(item, (*path, key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out.extend(_paths(item, (*path, i)))
    return out


JUNK: list[Any] = [
    None,
    0,
    -1,
    1.5,
    True,
    "",
    "x",
    "viewer",
    [],
    [1],
    {},
    {"a": 1},
    [[]],
    "a//b",
    "../x",
    "\x00",
    10**30,
    float("nan"),
    ["a", ["b"]],
    {1: 2},
]


class TestFuzzedDocuments:
    def test_base_loads(self) -> None:
        """The fuzzing base document is valid."""
        assert RBAC.from_dict(BASE).to_dict()["users"] == ["u", "v", "w"]

    def test_every_mutation_is_a_policy_config_error(self) -> None:
        """Any node replaced by junk or deleted: it loads, or raises PolicyConfigError only."""
        rng = random.Random(20260101)
        paths = [p for p in _paths(BASE) if p]
        tried = 0
        failures: list[PolicyConfigError] = []
        for _ in range(3000):
            document = copy.deepcopy(BASE)
            path = rng.choice(paths)
            parent = document
            for key in path[:-1]:
                parent = parent[key]
            if rng.random() < 0.2 and isinstance(parent, dict):
                del parent[path[-1]]
            else:
                parent[path[-1]] = copy.deepcopy(rng.choice(JUNK))
            tried += 1
            try:
                RBAC.from_dict(document)
            except PolicyConfigError as exc:
                failures.append(exc)
        assert all(exc.field is not None for exc in failures)
        assert tried == 3000

    def test_string_where_list_belongs(self) -> None:
        """inherits='b' is an error naming the path, not a list of characters."""
        document = copy.deepcopy(BASE)
        document["roles"]["a"]["inherits"] = "b"
        with pytest.raises(PolicyConfigError, match=r"roles\.a\.inherits"):
            RBAC.from_dict(document)
        document = copy.deepcopy(BASE)
        document["dsd"][0]["roles"] = "ab"
        with pytest.raises(PolicyConfigError, match=r"dsd\[0\]\.roles"):
            RBAC.from_dict(document)

    def test_deep_nesting(self) -> None:
        """Deeply nested junk is a PolicyConfigError, not a RecursionError."""
        deep: Any = []
        for _ in range(5000):
            deep = [deep]
        with pytest.raises(PolicyConfigError):
            RBAC.from_dict({"roles": {"a": {"inherits": deep}}})
        with pytest.raises(PolicyConfigError):
            RBAC.from_dict([])  # type: ignore[arg-type]


class TestLoadedGrantsChecked:
    def test_grant_breaking_ssd_refused(self) -> None:
        """A saved privileged grant that breaks static SoD does not load."""
        document: dict[str, Any] = {
            "roles": {"p": {"privileged": True}, "q": {}},
            "users": ["u", "w", "z"],
            "assignments": [{"user": "u", "role": "q"}],
            "ssd": [{"name": "apart", "roles": ["p", "q"], "n": 2}],
            "privileged_grants": [
                {
                    "request_id": "gr-1",
                    "user": "u",
                    "role": "p",
                    "requested_by": "w",
                    "approvers": ["z"],
                    "starts": START.isoformat(),
                    "expires": (START + timedelta(days=1)).isoformat(),
                    "reason": "x",
                }
            ],
        }
        with pytest.raises(PolicyConfigError, match="apart"):
            RBAC.from_dict(document, clock=FrozenClock(START))

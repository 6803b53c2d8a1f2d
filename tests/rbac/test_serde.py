"""Loading and saving policies as plain data."""

from __future__ import annotations

from typing import Any

import pytest

from secpolicy.exceptions import PolicyConfigError
from secpolicy.rbac import RBAC

POLICY: dict[str, Any] = {
    "levels": ["公开", "内部", "机密"],
    "roles": {
        "viewer": {},
        "teller": {"inherits": ["viewer"]},
        "auditor": {"inherits": []},
        "dba": {"privileged": True, "approvals": 2},
    },
    "users": ["alice", "bob"],
    "grants": [
        {"role": "viewer", "resource": "accounts/**", "action": "read"},
        {"role": "teller", "resource": "fx/rates", "action": "update", "tenant": "b1"},
    ],
    "denies": [{"role": "teller", "resource": "accounts/vip/**", "action": "*"}],
    "assignments": [{"user": "alice", "role": "teller", "tenant": "b1"}],
    "ssd": [{"name": "audit-apart", "roles": ["teller", "auditor"], "n": 2}],
    "dsd": [{"name": "one-hat", "roles": ["viewer", "auditor"], "n": 2}],
    "labels": [{"resource": "accounts/secret/**", "level": "机密"}],
    "clearances": [{"user": "alice", "level": "内部", "tenant": "b1"}],
}


def test_round_trip() -> None:
    """from_dict(to_dict()) gives the same policy and the same answers."""
    rbac = RBAC.from_dict(POLICY)
    again = RBAC.from_dict(rbac.to_dict())
    assert again.to_dict() == rbac.to_dict()
    assert again.check("alice", "fx/rates", "update", tenant="b1")
    assert not again.check("alice", "accounts/vip/1", "read", tenant="b1")
    assert not again.check("alice", "accounts/secret/1", "read", tenant="b1")


def test_order_does_not_matter() -> None:
    """A role may inherit one defined later in the file."""
    rbac = RBAC.from_dict({"roles": {"senior": {"inherits": ["junior"]}, "junior": None}})
    assert rbac.state.closure["senior"] == {"senior", "junior"}


@pytest.mark.parametrize(
    ("patch", "path"),
    [
        (
            {"roles": {"viewer": {}, "auditor": {"inherits": ["viewer", "ghost"]}}},
            r"roles\.auditor\.inherits\[1\]",
        ),
        (
            {"roles": {"a": {"inherits": ["b"]}, "b": {"inherits": ["a"]}}},
            r"roles\.b\.inherits\[0\]: cycle",
        ),
        ({"roles": {"a": {"colour": "red"}}}, r"roles\.a: unknown key"),
        ({"roles": {"a": {"privileged": "yes"}}}, r"roles\.a\.privileged"),
        ({"roles": {"a": {"approvals": 0}}}, r"roles\.a\.approvals"),
        ({"roles": []}, "roles: must be a table"),
        ({"grants": [{"role": "ghost", "resource": "x", "action": "y"}]}, r"grants\[0\]\.role"),
        (
            {"grants": [{"role": "viewer", "resource": "a//b", "action": "y"}]},
            r"grants\[0\]\.resource",
        ),
        ({"grants": [{"role": "viewer", "action": "y"}]}, r"grants\[0\]\.resource"),
        ({"grants": ["viewer:x:y"]}, r"grants\[0\]: must be a table"),
        ({"users": ["alice", ""]}, r"users\[1\]"),
        ({"assignments": [{"user": "ghost", "role": "viewer"}]}, r"assignments\[0\]\.user"),
        ({"assignments": [{"user": "alice", "role": "ghost"}]}, r"assignments\[0\]\.role"),
        (
            {
                "assignments": [
                    {"user": "alice", "role": "teller"},
                    {"user": "alice", "role": "auditor"},
                ]
            },
            r"assignments\[1\]: static separation of duty",
        ),
        ({"assignments": [{"user": "alice", "role": "dba"}]}, r"assignments\[0\]"),
        ({"ssd": [{"name": "x", "roles": ["viewer"], "n": 2}]}, r"ssd\[0\]"),
        ({"ssd": [{"name": "x", "roles": "viewer"}]}, r"ssd\[0\]\.roles"),
        ({"labels": [{"resource": "a", "level": "top"}]}, r"labels\[0\]"),
        ({"clearances": [{"user": "ghost", "level": "内部"}]}, r"clearances\[0\]"),
        ({"levels": "low,high"}, "levels"),
        ({"colour": 1}, "rbac: unknown key"),
    ],
)
def test_errors_name_the_entry(patch: dict[str, Any], path: str) -> None:
    """Bad data raises PolicyConfigError with the path of the offending entry."""
    base: dict[str, Any] = {
        "levels": ["公开", "内部"],
        "roles": {"viewer": {}, "teller": {}, "auditor": {}, "dba": {"privileged": True}},
        "users": ["alice"],
        "ssd": [{"name": "apart", "roles": ["teller", "auditor"], "n": 2}],
    }
    data = {**base, **patch}
    with pytest.raises(PolicyConfigError, match=path):
        RBAC.from_dict(data)


def test_not_a_mapping() -> None:
    """The top level must be a table."""
    with pytest.raises(PolicyConfigError, match="rbac: must be a table"):
        RBAC.from_dict(["roles"])  # type: ignore[arg-type]

"""The ``[rbac]`` section: roles, grants and constraints inline, or a separate file."""

from __future__ import annotations

from typing import Final

from secpolicy.policyfile._spec import Key

_TENANT: Final = Key(name="tenant", kind="str", help="the tenant this entry applies in")
_RULE: Final = (
    Key(name="role", kind="str", required=True, help="the role"),
    Key(name="resource", kind="str", required=True, help='a resource pattern ("accounts/*")'),
    Key(name="action", kind="str", required=True, help='an action or "*"'),
    _TENANT,
)
_CONSTRAINT: Final = (
    Key(name="name", kind="str", required=True, help="the constraint's name"),
    Key(name="roles", kind="strings", required=True, help="the mutually exclusive roles"),
    Key(name="n", kind="int", minimum=2, help="how many of them make a conflict (default 2)"),
)
_ROLE: Final = (
    Key(name="inherits", kind="strings", help="junior roles whose permissions this role gets"),
    Key(name="privileged", kind="bool", help="granted only case by case, with approval"),
    Key(name="approvals", kind="int", minimum=1, help="distinct approvers a grant needs"),
)

#: The keys of ``[rbac]`` (the form of ``RBAC.to_dict()``), plus ``file``.
KEYS: Final = (
    Key(name="file", kind="str", help="read the RBAC policy from this TOML or JSON file instead"),
    Key(name="levels", kind="strings", help="sensitivity levels, lowest first"),
    Key(
        name="roles",
        kind="map",
        keys=(Key(name="*", kind="table", keys=_ROLE, help="a role"),),
        help="the roles by name",
    ),
    Key(name="users", kind="strings", help="the user ids"),
    Key(name="grants", kind="tables", keys=_RULE, help="what roles may do (default deny)"),
    Key(name="denies", kind="tables", keys=_RULE, help="explicit denies; they always win"),
    Key(
        name="assignments",
        kind="tables",
        keys=(
            Key(name="user", kind="str", required=True, help="the user"),
            Key(name="role", kind="str", required=True, help="a non-privileged role"),
            _TENANT,
        ),
        help="users' roles",
    ),
    Key(name="ssd", kind="tables", keys=_CONSTRAINT, help="static separation of duty"),
    Key(name="dsd", kind="tables", keys=_CONSTRAINT, help="dynamic separation of duty"),
    Key(
        name="labels",
        kind="tables",
        keys=(
            Key(name="resource", kind="str", required=True, help="a resource pattern"),
            Key(name="level", kind="str", required=True, help="its sensitivity level"),
            _TENANT,
        ),
        help="sensitivity labels on resources",
    ),
    Key(
        name="clearances",
        kind="tables",
        keys=(
            Key(name="user", kind="str", required=True, help="the user"),
            Key(name="level", kind="str", required=True, help="the highest level they may read"),
            _TENANT,
        ),
        help="users' clearances",
    ),
)

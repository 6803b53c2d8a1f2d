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
    Key(name="approver_roles", kind="strings", help="roles an approver of this role must hold"),
    Key(name="max_duration_seconds", kind="int", minimum=1, help="the longest grant, in seconds"),
)
_WHEN: Final = Key(name="since", kind="datetime", help="when the assignment began")
_GRANT_KEYS: Final = (
    Key(name="request_id", kind="str", required=True, help="the request id (gr-<n>)"),
    Key(name="user", kind="str", required=True, help="the grantee"),
    Key(name="role", kind="str", required=True, help="the privileged role"),
    _TENANT,
    Key(name="requested_by", kind="str", required=True, help="who asked"),
    Key(name="approvers", kind="strings", help="who approved"),
    Key(name="reason", kind="str", required=True, help="why"),
)

#: The keys of ``[rbac]`` (the form of ``RBAC.to_dict()``), plus ``file``.
KEYS: Final = (
    Key(name="file", kind="str", help="read the RBAC policy from this TOML or JSON file instead"),
    Key(name="format", kind="int", minimum=1, help="the document format (2; absent means 1)"),
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
            _WHEN,
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
    Key(
        name="privileged_grants",
        kind="tables",
        keys=(
            *_GRANT_KEYS,
            Key(name="starts", kind="datetime", required=True, help="when it became active"),
            Key(name="expires", kind="datetime", required=True, help="when it lapses"),
        ),
        help="active privileged grants (saved state)",
    ),
    Key(
        name="pending_requests",
        kind="tables",
        keys=(
            *_GRANT_KEYS,
            Key(name="requested_at", kind="datetime", required=True, help="when it was asked"),
            Key(name="duration_seconds", kind="int", minimum=1, help="the grant's length"),
            Key(name="approvals_required", kind="int", minimum=1, help="approvals needed"),
            Key(name="expires", kind="datetime", required=True, help="when the request lapses"),
        ),
        help="privileged requests awaiting approval (saved state)",
    ),
    Key(
        name="reviews",
        kind="tables",
        keys=(
            Key(name="user", kind="str", required=True, help="the user"),
            Key(name="role", kind="str", required=True, help="the role reviewed"),
            _TENANT,
            Key(name="at", kind="datetime", required=True, help="when"),
        ),
        help="the last access review of each holding (saved state)",
    ),
    Key(name="next_request", kind="int", minimum=1, help="the number of the next request id"),
    Key(
        name="approvals",
        kind="table",
        keys=(
            Key(name="approver_role", kind="str", help='the role approvers hold ("approver")'),
            Key(name="request_ttl_seconds", kind="int", minimum=1, help="how long a request waits"),
            Key(
                name="max_grant_duration_seconds",
                kind="int",
                minimum=1,
                help="the longest privileged grant",
            ),
        ),
        help="privileged-grant approval settings",
    ),
    Key(
        name="admin_rights",
        kind="any",
        help="who may administer what: kinds (users, roles, permissions, ...) to roles",
        schema={
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    ),
)

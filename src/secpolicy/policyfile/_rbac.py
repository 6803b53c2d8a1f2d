"""The ``[rbac]`` section: roles, grants and constraints inline, or a separate file."""

from __future__ import annotations

from typing import Final

from secpolicy.policyfile._spec import Key, Kind


def _required(name: str, help_text: str, kind: Kind = "str") -> Key:
    """A key every entry must have."""
    return Key(name=name, kind=kind, required=True, help=help_text)


def _count(name: str, help_text: str, minimum: int = 1) -> Key:
    """An integer key with a lower bound (seconds, approvals, ...)."""
    return Key(name=name, kind="int", minimum=minimum, help=help_text)


def _tables(name: str, help_text: str, *keys: Key) -> Key:
    """An array of tables whose entries have *keys*."""
    return Key(name=name, kind="tables", keys=keys, help=help_text)


_TENANT: Final = Key(name="tenant", kind="str", help="the tenant this entry applies in")
_USER: Final = _required("user", "the user")
_RULE: Final = (
    _required("role", "the role"),
    _required("resource", 'a resource pattern ("accounts/*")'),
    _required("action", 'an action or "*"'),
    _TENANT,
)
_CONSTRAINT: Final = (
    _required("name", "the constraint's name"),
    _required("roles", "the mutually exclusive roles", "strings"),
    _count("n", "how many of them make a conflict (default 2)", minimum=2),
)
_ROLE: Final = (
    Key(name="inherits", kind="strings", help="junior roles whose permissions this role gets"),
    Key(name="privileged", kind="bool", help="granted only case by case, with approval"),
    _count("approvals", "distinct approvers a grant needs"),
    Key(name="approver_roles", kind="strings", help="roles an approver of this role must hold"),
    _count("max_duration_seconds", "the longest grant, in seconds"),
)
_GRANT_KEYS: Final = (
    _required("request_id", "the request id (gr-<n>)"),
    _required("user", "the grantee"),
    _required("role", "the privileged role"),
    _TENANT,
    _required("requested_by", "who asked"),
    Key(name="approvers", kind="strings", help="who approved"),
    _required("reason", "why"),
)

#: The keys of ``[rbac]`` (the form of ``RBAC.to_dict()``), plus ``file``.
KEYS: Final = (
    Key(name="file", kind="str", help="read the RBAC policy from this TOML or JSON file instead"),
    _count("format", "the document format (2; absent means 1)"),
    Key(name="levels", kind="strings", help="sensitivity levels, lowest first"),
    Key(
        name="roles",
        kind="map",
        keys=(Key(name="*", kind="table", keys=_ROLE, help="a role"),),
        help="the roles by name",
    ),
    Key(name="users", kind="strings", help="the user ids"),
    _tables("grants", "what roles may do (default deny)", *_RULE),
    _tables("denies", "explicit denies; they always win", *_RULE),
    _tables(
        "assignments",
        "users' roles",
        _USER,
        _required("role", "a non-privileged role"),
        _TENANT,
        Key(name="since", kind="datetime", help="when the assignment began"),
    ),
    _tables("ssd", "static separation of duty", *_CONSTRAINT),
    _tables("dsd", "dynamic separation of duty", *_CONSTRAINT),
    _tables(
        "labels",
        "sensitivity labels on resources",
        _required("resource", "a resource pattern"),
        _required("level", "its sensitivity level"),
        _TENANT,
    ),
    _tables(
        "clearances",
        "users' clearances",
        _USER,
        _required("level", "the highest level they may read"),
        _TENANT,
    ),
    _tables(
        "privileged_grants",
        "active privileged grants (saved state)",
        *_GRANT_KEYS,
        _required("starts", "when it became active", "datetime"),
        _required("expires", "when it lapses", "datetime"),
    ),
    _tables(
        "pending_requests",
        "privileged requests awaiting approval (saved state)",
        *_GRANT_KEYS,
        _required("requested_at", "when it was asked", "datetime"),
        _count("duration_seconds", "the grant's length"),
        _count("approvals_required", "approvals needed"),
        _required("expires", "when the request lapses", "datetime"),
    ),
    _tables(
        "reviews",
        "the last access review of each holding (saved state)",
        _USER,
        _required("role", "the role reviewed"),
        _TENANT,
        _required("at", "when", "datetime"),
        Key(name="by", kind="str", help="who reviewed it (a registered user)"),
    ),
    _count("next_request", "the number of the next request id"),
    Key(
        name="approvals",
        kind="table",
        keys=(
            Key(name="approver_role", kind="str", help='the role approvers hold ("approver")'),
            _count("request_ttl_seconds", "how long a request waits"),
            _count("max_grant_duration_seconds", "the longest privileged grant"),
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

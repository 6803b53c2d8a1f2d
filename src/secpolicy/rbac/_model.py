"""Value types of the RBAC engine: rules, decisions, events, grants, review entries."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, ClassVar, Final, Literal, get_args

import attrs

from secpolicy import _validators as v
from secpolicy.exceptions import PolicyConfigError
from secpolicy.rbac._match import ResourcePattern, match_segments, pattern_of
from secpolicy.rbac._names import canon_id, canon_resource

Effect = Literal["allow", "explicit_deny", "implicit_deny"]
RuleEffect = Literal["allow", "deny"]

EventKind = Literal[
    "user_added",
    "user_removed",
    "role_added",
    "role_deleted",
    "inheritance_added",
    "inheritance_deleted",
    "permission_granted",
    "permission_denied",
    "permission_revoked",
    "role_assigned",
    "role_deassigned",
    "ssd_added",
    "dsd_added",
    "constraint_removed",
    "label_set",
    "label_removed",
    "clearance_set",
    "grant_requested",
    "grant_approved",
    "grant_activated",
    "grant_expired",
    "grant_revoked",
    "request_expired",
    "approval_voided",
    "privileged_use",
    "review_recorded",
    "admin_rights_set",
    "policy_loaded",
    "access_decision",
    "change_aborted",
]
"""Every kind of :class:`RBACEvent`."""

AdminKind = Literal[
    "users",
    "roles",
    "permissions",
    "assignments",
    "constraints",
    "labels",
    "grants",
    "reviews",
    "admin",
]
"""What a mutation administers, for :class:`AdminRights`."""

_EFFECTS: Final = frozenset(get_args(Effect))
_RULE_EFFECTS: Final = frozenset(get_args(RuleEffect))
_EVENT_KINDS: Final = frozenset(get_args(EventKind))
_STR = v.instance_of(str)
_OPTIONAL_STR = v.optional(v.instance_of(str))

ADMIN_KINDS: Final[tuple[AdminKind, ...]] = (
    "users",
    "roles",
    "permissions",
    "assignments",
    "constraints",
    "labels",
    "grants",
    "reviews",
    "admin",
)


def _freeze_rights(value: object) -> Mapping[AdminKind, frozenset[str]]:
    if not isinstance(value, Mapping):
        raise PolicyConfigError("must be a mapping of kinds to roles", field="admin_rights")
    out: dict[AdminKind, frozenset[str]] = {}
    for kind, roles in value.items():
        if kind not in ADMIN_KINDS:
            raise PolicyConfigError(f"unknown kind {kind!r}", field="admin_rights")
        if isinstance(roles, str) or not isinstance(roles, Iterable):
            raise PolicyConfigError("must be a list of roles", field=f"admin_rights.{kind}")
        names = frozenset(canon_id(r, f"admin_rights.{kind}") for r in roles)
        if not names:
            raise PolicyConfigError(
                "must name at least one role (leave the kind out so that nobody may perform it)",
                field=f"admin_rights.{kind}",
            )
        out[kind] = names
    return MappingProxyType(out)


@attrs.frozen(kw_only=True)
class Rule:
    """One grant or deny: *role* may (or may not) perform *action* on *resource*.

    Attributes:
        role: The role the rule belongs to.
        resource: The resource pattern.
        action: The action, or ``*`` for every action.
        effect: ``"allow"`` or ``"deny"``.
        tenant: The tenant the rule applies in, or ``None`` for every tenant.
    """

    __module__ = "secpolicy.rbac"
    __config_path__: ClassVar[str] = "rbac.rule"

    role: str = attrs.field(validator=_STR)
    resource: ResourcePattern = attrs.field(validator=v.instance_of(ResourcePattern))
    action: str = attrs.field(validator=_STR)
    # A closed set: an unknown effect is refused, never read as a deny.
    effect: RuleEffect = attrs.field(validator=v.in_(_RULE_EFFECTS))
    tenant: str | None = attrs.field(default=None, validator=_OPTIONAL_STR)

    def covers(self, resource: str, action: str) -> bool:
        """True if the rule applies to *action* on *resource*.

        Raises:
            InvalidNameError: If *resource* is not a canonical resource name.
        """
        return (self.action in ("*", action)) and self.resource.matches(resource)

    def __str__(self) -> str:
        where = "" if self.tenant is None else f" in {self.tenant}"
        return f"{self.effect} {self.role} {self.action} on {self.resource}{where}"


RuleRecord = tuple[str, str, str, str, str | None]
"""How the state stores a rule: ``(role, resource text, action, effect, tenant)``.

Plain tuples of strings are not tracked by the garbage collector, so a large
policy costs the collector nothing; :func:`rule_of` gives the :class:`Rule`.
"""


@functools.lru_cache(maxsize=1 << 16)
def rule_of(record: RuleRecord) -> Rule:
    """The :class:`Rule` a stored record stands for."""
    role, text, action, effect, tenant = record
    return Rule(
        role=role,
        resource=pattern_of(text),
        action=action,
        effect=effect,  # type: ignore[arg-type]  # records hold "allow" or "deny" only
        tenant=tenant,
    )


@attrs.frozen(kw_only=True)
class Decision:
    """Why access was allowed or denied.

    Attributes:
        allowed: True only for ``effect == "allow"``.
        effect: ``"allow"``, ``"explicit_deny"`` (a deny rule, a sensitivity
            label above the user's clearance, a session that breaks dynamic
            separation of duty, or a policy too stale to trust) or
            ``"implicit_deny"`` (nothing allows it).
        roles: The role path that led to the deciding rule: the role the
            user holds first, then each inherited role down to the rule's role.
        rule: The grant or deny that decided, if any.
        reason: A sentence for people (reviewers, auditors, error pages).
        user: Who asked.
        resource: What for (canonical form).
        action: To do what.
        tenant: In which tenant.
        privileged: True if the allow came only through a privileged grant.
        request_id: The privileged grant's request id, if one decided.
    """

    __module__ = "secpolicy.rbac"
    __config_path__: ClassVar[str] = "rbac.decision"

    allowed: bool = attrs.field(validator=v.instance_of(bool))
    effect: Effect = attrs.field(validator=v.in_(_EFFECTS))
    roles: tuple[str, ...]
    rule: Rule | None
    reason: str
    user: str
    resource: str
    action: str
    tenant: str | None = None
    privileged: bool = False
    request_id: str | None = None

    def __attrs_post_init__(self) -> None:
        # A decision that allows and denies at once would be read either way.
        if self.allowed is not (self.effect == "allow"):
            raise PolicyConfigError(
                "must be True exactly when effect is 'allow'", path="rbac.decision.allowed"
            )


@attrs.frozen(kw_only=True)
class RBACEvent:
    """Something the engine reports to its ``on_event`` hook (the audit logger fits).

    Attributes:
        kind: One of ``EventKind``: every policy change (users, roles,
            inheritance, grants, denies, revocations, assignments,
            constraints, labels, clearances, admin rights), the privileged
            grant workflow (request, approval, activation, expiry,
            revocation, voided approvals), privileged uses, reviews and,
            when the decision log is on, access decisions.
        user: The user concerned, if any.
        role: The role concerned, if any.
        tenant: The tenant.
        by: Who acted (administrator, requester, approver, reviewer), if known.
        at: When (the engine clock).
        details: More, such as the request id, the resource and the
            ``operation`` (the action; not named ``action``, which is the
            audit logger's event name), the reason and the expiry.
    """

    __module__ = "secpolicy.rbac"
    __config_path__: ClassVar[str] = "rbac.event"

    kind: EventKind = attrs.field(validator=v.in_(_EVENT_KINDS))
    user: str | None
    role: str | None = None
    tenant: str | None = None
    by: str | None = None
    at: datetime = attrs.field(validator=v.aware_datetime())
    details: dict[str, Any] = attrs.field(factory=dict, validator=v.instance_of(dict))


@attrs.frozen(kw_only=True)
class PrivilegedGrant:
    """An active, time-bounded grant of a privileged role.

    Attributes:
        request_id: The request it came from.
        user: The grantee.
        role: The privileged role.
        tenant: The tenant.
        starts: When the last required approval was given.
        expires: When the grant lapses by itself.
        requested_by: Who asked.
        approvers: Who approved.
        reason: Why it was asked for.
    """

    __module__ = "secpolicy.rbac"

    request_id: str
    user: str
    role: str
    tenant: str | None
    starts: datetime
    expires: datetime
    requested_by: str
    approvers: tuple[str, ...]
    reason: str

    def active(self, now: datetime) -> bool:
        """True between approval and expiry."""
        return self.starts <= now < self.expires


@attrs.frozen(kw_only=True)
class PendingRequest:
    """A request for a privileged role awaiting approvals.

    Attributes:
        request_id: The request's id (``gr-<n>``, never reused).
        user: The grantee.
        role: The privileged role.
        tenant: The tenant.
        requested_by: Who asked.
        requested_at: When.
        duration: How long the grant will last once approved.
        reason: Why.
        approvals_required: How many distinct approvers it needs.
        approvers: Who approved so far.
        expires: When the request lapses unless approved.
    """

    __module__ = "secpolicy.rbac"

    request_id: str
    user: str
    role: str
    tenant: str | None
    requested_by: str
    requested_at: datetime
    duration: timedelta
    reason: str
    approvals_required: int
    approvers: tuple[str, ...] = ()
    expires: datetime


@attrs.frozen(kw_only=True)
class AdminRights:
    """Who may administer what: the roles an administrator (``by=``) must hold per kind of change.

    With rights configured (:meth:`RBAC.set_admin_rights`), every mutation
    needs ``by=``, a registered user who holds (in the change's tenant or
    without a tenant) one of the roles listed for the mutation's kind, and
    who is not the user the change is about (nobody administers their own
    access). Kinds: ``users`` (add and remove users), ``roles`` (roles and
    inheritance), ``permissions`` (grant, deny, revoke), ``assignments``,
    ``constraints`` (SSD/DSD), ``labels`` (labels and clearances),
    ``grants`` (revoking privileged grants), ``reviews`` (recording access
    reviews) and ``admin`` (changing these rights). Requests and approvals
    of privileged grants have their own rules (approver roles).

    Attributes:
        rights: Each kind with the roles that may perform it; a kind not
            listed may not be performed by anyone.

    Example:
        The split of GB/T 22239-2019 (system, security and audit
        administrators)::

            AdminRights.three_way(system="sysadmin", security="secadmin", audit="auditadmin")

    .. versionadded:: 0.2
    """

    __module__ = "secpolicy.rbac"

    rights: Mapping[AdminKind, frozenset[str]] = attrs.field(converter=_freeze_rights)

    @classmethod
    def three_way(cls, *, system: str, security: str, audit: str) -> AdminRights:
        """The three-administrator split (三员分立).

        The system administrator manages accounts and role definitions; the
        security administrator manages permissions, assignments, separation
        of duty, labels, privileged grants and these rights; the audit
        administrator records access reviews. Keep the three roles apart with
        a static separation-of-duty constraint on them.
        """
        return cls(
            rights={
                "users": {system},
                "roles": {system},
                "permissions": {security},
                "assignments": {security},
                "constraints": {security},
                "labels": {security},
                "grants": {security},
                "reviews": {audit},
                "admin": {security},
            }
        )

    def roles_for(self, kind: AdminKind) -> frozenset[str]:
        """The roles that may perform changes of *kind*."""
        return self.rights.get(kind, frozenset())


@attrs.frozen(kw_only=True)
class ResourceFilter:
    """The resources a user may act on, as patterns: see :meth:`RBAC.resources_for`.

    A resource is allowed exactly when it matches one of :attr:`allow` and
    none of :attr:`deny` (denies and labels above the user's clearance), and
    lies under :attr:`under` if given. Iterating yields the allow patterns
    (exact names included); ``resource in filter`` decides one name.

    Attributes:
        allow: Patterns from the user's allow rules.
        deny: Patterns the user is refused (deny rules, labels above clearance).
        under: The prefix asked about, if any.

    .. versionadded:: 0.2
    """

    __module__ = "secpolicy.rbac"

    allow: tuple[ResourcePattern, ...]
    deny: tuple[ResourcePattern, ...]
    under: tuple[str, ...] | None = None

    def __contains__(self, resource: object) -> bool:
        segments = canon_resource(resource)
        if self.under is not None and segments[: len(self.under)] != self.under:
            return False
        if any(match_segments(p.segments, segments) for p in self.deny):
            return False
        return any(match_segments(p.segments, segments) for p in self.allow)

    def __iter__(self) -> Iterator[str]:
        return iter([p.text for p in self.allow])

    def __len__(self) -> int:
        return len(self.allow)


@attrs.frozen(kw_only=True)
class ReviewEntry:
    """One line of an access review: a user holding a role, and whether review is due.

    Attributes:
        user: The user.
        role: The role held.
        tenant: The tenant.
        via: ``"assigned"``, ``"inherited from <role>"`` or ``"privileged grant"``.
        privileged: True for a privileged role.
        since: When the assignment or grant began.
        last_reviewed: When it was last reviewed, if ever.
        reviewed_by: Who recorded that review (``None`` for reviews loaded
            from documents written before reviewers were recorded).
        review_due: When the next review is due.
        overdue: True if the review is due at the report's time.
        expires: For a privileged grant, when it lapses.
        approvers: For a privileged grant, who approved it.

    .. versionchanged:: 0.2
       ``reviewed_by``.
    """

    __module__ = "secpolicy.rbac"

    user: str
    role: str
    tenant: str | None
    via: str
    privileged: bool
    since: datetime
    last_reviewed: datetime | None
    review_due: datetime | None
    overdue: bool
    expires: datetime | None = None
    approvers: tuple[str, ...] = ()
    reviewed_by: str | None = None


@attrs.frozen(kw_only=True)
class ReviewReport:
    """Who holds what, through which roles, and which reviews are due.

    Attributes:
        at: The time of the report.
        tenant: The tenant reviewed.
        entries: One entry per (user, role) held, sorted by user then role.
    """

    __module__ = "secpolicy.rbac"

    at: datetime
    tenant: str | None
    entries: tuple[ReviewEntry, ...]

    @property
    def due(self) -> tuple[ReviewEntry, ...]:
        """The entries whose review is due."""
        return tuple(e for e in self.entries if e.overdue)

    def to_rows(self) -> list[dict[str, Any]]:
        """Entries as JSON-ready dictionaries (times as ISO 8601)."""
        rows = []
        for entry in self.entries:
            row = attrs.asdict(entry)
            for key, value in row.items():
                if isinstance(value, datetime):
                    row[key] = value.isoformat()
            row["approvers"] = list(entry.approvers)
            rows.append(row)
        return rows

"""Value types of the RBAC engine: rules, decisions, events, grants, review entries."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, Final, Literal

import attrs

from secpolicy.exceptions import PolicyConfigError

Effect = Literal["allow", "explicit_deny", "implicit_deny"]
RuleEffect = Literal["allow", "deny"]

_SEGMENT: Final = re.compile(r"[^/]+")


def _check_resource(pattern: object, field: str) -> None:
    if (
        not isinstance(pattern, str)
        or not pattern
        or pattern.startswith("/")
        or pattern.endswith("/")
    ):
        raise PolicyConfigError(
            "must be a non-empty '/'-separated name without leading or trailing '/'", field=field
        )
    for segment in pattern.split("/"):
        if not segment:
            raise PolicyConfigError("has an empty segment ('//')", field=field)
        if "*" in segment and segment not in ("*", "**"):
            raise PolicyConfigError("'*' and '**' must be whole segments", field=field)


@attrs.frozen
class ResourcePattern:
    """A ``/``-separated resource name where ``*`` is one segment and ``**`` any depth.

    ``accounts/*/balance`` matches ``accounts/42/balance``; ``accounts/**``
    matches ``accounts/42`` and ``accounts/42/balance`` (and ``accounts``
    itself); ``**`` matches everything.
    """

    text: str
    _regex: re.Pattern[str] | None = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        _check_resource(self.text, "resource")
        regex = None
        if "*" in self.text:
            parts = []
            segments = self.text.split("/")
            for i, segment in enumerate(segments):
                sep = "" if i == 0 else "/"
                if segment == "**":
                    parts.append(f"(?:{sep}.*)?" if i else "(?:.*)")
                elif segment == "*":
                    parts.append(f"{sep}[^/]+")
                else:
                    parts.append(sep + re.escape(segment))
            regex = re.compile("".join(parts) + r"\Z")
        object.__setattr__(self, "_regex", regex)

    @property
    def is_exact(self) -> bool:
        """True if the pattern has no wildcard."""
        return self._regex is None

    def matches(self, resource: str) -> bool:
        """True if *resource* is matched by the pattern."""
        if self._regex is None:
            return resource == self.text
        return self._regex.match(resource) is not None

    def __str__(self) -> str:
        return self.text


@attrs.frozen
class Rule:
    """One grant or deny: *role* may (or may not) perform *action* on *resource*.

    Attributes:
        role: The role the rule belongs to.
        resource: The resource pattern.
        action: The action, or ``*`` for every action.
        effect: ``"allow"`` or ``"deny"``.
        tenant: The tenant the rule applies in, or ``None`` for every tenant.
    """

    role: str
    resource: ResourcePattern
    action: str
    effect: RuleEffect
    tenant: str | None = None

    def covers(self, resource: str, action: str) -> bool:
        """True if the rule applies to *action* on *resource*."""
        return (self.action in ("*", action)) and self.resource.matches(resource)

    def __str__(self) -> str:
        where = "" if self.tenant is None else f" in {self.tenant}"
        return f"{self.effect} {self.role} {self.action} on {self.resource}{where}"


@attrs.frozen
class Decision:
    """Why access was allowed or denied.

    Attributes:
        allowed: True only for ``effect == "allow"``.
        effect: ``"allow"``, ``"explicit_deny"`` (a deny rule, or a
            sensitivity label above the user's clearance) or
            ``"implicit_deny"`` (nothing allows it).
        roles: The role path that led to the deciding rule: the role the
            user holds first, then each inherited role down to the rule's role.
        rule: The grant or deny that decided, if any.
        reason: A sentence for people (reviewers, auditors, error pages).
        user: Who asked.
        resource: What for.
        action: To do what.
        tenant: In which tenant.
        privileged: True if a privileged grant decided.
    """

    allowed: bool
    effect: Effect
    roles: tuple[str, ...]
    rule: Rule | None
    reason: str
    user: str
    resource: str
    action: str
    tenant: str | None = None
    privileged: bool = False


@attrs.frozen
class RBACEvent:
    """Something the engine reports to its ``on_event`` hook (the audit logger fits).

    Attributes:
        kind: ``"role_assigned"``, ``"role_deassigned"``, ``"grant_requested"``,
            ``"grant_approved"``, ``"grant_activated"``, ``"grant_expired"``,
            ``"grant_revoked"``, ``"privileged_use"``, ``"user_removed"``,
            ``"review_recorded"``.
        user: The user concerned.
        role: The role concerned, if any.
        tenant: The tenant.
        by: Who acted (requester, approver, reviewer), if anyone.
        at: When.
        details: More, such as the request id, reason and expiry.
    """

    kind: str
    user: str
    role: str | None
    tenant: str | None
    by: str | None
    at: datetime
    details: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
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


@attrs.frozen
class PendingRequest:
    """A request for a privileged role awaiting approvals."""

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


@attrs.frozen
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
        review_due: When the next review is due.
        overdue: True if the review is due at the report's time.
        expires: For a privileged grant, when it lapses.
        approvers: For a privileged grant, who approved it.
    """

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


@attrs.frozen
class ReviewReport:
    """Who holds what, through which roles, and which reviews are due.

    Attributes:
        at: The time of the report.
        tenant: The tenant reviewed.
        entries: One entry per (user, role) held, sorted by user then role.
    """

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

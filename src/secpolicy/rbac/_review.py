"""Access review over one state: the NIST review functions and the periodic review report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from secpolicy.rbac._decide import effective
from secpolicy.rbac._model import ReviewEntry, ReviewReport, Rule, rule_of

if TYPE_CHECKING:
    from datetime import datetime, timedelta

    from secpolicy.rbac._state import State

__all__ = [
    "assigned_users",
    "authorized_users",
    "review_report",
    "role_permissions",
]


def assigned_users(state: State, tenant: str | None, role: str) -> frozenset[str]:
    """Users directly assigned *role* (NIST AssignedUsers)."""
    return frozenset(state.members.get((tenant, role), ()))


def authorized_users(state: State, tenant: str | None, role: str, now: datetime) -> frozenset[str]:
    """Users who hold *role* now: directly, by inheritance or by grant (NIST AuthorizedUsers)."""
    reach: set[str] = set()
    stack = [role]
    while stack:
        name = stack.pop()
        if name not in reach:
            reach.add(name)
            stack.extend(state.seniors.get(name, ()))
    candidates: set[str] = set()
    for name in reach:
        candidates.update(state.members.get((tenant, name), ()))
    candidates.update(u for t, u in state.user_grants if t == tenant)
    return frozenset(u for u in candidates if role in effective(state, tenant, u, now).roles)


def role_permissions(
    state: State, tenant: str | None, role: str, *, inherited: bool
) -> tuple[Rule, ...]:
    """The rules of *role* in *tenant* (with what it inherits if *inherited*)."""
    roles = sorted(state.closure.get(role, ())) if inherited else [role]
    out: dict[Rule, None] = {}
    for name in roles:
        for key in ((None, name), (tenant, name)) if tenant is not None else ((None, name),):
            records = state.rule_index.get(key, {}).values()
            for record in sorted(records, key=lambda r: (r[1], r[2], r[3])):
                out[rule_of(record)] = None
    return tuple(out)


def review_report(
    state: State,
    tenant: str | None,
    now: datetime,
    interval: timedelta,
    privileged_interval: timedelta,
) -> ReviewReport:
    """Who holds what and through which roles, with the reviews that are due at *now*."""
    entries: list[ReviewEntry] = []

    def due(
        user: str, role: str, since: datetime, *, privileged: bool
    ) -> tuple[datetime | None, str | None, datetime, bool]:
        last, by = state.reviewed.get((tenant, user, role), (None, None))
        every = privileged_interval if privileged else interval
        next_due = (last or since) + every
        return last, by, next_due, next_due <= now

    for (scope, user), roles in sorted(
        ((k, v) for k, v in state.assignments.items() if k[0] == tenant), key=lambda kv: kv[0][1]
    ):
        del scope
        held_plain = effective(state, tenant, user, None).plain
        for role, since in sorted(roles.items()):
            for held in sorted(state.closure[role]):
                if held not in held_plain:
                    continue  # a privileged role reached by inheritance is not held
                privileged = state.roles[held].privileged
                via = "assigned" if held == role else f"inherited from {role}"
                last, by, next_due, overdue = due(user, held, since, privileged=privileged)
                entries.append(
                    ReviewEntry(
                        user=user,
                        role=held,
                        tenant=tenant,
                        via=via,
                        privileged=privileged,
                        since=since,
                        last_reviewed=last,
                        reviewed_by=by,
                        review_due=next_due,
                        overdue=overdue,
                    )
                )
    for grant in state.grants.values():
        if grant.tenant == tenant and grant.active(now):
            last, by, next_due, overdue = due(grant.user, grant.role, grant.starts, privileged=True)
            entries.append(
                ReviewEntry(
                    user=grant.user,
                    role=grant.role,
                    tenant=tenant,
                    via="privileged grant",
                    privileged=True,
                    since=grant.starts,
                    last_reviewed=last,
                    reviewed_by=by,
                    review_due=next_due,
                    overdue=overdue,
                    expires=grant.expires,
                    approvers=grant.approvers,
                )
            )
    entries.sort(key=lambda e: (e.user, e.role, e.via))
    return ReviewReport(at=now, tenant=tenant, entries=tuple(entries))

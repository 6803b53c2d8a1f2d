"""Access review: the NIST review functions, who_can, and the periodic review report."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING

import attrs

from secpolicy.rbac._model import RBACEvent, ReviewEntry, ReviewReport, Rule

if TYPE_CHECKING:
    from secpolicy._clock import Clock
    from secpolicy.rbac._state import State


class ReviewMixin:
    """Review queries; they read the current state and never change it."""

    _state: State
    _clock: Clock

    if TYPE_CHECKING:

        def check(
            self,
            user: str,
            resource: str,
            action: str,
            *,
            tenant: str | None = None,
            now: datetime | None = None,
        ) -> bool: ...

        def _now(self, now: datetime | None) -> datetime: ...

        def _commit(self, state: State, *events: RBACEvent) -> None: ...

    def assigned_users(self, role: str, *, tenant: str | None = None) -> frozenset[str]:
        """Users directly assigned *role* (NIST AssignedUsers)."""
        table = self._state.assignments.get(tenant, {})
        return frozenset(u for u, roles in table.items() if role in roles)

    def assigned_roles(self, user: str, *, tenant: str | None = None) -> frozenset[str]:
        """Roles directly assigned to *user* (NIST AssignedRoles)."""
        return frozenset(self._state.assigned(tenant, user))

    def authorized_roles(
        self, user: str, *, tenant: str | None = None, now: datetime | None = None
    ) -> frozenset[str]:
        """Roles *user* holds, inherited and privileged grants included (NIST AuthorizedRoles)."""
        return frozenset(self._state.authorized(tenant, user, self._now(now)))

    def authorized_users(
        self, role: str, *, tenant: str | None = None, now: datetime | None = None
    ) -> frozenset[str]:
        """Users who hold *role*, directly, by inheritance or by grant (NIST AuthorizedUsers)."""
        state, when = self._state, self._now(now)
        users = set(state.assignments.get(tenant, {})) | {
            g.user for g in state.grants if g.tenant == tenant
        }
        return frozenset(u for u in users if role in state.authorized(tenant, u, when))

    def role_permissions(
        self, role: str, *, tenant: str | None = None, inherited: bool = True
    ) -> tuple[Rule, ...]:
        """The rules of *role* in *tenant*, inherited ones too by default (NIST RolePermissions)."""
        state = self._state
        roles = sorted(state.closure.get(role, ())) if inherited else [role]
        out: dict[Rule, None] = {}
        for name in roles:
            for key in ((None, name), (tenant, name)):
                for rule in state.rules.get(key, ()):
                    out[rule] = None
        return tuple(out)

    def user_permissions(
        self, user: str, *, tenant: str | None = None, now: datetime | None = None
    ) -> tuple[Rule, ...]:
        """The rules reachable through every role *user* holds (NIST UserPermissions)."""
        out: dict[Rule, None] = {}
        for role in sorted(self.authorized_roles(user, tenant=tenant, now=now)):
            for rule in self.role_permissions(role, tenant=tenant, inherited=False):
                out[rule] = None
        return tuple(out)

    def who_can(
        self, resource: str, action: str, *, tenant: str | None = None, now: datetime | None = None
    ) -> frozenset[str]:
        """Every user allowed *action* on *resource* in *tenant* (deny and labels applied)."""
        state, when = self._state, self._now(now)
        users = set(state.assignments.get(tenant, {})) | {
            g.user for g in state.grants if g.tenant == tenant and g.active(when)
        }
        return frozenset(
            u for u in users if self.check(u, resource, action, tenant=tenant, now=when)
        )

    def mark_reviewed(
        self,
        user: str,
        role: str,
        *,
        by: str,
        tenant: str | None = None,
        now: datetime | None = None,
    ) -> None:
        """Record that *by* reviewed *user*'s holding of *role*; the next review counts from now."""
        when = self._now(now)
        state = self._state
        reviewed = dict(state.reviewed)
        reviewed[(tenant, user, role)] = when
        self._commit(
            attrs.evolve(state, reviewed=MappingProxyType(reviewed), cache=state.cache),
            RBACEvent("review_recorded", user, role, tenant, by, when),
        )

    def review_report(
        self,
        *,
        tenant: str | None = None,
        now: datetime | None = None,
        interval: timedelta = timedelta(days=180),
        privileged_interval: timedelta = timedelta(days=90),
    ) -> ReviewReport:
        """Who holds what and through which roles, with the reviews that are due.

        Args:
            tenant: The tenant to review.
            now: The time of the report.
            interval: How often ordinary holdings are reviewed.
            privileged_interval: How often privileged ones are (shorter).
        """
        state, when = self._state, self._now(now)
        entries: list[ReviewEntry] = []

        def due(
            user: str, role: str, since: datetime, *, privileged: bool
        ) -> tuple[datetime | None, datetime, bool]:
            last = state.reviewed.get((tenant, user, role))
            every = privileged_interval if privileged else interval
            next_due = (last or since) + every
            return last, next_due, next_due <= when

        for user, roles in sorted(state.assignments.get(tenant, {}).items()):
            for role, since in sorted(roles.items()):
                for held in sorted(state.closure[role]):
                    privileged = state.roles[held].privileged
                    via = "assigned" if held == role else f"inherited from {role}"
                    last, next_due, overdue = due(user, held, since, privileged=privileged)
                    entries.append(
                        ReviewEntry(
                            user, held, tenant, via, privileged, since, last, next_due, overdue
                        )
                    )
        for grant in state.grants:
            if grant.tenant == tenant and grant.active(when):
                last, next_due, overdue = due(grant.user, grant.role, grant.starts, privileged=True)
                entries.append(
                    ReviewEntry(
                        user=grant.user,
                        role=grant.role,
                        tenant=tenant,
                        via="privileged grant",
                        privileged=True,
                        since=grant.starts,
                        last_reviewed=last,
                        review_due=next_due,
                        overdue=overdue,
                        expires=grant.expires,
                        approvers=grant.approvers,
                    )
                )  # fmt: skip
        entries.sort(key=lambda e: (e.user, e.role, e.via))
        return ReviewReport(when, tenant, tuple(entries))

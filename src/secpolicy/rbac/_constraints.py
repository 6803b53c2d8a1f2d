"""Separation of duty as functions of a state: static (per user) and dynamic (per session).

Both count the closure, the roles a set of roles inherits. NIST/ANSI INCITS
359 defines static SoD over the roles a user is *authorized* for (assigned
and inherited) and dynamic SoD over a session's *active* roles; an active
senior role makes its juniors' permissions available in the session just as
activating them would, so counting the active roles' closure is the reading
that keeps the constraint from being sidestepped through a senior role. For
static SoD the full closure is counted, privileged roles included: holding
a senior of a privileged role is holding that duty in waiting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from secpolicy.exceptions import ConstraintViolation

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from secpolicy.rbac._state import Constraint, State

__all__ = ["check_dsd", "check_ssd", "dsd_breach", "ssd_held"]


def ssd_held(state: State, tenant: str | None, user: str, now: datetime | None) -> set[str]:
    """Every role *user* is authorized for, for static SoD: the full closure of what they hold.

    In a tenant, the roles held without a tenant count too: they carry
    approval and administration rights into every tenant, so holding one
    duty without a tenant and the other in a tenant is holding both there.
    """
    held: set[str] = set()
    closure = state.closure
    for scope in (tenant, None) if tenant is not None else (None,):
        for role in state.assigned(scope, user):
            held |= closure[role]
        for grant in state.user_grant_list(scope, user):
            if now is None or now < grant.expires:
                held |= closure[grant.role]
    return held


def _ssd_message(constraint: Constraint, user: str, count: int) -> str:
    return (
        f"static separation of duty {constraint.name!r}: {user!r} would hold {count} "
        f"of {sorted(constraint.roles)} (at most {constraint.n - 1} allowed)"
    )


def check_ssd(
    state: State,
    users: Iterable[tuple[str | None, str]] | None = None,
    now: datetime | None = None,
) -> None:
    """Raise if a user (of *users*, or every user) breaks a static SoD constraint."""
    if not len(state.ssd):
        return
    if users is None:
        users = {*state.assignments.keys(), *state.user_grants.keys()}
    else:
        users = set(users)
        everywhere = {user for tenant, user in users if tenant is None}
        if everywhere:
            # A change without a tenant reaches the user's roles in every
            # tenant (tenants are read off the role memberships and grants,
            # far fewer than the assignments).
            tenants = {t for t, _ in state.members} | {t for t, _ in state.user_grants}
            tenants.discard(None)
            users.update(
                (tenant, user)
                for tenant in tenants
                for user in everywhere
                if (tenant, user) in state.assignments or (tenant, user) in state.user_grants
            )
    for tenant, user in users:
        held = ssd_held(state, tenant, user, now)
        for constraint in state.ssd.values():
            count = len(held & constraint.roles)
            if count >= constraint.n:
                raise ConstraintViolation(_ssd_message(constraint, user, count))


def users_holding(state: State, roles: Iterable[str]) -> set[tuple[str | None, str]]:
    """The ``(tenant, user)`` pairs holding one of *roles* or a senior of one."""
    reach: set[str] = set()
    stack = list(roles)
    while stack:
        name = stack.pop()
        if name not in reach:
            reach.add(name)
            stack.extend(state.seniors.get(name, ()))
    out: set[tuple[str | None, str]] = set()
    for tenant, role in state.members:
        if role in reach:
            out.update((tenant, u) for u in state.members[(tenant, role)])
    for key in state.user_grants:
        out.add(key)
    return out


def dsd_breach(state: State, roles: frozenset[str]) -> str | None:
    """A sentence naming the dynamic SoD constraint that *roles* (a session's closure) break."""
    for constraint in state.dsd.values():
        count = len(roles & constraint.roles)
        if count >= constraint.n:
            return (
                f"dynamic separation of duty {constraint.name!r}: a session may not have "
                f"{constraint.n} or more of {sorted(constraint.roles)} active "
                f"(inherited roles count)"
            )
    return None


def check_dsd(state: State, roles: frozenset[str]) -> None:
    """Raise if the session roles *roles* (closure included) break a dynamic SoD constraint."""
    breach = dsd_breach(state, roles)
    if breach is not None:
        raise ConstraintViolation(breach)

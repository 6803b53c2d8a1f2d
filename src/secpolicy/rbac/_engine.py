"""The RBAC engine: NIST core and hierarchical RBAC with SSD/DSD, tenants, labels, approvals."""

from __future__ import annotations

import itertools
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from secpolicy._clock import Clock, SystemClock, to_utc
from secpolicy.exceptions import AccessDenied, ConstraintViolation, PolicyConfigError
from secpolicy.rbac._model import (
    Decision,
    PendingRequest,
    PrivilegedGrant,
    RBACEvent,
    ResourcePattern,
    Rule,
    RuleEffect,
)
from secpolicy.rbac._review import ReviewMixin
from secpolicy.rbac._state import Constraint, RoleInfo, State, compute_closure

if TYPE_CHECKING:
    from secpolicy.rbac._sessions import Session

EventHook = Callable[[RBACEvent], object]


def _name(value: object, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PolicyConfigError("must be a non-empty string", field=field)
    return value


class RBAC(ReviewMixin):
    """Role-based access control after NIST/ANSI INCITS 359, with default deny.

    Roles inherit the permissions of their junior roles (a partial order;
    cycles are refused). Grants and denies name ``/``-separated resources
    (``*`` one segment, ``**`` any depth) and actions (``*`` every action).
    An explicit deny overrides any allow; nothing allowed means denied.

    Every method takes an optional ``tenant``: assignments, grants, labels and
    clearances in one tenant never apply in another. Role definitions are
    shared, and a grant without a tenant applies in every tenant (define a
    role's permissions once, assign users per tenant).

    Changes are made under one lock and replace the engine's state whole, so
    a concurrent reader sees the state before or after a change, never half of
    it; reads take no lock and never change anything.

    Args:
        levels: The sensitivity scale, lowest first, e.g.
            ``("公开", "内部", "秘密", "机密", "绝密")``.
        clock: Where time comes from for grant expiry and records.
        on_event: Called with an :class:`RBACEvent` for every assignment,
            privileged request, approval, activation, use, expiry and removal.
            It runs before the change takes effect; if it raises, the change
            is not made (fail closed: an unrecorded grant does not happen).

    Example:
        >>> rbac = RBAC()
        >>> rbac.add_role("teller")
        >>> rbac.grant("teller", "accounts/*", "read")
        >>> rbac.add_user("alice")
        >>> rbac.assign("alice", "teller", tenant="branch-1")
        >>> rbac.check("alice", "accounts/42", "read", tenant="branch-1")
        True
        >>> rbac.check("alice", "accounts/42", "read", tenant="branch-2")
        False
    """

    def __init__(
        self,
        *,
        levels: Iterable[str] = (),
        clock: Clock | None = None,
        on_event: EventHook | None = None,
    ) -> None:
        self._lock = threading.RLock()
        self._clock: Clock = clock or SystemClock()
        self._on_event = on_event
        self._sessions: dict[tuple[str | None, str], weakref.WeakSet[Session]] = {}
        self._ids = itertools.count(1)
        levels = tuple(levels)
        if len(set(levels)) != len(levels):
            raise PolicyConfigError("sensitivity levels must be distinct", field="levels")
        self._state = State(levels=levels)

    # -- plumbing ------------------------------------------------------------------

    @property
    def state(self) -> State:
        """The current immutable state (for review tools and serialisation)."""
        return self._state

    def _now(self, now: datetime | None) -> datetime:
        return self._clock.now() if now is None else to_utc(now, name="now")

    def _emit(self, event: RBACEvent) -> None:
        if self._on_event is not None:
            self._on_event(event)

    def _commit(self, state: State, *events: RBACEvent) -> None:
        """Report *events*, then make *state* current (nothing changes if reporting fails)."""
        for event in events:
            self._emit(event)
        self._state = state

    def _require_role(self, state: State, role: str, field: str = "role") -> RoleInfo:
        info = state.roles.get(role)
        if info is None:
            raise PolicyConfigError(f"unknown role {role!r}", field=field)
        return info

    def _require_user(self, state: State, user: str) -> None:
        if user not in state.users:
            raise PolicyConfigError(f"unknown user {user!r}; add_user() first", field="user")

    # -- users and roles -------------------------------------------------------------

    def add_user(self, user: str) -> None:
        """Register a user (one account per person); adding twice is harmless."""
        _name(user, "user")
        with self._lock:
            state = self._state
            if user not in state.users:
                self._commit(attrs.evolve(state, users=state.users | {user}, cache=state.cache))

    def add_role(
        self,
        name: str,
        *,
        inherits: Iterable[str] = (),
        privileged: bool = False,
        approvals: int = 1,
    ) -> None:
        """Define a role.

        Args:
            name: The role's name.
            inherits: Junior roles whose permissions this role also has.
            privileged: Users get this role only through :meth:`request_grant`
                and approvals, never by :meth:`assign` (superuser, DBA).
            approvals: For a privileged role, how many distinct approvers a
                grant needs (neither the requester nor the grantee).

        Raises:
            PolicyConfigError: If the role exists, a junior is unknown, or
                *approvals* is below 1.
        """
        _name(name, "role")
        count: object = approvals  # checked at run time for untyped callers
        if not isinstance(count, int) or count < 1:
            raise PolicyConfigError("must be at least 1", field=f"roles.{name}.approvals")
        juniors = tuple(inherits)
        with self._lock:
            state = self._state
            if name in state.roles:
                raise PolicyConfigError(f"role {name!r} already exists", field=f"roles.{name}")
            for i, junior in enumerate(juniors):
                self._require_role(state, junior, f"roles.{name}.inherits[{i}]")
            roles = dict(state.roles)
            roles[name] = RoleInfo(name, frozenset(juniors), privileged, approvals)
            new = self._with_hierarchy(state, roles)
            self._check_ssd(new)
            self._commit(new)

    def _with_hierarchy(self, state: State, roles: dict[str, RoleInfo]) -> State:
        closure = compute_closure(roles)
        return attrs.evolve(
            state,
            roles=MappingProxyType(roles),
            closure=MappingProxyType(closure),
            cache={},
        )

    def add_inheritance(self, senior: str, junior: str) -> None:
        """Make *senior* inherit *junior*'s permissions.

        Raises:
            PolicyConfigError: For an unknown role or a cycle (the message
                names the cycle).
            ConstraintViolation: If a user would then hold too many roles of
                a static separation-of-duty set.
        """
        with self._lock:
            state = self._state
            info = self._require_role(state, senior, "senior")
            self._require_role(state, junior, "junior")
            if senior in state.closure[junior]:
                cycle = " -> ".join([senior, *self._path(state, junior, senior)])
                raise PolicyConfigError(f"cycle {cycle}", field=f"roles.{senior}.inherits")
            roles = dict(state.roles)
            roles[senior] = attrs.evolve(info, juniors=info.juniors | {junior})
            new = self._with_hierarchy(state, roles)
            self._check_ssd(new)
            self._commit(new)

    def delete_inheritance(self, senior: str, junior: str) -> None:
        """Remove the edge *senior* → *junior* (permissions inherited through it end)."""
        with self._lock:
            state = self._state
            info = self._require_role(state, senior, "senior")
            if junior not in info.juniors:
                raise PolicyConfigError(f"{senior!r} does not inherit {junior!r}", field="junior")
            roles = dict(state.roles)
            roles[senior] = attrs.evolve(info, juniors=info.juniors - {junior})
            self._commit(self._with_hierarchy(state, roles))

    @staticmethod
    def _path(state: State, start: str, goal: str) -> list[str]:
        """Roles from *start* down to *goal* through inheritance (both included)."""
        queue: list[list[str]] = [[start]]
        seen = {start}
        while queue:
            path = queue.pop(0)
            if path[-1] == goal:
                return path
            for junior in sorted(state.roles[path[-1]].juniors):
                if junior not in seen:
                    seen.add(junior)
                    queue.append([*path, junior])
        return [start]  # pragma: no cover - callers ask only for reachable roles

    # -- permissions -------------------------------------------------------------------

    def _add_rule(
        self, role: str, resource: str, action: str, effect: RuleEffect, tenant: str | None
    ) -> None:
        _name(action, "action")
        pattern = ResourcePattern(resource)
        with self._lock:
            state = self._state
            self._require_role(state, role)
            key = (tenant, role)
            rule = Rule(role, pattern, action, effect, tenant)
            existing = state.rules.get(key, ())
            if rule in existing:
                return
            rules = dict(state.rules)
            rules[key] = (*existing, rule)
            self._commit(attrs.evolve(state, rules=MappingProxyType(rules), cache={}))

    def grant(self, role: str, resource: str, action: str, *, tenant: str | None = None) -> None:
        """Allow *role* to do *action* on *resource* (``*``/``**`` patterns, action ``*``)."""
        self._add_rule(role, resource, action, "allow", tenant)

    def deny(self, role: str, resource: str, action: str, *, tenant: str | None = None) -> None:
        """Forbid *action* on *resource* for *role*; overrides any allow."""
        self._add_rule(role, resource, action, "deny", tenant)

    def revoke(self, role: str, resource: str, action: str, *, tenant: str | None = None) -> None:
        """Remove the grant or deny of exactly this role, resource, action and tenant.

        Raises:
            PolicyConfigError: If there is no such rule.
        """
        with self._lock:
            state = self._state
            key = (tenant, role)
            existing = state.rules.get(key, ())
            kept = tuple(
                r for r in existing if not (r.resource.text == resource and r.action == action)
            )
            if len(kept) == len(existing):
                raise PolicyConfigError(
                    f"{role!r} has no rule for {action} on {resource}", field="rule"
                )
            rules = dict(state.rules)
            rules[key] = kept
            self._commit(attrs.evolve(state, rules=MappingProxyType(rules), cache={}))

    # -- assignments -------------------------------------------------------------------

    def assign(self, user: str, role: str, *, tenant: str | None = None) -> None:
        """Give *user* the (non-privileged) *role* in *tenant*.

        Raises:
            PolicyConfigError: For an unknown user or role.
            ConstraintViolation: For a privileged role (use
                :meth:`request_grant`), or if a static separation-of-duty
                constraint would be broken. Nothing changes.
        """
        now = self._clock.now()
        with self._lock:
            state = self._state
            self._require_user(state, user)
            info = self._require_role(state, role)
            if info.privileged:
                raise ConstraintViolation(
                    f"role {role!r} is privileged: it is granted only through "
                    "request_grant() and approvals"
                )
            current = state.assigned(tenant, user)
            if role in current:
                return
            new = self._with_assignment(state, tenant, user, {**current, role: now})
            self._check_ssd(new, users=[(tenant, user)], at=now)
            self._commit(new, RBACEvent("role_assigned", user, role, tenant, None, now))

    def deassign(self, user: str, role: str, *, tenant: str | None = None) -> None:
        """Take *role* away from *user* in *tenant*; sessions drop it at once."""
        now = self._clock.now()
        with self._lock:
            state = self._state
            current = dict(state.assigned(tenant, user))
            if current.pop(role, None) is None:
                raise PolicyConfigError(f"{user!r} does not hold {role!r}", field="role")
            new = self._with_assignment(state, tenant, user, current)
            self._commit(new, RBACEvent("role_deassigned", user, role, tenant, None, now))
        for session in list(self._sessions.get((tenant, user), ())):
            session._forget(self._state)  # noqa: SLF001 (same area)

    @staticmethod
    def _with_assignment(
        state: State, tenant: str | None, user: str, roles: Mapping[str, datetime]
    ) -> State:
        tenants = dict(state.assignments)
        users = dict(tenants.get(tenant, {}))
        if roles:
            users[user] = MappingProxyType(dict(roles))
        else:
            users.pop(user, None)
        tenants[tenant] = MappingProxyType(users)
        return attrs.evolve(state, assignments=MappingProxyType(tenants), cache=state.cache)

    def remove_user(self, user: str) -> None:
        """A departure: end every assignment, session, clearance, grant and request of *user*."""
        now = self._clock.now()
        with self._lock:
            state = self._state
            self._require_user(state, user)
            assignments = {
                tenant: MappingProxyType({u: r for u, r in users.items() if u != user})
                for tenant, users in state.assignments.items()
            }
            new = attrs.evolve(
                state,
                users=state.users - {user},
                assignments=MappingProxyType(assignments),
                clearances=MappingProxyType(
                    {k: v for k, v in state.clearances.items() if k[1] != user}
                ),
                grants=tuple(g for g in state.grants if g.user != user),
                pending=MappingProxyType(
                    {k: p for k, p in state.pending.items() if p.user != user}
                ),
                reviewed=MappingProxyType(
                    {k: v for k, v in state.reviewed.items() if k[1] != user}
                ),
                cache=state.cache,
            )
            self._commit(new, RBACEvent("user_removed", user, None, None, None, now))
            sessions = [s for (_, u), group in self._sessions.items() if u == user for s in group]
            for key in [k for k in self._sessions if k[1] == user]:
                del self._sessions[key]
        for session in sessions:
            session._end()  # noqa: SLF001 (same area)

    # -- separation of duty ------------------------------------------------------------

    def add_ssd(self, name: str, roles: Iterable[str], n: int) -> None:
        """Static SoD: no user may hold *n* or more of *roles*, counting inherited roles.

        Raises:
            PolicyConfigError: For unknown roles, *n* < 2 or *n* > the set size.
            ConstraintViolation: If a user already breaks it (nothing changes).
        """
        self._add_constraint("ssd", name, roles, n)

    def add_dsd(self, name: str, roles: Iterable[str], n: int) -> None:
        """Dynamic SoD: no session may have *n* or more of *roles* active at once."""
        self._add_constraint("dsd", name, roles, n)

    def _add_constraint(self, kind: str, name: str, roles: Iterable[str], n: int) -> None:
        _name(name, f"{kind}.name")
        members = frozenset(roles)
        size: object = n  # checked at run time for untyped callers
        if not isinstance(size, int) or size < 2 or size > len(members):  # noqa: PLR2004 (NIST: n >= 2)
            raise PolicyConfigError(
                "n must be at least 2 and at most the number of roles", field=f"{kind}.{name}.n"
            )
        with self._lock:
            state = self._state
            for role in sorted(members):
                self._require_role(state, role, f"{kind}.{name}.roles")
            table = dict(state.ssd if kind == "ssd" else state.dsd)
            if name in table:
                raise PolicyConfigError("already exists", field=f"{kind}.{name}")
            table[name] = Constraint(name, members, n)
            if kind == "ssd":
                new = attrs.evolve(state, ssd=MappingProxyType(table), cache=state.cache)
                self._check_ssd(new)
            else:
                new = attrs.evolve(state, dsd=MappingProxyType(table), cache=state.cache)
                for group in self._sessions.values():
                    for session in group:
                        _check_dsd(new, session.active_roles)
            self._commit(new)

    def _check_ssd(
        self,
        state: State,
        users: Iterable[tuple[str | None, str]] | None = None,
        at: datetime | None = None,
    ) -> None:
        if not state.ssd:
            return
        if users is None:
            users = [(t, u) for t, table in state.assignments.items() for u in table]
            users += [(g.tenant, g.user) for g in state.grants]
        now = at or self._clock.now()
        for tenant, user in users:
            held = state.authorized(tenant, user, now)
            for constraint in state.ssd.values():
                if len(held & constraint.roles) >= constraint.n:
                    raise ConstraintViolation(
                        f"static separation of duty {constraint.name!r}: {user!r} would hold "
                        f"{len(held & constraint.roles)} of {sorted(constraint.roles)} "
                        f"(at most {constraint.n - 1} allowed)"
                    )

    # -- sensitivity labels --------------------------------------------------------------

    def _require_level(self, state: State, level: str) -> None:
        if level not in state.levels:
            raise PolicyConfigError(
                f"unknown level {level!r}; levels are {', '.join(state.levels) or '(none)'}",
                field="level",
            )

    def set_label(self, resource: str, level: str, *, tenant: str | None = None) -> None:
        """Label the resources matching *resource* with a sensitivity *level*."""
        pattern = ResourcePattern(resource)
        with self._lock:
            state = self._state
            self._require_level(state, level)
            labels = dict(state.labels)
            kept = tuple(x for x in labels.get(tenant, ()) if x[0] != pattern)
            labels[tenant] = (*kept, (pattern, level))
            self._commit(attrs.evolve(state, labels=MappingProxyType(labels), cache=state.cache))

    def set_clearance(self, user: str, level: str, *, tenant: str | None = None) -> None:
        """Clear *user* up to *level*: labelled resources above it are denied."""
        with self._lock:
            state = self._state
            self._require_user(state, user)
            self._require_level(state, level)
            clearances = dict(state.clearances)
            clearances[(tenant, user)] = level
            self._commit(
                attrs.evolve(state, clearances=MappingProxyType(clearances), cache=state.cache)
            )

    # -- decisions -----------------------------------------------------------------------

    def _evaluate(
        self,
        state: State,
        user: str,
        resource: str,
        action: str,
        *,
        tenant: str | None,
        now: datetime | None,
        roles: Iterable[str] | None = None,
    ) -> tuple[str, str | None, tuple[Any, str] | None, PrivilegedGrant | None]:
        """(effect, held role, (rule, owner) or None, grant) with no Decision object.

        Privileged grants count only when *now* is given and *roles* is not
        (a session's active roles are fixed).
        """
        deny = allow = None
        held_deny = held_allow = None
        for role in state.assigned(tenant, user) if roles is None else roles:
            d, a = state.index(tenant, role).lookup(resource, action)
            if d is not None and deny is None:
                deny, held_deny = d, role
            if a is not None and allow is None:
                allow, held_allow = a, role
        granted = None
        if deny is None and now is not None and roles is None:
            for grant in state.active_grants(tenant, user, now):
                d, a = state.index(tenant, grant.role).lookup(resource, action)
                if d is not None:
                    deny, held_deny = d, grant.role
                    break
                if a is not None and allow is None:
                    allow, held_allow, granted = a, grant.role, grant
        if deny is not None:
            return "explicit_deny", held_deny, deny, None
        if allow is None:
            return "implicit_deny", None, None, None
        if state.labels:
            label = state.label_of(tenant, resource)
            if label is not None:
                clearance = state.clearances.get((tenant, user))
                if clearance is None or state.levels.index(clearance) < state.levels.index(label):
                    return "label_deny", held_allow, allow, None
        return "allow", held_allow, allow, granted

    def check(
        self,
        user: str,
        resource: str,
        action: str,
        *,
        tenant: str | None = None,
        now: datetime | None = None,
    ) -> bool:
        """True if *user* may do *action* on *resource* in *tenant*.

        Unknown users, roles and resources are simply denied; nothing is
        added. If a privileged grant decides, its use is reported to the
        event hook, and an error there propagates (fail closed).
        """
        state = self._state
        if not state.grants and not state.labels:
            # Fast path: only the assigned roles' rules can decide.
            allowed = False
            for index in state.user_indexes(tenant, user):
                verdict = index.verdict(resource, action)
                if verdict == 2:  # noqa: PLR2004 (a deny applies)
                    return False
                allowed = allowed or verdict == 1
            return allowed
        # The clock is read only when a privileged grant could apply.
        when = self._now(now) if state.grants else None
        effect, _, _, granted = self._evaluate(
            state, user, resource, action, tenant=tenant, now=when
        )
        if granted is not None:
            self._report_use(granted, resource, action, now)
        return effect == "allow"

    def decide(
        self,
        user: str,
        resource: str,
        action: str,
        *,
        tenant: str | None = None,
        now: datetime | None = None,
    ) -> Decision:
        """Like :meth:`check`, with the effect, role path, deciding rule and reason."""
        state = self._state
        when = self._now(now)
        return self._decision(state, user, resource, action, tenant=tenant, now=when)

    def _decision(
        self,
        state: State,
        user: str,
        resource: str,
        action: str,
        *,
        tenant: str | None,
        now: datetime,
        roles: Iterable[str] | None = None,
    ) -> Decision:
        effect, held, hit, granted = self._evaluate(
            state, user, resource, action, tenant=tenant, now=now, roles=roles
        )
        if granted is not None:
            self._report_use(granted, resource, action, now)
        where = "" if tenant is None else f" in tenant {tenant!r}"
        if hit is None or held is None:
            return Decision(
                allowed=False,
                effect="implicit_deny",
                roles=(),
                rule=None,
                reason=f"no role of {user!r} allows {action} on {resource}{where} (default deny)",
                user=user,
                resource=resource,
                action=action,
                tenant=tenant,
            )
        rule, owner = hit
        path = tuple(self._path(state, held, owner))
        via = " -> ".join(path)
        if effect == "label_deny":
            label = state.label_of(tenant, resource)
            clearance = state.clearances.get((tenant, user))
            cleared = f"is cleared to {clearance}" if clearance else "has no clearance"
            return Decision(
                allowed=False,
                effect="explicit_deny",
                roles=path,
                rule=None,
                reason=f"{resource} is labelled {label}; {user!r} {cleared}",
                user=user,
                resource=resource,
                action=action,
                tenant=tenant,
            )
        allowed = effect == "allow"
        verb = "allows" if allowed else "denies"
        return Decision(
            allowed=allowed,
            effect="allow" if allowed else "explicit_deny",
            roles=path,
            rule=rule,
            reason=f"rule '{rule}' {verb} it, through role {via}{where}",
            user=user,
            resource=resource,
            action=action,
            tenant=tenant,
            privileged=granted is not None,
        )

    def require(
        self,
        user: str,
        resource: str,
        action: str,
        *,
        tenant: str | None = None,
        now: datetime | None = None,
    ) -> Decision:
        """Return the decision if allowed.

        Raises:
            AccessDenied: Carrying the :class:`Decision`.
        """
        decision = self.decide(user, resource, action, tenant=tenant, now=now)
        if not decision.allowed:
            raise AccessDenied(decision)
        return decision

    def _report_use(
        self, grant: PrivilegedGrant, resource: str, action: str, now: datetime | None
    ) -> None:
        at = self._now(now)
        self._emit(
            RBACEvent(
                "privileged_use",
                grant.user,
                grant.role,
                grant.tenant,
                None,
                at,
                {"resource": resource, "action": action, "request_id": grant.request_id},
            )
        )

    # -- privileged grants -----------------------------------------------------------------

    def request_grant(
        self,
        user: str,
        role: str,
        *,
        requested_by: str,
        duration: timedelta,
        reason: str,
        tenant: str | None = None,
        now: datetime | None = None,
    ) -> GrantRequest:
        """Ask for *user* to hold the privileged *role* for *duration*.

        The grant takes effect once the role's number of approvals has been
        given by people who are neither *requested_by* nor *user*, and lapses
        by itself after *duration*.

        Raises:
            PolicyConfigError: For unknown names, a role that is not
                privileged, a non-positive duration or an empty reason.
        """
        when = self._now(now)
        _name(reason, "reason")
        span: object = duration  # checked at run time for untyped callers
        if not isinstance(span, timedelta) or span <= timedelta(0):
            raise PolicyConfigError("must be a positive timedelta", field="duration")
        with self._lock:
            state = self._state
            self._require_user(state, user)
            info = self._require_role(state, role)
            if not info.privileged:
                raise PolicyConfigError(
                    f"role {role!r} is not privileged; use assign()", field="role"
                )
            request_id = f"gr-{next(self._ids)}"
            request = PendingRequest(
                request_id, user, role, tenant, requested_by, when, duration, reason, info.approvals
            )
            pending = dict(state.pending)
            pending[request_id] = request
            self._commit(
                attrs.evolve(state, pending=MappingProxyType(pending), cache=state.cache),
                RBACEvent(
                    "grant_requested", user, role, tenant, requested_by, when,
                    {"request_id": request_id, "reason": reason, "duration": str(duration)},
                ),
            )  # fmt: skip
        return GrantRequest(self, request_id)

    def _approve(self, request_id: str, by: str, now: datetime | None) -> PrivilegedGrant | None:
        when = self._now(now)
        _name(by, "by")
        with self._lock:
            state = self._state
            request = state.pending.get(request_id)
            if request is None:
                raise PolicyConfigError(f"no pending request {request_id!r}", field="request")
            if by in (request.requested_by, request.user):
                raise ConstraintViolation(
                    "an approver may be neither the requester nor the grantee "
                    "(separation of duties)"
                )
            if by in request.approvers:
                raise ConstraintViolation(f"{by!r} has already approved {request_id}")
            approved = attrs.evolve(request, approvers=(*request.approvers, by))
            pending = dict(state.pending)
            approval = RBACEvent(
                "grant_approved", request.user, request.role, request.tenant, by, when,
                {"request_id": request_id, "approvals": len(approved.approvers),
                 "required": request.approvals_required},
            )  # fmt: skip
            if len(approved.approvers) < request.approvals_required:
                pending[request_id] = approved
                self._commit(
                    attrs.evolve(state, pending=MappingProxyType(pending), cache=state.cache),
                    approval,
                )
                return None
            del pending[request_id]
            grant = PrivilegedGrant(
                request_id, request.user, request.role, request.tenant, when,
                when + request.duration, request.requested_by, approved.approvers, request.reason,
            )  # fmt: skip
            new = attrs.evolve(
                state,
                pending=MappingProxyType(pending),
                grants=(*state.grants, grant),
                cache=state.cache,
            )
            self._check_ssd(new, users=[(request.tenant, request.user)], at=when)
            activation = RBACEvent(
                "grant_activated", request.user, request.role, request.tenant, by, when,
                {"request_id": request_id, "expires": grant.expires.isoformat(),
                 "approvers": list(grant.approvers)},
            )  # fmt: skip
            self._commit(new, approval, activation)
            return grant

    def revoke_grant(self, request_id: str, *, by: str, now: datetime | None = None) -> None:
        """End a privileged grant (or withdraw a pending request) before it lapses."""
        when = self._now(now)
        with self._lock:
            state = self._state
            grant = next((g for g in state.grants if g.request_id == request_id), None)
            request = state.pending.get(request_id)
            if grant is None and request is None:
                raise PolicyConfigError(f"no grant or request {request_id!r}", field="request")
            target = grant or request
            assert target is not None  # noqa: S101 (one of them exists)
            new = attrs.evolve(
                state,
                grants=tuple(g for g in state.grants if g.request_id != request_id),
                pending=MappingProxyType(
                    {k: v for k, v in state.pending.items() if k != request_id}
                ),
                cache=state.cache,
            )
            self._commit(
                new,
                RBACEvent(
                    "grant_revoked",
                    target.user,
                    target.role,
                    target.tenant,
                    by,
                    when,
                    {"request_id": request_id},
                ),
            )

    def expire_grants(self, *, now: datetime | None = None) -> list[PrivilegedGrant]:
        """Drop lapsed grants and report each as ``grant_expired``; return them.

        Lapsed grants already give no access; this sweep records their end.
        """
        when = self._now(now)
        with self._lock:
            state = self._state
            lapsed = [g for g in state.grants if g.expires <= when]
            if not lapsed:
                return []
            new = attrs.evolve(
                state, grants=tuple(g for g in state.grants if g.expires > when), cache=state.cache
            )
            events = [
                RBACEvent(
                    "grant_expired",
                    g.user,
                    g.role,
                    g.tenant,
                    None,
                    g.expires,
                    {"request_id": g.request_id},
                )
                for g in lapsed
            ]
            self._commit(new, *events)
            return lapsed

    # -- sessions -------------------------------------------------------------------------

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        clock: Clock | None = None,
        on_event: EventHook | None = None,
    ) -> RBAC:
        """Build an engine from the form :meth:`to_dict` returns (or a policy file's section).

        Raises:
            PolicyConfigError: Naming the offending entry, e.g.
                ``roles.auditor.inherits[1]``: unknown names, cycles, malformed
                entries, or assignments that break separation of duty.
        """
        from secpolicy.rbac._serde import load  # noqa: PLC0415 (module cycle)

        raw: object = data  # checked at run time: policy files are untyped
        if not isinstance(raw, Mapping):
            raise PolicyConfigError("must be a table", field="rbac")
        levels = raw.get("levels", ())
        if not isinstance(levels, list | tuple) or not all(isinstance(x, str) for x in levels):
            raise PolicyConfigError("must be a list of level names, lowest first", field="levels")
        engine = cls(levels=levels, clock=clock, on_event=on_event)
        load(engine, data, engine._clock.now())
        return engine

    def to_dict(self) -> dict[str, Any]:
        """The policy as plain data (roles, grants, assignments, constraints, labels).

        Pending requests and privileged grants are operational state, not
        policy, and are not included.
        """
        from secpolicy.rbac._serde import dump  # noqa: PLC0415 (module cycle)

        return dump(self._state)

    def create_session(
        self, user: str, roles: Iterable[str], *, tenant: str | None = None
    ) -> Session:
        """Open a session for *user* with *roles* active (NIST CreateSession).

        Raises:
            ConstraintViolation: If the user is not authorized for a role, or
                the roles break a dynamic separation-of-duty constraint.
        """
        from secpolicy.rbac._sessions import Session  # noqa: PLC0415 (module cycle)

        wanted = frozenset(roles)
        state = self._state
        self._require_user(state, user)
        authorized = state.authorized(tenant, user, self._clock.now())
        missing = sorted(wanted - authorized)
        if missing:
            raise ConstraintViolation(f"{user!r} is not authorized for {missing}")
        _check_dsd(state, wanted)
        session = Session(self, user, tenant, wanted)
        with self._lock:
            self._sessions.setdefault((tenant, user), weakref.WeakSet()).add(session)
        return session


def _check_dsd(state: State, active: Iterable[str]) -> None:
    active_set = frozenset(active)
    for constraint in state.dsd.values():
        count = len(active_set & constraint.roles)
        if count >= constraint.n:
            raise ConstraintViolation(
                f"dynamic separation of duty {constraint.name!r}: a session may not activate "
                f"{constraint.n} or more of {sorted(constraint.roles)}"
            )


class GrantRequest:
    """A pending request for a privileged role; approve it with :meth:`approve`."""

    __slots__ = ("_engine", "request_id")

    def __init__(self, engine: RBAC, request_id: str) -> None:
        self._engine = engine
        self.request_id = request_id

    def approve(self, by: str, *, now: datetime | None = None) -> PrivilegedGrant | None:
        """Record *by*'s approval; return the grant once enough approvals are in.

        Raises:
            ConstraintViolation: If *by* is the requester or the grantee, or
                approved already.
            PolicyConfigError: If the request is no longer pending.
        """
        return self._engine._approve(self.request_id, by, now)  # noqa: SLF001 (same area)

    @property
    def pending(self) -> PendingRequest | None:
        """The request's current state, or ``None`` once granted, revoked or removed."""
        return self._engine.state.pending.get(self.request_id)

    def __repr__(self) -> str:
        return f"GrantRequest({self.request_id!r})"

"""The privileged-grant workflow as a state machine over the engine state.

A request is *pending* until enough eligible people approve it, then it is an
*active* grant until it *expires* (by itself, at the end of its duration) or
is *revoked*. A pending request *lapses* after the request TTL, is
*withdrawn* when its grantee or requester leaves, and loses the approvals of
approvers who leave. Every transition is a function from a state to the next
state and the events that record it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from secpolicy.exceptions import ConstraintViolation, PolicyConfigError
from secpolicy.rbac._constraints import check_ssd
from secpolicy.rbac._decide import effective
from secpolicy.rbac._model import EventKind, PendingRequest, PrivilegedGrant, RBACEvent
from secpolicy.rbac._names import canon_id

if TYPE_CHECKING:
    from secpolicy.rbac._state import State

__all__ = ["approve", "eligible", "expire", "request", "revoke", "withdraw_for_user"]


def _registered(state: State, name: object, field: str) -> str:
    user = canon_id(name, field)
    if user not in state.users:
        raise PolicyConfigError("is not a registered user", field=field)
    return user


def _event(
    kind: EventKind,
    subject: PendingRequest | PrivilegedGrant,
    at: datetime,
    by: str | None = None,
    **details: Any,
) -> RBACEvent:
    """The event of one step of *subject*'s workflow, its request id first in the details."""
    return RBACEvent(
        kind=kind,
        user=subject.user,
        role=subject.role,
        tenant=subject.tenant,
        by=by,
        at=at,
        details={"request_id": subject.request_id, **details},
    )


def longest_grant(state: State, role: str) -> timedelta:
    """The longest grant of *role*: the engine's maximum, or the role's if shorter."""
    limit = state.config.max_grant_duration
    own = state.roles[role].max_duration
    return limit if own is None else min(own, limit)


def approver_roles(state: State, role: str) -> frozenset[str] | None:
    """The roles an approver of *role* must hold (None: any registered user may approve)."""
    info = state.roles[role]
    if info.approver_roles is not None:
        return info.approver_roles
    if state.config.approver_role is not None:
        return frozenset({state.config.approver_role})
    return None


def eligible(state: State, request: PendingRequest, by: str, now: datetime) -> str | None:
    """Why *by* may not approve *request* now, or None if they may."""
    if by not in state.users:
        return "the approver is not a registered user"
    if by in (request.requested_by, request.user):
        return "an approver may be neither the requester nor the grantee (separation of duties)"
    needed = approver_roles(state, request.role)
    if needed is None:
        return None
    held = effective(state, request.tenant, by, now).roles
    if request.tenant is not None:
        held = held | effective(state, None, by, now).roles
    if held.isdisjoint(needed):
        return f"the approver holds none of the approver roles {sorted(needed)}"
    return None


def request(
    state: State,
    *,
    user: object,
    role: object,
    tenant: str | None,
    requested_by: object,
    duration: timedelta,
    reason: object,
    at: datetime,
) -> tuple[State, PendingRequest, RBACEvent]:
    """A new pending request (``pending``)."""
    grantee = _registered(state, user, "user")
    asker = _registered(state, requested_by, "requested_by")
    name = canon_id(role, "role")
    info = state.roles.get(name)
    if info is None:
        raise PolicyConfigError("is not a defined role", field="role")
    if not info.privileged:
        raise PolicyConfigError(f"role {name!r} is not privileged; use assign()", field="role")
    if not isinstance(reason, str) or not reason.strip():
        raise PolicyConfigError("must say why the grant is needed", field="reason")
    span: object = duration
    if not isinstance(span, timedelta) or span <= timedelta(0):
        raise PolicyConfigError("must be a positive timedelta", field="duration")
    limit = longest_grant(state, name)
    if duration > limit:
        raise PolicyConfigError(f"may be at most {limit}", field="duration")
    request_id = f"gr-{state.next_request}"
    pending = PendingRequest(
        request_id=request_id,
        user=grantee,
        role=name,
        tenant=tenant,
        requested_by=asker,
        requested_at=at,
        duration=duration,
        reason=reason,
        approvals_required=info.approvals,
        expires=at + state.config.request_ttl,
    )
    event = _event(
        "grant_requested",
        pending,
        at,
        asker,
        reason=reason,
        duration=str(duration),
        expires=pending.expires.isoformat(),
    )
    new = state.derive(
        pending=state.pending.set(request_id, pending), next_request=state.next_request + 1
    )
    return new, pending, event


def approve(
    state: State, request_id: object, by: object, at: datetime
) -> tuple[State, PrivilegedGrant | None, list[RBACEvent]]:
    """Record an approval; activate the grant once enough eligible approvals are in."""
    if not isinstance(request_id, str):
        raise PolicyConfigError("must be a request id", field="request_id")
    approver = canon_id(by, "by")
    pending = state.pending.get(request_id)
    if pending is None:
        raise PolicyConfigError(f"no pending request {request_id!r}", field="request_id")
    if at >= pending.expires:
        raise ConstraintViolation(f"request {request_id} lapsed at {pending.expires.isoformat()}")
    why = eligible(state, pending, approver, at)
    if why is not None:
        raise ConstraintViolation(why)
    if approver in pending.approvers:
        raise ConstraintViolation(f"{approver!r} has already approved {request_id}")
    # Earlier approvals count only while their approvers are still eligible.
    valid = tuple(a for a in pending.approvers if eligible(state, pending, a, at) is None)
    approvers = (*valid, approver)
    events = [
        _event(
            "grant_approved",
            pending,
            at,
            approver,
            approvals=len(approvers),
            required=pending.approvals_required,
        )
    ]
    if len(approvers) < pending.approvals_required:
        updated = _evolve_pending(pending, approvers)
        return state.derive(pending=state.pending.set(request_id, updated)), None, events
    grant = PrivilegedGrant(
        request_id=request_id,
        user=pending.user,
        role=pending.role,
        tenant=pending.tenant,
        starts=at,
        expires=at + pending.duration,
        requested_by=pending.requested_by,
        approvers=approvers,
        reason=pending.reason,
    )
    key = (pending.tenant, pending.user)
    new = state.derive(
        pending=state.pending.delete(request_id),
        grants=state.grants.set(request_id, grant),
        user_grants=state.user_grants.set(key, (*state.user_grants.get(key, ()), request_id)),
    )
    check_ssd(new, users=[key], now=at)
    events.append(
        _event(
            "grant_activated",
            grant,
            at,
            approver,
            expires=grant.expires.isoformat(),
            approvers=list(approvers),
            requested_by=grant.requested_by,
        )
    )
    return new, grant, events


def _evolve_pending(pending: PendingRequest, approvers: tuple[str, ...]) -> PendingRequest:
    return PendingRequest(
        request_id=pending.request_id,
        user=pending.user,
        role=pending.role,
        tenant=pending.tenant,
        requested_by=pending.requested_by,
        requested_at=pending.requested_at,
        duration=pending.duration,
        reason=pending.reason,
        approvals_required=pending.approvals_required,
        approvers=approvers,
        expires=pending.expires,
    )


def _drop_grant(state: State, grant: PrivilegedGrant) -> State:
    key = (grant.tenant, grant.user)
    ids = tuple(i for i in state.user_grants.get(key, ()) if i != grant.request_id)
    user_grants = state.user_grants.set(key, ids) if ids else state.user_grants.delete(key)
    return state.derive(grants=state.grants.delete(grant.request_id), user_grants=user_grants)


def revoke(
    state: State, request_id: object, by: str | None, at: datetime
) -> tuple[State, RBACEvent]:
    """End an active grant or withdraw a pending request (``revoked``)."""
    if not isinstance(request_id, str):
        raise PolicyConfigError("must be a request id", field="request_id")
    grant = state.grants.get(request_id)
    pending = state.pending.get(request_id)
    subject: PrivilegedGrant | PendingRequest
    if grant is not None:
        new = _drop_grant(state, grant)
        subject = grant
    elif pending is not None:
        new = state.derive(pending=state.pending.delete(request_id))
        subject = pending
    else:
        raise PolicyConfigError(f"no grant or request {request_id!r}", field="request_id")
    event = _event("grant_revoked", subject, at, by, was="active" if grant else "pending")
    return new, event


def expire(state: State, at: datetime) -> tuple[State, list[PrivilegedGrant], list[RBACEvent]]:
    """Drop lapsed grants (``expired``) and lapsed requests, recording each."""
    lapsed = [g for g in state.grants.values() if g.expires <= at]
    stale = [p for p in state.pending.values() if p.expires <= at]
    events: list[RBACEvent] = []
    new = state
    for grant in sorted(lapsed, key=lambda g: (g.expires, g.request_id)):
        new = _drop_grant(new, grant)
        events.append(_event("grant_expired", grant, grant.expires))
    for pending in sorted(stale, key=lambda p: p.request_id):
        new = new.derive(pending=new.pending.delete(pending.request_id))
        events.append(_event("request_expired", pending, pending.expires))
    return new, lapsed, events


def withdraw_for_user(state: State, user: str, at: datetime) -> tuple[State, list[RBACEvent]]:
    """A departure: end their grants, withdraw requests by or for them, void their approvals."""
    events: list[RBACEvent] = []
    new = state
    for key in [k for k in state.user_grants if k[1] == user]:
        for request_id in state.user_grants[key]:
            grant = new.grants[request_id]
            new = _drop_grant(new, grant)
            events.append(_event("grant_revoked", grant, at, was="active", cause="user_removed"))
    for pending in list(new.pending.values()):
        if user in (pending.user, pending.requested_by):
            new = new.derive(pending=new.pending.delete(pending.request_id))
            events.append(_event("grant_revoked", pending, at, was="pending", cause="user_removed"))
        elif user in pending.approvers:
            kept = tuple(a for a in pending.approvers if a != user)
            new = new.derive(
                pending=new.pending.set(pending.request_id, _evolve_pending(pending, kept))
            )
            events.append(_event("approval_voided", pending, at, user, cause="user_removed"))
    return new, events

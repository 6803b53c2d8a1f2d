"""The RBAC engine: the lock, the clock, the event hook, the store and the one commit path.

Everything else is a pure function over an immutable state: changes in
:mod:`._ops` (and the grant workflow in :mod:`._grants`), decisions in
:mod:`._decide`, constraints in :mod:`._constraints`, review in
:mod:`._review`, documents in :mod:`._serde`. The engine turns each method
call into one change, applies it to the current state under its lock,
reports the change's events, writes it to the attached store, and only then
makes the new state current; a change that fails after reporting is voided
by a ``change_aborted`` event.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from time import time as _wall_time
from typing import Any, NamedTuple

import attrs

from secpolicy._clock import Clock, SystemClock, to_utc
from secpolicy.exceptions import AccessDenied, ConstraintViolation, PolicyConfigError
from secpolicy.rbac import _decide, _ops, _review, _serde
from secpolicy.rbac._constraints import check_dsd
from secpolicy.rbac._model import (
    AdminRights,
    Decision,
    PendingRequest,
    PrivilegedGrant,
    RBACEvent,
    ResourceFilter,
    ReviewReport,
    Rule,
)
from secpolicy.rbac._names import _REQUEST_CACHE as _REQUESTS
from secpolicy.rbac._names import (
    CACHED_NAME_MAX,
    canon_action,
    canon_id,
    canon_request,
    canon_resource,
)
from secpolicy.rbac._sessions import Session
from secpolicy.rbac._state import DEFAULT_MAX_GRANT, DEFAULT_REQUEST_TTL, Config, State, new_state
from secpolicy.rbac._store import PolicyStore, StoreConflict
from secpolicy.rbac._storesync import (
    change_digest,
    changes_since,
    confirmed,
    head_version,
    snapshot_and_changes,
    written,
)
from secpolicy.rbac._wallclock import LAST, wall_deadline, wall_since

__all__ = ["RBAC", "GrantRequest"]

EventHook = Callable[[RBACEvent], object]
_MEMO_LIMIT = 1 << 16


def _tenant(tenant: object) -> str | None:
    return None if tenant is None else canon_id(tenant, "tenant")


def _request(
    user: object, resource: object, action: object, tenant: object
) -> tuple[str, tuple[str, ...], str, str | None]:
    """The canonical user, resource segments, action and tenant of a request.

    The resource is checked first, then the action, the user and the tenant,
    so the error names the first malformed field in that order.
    """
    segments = canon_resource(resource)
    act = canon_action(action)
    return canon_id(user, "user"), segments, act, _tenant(tenant)


def _span(value: object, field: str) -> timedelta:
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise PolicyConfigError("must be a positive timedelta", field=field)
    if value > _LONGEST:
        raise PolicyConfigError(f"must be at most {_LONGEST.days} days", field=field)
    return value


# Far beyond any sane span, and small enough that adding it to a date stays in range.
_LONGEST = timedelta(days=365 * 1000)


def _listed(value: object, field: str) -> list[object]:
    """*value* as a list of names: a string or a non-iterable is a typed error, never iterated."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise PolicyConfigError("must be a list of names", field=field)
    return list(value)


def _snapshot(rule: object) -> object:
    """*rule* read once into a tuple (a string or a non-sequence is left for the op to refuse)."""
    if type(rule) is tuple or isinstance(rule, str | bytes) or not isinstance(rule, Sequence):
        return rule
    return tuple(rule)


class _Change(NamedTuple):
    """One change on its way to the commit path; :meth:`document` is what a store keeps."""

    op: str
    args: Mapping[str, Any]
    by: str | None
    at: datetime

    def document(self) -> dict[str, Any]:
        """The change as JSON-ready data (see :mod:`._ops`)."""
        return {"op": self.op, "args": self.args, "by": self.by, "at": self.at.isoformat()}


def _load_change(at: datetime, document: Mapping[str, Any] | None = None) -> _Change:
    """The change that loads a whole policy (written to a store only with its *document*)."""
    return _Change("load_policy", {"document": document}, None, at)


def _loaded(state: State, at: datetime, source: str) -> RBACEvent:
    """The ``policy_loaded`` event of *state*, loaded from *source*."""
    return RBACEvent(
        kind="policy_loaded",
        user=None,
        at=at,
        details={
            "source": source,
            "version": state.version,
            "users": len(state.users),
            "roles": len(state.roles),
        },
    )


class RBAC:
    """Role-based access control after NIST/ANSI INCITS 359, with default deny.

    Roles inherit the permissions of their junior roles (a partial order;
    cycles are refused). Grants and denies name ``/``-separated resources
    (``*`` one segment, ``**`` any number of segments, none included) and
    actions (``*`` every action). An explicit deny overrides any allow;
    nothing allowed means denied. Names are canonical (NFC; no empty, ``.``
    or ``..`` segments, no control characters): a malformed name raises
    :class:`InvalidNameError` in policies and requests alike.

    Privileged roles are held only through an approved, time-bounded grant,
    wherever they sit in the hierarchy: inheriting a privileged role gives
    nothing until that role is granted.

    Every method takes an optional ``tenant``: assignments, grants, labels and
    clearances in one tenant never apply in another. Role definitions are
    shared, and a grant without a tenant applies in every tenant.

    Every change goes through one locked commit path and replaces the
    engine's immutable state whole; a reader sees the state before or after
    a change, never half of it, and reads never change anything.

    Args:
        levels: The sensitivity scale, lowest first, e.g.
            ``("公开", "内部", "秘密", "机密", "绝密")``.
        clock: Where time comes from: grant expiry, request lapses, records.
        on_event: Called with an :class:`RBACEvent` for every change and
            privileged use (and decisions, with the decision log on). It runs
            before the change takes effect; if it raises, the change is not
            made (fail closed: an unrecorded grant does not happen). A change
            that does not commit after the hook heard any of its events (a
            later event refused, a failed store write) is followed by a
            ``change_aborted`` event naming the events it voids.
        approver_role: The role an approver of a privileged grant must hold
            (in the request's tenant or without a tenant), unless the role
            names its own with ``add_role(..., approver_roles=...)``. ``None``
            lets any registered user other than the requester and the
            grantee approve.
        request_ttl: How long a request waits for approvals before it lapses.
        max_grant_duration: The longest a privileged grant may last (a role
            may set a shorter ``max_duration``).
        decision_log: Report every enforced deny (``check``, ``require``,
            sessions) as an ``access_decision`` event.
        allow_sample_rate: With the decision log on, the share of allows
            reported too (0 to 1). Sampling is deterministic: a keyed hash
            of the request under *sample_seed* decides.
        sample_seed: The key of the sampling hash.

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

    __module__ = "secpolicy.rbac"

    def __init__(
        self,
        *,
        levels: Iterable[str] = (),
        clock: Clock | None = None,
        on_event: EventHook | None = None,
        approver_role: str | None = "approver",
        request_ttl: timedelta = DEFAULT_REQUEST_TTL,
        max_grant_duration: timedelta = DEFAULT_MAX_GRANT,
        decision_log: bool = False,
        allow_sample_rate: float = 0.0,
        sample_seed: bytes = b"",
    ) -> None:
        if isinstance(levels, str) or not isinstance(levels, Iterable):
            raise PolicyConfigError("must be a list of level names, lowest first", field="levels")
        names = tuple(canon_id(level, "levels") for level in levels)
        if len(set(names)) != len(names):
            raise PolicyConfigError("sensitivity levels must be distinct", field="levels")
        rate: object = allow_sample_rate
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
            raise PolicyConfigError("must be between 0 and 1", field="allow_sample_rate")
        config = Config(
            approver_role=None
            if approver_role is None
            else canon_id(approver_role, "approver_role"),
            request_ttl=_span(request_ttl, "request_ttl"),
            max_grant_duration=_span(max_grant_duration, "max_grant_duration"),
        )
        self._lock = threading.RLock()
        # True while a change is being committed (the hook may be running): a
        # change or refresh made from inside the hook would be overwritten.
        self._committing = False
        self._clock: Clock = clock or SystemClock()
        self._on_event = on_event
        self._state = new_state(levels=names, config=config)
        self._decision_log = bool(decision_log)
        self._sample_rate = float(allow_sample_rate)
        if not isinstance(sample_seed, bytes | bytearray):
            raise PolicyConfigError("must be bytes", field="sample_seed")
        self._sample_seed = bytes(sample_seed)
        self._store: PolicyStore | None = None
        # The store version of the change this engine's state ends with and
        # its digest, when known: a refresh checks the store still holds it.
        self._tip: tuple[int, bytes | None] | None = None
        self._max_staleness: timedelta | None = None
        # With a staleness bound: the first and the last instant at which the
        # policy is fresh (the last synchronisation and the bound past it),
        # one tuple so that a reader sees both ends of the same window.
        self._fresh: tuple[datetime, datetime] | None = None
        # The same as POSIX timestamps, for the system clock (whose now() is
        # time.time() as a datetime): one chained float comparison per check.
        self._fresh_ts: tuple[float, float] | None = None

    # -- plumbing ------------------------------------------------------------------

    @property
    def state(self) -> State:
        """The current immutable state (for review tools)."""
        return self._state

    def _snapshot(self) -> State:
        return self._state

    def _instant(self) -> datetime:
        clock = self._clock
        if type(clock) is SystemClock:
            return datetime.now(UTC)  # what SystemClock.now() returns, without re-checking it
        return to_utc(clock.now(), name="clock")

    @contextmanager
    def _locked(self) -> Iterator[object]:
        with self._lock:
            yield self

    def _emit(self, event: RBACEvent) -> None:
        if self._on_event is not None:
            self._on_event(event)

    def _change(self, op: str, args: dict[str, Any], by: object = None) -> Any:
        """Turn one method call into one change and commit it (see :meth:`_commit`)."""
        actor = None if by is None else canon_id(by, "by")
        function = _ops.OPS[op]
        with self._lock:
            state = self._state
            at = self._instant()
            result = function(state, args, at, actor)
            if result.state is not state:
                self._commit(state, result.state, result.events, _Change(op, args, actor, at))
            return result.value

    def _commit(
        self, state: State, new: State, events: Sequence[_ops.Event], change: _Change
    ) -> None:
        """The one commit path: report, write to the store, then make *new* current.

        The hook hears a change's events before it takes effect, so a hook
        that refuses one (the audit log is down) stops the change (fail
        closed). Once the hook has been handed any event of the change, a
        change that does not commit, because the hook refused a later
        event, the store refused or failed the write, or anything else
        interrupted it, is followed by one ``change_aborted`` event naming
        the events it voids. So every event that says a change happened is
        either true or voided. Called with the lock held.
        """
        if self._committing:
            raise PolicyConfigError(
                "the policy cannot be changed from inside the on_event hook "
                "(the change being reported would overwrite it)",
                field="on_event",
            )
        self._committing = True
        try:
            self._commit_once(state, new, events, change)
        finally:
            self._committing = False

    def _commit_once(
        self, state: State, new: State, events: Sequence[_ops.Event], change: _Change
    ) -> None:
        hook = self._on_event
        # Build every event before reporting any: a malformed one fails here, unreported.
        reports = [_ops.built(event) for event in events] if hook is not None else []
        handed: list[str] = []
        cause = "hook_error"
        tip: tuple[int, bytes | None] | None = None
        try:
            for event in reports:
                handed.append(event.kind)
                hook(event)  # type: ignore[misc]  # reports is empty without a hook
            if self._store is not None:
                cause = "store_error"
                document = change.document()
                try:
                    version: object = self._store.append(state.version, document)
                except StoreConflict:
                    cause = "store_conflict"
                    raise
                except Exception:
                    # The write may have happened (the reply was lost): then
                    # the change is in force for every engine, and voiding
                    # its events would make the log deny it.
                    found = written(self._store, state.version, document)
                    if found is None:
                        raise
                    version = found
                new = new.derive(version=confirmed(self._store, state.version, document, version))
                tip = (new.version, change_digest(document))
                self._synced(change.at)
        except BaseException as failure:
            if handed:
                self._abort(change, cause, handed, failure)
            raise
        if tip is not None:
            self._tip = tip
        self._state = new

    def _abort(
        self, change: _Change, cause: str, voided: list[str], failure: BaseException
    ) -> None:
        """Report that a change whose events were handed to the hook did not happen."""
        event = RBACEvent(
            kind="change_aborted",
            user=None,
            by=change.by,
            at=change.at,
            details={"op": change.op, "cause": cause, "voided": voided},
        )
        try:
            self._emit(event)
        except Exception as exc:  # noqa: BLE001 (the original failure is what the caller must see)
            # The hook failing again must not hide why the change failed.
            failure.add_note(f"change_aborted could not be reported either: {type(exc).__name__}")

    # -- users and roles -------------------------------------------------------------

    def add_user(self, user: str, *, by: str | None = None) -> None:
        """Register a user (one account per person); adding twice is harmless.

        Raises:
            InvalidNameError: For a non-canonical name.
            PolicyConfigError: If the name differs from a registered user's
                only in letter case (look-alike accounts).
        """
        self._change("add_user", {"user": user}, by)

    def remove_user(self, user: str, *, by: str | None = None) -> None:
        """A departure: end every assignment, session, clearance, grant and request of *user*.

        Requests the user made or would receive are withdrawn, and their
        approvals of others' pending requests no longer count.
        """
        self._change("remove_user", {"user": user}, by)

    def add_role(
        self,
        name: str,
        *,
        inherits: Iterable[str] = (),
        privileged: bool = False,
        approvals: int = 1,
        approver_roles: Iterable[str] | None = None,
        max_duration: timedelta | None = None,
        by: str | None = None,
    ) -> None:
        """Define a role.

        Args:
            name: The role's name.
            inherits: Junior roles whose permissions this role also has.
            privileged: Users hold this role only through
                :meth:`request_grant` and approvals, never by :meth:`assign`
                nor by inheriting it (superuser, DBA).
            approvals: For a privileged role, how many distinct approvers a
                grant needs (neither the requester nor the grantee).
            approver_roles: For a privileged role, the roles its approvers
                must hold (instead of the engine's *approver_role*): at
                least one, each already defined.
            max_duration: For a privileged role, the longest grant.
            by: The administrator making the change.

        Raises:
            PolicyConfigError: If the role exists, a junior or approver role
                is unknown, *approvals* is below 1, *approver_roles* is
                empty (nobody could approve), or *approvals*,
                *approver_roles* or *max_duration* is given for a role that
                is not privileged (it would do nothing).
        """
        args: dict[str, Any] = {
            "role": name,
            "inherits": _listed(inherits, f"roles.{name}.inherits"),
            "privileged": privileged,
            "approvals": approvals,
        }
        if approver_roles is not None:
            args["approver_roles"] = _listed(approver_roles, "approver_roles")
        if max_duration is not None:
            args["max_duration_seconds"] = _span(max_duration, "max_duration").total_seconds()
        self._change("add_role", args, by)

    def delete_role(self, role: str, *, by: str | None = None) -> None:
        """Delete *role*: its rules, assignments, grants, requests and inheritance edges.

        .. versionadded:: 0.2

        Raises:
            PolicyConfigError: For an unknown role.
            ConstraintViolation: If a separation-of-duty constraint names it,
                or it is the approver role of a privileged role.
        """
        self._change("delete_role", {"role": role}, by)

    def add_inheritance(self, senior: str, junior: str, *, by: str | None = None) -> None:
        """Make *senior* inherit *junior*'s permissions.

        Raises:
            PolicyConfigError: For an unknown role or a cycle (the message
                names the cycle).
            ConstraintViolation: If a user would then hold too many roles of
                a static separation-of-duty set.
        """
        self._change("add_inheritance", {"senior": senior, "junior": junior}, by)

    def delete_inheritance(self, senior: str, junior: str, *, by: str | None = None) -> None:
        """Remove the edge *senior* → *junior*; permissions inherited through it end at once."""
        self._change("delete_inheritance", {"senior": senior, "junior": junior}, by)

    # -- permissions -------------------------------------------------------------------

    def grant(
        self,
        role: str,
        resource: str,
        action: str,
        *,
        tenant: str | None = None,
        by: str | None = None,
    ) -> None:
        """Allow *role* to do *action* on *resource* (``*``/``**`` patterns, action ``*``)."""
        self._change(
            "grant", {"role": role, "resource": resource, "action": action, "tenant": tenant}, by
        )

    def grant_many(
        self,
        rules: Iterable[tuple[str, str, str]],
        *,
        tenant: str | None = None,
        by: str | None = None,
    ) -> int:
        """Allow many ``(role, resource, action)`` rules in *tenant* as one change.

        The same as calling :meth:`grant` for each rule, but all or nothing
        (one malformed rule, unknown role or refused administrator changes
        nothing), one lock, one store write and one state: building a large
        policy this way costs a fraction of the calls one by one. Each new
        rule is reported as a ``permission_granted`` event; rules granted
        already are skipped.

        Args:
            rules: ``(role, resource, action)`` triples (lists work too).
            tenant: The tenant the rules apply in (``None``: every tenant).
            by: The administrator making the change.

        Returns:
            How many rules were new.

        Raises:
            PolicyConfigError: Naming the first bad entry, e.g.
                ``rules[3].resource``; nothing changes.

        .. versionadded:: 0.2
        """
        # Each rule read once, into a tuple: what is validated here is exactly
        # what the store keeps and other engines replay (a sequence that
        # answers differently on a second read cannot smuggle another rule
        # into the store). Tuples of strings also leave the garbage
        # collector's tracking; ``tuple()`` of a tuple is the tuple itself.
        listed = [_snapshot(rule) for rule in _listed(rules, "rules")]
        added: int = self._change("grant_many", {"rules": listed, "tenant": tenant}, by)
        return added

    def deny(
        self,
        role: str,
        resource: str,
        action: str,
        *,
        tenant: str | None = None,
        by: str | None = None,
    ) -> None:
        """Forbid *action* on *resource* for *role*; overrides any allow."""
        self._change(
            "deny", {"role": role, "resource": resource, "action": action, "tenant": tenant}, by
        )

    def revoke(
        self,
        role: str,
        resource: str,
        action: str,
        *,
        tenant: str | None = None,
        by: str | None = None,
    ) -> None:
        """Remove the grant and deny of exactly this role, resource, action and tenant.

        Raises:
            PolicyConfigError: If there is no such rule.
        """
        self._change(
            "revoke", {"role": role, "resource": resource, "action": action, "tenant": tenant}, by
        )

    # -- assignments -------------------------------------------------------------------

    def assign(
        self, user: str, role: str, *, tenant: str | None = None, by: str | None = None
    ) -> None:
        """Give *user* the (non-privileged) *role* in *tenant*.

        Raises:
            PolicyConfigError: For an unknown user or role.
            ConstraintViolation: For a privileged role (use
                :meth:`request_grant`), or if a static separation-of-duty
                constraint would be broken. Nothing changes.
        """
        self._change("assign", {"user": user, "role": role, "tenant": tenant}, by)

    def deassign(
        self, user: str, role: str, *, tenant: str | None = None, by: str | None = None
    ) -> None:
        """Take *role* away from *user* in *tenant*; sessions stop using it at once."""
        self._change("deassign", {"user": user, "role": role, "tenant": tenant}, by)

    # -- separation of duty ------------------------------------------------------------

    def add_ssd(self, name: str, roles: Iterable[str], n: int, *, by: str | None = None) -> None:
        """Static SoD: no user may hold *n* or more of *roles*, counting inherited roles.

        Raises:
            PolicyConfigError: For unknown roles, *n* < 2 or *n* > the set size.
            ConstraintViolation: If a user already breaks it (nothing changes).
        """
        self._change(
            "add_ssd", {"name": name, "roles": _listed(roles, f"ssd.{name}.roles"), "n": n}, by
        )

    def add_dsd(self, name: str, roles: Iterable[str], n: int, *, by: str | None = None) -> None:
        """Dynamic SoD: no session may have *n* or more of *roles* active, counting inherited roles.

        Sessions that already break the new constraint deny every request
        (with a reason) until they drop a role.
        """
        self._change(
            "add_dsd", {"name": name, "roles": _listed(roles, f"dsd.{name}.roles"), "n": n}, by
        )

    # -- sensitivity labels --------------------------------------------------------------

    def set_label(
        self, resource: str, level: str, *, tenant: str | None = None, by: str | None = None
    ) -> None:
        """Label the resources matching *resource* with a sensitivity *level*."""
        self._change("set_label", {"resource": resource, "level": level, "tenant": tenant}, by)

    def remove_label(
        self, resource: str, *, tenant: str | None = None, by: str | None = None
    ) -> None:
        """Remove the label set on exactly the pattern *resource*.

        .. versionadded:: 0.2
        """
        self._change("remove_label", {"resource": resource, "tenant": tenant}, by)

    def set_clearance(
        self, user: str, level: str, *, tenant: str | None = None, by: str | None = None
    ) -> None:
        """Clear *user* up to *level*: labelled resources above it are denied."""
        self._change("set_clearance", {"user": user, "level": level, "tenant": tenant}, by)

    def set_admin_rights(self, rights: AdminRights | None, *, by: str | None = None) -> None:
        """Enforce who may administer what (see :class:`AdminRights`); ``None`` stops enforcing.

        Once rights are set, changing them needs the ``admin`` right, and
        nobody may widen their own: new rights (or ``None``, which lets
        everyone do everything) that would give *by* a kind of change they
        may not make now are refused with :class:`~secpolicy.exceptions.ConstraintViolation`.

        .. versionadded:: 0.2
        """
        if rights is not None and not isinstance(rights, AdminRights):
            raise PolicyConfigError("must be an AdminRights or None", field="rights")
        raw = None if rights is None else {k: sorted(v) for k, v in rights.rights.items()}
        self._change("set_admin_rights", {"rights": raw}, by)

    # -- decisions -----------------------------------------------------------------------

    def _synced(self, at: datetime) -> None:
        """Restart the staleness clock: the engine agrees with its store as of *at*."""
        bound = self._max_staleness
        if bound is None:
            self._fresh = self._fresh_ts = None
            return
        until = LAST if at > LAST - bound else at + bound  # a bound past the calendar's end
        self._fresh = (at, until)
        wall = type(self._clock) is SystemClock
        self._fresh_ts = (wall_since(at), wall_deadline(until)) if wall else None

    def _now_fresh(self) -> tuple[datetime, str | None]:
        """The clock's instant, and why the policy is stale at it (``None`` if it is fresh).

        The staleness mark is read first, then the clock, and the caller reads
        the state after both: a refresh landing in between can only make the
        answer stricter, and on a clock that only moves forward the instant
        is never before the mark it is tested against.
        """
        fresh = self._fresh
        now = self._instant()
        return now, self._stale(now, fresh)

    def _stale(self, now: datetime, fresh: tuple[datetime, datetime] | None) -> str | None:
        if self._store is None or fresh is None:
            return None
        since, until = fresh
        if now > until:
            return (
                f"the policy was last synchronised with its store at {since.isoformat()}, "
                f"more than {until - since} ago (fail closed)"
            )
        if now < since:
            # The clock was set back: how old the policy is cannot be told.
            return (
                f"the clock reads {now.isoformat()}, before the policy's last "
                f"synchronisation with its store at {since.isoformat()}: it was set back "
                "and the policy's age is unknown; refresh() (fail closed)"
            )
        return None

    def _enforced(self, decision: Decision, state: State) -> None:
        """Report what an enforcement point decided: privileged uses, and the decision log."""
        now = None
        if decision.allowed and decision.privileged:
            now = self._instant()
            self._emit(
                RBACEvent(
                    kind="privileged_use",
                    user=decision.user,
                    role=decision.rule.role if decision.rule else None,
                    tenant=decision.tenant,
                    at=now,
                    details={
                        "resource": decision.resource,
                        "operation": decision.action,
                        "request_id": decision.request_id,
                    },
                )
            )
        if self._decision_log and (not decision.allowed or self._sampled(decision)):
            self._emit(
                RBACEvent(
                    kind="access_decision",
                    user=decision.user,
                    tenant=decision.tenant,
                    at=now or self._instant(),
                    details={
                        "resource": decision.resource,
                        "operation": decision.action,
                        "effect": decision.effect,
                        "reason": decision.reason,
                    },
                )
            )

    def _sampled(self, decision: Decision) -> bool:
        if self._sample_rate <= 0:
            return False
        if self._sample_rate >= 1:
            return True
        text = "\x00".join(
            (decision.tenant or "", decision.user, decision.resource, decision.action)
        )
        digest = hashlib.blake2b(text.encode(), key=self._sample_seed[:64], digest_size=8).digest()
        return int.from_bytes(digest, "big") < self._sample_rate * 2**64

    def check(self, user: str, resource: str, action: str, *, tenant: str | None = None) -> bool:
        """True if *user* may do *action* on *resource* in *tenant* now.

        Unknown users and resources are simply denied; nothing is added. If a
        privileged grant decides, its use is reported to the event hook, and
        an error there propagates (fail closed).

        Raises:
            InvalidNameError: For a malformed user, resource, action or
                tenant name (a malformed name is never a match).
        """
        plain_call = (
            type(user) is str
            and type(resource) is str
            and type(action) is str
            and (tenant is None or type(tenant) is str)
            and not self._decision_log
        )
        # Attached with a staleness bound: the bound is checked before the
        # memo, so a stale engine denies even what it answered before. (The
        # memo belongs to this state; every change applied from the store
        # makes a new state with an empty memo.)
        # A clock that reads before the last synchronisation was set back,
        # and then the policy's age is unknown: that is stale too.
        window = self._fresh_ts
        if window is not None:
            if not window[0] <= _wall_time() <= window[1]:
                plain_call = False
        else:
            fresh = self._fresh
            if fresh is not None:
                now = self._clock.now()
                if (
                    type(now) is not datetime
                    or now.utcoffset() is None  # naive in effect: the full path's typed error
                    or not fresh[0] <= now <= fresh[1]
                ):
                    plain_call = False
        # The state is read after the deadline: refresh() stores its state
        # before its deadline, so a deadline read first never vouches for a
        # state older than the one it was set for.
        state = self._state
        key = (user, resource, action, tenant)
        if plain_call:
            # The answer for exactly these arguments in exactly this state.
            found = state.memo.get(key)
            if found is not None:
                return found
        if not plain_call:
            return self._enforce(*_request(user, resource, action, tenant)).allowed
        if len(user) + len(resource) + len(action) + len(tenant or "") > CACHED_NAME_MAX:
            # Long names are decided afresh and kept nowhere (no memo, no
            # record): the caches are bounded in entries, and this bounds
            # the size of each.
            return self._enforce(*_request(user, resource, action, tenant)).allowed
        # Plain strings: one look-up of the request's record, validated against
        # this state (see _decide.first_check, whose plain twin is allowed_plain).
        allowed = _decide.first_check(state, key)
        if allowed is None:
            # Privileged grants in the tenant: time-dependent and possibly a
            # privileged use, so decide fully and never memoise.
            canon = _REQUESTS.get(key) or canon_request(user, resource, action, tenant)
            return self._enforce(*canon[:4]).allowed
        memo = state.memo
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        memo[key] = allowed
        return allowed

    def _enforce(
        self, user: str, segments: tuple[str, ...], action: str, tenant: str | None
    ) -> Decision:
        decision = self._decision(user, segments, action, tenant)
        self._enforced(decision, self._state)
        return decision

    def _decision(
        self, user: str, segments: tuple[str, ...], action: str, tenant: str | None
    ) -> Decision:
        # The staleness mark is read before the state (see check()), so a
        # refresh landing in between can only make the answer stricter.
        now, stale = self._now_fresh()
        state = self._state
        if stale is not None:
            return _decide.denied(tenant, user, "/".join(segments), action, stale)
        eff = _decide.effective(state, tenant, user, now)
        return _decide.decide(state, tenant, user, segments, action, eff)

    def decide(
        self, user: str, resource: str, action: str, *, tenant: str | None = None
    ) -> Decision:
        """Like :meth:`check`, with the effect, role path, deciding rule and reason.

        ``decide`` explains; it is not an enforcement point, so it reports no
        privileged use and no decision-log event (``check`` and ``require``
        do).
        """
        return self._decision(*_request(user, resource, action, tenant))

    def require(
        self, user: str, resource: str, action: str, *, tenant: str | None = None
    ) -> Decision:
        """Return the decision if allowed; report privileged uses like :meth:`check`.

        Raises:
            AccessDenied: Carrying the :class:`Decision`.
        """
        decision = self._enforce(*_request(user, resource, action, tenant))
        if not decision.allowed:
            raise AccessDenied(decision)
        return decision

    def who_can(self, resource: str, action: str, *, tenant: str | None = None) -> frozenset[str]:
        """Every user allowed *action* on *resource* in *tenant* now (denies and labels applied)."""
        segments = canon_resource(resource)
        now, stale = self._now_fresh()
        if stale is not None:
            return frozenset()
        return _decide.who_can(self._state, _tenant(tenant), segments, canon_action(action), now)

    def resources_for(
        self, user: str, action: str, *, under: str | None = None, tenant: str | None = None
    ) -> ResourceFilter:
        """Which resources *user* may do *action* on: allow patterns and their exceptions.

        The answer is exact: a resource is allowed precisely when it matches
        one of the filter's ``allow`` patterns and none of its ``deny``
        patterns (denies and labels above the user's clearance); exact names
        that are denied are left out of ``allow``. Use ``resource in
        filter`` for one name, or turn the patterns into a query filter.

        Args:
            user: The user.
            action: The action.
            under: Only patterns that can match this resource or one below it.
            tenant: The tenant.

        .. versionadded:: 0.2
        """
        name = canon_id(user, "user")
        act = canon_action(action)
        prefix = None if under is None else canon_resource(under, "under")
        scope = _tenant(tenant)
        now, stale = self._now_fresh()
        if stale is not None:
            return ResourceFilter(allow=(), deny=(), under=prefix)
        state = self._state  # after the staleness mark (see check())
        eff = _decide.effective(state, scope, name, now)
        return _decide.resources_for(state, scope, name, act, eff, prefix)

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
    ) -> GrantRequest:
        """Ask for *user* to hold the privileged *role* for *duration*.

        The grant takes effect once the role's number of approvals has been
        given by registered users who hold an approver role and are neither
        *requested_by* nor *user*, and lapses by itself after *duration*. The
        request lapses after the engine's request TTL.

        Raises:
            PolicyConfigError: For unknown names, a role that is not
                privileged, a duration that is not positive or above the
                maximum, or an empty reason.
        """
        if requested_by is None:
            raise PolicyConfigError("must name who asks", field="requested_by")
        _span(duration, "duration")
        pending: PendingRequest = self._change(
            "request_grant",
            {
                "user": user,
                "role": role,
                "tenant": tenant,
                "requested_by": requested_by,
                "duration_seconds": duration.total_seconds(),
                "reason": reason,
            },
            requested_by,
        )
        return GrantRequest(self, pending.request_id)

    def approve(self, request_id: str, *, by: str) -> PrivilegedGrant | None:
        """Record *by*'s approval; return the grant once enough approvals are in.

        The time of the approval is the engine clock's; it cannot be given.

        .. versionadded:: 0.2

        Raises:
            ConstraintViolation: If *by* is not a registered user holding an
                approver role, is the requester or the grantee, approved
                already, or the request has lapsed.
            PolicyConfigError: If the request is not pending.
        """
        if by is None:
            raise PolicyConfigError("must name the approver", field="by")
        grant: PrivilegedGrant | None = self._change("approve", {"request_id": request_id}, by)
        return grant

    def revoke_grant(self, request_id: str, *, by: str) -> None:
        """End a privileged grant (or withdraw a pending request) before it lapses.

        Raises:
            PolicyConfigError: If *by* is missing or there is no such grant
                or request.
        """
        if by is None:
            raise PolicyConfigError("must name who revokes", field="by")
        self._change("revoke_grant", {"request_id": request_id}, by)

    def expire_grants(self) -> list[PrivilegedGrant]:
        """Drop lapsed grants and requests, reporting each (``grant_expired``, ``request_expired``).

        Lapsed grants already give no access; this sweep records their end.
        """
        lapsed: list[PrivilegedGrant] | None = self._change("expire_grants", {}, None)
        return lapsed or []

    def pending_requests(self, *, tenant: Any = ...) -> tuple[PendingRequest, ...]:
        """Requests still waiting for approvals (lapsed ones left out), oldest first.

        Args:
            tenant: Only this tenant's requests (default: every tenant).

        .. versionadded:: 0.2
        """
        now = self._instant()
        scope = ... if tenant is ... else _tenant(tenant)
        return tuple(
            sorted(
                (
                    p
                    for p in self._state.pending.values()
                    if p.expires > now and (scope is ... or p.tenant == scope)
                ),
                key=lambda p: (p.requested_at, int(p.request_id[3:])),
            )
        )

    def active_grants(
        self, *, tenant: Any = ..., user: str | None = None
    ) -> tuple[PrivilegedGrant, ...]:
        """Privileged grants in force now, oldest first.

        Args:
            tenant: Only this tenant's grants (default: every tenant).
            user: Only this user's grants.

        .. versionadded:: 0.2
        """
        now = self._instant()
        scope = ... if tenant is ... else _tenant(tenant)
        name = None if user is None else canon_id(user, "user")
        return tuple(
            sorted(
                (
                    g
                    for g in self._state.grants.values()
                    if g.active(now)
                    and (scope is ... or g.tenant == scope)
                    and (name is None or g.user == name)
                ),
                key=lambda g: (g.starts, int(g.request_id[3:])),
            )
        )

    # -- sessions -------------------------------------------------------------------------

    def create_session(
        self, user: str, roles: Iterable[str], *, tenant: str | None = None
    ) -> Session:
        """Open a session for *user* with *roles* active (NIST CreateSession).

        Raises:
            ConstraintViolation: If the user is not authorized for a role now
                (a privileged role needs an active grant), or the roles break
                a dynamic separation-of-duty constraint (inherited roles count).
        """
        wanted = frozenset(canon_id(r, "roles") for r in _listed(roles, "roles"))
        name = canon_id(user, "user")
        scope = _tenant(tenant)
        with self._lock:
            state = self._state
            info = state.users.get(name)
            if info is None:
                raise PolicyConfigError(f"unknown user {name!r}; add_user() first", field="user")
            eff = _decide.effective(state, scope, name, self._instant())
            missing = sorted(wanted - eff.roles)
            if missing:
                raise ConstraintViolation(f"{name!r} is not authorized for {missing}")
            active, _ = _decide.session_roles(state, eff, wanted)
            check_dsd(state, active)
            return Session(self, name, scope, wanted, info)

    # -- review ---------------------------------------------------------------------------

    def assigned_users(self, role: str, *, tenant: str | None = None) -> frozenset[str]:
        """Users directly assigned *role* (NIST AssignedUsers)."""
        return _review.assigned_users(self._state, _tenant(tenant), canon_id(role, "role"))

    def assigned_roles(self, user: str, *, tenant: str | None = None) -> frozenset[str]:
        """Roles directly assigned to *user* (NIST AssignedRoles)."""
        return frozenset(self._state.assigned(_tenant(tenant), canon_id(user, "user")))

    def authorized_roles(self, user: str, *, tenant: str | None = None) -> frozenset[str]:
        """Roles *user* holds now, inherited and granted ones included (NIST AuthorizedRoles)."""
        return _decide.effective(
            self._state, _tenant(tenant), canon_id(user, "user"), self._instant()
        ).roles

    def authorized_users(self, role: str, *, tenant: str | None = None) -> frozenset[str]:
        """Users who hold *role* now: directly, inherited or granted (NIST AuthorizedUsers)."""
        return _review.authorized_users(
            self._state, _tenant(tenant), canon_id(role, "role"), self._instant()
        )

    def role_permissions(
        self, role: str, *, tenant: str | None = None, inherited: bool = True
    ) -> tuple[Rule, ...]:
        """The rules of *role* in *tenant*, inherited ones too by default (NIST RolePermissions)."""
        return _review.role_permissions(
            self._state, _tenant(tenant), canon_id(role, "role"), inherited=inherited
        )

    def user_permissions(self, user: str, *, tenant: str | None = None) -> tuple[Rule, ...]:
        """The rules reachable through every role *user* holds now (NIST UserPermissions)."""
        state, scope = self._state, _tenant(tenant)
        out: dict[Rule, None] = {}
        for role in sorted(self.authorized_roles(user, tenant=tenant)):
            for rule in _review.role_permissions(state, scope, role, inherited=False):
                out[rule] = None
        return tuple(out)

    def mark_reviewed(self, user: str, role: str, *, by: str, tenant: str | None = None) -> None:
        """Record that *by* reviewed *user*'s holding of *role*; the next review counts from now.

        The reviewer is recorded with the review (in the report's
        ``reviewed_by``, the ``review_recorded`` event and :meth:`to_dict`).

        Raises:
            ConstraintViolation: If *by* is not a registered user, is *user*
                (nobody reviews their own access), or (with administrator
                rights) may not record reviews.
            PolicyConfigError: For unknown names, or if *user* does not
                hold *role* in *tenant* now.
        """
        self._change("mark_reviewed", {"user": user, "role": role, "tenant": tenant}, by)

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
            now: The time of the report (default: the engine clock); a
                report for another instant changes nothing.
            interval: How often ordinary holdings are reviewed.
            privileged_interval: How often privileged ones are (no longer
                than *interval*).

        Raises:
            PolicyConfigError: If an interval is not a positive timedelta,
                or *privileged_interval* is longer than *interval*.
        """
        when = self._instant() if now is None else to_utc(now, name="now")
        _span(interval, "interval")
        _span(privileged_interval, "privileged_interval")
        if privileged_interval > interval:
            # Privileged access is reviewed at least as often as ordinary access.
            raise PolicyConfigError(
                "must not be longer than interval (privileged access is reviewed more often)",
                field="privileged_interval",
            )
        return _review.review_report(
            self._state, _tenant(tenant), when, interval, privileged_interval
        )

    # -- loading, saving and stores ------------------------------------------------------

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        clock: Clock | None = None,
        on_event: EventHook | None = None,
        decision_log: bool = False,
        allow_sample_rate: float = 0.0,
        sample_seed: bytes = b"",
    ) -> RBAC:
        """Build an engine from the form :meth:`to_dict` returns (or a policy file's section).

        Raises:
            PolicyConfigError: Naming the offending entry, e.g.
                ``roles.auditor.inherits[1]``: unknown names, cycles, malformed
                entries, or assignments that break separation of duty.
        """
        engine = cls(
            clock=clock,
            on_event=on_event,
            decision_log=decision_log,
            allow_sample_rate=allow_sample_rate,
            sample_seed=sample_seed,
        )
        at = engine._instant()
        state = _serde.load(data, at)
        with engine._lock:
            engine._commit(engine._state, state, [_loaded(state, at, "document")], _load_change(at))
        return engine

    def to_dict(self) -> dict[str, Any]:
        """The whole policy as plain, JSON-ready data, with its format version.

        Roles, users, grants, denies, assignments (with their dates),
        constraints, labels, clearances, privileged grants, pending requests,
        review marks, the request counter and the approval and administration
        settings: :meth:`from_dict` of the result is the same policy.
        """
        return _serde.dump(self._state)

    def snapshot(self) -> tuple[int, dict[str, Any]]:
        """The store version and the whole policy (:meth:`to_dict`), read from one state.

        What a store's ``compact(version, document)`` takes:
        ``store.compact(*rbac.snapshot())``. Reading :attr:`store_version`
        and :meth:`to_dict` apart can pair a document with a version it does
        not reflect when a refresh lands in between (a follower thread): a
        newer version with an older document drops the changes in between,
        revocations too, for every engine that starts from the snapshot.

        .. versionadded:: 0.2
        """
        state = self._state
        return state.version, _serde.dump(state)

    @classmethod
    def from_store(
        cls,
        store: PolicyStore,
        *,
        clock: Clock | None = None,
        on_event: EventHook | None = None,
        max_staleness: timedelta | None = None,
    ) -> RBAC:
        """An engine with the policy in *store*, attached to it (see :meth:`attach`).

        .. versionadded:: 0.2
        """
        engine = cls(clock=clock, on_event=on_event)
        engine.attach(store, max_staleness=max_staleness)
        return engine

    def attach(self, store: PolicyStore, *, max_staleness: timedelta | None = None) -> None:
        """Share this engine's policy through *store* from now on.

        An empty store receives this engine's policy as its first change; an
        engine with no policy of its own takes the store's. Afterwards every
        change is written to the store before it takes effect (a writer that
        lost a race gets :class:`StoreConflict` and nothing changes), and
        :meth:`refresh` applies other writers' changes.

        Args:
            store: The store.
            max_staleness: If given, checks fail closed (deny, with a reason)
                once the engine has not synchronised with the store for longer.

        Raises:
            PolicyConfigError: If both the engine and the store hold a policy.

        .. versionadded:: 0.2
        """
        if max_staleness is not None:
            _span(max_staleness, "max_staleness")
        with self._lock:
            # The state read below is as fresh as the instant the read began.
            began = self._instant()
            version, document, changes = snapshot_and_changes(store, 0)
            local = self._state
            empty_store = version == 0 and document is None and not changes
            at = self._instant()
            previous = self._store
            if empty_store:
                # The store receives this engine's policy; the engine's own does not change.
                self._store = store
                try:
                    self._commit(
                        local.derive(version=0), local, (), _load_change(at, _serde.dump(local))
                    )
                except BaseException:
                    self._store = previous
                    raise
            else:
                if len(local.roles) or len(local.users):
                    raise PolicyConfigError(
                        "both this engine and the store hold a policy; attach an empty engine "
                        "(RBAC.from_store) or an empty store",
                        field="store",
                    )
                base = (
                    _serde.load(document, self._instant())
                    if document is not None
                    else new_state(levels=local.levels, config=local.config)
                )
                state = self._replay(base.derive(version=version), changes)
                tip = (changes[-1][0], change_digest(changes[-1][1])) if changes else None
                # Taking the store's policy writes nothing, to this store or an earlier one.
                self._store = None
                try:
                    self._commit(local, state, [_loaded(state, at, "store")], _load_change(at))
                except BaseException:
                    self._store = previous
                    raise
                self._tip = tip
            self._store = store
            self._max_staleness = max_staleness
            self._synced(began)

    def _replay(self, state: State, changes: list[tuple[int, Mapping[str, Any]]]) -> State:
        for version, change in changes:
            raw: object = change
            if not isinstance(raw, Mapping):
                raise PolicyConfigError("must be a table", field=f"store.changes[{version}]")
            if version != state.version + 1:
                raise PolicyConfigError(
                    f"the store skipped from version {state.version} to {version}", field="store"
                )
            if change.get("op") == "load_policy":
                args = change.get("args")
                document = args.get("document") if isinstance(args, Mapping) else None
                state = _serde.load(document, self._instant())
            else:
                state = _ops.apply(state, change).state
            state = state.derive(version=version)
        return state

    def refresh(self) -> int:
        """Apply the changes other writers made to the store; return how many.

        A store that compacted past this engine's version is read from its
        snapshot (even with no change after it), and the count is then the
        versions the snapshot covers too. On success the staleness clock restarts from the instant
        the read began, so a slow store read never extends ``max_staleness``.

        Raises:
            PolicyConfigError: If the engine is not attached, or a change in
                the store is invalid (the engine keeps its state).

        .. versionadded:: 0.2
        """
        with self._lock:
            store = self._store
            if store is None:
                raise PolicyConfigError("the engine is not attached to a store", field="store")
            if self._committing:
                raise PolicyConfigError(
                    "the engine cannot refresh from inside the on_event hook", field="on_event"
                )
            state = self._state
            start = state.version
            began = self._instant()  # a slow read must not extend the staleness bound
            # With the change its state ends with known, read from that change
            # on: a store restored from an older copy and written since holds
            # another change there, and the changes this engine would then
            # skip as seen (a revocation among them) would never reach it.
            tip = self._tip if self._tip is not None and self._tip[0] == state.version else None
            # Read from the change at this engine's version on (when it has
            # one): a store that holds it and nothing after it is at this
            # version. An empty reply says the store holds neither, so it was
            # compacted at or past this version, and only its snapshot's
            # version tells which: a snapshot past it holds changes (a
            # revocation among them) that no change list will ever give again.
            changes = changes_since(store, max(state.version - 1, 0))
            compacted = False
            if changes and changes[0][0] == state.version:
                if tip is not None and (tip[1] is None or change_digest(changes[0][1]) != tip[1]):
                    raise PolicyConfigError(
                        f"the store's change at version {state.version} is not the one this "
                        "engine applied there: the store was restored from an older copy or "
                        "rewritten; attach a new engine to it",
                        field="store",
                    )
                changes = changes[1:]
            elif not changes:
                version = head_version(store)
                if type(version) is not int or version < state.version:
                    raise PolicyConfigError(
                        f"the store holds no change at or after version {state.version} and "
                        f"is at version {version!r}: it was restored from an "
                        "older copy; attach a new engine to it",
                        field="store",
                    )
                compacted = version > state.version  # read from the snapshot below
            if compacted or (changes and changes[0][0] != state.version + 1):
                if changes and changes[0][0] <= state.version:
                    raise PolicyConfigError(
                        f"the store gave version {changes[0][0]} as a change after version "
                        f"{state.version}",
                        field="store",
                    )
                version, document, changes = snapshot_and_changes(store, state.version)
                base = _serde.load(document, self._instant())
                state = base.derive(version=version)
                tip = None
            self._state = self._replay(state, changes)
            if changes:
                self._tip = (changes[-1][0], change_digest(changes[-1][1]))
            elif tip is None:
                self._tip = None  # a snapshot, or nothing known to check
            self._synced(began)
            return self._state.version - start

    def sync(self) -> int:
        """The same as :meth:`refresh` (apply other writers' changes; return how many).

        .. versionadded:: 0.2
        """
        return self.refresh()

    @property
    def store_version(self) -> int:
        """The store version this engine's state reflects (0 if never attached).

        .. versionadded:: 0.2
        """
        return self._state.version


class GrantRequest:
    """A pending request for a privileged role; approve it with :meth:`approve`."""

    __module__ = "secpolicy.rbac"
    __slots__ = ("_engine", "request_id")

    def __init__(self, engine: RBAC, request_id: str) -> None:
        self._engine = engine
        self.request_id = request_id

    def approve(self, by: str) -> PrivilegedGrant | None:
        """Record *by*'s approval (see :meth:`RBAC.approve`)."""
        return self._engine.approve(self.request_id, by=by)

    @property
    def pending(self) -> PendingRequest | None:
        """The request's current state, or ``None`` once granted, revoked or removed."""
        return self._engine.state.pending.get(self.request_id)

    def __repr__(self) -> str:
        return f"GrantRequest({self.request_id!r})"


_ = (attrs, ConstraintViolation)

"""NIST sessions: a user's active subset of roles, seen through the engine's current state.

A session stores only which roles the user asked to have active. Every check
intersects them with what the user is authorized for *now* (so a revoked,
expired or de-assigned role, a deleted inheritance edge or a departed user
takes effect at once) and re-checks dynamic separation of duty against the
current constraints: a session that a newer constraint forbids denies every
request, with a reason, until it drops a role.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Protocol

from secpolicy.exceptions import AccessDenied, ConstraintViolation
from secpolicy.rbac._constraints import check_dsd, dsd_breach
from secpolicy.rbac._decide import decide, denied, effective, session_roles
from secpolicy.rbac._model import rule_of
from secpolicy.rbac._names import canon_action, canon_id, canon_resource

if TYPE_CHECKING:
    from contextlib import AbstractContextManager
    from datetime import datetime

    from secpolicy.rbac._model import Decision, Rule
    from secpolicy.rbac._state import State, UserInfo

__all__ = ["Session"]


class SessionHost(Protocol):
    """What a session needs from its engine (the engine implements it)."""

    def _snapshot(self) -> State: ...

    def _instant(self) -> datetime: ...

    def _locked(self) -> AbstractContextManager[object]: ...

    def _enforced(self, decision: Decision, state: State) -> None: ...

    def _now_fresh(self) -> tuple[datetime, str | None]: ...


class Session:
    """A user's session with some of their roles active (least privilege in use).

    Checks through a session consider only its active roles that the user is
    still authorized for. Removing the user ends the session.

    .. versionchanged:: 0.2
       A session is a view of the engine's current state: roles the user no
       longer holds stop counting at once, and a session that breaks a newer
       dynamic separation-of-duty constraint denies until a role is dropped.
    """

    __module__ = "secpolicy.rbac"
    __slots__ = ("__weakref__", "_active", "_closed", "_host", "_info", "_lock", "tenant", "user")

    def __init__(
        self,
        host: SessionHost,
        user: str,
        tenant: str | None,
        active: frozenset[str],
        info: UserInfo,
    ) -> None:
        self._host = host
        self.user = user
        self.tenant = tenant
        self._active = active
        self._info = info
        self._closed = False
        self._lock = threading.Lock()

    def _ended(self, state: State) -> bool:
        return self._closed or state.users.get(self.user) is not self._info

    @property
    def ended(self) -> bool:
        """True once closed, or once the user was removed."""
        return self._ended(self._host._snapshot())

    @property
    def active_roles(self) -> frozenset[str]:
        """The active roles the user still holds now (NIST SessionRoles)."""
        host = self._host
        state = host._snapshot()
        if self._ended(state):
            return frozenset()
        eff = effective(state, self.tenant, self.user, host._instant())
        return self._active & eff.roles

    def activate(self, role: str) -> None:
        """Make *role* active (NIST AddActiveRole).

        Raises:
            ConstraintViolation: If the session has ended, the user is not
                authorized for *role* now, or dynamic SoD forbids it
                (inherited roles count).
        """
        name = canon_id(role, "role")
        host = self._host
        with host._locked(), self._lock:
            state = host._snapshot()
            if self._ended(state):
                raise ConstraintViolation("the session has ended")
            eff = effective(state, self.tenant, self.user, host._instant())
            if name not in eff.roles:
                raise ConstraintViolation(f"{self.user!r} is not authorized for {name!r}")
            wanted = (self._active & eff.roles) | {name}
            roles, _ = session_roles(state, eff, wanted)
            check_dsd(state, roles)
            self._active = wanted

    def drop(self, role: str) -> None:
        """Deactivate *role* (NIST DropActiveRole)."""
        name = canon_id(role, "role")
        with self._lock:
            self._active = self._active - {name}

    def decide(self, resource: str, action: str) -> Decision:
        """The decision through the active roles only (no event is reported).

        Raises:
            InvalidNameError: For a malformed resource or action name.
        """
        return self._decide(resource, action)

    def _decide(self, resource: str, action: str) -> Decision:
        segments = canon_resource(resource)
        act = canon_action(action)
        host = self._host
        text = "/".join(segments)
        # The staleness mark is read before the clock and the state (as in
        # RBAC.check), so a refresh landing in between can only make the
        # answer stricter.
        now, stale = host._now_fresh()
        state = host._snapshot()
        if stale is not None:
            return denied(self.tenant, self.user, text, act, stale)
        if self._ended(state):
            return denied(self.tenant, self.user, text, act, "the session has ended")
        eff = effective(state, self.tenant, self.user, now)
        roles, plain = session_roles(state, eff, self._active)
        breach = dsd_breach(state, roles)
        if breach is not None:
            return denied(
                self.tenant, self.user, text, act, f"the session breaks {breach}; drop a role"
            )
        return decide(
            state,
            self.tenant,
            self.user,
            segments,
            act,
            eff,
            roles=roles,
            plain=plain,
            starts=self._active & eff.roles,
        )

    def check(self, resource: str, action: str) -> bool:
        """True if the active roles allow *action* on *resource* now (NIST CheckAccess).

        A use of a privileged grant is reported to the engine's hook.
        """
        decision = self._decide(resource, action)
        self._host._enforced(decision, self._host._snapshot())
        return decision.allowed

    def require(self, resource: str, action: str) -> Decision:
        """Return the decision if allowed.

        Raises:
            AccessDenied: Carrying the decision.
        """
        decision = self._decide(resource, action)
        self._host._enforced(decision, self._host._snapshot())
        if not decision.allowed:
            raise AccessDenied(decision)
        return decision

    def permissions(self) -> tuple[Rule, ...]:
        """The rules reachable through the active roles now (NIST SessionPermissions)."""
        host = self._host
        state = host._snapshot()
        if self._ended(state):
            return ()
        eff = effective(state, self.tenant, self.user, host._instant())
        roles, _ = session_roles(state, eff, self._active)
        seen: dict[Rule, None] = {}
        for role in sorted(roles):
            for key in ((None, role), (self.tenant, role)):
                for record in state.rule_index.get(key, {}).values():
                    seen[rule_of(record)] = None
        return tuple(seen)

    def close(self) -> None:
        """End the session (NIST DeleteSession)."""
        with self._lock:
            self._closed = True
            self._active = frozenset()

    def __repr__(self) -> str:
        state = "ended" if self.ended else f"active={sorted(self.active_roles)}"
        return f"Session({self.user!r}, {state})"

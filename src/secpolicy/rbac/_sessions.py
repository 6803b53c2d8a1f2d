"""NIST sessions: a user's active subset of roles, under dynamic separation of duty."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from secpolicy.exceptions import AccessDenied, ConstraintViolation

if TYPE_CHECKING:
    from datetime import datetime

    from secpolicy.rbac._engine import RBAC
    from secpolicy.rbac._model import Decision, Rule
    from secpolicy.rbac._state import State


class Session:
    """A user's session with some of their roles active (least privilege in use).

    Checks through a session consider only its active roles. Deassigning a
    role drops it from the user's sessions; removing the user ends them.
    """

    __slots__ = ("__weakref__", "_active", "_engine", "_lock", "ended", "tenant", "user")

    def __init__(self, engine: RBAC, user: str, tenant: str | None, active: frozenset[str]) -> None:
        self._engine = engine
        self.user = user
        self.tenant = tenant
        self._active = active
        self._lock = threading.Lock()
        self.ended = False

    @property
    def active_roles(self) -> frozenset[str]:
        """The roles active now (NIST SessionRoles)."""
        return self._active

    def activate(self, role: str) -> None:
        """Make *role* active (NIST AddActiveRole).

        Raises:
            ConstraintViolation: If the session has ended, the user is not
                authorized for *role*, or dynamic SoD forbids it.
        """
        from secpolicy.rbac._engine import _check_dsd  # noqa: PLC0415 (module cycle)

        with self._lock:
            self._require_open()
            state = self._engine.state
            if role not in state.authorized(self.tenant, self.user, self._engine._clock.now()):
                raise ConstraintViolation(f"{self.user!r} is not authorized for {role!r}")
            wanted = self._active | {role}
            _check_dsd(state, wanted)
            self._active = wanted

    def drop(self, role: str) -> None:
        """Deactivate *role* (NIST DropActiveRole)."""
        with self._lock:
            self._active = self._active - {role}

    def check(self, resource: str, action: str, *, now: datetime | None = None) -> bool:
        """True if the active roles allow *action* on *resource* (NIST CheckAccess)."""
        return self.decide(resource, action, now=now).allowed

    def decide(self, resource: str, action: str, *, now: datetime | None = None) -> Decision:
        """The decision through the active roles only."""
        engine = self._engine
        # An ended session has no active roles (close() also clears them).
        active = frozenset() if self.ended else self._active
        return engine._decision(
            engine.state,
            self.user,
            resource,
            action,
            tenant=self.tenant,
            now=engine._now(now),
            roles=active,
        )

    def require(self, resource: str, action: str, *, now: datetime | None = None) -> Decision:
        """Return the decision if allowed.

        Raises:
            AccessDenied: Carrying the decision.
        """
        decision = self.decide(resource, action, now=now)
        if not decision.allowed:
            raise AccessDenied(decision)
        return decision

    def permissions(self) -> tuple[Rule, ...]:
        """The rules reachable through the active roles (NIST SessionPermissions)."""
        state = self._engine.state
        seen: dict[Rule, None] = {}
        for role in sorted(self._active):
            for junior in sorted(state.closure.get(role, ())):
                for key in ((None, junior), (self.tenant, junior)):
                    for rule in state.rules.get(key, ()):
                        seen[rule] = None
        return tuple(seen)

    def close(self) -> None:
        """End the session (NIST DeleteSession)."""
        self._end()

    def _end(self) -> None:
        with self._lock:
            self.ended = True
            self._active = frozenset()

    def _forget(self, state: State) -> None:
        """Drop active roles the user no longer holds."""
        with self._lock:
            self._active = self._active & state.authorized(
                self.tenant, self.user, self._engine._clock.now()
            )

    def _require_open(self) -> None:
        if self.ended:
            raise ConstraintViolation("the session has ended")

    def __repr__(self) -> str:
        state = "ended" if self.ended else f"active={sorted(self._active)}"
        return f"Session({self.user!r}, {state})"

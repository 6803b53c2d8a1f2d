"""Session rules a password policy declares: idle timeout, absolute lifetime, second factor."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

import attrs

from secpolicy._clock import to_utc
from secpolicy.exceptions import PolicyConfigError

if TYPE_CHECKING:
    from secpolicy.password._policy import PasswordPolicy

#: Why a session may not go on.
SessionReason = Literal["idle_timeout", "absolute_timeout", "mfa_required"]


def _optional_positive(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (not isinstance(value, timedelta) or value <= timedelta(0)):
        raise PolicyConfigError("must be a positive timedelta or None", field=attribute.name)


def _flag(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    # A session store hands back text ("false", "0") or numbers; any of them
    # is truthy, and a second factor must never count as done by accident.
    if not isinstance(value, bool):
        raise PolicyConfigError(
            f"must be True or False, not {type(value).__name__}", field=attribute.name
        )


def _aware(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, datetime):
        raise PolicyConfigError("must be an aware datetime", field=attribute.name)
    to_utc(value, name=attribute.name)


@attrs.frozen(kw_only=True)
class SessionState:
    """What a service stores per login session (in its session store).

    Attributes:
        started_at: When the user authenticated (aware).
        last_activity: The last request that counted as activity (aware).
        mfa_verified: The user completed a second factor in this session
            (``True`` or ``False`` only: text such as ``"false"`` read back
            from a session store raises ``PolicyConfigError``).

    .. versionadded:: 0.2
    """

    started_at: datetime = attrs.field(validator=_aware)
    last_activity: datetime = attrs.field(validator=_aware)
    mfa_verified: bool = attrs.field(default=False, validator=_flag)

    @classmethod
    def start(cls, *, now: datetime, mfa_verified: bool = False) -> SessionState:
        """A session that begins at *now*."""
        return cls(started_at=now, last_activity=now, mfa_verified=mfa_verified)


@attrs.frozen
class SessionCheck:
    """Whether a session may go on.

    Attributes:
        reasons: Every rule the session breaks, in a fixed order.
        expires_at: When the session ends if idle from now on, or None.
    """

    reasons: tuple[SessionReason, ...]
    expires_at: datetime | None

    @property
    def ok(self) -> bool:
        """True if the session may serve the request."""
        return not self.reasons

    def __bool__(self) -> bool:
        return self.ok


@attrs.frozen(kw_only=True)
class SessionPolicy:
    """Enforces a policy's ``idle_timeout`` and ``mfa_required`` on login sessions.

    A :class:`PasswordPolicy` only declares these; this is what checks them
    on every request. Build one from a profile with :meth:`from_password_policy`
    and keep a :class:`SessionState` per session::

        sessions = SessionPolicy.from_password_policy(profiles.PCI_DSS_4)
        state = SessionState.start(now=login_time, mfa_verified=True)
        verdict = sessions.check(state, now=request_time)
        if not verdict.ok:
            ...  # log out; ask for the password (and second factor) again
        state = sessions.touch(state, now=request_time)

    Args:
        idle_timeout: End a session idle for this long (PCI DSS 8.2.8: 15 min).
        absolute_timeout: End a session this long after login, active or
            not, or None.
        mfa_required: Refuse sessions without a completed second factor.

    .. versionadded:: 0.2
    """

    idle_timeout: timedelta | None = attrs.field(default=None, validator=_optional_positive)
    absolute_timeout: timedelta | None = attrs.field(default=None, validator=_optional_positive)
    mfa_required: bool = attrs.field(default=False, validator=_flag)

    @classmethod
    def from_password_policy(
        cls, policy: PasswordPolicy, *, absolute_timeout: timedelta | None = None
    ) -> SessionPolicy:
        """The session rules *policy* declares (its ``idle_timeout`` and ``mfa_required``)."""
        return cls(
            idle_timeout=policy.idle_timeout,
            absolute_timeout=absolute_timeout,
            mfa_required=policy.mfa_required,
        )

    def check(self, session: SessionState, *, now: datetime) -> SessionCheck:
        """Every rule *session* breaks at *now* (the time of the request being served).

        A session whose last activity lies in the future of *now* is treated
        as active at *now*; a clock that goes backwards never extends it.
        """
        now = to_utc(now, name="now")
        last = to_utc(session.last_activity, name="last_activity")
        started = to_utc(session.started_at, name="started_at")
        reasons: list[SessionReason] = []
        ends: list[datetime] = []
        if self.idle_timeout is not None:
            idle_end = min(last, now) + self.idle_timeout
            ends.append(idle_end)
            if now >= idle_end:
                reasons.append("idle_timeout")
        if self.absolute_timeout is not None:
            absolute_end = started + self.absolute_timeout
            ends.append(absolute_end)
            if now >= absolute_end:
                reasons.append("absolute_timeout")
        if self.mfa_required and not session.mfa_verified:
            reasons.append("mfa_required")
        return SessionCheck(tuple(reasons), min(ends) if ends else None)

    def touch(self, session: SessionState, *, now: datetime) -> SessionState:
        """*session* with its activity moved to *now*, if it may go on.

        A session that has ended is not revived: it is returned unchanged, and
        :meth:`check` keeps refusing it.
        """
        if not self.check(session, now=now).ok:
            return session
        latest = max(to_utc(session.last_activity, name="last_activity"), to_utc(now, name="now"))
        return attrs.evolve(session, last_activity=latest)

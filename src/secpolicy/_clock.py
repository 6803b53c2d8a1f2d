"""Time as an argument.

secpolicy never reads the wall clock deep inside its code: functions that
depend on "now" take ``now=`` or a :class:`Clock`. This module holds the clock
protocol, the two clocks secpolicy ships, and helpers that refuse naive
datetimes.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from secpolicy.exceptions import ArgumentTypeError, InvalidArgumentError, NaiveDatetimeError

__all__ = ["Clock", "FrozenClock", "SystemClock", "ensure_aware", "to_utc"]


@runtime_checkable
class Clock(Protocol):
    """Anything that can tell the current time as an aware datetime."""

    def now(self) -> datetime:
        """Return the current instant as an aware datetime."""
        ...


class SystemClock:
    """The wall clock, in UTC.

    Example:
        >>> SystemClock().now().tzinfo is not None
        True
    """

    __slots__ = ()

    def now(self) -> datetime:
        """Return the current instant in UTC."""
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class FrozenClock:
    """A clock that stands still until told to move; for tests and replays.

    Args:
        start: The initial instant; must be aware.

    Example:
        >>> from datetime import datetime, timedelta, UTC
        >>> clock = FrozenClock(datetime(2024, 1, 1, tzinfo=UTC))
        >>> clock.advance(timedelta(minutes=30)).isoformat()
        '2024-01-01T00:30:00+00:00'
    """

    __slots__ = ("_lock", "_now")

    def __init__(self, start: datetime) -> None:
        self._now = to_utc(start, name="start")
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """Return the clock's current instant (UTC)."""
        with self._lock:
            return self._now

    def set(self, value: datetime) -> datetime:
        """Move the clock to *value* (which may be earlier) and return it in UTC."""
        value = to_utc(value, name="value")
        with self._lock:
            self._now = value
        return value

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward by *delta* and return the new instant.

        Raises:
            InvalidArgumentError: If *delta* is negative (a ``ValueError``);
                use :meth:`set` to go back.
        """
        if delta < timedelta(0):
            raise InvalidArgumentError(
                "delta must not be negative; use set() to move the clock back", argument="delta"
            )
        with self._lock:
            self._now += delta
            return self._now

    def __repr__(self) -> str:
        return f"FrozenClock({self._now.isoformat()!r})"


def ensure_aware(value: datetime, *, name: str) -> datetime:
    """Return *value* unchanged if it is an aware datetime.

    Args:
        value: The datetime to check.
        name: The argument or field name, used in the error message.

    Raises:
        ArgumentTypeError: If *value* is not a datetime (a ``TypeError``).
        NaiveDatetimeError: If *value* has no time zone.
    """
    if not isinstance(value, datetime):
        raise ArgumentTypeError(
            f"{name} must be a datetime, not {type(value).__name__}", argument=name
        )
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise NaiveDatetimeError(
            f"{name} must be an aware datetime (with tzinfo); naive datetimes are ambiguous"
        )
    return value


def to_utc(value: datetime, *, name: str) -> datetime:
    """Return *value* converted to UTC, refusing naive datetimes.

    Raises:
        ArgumentTypeError: If *value* is not a datetime (a ``TypeError``).
        NaiveDatetimeError: If *value* has no time zone.
    """
    return ensure_aware(value, name=name).astimezone(UTC)

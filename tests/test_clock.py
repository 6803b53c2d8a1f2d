"""Clocks and aware-datetime helpers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from secpolicy import Clock, FrozenClock, SystemClock
from secpolicy._clock import ensure_aware, to_utc
from secpolicy.exceptions import NaiveDatetimeError

SHANGHAI = timezone(timedelta(hours=8))


class TestSystemClock:
    def test_now_is_aware_utc(self) -> None:
        """The system clock reports aware UTC instants."""
        now = SystemClock().now()
        assert now.tzinfo is UTC

    def test_satisfies_protocol(self) -> None:
        """SystemClock is a Clock."""
        assert isinstance(SystemClock(), Clock)
        assert repr(SystemClock()) == "SystemClock()"


class TestFrozenClock:
    def test_stands_still(self) -> None:
        """Two reads without a move return the same instant."""
        clock = FrozenClock(datetime(2024, 1, 1, tzinfo=UTC))
        assert clock.now() == clock.now() == datetime(2024, 1, 1, tzinfo=UTC)
        assert isinstance(clock, Clock)

    def test_converts_to_utc(self) -> None:
        """A start in another zone is stored as the same instant in UTC."""
        clock = FrozenClock(datetime(2024, 1, 1, 8, tzinfo=SHANGHAI))
        assert clock.now() == datetime(2024, 1, 1, tzinfo=UTC)
        assert clock.now().tzinfo is UTC

    def test_advance_and_set(self) -> None:
        """advance moves forward; set moves anywhere."""
        clock = FrozenClock(datetime(2024, 1, 1, tzinfo=UTC))
        assert clock.advance(timedelta(hours=1)) == datetime(2024, 1, 1, 1, tzinfo=UTC)
        assert clock.set(datetime(2023, 1, 1, tzinfo=UTC)) == datetime(2023, 1, 1, tzinfo=UTC)
        assert clock.now() == datetime(2023, 1, 1, tzinfo=UTC)
        assert "2023-01-01" in repr(clock)

    def test_advance_refuses_negative(self) -> None:
        """Going back needs set(), not a negative advance."""
        clock = FrozenClock(datetime(2024, 1, 1, tzinfo=UTC))
        with pytest.raises(ValueError, match="negative"):
            clock.advance(timedelta(seconds=-1))

    def test_refuses_naive_start(self) -> None:
        """A naive start is refused with the argument's name."""
        with pytest.raises(NaiveDatetimeError, match="start"):
            FrozenClock(datetime(2024, 1, 1))  # noqa: DTZ001


class TestHelpers:
    def test_ensure_aware_passes_aware(self) -> None:
        """Aware datetimes pass through unchanged."""
        value = datetime(2024, 1, 1, tzinfo=SHANGHAI)
        assert ensure_aware(value, name="x") is value

    def test_ensure_aware_names_field(self) -> None:
        """The error names the field that was naive."""
        with pytest.raises(NaiveDatetimeError, match="created"):
            ensure_aware(datetime(2024, 1, 1), name="created")  # noqa: DTZ001

    def test_ensure_aware_rejects_non_datetime(self) -> None:
        """A date is not a datetime."""
        with pytest.raises(TypeError, match="now must be a datetime, not date"):
            ensure_aware(date(2024, 1, 1), name="now")  # type: ignore[arg-type]

    def test_to_utc(self) -> None:
        """to_utc converts to the UTC zone."""
        assert to_utc(datetime(2024, 1, 1, 8, tzinfo=SHANGHAI), name="x") == datetime(
            2024, 1, 1, tzinfo=UTC
        )

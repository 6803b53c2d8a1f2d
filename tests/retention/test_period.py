"""Period arithmetic: calendar months from the anchor, clamping, day and instant semantics."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secpolicy.exceptions import InvalidArgumentError, NaiveDatetimeError, PolicyConfigError
from secpolicy.retention import PERMANENT, Period

SH = ZoneInfo("Asia/Shanghai")


class TestEndDate:
    @pytest.mark.parametrize(
        ("anchor", "period", "expected"),
        [
            # REFERENCES.md: never chain; month ends clamp.
            (date(2024, 1, 31), Period(months=1), date(2024, 2, 29)),
            (date(2024, 1, 31), Period(months=2), date(2024, 3, 31)),
            (date(2023, 1, 31), Period(months=1), date(2023, 2, 28)),
            (date(2024, 2, 29), Period(years=1), date(2025, 2, 28)),
            (date(2024, 2, 29), Period(years=4), date(2028, 2, 29)),
            (date(2024, 8, 31), Period(months=6), date(2025, 2, 28)),
            (date(2024, 3, 31), Period(months=1), date(2024, 4, 30)),
            (date(2024, 12, 31), Period(months=2), date(2025, 2, 28)),
            (date(2100, 1, 31), Period(months=1), date(2100, 2, 28)),
            (date(2024, 1, 1), Period(days=60), date(2024, 3, 1)),
            (date(2024, 1, 15), Period(years=1, months=1, days=1), date(2025, 2, 16)),
            (date(2024, 5, 5), Period(), date(2024, 5, 5)),
        ],
    )
    def test_table(self, anchor: date, period: Period, expected: date) -> None:
        """Month-end and leap-year cases land on the expected day."""
        assert period.end_date(anchor) == expected

    def test_six_months_is_not_180_days(self) -> None:
        """Six months from Aug 31 is Feb 28, not 180 days later."""
        assert Period(months=6).end_date(date(2024, 8, 31)) != date(2024, 8, 31) + timedelta(180)

    def test_permanent_has_no_end(self) -> None:
        """PERMANENT never ends."""
        with pytest.raises(ValueError, match="no end"):
            PERMANENT.end_date(date(2024, 1, 1))
        assert PERMANENT.end(datetime(2024, 1, 1, tzinfo=UTC), tz=UTC) is None


class TestEnd:
    def test_references_case(self) -> None:
        """At least 6 months from 2024-08-31 in Shanghai: eligible 2025-03-01 00:00 +08:00."""
        end = Period(months=6).end(datetime(2024, 8, 31, 15, tzinfo=SH), tz=SH)
        assert end == datetime(2025, 3, 1, tzinfo=SH)
        assert end is not None
        assert end.isoformat() == "2025-03-01T00:00:00+08:00"

    def test_utc_instant_already_next_day_in_shanghai(self) -> None:
        """2024-08-30 17:00 UTC is 2024-08-31 01:00 in Shanghai; Shanghai's day counts."""
        end = Period(months=6).end(datetime(2024, 8, 30, 17, tzinfo=UTC), tz=SH)
        assert end == datetime(2025, 3, 1, tzinfo=SH)
        in_utc = Period(months=6).end(datetime(2024, 8, 30, 17, tzinfo=UTC), tz=UTC)
        assert in_utc == datetime(2025, 3, 1, tzinfo=UTC)

    def test_instant_semantics(self) -> None:
        """Instant semantics keep the wall-clock time."""
        end = Period(months=6).end(datetime(2024, 8, 31, 15, tzinfo=SH), tz=SH, semantics="instant")
        assert end == datetime(2025, 2, 28, 15, tzinfo=SH)

    def test_naive_anchor_refused(self) -> None:
        """A naive anchor is refused."""
        with pytest.raises(NaiveDatetimeError, match="anchor"):
            Period(days=1).end(datetime(2024, 1, 1), tz=UTC)  # noqa: DTZ001

    @pytest.mark.parametrize(
        "semantics", ["bogus", "Day", "DAY", " day", "instant ", "", None, 1, ["day"]]
    )
    @pytest.mark.parametrize("period", [Period(months=6), PERMANENT])
    def test_unknown_semantics_refused(self, period: Period, semantics: object) -> None:
        """An unknown semantics value is an InvalidArgumentError, never a silent "day"."""
        with pytest.raises(InvalidArgumentError, match="semantics") as caught:
            period.end(datetime(2024, 8, 31, 15, tzinfo=SH), tz=SH, semantics=semantics)  # type: ignore[arg-type]
        assert caught.value.argument == "semantics"

    @given(
        anchor=st.datetimes(
            min_value=datetime(1990, 1, 1),  # noqa: DTZ001 (hypothesis bounds are naive)
            max_value=datetime(2090, 1, 1),  # noqa: DTZ001
            timezones=st.just(UTC),
        ),
        years=st.integers(0, 10),
        months=st.integers(0, 30),
        days=st.integers(0, 400),
    )
    def test_never_before_naive_addition(
        self, anchor: datetime, years: int, months: int, days: int
    ) -> None:
        """Under day semantics disposal is never before anchor + period."""
        period = Period(years, months, days)
        end = period.end(anchor, tz=SH)
        assert end is not None
        local = anchor.astimezone(SH)
        assert end.date() == period.end_date(local.date()) + timedelta(days=1)
        instant = period.end(anchor, tz=SH, semantics="instant")
        assert instant is not None
        assert end >= instant


class TestValidation:
    @pytest.mark.parametrize("field", ["years", "months", "days"])
    def test_negative(self, field: str) -> None:
        """Negative parts name the field."""
        with pytest.raises(PolicyConfigError, match=f"period.{field}: must be >= 0"):
            Period(**{field: -1})

    def test_non_integer(self) -> None:
        """Fractions and booleans are not whole numbers."""
        with pytest.raises(PolicyConfigError, match="whole number"):
            Period(months=1.5)  # type: ignore[arg-type]
        with pytest.raises(PolicyConfigError, match="whole number"):
            Period(days=True)

    def test_permanent_with_parts(self) -> None:
        """A permanent period cannot also have parts."""
        with pytest.raises(PolicyConfigError, match="permanent"):
            Period(years=1, permanent=True)

    @pytest.mark.parametrize("value", [-1, 1.5, True])
    @pytest.mark.parametrize("field", ["years", "months", "days"])
    def test_error_path_is_the_field(self, field: str, value: object) -> None:
        """The error's field is the exact dotted path, for negative and non-integer parts."""
        with pytest.raises(PolicyConfigError) as caught:
            Period(**{field: value})  # type: ignore[arg-type]
        assert caught.value.field == f"period.{field}"
        assert str(caught.value).startswith(f"period.{field}: ")

    def test_permanent_error_path(self) -> None:
        """A permanent period with parts is an error about the period as a whole."""
        with pytest.raises(PolicyConfigError) as caught:
            Period(days=1, permanent=True)
        assert caught.value.field == "period"

    def test_permanent_is_keyword_only(self) -> None:
        """The permanent flag cannot be passed by position by mistake."""
        with pytest.raises(TypeError):
            Period(0, 0, 0, True)  # type: ignore[misc]


class TestCovers:
    @pytest.mark.parametrize(
        ("longer", "shorter", "expected"),
        [
            (Period(months=12), Period(months=6), True),
            (Period(months=6), Period(months=12), False),
            (Period(years=1), Period(months=12), True),
            (Period(months=12), Period(years=1), True),
            (Period(months=11), Period(years=1), False),
            (Period(days=30), Period(days=30), True),
            (Period(days=29), Period(days=30), False),
            (Period(days=60), Period(days=59), True),
            (Period(months=1), Period(days=28), True),
            (Period(months=1), Period(days=30), False),
            (Period(days=31), Period(months=1), True),
            (Period(years=1), Period(days=365), True),
            (Period(days=365), Period(years=1), False),
            (PERMANENT, Period(years=100), True),
            (Period(years=100), PERMANENT, False),
        ],
    )
    def test_covers(self, longer: Period, shorter: Period, expected: bool) -> None:
        """covers() holds only if longer from every anchor."""
        assert longer.covers(shorter) is expected

    def test_str(self) -> None:
        """Periods read naturally."""
        assert str(Period(1, 2, 3)) == "1 year 2 months 3 days"
        assert str(Period(months=1)) == "1 month"
        assert str(Period()) == "0 days"
        assert str(PERMANENT) == "permanent"

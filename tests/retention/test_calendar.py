"""Working-day calendars: the official Chinese schedules and deadlines."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secpolicy.exceptions import CalendarCoverageError, PolicyConfigError
from secpolicy.retention import WorkdayCalendar

SH = ZoneInfo("Asia/Shanghai")
CN = WorkdayCalendar.china()

# The State Council's notices: weekday rest days and weekend working days.
OFFICIAL = {
    2024: {
        "rest": [
            "01-01",
            *(f"02-{d}" for d in (12, 13, 14, 15, 16)),
            "04-04",
            "04-05",
            "05-01",
            "05-02",
            "05-03",
            "06-10",
            "09-16",
            "09-17",
            *(f"10-0{d}" for d in (1, 2, 3, 4, 7)),
        ],
        "work": ["02-04", "02-18", "04-07", "04-28", "05-11", "09-14", "09-29", "10-12"],
    },
    2025: {
        "rest": [
            "01-01",
            "01-28",
            "01-29",
            "01-30",
            "01-31",
            "02-03",
            "02-04",
            "04-04",
            "05-01",
            "05-02",
            "05-05",
            "06-02",
            *(f"10-0{d}" for d in (1, 2, 3, 6, 7, 8)),
        ],
        "work": ["01-26", "02-08", "04-27", "09-28", "10-11"],
    },
}


def _days(year: int) -> list[date]:
    start = date(year, 1, 1)
    return [start + timedelta(n) for n in range((date(year + 1, 1, 1) - start).days)]


class TestOfficialSchedules:
    @pytest.mark.parametrize("year", sorted(OFFICIAL))
    def test_weekday_rest_days(self, year: int) -> None:
        """Exactly the official weekday rest days are not working days."""
        rest = {d for d in _days(year) if d.weekday() < 5 and not CN.is_workday(d)}
        assert rest == {date.fromisoformat(f"{year}-{md}") for md in OFFICIAL[year]["rest"]}

    @pytest.mark.parametrize("year", sorted(OFFICIAL))
    def test_weekend_working_days(self, year: int) -> None:
        """Exactly the official adjusted weekend days (调休) are working days."""
        work = {d for d in _days(year) if d.weekday() >= 5 and CN.is_workday(d)}
        assert work == {date.fromisoformat(f"{year}-{md}") for md in OFFICIAL[year]["work"]}

    def test_references_examples(self) -> None:
        """Sundays 2024-02-04 and 2024-09-29 worked; 2024-10-01..07 rested."""
        assert CN.is_workday(date(2024, 2, 4))
        assert CN.is_workday(date(2024, 9, 29))
        assert not any(CN.is_workday(date(2024, 10, d)) for d in range(1, 8))


class TestCoverage:
    def test_uncovered_year_refused(self) -> None:
        """A year without a published schedule raises instead of guessing."""
        last = CN.covered.stop - 1
        with pytest.raises(CalendarCoverageError, match=f"no data for {last + 1}"):
            CN.is_workday(date(last + 1, 3, 2))
        with pytest.raises(CalendarCoverageError):
            CN.is_workday(date(CN.covered.start - 1, 3, 2))

    def test_counting_into_uncovered_year(self) -> None:
        """A deadline that runs past the data raises too."""
        last = CN.covered.stop - 1
        with pytest.raises(CalendarCoverageError):
            CN.add_workdays(date(last, 12, 30), 5)

    def test_restricted_coverage(self) -> None:
        """first_year and last_year narrow the coverage."""
        cal = WorkdayCalendar.china(first_year=2024, last_year=2025)
        assert cal.covered == range(2024, 2026)
        assert repr(cal) == "WorkdayCalendar(China, 2024-2025)"
        with pytest.raises(CalendarCoverageError):
            cal.is_workday(date(2023, 6, 1))
        with pytest.raises(PolicyConfigError):
            WorkdayCalendar.china(first_year=2025, last_year=2024)

    def test_datetime_is_not_a_date(self) -> None:
        """Instants must be converted to a local date first."""
        with pytest.raises(TypeError, match="pass a date"):
            CN.is_workday(datetime(2024, 1, 2, tzinfo=UTC))


class TestDeadlines:
    def test_t_plus_one_across_national_day(self) -> None:
        """T+1 from 2024-09-30 is 2024-10-08."""
        assert CN.add_workdays(date(2024, 9, 30), 1) == date(2024, 10, 8)

    def test_three_working_days(self) -> None:
        """Within 3 working days of 2024-09-29 (a working Sunday)."""
        assert CN.add_workdays(date(2024, 9, 29), 3) == date(2024, 10, 9)

    def test_plus_zero(self) -> None:
        """T+0 is the day itself if it works, else the next working day."""
        assert CN.add_workdays(date(2024, 10, 8), 0) == date(2024, 10, 8)
        assert CN.add_workdays(date(2024, 10, 1), 0) == date(2024, 10, 8)

    def test_negative(self) -> None:
        """Counting backwards is not supported."""
        with pytest.raises(ValueError, match="n must be"):
            CN.add_workdays(date(2024, 10, 8), -1)

    def test_between(self) -> None:
        """Working days between two dates, both orders."""
        assert CN.workdays_between(date(2024, 9, 30), date(2024, 10, 8)) == 1
        assert CN.workdays_between(date(2024, 10, 8), date(2024, 9, 30)) == -1
        assert CN.workdays_between(date(2024, 5, 6), date(2024, 5, 6)) == 0

    @given(st.dates(date(2024, 1, 1), date(2025, 10, 31)), st.integers(1, 40))
    def test_between_inverts_add(self, start: date, n: int) -> None:
        """workdays_between(d, add_workdays(d, n)) == n."""
        assert CN.workdays_between(start, CN.add_workdays(start, n)) == n

    def test_due_by_hours(self) -> None:
        """24 hours is elapsed time, whatever the holidays."""
        leak = datetime(2024, 9, 30, 16, tzinfo=SH)
        assert CN.due_by(leak, hours=24) == datetime(2024, 10, 1, 16, tzinfo=SH)
        assert CN.due_by(leak, minutes=90) == datetime(2024, 9, 30, 17, 30, tzinfo=SH)

    def test_due_by_workdays(self) -> None:
        """Within N working days ends at midnight after the N-th working day."""
        start = datetime(2024, 9, 30, 8, tzinfo=UTC)  # 16:00 in Shanghai
        due = CN.due_by(start, workdays=1)
        assert due == datetime(2024, 10, 9, tzinfo=SH)
        assert due.tzinfo == SH

    def test_due_by_without_offsets(self) -> None:
        """No offsets returns the start in the calendar's zone."""
        start = datetime(2024, 9, 30, 8, tzinfo=UTC)
        assert CN.due_by(start) == start


class TestUserDays:
    def test_extra_days_win(self) -> None:
        """A company closure and a make-up Saturday override the official days."""
        cal = CN.with_days(holidays=[date(2024, 10, 8)], workdays=[date(2024, 10, 5)])
        assert not cal.is_workday(date(2024, 10, 8))
        assert cal.is_workday(date(2024, 10, 5))
        assert CN.is_workday(date(2024, 10, 8))  # the original is unchanged

    def test_user_can_undo_official_day(self) -> None:
        """An official adjusted working day can be made a rest day."""
        cal = CN.with_days(holidays=[date(2024, 9, 29)])
        assert not cal.is_workday(date(2024, 9, 29))

    def test_conflicting_days(self) -> None:
        """A day cannot be both."""
        with pytest.raises(PolicyConfigError, match="both"):
            CN.with_days(holidays=[date(2024, 1, 2)], workdays=[date(2024, 1, 2)])

    def test_custom_calendar(self) -> None:
        """A calendar without official data is Monday to Friday within its coverage."""
        cal = WorkdayCalendar(covered=range(2024, 2025), tz="Europe/Berlin", name="plain")
        assert cal.add_workdays(date(2024, 1, 5), 1) == date(2024, 1, 8)
        assert cal.tz == ZoneInfo("Europe/Berlin")

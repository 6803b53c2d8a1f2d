"""Working-day calendars for deadlines such as T+1 working day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo

from secpolicy._clock import ensure_aware
from secpolicy.exceptions import CalendarCoverageError, PolicyConfigError

if TYPE_CHECKING:
    from collections.abc import Iterable

_SATURDAY: Final = 5


def _china_data(first: int | None, last: int | None) -> tuple[set[date], set[date], range]:
    """Official holidays, adjusted working days and the years the data covers.

    The holidays package records each year's State Council schedule; the
    years with a published schedule are the ones we can answer for.
    """
    # Imported here: the data is loaded only when a Chinese calendar is built.
    from holidays.countries.china import China, ChinaStaticHolidays  # noqa: PLC0415

    published = sorted(getattr(ChinaStaticHolidays, "special_public_holidays", {}))
    if not published:  # pragma: no cover - guards against a change in the package's layout
        raise CalendarCoverageError(
            "the holidays package no longer exposes China's per-year schedules; "
            "pass first_year= and last_year= explicitly"
        )
    start = published[0] if first is None else first
    end = published[-1] if last is None else last
    if start > end:
        raise PolicyConfigError("first_year must not be after last_year", field="first_year")
    years = range(start, end + 1)
    data = China(years=years)  # type: ignore[no-untyped-call]  # holidays is untyped here
    return set(data), {d for d in data.weekend_workdays if d.year in years}, years


class WorkdayCalendar:
    """Tells working days from rest days, and counts deadlines in working days.

    A day is a working day if the user added it as one, else not if the user
    added it as a holiday, else if the official schedule makes it a working
    day (China's adjusted weekend days, 调休), else not if it is an official
    holiday, else if it is Monday to Friday.

    Args:
        holidays: Official rest days.
        workdays: Weekend days that are working days.
        covered: The years the data covers; questions about other years raise
            :class:`~secpolicy.exceptions.CalendarCoverageError`.
        tz: The zone deadlines are computed in.
        name: A label for messages.

    Example:
        >>> from datetime import date
        >>> from secpolicy.retention import WorkdayCalendar
        >>> cal = WorkdayCalendar.china()
        >>> cal.add_workdays(date(2024, 9, 30), 1)  # T+1 across National Day
        datetime.date(2024, 10, 8)
    """

    __slots__ = ("_holidays", "_workdays", "covered", "name", "tz")

    def __init__(
        self,
        *,
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
        covered: range,
        tz: str | tzinfo = "UTC",
        name: str = "custom",
    ) -> None:
        self._holidays = frozenset(holidays)
        self._workdays = frozenset(workdays)
        self.covered = covered
        self.tz = ZoneInfo(tz) if isinstance(tz, str) else tz
        self.name = name

    @classmethod
    def china(
        cls, *, first_year: int | None = None, last_year: int | None = None
    ) -> WorkdayCalendar:
        """The official calendar of mainland China, in Asia/Shanghai time.

        Holidays and adjusted working days come from the ``holidays`` package,
        which records the State Council's yearly notices. Coverage defaults to
        the years with a published notice in the installed version; the State
        Council publishes each year's schedule late in the previous year, so
        upgrade ``holidays`` to answer for a newly published year.

        Args:
            first_year: Restrict coverage to start at this year.
            last_year: Restrict coverage to end at this year.
        """
        official, adjusted, years = _china_data(first_year, last_year)
        return cls(
            holidays=official, workdays=adjusted, covered=years, tz="Asia/Shanghai", name="China"
        )

    def with_days(
        self, *, holidays: Iterable[date] = (), workdays: Iterable[date] = ()
    ) -> WorkdayCalendar:
        """A copy with extra rest days and working days of the user's own.

        A company closure becomes a holiday; a make-up Saturday a working day.
        The user's days win over the official ones.
        """
        extra_holidays, extra_workdays = set(holidays), set(workdays)
        if extra_holidays & extra_workdays:
            raise PolicyConfigError("a day cannot be both a holiday and a workday", field="days")
        return WorkdayCalendar(
            holidays=(self._holidays - extra_workdays) | extra_holidays,
            workdays=(self._workdays - extra_holidays) | extra_workdays,
            covered=self.covered,
            tz=self.tz,
            name=self.name,
        )

    def _check(self, day: date) -> None:
        if day.year not in self.covered:
            raise CalendarCoverageError(
                f"the {self.name} calendar covers {self.covered.start}-{self.covered.stop - 1}; "
                f"it has no data for {day.year} and will not guess"
            )

    def is_workday(self, day: date) -> bool:
        """True if *day* is a working day.

        Raises:
            CalendarCoverageError: If *day*'s year is not covered.
        """
        if isinstance(day, datetime):
            raise TypeError("pass a date; convert an instant with .astimezone(tz).date()")
        self._check(day)
        if day in self._workdays:
            return True
        if day in self._holidays:
            return False
        return day.weekday() < _SATURDAY

    def add_workdays(self, day: date, n: int) -> date:
        """The *n*-th working day after *day* (T+n); *day* itself is T and not counted.

        ``add_workdays(d, 0)`` is *d* if it is a working day, else the next one.

        Raises:
            CalendarCoverageError: If the count runs into an uncovered year.
            ValueError: If *n* is negative.
        """
        if n < 0:
            raise ValueError("n must be >= 0")
        current = day
        if n == 0:
            while not self.is_workday(current):
                current += timedelta(days=1)
            return current
        self._check(day)
        while n:
            current += timedelta(days=1)
            if self.is_workday(current):
                n -= 1
        return current

    def workdays_between(self, start: date, end: date) -> int:
        """Working days after *start* up to and including *end*.

        The inverse of :meth:`add_workdays`: ``workdays_between(d,
        add_workdays(d, n)) == n`` for ``n >= 1``. Negative if *end* is
        before *start*.
        """
        if end < start:
            return -self.workdays_between(end, start)
        self._check(start)
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            count += self.is_workday(current)
        return count

    def due_by(
        self,
        start: datetime,
        *,
        workdays: int = 0,
        hours: float = 0,
        minutes: float = 0,
    ) -> datetime:
        """The deadline for something that starts at *start*.

        Args:
            start: When the clock starts (aware).
            workdays: "Within N working days": the deadline is the end of
                the N-th working day after *start*'s local date (00:00 of the
                following day in the calendar's zone).
            hours: Elapsed hours ("within 24 hours"), added after the working days.
            minutes: Elapsed minutes, likewise.

        Returns:
            An aware datetime in the calendar's zone.

        Example:
            >>> from datetime import datetime
            >>> from zoneinfo import ZoneInfo
            >>> from secpolicy.retention import WorkdayCalendar
            >>> cal = WorkdayCalendar.china()
            >>> leak = datetime(2024, 9, 30, 16, tzinfo=ZoneInfo("Asia/Shanghai"))
            >>> cal.due_by(leak, hours=24).isoformat()
            '2024-10-01T16:00:00+08:00'
            >>> cal.due_by(leak, workdays=3).isoformat()
            '2024-10-11T00:00:00+08:00'
        """
        local = ensure_aware(start, name="start").astimezone(self.tz)
        if workdays:
            last = self.add_workdays(local.date(), workdays)
            local = datetime.combine(last + timedelta(days=1), time(0), tzinfo=self.tz)
        if hours or minutes:
            local = (
                local.astimezone(ZoneInfo("UTC")) + timedelta(hours=hours, minutes=minutes)
            ).astimezone(self.tz)
        return local

    def __repr__(self) -> str:
        return f"WorkdayCalendar({self.name}, {self.covered.start}-{self.covered.stop - 1})"

"""Working-day calendars for deadlines such as T+1 working day."""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from secpolicy._clock import ensure_aware
from secpolicy.exceptions import CalendarCoverageError, FileProblemsError, PolicyConfigError

_SATURDAY: Final = 5
#: Largest schedule file read, in bytes: a year's schedule is a few hundred.
_MAX_SCHEDULE_BYTES: Final = 1 << 20
_YEAR_KEYS: Final = frozenset({"holidays", "workdays", "source"})

#: What ``extra=`` accepts: a file (TOML or JSON) or its parsed content.
ExtraSchedule = str | Path | Mapping[str | int, Any]


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
    for name, year in (("first_year", first), ("last_year", last)):
        # Outside the published years the package computes holidays by rule,
        # without the adjusted working days: that would be a guess.
        if year is not None and not published[0] <= year <= published[-1]:
            raise PolicyConfigError(
                f"{name} {year} is outside the published years the installed data covers "
                f"({published[0]}-{published[-1]}); load a newer year's schedule with extra=",
                field=name,
            )
    if start > end:
        raise PolicyConfigError("first_year must not be after last_year", field="first_year")
    years = range(start, end + 1)
    data = China(years=years)  # type: ignore[no-untyped-call]  # holidays is untyped here
    return set(data), {d for d in data.weekend_workdays if d.year in years}, years


def _workdays_of(year: int, rest: Iterable[date], work: Iterable[date]) -> set[date]:
    """The working days of *year* under a schedule of rest days and adjusted working days."""
    rest_days, work_days = set(rest), set(work)
    day, out = date(year, 1, 1), set()
    while day.year == year:
        if day in work_days or (day not in rest_days and day.weekday() < 5):  # noqa: PLR2004
            out.add(day)
        day += timedelta(days=1)
    return out


def _merge(
    rest: set[date],
    work: set[date],
    published: Mapping[int, tuple[frozenset[date], frozenset[date]]],
    packaged: Iterable[int],
    *,
    override: bool,
) -> tuple[set[date], set[date], tuple[int, ...]]:
    """The packaged data with *published* years merged in, and the years overridden.

    A year the package does not cover is added. A year it covers is kept
    when the given schedule makes the same days working days; a differing
    one replaces it only with *override* (then the year is reported), else
    it is refused: a packaged official schedule is not replaced silently.
    """
    covered = set(packaged)
    overridden: list[int] = []
    for year in sorted(published):
        extra_rest, extra_work = published[year]
        if year in covered:
            mine = _workdays_of(year, extra_rest, extra_work)
            theirs = _workdays_of(
                year, (d for d in rest if d.year == year), (d for d in work if d.year == year)
            )
            if mine == theirs:
                continue
            if not override:
                first = min(mine ^ theirs)
                raise PolicyConfigError(
                    f"{year} is in the installed official data and the given schedule differs "
                    f"(first on {first.isoformat()}); to replace an official year, say so "
                    "explicitly with override=True (override = true in [retention.calendar])",
                    field=str(year),
                )
            overridden.append(year)
        rest = {d for d in rest if d.year != year} | extra_rest
        work = {d for d in work if d.year != year} | extra_work
    return rest, work, tuple(overridden)


def _day(value: Any, year: int, where: str) -> list[date]:
    """One entry of a year's list: a date, ISO text, or an ISO interval ``a/b``."""
    if isinstance(value, datetime):
        raise PolicyConfigError("must be a date, not a date and time", field=where)
    if isinstance(value, date):
        days = [value]
    elif isinstance(value, str):
        first_text, _, last_text = value.partition("/")
        try:
            first = date.fromisoformat(first_text)
            last = date.fromisoformat(last_text) if last_text else first
        except ValueError:
            raise PolicyConfigError(
                "must be an ISO 8601 date (2027-10-01) or interval (2027-10-01/2027-10-07)",
                field=where,
            ) from None
        if last < first:
            raise PolicyConfigError("the interval ends before it starts", field=where)
        days = [first + timedelta(n) for n in range((last - first).days + 1)]
    else:
        raise PolicyConfigError("must be an ISO 8601 date or interval", field=where)
    for day in days:
        if day.year != year:
            raise PolicyConfigError(f"{day.isoformat()} is not in {year}", field=where)
    return days


def _year_schedule(
    year: int, spec: Any, where: str, problems: list[PolicyConfigError]
) -> tuple[set[date], set[date]]:
    """The holidays and adjusted working days of one year; every problem goes to *problems*."""
    if not isinstance(spec, Mapping):
        problems.append(
            PolicyConfigError("must be a table with holidays and workdays", field=where)
        )
        return set(), set()
    problems.extend(
        PolicyConfigError(
            "unknown key; expected holidays, workdays, source", field=f"{where}.{name}"
        )
        for name in sorted(str(k) for k in spec if k not in _YEAR_KEYS)
    )
    if "source" in spec and not isinstance(spec["source"], str):
        problems.append(
            PolicyConfigError(
                "must be text (the notice's title and number)", field=f"{where}.source"
            )
        )
    # each day with the entry that gave it, so a problem names that entry
    sets: dict[str, dict[date, str]] = {}
    for key in ("holidays", "workdays"):
        entries = spec.get(key, [])
        sets[key] = {}
        if isinstance(entries, str | bytes) or not isinstance(entries, Iterable):
            problems.append(PolicyConfigError("must be a list of dates", field=f"{where}.{key}"))
            continue
        for i, entry in enumerate(entries):
            entry_path = f"{where}.{key}[{i}]"
            try:
                sets[key].update(dict.fromkeys(_day(entry, year, entry_path), entry_path))
            except PolicyConfigError as exc:
                problems.append(exc)
    holidays, workdays = set(sets["holidays"]), set(sets["workdays"])
    if not spec.get("holidays"):
        problems.append(
            PolicyConfigError(
                "no holidays given: a published schedule always has some",
                field=f"{where}.holidays",
            )
        )
    problems.extend(
        PolicyConfigError(
            f"{day.isoformat()} is both a holiday and a working day",
            field=sets["workdays"][day],
        )
        for day in sorted(holidays & workdays)
    )
    problems.extend(
        PolicyConfigError(
            f"{day.isoformat()} is a weekday; adjusted working days are weekend days",
            field=sets["workdays"][day],
        )
        for day in sorted(workdays)
        if day.weekday() < _SATURDAY
    )
    return holidays, workdays


class ScheduleFileError(FileProblemsError):
    """Everything wrong with a holiday schedule (a file or its parsed content).

    Every problem is reported, each with the file, its line where it can be
    found and the entry (``cn-2027.toml:4: 2027.holidays[1]: ...``), so a
    user fixes the whole schedule in one round. ``str()`` gives one problem
    per line; the attributes of :class:`~secpolicy.exceptions.PolicyConfigError`
    are those of the first.

    Attributes:
        errors: Every problem, as a
            :class:`~secpolicy.exceptions.PolicyConfigError`.

    .. versionadded:: 0.2
    """


#: An entry of a schedule file: a quoted string, or a bare TOML date.
_ITEM: Final = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'|\d{4}-\d{2}-\d{2}')
_PATH_PART: Final = re.compile(r"^(\d+)(?:\.([A-Za-z_]+)(?:\[(\d+)\])?)?$")


def schedule_line(text: str, path: str) -> int | None:
    """The 1-based line of *path* (``2027``, ``2027.holidays``, ``2027.holidays[3]``) in *text*.

    *text* is a schedule file in TOML (``["2027"]`` tables, or ``"2027" = {...}``)
    or JSON; the year's table, then its key, then the array's element are
    found in turn, and the nearest found is returned (None: not even the year).
    """
    match = _PATH_PART.match(path)
    if match is None:
        return None
    year, key, index = match.groups()
    quoted = rf"[\"']{year}[\"']"
    header = re.compile(
        rf"(?m)^[ \t]*\[[ \t]*(?:{quoted}|{year})[ \t]*\]|{quoted}[ \t]*[:=]|^[ \t]*{year}[ \t]*="
    )
    found = header.search(text)
    if found is None:
        return None
    position = found.start()
    if key is not None:
        named = re.compile(rf'(?m)(?:^|[{{,\s])["\']?{key}["\']?[ \t]*[:=][ \t]*').search(
            text, found.end()
        )
        if named is not None:
            position = named.end()
            if index is not None:
                position = _element(text, position, int(index))
    return text.count("\n", 0, position) + 1


def _element(text: str, start: int, index: int) -> int:
    """The position of element *index* of the array that opens at *start* (else *start*)."""
    if not text.startswith("[", start):
        return start
    position = start + 1
    for seen, item in enumerate(_ITEM.finditer(text, position)):
        if "]" in text[position : item.start()]:
            break  # the array closed before this item
        if seen == index:
            return item.start()
        position = item.end()
    return start


def _read_extra(extra: ExtraSchedule) -> tuple[Mapping[Any, Any], str | None, str | None]:
    """The schedule's content, its file name and its text (None for a mapping)."""
    if isinstance(extra, Mapping):
        return extra, None, None
    path = Path(extra)
    if path.is_dir():
        raise PolicyConfigError("is a directory, not a schedule file", source=str(path))
    try:
        with path.open("rb") as handle:
            raw = handle.read(_MAX_SCHEDULE_BYTES + 1)
    except OSError as exc:
        raise PolicyConfigError(
            f"cannot read the schedule file ({exc.strerror or type(exc).__name__})",
            source=str(path),
        ) from None
    if len(raw) > _MAX_SCHEDULE_BYTES:
        raise PolicyConfigError(
            f"larger than {_MAX_SCHEDULE_BYTES} bytes; not a holiday schedule", source=str(path)
        )
    try:
        text = raw.decode("utf-8")
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        kind = "JSON" if path.suffix.lower() == ".json" else "TOML"
        raise PolicyConfigError(
            f"not a valid {kind} file ({type(exc).__name__})", source=str(path)
        ) from None
    if not isinstance(data, Mapping):
        raise PolicyConfigError("must hold a table of years", source=str(path))
    return data, str(path), text


def _parse_extra(
    extra: ExtraSchedule,
) -> dict[int, tuple[frozenset[date], frozenset[date]]]:
    """Read published yearly schedules: year -> (holidays, adjusted working days).

    The format is one table per year, in TOML or JSON (or the same as a
    mapping)::

        ["2027"]
        source = "国务院办公厅关于2027年部分节假日安排的通知"
        holidays = ["2027-01-01", "2027-02-05/2027-02-11"]
        workdays = ["2027-02-14"]

    *holidays* are the official rest days (ISO dates or ``first/last``
    intervals), *workdays* the weekend days that are working days (调休).

    Raises:
        ScheduleFileError: With every problem, each naming the year and the
            entry (and, in a file, the file and line): a date outside its
            year, a weekday given as an adjusted working day, a day that is
            both, no holidays at all, unknown keys.
        PolicyConfigError: For an unreadable, oversized or unparsable file.
    """
    data, source, text = _read_extra(extra)
    years: dict[int, tuple[frozenset[date], frozenset[date]]] = {}
    problems: list[PolicyConfigError] = []
    for key, spec in data.items():
        name = str(key)
        if not name.isdigit() or not 1900 <= int(name) <= 9999:  # noqa: PLR2004 (calendar years)
            problems.append(PolicyConfigError('keys must be years, e.g. ["2027"]', field=name))
            continue
        holidays, workdays = _year_schedule(int(name), spec, name, problems)
        years[int(name)] = (frozenset(holidays), frozenset(workdays))
    if not data:
        problems.append(PolicyConfigError("no year given"))
    if problems:
        raise ScheduleFileError(
            PolicyConfigError(
                exc.reason,
                field=exc.field,
                source=source,
                line=schedule_line(text, exc.field) if text is not None and exc.field else None,
            )
            for exc in problems
        )
    return years


def _elapsed(hours: object, minutes: object) -> timedelta:
    """*hours* plus *minutes* as a timedelta; a length of time is a finite number >= 0.

    A negative one would put the deadline before the start.
    """
    total = timedelta()
    for field, value in (("hours", hours), ("minutes", minutes)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PolicyConfigError("must be a number of hours or minutes", field=field)
        if not math.isfinite(value) or value < 0:
            raise PolicyConfigError("must be a finite number >= 0", field=field)
        try:
            total += timedelta(**{field: value})
        except OverflowError:
            raise PolicyConfigError("is longer than any calendar", field=field) from None
    return total


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
        overridden_years: The years whose official data the caller replaced
            (``override=True``); reports name them.

    Example:
        >>> from datetime import date
        >>> from secpolicy.retention import WorkdayCalendar
        >>> cal = WorkdayCalendar.china()
        >>> cal.add_workdays(date(2024, 9, 30), 1)  # T+1 across National Day
        datetime.date(2024, 10, 8)
    """

    __slots__ = ("_holidays", "_workdays", "covered", "name", "overridden_years", "tz")

    def __init__(
        self,
        *,
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
        covered: range,
        tz: str | tzinfo = "UTC",
        name: str = "custom",
        overridden_years: Iterable[int] = (),
    ) -> None:
        self._holidays = frozenset(holidays)
        self.overridden_years = tuple(sorted(set(overridden_years)))
        self._workdays = frozenset(workdays)
        self.covered = covered
        self.tz = ZoneInfo(tz) if isinstance(tz, str) else tz
        self.name = name

    @classmethod
    def china(
        cls,
        *,
        first_year: int | None = None,
        last_year: int | None = None,
        extra: ExtraSchedule | None = None,
        override: bool = False,
    ) -> WorkdayCalendar:
        """The official calendar of mainland China, in Asia/Shanghai time.

        Holidays and adjusted working days come from the ``holidays`` package,
        which records the State Council's yearly notices. Coverage defaults to
        the years with a published notice in the installed version. The State
        Council publishes each year's schedule late in the previous year:
        load it with *extra* as soon as it is out, before a release of
        ``holidays`` or secpolicy catches up.

        Args:
            first_year: Restrict coverage to start at this year.
            last_year: Restrict coverage to end at this year. Both must lie
                within the years the installed data covers (a year outside
                them is refused: it would be a guess).
            extra: Published schedules of the user's own, as a TOML or JSON
                file or a mapping: one table per year with ``holidays`` (the
                official rest days, as ISO dates or ``first/last``
                intervals), ``workdays`` (the weekend days that are working
                days, 调休) and an optional ``source`` (the notice). A year
                the installed data does not cover extends the coverage; the
                covered years must stay contiguous. A year it covers is
                accepted if it makes the same days working days, and
                otherwise refused unless *override*.
            override: Let *extra* replace a packaged year's official data
                (a correction the package has not caught up with). The
                replaced years are kept in ``overridden_years`` and
                ``secpolicy check`` reports name them.

        Raises:
            PolicyConfigError: For a year outside the installed data, a
                malformed *extra*, one that leaves a gap between the
                covered years, or one that differs from a packaged year
                without *override*.

        Example:
            >>> cal = WorkdayCalendar.china(
            ...     extra={
            ...         "2027": {
            ...             "holidays": ["2027-01-01", "2027-02-05/2027-02-11"],
            ...             "workdays": ["2027-02-14"],
            ...         }
            ...     }
            ... )
            >>> cal.is_workday(date(2027, 2, 14)), cal.is_workday(date(2027, 2, 8))
            (True, False)

        .. versionchanged:: 0.2
           *extra* and *override*.
        """
        for field, given in (("first_year", first_year), ("last_year", last_year)):
            if given is not None and (isinstance(given, bool) or not isinstance(given, int)):
                raise PolicyConfigError("must be a year (an integer) or None", field=field)
        official, adjusted, years = _china_data(first_year, last_year)
        if extra is None:
            return cls(
                holidays=official,
                workdays=adjusted,
                covered=years,
                tz="Asia/Shanghai",
                name="China",
            )
        published = _parse_extra(extra)
        covered = sorted(set(years) | set(published))
        missing = sorted(set(range(covered[0], covered[-1] + 1)) - set(covered))
        if missing:
            raise PolicyConfigError(
                f"the covered years would have a gap: no schedule for {missing[0]}",
                field="extra",
            )
        packaged = set(years)
        outside = [y for y in published if y not in packaged]
        if outside:
            # a year the package publishes outside first_year..last_year is still official
            _, _, everything = _china_data(None, None)
            for year in (y for y in outside if y in everything):
                rest, work, _ = _china_data(year, year)
                official |= rest
                adjusted |= work
                packaged.add(year)
        official, adjusted, overridden = _merge(
            official, adjusted, published, packaged, override=override
        )
        return cls(
            holidays=official,
            workdays=adjusted,
            covered=range(covered[0], covered[-1] + 1),
            tz="Asia/Shanghai",
            name="China",
            overridden_years=overridden,
        )

    @classmethod
    def from_holidays(
        cls,
        country: str,
        *,
        years: range,
        subdiv: str | None = None,
        tz: str | tzinfo,
        extra: ExtraSchedule | None = None,
        override: bool = False,
    ) -> WorkdayCalendar:
        """A calendar of another country, from the ``holidays`` package.

        ``holidays`` computes most countries' public holidays by rule, for
        any year; a government can still move a day. So the covered years are
        the caller's decision (*years*), and questions about other years are
        refused as for China.

        Args:
            country: An ISO 3166-1 alpha-2 code known to ``holidays`` (``"DE"``).
            years: The years to answer for.
            subdiv: A subdivision (state, province) where holidays differ.
            tz: The zone deadlines are computed in (``"Europe/Berlin"``).
            extra: Published schedules, as for :meth:`china`: a year
                outside *years* extends the coverage; one inside that
                differs from the computed holidays needs *override*.
            override: Let *extra* replace a year of *years* (reported as
                for :meth:`china`).

        Raises:
            PolicyConfigError: For an unknown country or subdivision, an empty
                *years*, or a malformed *extra*.

        .. versionadded:: 0.2
        """
        import holidays as holidays_package  # noqa: PLC0415 (loaded only when used)

        given: object = years
        if not isinstance(given, range) or not given or given.step != 1:
            raise PolicyConfigError("must be a non-empty range of years", field="years")
        try:
            zone = ZoneInfo(tz) if isinstance(tz, str) else tz
        except (ZoneInfoNotFoundError, ValueError):
            raise PolicyConfigError("unknown time zone", field="tz") from None
        try:
            data = holidays_package.country_holidays(country, subdiv=subdiv, years=years)
        except NotImplementedError:
            raise PolicyConfigError(
                f"the holidays package does not know {country!r}"
                + (f" with subdivision {subdiv!r}" if subdiv else ""),
                field="country",
            ) from None
        rest = set(data)
        work = {d for d in getattr(data, "weekend_workdays", ()) if d.year in years}
        covered = set(years)
        overridden: tuple[int, ...] = ()
        if extra is not None:
            published = _parse_extra(extra)
            rest, work, overridden = _merge(rest, work, published, years, override=override)
            covered |= set(published)
            missing = sorted(set(range(min(covered), max(covered) + 1)) - covered)
            if missing:
                raise PolicyConfigError(
                    f"the covered years would have a gap: no schedule for {missing[0]}",
                    field="extra",
                )
        return cls(
            holidays=rest,
            workdays=work,
            covered=range(min(covered), max(covered) + 1),
            tz=zone,
            name=country if subdiv is None else f"{country}-{subdiv}",
            overridden_years=overridden,
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
            overridden_years=self.overridden_years,
        )

    @staticmethod
    def _date(day: object) -> None:
        """Refuse anything but a date (a datetime is an instant, not a day)."""
        if isinstance(day, datetime) or not isinstance(day, date):
            raise PolicyConfigError(
                "pass a date; convert an instant with .astimezone(tz).date()", field="day"
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
        self._date(day)
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
            PolicyConfigError: If *n* is negative or not an integer.
        """
        count: object = n
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise PolicyConfigError("must be an integer >= 0", field="n")
        self._date(day)
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
        self._date(start)
        self._date(end)
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
        count: object = workdays
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise PolicyConfigError("must be an integer >= 0", field="workdays")
        elapsed = _elapsed(hours, minutes)
        if workdays:
            last = self.add_workdays(local.date(), workdays)
            local = datetime.combine(last + timedelta(days=1), time(0), tzinfo=self.tz)
        if elapsed:
            try:
                local = (local.astimezone(ZoneInfo("UTC")) + elapsed).astimezone(self.tz)
            except OverflowError:
                raise PolicyConfigError(
                    "the deadline falls after year 9999", field="hours"
                ) from None
        return local

    def __repr__(self) -> str:
        replaced = (
            f", official years overridden: {', '.join(map(str, self.overridden_years))}"
            if self.overridden_years
            else ""
        )
        return (
            f"WorkdayCalendar({self.name}, {self.covered.start}-{self.covered.stop - 1}{replaced})"
        )

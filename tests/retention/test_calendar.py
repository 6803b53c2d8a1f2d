"""Working-day calendars: the official Chinese schedules and deadlines."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secpolicy.exceptions import CalendarCoverageError, FileProblemsError, PolicyConfigError
from secpolicy.retention import ScheduleFileError, WorkdayCalendar

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
        with pytest.raises(PolicyConfigError, match="pass a date"):
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
        with pytest.raises(PolicyConfigError, match="integer >= 0"):
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


SCHEDULE_2027 = {
    "2027": {
        "source": "the State Council's notice for 2027 (a test schedule)",
        "holidays": ["2027-01-01", "2027-02-05/2027-02-11", "2027-10-01/2027-10-07"],
        "workdays": ["2027-02-14", "2027-09-26"],
    }
}


class TestPublishedSchedules:
    def test_next_year_refused_without_data(self) -> None:
        """A year past the packaged data is refused, not guessed."""
        last = CN.covered.stop - 1
        with pytest.raises(CalendarCoverageError):
            CN.add_workdays(date(last, 12, 31), 1)

    def test_extra_mapping_extends_coverage(self) -> None:
        """A schedule given as a mapping answers for its year and across New Year."""
        cal = WorkdayCalendar.china(extra=SCHEDULE_2027)
        assert cal.covered.stop - 1 == 2027
        assert cal.add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)
        assert cal.is_workday(date(2027, 2, 14))  # a Sunday made a working day
        assert not cal.is_workday(date(2027, 2, 8))  # a Monday in the holiday
        assert cal.is_workday(date(2027, 3, 1))

    def test_extra_toml_file(self, tmp_path: Path) -> None:
        """The schedule loads from a TOML file with one table per year."""
        path = tmp_path / "cn-2027.toml"
        path.write_text(
            '["2027"]\n'
            'source = "国务院办公厅关于2027年部分节假日安排的通知"\n'
            'holidays = ["2027-01-01", "2027-02-05/2027-02-11"]\n'
            "workdays = [2027-02-14]\n",
            encoding="utf-8",
        )
        cal = WorkdayCalendar.china(extra=path)
        assert cal.is_workday(date(2027, 2, 14))
        assert not cal.is_workday(date(2027, 2, 5))

    def test_extra_json_file(self, tmp_path: Path) -> None:
        """The schedule loads from a JSON file too."""
        path = tmp_path / "cn-2027.json"
        path.write_text(json.dumps(SCHEDULE_2027), encoding="utf-8")
        assert WorkdayCalendar.china(extra=str(path)).is_workday(date(2027, 9, 26))

    def test_extra_replaces_packaged_year_only_with_override(self) -> None:
        """A differing packaged year is refused; with override=True it is replaced and named."""
        extra = {"2024": {"holidays": ["2024-01-01"]}}
        with pytest.raises(PolicyConfigError, match=r"2024 is in the installed official data"):
            WorkdayCalendar.china(extra=extra)
        assert WorkdayCalendar.china().overridden_years == ()
        cal = WorkdayCalendar.china(extra=extra, override=True)
        assert cal.overridden_years == (2024,)
        assert "overridden: 2024" in repr(cal)
        assert cal.is_workday(date(2024, 10, 4))  # no longer a holiday
        assert not cal.is_workday(date(2024, 9, 29))  # no longer an adjusted working day
        assert not cal.is_workday(date(2024, 1, 1))
        assert cal.with_days(holidays=[date(2024, 3, 1)]).overridden_years == (2024,)

    def test_packaged_year_restated_identically_is_accepted(self) -> None:
        """A packaged year given again with the same working days is no override."""
        packaged = WorkdayCalendar.china()
        days = [date(2024, 1, 1) + timedelta(days=i) for i in range(366)]
        rest = [d.isoformat() for d in days if d.weekday() < 5 and not packaged.is_workday(d)]
        work = [d.isoformat() for d in days if d.weekday() >= 5 and packaged.is_workday(d)]
        cal = WorkdayCalendar.china(extra={"2024": {"holidays": rest, "workdays": work}})
        assert cal.overridden_years == ()
        assert all(cal.is_workday(d) == packaged.is_workday(d) for d in days)

    def test_packaged_year_outside_first_last_still_needs_override(self) -> None:
        """first_year does not make an official year the package covers free to replace."""
        with pytest.raises(PolicyConfigError, match="2019 is in the installed official data"):
            WorkdayCalendar.china(first_year=2020, extra={"2019": {"holidays": ["2019-01-01"]}})

    def test_other_country_year_inside_years_needs_override(self) -> None:
        """from_holidays refuses a differing year of *years* unless override=True."""
        extra = {"2026": {"holidays": ["2026-01-01"]}}
        with pytest.raises(PolicyConfigError, match="override"):
            WorkdayCalendar.from_holidays("DE", years=range(2026, 2027), tz="UTC", extra=extra)
        cal = WorkdayCalendar.from_holidays(
            "DE", years=range(2026, 2027), tz="UTC", extra=extra, override=True
        )
        assert cal.overridden_years == (2026,)

    @pytest.mark.parametrize(
        ("extra", "needle"),
        [
            ({"2028": {"holidays": ["2028-01-01"]}}, "gap"),
            ({"2027": {"holidays": ["2026-12-31"]}}, "not in 2027"),
            ({"2027": {"holidays": ["2027-01-01"], "workdays": ["2027-01-04"]}}, "weekday"),
            ({"2027": {"holidays": ["2027-02-14"], "workdays": ["2027-02-14"]}}, "both"),
            ({"2027": {"holidays": []}}, "no holidays"),
            ({"2027": {"holidays": ["2027-13-01"]}}, "ISO 8601"),
            ({"2027": {"holidays": ["2027-02-11/2027-02-05"]}}, "ends before"),
            ({"2027": {"holidays": "2027-01-01"}}, "list of dates"),
            ({"2027": {"holiday": ["2027-01-01"]}}, "unknown key"),
            ({"2027": ["2027-01-01"]}, "table"),
            ({"next": {"holidays": ["2027-01-01"]}}, "years"),
            ({"2027": {"holidays": [datetime(2027, 1, 1, tzinfo=UTC)]}}, "not a date and time"),
            ({"2027": {"holidays": [20270101]}}, "ISO 8601"),
            ({"2027": {"holidays": ["2027-01-01"], "source": 3}}, "text"),
            ({}, "no year"),
        ],
    )
    def test_malformed_extra(self, extra: dict[str, object], needle: str) -> None:
        """A malformed schedule is a PolicyConfigError naming what is wrong."""
        with pytest.raises(PolicyConfigError, match=needle):
            WorkdayCalendar.china(extra=extra)

    def test_unreadable_and_oversized_files(self, tmp_path: Path) -> None:
        """Missing, oversized and broken files are PolicyConfigErrors with the file name."""
        with pytest.raises(PolicyConfigError, match="cannot read"):
            WorkdayCalendar.china(extra=tmp_path / "missing.toml")
        big = tmp_path / "big.toml"
        big.write_bytes(b"#" * (2 << 20))
        with pytest.raises(PolicyConfigError, match="larger than"):
            WorkdayCalendar.china(extra=big)
        broken = tmp_path / "broken.toml"
        broken.write_text("[2027\n", encoding="utf-8")
        with pytest.raises(PolicyConfigError, match="TOML") as info:
            WorkdayCalendar.china(extra=broken)
        assert info.value.source == str(broken)
        listed = tmp_path / "list.json"
        listed.write_text("[1, 2]", encoding="utf-8")
        with pytest.raises(PolicyConfigError, match="table of years"):
            WorkdayCalendar.china(extra=listed)


class TestOtherCountries:
    def test_germany_by_state(self) -> None:
        """Other countries come from the holidays package, for the years the caller names."""
        bavaria = WorkdayCalendar.from_holidays(
            "DE", subdiv="BY", years=range(2025, 2027), tz="Europe/Berlin"
        )
        assert not bavaria.is_workday(date(2026, 1, 6))  # Epiphany in Bavaria
        berlin = WorkdayCalendar.from_holidays("DE", subdiv="BE", years=range(2026, 2027), tz="UTC")
        assert berlin.is_workday(date(2026, 1, 6))
        with pytest.raises(CalendarCoverageError):
            bavaria.is_workday(date(2027, 1, 4))

    def test_extra_years_for_another_country(self) -> None:
        """A published schedule extends another country's calendar as for China."""
        cal = WorkdayCalendar.from_holidays(
            "DE",
            years=range(2026, 2027),
            tz="Europe/Berlin",
            extra={"2027": {"holidays": ["2027-01-01"]}},
        )
        assert not cal.is_workday(date(2027, 1, 1))
        assert cal.is_workday(date(2027, 1, 4))

    @pytest.mark.parametrize(
        ("kwargs", "needle"),
        [
            ({"country": "XX", "years": range(2026, 2027), "tz": "UTC"}, "does not know"),
            ({"country": "DE", "years": range(2026, 2026), "tz": "UTC"}, "range"),
            ({"country": "DE", "years": range(2026, 2027), "tz": "Mars/Base"}, "time zone"),
            (
                {
                    "country": "DE",
                    "years": range(2026, 2027),
                    "tz": "UTC",
                    "extra": {"2029": {"holidays": ["2029-01-01"]}},
                },
                "gap",
            ),
        ],
    )
    def test_bad_arguments(self, kwargs: dict[str, Any], needle: str) -> None:
        """Unknown countries, empty years, unknown zones and gaps are refused."""
        with pytest.raises(PolicyConfigError, match=needle):
            WorkdayCalendar.from_holidays(**kwargs)


class TestCoverageBounds:
    def test_last_year_past_the_data_is_refused_not_guessed(self) -> None:
        """last_year cannot extend coverage to years without a published schedule."""
        last = WorkdayCalendar.china().covered.stop - 1
        with pytest.raises(PolicyConfigError, match="last_year"):
            WorkdayCalendar.china(last_year=last + 4)

    def test_first_year_before_the_data_is_refused(self) -> None:
        """first_year cannot reach back before the first published schedule."""
        first = WorkdayCalendar.china().covered.start
        with pytest.raises(PolicyConfigError, match="first_year"):
            WorkdayCalendar.china(first_year=first - 10)

    def test_policy_file_last_year_past_the_data_names_its_line(self) -> None:
        """[retention.calendar] last_year past the data is a policy-file error with its line."""
        from secpolicy.policyfile import loads_policy

        with pytest.raises(PolicyConfigError, match=r":3: retention\.calendar"):
            loads_policy("[retention]\n[retention.calendar]\nlast_year = 2099\n")


class TestScheduleProblems:
    def test_every_problem_of_every_year_is_reported(self, tmp_path: Path) -> None:
        """Two bad entries in one year and one in another: three problems, with lines."""
        path = tmp_path / "cn.toml"
        path.write_text(
            '["2027"]\nholidays = ["2026-01-01", "2027-01-01", "soon"]\n["2028"]\nholidays = []\n',
            encoding="utf-8",
        )
        with pytest.raises(ScheduleFileError) as info:
            WorkdayCalendar.china(extra=path)
        assert [(e.line, e.field) for e in info.value.errors] == [
            (2, "2027.holidays[0]"),
            (2, "2027.holidays[2]"),
            (4, "2028.holidays"),
        ]
        assert isinstance(info.value, PolicyConfigError)

    def test_is_a_file_problems_error(self, tmp_path: Path) -> None:
        """ScheduleFileError is the shared FileProblemsError; one problem per line of str()."""
        path = tmp_path / "cn.toml"
        path.write_text('["2027"]\nholidays = ["soon", "later"]\n', encoding="utf-8")
        with pytest.raises(FileProblemsError) as info:
            WorkdayCalendar.china(extra=path)
        assert isinstance(info.value, ScheduleFileError)
        rule = "must be an ISO 8601 date (2027-10-01) or interval (2027-10-01/2027-10-07)"
        assert str(info.value).splitlines() == [
            f"{path}:2: 2027.holidays[0]: {rule}",
            f"{path}:2: 2027.holidays[1]: {rule}",
        ]
        assert info.value.args == (str(info.value),)

    def test_json_schedules_have_lines_too(self, tmp_path: Path) -> None:
        """A JSON schedule's problems are located the same way."""
        path = tmp_path / "cn.json"
        path.write_text(
            '{\n  "2027": {\n    "holidays": [\n      "2027-01-01",\n      "2027-02-31"\n'
            "    ]\n  }\n}\n",
            encoding="utf-8",
        )
        with pytest.raises(ScheduleFileError) as info:
            WorkdayCalendar.china(extra=path)
        assert info.value.line == 5

    def test_a_mapping_has_no_lines(self) -> None:
        """Problems of a mapping name the entry, without file or line."""
        with pytest.raises(ScheduleFileError) as info:
            WorkdayCalendar.china(extra={"2027": {"holidays": ["2026-01-01"]}, "x": {}})
        assert {(e.source, e.line, e.field) for e in info.value.errors} == {
            (None, None, "2027.holidays[0]"),
            (None, None, "x"),
        }

    @pytest.mark.parametrize(
        ("path", "line"),
        [
            ("2027", 1),
            ("2027.holidays", 2),
            ("2027.holidays[1]", 2),
            ("2027.holidays[9]", 2),
            ("2027.workdays", 1),
            ("2030", None),
            ("not a path", None),
        ],
    )
    def test_schedule_line(self, path: str, line: int | None) -> None:
        """The year, then the key, then the element; the nearest found otherwise."""
        from secpolicy.retention._calendar import schedule_line

        text = '[2027]\nholidays = ["2027-01-01", 2027-01-02]\n'
        assert schedule_line(text, path) == line


class TestScheduleLineEdges:
    def test_a_key_that_is_not_an_array(self) -> None:
        """An element of a value that is not an array is placed at the value."""
        from secpolicy.retention._calendar import schedule_line

        assert schedule_line('["2027"]\nholidays = "2027-01-01"\n', "2027.holidays[0]") == 2


class TestCalendarOverride:
    POLICY = (
        '[service]\nname = "s"\n[retention]\nprofile = "cn-cybersecurity-law"\n'
        '[retention.calendar.years."2024"]\nholidays = ["2024-01-01"]\n'
    )

    def test_policy_file_refuses_a_silent_override(self) -> None:
        """[retention.calendar] replacing a packaged year without override is an error with line."""
        from secpolicy.policyfile import loads_policy

        with pytest.raises(PolicyConfigError, match=r"retention\.calendar\.years\.2024.*override"):
            loads_policy(self.POLICY)

    def test_policy_file_override_is_recorded_and_reported(self) -> None:
        """override = true replaces the year, and secpolicy check reports name it."""
        from secpolicy import FrozenClock
        from secpolicy.baselines import check_policy
        from secpolicy.policyfile import loads_policy

        text = self.POLICY.replace(
            "[retention.calendar.years",
            "[retention.calendar]\noverride = true\n[retention.calendar.years",
        )
        policy = loads_policy(text)
        assert policy.calendar is not None
        assert policy.calendar.overridden_years == (2024,)
        clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
        report = check_policy(policy, ["cn-mlps-l3"], clock=clock)
        assert report.calendar_overridden_years == (2024,)
        assert "NOTE: CALENDAR OVERRIDDEN" in report.render("text")
        assert json.loads(report.render("json"))["calendar_overridden_years"] == [2024]
        assert "2024" in report.render("junit").split("calendar_overridden_years")[1][:20]
        sarif = json.loads(report.render("sarif"))["runs"][0]["invocations"][0]
        assert "2024" in sarif["toolExecutionNotifications"][0]["message"]["text"]
        assert "Official calendar years overridden" in report.render("html")

    def test_new_year_needs_no_override(self) -> None:
        """A year past the packaged data loads from the file without override and is no override."""
        from secpolicy.policyfile import loads_policy

        text = self.POLICY.replace('"2024"', '"2027"').replace("2024-01-01", "2027-01-01")
        policy = loads_policy(text)
        assert policy.calendar is not None
        assert policy.calendar.overridden_years == ()

    def test_override_from_a_schedule_file_names_the_extra_key(self, tmp_path: Path) -> None:
        """A schedule file redefining a packaged year is refused at [retention.calendar] extra."""
        from secpolicy.policyfile import load_policy

        (tmp_path / "cn.toml").write_text('["2024"]\nholidays = ["2024-01-01"]\n', encoding="utf-8")
        policy = tmp_path / "secpolicy.toml"
        policy.write_text(
            '[retention]\nprofile = "cn-cybersecurity-law"\n'
            '[retention.calendar]\nextra = "cn.toml"\n',
            encoding="utf-8",
        )
        with pytest.raises(PolicyConfigError, match=r"retention\.calendar\.extra: 2024 is in"):
            load_policy(policy)
        policy.write_text(
            policy.read_text(encoding="utf-8") + "override = true\n", encoding="utf-8"
        )
        loaded = load_policy(policy)
        assert loaded.calendar is not None
        assert loaded.calendar.overridden_years == (2024,)

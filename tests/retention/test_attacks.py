"""Ways a service owner might weaken a locked retention schedule."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest

from secpolicy.exceptions import PolicyConfigError
from secpolicy.retention import (
    BadRecordsError,
    LegalHold,
    Period,
    RetentionRecord,
    RetentionRule,
    RetentionSchedule,
    ScheduleLockedError,
    WorkdayCalendar,
    evaluate_jsonl,
)

AT = datetime(2026, 12, 1, tzinfo=UTC)


def _locked() -> RetentionSchedule:
    rule = RetentionRule(category="log", keep=Period(months=12), action="review")
    return RetentionSchedule([rule], name="logs").lock()


class TestLockedMaximum:
    """A locked schedule gains no storage limit, whatever trigger the new rule uses."""

    def test_maximum_under_a_new_trigger_is_refused(self) -> None:
        """A rule for the same category after another event may not bring a maximum."""
        schedule = _locked()
        sneaky = RetentionRule(
            category="log",
            keep=Period(days=1),
            trigger="closed",
            action="delete",
            maximum=Period(days=10),
        )
        with pytest.raises(ScheduleLockedError, match="maximum"):
            schedule.replace([*schedule.rules, sneaky], by="ops", reason="CHG-1", at=AT)

    def test_longer_rule_under_a_new_trigger_is_accepted(self) -> None:
        """A new event-triggered rule without a maximum only adds retention."""
        schedule = _locked()
        extra = RetentionRule(category="log", keep=Period(months=6), trigger="closed")
        new = schedule.replace([*schedule.rules, extra], by="ops", reason="CHG-2", at=AT)
        assert new.locked
        assert len(new.rules) == 2


SINCE = datetime(2025, 6, 1, tzinfo=UTC)


class TestHoldThatHoldsNothing:
    """A legal hold built so that it is never in force, or covers no record, is refused."""

    @pytest.mark.parametrize(
        "released", [datetime(2025, 5, 31, tzinfo=UTC), datetime(2024, 6, 1, tzinfo=UTC)]
    )
    def test_release_before_placing_is_refused(self, released: datetime) -> None:
        """released < since: the hold would never be active and the records would go."""
        with pytest.raises(PolicyConfigError, match="released"):
            LegalHold("log", "case 7", SINCE, released=released)

    def test_release_at_the_placing_instant_is_kept_as_a_record(self) -> None:
        """Lifted at the instant it was placed (a store's history) loads, and holds nothing."""
        hold = LegalHold("log", "case 7", SINCE, released=SINCE)
        assert not hold.active(SINCE)

    def test_release_after_placing_is_accepted(self) -> None:
        """A hold released a day after it was placed is in force in between."""
        hold = LegalHold("log", "case 7", SINCE, released=datetime(2025, 6, 2, tzinfo=UTC))
        assert hold.active(datetime(2025, 6, 1, 12, tzinfo=UTC))

    def test_integer_record_ids_hold_the_records(self) -> None:
        """A hold on record 123 (an integer, as JSON gives it) holds record "123"."""
        schedule = RetentionSchedule([RetentionRule(category="log", keep=Period(days=1))])
        hold = LegalHold.for_records([123, "124"], "case 7", SINCE)  # type: ignore[list-item]
        now = datetime(2026, 1, 1, tzinfo=UTC)
        for record_id in ("123", "124"):
            decision = schedule.evaluate(
                "log", created=SINCE, now=now, record_id=record_id, holds=[hold]
            )
            assert decision.on_hold, record_id
            assert decision.action == "retain"

    @pytest.mark.parametrize("bad", [True, 1.5, None, ["123"], ""])
    def test_record_id_of_another_type_is_refused(self, bad: object) -> None:
        """An id no record can have (a boolean, a float, a list, empty) is an error, not a miss."""
        with pytest.raises(PolicyConfigError, match=r"record_ids\[1\]"):
            LegalHold.for_records(["1", bad], "case 7", SINCE)  # type: ignore[list-item]

    @pytest.mark.parametrize("scope", ["", "  ", 42, ["log"]])
    def test_scope_that_is_no_category_or_predicate_is_refused(self, scope: object) -> None:
        """A scope of "" or a list covers nothing (or fails later): refused at construction."""
        with pytest.raises(PolicyConfigError, match="scope"):
            LegalHold(scope, "case 7", SINCE)  # type: ignore[arg-type]


class TestCalendarArgumentsOutOfRange:
    """Deadlines never come out before the start, and bad arguments are typed errors."""

    START = datetime(2024, 9, 30, 8, tzinfo=UTC)

    @pytest.mark.parametrize(
        "options",
        [
            {"hours": -24},
            {"minutes": -1},
            {"hours": float("nan")},
            {"hours": float("inf")},
            {"hours": 1e12},
            {"hours": "24"},
            {"hours": True},
            {"workdays": 1.5},
        ],
    )
    def test_due_by_refuses_what_is_no_length_of_time(self, options: dict[str, object]) -> None:
        """Negative, NaN, infinite, huge or textual hours are a PolicyConfigError."""
        calendar = WorkdayCalendar.china()
        with pytest.raises(PolicyConfigError):
            calendar.due_by(self.START, **options)  # type: ignore[arg-type]

    def test_due_by_never_precedes_its_start(self) -> None:
        """Zero hours is the start itself; 24 hours is a day later."""
        calendar = WorkdayCalendar.china()
        assert calendar.due_by(self.START, hours=0) == self.START
        assert calendar.due_by(self.START, hours=24) == self.START + timedelta(hours=24)

    @pytest.mark.parametrize("day", ["2024-01-02", 20240102, None])
    def test_add_workdays_and_between_refuse_a_non_date(self, day: object) -> None:
        """A text or number where a date belongs is named, not an AttributeError."""
        calendar = WorkdayCalendar.china()
        with pytest.raises(PolicyConfigError, match="day"):
            calendar.add_workdays(day, 1)  # type: ignore[arg-type]
        with pytest.raises(PolicyConfigError, match="day"):
            calendar.workdays_between(day, date(2024, 2, 1))  # type: ignore[arg-type]
        with pytest.raises(PolicyConfigError, match="day"):
            calendar.workdays_between(date(2024, 2, 1), day)  # type: ignore[arg-type]

    @pytest.mark.parametrize("year", ["2020", 2020.0, True])
    def test_china_year_bounds_must_be_integers(self, year: object) -> None:
        """first_year="2020" is a PolicyConfigError naming the argument."""
        with pytest.raises(PolicyConfigError, match="first_year"):
            WorkdayCalendar.china(first_year=year)  # type: ignore[arg-type]


class TestRecordOfTheWrongShape:
    """A record's category and id of the wrong type are refused, and an integer id is text."""

    @pytest.mark.parametrize("category", [5, "", None, ["log"]])
    def test_category_that_is_not_text_is_refused(self, category: object) -> None:
        """evaluate(5, ...) is a PolicyConfigError naming the category, not a TypeError."""
        schedule = RetentionSchedule([RetentionRule(category="log", keep=Period(days=1))])
        with pytest.raises(PolicyConfigError, match="category"):
            schedule.evaluate(category, created=SINCE, now=SINCE)  # type: ignore[arg-type]

    def test_integer_record_id_meets_its_hold(self) -> None:
        """RetentionRecord(record_id=7) is record "7", which a hold on ["7"] holds."""
        schedule = RetentionSchedule([RetentionRule(category="log", keep=Period(days=1))])
        record = RetentionRecord(category="log", created=SINCE, record_id=7)  # type: ignore[arg-type]
        assert record.record_id == "7"
        hold = LegalHold.for_records(["7"], "case 7", SINCE)
        decision = schedule.evaluate_record(
            record, now=datetime(2026, 1, 1, tzinfo=UTC), holds=[hold]
        )
        assert decision.on_hold

    @pytest.mark.parametrize("record_id", [True, 1.5, ["7"]])
    def test_record_id_of_another_type_is_refused(self, record_id: object) -> None:
        """An id no hold can name is refused (a hold on it would silently miss)."""
        with pytest.raises(PolicyConfigError, match="record_id"):
            RetentionRecord(category="log", created=SINCE, record_id=record_id)  # type: ignore[arg-type]


class TestRecordWithoutIdUnderAnIdHold:
    """A batch line without an id cannot be cleared while a hold on record ids is in force."""

    @staticmethod
    def _run(hold: LegalHold) -> tuple[str, BadRecordsError | None]:
        schedule = RetentionSchedule([RetentionRule(category="log", keep=Period(days=1))])
        lines = [
            '{"category": "log", "created": "2025-06-01T00:00:00+00:00"}\n',
            '{"id": "r2", "category": "log", "created": "2025-06-01T00:00:00+00:00"}\n',
        ]
        out = io.StringIO()
        try:
            evaluate_jsonl(schedule, lines, out, now=datetime(2026, 1, 1, tzinfo=UTC), holds=[hold])
        except BadRecordsError as exc:
            return out.getvalue(), exc
        return out.getvalue(), None

    def test_line_without_id_is_a_bad_record(self) -> None:
        """It might be the held record: reported with its line; the next line is decided."""
        out, error = self._run(LegalHold.for_records(["r1"], "case 7", SINCE))
        assert error is not None
        assert error.errors[0].line == 1
        assert error.errors[0].field == "record_id"
        assert '"r2"' in out
        assert out.count("\n") == 1

    def test_category_hold_needs_no_id(self) -> None:
        """A hold on a category covers lines without ids; nothing is refused."""
        out, error = self._run(LegalHold("log", "case 7", SINCE))
        assert error is None
        assert out.count('"on_hold": true') == 2

    def test_released_id_hold_needs_no_id(self) -> None:
        """A released hold on ids is not in force and asks nothing of the line."""
        hold = LegalHold(
            LegalHold.for_records(["r1"], "case 7", SINCE).scope,
            "case 7",
            SINCE,
            released=datetime(2025, 7, 1, tzinfo=UTC),
        )
        out, error = self._run(hold)
        assert error is None
        assert out.count('"action": "delete"') == 2

"""Ways a service owner might weaken a locked retention schedule."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from secpolicy.exceptions import PolicyConfigError
from secpolicy.retention import (
    LegalHold,
    Period,
    RetentionRule,
    RetentionSchedule,
    ScheduleLockedError,
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

    @pytest.mark.parametrize("released", [SINCE, datetime(2025, 5, 31, tzinfo=UTC)])
    def test_release_before_or_at_placing_is_refused(self, released: datetime) -> None:
        """released <= since: the hold would never be active and the records would go."""
        with pytest.raises(PolicyConfigError, match="released"):
            LegalHold("log", "case 7", SINCE, released=released)

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

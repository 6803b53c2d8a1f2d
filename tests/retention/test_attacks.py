"""Ways a service owner might weaken a locked retention schedule."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from secpolicy.retention import Period, RetentionRule, RetentionSchedule, ScheduleLockedError

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

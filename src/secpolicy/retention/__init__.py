"""Retention periods, schedules, legal holds and working-day deadlines.

Two questions, answered with the clause behind every number:

- *Until when must we keep this record, and from when may (or must) we delete
  it?* :class:`RetentionSchedule` with :class:`RetentionRule` and
  :class:`LegalHold`, or a ready schedule from :mod:`secpolicy.retention.profiles`.
- *By when must this be done?* (T+1 working day, within 3 working days, within
  24 hours) :class:`WorkdayCalendar`.
"""

from __future__ import annotations

from secpolicy.exceptions import CalendarCoverageError, LegalHoldError
from secpolicy.retention import profiles
from secpolicy.retention._bulk import BadRecordsError, evaluate_jsonl
from secpolicy.retention._calendar import ScheduleFileError, WorkdayCalendar
from secpolicy.retention._period import PERMANENT, Period, Semantics
from secpolicy.retention._rules import (
    ANY_CATEGORY,
    Action,
    LegalHold,
    RetentionDecision,
    RetentionRecord,
    RetentionRule,
)
from secpolicy.retention._schedule import (
    RetentionSchedule,
    ScheduleChange,
    ScheduleLockedError,
    UnknownCategories,
    UnknownCategoryError,
)

__all__ = [
    "ANY_CATEGORY",
    "PERMANENT",
    "Action",
    "BadRecordsError",
    "CalendarCoverageError",
    "LegalHold",
    "LegalHoldError",
    "Period",
    "RetentionDecision",
    "RetentionRecord",
    "RetentionRule",
    "RetentionSchedule",
    "ScheduleChange",
    "ScheduleFileError",
    "ScheduleLockedError",
    "Semantics",
    "UnknownCategories",
    "UnknownCategoryError",
    "WorkdayCalendar",
    "evaluate_jsonl",
    "profiles",
]

from secpolicy._public import set_module as _set_module

_set_module(globals())

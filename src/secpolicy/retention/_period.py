"""Retention periods and their calendar arithmetic."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from typing import Final, Literal

import attrs
from dateutil.relativedelta import relativedelta

from secpolicy._clock import ensure_aware
from secpolicy.exceptions import InvalidArgumentError, PolicyConfigError

Semantics = Literal["day", "instant"]
_SEMANTICS: Final = ("day", "instant")

#: Anchors spanning leap years and the 2100 non-leap century year, used to
#: compare periods that mix months and days (is 1 month longer than 30 days?
#: It depends on the month, so "longer" must hold for every anchor).
_COMPARISON_ANCHORS: Final = tuple(
    date(2096, 1, 1) + timedelta(days=n) for n in range((date(2105, 1, 1) - date(2096, 1, 1)).days)
)


def _non_negative(_: object, attribute: attrs.Attribute[int], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise PolicyConfigError("must be a whole number", field=f"period.{attribute.name}")
    if value < 0:
        raise PolicyConfigError("must be >= 0", field=f"period.{attribute.name}")


@attrs.frozen(kw_only=False)
class Period:
    """A retention period in calendar years, months and days, or permanent.

    Arithmetic always starts from the anchor date, never by chaining:
    2024-01-31 + 1 month is 2024-02-29 and + 2 months is 2024-03-31; a month
    end clamps (2024-02-29 + 1 year is 2025-02-28). Six months is not 180 days.

    Args:
        years: Whole years.
        months: Whole months.
        days: Whole days.
        permanent: Keep forever; use :data:`PERMANENT` rather than this flag.

    Raises:
        PolicyConfigError: For negative or non-integer parts, or a permanent
            period that also has parts.

    Example:
        >>> from datetime import date
        >>> from secpolicy.retention import Period
        >>> Period(months=6).end_date(date(2024, 8, 31))
        datetime.date(2025, 2, 28)
    """

    years: int = attrs.field(default=0, validator=_non_negative)
    months: int = attrs.field(default=0, validator=_non_negative)
    days: int = attrs.field(default=0, validator=_non_negative)
    permanent: bool = attrs.field(default=False, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.permanent and (self.years or self.months or self.days):
            raise PolicyConfigError(
                "a permanent period has no years, months or days", field="period"
            )

    @property
    def _delta(self) -> relativedelta:
        return relativedelta(years=self.years, months=self.months, days=self.days)

    def end_date(self, anchor: date) -> date:
        """The date *anchor* plus this period (month ends clamp).

        Under "at least" (day) semantics this is the last day the record must be
        kept: counting starts on the day after the anchor and the period ends
        with the corresponding day (PRC Civil Code, Arts. 201-203).

        Raises:
            InvalidArgumentError: For a permanent period, which has no end.
        """
        if self.permanent:
            raise InvalidArgumentError("a permanent period has no end")
        return anchor + self._delta

    def end(self, anchor: datetime, *, tz: tzinfo, semantics: Semantics = "day") -> datetime | None:
        """The instant from which a record anchored at *anchor* may be disposed of.

        Args:
            anchor: When the period starts (an aware datetime).
            tz: The zone whose calendar days count (the schedule's zone).
            semantics: ``"day"`` (default): kept through the last day in *tz*,
                eligible from 00:00 of the next day. ``"instant"``: eligible
                at the same wall-clock time the period later.

        Returns:
            An aware datetime in *tz*, or ``None`` for a permanent period.

        Raises:
            InvalidArgumentError: For a *semantics* other than ``"day"`` or
                ``"instant"`` (a typo never falls back to either).
        """
        if semantics not in _SEMANTICS:
            raise InvalidArgumentError("semantics must be 'day' or 'instant'", argument="semantics")
        if self.permanent:
            return None
        local = ensure_aware(anchor, name="anchor").astimezone(tz)
        try:
            if semantics == "instant":
                naive_end = local.replace(tzinfo=None) + self._delta
                return naive_end.replace(tzinfo=tz)
            last_day = local.date() + self._delta
            return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=tz)
        except (OverflowError, ValueError):
            raise PolicyConfigError(
                f"{self} after {local.date()} ends after year 9999, beyond the calendar",
                field="created",
            ) from None

    def covers(self, other: Period) -> bool:
        """True if this period is at least as long as *other* from every anchor date.

        A permanent period covers everything; nothing finite covers a
        permanent one. Periods that mix months and days are compared over
        every anchor in a nine-year span that includes leap years and 2100.
        """
        if self.permanent:
            return True
        if other.permanent:
            return False
        if not self.days and not other.days:
            return self.years * 12 + self.months >= other.years * 12 + other.months
        if not (self.years or self.months or other.years or other.months):
            return self.days >= other.days
        mine, theirs = self._delta, other._delta
        return all(a + mine >= a + theirs for a in _COMPARISON_ANCHORS)

    def __str__(self) -> str:
        if self.permanent:
            return "permanent"
        parts = [
            f"{n} {unit}{'s' if n != 1 else ''}"
            for n, unit in ((self.years, "year"), (self.months, "month"), (self.days, "day"))
            if n
        ]
        return " ".join(parts) or "0 days"


#: Keep forever (registration data, group membership and their history).
PERMANENT: Final = Period(permanent=True)

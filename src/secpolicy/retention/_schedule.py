"""Retention schedules: several rules, one decision per record."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from secpolicy._clock import to_utc
from secpolicy.exceptions import LegalHoldError, PolicyConfigError
from secpolicy.retention._rules import (
    CREATED,
    Action,
    LegalHold,
    RetentionDecision,
    RetentionRecord,
    RetentionRule,
)

if TYPE_CHECKING:
    from secpolicy.retention._period import Semantics

_ONE_TICK: Final = timedelta(microseconds=1)
_TIMELINE_CACHE: Final = 65_536


def _zone(value: str | tzinfo) -> tzinfo:
    if isinstance(value, tzinfo):
        return value
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise PolicyConfigError(f"unknown time zone {value!r}", field="tz") from None


@attrs.frozen
class _Timeline:
    """The record-independent part of a decision: dates and deciding rules."""

    retain_until: datetime | None
    retention_rule: RetentionRule | None
    disposal_rule: RetentionRule | None
    must_dispose_by: datetime | None
    accessible_until: datetime | None
    reasons: tuple[str, ...]


class RetentionSchedule:
    """A set of retention rules that decides, per record, how long to keep it.

    When several rules apply to one record (its category's explicit rules and
    the default ``"*"`` rules), the principles of retention decide:

    1. retention wins over deletion: a record is kept while *any* applicable
       rule still requires it;
    2. the longest retention period wins;
    3. an explicit rule wins over a default one in choosing the disposal;
    4. among those, the shortest deletion period wins (it still cannot act
       before retention ends);

    and an active :class:`LegalHold` blocks disposal whatever the periods say.

    Args:
        rules: The rules; at most one per (category, trigger, action) is
            needed, but any number is accepted.
        tz: The time zone whose calendar days count (``"Asia/Shanghai"``), as
            a name or a ``tzinfo``.
        semantics: ``"day"`` (default): "keep at least N" keeps the record
            through the last day in *tz* and allows disposal from 00:00 the
            next day, as the PRC Civil Code counts periods (Arts. 201-203).
            ``"instant"``: disposal from the same wall-clock time N later.
        locked: Compliance mode: :meth:`amend` may only extend periods.
        name: A label for reports.
        citations: Sources of the schedule as a whole.

    Raises:
        PolicyConfigError: For an unknown zone, or two rules on the same
            records and trigger where one's minimum outlasts another's maximum.
    """

    __slots__ = (
        "_by_category",
        "_defaults",
        "_timeline",
        "citations",
        "locked",
        "name",
        "rules",
        "semantics",
        "tz",
    )

    def __init__(
        self,
        rules: Iterable[RetentionRule],
        *,
        tz: str | tzinfo = "UTC",
        semantics: Semantics = "day",
        locked: bool = False,
        name: str = "",
        citations: Iterable[str] = (),
    ) -> None:
        self.rules: tuple[RetentionRule, ...] = tuple(rules)
        for i, rule in enumerate(self.rules):
            if not isinstance(rule, RetentionRule):
                raise PolicyConfigError("must be a RetentionRule", field=f"rules[{i}]")
        if semantics not in ("day", "instant"):
            raise PolicyConfigError("must be 'day' or 'instant'", field="semantics")
        self.tz = _zone(tz)
        self.semantics: Semantics = semantics
        self.locked = locked
        self.name = name
        self.citations = tuple(citations)
        by_category: dict[str, list[RetentionRule]] = {}
        for rule in self.rules:
            by_category.setdefault(rule.category, []).append(rule)
        self._defaults = tuple(by_category.pop("*", ()))
        self._by_category = {c: tuple(r) + self._defaults for c, r in by_category.items()}
        self._check_conflicts()
        self._timeline = functools.lru_cache(maxsize=_TIMELINE_CACHE)(self._compute_timeline)

    def _check_conflicts(self) -> None:
        groups = [*self._by_category.values(), self._defaults]
        for group in groups:
            for limited in group:
                if limited.maximum is None:
                    continue
                for other in group:
                    if other.trigger == limited.trigger and not limited.maximum.covers(other.keep):
                        raise PolicyConfigError(
                            f"rule '{other}' must keep records for {other.keep}, but rule "
                            f"'{limited}' requires them gone within {limited.maximum}",
                            field="rules",
                        )

    # -- reading ---------------------------------------------------------------

    @property
    def categories(self) -> tuple[str, ...]:
        """The categories with explicit rules."""
        return tuple(self._by_category)

    def rules_for(self, category: str) -> tuple[RetentionRule, ...]:
        """The rules that apply to *category*: its explicit rules, then the defaults."""
        return self._by_category.get(category, self._defaults)

    def __repr__(self) -> str:
        label = f"{self.name!r}, " if self.name else ""
        return (
            f"RetentionSchedule({label}{len(self.rules)} rules, tz={self.tz}, "
            f"semantics={self.semantics!r}{', locked' if self.locked else ''})"
        )

    # -- deciding ----------------------------------------------------------------

    def _compute_timeline(
        self, category: str, created: datetime, events: tuple[tuple[str, datetime], ...]
    ) -> _Timeline:
        rules = self.rules_for(category)
        if not rules:
            return _Timeline(
                None, None, None, None, None, (f"no retention rule covers category {category!r}",)
            )
        happened = dict(events)
        reasons: list[str] = []
        indefinite: RetentionRule | None = None
        longest: tuple[datetime, RetentionRule] | None = None
        disposals: list[tuple[datetime | None, int, RetentionRule]] = []
        limits: list[datetime] = []
        accessible: list[datetime] = []
        explicit = any(not r.is_default for r in rules)
        for order, rule in enumerate(rules):
            anchor = created if rule.trigger == CREATED else happened.get(rule.trigger)
            if anchor is None:
                reasons.append(f"{rule}: kept until {rule.trigger} happens")
                indefinite = indefinite or rule
                end = None
            elif rule.keep.permanent:
                reasons.append(f"{rule}: kept permanently")
                indefinite = rule
                end = None
            else:
                end = rule.keep.end(anchor, tz=self.tz, semantics=self.semantics)
                assert end is not None  # noqa: S101 (finite period)
                reasons.append(f"{rule}: kept until {end.isoformat()}")
                if longest is None or end > longest[0]:
                    longest = (end, rule)
            if anchor is not None and rule.maximum is not None:
                limit = rule.maximum.end(anchor, tz=self.tz, semantics=self.semantics)
                assert limit is not None  # noqa: S101 (a maximum is never permanent)
                limits.append(limit)
            if anchor is not None and rule.accessible is not None:
                until = rule.accessible.end(anchor, tz=self.tz, semantics=self.semantics)
                if until is not None:
                    accessible.append(until)
            # Explicit rules decide the disposal; defaults only when there are none.
            if not rule.keep.permanent and (rule.is_default != explicit):
                disposals.append((end, order, rule))
        retain_until = None if indefinite is not None or longest is None else longest[0]
        retention_rule = indefinite if indefinite is not None else longest[1] if longest else None
        finite = sorted((d for d in disposals if d[0] is not None), key=lambda d: (d[0], d[1]))
        pending = [d for d in disposals if d[0] is None]
        disposal_rule = finite[0][2] if finite else pending[0][2] if pending else None
        must_dispose_by = min(limits) if limits else None
        if must_dispose_by is not None and (retain_until is None or retain_until > must_dispose_by):
            reasons.append(
                f"minimum retention outlasts the storage limit of {must_dispose_by.isoformat()}; "
                "retention wins"
            )
        return _Timeline(
            retain_until,
            retention_rule,
            disposal_rule,
            must_dispose_by,
            max(accessible) if accessible else None,
            tuple(reasons),
        )

    def _key_time(self, value: datetime) -> datetime:
        # Under day semantics only the local calendar day matters, so records
        # created on the same day share one cached timeline.
        if self.semantics == "day":
            local = value.astimezone(self.tz)
            return local.replace(hour=0, minute=0, second=0, microsecond=0)
        return value

    def evaluate_record(
        self, record: RetentionRecord, *, now: datetime, holds: Iterable[LegalHold] = ()
    ) -> RetentionDecision:
        """Decide what to do with *record* at *now*.

        Args:
            record: The record's category, creation time and events.
            now: The time of the decision (aware).
            holds: Legal holds to consider; inactive ones are ignored.
        """
        now = to_utc(now, name="now")
        events = tuple(
            sorted(
                (name, self._key_time(to_utc(at, name=f"events.{name}")))
                for name, at in record.events.items()
            )
        )
        timeline = self._timeline(record.category, self._key_time(record.created), events)
        active = tuple(h for h in holds if h.active(now) and h.covers(record))
        reasons = list(timeline.reasons)
        reasons.extend(f"{hold}: disposal suspended" for hold in active)
        disposal: Action | None = (
            timeline.disposal_rule.action if timeline.disposal_rule is not None else None
        )
        retain_until = timeline.retain_until
        eligible_from = None if active else retain_until
        disposable = eligible_from is not None and now >= eligible_from and disposal is not None
        # Retention wins: a record past its storage limit is overdue only once
        # every minimum period has also ended.
        overdue = (
            disposable and timeline.must_dispose_by is not None and now >= timeline.must_dispose_by
        )
        return RetentionDecision(
            category=record.category,
            record_id=record.record_id,
            action=disposal if disposable and disposal is not None else "retain",
            disposal=disposal,
            retain_until=retain_until,
            keep_through=None if retain_until is None else (retain_until - _ONE_TICK).date(),
            eligible_from=eligible_from,
            must_dispose_by=timeline.must_dispose_by,
            accessible_until=timeline.accessible_until,
            overdue=overdue,
            on_hold=bool(active),
            holds=active,
            rule=timeline.retention_rule,
            disposal_rule=timeline.disposal_rule,
            rules=self.rules_for(record.category),
            reasons=tuple(reasons),
        )

    def evaluate(
        self,
        category: str,
        *,
        created: datetime,
        now: datetime,
        events: Mapping[str, datetime] | None = None,
        holds: Iterable[LegalHold] = (),
        record_id: str | None = None,
        attributes: Mapping[str, Any] | None = None,
    ) -> RetentionDecision:
        """Decide what to do with one record of *category* at *now*.

        Args:
            category: The record's category.
            created: When the record was created (aware).
            now: The time of the decision (aware).
            events: When trigger events happened (``{"account_closed": ...}``).
            holds: Legal holds to consider.
            record_id: The record's id, for holds and reports.
            attributes: Other data a hold predicate may look at.

        Example:
            >>> from datetime import datetime
            >>> from zoneinfo import ZoneInfo
            >>> from secpolicy.retention import Period, RetentionRule, RetentionSchedule
            >>> sh = ZoneInfo("Asia/Shanghai")
            >>> schedule = RetentionSchedule(
            ...     [RetentionRule(category="log", keep=Period(months=6))], tz=sh
            ... )
            >>> d = schedule.evaluate(
            ...     "log",
            ...     created=datetime(2024, 8, 31, 9, tzinfo=sh),
            ...     now=datetime(2025, 3, 1, tzinfo=sh),
            ... )
            >>> d.keep_through.isoformat(), d.eligible_from.isoformat(), d.action
            ('2025-02-28', '2025-03-01T00:00:00+08:00', 'delete')
        """
        record = RetentionRecord(
            category=category,
            created=created,
            events=dict(events or {}),
            record_id=record_id,
            attributes=dict(attributes or {}),
        )
        return self.evaluate_record(record, now=now, holds=holds)

    def evaluate_many(
        self,
        records: Iterable[RetentionRecord | Mapping[str, Any]],
        *,
        now: datetime,
        holds: Iterable[LegalHold] = (),
    ) -> Iterator[RetentionDecision]:
        """Decide for every record of an iterable, lazily, in constant memory.

        Records are :class:`RetentionRecord` objects or mappings with
        ``category``, ``created`` (a datetime or ISO 8601 text with an
        offset), optional ``events`` (name to datetime or ISO text), optional
        ``id`` or ``record_id``, and anything else as attributes.

        Raises:
            PolicyConfigError: For a mapping that lacks a field or has an
                invalid time; the message names the field and the record's
                position.
        """
        hold_list = tuple(holds)
        for position, item in enumerate(records):
            record = (
                item if isinstance(item, RetentionRecord) else record_from_mapping(item, position)
            )
            yield self.evaluate_record(record, now=now, holds=hold_list)

    def dispose(
        self, record: RetentionRecord, *, now: datetime, holds: Iterable[LegalHold] = ()
    ) -> RetentionDecision:
        """Check that *record* may be disposed of now, and return the decision.

        Call it right before deleting or anonymising, as a guard.

        Raises:
            LegalHoldError: If an active hold covers the record.
            PolicyConfigError: If the record must still be kept; the message
                gives the date it becomes eligible.
        """
        decision = self.evaluate_record(record, now=now, holds=holds)
        if decision.on_hold:
            reasons = "; ".join(h.reason for h in decision.holds)
            raise LegalHoldError(
                f"record {record.record_id or ''} of category {record.category!r} is under "
                f"{len(decision.holds)} legal hold(s): {reasons}"
            )
        if decision.action == "retain":
            until = decision.eligible_from.isoformat() if decision.eligible_from else "indefinitely"
            raise PolicyConfigError(
                f"record of category {record.category!r} must be kept (eligible from {until})",
                field="retention",
            )
        return decision

    # -- changing ----------------------------------------------------------------

    def lock(self) -> RetentionSchedule:
        """A copy in compliance mode: later amendments may only extend periods.

        Like S3 Object Lock's compliance mode, a locked schedule's retention
        cannot be shortened by anyone, including the account that locked it.
        """
        return self._copy(self.rules, locked=True)

    def amend(self, rules: Iterable[RetentionRule]) -> RetentionSchedule:
        """A new schedule with *rules* replacing those of the same category and trigger.

        Rules for new (category, trigger) pairs are added.

        Raises:
            PolicyConfigError: On a locked schedule, if an amendment would
                shorten a minimum period, add or shorten a maximum, or bring a
                disposal forward by changing the action's timing.
        """
        new = {(r.category, r.trigger): r for r in rules}
        merged = [new.pop((r.category, r.trigger), r) for r in self.rules]
        if self.locked:
            for old, replacement in zip(self.rules, merged, strict=True):
                if replacement is old:
                    continue
                if not replacement.keep.covers(old.keep):
                    raise PolicyConfigError(
                        f"schedule is locked: cannot shorten {old.category!r} from {old.keep} "
                        f"to {replacement.keep}",
                        field=f"rules.{old.category}.keep",
                    )
                if replacement.maximum is not None and (
                    old.maximum is None or not replacement.maximum.covers(old.maximum)
                ):
                    raise PolicyConfigError(
                        f"schedule is locked: cannot add or shorten a maximum for {old.category!r}",
                        field=f"rules.{old.category}.maximum",
                    )
        return self._copy([*merged, *new.values()], locked=self.locked)

    def _copy(self, rules: Iterable[RetentionRule], *, locked: bool) -> RetentionSchedule:
        return RetentionSchedule(
            rules,
            tz=self.tz,
            semantics=self.semantics,
            locked=locked,
            name=self.name,
            citations=self.citations,
        )


def _parse_time(value: Any, field: str) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise PolicyConfigError("not an ISO 8601 time", field=field) from None
    if not isinstance(value, datetime):
        raise PolicyConfigError("must be a datetime or ISO 8601 text", field=field)
    if value.tzinfo is None:
        raise PolicyConfigError("needs a UTC offset or zone", field=field)
    return value


def record_from_mapping(item: Mapping[str, Any], position: int) -> RetentionRecord:
    """Build a :class:`RetentionRecord` from a mapping (one JSON line or CSV row)."""
    where = f"records[{position}]"
    if not isinstance(item, Mapping):
        raise PolicyConfigError("must be a mapping", field=where)
    category = item.get("category")
    if not isinstance(category, str) or not category:
        raise PolicyConfigError("missing or empty", field=f"{where}.category")
    if "created" not in item:
        raise PolicyConfigError("missing", field=f"{where}.created")
    created = _parse_time(item["created"], f"{where}.created")
    raw_events = item.get("events")
    if raw_events is None:
        raw_events = {}
    if not isinstance(raw_events, Mapping):
        raise PolicyConfigError(
            "must be a mapping of event names to times", field=f"{where}.events"
        )
    events = {
        str(name): _parse_time(at, f"{where}.events.{name}") for name, at in raw_events.items()
    }
    record_id = item.get("record_id", item.get("id"))
    attributes = {
        k: v
        for k, v in item.items()
        if k not in {"category", "created", "events", "id", "record_id"}
    }
    return RetentionRecord(
        category=category,
        created=created,
        events=events,
        record_id=None if record_id is None else str(record_id),
        attributes=attributes,
    )

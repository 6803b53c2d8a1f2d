"""Retention schedules: several rules, one decision per record."""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Final, Literal, NoReturn
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

#: What a schedule does with a category it has no explicit rule for.
UnknownCategories = Literal["error", "default"]
_UNKNOWN_CHOICES: Final = ("error", "default")


class UnknownCategoryError(PolicyConfigError):
    """A record's category has no explicit rule and the schedule does not know it.

    A misspelled category (``"user_lgo"``) would otherwise fall silently to
    the default ``"*"`` rules, or to none, and be disposed of on the wrong
    terms. Declare categories that the default rules are meant to decide with
    ``RetentionSchedule(..., categories=[...])``.

    Attributes:
        category: The category asked about.
        suggestion: The closest known category, if one is close.

    .. versionadded:: 0.2
    """

    def __init__(self, category: str, suggestion: str | None) -> None:
        hint = f"; did you mean {suggestion!r}?" if suggestion else ""
        super().__init__(
            f"unknown category {category!r}{hint} (declare it in categories= to let the "
            "default rules decide)",
            field="category",
        )
        self.category = category
        self.suggestion = suggestion


class ScheduleLockedError(PolicyConfigError):
    """A change to a locked schedule would shorten or weaken what it keeps.

    .. versionadded:: 0.2
    """


@attrs.frozen(kw_only=True)
class ScheduleChange:
    """One change to a schedule, applied or refused: what an auditor reads.

    Attributes:
        schedule: The schedule's name.
        by: Who asked for the change.
        reason: Why.
        at: When (aware, UTC), as the caller passed it.
        accepted: False if the change was refused.
        changes: What changed, one line per difference.
        refusal: Why it was refused, if it was.

    .. versionadded:: 0.2
    """

    schedule: str
    by: str
    reason: str
    at: datetime
    accepted: bool
    changes: tuple[str, ...]
    refusal: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, for an audit event's data."""
        return {
            "schedule": self.schedule,
            "by": self.by,
            "reason": self.reason,
            "at": self.at.isoformat(),
            "accepted": self.accepted,
            "changes": list(self.changes),
            "refusal": self.refusal,
        }


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
    4. among those, a rule whose action is ``"review"`` wins over automatic
       disposal (a person decides), and otherwise the shortest deletion
       period wins (it still cannot act before retention ends);

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
        locked: Compliance mode: :meth:`replace` and :meth:`amend` may only
            extend what the schedule keeps. A schedule is immutable; the lock
            says which new schedules may be derived from it.
        name: A label for reports.
        citations: Sources of the schedule as a whole.
        categories: Categories without an explicit rule that the default
            rules are meant to decide.
        on_unknown_category: ``"error"`` (default): a category that has no
            explicit rule and is not in *categories* raises
            :class:`UnknownCategoryError` when the schedule has explicit
            rules at all, so a misspelling is never decided by the defaults.
            ``"default"``: such a category is decided by the default rules
            (or kept, with a reason, if there are none).
        history: The changes that led to this schedule (set by :meth:`replace`).

    Raises:
        PolicyConfigError: For an unknown zone, or two rules on the same
            records and trigger where one's minimum outlasts another's maximum.

    .. versionchanged:: 0.2
       *categories*, *on_unknown_category* and *history*; attributes are
       read-only.
    """

    __slots__ = (
        "_by_category",
        "_declared",
        "_defaults",
        "_timeline",
        "categories_declared",
        "citations",
        "history",
        "locked",
        "name",
        "on_unknown_category",
        "rules",
        "semantics",
        "tz",
    )
    rules: tuple[RetentionRule, ...]
    tz: tzinfo
    semantics: Semantics
    locked: bool
    name: str
    citations: tuple[str, ...]
    #: The categories declared with ``categories=``.
    categories_declared: tuple[str, ...]
    on_unknown_category: UnknownCategories
    #: The changes that led to this schedule, oldest first.
    history: tuple[ScheduleChange, ...]
    _by_category: dict[str, tuple[RetentionRule, ...]]
    _declared: frozenset[str]
    _defaults: tuple[RetentionRule, ...]
    _timeline: Callable[[str, datetime, tuple[tuple[str, datetime], ...]], _Timeline]

    def __init__(
        self,
        rules: Iterable[RetentionRule],
        *,
        tz: str | tzinfo = "UTC",
        semantics: Semantics = "day",
        locked: bool = False,
        name: str = "",
        citations: Iterable[str] = (),
        categories: Iterable[str] = (),
        on_unknown_category: UnknownCategories = "error",
        history: Iterable[ScheduleChange] = (),
    ) -> None:
        init = functools.partial(object.__setattr__, self)
        rules = tuple(rules)
        for i, rule in enumerate(rules):
            if not isinstance(rule, RetentionRule):
                raise PolicyConfigError("must be a RetentionRule", field=f"rules[{i}]")
        if semantics not in ("day", "instant"):
            raise PolicyConfigError("must be 'day' or 'instant'", field="semantics")
        if on_unknown_category not in _UNKNOWN_CHOICES:
            raise PolicyConfigError("must be 'error' or 'default'", field="on_unknown_category")
        if not isinstance(locked, bool):
            raise PolicyConfigError("must be true or false", field="locked")
        names = tuple(categories)
        declared: tuple[object, ...] = names
        for i, category in enumerate(declared):
            if not isinstance(category, str) or not category.strip():
                raise PolicyConfigError("must be a non-empty string", field=f"categories[{i}]")
        init("rules", rules)
        init("tz", _zone(tz))
        init("semantics", semantics)
        init("locked", locked)
        init("name", name)
        init("citations", tuple(citations))
        init("categories_declared", names)
        init("on_unknown_category", on_unknown_category)
        init("history", tuple(history))
        by_category: dict[str, list[RetentionRule]] = {}
        for rule in rules:
            by_category.setdefault(rule.category, []).append(rule)
        defaults = tuple(by_category.pop("*", ()))
        init("_defaults", defaults)
        init("_by_category", {c: tuple(r) + defaults for c, r in by_category.items()})
        init("_declared", frozenset(names))
        self._check_conflicts()
        init("_timeline", functools.lru_cache(maxsize=_TIMELINE_CACHE)(self._compute_timeline))

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise attrs.exceptions.FrozenInstanceError

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from its arguments (the cache is not state), so a schedule
        # pickles cleanly to worker processes (Spark executors, process pools).
        return (
            _restore,
            (
                self.rules,
                {
                    "tz": self.tz,
                    "semantics": self.semantics,
                    "locked": self.locked,
                    "name": self.name,
                    "citations": self.citations,
                    "categories": self.categories_declared,
                    "on_unknown_category": self.on_unknown_category,
                    "history": self.history,
                },
            ),
        )

    def __delattr__(self, name: str) -> NoReturn:
        raise attrs.exceptions.FrozenInstanceError

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
        """The rules that apply to *category*: its explicit rules, then the defaults.

        Raises:
            UnknownCategoryError: For a category the schedule does not know,
                under ``on_unknown_category="error"`` (see the class).
        """
        rules = self._by_category.get(category)
        if rules is not None:
            return rules
        if (
            self.on_unknown_category == "error"
            and self._by_category
            and category not in self._declared
        ):
            known = [*self._by_category, *self._declared]
            close = difflib.get_close_matches(category, known, n=1, cutoff=0.6)
            raise UnknownCategoryError(category, close[0] if close else None)
        return self._defaults

    def knows(self, category: str) -> bool:
        """True if *category* has explicit rules or is declared in ``categories``.

        .. versionadded:: 0.2
        """
        return category in self._by_category or category in self._declared

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
        # A rule that asks for a person's review is never overridden by an
        # automatic disposal of a shorter rule: review wins, then the
        # shortest deletion.
        reviews = [d for d in disposals if d[2].action == "review"]
        candidates = reviews or disposals
        finite = sorted((d for d in candidates if d[0] is not None), key=lambda d: (d[0], d[1]))
        pending = [d for d in candidates if d[0] is None]
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
        """A copy in compliance mode: later schedules may only extend what it keeps.

        Like S3 Object Lock's compliance mode, a locked schedule's retention
        cannot be shortened by anyone, including the account that locked it:
        :meth:`replace` and :meth:`amend` refuse such a change. What a library
        can enforce ends there: the stored records themselves are protected
        by the store's own lock (object lock, an append-only table).
        """
        return self._derive(self.rules, locked=True)

    def amend(
        self,
        rules: Iterable[RetentionRule],
        *,
        by: str | None = None,
        reason: str | None = None,
        at: datetime | None = None,
        on_change: Callable[[ScheduleChange], None] | None = None,
    ) -> RetentionSchedule:
        """A new schedule with *rules* replacing those of the same category and trigger.

        Rules for new (category, trigger) pairs are added. With *by*,
        *reason* and *at* the change is recorded as for :meth:`replace`.

        Raises:
            ScheduleLockedError: On a locked schedule, for any change that
                :meth:`replace` refuses.
        """
        new = {(r.category, r.trigger): r for r in rules}
        merged = [new.pop((r.category, r.trigger), r) for r in self.rules]
        if by is None and reason is None and at is None:
            candidate = self._derive([*merged, *new.values()], locked=self.locked)
            refusal = self._refusal(candidate) if self.locked else None
            if refusal is not None:
                raise ScheduleLockedError(f"schedule is locked: {refusal}", field="rules")
            return candidate
        if by is None or reason is None or at is None:
            raise PolicyConfigError("give by, reason and at together", field="amend")
        return self.replace(
            [*merged, *new.values()], by=by, reason=reason, at=at, on_change=on_change
        )

    def replace(
        self,
        rules: Iterable[RetentionRule] | None = None,
        *,
        by: str,
        reason: str,
        at: datetime,
        tz: str | tzinfo | None = None,
        semantics: Semantics | None = None,
        locked: bool | None = None,
        name: str | None = None,
        citations: Iterable[str] | None = None,
        categories: Iterable[str] | None = None,
        on_unknown_category: UnknownCategories | None = None,
        on_change: Callable[[ScheduleChange], None] | None = None,
    ) -> RetentionSchedule:
        """A new schedule with the given attributes changed, recorded in its history.

        This is how a schedule changes: it is immutable, and its
        ``history`` records who changed it, when and why. On a locked
        schedule the new one must keep at least as much for as long: every
        rule is still there (by category and trigger) with a period that
        covers the old one, no maximum is added or shortened, no
        immediate-availability period is shortened, no disposal action moves
        away from ``"review"``, the zone and day semantics stay, the lock
        stays on and unknown categories stay refused. Citations, names and
        new rules are free (every applicable rule counts toward retention, so
        adding one never shortens it).

        Args:
            rules: The new rules (default: the current ones).
            by: Who makes the change (a user id).
            reason: Why (a ticket, a decision).
            at: When (aware).
            tz: A new zone.
            semantics: New day semantics.
            locked: Lock (or, on an unlocked schedule, keep unlocked).
            name: A new label.
            citations: New sources.
            categories: New declared categories.
            on_unknown_category: New treatment of unknown categories.
            on_change: Called with the :class:`ScheduleChange`, accepted or
                refused, for the audit log (``AuditLogger.change_policy``).

        Returns:
            The new schedule, whose ``history`` ends with this change.

        Raises:
            ScheduleLockedError: If the schedule is locked and the change
                would weaken it; *on_change* has then seen the refusal.
            PolicyConfigError: For an invalid new configuration, or an empty
                *by* or *reason*.

        Example:
            >>> from datetime import UTC, datetime
            >>> from secpolicy.retention import Period, RetentionRule
            >>> logs = RetentionSchedule(
            ...     [RetentionRule(category="log", keep=Period(months=12))], name="logs"
            ... ).lock()
            >>> longer = logs.replace(
            ...     [RetentionRule(category="log", keep=Period(months=18))],
            ...     by="sec-admin",
            ...     reason="CHG-42",
            ...     at=datetime(2026, 12, 1, tzinfo=UTC),
            ... )
            >>> longer.history[-1].changes
            ('log after created: keep 12 months -> keep 18 months',)
        """
        given: tuple[tuple[str, object], ...] = (("by", by), ("reason", reason))
        for field, value in given:
            if not isinstance(value, str) or not value.strip():
                raise PolicyConfigError("must be a non-empty string", field=field)
        when = to_utc(at, name="at")
        candidate = self._derive(
            self.rules if rules is None else rules,
            tz=self.tz if tz is None else tz,
            semantics=self.semantics if semantics is None else semantics,
            locked=self.locked if locked is None else locked,
            name=self.name if name is None else name,
            citations=self.citations if citations is None else citations,
            categories=self.categories_declared if categories is None else categories,
            on_unknown_category=(
                self.on_unknown_category if on_unknown_category is None else on_unknown_category
            ),
        )
        refusal = self._refusal(candidate) if self.locked else None
        change = ScheduleChange(
            schedule=self.name,
            by=by,
            reason=reason,
            at=when,
            accepted=refusal is None,
            changes=self._differences(candidate),
            refusal=refusal,
        )
        if on_change is not None:
            on_change(change)
        if refusal is not None:
            raise ScheduleLockedError(f"schedule is locked: {refusal}", field="rules")
        return candidate._derive(candidate.rules, history=(*self.history, change))  # noqa: SLF001 (same class)

    def _derive(self, rules: Iterable[RetentionRule], **changes: Any) -> RetentionSchedule:
        settings: dict[str, Any] = {
            "tz": self.tz,
            "semantics": self.semantics,
            "locked": self.locked,
            "name": self.name,
            "citations": self.citations,
            "categories": self.categories_declared,
            "on_unknown_category": self.on_unknown_category,
            "history": self.history,
        }
        settings.update(changes)
        return RetentionSchedule(rules, **settings)

    @staticmethod
    def _keyed(rules: Iterable[RetentionRule]) -> dict[tuple[str, str], list[RetentionRule]]:
        keyed: dict[tuple[str, str], list[RetentionRule]] = {}
        for rule in rules:
            keyed.setdefault((rule.category, rule.trigger), []).append(rule)
        return keyed

    def _refusal(self, new: RetentionSchedule) -> str | None:  # noqa: PLR0911, PLR0912 (one reason per rule)
        """Why *new* may not replace this locked schedule, or None."""
        if not new.locked:
            return "the lock cannot be removed"
        if str(new.tz) != str(self.tz):
            return f"the zone cannot change from {self.tz} to {new.tz}"
        if self.semantics == "day" and new.semantics == "instant":
            return "day semantics cannot become instant semantics (records would go earlier)"
        if self.on_unknown_category == "error" and new.on_unknown_category == "default":
            return "unknown categories cannot be handed to the default rules"
        old_keyed, new_keyed = self._keyed(self.rules), self._keyed(new.rules)
        for (category, trigger), olds in old_keyed.items():
            label = f"{category!r} after {trigger}"
            news = new_keyed.get((category, trigger))
            if not news:
                return f"the rule for {label} cannot be removed"
            for old in olds:
                if not any(n.keep.covers(old.keep) for n in news):
                    return f"cannot shorten {label} from {old.keep}"
                if old.accessible is not None and not any(
                    n.accessible is not None and n.accessible.covers(old.accessible) for n in news
                ):
                    return f"cannot shorten the immediate availability of {label}"
                if old.action == "review" and not any(n.action == "review" for n in news):
                    return f"{label} must stay under review"
            old_limits = [o.maximum for o in olds if o.maximum is not None]
            for n in news:
                if n.maximum is not None and not any(n.maximum.covers(m) for m in old_limits):
                    return f"cannot add or shorten a maximum for {label}"
        old_categories = {category for category, _ in old_keyed}
        for (category, trigger), news in new_keyed.items():
            if (category, trigger) in old_keyed or category not in old_categories:
                continue
            if any(n.maximum is not None for n in news):
                # a storage limit counted from another event still limits the category
                return f"cannot add a maximum for {category!r} (after {trigger})"
        default_review = any(r.action == "review" for r in self._defaults)
        for category, rules in new._by_category.items():
            if category in self._by_category or not default_review:
                continue
            if not any(r.action == "review" for r in rules if not r.is_default):
                return f"a new rule for {category!r} cannot replace the default review"
        return None

    def _differences(self, new: RetentionSchedule) -> tuple[str, ...]:
        lines: list[str] = []
        old_keyed, new_keyed = self._keyed(self.rules), self._keyed(new.rules)
        for key in sorted(old_keyed.keys() | new_keyed.keys()):
            label = f"{key[0]} after {key[1]}"
            before = "; ".join(_rule_terms(r) for r in old_keyed.get(key, ()))
            after = "; ".join(_rule_terms(r) for r in new_keyed.get(key, ()))
            if before != after:
                lines.append(f"{label}: {before or '(none)'} -> {after or '(removed)'}")
        for attribute in ("tz", "semantics", "locked", "on_unknown_category"):
            before, after = str(getattr(self, attribute)), str(getattr(new, attribute))
            if before != after:
                lines.append(f"{attribute}: {before} -> {after}")
        if set(self.categories_declared) != set(new.categories_declared):
            lines.append(
                f"categories: {sorted(self.categories_declared)} -> "
                f"{sorted(new.categories_declared)}"
            )
        return tuple(lines)


def _restore(rules: tuple[RetentionRule, ...], settings: dict[str, Any]) -> RetentionSchedule:
    """Unpickle a :class:`RetentionSchedule`."""
    return RetentionSchedule(rules, **settings)


def _rule_terms(rule: RetentionRule) -> str:
    terms = [f"keep {rule.keep}"]
    if rule.action != "delete":
        terms.append(rule.action)
    if rule.maximum is not None:
        terms.append(f"maximum {rule.maximum}")
    if rule.accessible is not None:
        terms.append(f"accessible {rule.accessible}")
    return ", ".join(terms)


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

"""Retention rules, legal holds and the decisions a schedule returns."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from secpolicy import _validators as v
from secpolicy._clock import to_utc
from secpolicy.exceptions import PolicyConfigError
from secpolicy.retention._period import Period

if TYPE_CHECKING:
    from datetime import date, datetime

Action = Literal["delete", "anonymize", "review"]
Decided = Literal["retain", "delete", "anonymize", "review"]

#: The category of a rule that applies to every record: a default rule.
ANY_CATEGORY: Final = "*"
CREATED: Final = "created"
_ACTIONS: Final = ("delete", "anonymize", "review")
_DECIDED: Final = ("retain", *_ACTIONS)
#: The keys of :meth:`RetentionDecision.to_dict`, in order.
DECISION_FIELDS: Final = (
    "record_id",
    "category",
    "action",
    "disposal",
    "retain_until",
    "keep_through",
    "eligible_from",
    "must_dispose_by",
    "accessible_until",
    "overdue",
    "on_hold",
    "holds",
    "rule",
    "citation",
    "disposal_rule",
    "reasons",
)


def _period(field: str) -> Callable[[Any, Any, Any], None]:
    def check(_: Any, __: Any, value: Any) -> None:
        if not isinstance(value, Period):
            raise PolicyConfigError("must be a Period (or PERMANENT)", field=field)

    return check


def _name(field: str) -> Callable[[Any, Any, Any], None]:
    def check(_: Any, __: Any, value: Any) -> None:
        if not isinstance(value, str) or not value.strip():
            raise PolicyConfigError("must be a non-empty string", field=field)

    return check


def _created_utc(value: datetime) -> datetime:
    return to_utc(value, name="created")


def _since_utc(value: datetime) -> datetime:
    return to_utc(value, name="since")


def _record_id(value: object) -> str | None:
    """A record id as holds compare it: text (an integer id is its decimal text) or None."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise PolicyConfigError("must be text (or an integer) or None", field="record_id")


def unidentified(record: RetentionRecord, holds: Iterable[LegalHold]) -> PolicyConfigError | None:
    """The error of a record read from a file without an id while a hold on ids is in force.

    Such a record may be one of the held ones (its id column misnamed, or
    lost): a batch reports it rather than decide it as if no hold covered it.
    *holds* are the holds in force.
    """
    if record.record_id is not None or not any(h.by_record_ids for h in holds):
        return None
    return PolicyConfigError(
        "missing: a legal hold on record ids is in force, so a record without an id "
        "cannot be decided",
        field="record_id",
    )


def _utc_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else to_utc(value, name="released")


@attrs.frozen(kw_only=True)
class RetentionRule:
    """How long one category of records must be kept, and what happens then.

    Args:
        category: The record category (``"user_log"``), or ``"*"`` for a
            default rule that applies to every record. An explicit rule wins
            over a default one in deciding the disposal; both count towards
            the minimum retention.
        keep: The minimum retention period, from the trigger.
        trigger: ``"created"`` (default) or the name of an event, such as
            ``"relationship_ended"``, ``"account_closed"`` or
            ``"system_decommissioned"``. Until the event has happened, the
            record is kept.
        action: What happens once the period is over: ``"delete"``,
            ``"anonymize"`` or ``"review"`` (a person decides).
        maximum: Storage limitation (GDPR Art. 5(1)(e) style): the record must
            be gone this long after the trigger. Must cover *keep*.
        accessible: How long the record must stay immediately available for
            analysis (PCI DSS 10.5.1: the latest 3 months), if that differs.
        citation: The clause the rule implements.

    Raises:
        PolicyConfigError: For an invalid field (the message names it), or a
            *maximum* shorter than *keep*.
    """

    category: str = attrs.field(validator=_name("category"))
    keep: Period = attrs.field(validator=_period("keep"))
    trigger: str = attrs.field(default=CREATED, validator=_name("trigger"))
    action: Action = attrs.field(default="delete")
    maximum: Period | None = attrs.field(default=None)
    accessible: Period | None = attrs.field(default=None)
    citation: str = attrs.field(default="")

    @action.validator
    def _check_action(self, _: Any, value: Any) -> None:
        if value not in _ACTIONS:
            raise PolicyConfigError(f"must be one of {', '.join(_ACTIONS)}", field="action")

    @maximum.validator
    def _check_maximum(self, _: Any, value: Period | None) -> None:
        if value is None:
            return
        _period("maximum")(self, None, value)
        if value.permanent:
            raise PolicyConfigError("a maximum cannot be permanent", field="maximum")
        if not value.covers(self.keep):
            raise PolicyConfigError(
                f"maximum ({value}) is shorter than keep ({self.keep}) for "
                f"category {self.category!r}",
                field="maximum",
            )

    @accessible.validator
    def _check_accessible(self, _: Any, value: Period | None) -> None:
        if value is not None:
            _period("accessible")(self, None, value)

    @property
    def is_default(self) -> bool:
        """True for a rule that applies to every category."""
        return self.category == ANY_CATEGORY

    def __str__(self) -> str:
        if self.keep.permanent:
            return f"{self.category}: keep permanently"
        trigger = "" if self.trigger == CREATED else f" after {self.trigger}"
        return f"{self.category}: keep {self.keep}{trigger}, then {self.action}"


@attrs.frozen(kw_only=True)
class RetentionRecord:
    """What the schedule needs to know about one record.

    Attributes:
        category: The record's category.
        created: When the record was created (aware).
        events: When trigger events happened, by name (aware datetimes).
        record_id: An identifier, used by holds and reported in decisions.
        attributes: Anything else a hold predicate may look at.
    """

    category: str = attrs.field(validator=_name("category"))
    created: datetime = attrs.field(converter=_created_utc)
    events: Mapping[str, datetime] = attrs.field(factory=dict)
    record_id: str | None = attrs.field(default=None, converter=_record_id)
    attributes: Mapping[str, Any] = attrs.field(factory=dict)


HoldScope = str | Callable[[RetentionRecord], bool]


@attrs.frozen
class _RecordIds:
    """The scope of a hold on given record ids (a picklable predicate)."""

    ids: frozenset[str]

    def __call__(self, record: RetentionRecord) -> bool:
        return record.record_id in self.ids


@attrs.frozen(kw_only=False)
class LegalHold:
    """Suspends disposal of the records in its scope until released.

    A hold has no end date: like an S3 Object Lock legal hold, it lasts until
    it is released, whatever the retention periods say.

    Args:
        scope: A category name, ``"*"`` for every record, or a predicate over
            :class:`RetentionRecord`. Use :meth:`for_records` for record ids.
        reason: Why (a case number, an investigation); recorded in decisions.
        since: When the hold was placed (aware).
        released: When it was released, or ``None`` while in force.
        name: A short identifier for reports.
    """

    scope: HoldScope = attrs.field()
    reason: str = attrs.field(validator=_name("reason"))
    since: datetime = attrs.field(converter=_since_utc)
    released: datetime | None = attrs.field(default=None, kw_only=True, converter=_utc_or_none)
    name: str = attrs.field(default="", kw_only=True)

    @scope.validator
    def _check_scope(self, _: Any, value: object) -> None:
        # A scope of "" (or a list) covers no record: the hold would protect nothing.
        if isinstance(value, str):
            if not value.strip():
                raise PolicyConfigError("must be a category, '*' or a predicate", field="scope")
        elif not callable(value):
            raise PolicyConfigError(
                "must be a category name, '*' or a predicate over a RetentionRecord",
                field="scope",
            )

    @released.validator
    def _check_released(self, _: Any, value: datetime | None) -> None:
        # A hold released before it was placed is never in force: a typo in a
        # date, not a hold. (Lifted at the very instant it was placed is a
        # record of what happened, as a hold store keeps it.)
        if value is not None and value < self.since:
            raise PolicyConfigError(
                f"must not be before since ({self.since.isoformat()}): a hold released "
                "before it was placed is never in force",
                field="released",
            )

    @classmethod
    def for_records(
        cls, record_ids: Iterable[str], reason: str, since: datetime, *, name: str = ""
    ) -> LegalHold:
        """A hold on specific records, by id.

        Ids are compared as text, the way records carry them (an integer id
        read from JSON, ``123``, is the record id ``"123"``); an id no record
        can have (empty, a boolean, a float, a list) is an error, so that a
        hold never silently misses its records.

        .. versionchanged:: 0.2
           Integer ids are held as text; other non-text ids are refused.
        """
        if isinstance(record_ids, str):
            raise PolicyConfigError(
                "must be a list of record ids, not one string", field="record_ids"
            )
        ids: set[str] = set()
        for i, record_id in enumerate(record_ids):
            given: object = record_id
            if isinstance(given, int) and not isinstance(given, bool):
                given = str(given)
            if not isinstance(given, str) or not given.strip():
                raise PolicyConfigError(
                    "must be a non-empty string (or an integer)", field=f"record_ids[{i}]"
                )
            ids.add(given)
        return cls(_RecordIds(frozenset(ids)), reason, since, name=name)

    @property
    def by_record_ids(self) -> bool:
        """True for a hold on record ids (:meth:`for_records`).

        .. versionadded:: 0.2
        """
        return isinstance(self.scope, _RecordIds)

    def active(self, now: datetime) -> bool:
        """True if the hold is in force at *now*."""
        now = to_utc(now, name="now")
        return self.since <= now and (self.released is None or now < self.released)

    def covers(self, record: RetentionRecord) -> bool:
        """True if *record* is in the hold's scope."""
        if isinstance(self.scope, str):
            return self.scope in (ANY_CATEGORY, record.category)
        return bool(self.scope(record))

    def __str__(self) -> str:
        label = self.name or (self.scope if isinstance(self.scope, str) else "records")
        return f"hold {label}: {self.reason}"


@attrs.frozen(kw_only=True)
class RetentionDecision:
    """What to do with one record now, when, and why.

    Attributes:
        category: The record's category.
        record_id: The record's id, if given.
        action: What to do *now*: ``"retain"`` while the record must be kept
            (within its period, permanent, waiting for a trigger event, or on
            hold), otherwise the disposal action.
        disposal: What happens when retention ends (``"delete"``,
            ``"anonymize"``, ``"review"``), or ``None`` if never.
        retain_until: When the minimum retention ends (aware, in the
            schedule's zone), or ``None`` while it must be kept indefinitely
            (permanent, or waiting for an event).
        keep_through: The last calendar day the record must be kept, in the
            schedule's zone, or ``None``.
        eligible_from: From when disposal may start: ``retain_until``, or
            ``None`` while the record must be kept indefinitely or is on hold.
        must_dispose_by: The storage-limitation deadline, if any rule has a
            maximum.
        accessible_until: Until when the record must stay immediately
            available, if a rule says so.
        overdue: True if the storage-limitation deadline has passed and no
            hold covers the record: it must be disposed of now.
        on_hold: True if an active legal hold covers the record.
        holds: The active holds that cover it.
        rule: The rule that decided how long the record is kept (the
            longest, permanent or still-waiting one), or ``None`` if no rule
            applies.
        disposal_rule: The rule whose action applies once retention ends
            (explicit over default, then the shortest), or ``None``.
        rules: Every rule that applied.
        reasons: Human-readable reasons, one per consideration.

    Raises:
        PolicyConfigError: For an *action* or *disposal* outside its closed
            set (the message names the field).

    .. versionchanged:: 0.2
       *action* and *disposal* are validated.
    """

    category: str
    record_id: str | None
    action: Decided = attrs.field(validator=v.in_(_DECIDED))
    disposal: Action | None = attrs.field(validator=v.optional(v.in_(_ACTIONS)))
    retain_until: datetime | None
    keep_through: date | None
    eligible_from: datetime | None
    must_dispose_by: datetime | None
    accessible_until: datetime | None
    overdue: bool
    on_hold: bool
    holds: tuple[LegalHold, ...]
    rule: RetentionRule | None
    disposal_rule: RetentionRule | None
    rules: tuple[RetentionRule, ...]
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (times as ISO 8601 strings)."""

        def iso(value: datetime | date | None) -> str | None:
            return None if value is None else value.isoformat()

        return {
            "record_id": self.record_id,
            "category": self.category,
            "action": self.action,
            "disposal": self.disposal,
            "retain_until": iso(self.retain_until),
            "keep_through": iso(self.keep_through),
            "eligible_from": iso(self.eligible_from),
            "must_dispose_by": iso(self.must_dispose_by),
            "accessible_until": iso(self.accessible_until),
            "overdue": self.overdue,
            "on_hold": self.on_hold,
            "holds": [str(h) for h in self.holds],
            "rule": None if self.rule is None else str(self.rule),
            "citation": None if self.rule is None else self.rule.citation or None,
            "disposal_rule": None if self.disposal_rule is None else str(self.disposal_rule),
            "reasons": list(self.reasons),
        }

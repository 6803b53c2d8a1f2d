"""Streaming evaluation of JSON-lines records in constant memory."""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from json.encoder import encode_basestring
from typing import IO, TYPE_CHECKING, Any, Final

from secpolicy._clock import to_utc
from secpolicy.exceptions import PolicyConfigError
from secpolicy.retention._rules import ANY_CATEGORY, CREATED, DECISION_FIELDS, unidentified
from secpolicy.retention._schedule import record_from_mapping

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from secpolicy.retention._rules import LegalHold, RetentionRecord
    from secpolicy.retention._schedule import RetentionSchedule

_CACHE_LIMIT: Final = 65_536
# Decisions are written to the destination in batches of this many lines.
_BATCH: Final = 512
# The decoder's scanner (the C one where available), as json.loads uses it.
_SCAN: Final[Callable[[str, int], tuple[Any, int]]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_JSON_SPACE: Final = " \t\n\r"
# How many bad lines a BadRecordsError message spells out; all are in .errors.
_SHOWN_ERRORS: Final = 5


class BadRecordsError(PolicyConfigError):
    """Some records of a batch could not be decided; the others were.

    Raised by :func:`evaluate_jsonl` after every good record has been decided
    and written, so that a batch job reports each bad line, finishes its
    work and still ends with a failure.

    Attributes:
        errors: One :class:`~secpolicy.exceptions.PolicyConfigError` per bad
            line, each with its source and line number.
        decided: How many records were decided.

    .. versionadded:: 0.2
    """

    def __init__(self, errors: Sequence[PolicyConfigError], *, decided: int, source: str) -> None:
        shown = "; ".join(str(e) for e in errors[:_SHOWN_ERRORS])
        more = f" (and {len(errors) - _SHOWN_ERRORS} more)" if len(errors) > _SHOWN_ERRORS else ""
        super().__init__(
            f"{len(errors)} record(s) could not be decided, {decided} were: {shown}{more}",
            source=source,
        )
        self.errors = tuple(errors)
        self.decided = decided


_BOM: Final = "\ufeff"


def _select(fields: Sequence[str] | None) -> tuple[str, ...] | None:
    if fields is None:
        return None
    selected = tuple(fields)
    unknown = sorted(set(selected) - set(DECISION_FIELDS))
    if unknown:
        raise PolicyConfigError(
            f"unknown decision field(s) {', '.join(unknown)}; "
            f"choose from {', '.join(DECISION_FIELDS)}",
            field="fields",
        )
    return selected


def _events(raw: Any) -> dict[str, datetime] | None:
    """Events of the common path: a JSON object of aware ISO 8601 times, parsed.

    Returns None for anything :func:`record_from_mapping` would reject, so that
    the slow path reports it.
    """
    if type(raw) is not dict:
        return None
    events = {}
    for name, text in raw.items():
        if type(text) is not str:
            return None
        try:
            at = datetime.fromisoformat(text)
        except ValueError:
            return None
        if at.tzinfo is None:
            return None
        events[name] = at
    return events


def _quick(line: str) -> tuple[dict[str, Any], str, datetime, dict[str, datetime] | None] | None:
    """The common case: one JSON object with a category and aware times.

    Returns its object, category, creation time and parsed events (None when
    it has none), or None for anything else, which :func:`_parse` then reads
    and reports if it is wrong. The decoder's scanner is called directly:
    ``json.loads`` adds three Python calls and two regular-expression
    matches per line, a large share of the bulk path's time; what is accepted
    is the same.
    """
    try:
        item, end = _SCAN(line, 0)
        if end != len(line) and line[end:].strip(_JSON_SPACE):
            return None
        category = item["category"]
        created = datetime.fromisoformat(item["created"])
        raw = item.get("events")
    except (StopIteration, ValueError, LookupError, TypeError, RecursionError):
        return None
    if type(category) is not str or not category or created.tzinfo is None:
        return None
    if raw is None:
        return item, category, created, None
    events = _events(raw)
    return None if events is None else (item, category, created, events)


def _parse(line: str, position: int, at: tuple[str, int]) -> tuple[Any, RetentionRecord]:
    """Parse one line the careful way: its object and record, or the precise error."""
    source, line_no = at
    try:
        item: Any = json.loads(line)
        return item, record_from_mapping(item, position)
    except PolicyConfigError as exc:
        raise PolicyConfigError(exc.reason, field=exc.field, source=source, line=line_no) from None
    except ValueError:
        raise PolicyConfigError("not valid JSON", source=source, line=line_no) from None
    except RecursionError:
        raise PolicyConfigError("nested too deeply", source=source, line=line_no) from None


class _CategoryInfo:
    """What decides a category's records: trigger names and category-scoped holds.

    A decision depends only on the anchors (creation or events) that the
    category's rules use, in the schedule's zone (by local day under day
    semantics), and on the holds that cover the record. Records that share
    them share the serialised decision, kept in :attr:`cache`.
    """

    __slots__ = ("cache", "created_only", "hold_ids", "holds", "triggers")

    def __init__(self, schedule: RetentionSchedule, category: str, active: list[LegalHold]):
        self.triggers = tuple(sorted({rule.trigger for rule in schedule.rules_for(category)}))
        self.created_only = self.triggers == (CREATED,)
        covering = [
            (i, h)
            for i, h in enumerate(active)
            if isinstance(h.scope, str) and h.scope in (ANY_CATEGORY, category)
        ]
        self.holds = tuple(h for _, h in covering)
        self.hold_ids = tuple(i for i, _ in covering)
        self.cache: dict[Any, str] = {}

    def anchors(
        self, created: datetime, events: Mapping[str, datetime] | None, day_zone: tzinfo | None
    ) -> tuple[Any, ...]:
        """The anchors of the category's triggers (local days under day semantics).

        Args:
            created: The record's creation time.
            events: Its events, or None.
            day_zone: The schedule's zone under day semantics, None for instants.
        """
        anchors = []
        for name in self.triggers:
            at = created if name == CREATED else events.get(name) if events else None
            anchors.append(
                None if at is None else at.astimezone(day_zone).date() if day_zone else at
            )
        return tuple(anchors)

    def held_key(
        self,
        record: RetentionRecord,
        by_predicate: list[tuple[int, LegalHold]],
        day_zone: tzinfo | None,
    ) -> tuple[tuple[Any, ...], tuple[LegalHold, ...]]:
        """The cache key and covering holds of *record* when some holds have a predicate."""
        held, held_ids = self.holds, self.hold_ids
        extra = [(i, h) for i, h in by_predicate if h.covers(record)]
        if extra:
            held += tuple(h for _, h in extra)
            held_ids += tuple(i for i, _ in extra)
        return (self.anchors(record.created, record.events, day_zone), held_ids), held


class _Decisions:
    """The serialised decisions of one run, cached per category and bounded in size."""

    __slots__ = (
        "active",
        "by_predicate",
        "cached",
        "categories",
        "day_zone",
        "fields",
        "marks",
        "now",
        "only_due",
        "schedule",
        "with_id",
    )

    def __init__(
        self,
        schedule: RetentionSchedule,
        now: datetime,
        holds: Iterable[LegalHold],
        fields: tuple[str, ...] | None,
        *,
        only_due: bool,
        clock_overridden: bool | None,
    ):
        self.schedule, self.now, self.fields, self.only_due = schedule, now, fields, only_due
        self.marks: dict[str, Any] = (
            {}
            if clock_overridden is None
            else {"evaluated_at": now.isoformat(), "clock_overridden": clock_overridden}
        )
        self.with_id = fields is None or "record_id" in fields
        self.active = [h for h in holds if h.active(now)]
        self.by_predicate = [
            (i, h) for i, h in enumerate(self.active) if not isinstance(h.scope, str)
        ]
        self.day_zone = schedule.tz if schedule.semantics == "day" else None
        self.categories: dict[str, _CategoryInfo] = {}
        self.cached = 0

    def category(self, name: str) -> _CategoryInfo:
        """Add the information of a category seen for the first time."""
        if len(self.categories) >= _CACHE_LIMIT:
            self.categories.clear()
            self.cached = 0
        info = self.categories[name] = _CategoryInfo(self.schedule, name, self.active)
        return info

    def decide(
        self, info: _CategoryInfo, key: Any, record: RetentionRecord, held: tuple[LegalHold, ...]
    ) -> str:
        """Decide *record*, cache and return its line after the record id.

        The empty string marks a decision that ``only_due`` leaves out.
        """
        decision = self.schedule.evaluate_record(record, now=self.now, holds=held)
        if self.only_due and decision.action == "retain":
            tail = ""
        else:
            data = decision.to_dict()
            if self.fields is not None:
                data = {name: data[name] for name in self.fields}
            data.pop("record_id", None)
            data.update(self.marks)
            inner = json.dumps(data, ensure_ascii=False)[1:-1]
            tail = (", " + inner if inner else "") + "}\n" if self.with_id else "{" + inner + "}\n"
        if self.cached >= _CACHE_LIMIT:
            for other in self.categories.values():
                other.cache.clear()
            self.cached = 0
        info.cache[key] = tail
        self.cached += 1
        return tail


def evaluate_jsonl(  # noqa: PLR0912, PLR0915 (one pass over every line, kept together for speed)
    schedule: RetentionSchedule,
    src: Iterable[str],
    dst: IO[str],
    *,
    now: datetime,
    holds: Iterable[LegalHold] = (),
    only_due: bool = False,
    fields: Sequence[str] | None = None,
    source: str = "<input>",
    on_error: Callable[[PolicyConfigError], None] | None = None,
    clock_overridden: bool | None = None,
) -> int:
    """Read records as JSON lines from *src*, write one decision per line to *dst*.

    Each input line is an object with ``category``, ``created`` (ISO 8601 with
    an offset), optional ``events`` and ``id`` or ``record_id``; each output
    line is :meth:`RetentionDecision.to_dict` as JSON, exactly as
    :meth:`RetentionSchedule.evaluate_many` would give it. Memory stays
    constant: records are read and decided one at a time and written in
    batches of a few hundred lines, and the bounded cache of serialised
    decisions is shared by the records that must get the same decision (same
    category, same local day of the anchors that its rules use under day
    semantics, same holds).

    Args:
        schedule: The schedule that decides.
        src: Lines of JSON (an open text file, or any iterable of lines).
        dst: Where to write the decisions.
        now: The time of the decision (aware).
        holds: Legal holds to consider.
        only_due: Write only decisions whose action is not ``"retain"``.
        fields: Write only these keys of the decision, in this order (for
            example ``("record_id", "action", "eligible_from")``); default all.
        source: The input's name for error messages.
        on_error: Called with the error of each bad line (not JSON, not a
            valid record, an unknown category), as it is met. Either way the
            batch goes on with the next line.
        clock_overridden: If given, every line also ends with
            ``evaluated_at`` (*now* in UTC) and ``clock_overridden`` (this
            value), whatever *fields* selects: pass True when *now* is a
            what-if instant rather than the clock's time, so that no one
            reads the decisions as today's. Default: neither is written.

    Returns:
        The number of records decided.

    Raises:
        BadRecordsError: After the whole input was read and every good record
            was decided and written, if any line was bad; it holds each
            line's error (source, line number, field).
        PolicyConfigError: For an unknown name in *fields*.

    .. versionchanged:: 0.2
       A bad line no longer stops the batch; *on_error*; *clock_overridden*.
    """
    run = _Decisions(
        schedule,
        to_utc(now, name="now"),
        holds,
        _select(fields),
        only_due=only_due,
        clock_overridden=clock_overridden,
    )
    categories, by_predicate, day_zone = run.categories, run.by_predicate, run.day_zone
    with_id = run.with_id
    write = dst.write
    buffer: list[str] = []
    put = buffer.append
    count = 0
    errors: list[PolicyConfigError] = []
    try:
        for line_no, raw_line in enumerate(src, start=1):
            # a file saved with a byte-order mark still starts with a record
            line = raw_line[1:] if line_no == 1 and raw_line.startswith(_BOM) else raw_line
            # The common case first: an object with a category and aware
            # times, when no hold needs the whole record. Anything else (or
            # anything odd) takes _parse, which also reports errors.
            record: RetentionRecord | None = None
            events: Mapping[str, datetime] | None
            key: Any
            quick = None if by_predicate else _quick(line)
            if quick is not None:
                item, category, created, events = quick
            else:
                if not line.strip():
                    continue
                try:
                    item, record = _parse(line, count, (source, line_no))
                except PolicyConfigError as exc:
                    errors.append(exc)
                    if on_error is not None:
                        on_error(exc)
                    continue
                category, created, events = record.category, record.created, record.events
            try:
                info = categories.get(category) or run.category(category)
                held = info.holds
                if record is not None and by_predicate:
                    missing = unidentified(record, run.active)
                    if missing is not None:
                        raise missing
                    key, held = info.held_key(record, by_predicate, day_zone)
                elif info.created_only:
                    key = created.astimezone(day_zone).date() if day_zone else created
                else:
                    key = info.anchors(created, events, day_zone)
                tail = info.cache.get(key)
                if tail is None:
                    tail = run.decide(info, key, record or record_from_mapping(item, count), held)
            except PolicyConfigError as exc:
                located = PolicyConfigError(
                    exc.reason, field=exc.field, source=source, line=line_no
                )
                errors.append(located)
                if on_error is not None:
                    on_error(located)
                continue
            count += 1
            if not tail:
                continue
            if with_id:
                rid = item.get("record_id", item.get("id"))
                put(
                    '{"record_id": '
                    + ("null" if rid is None else encode_basestring(str(rid)))
                    + tail
                )
            else:
                put(tail)
            if len(buffer) >= _BATCH:
                text = "".join(buffer)
                buffer.clear()
                write(text)
    finally:
        # Whatever was decided before an error (a bad line) is written too.
        if buffer:
            write("".join(buffer))
    if errors:
        raise BadRecordsError(errors, decided=count, source=source)
    return count

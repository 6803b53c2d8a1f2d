"""Streaming evaluation of JSON-lines records in constant memory."""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from json.encoder import encode_basestring
from typing import IO, TYPE_CHECKING, Any, Final

from secpolicy._clock import to_utc
from secpolicy.exceptions import PolicyConfigError
from secpolicy.retention._rules import ANY_CATEGORY, CREATED, DECISION_FIELDS
from secpolicy.retention._schedule import record_from_mapping

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from secpolicy.retention._rules import LegalHold, RetentionRecord
    from secpolicy.retention._schedule import RetentionSchedule

_CACHE_LIMIT: Final = 65_536
# The decoder's scanner (the C one where available), as json.loads uses it.
_SCAN: Final[Callable[[str, int], tuple[Any, int]]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_JSON_SPACE: Final = " \t\n\r"


def _created(item: Any) -> datetime | None:
    """The record's creation time if the record is well formed, else ``None``.

    ``None`` sends the record through :func:`record_from_mapping`, which
    raises the precise error.
    """
    if type(item) is not dict:
        return None
    category = item.get("category")
    text = item.get("created")
    if not isinstance(category, str) or not category or not isinstance(text, str):
        return None
    try:
        created = datetime.fromisoformat(text)
    except ValueError:
        return None
    return created if created.tzinfo is not None else None


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


def _load(line: str) -> Any:
    """``json.loads`` of one line, calling the C scanner directly when the line is an object.

    ``json.loads`` adds three Python calls and two regular-expression matches
    per line, a large share of the bulk path's time; the result and the errors
    are the same.
    """
    if line[:1] == "{":
        try:
            item, end = _SCAN(line, 0)
        except (StopIteration, ValueError):
            pass  # json.loads below raises the error
        else:
            if end == len(line) or not line[end:].strip(_JSON_SPACE):
                return item
    return json.loads(line)


def _quick(line: str) -> tuple[dict[str, Any], str, datetime] | None:
    """The common case: an object with a category, an aware creation time and no events.

    Returns its object, category and creation time, or None for anything
    else, which :func:`_parse` then reads (and reports if it is wrong).
    """
    if line[:1] != "{":
        return None
    try:
        item = _load(line)
        category, text = item["category"], item["created"]
        if type(category) is str and category and type(text) is str and not item.get("events"):
            created = datetime.fromisoformat(text)
            if created.tzinfo is not None:
                return item, category, created
    except (ValueError, LookupError, TypeError):
        pass
    return None


def _parse(
    line: str, position: int, *, full: bool, at: tuple[str, int]
) -> tuple[Any, datetime, RetentionRecord | None]:
    """Parse one line: the object, its creation time, and a record when one is needed.

    The full :class:`RetentionRecord` is built only for records with events,
    when predicate holds must look at it, or to report a malformed record.
    """
    source, line_no = at
    try:
        item: Any = _load(line)
        created = _created(item)
        if created is None or item.get("events") or full:
            record = record_from_mapping(item, position)
            return item, record.created, record
    except PolicyConfigError as exc:
        raise PolicyConfigError(exc.reason, field=exc.field, source=source, line=line_no) from None
    except ValueError:
        raise PolicyConfigError("not valid JSON", source=source, line=line_no) from None
    return item, created, None


def _serialise(
    schedule: RetentionSchedule,
    record: RetentionRecord,
    now: datetime,
    held: tuple[LegalHold, ...],
    fields: tuple[str, ...] | None,
) -> tuple[bool, str]:
    """Decide *record*; return (due, its JSON object's text after the record id)."""
    decision = schedule.evaluate_record(record, now=now, holds=held)
    data = decision.to_dict()
    if fields is not None:
        data = {name: data[name] for name in fields}
    data.pop("record_id", None)
    inner = json.dumps(data, ensure_ascii=False)[1:-1]
    return decision.action != "retain", inner


class _CategoryInfo:
    """What decides a category's records: trigger names and category-scoped holds.

    A decision depends only on the anchors (creation or events) that the
    category's rules use, in the schedule's zone (by local day under day
    semantics), and on the holds that cover the record. Records that share
    them share the serialised decision.
    """

    __slots__ = ("category", "created_only", "hold_ids", "holds", "triggers")

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
        self.category = category

    def key(
        self,
        created: datetime,
        record: RetentionRecord | None,
        by_predicate: list[tuple[int, LegalHold]],
        day_zone: tzinfo | None,
    ) -> tuple[tuple[Any, ...], tuple[LegalHold, ...]]:
        """The cache key of a record and the holds that cover it, in the general case.

        Args:
            created: The record's creation time.
            record: The whole record (needed for events and predicate holds).
            by_predicate: The active holds scoped by a predicate, with their index.
            day_zone: The schedule's zone under day semantics, None for instants.
        """
        held, held_ids = self.holds, self.hold_ids
        if record is not None and by_predicate:
            extra = [(i, h) for i, h in by_predicate if h.covers(record)]
            held += tuple(h for _, h in extra)
            held_ids += tuple(i for i, _ in extra)
        anchors = []
        for name in self.triggers:
            at = created if name == CREATED else record.events.get(name) if record else None
            anchors.append(
                None if at is None else at.astimezone(day_zone).date() if day_zone else at
            )
        return (self.category, tuple(anchors), held_ids), held


def evaluate_jsonl(
    schedule: RetentionSchedule,
    src: Iterable[str],
    dst: IO[str],
    *,
    now: datetime,
    holds: Iterable[LegalHold] = (),
    only_due: bool = False,
    fields: Sequence[str] | None = None,
    source: str = "<input>",
) -> int:
    """Read records as JSON lines from *src*, write one decision per line to *dst*.

    Each input line is an object with ``category``, ``created`` (ISO 8601 with
    an offset), optional ``events`` and ``id`` or ``record_id``; each output
    line is :meth:`RetentionDecision.to_dict` as JSON, exactly as
    :meth:`RetentionSchedule.evaluate_many` would give it. Memory stays
    constant: records are read, decided and written one at a time, and the
    bounded cache of serialised decisions is shared by the records that must
    get the same decision (same category, same local creation day under day
    semantics, same events, same holds).

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

    Returns:
        The number of records read.

    Raises:
        PolicyConfigError: For a line that is not JSON or not a valid record;
            the message gives *source*, the line number and the field; or for
            an unknown name in *fields*.
    """
    now = to_utc(now, name="now")
    selected = _select(fields)
    with_id = selected is None or "record_id" in selected
    active = [h for h in holds if h.active(now)]
    by_predicate = [(i, h) for i, h in enumerate(active) if not isinstance(h.scope, str)]
    tz = schedule.tz
    by_day = schedule.semantics == "day"
    per_category: dict[str, _CategoryInfo] = {}
    cache: dict[tuple[Any, ...], tuple[bool, str]] = {}
    write = dst.write
    count = 0
    for line_no, line in enumerate(src, start=1):
        # The common case first: an object with a category, an aware creation
        # time and no events, when no hold needs the whole record. Anything
        # else (or anything odd) takes _parse, which also reports errors.
        record: RetentionRecord | None = None
        quick = None if by_predicate else _quick(line)
        if quick is not None:
            item, category, created = quick
        else:
            if line[:1] != "{" and not line.strip():
                continue
            item, created, record = _parse(
                line, count, full=bool(by_predicate), at=(source, line_no)
            )
            category = item["category"]
        count += 1
        info = per_category.get(category)
        if info is None:
            info = per_category[category] = _CategoryInfo(schedule, category, active)
        if info.created_only and not by_predicate:
            held = info.holds
            key: tuple[Any, ...] = (
                category,
                created.astimezone(tz).date() if by_day else created,
                info.hold_ids,
            )
        else:
            key, held = info.key(created, record, by_predicate, tz if by_day else None)
        cached = cache.get(key)
        if cached is None:
            record = record or record_from_mapping(item, count - 1)
            cached = _serialise(schedule, record, now, held, selected)
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            cache[key] = cached
        due, inner = cached
        if due or not only_due:
            if not with_id:
                write("{" + inner + "}\n")
                continue
            rid = item.get("record_id", item.get("id"))
            rid_json = "null" if rid is None else encode_basestring(str(rid))
            write('{"record_id": ' + rid_json + (", " + inner if inner else "") + "}\n")
    return count

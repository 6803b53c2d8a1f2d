"""``secpolicy retention due``: which records may or must be disposed of now."""

from __future__ import annotations

import csv
import json
import sys
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any

from secpolicy import SystemClock
from secpolicy._clock import to_utc
from secpolicy.cli._common import (
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    open_input,
    open_output,
    refuse_overwrite,
)
from secpolicy.exceptions import PolicyConfigError
from secpolicy.policyfile._retention import PROFILES, hold_scope_problem
from secpolicy.retention import BadRecordsError, LegalHold, evaluate_jsonl
from secpolicy.retention._rules import DECISION_FIELDS, unidentified
from secpolicy.retention._schedule import record_from_mapping

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterator

    from secpolicy.retention import RetentionSchedule

CSV_COLUMNS = (
    "record_id",
    "category",
    "action",
    "disposal",
    "keep_through",
    "eligible_from",
    "must_dispose_by",
    "overdue",
    "on_hold",
    "rule",
    "citation",
)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``retention due``."""
    retention = sub.add_parser("retention", help="retention decisions")
    actions = retention.add_subparsers(dest="retention_command", required=True)
    due = actions.add_parser(
        "due",
        help="decide which records may be disposed of now",
        description=(
            "Read records as JSON lines or CSV (fields: id, category, created, and "
            "events as an 'events' object or 'event:NAME' columns) and write one "
            "decision per record. By default only records that are due are written. "
            "A bad record is reported on standard error with its line and the batch "
            "goes on; the command then exits 2."
        ),
    )
    due.add_argument("file", nargs="?", help="records file (default: standard input)")
    schedule = due.add_mutually_exclusive_group(required=True)
    schedule.add_argument("--profile", choices=sorted(PROFILES), help="a ready retention schedule")
    schedule.add_argument(
        "--policy",
        metavar="FILE",
        help="the service's secpolicy.toml: its [retention] rules and legal holds",
    )
    due.add_argument(
        "--now",
        metavar="WHEN",
        help=(
            "what-if: decide at this time, ISO 8601 with offset (default: the clock); every "
            "decision written says clock_overridden and its evaluated_at, and stderr warns"
        ),
    )
    due.add_argument("--input-format", choices=("jsonl", "csv"), help="default: by file name")
    due.add_argument("--format", choices=("jsonl", "csv"), default="jsonl", help="output format")
    due.add_argument("--output", "-o", help="write here (atomically) instead of stdout")
    due.add_argument("--all", action="store_true", help="write every decision, not only due ones")
    due.add_argument(
        "--fields",
        help="comma-separated decision fields to write (default: all), e.g. record_id,action",
    )
    due.add_argument(
        "--holds", help="JSON file: a list of {category | record_ids, reason, since, released?}"
    )
    due.set_defaults(handler=run)


#: The what-if marks every decision ends with, after the selected fields.
MARK_COLUMNS = ("evaluated_at", "clock_overridden")


def _now(value: str) -> datetime:
    try:
        now = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError("--now: not an ISO 8601 time") from None
    if now.tzinfo is None:
        raise UsageError("--now: needs a UTC offset, e.g. 2025-03-01T00:00:00+08:00")
    try:
        now.astimezone(UTC)  # decided in UTC: the offset must not push it out of range
    except OverflowError:
        raise UsageError("--now: out of the range of dates") from None
    return now


def _holds(path: str | None) -> list[LegalHold]:
    if path is None:
        return []
    with open_input(path) as handle:
        try:
            items = json.load(handle)
        except (ValueError, RecursionError):
            raise UsageError(f"{path}: not valid JSON") from None
    if not isinstance(items, list):
        raise UsageError(f"{path}: expected a list of holds")
    holds = []
    for i, item in enumerate(items):
        where = f"{path}: holds[{i}]"
        if not isinstance(item, dict):
            raise UsageError(f"{where}: invalid hold (not an object)")
        unknown = sorted(set(item) - _HOLD_KEYS)
        if unknown:
            # a misspelled "released" or "record_ids" must not be read as absent
            raise UsageError(
                f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_HOLD_KEYS))})"
            )
        if ("category" in item) == ("record_ids" in item):
            raise UsageError(f"{where}: give exactly one of category and record_ids")
        try:
            since = datetime.fromisoformat(item["since"])
            released = item.get("released")
            released_at = None if released is None else datetime.fromisoformat(released)
            reason = item["reason"]
            name = item.get("name", "")
            if "record_ids" in item:
                hold = LegalHold.for_records(item["record_ids"], reason, since, name=name)
                holds.append(hold if released_at is None else _released(hold, released_at))
            else:
                holds.append(
                    LegalHold(item["category"], reason, since, released=released_at, name=name)
                )
        except PolicyConfigError as exc:
            field = f"{exc.field}: " if exc.field else ""
            raise UsageError(f"{where}: invalid hold: {field}{exc.reason}") from None
        except (KeyError, TypeError, ValueError) as exc:
            raise UsageError(f"{where}: invalid hold ({type(exc).__name__})") from None
    return holds


#: The keys of one hold in a ``--holds`` file.
_HOLD_KEYS = frozenset({"category", "record_ids", "reason", "since", "released", "name"})


def _check_hold_scope(schedule: RetentionSchedule, hold: LegalHold, where: str) -> None:
    """Refuse a hold that would hold nothing, as the policy file does."""
    problem = hold_scope_problem(schedule, hold)
    if problem is not None:
        raise UsageError(f"{where}: {problem}")


def _released(hold: LegalHold, at: datetime) -> LegalHold:
    return LegalHold(hold.scope, hold.reason, hold.since, released=at, name=hold.name)


def _csv_records(handle: IO[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(handle)
    names = reader.fieldnames
    if names and names[0].startswith("\ufeff"):
        # a spreadsheet's byte-order mark must not rename the first column ("\ufeffid")
        reader.fieldnames = [names[0][1:], *names[1:]]
    for row in reader:
        events = {k[6:]: v for k, v in row.items() if k and k.startswith("event:") and v}
        item: dict[str, Any] = {k: v for k, v in row.items() if k and not k.startswith("event:")}
        item["events"] = events
        yield reader.line_num, item


def _json_records(
    handle: IO[str], source: str
) -> Iterator[tuple[int, dict[str, Any] | PolicyConfigError]]:
    for line_no, raw in enumerate(handle, start=1):
        line = raw[1:] if line_no == 1 and raw.startswith("\ufeff") else raw
        if not line.strip():
            continue
        try:
            yield line_no, json.loads(line)
        except (ValueError, RecursionError):
            yield line_no, PolicyConfigError("not valid JSON", source=source, line=line_no)


def _schedule(args: argparse.Namespace) -> tuple[RetentionSchedule, list[LegalHold]]:
    if args.profile is not None:
        return PROFILES[args.profile], []
    from secpolicy.policyfile import load_policy  # noqa: PLC0415 (only with --policy)

    policy = load_policy(args.policy)
    if policy.retention is None:
        raise UsageError(f"{args.policy}: the policy has no [retention] section")
    return policy.retention, list(policy.holds)


def _report(error: PolicyConfigError) -> None:
    print(f"secpolicy: {error}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """Evaluate every record and write the decisions."""
    refuse_overwrite(args.output, [args.file, args.holds, args.policy])
    schedule, declared = _schedule(args)
    real = SystemClock().now()
    overridden = args.now is not None
    now = to_utc(_now(args.now), name="now") if overridden else real
    extra = _holds(args.holds)
    for i, hold in enumerate(extra):
        _check_hold_scope(schedule, hold, f"{args.holds}: holds[{i}]")
    holds = declared + extra
    source = args.file or "<stdin>"
    fmt = args.input_format or ("csv" if source.endswith(".csv") else "jsonl")
    fields = None if args.fields is None else [f.strip() for f in args.fields.split(",")]
    if fields is not None:
        # the what-if marks end every decision anyway; naming them is no error
        fields = [name for name in fields if name not in MARK_COLUMNS]
    unknown = sorted(set(fields or ()) - set(DECISION_FIELDS))
    if unknown:
        raise UsageError(f"--fields: unknown field(s) {', '.join(unknown)}")
    failed = 0
    with open_input(args.file) as handle, open_output(args.output) as out:
        if fmt == "jsonl" and args.format == "jsonl":
            try:
                evaluate_jsonl(
                    schedule,
                    handle,
                    out,
                    now=now,
                    holds=holds,
                    only_due=not args.all,
                    fields=fields,
                    source=source,
                    on_error=_report,
                    clock_overridden=overridden,
                )
            except BadRecordsError as exc:
                failed = len(exc.errors)
        else:
            marks = {"evaluated_at": now.isoformat(), "clock_overridden": overridden}
            failed = _csv_run(
                args, schedule, handle, out, now=now, holds=holds, fields=fields, marks=marks
            )
    if overridden:
        # A what-if decision time moves every deadline: nobody may take it for today's.
        # (Said once the decisions are out, so that a usage error stays one line.)
        print(
            f"secpolicy: WARNING: CLOCK OVERRIDDEN: decisions made at {now.isoformat()}, "
            f"not at the time of the run ({real.isoformat()})",
            file=sys.stderr,
        )
    if failed:
        print(f"secpolicy: {failed} record(s) could not be decided", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def _csv_run(
    args: argparse.Namespace,
    schedule: RetentionSchedule,
    handle: IO[str],
    out: IO[str],
    *,
    now: datetime,
    holds: list[LegalHold],
    fields: list[str] | None,
    marks: dict[str, Any],
) -> int:
    """Decide CSV input or write CSV output; return the number of bad records.

    Every row ends with the what-if marks (*marks*), whatever *fields* selects.
    """
    source = args.file or "<stdin>"
    fmt = args.input_format or ("csv" if source.endswith(".csv") else "jsonl")
    columns = list(CSV_COLUMNS) if fields is None else fields
    writer = csv.DictWriter(out, [*columns, *MARK_COLUMNS], extrasaction="ignore")
    writer.writeheader()
    rows = _csv_records(handle) if fmt == "csv" else _json_records(handle, source)
    in_force = [hold for hold in holds if hold.active(now)]
    failed = 0
    for position, (line_no, item) in enumerate(rows):
        try:
            if isinstance(item, PolicyConfigError):
                raise item
            record = record_from_mapping(item, position)
            missing = unidentified(record, in_force)
            if missing is not None:
                raise missing
            decision = schedule.evaluate_record(record, now=now, holds=holds)
        except PolicyConfigError as exc:
            failed += 1
            _report(PolicyConfigError(exc.reason, field=exc.field, source=source, line=line_no))
            continue
        if decision.action != "retain" or args.all:
            writer.writerow({**decision.to_dict(), **marks})
    return failed

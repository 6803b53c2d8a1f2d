"""``secpolicy check``, ``secpolicy baselines`` and ``secpolicy schema``."""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from secpolicy.baselines import (
    BASELINES,
    Baseline,
    CheckReport,
    available_baselines,
    check_policy,
    invalid_report,
    load_baseline_file,
    render_reports,
)
from secpolicy.cli._common import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    open_output,
    refuse_overwrite,
)
from secpolicy.exceptions import PolicyConfigError
from secpolicy.policyfile import MAX_POLICY_BYTES, json_schema, load_policy, loads_policy

if TYPE_CHECKING:
    import argparse
    from collections.abc import Mapping

DEFAULT_POLICY = "secpolicy.toml"
_FORMATS = ("text", "json", "junit", "sarif", "html")
_LOCALES = ("en", "zh-CN")


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``check``, ``baselines`` and ``schema``."""
    check = sub.add_parser(
        "check",
        help="check policy files against compliance baselines",
        description=(
            "Load each secpolicy.toml ('-' reads standard input), reporting any error with its "
            "line, and with --baseline check it against each baseline's requirements, applying "
            "the file's [[waivers]]. Exits 0 when every requirement passes, is waived or does "
            "not apply, 1 on a shortfall (an expired waiver is one), 2 on an invalid file or "
            "usage; the report is written in every case."
        ),
    )
    check.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help=f"policy files, '-' for standard input (default: {DEFAULT_POLICY})",
    )
    check.add_argument(
        "--baseline",
        "-b",
        nargs="+",
        action="extend",
        default=[],
        metavar="NAME",
        help="baselines to check (several, repeated, or a comma-separated list); versioned ids "
        f"and short aliases are accepted: {', '.join(BASELINES)}. A policy file written after "
        "them (-b cn-mlps-l3 secpolicy.toml) is taken as a file",
    )
    check.add_argument(
        "--baseline-file",
        action="append",
        default=[],
        metavar="PATH",
        help="a custom baseline in TOML (repeatable); its id may then be given to --baseline, "
        "and with no --baseline every custom baseline given is checked",
    )
    check.add_argument(
        "--format",
        choices=_FORMATS,
        default="text",
        help="report form (default: a readable table)",
    )
    check.add_argument(
        "--locale", choices=_LOCALES, default="en", help="language of the HTML report"
    )
    check.add_argument("--output", "-o", help="write the report here (atomically), not stdout")
    check.add_argument(
        "--include-passing",
        action="store_true",
        help="SARIF: also report passed, waived and not-applicable requirements",
    )
    check.add_argument(
        "--root",
        metavar="DIR",
        help="SARIF: paths are relative to this directory (default: the current one)",
    )
    check.add_argument(
        "--stdin-filename",
        metavar="NAME",
        help="the name reports give the policy read from '-'",
    )
    check.add_argument(
        "--now",
        metavar="WHEN",
        help=(
            "what-if: evaluate at this date or offset date-time; every report says the clock "
            "was overridden, and a waiver expired now still counts as expired"
        ),
    )
    check.set_defaults(handler=_check)

    baselines = sub.add_parser(
        "baselines",
        help="list the compliance baselines and their requirements",
        description=(
            "List the baselines (shipped, installed plugins and --baseline-file); with names, "
            "each requirement and its clause."
        ),
    )
    baselines.add_argument("names", nargs="*", metavar="NAME", help="show these baselines in full")
    baselines.add_argument("--json", action="store_true", help="print as JSON")
    baselines.add_argument(
        "--baseline-file", action="append", default=[], metavar="PATH", help="a custom baseline"
    )
    baselines.set_defaults(handler=_baselines)

    schema = sub.add_parser(
        "schema",
        help="write the JSON Schema of secpolicy.toml (for editors)",
        description="Write the JSON Schema of secpolicy.toml, generated from the loader.",
    )
    schema.add_argument("--output", "-o", help="write here (atomically) instead of stdout")
    schema.set_defaults(handler=_schema)


def _custom(paths: list[str]) -> list[Baseline]:
    return [load_baseline_file(path) for path in paths]


def _now(text: str | None) -> datetime | None:
    if text is None:
        return None  # the clock's time, read by check_policy
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--now {text!r}: not an ISO 8601 date or date-time") from None
    if len(text) <= len("2026-01-01"):
        day = date.fromisoformat(text)
        return datetime(day.year, day.month, day.day, tzinfo=UTC)
    if moment.tzinfo is None:
        raise UsageError(f"--now {text!r}: give an offset (2026-01-01T00:00:00+08:00)")
    return moment


def _names(values: list[str]) -> list[str]:
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def _looks_like_file(value: str) -> bool:
    return (
        value == "-" or Path(value).exists() or "/" in value or value.endswith((".toml", ".json"))
    )


def _split(
    files: list[str], values: list[str], registry: Mapping[str, Baseline]
) -> tuple[list[str], list[str]]:
    """Sort the positionals and ``--baseline`` values into policy files and baseline names.

    ``-b`` takes several names, so ``-b cn-mlps-l3 secpolicy.toml`` would
    hand it the file: a value that is no baseline and looks like a file is
    a file. A positional that names a baseline and no file is a baseline
    (the 0.1 syntax ``check FILE --baseline A B`` leaves B positional).
    """
    names: list[str] = []
    kept: list[str] = []
    for value in _names(values):
        if value not in registry and _looks_like_file(value):
            kept.append(value)
        else:
            names.append(value)
    for item in files:
        if item != "-" and not Path(item).exists() and item in registry:
            names.append(item)
        else:
            kept.append(item)
    return kept, names


def _read(item: str, stdin_name: str | None) -> tuple[str, bytes]:
    if item == "-":
        # read one byte past the limit, so an endless stream is refused, not buffered
        return stdin_name or "<stdin>", sys.stdin.buffer.read(MAX_POLICY_BYTES + 1)
    path = Path(item)
    if path.is_dir():
        raise PolicyConfigError(
            f"is a directory, not a policy file (give its {DEFAULT_POLICY})", source=item
        )
    if path.exists() and not path.is_file():
        # a device or pipe is never opened: /dev/zero would be read to the limit
        raise PolicyConfigError(
            "not a regular file (a device, pipe or socket): give a policy file, "
            "or - to read standard input",
            source=item,
        )
    if not path.is_file():
        raise PolicyConfigError("no such policy file", source=item)
    try:
        return item, path.read_bytes()
    except OSError as exc:
        raise PolicyConfigError(f"cannot read the file: {exc.strerror}", source=item) from None


def _one(
    item: str,
    args: argparse.Namespace,
    chosen: list[Baseline],
    extra: list[Baseline],
    now: datetime | None,
) -> tuple[CheckReport, tuple[str, ...]]:
    name, digest = item, None
    try:
        name, raw = _read(item, args.stdin_filename)
        digest = hashlib.sha256(raw).hexdigest()
        if item == "-":
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = raw[: exc.start].count(b"\n") + 1
                raise PolicyConfigError("not UTF-8 text", source=name, line=line) from None
            policy = loads_policy(text, source=name, base_dir=Path.cwd())
        else:
            policy = load_policy(item)
        report = check_policy(policy, chosen, now=now, extra=extra, policy_sha256=digest)
    except PolicyConfigError as exc:
        error = (
            exc
            if exc.source is not None
            else PolicyConfigError(exc.reason, field=exc.field, source=name, line=exc.line)
        )
        return invalid_report(name, error, chosen, now=now, policy_sha256=digest), ()
    return attrs.evolve(report, policy=name), policy.sections


def _check(args: argparse.Namespace) -> int:
    extra = _custom(args.baseline_file)
    registry = available_baselines(extra)
    files, names = _split(list(args.files), list(args.baseline), registry)
    if args.baseline and not names:
        # -b "$UNSET" or -b secpolicy.toml: a gate told to check baselines checks none
        raise UsageError("--baseline: no baseline name given (see 'secpolicy baselines')")
    files = files or [DEFAULT_POLICY]
    unknown = [name for name in names if name not in registry]
    if unknown:
        raise UsageError(registry.unknown_message(unknown))
    chosen = list({registry[name].name: registry[name] for name in names}.values())
    if not names:
        chosen = list(extra)
    if files.count("-") > 1:
        raise UsageError("'-' (standard input) may be given once")
    refuse_overwrite(args.output, [*files, *args.baseline_file])
    now = _now(args.now)
    checked = [_one(item, args, chosen, extra, now) for item in files]
    reports = [report for report, _ in checked]
    for report in reports:
        if report.error is not None:
            print(f"secpolicy: {report.error}", file=sys.stderr)
    if args.format == "text":
        valid = [r for r in reports if r.error is None]
        if chosen:
            body = render_reports(valid, "text") if valid else ""
        else:
            body = "".join(
                f"OK: {r.policy} is a valid policy (sections: {', '.join(sections) or 'none'})\n"
                for r, sections in checked
                if r.error is None
            )
        # A what-if instant is said in every form, also where no table carries it
        # (only validity checked, or no file valid).
        notes = [r.clock_note for r in reports if r.clock_note and r.clock_note not in body]
        body = "".join(f"WARNING: {note}\n" for note in dict.fromkeys(notes)) + body
    else:
        body = render_reports(
            reports,
            args.format,
            locale=args.locale,
            include_passing=args.include_passing,
            root=args.root,
        )
    try:
        with open_output(args.output) as out:
            out.write(body)
    except OSError as exc:
        raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    if any(r.error is not None for r in reports):
        return EXIT_USAGE
    return EXIT_OK if all(r.ok for r in reports) else EXIT_FAILURE


def _baselines(args: argparse.Namespace) -> int:
    registry = available_baselines(_custom(args.baseline_file))
    unknown = [name for name in args.names if name not in registry]
    if unknown:
        raise UsageError(registry.unknown_message(unknown))
    chosen = [registry[name] for name in args.names] or list(registry.values())
    if args.json:
        print(json.dumps([b.to_dict() for b in chosen], indent=2, ensure_ascii=False))
        return EXIT_OK
    for baseline in chosen:
        aliases = f" (alias: {', '.join(baseline.aliases)})" if baseline.aliases else ""
        print(
            f"{baseline.name:<28} {baseline.title} ({len(baseline.requirements)} "
            f"requirements){aliases}"
        )
        if args.names:
            print(f"  edition: {baseline.edition or '-'}; data version {baseline.version}")
            print(f"  source: {baseline.source}")
            if baseline.scope:
                print(f"  scope: {baseline.scope}")
            for r in baseline.requirements:
                mark = " [interpretation]" if r.interpretation else ""
                print(f"  {r.id:<36} {r.title}{mark}")
                print(f"  {'':<36} {r.clause}")
                if r.note:
                    print(f"  {'':<36} note: {r.note}")
            for entry in baseline.changelog:
                print(f"  version {entry.version} ({entry.date.isoformat()}):")
                for change in entry.changes:
                    print(f"    - {change}")
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    try:
        with open_output(args.output) as out:
            out.write(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    return EXIT_OK

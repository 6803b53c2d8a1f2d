"""``secpolicy check``, ``secpolicy baselines`` and ``secpolicy schema``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from secpolicy.baselines import BASELINES, check_policy
from secpolicy.cli._common import EXIT_FAILURE, EXIT_OK, UsageError, open_output
from secpolicy.policyfile import json_schema, load_policy

if TYPE_CHECKING:
    import argparse

DEFAULT_POLICY = "secpolicy.toml"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``check``, ``baselines`` and ``schema``."""
    check = sub.add_parser(
        "check",
        help="check a policy file against compliance baselines",
        description=(
            "Load a secpolicy.toml (reporting any error with its line) and, with --baseline, "
            "check it against each baseline's requirements. Exits 0 when every requirement "
            "passes (or does not apply), 1 on a shortfall, 2 on an invalid file or usage."
        ),
    )
    check.add_argument(
        "file",
        nargs="?",
        default=DEFAULT_POLICY,
        help=f"the policy file (default: {DEFAULT_POLICY})",
    )
    check.add_argument(
        "--baseline",
        "-b",
        nargs="+",
        action="extend",
        default=[],
        metavar="NAME",
        choices=sorted(BASELINES),
        help=f"baselines to check: {', '.join(BASELINES)}",
    )
    check.add_argument(
        "--format",
        choices=("text", "json", "junit", "sarif"),
        default="text",
        help="report form (default: a readable table)",
    )
    check.add_argument("--output", "-o", help="write the report here (atomically), not stdout")
    check.set_defaults(handler=_check)

    baselines = sub.add_parser(
        "baselines",
        help="list the compliance baselines and their requirements",
        description="List the baselines; with names, each requirement and its clause.",
    )
    baselines.add_argument("names", nargs="*", metavar="NAME", help="show these baselines in full")
    baselines.add_argument("--json", action="store_true", help="print as JSON")
    baselines.set_defaults(handler=_baselines)

    schema = sub.add_parser(
        "schema",
        help="write the JSON Schema of secpolicy.toml (for editors)",
        description="Write the JSON Schema of secpolicy.toml, generated from the loader.",
    )
    schema.add_argument("--output", "-o", help="write here (atomically) instead of stdout")
    schema.set_defaults(handler=_schema)


def _check(args: argparse.Namespace) -> int:
    if not Path(args.file).is_file():
        raise UsageError(f"{args.file}: no such policy file")
    policy = load_policy(args.file)
    if not args.baseline:
        sections = ", ".join(policy.sections) or "none"
        with open_output(args.output) as out:
            out.write(f"OK: {args.file} is a valid policy (sections: {sections})\n")
        return EXIT_OK
    report = check_policy(policy, dict.fromkeys(args.baseline))
    with open_output(args.output) as out:
        out.write(report.render(args.format))
    return EXIT_OK if report.ok else EXIT_FAILURE


def _baselines(args: argparse.Namespace) -> int:
    unknown = [name for name in args.names if name not in BASELINES]
    if unknown:
        raise UsageError(
            f"unknown baseline(s) {', '.join(unknown)} (known: {', '.join(BASELINES)})"
        )
    chosen = [BASELINES[name] for name in args.names] or list(BASELINES.values())
    if args.json:
        data = [
            {
                "name": b.name,
                "title": b.title,
                "source": b.source,
                "requirements": [
                    {
                        "id": r.id,
                        "title": r.title,
                        "clause": r.clause,
                        "path": r.path,
                        "interpretation": r.interpretation,
                    }
                    for r in b.requirements
                ],
            }
            for b in chosen
        ]
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return EXIT_OK
    for baseline in chosen:
        print(f"{baseline.name:<24} {baseline.title} ({len(baseline.requirements)} requirements)")
        if args.names:
            print(f"  source: {baseline.source}")
            for r in baseline.requirements:
                mark = " [interpretation]" if r.interpretation else ""
                print(f"  {r.id:<36} {r.title}{mark}")
                print(f"  {'':<36} {r.clause}")
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    with open_output(args.output) as out:
        out.write(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n")
    return EXIT_OK

"""``secpolicy pii scan``: mask personal data in standard input or files."""

from __future__ import annotations

import sys
from collections import Counter
from typing import TYPE_CHECKING

from secpolicy.cli._common import EXIT_FAILURE, EXIT_OK, UsageError, open_input
from secpolicy.pii import DETECTABLE, Masker, Replace, Scanner, presets

if TYPE_CHECKING:
    import argparse

PRESETS = {"cn-display": presets.CN_DISPLAY, "pci-display": presets.PCI_DISPLAY}


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``pii scan``."""
    pii = sub.add_parser("pii", help="personal data in text")
    actions = pii.add_subparsers(dest="pii_command", required=True)
    scan = actions.add_parser(
        "scan",
        help="mask personal data in standard input or files, to standard output",
        description=(
            "Mask every piece of personal data found, line by line (constant memory). "
            "Counts per entity go to standard error; values are never printed."
        ),
    )
    scan.add_argument("files", nargs="*", help="files to scan (default: standard input)")
    rules = scan.add_mutually_exclusive_group()
    rules.add_argument(
        "--preset", choices=sorted(PRESETS), help="display masking (default: <ENTITY> placeholders)"
    )
    rules.add_argument(
        "--policy",
        metavar="FILE",
        help="mask with the [pii] section of the service's secpolicy.toml",
    )
    scan.add_argument(
        "--encoding",
        default="utf-8",
        help="the files' text encoding (default: utf-8; e.g. gbk, gb18030)",
    )
    scan.add_argument(
        "--entities",
        help=f"comma-separated entities to look for (default: all of {','.join(DETECTABLE)})",
    )
    scan.add_argument(
        "--fail-on-find",
        action="store_true",
        help="exit 1 if anything was found (for CI checks that logs hold no personal data)",
    )
    scan.add_argument("--quiet", action="store_true", help="write nothing to standard output")
    scan.set_defaults(handler=_scan)


def _scanner(entities: str | None) -> Scanner | None:
    if entities is None:
        return None
    try:
        return Scanner([e.strip() for e in entities.split(",")])
    except ValueError as exc:  # PolicyConfigError, naming the unknown entity
        raise UsageError(f"--entities: {exc}") from None


def _masker(args: argparse.Namespace) -> Masker:
    scanner = _scanner(args.entities)
    if args.policy is not None:
        from secpolicy.policyfile import load_policy  # noqa: PLC0415 (only with --policy)

        masker = load_policy(args.policy).pii
        if masker is None:
            raise UsageError(f"{args.policy}: the policy has no [pii] section")
        return masker if scanner is None else masker.evolve(scanner=scanner)
    scanner = scanner or Scanner()
    if args.preset is not None:
        preset = PRESETS[args.preset]
        return Masker(preset.rules, preset.default, scanner=scanner)
    return Masker(default=Replace("<{entity}>"), scanner=scanner)


def _scan(args: argparse.Namespace) -> int:
    masker = _masker(args)
    counts: Counter[str] = Counter()
    for name in args.files or [None]:
        with open_input(name, encoding=args.encoding) as handle:
            for line in handle:
                findings = masker.scanner.find(line)
                counts.update(f.entity for f in findings)
                if not args.quiet:
                    sys.stdout.write(masker.mask_text(line) if findings else line)
    summary = ", ".join(f"{entity}: {n}" for entity, n in sorted(counts.items())) or "none"
    print(f"secpolicy pii scan: found {summary}", file=sys.stderr)
    return EXIT_FAILURE if args.fail_on_find and counts else EXIT_OK

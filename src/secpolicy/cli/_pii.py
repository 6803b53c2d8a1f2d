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
    scan.add_argument(
        "--preset", choices=sorted(PRESETS), help="display masking (default: <ENTITY> placeholders)"
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


def _masker(args: argparse.Namespace) -> Masker:
    scanner = Scanner(
        None if args.entities is None else [e.strip() for e in args.entities.split(",")]
    )
    if args.preset is not None:
        preset = PRESETS[args.preset]
        return Masker(preset.rules, preset.default, scanner=scanner)
    return Masker(default=Replace("<{entity}>"), scanner=scanner)


def _scan(args: argparse.Namespace) -> int:
    try:
        masker = _masker(args)
    except ValueError as exc:
        raise UsageError(f"--entities: {exc}") from None
    counts: Counter[str] = Counter()
    for name in args.files or [None]:
        with open_input(name) as handle:
            for line in handle:
                findings = masker.scanner.find(line)
                counts.update(f.entity for f in findings)
                if not args.quiet:
                    sys.stdout.write(masker.mask_text(line) if findings else line)
    summary = ", ".join(f"{entity}: {n}" for entity, n in sorted(counts.items())) or "none"
    print(f"secpolicy pii scan: found {summary}", file=sys.stderr)
    return EXIT_FAILURE if args.fail_on_find and counts else EXIT_OK

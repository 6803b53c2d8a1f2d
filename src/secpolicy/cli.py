"""The ``secpolicy`` command (also ``python -m secpolicy``).

Exit codes: 0 success, 1 a policy shortfall or rejected input, 2 a usage error
or an invalid file.
"""

from __future__ import annotations

import argparse
import importlib.util
from typing import TYPE_CHECKING

import secpolicy

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["EXIT_FAILURE", "EXIT_OK", "EXIT_USAGE", "main"]

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

#: The areas of the library, in dependency order, with what each is for.
AREAS: tuple[tuple[str, str], ...] = (
    ("crypto", "keysets, field encryption, deterministic encryption, blind indexes"),
    ("password", "password policies, profiles, hashing, history, expiry, lockout"),
    ("pii", "identifier validation, detection in text, masking"),
    ("rbac", "role-based access control with separation of duty"),
    ("retention", "retention periods, schedules, holds, working-day calendars"),
    ("audit", "typed audit events, hash-chained writer, verifier"),
)


def _available(area: str) -> bool:
    return importlib.util.find_spec(f"secpolicy.{area}") is not None


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="secpolicy",
        description="Check and operate secpolicy security policies.",
    )
    parser.add_argument("--version", action="version", version=f"secpolicy {secpolicy.__version__}")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with *argv* (default: ``sys.argv[1:]``); return the exit code."""
    parser = _build_parser()
    try:
        parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help, --version and usage errors
        return int(exc.code or 0)
    print(f"secpolicy {secpolicy.__version__}")
    print("areas:")
    for name, summary in AREAS:
        state = "available" if _available(name) else "not yet available"
        print(f"  {name:<10} {summary} ({state})")
    return EXIT_OK

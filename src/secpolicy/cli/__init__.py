"""The ``secpolicy`` command (also ``python -m secpolicy``).

Exit codes: 0 success, 1 a policy shortfall or rejected input, 2 a usage error
or an invalid file. Messages name what was wrong and never print a secret or a
personal value.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from typing import TYPE_CHECKING

import secpolicy
from secpolicy.cli import _audit, _check, _keys, _password, _pii, _retention
from secpolicy.cli._common import EXIT_FAILURE, EXIT_OK, EXIT_USAGE
from secpolicy.cli._common import UsageError as _UsageError
from secpolicy.exceptions import SecPolicyError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["EXIT_FAILURE", "EXIT_OK", "EXIT_USAGE", "main"]

#: The areas of the library, in dependency order, with what each is for.
AREAS: tuple[tuple[str, str], ...] = (
    ("crypto", "keysets, field encryption, deterministic encryption, blind indexes"),
    ("password", "password policies, profiles, hashing, history, expiry, lockout"),
    ("pii", "identifier validation, detection in text, masking"),
    ("rbac", "role-based access control with separation of duty"),
    ("retention", "retention periods, schedules, holds, working-day calendars"),
    ("audit", "typed audit events, hash-chained writer, verifier"),
    ("policyfile", "secpolicy.toml: one file declaring a service's policies"),
    ("baselines", "compliance baselines checked against a policy file"),
)


def _available(area: str) -> bool:
    return importlib.util.find_spec(f"secpolicy.{area}") is not None


def _areas(_: argparse.Namespace) -> int:
    print(f"secpolicy {secpolicy.__version__}")
    print("areas:")
    for name, summary in AREAS:
        state = "available" if _available(name) else "not yet available"
        print(f"  {name:<10} {summary} ({state})")
    return EXIT_OK


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="secpolicy",
        description="Check and operate secpolicy security policies.",
    )
    parser.add_argument("--version", action="version", version=f"secpolicy {secpolicy.__version__}")
    parser.set_defaults(handler=_areas)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _check.add_parser(sub)
    _audit.add_parser(sub)
    _keys.add_parser(sub)
    _password.add_parser(sub)
    _pii.add_parser(sub)
    _retention.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with *argv* (default: ``sys.argv[1:]``); return the exit code."""
    parser = _build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra and getattr(args, "command", None) == "password":
            # never repeat what could be a password typed on the command line
            parser.error("password check reads the password from standard input, not arguments")
        if extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as exc:  # argparse exits on --help, --version and usage errors
        return int(exc.code or 0)
    try:
        return int(args.handler(args))
    except (_UsageError, SecPolicyError) as exc:
        print(f"secpolicy: {exc}", file=sys.stderr)
        return EXIT_USAGE


from secpolicy._public import set_module as _set_module  # noqa: E402 (after the names it sets)

_set_module(globals())

"""The ``secpolicy`` command (also ``python -m secpolicy``).

Exit codes: 0 success, 1 a policy shortfall or rejected input, 2 a usage error
or an invalid file. Messages name what was wrong and never print a secret or a
personal value.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, NoReturn

import secpolicy
from secpolicy.cli import _audit, _check, _keys, _password, _pii, _retention
from secpolicy.cli._common import EXIT_FAILURE, EXIT_OK, EXIT_USAGE
from secpolicy.cli._common import UsageError as _UsageError
from secpolicy.exceptions import SecPolicyError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["EXIT_FAILURE", "EXIT_OK", "EXIT_USAGE", "main"]

#: The areas of the library, in dependency order, with what each is for.
_AREAS: tuple[tuple[str, str], ...] = (
    ("crypto", "keysets, field encryption, deterministic encryption, blind indexes"),
    ("password", "password policies, profiles, hashing, history, expiry, lockout"),
    ("pii", "identifier validation, detection in text, masking"),
    ("rbac", "role-based access control with separation of duty"),
    ("retention", "retention periods, schedules, holds, working-day calendars"),
    ("audit", "typed audit events, hash-chained writer, verifier"),
    ("policyfile", "secpolicy.toml: one file declaring a service's policies"),
    ("baselines", "compliance baselines checked against a policy file"),
)
#: Set to show the traceback of an unexpected error instead of one line.
_DEBUG_VARIABLE = "SECPOLICY_DEBUG"


def _epilog() -> str:
    lines = ["library areas:"]
    lines.extend(f"  {name:<10} {summary}" for name, summary in _AREAS)
    lines.append("")
    lines.append(
        "exit codes: 0 passed, 1 a policy shortfall or rejected input, "
        "2 a usage error, an invalid file or any other error"
    )
    return "\n".join(lines)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, like every other error."""

    def error(self, message: str) -> NoReturn:
        """Print ``PROG: MESSAGE (see PROG --help)`` on standard error and exit 2."""
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _build_parser() -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = _Parser(
        prog="secpolicy",
        description="Check and operate secpolicy security policies.",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"secpolicy {secpolicy.__version__}")
    parser.set_defaults(handler=lambda _: _help(parser))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _check.add_parser(sub)
    _audit.add_parser(sub)
    _keys.add_parser(sub)
    _password.add_parser(sub)
    _pii.add_parser(sub)
    _retention.add_parser(sub)
    return parser


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return EXIT_OK


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
    except (
        Exception,
        KeyboardInterrupt,
    ) as exc:  # a CI gate must never read a crash as a shortfall
        if os.environ.get(_DEBUG_VARIABLE) and not isinstance(exc, _UsageError | SecPolicyError):
            raise
        print(f"secpolicy: {_one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE


def _one_line(exc: BaseException) -> str:
    """What went wrong, in one line, without echoing input that may be personal data."""
    if isinstance(exc, _UsageError | SecPolicyError):
        return str(exc)
    if isinstance(exc, UnicodeDecodeError):
        return (
            f"input is not {exc.encoding} text (byte {exc.start}); "
            "name its encoding with --encoding where the command has it"
        )
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return f"cannot use{where}: {exc.strerror or type(exc).__name__}"
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    # Only the type: an unexpected message might carry a value from the input.
    return (
        f"internal error ({type(exc).__name__}); "
        f"set {_DEBUG_VARIABLE}=1 for the traceback and report it"
    )


from secpolicy._public import set_module as _set_module  # noqa: E402 (after the names it sets)

_set_module(globals())

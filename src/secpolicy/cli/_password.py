"""``secpolicy password check``: judge a password read from standard input, never from argv."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from secpolicy.cli._common import EXIT_FAILURE, EXIT_OK, UsageError
from secpolicy.password import PasswordContext
from secpolicy.policyfile import load_policy
from secpolicy.policyfile._password import PROFILES

if TYPE_CHECKING:
    import argparse

    from secpolicy.password import PasswordPolicy


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``password check``."""
    password = sub.add_parser("password", help="passwords against a policy")
    actions = password.add_subparsers(dest="password_command", required=True)
    check = actions.add_parser(
        "check",
        help="check a password read from standard input",
        description=(
            "Read one password from standard input (prompted without echo on a terminal; "
            "the first line of piped input otherwise) and check it against a profile or the "
            "[password] section of a policy file. The password is never taken from the "
            "command line and never printed. Exits 0 if accepted, 1 if rejected, 2 on usage."
        ),
    )
    source = check.add_mutually_exclusive_group(required=True)
    source.add_argument("--profile", choices=sorted(PROFILES), help="a password profile")
    source.add_argument(
        "--policy", metavar="FILE", help="a secpolicy.toml with a [password] section"
    )
    check.add_argument("--username", help="the account name (passwords like it are refused)")
    check.add_argument("--email", help="the account's e-mail address")
    check.add_argument("--locale", choices=("en", "zh-CN"), default="en", help="message language")
    check.add_argument("--json", action="store_true", help="print the codes and messages as JSON")
    check.set_defaults(handler=_check)


def _policy(args: argparse.Namespace) -> PasswordPolicy:
    if args.profile is not None:
        return PROFILES[args.profile]
    if Path(args.policy).is_dir():
        raise UsageError(f"--policy: {args.policy}: is a directory, not a policy file")
    if not Path(args.policy).is_file():
        raise UsageError(f"--policy: {args.policy}: no such file")
    policy = load_policy(args.policy).password
    if policy is None:
        raise UsageError(f"--policy: {args.policy} has no [password] section")
    return policy


def _read_password() -> str:
    if sys.stdin is None:
        raise UsageError("no standard input to read the password from")
    if sys.stdin.isatty():
        return getpass.getpass("Password: ")
    line = sys.stdin.readline()
    if not line:
        raise UsageError("no password on standard input")
    return line.removesuffix("\n").removesuffix("\r")


def _check(args: argparse.Namespace) -> int:
    policy = _policy(args)
    password = _read_password()
    context = PasswordContext(username=args.username, email=args.email)
    result = policy.check(password, context=context)
    del password
    label = policy.name or "the policy"
    if args.json:
        print(
            json.dumps(
                {
                    "policy": label,
                    "ok": result.ok,
                    "violations": [
                        {"code": v.code, "message": v.message(args.locale)}
                        for v in result.violations
                    ],
                },
                ensure_ascii=False,
            )
        )
    elif result.ok:
        print(f"accepted by {label}")
    else:
        print(f"rejected by {label}:")
        for violation in result.violations:
            print(f"  {violation.code}: {violation.message(args.locale)}")
    return EXIT_OK if result.ok else EXIT_FAILURE

"""``secpolicy audit verify|keygen``: check a chained audit log; make a checkpoint key."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from secpolicy._fs import atomic_output
from secpolicy.audit import (
    FileAnchorStore,
    VerifyKey,
    generate_signing_key,
    key_id,
    load_hmac_key,
    load_key_file,
    verify,
)
from secpolicy.cli._common import EXIT_FAILURE, EXIT_OK, UsageError
from secpolicy.exceptions import PolicyConfigError

_PROGRESS_FROM = 8 << 20  # show a bar for logs of 8 MiB and more


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``audit verify`` and ``audit keygen``."""
    audit = sub.add_parser("audit", help="verify audit logs; make checkpoint keys")
    actions = audit.add_subparsers(dest="audit_command", required=True)
    check = actions.add_parser(
        "verify",
        help="check a chained audit log for tampering",
        description=(
            "Verify a secpolicy audit log: every record's hash, the chain, the signed "
            "Merkle checkpoints (every record must be sealed by one), with --anchor every "
            "anchored checkpoint of the writer, and with --expected-log-id the set of logs. "
            "Exits 0 if nothing is wrong, 1 on any problem (or warning with --strict), 2 on "
            "bad usage."
        ),
    )
    check.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="the active log file (rotated files beside it are found), a directory, or files",
    )
    check.add_argument(
        "--key",
        action="append",
        default=[],
        metavar="PEM",
        help="Ed25519 public (or private) key file in PEM; repeat after key rotation",
    )
    check.add_argument(
        "--hmac-key-env",
        action="append",
        default=[],
        metavar="VAR",
        help="environment variable holding an HMAC checkpoint key (hex or base64url)",
    )
    check.add_argument("--anchor", metavar="FILE", help="the anchor file the writer used")
    check.add_argument(
        "--expected-log-id",
        action="append",
        default=None,
        metavar="ID",
        help="a log that must be there (one per writer; repeat): a missing, substituted or "
        "unknown log fails",
    )
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar on standard error (default: on a terminal, for large logs)",
    )
    check.set_defaults(handler=_verify)
    keygen = actions.add_parser(
        "keygen",
        help="write a new Ed25519 checkpoint key pair",
        description=(
            "Write an Ed25519 private key (owner-only permissions) for the audit writer and "
            "its public key for verifiers. Key bytes are never printed."
        ),
    )
    keygen.add_argument("private", help="the private key file to create (PEM)")
    keygen.add_argument("public", help="the public key file to create (PEM)")
    keygen.add_argument("--force", action="store_true", help="replace existing files")
    keygen.set_defaults(handler=_keygen)


def _load_key(path: str) -> VerifyKey:
    try:
        return load_key_file(path)
    except PolicyConfigError as exc:
        raise UsageError(f"--key: {exc.reason}") from None


def _hmac_key(variable: str) -> bytes:
    if variable not in os.environ:
        raise UsageError(f"--hmac-key-env: environment variable {variable} is not set")
    try:
        return load_hmac_key(os.environ[variable], name=variable)
    except PolicyConfigError as exc:
        raise UsageError(f"--hmac-key-env: {exc.reason}") from None


def _bar(done: int, total: int) -> None:
    width = 30
    filled = width * done // max(total, 1)
    end = "\n" if done >= total else ""
    sys.stderr.write(
        f"\r[{'#' * filled}{' ' * (width - filled)}] {100 * done // max(total, 1):3d}%{end}"
    )
    sys.stderr.flush()


def _verify(args: argparse.Namespace) -> int:
    keys: list[VerifyKey] = [_load_key(path) for path in args.key]
    keys.extend(_hmac_key(variable) for variable in args.hmac_key_env)
    if not keys:
        raise UsageError("give the checkpoint key: --key PUBLIC.pem or --hmac-key-env VAR")
    anchor = FileAnchorStore(args.anchor) if args.anchor else None
    if anchor is not None and not anchor.path.is_file():
        raise UsageError(f"--anchor: {args.anchor} does not exist")
    total = sum(Path(p).stat().st_size for p in args.paths if Path(p).is_file())
    show = (
        args.progress
        if args.progress is not None
        else (sys.stderr.isatty() and total >= _PROGRESS_FROM)
    )
    report = verify(
        args.paths,
        key=keys,
        anchor=anchor,
        expected_log_ids=args.expected_log_id,
        progress=_bar if show else None,
    )
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(report.summary())
    if not report.ok or (args.strict and report.warnings):
        return EXIT_FAILURE
    return EXIT_OK


def _keygen(args: argparse.Namespace) -> int:
    private, public = Path(args.private), Path(args.public)
    if private.resolve() == public.resolve() or (
        private.exists() and public.exists() and private.samefile(public)
    ):
        # the public key would be written over the private key just made
        raise UsageError(f"{args.private} and {args.public} are the same file; give two paths")
    for path in (private, public):
        if path.exists() and not args.force:
            raise UsageError(f"{path} exists; pass --force to replace it")
    key = generate_signing_key()
    with atomic_output(private, mode=0o600) as out:
        out.write(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    with atomic_output(public, mode=0o644) as out:
        out.write(key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    print(f"wrote {private} (private, keep it with the writer) and {public} (for verifiers)")
    print(f"key id {key_id(key)}")
    return EXIT_OK

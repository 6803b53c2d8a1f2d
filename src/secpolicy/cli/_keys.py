"""``secpolicy keys generate|rotate``: keyset files for field and file encryption."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from secpolicy.cli._common import EXIT_OK, UsageError
from secpolicy.crypto import FileKeyProvider, Keyset
from secpolicy.crypto._primitives import KEY_SIZES, b64decode

if TYPE_CHECKING:
    import argparse


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``keys generate`` and ``keys rotate``."""
    keys = sub.add_parser("keys", help="generate and rotate keysets")
    actions = keys.add_subparsers(dest="keys_command", required=True)
    kek_help = (
        "environment variable holding a 32-byte key-encryption key (base64url) "
        "to wrap the keyset with"
    )
    generate = actions.add_parser(
        "generate",
        help="write a new keyset file (owner-only permissions)",
        description="Write a new keyset with one primary key. Key bytes are never printed.",
    )
    generate.add_argument("file", help="the keyset file to create")
    generate.add_argument("--algorithm", default="AES-256-GCM", choices=sorted(KEY_SIZES))
    _key_options(generate, kek_help)
    generate.add_argument("--force", action="store_true", help="replace an existing file")
    generate.set_defaults(handler=_generate)
    rotate = actions.add_parser(
        "rotate",
        help="add a new primary key; old keys stay for decryption",
        description="Rotate the keyset in FILE in place (atomically). Key bytes are never printed.",
    )
    rotate.add_argument("file", help="the keyset file")
    rotate.add_argument("--algorithm", choices=sorted(KEY_SIZES), help="default: the primary's")
    _key_options(rotate, kek_help)
    rotate.set_defaults(handler=_rotate)


def _key_options(parser: argparse.ArgumentParser, kek_help: str) -> None:
    parser.add_argument("--kek-env", metavar="VAR", help=kek_help)
    parser.add_argument(
        "--purpose", help="what the keyset is for (bound into the wrap; loading needs the same)"
    )
    parser.add_argument(
        "--unencrypted",
        action="store_true",
        help="write key bytes in the clear (no --kek-env); only into a secret store",
    )


def _provider(args: argparse.Namespace) -> FileKeyProvider:
    kek = _kek(args.kek_env)
    if kek is None and not args.unencrypted:
        raise UsageError(
            "pass --kek-env VAR to wrap the keyset, "
            "or --unencrypted to write key bytes in the clear"
        )
    if kek is not None and args.unencrypted:
        raise UsageError("--kek-env and --unencrypted exclude each other")
    return FileKeyProvider(args.file, kek=kek, purpose=args.purpose, unencrypted=args.unencrypted)


def _kek(variable: str | None) -> bytes | None:
    if variable is None:
        return None
    value = os.environ.get(variable)
    if not value:
        raise UsageError(f"--kek-env: environment variable {variable} is not set")
    try:
        kek = b64decode(value.strip())
    except ValueError:
        raise UsageError(f"--kek-env: {variable} is not base64url") from None
    if len(kek) != 32:  # noqa: PLR2004 (AES-256 key size)
        raise UsageError(f"--kek-env: {variable} must hold 32 bytes")
    return kek


def _generate(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if path.exists() and not args.force:
        raise UsageError(f"{path} exists; pass --force to replace it (its keys would be lost)")
    provider = _provider(args)
    keyset = Keyset.generate(args.algorithm)
    provider.save(keyset)
    print(f"wrote {path}: primary key {keyset.primary_id:08x} ({args.algorithm})")
    return EXIT_OK


def _rotate(args: argparse.Namespace) -> int:
    provider = _provider(args)
    keyset = provider.load()
    old = keyset.primary_id
    new = keyset.rotate(args.algorithm)
    provider.save(keyset)
    count = len(keyset)
    print(f"rotated {args.file}: primary {old:08x} -> {new.id:08x} ({new.algorithm}); {count} keys")
    return EXIT_OK

"""The on-disk format of a chained audit log, and checkpoint keys.

Every record is one line of JSON with a fixed frame::

    {"seq":17,"prev":"<64 hex>","kind":"event",<body>,"hash":"<64 hex>"}

``hash`` is the SHA-256 of the line's bytes up to (not including)
``,"hash":``; ``prev`` is the previous record's ``hash`` (64 zeros for the
first record of a log). The frame is fixed so that a verifier checks a record
with one hash and one regular-expression match, without parsing its JSON.

A checkpoint is a record of kind ``checkpoint`` that carries a signed note
(:mod:`secpolicy.audit._note`): the Merkle root (:mod:`secpolicy.audit._merkle`)
of every line before it, signed with an Ed25519 key or an HMAC-SHA-256 key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import TYPE_CHECKING, Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from secpolicy.exceptions import ArgumentTypeError, InvalidArgumentError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "GENESIS",
    "HASH_KEY",
    "HASH_SUFFIX_LEN",
    "SigningKey",
    "VerifyKey",
    "frame",
    "generate_signing_key",
    "key_algorithm",
    "key_id",
    "render_body",
]

#: The ``prev`` of a log's first record.
GENESIS: Final = "0" * 64
#: The member that follows the hashed prefix of every line.
HASH_KEY: Final = b',"hash":"'
#: Bytes after the hashed prefix: ``,"hash":"`` + 64 hex digits + ``"}``.
HASH_SUFFIX_LEN: Final = len(HASH_KEY) + 64 + 2
_MIN_HMAC_KEY: Final = 32

#: Parses the frame's head: sequence number, previous hash, kind.
HEAD: Final = re.compile(
    rb'\{"seq":(0|[1-9][0-9]{0,18}),"prev":"([0-9a-f]{64})","kind":"([a-z_]{1,32})"'
)
#: Parses the frame's tail: the record's own hash.
TAIL: Final = re.compile(rb',"hash":"([0-9a-f]{64})"\}\Z')

SigningKey = Ed25519PrivateKey | bytes
"""A key that can sign checkpoints: an Ed25519 private key, or HMAC key bytes."""
VerifyKey = Ed25519PrivateKey | Ed25519PublicKey | bytes
"""A key that can check checkpoints: either of the above, or an Ed25519 public key."""


_DUMPS: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def render_body(values: Mapping[str, Any]) -> str:
    """The writer's one JSON form of a record's members, as :func:`frame` takes them."""
    return _DUMPS(values)[1:-1]


def frame(seq: int, prev: str, kind: str, body: str) -> tuple[bytes, str]:
    """One record line (with its newline) and its hash.

    Args:
        seq: The sequence number.
        prev: The previous record's hash.
        kind: The record kind (``event``, ``checkpoint``, ...).
        body: The record's other members as JSON object text without braces
            (``"time":"...","action":"..."``), or ``""``.
    """
    if body:
        prefix = f'{{"seq":{seq},"prev":"{prev}","kind":"{kind}",{body}'.encode()
    else:
        prefix = f'{{"seq":{seq},"prev":"{prev}","kind":"{kind}"'.encode()
    digest = hashlib.sha256(prefix).hexdigest()
    return b'%s,"hash":"%s"}\n' % (prefix, digest.encode()), digest


def generate_signing_key() -> Ed25519PrivateKey:
    """A new Ed25519 key for signing checkpoints.

    Keep the private key with the service (a key manager or a file readable by
    the service only); give verifiers the public key
    (``key.public_key()``): it can check checkpoints but not make them.
    """
    return Ed25519PrivateKey.generate()


def _check_key(key: object) -> None:
    if isinstance(key, (Ed25519PrivateKey, Ed25519PublicKey)):
        return
    if isinstance(key, bytes):
        if len(key) < _MIN_HMAC_KEY:
            raise InvalidArgumentError(
                f"an HMAC checkpoint key must be at least {_MIN_HMAC_KEY} bytes"
            )
        return
    raise ArgumentTypeError(
        f"key must be an Ed25519 private or public key or HMAC key bytes, not {type(key).__name__}"
    )


def key_algorithm(key: VerifyKey) -> str:
    """``"ed25519"`` or ``"hmac-sha256"``."""
    _check_key(key)
    return "hmac-sha256" if isinstance(key, bytes) else "ed25519"


def key_id(key: VerifyKey) -> str:
    """A short public id of the key: 16 hex digits.

    For Ed25519 it is derived from the public key, so a private key and its
    public key have the same id; for HMAC, from a keyed hash that reveals
    nothing about the key.
    """
    _check_key(key)
    if isinstance(key, bytes):
        return hmac.new(key, b"secpolicy.audit.key-id", hashlib.sha256).hexdigest()[:16]
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]

"""Checkpoints as C2SP signed notes: the signed tree head of a log, cosignable.

A checkpoint (https://c2sp.org/tlog-checkpoint) is a signed note
(https://c2sp.org/signed-note) whose text is::

    secpolicy.audit/<log id>
    <tree size>
    <base64 root hash>
    time <RFC 3339 time>

followed by a blank line and one signature line per signer::

    — <key name> <base64(key id (4 bytes) || signature)>

The signature covers the text, newline included, and nothing else: every
value the verifier relies on is in that text. The writer's key name is the
origin line. Ed25519 key ids follow the signed-note spec
(``SHA-256(name || 0x0A || 0x01 || public key)[:4]``); HMAC keys, which the
spec does not define, use signature type 0xff with the identifier
``secpolicy-hmac-sha256`` followed by the key's keyed id, so an HMAC
signature line can never be mistaken for an Ed25519 one. Witnesses and
other teams cosign by adding their own Ed25519 signature line
(:func:`cosign`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from typing import TYPE_CHECKING, Final

import attrs
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from secpolicy.exceptions import SecPolicyError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from secpolicy.audit._chain import SigningKey, VerifyKey

__all__ = [
    "ORIGIN_PREFIX",
    "Checkpoint",
    "CheckpointError",
    "cosign",
    "make_checkpoint",
    "note_key_id",
    "verify_checkpoint",
]

#: The origin line of a secpolicy log is this prefix and the log id.
ORIGIN_PREFIX: Final = "secpolicy.audit/"
_DASH: Final = "\u2014 "
_MAX_SIGNATURES: Final = 100
_HMAC_TYPE: Final = b"\xffsecpolicy-hmac-sha256"
_CONTROL: Final = re.compile("[\x00-\x09\x0b-\x1f]")


class CheckpointError(SecPolicyError, ValueError):
    """A checkpoint note is malformed or its signature does not verify.

    .. versionadded:: 0.2
    """

    __module__ = "secpolicy.audit"


def _public_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def note_key_id(name: str, key: VerifyKey) -> bytes:
    """The 4-byte signed-note key id of *key* under the key name *name*."""
    if isinstance(key, bytes):
        keyed = hmac.new(key, b"secpolicy.audit.key-id", hashlib.sha256).digest()
        material = _HMAC_TYPE + keyed
    else:
        material = b"\x01" + _public_bytes(key)
    return hashlib.sha256(name.encode() + b"\n" + material).digest()[:4]


def _signature(key: SigningKey, message: bytes) -> bytes:
    if isinstance(key, bytes):
        return hmac.new(key, message, hashlib.sha256).digest()
    return key.sign(message)


def _check(key: VerifyKey, message: bytes, signature: bytes) -> bool:
    if isinstance(key, bytes):
        return hmac.compare_digest(signature, hmac.new(key, message, hashlib.sha256).digest())
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    try:
        public.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def _valid_name(name: str) -> bool:
    return bool(name) and not any(c.isspace() or c == "+" for c in name)


def _signature_line(name: str, key: SigningKey, text: str) -> str:
    raw = note_key_id(name, key) + _signature(key, text.encode())
    return f"{_DASH}{name} {base64.b64encode(raw).decode()}\n"


@attrs.frozen(kw_only=True)
class Checkpoint:
    """A parsed checkpoint: the signed tree head of one log.

    Attributes:
        origin: The origin line (``secpolicy.audit/<log id>``).
        size: The tree size: the records ``0 .. size - 1`` it covers.
        root: The RFC 9162 root hash of those records' lines.
        time: When the writer signed it (RFC 3339), from the ``time`` line.
        note: The whole signed note, signature lines included.

    .. versionadded:: 0.2
    """

    origin: str
    size: int
    root: bytes = attrs.field(repr=lambda value: value.hex())
    time: str
    note: str = attrs.field(repr=False)

    __module__ = "secpolicy.audit"

    @property
    def log_id(self) -> str:
        """The log id in the origin line."""
        return self.origin.removeprefix(ORIGIN_PREFIX)

    @property
    def text(self) -> str:
        """The signed text (the note without its signature lines)."""
        return _split(self.note)[0]

    @property
    def signers(self) -> tuple[str, ...]:
        """The key names of the signature lines, in order."""
        return tuple(name for name, _, _ in _split(self.note)[1])

    @classmethod
    def parse(cls, note: str) -> Checkpoint:
        """Parse *note* without checking any signature.

        Raises:
            CheckpointError: It is not a secpolicy checkpoint note.
        """
        text, _ = _split(note)
        lines = text.split("\n")[:-1]
        if len(lines) < 4:  # noqa: PLR2004 (origin, size, root, time)
            raise CheckpointError("a checkpoint needs an origin, a size, a root and a time line")
        origin, size_text, root_text, time_line = lines[:4]
        if not origin.startswith(ORIGIN_PREFIX) or not _valid_name(origin):
            raise CheckpointError("the checkpoint's origin line is not a secpolicy log")
        if (
            not size_text.isascii()
            or not size_text.isdigit()
            or (size_text != "0" and size_text.startswith("0"))
        ):
            raise CheckpointError("the checkpoint's tree size is not a decimal number")
        try:
            root = base64.b64decode(root_text, validate=True)
        except (binascii.Error, ValueError):
            raise CheckpointError("the checkpoint's root hash is not base64") from None
        if len(root) != 32 or base64.b64encode(root).decode() != root_text:  # noqa: PLR2004
            raise CheckpointError("the checkpoint's root hash is not 32 bytes of base64")
        if not time_line.startswith("time ") or len(lines) != 4:  # noqa: PLR2004
            raise CheckpointError("the checkpoint's fourth line must be its time, and the last")
        return cls(origin=origin, size=int(size_text), root=root, time=time_line[5:], note=note)


def _split(note: str) -> tuple[str, list[tuple[str, bytes, bytes]]]:
    """The text of *note* and its signature lines as (name, key id, signature)."""
    if _CONTROL.search(note) or not note.endswith("\n"):
        raise CheckpointError("a signed note ends with a newline and has no control characters")
    cut = note.rfind("\n\n")
    if cut < 0:
        raise CheckpointError("a signed note needs a blank line before its signatures")
    text, block = note[: cut + 1], note[cut + 2 :]
    signatures: list[tuple[str, bytes, bytes]] = []
    for line in block.split("\n")[:-1]:
        if not line.startswith(_DASH):
            raise CheckpointError("a signature line starts with an em dash and a space")
        name, _, encoded = line[len(_DASH) :].partition(" ")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise CheckpointError("a signature line's signature is not base64") from None
        if not _valid_name(name) or len(raw) < 5:  # noqa: PLR2004 (key id and a byte)
            raise CheckpointError("a signature line needs a key name and a signature")
        signatures.append((name, raw[:4], raw[4:]))
    if not signatures or len(signatures) > _MAX_SIGNATURES:
        raise CheckpointError(f"a signed note has 1 to {_MAX_SIGNATURES} signature lines")
    return text, signatures


def make_checkpoint(
    *, log_id: str, size: int, root: bytes, time: str, key: SigningKey
) -> Checkpoint:
    """Sign the checkpoint of *log_id* at *size* with the writer's key (name = origin)."""
    origin = ORIGIN_PREFIX + log_id
    text = f"{origin}\n{size}\n{base64.b64encode(root).decode()}\ntime {time}\n"
    note = text + "\n" + _signature_line(origin, key, text)
    return Checkpoint(origin=origin, size=size, root=root, time=time, note=note)


def _signed_by(note: str, name: str, key: VerifyKey) -> bool:
    text, signatures = _split(note)
    wanted = note_key_id(name, key)
    for signer, key_id, signature in signatures:
        if signer == name and key_id == wanted:
            # The first line of a known key decides (as in the signed-note spec).
            return _check(key, text.encode(), signature)
    return False


def cosign(note: str, *, key: Ed25519PrivateKey, name: str) -> str:
    """Add a witness's signature line to a checkpoint *note*.

    A witness (another team, a separate process, an auditor's service)
    checks that a new checkpoint extends the last one it cosigned (with
    :func:`~secpolicy.audit.verify_consistency_proof`) and then adds its
    signature; verifiers that require its name and key then accept only
    checkpoints the witness has seen, so a writer that forks its log for
    different readers is caught.

    Args:
        note: The checkpoint note.
        key: The witness's Ed25519 key.
        name: The witness's key name (no spaces, no ``+``).

    Returns:
        The note with one more signature line.

    Raises:
        CheckpointError: *note* is not a checkpoint or *name* is invalid.

    .. versionadded:: 0.2
    """
    Checkpoint.parse(note)
    if not _valid_name(name):
        raise CheckpointError("a key name must be non-empty, without spaces or '+'")
    text, _ = _split(note)
    return note + _signature_line(name, key, text)


def verify_checkpoint(
    note: str,
    *,
    key: VerifyKey | Sequence[VerifyKey],
    witnesses: Sequence[tuple[str, Ed25519PublicKey | Ed25519PrivateKey]] = (),
) -> Checkpoint:
    """Parse *note* and check the writer's signature and every required cosignature.

    Args:
        note: A checkpoint note (from a log's checkpoint record, an anchor, a
            proof).
        key: The writer's verification key (or several, after rotation).
        witnesses: ``(name, public key)`` of cosigners that must all have
            signed.

    Returns:
        The checkpoint.

    Raises:
        CheckpointError: It is malformed, or a required signature is missing
            or does not verify.

    .. versionadded:: 0.2
    """
    checkpoint = Checkpoint.parse(note)
    keys = [key] if isinstance(key, (bytes, Ed25519PrivateKey, Ed25519PublicKey)) else list(key)
    if not any(_signed_by(note, checkpoint.origin, k) for k in keys):
        raise CheckpointError(f"checkpoint of {checkpoint.origin} is not signed by the given key")
    for name, witness in witnesses:
        if not _signed_by(note, name, witness):
            raise CheckpointError(f"checkpoint of {checkpoint.origin} is not cosigned by {name}")
    return checkpoint

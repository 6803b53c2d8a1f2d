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
        unverified_signers: After :func:`verify_checkpoint`, the key names of
            signature lines that no given key matched: the signed-note rules
            ignore them, so nothing they claim is trusted. Empty after
            :meth:`parse`, which checks no signature.

    .. versionadded:: 0.2
    """

    origin: str
    size: int
    root: bytes = attrs.field(repr=lambda value: value.hex())
    time: str
    note: str = attrs.field(repr=False)
    unverified_signers: tuple[str, ...] = ()

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


def _verify_lines(
    note: str, known: Sequence[tuple[str, VerifyKey]]
) -> tuple[set[tuple[str, bytes]], tuple[str, ...]]:
    """Check every signature line of *note* whose key name and id match a *known* key.

    Following the signed-note rules, a line of a known key that does not
    verify rejects the whole note (wherever it stands: before or after a
    valid one), and lines of unknown keys are not trusted for anything.

    Returns:
        The ``(name, key id)`` of every verified line, and the key names of
        the lines no known key matched.

    Raises:
        CheckpointError: A line of a known key does not verify.
    """
    text, signatures = _split(note)
    message = text.encode()
    ids = [(name, note_key_id(name, key), key) for name, key in known]
    verified: set[tuple[str, bytes]] = set()
    unknown: list[str] = []
    for signer, key_id, signature in signatures:
        keys = [key for name, wanted, key in ids if name == signer and wanted == key_id]
        if not keys:
            unknown.append(signer)
        elif any(_check(key, message, signature) for key in keys):
            verified.add((signer, key_id))
        else:
            raise CheckpointError(
                f"a signature line of {signer} does not verify: the whole note is rejected"
            )
    return verified, tuple(unknown)


def cosign(note: str, *, key: SigningKey, name: str) -> str:
    """Add a witness's signature line to a checkpoint *note*.

    A witness (another team, a separate process, an auditor's service)
    checks that a new checkpoint extends the last one it cosigned (with
    :func:`~secpolicy.audit.verify_consistency_proof`) and then adds its
    signature; verifiers that require its name and key then accept only
    checkpoints the witness has seen, so a writer that forks its log for
    different readers is caught.

    Args:
        note: The checkpoint note.
        key: The witness's key (Ed25519 for an interoperable signature line).
        name: The witness's key name (no spaces, no ``+``).

    Returns:
        The note with one more signature line.

    Raises:
        CheckpointError: *note* is not a checkpoint or *name* is invalid.

    .. versionadded:: 0.2
    """
    Checkpoint.parse(note)
    if isinstance(key, Ed25519PublicKey):
        raise CheckpointError("a public key cannot cosign; pass the witness's private key")
    if not _valid_name(name):
        raise CheckpointError("a key name must be non-empty, without spaces or '+'")
    text, _ = _split(note)
    return note + _signature_line(name, key, text)


def verify_checkpoint(
    note: str,
    *,
    key: VerifyKey | Sequence[VerifyKey],
    witnesses: Sequence[tuple[str, VerifyKey]] = (),
) -> Checkpoint:
    """Parse *note* and check the writer's signature and every required cosignature.

    Args:
        note: A checkpoint note (from a log's checkpoint record, an anchor, a
            proof).
        key: The writer's verification key (or several, after rotation).
        witnesses: ``(name, public key)`` of cosigners that must all have
            signed.

    Every signature line whose key name and key id match the writer's key
    (or one of them) or a witness is verified, and one that fails rejects the
    whole note, even after a valid line (the signed-note rule). Lines of other
    keys cannot be checked: they are listed in
    :attr:`Checkpoint.unverified_signers` and trusted for nothing.

    Returns:
        The checkpoint, with :attr:`~Checkpoint.unverified_signers`.

    Raises:
        CheckpointError: It is malformed, a signature line of a given key does
            not verify, or a required signature is missing.

    .. versionadded:: 0.2
    """
    checkpoint = Checkpoint.parse(note)
    keys = [key] if isinstance(key, (bytes, Ed25519PrivateKey, Ed25519PublicKey)) else list(key)
    origin = checkpoint.origin
    known = [(origin, k) for k in keys] + [(name, witness) for name, witness in witnesses]
    verified, unknown = _verify_lines(note, known)
    if not any((origin, note_key_id(origin, k)) in verified for k in keys):
        raise CheckpointError(f"checkpoint of {origin} is not signed by the given key")
    for name, witness in witnesses:
        if (name, note_key_id(name, witness)) not in verified:
            raise CheckpointError(f"checkpoint of {origin} is not cosigned by {name}")
    return attrs.evolve(checkpoint, unverified_signers=unknown)

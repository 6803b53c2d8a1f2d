"""Helpers shared by the encryptors: argument checks and per-snapshot primitive caches."""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Final, Generic, TypeVar

from secpolicy.crypto._keyset import Keyset
from secpolicy.crypto._primitives import b64decode
from secpolicy.exceptions import ArgumentTypeError, DecryptionError, KeysetError

if TYPE_CHECKING:
    from collections.abc import Callable

    from secpolicy.crypto._keyset import Key, _Snapshot

#: Token format version; the first byte of every token.
TOKEN_VERSION: Final = 1
HEADER = struct.Struct(">BI")  # version, key id
DECRYPT_FAILED: Final = "could not decrypt: the token is invalid for this key, context or keyset"

P = TypeVar("P")


def require_bytes(value: object, name: str) -> bytes:
    """Return *value* as bytes, or raise ``TypeError`` naming the argument."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    hint = "; encode text first, e.g. value.encode()" if isinstance(value, str) else ""
    raise ArgumentTypeError(f"{name} must be bytes, not {type(value).__name__}{hint}")


def require_kind(keyset: Keyset, kind: str, owner: str) -> None:
    """Refuse anything but a keyset whose keys are of *kind*."""
    given: object = keyset  # checked at run time for untyped callers
    if not isinstance(given, Keyset):
        raise ArgumentTypeError(f"{owner} needs a Keyset, not {type(given).__name__}")
    if keyset.kind != kind:
        raise KeysetError(
            f"{owner} needs a keyset of {kind} keys, got {keyset.kind} keys "
            f"({keyset.primary.algorithm})"
        )


def fail() -> DecryptionError:
    """The one error every decryption failure raises."""
    return DecryptionError(DECRYPT_FAILED)


def decode_token(token: str | bytes) -> bytes:
    """Decode a base64url token, raising ``DecryptionError`` for anything malformed."""
    if not isinstance(token, (str, bytes)):
        raise ArgumentTypeError(f"token must be str or bytes, not {type(token).__name__}")
    try:
        return b64decode(token)
    except ValueError:
        raise fail() from None


class _Built(Generic[P]):
    """The primitives built for one keyset snapshot, and its primary's.

    Replaced whole when the snapshot changes, and written only with keys of
    its own snapshot: a call that began before a change can never leave a key
    the change disabled or destroyed (or an old primary) in the state that
    later calls read.
    """

    __slots__ = ("primary", "primitives", "snapshot")

    def __init__(self, snapshot: _Snapshot | None) -> None:
        self.snapshot = snapshot
        self.primitives: dict[int, P] = {}
        self.primary: tuple[int, P] | None = None


class PrimitiveCache(Generic[P]):
    """Primitive objects per key id, rebuilt when the keyset snapshot changes.

    Building an ``AESGCM`` object costs about as much as one small
    encryption, so encryptors keep one per key. Reading ``keyset._snapshot``
    is a single attribute load: rotation elsewhere is picked up on the next
    call without any lock. The snapshot, its primitives and its primary are
    held in one object swapped by one assignment, so concurrent readers see
    the old triple or the new one, never a mix.
    """

    __slots__ = ("_build", "_built", "_keyset")

    def __init__(self, keyset: Keyset, build: Callable[[Key], P]) -> None:
        self._keyset = keyset
        self._build = build
        self._built: _Built[P] = _Built(None)

    def _current(self) -> _Built[P]:
        snap = self._keyset._snapshot  # noqa: SLF001 (same package; lock-free read)
        built = self._built
        if built.snapshot is not snap:
            built = self._built = _Built(snap)
        return built

    def _lookup(self, built: _Built[P], key_id: int) -> P | None:
        prim = built.primitives.get(key_id)
        if prim is None:
            assert built.snapshot is not None  # noqa: S101 (_current sets it)
            key = built.snapshot.keys.get(key_id)
            if key is None or not key.usable:
                return None
            prim = built.primitives[key_id] = self._build(key)
        return prim

    def get(self, key_id: int) -> P | None:
        """The primitive of the usable key *key_id*, or ``None`` if it cannot be used."""
        return self._lookup(self._current(), key_id)

    def primary(self) -> tuple[int, P]:
        """The primary key's id and primitive."""
        built = self._built
        if built.snapshot is self._keyset._snapshot and built.primary is not None:  # noqa: SLF001
            return built.primary
        built = self._current()
        assert built.snapshot is not None  # noqa: S101 (_current sets it)
        key_id = built.snapshot.primary
        prim = self._lookup(built, key_id)
        if prim is None:  # pragma: no cover - the keyset validates its primary
            raise AssertionError("primary key is not usable")
        built.primary = (key_id, prim)
        return built.primary

    def all_usable(self) -> list[tuple[int, P]]:
        """Every usable key's id and primitive, the primary first, from one snapshot."""
        built = self._current()
        assert built.snapshot is not None  # noqa: S101 (_current sets it)
        primary_id = built.snapshot.primary
        found: list[tuple[int, P]] = []
        for key_id in (primary_id, *(k for k in built.snapshot.keys if k != primary_id)):
            prim = self._lookup(built, key_id)
            if prim is not None:
                found.append((key_id, prim))
        return found

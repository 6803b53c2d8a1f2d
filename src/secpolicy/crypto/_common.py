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


class PrimitiveCache(Generic[P]):
    """Primitive objects per key id, rebuilt when the keyset snapshot changes.

    Building an ``AESGCM`` object costs about as much as one small
    encryption, so encryptors keep one per key. Reading ``keyset._snapshot``
    is a single attribute load: rotation elsewhere is picked up on the next
    call without any lock.
    """

    __slots__ = ("_build", "_cache", "_keyset", "_primary", "_snapshot")

    def __init__(self, keyset: Keyset, build: Callable[[Key], P]) -> None:
        self._keyset = keyset
        self._build = build
        self._snapshot: _Snapshot | None = None
        self._cache: dict[int, P] = {}
        self._primary: tuple[int, P] | None = None

    def _current(self) -> _Snapshot:
        snap = self._keyset._snapshot  # noqa: SLF001 (same package; lock-free read)
        if snap is not self._snapshot:
            # Replace both together: a concurrent reader sees the old pair or the new one.
            self._cache = {}
            self._primary = None
            self._snapshot = snap
        return snap

    def get(self, key_id: int) -> P | None:
        """The primitive of the usable key *key_id*, or ``None`` if it cannot be used."""
        snap = self._current()
        prim = self._cache.get(key_id)
        if prim is None:
            key = snap.keys.get(key_id)
            if key is None or not key.usable:
                return None
            prim = self._cache[key_id] = self._build(key)
        return prim

    def primary(self) -> tuple[int, P]:
        """The primary key's id and primitive."""
        if self._keyset._snapshot is self._snapshot and self._primary is not None:  # noqa: SLF001
            return self._primary
        key_id = self._current().primary
        prim = self.get(key_id)
        if prim is None:  # pragma: no cover - the keyset validates its primary
            raise AssertionError("primary key is not usable")
        self._primary = (key_id, prim)
        return self._primary

    def all_usable(self) -> list[tuple[int, P]]:
        """Every usable key's id and primitive, the primary first."""
        primary_id, primary = self.primary()
        found = [(primary_id, primary)]
        for key in self._keyset.keys:
            prim = self.get(key.id) if key.id != primary_id else None
            if prim is not None:
                found.append((key.id, prim))
        return found

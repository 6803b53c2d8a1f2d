"""Blind indexes: keyed hashes for searching encrypted data by exact value."""

from __future__ import annotations

import secrets
import struct
import unicodedata
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final

from secpolicy.crypto._common import PrimitiveCache, require_bytes, require_kind
from secpolicy.crypto._keyset import Key, Keyset, KeyState
from secpolicy.crypto._primitives import HMAC_SHA256, HMAC_SM3, KEY_SIZES, Algorithm, mac
from secpolicy.exceptions import ArgumentTypeError, InvalidArgumentError, KeysetError

if TYPE_CHECKING:
    from collections.abc import Callable

_LEN = struct.Struct(">I")
#: The creation time recorded for a raw key, whose real one is unknown: no
#: clock is read for it.
_RAW_KEY_CREATED: Final = datetime(1970, 1, 1, tzinfo=UTC)


def _build(key: Key) -> Callable[[bytes], bytes]:
    algorithm, material = key.algorithm, key.material
    assert material is not None  # noqa: S101 (PrimitiveCache only builds usable keys)
    return lambda message: mac(algorithm, material, message)


def _keyset_from_raw(key: bytes, algorithm: Algorithm) -> Keyset:
    if algorithm not in (HMAC_SHA256, HMAC_SM3):
        raise KeysetError("algorithm must be HMAC-SHA256 or HMAC-SM3")
    if len(key) != KEY_SIZES[algorithm]:
        raise KeysetError(f"a raw blind-index key must be exactly {KEY_SIZES[algorithm]} bytes")
    key_id = secrets.randbelow(2**32 - 1) + 1
    only = Key(
        id=key_id,
        algorithm=algorithm,
        state=KeyState.ENABLED,
        created=_RAW_KEY_CREATED,
        material=key,
    )
    return Keyset([only], primary=key_id)


class BlindIndex:
    """Keyed HMAC of a value, stored beside its ciphertext to find it by exact match.

    Store ``index.compute(phone, context=b"customers.phone")`` in an indexed
    column next to the :class:`FieldEncryptor` token; to search, compute the
    index of the wanted value and look it up. Without the key, the index
    reveals nothing about the value beyond equality with other rows. The
    *context* is required: it separates columns, so the same phone number in
    two columns under one key gives unrelated indexes.

    .. warning::
        Like deterministic encryption, a blind index leaks which rows share a
        value: rows with equal values have equal indexes, so anyone who sees
        the column can count how often each value occurs. Low-entropy values
        (a gender, a birth year) can be recovered by anyone holding the key.
        At the default 16 bytes (128 bits) the index is exact: collisions
        between different values practically never happen, so truncation
        hides nothing. Only a short *length* (4 to 6 bytes, with well over
        2**(8*length) rows) makes distinct values share indexes, which blunts
        frequency analysis at the price of false positives that must be
        filtered after decrypting.

    Text is put in Unicode normalisation form C before it is encoded as
    UTF-8, so the two spellings of ``é`` (one code point, or ``e`` and a
    combining accent, as macOS file names and some keyboards write it) give
    one index; ASCII text is unchanged by this. Bytes are indexed exactly as
    given: normalise them yourself, and normalise whatever else your data
    needs (strip spaces from phone numbers, fold the case of e-mail
    addresses) the same way when storing and when searching.

    Args:
        key: A keyset of ``HMAC-SHA256`` or ``HMAC-SM3`` keys
            (``Keyset.generate("HMAC-SHA256")``), or 32 raw key bytes.
        length: Bytes of the HMAC to keep, 4 to 32 (default 16).
        algorithm: For raw key bytes only: ``"HMAC-SHA256"`` or ``"HMAC-SM3"``.

    Raises:
        KeysetError: For a keyset of the wrong kind or a raw key of the wrong size.
        KeysetError: For a *length* or *algorithm* out of range.

    .. versionchanged:: 0.2
       ``context`` is required in :meth:`compute` and :meth:`candidates`;
       text is NFC-normalised before indexing.
    """

    __slots__ = ("_cache", "length")

    def __init__(
        self, key: Keyset | bytes, *, length: int = 16, algorithm: Algorithm = HMAC_SHA256
    ) -> None:
        given: object = length  # checked at run time for untyped callers
        if isinstance(given, bool) or not isinstance(given, int) or not 4 <= given <= 32:  # noqa: PLR2004 (documented bounds)
            raise KeysetError("length must be between 4 and 32 bytes")
        if isinstance(key, bytes):
            key = _keyset_from_raw(key, algorithm)
        elif not isinstance(key, Keyset):
            raise ArgumentTypeError(f"key must be a Keyset or bytes, not {type(key).__name__}")
        require_kind(key, "mac", "BlindIndex")
        self.length = length
        self._cache: PrimitiveCache[Callable[[bytes], bytes]] = PrimitiveCache(key, _build)

    @staticmethod
    def _message(value: bytes | str, context: bytes) -> bytes:
        context = require_bytes(context, "context")
        if isinstance(value, str):
            if not value.isascii():
                # One index per text, however it is composed (NFC; ASCII unchanged).
                value = unicodedata.normalize("NFC", value)
            try:
                value = value.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidArgumentError("value is not valid Unicode text") from None
        elif not isinstance(value, bytes):
            raise ArgumentTypeError(f"value must be bytes or str, not {type(value).__name__}")
        # Length-prefix the context so (b"ab", b"c") and (b"a", b"bc") differ.
        return _LEN.pack(len(context)) + context + value

    def compute(self, value: bytes | str, *, context: bytes) -> str:
        """The hex index of *value* under the primary key.

        Args:
            value: The value: text is NFC-normalised and encoded as UTF-8;
                bytes are used as given.
            context: Separates columns: the same phone number indexed under
                ``b"customers.phone"`` and ``b"staff.phone"`` gives unrelated
                indexes.
        """
        digest = self._cache.primary()[1]
        return digest(self._message(value, context))[: self.length].hex()

    def candidates(self, value: bytes | str, *, context: bytes) -> tuple[str, ...]:
        """Indexes of *value* under every enabled key, primary first.

        During a key rotation, rows indexed under an older key still hold the
        older index; search with ``WHERE idx IN (...)`` over these.
        """
        message = self._message(value, context)
        return tuple(digest(message)[: self.length].hex() for _, digest in self._cache.all_usable())

    def __repr__(self) -> str:
        return f"BlindIndex(length={self.length})"

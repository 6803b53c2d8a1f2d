"""Deterministic encryption (AES-SIV) for columns that need equality lookup."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from secpolicy.crypto._common import (
    HEADER,
    TOKEN_VERSION,
    PrimitiveCache,
    decode_token,
    fail,
    require_bytes,
    require_kind,
)
from secpolicy.crypto._primitives import TAG_SIZE, InvalidTag, make_siv

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESSIV

    from secpolicy.crypto._keyset import Key, Keyset


def _build(key: Key) -> AESSIV:
    assert key.material is not None  # noqa: S101 (PrimitiveCache only builds usable keys)
    return make_siv(key.material)


class DeterministicEncryptor:
    """Encrypt values so that equal plaintexts give equal tokens (AES-256-SIV).

    Use it for a column you must look up by exact value (``WHERE id_no = ?``)
    and also need to decrypt. Prefer :class:`FieldEncryptor` plus a
    :class:`BlindIndex` when the lookup column need not be decryptable.

    .. warning::
        Deterministic encryption leaks equality: anyone who sees the tokens
        learns which rows hold the same value, how often each value occurs,
        and can confirm a guess if they can get a chosen value encrypted. The
        *context* limits this to values of the same context, so bind it to the
        column (``b"customers.id_number"``), not to the row, or lookups stop
        working. It is misuse-resistant: a repeated nonce cannot happen.

    Plaintexts are bytes and compared exactly: encode text the same way when
    storing and when looking up, normalised first
    (``unicodedata.normalize("NFC", text).encode()``), or the two spellings of
    ``é`` (composed, or ``e`` and a combining accent) give two tokens.
    :class:`BlindIndex` does this for text itself.

    Args:
        keyset: A keyset of ``AES-SIV`` keys (``Keyset.generate("AES-SIV")``).

    Raises:
        KeysetError: If *keyset* holds keys of another kind.
    """

    __slots__ = ("_cache", "keyset")

    def __init__(self, keyset: Keyset) -> None:
        require_kind(keyset, "deterministic", "DeterministicEncryptor")
        self.keyset = keyset
        self._cache: PrimitiveCache[AESSIV] = PrimitiveCache(keyset, _build)

    def _seal(self, key_id: int, siv: AESSIV, plaintext: bytes, context: bytes) -> str:
        header = HEADER.pack(TOKEN_VERSION, key_id)
        sealed = siv.encrypt(plaintext, [header, context])
        return base64.urlsafe_b64encode(header + sealed).rstrip(b"=").decode("ascii")

    def encrypt(self, plaintext: bytes, *, context: bytes) -> str:
        """Encrypt *plaintext* under the primary key; the same input gives the same token."""
        plaintext = require_bytes(plaintext, "plaintext")
        context = require_bytes(context, "context")
        key_id, siv = self._cache.primary()
        return self._seal(key_id, siv, plaintext, context)

    def lookup_tokens(self, plaintext: bytes, *, context: bytes) -> tuple[str, ...]:
        """Tokens of *plaintext* under every enabled key, primary first.

        During a rotation, rows encrypted under older keys still hold older
        tokens; query with ``WHERE col IN (...)`` over these.
        """
        plaintext = require_bytes(plaintext, "plaintext")
        context = require_bytes(context, "context")
        return tuple(
            self._seal(key_id, siv, plaintext, context) for key_id, siv in self._cache.all_usable()
        )

    def decrypt(self, token: str | bytes, *, context: bytes) -> bytes:
        """Authenticate and decrypt *token*.

        Raises:
            DecryptionError: For every failure, without saying which.
        """
        context = require_bytes(context, "context")
        raw = decode_token(token)
        if len(raw) < HEADER.size + TAG_SIZE:
            raise fail()
        version, key_id = HEADER.unpack_from(raw)
        siv = self._cache.get(key_id) if version == TOKEN_VERSION else None
        if siv is None:
            raise fail()
        try:
            return siv.decrypt(raw[HEADER.size :], [raw[: HEADER.size], context])
        except InvalidTag:
            raise fail() from None

    def __repr__(self) -> str:
        return f"DeterministicEncryptor({self.keyset!r})"

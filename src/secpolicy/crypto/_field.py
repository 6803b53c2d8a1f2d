"""AEAD field encryption with context binding and key rotation."""

from __future__ import annotations

import base64
import os
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
from secpolicy.crypto._primitives import NONCE_SIZE, TAG_SIZE, Aead, InvalidTag, make_aead

if TYPE_CHECKING:
    from secpolicy.crypto._keyset import Key, Keyset

_MIN_TOKEN = HEADER.size + NONCE_SIZE + TAG_SIZE


def _build(key: Key) -> Aead:
    assert key.material is not None  # noqa: S101 (PrimitiveCache only builds usable keys)
    return make_aead(key.algorithm, key.material)


class FieldEncryptor:
    """Encrypt single values (database fields) with AES-256-GCM or SM4-GCM.

    Each call draws a fresh random 96-bit nonce. The *context* is bound to the
    ciphertext as associated data: name the table, column and row
    (``b"customers.phone:42"``) and a value copied into another row or column
    fails to decrypt. Tokens are URL-safe text carrying a format version and
    the id of the key that made them, so they still decrypt after
    :meth:`Keyset.rotate` as long as that key is enabled.

    Args:
        keyset: A keyset of ``aead`` keys (``Keyset.generate()`` or
            ``Keyset.generate("SM4-GCM")``). Later rotations of the same
            keyset take effect on the next call.

    Raises:
        KeysetError: If *keyset* holds keys of another kind.

    Example:
        >>> from secpolicy.crypto import FieldEncryptor, Keyset
        >>> fe = FieldEncryptor(Keyset.generate())
        >>> token = fe.encrypt(b"13812345678", context=b"customers.phone:42")
        >>> fe.decrypt(token, context=b"customers.phone:42")
        b'13812345678'
    """

    __slots__ = ("_cache", "keyset")

    def __init__(self, keyset: Keyset) -> None:
        require_kind(keyset, "aead", "FieldEncryptor")
        self.keyset = keyset
        self._cache: PrimitiveCache[Aead] = PrimitiveCache(keyset, _build)

    def encrypt(self, plaintext: bytes, *, context: bytes) -> str:
        """Encrypt *plaintext* under the primary key, bound to *context*.

        Args:
            plaintext: The value to protect.
            context: Where the value lives, e.g. ``b"customers.phone:42"``;
                decryption needs the same bytes. Pass ``b""`` explicitly to
                bind nothing.

        Returns:
            A URL-safe token (base64url without padding).
        """
        if plaintext.__class__ is not bytes:
            plaintext = require_bytes(plaintext, "plaintext")
        if context.__class__ is not bytes:
            context = require_bytes(context, "context")
        key_id, aead = self._cache.primary()
        header = HEADER.pack(TOKEN_VERSION, key_id)
        nonce = os.urandom(NONCE_SIZE)
        sealed = aead.encrypt(nonce, plaintext, header + context)
        return base64.urlsafe_b64encode(header + nonce + sealed).rstrip(b"=").decode("ascii")

    def decrypt(self, token: str | bytes, *, context: bytes) -> bytes:
        """Authenticate and decrypt *token* made with the same *context*.

        Only the key named in the token is tried.

        Raises:
            DecryptionError: For every failure: malformed or tampered token,
                unknown, disabled or destroyed key, wrong context. The error
                does not say which.
        """
        if context.__class__ is not bytes:
            context = require_bytes(context, "context")
        raw = decode_token(token)
        if len(raw) < _MIN_TOKEN:
            raise fail()
        version, key_id = HEADER.unpack_from(raw)
        aead = self._cache.get(key_id) if version == TOKEN_VERSION else None
        if aead is None:
            raise fail()
        header_end = HEADER.size
        nonce_end = header_end + NONCE_SIZE
        try:
            return aead.decrypt(
                raw[header_end:nonce_end], raw[nonce_end:], raw[:header_end] + context
            )
        except InvalidTag:
            raise fail() from None

    def reencrypt(self, token: str | bytes, *, context: bytes) -> str:
        """Move *token* to the current primary key (for rotation sweeps).

        The token is decrypted (and so authenticated) first. A token already
        under the primary key is returned unchanged, so a sweep can skip the
        write when ``new == old``.

        Raises:
            DecryptionError: If *token* does not decrypt.
        """
        plaintext = self.decrypt(token, context=context)
        if self.key_id(token) == self.keyset.primary_id:
            return token if isinstance(token, str) else token.decode("ascii")
        return self.encrypt(plaintext, context=context)

    def key_id(self, token: str | bytes) -> int:
        """The id of the key that made *token*, read without decrypting.

        Use it to measure rotation progress. It is not authenticated until
        :meth:`decrypt` succeeds.

        Raises:
            DecryptionError: If *token* is malformed.
        """
        raw = decode_token(token)
        if len(raw) < _MIN_TOKEN or raw[0] != TOKEN_VERSION:
            raise fail()
        return int(HEADER.unpack_from(raw)[1])

    def __repr__(self) -> str:
        return f"FieldEncryptor({self.keyset!r})"

"""Algorithms, key sizes and thin wrappers over pyca/cryptography primitives."""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import Final, Literal, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, AESSIV

from secpolicy.exceptions import InvalidArgumentError

Algorithm = Literal["AES-256-GCM", "SM4-GCM", "AES-SIV", "HMAC-SHA256", "HMAC-SM3"]
Kind = Literal["aead", "deterministic", "mac"]

AES_256_GCM: Final = "AES-256-GCM"
SM4_GCM: Final = "SM4-GCM"
AES_SIV: Final = "AES-SIV"
HMAC_SHA256: Final = "HMAC-SHA256"
HMAC_SM3: Final = "HMAC-SM3"

#: Key length in bytes for each algorithm. AES-SIV takes two AES-256 keys.
KEY_SIZES: Final[dict[str, int]] = {
    AES_256_GCM: 32,
    SM4_GCM: 16,
    AES_SIV: 64,
    HMAC_SHA256: 32,
    HMAC_SM3: 32,
}

KINDS: Final[dict[str, Kind]] = {
    AES_256_GCM: "aead",
    SM4_GCM: "aead",
    AES_SIV: "deterministic",
    HMAC_SHA256: "mac",
    HMAC_SM3: "mac",
}

NONCE_SIZE: Final = 12
TAG_SIZE: Final = 16


class Aead(Protocol):
    """The shape of an AEAD primitive: ciphertext is the encrypted data plus tag."""

    def encrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes: ...

    def decrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes: ...


class Sm4Gcm:
    """SM4 in GCM mode with a 16-byte tag appended, shaped like ``AESGCM``.

    pyca/cryptography has no one-shot SM4-GCM class, so this wraps the
    ``Cipher`` interface. Decryption raises ``InvalidTag`` like ``AESGCM``.
    """

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        self._key = algorithms.SM4(key)

    def encrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes:
        """Encrypt *data* and return ciphertext followed by the tag."""
        encryptor = Cipher(self._key, modes.GCM(nonce)).encryptor()
        if associated_data:
            encryptor.authenticate_additional_data(associated_data)
        out = encryptor.update(data) + encryptor.finalize()
        return out + encryptor.tag

    def decrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes:
        """Authenticate and decrypt ciphertext-plus-tag; raise ``InvalidTag`` on failure."""
        if len(data) < TAG_SIZE:
            raise InvalidTag
        body, tag = data[:-TAG_SIZE], data[-TAG_SIZE:]
        decryptor = Cipher(self._key, modes.GCM(nonce, tag)).decryptor()
        if associated_data:
            decryptor.authenticate_additional_data(associated_data)
        return decryptor.update(body) + decryptor.finalize()


def make_aead(algorithm: str, key: bytes) -> Aead:
    """Build the AEAD primitive for an ``aead``-kind algorithm."""
    if algorithm == AES_256_GCM:
        return AESGCM(key)
    if algorithm == SM4_GCM:
        return Sm4Gcm(key)
    raise AssertionError(f"not an AEAD algorithm: {algorithm}")


def make_siv(key: bytes) -> AESSIV:
    """Build the AES-SIV primitive (AES-256-SIV with a 64-byte key)."""
    return AESSIV(key)


def mac(algorithm: str, key: bytes, message: bytes) -> bytes:
    """Compute HMAC-SHA256 or HMAC-SM3 of *message*."""
    if algorithm == HMAC_SHA256:
        return hmac.digest(key, message, "sha256")
    h = crypto_hmac.HMAC(key, hashes.SM3())
    h.update(message)
    return h.finalize()


def b64encode(data: bytes) -> str:
    """URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64decode(text: str | bytes) -> bytes:
    """Strict inverse of :func:`b64encode`; raises ``ValueError`` on any other input.

    Only the canonical encoding is accepted: the URL-safe alphabet (no ``+``
    or ``/``), no ``=`` padding, no white space, and a final character whose
    unused bits are zero. So each byte string has exactly one accepted text,
    and a token cannot be altered in its text while still decrypting.
    """
    raw = text.encode("ascii", "replace") if isinstance(text, str) else bytes(text)
    if len(raw) % 4 == 1:
        raise InvalidArgumentError("impossible base64 length")
    if raw.translate(None, _URLSAFE):
        raise InvalidArgumentError("not base64url (only A-Z, a-z, 0-9, - and _)")
    partial = len(raw) % 4
    if partial and _URLSAFE.index(raw[-1]) & _UNUSED_BITS[partial]:
        raise InvalidArgumentError("non-canonical base64 (unused bits set in the last character)")
    try:
        return base64.urlsafe_b64decode(raw + b"=" * (-len(raw) % 4))
    except binascii.Error:  # pragma: no cover - the alphabet and length are checked above
        raise InvalidArgumentError("malformed base64") from None


_URLSAFE: Final = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# A final group of 2 characters carries 8 bits of 12 (4 unused), of 3 carries 16 of 18.
_UNUSED_BITS: Final = {2: 0b1111, 3: 0b11}


__all__ = [
    "AES_256_GCM",
    "AES_SIV",
    "HMAC_SHA256",
    "HMAC_SM3",
    "KEY_SIZES",
    "KINDS",
    "NONCE_SIZE",
    "SM4_GCM",
    "TAG_SIZE",
    "Aead",
    "Algorithm",
    "InvalidTag",
    "Kind",
    "Sm4Gcm",
    "b64decode",
    "b64encode",
    "mac",
    "make_aead",
    "make_siv",
]

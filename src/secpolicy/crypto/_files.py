"""Streaming file encryption in authenticated segments (a STREAM construction).

Layout of an encrypted file::

    header   magic "SPF" | version 1 | key id (4) | segment size (4) | salt (32) | nonce prefix (7)
    segment  AEAD(plaintext[i * size : (i + 1) * size]) with a 16-byte tag, repeated

Each file gets its own key, derived with HKDF-SHA256 from the keyset key, the
random salt, the whole header and the caller's context, so nonces never repeat
across files. Segment *i* is sealed with the nonce ``prefix | i (4 bytes) |
last (1 byte)``: moving, dropping or duplicating a segment changes the nonce it
is opened with, a file cut at a segment boundary ends in a segment not marked
last, and bytes appended after the last segment are left over. All of these
fail authentication.
"""

from __future__ import annotations

import secrets
import struct
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from secpolicy._fs import StrPath, atomic_output
from secpolicy.crypto._common import fail, require_bytes, require_kind
from secpolicy.crypto._primitives import KEY_SIZES, TAG_SIZE, Aead, InvalidTag, make_aead
from secpolicy.exceptions import PolicyConfigError

if TYPE_CHECKING:
    from secpolicy.crypto._keyset import Keyset

MAGIC: Final = b"SPF"
VERSION: Final = 1
_HEADER = struct.Struct(">3sBII32s7s")  # magic, version, key id, segment size, salt, prefix
_NONCE_TAIL = struct.Struct(">IB")
_INFO: Final = b"secpolicy.file.v1"
MIN_SEGMENT: Final = 4096
MAX_SEGMENT: Final = 16 * 1024 * 1024
DEFAULT_SEGMENT: Final = 1024 * 1024
_MAX_SEGMENTS: Final = 2**32 - 1


def _read_full(src: IO[bytes], size: int) -> bytes:
    """Read up to *size* bytes, looping over short reads; fewer only at end of stream."""
    chunk = src.read(size)
    if len(chunk) == size or not chunk:
        return chunk
    parts = [chunk]
    have = len(chunk)
    while have < size:
        more = src.read(size - have)
        if not more:
            break
        parts.append(more)
        have += len(more)
    return b"".join(parts)


def _file_aead(algorithm: str, material: bytes, header: bytes, context: bytes) -> Aead:
    salt = header[12:44]
    derived = HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_SIZES[algorithm],
        salt=salt,
        info=_INFO + header + context,
    ).derive(material)
    return make_aead(algorithm, derived)


def _nonce(prefix: bytes, index: int, *, last: bool) -> bytes:
    if index > _MAX_SEGMENTS:
        raise PolicyConfigError("file too large for its segment size", field="segment_size")
    return prefix + _NONCE_TAIL.pack(index, 1 if last else 0)


class FileEncryptor:
    """Encrypt files and streams of any size in authenticated segments.

    Memory use is about two segments whatever the file size. Reordering,
    truncating, appending to or editing an encrypted file makes decryption fail.

    Args:
        keyset: A keyset of ``aead`` keys (AES-256-GCM or SM4-GCM).
        segment_size: Plaintext bytes per segment (4 KiB to 16 MiB, default
            1 MiB). Larger segments are faster; each costs that much memory.

    Raises:
        KeysetError: If *keyset* holds keys of another kind.
        PolicyConfigError: If *segment_size* is not an int or out of range.
    """

    __slots__ = ("keyset", "segment_size")

    def __init__(self, keyset: Keyset, *, segment_size: int = DEFAULT_SEGMENT) -> None:
        require_kind(keyset, "aead", "FileEncryptor")
        given: object = segment_size  # checked at run time for untyped callers
        if isinstance(given, bool) or not isinstance(given, int):
            raise PolicyConfigError(
                f"must be an int, not {type(given).__name__}", field="segment_size"
            )
        if not MIN_SEGMENT <= segment_size <= MAX_SEGMENT:
            raise PolicyConfigError(
                f"must be between {MIN_SEGMENT} and {MAX_SEGMENT}", field="segment_size"
            )
        self.keyset = keyset
        self.segment_size = segment_size

    def encrypt_stream(self, src: IO[bytes], dst: IO[bytes], *, context: bytes) -> int:
        """Encrypt everything readable from *src* into *dst*.

        Args:
            src: A binary stream to read plaintext from.
            dst: A binary stream to write the encrypted file to.
            context: Bound to the file (e.g. ``b"exports/2024-10.csv"``);
                decryption needs the same bytes.

        Returns:
            The number of plaintext bytes encrypted.
        """
        context = require_bytes(context, "context")
        key = self.keyset.primary
        assert key.material is not None  # noqa: S101 (the primary is always usable)
        header = _HEADER.pack(
            MAGIC,
            VERSION,
            key.id,
            self.segment_size,
            secrets.token_bytes(32),
            secrets.token_bytes(7),
        )
        aead = _file_aead(key.algorithm, key.material, header, context)
        prefix = header[-7:]
        dst.write(header)
        total = 0
        index = 0
        current = _read_full(src, self.segment_size)
        while True:
            following = _read_full(src, self.segment_size)
            last = not following
            dst.write(aead.encrypt(_nonce(prefix, index, last=last), current, None))
            total += len(current)
            if last:
                return total
            current = following
            index += 1

    def decrypt_stream(self, src: IO[bytes], dst: IO[bytes], *, context: bytes) -> int:
        """Decrypt an encrypted file from *src* into *dst*.

        Every segment is authenticated before it is written, but a truncated
        file is only detected at its end. *dst* may therefore have received a
        prefix of the plaintext when ``DecryptionError`` is raised: treat it as
        invalid. :meth:`decrypt_file` never leaves such a prefix behind.

        Returns:
            The number of plaintext bytes written.

        Raises:
            DecryptionError: For a malformed, tampered, truncated or extended
                file, a wrong context, or a key the keyset cannot use.
        """
        context = require_bytes(context, "context")
        header = _read_full(src, _HEADER.size)
        if len(header) != _HEADER.size:
            raise fail()
        magic, version, key_id, segment_size, _salt, prefix = _HEADER.unpack(header)
        if magic != MAGIC or version != VERSION or not MIN_SEGMENT <= segment_size <= MAX_SEGMENT:
            raise fail()
        key = next((k for k in self.keyset.keys if k.id == key_id), None)
        if key is None or not key.usable or key.kind != "aead":
            raise fail()
        assert key.material is not None  # noqa: S101 (usable keys have material)
        aead = _file_aead(key.algorithm, key.material, header, context)
        sealed_size = segment_size + TAG_SIZE
        total = 0
        index = 0
        current = _read_full(src, sealed_size)
        while True:
            following = _read_full(src, sealed_size)
            last = not following
            try:
                plain = aead.decrypt(_nonce(prefix, index, last=last), current, None)
            except (InvalidTag, ValueError):
                raise fail() from None
            dst.write(plain)
            total += len(plain)
            if last:
                return total
            current = following
            index += 1

    def encrypt_file(self, src: StrPath, dst: StrPath, *, context: bytes) -> int:
        """Encrypt the file *src* into *dst*, atomically.

        *dst* appears only once it is complete and synced to disk; on any error
        no file is left at *dst*.

        Returns:
            The number of plaintext bytes encrypted.
        """
        _refuse_same_file(src, dst)
        with Path(src).open("rb") as plain, atomic_output(dst) as out:
            return self.encrypt_stream(plain, out, context=context)

    def decrypt_file(self, src: StrPath, dst: StrPath, *, context: bytes) -> int:
        """Decrypt the file *src* into *dst*, atomically.

        The plaintext is written to a temporary file and renamed to *dst* only
        after the whole file authenticated, so a tampered or truncated file
        never leaves a partial plaintext that looks complete.

        Raises:
            DecryptionError: If the file does not authenticate.
        """
        _refuse_same_file(src, dst)
        with Path(src).open("rb") as sealed, atomic_output(dst) as out:
            return self.decrypt_stream(sealed, out, context=context)

    def __repr__(self) -> str:
        return f"FileEncryptor({self.keyset!r}, segment_size={self.segment_size})"


def _refuse_same_file(src: StrPath, dst: StrPath) -> None:
    if Path(src).resolve() == Path(dst).resolve():
        raise PolicyConfigError("source and destination must be different files", field="dst")

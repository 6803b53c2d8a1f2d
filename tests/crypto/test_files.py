"""FileEncryptor: segmented streaming encryption of files."""

from __future__ import annotations

import io
import random
import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secpolicy.crypto import DecryptionError, FileEncryptor, Keyset, KeysetError
from secpolicy.crypto._files import _HEADER, _nonce, _read_full
from secpolicy.exceptions import PolicyConfigError

SEG = 4096
SEALED = SEG + 16
HEAD = _HEADER.size


def _encrypt(fe: FileEncryptor, data: bytes, context: bytes = b"") -> bytes:
    out = io.BytesIO()
    fe.encrypt_stream(io.BytesIO(data), out, context=context)
    return out.getvalue()


def _decrypt(fe: FileEncryptor, blob: bytes, context: bytes = b"") -> bytes:
    out = io.BytesIO()
    fe.decrypt_stream(io.BytesIO(blob), out, context=context)
    return out.getvalue()


def _segments(blob: bytes) -> tuple[bytes, list[bytes]]:
    body = blob[HEAD:]
    return blob[:HEAD], [body[i : i + SEALED] for i in range(0, len(body), SEALED)]


@pytest.fixture
def fe(aead_keyset: Keyset) -> FileEncryptor:
    """A file encryptor with the smallest segments, so tests stay small."""
    return FileEncryptor(aead_keyset, segment_size=SEG)


DATA = random.Random(5).randbytes(3 * SEG + 100)


class TestRoundTrip:
    @pytest.mark.parametrize("size", [0, 1, SEG - 1, SEG, SEG + 1, 2 * SEG, 3 * SEG + 100])
    def test_sizes(self, fe: FileEncryptor, size: int) -> None:
        """Empty, partial, exact and multi-segment inputs round-trip."""
        data = DATA[:size]
        blob = _encrypt(fe, data)
        n_segments = max(1, -(-size // SEG)) if size % SEG or size == 0 else size // SEG
        assert len(blob) == HEAD + size + 16 * n_segments
        assert _decrypt(fe, blob) == data

    @settings(max_examples=25, deadline=None)
    @given(data=st.binary(max_size=3 * SEG), context=st.binary(max_size=16))
    def test_property(self, data: bytes, context: bytes) -> None:
        """Any bytes under any context round-trip."""
        fe = FileEncryptor(_SHARED, segment_size=SEG)
        assert _decrypt(fe, _encrypt(fe, data, context), context) == data

    def test_returns_plaintext_size(self, fe: FileEncryptor) -> None:
        """Both directions report the plaintext byte count."""
        out = io.BytesIO()
        assert fe.encrypt_stream(io.BytesIO(DATA), out, context=b"f") == len(DATA)
        assert fe.decrypt_stream(io.BytesIO(out.getvalue()), io.BytesIO(), context=b"f") == len(
            DATA
        )

    def test_after_rotation(self, aead_keyset: Keyset) -> None:
        """Files made under an older enabled key still decrypt."""
        fe = FileEncryptor(aead_keyset, segment_size=SEG)
        blob = _encrypt(fe, DATA)
        aead_keyset.rotate()
        assert _decrypt(fe, blob) == DATA
        aead_keyset.destroy(aead_keyset.keys[0].id)
        with pytest.raises(DecryptionError):
            _decrypt(fe, blob)

    def test_short_reads(self, fe: FileEncryptor) -> None:
        """Streams that return a few bytes per read still work."""

        class Trickle(io.RawIOBase):
            def __init__(self, data: bytes) -> None:
                self._data = io.BytesIO(data)

            def readable(self) -> bool:
                return True

            def read(self, size: int = -1) -> bytes:
                return self._data.read(min(size, 7) if size >= 0 else 7)

        blob = _encrypt(fe, DATA)
        out = io.BytesIO()
        fe.decrypt_stream(Trickle(blob), out, context=b"")  # type: ignore[arg-type]
        assert out.getvalue() == DATA
        assert _read_full(Trickle(b"abc"), 10) == b"abc"  # type: ignore[arg-type]


_SHARED = Keyset.generate()


class TestTampering:
    def test_every_byte_flip_fails(self) -> None:
        """Flipping any byte of a small encrypted file makes it fail."""
        fe = FileEncryptor(Keyset.generate(), segment_size=SEG)
        blob = _encrypt(fe, DATA[: SEG + 50])
        for i in range(len(blob)):
            bad = bytearray(blob)
            bad[i] ^= 0x01
            with pytest.raises(DecryptionError):
                _decrypt(fe, bytes(bad))

    def test_reordered_segments(self, fe: FileEncryptor) -> None:
        """Swapping two segments is detected."""
        head, segs = _segments(_encrypt(fe, DATA))
        segs[0], segs[1] = segs[1], segs[0]
        with pytest.raises(DecryptionError):
            _decrypt(fe, head + b"".join(segs))

    def test_duplicated_segment(self, fe: FileEncryptor) -> None:
        """Repeating a segment is detected."""
        head, segs = _segments(_encrypt(fe, DATA))
        with pytest.raises(DecryptionError):
            _decrypt(fe, head + b"".join([segs[0], *segs]))

    @pytest.mark.parametrize("keep", [0, 1, 2, 3])
    def test_truncated_at_segment_boundary(self, fe: FileEncryptor, keep: int) -> None:
        """Dropping whole trailing segments is detected."""
        head, segs = _segments(_encrypt(fe, DATA))
        with pytest.raises(DecryptionError):
            _decrypt(fe, head + b"".join(segs[:keep]))

    @pytest.mark.parametrize("cut", [1, 15, 16, 17, 100])
    def test_truncated_mid_segment(self, fe: FileEncryptor, cut: int) -> None:
        """Cutting bytes off the end is detected."""
        with pytest.raises(DecryptionError):
            _decrypt(fe, _encrypt(fe, DATA)[:-cut])

    @pytest.mark.parametrize("extra", [b"\x00", b"x" * 16, b"y" * SEALED])
    def test_appended(self, fe: FileEncryptor, extra: bytes) -> None:
        """Appending anything after the last segment is detected."""
        with pytest.raises(DecryptionError):
            _decrypt(fe, _encrypt(fe, DATA) + extra)

    def test_appended_segment_from_other_file(self, fe: FileEncryptor) -> None:
        """A segment spliced in from another file is detected."""
        head, segs = _segments(_encrypt(fe, DATA))
        _, other = _segments(_encrypt(fe, DATA))
        with pytest.raises(DecryptionError):
            _decrypt(fe, head + b"".join([*segs[:-1], other[-1]]))

    def test_wrong_context(self, fe: FileEncryptor) -> None:
        """A file made for one context does not decrypt under another."""
        with pytest.raises(DecryptionError):
            _decrypt(fe, _encrypt(fe, DATA, b"a.csv"), b"b.csv")

    @pytest.mark.parametrize(
        "blob",
        [
            b"",
            b"SPF",
            b"XYZ" + bytes(HEAD - 3),
            _HEADER.pack(b"SPF", 2, 1, SEG, bytes(32), bytes(7)),
            _HEADER.pack(b"SPF", 1, 1, 10, bytes(32), bytes(7)),
        ],
    )
    def test_malformed_header(self, fe: FileEncryptor, blob: bytes) -> None:
        """Short or invalid headers fail."""
        with pytest.raises(DecryptionError):
            _decrypt(fe, blob)

    def test_unknown_key(self, fe: FileEncryptor) -> None:
        """A file from another keyset fails."""
        blob = _encrypt(FileEncryptor(Keyset.generate(), segment_size=SEG), DATA)
        with pytest.raises(DecryptionError):
            _decrypt(fe, blob)

    def test_header_key_id_is_bound(self, fe: FileEncryptor) -> None:
        """Changing the segment size in the header is detected."""
        blob = bytearray(_encrypt(fe, DATA))
        struct.pack_into(">I", blob, 8, SEG * 2)
        with pytest.raises(DecryptionError):
            _decrypt(fe, bytes(blob))


class TestFiles:
    def test_file_round_trip(self, fe: FileEncryptor, tmp_path: Path) -> None:
        """encrypt_file and decrypt_file round-trip through the disk."""
        src, enc, dec = tmp_path / "a.csv", tmp_path / "a.csv.spf", tmp_path / "b.csv"
        src.write_bytes(DATA)
        assert fe.encrypt_file(src, enc, context=b"a.csv") == len(DATA)
        assert fe.decrypt_file(enc, dec, context=b"a.csv") == len(DATA)
        assert dec.read_bytes() == DATA
        assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "a.csv.spf", "b.csv"]

    def test_failed_decrypt_leaves_nothing(self, fe: FileEncryptor, tmp_path: Path) -> None:
        """A truncated file leaves no plaintext and no temporary file behind."""
        src, enc, dec = tmp_path / "a", tmp_path / "a.spf", tmp_path / "out"
        src.write_bytes(DATA)
        fe.encrypt_file(src, enc, context=b"")
        enc.write_bytes(enc.read_bytes()[:-SEALED])
        with pytest.raises(DecryptionError):
            fe.decrypt_file(enc, dec, context=b"")
        assert not dec.exists()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "a.spf"]

    def test_failed_decrypt_keeps_existing_target(self, fe: FileEncryptor, tmp_path: Path) -> None:
        """A failed decryption does not overwrite an existing destination."""
        src, enc, dec = tmp_path / "a", tmp_path / "a.spf", tmp_path / "out"
        src.write_bytes(DATA)
        fe.encrypt_file(src, enc, context=b"")
        dec.write_bytes(b"previous")
        with pytest.raises(DecryptionError):
            fe.decrypt_file(enc, dec, context=b"wrong")
        assert dec.read_bytes() == b"previous"

    def test_same_file_refused(self, fe: FileEncryptor, tmp_path: Path) -> None:
        """Encrypting a file onto itself is refused before anything is written."""
        src = tmp_path / "a"
        src.write_bytes(DATA)
        with pytest.raises(ValueError, match="different files"):
            fe.encrypt_file(src, src, context=b"")
        assert src.read_bytes() == DATA


class TestLimits:
    def test_segment_counter_cannot_wrap(self) -> None:
        """Past 2**32 - 1 segments the nonce counter would wrap; it refuses instead."""
        assert len(_nonce(bytes(7), 2**32 - 1, last=True)) == 12
        with pytest.raises(ValueError, match="too large"):
            _nonce(bytes(7), 2**32, last=False)


class TestConfig:
    @pytest.mark.parametrize("size", [100, 2**25])
    def test_segment_bounds(self, size: int) -> None:
        """Segment sizes outside 4 KiB..16 MiB are refused."""
        with pytest.raises(ValueError, match="segment_size"):
            FileEncryptor(Keyset.generate(), segment_size=size)

    @pytest.mark.parametrize("size", [8192.0, "8192", None, True])
    def test_segment_size_must_be_an_int(self, size: object) -> None:
        """A float, text or bool segment size is a PolicyConfigError, not a struct error later."""
        with pytest.raises(PolicyConfigError, match="segment_size"):
            FileEncryptor(Keyset.generate(), segment_size=size)  # type: ignore[arg-type]

    def test_wrong_kind(self) -> None:
        """Only AEAD keysets encrypt files."""
        with pytest.raises(KeysetError):
            FileEncryptor(Keyset.generate("AES-SIV"))

    def test_repr(self) -> None:
        """The repr shows the segment size and no key bytes."""
        assert "segment_size=1048576" in repr(FileEncryptor(Keyset.generate()))


class TestContextRequired:
    def test_every_entry_point_needs_a_context(self, fe: FileEncryptor, tmp_path: Path) -> None:
        """Streams and files have no default context, as FieldEncryptor has none."""
        src = tmp_path / "plain.txt"
        src.write_bytes(b"data")
        with pytest.raises(TypeError):
            fe.encrypt_stream(io.BytesIO(b"x"), io.BytesIO())  # type: ignore[call-arg]
        with pytest.raises(TypeError):
            fe.decrypt_stream(io.BytesIO(b"x"), io.BytesIO())  # type: ignore[call-arg]
        with pytest.raises(TypeError):
            fe.encrypt_file(src, tmp_path / "enc")  # type: ignore[call-arg]
        with pytest.raises(TypeError):
            fe.decrypt_file(src, tmp_path / "dec")  # type: ignore[call-arg]

    def test_context_separates_files(self, fe: FileEncryptor) -> None:
        """A file encrypted for one context does not decrypt under another."""
        out = io.BytesIO()
        fe.encrypt_stream(io.BytesIO(b"rows"), out, context=b"exports/2026-01.csv")
        with pytest.raises(DecryptionError):
            fe.decrypt_stream(io.BytesIO(out.getvalue()), io.BytesIO(), context=b"exports/x.csv")

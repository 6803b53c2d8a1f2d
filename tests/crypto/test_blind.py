"""BlindIndex: keyed HMAC indexes for exact-match search."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from secpolicy.crypto import BlindIndex, Keyset, KeysetError
from secpolicy.exceptions import InvalidArgumentError


class TestBlindIndex:
    def test_stable_and_keyed(self) -> None:
        """The same value gives the same index; another key gives another."""
        key = b"k" * 32
        assert BlindIndex(key).compute("138", context=b"t") == BlindIndex(key).compute(
            "138", context=b"t"
        )
        assert BlindIndex(key).compute("138", context=b"t") != BlindIndex(b"j" * 32).compute(
            "138", context=b"t"
        )

    def test_known_value(self) -> None:
        """The index is the truncated HMAC-SHA256 of the length-prefixed context and value."""
        key = b"k" * 32
        expected = hmac.digest(key, b"\x00\x00\x00\x02ab" + b"v", hashlib.sha256)[:16].hex()
        assert BlindIndex(key).compute("v", context=b"ab") == expected

    def test_context_is_unambiguous(self) -> None:
        """Context and value boundaries cannot be shifted to collide."""
        bi = BlindIndex(b"k" * 32)
        assert bi.compute(b"c", context=b"ab") != bi.compute(b"bc", context=b"a")

    @pytest.mark.parametrize("length", [4, 8, 32])
    def test_truncation(self, length: int) -> None:
        """length sets the number of bytes kept (hex doubles it)."""
        assert len(BlindIndex(b"k" * 32, length=length).compute("x", context=b"t")) == 2 * length

    @pytest.mark.parametrize("length", [3, 33])
    def test_length_bounds(self, length: int) -> None:
        """Lengths outside 4..32 are refused."""
        with pytest.raises(ValueError, match="between 4 and 32"):
            BlindIndex(b"k" * 32, length=length)

    def test_sm3(self) -> None:
        """HMAC-SM3 is available for commercial-cryptography requirements."""
        sha = BlindIndex(b"k" * 32).compute("x", context=b"t")
        sm3 = BlindIndex(b"k" * 32, algorithm="HMAC-SM3").compute("x", context=b"t")
        assert sha != sm3
        assert len(sm3) == 32

    def test_keyset_and_rotation(self) -> None:
        """With a keyset, candidates() covers every enabled key, primary first."""
        ks = Keyset.generate("HMAC-SHA256")
        bi = BlindIndex(ks)
        old = bi.compute("13812345678", context=b"phone")
        ks.rotate()
        new = bi.compute("13812345678", context=b"phone")
        assert bi.candidates("13812345678", context=b"phone") == (new, old)
        ks.disable(ks.keys[0].id)
        assert bi.candidates("13812345678", context=b"phone") == (new,)

    def test_raw_key_candidates(self) -> None:
        """A raw key has one candidate, the index itself."""
        bi = BlindIndex(b"k" * 32)
        assert bi.candidates("x", context=b"t") == (bi.compute("x", context=b"t"),)

    def test_text_is_utf8(self) -> None:
        """Text is indexed as its UTF-8 bytes."""
        bi = BlindIndex(b"k" * 32)
        assert bi.compute("张三", context=b"t") == bi.compute("张三".encode(), context=b"t")

    def test_errors(self) -> None:
        """Wrong key sizes, kinds, algorithms and value types are refused."""
        with pytest.raises(KeysetError, match="exactly 32"):
            BlindIndex(b"short")
        with pytest.raises(KeysetError, match="mac"):
            BlindIndex(Keyset.generate())
        with pytest.raises(ValueError, match="HMAC"):
            BlindIndex(b"k" * 32, algorithm="AES-SIV")
        with pytest.raises(TypeError, match="Keyset or bytes"):
            BlindIndex("k" * 32)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="value"):
            BlindIndex(b"k" * 32).compute(5, context=b"t")  # type: ignore[arg-type]

    def test_repr_hides_key(self) -> None:
        """The key never appears in the repr."""
        assert "kkkk" not in repr(BlindIndex(b"k" * 32))
        assert repr(BlindIndex(b"k" * 32)) == "BlindIndex(length=16)"


class TestContextRequired:
    def test_compute_and_candidates_need_a_context(self) -> None:
        """There is no default context: two columns under one key must be told apart."""
        index = BlindIndex(b"k" * 32)
        with pytest.raises(TypeError):
            index.compute("13812345678")  # type: ignore[call-arg]
        with pytest.raises(TypeError):
            index.candidates("13812345678")  # type: ignore[call-arg]
        with pytest.raises(TypeError, match="context"):
            index.compute("13812345678", context="phones")  # type: ignore[arg-type]

    def test_columns_differ(self) -> None:
        """The same value in two columns gives unrelated indexes."""
        index = BlindIndex(b"k" * 32)
        assert index.compute("1381", context=b"customers.phone") != index.compute(
            "1381", context=b"staff.phone"
        )

    def test_raw_keys_read_no_clock(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Wrapping raw key bytes in a keyset records a fixed time instead of reading the clock."""
        import secpolicy.crypto._blind as blind

        assert not hasattr(blind, "SystemClock")
        a = BlindIndex(b"k" * 32).compute("x", context=b"t")
        assert a == BlindIndex(b"k" * 32).compute("x", context=b"t")

    def test_bad_arguments_are_keyset_errors(self) -> None:
        """A length or algorithm out of range is a KeysetError (a ValueError)."""
        with pytest.raises(KeysetError, match="length"):
            BlindIndex(b"k" * 32, length=2)
        with pytest.raises(KeysetError, match="algorithm"):
            BlindIndex(b"k" * 32, algorithm="AES-256-GCM")


class TestUnicodeNormalisation:
    COMPOSED = "Jos\u00e9 M\u00fcller"
    DECOMPOSED = "Jose\u0301 Mu\u0308ller"

    def test_composed_and_decomposed_text_give_one_index(self) -> None:
        """NFC and NFD spellings of the same name index alike, under every key."""
        ks = Keyset.generate("HMAC-SHA256")
        ks.rotate()
        index = BlindIndex(ks)
        assert self.COMPOSED != self.DECOMPOSED
        assert index.compute(self.COMPOSED, context=b"t") == index.compute(
            self.DECOMPOSED, context=b"t"
        )
        assert index.candidates(self.COMPOSED, context=b"t") == index.candidates(
            self.DECOMPOSED, context=b"t"
        )

    def test_text_is_indexed_in_nfc(self) -> None:
        """The index of text is the HMAC of its NFC form in UTF-8 (ASCII unchanged)."""
        key = b"k" * 32
        nfc = "Jos\u00e9".encode()
        expected = hmac.digest(key, b"\x00\x00\x00\x01t" + nfc, hashlib.sha256)[:16].hex()
        assert BlindIndex(key).compute("Jose\u0301", context=b"t") == expected
        assert BlindIndex(key).compute("plain", context=b"t") == BlindIndex(key).compute(
            b"plain", context=b"t"
        )

    def test_bytes_are_indexed_as_given(self) -> None:
        """Bytes are opaque: their two encodings stay two indexes."""
        index = BlindIndex(b"k" * 32)
        assert index.compute(self.COMPOSED.encode(), context=b"t") != index.compute(
            self.DECOMPOSED.encode(), context=b"t"
        )

    def test_lone_surrogate_is_a_typed_error(self) -> None:
        """Text that cannot be UTF-8 is an InvalidArgumentError, not a UnicodeEncodeError."""
        with pytest.raises(InvalidArgumentError, match="Unicode"):
            BlindIndex(b"k" * 32).compute("a\ud800", context=b"t")

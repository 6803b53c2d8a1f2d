"""DeterministicEncryptor: AES-SIV tokens for equality lookup."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secpolicy.crypto import DecryptionError, DeterministicEncryptor, Keyset, KeysetError
from secpolicy.crypto._keyset import Key, KeyState

from .conftest import NOW

CTX = b"customers.id_number"
_SHARED = Keyset.generate("AES-SIV")


def _fixed_keyset() -> Keyset:
    key = Key(
        id=0x01020304,
        algorithm="AES-SIV",
        state=KeyState.ENABLED,
        created=NOW,
        material=bytes(range(64)),
    )
    return Keyset([key], primary=key.id)


class TestDeterministic:
    def test_equal_plaintexts_equal_tokens(self) -> None:
        """The same value and context always give the same token."""
        de = DeterministicEncryptor(Keyset.generate("AES-SIV"))
        assert de.encrypt(b"110101199003074514", context=CTX) == de.encrypt(
            b"110101199003074514", context=CTX
        )

    def test_context_separates(self) -> None:
        """The same value in two contexts gives unrelated tokens."""
        de = DeterministicEncryptor(Keyset.generate("AES-SIV"))
        assert de.encrypt(b"v", context=b"a") != de.encrypt(b"v", context=b"b")

    def test_golden_token(self) -> None:
        """The token format is stable: a fixed key gives this exact token."""
        de = DeterministicEncryptor(_fixed_keyset())
        token = de.encrypt(b"13812345678", context=b"customers.phone")
        assert (
            token == "AQECAwTqFdi2nIh-7Z1r4ZWtYXtXtzv2Pl5NV34XrRs"
        )  # stored when the format was set
        assert base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))[:5] == bytes(
            [1, 1, 2, 3, 4]
        )
        assert de.decrypt(token, context=b"customers.phone") == b"13812345678"

    @given(plaintext=st.binary(max_size=256), context=st.binary(max_size=32))
    def test_round_trip(self, plaintext: bytes, context: bytes) -> None:
        """Any bytes round-trip."""
        de = DeterministicEncryptor(_SHARED)
        assert de.decrypt(de.encrypt(plaintext, context=context), context=context) == plaintext

    def test_lookup_tokens_cover_rotation(self) -> None:
        """lookup_tokens() finds rows written under every enabled key."""
        ks = Keyset.generate("AES-SIV")
        de = DeterministicEncryptor(ks)
        old = de.encrypt(b"v", context=CTX)
        ks.rotate()
        new = de.encrypt(b"v", context=CTX)
        assert old != new
        assert de.lookup_tokens(b"v", context=CTX) == (new, old)
        assert de.decrypt(old, context=CTX) == b"v"

    def test_every_byte_flip_fails(self) -> None:
        """Flipping any byte of a token makes it fail."""
        de = DeterministicEncryptor(Keyset.generate("AES-SIV"))
        token = de.encrypt(b"13812345678", context=CTX)
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        for i in range(len(raw)):
            bad = bytearray(raw)
            bad[i] ^= 0x01
            bad_token = base64.urlsafe_b64encode(bytes(bad)).rstrip(b"=").decode()
            with pytest.raises(DecryptionError):
                de.decrypt(bad_token, context=CTX)

    @pytest.mark.parametrize("token", ["", "AAAA", "!!"])
    def test_malformed(self, token: str) -> None:
        """Short or invalid tokens fail."""
        with pytest.raises(DecryptionError):
            DeterministicEncryptor(_SHARED).decrypt(token, context=CTX)

    def test_wrong_context(self) -> None:
        """A token under another context fails."""
        de = DeterministicEncryptor(_SHARED)
        with pytest.raises(DecryptionError):
            de.decrypt(de.encrypt(b"v", context=b"a"), context=b"b")

    def test_wrong_kind(self) -> None:
        """An AEAD keyset is refused."""
        with pytest.raises(KeysetError, match="deterministic"):
            DeterministicEncryptor(Keyset.generate())

    def test_repr(self) -> None:
        """The repr names the encryptor and hides key bytes."""
        ks = _fixed_keyset()
        assert repr(DeterministicEncryptor(ks)).startswith("DeterministicEncryptor(Keyset(")
        assert bytes(range(64)).hex() not in repr(DeterministicEncryptor(ks))

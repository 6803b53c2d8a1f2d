"""FieldEncryptor: AEAD tokens with context binding and rotation."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secpolicy.crypto import DecryptionError, FieldEncryptor, Key, Keyset, KeysetError, _field
from secpolicy.crypto._primitives import Aead

CTX = b"customers.phone:42"


def _raw(token: str) -> bytes:
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))


def _token(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class TestRoundTrip:
    def test_encrypt_decrypt(self, aead_keyset: Keyset) -> None:
        """A token decrypts to the plaintext with the same context."""
        fe = FieldEncryptor(aead_keyset)
        token = fe.encrypt(b"13812345678", context=CTX)
        assert isinstance(token, str)
        assert fe.decrypt(token, context=CTX) == b"13812345678"
        assert fe.decrypt(token.encode(), context=CTX) == b"13812345678"

    @given(plaintext=st.binary(max_size=512), context=st.binary(max_size=64))
    def test_round_trip_property(self, plaintext: bytes, context: bytes) -> None:
        """Any bytes under any context round-trip."""
        fe = FieldEncryptor(_SHARED)
        assert fe.decrypt(fe.encrypt(plaintext, context=context), context=context) == plaintext

    def test_fresh_nonce_each_call(self) -> None:
        """Encrypting the same value twice gives different tokens."""
        fe = FieldEncryptor(Keyset.generate())
        assert fe.encrypt(b"x", context=CTX) != fe.encrypt(b"x", context=CTX)

    def test_url_safe_compact_token(self) -> None:
        """Tokens are base64url without padding: 33 bytes of overhead."""
        fe = FieldEncryptor(Keyset.generate())
        token = fe.encrypt(b"a" * 32, context=CTX)
        assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        assert len(_raw(token)) == 1 + 4 + 12 + 32 + 16

    def test_token_carries_version_and_key_id(self) -> None:
        """The token starts with version 1 and the primary key's id."""
        ks = Keyset.generate()
        token = FieldEncryptor(ks).encrypt(b"x", context=CTX)
        raw = _raw(token)
        assert raw[0] == 1
        assert int.from_bytes(raw[1:5], "big") == ks.primary_id
        assert FieldEncryptor(ks).key_id(token) == ks.primary_id

    def test_bytes_like_inputs(self) -> None:
        """bytearray and memoryview are accepted like bytes."""
        fe = FieldEncryptor(Keyset.generate())
        token = fe.encrypt(bytearray(b"abc"), context=memoryview(b"c"))  # type: ignore[arg-type]
        assert fe.decrypt(token, context=b"c") == b"abc"
        assert fe.decrypt(token, context=bytearray(b"c")) == b"abc"  # type: ignore[arg-type]


_SHARED = Keyset.generate()


class TestContextBinding:
    def test_other_row_fails(self) -> None:
        """A token copied to another row does not decrypt there."""
        fe = FieldEncryptor(Keyset.generate())
        token = fe.encrypt(b"13812345678", context=b"customers.phone:42")
        with pytest.raises(DecryptionError):
            fe.decrypt(token, context=b"customers.phone:43")

    def test_other_column_fails(self) -> None:
        """A token copied to another column does not decrypt there."""
        fe = FieldEncryptor(Keyset.generate())
        token = fe.encrypt(b"13812345678", context=b"customers.phone:42")
        with pytest.raises(DecryptionError):
            fe.decrypt(token, context=b"customers.mobile:42")


class TestRotation:
    def test_old_tokens_decrypt_after_rotate(self, aead_keyset: Keyset) -> None:
        """Tokens of every enabled key still decrypt after rotation."""
        fe = FieldEncryptor(aead_keyset)
        tokens = []
        for _ in range(3):
            tokens.append(fe.encrypt(b"v", context=CTX))
            aead_keyset.rotate()
        for token in tokens:
            assert fe.decrypt(token, context=CTX) == b"v"

    def test_new_tokens_use_new_primary(self) -> None:
        """After rotate() the same encryptor encrypts under the new key."""
        ks = Keyset.generate()
        fe = FieldEncryptor(ks)
        new = ks.rotate()
        assert fe.key_id(fe.encrypt(b"v", context=CTX)) == new.id

    def test_reencrypt_moves_to_primary(self) -> None:
        """reencrypt() rewrites an old token under the primary key."""
        ks = Keyset.generate()
        fe = FieldEncryptor(ks)
        old = fe.encrypt(b"v", context=CTX)
        new_key = ks.rotate()
        moved = fe.reencrypt(old, context=CTX)
        assert fe.key_id(moved) == new_key.id
        assert fe.decrypt(moved, context=CTX) == b"v"

    def test_reencrypt_keeps_current_tokens(self) -> None:
        """A token already under the primary is returned unchanged."""
        fe = FieldEncryptor(Keyset.generate())
        token = fe.encrypt(b"v", context=CTX)
        assert fe.reencrypt(token, context=CTX) == token
        assert fe.reencrypt(token.encode(), context=CTX) == token

    def test_reencrypt_authenticates(self) -> None:
        """reencrypt() refuses a token that does not decrypt."""
        fe = FieldEncryptor(Keyset.generate())
        token = fe.encrypt(b"v", context=CTX)
        with pytest.raises(DecryptionError):
            fe.reencrypt(token, context=b"other")

    @pytest.mark.parametrize("action", ["disable", "destroy"])
    def test_retired_key_fails(self, action: str) -> None:
        """After disable or destroy, that key's tokens fail; others still work."""
        ks = Keyset.generate()
        fe = FieldEncryptor(ks)
        old = fe.encrypt(b"v", context=CTX)
        ks.rotate()
        current = fe.encrypt(b"w", context=CTX)
        getattr(ks, action)(fe.key_id(old))
        with pytest.raises(DecryptionError):
            fe.decrypt(old, context=CTX)
        assert fe.decrypt(current, context=CTX) == b"w"

    def test_reenabled_key_works_again(self) -> None:
        """Re-enabling a disabled key restores its tokens."""
        ks = Keyset.generate()
        fe = FieldEncryptor(ks)
        old = fe.encrypt(b"v", context=CTX)
        ks.rotate()
        ks.disable(fe.key_id(old))
        with pytest.raises(DecryptionError):
            fe.decrypt(old, context=CTX)
        ks.enable(fe.key_id(old))
        assert fe.decrypt(old, context=CTX) == b"v"

    def test_other_keyset_fails(self) -> None:
        """A token from an unrelated keyset fails like any other."""
        token = FieldEncryptor(Keyset.generate()).encrypt(b"v", context=CTX)
        with pytest.raises(DecryptionError):
            FieldEncryptor(Keyset.generate()).decrypt(token, context=CTX)


class TestTampering:
    def test_every_byte_flip_fails(self, aead_keyset: Keyset) -> None:
        """Flipping any bit pattern in any byte of a token makes it fail."""
        fe = FieldEncryptor(aead_keyset)
        raw = _raw(fe.encrypt(b"13812345678", context=CTX))
        for i in range(len(raw)):
            for mask in (0x01, 0x80, 0xFF):
                bad = bytearray(raw)
                bad[i] ^= mask
                with pytest.raises(DecryptionError):
                    fe.decrypt(_token(bytes(bad)), context=CTX)

    def test_truncation_and_extension_fail(self) -> None:
        """Every shorter prefix and any appended byte fails."""
        fe = FieldEncryptor(Keyset.generate())
        raw = _raw(fe.encrypt(b"13812345678", context=CTX))
        for n in range(len(raw)):
            with pytest.raises(DecryptionError):
                fe.decrypt(_token(raw[:n]), context=CTX)
        with pytest.raises(DecryptionError):
            fe.decrypt(_token(raw + b"\x00"), context=CTX)

    @pytest.mark.parametrize(
        "token", ["", "a", "====", "not base64!", "é", "AAAA AAAA", "A" * 5, "\x00"]
    )
    def test_malformed(self, token: str) -> None:
        """Malformed text is a DecryptionError, not a parsing exception."""
        fe = FieldEncryptor(Keyset.generate())
        with pytest.raises(DecryptionError):
            fe.decrypt(token, context=CTX)
        with pytest.raises(DecryptionError):
            fe.key_id(token)

    def test_wrong_version(self) -> None:
        """A token of an unknown format version fails."""
        fe = FieldEncryptor(Keyset.generate())
        raw = bytearray(_raw(fe.encrypt(b"v", context=CTX)))
        raw[0] = 2
        with pytest.raises(DecryptionError):
            fe.key_id(_token(bytes(raw)))

    def test_same_message_for_every_failure(self) -> None:
        """Every failure reads the same, so errors are no oracle."""
        ks = Keyset.generate()
        fe = FieldEncryptor(ks)
        token = fe.encrypt(b"v", context=CTX)
        raw = bytearray(_raw(token))
        raw[-1] ^= 0x01  # flip one tag bit: always a change, unlike editing the text
        messages = set()
        for bad_token, ctx in [(token, b"other"), ("!!", CTX), (_token(bytes(raw)), CTX)]:
            with pytest.raises(DecryptionError) as info:
                fe.decrypt(bad_token, context=ctx)
            messages.add(str(info.value))
            assert info.value.__cause__ is None
        assert len(messages) == 1

    @given(st.text(max_size=80))
    def test_never_raises_other_errors(self, text: str) -> None:
        """Any string either decrypts or raises DecryptionError."""
        fe = FieldEncryptor(_SHARED)
        with pytest.raises(DecryptionError):
            fe.decrypt(text, context=CTX)


class TestMisuse:
    def test_text_plaintext_is_type_error(self) -> None:
        """Passing str asks the caller to encode it."""
        fe = FieldEncryptor(Keyset.generate())
        with pytest.raises(TypeError, match="encode text first"):
            fe.encrypt("13812345678", context=CTX)  # type: ignore[arg-type]

    def test_context_must_be_bytes(self) -> None:
        """The context is bytes too."""
        fe = FieldEncryptor(Keyset.generate())
        with pytest.raises(TypeError, match="context"):
            fe.encrypt(b"v", context=None)  # type: ignore[arg-type]

    def test_token_type(self) -> None:
        """A token must be text or bytes."""
        with pytest.raises(TypeError, match="token"):
            FieldEncryptor(Keyset.generate()).decrypt(42, context=CTX)  # type: ignore[arg-type]

    @pytest.mark.parametrize("algorithm", ["AES-SIV", "HMAC-SHA256"])
    def test_wrong_kind_of_keyset(self, algorithm: str) -> None:
        """A keyset made for another purpose is refused at construction."""
        with pytest.raises(KeysetError, match="aead"):
            FieldEncryptor(Keyset.generate(algorithm))  # type: ignore[arg-type]

    def test_repr_hides_keys(self) -> None:
        """The encryptor's repr shows key ids, not bytes."""
        ks = Keyset.generate()
        material = ks.primary.material
        assert material is not None
        assert material.hex() not in repr(FieldEncryptor(ks))
        assert f"{ks.primary_id:08x}" in repr(FieldEncryptor(ks))


_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _other_final_characters(token: str) -> list[str]:
    """The tokens that differ from *token* only in the unused bits of its last character."""
    bits = {2: 4, 3: 2}[len(token) % 4]  # unused low bits of the final character
    value = _ALPHABET.index(token[-1])
    base = value & ~((1 << bits) - 1)
    return [token[:-1] + _ALPHABET[base + i] for i in range(1 << bits) if base + i != value]


class TestCanonicalTokens:
    def _token(self, keyset: Keyset, length: int) -> str:
        fe = FieldEncryptor(keyset)
        for size in range(length, length + 3):
            token = fe.encrypt(b"x" * size, context=b"c")
            if len(token) % 4 == 2:
                return token
        raise AssertionError("no token with a partial final group")

    def test_other_final_characters_are_refused(self, aead_keyset: Keyset) -> None:
        """The three other final characters that decode to the same bytes do not decrypt."""
        fe = FieldEncryptor(aead_keyset)
        token = self._token(aead_keyset, 5)
        variants = _other_final_characters(token)
        assert len(variants) == 15
        for variant in variants[:3] + variants[-3:]:
            with pytest.raises(DecryptionError):
                fe.decrypt(variant, context=b"c")
        assert fe.decrypt(token, context=b"c")

    def test_padding_and_standard_alphabet_are_refused(self, aead_keyset: Keyset) -> None:
        """A trailing ``=`` or ``+``/``/`` in place of ``-``/``_`` is refused."""
        fe = FieldEncryptor(aead_keyset)
        token = self._token(aead_keyset, 5)
        for variant in (token + "=", token + "==", token.replace("-", "+").replace("_", "/")):
            if variant == token:
                continue
            with pytest.raises(DecryptionError):
                fe.decrypt(variant, context=b"c")
        with pytest.raises(DecryptionError):
            fe.decrypt(" " + token, context=b"c")
        with pytest.raises(DecryptionError):
            fe.key_id(token + "=")

    def test_standard_alphabet_characters_anywhere(self, aead_keyset: Keyset) -> None:
        """A token holding ``-`` or ``_`` written with ``+`` or ``/`` is refused."""
        fe = FieldEncryptor(aead_keyset)
        for _ in range(50):
            token = fe.encrypt(b"value", context=b"c")
            if "-" in token or "_" in token:
                break
        swapped = token.replace("-", "+").replace("_", "/")
        assert swapped != token
        with pytest.raises(DecryptionError):
            fe.decrypt(swapped, context=b"c")

    @given(st.binary(max_size=64))
    def test_every_byte_string_has_one_text(self, data: bytes) -> None:
        """b64decode accepts exactly b64encode's output."""
        from secpolicy.crypto._primitives import b64decode, b64encode

        text = b64encode(data)
        assert b64decode(text) == data
        if len(text) % 4 in (2, 3):
            for variant in _other_final_characters(text):
                with pytest.raises(ValueError, match="canonical"):
                    b64decode(variant)


class TestCanonicalFinalCharacter:
    def test_the_three_other_final_characters(self, aead_keyset: Keyset) -> None:
        """A token ending in a 3-character group has 3 other readings of its bytes: all refused."""
        fe = FieldEncryptor(aead_keyset)
        token = next(
            t
            for t in (fe.encrypt(b"x" * size, context=b"c") for size in range(1, 8))
            if len(t) % 4 == 3
        )
        variants = _other_final_characters(token)
        assert len(variants) == 3
        for variant in variants:
            with pytest.raises(DecryptionError):
                fe.decrypt(variant, context=b"c")
        with pytest.raises(DecryptionError):
            fe.decrypt(token + "=", context=b"c")
        assert fe.decrypt(token, context=b"c").startswith(b"x")


class TestKeyChangesDuringACall:
    """A keyset change that lands while an encryptor builds a key's primitive."""

    def test_key_disabled_while_its_primitive_is_built(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A key disabled during another call's build does not decrypt afterwards."""
        ks = Keyset.generate()
        old_id = ks.primary_id
        token = FieldEncryptor(ks).encrypt(b"v", context=CTX)
        ks.rotate()
        build = _field._build

        def build_then_disable(key: Key) -> Aead:
            primitive = build(key)
            if key.id == old_id and ks.get(old_id).usable:
                ks.disable(old_id)  # another thread retires the key meanwhile ...
                fe.encrypt(b"w", context=CTX)  # ... and another request sees it first
            return primitive

        monkeypatch.setattr(_field, "_build", build_then_disable)
        fe = FieldEncryptor(ks)
        fe.decrypt(token, context=CTX)  # began before the disable: may still succeed
        with pytest.raises(DecryptionError):
            fe.decrypt(token, context=CTX)

    def test_rotation_while_the_primary_is_built(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A rotation during the first encryption's build is used by every later one."""
        ks = Keyset.generate()
        old_id = ks.primary_id
        build = _field._build
        new: list[int] = []

        def build_then_rotate(key: Key) -> Aead:
            primitive = build(key)
            if key.id == old_id and not new:
                new.append(ks.rotate().id)  # another thread rotates meanwhile ...
                fe.encrypt(b"w", context=CTX)  # ... and another request sees it first
            return primitive

        monkeypatch.setattr(_field, "_build", build_then_rotate)
        fe = FieldEncryptor(ks)
        fe.encrypt(b"v", context=CTX)  # began before the rotation: may use the old key
        assert fe.key_id(fe.encrypt(b"v", context=CTX)) == new[0]
        ks.disable(old_id)
        assert fe.key_id(fe.encrypt(b"v", context=CTX)) == new[0]

"""Attacks on keyset loading and token text, from the documented promises."""

from __future__ import annotations

import json
import os
import string
from pathlib import Path

import pytest

from secpolicy.crypto import (
    BlindIndex,
    DeterministicEncryptor,
    EnvKeyProvider,
    FieldEncryptor,
    FileEncryptor,
    FileKeyProvider,
    Keyset,
)
from secpolicy.exceptions import ArgumentTypeError, DecryptionError, KeysetError, SecPolicyError

ALPHABET = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"


def _text_variants(token: str) -> list[str]:
    """Other spellings of *token*: padding, whitespace, the standard alphabet, other final bits."""
    out = [token + "=", token + "==", " " + token, token + "\n", token[:8] + "\n" + token[8:]]
    out.append(token.replace("-", "+").replace("_", "/"))
    last = ALPHABET.index(token[-1])
    out += [token[:-1] + c for c in ALPHABET if ALPHABET.index(c) >> 4 == last >> 4]
    return [v for v in out if v != token]


class TestDowngradeThroughLoaders:
    """A key-encryption key given means only wrapped keysets load, whichever loader reads it."""

    def test_env_and_file_providers_refuse_plain(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """EnvKeyProvider and FileKeyProvider with a KEK refuse a clear keyset."""
        kek = os.urandom(32)
        plain = Keyset.generate().to_json(unencrypted=True)
        path = tmp_path / "keys.json"
        path.write_text(plain)
        monkeypatch.setenv("SECPOLICY_KEYSET", plain)
        with pytest.raises(SecPolicyError) as file_error:
            FileKeyProvider(path, kek=kek, purpose="phones").load()
        with pytest.raises(SecPolicyError) as env_error:
            EnvKeyProvider(kek=kek, purpose="phones").load()
        for error in (file_error, env_error):
            assert json.loads(plain)["keys"][0]["material"] not in str(error.value)

    def test_version_downgrade_of_wrapped_document(self) -> None:
        """Relabelling a version-2 wrapped keyset as version 1 does not load it."""
        kek = os.urandom(32)
        doc = json.loads(Keyset.generate().to_json(kek=kek, purpose="phones"))
        doc["version"] = 1
        doc.pop("purpose")
        for purpose in (None, "phones"):
            with pytest.raises(SecPolicyError):
                Keyset.from_json(json.dumps(doc), kek=kek, purpose=purpose)

    def test_wrapped_field_text_is_canonical(self) -> None:
        """The wrapped keyset's base64 loads only in its canonical spelling."""
        kek = os.urandom(32)
        doc = json.loads(Keyset.generate().to_json(kek=kek, purpose="phones"))
        for variant in _text_variants(doc["wrapped"]):
            altered = dict(doc, wrapped=variant)
            with pytest.raises(SecPolicyError):
                Keyset.from_json(json.dumps(altered), kek=kek, purpose="phones")


class TestDeterministicTokenText:
    """Deterministic tokens decrypt only in their canonical text, at every length."""

    @pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 17, 31])
    def test_non_canonical_refused(self, size: int) -> None:
        """Padding, whitespace, `+`/`/` and other final bits all raise DecryptionError."""
        encryptor = DeterministicEncryptor(Keyset.generate("AES-SIV"))
        token = encryptor.encrypt(b"v" * size, context=b"customers.id_number")
        assert encryptor.decrypt(token, context=b"customers.id_number") == b"v" * size
        for variant in _text_variants(token):
            with pytest.raises(DecryptionError):
                encryptor.decrypt(variant, context=b"customers.id_number")


def _plain_doc() -> dict[str, object]:
    """A clear keyset document to tamper with."""
    doc: dict[str, object] = json.loads(Keyset.generate().to_json(unencrypted=True))
    return doc


class TestKeysetCreatedOutOfRange:
    """A planted creation time that cannot be converted to UTC is a typed error."""

    def test_created_beyond_year_9999_in_utc(self) -> None:
        """9999-12-31T23:59:59-23:59 overflows in UTC and raises KeysetError, not OverflowError."""
        doc = _plain_doc()
        keys = doc["keys"]
        assert isinstance(keys, list)
        keys[0]["created"] = "9999-12-31T23:59:59-23:59"
        with pytest.raises(KeysetError, match="created"):
            Keyset.from_json(json.dumps(doc))


class TestPurposeNotEncodable:
    """A purpose that is not valid Unicode text is refused with a typed error."""

    def test_to_json_lone_surrogate_purpose(self) -> None:
        """to_json() with a lone-surrogate purpose raises KeysetError, not UnicodeEncodeError."""
        with pytest.raises(KeysetError, match="purpose"):
            Keyset.generate().to_json(kek=os.urandom(32), purpose="\ud800")

    def test_from_json_lone_surrogate_purpose(self) -> None:
        """A wrapped document whose purpose is a lone surrogate raises KeysetError on load."""
        kek = os.urandom(32)
        doc = json.loads(Keyset.generate().to_json(kek=kek, purpose="p"))
        doc["purpose"] = "\ud800"
        with pytest.raises(KeysetError, match="purpose"):
            Keyset.from_json(json.dumps(doc), kek=kek, purpose="\ud800")


class TestEncryptorsGivenNotAKeyset:
    """An encryptor built from something that is not a Keyset raises a typed error."""

    @pytest.mark.parametrize("cls", [FieldEncryptor, DeterministicEncryptor, FileEncryptor])
    @pytest.mark.parametrize("given", [None, b"k" * 32, "keys"])
    def test_not_a_keyset(self, cls: type[object], given: object) -> None:
        """FieldEncryptor, DeterministicEncryptor and FileEncryptor raise ArgumentTypeError."""
        with pytest.raises(ArgumentTypeError, match="Keyset"):
            cls(given)


class TestBlindIndexLengthType:
    """A blind-index length that is not an int is refused when the index is built."""

    @pytest.mark.parametrize("length", [16.0, "16", None])
    def test_length_not_int(self, length: object) -> None:
        """BlindIndex(length=16.0 / "16" / None) raises KeysetError, not TypeError later."""
        with pytest.raises(KeysetError, match="length"):
            BlindIndex(Keyset.generate("HMAC-SHA256"), length=length)  # type: ignore[arg-type]


class TestFromDictVersion:
    """Keyset.from_dict reads only the format and version it was written in."""

    @pytest.mark.parametrize(
        ("member", "value"),
        [("version", 2), ("version", 99), ("version", True), ("format", "other.keyset")],
    )
    def test_other_format_or_version_refused(self, member: str, value: object) -> None:
        """A document of another format or version is refused, naming the member."""
        doc = {**_plain_doc(), member: value}
        with pytest.raises(KeysetError, match=member):
            Keyset.from_dict(doc)

    @pytest.mark.parametrize("member", ["format", "version"])
    def test_missing_format_or_version_refused(self, member: str) -> None:
        """A document without its format or version is refused, naming the member."""
        doc = {k: v for k, v in _plain_doc().items() if k != member}
        with pytest.raises(KeysetError, match=member):
            Keyset.from_dict(doc)


class TestFileKeyProviderUnreadable:
    """A keyset path that cannot be read raises KeysetError, not a bare OSError."""

    def test_directory_path(self, tmp_path: Path) -> None:
        """FileKeyProvider(directory).load() raises KeysetError naming the path."""
        with pytest.raises(KeysetError, match="cannot be read"):
            FileKeyProvider(tmp_path, kek=os.urandom(32)).load()

    def test_save_into_missing_directory(self, tmp_path: Path) -> None:
        """FileKeyProvider.save() into a missing directory raises KeysetError, not OSError."""
        provider = FileKeyProvider(tmp_path / "absent" / "keys.json", kek=os.urandom(32))
        with pytest.raises(KeysetError, match="cannot be written"):
            provider.save(Keyset.generate())
        assert not (tmp_path / "absent").exists()

"""Keysets: generation, rotation, states, serialisation and wrapping."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from secpolicy._clock import FrozenClock
from secpolicy.crypto import (
    AesGcmKeyWrapper,
    DecryptionError,
    Key,
    Keyset,
    KeysetError,
    KeyState,
    KeyWrapper,
    PassphraseWrapper,
)
from secpolicy.crypto._primitives import b64encode

from .conftest import NOW


def _material_of(keyset: Keyset) -> list[bytes]:
    return [k.material for k in keyset.keys if k.material is not None]


class TestGenerate:
    @pytest.mark.parametrize(
        ("algorithm", "size", "kind"),
        [
            ("AES-256-GCM", 32, "aead"),
            ("SM4-GCM", 16, "aead"),
            ("AES-SIV", 64, "deterministic"),
            ("HMAC-SHA256", 32, "mac"),
            ("HMAC-SM3", 32, "mac"),
        ],
    )
    def test_one_enabled_primary(self, algorithm: str, size: int, kind: str) -> None:
        """A new keyset has one enabled primary key of the right size and kind."""
        ks = Keyset.generate(algorithm, now=NOW)  # type: ignore[arg-type]
        assert len(ks) == 1
        key = ks.primary
        assert key.id == ks.primary_id
        assert 0 < key.id < 2**32
        assert key.state is KeyState.ENABLED
        assert key.material is not None
        assert len(key.material) == size
        assert key.kind == kind == ks.kind
        assert key.created == NOW

    def test_unknown_algorithm(self) -> None:
        """An unknown algorithm is refused with the choices."""
        with pytest.raises(KeysetError, match="AES-256-GCM"):
            Keyset.generate("DES")  # type: ignore[arg-type]

    def test_default_time_is_aware(self) -> None:
        """Without now= the creation time comes from the clock, in UTC."""
        assert Keyset.generate().primary.created.tzinfo is UTC

    def test_keys_are_random(self) -> None:
        """Two keysets never share key bytes."""
        assert _material_of(Keyset.generate()) != _material_of(Keyset.generate())


class TestRotation:
    def test_rotate_adds_new_primary(self) -> None:
        """rotate() makes a fresh key primary and keeps the old one enabled."""
        ks = Keyset.generate(now=NOW)
        old = ks.primary_id
        new = ks.rotate(now=NOW)
        assert ks.primary_id == new.id != old
        assert ks.get(old).state is KeyState.ENABLED
        assert [k.id for k in ks] == [old, new.id]

    def test_rotate_to_other_algorithm_of_same_kind(self) -> None:
        """AES-256-GCM can rotate to SM4-GCM, both being AEAD."""
        ks = Keyset.generate()
        assert ks.rotate("SM4-GCM").algorithm == "SM4-GCM"

    def test_rotate_refuses_other_kind(self) -> None:
        """An AEAD keyset cannot take an HMAC key, and nothing changes."""
        ks = Keyset.generate()
        before = repr(ks)
        with pytest.raises(KeysetError, match="one kind"):
            ks.rotate("HMAC-SHA256")
        assert repr(ks) == before

    def test_staged_rotation(self) -> None:
        """add() then promote() is rotate() in two steps."""
        ks = Keyset.generate()
        old = ks.primary_id
        staged = ks.add()
        assert ks.primary_id == old
        ks.promote(staged.id)
        assert ks.primary_id == staged.id

    def test_promote_unknown_or_disabled(self) -> None:
        """Only a known, enabled key can be promoted."""
        ks = Keyset.generate()
        other = ks.add()
        ks.disable(other.id)
        with pytest.raises(KeysetError, match="must be enabled"):
            ks.promote(other.id)
        with pytest.raises(KeysetError, match="no key"):
            ks.promote(1 if ks.primary_id != 1 else 2)


class TestStates:
    def test_disable_enable(self) -> None:
        """A disabled key keeps its bytes and can be enabled again."""
        ks = Keyset.generate()
        old = ks.primary_id
        ks.rotate()
        ks.disable(old)
        assert ks.get(old).state is KeyState.DISABLED
        assert ks.get(old).material is not None
        assert not ks.get(old).usable
        ks.enable(old)
        assert ks.get(old).usable

    def test_destroy_erases_material(self) -> None:
        """A destroyed key has no bytes and cannot come back."""
        ks = Keyset.generate()
        old = ks.primary_id
        ks.rotate()
        ks.destroy(old)
        key = ks.get(old)
        assert key.state is KeyState.DESTROYED
        assert key.material is None
        with pytest.raises(KeysetError, match="destroyed"):
            ks.enable(old)
        ks.destroy(old)  # destroying twice is harmless

    @pytest.mark.parametrize("action", ["disable", "destroy"])
    def test_primary_is_protected(self, action: str) -> None:
        """The primary can be neither disabled nor destroyed."""
        ks = Keyset.generate()
        with pytest.raises(KeysetError, match="primary"):
            getattr(ks, action)(ks.primary_id)
        assert ks.primary.usable

    def test_get_unknown(self) -> None:
        """An unknown id is a KeysetError naming the id in hex."""
        ks = Keyset.generate()
        missing = ks.primary_id ^ 1
        with pytest.raises(KeysetError, match=f"{missing:08x}"):
            ks.get(missing)


class TestConstruction:
    def _key(self, key_id: int = 7, **kw: object) -> Key:
        fields: dict[str, object] = {
            "id": key_id,
            "algorithm": "AES-256-GCM",
            "state": KeyState.ENABLED,
            "created": NOW,
            "material": b"k" * 32,
        }
        fields.update(kw)
        return Key(**fields)  # type: ignore[arg-type]

    def test_empty(self) -> None:
        """A keyset needs a key."""
        with pytest.raises(KeysetError, match="at least one"):
            Keyset([], primary=1)

    def test_duplicate_ids(self) -> None:
        """Key ids are unique."""
        with pytest.raises(KeysetError, match="duplicate"):
            Keyset([self._key(), self._key()], primary=7)

    def test_wrong_material_size(self) -> None:
        """Key bytes must match the algorithm."""
        with pytest.raises(KeysetError, match="32-byte"):
            Keyset([self._key(material=b"short")], primary=7)

    def test_destroyed_with_material(self) -> None:
        """A destroyed key cannot still carry bytes."""
        keys = [self._key(), self._key(8, state=KeyState.DESTROYED)]
        with pytest.raises(KeysetError, match="still has material"):
            Keyset(keys, primary=7)

    def test_id_range(self) -> None:
        """Key ids are 32-bit and non-zero."""
        with pytest.raises(KeysetError, match="between 1"):
            Keyset([self._key(0)], primary=0)

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("id", True),
            ("id", 7.0),
            ("algorithm", "AES-128-ECB"),
            ("state", "enabled"),
            ("created", "2026-01-01"),
            ("created", datetime(2026, 1, 1)),  # noqa: DTZ001 (the naive time refused)
            ("material", "k" * 32),
            ("material", bytearray(b"k" * 32)),
        ],
    )
    def test_a_key_field_of_the_wrong_type(self, field: str, value: object) -> None:
        """Key(...) names a field of the wrong type with KeysetError, never a KeyError later."""
        with pytest.raises(KeysetError, match=field) as caught:
            self._key(**{field: value})
        assert "kkkk" not in str(caught.value)

    @pytest.mark.parametrize("primary", [True, 7.0, "7"])
    def test_a_primary_that_is_not_an_id(self, primary: object) -> None:
        """Keyset(primary=...) must be an int key id."""
        with pytest.raises(KeysetError, match="primary"):
            Keyset([self._key(1)], primary=primary)  # type: ignore[arg-type]

    def test_something_that_is_not_a_key(self) -> None:
        """Keyset([...]) with a dict among the keys raises KeysetError."""
        with pytest.raises(KeysetError, match="Key"):
            Keyset([{"id": 7}], primary=7)  # type: ignore[list-item]

    def test_primary_missing(self) -> None:
        """The primary must be one of the keys."""
        with pytest.raises(KeysetError, match="not in the keyset"):
            Keyset([self._key()], primary=8)


class TestSerialisation:
    def test_round_trip(self) -> None:
        """to_json/from_json keep ids, states, primary, times and bytes."""
        ks = Keyset.generate(now=NOW)
        old = ks.primary_id
        third = ks.rotate(now=NOW)
        ks.add(now=NOW)
        ks.disable(ks.keys[-1].id)
        ks.destroy(old)
        again = Keyset.from_json(ks.to_json(unencrypted=True))
        assert again.to_dict() == ks.to_dict()
        assert again.primary_id == third.id
        assert again.get(old).material is None

    def test_format_is_versioned(self) -> None:
        """The serialised form names its format and version."""
        doc = json.loads(Keyset.generate().to_json(unencrypted=True))
        assert doc["format"] == "secpolicy.keyset"
        assert doc["version"] == 1

    def test_wrapped_round_trip(self) -> None:
        """A wrapped keyset reveals no key bytes and unwraps with the KEK."""
        ks = Keyset.generate()
        kek = b"K" * 32
        wrapped = ks.to_json(kek=kek)
        assert set(json.loads(wrapped)) == {"format", "version", "purpose", "wrapped"}
        for material in _material_of(ks):
            assert material.hex() not in wrapped
        assert Keyset.from_json(wrapped, kek=kek).to_dict() == ks.to_dict()

    def test_wrapped_needs_kek(self) -> None:
        """Loading a wrapped keyset without a KEK says what is missing."""
        wrapped = Keyset.generate().to_json(kek=b"K" * 32)
        with pytest.raises(KeysetError, match="kek"):
            Keyset.from_json(wrapped)

    def test_wrong_kek(self) -> None:
        """A wrong KEK is a decryption failure, not a parse error."""
        wrapped = Keyset.generate().to_json(kek=b"K" * 32)
        with pytest.raises(DecryptionError):
            Keyset.from_json(wrapped, kek=b"L" * 32)

    def test_custom_wrapper(self) -> None:
        """Any KeyWrapper (a KMS client) can wrap the keyset."""

        class Reversing:
            def wrap(self, data: bytes, *, context: bytes) -> bytes:
                return context + data[::-1]

            def unwrap(self, data: bytes, *, context: bytes) -> bytes:
                return data[len(context) :][::-1]

        assert isinstance(Reversing(), KeyWrapper)
        ks = Keyset.generate()
        assert Keyset.from_json(ks.to_json(kek=Reversing()), kek=Reversing()).to_dict() == (
            ks.to_dict()
        )

    def test_bad_kek_size(self) -> None:
        """A local KEK must be 32 bytes."""
        with pytest.raises(KeysetError, match="32 bytes"):
            AesGcmKeyWrapper(b"short")

    @pytest.mark.parametrize(
        ("mutate", "message"),
        [
            (lambda d: "not json", "not valid JSON"),
            (lambda d: {**d, "format": "other"}, "format"),
            (lambda d: {**d, "version": 2}, "version"),
            (lambda d: {k: v for k, v in d.items() if k != "primary"}, "primary: missing"),
            (lambda d: {**d, "primary": "1"}, "primary: expected int"),
            (lambda d: {**d, "primary": True}, "primary: expected int"),
            (lambda d: {**d, "keys": {}}, "keys: expected list"),
            (lambda d: {**d, "keys": [1]}, r"keys\[0\]: expected a JSON object"),
            (lambda d: _key_field(d, "algorithm", "RC4"), r"keys\[0\].algorithm: unknown"),
            (lambda d: _key_field(d, "state", "lost"), r"keys\[0\].state"),
            (lambda d: _key_field(d, "created", "yesterday"), r"keys\[0\].created"),
            (lambda d: _key_field(d, "created", "2026-01-01T00:00:00"), r"keys\[0\].created"),
            (lambda d: _key_field(d, "material", 5), r"keys\[0\].material"),
            (lambda d: _key_field(d, "material", "!!!!"), r"keys\[0\].material"),
            (lambda d: {**d, "wrapped": 5}, "wrapped: expected str"),
            (lambda d: {**d, "wrapped": "!!!"}, "wrapped: not valid base64url"),
        ],
    )
    def test_malformed(self, mutate: object, message: str) -> None:
        """Malformed keysets raise KeysetError naming the field, never the bytes."""
        ks = Keyset.generate()
        doc = mutate(ks.to_dict())  # type: ignore[operator]
        text = doc if isinstance(doc, str) else json.dumps(doc)
        kek = b"K" * 32 if isinstance(doc, dict) and "wrapped" in doc else None
        with pytest.raises(KeysetError, match=message) as info:
            Keyset.from_json(text, kek=kek)
        for material in _material_of(ks):
            assert material.hex() not in str(info.value)


def _key_field(doc: dict[str, object], name: str, value: object) -> dict[str, object]:
    keys = [dict(k) for k in doc["keys"]]  # type: ignore[attr-defined]
    keys[0][name] = value
    return {**doc, "keys": keys}


class TestSecrecy:
    def test_no_material_in_repr_or_str(self) -> None:
        """Neither the keyset nor its keys show key bytes, in any encoding."""
        ks = Keyset.generate("AES-SIV")
        ks.rotate()
        material = _material_of(ks)
        shown = " ".join([repr(ks), str(ks), *(repr(k) for k in ks), *(str(k) for k in ks)])
        for m in material:
            assert m.hex() not in shown
            assert m.hex().upper() not in shown
            assert repr(m) not in shown
        assert "material" not in repr(ks.primary)
        assert repr(AesGcmKeyWrapper(b"K" * 32)) == "AesGcmKeyWrapper(kek=<hidden>)"

    def test_key_times_are_utc(self) -> None:
        """Creation times given in another zone are stored in UTC."""
        from datetime import timedelta, timezone

        shanghai = datetime(2026, 1, 1, 8, tzinfo=timezone(timedelta(hours=8)))
        assert Keyset.generate(now=shanghai).primary.created == NOW


class TestDowngrade:
    def test_clear_json_is_refused_when_a_kek_is_given(self) -> None:
        """With a KEK only wrapped keysets load: a swapped-in clear keyset is refused."""
        attacker = Keyset.generate().to_json(unencrypted=True)
        with pytest.raises(KeysetError, match="not wrapped"):
            Keyset.from_json(attacker, kek=b"K" * 32)

    def test_to_json_needs_a_kek_or_an_explicit_choice(self) -> None:
        """Clear key bytes are written only with unencrypted=True."""
        ks = Keyset.generate()
        with pytest.raises(KeysetError, match="unencrypted=True"):
            ks.to_json()
        with pytest.raises(KeysetError, match="not both"):
            ks.to_json(kek=b"K" * 32, unencrypted=True)
        assert Keyset.from_json(ks.to_json(unencrypted=True)).primary_id == ks.primary_id

    def test_purpose_is_bound_as_associated_data(self) -> None:
        """A keyset wrapped for "phones" cannot load as "ids", nor without a purpose."""
        kek = b"K" * 32
        wrapped = Keyset.generate().to_json(kek=kek, purpose="phones")
        assert Keyset.from_json(wrapped, kek=kek, purpose="phones")
        with pytest.raises(KeysetError, match="another purpose"):
            Keyset.from_json(wrapped, kek=kek, purpose="ids")
        with pytest.raises(KeysetError, match="another purpose"):
            Keyset.from_json(wrapped, kek=kek)

    def test_relabelled_purpose_does_not_unwrap(self) -> None:
        """Editing the clear purpose field does not help: the wrap authenticates it."""
        kek = b"K" * 32
        doc = json.loads(Keyset.generate().to_json(kek=kek, purpose="phones"))
        doc["purpose"] = "ids"
        with pytest.raises(DecryptionError):
            Keyset.from_json(json.dumps(doc), kek=kek, purpose="ids")

    def test_context_passed_to_a_wrapper_names_the_purpose(self) -> None:
        """A KMS wrapper receives the purpose in its associated data."""
        seen: list[bytes] = []

        class Recording:
            def wrap(self, data: bytes, *, context: bytes) -> bytes:
                seen.append(context)
                return data

            def unwrap(self, data: bytes, *, context: bytes) -> bytes:
                seen.append(context)
                return data

        ks = Keyset.generate()
        Keyset.from_json(ks.to_json(kek=Recording(), purpose="ids"), kek=Recording(), purpose="ids")
        assert seen[0] == seen[1]
        assert seen[0].endswith(b"ids")

    def test_older_wrapped_keysets_still_load(self) -> None:
        """A version-1 wrap (no purpose) loads without purpose= and is refused with one."""
        kek = b"K" * 32
        ks = Keyset.generate()
        old = AesGcmKeyWrapper(kek).wrap(
            ks.to_json(unencrypted=True).encode(), context=b"secpolicy.keyset.v1"
        )
        doc = json.dumps({"format": "secpolicy.keyset", "version": 1, "wrapped": b64encode(old)})
        assert Keyset.from_json(doc, kek=kek).to_dict() == ks.to_dict()
        with pytest.raises(KeysetError, match="older version"):
            Keyset.from_json(doc, kek=kek, purpose="phones")

    def test_nested_wrap_is_refused(self) -> None:
        """A wrapped keyset whose plaintext is itself wrapped is refused."""
        kek = b"K" * 32
        inner = Keyset.generate().to_json(kek=kek)
        blob = AesGcmKeyWrapper(kek).wrap(inner.encode(), context=b"secpolicy.keyset.v2\x00")
        doc = json.dumps(
            {"format": "secpolicy.keyset", "version": 2, "purpose": "", "wrapped": b64encode(blob)}
        )
        with pytest.raises(KeysetError, match="another wrapped"):
            Keyset.from_json(doc, kek=kek)


class TestTypedErrors:
    def test_deep_nesting(self) -> None:
        """Deeply nested JSON is a KeysetError, not a RecursionError."""
        with pytest.raises(KeysetError, match="JSON"):
            Keyset.from_json("[" * 100_000 + "]" * 100_000)

    @pytest.mark.parametrize("kek", ["K" * 32, 42, object()])
    def test_kek_of_the_wrong_type(self, kek: object) -> None:
        """A str or other object as KEK is a KeysetError naming the type."""
        wrapped = Keyset.generate().to_json(kek=b"K" * 32)
        with pytest.raises(KeysetError, match="kek must be"):
            Keyset.from_json(wrapped, kek=kek)  # type: ignore[arg-type]
        with pytest.raises(KeysetError, match="kek must be"):
            Keyset.generate().to_json(kek=kek)  # type: ignore[arg-type]

    def test_bytearray_kek_works(self) -> None:
        """A bytearray KEK is used as bytes."""
        kek = bytearray(b"K" * 32)
        wrapped = Keyset.generate().to_json(kek=kek)  # type: ignore[arg-type]
        assert Keyset.from_json(wrapped, kek=bytes(kek))

    @pytest.mark.parametrize("version", [True, 1.0, "1", None])
    def test_version_must_be_an_integer(self, version: object) -> None:
        """``"version": true`` (and 1.0, "1") is not version 1."""
        doc = Keyset.generate().to_dict()
        doc["version"] = version
        with pytest.raises(KeysetError, match="version"):
            Keyset.from_json(json.dumps(doc))

    @pytest.mark.parametrize("data", [None, 5, ["x"]])
    def test_input_of_the_wrong_type(self, data: object) -> None:
        """Non-text input is a KeysetError."""
        with pytest.raises(KeysetError):
            Keyset.from_json(data)  # type: ignore[arg-type]

    def test_purpose_must_be_text(self) -> None:
        """A purpose that is not short text is refused."""
        with pytest.raises(KeysetError, match="purpose"):
            Keyset.generate().to_json(kek=b"K" * 32, purpose=b"x")  # type: ignore[arg-type]
        with pytest.raises(KeysetError, match="purpose"):
            Keyset.generate().to_json(kek=b"K" * 32, purpose="x" * 300)

    def test_from_dict_needs_an_object(self) -> None:
        """from_dict on a list is a KeysetError."""
        with pytest.raises(KeysetError, match="object"):
            Keyset.from_dict([])  # type: ignore[arg-type]


class TestClock:
    def test_keys_take_their_time_from_the_clock(self) -> None:
        """generate, add and rotate record the injected clock's time; no wall clock."""
        clock = FrozenClock(NOW)
        ks = Keyset.generate(clock=clock)
        assert ks.primary.created == NOW
        later = datetime(2026, 6, 1, tzinfo=UTC)
        clock.set(later)
        assert ks.rotate().created == later
        assert ks.add().created == later
        again = Keyset.from_json(ks.to_json(unencrypted=True), clock=clock)
        assert again.rotate().created == later


class TestPassphraseWrapper:
    def test_round_trip_and_wrong_passphrase(self) -> None:
        """A passphrase-wrapped keyset loads with the passphrase and fails with another."""
        wrapper = PassphraseWrapper("correct horse battery staple", log2_n=14)
        ks = Keyset.generate()
        wrapped = ks.to_json(kek=wrapper, purpose="phones")
        assert Keyset.from_json(wrapped, kek=wrapper, purpose="phones").to_dict() == ks.to_dict()
        other = PassphraseWrapper("incorrect horse battery staple", log2_n=14)
        with pytest.raises(DecryptionError):
            Keyset.from_json(wrapped, kek=other, purpose="phones")

    def test_parameters_travel_with_the_wrap(self) -> None:
        """A wrapper with other default parameters still unwraps: they are in the blob."""
        ks = Keyset.generate()
        wrapped = ks.to_json(kek=PassphraseWrapper("correct horse battery staple", log2_n=14))
        reader = PassphraseWrapper("correct horse battery staple", log2_n=15)
        assert Keyset.from_json(wrapped, kek=reader).primary_id == ks.primary_id

    def test_defaults_are_owasps(self) -> None:
        """The default is scrypt N=2**17, r=8, p=1."""
        wrapper = PassphraseWrapper("correct horse battery staple")
        assert (wrapper.log2_n, wrapper.r, wrapper.p) == (17, 8, 1)
        assert "correct" not in repr(wrapper)

    @pytest.mark.parametrize(
        ("passphrase", "options"),
        [
            ("short", {}),
            ("密码密码", {}),  # 12 bytes of UTF-8, but four characters
            ("\ud800" * 12, {}),  # lone surrogates cannot be encoded
            (5, {}),
            ("long enough passphrase", {"log2_n": 10}),
            ("long enough passphrase", {"log2_n": 30}),
            ("long enough passphrase", {"r": 0}),
            ("long enough passphrase", {"p": 9}),
            ("long enough passphrase", {"r": True}),
        ],
    )
    def test_bad_configuration(self, passphrase: object, options: dict[str, object]) -> None:
        """Short passphrases and out-of-range scrypt parameters are refused."""
        with pytest.raises(KeysetError):
            PassphraseWrapper(passphrase, **options)  # type: ignore[arg-type]

    def test_tampering_and_planted_parameters(self) -> None:
        """Any flipped byte, a truncated blob or absurd planted parameters fail to unwrap."""
        wrapper = PassphraseWrapper("correct horse battery staple", log2_n=14)
        blob = wrapper.wrap(b"data", context=b"c")
        assert wrapper.unwrap(blob, context=b"c") == b"data"
        for index in (0, 4, 5, 10, len(blob) - 1):
            broken = bytearray(blob)
            broken[index] ^= 1
            with pytest.raises(DecryptionError):
                wrapper.unwrap(bytes(broken), context=b"c")
        with pytest.raises(DecryptionError):
            wrapper.unwrap(blob[:20], context=b"c")
        with pytest.raises(DecryptionError):
            wrapper.unwrap(blob, context=b"other")
        planted = bytearray(blob)
        planted[5] = 40  # log2(N) = 40 would take hours
        with pytest.raises(DecryptionError):
            wrapper.unwrap(bytes(planted), context=b"c")


class TestUnknownFields:
    @pytest.mark.parametrize(
        ("where", "path"),
        [("top", "note"), ("key", "keys[0].note"), ("second key", "keys[1].note")],
    )
    def test_clear_keyset_with_an_unknown_member(self, where: str, path: str) -> None:
        """An unknown member anywhere in a clear keyset is refused, naming its path."""
        ks = Keyset.generate()
        ks.rotate()
        doc = ks.to_dict()
        target = {"top": doc, "key": doc["keys"][0], "second key": doc["keys"][1]}[where]
        target["note"] = "planted"
        with pytest.raises(KeysetError, match=rf"^{re.escape(path)}: unknown field$") as info:
            Keyset.from_json(json.dumps(doc))
        assert "planted" not in str(info.value)
        with pytest.raises(KeysetError, match="unknown field"):
            Keyset.from_dict(doc)

    @pytest.mark.parametrize("version", [1, 2])
    def test_wrapped_keyset_with_an_unknown_outer_member(self, version: int) -> None:
        """The unauthenticated envelope of a wrapped keyset may not carry extra members."""
        kek = b"K" * 32
        doc = json.loads(Keyset.generate().to_json(kek=kek))
        if version == 1:
            del doc["purpose"]
            doc["version"] = 1
        doc["primary"] = 1
        with pytest.raises(KeysetError, match=r"^primary: unknown field$"):
            Keyset.from_json(json.dumps(doc), kek=kek)

    def test_wrapped_keyset_with_an_unknown_inner_member(self) -> None:
        """Inside the wrap, an unknown member of a key is refused too."""
        kek = b"K" * 32
        inner = Keyset.generate().to_dict()
        inner["keys"][0]["exportable"] = True
        blob = AesGcmKeyWrapper(kek).wrap(
            json.dumps(inner).encode(), context=b"secpolicy.keyset.v2\x00"
        )
        doc = json.dumps(
            {"format": "secpolicy.keyset", "version": 2, "purpose": "", "wrapped": b64encode(blob)}
        )
        with pytest.raises(KeysetError, match=r"^keys\[0\]\.exportable: unknown field$"):
            Keyset.from_json(doc, kek=kek)

    def test_a_long_or_odd_member_name_is_shortened(self) -> None:
        """A huge or control-character member name is cut and quoted in the message."""
        doc = Keyset.generate().to_dict()
        doc["x\n" * 500] = 1
        with pytest.raises(KeysetError, match="unknown field") as info:
            Keyset.from_json(json.dumps(doc))
        assert len(str(info.value)) < 120
        assert "\n" not in str(info.value)

    @pytest.mark.parametrize("wrapped", [False, True])
    def test_a_repeated_member_is_refused(self, wrapped: bool) -> None:
        """{"primary": 1, "primary": 2} is refused, not read as whichever comes last."""
        kek = b"K" * 32
        ks = Keyset.generate()
        text = ks.to_json(kek=kek) if wrapped else ks.to_json(unencrypted=True)
        doubled = text.replace('"format":', '"format":"secpolicy.keyset","format":', 1)
        with pytest.raises(KeysetError, match=r"^format: duplicate member$"):
            Keyset.from_json(doubled, kek=kek if wrapped else None)

    def test_a_key_without_material_is_refused(self) -> None:
        """Every key states its material (null once destroyed); a missing one is an error."""
        doc = Keyset.generate().to_dict()
        del doc["keys"][0]["material"]
        with pytest.raises(KeysetError, match=r"keys\[0\]\.material: missing"):
            Keyset.from_json(json.dumps(doc))

    def test_a_key_that_is_not_an_object_is_refused(self) -> None:
        """A key given as a list or a string is a KeysetError naming it."""
        doc = Keyset.generate().to_dict()
        doc["keys"].append(["id", 5])
        with pytest.raises(KeysetError, match=r"keys\[1\]: expected a JSON object"):
            Keyset.from_json(json.dumps(doc))

    def test_everything_written_loads(self) -> None:
        """What to_json writes, clear or wrapped with a purpose, has only known members."""
        ks = Keyset.generate()
        ks.rotate()
        ks.destroy(ks.keys[0].id)
        assert len(Keyset.from_json(ks.to_json(unencrypted=True))) == 2
        kek = b"K" * 32
        wrapped = ks.to_json(kek=kek, purpose="ids")
        assert len(Keyset.from_json(wrapped, kek=kek, purpose="ids")) == 2

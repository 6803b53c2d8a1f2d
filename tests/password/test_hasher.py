"""PasswordHasher: argon2id, NFKC, pepper, rehash."""

from __future__ import annotations

import base64
import hashlib
import sys
import types
from typing import Literal

import argon2
import pytest

from secpolicy.exceptions import PolicyConfigError
from secpolicy.password import ASVS_MINIMUM, CHEAPEST, RFC_9106_LOW_MEMORY, PasswordHasher


class TestPasswordHasher:
    def test_round_trip(self) -> None:
        """A hash verifies its password and nothing else."""
        hasher = PasswordHasher.unsafe_for_tests()
        digest = hasher.hash("correct horse")
        assert digest.startswith("$argon2id$")
        assert hasher.verify(digest, "correct horse")
        assert not hasher.verify(digest, "correct horsE")

    def test_nfkc(self) -> None:
        """Full-width and composed forms verify against the same hash."""
        hasher = PasswordHasher.unsafe_for_tests()
        digest = hasher.hash("ｐａｓｓ Café")
        assert hasher.verify(digest, "pass Cafe\u0301")

    def test_pepper(self) -> None:
        """With a pepper, a hasher without it cannot verify."""
        peppered = PasswordHasher.unsafe_for_tests(pepper=b"k" * 32)
        digest = peppered.hash("secret")
        assert peppered.verify(digest, "secret")
        assert not PasswordHasher.unsafe_for_tests().verify(digest, "secret")
        assert "kkkk" not in repr(peppered)
        assert "pepper=<hidden>" in repr(peppered)

    def test_malformed_hash(self) -> None:
        """A malformed hash does not verify and needs a rehash."""
        hasher = PasswordHasher.unsafe_for_tests()
        assert not hasher.verify("not a hash", "x")
        assert hasher.needs_rehash("not a hash")

    def test_needs_rehash(self) -> None:
        """Hashes made with other parameters need a rehash."""
        cheap = PasswordHasher.unsafe_for_tests().hash("x")
        assert not PasswordHasher.unsafe_for_tests().needs_rehash(cheap)
        assert PasswordHasher(ASVS_MINIMUM).needs_rehash(cheap)

    def test_surrogates_and_types(self) -> None:
        """Lone surrogates hash; non-str input is refused."""
        hasher = PasswordHasher.unsafe_for_tests()
        assert hasher.verify(hasher.hash("a\ud800b"), "a\ud800b")
        with pytest.raises(TypeError):
            hasher.hash(b"x")  # type: ignore[arg-type]

    def test_parameters(self) -> None:
        """The default is RFC 9106's low-memory option; only argon2id and long peppers pass."""
        assert PasswordHasher().parameters == RFC_9106_LOW_MEMORY
        assert ASVS_MINIMUM.memory_cost == 19 * 1024
        argon2i = argon2.Parameters(
            type=argon2.Type.I,
            version=19,
            salt_len=16,
            hash_len=32,
            time_cost=1,
            memory_cost=8,
            parallelism=1,
        )
        with pytest.raises(PolicyConfigError, match="argon2id"):
            PasswordHasher(argon2i)
        with pytest.raises(PolicyConfigError, match="16 bytes"):
            PasswordHasher.unsafe_for_tests(pepper=b"short")


def _params(**changes: int) -> argon2.Parameters:
    base = {
        "salt_len": 16,
        "hash_len": 32,
        "time_cost": 2,
        "memory_cost": 19 * 1024,
        "parallelism": 1,
        "version": 19,
    }
    base.update(changes)
    return argon2.Parameters(type=argon2.Type.ID, **base)


def _django_pbkdf2(password: str, salt: str, iterations: int, digest: str = "sha256") -> str:
    size = 32 if digest == "sha256" else 20
    raw = hashlib.pbkdf2_hmac(digest, password.encode(), salt.encode(), iterations, size)
    return f"pbkdf2_{digest}${iterations}${salt}${base64.b64encode(raw).decode()}"


class TestFloors:
    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"time_cost": 1}, "parameters"),
            ({"memory_cost": 8}, "parameters"),
            ({"time_cost": 1, "memory_cost": 8}, "parameters"),
            ({"hash_len": 4}, "parameters.hash_len"),
            ({"salt_len": 8}, "parameters.salt_len"),
            ({"version": 16}, "parameters.version"),
        ],
    )
    def test_cheap_parameters_are_refused(self, changes: dict[str, int], field: str) -> None:
        """Below argon2id t>=2, m>=19 MiB, hash and salt of 16 bytes: PolicyConfigError."""
        with pytest.raises(PolicyConfigError) as caught:
            PasswordHasher(_params(**changes))
        assert caught.value.field == field

    @pytest.mark.parametrize("given", [{"time_cost": 3}, "RFC_9106_LOW_MEMORY", 3])
    def test_parameters_that_are_not_parameters(self, given: object) -> None:
        """A dict, a profile name or a number as parameters is a PolicyConfigError."""
        with pytest.raises(PolicyConfigError, match="parameters"):
            PasswordHasher(given)  # type: ignore[arg-type]

    def test_cheapest_needs_its_name(self) -> None:
        """CHEAPEST passed as parameters is refused; asked for by name it is allowed."""
        with pytest.raises(PolicyConfigError, match="unsafe_for_tests"):
            PasswordHasher(CHEAPEST)
        assert PasswordHasher(profile="CHEAPEST_UNSAFE").parameters == CHEAPEST
        assert "UNSAFE" in repr(PasswordHasher.unsafe_for_tests())

    @pytest.mark.parametrize(
        "params",
        [
            ASVS_MINIMUM,
            RFC_9106_LOW_MEMORY,
            _params(time_cost=1, memory_cost=46 * 1024),
            _params(time_cost=3, memory_cost=12 * 1024),
            _params(time_cost=5, memory_cost=7 * 1024),
        ],
    )
    def test_floor_and_its_equivalents_pass(self, params: argon2.Parameters) -> None:
        """The OWASP floor and its equivalent memory/passes pairs are accepted."""
        assert PasswordHasher(params).parameters == params

    def test_profiles_by_name(self) -> None:
        """Named profiles resolve; unknown names and both arguments are refused."""
        assert PasswordHasher(profile="ASVS_MINIMUM").parameters == ASVS_MINIMUM
        with pytest.raises(PolicyConfigError, match="profile"):
            PasswordHasher(profile="FAST")  # type: ignore[arg-type]
        with pytest.raises(PolicyConfigError, match="not both"):
            PasswordHasher(ASVS_MINIMUM, profile="ASVS_MINIMUM")


class TestLegacyHashes:
    def test_django_pbkdf2_sha256(self) -> None:
        """Django's PBKDF2-SHA256 hashes verify and need a rehash."""
        hasher = PasswordHasher.unsafe_for_tests()
        stored = _django_pbkdf2("correct horse", "salt1234salt", 1000)
        assert hasher.verify(stored, "correct horse")
        assert not hasher.verify(stored, "correct horsE")
        assert hasher.needs_rehash(stored)

    def test_django_known_answer(self) -> None:
        """A hash computed by Django's own PBKDF2PasswordHasher verifies."""
        django_hashers = pytest.importorskip("django.contrib.auth.hashers")
        stored = django_hashers.PBKDF2PasswordHasher().encode("s3cret!", "abcdefgh12345678", 1000)
        assert PasswordHasher.unsafe_for_tests().verify(stored, "s3cret!")

    def test_django_pbkdf2_sha1(self) -> None:
        """Django's PBKDF2-SHA1 hashes verify too."""
        stored = _django_pbkdf2("pw-one", "saltsalt", 500, "sha1")
        assert PasswordHasher.unsafe_for_tests().verify(stored, "pw-one")

    @pytest.mark.parametrize(
        "stored",
        [
            "pbkdf2_sha256$0$salt$AAAA",
            "pbkdf2_sha256$99999999999$salt$AAAA",
            "pbkdf2_sha256$x$salt$AAAA",
            "pbkdf2_sha256$1000$salt",
            "md5$salt$0123",
            "unsalted_md5$0123",
            "bcrypt$$2b$12$notavalidhash",
            "",
        ],
    )
    def test_malformed_and_weak_legacy_hashes_do_not_verify(self, stored: str) -> None:
        """Absurd iteration counts, unknown schemes and broken hashes never verify."""
        hasher = PasswordHasher.unsafe_for_tests()
        assert not hasher.verify(stored, "x")
        assert hasher.needs_rehash(stored)

    def test_django_argon2_prefix(self) -> None:
        """Django's ``argon2$argon2id$...`` form verifies and needs a rehash."""
        hasher = PasswordHasher.unsafe_for_tests()
        stored = "argon2" + hasher.hash("pw")
        assert hasher.verify(stored, "pw")
        assert hasher.needs_rehash(stored)


def _count_dummies(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Record the hashes verified by the dummy path (argon2's low-level verify)."""
    seen: list[bytes] = []
    real = argon2.low_level.verify_secret

    def counting(hash_: bytes, secret: bytes, type_: argon2.Type) -> Literal[True]:
        seen.append(hash_)
        return real(hash_, secret, type_)

    monkeypatch.setattr(argon2.low_level, "verify_secret", counting)
    return seen


class TestUnknownAccounts:
    def test_verify_none_runs_a_dummy(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """verify(None, pw) and verify_dummy(pw) run one argon2 verification and return False."""
        hasher = PasswordHasher.unsafe_for_tests()
        calls = _count_dummies(monkeypatch)
        assert hasher.verify(None, "guess") is False
        assert hasher.verify_dummy("guess") is False
        assert len(calls) == 2
        assert calls[0] == calls[1]
        assert calls[0].startswith(b"$argon2id$")
        assert not hasher.needs_rehash(calls[0].decode())


class TestHashesThatCannotBeChecked:
    """A stored hash the hasher cannot check costs what an unknown account costs."""

    @pytest.mark.parametrize(
        "stored",
        [
            "",
            "!Zx9unusablePasswordFromDjango",
            "md5$salt$0123",
            "unsalted_md5$0123",
            "pbkdf2_sha256$0$salt$AAAA",
            "pbkdf2_sha256$99999999999$salt$AAAA",
            "pbkdf2_sha256$x$salt$AAAA",
            "pbkdf2_sha256$1000$salt",
            "pbkdf2_sha256$" + "9" * 5000 + "$salt$AAAA",
            "$argon2id$v=19$garbage",
            "$argon2id$v=19$m=4194304,t=3,p=4$c2FsdHNhbHRzYWx0c2FsdA$" + "A" * 43,
            "argon2$argon2id$v=19$garbage",
            "bcrypt$$2b$12$" + "a" * 53,
            b"$argon2id$v=19$m=8,t=1,p=1$",
        ],
    )
    def test_it_runs_the_dummy(self, monkeypatch: pytest.MonkeyPatch, stored: object) -> None:
        """Unusable, unknown, malformed, over-costly or unsupported hashes verify the dummy."""
        monkeypatch.setitem(sys.modules, "bcrypt", None)
        hasher = PasswordHasher.unsafe_for_tests()
        dummies = _count_dummies(monkeypatch)
        assert hasher.verify(stored, "guess") is False  # type: ignore[arg-type]
        assert len(dummies) == 1
        assert not hasher.needs_rehash(dummies[0].decode())

    def test_a_checked_mismatch_runs_no_dummy(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A legacy hash that was really checked does not add the dummy's work."""
        hasher = PasswordHasher.unsafe_for_tests()
        dummies = _count_dummies(monkeypatch)
        assert not hasher.verify(_django_pbkdf2("right", "saltsalt", 1000), "wrong")
        assert not hasher.verify(hasher.hash("right"), "wrong")
        assert not hasher.verify("argon2" + hasher.hash("right"), "wrong")
        assert dummies == []


class TestLegacyEdges:
    def test_bcrypt_through_an_installed_module(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """With a bcrypt module present, Django's bcrypt and bcrypt_sha256 forms are checked."""
        seen: list[tuple[bytes, bytes]] = []

        class FakeBcrypt(types.ModuleType):
            def checkpw(self, secret: bytes, stored: bytes) -> bool:
                seen.append((secret, stored))
                if stored == b"broken":
                    raise ValueError("invalid salt")
                return stored == b"$2b$12$good"

        monkeypatch.setitem(sys.modules, "bcrypt", FakeBcrypt("bcrypt"))
        hasher = PasswordHasher.unsafe_for_tests()
        assert hasher.verify("bcrypt$$2b$12$good", "pw")
        assert seen[-1][0] == b"pw"
        assert hasher.verify("bcrypt_sha256$$2b$12$good", "pw")
        assert seen[-1][0] == hashlib.sha256(b"pw").hexdigest().encode()
        assert not hasher.verify("bcrypt$broken", "pw")
        assert not hasher.verify("bcrypt$$2b$12$other", "pw")
        assert hasher.needs_rehash("bcrypt$$2b$12$good")

    def test_without_bcrypt_bcrypt_hashes_do_not_verify(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without the bcrypt package the account is not opened (fail closed)."""
        monkeypatch.setitem(sys.modules, "bcrypt", None)
        assert not PasswordHasher.unsafe_for_tests().verify("bcrypt$$2b$12$good", "pw")

    def test_non_text_inputs(self) -> None:
        """A hash that is not text does not verify; a non-str password is a TypeError."""
        hasher = PasswordHasher.unsafe_for_tests()
        assert not hasher.verify(b"$argon2id$", "pw")  # type: ignore[arg-type]
        assert hasher.needs_rehash(None)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            hasher.verify("pbkdf2_sha256$1$s$h", b"pw")  # type: ignore[arg-type]

    def test_malformed_argon2_needs_rehash(self) -> None:
        """An argon2id string that does not parse needs a rehash."""
        assert PasswordHasher.unsafe_for_tests().needs_rehash("$argon2id$v=19$garbage")

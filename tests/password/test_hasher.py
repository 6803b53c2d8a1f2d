"""PasswordHasher: argon2id, NFKC, pepper, rehash."""

from __future__ import annotations

import argon2
import pytest

from secpolicy.exceptions import PolicyConfigError
from secpolicy.password import ASVS_MINIMUM, CHEAPEST, RFC_9106_LOW_MEMORY, PasswordHasher


class TestPasswordHasher:
    def test_round_trip(self) -> None:
        """A hash verifies its password and nothing else."""
        hasher = PasswordHasher(CHEAPEST)
        digest = hasher.hash("correct horse")
        assert digest.startswith("$argon2id$")
        assert hasher.verify(digest, "correct horse")
        assert not hasher.verify(digest, "correct horsE")

    def test_nfkc(self) -> None:
        """Full-width and composed forms verify against the same hash."""
        hasher = PasswordHasher(CHEAPEST)
        digest = hasher.hash("ｐａｓｓ Café")
        assert hasher.verify(digest, "pass Cafe\u0301")

    def test_pepper(self) -> None:
        """With a pepper, a hasher without it cannot verify."""
        peppered = PasswordHasher(CHEAPEST, pepper=b"k" * 32)
        digest = peppered.hash("secret")
        assert peppered.verify(digest, "secret")
        assert not PasswordHasher(CHEAPEST).verify(digest, "secret")
        assert "kkkk" not in repr(peppered)
        assert "pepper=<hidden>" in repr(peppered)

    def test_malformed_hash(self) -> None:
        """A malformed hash does not verify and needs a rehash."""
        hasher = PasswordHasher(CHEAPEST)
        assert not hasher.verify("not a hash", "x")
        assert hasher.needs_rehash("not a hash")

    def test_needs_rehash(self) -> None:
        """Hashes made with other parameters need a rehash."""
        cheap = PasswordHasher(CHEAPEST).hash("x")
        assert not PasswordHasher(CHEAPEST).needs_rehash(cheap)
        assert PasswordHasher(ASVS_MINIMUM).needs_rehash(cheap)

    def test_surrogates_and_types(self) -> None:
        """Lone surrogates hash; non-str input is refused."""
        hasher = PasswordHasher(CHEAPEST)
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
            PasswordHasher(CHEAPEST, pepper=b"short")

"""Password hashing with argon2id (argon2-cffi), RFC 9106 parameters and an optional pepper."""

from __future__ import annotations

import base64
import hmac
import unicodedata
from typing import Final

import argon2
from argon2 import profiles as _argon2_profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from secpolicy.exceptions import PolicyConfigError

#: RFC 9106's second recommended option (t=3, m=64 MiB, p=4): the default.
RFC_9106_LOW_MEMORY: Final = _argon2_profiles.RFC_9106_LOW_MEMORY
#: RFC 9106's first recommended option (t=1, m=2 GiB, p=4), for dedicated hosts.
RFC_9106_HIGH_MEMORY: Final = _argon2_profiles.RFC_9106_HIGH_MEMORY
#: The floor of OWASP ASVS 5.0 appendix C: argon2id, t=2, m=19 MiB, p=1.
ASVS_MINIMUM: Final = argon2.Parameters(
    type=argon2.Type.ID,
    version=19,
    salt_len=16,
    hash_len=32,
    time_cost=2,
    memory_cost=19 * 1024,
    parallelism=1,
)
#: The cheapest parameters argon2-cffi accepts: for tests only.
CHEAPEST: Final = _argon2_profiles.CHEAPEST


class PasswordHasher:
    """Hash and verify passwords with argon2id.

    Passwords are NFKC-normalised before hashing, so a password typed with
    full-width letters or composed accents verifies against the same hash
    (NIST SP 800-63B-4). Every code point counts; nothing is truncated.

    Args:
        parameters: argon2 parameters (default ``RFC_9106_LOW_MEMORY``,
            ~150-200 ms on a small VM). Use ``CHEAPEST`` in tests only.
        pepper: A secret key kept outside the database (environment, KMS).
            When set, the password is HMAC-SHA256'd with it before argon2,
            so a stolen database alone cannot be attacked offline. Losing the
            pepper makes every hash unverifiable.

    Raises:
        PolicyConfigError: For parameters that are not argon2id, or a pepper
            shorter than 16 bytes.
    """

    __slots__ = ("_hasher", "_pepper", "parameters")

    def __init__(
        self, parameters: argon2.Parameters = RFC_9106_LOW_MEMORY, *, pepper: bytes | None = None
    ) -> None:
        if parameters.type is not argon2.Type.ID:
            raise PolicyConfigError("must be argon2id (Type.ID)", field="parameters.type")
        if pepper is not None and len(pepper) < 16:  # noqa: PLR2004 (128 bits)
            raise PolicyConfigError("must be at least 16 bytes", field="pepper")
        self.parameters = parameters
        self._pepper = pepper
        self._hasher = argon2.PasswordHasher.from_parameters(parameters)

    def _prepare(self, password: str) -> str:
        if not isinstance(password, str):
            raise TypeError(f"password must be str, not {type(password).__name__}")
        text = unicodedata.normalize("NFKC", password)
        if self._pepper is None:
            return text
        digest = hmac.digest(self._pepper, text.encode("utf-8", "surrogatepass"), "sha256")
        return base64.b64encode(digest).decode("ascii")

    def hash(self, password: str) -> str:
        """An argon2id hash of *password* with a fresh random salt (PHC string format)."""
        return self._hasher.hash(self._prepare(password).encode("utf-8", "surrogatepass"))

    def verify(self, hash: str, password: str) -> bool:  # noqa: A002 (argon2-cffi's own name)
        """True if *password* matches *hash*; False for a mismatch or a malformed hash."""
        try:
            return bool(
                self._hasher.verify(hash, self._prepare(password).encode("utf-8", "surrogatepass"))
            )
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, hash: str) -> bool:  # noqa: A002
        """True if *hash* was made with other parameters: rehash at the next login."""
        try:
            return bool(self._hasher.check_needs_rehash(hash))
        except InvalidHashError:
            return True

    def __repr__(self) -> str:
        p = self.parameters
        pepper = ", pepper=<hidden>" if self._pepper else ""
        return f"PasswordHasher(t={p.time_cost}, m={p.memory_cost} KiB, p={p.parallelism}{pepper})"

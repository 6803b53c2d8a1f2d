"""Password hashing with argon2id (argon2-cffi), RFC 9106 parameters and an optional pepper.

Besides its own argon2id hashes, :class:`PasswordHasher` verifies the hashes a
Django project leaves behind (PBKDF2 through :mod:`hashlib`, bcrypt when the
``bcrypt`` package is installed) so that accounts move to argon2id at their
next login.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import re
import threading
import unicodedata
from typing import Final, Literal

import argon2
from argon2 import low_level
from argon2 import profiles as _argon2_profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from secpolicy.exceptions import ArgumentTypeError, InvalidArgumentError, PolicyConfigError

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
#: The cheapest parameters argon2-cffi accepts: for tests only. ``PasswordHasher``
#: refuses them unless asked by name (``PasswordHasher.unsafe_for_tests()``).
CHEAPEST: Final = _argon2_profiles.CHEAPEST

#: The named parameter sets :class:`PasswordHasher` accepts as ``profile=``.
HasherProfile = Literal[
    "RFC_9106_LOW_MEMORY", "RFC_9106_HIGH_MEMORY", "ASVS_MINIMUM", "CHEAPEST_UNSAFE"
]
_PROFILES: Final[dict[str, argon2.Parameters]] = {
    "RFC_9106_LOW_MEMORY": RFC_9106_LOW_MEMORY,
    "RFC_9106_HIGH_MEMORY": RFC_9106_HIGH_MEMORY,
    "ASVS_MINIMUM": ASVS_MINIMUM,
    "CHEAPEST_UNSAFE": CHEAPEST,
}
_UNSAFE: Final = "CHEAPEST_UNSAFE"
#: OWASP's equivalent argon2id settings (memory in KiB, least passes for it):
#: 46 MiB x 1, 19 MiB x 2, 12 MiB x 3, 9 MiB x 4, 7 MiB x 5.
_FLOORS: Final = ((46 * 1024, 1), (19 * 1024, 2), (12 * 1024, 3), (9 * 1024, 4), (7 * 1024, 5))
_ARGON2_VERSION: Final = 19
_MIN_HASH_LEN: Final = 16
_MIN_SALT_LEN: Final = 16
_MIN_PEPPER: Final = 16
#: The longest password, in code points as received, that is hashed or
#: verified (Django's historical cap). Normalising a megabyte takes seconds, so
#: a longer one is refused before any work: a login request cannot buy CPU time.
MAX_PASSWORD_LENGTH: Final = 4096
#: Stored PBKDF2 hashes asking for more iterations than this are refused rather
#: than run (a planted hash must not buy minutes of CPU per login).
MAX_PBKDF2_ITERATIONS: Final = 10_000_000
#: A stored argon2 hash may cost at most this many times what this hasher's
#: own parameters (or RFC 9106's low-memory ones, if larger) cost, in memory,
#: passes, lanes and memory x passes; a costlier one does not verify.
MAX_COST_FACTOR: Final = 4
_LOW_MEMORY_COST: Final = RFC_9106_LOW_MEMORY.memory_cost * RFC_9106_LOW_MEMORY.time_cost
#: Stored bcrypt hashes with a cost (log2 of the rounds) above this are refused
#: rather than run: 16 takes seconds, bcrypt's maximum of 31 days.
MAX_BCRYPT_COST: Final = 16
_BCRYPT_COST: Final = re.compile(r"\$2[abxy]?\$([0-9]{2})\$")
_PBKDF2_DIGESTS: Final = {"pbkdf2_sha256": ("sha256", 32), "pbkdf2_sha1": ("sha1", 20)}
_DUMMY_PASSWORD: Final = "secpolicy dummy password for unknown accounts"  # noqa: S105 (public by design)


_HINT: Final = "; in tests use PasswordHasher.unsafe_for_tests()"


def _check_type(parameters: object) -> None:
    if not isinstance(parameters, argon2.Parameters):
        raise PolicyConfigError(
            f"must be argon2.Parameters (or pass profile=...), not {type(parameters).__name__}",
            field="parameters",
        )


def _check_floors(parameters: argon2.Parameters) -> None:
    if parameters.version != _ARGON2_VERSION:
        # argon2-cffi writes version 0x13 whatever is asked: refuse rather than
        # report parameters the hashes do not have. 0x10 is the flawed original.
        raise PolicyConfigError(
            f"must be {_ARGON2_VERSION} (0x13, the version RFC 9106 specifies)",
            field="parameters.version",
        )
    if parameters.type is not argon2.Type.ID:
        raise PolicyConfigError("must be argon2id (Type.ID)", field="parameters.type")
    if parameters.hash_len < _MIN_HASH_LEN:
        raise PolicyConfigError(
            f"must be at least {_MIN_HASH_LEN} bytes (RFC 9106){_HINT}", field="parameters.hash_len"
        )
    if parameters.salt_len < _MIN_SALT_LEN:
        raise PolicyConfigError(
            f"must be at least {_MIN_SALT_LEN} bytes (RFC 9106){_HINT}", field="parameters.salt_len"
        )
    if parameters.parallelism < 1:
        raise PolicyConfigError("must be at least 1", field="parameters.parallelism")
    if not any(
        parameters.memory_cost >= memory and parameters.time_cost >= passes
        for memory, passes in _FLOORS
    ):
        raise PolicyConfigError(
            "below the OWASP/RFC 9106 floor (argon2id t>=2 with m>=19 MiB, or an equivalent: "
            f"46 MiB x 1, 12 MiB x 3, 9 MiB x 4, 7 MiB x 5){_HINT}",
            field="parameters",
        )


def _too_long(password: object) -> bool:
    """*password* is text longer than ``MAX_PASSWORD_LENGTH`` (checked for untyped callers)."""
    return isinstance(password, str) and len(password) > MAX_PASSWORD_LENGTH


class PasswordHasher:
    """Hash and verify passwords with argon2id; verify and flag legacy hashes.

    Passwords are NFKC-normalised before hashing, so a password typed with
    full-width letters or composed accents verifies against the same hash
    (NIST SP 800-63B-4). Every code point counts; nothing is truncated.

    Parameters below the OWASP / RFC 9106 floor (argon2id with t>=2 and
    m>=19 MiB or an equivalent, p>=1, hash and salt of 16 bytes or more) are
    refused: a cheap hash is a silent downgrade. Tests that need speed ask for
    it by name: :meth:`unsafe_for_tests` or ``profile="CHEAPEST_UNSAFE"``.

    :meth:`verify` also accepts the hashes Django writes (``pbkdf2_sha256$``,
    ``pbkdf2_sha1$``, ``argon2$argon2id$``, and ``bcrypt_sha256$`` /
    ``bcrypt$`` when the ``bcrypt`` package is installed; without it those do
    not verify), and :meth:`needs_rehash` is True for all of them, so a login
    that verifies can store :meth:`hash`'s result in their place. Legacy hashes
    are checked against the password as received, as Django does, and without
    the pepper.

    A stored argon2 hash whose parameters cost more than ``MAX_COST_FACTOR``
    (4) times this hasher's own (or RFC 9106 low-memory's, if larger) does
    not verify and needs a rehash: a planted ``m=4194304`` or ``t=100000``
    hash cannot make one login allocate gigabytes or run for minutes. To
    lower the parameters by more than that, verify with the old hasher.

    Args:
        parameters: argon2 parameters (default ``RFC_9106_LOW_MEMORY``,
            ~150-200 ms on a small VM).
        profile: A named parameter set instead of *parameters*:
            ``"RFC_9106_LOW_MEMORY"``, ``"RFC_9106_HIGH_MEMORY"``,
            ``"ASVS_MINIMUM"`` or ``"CHEAPEST_UNSAFE"`` (tests only).
        pepper: A secret key kept outside the database (environment, KMS).
            When set, the password is HMAC-SHA256'd with it before argon2,
            so a stolen database alone cannot be attacked offline. Losing the
            pepper makes every hash unverifiable.

    Raises:
        PolicyConfigError: For parameters that are not ``argon2.Parameters``,
            not argon2id version 0x13, or fall below the floor, an unknown
            profile, both *parameters* and *profile*, or a pepper shorter
            than 16 bytes.

    .. versionchanged:: 0.2
       Parameter floors, ``profile=``, legacy Django hashes, :meth:`verify_dummy`.
    """

    __slots__ = ("_dummy", "_dummy_lock", "_hasher", "_pepper", "parameters", "profile")

    def __init__(
        self,
        parameters: argon2.Parameters | None = None,
        *,
        profile: Literal[
            "RFC_9106_LOW_MEMORY", "RFC_9106_HIGH_MEMORY", "ASVS_MINIMUM", "CHEAPEST_UNSAFE"
        ]
        | None = None,
        pepper: bytes | None = None,
    ) -> None:
        if profile is not None:
            if parameters is not None:
                raise PolicyConfigError("give parameters or profile, not both", field="profile")
            if profile not in _PROFILES:
                raise PolicyConfigError(f"must be one of {', '.join(_PROFILES)}", field="profile")
            parameters = _PROFILES[profile]
        elif parameters is None:
            parameters = RFC_9106_LOW_MEMORY
        _check_type(parameters)
        if profile != _UNSAFE:
            _check_floors(parameters)
        given: object = pepper  # checked at run time for untyped callers
        if given is not None and (not isinstance(given, bytes) or len(given) < _MIN_PEPPER):
            raise PolicyConfigError("must be at least 16 bytes", field="pepper")
        self.parameters = parameters
        self.profile: HasherProfile | None = profile
        self._pepper = pepper
        self._hasher = argon2.PasswordHasher.from_parameters(parameters)
        self._dummy: bytes | None = None
        self._dummy_lock = threading.Lock()

    @classmethod
    def unsafe_for_tests(cls, *, pepper: bytes | None = None) -> PasswordHasher:
        """A hasher with argon2-cffi's cheapest parameters, for test suites only.

        .. danger::
            These parameters give no protection to a stolen hash. Never use
            them outside tests.

        .. versionadded:: 0.2
        """
        return cls(profile=_UNSAFE, pepper=pepper)

    def _prepare(self, password: str) -> str:
        if not isinstance(password, str):
            raise ArgumentTypeError(f"password must be str, not {type(password).__name__}")
        if len(password) > MAX_PASSWORD_LENGTH:
            raise InvalidArgumentError(f"password is longer than {MAX_PASSWORD_LENGTH} characters")
        text = unicodedata.normalize("NFKC", password)
        if self._pepper is None:
            return text
        digest = hmac.digest(self._pepper, text.encode("utf-8", "surrogatepass"), "sha256")
        return base64.b64encode(digest).decode("ascii")

    def hash(self, password: str) -> str:
        """An argon2id hash of *password* with a fresh random salt (PHC string format).

        Raises:
            InvalidArgumentError: If *password* is longer than
                ``MAX_PASSWORD_LENGTH`` (4,096) characters.
        """
        return self._hasher.hash(self._prepare(password).encode("utf-8", "surrogatepass"))

    def verify(self, hash: str | None, password: str) -> bool:  # noqa: A002 (argon2-cffi's own name)
        """True if *password* matches *hash*; False for a mismatch or a malformed hash.

        Pass ``None`` as *hash* for an account that does not exist: the
        hasher then spends the same time on a dummy hash and returns False,
        so the response time does not tell which accounts exist. A stored
        hash that cannot be checked (empty, Django's ``!`` unusable password,
        an unknown scheme, malformed, over the cost caps, or bcrypt without
        the ``bcrypt`` package) costs the same dummy verification before
        False, so such accounts do not stand out either. A password longer
        than ``MAX_PASSWORD_LENGTH`` is False at once, for every account.

        .. versionchanged:: 0.2
           Hashes that cannot be checked run the dummy verification.
        """
        if _too_long(password):
            return False  # no account has it: refused before any work
        stored: object = hash  # checked at run time for untyped callers
        if not isinstance(stored, str):
            return self.verify_dummy(password)
        if stored.startswith("$argon2"):
            matched = self._verify_argon2(stored, self._prepare(password))
        else:
            matched = self._verify_legacy(stored, password)
        if matched is None:  # nothing was checked: spend an unknown account's time
            return self.verify_dummy(password)
        return matched

    def _affordable(self, hash: str) -> bool:  # noqa: A002
        """The stored hash's parameters cost at most ``MAX_COST_FACTOR`` times this hasher's.

        A planted hash (``m=4194304`` or ``t=100000``) would otherwise make one
        login allocate gigabytes or run for minutes, as an uncapped PBKDF2
        iteration count would.
        """
        try:
            stored = argon2.extract_parameters(hash)
        except (InvalidHashError, ValueError):
            return False
        own = self.parameters
        memory = max(own.memory_cost, RFC_9106_LOW_MEMORY.memory_cost) * MAX_COST_FACTOR
        passes = max(own.time_cost, RFC_9106_LOW_MEMORY.time_cost) * MAX_COST_FACTOR
        lanes = max(own.parallelism, RFC_9106_LOW_MEMORY.parallelism) * MAX_COST_FACTOR
        return (
            stored.memory_cost <= memory
            and stored.time_cost <= passes
            and stored.parallelism <= lanes
            and stored.memory_cost * stored.time_cost
            <= max(own.memory_cost * own.time_cost, _LOW_MEMORY_COST) * MAX_COST_FACTOR
        )

    def _verify_argon2(self, hash: str, prepared: str) -> bool | None:  # noqa: A002
        """True or False once checked; None if *hash* could not be checked at all."""
        if not self._affordable(hash):
            return None
        try:
            return bool(self._hasher.verify(hash, prepared.encode("utf-8", "surrogatepass")))
        except VerifyMismatchError:
            return False
        except (VerificationError, InvalidHashError):
            return None

    def verify_dummy(self, password: str) -> bool:
        """Spend one verification's time on a dummy hash and return False.

        Call it when the login names an unknown account, in place of
        :meth:`verify`, so that timing does not reveal which accounts exist.

        .. versionadded:: 0.2
        """
        if _too_long(password):
            return False
        prepared = self._prepare(password)
        dummy = self._dummy
        if dummy is None:
            with self._dummy_lock:
                if self._dummy is None:
                    self._dummy = self._hasher.hash(_DUMMY_PASSWORD).encode("ascii")
                dummy = self._dummy
        # The check argon2-cffi's verify makes, on a hash of this hasher's own
        # parameters: the cost of a real account's verification, whatever the
        # stored hash was (absent, unusable, or too costly to run).
        with contextlib.suppress(VerificationError, InvalidHashError):
            low_level.verify_secret(
                dummy, prepared.encode("utf-8", "surrogatepass"), argon2.Type.ID
            )
        return False

    def _verify_legacy(self, hash: str, password: str) -> bool | None:  # noqa: A002
        """True or False once checked; None for a hash no scheme here can check."""
        if not isinstance(password, str):
            raise ArgumentTypeError(f"password must be str, not {type(password).__name__}")
        algorithm, _, rest = hash.partition("$")
        if algorithm == "argon2" and rest.startswith("argon2id$"):
            # Django writes "argon2" + the PHC string without its leading "$".
            return self._verify_argon2("$" + rest, password)
        if algorithm in _PBKDF2_DIGESTS:
            return _verify_pbkdf2(algorithm, rest, password)
        if algorithm in ("bcrypt", "bcrypt_sha256"):
            return _verify_bcrypt(algorithm, rest, password)
        return None

    def needs_rehash(self, hash: str) -> bool:  # noqa: A002
        """True if *hash* is not argon2id with this hasher's parameters: rehash at the next login.

        Legacy (PBKDF2, bcrypt, Django-prefixed) and malformed hashes always
        need one.
        """
        stored: object = hash
        if not isinstance(stored, str) or not stored.startswith("$argon2id$"):
            return True
        if not self._affordable(hash):
            return True
        try:
            return bool(self._hasher.check_needs_rehash(hash))
        except InvalidHashError:
            return True

    def __repr__(self) -> str:
        p = self.parameters
        pepper = ", pepper=<hidden>" if self._pepper else ""
        unsafe = ", UNSAFE" if self.profile == _UNSAFE else ""
        return (
            f"PasswordHasher(t={p.time_cost}, m={p.memory_cost} KiB, p={p.parallelism}"
            f"{pepper}{unsafe})"
        )


def _verify_pbkdf2(algorithm: str, rest: str, password: str) -> bool | None:
    """Django's ``pbkdf2_sha256$<iterations>$<salt>$<base64 hash>``; None if malformed."""
    digest, size = _PBKDF2_DIGESTS[algorithm]
    parts = rest.split("$")
    if len(parts) != 3 or not parts[0].isascii() or not parts[0].isdigit():  # noqa: PLR2004
        return None
    count = parts[0].lstrip("0") or "0"
    # More digits than the cap has cannot be under it; thousands would make int() raise.
    if len(count) > len(str(MAX_PBKDF2_ITERATIONS)):
        return None
    iterations = int(count)
    if not 0 < iterations <= MAX_PBKDF2_ITERATIONS:
        return None
    salt, expected = parts[1], parts[2]
    derived = hashlib.pbkdf2_hmac(
        digest,
        password.encode("utf-8", "surrogatepass"),
        salt.encode("utf-8", "surrogatepass"),
        iterations,
        size,
    )
    computed = base64.b64encode(derived).decode("ascii")
    return hmac.compare_digest(computed.encode("ascii"), expected.encode("utf-8", "replace"))


def _verify_bcrypt(algorithm: str, rest: str, password: str) -> bool | None:
    """Django's ``bcrypt$<bcrypt hash>`` and ``bcrypt_sha256$<bcrypt hash>``; None if unchecked."""
    try:
        import bcrypt  # type: ignore[import-not-found, unused-ignore]  # noqa: PLC0415 (optional)
    except ImportError:
        return None  # cannot check: refuse, the account is not opened
    cost = _BCRYPT_COST.match(rest)
    if cost is None or int(cost.group(1)) > MAX_BCRYPT_COST:
        return None  # malformed, or a planted cost that would run for hours
    secret = password.encode("utf-8", "surrogatepass")
    if algorithm == "bcrypt_sha256":
        secret = hashlib.sha256(secret).hexdigest().encode("ascii")
    try:
        return bool(bcrypt.checkpw(secret, rest.encode("ascii")))
    except (ValueError, UnicodeEncodeError):
        return None  # a malformed hash, or a password bcrypt refuses to take

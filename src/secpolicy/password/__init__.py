"""Password policies, validation, hashing, expiry and failed-login throttling.

- :class:`PasswordPolicy` says what a password must satisfy; ``check()``
  returns every :class:`Violation` (stable codes, messages in English and
  Simplified Chinese), ``enforce()`` raises
  :class:`~secpolicy.exceptions.PasswordPolicyError`.
- :mod:`secpolicy.password.profiles` holds policies for NIST SP 800-63B-4,
  OWASP ASVS 5.0, PCI DSS v4.0.1 and GB/T 22239-2019 level 3, with citations.
- :class:`PasswordHasher` hashes with argon2id (RFC 9106 parameters).
- :class:`LoginThrottle` locks accounts after consecutive failures
  (:class:`AsyncLoginThrottle` for asyncio services).
- :class:`SessionPolicy` enforces a policy's idle timeout and second factor
  on login sessions.
- :func:`estimate` gives a 0-4 strength score with guesses and feedback;
  ``COMMON_PASSWORDS`` is the bundled blocklist; breach checkers look
  passwords up offline or through the k-anonymity range API.
"""

from __future__ import annotations

from secpolicy.exceptions import PasswordPolicyError
from secpolicy.password import profiles
from secpolicy.password._async_throttle import (
    AsyncLoginThrottle,
    AsyncMemoryThrottleStore,
    AsyncThrottleStore,
)
from secpolicy.password._breach import (
    AsyncBreachChecker,
    AsyncOnlineBreachChecker,
    BreachChecker,
    OfflineBreachChecker,
    OnlineBreachChecker,
    sha1_hex,
    urllib_transport,
)
from secpolicy.password._hasher import (
    ASVS_MINIMUM,
    CHEAPEST,
    MAX_PASSWORD_LENGTH,
    RFC_9106_HIGH_MEMORY,
    RFC_9106_LOW_MEMORY,
    PasswordHasher,
)
from secpolicy.password._policy import LockoutPolicy, PasswordContext, PasswordPolicy, Verifier
from secpolicy.password._rules import COMMON_PASSWORDS, Blocklist, normalise_for_blocklist
from secpolicy.password._session import SessionCheck, SessionPolicy, SessionReason, SessionState
from secpolicy.password._strength import FEEDBACK, REFERENCE_YEAR, Pattern, Strength, estimate
from secpolicy.password._throttle import (
    LockStatus,
    LoginThrottle,
    MemoryThrottleStore,
    ThrottleState,
    ThrottleStore,
)
from secpolicy.password._violations import (
    MESSAGES,
    Locale,
    PasswordCheck,
    Violation,
    ViolationCode,
)

__all__ = [
    "ASVS_MINIMUM",
    "CHEAPEST",
    "COMMON_PASSWORDS",
    "FEEDBACK",
    "MAX_PASSWORD_LENGTH",
    "MESSAGES",
    "REFERENCE_YEAR",
    "RFC_9106_HIGH_MEMORY",
    "RFC_9106_LOW_MEMORY",
    "AsyncBreachChecker",
    "AsyncLoginThrottle",
    "AsyncMemoryThrottleStore",
    "AsyncOnlineBreachChecker",
    "AsyncThrottleStore",
    "Blocklist",
    "BreachChecker",
    "Locale",
    "LockStatus",
    "LockoutPolicy",
    "LoginThrottle",
    "MemoryThrottleStore",
    "OfflineBreachChecker",
    "OnlineBreachChecker",
    "PasswordCheck",
    "PasswordContext",
    "PasswordHasher",
    "PasswordPolicy",
    "PasswordPolicyError",
    "Pattern",
    "SessionCheck",
    "SessionPolicy",
    "SessionReason",
    "SessionState",
    "Strength",
    "ThrottleState",
    "ThrottleStore",
    "Verifier",
    "Violation",
    "ViolationCode",
    "estimate",
    "normalise_for_blocklist",
    "profiles",
    "sha1_hex",
    "urllib_transport",
]

from secpolicy._public import set_module as _set_module

_set_module(globals())

"""Password policies, validation, hashing, expiry and failed-login throttling.

- :class:`PasswordPolicy` says what a password must satisfy; ``check()``
  returns every :class:`Violation` (stable codes, messages in English and
  Simplified Chinese), ``enforce()`` raises
  :class:`~secpolicy.exceptions.PasswordPolicyError`.
- :mod:`secpolicy.password.profiles` holds policies for NIST SP 800-63B-4,
  OWASP ASVS 5.0, PCI DSS v4.0.1 and GB/T 22239-2019 level 3, with citations.
- :class:`PasswordHasher` hashes with argon2id (RFC 9106 parameters).
- :class:`LoginThrottle` locks accounts after consecutive failures.
"""

from __future__ import annotations

from secpolicy.exceptions import PasswordPolicyError
from secpolicy.password import profiles
from secpolicy.password._breach import (
    BreachChecker,
    OfflineBreachChecker,
    OnlineBreachChecker,
    sha1_hex,
    urllib_transport,
)
from secpolicy.password._hasher import (
    ASVS_MINIMUM,
    CHEAPEST,
    RFC_9106_HIGH_MEMORY,
    RFC_9106_LOW_MEMORY,
    PasswordHasher,
)
from secpolicy.password._policy import LockoutPolicy, PasswordContext, PasswordPolicy, Verifier
from secpolicy.password._rules import Blocklist, normalise_for_blocklist
from secpolicy.password._throttle import (
    LockStatus,
    LoginThrottle,
    MemoryThrottleStore,
    ThrottleState,
    ThrottleStore,
)
from secpolicy.password._violations import MESSAGES, PasswordCheck, Violation

__all__ = [
    "ASVS_MINIMUM",
    "CHEAPEST",
    "MESSAGES",
    "RFC_9106_HIGH_MEMORY",
    "RFC_9106_LOW_MEMORY",
    "Blocklist",
    "BreachChecker",
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
    "ThrottleState",
    "ThrottleStore",
    "Verifier",
    "Violation",
    "normalise_for_blocklist",
    "profiles",
    "sha1_hex",
    "urllib_transport",
]

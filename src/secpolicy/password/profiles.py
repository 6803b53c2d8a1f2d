"""Password policies that encode a standard, with the clause behind every number.

Vary one with ``attrs.evolve(profiles.PCI_DSS_4, min_length=15)``. Where the
standard gives no number and assessors' practice does, the citation says so.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from secpolicy.password._policy import LockoutPolicy, PasswordPolicy

#: The estimator score every profile requires: at least 10**8 guesses
#: (zxcvbn's score 3, "safely unguessable"). An interpretation, not a number
#: any of the standards gives.
_MIN_SCORE: Final = 3
#: The longest run of one character every profile allows.
_MAX_REPEATED: Final = 3


# Why every profile refuses guessable passwords through the estimator and the
# repeat rule, in each standard's words; the numbers are secpolicy's.
def _guessable(clause: str) -> tuple[str, str, str]:
    return (
        (
            f"{clause} (secpolicy's interpretation): refuse passwords an attacker tries first "
            f"- repeats, repeated words, sequences, keyboard walks on common layouts, "
            f"dictionary words with trivial decoration - through the strength estimate: "
            f"min_score={_MIN_SCORE}, at least 10^8 guesses (zxcvbn's score {_MIN_SCORE}), "
            "beyond what an online attacker gets through the lockout"
        ),
        (
            f"{clause} (secpolicy's interpretation): refuse repetitive characters "
            f"(NIST's example 'aaaaaa'): max_repeated={_MAX_REPEATED}, a fourth identical "
            "character in a row is refused"
        ),
        (
            f"{clause} (secpolicy's interpretation): a composition of common pieces (words "
            "of the list, phrases, calendar names in eight languages, keyboard-walk chunks, "
            "years, symbol runs) is priced as a combinator attack enumerates it - the product "
            "of the pieces' guesses, one choice of separator (4 for - . _ space, 33 for any "
            "other symbol) and of capitalisation, a factor of 3 per further piece - not as "
            "random characters: Monkey-Dragon-2024 is about 10^6 guesses, asdf-ghjk-2024! "
            "10^7, ILoveJan2024!!! 10^7.6, so each is below the 10^8 that min_score="
            f"{_MIN_SCORE} requires; a word reversed, in l33t and cut by a separator "
            "(Dr0w-ss@p) costs its rank and one choice per rule, as each rule alone does"
        ),
    )


__all__ = [
    "CN_MLPS_L3",
    "NIST_800_63B",
    "NIST_800_63B_MFA",
    "OWASP_ASVS_5",
    "PCI_DSS_4",
]

_NIST = "NIST SP 800-63B-4 (2025)"

#: At most 100 consecutive failures (NIST SP 800-63B-4 §3.2.2): 100 failures in
#: 30 days lock the account for 30 days, so an attacker who waits out every lock
#: gets at most 100 guesses in any 30 days. Recovery or an administrator's
#: ``unlock`` lifts the lock sooner.
_NIST_LOCKOUT: Final = LockoutPolicy(
    max_failures=100, window=timedelta(days=30), duration=timedelta(days=30)
)

#: A password that is the only factor under NIST SP 800-63B-4, with at least 15
#: characters, at least 64 allowed, no composition rules, no periodic change,
#: context words and blocklists checked, at most 100 consecutive failures.
NIST_800_63B: Final = PasswordPolicy(
    name="nist-800-63b",
    min_length=15,
    min_score=_MIN_SCORE,
    max_repeated=_MAX_REPEATED,
    max_length=64,
    required_classes=0,
    max_age=None,
    lockout=_NIST_LOCKOUT,
    citations=(
        f"{_NIST} §3.1.1.2: minimum 15 characters when the password is the only factor",
        f"{_NIST} §3.1.1.2: verifiers SHALL permit at least 64 characters",
        f"{_NIST} §3.1.1.2: no composition rules; no periodic change",
        f"{_NIST} §3.1.1.2: check against blocklists of common and context-specific words",
        (
            f"{_NIST} §3.2.2: at most 100 consecutive failed attempts (interpretation: the "
            "30-day window and 30-day lock are secpolicy's choice, the standard sets neither; a "
            "lock that lifts sooner lets an attacker who waits it out go on guessing, so the "
            "lock stands in for disabling the password until the account is recovered)"
        ),
        *_guessable(f"{_NIST} §3.1.1.2: refuse commonly used, expected or compromised passwords"),
    ),
)

#: A password used with a second factor under NIST SP 800-63B-4, at least 8 long.
NIST_800_63B_MFA: Final = PasswordPolicy(
    name="nist-800-63b-mfa",
    min_length=8,
    min_score=_MIN_SCORE,
    max_repeated=_MAX_REPEATED,
    max_length=64,
    max_age=None,
    mfa_required=True,
    lockout=NIST_800_63B.lockout,
    citations=(
        f"{_NIST} §3.1.1.2: minimum 8 characters when used as part of multi-factor authentication",
        *NIST_800_63B.citations[1:],
    ),
)

_ASVS = "OWASP ASVS 5.0"

#: Passwords as OWASP ASVS 5.0 chapter V6 asks, at least 8 (15 strongly
#: recommended) with at least 64 allowed, no composition rules, no periodic rotation, context words.
OWASP_ASVS_5: Final = PasswordPolicy(
    name="owasp-asvs-5",
    min_length=8,
    min_score=_MIN_SCORE,
    max_repeated=_MAX_REPEATED,
    max_length=128,
    required_classes=0,
    max_age=None,
    lockout=_NIST_LOCKOUT,
    citations=(
        f"{_ASVS} 6.2.1: at least 8 characters, 15 strongly recommended",
        f"{_ASVS} 6.2.9: at least 64 characters permitted",
        f"{_ASVS} 6.2.5: no composition rules",
        f"{_ASVS} 6.2.10: no periodic rotation",
        f"{_ASVS} 6.2.4 and 6.2.11: top common passwords and context words refused",
        (
            f"{_ASVS} 6.3.1: brute-force controls (interpretation: ASVS gives no number; the "
            "lockout is NIST SP 800-63B-4 §3.2.2's at most 100 consecutive failures, 100 in 30 "
            "days locking 30 days)"
        ),
        *_guessable(f"{_ASVS} 6.2.4: refuse common passwords"),
    ),
)

_PCI = "PCI DSS v4.0.1"

#: Passwords as PCI DSS v4.0.1 Requirement 8 asks, 12 characters with letters and digits, not
#: any of the last 4, changed every 90 days when the password is the only
#: factor, locked after 10 attempts for 30 minutes, 15-minute idle timeout.
PCI_DSS_4: Final = PasswordPolicy(
    name="pci-dss-4",
    min_length=12,
    min_score=_MIN_SCORE,
    max_repeated=_MAX_REPEATED,
    max_length=64,
    letters_and_digits=True,
    history_size=4,
    max_age=timedelta(days=90),
    lockout=LockoutPolicy(
        max_failures=10, window=timedelta(days=1), duration=timedelta(minutes=30)
    ),
    idle_timeout=timedelta(minutes=15),
    citations=(
        (
            f"{_PCI} 8.3.6: at least 12 characters (8 only if the system cannot do 12), "
            "letters and digits both"
        ),
        f"{_PCI} 8.3.7: not the same as any of the last 4 passwords",
        f"{_PCI} 8.3.9: changed at least every 90 days when the password is the only factor",
        (
            f"{_PCI} 8.3.4: locked after not more than 10 attempts, for at least 30 minutes "
            "(the 1-day counting window is secpolicy's choice)"
        ),
        f"{_PCI} 8.2.8: re-authentication after 15 minutes idle",
        *_guessable(f"{_PCI} 8.3.6: passwords of sufficient strength (guidance: not guessable)"),
    ),
)

_MLPS = "GB/T 22239-2019 level 3 (等保2.0 三级), 8.1.4.1"

#: GB/T 22239-2019 level 3. The standard requires complexity, periodic change,
#: login-failure handling, timeout logout and two or more authentication
#: techniques but gives no numbers: the numbers are assessors' common
#: interpretation (8 characters, 3 of 4 classes, 90 days, history 5, 5
#: failures locking 30 minutes, 15-minute idle timeout).
CN_MLPS_L3: Final = PasswordPolicy(
    name="cn-mlps-l3",
    min_length=8,
    min_score=_MIN_SCORE,
    max_repeated=_MAX_REPEATED,
    max_length=64,
    required_classes=3,
    history_size=5,
    max_age=timedelta(days=90),
    change_at_first_use=True,
    lockout=LockoutPolicy(
        max_failures=5, window=timedelta(minutes=30), duration=timedelta(minutes=30)
    ),
    idle_timeout=timedelta(minutes=15),
    mfa_required=True,
    citations=(
        (
            f"{_MLPS} a): identity unique, password complexity and periodic change "
            "(assessors' interpretation: at least 8 characters, 3 of 4 classes, every 90 days, "
            "not the last 5)"
        ),
        (
            f"{_MLPS} b): login-failure handling and timeout logout (assessors' interpretation: "
            "lock after 5 failures for 30 minutes; 10-30 minutes idle, 15 chosen)"
        ),
        f"{_MLPS} d): two or more authentication techniques, one of them cryptographic",
        "interactive-service rulebook: change the initial password at first use",
        *_guessable(f"{_MLPS} a): password complexity; the rulebooks: no trivial passwords"),
    ),
)

"""Reusable checks: each factory returns a function that judges one aspect of a policy.

Where it is practical a check runs the declared configuration instead of
reading a flag: the masker masks sample card numbers, the password policy
judges sample weak passwords, the lockout is driven with failed logins, and
retention asks the schedule's own ``evaluate`` which rule applies. A check
passes only if the configuration actually behaves as the requirement asks.
"""

from __future__ import annotations

import functools
import itertools
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

from secpolicy.audit import DEFAULT_MASKER
from secpolicy.baselines._model import Verdict, failed, judged, not_applicable, passed
from secpolicy.password import COMMON_PASSWORDS, LoginThrottle, PasswordContext
from secpolicy.retention import UnknownCategoryError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from secpolicy.password import LockoutPolicy, PasswordPolicy
    from secpolicy.pii import Masker
    from secpolicy.policyfile import AuditSettings, ServicePolicy
    from secpolicy.retention import Period, RetentionSchedule

#: Luhn-valid test card numbers: Visa, Mastercard, Amex and two UnionPay (16 and 19 digits).
SAMPLE_CARDS: Final = (
    "4111111111111111",
    "5500005555555559",
    "378282246310005",
    "6222021234567890128",
    "6212345678901232",
)
#: Where the samples are put: English text, Chinese text without spaces, alone,
#: and between other numbers (a masker must not leak a card for its neighbours).
_CARD_CONTEXTS: Final = ("card {} on file", "卡号{}已绑定", "{}", "ref 12 {} 99")
#: Passwords every blocklist of common passwords holds: the four commonest, and
#: a spread over the top 3,000 of the bundled list (ASVS 6.2.4 asks for the top
#: 3,000), so that a short list written to hold just the famous few fails.
SAMPLE_COMMON: Final = (
    "123456",
    "password",
    "12345678",
    "qwerty123",
    "brandy",
    "spitfire",
    "vision",
    "transam",
    "goddess",
    "orion",
    "sandiego",
    "hanwei",
    "dongmin",
    "weiqiang",
    "zhangyong",
    "xutao",
    "hexiuying",
    "songgang",
    "pengdan",
    "panbin",
    "chengyu",
)
#: How many of the bundled list's commonest passwords a blocklist must cover:
#: ASVS 5.0 6.2.4 asks for at least the top 3,000.
TOP_COMMON: Final = 3000
#: Misses after which the coverage count stops (a short list misses thousands).
_MISSES_SHOWN: Final = 20
#: Common passwords dressed the way people dress them: repeated, spaced out,
#: spelled letter by letter, capitalised. Each must be refused as guessable
#: (:data:`GUESSABLE_CODES`), whatever the length or class rules say.
SAMPLE_EXPECTED: Final = (
    "password password",
    "Password Password",
    "passwordpassword",
    "p a s s w o r d",
    "P-A-S-S-W-O-R-D",
    "p.a.s.s.w.o.r.d",
    "iloveyou iloveyou",
    "qwerty qwerty qwerty",
    "123456 123456 123456",
)
#: The violation codes that say a password is guessable (not merely too
#: short or of too few classes).
GUESSABLE_CODES: Final = frozenset(
    {
        "blocklisted",
        "too_weak",
        "repeated_characters",
        "sequence",
        "keyboard_walk",
        "context_word",
        "date",
        "phone_number",
        "breached",
    }
)
#: Personal data an audit event may carry, which its masker must not keep in clear.
SAMPLE_PERSONAL: Final = (
    ("CN_MOBILE", "13812345678"),
    ("CN_RESIDENT_ID", "11010519491231002X"),
    ("EMAIL", "zhang.wei@example.com"),
)
#: The part of each :data:`SAMPLE_PERSONAL` value that common display practice
#: hides (GB/T 35273-2020 §7.2 de-identification as shown in China:
#: ``138****5678``, ``110105********002X``, ``z********@example.com``), as
#: (start, end, how many of its letters and digits may still show). A masker
#: that shows more has masked nothing worth the name: ``1381234567*`` is the
#: number.
SAMPLE_HIDDEN: Final = {
    "CN_MOBILE": (3, 7, 0),  # the middle four digits
    "CN_RESIDENT_ID": (6, 14, 0),  # the birth date
    "EMAIL": (0, 9, 4),  # the local part: at most half of its letters and digits
}
#: What each hidden part is called in a report.
_HIDDEN_TEXT: Final = {
    "CN_MOBILE": "the middle 4 digits",
    "CN_RESIDENT_ID": "the birth date",
    "EMAIL": "more than half of the local part",
}
#: The pace of the failed logins a lockout check drives.
_FAILURE_SPACING: Final = timedelta(minutes=1)
#: The anchor date of retention checks: a month end, so that clamping is exercised.
_RETENTION_ANCHOR: Final = (2024, 8, 31, 12)


def _minutes(delta: timedelta) -> str:
    if delta >= timedelta(days=1) and not delta % timedelta(days=1):
        return f"{delta.days} days"
    return f"{delta.total_seconds() / 60:g} min"


def _password(
    judge: Callable[[PasswordPolicy], Verdict],
) -> Callable[[ServicePolicy], Verdict]:
    def check(policy: ServicePolicy) -> Verdict:
        if policy.password is None:
            return failed("no [password] section", declared="none", required="[password]")
        return judge(policy.password)

    return check


def _codes(p: PasswordPolicy, password: str, context: PasswordContext | None = None) -> set[str]:
    return {v.code for v in p.check(password, context=context).violations}


def min_length(required: int, *, with_mfa: int | None = None) -> Callable[[ServicePolicy], Verdict]:
    """At least *required* characters (*with_mfa* when a second factor is required)."""

    def judge(p: PasswordPolicy) -> Verdict:
        need = with_mfa if with_mfa is not None and p.mfa_required else required
        want = f">= {need}"
        if with_mfa is not None:
            want += " (MFA required)" if p.mfa_required else " (password is the only factor)"
        # run it: a password one character short must be refused for its length
        short = "k" * (need - 1)
        refused = need <= 1 or "too_short" in _codes(p, short)
        return judged(p.min_length >= need and refused, f"min_length {p.min_length}", want)

    return _password(judge)


def max_length(required: int) -> Callable[[ServicePolicy], Verdict]:
    """At least *required* characters permitted."""

    def judge(p: PasswordPolicy) -> Verdict:
        long = ("Kq7!" * required)[:required]
        accepted = "too_long" not in _codes(p, long)
        return judged(
            p.max_length >= required and accepted, f"max_length {p.max_length}", f">= {required}"
        )

    return _password(judge)


def no_composition_rules() -> Callable[[ServicePolicy], Verdict]:
    """No character-class rules imposed."""

    def judge(p: PasswordPolicy) -> Verdict:
        imposed = [f"required_classes {p.required_classes}"] if p.required_classes else []
        imposed += ["letters_and_digits"] if p.letters_and_digits else []
        if not imposed:
            return passed("no composition rules", declared="none", required="none")
        shown = ", ".join(imposed)
        return failed(
            f"composition rules imposed: {shown}; required: none", declared=shown, required="none"
        )

    return _password(judge)


def required_classes(required: int) -> Callable[[ServicePolicy], Verdict]:
    """At least *required* of lower, upper, digit and symbol."""

    def judge(p: PasswordPolicy) -> Verdict:
        # run it: a long password of one class only must be refused
        refused = required <= 1 or "not_enough_classes" in _codes(p, "zqxvjkwpmb" * 4)
        return judged(
            p.required_classes >= required and refused,
            f"required_classes {p.required_classes}",
            f">= {required}",
        )

    return _password(judge)


def letters_and_digits() -> Callable[[ServicePolicy], Verdict]:
    """Both letters and digits."""

    def judge(p: PasswordPolicy) -> Verdict:
        letters_only = "zqxvjkwpmbtrhd" * 3
        refused = bool(
            _codes(p, letters_only) & {"letters_and_digits_required", "not_enough_classes"}
        )
        digits_only = "4817392056" * 4
        refused_digits = bool(
            _codes(p, digits_only) & {"letters_and_digits_required", "not_enough_classes"}
        )
        ok = refused and refused_digits
        declared = "letters_and_digits true" if p.letters_and_digits else "letters_and_digits false"
        if ok and not p.letters_and_digits:
            declared += f" (required_classes {p.required_classes} refuses one-class passwords)"
        return judged(ok, declared, "letters and digits both")

    return _password(judge)


def no_periodic_change() -> Callable[[ServicePolicy], Verdict]:
    """No forced periodic change."""

    def judge(p: PasswordPolicy) -> Verdict:
        if p.max_age is None:
            return passed("no periodic change", declared="no max_age", required="none")
        shown = f"max_age {_minutes(p.max_age)}"
        return failed(
            f"{shown}; required: no periodic change", declared=shown, required="no periodic change"
        )

    return _password(judge)


def periodic_change(days: int, *, unless_mfa: bool = False) -> Callable[[ServicePolicy], Verdict]:
    """Changed at least every *days* days (not required with MFA if *unless_mfa*)."""

    def judge(p: PasswordPolicy) -> Verdict:
        if unless_mfa and p.mfa_required:
            return not_applicable("MFA is required, so periodic change is not")
        if p.max_age is None:
            return failed(
                f"no max_age; required <= {days} days",
                declared="no max_age",
                required=f"<= {days} days",
            )
        # run it: a password changed *days* days and a second ago has expired
        changed = datetime(2024, 1, 1, tzinfo=UTC)
        expired = p.is_expired(changed, now=changed + timedelta(days=days, seconds=1))
        return judged(
            p.max_age <= timedelta(days=days) and expired,
            f"max_age {_minutes(p.max_age)}",
            f"<= {days} days",
        )

    return _password(judge)


def history(required: int) -> Callable[[ServicePolicy], Verdict]:
    """Not any of the last *required* passwords."""

    def judge(p: PasswordPolicy) -> Verdict:
        return judged(
            p.history_size >= required, f"history_size {p.history_size}", f">= {required}"
        )

    return _password(judge)


@functools.cache
def _top_common() -> tuple[str, ...]:
    """The :data:`TOP_COMMON` commonest entries of the bundled list, most common first."""
    return tuple(itertools.islice(COMMON_PASSWORDS.ranks, TOP_COMMON))


def _uncovered_common(p: PasswordPolicy) -> list[str]:
    """Top common passwords the policy accepts (up to :data:`_MISSES_SHOWN` of them).

    Membership of the policy's blocklist is one look-up; only a password the
    list misses is checked in full (a strength rule may still refuse it).
    Passwords shorter than ``min_length`` are refused by length whatever the
    list holds, so they are not asked of it.
    """
    listed = p.blocklist
    accepted: list[str] = []
    for common in _top_common():
        if len(common) < p.min_length or (listed is not None and common in listed):
            continue
        if not _codes(p, common) & GUESSABLE_CODES:
            accepted.append(common)
            if len(accepted) >= _MISSES_SHOWN:
                break
    return accepted


def blocklist() -> Callable[[ServicePolicy], Verdict]:
    """Common passwords refused, also when dressed up.

    Each of :data:`SAMPLE_COMMON` must be refused as blocklisted, and each of
    :data:`SAMPLE_EXPECTED` (``password password``, ``p a s s w o r d``, ...)
    as guessable by some rule (:data:`GUESSABLE_CODES`): a blocklist that
    matches only the plain word lets its repetitions and spellings through.
    Every one of the :data:`TOP_COMMON` commonest passwords of the bundled
    list that is long enough for the policy must also be refused, by the
    blocklist or as guessable: a fixed sample alone can be passed by a file
    written to hold exactly the samples.
    """
    want = "common passwords refused, also repeated or spelled out"

    def judge(p: PasswordPolicy) -> Verdict:
        if p.blocklist is None:
            return failed("blocklist off; required on", declared="blocklist off", required="on")
        missed = [pw for pw in SAMPLE_COMMON if "blocklisted" not in _codes(p, pw)]
        dressed = [pw for pw in SAMPLE_EXPECTED if not _codes(p, pw) & GUESSABLE_CODES]
        uncovered = _uncovered_common(p)
        declared = f"blocklist {p.blocklist.name}"
        if p.min_score is not None:
            declared += f", min_score {p.min_score}"
        problems = []
        if missed:
            problems.append(
                f"does not refuse {len(missed)} of {len(SAMPLE_COMMON)} common sample passwords"
            )
        if dressed:
            problems.append(
                f"accepts {len(dressed)} of {len(SAMPLE_EXPECTED)} common passwords repeated or "
                f"spelled out (e.g. {dressed[0]!r})"
            )
        if uncovered:
            count = (
                f"at least {len(uncovered)}"
                if len(uncovered) >= _MISSES_SHOWN
                else (f"{len(uncovered)}")
            )
            problems.append(
                f"accepts {count} of the {TOP_COMMON} commonest passwords of the bundled list "
                f"(e.g. {uncovered[0]!r})"
            )
        if problems:
            return failed(f"{declared} {'; '.join(problems)}", declared=declared, required=want)
        return passed(
            f"{declared} refuses the {len(SAMPLE_COMMON)} common sample passwords, the "
            f"{TOP_COMMON} commonest of the bundled list and "
            f"{len(SAMPLE_EXPECTED)} repeated or spelled-out ones",
            declared=declared,
            required=want,
        )

    return _password(judge)


def context_words() -> Callable[[ServicePolicy], Verdict]:
    """The user's own data and the service's words refused (tried with samples)."""

    def judge(p: PasswordPolicy) -> Verdict:
        required = "user data and service words refused"
        if not p.user_attribute_similarity:
            return failed(
                "user_attribute_similarity false; required true",
                declared="user_attribute_similarity false",
                required=required,
            )
        words = p.context_words
        if not words:
            return failed(
                "user data checked, but no context_words (service name) given",
                declared="no context_words",
                required=required,
            )
        context = PasswordContext(username="zhangwei.ops")
        user_refused = bool(_codes(p, "Zhangwei.ops#2024", context) & {"similar_to_user_data"})
        word_refused = all(
            _codes(p, f"{word}#Q7x{word}", None) & {"context_word"} for word in words
        )
        declared = f"user data and {len(words)} context word(s) checked"
        if not (user_refused and word_refused):
            return failed(
                f"{declared}, but a sample password built from them was accepted",
                declared=declared,
                required=required,
            )
        return passed(declared, declared=declared, required=required)

    return _password(judge)


def breached() -> Callable[[ServicePolicy], Verdict]:
    """Passwords found in breaches refused."""

    def judge(p: PasswordPolicy) -> Verdict:
        if not p.check_breached:
            return failed(
                "check_breached false; required true",
                declared="check_breached false",
                required="true",
            )
        shown = f"check_breached true (threshold {p.breach_threshold})"
        # run it: with no breach answer (no checker, corpus unreachable) the
        # password must be refused, or the check silently becomes a no-op
        if "breach_check_unavailable" not in _codes(p, "Vq7#mZ2!pLx9$kR4wT"):
            declared = f"{shown}, fails open"
            return failed(
                f"{declared}: a password is accepted when no breach answer can be had; "
                "required breach_fail_closed true",
                declared=declared,
                required="true, failing closed",
            )
        shown += ", fails closed"
        return passed(shown, declared=shown, required="true, failing closed")

    return _password(judge)


#: The period over which :func:`attempts_per_period` counts an attacker's guesses.
ATTEMPT_PERIOD: Final = timedelta(days=30)
#: The fastest an attacker is taken to guess: once a second (a scripted client).
_BURST_PACE: Final = timedelta(seconds=1)


def _attack(lock: LockoutPolicy, pace: timedelta, period: timedelta, cap: int) -> int:
    """Failed logins one account takes in *period* from an attacker guessing every *pace*.

    The attacker waits out every lock and backoff, as the throttle says, and
    stops counting once *cap* is exceeded.
    """
    throttle = LoginThrottle(lock)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    end = start + period
    moment, attempts = start, 0
    while moment < end and attempts <= cap:
        status = throttle.status("user:sample", now=moment)
        if not status.allowed:
            # locked_until and retry_after lie after *moment*: time always moves on
            waits = [t for t in (status.locked_until, status.retry_after) if t is not None]
            moment = max(waits)
            continue
        throttle.record_failure("user:sample", now=moment)
        attempts += 1
        moment += pace
    return attempts


def attempts_per_period(
    lock: LockoutPolicy, period: timedelta = ATTEMPT_PERIOD, *, cap: int = 1000
) -> int:
    """The most failed logins an attacker gets against one account in *period*.

    The declared lockout is driven by :class:`~secpolicy.password.LoginThrottle`
    for two attackers, from a fresh account: one who guesses as fast as the
    throttle lets him (once a second, waiting out each lock and backoff),
    and one who paces his guesses just slowly enough never to fill the
    counting window. A lock that lifts soon lets guessing resume, so the
    count grows with *period*; the result is capped at ``cap + 1``.

    .. versionadded:: 0.2
    """
    paces = [_BURST_PACE]
    if lock.max_failures > 1:
        # max_failures - 1 failures spread over the window never reach the limit
        paces.append(max(lock.window / (lock.max_failures - 1), timedelta(microseconds=1)))
    return max(_attack(lock, pace, period, cap) for pace in paces)


def _period_text(period: timedelta) -> str:
    return _minutes(period).replace("min", "minutes")


def lockout(
    max_failures: int,
    *,
    min_duration: timedelta | None = None,
    max_attempts: int | None = None,
    period: timedelta = ATTEMPT_PERIOD,
) -> Callable[[ServicePolicy], Verdict]:
    """Locked after at most *max_failures* failures (for at least *min_duration*).

    The declared lockout is driven: *max_failures* failed logins, one every
    :data:`_FAILURE_SPACING` (an attacker who paces guesses, not a burst),
    must lock the account, and the lock must still hold just before
    *min_duration* has passed. A counting window shorter than that pace
    never locks, so it fails. With *max_attempts*, the attempts an attacker
    gets in *period* (:func:`attempts_per_period`) must not exceed it: a
    lock that lifts after a second limits nothing.
    """
    want = f"<= {max_failures} failures" + (
        f", locked >= {_minutes(min_duration)}" if min_duration is not None else ""
    )
    if max_attempts is not None:
        want += f", <= {max_attempts} attempts per {_period_text(period)}"

    def judge(p: PasswordPolicy) -> Verdict:
        if p.lockout is None:
            return failed(
                f"no lockout; required after <= {max_failures} failures",
                declared="no lockout",
                required=want,
            )
        lock = p.lockout
        text = (
            f"locks after {lock.max_failures} failures within {_minutes(lock.window)} "
            f"for {_minutes(lock.duration)}"
        )
        throttle = LoginThrottle(lock)
        start = datetime(2024, 1, 1, tzinfo=UTC)
        locked_at = None
        for i in range(max_failures):
            moment = start + i * _FAILURE_SPACING
            if throttle.record_failure("user:sample", now=moment).locked:
                locked_at = moment
                break
        if locked_at is None:
            return failed(f"{text}; required {want}", declared=text, required=want)
        if min_duration is not None:
            later = throttle.status(
                "user:sample", now=locked_at + min_duration - timedelta(seconds=1)
            )
            if not later.locked:
                return failed(
                    f"{text}; required >= {_minutes(min_duration)}", declared=text, required=want
                )
        if max_attempts is not None:
            got = attempts_per_period(lock, period, cap=max_attempts)
            if got > max_attempts:
                return failed(
                    f"{text}; an attacker who waits out each lock gets more than "
                    f"{max_attempts} attempts per {_period_text(period)}; required "
                    f"<= {max_attempts}",
                    declared=text,
                    required=want,
                )
            text += f" (at most {got} attempts per {_period_text(period)})"
        return passed(text, declared=text, required=want)

    return _password(judge)


def idle_timeout(limit: timedelta) -> Callable[[ServicePolicy], Verdict]:
    """Idle sessions end within *limit*."""

    def judge(p: PasswordPolicy) -> Verdict:
        if p.idle_timeout is None:
            return failed(
                f"no idle_timeout; required <= {_minutes(limit)}",
                declared="no idle_timeout",
                required=f"<= {_minutes(limit)}",
            )
        return judged(
            p.idle_timeout <= limit,
            f"idle_timeout {_minutes(p.idle_timeout)}",
            f"<= {_minutes(limit)}",
        )

    return _password(judge)


def mfa() -> Callable[[ServicePolicy], Verdict]:
    """A second factor required."""

    def judge(p: PasswordPolicy) -> Verdict:
        shown = f"mfa_required {str(p.mfa_required).lower()}"
        if p.mfa_required:
            return passed(shown, declared=shown, required="true")
        return failed(shown, declared=shown, required="true")

    return _password(judge)


def change_at_first_use() -> Callable[[ServicePolicy], Verdict]:
    """The initial password changed at first use."""

    def judge(p: PasswordPolicy) -> Verdict:
        shown = f"change_at_first_use {str(p.change_at_first_use).lower()}"
        if p.change_at_first_use:
            return passed(shown, declared=shown, required="true")
        return failed(shown, declared=shown, required="true")

    return _password(judge)


# -- audit ------------------------------------------------------------------------------


def audit_events(required: Iterable[str]) -> Callable[[ServicePolicy], Verdict]:
    """The audit section declares every one of *required*."""
    wanted = tuple(required)
    want = ", ".join(wanted)

    def check(policy: ServicePolicy) -> Verdict:
        if policy.audit is None:
            return failed("no [audit] section", declared="none", required=want)
        missing = [action for action in wanted if action not in policy.audit.events]
        declared = ", ".join(policy.audit.events) or "no events"
        if missing:
            return failed(
                f"events not recorded: {', '.join(missing)}", declared=declared, required=want
            )
        return passed(f"all {len(wanted)} events recorded", declared=declared, required=want)

    return check


#: The most records a checkpoint may leave unsealed. No standard gives a
#: number: ten times the writer's default of 1,000 is this library's reading.
MAX_UNSEALED_RECORDS: Final = 10_000
#: The longest records may stay unsealed. No standard gives a number: one
#: hour is the cadence of AWS CloudTrail's signed digest files.
MAX_UNSEALED_TIME: Final = timedelta(hours=1)
_CADENCE: Final = f"every <= {MAX_UNSEALED_RECORDS} records and <= {_minutes(MAX_UNSEALED_TIME)}"


def _cadence_problems(audit: AuditSettings) -> list[str]:
    """Why the checkpoints of *audit* may leave records unsealed too long (empty: none)."""
    problems = []
    if audit.checkpoint_every > MAX_UNSEALED_RECORDS:
        problems.append(
            f"checkpoint_every {audit.checkpoint_every} leaves up to that many records "
            f"unsealed (at most {MAX_UNSEALED_RECORDS})"
        )
    interval = audit.checkpoint_interval
    if interval is None:
        problems.append("no checkpoint_interval: the last records of a quiet log are never sealed")
    elif interval > MAX_UNSEALED_TIME:
        problems.append(
            f"checkpoint_interval {_minutes(interval)} leaves records unsealed that long "
            f"(at most {_minutes(MAX_UNSEALED_TIME)})"
        )
    return problems


def audit_protected() -> Callable[[ServicePolicy], Verdict]:
    """Records chained, signed at checkpoints often enough, and anchored elsewhere.

    A checkpoint that is never written seals nothing: the checkpoints must
    come at least every :data:`MAX_UNSEALED_RECORDS` records and every
    :data:`MAX_UNSEALED_TIME` (an interpretation; no standard gives numbers).
    """
    want = f"hash chain, checkpoints signed {_CADENCE}, anchor"

    def check(policy: ServicePolicy) -> Verdict:
        audit = policy.audit
        if audit is None:
            return failed("no [audit] section", declared="none", required=want)
        if not audit.protected:
            return failed(
                "records are chained and signed, but no anchor is configured",
                declared="chain and signed checkpoints, no anchor",
                required=want,
            )
        if (
            audit.path is not None
            and audit.anchor is not None
            and audit.anchor.resolve().parent.is_relative_to(audit.path.resolve().parent)
        ):
            # Whoever can rewrite the log (and its rotated files beside it) can
            # rewrite an anchor kept there too, or in a directory below: it
            # proves nothing.
            return failed(
                "the anchor is kept beside the log it anchors (in the log's directory or "
                "below it); required elsewhere",
                declared="anchor beside the log",
                required=want,
            )
        interval = audit.checkpoint_interval
        every = f"every {audit.checkpoint_every} records"
        if interval is not None:
            every += f" and {_minutes(interval)}"
        shown = f"hash chain, checkpoints signed {every}, anchored"
        problems = _cadence_problems(audit)
        if problems:
            return failed(f"{shown}, but {'; '.join(problems)}", declared=shown, required=want)
        return passed(shown, declared=shown, required=want)

    return check


def audit_durable() -> Callable[[ServicePolicy], Verdict]:
    """Records reach the disk at least at every checkpoint, and checkpoints come often enough.

    ``fsync = "never"`` fails; ``"checkpoint"`` fails when the checkpoints
    may leave records unsealed too long (see :func:`audit_protected`); every
    N records fails when N exceeds :data:`MAX_UNSEALED_RECORDS`.
    """
    want = f"always, at checkpoints ({_CADENCE}) or every <= {MAX_UNSEALED_RECORDS} records"

    def check(policy: ServicePolicy) -> Verdict:
        audit = policy.audit
        if audit is None:
            return failed("no [audit] section", declared="none", required=want)
        if audit.sink != "file":
            return not_applicable(f"{audit.sink} sink: durability is the receiver's")
        if audit.fsync == "never":
            return failed(
                'fsync "never": a crash may lose records',
                declared='fsync "never"',
                required=want,
            )
        shown = (
            f"fsync every {audit.fsync} records"
            if isinstance(audit.fsync, int)
            else f"fsync {audit.fsync}"
        )
        problems: list[str] = []
        if isinstance(audit.fsync, int) and audit.fsync > MAX_UNSEALED_RECORDS:
            problems.append(f"a crash may lose up to {audit.fsync} records")
        elif audit.fsync == "checkpoint":
            problems = _cadence_problems(audit)
        if problems:
            return failed(f"{shown}, but {'; '.join(problems)}", declared=shown, required=want)
        return passed(shown, declared=shown, required=want)

    return check


def audit_masked() -> Callable[[ServicePolicy], Verdict]:
    """Personal data masked before it reaches the audit log.

    The masker the log would use (``DEFAULT_MASKER``, or the ``[pii]`` masker
    with ``masking = "pii"``) masks a sample event the way the logger does
    (``data`` as a record, ``target`` and ``reason`` as text): a masker that
    does not detect, or that keeps in full, a mobile number, a resident
    identity number or an e-mail address fails, and so does one that shows
    the part common display practice hides (:data:`SAMPLE_HIDDEN`: the
    middle four digits of ``138****5678``, the birth date of a resident
    identity number, more than half of an e-mail's local part).
    """

    def check(policy: ServicePolicy) -> Verdict:
        if policy.audit is None:
            return failed("no [audit] section", declared="none", required="mask true")
        if not policy.audit.mask:
            return failed(
                "mask false: personal data reaches the log in clear",
                declared="mask false",
                required="mask true",
            )
        masker = (
            policy.pii
            if policy.audit.masking == "pii" and policy.pii is not None
            else DEFAULT_MASKER
        )
        shown = f"masked ({policy.audit.masking} masker)"
        leaked: list[str] = []
        revealing: list[str] = []
        for entity, value in SAMPLE_PERSONAL:
            record = masker.mask_record({"data": {"note": _RECORD_NOTE.format(value)}})
            outputs = (
                (str(record["data"]["note"]), _RECORD_NOTE),
                (masker.mask_text(_EVENT_TEXT.format(value)), _EVENT_TEXT),
            )
            if any(_in_clear(value, output) for output, _ in outputs):
                leaked.append(entity)
            elif any(_reveals(entity, value, output, template) for output, template in outputs):
                revealing.append(f"{entity} shows {_HIDDEN_TEXT[entity]}")
        if leaked or revealing:
            parts = [f"{', '.join(leaked)} left in clear"] if leaked else []
            parts += revealing
            declared = f"{shown}, but {'; '.join(parts)}"
            return failed(f"{declared} in a sample event", declared=declared, required="mask true")
        return passed(shown, declared=shown, required="mask true")

    return check


#: Where :func:`audit_masked` puts each sample: in an event's data, and in its text.
_RECORD_NOTE: Final = "客户 {} 已登记"
_EVENT_TEXT: Final = "user {} updated"


def _reveals(entity: str, value: str, output: str, template: str) -> bool:
    """True if *output* shows more of the hidden part of *value* than display practice does.

    Where the masked value keeps its length, its characters are compared
    place by place; otherwise any run of the hidden part's letters and
    digits one longer than may show (at least 4) counts as shown.
    """
    start, end, may_show = SAMPLE_HIDDEN[entity]
    masked = _middle(output, template)
    masked = output if masked is None else masked
    if len(masked) == len(value):
        shown = sum(
            1
            for i in range(start, end)
            if value[i].isalnum() and masked[i].casefold() == value[i].casefold()
        )
        return shown > may_show
    hidden = "".join(ch for ch in value[start:end] if ch.isalnum()).casefold()
    visible = "".join(ch for ch in masked if ch.isalnum()).casefold()
    run = min(len(hidden), max(may_show + 1, 4))
    return any(hidden[i : i + run] in visible for i in range(len(hidden) - run + 1))


def _in_clear(value: str, masked: object) -> bool:
    """True if *value* appears whole in *masked* (its digits, for a number)."""
    text = str(masked)
    return value in text or (value.isdigit() and value in _digits(text))


# -- retention --------------------------------------------------------------------------


def _category(policy: ServicePolicy, category: str | None) -> str | Verdict:
    if category is not None:
        return category
    if policy.audit is None:
        return failed("no [audit] section to name the audit log's category", declared="none")
    return policy.audit.retention_category


def _anchor(schedule: RetentionSchedule) -> datetime:
    year, month, day, hour = _RETENTION_ANCHOR
    return datetime(year, month, day, hour, tzinfo=schedule.tz)


def no_rules(schedule: RetentionSchedule, category: str, need: str) -> Verdict | None:
    """A failure if *schedule* cannot decide *category* (unknown, or no rule), else None."""
    try:
        rules = schedule.rules_for(category)
    except UnknownCategoryError as exc:
        # The service itself would refuse to decide these records.
        return failed(f"{exc.reason}; required {need}", declared="unknown category", required=need)
    if not rules:
        return failed(
            f"no retention rule for {category}; required {need}", declared="no rule", required=need
        )
    return None


def _decidable(
    policy: ServicePolicy, category: str | None, need: str
) -> tuple[str, RetentionSchedule] | Verdict:
    """The category and the schedule that decides it, or the failure that it cannot."""
    name = _category(policy, category)
    if isinstance(name, Verdict):
        return Verdict(name.status, name.detail, declared=name.declared, required=need)
    schedule = policy.retention
    if schedule is None:
        return failed("no [retention] section", declared="none", required=need)
    missing = no_rules(schedule, name, need)
    return (name, schedule) if missing is None else missing


def kept_until(
    schedule: RetentionSchedule, category: str, created: datetime | None = None
) -> tuple[datetime | None, Any]:
    """When a record of *category* created at *created* may go, by ``evaluate``.

    *created* defaults to the check anchor (2024-08-31 12:00 in the
    schedule's zone). Every trigger event is taken to happen at creation
    (the earliest it can), so a rule kept from an event is judged at its
    shortest. Returns the deciding instant (None: kept indefinitely) and the
    decision.
    """
    created = _anchor(schedule) if created is None else created
    triggers = {r.trigger: created for r in schedule.rules_for(category) if r.trigger != "created"}
    decision = schedule.evaluate(category, created=created, now=created, events=triggers)
    return decision.retain_until, decision


def _kept_text(decision: Any, retain_until: datetime | None) -> str:
    rule = decision.rule
    if rule is None:
        return "no rule applies"
    return "kept permanently" if rule.keep.permanent else f"kept {rule.keep}"


#: The hours of the day at which :func:`retention` creates its sample records
#: in the zone a law counts periods in: the schedule's own zone may end a
#: day at another instant, so each must be kept long enough.
_LAW_HOURS: Final = ((0, 0), (12, 0), (23, 59))


def retention(
    category: str | None, period: Period, *, tz: str | None = None
) -> Callable[[ServicePolicy], Verdict]:
    """Records of *category* (None: the audit files' category) kept at least *period*.

    The schedule's own ``evaluate`` decides which rule applies and until when
    a record created on 2024-08-31 must be kept; that instant is compared
    with the end of *period* from the same day.

    With *tz* (``"Asia/Shanghai"`` for Chinese law), the period is counted
    the way that jurisdiction counts it: by whole days in *tz* (PRC Civil
    Code, Arts. 201-203: kept through the last day, gone from 00:00 the next),
    for records created at the start, middle and end of a day there,
    whatever zone and semantics the schedule uses. A schedule in
    ``Pacific/Kiritimati``, or with ``semantics = "instant"``, that lets
    records go hours before that end fails.

    .. versionchanged:: 0.2
       *tz*.
    """
    need = "permanently" if period.permanent else f"at least {period}"
    if tz is not None:
        need += f" (counted by days in {tz})"

    def check(policy: ServicePolicy) -> Verdict:
        found = _decidable(policy, category, need)
        if isinstance(found, Verdict):
            return found
        name, schedule = found
        retain_until, decision = kept_until(schedule, name)
        declared = f"{name} {_kept_text(decision, retain_until)}"
        if decision.rule is not None and decision.rule.is_default:
            declared += " (by the default rule)"
        if period.permanent:
            ok = retain_until is None and decision.rule is not None and decision.rule.keep.permanent
            return judged(ok, declared, need)
        samples = [(_anchor(schedule), schedule.tz, schedule.semantics)]
        if tz is not None:
            zone = ZoneInfo(tz)
            year, month, day, _ = _RETENTION_ANCHOR
            samples += [
                (datetime(year, month, day, hour, minute, tzinfo=zone), zone, "day")
                for hour, minute in _LAW_HOURS
            ]
        early: datetime | None = None
        for created, zone_of, semantics in samples:
            until, _ = kept_until(schedule, name, created)
            end = period.end(created, tz=zone_of, semantics=semantics)
            if until is not None and end is not None and until < end:
                early = until
                break
        if early is not None and tz is not None:
            shown = early.astimezone(ZoneInfo(tz)).isoformat()
            declared += f", but a record may go at {shown}, before the period ends in {tz}"
        return judged(early is None, declared, need)

    return check


def accessible(category: str | None, period: Period) -> Callable[[ServicePolicy], Verdict]:
    """The latest *period* of *category* immediately available (by the schedule's evaluate)."""
    need = f"{period}"

    def check(policy: ServicePolicy) -> Verdict:
        found = _decidable(policy, category, need)
        if isinstance(found, Verdict):
            return found
        name, schedule = found
        retain_until, decision = kept_until(schedule, name)
        online = decision.accessible_until
        online = retain_until if online is None else online  # no rule says: all of it stays online
        created = _anchor(schedule)
        end = period.end(created, tz=schedule.tz, semantics=schedule.semantics)
        ok = online is None or (end is not None and online >= end)
        rule = decision.rule
        shown = str(rule.accessible or rule.keep) if rule is not None else "nothing"
        declared = f"{name} immediately available {shown}"
        if ok:
            return passed(
                f"{name} immediately available at least {period}",
                declared=declared,
                required=need,
            )
        return failed(f"{declared}, required {period}", declared=declared, required=need)

    return check


# -- rbac and pii -----------------------------------------------------------------------


def _rbac_data(policy: ServicePolicy) -> Mapping[str, Any] | None:
    return None if policy.rbac is None else policy.rbac.to_dict()


def _juniors(roles: Mapping[str, Any], role: str) -> set[str]:
    """*role* and every role it inherits from, transitively."""
    seen = {role}
    todo = [role]
    while todo:
        for junior in roles.get(todo.pop(), {}).get("inherits", ()):
            if junior not in seen:
                seen.add(junior)
                todo.append(junior)
    return seen


def _relevant_roles(data: Mapping[str, Any]) -> dict[str, str]:
    """The roles that carry a permission and are held or assignable, with why."""
    roles = data["roles"]
    granted = {g["role"] for g in data["grants"]}
    assigned = {a["role"] for a in data["assignments"]}
    held: set[str] = set()
    for role in assigned:
        held |= _juniors(roles, role)  # a senior's users hold its juniors too
    out = {}
    for role, spec in roles.items():
        carries = bool(_juniors(roles, role) & granted)
        if not carries:
            continue
        if role in held:
            out[role] = "assigned"
        elif spec.get("privileged"):
            out[role] = "assignable by approved grant"
    return out


#: What stands for a wildcard segment or action when a grant is tried on another role.
_PROBE: Final = "x"


_Rules = tuple[list[tuple[str, str]], list[tuple[str, str]]]


def _role_rules(data: Mapping[str, Any], *roles: str) -> _Rules:
    """The grants and denies *roles* hold, their own and those of the roles they inherit."""
    held: set[str] = set()
    for role in roles:
        held |= _juniors(data["roles"], role)
    grants = [(g["resource"], g["action"]) for g in data["grants"] if g["role"] in held]
    denies = [(d["resource"], d["action"]) for d in data["denies"] if d["role"] in held]
    return grants, denies


def _covers(data: Mapping[str, Any], senior: str, other: str) -> bool:
    """True if *senior*'s rights allow every grant of *other* (see :func:`_allows_all`)."""
    return _allows_all(_role_rules(data, senior), _role_rules(data, other)[0])


def _allows_all(rules: _Rules, wanted: list[tuple[str, str]]) -> bool:
    """True if *rules* allow every grant in *wanted* (tried on a sample of each).

    Each wanted grant is tried as a resource with its wildcards filled in
    (``audit/**`` as ``audit/x``) and its action (``*`` as an action no grant
    names but ``*``): the rules allow it if one of their grants allows that
    and none of their denies refuses it.
    """
    grants, denies = rules

    def hit(rule: tuple[str, str], resource: str, action: str) -> bool:
        return rule[1] in ("*", action) and patterns_overlap(rule[0], resource)

    for pattern, action in wanted:
        resource = "/".join(_PROBE if s in ("*", "**") else s for s in pattern.split("/"))
        verb = _PROBE if action == "*" else action
        allowed = any(hit(g, resource, verb) for g in grants)
        if not allowed or any(hit(d, resource, verb) for d in denies):
            return False
    return True


def _separated(data: Mapping[str, Any], roles: list[str], n: int) -> list[str] | None:
    """*n* of *roles* no one of which can do another's duties, or None if there are none."""
    for group in itertools.islice(itertools.combinations(roles, n), _MAX_GROUPS):
        if not any(
            _covers(data, a, b) or _covers(data, b, a) for a, b in itertools.combinations(group, 2)
        ):
            return list(group)
    return None


#: The most role groups :func:`separation_of_duty` tries per constraint.
_MAX_GROUPS: Final = 10_000


def separation_of_duty() -> Callable[[ServicePolicy], Verdict]:
    """A static separation-of-duty constraint that binds roles in use.

    Passes only with at least one constraint of which at least *n* roles both
    carry a permission (own or inherited) and are assigned to someone (or
    are privileged, so assignable through an approved grant): a constraint
    over unused roles separates nothing. Those *n* roles must also hold
    different duties: a role whose grants allow everything another's do (a
    system administrator granted ``**``, or one that inherits the auditor's
    role) can do that duty itself, and separates nothing from it.
    """
    want = (
        "an ssd constraint over roles that are granted something, held, and whose rights "
        "do not contain one another"
    )

    def check(policy: ServicePolicy) -> Verdict:
        data = _rbac_data(policy)
        if data is None:
            return failed("no [rbac] section", declared="none", required=want)
        ssd = data["ssd"]
        if not ssd:
            return failed(
                "no ssd constraint separates administrator duties",
                declared="no ssd constraint",
                required=want,
            )
        relevant = _relevant_roles(data)
        used = [c for c in ssd if len([r for r in c["roles"] if r in relevant]) >= c["n"]]
        declared = f"{len(ssd)} ssd constraint(s): {', '.join(c['name'] for c in ssd)}"
        if not used:
            return failed(
                f"{declared}; none has {ssd[0]['n']} or more roles that are both granted "
                "something and assigned",
                declared=declared,
                required=want,
            )
        binding = [
            c
            for c in used
            if _separated(data, [r for r in c["roles"] if r in relevant], c["n"]) is not None
        ]
        if not binding:
            c = used[0]
            roles = [r for r in c["roles"] if r in relevant]
            pair = next(
                ((a, b) for a in roles for b in roles if a != b and _covers(data, a, b)), None
            )
            why = (
                f"{pair[0]} can do everything {pair[1]} is granted"
                if pair is not None
                else "too many role combinations to find a separated group"
            )
            return failed(
                f"{declared}; in none do {c['n']} of the roles hold different duties: {why}, "
                "so the constraint separates nothing",
                declared=declared,
                required=want,
            )
        names = ", ".join(c["name"] for c in binding)
        return passed(
            f"{len(binding)} binding ssd constraint(s): {names}", declared=declared, required=want
        )

    return check


def privileged_roles(min_approvals: int = 1) -> Callable[[ServicePolicy], Verdict]:
    """Privileged roles exist and are granted only with *min_approvals* approvals or more."""
    want = f"privileged roles, each granted with >= {min_approvals} approval(s)"

    def check(policy: ServicePolicy) -> Verdict:
        data = _rbac_data(policy)
        if data is None:
            return failed("no [rbac] section", declared="none", required=want)
        roles = {n: r for n, r in data["roles"].items() if r["privileged"]}
        if not roles:
            return failed(
                "no role is marked privileged (superuser, DBA)",
                declared="no privileged role",
                required=want,
            )
        declared = ", ".join(
            f"{n} ({r['approvals']} approval(s))" for n, r in sorted(roles.items())
        )
        short = sorted(n for n, r in roles.items() if r["approvals"] < min_approvals)
        if short:
            return failed(
                f"privileged: {declared}; required >= {min_approvals} approvals for "
                f"{', '.join(short)}",
                declared=declared,
                required=want,
            )
        problem = _privilege_without_approval(data, sorted(roles))
        if problem is not None:
            return failed(
                f"privileged: {declared}; but {problem}", declared=declared, required=want
            )
        return passed(f"privileged: {declared}", declared=declared, required=want)

    return check


def _privilege_without_approval(data: Mapping[str, Any], privileged: list[str]) -> str | None:
    """Why the privileged rights can be had without an approved grant, or None.

    In a policy that grants anything, privileged roles that grant nothing
    make the approval guard nothing (the rights are in plain roles); a user
    whose plainly assigned roles allow everything a privileged role grants
    (a plain role granted ``**``) holds that privilege without any approval.
    """
    real = [role for role in privileged if _role_rules(data, role)[0]]
    if not real:
        if not data["grants"]:
            return None  # nothing is granted to anyone yet: nothing to guard
        return (
            f"no privileged role is granted anything ({', '.join(privileged)}): "
            "the rights the policy grants are all in plain roles"
        )
    flagged = {name for name, spec in data["roles"].items() if spec["privileged"]}
    held: dict[str, list[str]] = {}
    for assignment in data["assignments"]:
        if assignment["role"] not in flagged:
            held.setdefault(assignment["user"], []).append(assignment["role"])
    for user, assigned in sorted(held.items()):
        rules = _role_rules(data, *assigned)
        for role in real:
            if _allows_all(rules, _role_rules(data, role)[0]):
                return (
                    f"{user} holds every right of {role} through plainly assigned roles "
                    f"({', '.join(sorted(assigned))}), without any approval"
                )
    return None


@functools.cache
def _overlap(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """True if some resource name matches both segment patterns (``*``, ``**``)."""
    if a and a[0] == "**":
        return _overlap(a[1:], b) or (bool(b) and _overlap(a, b[1:]))
    if b and b[0] == "**":
        return _overlap(a, b[1:]) or (bool(a) and _overlap(a[1:], b))
    if not a or not b:
        return not a and not b
    if a[0] == b[0] or "*" in (a[0], b[0]):
        return _overlap(a[1:], b[1:])
    return False


def patterns_overlap(a: str, b: str) -> bool:
    """True if some resource matches both patterns ``a`` and ``b``."""
    return _overlap(tuple(a.split("/")), tuple(b.split("/")))


def labels() -> Callable[[ServicePolicy], Verdict]:
    """Sensitivity labels on resources the policy actually grants access to."""
    want = "labels on resources that grants give access to"

    def check(policy: ServicePolicy) -> Verdict:
        data = _rbac_data(policy)
        if data is None:
            return failed("no [rbac] section", declared="none", required=want)
        found = data["labels"]
        if not found:
            return failed("no sensitivity labels on resources", declared="no labels", required=want)
        # A grant counts if some role that is held (or assignable) carries it;
        # a label counts if it asks for more than the lowest level, which
        # every user is cleared for.
        roles = data["roles"]
        reach: set[str] = set()
        for role in _relevant_roles(data):
            reach |= _juniors(roles, role)
        grants = [g["resource"] for g in data["grants"] if g["role"] in reach]
        levels = list(data.get("levels") or ())
        lowest = levels[0] if levels else None
        real = [
            lab
            for lab in found
            if lab["level"] != lowest and any(patterns_overlap(lab["resource"], g) for g in grants)
        ]
        unmatched = [lab["resource"] for lab in found if lab not in real]
        declared = f"{len(found)} labelled resource pattern(s)"
        if not real:
            return failed(
                f"{declared}, none of them both asks for more than the lowest level and "
                "matches a resource a held role's grant gives access to "
                f"({', '.join(unmatched)})",
                declared=declared,
                required=want,
            )
        detail = f"{len(real)} labelled resource pattern(s) on granted resources"
        if unmatched:
            detail += f"; {len(unmatched)} protect nothing: {', '.join(unmatched)}"
        return passed(detail, declared=declared, required=want)

    return check


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def card_exposure(number: str, masked: str) -> str | None:
    """Why *masked* shows more of the card *number* than the first 6 and last 4, or None."""
    if number in _digits(masked):
        return "the whole number is shown"
    if len(masked) == len(number):
        middle = range(6, len(number) - 4)
        shown = [i for i in middle if masked[i] == number[i]]
        if shown:
            return f"{len(shown)} digit(s) between the first 6 and the last 4 are shown"
        return None
    hidden = number[6:-4]
    digits = _digits(masked)
    for start in range(len(hidden) - 4):
        if hidden[start : start + 5] in digits:
            return "digits between the first 6 and the last 4 are shown"
    return None


def _middle(output: str, template: str) -> str | None:
    before, _, after = template.partition("{}")
    if not output.startswith(before) or not output.endswith(after):
        return None
    return output[len(before) : len(output) - len(after)]


def _masked_at_paths(masker: Masker, number: str) -> list[tuple[str, str]]:
    """*number* masked by ``mask_record`` at each configured ``[pii.paths]`` operator.

    A path's own operator replaces detection there, so a card number stored
    under it is shown as that operator decides: a record is built for each
    path (``*`` as a key ``x``, a wildcard index as the first item), masked
    by the real :meth:`Masker.mask_record`, and the value read back.
    """
    out: list[tuple[str, str]] = []
    for pattern, target in masker._paths:  # noqa: SLF001 (read only: the paths the masker applies)
        if isinstance(target, str):  # an entity name: its operator is the one checked in text
            continue
        concrete = [("x" if s == "*" else s) if isinstance(s, str) else max(s, 0) for s in pattern]
        record: Any = number
        for segment in reversed(concrete):
            if isinstance(segment, str):
                record = {segment: record}
            else:
                record = [*([None] * segment), record]
        masked: Any = masker.mask_record(record)
        for segment in concrete:
            masked = masked[segment]
        where = ".".join(str(s) for s in pattern)
        out.append((where, str(masked)))
    return out


def card_numbers_masked() -> Callable[[ServicePolicy], Verdict]:
    """Card numbers shown with at most the first 6 and last 4 digits.

    The declared masker masks :data:`SAMPLE_CARDS` (Visa, Mastercard, Amex,
    UnionPay 16 and 19 digits) in English and Chinese text and between other
    numbers; any sample left
    with more than the first 6 and last 4 digits fails the requirement.
    """
    want = "at most the first 6 and last 4 digits shown"

    def check(policy: ServicePolicy) -> Verdict:
        masker = policy.pii
        if masker is None:
            return failed("no [pii] section", declared="none", required=want)
        problems: list[str] = []
        example = ""
        for number in SAMPLE_CARDS:
            for template in _CARD_CONTEXTS:
                output = masker.mask_text(template.format(number))
                middle = _middle(output, template)
                why = (
                    card_exposure(number, middle)
                    if middle is not None
                    else card_exposure(number, output)
                )
                if why is not None:
                    problems.append(f"{number[:2]}… in {template.format('N')!r}: {why}")
                if template == "{}" and number == SAMPLE_CARDS[3]:
                    example = output
        for number in SAMPLE_CARDS:
            for where, output in _masked_at_paths(masker, number):
                why = card_exposure(number, output)
                if why is not None:
                    problems.append(f"{number[:2]}… at record path {where}: {why}")
        declared = f"6222021234567890128 masked as {example}"
        if problems:
            return failed(
                f"{len(problems)} of {len(SAMPLE_CARDS) * len(_CARD_CONTEXTS)} sample card "
                "numbers show more than the first 6 and last 4 digits "
                f"(e.g. {declared}): {problems[0]}",
                declared=declared,
                required=want,
            )
        return passed(
            f"all {len(SAMPLE_CARDS) * len(_CARD_CONTEXTS)} sample card numbers masked "
            f"({declared})",
            declared=declared,
            required=want,
        )

    return check

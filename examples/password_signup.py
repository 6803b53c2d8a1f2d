"""Sign-up and login with a password policy, argon2id hashing, history and lockout.

Run: python examples/password_signup.py

Validates candidate passwords against the GB/T 22239 level-3 profile plus a
company word list (messages in Chinese, as a sign-up form would show them),
hashes the accepted one with argon2id, refuses a reuse of recent passwords
at the next change, and throttles a login loop: five wrong passwords lock the
account for 30 minutes and notify the user. Cheap argon2 parameters keep the
example fast; production keeps the RFC 9106 default.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import attrs

from secpolicy import FrozenClock
from secpolicy.password import (
    COMMON_PASSWORDS,
    Blocklist,
    LockStatus,
    LoginThrottle,
    PasswordContext,
    PasswordHasher,
    SessionPolicy,
    SessionState,
    estimate,
    profiles,
)

POLICY = attrs.evolve(
    profiles.CN_MLPS_L3,
    # The bundled list of about 22,500 common passwords, plus the bank's own words.
    blocklist=COMMON_PASSWORDS | Blocklist(["acmebank", "acme"], name="acme"),
    context_words=("acmebank",),
)
USER = PasswordContext(
    username="zhangsan",
    email="zhang.san@example.com",
    attributes={"name": "Zhang San", "birth_date": date(1990, 3, 7)},
)


def sign_up(hasher: PasswordHasher) -> str:
    """Try candidates until one passes; return its hash."""
    print("规则 / rules:", "；".join(POLICY.describe("zh-CN")))
    for candidate in (
        "123456",
        "P@ssw0rd2024!",
        "Zhangsan1990!",
        "AcmeBank#2025",
        "Qw3rty!!8",
        "Lan-Tian-Bai-Yun-7",
    ):
        result = POLICY.check(candidate, context=USER)
        verdict = "通过 accepted" if result.ok else "拒绝 " + "；".join(result.messages("zh-CN"))
        print(f"  {candidate!r:<24} {verdict}")
        strength = estimate(candidate, USER, context_words=POLICY.context_words)
        advice = " ".join(strength.messages("zh-CN")) or "好 good"
        print(f"    强度 strength {strength.score}/4: {advice}")
        if result.ok:
            return hasher.hash(candidate)
    raise SystemExit("no candidate passed")


def change_password(hasher: PasswordHasher, history: list[str]) -> None:
    """At the next change, the last five passwords are refused."""
    context = attrs.evolve(USER, previous_hashes=history, hasher=hasher)
    for candidate in ("Lan-Tian-Bai-Yun-7", "Hai-Kuo-Tian-Kong-8"):
        result = POLICY.check(candidate, context=context)
        print(f"change to {candidate!r}: {'accepted' if result.ok else result.messages()}")


def login_loop(hasher: PasswordHasher, stored: str) -> None:
    """Wrong passwords lock the account after five tries; the lock lifts by itself."""
    if POLICY.lockout is None:
        raise SystemExit("the profile has no lockout policy")
    clock = FrozenClock(datetime(2025, 9, 30, 9, 0, tzinfo=UTC))

    def notify(key: str, status: LockStatus) -> None:
        print(f"  notify {key}: account locked until {status.locked_until:%H:%M} UTC")

    throttle = LoginThrottle(POLICY.lockout, on_lock=notify)
    for attempt in ("guess1", "guess2", "guess3", "guess4", "guess5", "Lan-Tian-Bai-Yun-7"):
        status = throttle.status("user:zhangsan", now=clock.now())
        if status.locked:
            print(f"  {attempt!r}: refused without checking, account locked")
            continue
        if hasher.verify(stored, attempt):
            throttle.record_success("user:zhangsan", now=clock.now())
            print(f"  {attempt!r}: logged in")
        else:
            failures = throttle.record_failure("user:zhangsan", now=clock.now()).failures
            print(f"  {attempt!r}: wrong password ({failures} of {POLICY.lockout.max_failures})")
        clock.advance(timedelta(minutes=1))
    clock.advance(timedelta(minutes=30))
    if (
        hasher.verify(stored, "Lan-Tian-Bai-Yun-7")
        and throttle.status("user:zhangsan", now=clock.now()).allowed
    ):
        throttle.record_success("user:zhangsan", now=clock.now())
        print("  30 minutes later: logged in")
        session_timeout(clock)
    # An unknown account costs one dummy verification, like a known one.
    print("  login as 'nobody':", "logged in" if hasher.verify(None, "guess") else "refused")


def session_timeout(clock: FrozenClock) -> None:
    """The profile's idle timeout and second factor, enforced on the session."""
    sessions = SessionPolicy.from_password_policy(POLICY)
    state = SessionState.start(now=clock.now(), mfa_verified=True)
    clock.advance(timedelta(minutes=10))
    print("  10 minutes idle:", "ok" if sessions.check(state, now=clock.now()) else "ended")
    state = sessions.touch(state, now=clock.now())
    clock.advance(timedelta(minutes=16))
    verdict = sessions.check(state, now=clock.now())
    print("  16 more minutes idle:", "ok" if verdict else f"ended {verdict.reasons}")


def main() -> None:
    """Sign up, change the password, and log in with throttling."""
    hasher = PasswordHasher.unsafe_for_tests()  # tests and demos only: production keeps the default
    stored = sign_up(hasher)
    change_password(hasher, [stored])
    print("login attempts:")
    login_loop(hasher, stored)
    print("rehash needed under the production parameters:", PasswordHasher().needs_rehash(stored))


if __name__ == "__main__":
    main()

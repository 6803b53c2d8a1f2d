"""LoginThrottle with times passed in."""

from __future__ import annotations

import asyncio
import threading
import tracemalloc
from datetime import UTC, datetime, timedelta

import pytest

from secpolicy.exceptions import ArgumentTypeError, PolicyConfigError
from secpolicy.password import (
    AsyncLoginThrottle,
    LockoutPolicy,
    LockStatus,
    LoginThrottle,
    MemoryThrottleStore,
    ThrottleStore,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
POLICY = LockoutPolicy(max_failures=3, window=timedelta(minutes=10), duration=timedelta(minutes=30))


class TestLoginThrottle:
    def test_locks_after_n_and_unlocks_by_itself(self) -> None:
        """Three failures lock for 30 minutes; then attempts are allowed again."""
        locked: list[tuple[str, LockStatus]] = []
        throttle = LoginThrottle(POLICY, on_lock=lambda key, status: locked.append((key, status)))
        assert throttle.record_failure("user:alice", now=T0).allowed
        assert throttle.record_failure("user:alice", now=T0 + timedelta(minutes=1)).failures == 2
        status = throttle.record_failure("user:alice", now=T0 + timedelta(minutes=2))
        assert status.locked
        assert status.locked_until == T0 + timedelta(minutes=32)
        assert [key for key, _ in locked] == ["user:alice"]
        assert throttle.status("user:alice", now=T0 + timedelta(minutes=31)).locked
        assert not throttle.status("user:alice", now=T0 + timedelta(minutes=32)).locked

    def test_failures_outside_window_do_not_count(self) -> None:
        """Only failures within the window count."""
        throttle = LoginThrottle(POLICY)
        throttle.record_failure("k", now=T0)
        throttle.record_failure("k", now=T0 + timedelta(minutes=5))
        status = throttle.record_failure("k", now=T0 + timedelta(minutes=11))
        assert not status.locked
        assert status.failures == 2

    def test_success_clears(self) -> None:
        """A success clears the failures but not a lock in force."""
        throttle = LoginThrottle(POLICY)
        throttle.record_failure("k", now=T0)
        throttle.record_failure("k", now=T0)
        assert throttle.record_success("k", now=T0).failures == 0
        for _ in range(3):
            throttle.record_failure("k", now=T0)
        assert throttle.record_success("k", now=T0 + timedelta(minutes=1)).locked
        assert throttle.record_failure(
            "k", now=T0 + timedelta(minutes=2)
        ).locked_until == T0 + timedelta(minutes=30)

    def test_unlock(self) -> None:
        """An administrator can lift a lock."""
        throttle = LoginThrottle(POLICY)
        for _ in range(3):
            throttle.record_failure("k", now=T0)
        throttle.unlock("k")
        assert throttle.status("k", now=T0).allowed

    def test_backoff(self) -> None:
        """With a backoff, each failure delays the next attempt, doubling up to a cap."""
        policy = LockoutPolicy(
            max_failures=10,
            window=timedelta(hours=1),
            duration=timedelta(minutes=30),
            backoff=timedelta(seconds=1),
            max_backoff=timedelta(seconds=4),
        )
        throttle = LoginThrottle(policy)
        assert throttle.record_failure("k", now=T0).retry_after == T0 + timedelta(seconds=1)
        assert throttle.record_failure(
            "k", now=T0 + timedelta(seconds=1)
        ).retry_after == T0 + timedelta(seconds=3)
        throttle.record_failure("k", now=T0 + timedelta(seconds=3))
        status = throttle.record_failure("k", now=T0 + timedelta(seconds=7))
        assert status.retry_after == T0 + timedelta(seconds=11)
        assert not status.allowed
        assert throttle.status("k", now=T0 + timedelta(seconds=11)).allowed

    def test_keys_are_independent(self) -> None:
        """Per-account and per-source keys count separately; reading adds nothing."""
        store = MemoryThrottleStore()
        throttle = LoginThrottle(POLICY, store=store)
        assert isinstance(store, ThrottleStore)
        throttle.record_failure("user:alice", now=T0)
        throttle.record_failure("ip:203.0.113.7", now=T0)
        throttle.status("user:nobody", now=T0)
        assert len(store) == 2

    def test_threads(self) -> None:
        """Concurrent failures are all counted."""
        policy = LockoutPolicy(
            max_failures=1000, window=timedelta(hours=1), duration=timedelta(minutes=1)
        )
        throttle = LoginThrottle(policy)

        def fail() -> None:
            for _ in range(100):
                throttle.record_failure("k", now=T0)

        threads = [threading.Thread(target=fail) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert throttle.status("k", now=T0).failures == 400


class TestForgetting:
    def test_one_off_keys_do_not_accumulate(self) -> None:
        """200,000 keys tried once each are forgotten once their window has passed."""
        policy = LockoutPolicy(
            max_failures=5, window=timedelta(minutes=10), duration=timedelta(minutes=30)
        )
        store = MemoryThrottleStore()
        throttle = LoginThrottle(policy, store=store)
        start = datetime(2026, 3, 1, tzinfo=UTC)
        for i in range(200_000):
            throttle.record_failure(f"user:{i}", now=start + timedelta(milliseconds=10 * i))
        # 2,000 s of failures, 600 s window: only the last 10 minutes' keys remain.
        assert len(store) <= 60_001
        store.purge(now=start + timedelta(days=1))
        assert len(store) == 0

    def test_attempts_on_a_locked_key_do_not_accumulate(self) -> None:
        """20,000 failures against one locked account keep the store's memory flat."""
        store = MemoryThrottleStore()
        throttle = LoginThrottle(POLICY, store=store)
        for _ in range(POLICY.max_failures):
            throttle.record_failure("user:a", now=T0)
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for i in range(20_000):
                throttle.record_failure("user:a", now=T0 + timedelta(milliseconds=i))
            grown = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        assert throttle.status("user:a", now=T0 + timedelta(seconds=20)).locked
        assert len(store) == 1
        assert grown < 64 * 1024  # one bookkeeping row per attempt would be about 2 MB

    def test_a_failure_from_a_clock_behind_does_not_shorten_the_memory(self) -> None:
        """A failure stamped earlier than one already counted keeps the later one's window."""
        store = MemoryThrottleStore()
        throttle = LoginThrottle(POLICY, store=store)
        throttle.record_failure("user:a", now=T0 + timedelta(minutes=2))
        throttle.record_failure("user:a", now=T0)  # another server, its clock 2 minutes behind
        later = T0 + POLICY.window + timedelta(minutes=1)
        throttle.record_failure("user:b", now=later)  # any later failure lets the store tidy up
        assert throttle.status("user:a", now=later).failures == 1
        state = store.get("user:a")
        assert state is not None
        assert state.forget_after == T0 + timedelta(minutes=2) + POLICY.window

    def test_locked_keys_stay_until_the_lock_lifts(self) -> None:
        """A lock outlives the failure window: the state is kept until it lifts."""
        policy = LockoutPolicy(
            max_failures=2, window=timedelta(minutes=1), duration=timedelta(minutes=30)
        )
        store = MemoryThrottleStore()
        throttle = LoginThrottle(policy, store=store)
        start = datetime(2026, 3, 1, tzinfo=UTC)
        throttle.record_failure("user:a", now=start)
        throttle.record_failure("user:a", now=start)
        store.purge(now=start + timedelta(minutes=10))
        assert throttle.status("user:a", now=start + timedelta(minutes=10)).locked
        store.purge(now=start + timedelta(minutes=31))
        assert store.get("user:a") is None

    def test_a_key_touched_again_keeps_its_newest_expiry(self) -> None:
        """Older expiry rows of a key do not drop its newer state."""
        policy = LockoutPolicy(
            max_failures=5, window=timedelta(minutes=10), duration=timedelta(minutes=30)
        )
        store = MemoryThrottleStore()
        throttle = LoginThrottle(policy, store=store)
        start = datetime(2026, 3, 1, tzinfo=UTC)
        throttle.record_failure("user:a", now=start)
        throttle.record_failure("user:a", now=start + timedelta(minutes=8))
        store.purge(now=start + timedelta(minutes=11))
        assert throttle.status("user:a", now=start + timedelta(minutes=11)).failures == 1


class TestTypedErrors:
    @pytest.mark.parametrize("key", [None, b"user:a", 5])
    def test_a_key_that_is_not_text(self, key: object) -> None:
        """A missing (None) or bytes key is an ArgumentTypeError, for every method."""
        throttle = LoginThrottle(POLICY)
        for call in (throttle.record_failure, throttle.record_success, throttle.status):
            with pytest.raises(ArgumentTypeError, match="key"):
                call(key, now=T0)  # type: ignore[arg-type]
        with pytest.raises(ArgumentTypeError, match="key"):
            throttle.unlock(key)  # type: ignore[arg-type]
        athrottle = AsyncLoginThrottle(POLICY)
        with pytest.raises(ArgumentTypeError, match="key"):
            asyncio.run(athrottle.record_failure(key, now=T0))  # type: ignore[arg-type]

    def test_a_policy_that_is_not_a_lockout_policy(self) -> None:
        """LoginThrottle({...}) is refused when built, not at the first login."""
        with pytest.raises(PolicyConfigError, match="policy"):
            LoginThrottle({"max_failures": 3})  # type: ignore[arg-type]
        with pytest.raises(PolicyConfigError, match="policy"):
            AsyncLoginThrottle(None)  # type: ignore[arg-type]

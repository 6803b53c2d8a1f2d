"""AsyncLoginThrottle: the synchronous throttle's rules, awaited, on every asyncio store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta

import pytest
import redis
import redis.asyncio
from hypothesis import given
from hypothesis import strategies as st
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff

from secpolicy.exceptions import PolicyConfigError
from secpolicy.password import (
    AsyncLoginThrottle,
    AsyncMemoryThrottleStore,
    AsyncThrottleStore,
    LockoutPolicy,
    LockStatus,
    LoginThrottle,
    MemoryThrottleStore,
    ThrottleState,
)
from secpolicy.stores import StoreError
from secpolicy.stores.redis import AsyncRedisThrottleStore, RedisThrottleStore
from tests.stores.conftest import START

POLICY = LockoutPolicy(max_failures=3, window=timedelta(minutes=15), duration=timedelta(minutes=30))
BACKOFF = LockoutPolicy(
    max_failures=5,
    window=timedelta(minutes=15),
    duration=timedelta(minutes=30),
    backoff=timedelta(seconds=2),
    max_backoff=timedelta(seconds=30),
)

#: ASCII letters and the colon to their full-width forms (U+FF01..U+FF5E).
_FULL_WIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}

Opener = Callable[[], AbstractAsyncContextManager[AsyncThrottleStore]]


@pytest.fixture(params=["memory", "redis"])
def opener(request: pytest.FixtureRequest, prefix: str) -> Opener:
    """Opens each asyncio store in turn, inside the running event loop."""
    if request.param == "memory":

        @asynccontextmanager
        async def memory() -> AsyncIterator[AsyncThrottleStore]:
            yield AsyncMemoryThrottleStore()

        return memory
    url: str = request.getfixturevalue("redis_url")

    @asynccontextmanager
    async def real() -> AsyncIterator[AsyncThrottleStore]:
        client = redis.asyncio.Redis.from_url(url)
        try:
            yield AsyncRedisThrottleStore.for_policy(client, POLICY, prefix=f"{prefix}:")
        finally:
            await client.aclose()

    return real


def _run(opener: Opener, body: Callable[[AsyncThrottleStore], Awaitable[None]]) -> None:
    async def main() -> None:
        async with opener() as store:
            await body(store)

    asyncio.run(main())


class TestAsyncThrottleStoreContract:
    def test_is_an_async_throttle_store(self, opener: Opener) -> None:
        """Every asyncio store satisfies the AsyncThrottleStore protocol."""

        async def body(store: AsyncThrottleStore) -> None:
            assert isinstance(store, AsyncThrottleStore)
            assert await store.get("user:nobody") is None

        _run(opener, body)

    def test_update_stores_and_none_deletes(self, opener: Opener) -> None:
        """``change`` receives the stored state; None deletes the key."""

        async def body(store: AsyncThrottleStore) -> None:
            first = ThrottleState((START,), None)
            assert await store.update("k", lambda old: first) == first
            assert await store.get("k") == first
            assert await store.update("k", lambda old: None) is None
            assert await store.get("k") is None

        _run(opener, body)

    def test_no_lost_update_across_tasks(self, opener: Opener) -> None:
        """Fifty concurrent tasks recording failures on one key lose none."""
        policy = LockoutPolicy(
            max_failures=1000, window=timedelta(hours=1), duration=timedelta(hours=1)
        )

        async def body(store: AsyncThrottleStore) -> None:
            throttle = AsyncLoginThrottle(policy, store=store)
            statuses = await asyncio.gather(
                *(throttle.record_failure("user:a", now=START) for _ in range(50))
            )
            assert sorted(s.failures for s in statuses) == list(range(1, 51))
            assert (await throttle.status("user:a", now=START)).failures == 50

        _run(opener, body)


class TestAsyncLoginThrottle:
    def test_locks_after_max_failures_and_lifts(self, opener: Opener) -> None:
        """Three failures lock for the duration, reported once; a success keeps the lock."""
        locks: list[tuple[str, LockStatus]] = []

        async def body(store: AsyncThrottleStore) -> None:
            throttle = AsyncLoginThrottle(
                POLICY, store=store, on_lock=lambda key, status: locks.append((key, status))
            )
            for i in range(2):
                status = await throttle.record_failure("user:a", now=START + timedelta(seconds=i))
                assert status.allowed
            status = await throttle.record_failure("user:a", now=START + timedelta(seconds=2))
            assert status.locked
            assert status.locked_until == START + timedelta(seconds=2) + POLICY.duration
            more = await throttle.record_failure("user:a", now=START + timedelta(seconds=3))
            assert more.locked_until == status.locked_until
            assert (
                await throttle.record_success("user:a", now=START + timedelta(minutes=1))
            ).locked
            later = START + timedelta(minutes=33)
            assert not (await throttle.status("user:a", now=later)).locked

        _run(opener, body)
        assert [key for key, _ in locks] == ["user:a"]
        assert locks[0][1].locked

    def test_keys_are_canonical(self, opener: Opener) -> None:
        """Case, width, spaces and invisible characters do not buy a fresh count."""
        spellings = [
            "user:Alice",
            "USER:ALICE ",
            "user:alice".translate(_FULL_WIDTH),
            "user:al\u200bice",
        ]
        locked: list[str] = []

        async def body(store: AsyncThrottleStore) -> None:
            throttle = AsyncLoginThrottle(
                POLICY, store=store, on_lock=lambda key, _: locked.append(key)
            )
            for spelling in spellings[:3]:
                await throttle.record_failure(spelling, now=START)
            assert (await throttle.status(spellings[3], now=START)).locked

        _run(opener, body)
        assert locked == ["user:alice"]

    def test_success_clears_and_unlock_lifts(self, opener: Opener) -> None:
        """A success forgets the failures; an administrator's unlock lifts a lock."""

        async def body(store: AsyncThrottleStore) -> None:
            throttle = AsyncLoginThrottle(POLICY, store=store)
            await throttle.record_failure("user:a", now=START)
            assert (await throttle.record_success("user:a", now=START)).failures == 0
            assert await store.get("user:a") is None
            for _ in range(POLICY.max_failures):
                await throttle.record_failure("user:b", now=START)
            await throttle.unlock("USER:B")
            assert (await throttle.status("user:b", now=START)).allowed

        _run(opener, body)

    def test_coroutine_on_lock_is_awaited(self, opener: Opener) -> None:
        """An async ``on_lock`` (sending the notification) runs before the failure returns."""
        sent: list[str] = []

        async def notify(key: str, status: LockStatus) -> None:
            await asyncio.sleep(0)
            sent.append(key)

        async def body(store: AsyncThrottleStore) -> None:
            throttle = AsyncLoginThrottle(POLICY, store=store, on_lock=notify)
            for _ in range(POLICY.max_failures):
                await throttle.record_failure("user:a", now=START)
            assert sent == ["user:a"]

        _run(opener, body)

    def test_backoff_as_the_sync_throttle(self, opener: Opener) -> None:
        """With a backoff policy the next attempt waits, as LoginThrottle says."""

        async def body(store: AsyncThrottleStore) -> None:
            throttle = AsyncLoginThrottle(BACKOFF, store=store)
            await throttle.record_failure("user:a", now=START)
            status = await throttle.record_failure("user:a", now=START + timedelta(seconds=3))
            assert not status.allowed
            assert status.retry_after == START + timedelta(seconds=7)

        _run(opener, body)

    def test_naive_time_is_refused(self) -> None:
        """A naive ``now`` is an error, as in the sync throttle."""
        throttle = AsyncLoginThrottle(POLICY)
        with pytest.raises(ValueError, match="now"):
            asyncio.run(throttle.status("k", now=START.replace(tzinfo=None)))

    def test_sync_store_is_refused(self) -> None:
        """A synchronous store is a configuration error, not a coroutine that never runs."""
        with pytest.raises(PolicyConfigError, match="coroutine"):
            AsyncLoginThrottle(POLICY, store=MemoryThrottleStore())  # type: ignore[arg-type]

    def test_memory_store_forgets(self) -> None:
        """The async memory store drops state once it has no effect."""
        store = AsyncMemoryThrottleStore()
        throttle = AsyncLoginThrottle(POLICY, store=store)
        asyncio.run(throttle.record_failure("user:a", now=START))
        assert len(store) == 1
        store.purge(now=START + POLICY.window + timedelta(seconds=1))
        assert len(store) == 0


class TestFailClosed:
    def test_unreachable_redis_raises(self) -> None:
        """A Redis that cannot be reached raises StoreError: never 'not locked'."""

        async def main() -> None:
            dead = redis.asyncio.Redis(
                host="127.0.0.1", port=1, socket_connect_timeout=1, retry=AsyncRetry(NoBackoff(), 0)
            )
            throttle = AsyncLoginThrottle(POLICY, store=AsyncRedisThrottleStore(dead))
            try:
                with pytest.raises(StoreError):
                    await throttle.status("user:a", now=START)
                with pytest.raises(StoreError):
                    await throttle.record_failure("user:a", now=START)
                with pytest.raises(StoreError):
                    await throttle.record_success("user:a", now=START)
            finally:
                await dead.aclose()

        asyncio.run(main())


class TestSyncAndAsyncInstances:
    def test_share_one_count_and_report_the_lock_once(self, redis_url: str, prefix: str) -> None:
        """A sync and an asyncio instance on one Redis count together; the lock is reported once."""
        locks: list[str] = []
        sync_client = redis.Redis.from_url(redis_url)
        sync = LoginThrottle(
            POLICY,
            store=RedisThrottleStore.for_policy(sync_client, POLICY, prefix=prefix),
            on_lock=lambda key, _: locks.append(f"sync {key}"),
        )

        async def main() -> None:
            client = redis.asyncio.Redis.from_url(redis_url)
            try:
                store = AsyncRedisThrottleStore.for_policy(client, POLICY, prefix=prefix)
                throttle = AsyncLoginThrottle(
                    POLICY, store=store, on_lock=lambda key, _: locks.append(f"async {key}")
                )
                await throttle.record_failure("user:a", now=START)
                await throttle.record_failure("user:a", now=START)
                sync.record_failure("user:a", now=START)
                assert (await throttle.record_failure("user:a", now=START)).locked
            finally:
                await client.aclose()

        try:
            asyncio.run(main())
            assert sync.status("user:a", now=START).locked
        finally:
            sync_client.close()
        assert locks == ["sync user:a"]


# -- the async throttle decides as the sync one, on any sequence ---------------------

_OPS = st.lists(
    st.tuples(
        st.sampled_from(["failure", "success", "status", "unlock"]),
        st.sampled_from(["user:a", "USER:A", "user:b", "ip:203.0.113.7"]),
        st.integers(min_value=0, max_value=3600),
    ),
    max_size=40,
)


class TestDifferential:
    @given(ops=_OPS, policy=st.sampled_from([POLICY, BACKOFF]))
    def test_same_answers_as_login_throttle(
        self, ops: list[tuple[str, str, int]], policy: LockoutPolicy
    ) -> None:
        """Any sequence of calls gets the same statuses and lock reports from both throttles."""
        sync_locks: list[tuple[str, LockStatus]] = []
        async_locks: list[tuple[str, LockStatus]] = []
        sync = LoginThrottle(policy, on_lock=lambda k, s: sync_locks.append((k, s)))
        aio = AsyncLoginThrottle(policy, on_lock=lambda k, s: async_locks.append((k, s)))

        async def main() -> None:
            elapsed = 0
            for op, key, step in ops:
                elapsed += step
                now = START + timedelta(seconds=elapsed)
                if op == "failure":
                    want = sync.record_failure(key, now=now)
                    got = await aio.record_failure(key, now=now)
                elif op == "success":
                    want = sync.record_success(key, now=now)
                    got = await aio.record_success(key, now=now)
                elif op == "status":
                    want = sync.status(key, now=now)
                    got = await aio.status(key, now=now)
                else:
                    sync.unlock(key)
                    await aio.unlock(key)
                    continue
                assert got == want

        asyncio.run(main())
        assert async_locks == sync_locks

"""The Redis throttle stores, sync and asyncio, against a real Redis server."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import timedelta

import pytest
import redis
import redis.asyncio
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.retry import Retry

import secpolicy.stores.redis as redis_store
from secpolicy.exceptions import PolicyConfigError
from secpolicy.password import LockoutPolicy, LoginThrottle, ThrottleState
from secpolicy.stores import StoreError
from secpolicy.stores.redis import AsyncRedisThrottleStore, RedisThrottleStore
from tests.stores.conftest import START

#: Fail at once on an unreachable server instead of retrying with backoff.
NO_RETRY = Retry(NoBackoff(), 0)
NO_ASYNC_RETRY = AsyncRetry(NoBackoff(), 0)
POLICY = LockoutPolicy(max_failures=3, window=timedelta(minutes=15), duration=timedelta(hours=2))


def _add_failure(old: ThrottleState | None) -> ThrottleState:
    return ThrottleState((*(old.failures if old else ()), START), None)


class TestRedisThrottleStore:
    def test_idle_keys_expire_after_the_window(
        self, redis_client: redis.Redis, prefix: str
    ) -> None:
        """A key with failures expires one window after its last write."""
        store = RedisThrottleStore(redis_client, prefix=prefix, ttl=POLICY.window)
        LoginThrottle(POLICY, store=store).record_failure("user:a", now=START)
        ttl_ms = redis_client.pttl(f"{prefix}user:a")
        assert 0 < ttl_ms <= POLICY.window / timedelta(milliseconds=1)

    def test_locked_keys_live_until_the_lock_lifts(
        self, redis_client: redis.Redis, prefix: str
    ) -> None:
        """A locked key outlives a shorter window: expiry never lifts a lock early."""
        store = RedisThrottleStore(redis_client, prefix=prefix, ttl=POLICY.window)
        throttle = LoginThrottle(POLICY, store=store)
        for _ in range(POLICY.max_failures):
            throttle.record_failure("user:a", now=START)
        ttl_ms = redis_client.pttl(f"{prefix}user:a")
        assert ttl_ms > POLICY.window / timedelta(milliseconds=1)
        assert ttl_ms <= POLICY.duration / timedelta(milliseconds=1)

    def test_ttl_follows_forget_after(self, redis_client: redis.Redis, prefix: str) -> None:
        """The script sets the key's time-to-live to forget_after, not the store's ttl."""
        store = RedisThrottleStore(redis_client, prefix=prefix, ttl=timedelta(days=1))
        forget = timedelta(minutes=10)
        store.update("a", lambda old: ThrottleState((START,), None, START + forget))
        ttl_ms = redis_client.pttl(f"{prefix}a")
        assert forget / timedelta(milliseconds=1) - 60_000 < ttl_ms
        assert ttl_ms <= forget / timedelta(milliseconds=1)
        lock = timedelta(hours=3)
        store.update("b", lambda old: ThrottleState((START,), START + lock, START + forget))
        assert redis_client.pttl(f"{prefix}b") > forget / timedelta(milliseconds=1)

    def test_for_policy_covers_window_and_duration(self, redis_client: redis.Redis) -> None:
        """``for_policy`` keeps keys for the longer of window and lock duration."""
        assert RedisThrottleStore.for_policy(redis_client, POLICY).ttl == POLICY.duration

    def test_success_deletes_the_key(self, redis_client: redis.Redis, prefix: str) -> None:
        """A success leaves nothing behind in Redis."""
        store = RedisThrottleStore(redis_client, prefix=prefix)
        throttle = LoginThrottle(POLICY, store=store)
        throttle.record_failure("user:a", now=START)
        throttle.record_success("user:a", now=START)
        assert redis_client.exists(f"{prefix}user:a") == 0

    def test_two_stores_share_state(self, redis_client: redis.Redis, prefix: str) -> None:
        """A store with a stale view recomputes from the current state instead of overwriting."""
        one = RedisThrottleStore(redis_client, prefix=prefix)
        two = RedisThrottleStore(redis_client, prefix=prefix)
        one.update("k", _add_failure)
        two.update("k", _add_failure)
        state = one.update("k", _add_failure)
        assert state is not None
        assert len(state.failures) == 3

    def test_works_with_decoded_responses(self, redis_url: str, prefix: str) -> None:
        """Clients made with ``decode_responses=True`` work the same."""
        client = redis.Redis.from_url(redis_url, decode_responses=True)
        try:
            store = RedisThrottleStore(client, prefix=prefix)
            store.update("k", _add_failure)
            assert store.get("k") == ThrottleState((START,), None)
        finally:
            client.close()

    def test_gives_up_when_the_key_never_settles(
        self, redis_client: redis.Redis, prefix: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A change that always loses the race ends in StoreError, not a silent overwrite."""
        monkeypatch.setattr(redis_store, "_MAX_ATTEMPTS", 3)
        store = RedisThrottleStore(redis_client, prefix=prefix)
        rival = RedisThrottleStore(redis_client, prefix=prefix)

        def change(old: ThrottleState | None) -> ThrottleState:
            rival.update("k", _add_failure)  # another writer gets in first, every time
            return ThrottleState((), None)

        with pytest.raises(StoreError, match="gave up"):
            store.update("k", change)

    def test_unreachable_server_is_a_store_error(self) -> None:
        """A server that cannot be reached raises StoreError from get and update."""
        client = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=1, retry=NO_RETRY)
        store = RedisThrottleStore(client)
        with pytest.raises(StoreError):
            store.get("k")
        with pytest.raises(StoreError):
            store.update("k", _add_failure)

    def test_script_error_is_a_store_error(self, redis_client: redis.Redis, prefix: str) -> None:
        """A key holding another Redis type makes the script fail with StoreError."""
        redis_client.rpush(f"{prefix}k", "x")
        store = RedisThrottleStore(redis_client, prefix=prefix)
        with pytest.raises(StoreError):
            store.update("k", _add_failure)

    @pytest.mark.parametrize("value", ["not json", "[1]", '{"f": ["x"], "l": null}'])
    def test_foreign_value_is_a_store_error(
        self, redis_client: redis.Redis, prefix: str, value: str
    ) -> None:
        """A value that is not a throttle state is an error, never 'no failures'."""
        redis_client.set(f"{prefix}k", value)
        with pytest.raises(StoreError, match="malformed"):
            RedisThrottleStore(redis_client, prefix=prefix).get("k")

    def test_bad_configuration(self, redis_client: redis.Redis) -> None:
        """An empty prefix or a non-positive ttl is refused at construction."""
        with pytest.raises(PolicyConfigError, match="prefix"):
            RedisThrottleStore(redis_client, prefix="")
        with pytest.raises(PolicyConfigError, match="ttl"):
            RedisThrottleStore(redis_client, ttl=timedelta(seconds=-1))

    def test_seen_cache_is_bounded(
        self, redis_client: redis.Redis, prefix: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The remembered states never grow past the cache size."""
        monkeypatch.setattr(redis_store, "_CACHE_SIZE", 4)
        store = RedisThrottleStore(redis_client, prefix=prefix)
        for i in range(10):
            store.get(f"k{i}")
        assert len(store._seen) == 4
        assert "RedisThrottleStore(prefix=" in repr(store)


class TestAsyncRedisThrottleStore:
    def test_update_and_get(self, redis_url: str, prefix: str) -> None:
        """The asyncio store reads and writes the same state as the sync one."""

        async def run() -> ThrottleState | None:
            client = redis.asyncio.Redis.from_url(redis_url)
            try:
                store = AsyncRedisThrottleStore.for_policy(client, POLICY, prefix=prefix)
                await store.update("k", _add_failure)
                await store.update("k", _add_failure)
                return await store.get("k")
            finally:
                await client.aclose()

        state = asyncio.run(run())
        assert state is not None
        assert len(state.failures) == 2
        sync_client = redis.Redis.from_url(redis_url)
        try:
            assert RedisThrottleStore(sync_client, prefix=prefix).get("k") == state
        finally:
            sync_client.close()

    def test_no_lost_update_across_tasks(self, redis_url: str, prefix: str) -> None:
        """Concurrent tasks on separate connections lose no update."""

        async def run() -> ThrottleState | None:
            clients = [redis.asyncio.Redis.from_url(redis_url) for _ in range(4)]
            try:
                stores = [AsyncRedisThrottleStore(c, prefix=prefix) for c in clients]

                async def work(store: AsyncRedisThrottleStore) -> None:
                    for _ in range(25):
                        await store.update("k", _add_failure)

                await asyncio.gather(*(work(s) for s in stores))
                return await stores[0].get("k")
            finally:
                for client in clients:
                    await client.aclose()

        state = asyncio.run(run())
        assert state is not None
        assert len(state.failures) == 100

    def test_errors_and_give_up(
        self, redis_url: str, prefix: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Unreachable servers and endless races raise StoreError in the async store too."""
        monkeypatch.setattr(redis_store, "_MAX_ATTEMPTS", 2)

        async def run() -> None:
            dead = redis.asyncio.Redis(
                host="127.0.0.1", port=1, socket_connect_timeout=1, retry=NO_ASYNC_RETRY
            )
            with pytest.raises(StoreError):
                await AsyncRedisThrottleStore(dead).get("k")
            with pytest.raises(StoreError):
                await AsyncRedisThrottleStore(dead).update("k", _add_failure)
            await dead.aclose()
            client = redis.asyncio.Redis.from_url(redis_url)
            sync = redis.Redis.from_url(redis_url)
            rival = RedisThrottleStore(sync, prefix=prefix)
            try:
                store = AsyncRedisThrottleStore(client, prefix=prefix)

                def change(old: ThrottleState | None) -> ThrottleState:
                    rival.update("k", _add_failure)
                    return ThrottleState((), None)

                with pytest.raises(StoreError, match="gave up"):
                    await store.update("k", change)
                await client.set(f"{prefix}list", "x")
                await client.delete(f"{prefix}list")
                await client.rpush(f"{prefix}list", "x")
                with pytest.raises(StoreError):
                    await store.update("list", _add_failure)
            finally:
                await client.aclose()
                sync.close()

        asyncio.run(run())


class TestMissingExtras:
    @pytest.mark.parametrize(
        ("module", "blocked", "extra"),
        [
            ("secpolicy.stores.redis", "redis", "secpolicy[redis]"),
            ("secpolicy.stores.sql", "sqlalchemy", "secpolicy[sql]"),
        ],
    )
    def test_import_names_the_extra(self, module: str, blocked: str, extra: str) -> None:
        """Without the driver, importing the store module says which extra to install."""
        code = (
            f"import sys; sys.modules[{blocked!r}] = None\n"
            "try:\n"
            f"    import {module}\n"
            "except ImportError as exc:\n"
            "    print(exc)\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert extra in result.stdout

    def test_stores_package_imports_no_driver(self) -> None:
        """``import secpolicy.stores`` (and the core) load neither redis nor SQLAlchemy."""
        code = (
            "import sys, secpolicy, secpolicy.stores, secpolicy.password, secpolicy.audit, "
            "secpolicy.retention, secpolicy.rbac\n"
            "print(sorted(m for m in ('redis', 'sqlalchemy', 'secpolicy.stores.sql', "
            "'secpolicy.stores.redis') if m in sys.modules))"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert result.stdout.strip() == "[]"

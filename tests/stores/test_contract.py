"""One contract, every store: the in-memory stores and each real store pass the same tests."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa

from secpolicy.audit import AnchorStore, FileAnchorStore, MemoryAnchorStore
from secpolicy.password import (
    LockoutPolicy,
    LoginThrottle,
    MemoryThrottleStore,
    ThrottleState,
    ThrottleStore,
)
from secpolicy.stores.redis import RedisThrottleStore
from secpolicy.stores.sql import SQLAnchorStore, SQLThrottleStore
from tests.stores.conftest import START, make_anchor

POLICY = LockoutPolicy(max_failures=3, window=timedelta(minutes=15), duration=timedelta(minutes=30))


@pytest.fixture(params=["memory", "redis", "sqlite", "postgresql"])
def throttle_store(request: pytest.FixtureRequest, prefix: str) -> ThrottleStore:
    """Each throttle store in turn."""
    kind = request.param
    if kind == "memory":
        return MemoryThrottleStore()
    if kind == "redis":
        client: redis.Redis = request.getfixturevalue("redis_client")
        return RedisThrottleStore.for_policy(client, POLICY, prefix=f"{prefix}:")
    engine: sa.Engine = request.getfixturevalue(
        "sqlite_engine" if kind == "sqlite" else "pg_engine"
    )
    return SQLThrottleStore.for_policy(engine, POLICY, prefix=prefix)


@pytest.fixture(params=["memory", "file", "sqlite", "postgresql"])
def anchor_store(request: pytest.FixtureRequest, prefix: str, tmp_path: Path) -> AnchorStore:
    """Each anchor store in turn."""
    kind = request.param
    if kind == "memory":
        return MemoryAnchorStore()
    if kind == "file":
        return FileAnchorStore(tmp_path / "anchors.jsonl")
    engine: sa.Engine = request.getfixturevalue(
        "sqlite_engine" if kind == "sqlite" else "pg_engine"
    )
    return SQLAnchorStore(engine, prefix=prefix)


def _counter(state: ThrottleState | None) -> int:
    """A counter kept in ``locked_until`` (microseconds past the epoch) for race tests."""
    if state is None or state.locked_until is None:
        return 0
    return (state.locked_until - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def _increment(state: ThrottleState | None) -> ThrottleState:
    return ThrottleState(
        (START,),
        datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=_counter(state) + 1),
    )


class TestThrottleStoreContract:
    def test_is_a_throttle_store(self, throttle_store: ThrottleStore) -> None:
        """Every store satisfies the ThrottleStore protocol."""
        assert isinstance(throttle_store, ThrottleStore)

    def test_absent_key_reads_none(self, throttle_store: ThrottleStore) -> None:
        """A key never written has no state."""
        assert throttle_store.get("user:nobody") is None

    def test_update_sees_old_state_and_stores_new(self, throttle_store: ThrottleStore) -> None:
        """``change`` receives the stored state; its result is stored and returned."""
        seen: list[ThrottleState | None] = []
        first = ThrottleState((START,), None)

        def change(old: ThrottleState | None) -> ThrottleState:
            seen.append(old)
            return first

        assert throttle_store.update("k", change) == first
        assert seen == [None]
        second = ThrottleState((START, START + timedelta(seconds=1)), START + timedelta(hours=1))
        assert throttle_store.update("k", lambda old: second) == second
        assert throttle_store.get("k") == second

    def test_none_deletes(self, throttle_store: ThrottleStore) -> None:
        """A change returning None removes the key; deleting an absent key is fine."""
        throttle_store.update("k", lambda old: ThrottleState((START,), None))
        assert throttle_store.update("k", lambda old: None) is None
        assert throttle_store.get("k") is None
        assert throttle_store.update("k", lambda old: None) is None

    def test_keys_are_independent(self, throttle_store: ThrottleStore) -> None:
        """Writing one key leaves another untouched."""
        throttle_store.update("a", lambda old: ThrottleState((START,), None))
        assert throttle_store.get("b") is None

    def test_times_round_trip_to_the_microsecond(self, throttle_store: ThrottleStore) -> None:
        """Failure and lock times come back exactly, as aware UTC datetimes."""
        when = START + timedelta(microseconds=123457)
        throttle_store.update("k", lambda old: ThrottleState((when,), when + POLICY.duration))
        state = throttle_store.get("k")
        assert state is not None
        assert state.failures == (when,)
        assert state.locked_until == when + POLICY.duration
        assert state.failures[0].utcoffset() == timedelta(0)

    def test_login_throttle_locks_through_the_store(self, throttle_store: ThrottleStore) -> None:
        """LoginThrottle over the store locks after max_failures and reports the lock."""
        locked: list[str] = []
        throttle = LoginThrottle(
            POLICY, store=throttle_store, on_lock=lambda key, status: locked.append(key)
        )
        for i in range(2):
            assert not throttle.record_failure(
                "user:alice", now=START + timedelta(seconds=i)
            ).locked
        status = throttle.record_failure("user:alice", now=START + timedelta(seconds=2))
        assert status.locked
        assert locked == ["user:alice"]
        assert throttle.status("user:alice", now=START + timedelta(minutes=1)).locked
        assert throttle.record_success("user:alice", now=START + timedelta(minutes=1)).locked
        later = START + timedelta(minutes=31)
        assert not throttle.status("user:alice", now=later).locked

    def test_success_clears_failures(self, throttle_store: ThrottleStore) -> None:
        """A successful login before the limit forgets the failures."""
        throttle = LoginThrottle(POLICY, store=throttle_store)
        throttle.record_failure("user:bob", now=START)
        throttle.record_success("user:bob", now=START + timedelta(seconds=1))
        assert throttle_store.get("user:bob") is None

    def test_no_lost_update_across_threads(self, throttle_store: ThrottleStore) -> None:
        """Eight threads incrementing one key through ``update`` lose no increment."""
        per_thread = 50

        def work() -> None:
            for _ in range(per_thread):
                throttle_store.update("counter", _increment)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert _counter(throttle_store.get("counter")) == 8 * per_thread


def _seen_by_change(store: ThrottleStore, key: str) -> list[ThrottleState | None]:
    """What an identity change of *key* is given by the store."""
    seen: list[ThrottleState | None] = []

    def change(old: ThrottleState | None) -> ThrottleState | None:
        seen.append(old)
        return old

    store.update(key, change)
    return seen


def _purge(store: ThrottleStore, now: datetime) -> None:
    """Reclaim expired state where the store needs it (Redis expires keys by itself)."""
    if isinstance(store, (MemoryThrottleStore, SQLThrottleStore)):
        store.purge(now=now)


class TestThrottleExpiryContract:
    def test_forget_after_round_trips(self, throttle_store: ThrottleStore) -> None:
        """The state's ``forget_after`` is stored and read back exactly."""
        state = ThrottleState((START,), START + POLICY.duration, START + POLICY.duration)
        throttle_store.update("k", lambda old: state)
        assert throttle_store.get("k") == state
        assert _seen_by_change(throttle_store, "k") == [state]

    def test_state_reads_absent_once_a_later_failure_passes_forget_after(
        self, throttle_store: ThrottleStore
    ) -> None:
        """A key tried once is forgotten when a failure at its forget_after is recorded."""
        throttle = LoginThrottle(POLICY, store=throttle_store)
        throttle.record_failure("user:sprayed", now=START)
        kept = throttle_store.get("user:sprayed")
        assert kept is not None
        assert kept.forget_after == START + POLICY.window
        throttle.record_failure("user:other", now=START + POLICY.window - timedelta(seconds=1))
        assert throttle_store.get("user:sprayed") == kept
        throttle.record_failure("user:other", now=START + POLICY.window)
        assert throttle_store.get("user:sprayed") is None
        assert _seen_by_change(throttle_store, "user:sprayed") == [None]
        assert throttle_store.get("user:other") is not None

    def test_lock_keeps_state_until_it_lifts(self, throttle_store: ThrottleStore) -> None:
        """A locked key outlives its failure window: forget_after is the lock's end."""
        throttle = LoginThrottle(POLICY, store=throttle_store)
        for i in range(POLICY.max_failures):
            throttle.record_failure("user:locked", now=START + timedelta(seconds=i))
        last = START + timedelta(seconds=POLICY.max_failures - 1)
        throttle.record_failure("user:other", now=last + POLICY.window + timedelta(seconds=1))
        _purge(throttle_store, last + POLICY.window + timedelta(seconds=1))
        assert throttle.status("user:locked", now=last + POLICY.window).locked
        throttle.record_failure("user:other", now=last + POLICY.duration)
        _purge(throttle_store, last + POLICY.duration)
        assert throttle_store.get("user:locked") is None

    def test_purge_drops_expired_state(self, throttle_store: ThrottleStore) -> None:
        """Purging (or Redis's own expiry) at forget_after leaves the key absent."""
        state = ThrottleState((START,), None, START + POLICY.window)
        throttle_store.update("k", lambda old: state)
        if isinstance(throttle_store, RedisThrottleStore):
            # Redis drops the key itself when its time-to-live (forget_after) runs out.
            ttl_ms = throttle_store.client.pttl(throttle_store.prefix + "k")
            assert 0 < ttl_ms <= POLICY.window / timedelta(milliseconds=1)
            return
        _purge(throttle_store, START + POLICY.window - timedelta(microseconds=1))
        assert throttle_store.get("k") == state
        _purge(throttle_store, START + POLICY.window)
        assert throttle_store.get("k") is None


@pytest.fixture(params=["redis", "sqlite", "postgresql"])
def store_pair(request: pytest.FixtureRequest, prefix: str) -> tuple[ThrottleStore, ThrottleStore]:
    """Two instances of each shared store on the same state, as two replicas hold them."""
    if request.param == "redis":
        client: redis.Redis = request.getfixturevalue("redis_client")
        return (
            RedisThrottleStore.for_policy(client, POLICY, prefix=f"{prefix}:"),
            RedisThrottleStore.for_policy(client, POLICY, prefix=f"{prefix}:"),
        )
    engine: sa.Engine = request.getfixturevalue(
        "sqlite_engine" if request.param == "sqlite" else "pg_engine"
    )
    return (
        SQLThrottleStore.for_policy(engine, POLICY, prefix=prefix),
        SQLThrottleStore.for_policy(engine, POLICY, prefix=prefix),
    )


class TestSharedThrottle:
    def test_lock_is_reported_once_across_instances(
        self, store_pair: tuple[ThrottleStore, ThrottleStore]
    ) -> None:
        """An instance whose stale view first computed the lock does not report it again."""
        locks: list[str] = []
        one, two = (
            LoginThrottle(POLICY, store=store, on_lock=lambda key, _: locks.append(key))
            for store in store_pair
        )
        one.record_failure("user:a", now=START)
        one.record_failure("user:a", now=START + timedelta(seconds=1))
        assert two.record_failure("user:a", now=START + timedelta(seconds=2)).locked
        assert one.record_failure("user:a", now=START + timedelta(seconds=3)).locked
        assert locks == ["user:a"]

    def test_other_instance_clears_and_unlocks(
        self, store_pair: tuple[ThrottleStore, ThrottleStore]
    ) -> None:
        """A success or an unlock through an instance that never saw the key takes effect."""
        one, two = (LoginThrottle(POLICY, store=store) for store in store_pair)
        one.record_failure("user:a", now=START)
        two.record_success("user:a", now=START + timedelta(seconds=1))
        assert one.status("user:a", now=START + timedelta(seconds=2)).failures == 0
        for i in range(POLICY.max_failures):
            one.record_failure("user:b", now=START + timedelta(seconds=i))
        two.unlock("user:b")
        assert not one.status("user:b", now=START + timedelta(seconds=5)).locked


class TestAnchorStoreContract:
    def test_is_an_anchor_store(self, anchor_store: AnchorStore) -> None:
        """Every store satisfies the AnchorStore protocol."""
        assert isinstance(anchor_store, AnchorStore)

    def test_unknown_log_has_nomake_anchor(self, anchor_store: AnchorStore) -> None:
        """A log never anchored reads None."""
        assert anchor_store.latest("nobody") is None

    def test_latest_is_highest_seq(self, anchor_store: AnchorStore) -> None:
        """``latest`` returns the anchor with the highest seq, whatever the order of puts."""
        for seq in (10, 30, 20):
            anchor_store.put(make_anchor("a", seq))
        assert anchor_store.latest("a") == make_anchor("a", 30)

    def test_logs_are_separate(self, anchor_store: AnchorStore) -> None:
        """Anchors of one log never answer for another."""
        anchor_store.put(make_anchor("a", 5))
        anchor_store.put(make_anchor("b", 3))
        assert anchor_store.latest("a") == make_anchor("a", 5)
        assert anchor_store.latest("b") == make_anchor("b", 3)

    def test_round_trips_every_field(self, anchor_store: AnchorStore) -> None:
        """Every field of an anchor comes back unchanged."""
        anchor = make_anchor("svc-1", 2**40, head="0" * 64)
        anchor_store.put(anchor)
        assert anchor_store.latest("svc-1") == anchor

    def test_keeps_every_anchor_in_order(self, anchor_store: AnchorStore) -> None:
        """``anchors`` lists all anchors of a log by seq; an identical put is kept once."""
        for seq in (3, 1, 2, 2):
            anchor_store.put(make_anchor("a", seq))
        assert [x.seq for x in anchor_store.anchors("a")] == [1, 2, 3]
        assert list(anchor_store.anchors("nobody")) == []

    def test_forks_are_kept_side_by_side(self, anchor_store: AnchorStore) -> None:
        """Two different anchors with one seq are both kept, in the order stored."""
        anchor_store.put(make_anchor("a", 2))
        anchor_store.put(make_anchor("a", 2, head="fork"))
        assert [x.head for x in anchor_store.anchors("a")] == ["h2", "fork2"]

    def test_log_ids_names_every_writer(self, anchor_store: AnchorStore) -> None:
        """``log_ids`` is the set of logs anchored."""
        assert anchor_store.log_ids() == frozenset()
        for log in ("w1", "w2", "w1"):
            anchor_store.put(make_anchor(log, 1))
        assert anchor_store.log_ids() == {"w1", "w2"}

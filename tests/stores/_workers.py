"""Code that runs in the child processes of the multi-process store tests.

Each child builds its own engine or client from a URL, as a separate service
instance would, and touches nothing its parent opened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from secpolicy.password import LockoutPolicy, LoginThrottle, ThrottleState, ThrottleStore

if TYPE_CHECKING:
    from multiprocessing.synchronize import Barrier

START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: A barrier that is not reached in this time fails the test instead of hanging it.
BARRIER_TIMEOUT = 120.0


def lockout_policy(max_failures: int) -> LockoutPolicy:
    """The policy the lockout test enforces."""
    return LockoutPolicy(
        max_failures=max_failures, window=timedelta(hours=1), duration=timedelta(hours=1)
    )


@dataclass(frozen=True)
class Target:
    """Which shared store a child uses: kind ("redis", "sqlite", "postgresql"), URL, prefix."""

    kind: str
    url: str
    prefix: str


def open_store(target: Target) -> tuple[ThrottleStore, Callable[[], None]]:
    """A throttle store on *target*, and the function that closes its connections."""
    if target.kind == "redis":
        import redis

        from secpolicy.stores.redis import RedisThrottleStore

        client = redis.Redis.from_url(target.url)
        return RedisThrottleStore(client, prefix=target.prefix), client.close
    import sqlalchemy as sa

    from secpolicy.stores.sql import SQLThrottleStore

    # SQLite writers queue on one file lock: wait for it as long as a test may run.
    options = {"connect_args": {"timeout": 120}} if target.kind == "sqlite" else {}
    engine = sa.create_engine(target.url, **options)
    if target.kind == "sqlite":
        sa.event.listen(engine, "connect", _no_fsync)
    return SQLThrottleStore(engine, prefix=target.prefix), engine.dispose


def _no_fsync(dbapi_connection: Any, _record: object) -> None:
    """Commit without fsync, as the test PostgreSQL server runs (``fsync=off``).

    The race tests check the compare-and-set, not durability; an fsync per
    commit (SQLite's default) made them measure the shared disk instead,
    twenty times slower when other work keeps it busy.
    """
    dbapi_connection.execute("PRAGMA synchronous=OFF")


def counter(state: ThrottleState | None) -> int:
    """The counter the race test keeps in ``locked_until`` (microseconds past the epoch)."""
    if state is None or state.locked_until is None:
        return 0
    return (state.locked_until - EPOCH) // timedelta(microseconds=1)


def increment(state: ThrottleState | None) -> ThrottleState:
    """The state with the counter one higher."""
    return ThrottleState((START,), EPOCH + timedelta(microseconds=counter(state) + 1))


def hammer_lockout(job: tuple[Target, int, int], barrier: Barrier, out: Any) -> None:
    """Record failures on one account, then report what this instance saw.

    *job* is (target, max_failures, calls).
    """
    target, max_failures, calls = job
    store, close = open_store(target)
    throttle = LoginThrottle(lockout_policy(max_failures), store=store)
    barrier.wait(BARRIER_TIMEOUT)
    results = [throttle.record_failure("user:victim", now=START).locked for _ in range(calls)]
    barrier.wait(BARRIER_TIMEOUT)  # every instance has finished before anyone looks
    out.put((results, throttle.status("user:victim", now=START).locked))
    close()


def hammer_counter(job: tuple[Target, int, str], barrier: Barrier, out: Any) -> None:
    """Increment a shared counter through ``update``; *job* is (target, ops, key)."""
    target, ops, key = job
    store, close = open_store(target)
    barrier.wait(BARRIER_TIMEOUT)
    for _ in range(ops):
        store.update(key, increment)
    out.put(ops)
    close()


#: The staleness bound of the attached instance, and how far its clock is moved past it.
MAX_STALENESS = timedelta(seconds=5)
#: Bound on waiting for a follower event in a child (an external condition).
EVENT_TIMEOUT = 30.0


def attached_instance(job: tuple[str, str], commands: Any, out: Any) -> None:
    """Instance B: an engine attached to a SQL policy store, following it.

    *job* is (url, prefix). B reports that alice may read; after the
    parent's ``"broken"`` it waits for its follower to fail, moves its own
    clock past the staleness bound and reports its decision; after
    ``"restored"`` it reports whether the follower brought it back.
    """
    import sqlalchemy as sa

    from secpolicy._clock import FrozenClock
    from secpolicy.rbac import RBAC
    from secpolicy.stores.sql import SQLPolicyStore

    url, prefix = job
    engine = sa.create_engine(url, pool_pre_ping=True)
    clock = FrozenClock(START)
    store = SQLPolicyStore(engine, prefix=prefix, create_schema=False)
    rbac = RBAC.from_store(store, clock=clock, max_staleness=MAX_STALENESS)
    follower = store.follow(rbac, interval=timedelta(milliseconds=50))
    try:
        follower.wait(lambda: follower.refreshes > 0, timeout=EVENT_TIMEOUT)
        out.put(("ready", rbac.check("alice", "accounts/1", "read")))
        commands.get(timeout=BARRIER_TIMEOUT)  # the store has become unreachable
        failed = follower.wait(lambda: follower.last_error is not None, timeout=EVENT_TIMEOUT)
        within = rbac.decide("alice", "accounts/1", "read")  # still inside the bound
        clock.advance(MAX_STALENESS + timedelta(seconds=1))
        decision = rbac.decide("alice", "accounts/1", "read")
        out.put(
            (
                "broken",
                failed,
                repr(follower.last_error),
                within.allowed,
                decision.allowed,
                decision.reason,
            )
        )
        if commands.get(timeout=BARRIER_TIMEOUT) == "restored":
            back = follower.wait(
                lambda: rbac.check("alice", "accounts/1", "read"), timeout=EVENT_TIMEOUT
            )
            out.put(("restored", back))
    finally:
        follower.stop()
        engine.dispose()

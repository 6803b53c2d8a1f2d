"""Shared stores on loopback servers, each beside the bare operation it wraps.

Goals (issue: shared state on PostgreSQL and Redis):

- Redis: ``LoginThrottle.record_failure`` through ``RedisThrottleStore`` within
  2x a bare ``INCR`` + ``EXPIRE`` round trip (pipelined, as a hand-written
  counter would do it) on the same server.
- PostgreSQL: ``record_failure`` through ``SQLThrottleStore`` within 2x a bare
  ``INSERT ... ON CONFLICT DO UPDATE`` counter upsert on the same server, on a
  connection taken from the engine's pool per call (a thread-safe store must);
  the ratio to an upsert on one connection held open is printed beside it.
- RBAC ``check`` with the engine attached to a ``SQLPolicyStore`` (and a
  follower running) unchanged from the in-memory engine: decisions stay
  local, only changes travel.
- Change propagation: from ``remove_user`` committed in one engine until a
  second engine's follower has applied it, p50 and p99 (PostgreSQL
  ``LISTEN/NOTIFY``; SQLite polling every 50 ms).

The servers are started as in the test suite (``tests/stores/_servers.py``),
or taken from ``SECPOLICY_TEST_POSTGRES_URL`` / ``SECPOLICY_TEST_REDIS_URL``.
Each throttle call uses a new key, so no lock cuts the loop short.
"""

from __future__ import annotations

import itertools
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis
import sqlalchemy as sa
from tests.stores._servers import PostgresServer, RedisServer

from benchmarks._runner import check_goal, compare
from secpolicy.password import LockoutPolicy, LoginThrottle
from secpolicy.rbac import RBAC
from secpolicy.stores.redis import RedisThrottleStore
from secpolicy.stores.sql import SQLPolicyStore, SQLThrottleStore

POLICY = LockoutPolicy(max_failures=5, window=timedelta(minutes=15), duration=timedelta(hours=1))
NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _redis(url: str) -> None:
    client = redis.Redis.from_url(url)
    throttle = LoginThrottle(POLICY, store=RedisThrottleStore.for_policy(client, POLICY))
    keys = itertools.count()

    def ours() -> None:
        throttle.record_failure(f"user:{next(keys)}", now=NOW)

    def bare() -> None:
        pipe = client.pipeline(transaction=False)
        key = f"bare:{next(keys)}"
        pipe.incr(key)
        pipe.expire(key, 900)
        pipe.execute()

    result = compare(
        "Redis: record_failure vs INCR+EXPIRE", ours, {"INCR+EXPIRE": bare}, number=300
    )
    ratio = result.ours.median / result.theirs[0].median
    check_goal("Redis throttle within 2x INCR+EXPIRE", met=ratio <= 2.0, detail=f"{ratio:.2f}x")
    client.close()


def _postgres(url: str) -> None:
    engine = sa.create_engine(url)
    store = SQLThrottleStore.for_policy(engine, POLICY, prefix="bench_")
    throttle = LoginThrottle(POLICY, store=store)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE IF NOT EXISTS bench_bare (key text PRIMARY KEY, n int, expires bigint)"
        )
    upsert = sa.text(
        "INSERT INTO bench_bare (key, n, expires) VALUES (:k, 1, 0) "
        "ON CONFLICT (key) DO UPDATE SET n = bench_bare.n + 1"
    )
    keys = itertools.count()
    bare_conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def ours() -> None:
        throttle.record_failure(f"user:{next(keys)}", now=NOW)

    def bare_pooled() -> None:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(upsert, {"k": f"bare:{next(keys)}"})

    def bare_held() -> None:
        bare_conn.execute(upsert, {"k": f"held:{next(keys)}"})

    result = compare(
        "PostgreSQL: record_failure vs upsert",
        ours,
        {"upsert (pooled connection)": bare_pooled, "upsert (one held connection)": bare_held},
        number=200,
    )
    ratio = result.ours.median / result.theirs[0].median
    held = result.ours.median / result.theirs[1].median
    check_goal(
        "PostgreSQL throttle within 2x upsert (pooled connection, as a store must)",
        met=ratio <= 2.0,
        detail=f"{ratio:.2f}x; {held:.2f}x a held connection",
    )
    bare_conn.close()
    engine.dispose()


def _policy(store: SQLPolicyStore) -> RBAC:
    rbac = RBAC.from_store(store)
    rbac.add_role("teller", by="admin")
    rbac.grant("teller", "accounts/**", "read", by="admin")
    for i in range(100):
        rbac.add_user(f"u{i}", by="admin")
        rbac.assign(f"u{i}", "teller", by="admin")
    return rbac


def _check(url: str) -> None:
    engine = sa.create_engine(url)
    attached = _policy(SQLPolicyStore(engine, prefix="benchcheck_"))
    follower = SQLPolicyStore(engine, prefix="benchcheck_").follow(attached)
    local = RBAC.from_dict(attached.to_dict())
    users = itertools.cycle([f"u{i}" for i in range(100)])
    result = compare(
        "RBAC check: attached to SQLPolicyStore vs in memory",
        lambda: attached.check(next(users), "accounts/7/balance", "read"),
        {"in memory": lambda: local.check(next(users), "accounts/7/balance", "read")},
        number=20_000,
    )
    ratio = result.ours.median / result.theirs[0].median
    check_goal("attached check unchanged (within 1.2x)", met=ratio <= 1.2, detail=f"{ratio:.2f}x")
    follower.stop()
    engine.dispose()


def _propagation(url: str, label: str, rounds: int) -> None:
    engine = sa.create_engine(url)
    prefix = f"benchprop{label.lower()}_"
    writer = _policy(SQLPolicyStore(engine, prefix=prefix))
    reader = RBAC.from_store(SQLPolicyStore(engine, prefix=prefix))
    follower = SQLPolicyStore(engine, prefix=prefix).follow(
        reader, interval=timedelta(milliseconds=50)
    )
    latencies: list[float] = []
    for i in range(rounds):
        user = f"p{i}"
        writer.add_user(user, by="admin")
        writer.assign(user, "teller", by="admin")
        follower.wait(lambda u=user: reader.check(u, "accounts/1", "read"), timeout=5)
        start = time.perf_counter()
        writer.remove_user(user, by="hr")
        applied = follower.wait(lambda u=user: not reader.check(u, "accounts/1", "read"), timeout=5)
        latencies.append((time.perf_counter() - start) * 1000)
        assert applied
    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"- {label} propagation, {rounds} revocations: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    check_goal(f"{label} propagation within 1 s at p99", met=p99 < 1000, detail=f"{p99:.1f} ms")
    follower.stop()
    engine.dispose()


def main() -> None:
    started: list[PostgresServer | RedisServer] = []
    pg_url = os.environ.get("SECPOLICY_TEST_POSTGRES_URL")
    redis_url = os.environ.get("SECPOLICY_TEST_REDIS_URL")
    if not pg_url:
        pg = PostgresServer()
        pg_url = pg.start()
        started.append(pg)
    if not redis_url:
        rs = RedisServer()
        redis_url = rs.start()
        started.append(rs)
    try:
        _redis(redis_url)
        _postgres(pg_url)
        _check(pg_url)
        _propagation(pg_url, "PostgreSQL", 100)
        with tempfile.TemporaryDirectory() as tmp:
            _propagation(f"sqlite:///{Path(tmp) / 'policy.db'}", "SQLite", 40)
    finally:
        for server in started:
            server.stop()


if __name__ == "__main__":
    main()

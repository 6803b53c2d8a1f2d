"""Many instances, one state: several processes share each real store."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from secpolicy.password import LoginThrottle
from tests.stores import _workers
from tests.stores._workers import Target

PROCESSES = 8
#: The counter race: 10,000 updates in all, split over the processes, with
#: two processes racing on each of four keys (each key's count must be exact).
#: Eight writers on one key made three to four attempts per update on
#: PostgreSQL (each a round trip), so most of the cost was retries rather than
#: updates; one hot key under eight instances is the lockout test above. Each
#: process opens one store (one engine, its pool's connections reused) and runs
#: its whole share in one loop.
TOTAL_OPS = 10_000
COUNTER_KEYS = 4
JOIN_TIMEOUT = 300.0


@pytest.fixture(params=["redis", "sqlite", "postgresql"])
def store_target(request: pytest.FixtureRequest, prefix: str, tmp_path: Path) -> Target:
    """Each shared store in turn."""
    kind = request.param
    if kind == "redis":
        return Target(kind, request.getfixturevalue("redis_url"), f"{prefix}:")
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'shared.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    target = Target(kind, url, prefix)
    _, close = _workers.open_store(target)  # the schema exists before the children race
    close()
    return target


def _run(work: Callable[..., None], jobs: list[Any]) -> list[Any]:
    """Run one child per job with a shared barrier; return what each put on the queue."""
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(len(jobs))
    out = ctx.Queue()
    children = [ctx.Process(target=work, args=(job, barrier, out)) for job in jobs]
    for child in children:
        child.start()
    try:
        results = [out.get(timeout=JOIN_TIMEOUT) for _ in children]
    finally:
        for child in children:
            child.join(JOIN_TIMEOUT)
    assert [child.exitcode for child in children] == [0] * len(children)
    return results


class TestLockoutAcrossProcesses:
    def test_exactly_max_failures_then_locked_everywhere(self, store_target: Target) -> None:
        """Eight instances hammer one account: the limit counts once in all; all see the lock."""
        max_failures, calls = 20, 10
        results = _run(_workers.hammer_lockout, [(store_target, max_failures, calls)] * PROCESSES)
        outcomes = [locked for seen, _ in results for locked in seen]
        assert len(outcomes) == PROCESSES * calls
        # max_failures - 1 attempts were answered "not locked"; the one that
        # reached the limit and every later one were answered "locked".
        assert outcomes.count(False) == max_failures - 1
        assert all(final for _, final in results)
        store, close = _workers.open_store(store_target)
        try:
            state = store.get("user:victim")
            throttle = LoginThrottle(_workers.lockout_policy(max_failures), store=store)
            assert throttle.status("user:victim", now=_workers.START).locked
        finally:
            close()
        assert state is not None
        assert len(state.failures) == max_failures


class TestNoLostUpdate:
    def test_ten_thousand_concurrent_updates(self, store_target: Target) -> None:
        """10,000 increments from eight processes, two racing per key, all count exactly."""
        share = TOTAL_OPS // PROCESSES
        keys = [f"counter:{i % COUNTER_KEYS}" for i in range(PROCESSES)]
        done = _run(_workers.hammer_counter, [(store_target, share, key) for key in keys])
        assert sum(done) == TOTAL_OPS
        store, close = _workers.open_store(store_target)
        try:
            counts = {key: _workers.counter(store.get(key)) for key in sorted(set(keys))}
        finally:
            close()
        assert counts == {key: keys.count(key) * share for key in counts}
        assert sum(counts.values()) == TOTAL_OPS

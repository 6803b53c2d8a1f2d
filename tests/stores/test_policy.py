"""SQLPolicyStore: the RBAC state shared by many engines, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import multiprocessing
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from secpolicy._clock import FrozenClock
from secpolicy.exceptions import PolicyConfigError
from secpolicy.rbac import RBAC, StoreConflict
from secpolicy.stores import StoreError
from secpolicy.stores.sql import PolicyFollower, SQLPolicyStore
from tests.rbac.test_store import StoreContract
from tests.stores import _workers
from tests.stores.conftest import START

_fresh = itertools.count()

#: How long a test waits for another instance to apply a change. The waits are
#: on the follower's refresh events, so they end as soon as the change arrives;
#: the bound is generous because a loaded machine can hold any thread back for
#: seconds, and only a change that never arrives may fail a test.
PROPAGATION = 30.0
#: Polling period of SQLite followers, and heartbeat of PostgreSQL ones, in tests.
INTERVAL = timedelta(milliseconds=50)


def _policy(store: SQLPolicyStore) -> RBAC:
    """Write a small policy to *store*: alice is a teller who may read accounts."""
    rbac = RBAC.from_store(store)
    rbac.add_user("alice", by="admin")
    rbac.add_role("teller", by="admin")
    rbac.grant("teller", "accounts/**", "read", by="admin")
    rbac.assign("alice", "teller", by="admin")
    return rbac


class TestSQLPolicyStoreContract(StoreContract):
    @pytest.fixture(autouse=True)
    def _database(self, engine: sa.Engine, prefix: str) -> None:
        self._engine = engine
        self._prefix = prefix

    def make(self) -> Any:
        """A fresh, empty SQL store (its own table prefix)."""
        return SQLPolicyStore(self._engine, prefix=f"{self._prefix}{next(_fresh)}_")


class TestSQLPolicyStore:
    def test_engines_share_the_policy(self, engine: sa.Engine, prefix: str) -> None:
        """A second engine started from the store holds the first one's policy."""
        store = SQLPolicyStore(engine, prefix=prefix)
        writer = _policy(store)
        reader = RBAC.from_store(SQLPolicyStore(engine, prefix=prefix))
        assert reader.check("alice", "accounts/1", "read")
        assert reader.to_dict() == writer.to_dict()
        assert store.version == writer.state.version

    def test_conflicting_writer_gets_a_typed_error_then_retries(
        self, engine: sa.Engine, prefix: str
    ) -> None:
        """A writer behind the store gets StoreConflict, changes nothing, then succeeds."""
        one = _policy(SQLPolicyStore(engine, prefix=prefix))
        two = RBAC.from_store(SQLPolicyStore(engine, prefix=prefix))
        one.add_user("bob", by="admin")
        with pytest.raises(StoreConflict):
            two.add_user("carol", by="admin")
        assert "carol" not in two.to_dict().get("users", {})
        two.refresh()
        two.add_user("carol", by="admin")
        one.refresh()
        assert one.to_dict() == two.to_dict()

    def test_history_is_kept_and_append_only(self, engine: sa.Engine, prefix: str) -> None:
        """Every change stays in order with who made it; the database refuses edits."""
        store = SQLPolicyStore(engine, prefix=prefix)
        _policy(store)
        changes = store.changes_since(0)
        assert [v for v, _ in changes] == list(range(1, len(changes) + 1))
        assert changes[-1][1]["op"] == "assign"
        assert changes[-1][1]["by"] == "admin"
        table = f"{prefix}policy_changes"
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
            conn.exec_driver_sql(f"DELETE FROM {table}")  # noqa: S608 (our own table name)

    def test_compact_serves_new_engines_from_a_snapshot(
        self, engine: sa.Engine, prefix: str
    ) -> None:
        """After compaction a new engine starts from the snapshot and the later changes."""
        store = SQLPolicyStore(engine, prefix=prefix)
        rbac = _policy(store)
        store.compact(rbac.state.version, rbac.to_dict())
        store.compact(rbac.state.version, rbac.to_dict())  # the same snapshot twice is fine
        rbac.add_user("bob", by="admin")
        assert store.load()[0] == rbac.state.version - 1
        fresh = RBAC.from_store(SQLPolicyStore(engine, prefix=prefix))
        assert fresh.to_dict() == rbac.to_dict()
        with pytest.raises(StoreConflict):
            store.compact(store.version + 5, {})

    def test_non_json_change_is_refused(self, sqlite_engine: sa.Engine) -> None:
        """A change that is not JSON is a PolicyConfigError and writes nothing."""
        store = SQLPolicyStore(sqlite_engine)
        with pytest.raises(PolicyConfigError, match="JSON"):
            store.append(0, {"op": "x", "args": {"when": object()}})
        assert store.version == 0

    def test_unreachable_database_is_a_store_error(self, postgres_url: str, prefix: str) -> None:
        """Every operation on a store that cannot be reached raises StoreError."""
        store = SQLPolicyStore(sa.create_engine(postgres_url), prefix=prefix)
        store.engine.dispose()
        store.engine = sa.create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
        for call in (
            store.load,
            lambda: store.append(0, {"op": "x"}),
            lambda: store.changes_since(0),
            lambda: store.compact(1, {}),
            lambda: store.version,
        ):
            with pytest.raises(StoreError):
                call()


@pytest.fixture
def follower_factory() -> Iterator[Any]:
    """Start followers that are stopped at the end of the test."""
    made: list[PolicyFollower] = []

    def make(store: SQLPolicyStore, rbac: RBAC, **options: Any) -> PolicyFollower:
        follower = store.follow(rbac, interval=options.pop("interval", INTERVAL), **options)
        made.append(follower)
        return follower

    yield make
    for follower in made:
        follower.stop()


class TestPolicyFollower:
    def test_other_instance_applies_a_revocation(
        self, engine: sa.Engine, prefix: str, follower_factory: Any
    ) -> None:
        """A departure in one engine denies in another within the propagation bound.

        Waits on the follower's refresh events for at most PROPAGATION seconds
        (an external condition with a bounded deadline; no sleeping).
        """
        writer = _policy(SQLPolicyStore(engine, prefix=prefix))
        reader = RBAC.from_store(SQLPolicyStore(engine, prefix=prefix))
        follower = follower_factory(SQLPolicyStore(engine, prefix=prefix), reader)
        assert reader.check("alice", "accounts/1", "read")
        writer.remove_user("alice", by="hr")
        assert follower.wait(
            lambda: not reader.check("alice", "accounts/1", "read"), timeout=PROPAGATION
        )
        expected = "notify" if engine.dialect.name == "postgresql" else "poll"
        assert repr(follower) == f"PolicyFollower(mode={expected!r}, interval={INTERVAL!r})"

    def test_interval_must_be_positive(self, sqlite_engine: sa.Engine) -> None:
        """A follower that would never wait is refused."""
        store = SQLPolicyStore(sqlite_engine)
        rbac = RBAC.from_store(store)
        with pytest.raises(PolicyConfigError, match="interval"):
            store.follow(rbac, interval=timedelta(0))

    def test_failing_refreshes_are_reported_and_fail_closed(
        self, sqlite_engine: sa.Engine, tmp_path: Path, follower_factory: Any
    ) -> None:
        """An engine whose store is gone denies after max_staleness, says why, and recovers."""
        clock = FrozenClock(START)
        store = SQLPolicyStore(sqlite_engine)
        _policy(store)
        reader = RBAC.from_store(store, clock=clock, max_staleness=timedelta(seconds=5))
        errors: list[Exception] = []
        gone = sa.create_engine(f"sqlite:///{tmp_path / 'missing' / 'x.db'}")
        follower_store = SQLPolicyStore(sqlite_engine)
        follower = follower_factory(follower_store, reader, on_error=errors.append)
        assert follower.wait(lambda: follower.refreshes > 0, timeout=PROPAGATION)
        reader._store = SQLPolicyStore.__new__(SQLPolicyStore)  # the store becomes unreachable
        reader._store.engine = gone
        reader._store._t = store._t
        assert follower.wait(lambda: follower.last_error is not None, timeout=PROPAGATION)
        assert isinstance(follower.last_error, StoreError)
        assert errors
        clock.advance(timedelta(seconds=6))
        decision = reader.decide("alice", "accounts/1", "read")
        assert not decision.allowed
        assert "fail closed" in decision.reason
        reader._store = store
        assert follower.wait(
            lambda: reader.check("alice", "accounts/1", "read"), timeout=PROPAGATION
        )
        assert follower.wait(lambda: follower.last_error is None, timeout=PROPAGATION)
        gone.dispose()


def _remove_user(job: tuple[str, str], barrier: Any, out: Any) -> None:
    """In another process: an instance of the service removes alice."""
    url, prefix = job
    engine = sa.create_engine(url)
    rbac = RBAC.from_store(SQLPolicyStore(engine, prefix=prefix))
    barrier.wait(_workers.BARRIER_TIMEOUT)
    rbac.remove_user("alice", by="hr")
    out.put(rbac.state.version)
    engine.dispose()


class _InstanceB:
    """Process B, an attached instance of the service, driven through two queues."""

    def __init__(self, url: str, prefix: str) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.commands, self.out = ctx.Queue(), ctx.Queue()
        self.process = ctx.Process(
            target=_workers.attached_instance, args=((url, prefix), self.commands, self.out)
        )
        self.process.start()

    def tell(self, command: str) -> None:
        self.commands.put(command)

    def report(self, kind: str) -> tuple[Any, ...]:
        found: tuple[Any, ...] = self.out.get(timeout=120)
        assert found[0] == kind
        return found[1:]

    def finish(self) -> None:
        self.process.join(120)
        assert self.process.exitcode == 0


class TestAcrossProcesses:
    def test_revocation_reaches_another_process(
        self, engine: sa.Engine, prefix: str, follower_factory: Any
    ) -> None:
        """Process A removes a user; this process's engine denies within the bound.

        Waits on the follower's refresh events for at most PROPAGATION seconds
        after A committed (an external condition with a bounded deadline).
        """
        _policy(SQLPolicyStore(engine, prefix=prefix))
        reader = RBAC.from_store(SQLPolicyStore(engine, prefix=prefix))
        follower = follower_factory(SQLPolicyStore(engine, prefix=prefix), reader)
        assert reader.check("alice", "accounts/1", "read")
        ctx = multiprocessing.get_context("spawn")
        barrier, out = ctx.Barrier(1), ctx.Queue()
        child = ctx.Process(
            target=_remove_user,
            args=((engine.url.render_as_string(hide_password=False), prefix), barrier, out),
        )
        child.start()
        version = out.get(timeout=120)
        child.join(120)
        assert child.exitcode == 0
        assert follower.wait(
            lambda: not reader.check("alice", "accounts/1", "read"), timeout=PROPAGATION
        )
        assert reader.state.version == version

    @pytest.mark.parametrize("how", ["replaced", "removed"])
    def test_unreachable_sqlite_store_fails_closed_in_another_process(
        self, tmp_path: Path, prefix: str, how: str
    ) -> None:
        """B's SQLite file is replaced or removed: B denies after the staleness bound, says why.

        B runs in its own process on its own clock; waits are on B's follower
        events and on B's reports, each with a bounded deadline.
        """
        path = tmp_path / "policy.db"
        engine = sa.create_engine(f"sqlite:///{path}")
        _policy(SQLPolicyStore(engine, prefix=prefix))
        engine.dispose()
        b = _InstanceB(f"sqlite:///{path}", prefix)
        assert b.report("ready") == (True,)
        if how == "replaced":  # e.g. a restore copies another database over the file
            other = sa.create_engine(f"sqlite:///{tmp_path / 'other.db'}")
            SQLPolicyStore(other, prefix=prefix)
            other.dispose()
            (tmp_path / "other.db").replace(path)
        else:
            path.unlink()
        b.tell("broken")
        failed, error, within, allowed, reason = b.report("broken")
        b.tell("stop")
        b.finish()
        assert failed
        assert "StoreError" in error
        assert within  # inside the bound B still answers from its last good state
        assert not allowed
        assert "fail closed" in reason

    def test_terminated_backend_fails_closed_in_another_process(
        self, pg_engine: sa.Engine, postgres_url: str, prefix: str
    ) -> None:
        """B's PostgreSQL backends are terminated and its role locked out: B denies, then recovers.

        B runs in its own process on its own clock; waits are on B's follower
        events and on B's reports, each with a bounded deadline.
        """
        role = f"{prefix}svc"
        with pg_engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN PASSWORD 'pw'")
        _policy(SQLPolicyStore(pg_engine, prefix=prefix))
        with pg_engine.begin() as conn:
            for table in ("policy_changes", "policy_snapshots", "schema_version"):
                conn.exec_driver_sql(f"GRANT SELECT, INSERT ON {prefix}{table} TO {role}")
        url = sa.make_url(postgres_url).set(username=role, password="pw")
        b = _InstanceB(url.render_as_string(hide_password=False), prefix)
        try:
            assert b.report("ready") == (True,)
            with pg_engine.begin() as conn:
                conn.exec_driver_sql(f"ALTER ROLE {role} NOLOGIN")
                killed = conn.execute(
                    sa.text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE usename = :r"
                    ),
                    {"r": role},
                ).scalar()
            assert killed
            b.tell("broken")
            failed, error, within, allowed, reason = b.report("broken")
            assert failed
            assert "StoreError" in error
            assert within
            assert not allowed
            assert "fail closed" in reason
            with pg_engine.begin() as conn:
                conn.exec_driver_sql(f"ALTER ROLE {role} LOGIN")
            b.tell("restored")
            assert b.report("restored") == (True,)
        finally:
            b.tell("stop")
            b.finish()

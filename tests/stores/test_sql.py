"""The SQL stores on SQLite and PostgreSQL: schema, append-only anchors, holds, throttle rows."""

# Table names come from the test's own prefix: the raw SQL tampers on purpose.
# ruff: noqa: S608

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import secpolicy.stores.sql._throttle as sql_throttle
from secpolicy._clock import FrozenClock
from secpolicy.audit import AuditLogger, rotated_files, verify
from secpolicy.exceptions import AuditWriteError, PolicyConfigError
from secpolicy.password import LockoutPolicy, LoginThrottle, ThrottleState
from secpolicy.retention import LegalHold, Period, RetentionRecord, RetentionRule, RetentionSchedule
from secpolicy.stores import HoldStateError, StoreError, StoreSchemaError
from secpolicy.stores.sql import (
    COMPONENTS,
    SQLAnchorStore,
    SQLHoldStore,
    SQLPolicyStore,
    SQLThrottleStore,
    create_anchor_writer_role,
    migrate,
    schema_version,
)
from tests.stores.conftest import START, make_anchor, sqlite_url


class TestMigrate:
    def test_creates_every_component_once(self, engine: sa.Engine, prefix: str) -> None:
        """``migrate`` creates all tables, records versions, and a second run changes nothing."""
        assert schema_version(engine, "throttle", prefix=prefix) == 0
        first = migrate(engine, prefix=prefix)
        assert set(first) == set(COMPONENTS)
        assert migrate(engine, prefix=prefix) == first
        names = set(sa.inspect(engine).get_table_names())
        for table in ("schema_version", "throttle", "anchors", "holds", "hold_events"):
            assert f"{prefix}{table}" in names
        assert all(schema_version(engine, c, prefix=prefix) == first[c] for c in COMPONENTS)

    def test_newer_schema_is_refused(self, engine: sa.Engine, prefix: str) -> None:
        """A database migrated by a newer release makes this one stop, not guess."""
        migrate(engine, prefix=prefix, components=["throttle"])
        with engine.begin() as conn:
            conn.exec_driver_sql(f"UPDATE {prefix}schema_version SET version = 99")
        with pytest.raises(StoreSchemaError, match="newer"):
            SQLThrottleStore(engine, prefix=prefix)

    def test_missing_schema_without_create_is_refused(self, engine: sa.Engine, prefix: str) -> None:
        """``create_schema=False`` on an empty database says to migrate."""
        with pytest.raises(StoreSchemaError, match="migrate"):
            SQLAnchorStore(engine, prefix=prefix, create_schema=False)

    @pytest.mark.parametrize("bad", ["", "Upper_", "1abc", "a;drop", "x" * 40, None])
    def test_unsafe_prefix_is_refused(self, sqlite_engine: sa.Engine, bad: object) -> None:
        """Only lower-case identifier prefixes reach the DDL."""
        with pytest.raises(PolicyConfigError, match="prefix"):
            migrate(sqlite_engine, prefix=bad)  # type: ignore[arg-type]

    def test_unreachable_database_is_a_store_error(self, tmp_path: object) -> None:
        """A database that cannot be opened raises StoreError."""
        engine = sa.create_engine("sqlite:////nonexistent-dir/x/store.db")
        with pytest.raises(StoreError):
            migrate(engine, prefix="p_")


class TestSQLThrottleStore:
    def test_rows_expire_after_ttl_and_purge(self, engine: sa.Engine, prefix: str) -> None:
        """Idle rows are purged after the window; a locked row stays until its lock lifts."""
        policy = LockoutPolicy(
            max_failures=2, window=timedelta(minutes=5), duration=timedelta(hours=1)
        )
        store = SQLThrottleStore(engine, prefix=prefix, ttl=policy.window)
        throttle = LoginThrottle(policy, store=store)
        throttle.record_failure("idle", now=START)
        throttle.record_failure("locked", now=START)
        throttle.record_failure("locked", now=START)
        assert store.purge(now=START + timedelta(minutes=6)) == 1
        assert store.get("idle") is None
        assert store.get("locked") is not None
        assert store.purge(now=START + timedelta(minutes=61)) == 1
        assert store.get("locked") is None

    def test_expiry_column_holds_forget_after(self, engine: sa.Engine, prefix: str) -> None:
        """``expires_at`` is the state's forget_after; a lock-only state is never purged."""
        store = SQLThrottleStore(engine, prefix=prefix, ttl=timedelta(days=1))
        forget = START + timedelta(minutes=10)
        store.update("a", lambda old: ThrottleState((START,), None, forget))
        store.update("lock", lambda old: ThrottleState((), START + timedelta(days=9)))
        store.update("both", lambda old: ThrottleState((), START + timedelta(hours=2), forget))
        assert store.purge(now=forget) == 1
        assert store.get("a") is None
        assert store.purge(now=START + timedelta(hours=2) - timedelta(microseconds=1)) == 0
        assert store.purge(now=START + timedelta(days=400)) == 1
        assert store.get("lock") is not None

    def test_stale_cache_is_corrected(self, engine: sa.Engine, prefix: str) -> None:
        """Two stores on one table never overwrite each other's writes."""
        one = SQLThrottleStore(engine, prefix=prefix)
        two = SQLThrottleStore(engine, prefix=prefix)
        one.update("k", lambda old: ThrottleState((START,), None))
        two.update("k", lambda old: ThrottleState((*(old.failures if old else ()), START), None))
        state = one.update(
            "k", lambda old: ThrottleState((*old.failures, START), None) if old else None
        )
        assert state is not None
        assert len(state.failures) == 3
        one.update("k", lambda old: None)
        assert two.update("k", lambda old: old) is None

    def test_unseen_key_is_deleted_and_reported(self, engine: sa.Engine, prefix: str) -> None:
        """A store that never saw a key still deletes it, and reports a lock it did not write."""
        one = SQLThrottleStore(engine, prefix=prefix)
        policy = LockoutPolicy(
            max_failures=1, window=timedelta(hours=1), duration=timedelta(hours=1)
        )
        LoginThrottle(policy, store=one).record_failure("user:a", now=START)
        one.update("user:b", lambda old: ThrottleState((START,), None))
        fresh = LoginThrottle(policy, store=SQLThrottleStore(engine, prefix=prefix))
        assert fresh.record_success("user:a", now=START).locked
        fresh.unlock("user:a")
        SQLThrottleStore(engine, prefix=prefix).update("user:b", lambda old: None)
        assert one.get("user:a") is None
        assert one.get("user:b") is None

    @pytest.mark.parametrize("key", ["user:" + "a" * 600, "user:nul\x00byte", "sha256:" + "0" * 64])
    def test_any_key_is_counted(self, engine: sa.Engine, prefix: str, key: str) -> None:
        """Keys the column cannot hold lock like any other, in a row of their own."""
        policy = LockoutPolicy(
            max_failures=2, window=timedelta(hours=1), duration=timedelta(hours=1)
        )
        store = SQLThrottleStore(engine, prefix=prefix)
        throttle = LoginThrottle(policy, store=store)
        throttle.record_failure(key, now=START)
        assert throttle.record_failure(key, now=START).locked
        fresh = LoginThrottle(policy, store=SQLThrottleStore(engine, prefix=prefix))
        assert fresh.status(key, now=START).locked
        assert not fresh.status("user:other", now=START).locked
        with engine.connect() as conn:
            assert conn.exec_driver_sql(f"SELECT count(*) FROM {prefix}throttle").scalar() == 1

    def test_lost_races_queue_on_the_lock(
        self, engine: sa.Engine, prefix: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A writer that keeps losing the race takes the lock; one that never settles gives up."""
        monkeypatch.setattr(sql_throttle, "_OPTIMISTIC_ATTEMPTS", 2)
        store = SQLThrottleStore(engine, prefix=prefix)
        rival = SQLThrottleStore(engine, prefix=prefix)
        calls = 0

        def add(old: ThrottleState | None) -> ThrottleState:
            return ThrottleState((*(old.failures if old else ()), START), None)

        def change(old: ThrottleState | None) -> ThrottleState:
            nonlocal calls
            calls += 1
            if calls <= 2:  # another writer gets in before each optimistic attempt
                rival.update("k", add)
            return add(old)

        state = store.update("k", change)
        assert state is not None
        assert len(state.failures) == 3
        assert calls == 3
        monkeypatch.setattr(sql_throttle, "_MAX_ATTEMPTS", 0)
        calls = 0
        with pytest.raises(StoreError, match="gave up"):
            store.update("k", change)
        assert "SQLThrottleStore(table=" in repr(store)

    def test_corrupt_row_is_a_store_error(self, engine: sa.Engine, prefix: str) -> None:
        """A row that is not a throttle state raises StoreError, never reads as 'no failures'."""
        store = SQLThrottleStore(engine, prefix=prefix)
        with engine.begin() as conn:
            conn.exec_driver_sql(
                f"INSERT INTO {prefix}throttle (key, state, expires_at) VALUES ('k', 'nope', 0)"
            )
        with pytest.raises(StoreError, match="malformed"):
            store.get("k")

    def test_bad_ttl_is_refused(self, sqlite_engine: sa.Engine) -> None:
        """The idle expiry must be a positive timedelta."""
        with pytest.raises(PolicyConfigError, match="ttl"):
            SQLThrottleStore(sqlite_engine, ttl=timedelta(0))

    def test_database_down_is_a_store_error(self, postgres_url: str, prefix: str) -> None:
        """An unreachable database raises StoreError from update and get."""
        engine = sa.create_engine(postgres_url)
        store = SQLThrottleStore(engine, prefix=prefix)
        engine.dispose()
        store.engine = sa.create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
        with pytest.raises(StoreError):
            store.get("k")
        with pytest.raises(StoreError):
            store.update("k", lambda old: None)


def _stores(engine: sa.Engine, prefix: str) -> dict[str, Callable[[], object]]:
    """One reading operation of each SQL store on *engine*."""
    throttle = SQLThrottleStore(engine, prefix=prefix)
    anchors = SQLAnchorStore(engine, prefix=prefix)
    holds = SQLHoldStore(engine, prefix=prefix)
    policy = SQLPolicyStore(engine, prefix=prefix)
    return {
        "throttle get": lambda: throttle.get("k"),
        "throttle update": lambda: throttle.update("k", lambda old: None),
        "anchors": anchors.log_ids,
        "holds": lambda: holds.active(now=START),
        "policy": lambda: policy.changes_since(0),
    }


class TestSQLiteFileGuard:
    @pytest.mark.parametrize("how", ["replaced", "removed"])
    def test_a_replaced_or_removed_file_is_a_store_error(
        self, tmp_path: Path, prefix: str, how: str
    ) -> None:
        """Connections to a file that is no longer the store's refuse to read or write it."""
        path = tmp_path / "store.db"
        engine = sa.create_engine(sqlite_url(path))
        operations = _stores(engine, prefix)
        for operation in operations.values():
            operation()  # every store works, and its pool holds open connections
        if how == "replaced":
            other = sa.create_engine(sqlite_url(tmp_path / "other.db"))
            migrate(other, prefix=prefix)
            other.dispose()
            (tmp_path / "other.db").replace(path)
        else:
            path.unlink()
        for operation in operations.values():
            with pytest.raises(StoreError, match="replaced or removed"):
                operation()

        engine.dispose()

    def test_in_memory_and_postgresql_are_not_checked(
        self, pg_engine: sa.Engine, prefix: str
    ) -> None:
        """Databases without a file of their own work as before."""
        memory = sa.create_engine("sqlite://")
        for engine in (memory, pg_engine):
            for operation in _stores(engine, prefix).values():
                operation()
        memory.dispose()


class TestSQLAnchorStore:
    def test_keeps_every_anchor_once(self, engine: sa.Engine, prefix: str) -> None:
        """All anchors of a log are kept in seq order; an identical put is stored once."""
        store = SQLAnchorStore(engine, prefix=prefix)
        for seq in (3, 1, 2, 2):
            store.put(make_anchor("a", seq))
        store.put(make_anchor("a", 2, head="fork"))
        assert [a.seq for a in store.anchors("a")] == [1, 2, 2, 3]
        assert store.anchors("a")[1].head == "h2"
        assert store.anchors("a")[2].head == "fork2"
        assert store.anchors("nobody") == ()

    def test_log_ids_lists_every_writer(self, engine: sa.Engine, prefix: str) -> None:
        """``log_ids`` names each log that anchored, once."""
        store = SQLAnchorStore(engine, prefix=prefix)
        assert store.log_ids() == frozenset()
        for log in ("w1", "w2", "w1", "w3"):
            store.put(make_anchor(log, 1))
        assert store.log_ids() == {"w1", "w2", "w3"}

    @pytest.mark.parametrize("statement", ["UPDATE {t} SET seq = 0", "DELETE FROM {t}"])
    def test_database_refuses_rewrites(
        self, engine: sa.Engine, prefix: str, statement: str
    ) -> None:
        """Even the table's owner cannot UPDATE or DELETE an anchor: the trigger aborts."""
        store = SQLAnchorStore(engine, prefix=prefix)
        store.put(make_anchor("a", 1))
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
            conn.exec_driver_sql(statement.format(t=f"{prefix}anchors"))
        assert store.latest("a") == make_anchor("a", 1)

    def test_postgres_refuses_truncate(self, pg_engine: sa.Engine, prefix: str) -> None:
        """TRUNCATE is refused on PostgreSQL too."""
        store = SQLAnchorStore(pg_engine, prefix=prefix)
        store.put(make_anchor("a", 1))
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), pg_engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {prefix}anchors")
        assert store.latest("a") is not None

    def test_insert_only_role(self, pg_engine: sa.Engine, postgres_url: str, prefix: str) -> None:
        """The writer role can append and read anchors, but not UPDATE, DELETE or TRUNCATE."""
        SQLAnchorStore(pg_engine, prefix=prefix)
        role = f"{prefix}writer"
        create_anchor_writer_role(pg_engine, role, prefix=prefix, password="pw-for-tests")
        create_anchor_writer_role(pg_engine, role, prefix=prefix, password="pw-for-tests")
        url = sa.make_url(postgres_url).set(username=role, password="pw-for-tests")
        writer_engine = sa.create_engine(url)
        try:
            writer = SQLAnchorStore(writer_engine, prefix=prefix, create_schema=False)
            writer.put(make_anchor("svc", 7))
            assert writer.latest("svc") == make_anchor("svc", 7)
            for statement in (
                f"UPDATE {prefix}anchors SET seq = 0",
                f"DELETE FROM {prefix}anchors",
                f"TRUNCATE {prefix}anchors",
                f"DROP TRIGGER {prefix}anchors_no_change ON {prefix}anchors",
            ):
                with (
                    pytest.raises(sa.exc.ProgrammingError, match=r"denied|must be owner"),
                    writer_engine.begin() as conn,
                ):
                    conn.exec_driver_sql(statement)
        finally:
            writer_engine.dispose()

    def test_role_needs_postgres_and_a_safe_name(self, sqlite_engine: sa.Engine) -> None:
        """Roles exist only on PostgreSQL; role names are identifiers."""
        with pytest.raises(PolicyConfigError, match="PostgreSQL"):
            create_anchor_writer_role(sqlite_engine, "w")

    def test_unsafe_role_name(self, pg_engine: sa.Engine, prefix: str) -> None:
        """A role name that is not an identifier is refused before any SQL runs."""
        with pytest.raises(PolicyConfigError, match="role"):
            create_anchor_writer_role(pg_engine, "w; DROP TABLE x", prefix=prefix)

    def test_failed_put_is_an_audit_write_error(self, engine: sa.Engine, prefix: str) -> None:
        """A put the database refuses raises AuditWriteError (an OSError), as the protocol asks."""
        store = SQLAnchorStore(engine, prefix=prefix)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE {prefix}anchors")
        with pytest.raises(AuditWriteError):
            store.put(make_anchor("a", 1))
        with pytest.raises(StoreError):
            store.latest("a")
        with pytest.raises(StoreError):
            store.log_ids()

    def test_put_needs_anmake_anchor(self, sqlite_engine: sa.Engine) -> None:
        """Anything but an Anchor is refused."""
        with pytest.raises(PolicyConfigError):
            SQLAnchorStore(sqlite_engine).put({"log_id": "a"})  # type: ignore[arg-type]

    def test_corrupt_row_is_a_store_error(self, sqlite_engine: sa.Engine, prefix: str) -> None:
        """A row that is not an anchor is an error, not a missing anchor."""
        store = SQLAnchorStore(sqlite_engine, prefix=prefix)
        with sqlite_engine.begin() as conn:
            conn.exec_driver_sql(
                f"INSERT INTO {prefix}anchors (log_id, seq, digest, body) VALUES ('a', 1, 'd', ?)",
                (json.dumps({"log_id": "a"}),),
            )
        with pytest.raises(StoreError, match="not an anchor"):
            store.latest("a")


class TestSQLHoldStore:
    def test_place_and_lift_are_recorded(self, engine: sa.Engine, prefix: str) -> None:
        """Who placed and lifted a hold, and why, is kept in order; the hold stops applying."""
        store = SQLHoldStore(engine, prefix=prefix)
        hold_id = store.place(LegalHold("claims", "case 2026-17", START), by="legal:wang")
        assert [h.reason for h in store.active(now=START)] == ["case 2026-17"]
        assert store.active(now=START - timedelta(seconds=1)) == []
        lifted = START + timedelta(days=30)
        store.lift(hold_id, by="legal:li", reason="case closed", now=lifted)
        assert store.active(now=lifted) == []
        assert [h.reason for h in store.active(now=lifted - timedelta(seconds=1))] == [
            "case 2026-17"
        ]
        events = store.history(hold_id)
        assert [(e.action, e.by, e.reason) for e in events] == [
            ("place", "legal:wang", "case 2026-17"),
            ("lift", "legal:li", "case closed"),
        ]
        assert events[1].at == lifted
        stored = store.get(hold_id)
        assert (stored.placed_by, stored.lifted_by) == ("legal:wang", "legal:li")
        assert stored.hold.released == lifted

    def test_active_holds_block_retention(self, engine: sa.Engine, prefix: str) -> None:
        """Holds read from the store block disposal in RetentionSchedule.evaluate."""
        store = SQLHoldStore(engine, prefix=prefix)
        schedule = RetentionSchedule(
            [RetentionRule(category="claims", keep=Period(days=30), citation="test")], tz="UTC"
        )
        now = START + timedelta(days=60)
        assert schedule.evaluate("claims", created=START, now=now).action == "delete"
        store.place(LegalHold("claims", "audit request", START), by="legal:wang")
        held = schedule.evaluate("claims", created=START, now=now, holds=store.active(now=now))
        assert held.action == "retain"
        assert held.on_hold

    def test_holds_from_the_store_govern_audit_prune(
        self, engine: sa.Engine, prefix: str, tmp_path: Path
    ) -> None:
        """``AuditLogger.prune`` keeps what a stored hold covers and prunes it once lifted."""
        store = SQLHoldStore(engine, prefix=prefix)
        clock = FrozenClock(START)
        path = tmp_path / "audit.jsonl"
        key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
        audit = AuditLogger.to_file(
            path,
            key=key,
            clock=clock,
            rotate_every=timedelta(days=30),
            checkpoint_interval=None,
            seal_idle=False,
            lifecycle_events=False,
        )
        try:
            for i in range(5):
                audit.emit("billing.refund", user_id=f"u{i}", outcome="success")
                clock.advance(timedelta(days=31))
            schedule = RetentionSchedule(
                [RetentionRule(category="audit_log", keep=Period(months=2), action="delete")],
                tz="UTC",
            )
            rotated = rotated_files(path)
            assert len(rotated) >= 3

            def prune() -> list[Path]:
                return audit.prune(schedule, now=clock.now(), holds=store.active(now=clock.now()))

            whole = store.place(
                LegalHold("audit_log", "litigation", START), by="legal:wang", reason="case 7"
            )
            assert prune() == []
            assert rotated_files(path) == rotated
            store.lift(whole, by="legal:li", reason="case 7 settled", now=clock.now())
            second = store.place_records(
                [rotated[1].name], "subpoena", START, by="legal:wang", name="subpoena-2"
            )
            assert prune() == rotated[:1]
            assert rotated_files(path) == rotated[1:]
            store.lift(second, by="legal:li", reason="subpoena answered", now=clock.now())
            gone = prune()
            assert gone
            assert gone[0] == rotated[1]
        finally:
            audit.close()
        assert verify(path, key=key.public_key()).ok
        assert [(e.hold_id, e.action, e.by, e.reason) for e in store.history()] == [
            (whole, "place", "legal:wang", "case 7"),
            (whole, "lift", "legal:li", "case 7 settled"),
            (second, "place", "legal:wang", "subpoena"),
            (second, "lift", "legal:li", "subpoena answered"),
        ]

    def test_record_holds(self, engine: sa.Engine, prefix: str) -> None:
        """A hold on record ids covers those records only."""
        store = SQLHoldStore(engine, prefix=prefix)
        store.place_records(["r1", "r2"], "subpoena", START, by="legal:wang", name="subpoena-1")
        (hold,) = store.active(now=START)
        record = RetentionRecord(category="claims", created=START, record_id="r2")
        other = RetentionRecord(category="claims", created=START, record_id="r3")
        assert hold.covers(record)
        assert not hold.covers(other)
        assert hold.name == "subpoena-1"

    def test_lift_twice_or_unknown(self, engine: sa.Engine, prefix: str) -> None:
        """Lifting an unknown or lifted hold is a HoldStateError and records nothing."""
        store = SQLHoldStore(engine, prefix=prefix)
        with pytest.raises(HoldStateError, match="no legal hold"):
            store.lift("hold-x", by="a", reason="b", now=START)
        hold_id = store.place(LegalHold("*", "all", START), by="legal:wang")
        store.lift(hold_id, by="legal:li", reason="done", now=START)
        with pytest.raises(HoldStateError, match="already"):
            store.lift(hold_id, by="legal:li", reason="again", now=START)
        assert len(store.history()) == 2
        with pytest.raises(HoldStateError):
            store.get("hold-x")

    def test_refuses_what_cannot_be_stored(self, sqlite_engine: sa.Engine) -> None:
        """Predicate scopes, released holds, empty actors and reasons are refused."""
        store = SQLHoldStore(sqlite_engine)
        with pytest.raises(PolicyConfigError, match="predicate"):
            store.place(LegalHold(lambda r: True, "x", START), by="a")
        released = LegalHold("c", "x", START, released=START)
        with pytest.raises(PolicyConfigError, match="released"):
            store.place(released, by="a")
        with pytest.raises(PolicyConfigError, match="by"):
            store.place(LegalHold("c", "x", START), by=" ")
        with pytest.raises(PolicyConfigError, match="hold"):
            store.place("c", by="a")  # type: ignore[arg-type]
        with pytest.raises(PolicyConfigError, match="record_ids"):
            store.place_records([], "x", START, by="a")
        hold_id = store.place(LegalHold("c", "x", START), by="a")
        with pytest.raises(PolicyConfigError, match="before"):
            store.lift(hold_id, by="a", reason="r", now=START - timedelta(days=1))
        with pytest.raises(PolicyConfigError, match="reason"):
            store.lift(hold_id, by="a", reason="", now=START)

    def test_history_is_append_only(self, engine: sa.Engine, prefix: str) -> None:
        """The database refuses to edit or delete the record of hold changes."""
        store = SQLHoldStore(engine, prefix=prefix)
        store.place(LegalHold("c", "x", START), by="a")
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
            conn.exec_driver_sql(f"DELETE FROM {prefix}hold_events")
        assert len(store.history()) == 1

    def test_unreachable_is_a_store_error(self, engine: sa.Engine, prefix: str) -> None:
        """A store that cannot be read raises, never answers 'no holds'."""
        store = SQLHoldStore(engine, prefix=prefix)
        hold_id = store.place(LegalHold("c", "x", START), by="a")
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE {prefix}holds")
            conn.exec_driver_sql(f"DROP TABLE {prefix}hold_events")
        with pytest.raises(StoreError):
            store.active(now=START)
        with pytest.raises(StoreError):
            store.history()
        with pytest.raises(StoreError):
            store.place(LegalHold("c", "x", START), by="a")
        with pytest.raises(StoreError):
            store.lift(hold_id, by="a", reason="r", now=START)

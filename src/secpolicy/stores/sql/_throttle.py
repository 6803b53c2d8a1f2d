"""Failed-login throttle state in a SQL table (SQLite or PostgreSQL)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from secpolicy._clock import to_utc
from secpolicy.stores._codec import Horizon, SeenStates, check_ttl, decode, encode, expiry
from secpolicy.stores._errors import StoreError
from secpolicy.stores.sql._schema import begin_write, check_file, micros, require_schema

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from sqlalchemy.engine import Connection, Engine

    from secpolicy.password import LockoutPolicy, ThrottleState

__all__ = ["SQLThrottleStore"]

#: Keys longer than this (the column holds 512 characters), containing NUL
#: (PostgreSQL text cannot) or looking like a digest are stored by their SHA-256.
_LONGEST_KEY = 256
_HASHED = "sha256:"

#: Compare-and-set attempts before a writer queues on the lock instead.
_OPTIMISTIC_ATTEMPTS = 100
_MAX_ATTEMPTS = 1000
_CACHE_SIZE = 4096


class SQLThrottleStore:
    """A :class:`~secpolicy.password.ThrottleStore` in a SQL table.

    Each change is a compare-and-set: the new state is written by one
    ``UPDATE ... WHERE key = :key AND state = :old`` (or an ``INSERT`` that
    does nothing if the key appeared, or a ``DELETE`` with the same
    condition). The database's row lock makes each statement atomic, so a
    writer whose view was stale changes nothing and recomputes from the
    current state: no failure is lost when many processes record failures
    for one account at once. On PostgreSQL the statement also returns the
    current state when it changed nothing, so each attempt is one round
    trip; a writer that keeps losing the race queues behind the others on
    the row lock (PostgreSQL) or the write lock (SQLite). The store
    remembers the last state it saw of each key, so the common case is one
    statement.

    Rows expire as the in-memory store forgets them: the ``expires_at``
    column holds the state's ``forget_after`` (or *ttl* after its newest
    failure for a state without one), never before a lock it holds lifts. A
    state whose ``forget_after`` is at or before the newest failure this store
    has written reads as absent; :meth:`purge` deletes expired rows.

    Args:
        engine: A SQLAlchemy engine (SQLite or PostgreSQL).
        prefix: Prefix of the table names.
        ttl: How long an idle key is kept; at least the policy's failure
            window (:meth:`for_policy` sets it).
        create_schema: Create or upgrade the table if needed (default); with
            False, a missing or outdated schema raises
            :class:`~secpolicy.stores.StoreSchemaError`.

    .. versionadded:: 0.2
    """

    __module__ = "secpolicy.stores.sql"

    def __init__(
        self,
        engine: Engine,
        *,
        prefix: str = "secpolicy_",
        ttl: timedelta = timedelta(days=1),
        create_schema: bool = True,
    ) -> None:
        self.engine = engine
        self.ttl = check_ttl("SQLThrottleStore", ttl)
        self._t = require_schema(engine, "throttle", prefix, create=create_schema)
        self._table = self._t.throttle
        self._seen = SeenStates(_CACHE_SIZE)
        self._horizon = Horizon()
        # Built once: each call only binds values (no statement to compile).
        self._statements = _Statements(engine, self._table)

    @classmethod
    def for_policy(
        cls, engine: Engine, policy: LockoutPolicy, *, prefix: str = "secpolicy_"
    ) -> SQLThrottleStore:
        """A store whose rows live as long as *policy* needs them."""
        return cls(engine, prefix=prefix, ttl=max(policy.window, policy.duration))

    def _connect(self) -> Connection:
        check_file(self.engine)
        return self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def _read(self, conn: Connection, key: str, *, lock: bool = False) -> str:
        query = self._statements.lock if lock else self._statements.read
        found = conn.execute(query, {"k": key}).scalar()
        return "" if found is None else str(found)

    def _try(self, conn: Connection, key: str, old: str, new: ThrottleState | None) -> str | None:
        """Write *new* if *key* still holds *old*; None on success, else the current text.

        The current text may itself be stale on PostgreSQL (the statement's
        snapshot predates a writer it waited for); the next attempt corrects it.
        """
        st = self._statements
        if new is None:
            if not old:
                current = self._read(conn, key)
                return current or None
            result = conn.execute(st.delete, {"k": key, "old": old})
        else:
            values = {
                "k": key,
                "old": old,
                "state": encode(new),
                "expires_at": _expires(new, self.ttl),
            }
            result = conn.execute(st.insert if not old else st.update, values)
        if st.reports_current:
            # (1, new) when written, (0, current) when not, no row when absent.
            row = result.first()
            if row is None:
                return ""
            return None if row[0] == 1 else str(row[1])
        if result.rowcount == 1:
            return None
        return self._read(conn, key)

    def update(
        self, key: str, change: Callable[[ThrottleState | None], ThrottleState | None]
    ) -> ThrottleState | None:
        """Atomically replace the state of *key* with ``change(old)``.

        *change* may run more than once under concurrent writers; only the
        result computed from the current state is stored.

        Raises:
            StoreError: The database could not be reached, or the key kept
                changing.
        """
        key = _row_key(key)
        # A key not seen yet is assumed absent: if it exists, the write
        # changes nothing and answers with (or is followed by) its state.
        old = self._seen.get(key)
        try:
            with self._connect() as conn:
                for _ in range(_OPTIMISTIC_ATTEMPTS):
                    new = change(self._horizon.live(decode(old)) if old else None)
                    current = self._try(conn, key, old, new)
                    if current is None:
                        self._seen.remember(key, "" if new is None else encode(new))
                        self._horizon.advance(new)
                        return new
                    old = current
            # Still losing the race: queue behind the others on the row lock
            # (PostgreSQL) or the write lock (SQLite) instead of spinning.
            check_file(self.engine)
            with begin_write(self.engine) as conn:
                for _ in range(_MAX_ATTEMPTS):
                    old = self._read(conn, key, lock=True)
                    new = change(self._horizon.live(decode(old)) if old else None)
                    if self._try(conn, key, old, new) is None:
                        self._seen.remember(key, "" if new is None else encode(new))
                        self._horizon.advance(new)
                        return new
        except sa.exc.DBAPIError as exc:
            raise StoreError(
                f"cannot update throttle state in the database: {type(exc.orig).__name__}"
            ) from exc
        raise StoreError("throttle state kept changing under concurrent writers; gave up")

    def get(self, key: str) -> ThrottleState | None:
        """The state of *key*, if any.

        Raises:
            StoreError: The database could not be reached.
        """
        key = _row_key(key)
        try:
            with self._connect() as conn:
                text = self._read(conn, key)
        except sa.exc.DBAPIError as exc:
            raise StoreError(
                f"cannot read throttle state from the database: {type(exc.orig).__name__}"
            ) from exc
        self._seen.remember(key, text)
        return self._horizon.live(decode(text)) if text else None

    def purge(self, *, now: datetime) -> int:
        """Delete the rows whose expiry is at or before *now*; return how many.

        Expired rows already read as absent once this store has recorded a
        failure at or after their expiry; purging reclaims the space. Run it
        from a periodic job with the current time. Rows without an expiry (a
        state with neither failures nor ``forget_after``) are kept.

        .. versionchanged:: 0.2
           A row expiring exactly at *now* is deleted, as the in-memory
           store forgets it; rows without an expiry are kept.

        Raises:
            StoreError: The database could not be reached.
        """
        c = self._table.c
        at = micros(to_utc(now, name="now"))
        try:
            with self._connect() as conn:
                result = conn.execute(
                    self._table.delete().where(c.expires_at > 0, c.expires_at <= at)
                )
        except sa.exc.DBAPIError as exc:
            raise StoreError(
                f"cannot purge throttle state in the database: {type(exc.orig).__name__}"
            ) from exc
        self._seen.clear()
        return int(result.rowcount)

    def __repr__(self) -> str:
        return f"SQLThrottleStore(table={self._table.name!r}, ttl={self.ttl!r})"


class _Statements:
    """The compare-and-set statements of one throttle table, compiled once per dialect.

    On PostgreSQL each write is a data-modifying CTE that answers ``(1, new)``
    when it wrote and ``(0, current)`` when the row held something else, so
    a stale writer learns the current state in the same round trip. SQLite
    has no data-modifying CTEs: a write that changed no row (its row count
    says so) is followed by a read. (Reading one row of an ``UPDATE ...
    RETURNING`` there made every later write slower than the last.)
    """

    def __init__(self, engine: Engine, table: sa.Table) -> None:
        c = table.c
        k, old = sa.bindparam("k", type_=sa.String), sa.bindparam("old", type_=sa.Text)
        self.read: sa.Select[tuple[str]] = sa.select(c.state).where(c.key == k)
        self.lock = self.read.with_for_update()
        insert = _insert_ignore(engine, table).values(
            key=k, state=sa.bindparam("state"), expires_at=sa.bindparam("expires_at")
        )
        match = (c.key == k, c.state == old)
        update = (
            table.update()
            .where(*match)
            .values(state=sa.bindparam("state"), expires_at=sa.bindparam("expires_at"))
        )
        delete = table.delete().where(*match)
        self.reports_current = engine.dialect.name == "postgresql"
        if self.reports_current:
            self.insert: sa.Executable = _or_current(table, insert)
            self.update: sa.Executable = _or_current(table, update)
            self.delete: sa.Executable = _or_current(table, delete)
        else:
            self.insert, self.update, self.delete = insert, update, delete


def _or_current(table: sa.Table, write: sa.Insert | sa.Update | sa.Delete) -> sa.Executable:
    """``write``, answering (1, state) when it wrote and (0, current state) when not."""
    done = write.returning(table.c.state).cte("done")
    current = sa.select(sa.literal(0), table.c.state).where(
        table.c.key == sa.bindparam("k"), ~sa.exists(sa.select(done.c.state))
    )
    return sa.select(sa.literal(1), done.c.state).union_all(current)


def _row_key(key: str) -> str:
    """The primary key of *key*'s row: *key* itself, or its digest if the column cannot hold it.

    A key the column refused would make every failure an error while reads
    still answered "no failures": unlimited attempts. Keys that already look
    like a digest are digested too, so no key can share another's row.
    """
    if len(key) <= _LONGEST_KEY and "\x00" not in key and not key.startswith(_HASHED):
        return key
    return _HASHED + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _expires(state: ThrottleState, ttl: timedelta) -> int:
    """The row's expiry in microseconds; 0 (never) for a state with no time to measure from.

    The state's ``forget_after`` (or *ttl* after its newest failure), never
    before a lock it holds lifts.
    """
    if state.failures:
        return micros(max(state.failures) + expiry(state, ttl))
    if state.forget_after is not None:
        ends = state.forget_after
        if state.locked_until is not None:
            ends = max(ends, state.locked_until)
        return micros(ends)
    return 0


def _insert_ignore(engine: Engine, table: sa.Table) -> sa.Insert:
    """``INSERT`` that inserts nothing when the key exists."""
    if engine.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing(index_elements=["key"])
    return sqlite.insert(table).on_conflict_do_nothing(index_elements=["key"])

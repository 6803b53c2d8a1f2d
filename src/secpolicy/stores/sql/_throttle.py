"""Failed-login throttle state in a SQL table (SQLite or PostgreSQL)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from secpolicy._clock import to_utc
from secpolicy.stores._codec import check_ttl, decode, encode, expiry
from secpolicy.stores._errors import StoreError
from secpolicy.stores.sql._schema import begin_write, micros, require_schema

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from sqlalchemy.engine import Connection, Engine

    from secpolicy.password import LockoutPolicy, ThrottleState

__all__ = ["SQLThrottleStore"]

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
    for one account at once. The store remembers the last state it saw of
    each key, so the common case is one statement.

    Rows carry an expiry (at least *ttl* after their last write, and never
    before a lock they hold lifts); :meth:`purge` deletes expired rows.

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
        self._seen: OrderedDict[str, str] = OrderedDict()
        self._seen_lock = threading.Lock()
        # Built once: each call only binds values (no statement to compile).
        c = self._table.c
        self._insert = _insert_ignore(engine, self._table)
        match = (c.key == sa.bindparam("k"), c.state == sa.bindparam("old"))
        self._delete = self._table.delete().where(*match)
        self._update = self._table.update().where(*match)

    @classmethod
    def for_policy(
        cls, engine: Engine, policy: LockoutPolicy, *, prefix: str = "secpolicy_"
    ) -> SQLThrottleStore:
        """A store whose rows live as long as *policy* needs them."""
        return cls(engine, prefix=prefix, ttl=max(policy.window, policy.duration))

    def _connect(self) -> Connection:
        return self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def _read(self, conn: Connection, key: str, *, lock: bool = False) -> str:
        query = sa.select(self._table.c.state).where(self._table.c.key == key)
        found = conn.execute(query.with_for_update() if lock else query).scalar()
        return "" if found is None else str(found)

    def _try(self, conn: Connection, key: str, old: str, new: ThrottleState | None) -> bool:
        if new is None:
            if not old:
                return True
            return conn.execute(self._delete, {"k": key, "old": old}).rowcount == 1
        text = encode(new)
        last = max(new.failures) if new.failures else None
        expires = _expires(last, expiry(new, self.ttl))
        if not old:
            row = {"key": key, "state": text, "expires_at": expires}
            return conn.execute(self._insert, row).first() is not None
        values = {"k": key, "old": old, "state": text, "expires_at": expires}
        return conn.execute(self._update, values).rowcount == 1

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
        with self._seen_lock:
            old = self._seen.get(key)
        try:
            # Fast path: one conditional statement against the state last seen.
            with self._connect() as conn:
                # A key not seen yet is assumed absent: if it exists, the
                # insert does nothing and the locked path below reads it.
                old = old or ""
                new = change(decode(old) if old else None)
                if self._try(conn, key, old, new):
                    self._remember(key, "" if new is None else encode(new))
                    return new
            # Another writer got in first: queue behind the others on the row
            # lock (PostgreSQL) or the write lock (SQLite) instead of racing.
            with begin_write(self.engine) as conn:
                for _ in range(_MAX_ATTEMPTS):
                    old = self._read(conn, key, lock=True)
                    new = change(decode(old) if old else None)
                    if self._try(conn, key, old, new):
                        self._remember(key, "" if new is None else encode(new))
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
        try:
            with self._connect() as conn:
                text = self._read(conn, key)
        except sa.exc.DBAPIError as exc:
            raise StoreError(
                f"cannot read throttle state from the database: {type(exc.orig).__name__}"
            ) from exc
        self._remember(key, text)
        return decode(text) if text else None

    def purge(self, *, now: datetime) -> int:
        """Delete the rows idle past their expiry at *now*; return how many."""
        with self._connect() as conn:
            idle = self._table.c.expires_at < micros(to_utc(now, name="now"))
            result = conn.execute(self._table.delete().where(idle))
        with self._seen_lock:
            self._seen.clear()
        return int(result.rowcount)

    def _remember(self, key: str, text: str) -> None:
        with self._seen_lock:
            self._seen[key] = text
            self._seen.move_to_end(key)
            while len(self._seen) > _CACHE_SIZE:
                self._seen.popitem(last=False)

    def __repr__(self) -> str:
        return f"SQLThrottleStore(table={self._table.name!r}, ttl={self.ttl!r})"


def _expires(last: datetime | None, keep: timedelta) -> int:
    return 0 if last is None else micros(last + keep)


def _insert_ignore(engine: Engine, table: sa.Table) -> sa.Insert:
    """``INSERT`` that inserts nothing (and returns no row) when the key exists."""
    if engine.dialect.name == "postgresql":
        pg = postgresql.insert(table).on_conflict_do_nothing(index_elements=["key"])
        return pg.returning(table.c.key)
    lite = sqlite.insert(table).on_conflict_do_nothing(index_elements=["key"])
    return lite.returning(table.c.key)

"""The stores' tables, a versioned DDL of our own, and the migrations that build it.

Every table name starts with a configurable prefix (``secpolicy_`` by
default), so several services or test runs share one database. The table
``<prefix>schema_version`` records, per component (``throttle``, ``anchors``,
``holds``, ``policy``), the number of migrations applied. :func:`migrate`
applies the missing ones in order, one transaction per component, serialised
across processes (an advisory lock on PostgreSQL, ``BEGIN IMMEDIATE`` on
SQLite), so many instances starting at once create the schema exactly once.
"""

from __future__ import annotations

import re
import weakref
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import sqlalchemy as sa

from secpolicy.exceptions import PolicyConfigError
from secpolicy.stores._errors import StoreError, StoreSchemaError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

__all__ = [
    "COMPONENTS",
    "Component",
    "Tables",
    "begin_write",
    "check_file",
    "from_micros",
    "micros",
    "migrate",
    "schema_version",
]

Component = Literal["throttle", "anchors", "holds", "policy"]
COMPONENTS: tuple[Component, ...] = ("throttle", "anchors", "holds", "policy")

_PREFIX = re.compile(r"[a-z][a-z0-9_]{0,30}\Z")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


def micros(value: datetime) -> int:
    """*value* (aware) as integer microseconds since the Unix epoch."""
    return (value - _EPOCH) // _US


def from_micros(value: int) -> datetime:
    """The inverse of :func:`micros`, in UTC."""
    return _EPOCH + int(value) * _US


def check_prefix(prefix: object) -> str:
    """*prefix* if it is a safe table-name prefix.

    Raises:
        PolicyConfigError: It is not lower-case letters, digits and underscores
            starting with a letter (at most 31 characters).
    """
    if not isinstance(prefix, str) or not _PREFIX.match(prefix):
        raise PolicyConfigError(
            "prefix: must be lower-case letters, digits and underscores, starting with a letter"
        )
    return prefix


class Tables:
    """The stores' tables for one prefix."""

    def __init__(self, prefix: str) -> None:
        self.prefix = check_prefix(prefix)
        self.metadata = sa.MetaData()
        p = prefix
        self.schema_version = sa.Table(
            f"{p}schema_version",
            self.metadata,
            sa.Column("component", sa.String(32), primary_key=True),
            sa.Column("version", sa.Integer, nullable=False),
        )
        self.throttle = sa.Table(
            f"{p}throttle",
            self.metadata,
            sa.Column("key", sa.String(512), primary_key=True),
            sa.Column("state", sa.Text, nullable=False),
            # Not indexed: purge() is rare, every write would pay for the index.
            sa.Column("expires_at", sa.BigInteger, nullable=False),
        )
        self.anchors = sa.Table(
            f"{p}anchors",
            self.metadata,
            sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
            sa.Column("log_id", sa.String(256), nullable=False),
            sa.Column("seq", sa.BigInteger, nullable=False),
            # The anchor as JSON (Anchor.to_dict), and its SHA-256: the same
            # anchor stored twice is kept once; different ones all are.
            sa.Column("digest", sa.String(64), nullable=False),
            sa.Column("body", sa.Text, nullable=False),
            sa.Index(f"{p}anchors_log_seq", "log_id", "seq", "digest", unique=True),
        )
        self.holds = sa.Table(
            f"{p}holds",
            self.metadata,
            sa.Column("id", sa.String(64), primary_key=True),
            sa.Column("scope_kind", sa.String(16), nullable=False),
            sa.Column("scope", sa.Text, nullable=False),
            sa.Column("reason", sa.Text, nullable=False),
            sa.Column("name", sa.Text, nullable=False),
            sa.Column("since", sa.BigInteger, nullable=False),
            sa.Column("released", sa.BigInteger, nullable=True),
            sa.Column("placed_by", sa.Text, nullable=False),
            sa.Column("lifted_by", sa.Text, nullable=True),
        )
        self.hold_events = sa.Table(
            f"{p}hold_events",
            self.metadata,
            sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
            sa.Column("hold_id", sa.String(64), nullable=False, index=True),
            sa.Column("action", sa.String(16), nullable=False),
            sa.Column("actor", sa.Text, nullable=False),
            sa.Column("reason", sa.Text, nullable=False),
            sa.Column("at", sa.BigInteger, nullable=False),
        )
        self.policy_changes = sa.Table(
            f"{p}policy_changes",
            self.metadata,
            sa.Column("version", sa.BigInteger, primary_key=True, autoincrement=False),
            sa.Column("kind", sa.String(16), nullable=False),
            sa.Column("body", sa.Text, nullable=False),
            sa.Column("actor", sa.Text, nullable=True),
            sa.Column("at", sa.BigInteger, nullable=False),
        )
        self.policy_snapshots = sa.Table(
            f"{p}policy_snapshots",
            self.metadata,
            sa.Column("version", sa.BigInteger, primary_key=True, autoincrement=False),
            sa.Column("body", sa.Text, nullable=False),
            sa.Column("at", sa.BigInteger, nullable=False),
        )

    @property
    def notify_channel(self) -> str:
        """The PostgreSQL ``NOTIFY`` channel of policy changes."""
        return f"{self.prefix}policy"


_tables_cache: dict[str, Tables] = {}


def tables(prefix: str) -> Tables:
    """The (cached) tables for *prefix*."""
    found = _tables_cache.get(prefix)
    if found is None:
        found = _tables_cache[prefix] = Tables(prefix)
    return found


# -- the SQLite file a store opened --------------------------------------------------

#: The (device, inode) of each SQLite engine's database file, as first seen.
_files: weakref.WeakKeyDictionary[Engine, tuple[int, int]] = weakref.WeakKeyDictionary()


def check_file(engine: Engine) -> None:
    """Refuse to go on when a SQLite engine's file is no longer the one it opened.

    A pooled connection keeps reading and writing the file it opened even
    after that file was replaced (a restore, a deploy copying a new file
    over it) or deleted: its reads would be of a store no other instance
    writes any more, and its writes would be lost. Every store operation
    on a SQLite file first checks that the path still names the file the
    process first saw; PostgreSQL and in-memory databases are not checked.

    Raises:
        StoreError: The file was replaced or removed.
    """
    if engine.dialect.name != "sqlite":
        return
    path = engine.url.database
    if not path or path == ":memory:" or engine.url.query.get("mode") == "memory":
        return
    try:
        found = Path(path).stat()
    except OSError:
        now = None
    else:
        now = (found.st_dev, found.st_ino)
    first = _files.get(engine)
    if first is None:
        if now is not None:
            _files[engine] = now
        return
    if now != first:
        raise StoreError(
            "the SQLite database file was replaced or removed after this process opened it: "
            "its open connections no longer reach the shared store (restart the instance)"
        )


# -- append-only triggers ----------------------------------------------------------


def _append_only(conn: Connection, table: str) -> None:
    """Make the database refuse UPDATE, DELETE (and TRUNCATE) on *table*."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION "
            f"'{table} is append-only: %% refused', TG_OP "
            "USING ERRCODE = 'insufficient_privilege'; END $$"
        )
        conn.exec_driver_sql(
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
        )
        conn.exec_driver_sql(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()"
        )
    else:
        for op in ("UPDATE", "DELETE"):
            conn.exec_driver_sql(
                f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END"
            )


# -- migrations --------------------------------------------------------------------

Migration = Callable[["Connection", Tables], None]


def _create(*names: str) -> Migration:
    def step(conn: Connection, t: Tables) -> None:
        t.metadata.create_all(conn, tables=[getattr(t, name) for name in names])

    return step


def _anchors_v1(conn: Connection, t: Tables) -> None:
    _create("anchors")(conn, t)
    _append_only(conn, t.anchors.name)


def _holds_v1(conn: Connection, t: Tables) -> None:
    _create("holds", "hold_events")(conn, t)
    _append_only(conn, t.hold_events.name)


def _policy_v1(conn: Connection, t: Tables) -> None:
    _create("policy_changes", "policy_snapshots")(conn, t)
    _append_only(conn, t.policy_changes.name)


#: The migrations of each component, oldest first. Append, never edit: the
#: recorded version is the number of steps a database has applied.
MIGRATIONS: dict[Component, Sequence[Migration]] = {
    "throttle": (_create("throttle"),),
    "anchors": (_anchors_v1,),
    "holds": (_holds_v1,),
    "policy": (_policy_v1,),
}


@contextmanager
def begin_write(engine: Engine, *, lock_key: str | None = None) -> Iterator[Connection]:
    """A write transaction that other writers wait for.

    On SQLite the transaction starts with ``BEGIN IMMEDIATE`` (the database's
    write lock is taken at once, so two read-then-write transactions never
    interleave); on PostgreSQL *lock_key* names a transaction-scoped advisory
    lock.
    """
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif lock_key is not None:
            conn.execute(
                sa.text("SELECT pg_advisory_xact_lock(:k)"),
                {"k": zlib.crc32(lock_key.encode())},
            )
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


def schema_version(engine: Engine, component: Component, *, prefix: str = "secpolicy_") -> int:
    """How many migrations of *component* the database has applied (0 if none).

    .. versionadded:: 0.2
    """
    t = tables(check_prefix(prefix))
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table(t.schema_version.name):
            return 0
        found = conn.execute(
            sa.select(t.schema_version.c.version).where(t.schema_version.c.component == component)
        ).scalar()
    return int(found or 0)


def migrate(
    engine: Engine,
    *,
    prefix: str = "secpolicy_",
    components: Sequence[Component] = COMPONENTS,
) -> dict[str, int]:
    """Create or upgrade the stores' tables; return each component's version.

    Safe to call from many processes at once and on every start: a component
    already at the code's version is left alone.

    Raises:
        StoreSchemaError: The database is at a newer version than this code.
        StoreError: The database could not be reached.

    .. versionadded:: 0.2
    """
    t = tables(check_prefix(prefix))
    done: dict[str, int] = {}
    try:
        if engine.dialect.name == "sqlite":
            # Readers and one writer at a time, without readers blocking it;
            # the mode is kept in the database file.
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        for component in components:
            steps = MIGRATIONS[component]
            with begin_write(engine, lock_key=f"{prefix}schema") as conn:
                t.metadata.create_all(conn, tables=[t.schema_version])
                row = conn.execute(
                    sa.select(t.schema_version.c.version).where(
                        t.schema_version.c.component == component
                    )
                ).scalar()
                have = int(row or 0)
                if have > len(steps):
                    raise StoreSchemaError(
                        f"{t.schema_version.name}: component {component} is at version {have}, "
                        f"newer than this secpolicy knows ({len(steps)}); upgrade secpolicy"
                    )
                for step in steps[have:]:
                    step(conn, t)
                if row is None:
                    conn.execute(
                        t.schema_version.insert().values(component=component, version=len(steps))
                    )
                elif have != len(steps):
                    conn.execute(
                        t.schema_version.update()
                        .where(t.schema_version.c.component == component)
                        .values(version=len(steps))
                    )
                done[component] = len(steps)
    except sa.exc.OperationalError as exc:
        raise StoreError(f"cannot migrate the store schema: {type(exc.orig).__name__}") from exc
    return done


def require_schema(engine: Engine, component: Component, prefix: str, *, create: bool) -> Tables:
    """The tables of *prefix*, after checking (or creating) *component*'s schema."""
    t = tables(check_prefix(prefix))
    if create:
        migrate(engine, prefix=prefix, components=[component])
        check_file(engine)
        return t
    check_file(engine)
    have = schema_version(engine, component, prefix=prefix)
    want = len(MIGRATIONS[component])
    if have != want:
        raise StoreSchemaError(
            f"{t.schema_version.name}: component {component} is at version {have}, this "
            f"secpolicy needs {want}; run secpolicy.stores.sql.migrate()"
        )
    return t

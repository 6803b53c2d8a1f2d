"""The RBAC policy as versioned changes in SQL, and a follower that keeps engines current."""

from __future__ import annotations

import contextlib
import json
import threading
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

import sqlalchemy as sa

from secpolicy._clock import SystemClock, to_utc
from secpolicy.exceptions import PolicyConfigError
from secpolicy.rbac import StoreConflict
from secpolicy.stores._errors import StoreError
from secpolicy.stores.sql._schema import check_file, micros, require_schema

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from sqlalchemy.engine import Engine

    from secpolicy import Clock

__all__ = ["PolicyFollower", "SQLPolicyStore"]


class _Refreshable(Protocol):
    """What a follower keeps current: an attached RBAC engine."""

    def refresh(self) -> int: ...


def _dumps(value: Mapping[str, Any], what: str) -> str:
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        raise PolicyConfigError(f"{what}: must be JSON (strings, numbers, lists, tables)") from None


class SQLPolicyStore:
    """A :class:`secpolicy.rbac.PolicyStore` in SQL: every change kept, in order, forever.

    Each change the engine makes is one row with the version it creates;
    the primary key on the version makes :meth:`append` a compare-and-set (of
    writers racing for the same version, one inserts, the others get
    :class:`~secpolicy.rbac.StoreConflict`). The change table is append-only
    (a trigger refuses UPDATE and DELETE), so it is also the history of the
    policy. :meth:`compact` stores a snapshot that new engines start from;
    it never deletes changes.

    Other instances apply changes through :meth:`follow`: on PostgreSQL
    (with the psycopg driver) each append sends ``NOTIFY`` and followers
    ``LISTEN``; on SQLite followers poll. Either way a follower also
    refreshes at every *interval*, which is what keeps an engine attached
    with ``max_staleness`` answering: one that cannot reach the store for
    longer than that denies every check, and says why.

    Args:
        engine: A SQLAlchemy engine (SQLite or PostgreSQL).
        prefix: Prefix of the table names.
        create_schema: Create or upgrade the tables if needed.
        clock: Stamps when each change and snapshot was stored (bookkeeping
            for operators; decisions and staleness use the engine's clock).

    Example:
        >>> store = SQLPolicyStore(sa.create_engine(url))  # doctest: +SKIP
        >>> rbac = RBAC.from_store(store, max_staleness=timedelta(seconds=5))  # doctest: +SKIP
        >>> follower = store.follow(rbac)  # doctest: +SKIP

    .. versionadded:: 0.2
    """

    __module__ = "secpolicy.stores.sql"

    def __init__(
        self,
        engine: Engine,
        *,
        prefix: str = "secpolicy_",
        create_schema: bool = True,
        clock: Clock | None = None,
    ) -> None:
        self.engine = engine
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._t = require_schema(engine, "policy", prefix, create=create_schema)

    def _now(self) -> int:
        return micros(to_utc(self._clock.now(), name="clock"))

    def _fail(self, exc: sa.exc.DBAPIError, what: str) -> StoreError:
        return StoreError(f"cannot {what} the policy store: {type(exc.orig).__name__}")

    def _version(self, conn: sa.Connection) -> int:
        c = self._t.policy_changes.c
        s = self._t.policy_snapshots.c
        change = conn.execute(sa.select(sa.func.max(c.version))).scalar()
        snap = conn.execute(sa.select(sa.func.max(s.version))).scalar()
        return max(int(change or 0), int(snap or 0))

    @property
    def version(self) -> int:
        """The version of the newest change (0 for an empty store).

        Raises:
            StoreError: The database could not be reached.
        """
        try:
            check_file(self.engine)
            with self.engine.connect() as conn:
                return self._version(conn)
        except sa.exc.DBAPIError as exc:
            raise self._fail(exc, "read") from exc

    def load(self) -> tuple[int, Mapping[str, Any] | None]:
        """The newest snapshot and its version, or ``(0, None)``.

        Raises:
            StoreError: The database could not be reached.
        """
        s = self._t.policy_snapshots.c
        try:
            check_file(self.engine)
            with self.engine.connect() as conn:
                row = conn.execute(
                    sa.select(s.version, s.body).order_by(s.version.desc()).limit(1)
                ).first()
        except sa.exc.DBAPIError as exc:
            raise self._fail(exc, "read") from exc
        if row is None:
            return 0, None
        return int(row.version), json.loads(row.body)

    def append(self, expected_version: int, change: Mapping[str, Any]) -> int:
        """Append *change* if the store is at *expected_version*; return the new version.

        Raises:
            StoreConflict: Another writer got there first (nothing is written).
            PolicyConfigError: *change* is not JSON.
            StoreError: The database could not be reached.
        """
        body = _dumps(change, "change")
        t = self._t.policy_changes
        raw_by = change.get("by")
        by = raw_by if isinstance(raw_by, str) else None
        kind = str(change.get("op", ""))[:16]
        try:
            check_file(self.engine)
            with self.engine.begin() as conn:
                actual = self._version(conn)
                if actual != expected_version:
                    raise StoreConflict(expected_version, actual)
                conn.execute(
                    t.insert().values(
                        version=actual + 1, kind=kind, body=body, actor=by, at=self._now()
                    )
                )
                if conn.dialect.name == "postgresql":
                    conn.execute(
                        sa.text("SELECT pg_notify(:channel, :payload)"),
                        {"channel": self._t.notify_channel, "payload": str(actual + 1)},
                    )
        except sa.exc.IntegrityError:
            # A writer racing for the same version inserted it first.
            raise StoreConflict(expected_version, self.version) from None
        except sa.exc.DBAPIError as exc:
            raise self._fail(exc, "write to") from exc
        return actual + 1

    def changes_since(self, version: int) -> list[tuple[int, Mapping[str, Any]]]:
        """Every change after *version*, oldest first.

        Raises:
            StoreError: The database could not be reached.
        """
        c = self._t.policy_changes.c
        try:
            check_file(self.engine)
            with self.engine.connect() as conn:
                rows = conn.execute(
                    sa.select(c.version, c.body).where(c.version > version).order_by(c.version)
                ).all()
        except sa.exc.DBAPIError as exc:
            raise self._fail(exc, "read") from exc
        return [(int(row.version), json.loads(row.body)) for row in rows]

    def compact(self, version: int, document: Mapping[str, Any]) -> None:
        """Store *document* (``rbac.to_dict()`` at *version*) for new engines to start from.

        The changes stay: they are the policy's history.

        Raises:
            StoreConflict: *version* is not one the store has reached.
            StoreError: The database could not be reached.
        """
        body = _dumps(document, "document")
        s = self._t.policy_snapshots
        try:
            check_file(self.engine)
            with self.engine.begin() as conn:
                actual = self._version(conn)
                if not 0 < version <= actual:
                    raise StoreConflict(version, actual)
                conn.execute(s.insert().values(version=version, body=body, at=self._now()))
        except sa.exc.IntegrityError:
            return  # a snapshot of this version is already stored
        except sa.exc.DBAPIError as exc:
            raise self._fail(exc, "write to") from exc

    def follow(
        self,
        rbac: _Refreshable,
        *,
        interval: timedelta = timedelta(milliseconds=500),
        on_error: Callable[[Exception], object] | None = None,
    ) -> PolicyFollower:
        """Keep *rbac* current with this store from a background thread; return the follower.

        Args:
            rbac: An engine attached to this store (``RBAC.from_store``).
            interval: How often to refresh without a notification (the
                polling period on SQLite, the heartbeat on PostgreSQL). Keep
                it well below the engine's ``max_staleness``.
            on_error: Called with each failed refresh (the store unreachable,
                an invalid change); the follower keeps trying.

        .. versionadded:: 0.2
        """
        follower = PolicyFollower(self, rbac, interval=interval, on_error=on_error)
        follower.start()
        return follower

    def __repr__(self) -> str:
        return f"SQLPolicyStore(table={self._t.policy_changes.name!r})"


class PolicyFollower:
    """A background thread that applies other instances' changes to one engine.

    Made by :meth:`SQLPolicyStore.follow`. Stop it with :meth:`stop` (or use
    it as a context manager).

    Attributes:
        refreshes: How many refreshes succeeded.
        last_error: The error of the last failed refresh, or None once one
            succeeded again.

    .. versionadded:: 0.2
    """

    __module__ = "secpolicy.stores.sql"

    def __init__(
        self,
        store: SQLPolicyStore,
        rbac: _Refreshable,
        *,
        interval: timedelta,
        on_error: Callable[[Exception], object] | None = None,
    ) -> None:
        if interval <= timedelta(0):
            raise PolicyConfigError("interval: must be a positive timedelta")
        self.store = store
        self.rbac = rbac
        self.interval = interval
        self.refreshes = 0
        self.last_error: Exception | None = None
        self._on_error = on_error
        self._stop = threading.Event()
        self._changed = threading.Condition()
        self._listener: Any = None
        self._thread = threading.Thread(target=self._run, name="secpolicy-policy-follower")
        self._thread.daemon = True
        self._notify = (
            store.engine.dialect.name == "postgresql" and store.engine.dialect.driver == "psycopg"
        )

    def start(self) -> None:
        """Start following (done by :meth:`SQLPolicyStore.follow`)."""
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and close its connection."""
        self._stop.set()
        self._thread.join()
        self._close_listener()

    def __enter__(self) -> PolicyFollower:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait(self, condition: Callable[[], bool], *, timeout: float) -> bool:
        """Wait until *condition()* holds, re-checking after every refresh; False on timeout.

        For tests and readiness checks: the waiting is on the follower's
        refresh events, bounded by *timeout* seconds.
        """
        with self._changed:
            return self._changed.wait_for(condition, timeout)

    # -- the thread -------------------------------------------------------------------

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(Exception):
                listener.close()

    def _listen(self) -> Any:
        if self._listener is None:
            raw = self.store.engine.raw_connection()
            connection = raw.driver_connection
            raw.detach()  # a long-lived connection of its own, outside the pool
            if connection is None:  # pragma: no cover - psycopg always has one
                raise StoreError("the database driver gave no connection to listen on")
            connection.autocommit = True
            connection.execute(f"LISTEN {self.store._t.notify_channel}")  # noqa: SLF001
            self._listener = connection
        return self._listener

    def _wait_for_change(self, seconds: float) -> None:
        if not self._notify:
            self._stop.wait(seconds)
            return
        listener = self._listen()
        for _ in listener.notifies(timeout=seconds, stop_after=1):
            break

    def _refresh(self) -> None:
        try:
            self.rbac.refresh()
        except Exception as exc:  # noqa: BLE001 (the follower outlives any one failure)
            self.last_error = exc
            if self._on_error is not None:
                self._on_error(exc)
        else:
            self.refreshes += 1
            self.last_error = None
        with self._changed:
            self._changed.notify_all()

    def _run(self) -> None:
        seconds = self.interval.total_seconds()
        while not self._stop.is_set():
            self._refresh()
            try:
                self._wait_for_change(seconds)
            except Exception as exc:  # noqa: BLE001 (a lost listener is retried next turn)
                self._close_listener()
                error = StoreError(
                    f"lost the notification connection to the policy store: {type(exc).__name__}"
                )
                error.__cause__ = exc
                self.last_error = error
                if self._on_error is not None:
                    self._on_error(error)
                self._stop.wait(seconds)

    def __repr__(self) -> str:
        mode = "notify" if self._notify else "poll"
        return f"PolicyFollower(mode={mode!r}, interval={self.interval!r})"

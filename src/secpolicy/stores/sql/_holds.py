"""Legal holds in SQL tables: who placed and lifted each one, and why."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Literal

import attrs
import sqlalchemy as sa

from secpolicy._clock import to_utc
from secpolicy.exceptions import PolicyConfigError
from secpolicy.retention import LegalHold
from secpolicy.stores._errors import HoldStateError, StoreError
from secpolicy.stores.sql._schema import (
    begin_write,
    check_file,
    from_micros,
    micros,
    require_schema,
)

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from sqlalchemy.engine import Engine, Row

__all__ = ["HoldEvent", "SQLHoldStore", "StoredHold"]

HoldAction = Literal["place", "lift"]


@attrs.frozen(kw_only=True)
class HoldEvent:
    """One recorded change of a legal hold.

    Attributes:
        hold_id: The hold changed.
        action: ``"place"`` or ``"lift"``.
        by: Who did it.
        reason: Why.
        at: When (aware UTC).

    .. versionadded:: 0.2
    """

    __module__ = "secpolicy.stores.sql"

    hold_id: str
    action: HoldAction
    by: str
    reason: str
    at: datetime


@attrs.frozen(kw_only=True)
class StoredHold:
    """A hold as the store keeps it: the hold, its id, and who placed and lifted it.

    .. versionadded:: 0.2
    """

    __module__ = "secpolicy.stores.sql"

    id: str
    hold: LegalHold
    placed_by: str
    lifted_by: str | None


def _text(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PolicyConfigError(f"{name}: must be a non-empty string")
    return value


class SQLHoldStore:
    """Legal holds shared by every instance, with every change recorded.

    A hold is placed with who placed it and why, and lifted the same way; both
    are appended to an event table the database refuses to update or delete
    from. Retention reads the holds in force::

        decision = schedule.evaluate(category, created=..., now=now, holds=store.active(now=now))
        logger.prune(schedule, now=now, holds=store.active(now=now))

    Scopes are stored, not code: a category name, ``"*"``, or a list of
    record ids (:meth:`place_records`); a hold with a predicate scope cannot
    be stored.

    Args:
        engine: A SQLAlchemy engine (SQLite or PostgreSQL).
        prefix: Prefix of the table names.
        create_schema: Create or upgrade the tables if needed.

    .. versionadded:: 0.2
    """

    __module__ = "secpolicy.stores.sql"

    def __init__(
        self, engine: Engine, *, prefix: str = "secpolicy_", create_schema: bool = True
    ) -> None:
        self.engine = engine
        self._t = require_schema(engine, "holds", prefix, create=create_schema)

    def _insert(self, *, kind: str, scope: str, hold: LegalHold, by: str, reason: str) -> str:
        hold_id = f"hold-{uuid.uuid4().hex}"
        since = micros(hold.since)
        try:
            check_file(self.engine)
            with begin_write(self.engine) as conn:
                conn.execute(
                    self._t.holds.insert().values(
                        id=hold_id,
                        scope_kind=kind,
                        scope=scope,
                        reason=hold.reason,
                        name=hold.name,
                        since=since,
                        released=None,
                        placed_by=by,
                        lifted_by=None,
                    )
                )
                conn.execute(
                    self._t.hold_events.insert().values(
                        hold_id=hold_id, action="place", actor=by, reason=reason, at=since
                    )
                )
        except sa.exc.DBAPIError as exc:
            raise StoreError(f"cannot store the legal hold: {type(exc.orig).__name__}") from exc
        return hold_id

    def place(self, hold: LegalHold, *, by: str, reason: str | None = None) -> str:
        """Place *hold*; return its id.

        Args:
            hold: A hold whose scope is a category name or ``"*"``, not yet
                released.
            by: Who places it.
            reason: Why, for the record (default: the hold's own reason).

        Raises:
            PolicyConfigError: A predicate scope, a released hold, or an empty
                *by* or *reason*.
            StoreError: The database did not accept it.
        """
        if not isinstance(hold, LegalHold):
            raise PolicyConfigError("hold: must be a secpolicy.retention.LegalHold")
        if not isinstance(hold.scope, str):
            raise PolicyConfigError(
                "hold.scope: a predicate cannot be stored; use a category, '*' or place_records()"
            )
        if hold.released is not None:
            raise PolicyConfigError("hold.released: a stored hold is released with lift()")
        by = _text("by", by)
        reason = _text("reason", hold.reason if reason is None else reason)
        return self._insert(kind="category", scope=hold.scope, hold=hold, by=by, reason=reason)

    def place_records(
        self,
        record_ids: Iterable[str],
        reason: str,
        since: datetime,
        *,
        by: str,
        name: str = "",
    ) -> str:
        """Place a hold on the records with these ids; return its id."""
        ids = sorted({_text("record_ids[]", rid) for rid in record_ids})
        if not ids:
            raise PolicyConfigError("record_ids: a hold needs at least one record")
        hold = LegalHold("*", reason, since, name=name)
        by = _text("by", by)
        return self._insert(
            kind="records", scope=json.dumps(ids), hold=hold, by=by, reason=hold.reason
        )

    def lift(self, hold_id: str, *, by: str, reason: str, now: datetime) -> None:
        """Release the hold *hold_id* at *now*, recording who and why.

        Raises:
            HoldStateError: No such hold, or it was already lifted.
            PolicyConfigError: Empty *by* or *reason*, or *now* before the
                hold was placed.
            StoreError: The database did not accept it.
        """
        by = _text("by", by)
        reason = _text("reason", reason)
        at = micros(to_utc(now, name="now"))
        h = self._t.holds
        try:
            check_file(self.engine)
            with begin_write(self.engine) as conn:
                row = conn.execute(
                    sa.select(h.c.since, h.c.released).where(h.c.id == hold_id).with_for_update()
                ).first()
                if row is None:
                    raise HoldStateError(f"no legal hold with id {hold_id!r}")
                if row.released is not None:
                    raise HoldStateError(f"legal hold {hold_id!r} was already lifted")
                if at < row.since:
                    raise PolicyConfigError("now: before the hold was placed")
                conn.execute(
                    h.update()
                    .where(h.c.id == hold_id, h.c.released.is_(None))
                    .values(released=at, lifted_by=by)
                )
                conn.execute(
                    self._t.hold_events.insert().values(
                        hold_id=hold_id, action="lift", actor=by, reason=reason, at=at
                    )
                )
        except sa.exc.DBAPIError as exc:
            raise StoreError(f"cannot lift the legal hold: {type(exc.orig).__name__}") from exc

    @staticmethod
    def _hold(row: Row[tuple[object, ...]]) -> StoredHold:
        since = from_micros(row.since)
        name = row.name or row.id
        if row.scope_kind == "records":
            hold = LegalHold.for_records(json.loads(row.scope), row.reason, since, name=name)
        else:
            hold = LegalHold(row.scope, row.reason, since, name=name)
        if row.released is not None:
            hold = attrs.evolve(hold, released=from_micros(row.released))
        return StoredHold(id=row.id, hold=hold, placed_by=row.placed_by, lifted_by=row.lifted_by)

    def holds(self) -> list[StoredHold]:
        """Every hold ever placed, lifted or not, oldest first."""
        h = self._t.holds
        try:
            check_file(self.engine)
            with self.engine.connect() as conn:
                rows = conn.execute(sa.select(h).order_by(h.c.since, h.c.id)).all()
        except sa.exc.DBAPIError as exc:
            raise StoreError(f"cannot read legal holds: {type(exc.orig).__name__}") from exc
        return [self._hold(row) for row in rows]

    def get(self, hold_id: str) -> StoredHold:
        """The hold *hold_id*.

        Raises:
            HoldStateError: No such hold.
        """
        for stored in self.holds():
            if stored.id == hold_id:
                return stored
        raise HoldStateError(f"no legal hold with id {hold_id!r}")

    def active(self, *, now: datetime) -> list[LegalHold]:
        """The holds in force at *now*: pass them as ``holds=`` to retention and prune.

        Raises:
            StoreError: The database could not be reached (never an empty
                list in its place: disposal must not go ahead unknowingly).
        """
        now = to_utc(now, name="now")
        return [s.hold for s in self.holds() if s.hold.active(now)]

    def history(self, hold_id: str | None = None) -> list[HoldEvent]:
        """Every recorded change (of *hold_id*, or of all holds), in order."""
        e = self._t.hold_events
        query = sa.select(e).order_by(e.c.id)
        if hold_id is not None:
            query = query.where(e.c.hold_id == hold_id)
        try:
            check_file(self.engine)
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
        except sa.exc.DBAPIError as exc:
            raise StoreError(f"cannot read legal hold history: {type(exc.orig).__name__}") from exc
        return [
            HoldEvent(
                hold_id=row.hold_id,
                action=row.action,
                by=row.actor,
                reason=row.reason,
                at=from_micros(row.at),
            )
            for row in rows
        ]

    def __repr__(self) -> str:
        return f"SQLHoldStore(table={self._t.holds.name!r})"

"""Audit checkpoint anchors of every writer, in an append-only SQL table."""

from __future__ import annotations

import errno
import re
from typing import TYPE_CHECKING

import sqlalchemy as sa

from secpolicy.audit import Anchor
from secpolicy.exceptions import AuditWriteError, PolicyConfigError
from secpolicy.stores._errors import StoreError
from secpolicy.stores.sql._schema import Tables, require_schema

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

__all__ = ["SQLAnchorStore", "create_anchor_writer_role"]

_ROLE = re.compile(r"[a-z_][a-z0-9_]{0,62}\Z")
_FIELDS = ("log_id", "seq", "head", "hash", "time", "alg", "key_id", "sig", "file")


class SQLAnchorStore:
    """An :class:`~secpolicy.audit.AnchorStore` in a SQL table that only grows.

    Every checkpoint of every writer is kept (none replaces another), so the
    verifier can compare a log with all of its anchors and see rollbacks and
    forks. The database itself refuses to rewrite history: triggers abort
    any ``UPDATE`` or ``DELETE`` of the table (and ``TRUNCATE`` on
    PostgreSQL). On PostgreSQL, give the services a role made by
    :func:`create_anchor_writer_role`, which may only read and insert, and
    keep the table owner (who could drop the trigger) for migrations.

    Args:
        engine: A SQLAlchemy engine (SQLite or PostgreSQL).
        prefix: Prefix of the table names.
        create_schema: Create or upgrade the tables if needed; pass False
            when connecting as the insert-only role.

    .. versionadded:: 0.2
    """

    __module__ = "secpolicy.stores.sql"

    def __init__(
        self, engine: Engine, *, prefix: str = "secpolicy_", create_schema: bool = True
    ) -> None:
        self.engine = engine
        self._t: Tables = require_schema(engine, "anchors", prefix, create=create_schema)
        self._table = self._t.anchors

    def put(self, anchor: Anchor) -> None:
        """Append *anchor* (committed before this returns).

        Raises:
            AuditWriteError: The database did not accept it.
        """
        if not isinstance(anchor, Anchor):
            raise PolicyConfigError("anchor: must be a secpolicy.audit.Anchor")
        try:
            with self.engine.begin() as conn:
                conn.execute(self._table.insert().values(anchor.to_dict()))
        except sa.exc.DBAPIError as exc:
            raise AuditWriteError(
                errno.EIO,
                f"cannot store the checkpoint anchor in {self._table.name}: "
                f"{type(exc.orig).__name__}",
            ) from exc

    def _select(self, log_id: str | None = None) -> list[Anchor]:
        c = self._table.c
        query = sa.select(*(c[name] for name in _FIELDS)).order_by(c.seq, c.id)
        if log_id is not None:
            query = query.where(c.log_id == log_id)
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
        except sa.exc.DBAPIError as exc:
            raise StoreError(
                f"cannot read anchors from {self._table.name}: {type(exc.orig).__name__}"
            ) from exc
        return [Anchor(**dict(zip(_FIELDS, row, strict=True))) for row in rows]

    def latest(self, log_id: str) -> Anchor | None:
        """The anchor with the highest ``seq`` for *log_id* (the first stored of equals).

        Raises:
            StoreError: The database could not be reached.
        """
        c = self._table.c
        query = (
            sa.select(*(c[name] for name in _FIELDS))
            .where(c.log_id == log_id)
            .order_by(c.seq.desc(), c.id)
            .limit(1)
        )
        try:
            with self.engine.connect() as conn:
                row = conn.execute(query).first()
        except sa.exc.DBAPIError as exc:
            raise StoreError(
                f"cannot read anchors from {self._table.name}: {type(exc.orig).__name__}"
            ) from exc
        return None if row is None else Anchor(**dict(zip(_FIELDS, row, strict=True)))

    def anchors(self, log_id: str) -> list[Anchor]:
        """Every anchor of *log_id*, in sequence order (forks appear side by side)."""
        return self._select(log_id)

    def log_ids(self) -> list[str]:
        """Every log that has anchored here, sorted: the writers a verifier expects.

        Raises:
            StoreError: The database could not be reached.
        """
        c = self._table.c
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(sa.select(c.log_id).distinct().order_by(c.log_id)).scalars()
                return [str(value) for value in rows]
        except sa.exc.DBAPIError as exc:
            raise StoreError(
                f"cannot read anchors from {self._table.name}: {type(exc.orig).__name__}"
            ) from exc

    def __repr__(self) -> str:
        return f"SQLAnchorStore(table={self._table.name!r})"


def create_anchor_writer_role(
    engine: Engine, role: str, *, prefix: str = "secpolicy_", password: str | None = None
) -> None:
    """Create (or refresh) a PostgreSQL role that may only read and append anchors.

    Run it as the tables' owner after the schema exists. The role gets
    ``SELECT`` and ``INSERT`` on the anchor table and the use of its id
    sequence, nothing else: it can neither ``UPDATE``, ``DELETE`` nor
    ``TRUNCATE``, nor drop the triggers that refuse those to the owner.

    Args:
        engine: An engine connected as the owner of the tables.
        role: The role name (lower-case letters, digits and underscores).
        prefix: Prefix of the table names.
        password: If given, the role may log in with it; without it the role
            is ``NOLOGIN`` (grant it to a login role).

    Raises:
        PolicyConfigError: Not PostgreSQL, or an unsafe role name.

    .. versionadded:: 0.2
    """
    if engine.dialect.name != "postgresql":
        raise PolicyConfigError("create_anchor_writer_role: roles exist only on PostgreSQL")
    if not _ROLE.match(str(role)):
        raise PolicyConfigError("role: must be lower-case letters, digits and underscores")
    t = require_schema(engine, "anchors", prefix, create=False)
    table = t.anchors.name
    with engine.begin() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}
        ).scalar()
        login = "NOLOGIN"
        if password is not None:
            quoted = conn.execute(sa.text("SELECT quote_literal(:p)"), {"p": password}).scalar()
            login = f"LOGIN PASSWORD {quoted}"
        verb = "ALTER" if exists else "CREATE"
        conn.exec_driver_sql(f"{verb} ROLE {role} {login} NOSUPERUSER NOCREATEDB NOCREATEROLE")
        conn.exec_driver_sql(f"REVOKE ALL ON {table} FROM {role}")
        conn.exec_driver_sql(f"GRANT SELECT, INSERT ON {table} TO {role}")
        conn.exec_driver_sql(f"GRANT SELECT ON {t.schema_version.name} TO {role}")
        conn.exec_driver_sql(f"GRANT USAGE ON SEQUENCE {table}_id_seq TO {role}")

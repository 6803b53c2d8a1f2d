"""Audit checkpoint anchors of every writer, in an append-only SQL table."""

from __future__ import annotations

import errno
import hashlib
import json
import re
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from secpolicy.audit import Anchor
from secpolicy.exceptions import AuditWriteError, PolicyConfigError
from secpolicy.stores._errors import StoreError
from secpolicy.stores.sql._schema import Tables, check_file, require_schema

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

__all__ = ["SQLAnchorStore", "create_anchor_writer_role"]

_ROLE = re.compile(r"[a-z_][a-z0-9_]{0,62}\Z")


def _body(anchor: Anchor) -> str:
    return json.dumps(anchor.to_dict(), sort_keys=True, separators=(",", ":"))


class SQLAnchorStore:
    """An :class:`~secpolicy.audit.AnchorStore` in a SQL table that only grows.

    Every checkpoint of every writer is kept (none replaces another; the
    same anchor stored twice is kept once), so the verifier can compare a
    log with all of its anchors, see rollbacks and forks, and check the set
    of writers with :meth:`log_ids`. The database itself refuses to rewrite
    history: triggers abort any ``UPDATE`` or ``DELETE`` of the table (and
    ``TRUNCATE`` on PostgreSQL). On PostgreSQL, give the services a role made
    by :func:`create_anchor_writer_role`, which may only read and insert,
    and keep the table owner (who could drop the trigger) for migrations.

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
        dialect: Any = postgresql if engine.dialect.name == "postgresql" else sqlite
        self._insert = dialect.insert(self._table).on_conflict_do_nothing(
            index_elements=["log_id", "seq", "digest"]
        )

    def put(self, anchor: Anchor) -> None:
        """Append *anchor* (committed before this returns).

        Raises:
            AuditWriteError: The database did not accept it.
        """
        if not isinstance(anchor, Anchor):
            raise PolicyConfigError("anchor: must be a secpolicy.audit.Anchor")
        body = _body(anchor)
        row = {
            "log_id": anchor.log_id,
            "seq": anchor.seq,
            "digest": hashlib.sha256(body.encode()).hexdigest(),
            "body": body,
        }
        try:
            check_file(self.engine)
            with self.engine.begin() as conn:
                conn.execute(self._insert.values(row))
        except sa.exc.DBAPIError as exc:
            raise AuditWriteError(
                errno.EIO,
                f"cannot store the checkpoint anchor in {self._table.name}: "
                f"{type(exc.orig).__name__}",
            ) from exc

    def _read(self, query: sa.Select[Any]) -> list[Anchor]:
        try:
            check_file(self.engine)
            with self.engine.connect() as conn:
                bodies = conn.execute(query).scalars().all()
        except sa.exc.DBAPIError as exc:
            raise StoreError(
                f"cannot read anchors from {self._table.name}: {type(exc.orig).__name__}"
            ) from exc
        try:
            return [Anchor.from_dict(json.loads(str(body))) for body in bodies]
        except (ValueError, TypeError):
            raise StoreError(f"a row of {self._table.name} is not an anchor") from None

    def latest(self, log_id: str) -> Anchor | None:
        """The anchor with the highest ``seq`` for *log_id* (the first stored of equals).

        Raises:
            StoreError: The database could not be reached.
        """
        c = self._table.c
        found = self._read(
            sa.select(c.body).where(c.log_id == log_id).order_by(c.seq.desc(), c.id).limit(1)
        )
        return found[0] if found else None

    def anchors(self, log_id: str) -> tuple[Anchor, ...]:
        """Every anchor of *log_id*, by ascending ``seq`` (ties in the order stored).

        Raises:
            StoreError: The database could not be reached.
        """
        c = self._table.c
        return tuple(self._read(sa.select(c.body).where(c.log_id == log_id).order_by(c.seq, c.id)))

    def log_ids(self) -> frozenset[str]:
        """Every log that has anchored here: the writers a verifier expects.

        Raises:
            StoreError: The database could not be reached.
        """
        c = self._table.c
        try:
            check_file(self.engine)
            with self.engine.connect() as conn:
                return frozenset(
                    str(v) for v in conn.execute(sa.select(c.log_id).distinct()).scalars()
                )
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

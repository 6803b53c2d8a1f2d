"""Shared state in a SQL database, on SQLAlchemy Core: SQLite and PostgreSQL alike.

- :class:`SQLThrottleStore`: failed-login throttle state (compare-and-set,
  no lost update).
- :class:`SQLPolicyStore`: the RBAC state as versioned changes, with
  optimistic concurrency and change notification (``LISTEN/NOTIFY`` on
  PostgreSQL, polling on SQLite).
- :class:`SQLAnchorStore`: every audit writer's checkpoints, append-only.
- :class:`SQLHoldStore`: legal holds with who placed and lifted them and why.
- :func:`migrate` creates or upgrades the tables (a versioned DDL of our own,
  recorded in ``<prefix>schema_version``); every store calls it on
  construction unless told not to.

Install with ``pip install 'secpolicy[sql]'`` (SQLite) or
``pip install 'secpolicy[postgres]'`` (adds the psycopg driver).

.. versionadded:: 0.2
"""

from __future__ import annotations

try:
    import sqlalchemy as _sqlalchemy  # noqa: F401 (fail here with the extra's name)
except ImportError as exc:  # pragma: no cover - exercised in a subprocess without sqlalchemy
    raise ImportError(
        "secpolicy.stores.sql needs SQLAlchemy: pip install 'secpolicy[sql]' "
        "(or 'secpolicy[postgres]' for PostgreSQL)"
    ) from exc

from secpolicy.stores.sql._anchor import SQLAnchorStore, create_anchor_writer_role
from secpolicy.stores.sql._holds import HoldEvent, SQLHoldStore, StoredHold
from secpolicy.stores.sql._policy import PolicyFollower, SQLPolicyStore
from secpolicy.stores.sql._schema import COMPONENTS, migrate, schema_version
from secpolicy.stores.sql._throttle import SQLThrottleStore

__all__ = [
    "COMPONENTS",
    "HoldEvent",
    "PolicyFollower",
    "SQLAnchorStore",
    "SQLHoldStore",
    "SQLPolicyStore",
    "SQLThrottleStore",
    "StoredHold",
    "create_anchor_writer_role",
    "migrate",
    "schema_version",
]

from secpolicy._public import set_module as _set_module

_set_module(globals())

"""Real servers for the store tests: PostgreSQL and Redis, started once per session.

``SECPOLICY_TEST_POSTGRES_URL`` (a SQLAlchemy URL, e.g.
``postgresql+psycopg://user@host/db``) and ``SECPOLICY_TEST_REDIS_URL`` point
the tests at servers that already run; otherwise the fixtures start their own
from the binaries that the ``test`` dependency group installs. A server that
cannot start is an error, never a skip: these tests stand for the promise
that the stores work on the real thing.

Every test gets its own table prefix (and Redis key prefix), so tests share
the servers without seeing each other's data.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import attrs
import pytest
import redis
import sqlalchemy as sa

from secpolicy.audit import Anchor

START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def prefix() -> str:
    """A table and key prefix of this test's own."""
    return f"t{uuid.uuid4().hex[:12]}_"


@pytest.fixture
def pg_engine(postgres_url: str) -> Iterator[sa.Engine]:
    """An engine on the session's PostgreSQL server."""
    engine = sa.create_engine(postgres_url, pool_size=5, max_overflow=10)
    yield engine
    engine.dispose()


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[sa.Engine]:
    """An engine on a SQLite file of this test's own."""
    engine = sa.create_engine(sqlite_url(tmp_path / "store.db"))
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest) -> sa.Engine:
    """Each SQL database in turn."""
    name = "sqlite_engine" if request.param == "sqlite" else "pg_engine"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    """A synchronous client of the session's Redis server."""
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


def make_anchor(log_id: str, seq: int, head: str = "h") -> Anchor:
    """An anchor with every text field filled from *seq* (whatever fields Anchor has)."""
    fields: dict[str, object] = {
        f.name: f"{f.name}-{seq}" for f in attrs.fields(Anchor) if f.name not in {"log_id", "seq"}
    }
    fields.update(log_id=log_id, seq=seq, head=f"{head}{seq}")
    return Anchor(**fields)  # type: ignore[arg-type]

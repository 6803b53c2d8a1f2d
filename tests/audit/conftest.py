"""Shared fixtures of the audit tests: a key, a frozen clock, a logger factory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from secpolicy._clock import FrozenClock
from secpolicy.audit import AuditLogger, MemoryAnchorStore

START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
# A fixed key: tests are reproducible, and no test depends on its secrecy.
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


@pytest.fixture
def clock() -> FrozenClock:
    """A clock standing at 2026-03-01 08:00 UTC."""
    return FrozenClock(START)


@pytest.fixture
def anchor() -> MemoryAnchorStore:
    """An in-memory anchor store."""
    return MemoryAnchorStore()


@pytest.fixture
def make_logger(
    tmp_path: Path, clock: FrozenClock, anchor: MemoryAnchorStore
) -> Iterator[Callable[..., AuditLogger]]:
    """Build file loggers in tmp_path (closed after the test)."""
    made: list[AuditLogger] = []

    def make(name: str = "audit.jsonl", **options: Any) -> AuditLogger:
        options.setdefault("key", KEY)
        options.setdefault("clock", clock)
        options.setdefault("anchor", anchor)
        options.setdefault("seal_idle", False)
        options.setdefault("checkpoint_interval", timedelta(minutes=5))
        # The tests below count and place records; audit.start and audit.stop
        # have their own tests (test_logger.py, TestStartStop).
        options.setdefault("lifecycle_events", False)
        logger = AuditLogger.to_file(tmp_path / name, **options)
        made.append(logger)
        return logger

    yield make
    for logger in made:
        logger.close()

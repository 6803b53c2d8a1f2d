"""Observe what audit loggers wrote, for tests (the pytest plugin's ``audit_events``)."""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["capture", "notify"]

_lock = threading.Lock()
_listeners: list[list[dict[str, Any]]] = []


def notify(seq: int, digest: str, record: dict[str, Any]) -> None:
    """Hand a written event record to every active capture."""
    if not _listeners:
        return
    entry = {"seq": seq, **record, "hash": digest}
    with _lock:
        for listener in _listeners:
            listener.append(entry)


@contextlib.contextmanager
def capture() -> Iterator[list[dict[str, Any]]]:
    """Collect every event record any audit logger writes inside the block.

    Each item is the record as written (after masking), with its ``seq`` and
    ``hash``.

    Example:
        >>> from secpolicy.audit import capture
        >>> with capture() as events:
        ...     pass
        >>> events
        []
    """
    events: list[dict[str, Any]] = []
    with _lock:
        _listeners.append(events)
    try:
        yield events
    finally:
        with _lock:
            # by identity: two captures with equal contents are still two
            _listeners[:] = [other for other in _listeners if other is not events]

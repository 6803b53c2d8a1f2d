"""Shared policy state for many engine instances: the store protocol and an in-memory store.

An engine attached to a :class:`PolicyStore` writes every change through it
before the change takes effect, with optimistic concurrency: the change is
appended only if the store is still at the version the engine last saw.
Other instances pick the change up with :meth:`RBAC.refresh`.

A store holds an optional snapshot (a :meth:`RBAC.to_dict` document and the
version it reflects) and the changes after it. A change is a JSON-ready
mapping produced by the engine (``{"op": "grant", "args": {...}, "by": ...,
"at": "..."}``); stores keep it as it is and never interpret it.
"""

from __future__ import annotations

import copy
import threading
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from secpolicy.exceptions import SecPolicyError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["MemoryPolicyStore", "PolicyStore", "StoreConflict"]


class StoreConflict(SecPolicyError):  # noqa: N818 (the name states the outcome)
    """Another writer changed the store first; refresh and try the change again.

    Attributes:
        expected: The version the writer expected.
        actual: The version the store is at.

    .. versionadded:: 0.2
    """

    __module__ = "secpolicy.rbac"

    def __init__(self, expected: int, actual: int) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"the policy store is at version {actual}, not {expected}: "
            "another writer changed it; refresh() and retry"
        )


@runtime_checkable
class PolicyStore(Protocol):
    """Where a shared RBAC policy lives: a snapshot plus an append-only list of changes.

    Versions are integers that grow by one per appended change; an empty
    store is at version 0. Implementations must make :meth:`append` atomic
    (compare the version and append in one transaction) and return copies,
    never objects the caller could change.

    .. versionadded:: 0.2
    """

    def load(self) -> tuple[int, Mapping[str, Any] | None]:
        """The latest snapshot: its version and document, or ``(0, None)`` if there is none."""
        ...

    def append(self, expected_version: int, change: Mapping[str, Any]) -> int:
        """Append *change* if the store is at *expected_version*; return the new version.

        Raises:
            StoreConflict: If the store is at another version (nothing is written).
        """
        ...

    def changes_since(self, version: int) -> list[tuple[int, Mapping[str, Any]]]:
        """Every change after *version*, oldest first, each with the version it created."""
        ...


PolicyStore.__module__ = "secpolicy.rbac"


class MemoryPolicyStore:
    """A :class:`PolicyStore` in memory: for tests, and for engines in one process.

    Args:
        snapshot: An optional starting document (the form of
            :meth:`RBAC.to_dict`), stored as version 0.

    Example:
        >>> store = MemoryPolicyStore()
        >>> store.append(0, {"op": "add_user", "args": {"user": "alice"}})
        1
        >>> [v for v, _ in store.changes_since(0)]
        [1]

    .. versionadded:: 0.2
    """

    __module__ = "secpolicy.rbac"

    def __init__(self, snapshot: Mapping[str, Any] | None = None) -> None:
        self._lock = threading.Lock()
        self._snapshot_version = 0
        self._snapshot = copy.deepcopy(dict(snapshot)) if snapshot is not None else None
        self._changes: list[Mapping[str, Any]] = []

    @property
    def version(self) -> int:
        """The version of the last appended change (0 if none)."""
        with self._lock:
            return self._snapshot_version + len(self._changes)

    def load(self) -> tuple[int, Mapping[str, Any] | None]:
        """The snapshot and its version (see :meth:`PolicyStore.load`)."""
        with self._lock:
            return self._snapshot_version, copy.deepcopy(self._snapshot)

    def append(self, expected_version: int, change: Mapping[str, Any]) -> int:
        """Append *change* at *expected_version* (see :meth:`PolicyStore.append`)."""
        with self._lock:
            actual = self._snapshot_version + len(self._changes)
            if expected_version != actual:
                raise StoreConflict(expected_version, actual)
            self._changes.append(copy.deepcopy(dict(change)))
            return actual + 1

    def changes_since(self, version: int) -> list[tuple[int, Mapping[str, Any]]]:
        """The changes after *version* (see :meth:`PolicyStore.changes_since`)."""
        with self._lock:
            start = max(version - self._snapshot_version, 0)
            return [
                (self._snapshot_version + i + 1, copy.deepcopy(change))
                for i, change in enumerate(self._changes[start:], start)
            ]

    def compact(self, version: int, document: Mapping[str, Any]) -> None:
        """Replace the changes up to *version* by *document* (a snapshot at that version).

        Raises:
            StoreConflict: If *version* is not a version the store has reached.
        """
        with self._lock:
            actual = self._snapshot_version + len(self._changes)
            if not self._snapshot_version <= version <= actual:
                raise StoreConflict(version, actual)
            del self._changes[: version - self._snapshot_version]
            self._snapshot_version = version
            self._snapshot = copy.deepcopy(dict(document))

    def __repr__(self) -> str:
        return f"MemoryPolicyStore(version={self.version})"

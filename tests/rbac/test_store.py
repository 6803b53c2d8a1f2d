"""The policy store protocol and the in-memory store."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from secpolicy.exceptions import SecPolicyError
from secpolicy.rbac import MemoryPolicyStore, PolicyStore, StoreConflict


class StoreContract:
    """What every PolicyStore must do; subclass it with a ``make_store`` fixture."""

    def make(self) -> Any:
        """A fresh, empty store."""
        return MemoryPolicyStore()

    def test_is_a_policy_store(self) -> None:
        """The store satisfies the runtime-checkable protocol."""
        assert isinstance(self.make(), PolicyStore)

    def test_empty(self) -> None:
        """An empty store is at version 0 with no snapshot and no changes."""
        store = self.make()
        assert store.load() == (0, None)
        assert store.changes_since(0) == []

    def test_append_in_order(self) -> None:
        """Each append returns the next version; changes come back oldest first."""
        store = self.make()
        assert store.append(0, {"op": "add_user", "args": {"user": "a"}}) == 1
        assert store.append(1, {"op": "add_user", "args": {"user": "b"}}) == 2
        assert [(v, c["args"]["user"]) for v, c in store.changes_since(0)] == [(1, "a"), (2, "b")]
        assert [v for v, _ in store.changes_since(1)] == [2]
        assert store.changes_since(2) == []

    def test_conflict(self) -> None:
        """A writer behind the store gets StoreConflict and nothing is written."""
        store = self.make()
        store.append(0, {"op": "x"})
        with pytest.raises(StoreConflict) as info:
            store.append(0, {"op": "y"})
        assert isinstance(info.value, SecPolicyError)
        assert (info.value.expected, info.value.actual) == (0, 1)
        assert [c["op"] for _, c in store.changes_since(0)] == ["x"]

    def test_returns_copies(self) -> None:
        """Changing what the store returned or was given changes nothing stored."""
        store = self.make()
        change: dict[str, Any] = {"op": "x", "args": {"user": "a"}}
        store.append(0, change)
        change["args"]["user"] = "b"
        got = store.changes_since(0)[0][1]
        assert got["args"]["user"] == "a"
        got["args"]["user"] = "c"
        assert store.changes_since(0)[0][1]["args"]["user"] == "a"

    def test_one_winner_among_racing_writers(self) -> None:
        """Of writers racing for the same version exactly one succeeds."""
        store = self.make()
        results: list[str] = []
        barrier = threading.Barrier(8)

        def write(i: int) -> None:
            barrier.wait()
            try:
                store.append(0, {"op": f"w{i}"})
                results.append("ok")
            except StoreConflict:
                results.append("conflict")

        threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == ["conflict"] * 7 + ["ok"]
        assert len(store.changes_since(0)) == 1


class TestMemoryPolicyStore(StoreContract):
    def test_snapshot_and_compact(self) -> None:
        """Compaction keeps later changes and serves the snapshot at its version."""
        store = MemoryPolicyStore()
        for i in range(3):
            store.append(i, {"op": f"c{i}"})
        store.compact(2, {"roles": {}})
        assert store.load() == (2, {"roles": {}})
        assert [v for v, _ in store.changes_since(0)] == [3]
        assert store.version == 3
        with pytest.raises(StoreConflict):
            store.compact(9, {})
        assert "version=3" in repr(store)

    def test_starting_snapshot(self) -> None:
        """A store may start from a document at version 0."""
        store = MemoryPolicyStore({"users": ["a"]})
        assert store.load() == (0, {"users": ["a"]})

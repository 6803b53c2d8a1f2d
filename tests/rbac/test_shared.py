"""Engines sharing one policy through a store: write-through, conflicts, refresh, staleness."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest

from secpolicy import FrozenClock
from secpolicy.exceptions import PolicyConfigError
from secpolicy.rbac import RBAC, MemoryPolicyStore, RBACEvent, StoreConflict


@pytest.fixture
def store() -> MemoryPolicyStore:
    """An empty in-memory store."""
    return MemoryPolicyStore()


def _seed(clock: FrozenClock, store: MemoryPolicyStore) -> RBAC:
    rbac = RBAC(clock=clock)
    rbac.add_role("teller")
    rbac.grant("teller", "accounts/**", "read")
    rbac.add_user("alice")
    rbac.attach(store)
    return rbac


class TestSharedPolicy:
    def test_write_through_and_refresh(self, clock: FrozenClock, store: MemoryPolicyStore) -> None:
        """Changes by one engine reach another on refresh; the writer sees them at once."""
        first = _seed(clock, store)
        second = RBAC.from_store(store, clock=clock)
        assert second.to_dict() == first.to_dict()
        first.assign("alice", "teller")
        assert first.check("alice", "accounts/1", "read")
        assert not second.check("alice", "accounts/1", "read")
        assert second.refresh() == 1
        assert second.check("alice", "accounts/1", "read")
        assert second.sync() == 0
        assert second.store_version == first.store_version == store.version

    def test_conflicting_writer_gets_typed_error(
        self, clock: FrozenClock, store: MemoryPolicyStore
    ) -> None:
        """A writer behind the store gets StoreConflict, changes nothing, works after refresh."""
        events: list[RBACEvent] = []
        first = _seed(clock, store)
        second = RBAC.from_store(store, clock=clock, on_event=events.append)
        first.add_user("bob")
        with pytest.raises(StoreConflict):
            second.add_user("carol")
        assert "carol" not in second.state.users
        assert events[-1].kind == "change_aborted"
        second.refresh()
        second.add_user("carol")
        first.refresh()
        assert {"alice", "bob", "carol"} <= set(first.state.users)

    def test_staleness_fails_closed(self, clock: FrozenClock, store: MemoryPolicyStore) -> None:
        """Past the staleness bound checks deny with a reason until the next refresh."""
        _seed(clock, store).assign("alice", "teller")
        reader = RBAC.from_store(store, clock=clock, max_staleness=timedelta(seconds=30))
        assert reader.check("alice", "accounts/1", "read")
        clock.advance(timedelta(seconds=31))
        assert not reader.check("alice", "accounts/1", "read")
        assert "synchronised" in reader.decide("alice", "accounts/1", "read").reason
        assert reader.who_can("accounts/1", "read") == frozenset()
        reader.refresh()
        assert reader.check("alice", "accounts/1", "read")

    def test_compacted_store(self, clock: FrozenClock, store: MemoryPolicyStore) -> None:
        """An engine behind a compaction reloads from the snapshot."""
        first = _seed(clock, store)
        second = RBAC.from_store(store, clock=clock)
        first.add_user("bob")
        first.add_user("carol")
        store.compact(store.version, first.to_dict())
        first.add_user("dave")
        second.refresh()
        assert {"bob", "carol", "dave"} <= set(second.state.users)

    def test_attach_refuses_two_policies(
        self, clock: FrozenClock, store: MemoryPolicyStore
    ) -> None:
        """Attaching an engine with its own policy to a non-empty store is refused."""
        _seed(clock, store)
        other = RBAC(clock=clock)
        other.add_user("x")
        with pytest.raises(PolicyConfigError, match="both"):
            other.attach(store)
        with pytest.raises(PolicyConfigError, match="not attached"):
            other.refresh()

    def test_privileged_workflow_replays(
        self, clock: FrozenClock, store: MemoryPolicyStore
    ) -> None:
        """Requests, approvals and their ids replay identically in another engine."""
        first = _seed(clock, store)
        first.add_role("dba", privileged=True)
        first.add_role("approver")
        first.add_user("bob")
        first.assign("bob", "approver")
        request = first.request_grant(
            "alice", "dba", requested_by="alice", duration=timedelta(hours=1), reason="x"
        )
        first.approve(request.request_id, by="bob")
        second = RBAC.from_store(store, clock=clock)
        assert second.to_dict() == first.to_dict()
        assert [g.request_id for g in second.active_grants()] == ["gr-1"]


class TestMemoWithStore:
    """An attached engine memoises like an in-memory one, without weakening staleness or refresh."""

    def test_attached_check_uses_the_memo(
        self, clock: FrozenClock, store: MemoryPolicyStore
    ) -> None:
        """A check through an attached engine is memoised (decisions stay local)."""
        _seed(clock, store).assign("alice", "teller")
        reader = RBAC.from_store(store, clock=clock, max_staleness=timedelta(seconds=30))
        assert reader.check("alice", "accounts/1", "read")
        assert reader.state.memo == {("alice", "accounts/1", "read", None): True}

    def test_a_change_from_the_store_invalidates_memoised_answers(
        self, clock: FrozenClock, store: MemoryPolicyStore
    ) -> None:
        """After refresh applies a revocation, the memoised allow is gone: the answer is deny."""
        writer = _seed(clock, store)
        writer.assign("alice", "teller")
        reader = RBAC.from_store(store, clock=clock, max_staleness=timedelta(seconds=30))
        assert reader.check("alice", "accounts/1", "read")
        assert reader.check("alice", "accounts/1", "read")  # answered from the memo
        writer.remove_user("alice")
        assert reader.check("alice", "accounts/1", "read")  # not applied yet
        assert reader.refresh() == 1
        assert not reader.check("alice", "accounts/1", "read")
        writer.add_user("alice")
        writer.assign("alice", "teller")
        reader.refresh()
        assert reader.check("alice", "accounts/1", "read")  # a grant invalidates denies too

    def test_a_stale_store_denies_memoised_requests(
        self, clock: FrozenClock, store: MemoryPolicyStore
    ) -> None:
        """Past the bound a memoised allow is denied; it comes back only after a refresh."""
        _seed(clock, store).assign("alice", "teller")
        reader = RBAC.from_store(store, clock=clock, max_staleness=timedelta(seconds=30))
        assert reader.check("alice", "accounts/1", "read")
        assert reader.state.memo  # the allow is memoised
        clock.advance(timedelta(seconds=30))
        assert reader.check("alice", "accounts/1", "read")  # exactly at the bound: fresh
        clock.advance(timedelta(microseconds=1))
        assert not reader.check("alice", "accounts/1", "read")
        assert not reader.check("alice", "accounts/1", "read")
        assert reader.refresh() == 0
        assert reader.check("alice", "accounts/1", "read")

    def test_system_clock_bound_memoises(self, store: MemoryPolicyStore) -> None:
        """With the system clock the bound is a timestamp; a fresh engine answers from its memo."""
        writer = RBAC()
        writer.add_role("teller")
        writer.grant("teller", "accounts/**", "read")
        writer.add_user("alice")
        writer.assign("alice", "teller")
        writer.attach(store)
        reader = RBAC.from_store(store, max_staleness=timedelta(hours=1))
        assert reader.check("alice", "accounts/1", "read")
        assert reader.check("alice", "accounts/1", "read")
        assert len(reader.state.memo) == 1

    def test_own_change_restarts_the_staleness_clock(
        self, clock: FrozenClock, store: MemoryPolicyStore
    ) -> None:
        """A change written through the store counts as a synchronisation, as before."""
        _seed(clock, store).assign("alice", "teller")
        reader = RBAC.from_store(store, clock=clock, max_staleness=timedelta(seconds=30))
        clock.advance(timedelta(seconds=31))
        assert not reader.check("alice", "accounts/1", "read")
        reader.add_user("bob")
        assert reader.check("alice", "accounts/1", "read")


class TestStoreFailures:
    def test_store_error_aborts_the_change(self, clock: FrozenClock) -> None:
        """A store that fails to write leaves the engine unchanged and says so."""

        class Down(MemoryPolicyStore):
            def append(self, expected_version: int, change: Mapping[str, Any]) -> int:
                if self.version >= 1:
                    raise OSError("database unavailable")
                return super().append(expected_version, change)

        events: list[RBACEvent] = []
        rbac = RBAC(clock=clock, on_event=events.append)
        rbac.attach(Down())
        with pytest.raises(OSError, match="unavailable"):
            rbac.add_user("alice")
        assert "alice" not in rbac.state.users
        assert events[-1].kind == "change_aborted"
        assert events[-1].details["cause"] == "store_error"


class _Abort(BaseException):
    """An interruption that is not an Exception (as KeyboardInterrupt is not)."""


class TestEventsMatchCommits:
    def test_hook_failing_mid_change_voids_the_events_it_got(self, clock: FrozenClock) -> None:
        """A hook that takes one event of a change and refuses the next gets change_aborted."""
        events: list[RBACEvent] = []

        def hook(event: RBACEvent) -> None:
            events.append(event)
            if event.kind == "grant_activated":
                raise OSError("audit log full")

        rbac = RBAC(clock=clock, on_event=hook)
        rbac.add_role("approver")
        rbac.add_role("dba", privileged=True)
        for user in ("alice", "bob", "carol"):
            rbac.add_user(user)
        rbac.assign("carol", "approver")
        request = rbac.request_grant(
            "alice", "dba", requested_by="bob", duration=timedelta(hours=1), reason="fix"
        )
        del events[:]
        with pytest.raises(OSError, match="full"):
            request.approve("carol")
        assert not rbac.active_grants()
        assert request.pending is not None
        assert not rbac.check("alice", "db/x", "read")
        assert [e.kind for e in events] == ["grant_approved", "grant_activated", "change_aborted"]
        assert events[-1].details == {
            "op": "approve",
            "cause": "hook_error",
            "voided": ["grant_approved", "grant_activated"],
        }
        assert events[-1].by == "carol"

    def test_hook_refusing_the_only_event_voids_it(self, clock: FrozenClock) -> None:
        """A hook that raises on an event may have kept it: change_aborted follows."""
        events: list[RBACEvent] = []

        def hook(event: RBACEvent) -> None:
            events.append(event)
            if event.kind == "user_added":
                raise OSError("disk full after write")

        rbac = RBAC(clock=clock, on_event=hook)
        with pytest.raises(OSError, match="disk full"):
            rbac.add_user("alice")
        assert "alice" not in rbac.state.users
        assert [e.kind for e in events] == ["user_added", "change_aborted"]

    def test_interrupted_store_write_is_aborted(self, clock: FrozenClock) -> None:
        """An interruption of the store write (not an Exception) still reports change_aborted."""

        class Interrupted(MemoryPolicyStore):
            def append(self, expected_version: int, change: Mapping[str, Any]) -> int:
                if self.version >= 1:
                    raise _Abort
                return super().append(expected_version, change)

        events: list[RBACEvent] = []
        rbac = RBAC(clock=clock, on_event=events.append)
        rbac.attach(Interrupted())
        with pytest.raises(_Abort):
            rbac.add_user("alice")
        assert "alice" not in rbac.state.users
        assert [e.kind for e in events][-2:] == ["user_added", "change_aborted"]
        assert events[-1].details["cause"] == "store_error"

    def test_store_error_survives_a_failing_abort_report(self, clock: FrozenClock) -> None:
        """If the hook also refuses change_aborted, the caller still sees the store's error."""

        class Down(MemoryPolicyStore):
            def append(self, expected_version: int, change: Mapping[str, Any]) -> int:
                if self.version >= 1:
                    raise OSError("database unavailable")
                return super().append(expected_version, change)

        seen: list[str] = []

        def hook(event: RBACEvent) -> None:
            seen.append(event.kind)
            if event.kind == "change_aborted":
                raise RuntimeError("audit log down too")

        rbac = RBAC(clock=clock, on_event=hook)
        rbac.attach(Down())
        with pytest.raises(OSError, match="unavailable"):
            rbac.add_user("alice")
        assert seen[-2:] == ["user_added", "change_aborted"]
        assert "alice" not in rbac.state.users

    def test_every_mutator_voids_its_events_on_a_failed_write(self, clock: FrozenClock) -> None:
        """For each kind of change, a failed store write leaves every reported event voided."""

        class Flaky(MemoryPolicyStore):
            fail = False

            def append(self, expected_version: int, change: Mapping[str, Any]) -> int:
                if self.fail:
                    raise OSError("database unavailable")
                return super().append(expected_version, change)

        events: list[RBACEvent] = []
        store = Flaky()
        rbac = RBAC(levels=("low", "high"), clock=clock, on_event=events.append)
        rbac.attach(store)
        setup: list[Any] = [
            lambda: rbac.add_user("admin"),
            lambda: rbac.add_user("u"),
            lambda: rbac.add_user("v"),
            lambda: rbac.add_role("a"),
            lambda: rbac.add_role("b"),
            lambda: rbac.add_role("approver"),
            lambda: rbac.add_role("dba", privileged=True),
            lambda: rbac.assign("admin", "approver"),
        ]
        calls: list[Any] = [
            lambda: rbac.add_user("w"),
            lambda: rbac.add_role("c"),
            lambda: rbac.add_inheritance("a", "b"),
            lambda: rbac.grant("a", "x/**", "read"),
            lambda: rbac.deny("a", "x/y", "read"),
            lambda: rbac.assign("u", "a"),
            lambda: rbac.add_ssd("s", ["b", "c"], 2),
            lambda: rbac.add_dsd("d", ["b", "c"], 2),
            lambda: rbac.set_label("x/*", "high"),
            lambda: rbac.set_clearance("u", "low"),
            lambda: rbac.request_grant(
                "v", "dba", requested_by="u", duration=timedelta(hours=1), reason="fix"
            ),
            lambda: rbac.mark_reviewed("u", "a", by="admin"),
            lambda: rbac.approve(rbac.pending_requests()[0].request_id, by="admin"),
            lambda: rbac.revoke_grant(rbac.active_grants()[0].request_id, by="admin"),
            lambda: rbac.revoke("a", "x/y", "read"),
            lambda: rbac.remove_label("x/*"),
            lambda: rbac.delete_inheritance("a", "b"),
            lambda: rbac.deassign("u", "a"),
            lambda: rbac.remove_user("u"),
            lambda: rbac.delete_role("a"),
        ]
        for call in setup:
            call()
        for call in calls:
            before = rbac.to_dict()
            del events[:]
            store.fail = True
            with pytest.raises(OSError, match="unavailable"):
                call()
            assert rbac.to_dict() == before
            assert events, "the change reported nothing"
            assert events[-1].kind == "change_aborted"
            assert all(e.kind != "change_aborted" for e in events[:-1])
            assert events[-1].details["voided"] == [e.kind for e in events[:-1]]
            store.fail = False
            call()


class TestPolicyLoaded:
    def test_from_dict_reports_the_load(self, clock: FrozenClock) -> None:
        """Loading a document reports policy_loaded with what was loaded."""
        source = RBAC(clock=clock)
        source.add_role("teller")
        source.add_user("alice")
        events: list[RBACEvent] = []
        RBAC.from_dict(source.to_dict(), clock=clock, on_event=events.append)
        assert [e.kind for e in events] == ["policy_loaded"]
        assert events[0].details["source"] == "document"
        assert events[0].details["users"] == events[0].details["roles"] == 1

    def test_refused_load_report_fails_the_load(self, clock: FrozenClock) -> None:
        """A hook that refuses policy_loaded stops from_dict (fail closed)."""

        def refuse(event: RBACEvent) -> None:
            raise OSError("audit log down")

        with pytest.raises(OSError, match="down"):
            RBAC.from_dict(RBAC(clock=clock).to_dict(), clock=clock, on_event=refuse)

    def test_taking_the_store_policy_is_reported(
        self, clock: FrozenClock, store: MemoryPolicyStore
    ) -> None:
        """An engine that takes a store's policy reports policy_loaded from the store."""
        _seed(clock, store)
        events: list[RBACEvent] = []
        reader = RBAC.from_store(store, clock=clock, on_event=events.append)
        assert [e.kind for e in events] == ["policy_loaded"]
        assert events[0].details["source"] == "store"
        assert events[0].details["version"] == store.version == reader.store_version

    def test_failed_first_write_leaves_the_engine_unattached(self, clock: FrozenClock) -> None:
        """If the store cannot take the engine's policy, the engine stays detached and unchanged."""

        class Down(MemoryPolicyStore):
            def append(self, expected_version: int, change: Mapping[str, Any]) -> int:
                raise OSError("database unavailable")

        rbac = RBAC(clock=clock)
        rbac.add_user("alice")
        with pytest.raises(OSError, match="unavailable"):
            rbac.attach(Down())
        assert rbac.store_version == 0
        rbac.add_user("bob")
        with pytest.raises(PolicyConfigError, match="not attached"):
            rbac.refresh()

    def test_reattaching_writes_nothing_to_the_earlier_store(self, clock: FrozenClock) -> None:
        """An empty engine moving to a store with a policy leaves its earlier store untouched."""
        first, second = MemoryPolicyStore(), MemoryPolicyStore()
        _seed(clock, second)
        rbac = RBAC(clock=clock)
        rbac.attach(first)
        before = first.version
        rbac.attach(second)
        assert first.version == before
        assert rbac.store_version == second.version
        assert "alice" in rbac.state.users
        rbac.add_user("bob")
        assert first.version == before
        assert second.changes_since(second.version - 1)[0][1]["op"] == "add_user"

    def test_refused_load_report_keeps_the_earlier_store(self, clock: FrozenClock) -> None:
        """If the hook refuses policy_loaded, the engine stays attached as before."""
        first, second = MemoryPolicyStore(), MemoryPolicyStore()
        _seed(clock, second)
        refuse = False

        def hook(event: RBACEvent) -> None:
            if refuse:
                raise OSError("audit log down")

        rbac = RBAC(clock=clock, on_event=hook)
        rbac.attach(first)
        refuse = True
        with pytest.raises(OSError, match="down"):
            rbac.attach(second)
        refuse = False
        rbac.add_user("carol")
        assert first.changes_since(first.version - 1)[0][1]["op"] == "add_user"
        assert "alice" not in rbac.state.users


class _SlowStore(MemoryPolicyStore):
    """A store whose reads take *delay* on the engine's clock (a slow network round trip)."""

    def __init__(self, clock: FrozenClock, delay: timedelta) -> None:
        super().__init__()
        self._clock = clock
        self.delay = timedelta(0)
        self._later = delay

    def slow(self) -> None:
        self.delay = self._later

    def load(self) -> tuple[int, Mapping[str, Any] | None]:
        self._clock.advance(self.delay)
        return super().load()

    def changes_since(self, version: int) -> list[tuple[int, Mapping[str, Any]]]:
        self._clock.advance(self.delay)
        return super().changes_since(version)


class TestStalenessStartsBeforeTheRead:
    """The staleness clock restarts at the instant the store read began, not when it ended."""

    def test_a_slow_refresh_does_not_extend_the_bound(self, clock: FrozenClock) -> None:
        """A read that took 20 s leaves 10 s of a 30 s bound, counted from its start."""
        store = _SlowStore(clock, timedelta(seconds=20))
        _seed(clock, store).assign("alice", "teller")
        reader = RBAC.from_store(store, clock=clock, max_staleness=timedelta(seconds=30))
        store.slow()
        assert reader.refresh() == 0  # began at t, returned at t + 20 s
        clock.advance(timedelta(seconds=10))
        assert reader.check("alice", "accounts/1", "read")  # t + 30 s: exactly at the bound
        clock.advance(timedelta(microseconds=1))
        assert not reader.check("alice", "accounts/1", "read")

    def test_a_slow_attach_does_not_extend_the_bound(self, clock: FrozenClock) -> None:
        """attach() counts from before its first store read (load and changes_since)."""
        store = _SlowStore(clock, timedelta(seconds=20))
        _seed(clock, store).assign("alice", "teller")
        store.slow()
        reader = RBAC.from_store(store, clock=clock, max_staleness=timedelta(seconds=50))
        clock.advance(timedelta(seconds=10))  # 40 s of store reads, then 10 s: t + 50 s
        assert reader.check("alice", "accounts/1", "read")
        clock.advance(timedelta(microseconds=1))
        assert not reader.check("alice", "accounts/1", "read")

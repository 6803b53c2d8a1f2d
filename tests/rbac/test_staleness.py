"""The staleness bound of an attached engine: exact at the bound, never lent to an older state."""

from __future__ import annotations

from datetime import timedelta

import pytest

from secpolicy import FrozenClock
from secpolicy.rbac import RBAC, MemoryPolicyStore
from secpolicy.rbac._state import State

BOUND = timedelta(seconds=30)


def _writer(clock: FrozenClock, store: MemoryPolicyStore) -> RBAC:
    rbac = RBAC(clock=clock)
    rbac.add_role("teller")
    rbac.grant("teller", "accounts/**", "read")
    rbac.add_user("alice")
    rbac.assign("alice", "teller")
    rbac.attach(store)
    return rbac


class _RefreshOnRead(RBAC):
    """An engine whose next read of its state runs a refresh and still returns the state before.

    This is the interleaving of a check in one thread with a refresh
    completing in another just after the check read the state.
    """

    armed = False

    @property
    def _state(self) -> State:
        state: State = self.__dict__["_state"]
        if self.armed:
            self.armed = False
            self.refresh()
        return state

    @_state.setter
    def _state(self, value: State) -> None:
        self.__dict__["_state"] = value


@pytest.fixture
def store() -> MemoryPolicyStore:
    """An empty in-memory store."""
    return MemoryPolicyStore()


class TestRefreshRacingACheck:
    """A refresh landing between a check's reads never vouches for the state before it."""

    def _stale_reader(self, clock: FrozenClock, store: MemoryPolicyStore) -> _RefreshOnRead:
        writer = _writer(clock, store)
        reader = _RefreshOnRead(clock=clock)
        reader.attach(store, max_staleness=BOUND)
        assert reader.check("alice", "accounts/1", "read")  # memoised allow
        writer.remove_user("alice")  # the revocation the reader has not applied
        clock.advance(BOUND + timedelta(seconds=1))  # the reader is past its bound
        reader.armed = True
        return reader

    def test_check(self, clock: FrozenClock, store: MemoryPolicyStore) -> None:
        """The memoised allow of the stale state is not served under the refresh's new mark."""
        reader = self._stale_reader(clock, store)
        assert not reader.check("alice", "accounts/1", "read")
        assert not reader.armed  # the refresh did run between the reads
        assert not reader.check("alice", "accounts/1", "read")

    def test_decide_and_require(self, clock: FrozenClock, store: MemoryPolicyStore) -> None:
        """decide() and require() decide in a state no older than the mark they checked."""
        reader = self._stale_reader(clock, store)
        assert not reader.decide("alice", "accounts/1", "read").allowed
        assert not reader.armed
        reader = self._stale_reader(clock, MemoryPolicyStore())
        with pytest.raises(PermissionError):
            reader.require("alice", "accounts/1", "read")
        assert not reader.armed

    def test_resources_for(self, clock: FrozenClock, store: MemoryPolicyStore) -> None:
        """resources_for() lists nothing from the stale state."""
        reader = self._stale_reader(clock, store)
        assert reader.resources_for("alice", "read").allow == ()

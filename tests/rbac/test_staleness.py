"""The staleness bound of an attached engine: exact at the bound, never lent to an older state."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secpolicy import FrozenClock
from secpolicy.exceptions import NaiveDatetimeError, PolicyConfigError
from secpolicy.rbac import RBAC, MemoryPolicyStore
from secpolicy.rbac import _engine as engine_module
from secpolicy.rbac._state import State
from secpolicy.rbac._wallclock import wall_deadline as _wall_deadline
from secpolicy.rbac._wallclock import wall_since as _wall_since

from .conftest import START

BOUND = timedelta(seconds=30)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
REQUEST = ("alice", "accounts/1", "read")


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

    def test_session_check(self, clock: FrozenClock, store: MemoryPolicyStore) -> None:
        """A session's check decides in a state no older than the mark it checked."""
        writer = _writer(clock, store)
        reader = _RefreshOnRead(clock=clock)
        reader.attach(store, max_staleness=BOUND)
        session = reader.create_session("alice", ["teller"])
        assert session.check("accounts/1", "read")
        writer.remove_user("alice")  # the revocation the reader has not applied
        clock.advance(BOUND + timedelta(seconds=1))  # the reader is past its bound
        reader.armed = True
        assert not session.check("accounts/1", "read")
        assert not reader.armed  # the refresh did run between the reads
        assert not session.decide("accounts/1", "read").allowed


class _UnreachableStore(MemoryPolicyStore):
    """A store that can go down: every read then raises, as a lost connection does."""

    down = False

    def changes_since(self, version: int) -> list[tuple[int, Mapping[str, Any]]]:
        if self.down:
            raise ConnectionError("the policy store is unreachable")
        return super().changes_since(version)


class TestABoundPastTheCalendar:
    """A bound reaching past the last representable date keeps the engine bounded."""

    def test_attach_and_refresh_near_the_end_of_time(self) -> None:
        """attach, check, refresh and a clock set back all stay bounded (no OverflowError)."""
        clock = FrozenClock(datetime(9500, 1, 1, tzinfo=UTC))
        store = MemoryPolicyStore()
        writer = _writer(clock, store)
        reader = RBAC(clock=clock)
        reader.attach(store, max_staleness=timedelta(days=365 * 1000))
        assert reader.check(*REQUEST)
        writer.remove_user("alice")
        reader.refresh()
        assert not reader.check(*REQUEST)
        clock.set(datetime(9400, 1, 1, tzinfo=UTC))  # before the last read: fail closed
        assert not reader.decide("bob", "accounts/1", "read").allowed
        assert "fail closed" in reader.decide("bob", "accounts/1", "read").reason


class TestTheBoundWithATestClock:
    """With an injected clock, the engine refuses exactly once the bound is passed."""

    @settings(max_examples=150, deadline=None)
    @given(
        bound_us=st.integers(1, 10 * 86_400 * 10**6),
        # Around the bound (to the microsecond) or anywhere up to twice it.
        nudge_us=st.integers(-3, 3),
        fraction=st.none() | st.floats(0, 2),
    )
    def test_refuse_and_refresh_exactly_at_the_bound(
        self, bound_us: int, nudge_us: int, fraction: float | None
    ) -> None:
        """Fresh up to and at the bound, denied a microsecond later, until a refresh."""
        bound = timedelta(microseconds=bound_us)
        clock = FrozenClock(START)
        store = _UnreachableStore()
        _writer(clock, store)
        reader = RBAC.from_store(store, clock=clock, max_staleness=bound)
        assert reader.check(*REQUEST)  # memoised from here on
        base = bound_us if fraction is None else int(bound_us * fraction)
        elapsed = timedelta(microseconds=max(base + nudge_us, 0))
        clock.advance(elapsed)
        fresh = elapsed <= bound
        assert reader.check(*REQUEST) is fresh
        decision = reader.decide(*REQUEST)
        assert decision.allowed is fresh
        assert fresh or "fail closed" in decision.reason
        assert bool(reader.resources_for("alice", "read").allow) is fresh
        # An unreachable store changes nothing: still fresh or still denied.
        store.down = True
        with pytest.raises(ConnectionError):
            reader.refresh()
        assert reader.check(*REQUEST) is fresh
        # A refresh restarts the bound from the instant it began.
        store.down = False
        assert reader.refresh() == 0
        assert reader.check(*REQUEST)
        clock.advance(bound)
        assert reader.check(*REQUEST)
        clock.advance(timedelta(microseconds=1))
        assert not reader.check(*REQUEST)


def _instant_ns(at: datetime) -> int:
    delta = at - EPOCH
    return ((delta.days * 86_400 + delta.seconds) * 10**6 + delta.microseconds) * 1000


def _reading(ns: int) -> float:
    """What CPython's time.time() reports at the wall-clock nanosecond *ns*."""
    if ns % 10**9 == 0:
        return float(ns // 10**9)
    return float(ns) / 1e9


def _lowest_reading(ns: int) -> float:
    """The lowest double a reading at *ns* can be: above ns / 1e9 * (1 - 2**-52)."""
    floor = Fraction(ns, 10**9) * (1 - Fraction(1, 2**52))
    low = float(floor)
    while Fraction(low) <= floor:
        low = math.nextafter(low, math.inf)
    while Fraction(math.nextafter(low, -math.inf)) > floor:
        low = math.nextafter(low, -math.inf)
    return low


def _highest_reading(ns: int) -> float:
    """The highest double a reading at *ns* can be: below ns / 1e9 * (1 + 2**-52)."""
    ceiling = Fraction(ns, 10**9) * (1 + Fraction(1, 2**52))
    high = float(ceiling)
    while Fraction(high) >= ceiling:
        high = math.nextafter(high, -math.inf)
    while Fraction(math.nextafter(high, math.inf)) < ceiling:
        high = math.nextafter(high, math.inf)
    return high


# From 1970 to 2200, microseconds (a datetime's resolution).
_UNTIL = st.integers(0, _instant_ns(datetime(2200, 1, 1, tzinfo=UTC)) // 1000).map(
    lambda us: EPOCH + timedelta(microseconds=us)
)
_SLACK_NS = 3_000  # how much stricter than the bound the float test may be, before 2200


class TestTheSystemClockDeadline:
    """The float deadline of the system clock against the exact nanosecond bound (its twin)."""

    @settings(max_examples=2000, deadline=None)
    @given(until=_UNTIL, offset_ns=st.integers(-2 * _SLACK_NS, 2 * _SLACK_NS))
    def test_exact_or_stricter(self, until: datetime, offset_ns: int) -> None:
        """No reading past the bound passes; every reading well within it does."""
        deadline = _wall_deadline(until)
        ns = _instant_ns(until) + offset_ns
        for reading in (_reading(ns), _lowest_reading(ns)):
            if reading <= deadline:
                assert offset_ns <= 0
        if offset_ns <= -_SLACK_NS:
            assert _reading(ns) <= deadline

    @settings(max_examples=2000, deadline=None)
    @given(since=_UNTIL, offset_ns=st.integers(-2 * _SLACK_NS, 2 * _SLACK_NS))
    def test_the_start_exact_or_stricter(self, since: datetime, offset_ns: int) -> None:
        """No reading before the synchronisation passes; every reading well after it does."""
        floor = _wall_since(since)
        ns = _instant_ns(since) + offset_ns
        for reading in (_reading(ns), _highest_reading(ns)):
            if reading >= floor:
                assert offset_ns >= 0
        if offset_ns >= _SLACK_NS:
            assert _reading(ns) >= floor

    @settings(max_examples=150, deadline=None)
    @given(
        until=_UNTIL,
        bound_us=st.integers(1, 10 * 86_400 * 10**6),
        offset_ns=st.integers(-2 * _SLACK_NS, 2 * _SLACK_NS),
        end=st.sampled_from(("since", "until")),
    )
    def test_the_memo_only_within_the_bound(
        self, until: datetime, bound_us: int, offset_ns: int, end: str
    ) -> None:
        """An engine on the system clock answers from its memo only while the reading is in.

        The reading is taken around one end of the window: the last
        synchronisation (a clock set back to before it) or the bound.
        """
        engine = RBAC()
        engine.add_role("teller")
        engine.grant("teller", "accounts/**", "read")
        engine.add_user("alice")
        engine.assign("alice", "teller")
        engine.attach(MemoryPolicyStore(), max_staleness=timedelta(days=1))
        assert engine.check(*REQUEST)  # fresh on the real clock: decided and memoised
        bound = timedelta(microseconds=bound_us)
        engine._max_staleness = bound
        since = until - bound
        engine._synced(since)  # as if the last refresh began then
        full: list[object] = []
        enforce = engine._enforce

        def spy(*args: Any) -> Any:
            full.append(args)
            return enforce(*args)

        engine._enforce = spy  # type: ignore[method-assign,assignment]  # counts the full decisions
        at = _instant_ns(since if end == "since" else until)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(engine_module, "_wall_time", lambda: _reading(at + offset_ns))
            # The full path decides on the real clock, so only the memo's answer is known.
            served = engine.check(*REQUEST) and not full
        inside = bound_us * 1000 - abs(offset_ns) >= _SLACK_NS  # well away from the other end
        if end == "until":
            assert not served or offset_ns <= 0
            assert served or offset_ns > -_SLACK_NS or not inside
        else:
            assert not served or offset_ns >= 0
            assert served or offset_ns < _SLACK_NS or not inside


_USERS = ("alice", "bob")
_ROLES = ("teller", "auditor")
_RESOURCES = ("accounts/1", "ledger/2")
_REQUESTS = [(u, r, a) for u in _USERS for r in _RESOURCES for a in ("read", "write")]
_CHANGE = st.tuples(
    st.sampled_from(("grant", "revoke", "deny", "assign", "deassign")),
    st.sampled_from(_ROLES),
    st.sampled_from(_USERS),
    st.sampled_from(_RESOURCES),
    st.sampled_from(("read", "write")),
)
_STEP = st.one_of(
    st.tuples(st.just("change"), _CHANGE),
    st.tuples(st.just("refresh"), st.booleans()),  # whether the store is reachable
    st.tuples(st.just("advance"), st.sampled_from((0, 1, 29_999_999, 30_000_000, 30_000_001))),
    st.tuples(st.just("advance"), st.integers(0, 90_000_000)),
    # The clock set back (an NTP step): to just before the last refresh, or further.
    st.tuples(st.just("back"), st.sampled_from((1, 30_000_000)) | st.integers(1, 90_000_000)),
)


def _change(writer: RBAC, change: tuple[str, str, str, str, str]) -> None:
    """Make *change* through *writer*; one that does not apply (revoking nothing) is skipped."""
    op, role, user, resource, action = change
    with contextlib.suppress(PolicyConfigError):
        if op in ("grant", "revoke", "deny"):
            getattr(writer, op)(role, resource, action)
        elif op == "assign":
            writer.assign(user, role)
        else:
            writer.deassign(user, role)


class TestAttachedCheckAgainstItsTwin:
    """check() of an attached engine (memo and float test) against a plain model of the bound."""

    @settings(max_examples=60, deadline=None)
    @given(steps=st.lists(_STEP, max_size=25))
    def test_every_answer(self, steps: list[tuple[str, Any]]) -> None:
        """Each check is the in-memory answer of the reader's policy while fresh, else deny.

        The model keeps its own record of when the last successful refresh
        began; the answer comes from a new in-memory engine loaded from the
        reader's policy (no memo, no store).
        """
        clock = FrozenClock(START)
        store = _UnreachableStore()
        writer = RBAC(clock=clock)
        for role in _ROLES:
            writer.add_role(role)
        for user in _USERS:
            writer.add_user(user)
        writer.attach(store)
        reader = RBAC.from_store(store, clock=clock, max_staleness=BOUND)
        synced = latest = clock.now()
        for kind, arg in steps:
            if kind == "change":
                _change(writer, arg)
            elif kind == "advance":
                clock.advance(timedelta(microseconds=arg))
            elif kind == "back":
                clock.set(clock.now() - timedelta(microseconds=arg))
            else:
                store.down = not arg
                began = clock.now()
                try:
                    reader.refresh()
                except ConnectionError:
                    assert store.down
                else:
                    synced = began
                    assert reader.to_dict() == writer.to_dict()
                finally:
                    store.down = False
            # Fresh from the last refresh's start up to the bound past it;
            # a clock before that start was set back, and is stale too.
            fresh = timedelta(0) <= clock.now() - synced <= BOUND
            latest = max(latest, clock.now())
            # The twin reads the policy as of the latest time yet (a clock set
            # back would date the writer's assignments in its future).
            twin = RBAC.from_dict(reader.to_dict(), clock=FrozenClock(latest))
            for request in _REQUESTS:
                expected = fresh and twin.check(*request)
                assert reader.check(*request) is expected
                assert reader.check(*request) is expected  # the memo's answer, if any


class TestAClockSetBack:
    """A clock that reads before the last synchronisation cannot vouch for the policy's age."""

    def _reader(self, clock: FrozenClock, store: MemoryPolicyStore) -> tuple[RBAC, RBAC]:
        writer = _writer(clock, store)
        reader = RBAC.from_store(store, clock=clock, max_staleness=BOUND)
        assert reader.check(*REQUEST)  # memoised
        writer.remove_user("alice")  # the revocation the reader has not applied
        return writer, reader

    @pytest.mark.parametrize("back", [timedelta(microseconds=1), timedelta(hours=1)])
    def test_every_decision_denies(
        self, clock: FrozenClock, store: MemoryPolicyStore, back: timedelta
    ) -> None:
        """Set back, then run on for less than the bound: still denied, with a reason."""
        _, reader = self._reader(clock, store)
        session = reader.create_session("alice", ["teller"])
        clock.set(START - back)
        clock.advance(min(back, BOUND) / 2)  # still before the last synchronisation
        assert not reader.check(*REQUEST)
        decision = reader.decide(*REQUEST)
        assert not decision.allowed
        assert "set back" in decision.reason
        assert "fail closed" in decision.reason
        with pytest.raises(PermissionError):
            reader.require(*REQUEST)
        assert reader.resources_for("alice", "read").allow == ()
        assert reader.who_can("accounts/1", "read") == frozenset()
        assert not session.check("accounts/1", "read")
        assert not session.decide("accounts/1", "read").allowed

    def test_a_refresh_restarts_from_the_clock_as_it_reads(
        self, clock: FrozenClock, store: MemoryPolicyStore
    ) -> None:
        """After a refresh at the earlier time the engine answers again, from the fresh state."""
        writer, reader = self._reader(clock, store)
        writer.add_user("bob")
        writer.assign("bob", "teller")
        clock.set(START - timedelta(hours=1))
        assert not reader.check("bob", "accounts/1", "read")
        assert reader.refresh() == 3
        assert not reader.check(*REQUEST)  # the revocation, applied
        assert reader.check("bob", "accounts/1", "read")
        clock.advance(BOUND)
        assert reader.check("bob", "accounts/1", "read")
        clock.advance(timedelta(microseconds=1))
        assert not reader.check("bob", "accounts/1", "read")

    def test_the_system_clock_set_back(self) -> None:
        """On the system clock the memo is not served to a reading before the synchronisation."""
        engine = RBAC()
        engine.add_role("teller")
        engine.grant("teller", "accounts/**", "read")
        engine.add_user("alice")
        engine.assign("alice", "teller")
        engine.attach(MemoryPolicyStore(), max_staleness=BOUND)
        assert engine.check(*REQUEST)  # memoised at the real time
        # The wall clock stepped back an hour since the attach (both clocks read it).
        earlier = datetime.now(UTC) - timedelta(hours=1)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(engine_module, "_wall_time", earlier.timestamp)
            patch.setattr(engine, "_instant", lambda: earlier)
            assert not engine.check(*REQUEST)
            assert not engine.decide(*REQUEST).allowed


class _NoOffset(tzinfo):
    """A time zone that knows no offset: a datetime with it is naive in effect."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None


class _OddClock:
    """A clock that reads whatever it is set to."""

    def __init__(self, value: datetime) -> None:
        self.value = value

    def now(self) -> datetime:
        return self.value


class TestOddDatetimesFromTheClock:
    """A clock's naive reading is the same typed error on every path, never an answer."""

    @pytest.mark.parametrize("tz", [None, _NoOffset()])
    def test_naive_in_effect(self, store: MemoryPolicyStore, tz: tzinfo | None) -> None:
        """A naive reading, or one whose zone has no offset, raises NaiveDatetimeError."""
        clock = _OddClock(START)
        _writer(FrozenClock(START), store)
        reader = RBAC.from_store(store, clock=clock, max_staleness=BOUND)
        assert reader.check(*REQUEST)  # memoised
        clock.value = datetime(2026, 1, 1, 0, 0, 1, tzinfo=tz)
        for call in (reader.check, reader.decide, reader.require):
            with pytest.raises(NaiveDatetimeError):
                call(*REQUEST)

    def test_another_zone_is_the_same_instant(self, store: MemoryPolicyStore) -> None:
        """An aware reading in another zone is compared as the instant it names."""
        clock = _OddClock(START)
        _writer(FrozenClock(START), store)
        reader = RBAC.from_store(store, clock=clock, max_staleness=BOUND)
        assert reader.check(*REQUEST)
        east = timezone(timedelta(hours=8))
        clock.value = (START + BOUND).astimezone(east)
        assert reader.check(*REQUEST)
        clock.value = (START + BOUND + timedelta(microseconds=1)).astimezone(east)
        assert not reader.check(*REQUEST)
        clock.value = (START - timedelta(microseconds=1)).astimezone(east)
        assert not reader.check(*REQUEST)


class TestACompactionSnapshot:
    """A snapshot for compaction is one state: its version and its document agree."""

    def test_a_refresh_between_the_two_reads(
        self, clock: FrozenClock, store: MemoryPolicyStore
    ) -> None:
        """Read apart, a follower's refresh paired an older document with a newer version.

        Compacting with that pair dropped the revocation in between from the
        store's history for every engine that starts from the snapshot.
        """
        writer = _writer(clock, store)
        reader = _RefreshOnRead(clock=clock)
        reader.attach(store, max_staleness=BOUND)
        writer.remove_user("alice")  # the revocation the reader has not applied yet
        reader.armed = True  # a follower refreshes while the snapshot is read
        version, document = reader.snapshot()
        assert not reader.armed
        store.compact(version, document)
        fresh = RBAC.from_store(store, clock=clock, max_staleness=BOUND)
        assert not fresh.check(*REQUEST)
        assert fresh.to_dict() == writer.to_dict()

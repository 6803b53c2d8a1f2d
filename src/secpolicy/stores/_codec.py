"""Throttle state as compact text, the same in every store.

A state is written as JSON with times in integer microseconds since the Unix
epoch (UTC): ``{"f": [...failures], "l": locked_until or null}``, plus
``"x": forget_after`` when the state has one. The text is
also the compare-and-set token: a write succeeds only if the stored text is
still the text the change was computed from, so equal text means equal state
and no update is lost.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from datetime import UTC, datetime, timedelta

from secpolicy.exceptions import PolicyConfigError
from secpolicy.password import ThrottleState
from secpolicy.stores._errors import StoreError

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


def _micros(value: datetime) -> int:
    return (value - _EPOCH) // _US


def _time(value: object) -> datetime:
    if type(value) is not int:
        raise StoreError("malformed throttle state in the store: a time is not an integer")
    return _EPOCH + value * _US


def encode(state: ThrottleState) -> str:
    """The stored text of *state*."""
    locked = None if state.locked_until is None else _micros(state.locked_until)
    value: dict[str, object] = {"f": [_micros(t) for t in state.failures], "l": locked}
    if state.forget_after is not None:
        value["x"] = _micros(state.forget_after)
    return json.dumps(value, separators=(",", ":"))


def decode(text: str | bytes) -> ThrottleState:
    """The state stored as *text*.

    Raises:
        StoreError: The text is not a throttle state (a corrupted or foreign key).
    """
    try:
        value = json.loads(text)
    except ValueError:
        raise StoreError("malformed throttle state in the store") from None
    if not isinstance(value, dict) or not isinstance(value.get("f"), list):
        raise StoreError("malformed throttle state in the store")
    locked, forget = value.get("l"), value.get("x")
    return ThrottleState(
        tuple(_time(t) for t in value["f"]),
        None if locked is None else _time(locked),
        None if forget is None else _time(forget),
    )


def expiry(state: ThrottleState, ttl: timedelta) -> timedelta:
    """How long after this write the key may be forgotten.

    The state's own ``forget_after`` when it has one and failures to measure
    it from (the newest failure is the moment the state was written), else
    *ttl*; and never before a lock it holds lifts.
    """
    newest = max(state.failures) if state.failures else None
    keep = ttl
    if state.forget_after is not None and newest is not None:
        keep = state.forget_after - newest
    if state.locked_until is not None and newest is not None:
        keep = max(keep, state.locked_until - newest)
    return keep


class Horizon:
    """The newest failure a store has written: its notion of "now" for expiry, thread-safe.

    The in-memory store forgets a state once a failure at or after its
    ``forget_after`` has been recorded; the shared stores read such a state
    as absent by the same rule, so every store honours one contract.
    """

    __slots__ = ("_latest", "_lock")

    def __init__(self) -> None:
        self._latest: datetime | None = None
        self._lock = threading.Lock()

    def advance(self, state: ThrottleState | None) -> None:
        """Move the horizon to the newest failure of *state*, if later."""
        if state is None or not state.failures:
            return
        newest = max(state.failures)
        with self._lock:
            if self._latest is None or newest > self._latest:
                self._latest = newest

    def live(self, state: ThrottleState | None) -> ThrottleState | None:
        """*state*, or None once its ``forget_after`` is at or before the horizon."""
        if state is None or state.forget_after is None:
            return state
        latest = self._latest
        if latest is not None and state.forget_after <= latest:
            return None
        return state


def check_ttl(owner: str, ttl: object) -> timedelta:
    """*ttl* if it is a positive timedelta.

    Raises:
        PolicyConfigError: It is not.
    """
    if not isinstance(ttl, timedelta) or ttl <= timedelta(0):
        raise PolicyConfigError(f"{owner}.ttl: must be a positive timedelta")
    return ttl


class SeenStates:
    """The last stored text a throttle store saw of each key, bounded, thread-safe.

    A store proposes each change against what it saw last, so the common
    case is one round trip; a key not seen reads as ``""`` (assumed absent,
    corrected by the compare-and-set).
    """

    __slots__ = ("_lock", "_size", "_texts")

    def __init__(self, size: int) -> None:
        self._texts: OrderedDict[str, str] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: str) -> str:
        """The text last seen of *key*, or ``""``."""
        with self._lock:
            return self._texts.get(key, "")

    def remember(self, key: str, text: str) -> None:
        """Record *text* as what *key* holds now, forgetting the oldest key beyond the bound."""
        with self._lock:
            self._texts[key] = text
            self._texts.move_to_end(key)
            while len(self._texts) > self._size:
                self._texts.popitem(last=False)

    def clear(self) -> None:
        """Forget every key."""
        with self._lock:
            self._texts.clear()

    def __len__(self) -> int:
        return len(self._texts)

"""Throttle state as compact text, the same in every store.

A state is written as JSON with times in integer microseconds since the Unix
epoch (UTC): ``{"f": [...failures], "l": locked_until or null}``. The text is
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
    return json.dumps(
        {"f": [_micros(t) for t in state.failures], "l": locked}, separators=(",", ":")
    )


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
    locked = value.get("l")
    return ThrottleState(
        tuple(_time(t) for t in value["f"]), None if locked is None else _time(locked)
    )


def expiry(state: ThrottleState, ttl: timedelta) -> timedelta:
    """How long after this write the key may be forgotten.

    At least *ttl* (the failure window), and never before a lock it holds
    lifts: the lock's end is measured from the newest failure, the moment
    the state was written.
    """
    keep = ttl
    if state.locked_until is not None and state.failures:
        keep = max(keep, state.locked_until - max(state.failures))
    return keep


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

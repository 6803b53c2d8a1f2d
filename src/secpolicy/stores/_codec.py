"""Throttle state as compact text, the same in every store.

A state is written as JSON with times in integer microseconds since the Unix
epoch (UTC): ``{"f": [...failures], "l": locked_until or null}``. The text is
also the compare-and-set token: a write succeeds only if the stored text is
still the text the change was computed from, so equal text means equal state
and no update is lost.
"""

from __future__ import annotations

import json
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

"""Failed-login throttling: lock after N failures, unlock by itself, notify."""

from __future__ import annotations

import heapq
import itertools
import threading
import unicodedata
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import attrs

from secpolicy._clock import to_utc
from secpolicy.exceptions import ArgumentTypeError, PolicyConfigError
from secpolicy.password._policy import LockoutPolicy

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime, timedelta


@attrs.frozen
class ThrottleState:
    """What a store keeps per key: recent failure times and any lock.

    Attributes:
        failures: The failures still inside the policy's window.
        locked_until: When a lock lifts, if one was set.
        forget_after: From this instant the state has no effect (its last
            failure has left the window and any lock has lifted): a store may
            delete it then, and every store does. The in-memory store drops
            it once a failure at or after it is recorded (or at
            :meth:`MemoryThrottleStore.purge`); the shared stores keep it with
            the state, read the state as absent by the same rule, and expire
            it themselves (Redis through the key's time-to-live, measured from
            the state's newest failure; SQL through an expiry column that
            ``SQLThrottleStore.purge`` clears).

    .. versionchanged:: 0.2
       ``forget_after``.
    """

    failures: tuple[datetime, ...] = ()
    locked_until: datetime | None = None
    forget_after: datetime | None = None


@attrs.frozen
class LockStatus:
    """Whether a key may try to log in now.

    Attributes:
        locked: True while a lock is in force.
        locked_until: When the lock lifts, if locked.
        failures: Failures counted in the current window.
        retry_after: With a backoff, the earliest next attempt; else None.
    """

    locked: bool
    locked_until: datetime | None
    failures: int
    retry_after: datetime | None = None

    @property
    def allowed(self) -> bool:
        """True if an attempt may be made now (not locked, no backoff pending)."""
        return not self.locked and self.retry_after is None


@runtime_checkable
class ThrottleStore(Protocol):
    """Where throttle state lives; share one (Redis, a database) across processes.

    ``update`` must apply *change* atomically per key: read the state, call
    *change*, store its result (``None`` deletes), return it.
    """

    def update(
        self, key: str, change: Callable[[ThrottleState | None], ThrottleState | None]
    ) -> ThrottleState | None:
        """Atomically replace the state of *key* with ``change(old)``."""
        ...

    def get(self, key: str) -> ThrottleState | None:
        """The state of *key*, if any."""
        ...


class MemoryThrottleStore:
    """A thread-safe in-memory :class:`ThrottleStore` for one process.

    State is forgotten once it has no effect (``ThrottleState.forget_after``):
    each update drops the entries that expired before the newest failure it
    has seen, so keys tried once (a password spray over many user names) do
    not accumulate. A key keeps one expiry entry per instant it will be
    forgotten at, so attempts on a locked key add nothing. :meth:`purge`
    does the same for a given instant.

    .. versionchanged:: 0.2
       Expired state is dropped.
    """

    __slots__ = ("_expiry", "_latest", "_lock", "_order", "_states")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states: dict[str, ThrottleState] = {}
        self._expiry: list[tuple[datetime, int, str]] = []
        self._order = itertools.count()
        self._latest: datetime | None = None

    def update(
        self, key: str, change: Callable[[ThrottleState | None], ThrottleState | None]
    ) -> ThrottleState | None:
        """Apply *change* to *key* under the store's lock."""
        with self._lock:
            old = self._states.get(key)
            new = change(old)
            if new is None:
                self._states.pop(key, None)
            else:
                self._states[key] = new
                # A state keeps one expiry row: a change that leaves the instant as it
                # was (every attempt on a locked key) adds none, so hammering a locked
                # account cannot grow the store.
                forget_at = new.forget_after
                if forget_at is not None and (old is None or old.forget_after != forget_at):
                    heapq.heappush(self._expiry, (forget_at, next(self._order), key))
                newest = max(new.failures) if new.failures else None
                if newest is not None and (self._latest is None or newest > self._latest):
                    self._latest = newest
            if self._latest is not None:
                self._drop_until(self._latest)
            return new

    def _drop_until(self, now: datetime) -> None:
        expiry, states = self._expiry, self._states
        while expiry and expiry[0][0] <= now:
            when, _, key = heapq.heappop(expiry)
            state = states.get(key)
            # Only the entry's latest expiry counts; older heap rows are stale.
            if state is not None and state.forget_after == when:
                del states[key]

    def purge(self, *, now: datetime) -> None:
        """Drop every state that has no effect at *now*."""
        with self._lock:
            self._drop_until(to_utc(now, name="now"))

    def get(self, key: str) -> ThrottleState | None:
        """The state of *key*, if any."""
        return self._states.get(key)

    def __len__(self) -> int:
        return len(self._states)


#: Keys longer than this are only case-folded: NFKC on megabytes takes seconds,
#: and no account or address is that long.
_CANONICAL_KEY_LIMIT = 1024


def _canonical_key(key: str) -> str:
    """*key* as the throttle counts it: NFKC, invisible characters removed, trimmed, case-folded.

    ``user:Alice``, ``user:ALICE ``, full-width ``user:alice`` and ``user:alice`` with a
    zero-width space are one key, so varying how a user name is written does
    not buy an attacker a fresh count of failures.

    Raises:
        ArgumentTypeError: If *key* is not text (a login without a user
            name passes ``None``); the message never holds the key.
    """
    given: object = key  # checked at run time for untyped callers
    if not isinstance(given, str):
        raise ArgumentTypeError(f"key must be str, not {type(given).__name__}", argument="key")
    if len(key) <= _CANONICAL_KEY_LIMIT and not key.isascii():
        key = unicodedata.normalize("NFKC", key)
        key = "".join(ch for ch in key if unicodedata.category(ch) != "Cf")
    return key.strip().casefold()


# -- the decisions, as pure functions of (policy, stored state, now) -----------------
# LoginThrottle and AsyncLoginThrottle differ only in how they reach the store.


def _recent(
    policy: LockoutPolicy, state: ThrottleState | None, now: datetime
) -> tuple[datetime, ...]:
    """The failures of *state* still inside the policy's window at *now*."""
    if state is None:
        return ()
    start = now - policy.window
    return tuple(t for t in state.failures if t > start)


def _backoff(first: timedelta, longest: timedelta, failures: int) -> timedelta:
    """*first* doubled for each failure after the first, at most *longest*.

    Doubles step by step and stops at *longest*, so that a hundred failures
    do not compute ``first * 2**99`` (beyond what ``timedelta`` holds).
    """
    delay = first
    for _ in range(failures - 1):
        if delay >= longest:
            break
        delay *= 2
    return min(delay, longest)


def lock_status(policy: LockoutPolicy, state: ThrottleState | None, now: datetime) -> LockStatus:
    """Whether a key with *state* may try at *now*."""
    recent = _recent(policy, state, now)
    locked_until = state.locked_until if state is not None else None
    if locked_until is not None and now < locked_until:
        return LockStatus(locked=True, locked_until=locked_until, failures=len(recent))
    retry = None
    if policy.backoff is not None and recent:
        delay = _backoff(policy.backoff, policy.max_backoff, len(recent))
        newest = max(recent)
        if now < newest + delay:
            retry = newest + delay
    return LockStatus(locked=False, locked_until=None, failures=len(recent), retry_after=retry)


def after_failure(
    policy: LockoutPolicy, old: ThrottleState | None, now: datetime
) -> tuple[ThrottleState, bool]:
    """The state after a failure at *now*, and whether that failure set a new lock."""
    if old is not None and old.locked_until is not None and now < old.locked_until:
        return old, False  # already locked: the lock's end does not move
    failures = (*_recent(policy, old, now), now)
    # From the newest failure, which need not be this one: instances whose
    # clocks differ a little share a store, and an earlier stamp must not
    # make a later failure be forgotten before its window ends.
    forget = max(failures) + policy.window
    if len(failures) >= policy.max_failures:
        until = now + policy.duration
        return ThrottleState(failures, until, max(forget, until)), True
    return ThrottleState(failures, None, forget), False


def after_success(old: ThrottleState | None, now: datetime) -> ThrottleState | None:
    """The state after a success at *now*: cleared, unless a lock is in force."""
    if old is not None and old.locked_until is not None and now < old.locked_until:
        return old
    return None


class FailureChange:
    """The change a failure makes, for a store's ``update``; remembers if it set a lock.

    A store may call it more than once (a writer that lost a race
    recomputes from the current state); only the last call's result is
    stored, so only the last call says whether this failure set the lock,
    and the lock is reported once across all instances.
    """

    __slots__ = ("newly_locked", "now", "policy")

    def __init__(self, policy: LockoutPolicy, now: datetime) -> None:
        self.policy = policy
        self.now = now
        self.newly_locked = False

    def __call__(self, old: ThrottleState | None) -> ThrottleState:
        new, self.newly_locked = after_failure(self.policy, old, self.now)
        return new


def check_policy(policy: object) -> LockoutPolicy:
    """*policy* if it is a ``LockoutPolicy``; otherwise ``PolicyConfigError`` at construction."""
    if not isinstance(policy, LockoutPolicy):
        raise PolicyConfigError(
            f"must be a LockoutPolicy, not {type(policy).__name__}", field="policy"
        )
    return policy


def forget(_old: ThrottleState | None) -> None:
    """The change of an administrator's unlock: forget everything."""


class LoginThrottle:
    """Counts consecutive failed logins per key and locks after the policy's limit.

    Use one key per account (``"user:alice"``) and one per source
    (``"ip:203.0.113.7"``) to stop both guessing one account and spraying
    many. A success clears the key. Locks lift by themselves after the
    policy's duration. Keys are compared after NFKC normalisation, removal
    of invisible characters, trimming and case folding, so ``user:Alice``
    and ``user:alice`` share one count; ``on_lock`` receives that form.

    A store that cannot be reached raises (for the shared stores,
    ``secpolicy.stores.StoreError``): the throttle never answers "not
    locked" for state it could not read. :class:`AsyncLoginThrottle` is the
    same throttle for asyncio services.

    Args:
        policy: The lockout rules.
        store: Where state lives (default: in memory, this process only).
        on_lock: Called with ``(key, status)`` when a key becomes locked, to
            notify the user (the rulebooks require it) and alert security.
            Called once per lock, by the instance whose failure set it.
    """

    __slots__ = ("_on_lock", "policy", "store")

    def __init__(
        self,
        policy: LockoutPolicy,
        *,
        store: ThrottleStore | None = None,
        on_lock: Callable[[str, LockStatus], object] | None = None,
    ) -> None:
        self.policy = check_policy(policy)
        self.store: ThrottleStore = store if store is not None else MemoryThrottleStore()
        self._on_lock = on_lock

    def status(self, key: str, *, now: datetime) -> LockStatus:
        """Whether *key* may try now; reading changes nothing."""
        return lock_status(
            self.policy, self.store.get(_canonical_key(key)), to_utc(now, name="now")
        )

    def record_failure(self, key: str, *, now: datetime) -> LockStatus:
        """Count a failed login for *key*; lock it when the limit is reached."""
        now = to_utc(now, name="now")
        key = _canonical_key(key)
        change = FailureChange(self.policy, now)
        status = lock_status(self.policy, self.store.update(key, change), now)
        if change.newly_locked and self._on_lock is not None:
            self._on_lock(key, status)
        return status

    def record_success(self, key: str, *, now: datetime) -> LockStatus:
        """Clear *key*'s failures after a successful login (a lock stays in force)."""
        now = to_utc(now, name="now")
        state = self.store.update(_canonical_key(key), lambda old: after_success(old, now))
        return lock_status(self.policy, state, now)

    def unlock(self, key: str) -> None:
        """Lift a lock and forget the failures (an administrator's action)."""
        self.store.update(_canonical_key(key), forget)

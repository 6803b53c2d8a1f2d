"""Failed-login throttling for asyncio services: the same rules, awaited.

:class:`AsyncLoginThrottle` makes the decisions :class:`LoginThrottle` makes
(the pure functions of :mod:`secpolicy.password._throttle`), through a store
whose ``update`` and ``get`` are coroutines, such as
``secpolicy.stores.redis.AsyncRedisThrottleStore``.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from secpolicy._clock import to_utc
from secpolicy.exceptions import PolicyConfigError
from secpolicy.password._throttle import (
    FailureChange,
    MemoryThrottleStore,
    _canonical_key,
    after_success,
    check_policy,
    forget,
    lock_status,
)

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from secpolicy.password._policy import LockoutPolicy
    from secpolicy.password._throttle import LockStatus, ThrottleState

__all__ = ["AsyncLoginThrottle", "AsyncMemoryThrottleStore", "AsyncThrottleStore"]


@runtime_checkable
class AsyncThrottleStore(Protocol):
    """A :class:`ThrottleStore` whose operations are coroutines.

    ``update`` must apply *change* atomically per key, as the synchronous
    protocol says; *change* itself is a plain function.

    .. versionadded:: 0.2
    """

    async def update(
        self, key: str, change: Callable[[ThrottleState | None], ThrottleState | None]
    ) -> ThrottleState | None:
        """Atomically replace the state of *key* with ``change(old)``."""
        ...

    async def get(self, key: str) -> ThrottleState | None:
        """The state of *key*, if any."""
        ...


class AsyncMemoryThrottleStore:
    """An in-memory :class:`AsyncThrottleStore` for one process.

    The state lives in a :class:`MemoryThrottleStore` (thread-safe, expired
    state dropped); each operation completes without yielding to the event
    loop, so it is atomic for the tasks of the loop as well.

    .. versionadded:: 0.2
    """

    __slots__ = ("_store",)

    def __init__(self) -> None:
        self._store = MemoryThrottleStore()

    async def update(
        self, key: str, change: Callable[[ThrottleState | None], ThrottleState | None]
    ) -> ThrottleState | None:
        """Apply *change* to *key* under the store's lock."""
        return self._store.update(key, change)

    async def get(self, key: str) -> ThrottleState | None:
        """The state of *key*, if any."""
        return self._store.get(key)

    def purge(self, *, now: datetime) -> None:
        """Drop every state that has no effect at *now*."""
        self._store.purge(now=now)

    def __len__(self) -> int:
        return len(self._store)


def _check_store(store: object) -> AsyncThrottleStore:
    for name in ("update", "get"):
        if not inspect.iscoroutinefunction(getattr(store, name, None)):
            raise PolicyConfigError(
                f"AsyncLoginThrottle.store: {name} must be a coroutine function "
                "(an AsyncThrottleStore); use LoginThrottle with a synchronous store"
            )
    return store  # type: ignore[return-value]  # checked above, method by method


class AsyncLoginThrottle:
    """:class:`LoginThrottle` for asyncio services: every method is a coroutine.

    The rules are the synchronous throttle's, computed by the same
    functions: the same key canonicalisation (``user:Alice`` and
    ``user:alice`` share one count), the same lock and backoff, a lock
    reported once through *on_lock*. A store that cannot be reached raises
    (``secpolicy.stores.StoreError`` for the shared stores): the throttle
    never answers "not locked" for state it could not read.

    Args:
        policy: The lockout rules.
        store: An :class:`AsyncThrottleStore` (default: in memory, this
            process only), e.g.
            ``secpolicy.stores.redis.AsyncRedisThrottleStore``.
        on_lock: Called with ``(key, status)`` when a key becomes locked; a
            coroutine function is awaited.

    Raises:
        PolicyConfigError: *store* is not an asynchronous store.

    Example:
        >>> import asyncio
        >>> from datetime import UTC, datetime, timedelta
        >>> from secpolicy.password import LockoutPolicy
        >>> policy = LockoutPolicy(
        ...     max_failures=3, window=timedelta(minutes=15), duration=timedelta(minutes=30)
        ... )
        >>> throttle = AsyncLoginThrottle(policy)
        >>> now = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
        >>> async def three_failures():
        ...     for _ in range(3):
        ...         status = await throttle.record_failure("user:Alice", now=now)
        ...     return status.locked
        >>> asyncio.run(three_failures())
        True

    .. versionadded:: 0.2
    """

    __slots__ = ("_on_lock", "policy", "store")

    def __init__(
        self,
        policy: LockoutPolicy,
        *,
        store: AsyncThrottleStore | None = None,
        on_lock: Callable[[str, LockStatus], object] | None = None,
    ) -> None:
        self.policy = check_policy(policy)
        self.store: AsyncThrottleStore = (
            _check_store(store) if store is not None else AsyncMemoryThrottleStore()
        )
        self._on_lock = on_lock

    async def status(self, key: str, *, now: datetime) -> LockStatus:
        """Whether *key* may try now; reading changes nothing."""
        now = to_utc(now, name="now")
        return lock_status(self.policy, await self.store.get(_canonical_key(key)), now)

    async def record_failure(self, key: str, *, now: datetime) -> LockStatus:
        """Count a failed login for *key*; lock it when the limit is reached."""
        now = to_utc(now, name="now")
        key = _canonical_key(key)
        change = FailureChange(self.policy, now)
        status = lock_status(self.policy, await self.store.update(key, change), now)
        if change.newly_locked and self._on_lock is not None:
            result = self._on_lock(key, status)
            if inspect.isawaitable(result):
                await result
        return status

    async def record_success(self, key: str, *, now: datetime) -> LockStatus:
        """Clear *key*'s failures after a successful login (a lock stays in force)."""
        now = to_utc(now, name="now")
        state = await self.store.update(_canonical_key(key), lambda old: after_success(old, now))
        return lock_status(self.policy, state, now)

    async def unlock(self, key: str) -> None:
        """Lift a lock and forget the failures (an administrator's action)."""
        await self.store.update(_canonical_key(key), forget)

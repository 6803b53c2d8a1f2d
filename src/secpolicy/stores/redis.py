"""Failed-login throttle state in Redis, shared by every instance of a service.

:class:`RedisThrottleStore` implements :class:`secpolicy.password.ThrottleStore`
for redis-py's synchronous client; :class:`AsyncRedisThrottleStore` offers the
same operations as coroutines for ``redis.asyncio`` clients.

Each change is one Lua script run atomically by the server: it compares the
stored state with the state the change was computed from and writes the new
state only if they are equal, returning the current state otherwise (the
change is then recomputed from it). No read-modify-write race loses a
failure, and the common case is a single round trip, because each store
remembers the last state it saw of every key. Idle keys expire after the
failure window; a key never expires while its lock is in force.

Install with ``pip install 'secpolicy[redis]'``.

.. versionadded:: 0.2
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import timedelta
from typing import TYPE_CHECKING, Any

try:
    import redis as _redis
    import redis.asyncio as _redis_asyncio
except ImportError as exc:  # pragma: no cover - exercised in a subprocess without redis
    raise ImportError(
        "secpolicy.stores.redis needs the redis client: pip install 'secpolicy[redis]'"
    ) from exc

from secpolicy.exceptions import PolicyConfigError
from secpolicy.stores._codec import check_ttl, decode, encode, expiry
from secpolicy.stores._errors import StoreError

if TYPE_CHECKING:
    from collections.abc import Callable

    from secpolicy.password import LockoutPolicy, ThrottleState

__all__ = ["AsyncRedisThrottleStore", "RedisThrottleStore"]

#: Compare-and-set: KEYS[1] the key; ARGV[1] the expected text ("" = absent),
#: ARGV[2] the new text ("" = delete), ARGV[3] the expiry in milliseconds.
#: Returns {1, new} on success, {0, current} when the expectation was stale.
_CAS = """
local cur = redis.call('GET', KEYS[1])
if not cur then cur = '' end
if cur ~= ARGV[1] then return {0, cur} end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return {1, ARGV[2]}
"""

#: A change that keeps losing the race this many times gives up with an error.
_MAX_ATTEMPTS = 1000
_CACHE_SIZE = 4096
_DEFAULT_TTL = timedelta(days=1)


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode()
    if value is None:
        return ""
    return str(value)


class _Base:
    """What the sync and async stores share: naming, expiry, the seen-state cache."""

    def __init__(self, *, prefix: object, ttl: object) -> None:
        if not isinstance(prefix, str) or not prefix:
            raise PolicyConfigError("RedisThrottleStore.prefix: must be a non-empty string")
        self.prefix = prefix
        self.ttl = check_ttl("RedisThrottleStore", ttl)
        self._seen: OrderedDict[str, str] = OrderedDict()
        self._seen_lock = threading.Lock()

    def _key(self, key: str) -> str:
        return self.prefix + key

    def _expected(self, key: str) -> str | None:
        with self._seen_lock:
            return self._seen.get(key)

    def _remember(self, key: str, text: str) -> None:
        with self._seen_lock:
            self._seen[key] = text
            self._seen.move_to_end(key)
            while len(self._seen) > _CACHE_SIZE:
                self._seen.popitem(last=False)

    def _proposal(
        self, current: str, change: Callable[[ThrottleState | None], ThrottleState | None]
    ) -> tuple[ThrottleState | None, list[str]]:
        new = change(decode(current) if current else None)
        if new is None:
            return None, [current, "", "0"]
        ms = max(1, int(expiry(new, self.ttl) / timedelta(milliseconds=1)))
        return new, [current, encode(new), str(ms)]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(prefix={self.prefix!r}, ttl={self.ttl!r})"


class RedisThrottleStore(_Base):
    """A :class:`~secpolicy.password.ThrottleStore` in Redis (redis-py, synchronous).

    Args:
        client: A ``redis.Redis`` (or cluster) client.
        prefix: Prepended to every key, to share a database with other data.
        ttl: How long an idle key is kept; set it to at least the policy's
            failure window (:meth:`for_policy` does). A key holding a lock
            is kept at least until the lock lifts.

    Raises:
        PolicyConfigError: *prefix* is empty or *ttl* is not positive.

    Example:
        >>> import redis  # doctest: +SKIP
        >>> store = RedisThrottleStore.for_policy(redis.Redis(), policy)  # doctest: +SKIP
        >>> throttle = LoginThrottle(policy, store=store)  # doctest: +SKIP

    .. versionadded:: 0.2
    """

    __module__ = "secpolicy.stores.redis"

    def __init__(
        self,
        client: _redis.Redis,
        *,
        prefix: str = "secpolicy:throttle:",
        ttl: timedelta = _DEFAULT_TTL,
    ) -> None:
        super().__init__(prefix=prefix, ttl=ttl)
        self.client = client
        self._cas = client.register_script(_CAS)

    @classmethod
    def for_policy(
        cls, client: _redis.Redis, policy: LockoutPolicy, *, prefix: str = "secpolicy:throttle:"
    ) -> RedisThrottleStore:
        """A store whose keys live as long as *policy* needs them.

        .. versionadded:: 0.2
        """
        return cls(client, prefix=prefix, ttl=max(policy.window, policy.duration))

    def _read(self, key: str) -> str:
        try:
            return _text(self.client.get(self._key(key)))
        except _redis.RedisError as exc:
            raise StoreError(f"cannot read from Redis: {type(exc).__name__}") from exc

    def update(
        self, key: str, change: Callable[[ThrottleState | None], ThrottleState | None]
    ) -> ThrottleState | None:
        """Atomically replace the state of *key* with ``change(old)``.

        *change* may run more than once when other instances write the same
        key at the same time; only the result computed from the state that
        was current is stored.

        Raises:
            StoreError: Redis could not be reached, or the key kept changing.
        """
        # A key this store has not seen is assumed absent: if it exists, the
        # script answers with its state and the change is recomputed.
        current = self._expected(key) or ""
        for _ in range(_MAX_ATTEMPTS):
            new, args = self._proposal(current, change)
            try:
                done, text = self._cas(keys=[self._key(key)], args=args)
            except _redis.RedisError as exc:
                raise StoreError(
                    f"cannot write throttle state to Redis: {type(exc).__name__}"
                ) from exc
            current = _text(text)
            self._remember(key, current)
            if done:
                return new
        raise StoreError("throttle state kept changing under concurrent writers; gave up")

    def get(self, key: str) -> ThrottleState | None:
        """The state of *key*, if any.

        Raises:
            StoreError: Redis could not be reached.
        """
        text = self._read(key)
        self._remember(key, text)
        return decode(text) if text else None


class AsyncRedisThrottleStore(_Base):
    """The throttle store for ``redis.asyncio`` clients: ``update`` and ``get`` are coroutines.

    Same keys, script and expiry as :class:`RedisThrottleStore`, so sync and
    async instances of one service share state.

    .. versionadded:: 0.2
    """

    __module__ = "secpolicy.stores.redis"

    def __init__(
        self,
        client: _redis_asyncio.Redis,
        *,
        prefix: str = "secpolicy:throttle:",
        ttl: timedelta = _DEFAULT_TTL,
    ) -> None:
        super().__init__(prefix=prefix, ttl=ttl)
        self.client = client
        self._cas = client.register_script(_CAS)

    @classmethod
    def for_policy(
        cls,
        client: _redis_asyncio.Redis,
        policy: LockoutPolicy,
        *,
        prefix: str = "secpolicy:throttle:",
    ) -> AsyncRedisThrottleStore:
        """A store whose keys live as long as *policy* needs them."""
        return cls(client, prefix=prefix, ttl=max(policy.window, policy.duration))

    async def _read(self, key: str) -> str:
        try:
            return _text(await self.client.get(self._key(key)))
        except _redis.RedisError as exc:
            raise StoreError(f"cannot read from Redis: {type(exc).__name__}") from exc

    async def update(
        self, key: str, change: Callable[[ThrottleState | None], ThrottleState | None]
    ) -> ThrottleState | None:
        """Atomically replace the state of *key* with ``change(old)``; see the sync store."""
        current = self._expected(key) or ""
        for _ in range(_MAX_ATTEMPTS):
            new, args = self._proposal(current, change)
            try:
                reply: Any = await self._cas(keys=[self._key(key)], args=args)
            except _redis.RedisError as exc:
                raise StoreError(
                    f"cannot write throttle state to Redis: {type(exc).__name__}"
                ) from exc
            done, text = reply
            current = _text(text)
            self._remember(key, current)
            if done:
                return new
        raise StoreError("throttle state kept changing under concurrent writers; gave up")

    async def get(self, key: str) -> ThrottleState | None:
        """The state of *key*, if any."""
        text = await self._read(key)
        self._remember(key, text)
        return decode(text) if text else None

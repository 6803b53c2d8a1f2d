"""Failed-login throttle state in Redis, shared by every instance of a service.

:class:`RedisThrottleStore` implements :class:`secpolicy.password.ThrottleStore`
for redis-py's synchronous client; :class:`AsyncRedisThrottleStore` offers the
same operations as coroutines for ``redis.asyncio`` clients.

Each change is one Lua script run atomically by the server: it compares the
stored state with the state the change was computed from and writes the new
state only if they are equal, returning the current state otherwise (the
change is then recomputed from it). No read-modify-write race loses a
failure, and the common case is a single round trip, because each store
remembers the last state it saw of every key.

Idle keys expire as the in-memory store forgets them: the script that
writes a state sets the key's time-to-live to the state's ``forget_after``
measured from its newest failure (the moment it was written), or to the
store's *ttl* for a state without one, and never shorter than a lock it
holds. Redis counts that time on its own clock, so the caller's ``now`` may
be any instant. Until Redis drops it, a state whose ``forget_after`` is at
or before the newest failure this store has written reads as absent, as in
the in-memory store.

Install with ``pip install 'secpolicy[redis]'``.

.. versionadded:: 0.2
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

import attrs

try:
    import redis as _redis
    import redis.asyncio as _redis_asyncio
except ImportError as exc:  # pragma: no cover - exercised in a subprocess without redis
    raise ImportError(
        "secpolicy.stores.redis needs the redis client: pip install 'secpolicy[redis]'"
    ) from exc

from secpolicy.exceptions import PolicyConfigError
from secpolicy.stores._codec import Horizon, SeenStates, check_ttl, decode, encode, expiry
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
_DEFAULT_PREFIX = "secpolicy:throttle:"

#: What one compare-and-set asks the server: the arguments of the script.
_Request = list[str]
_Client = TypeVar("_Client", "_redis.Redis", "_redis_asyncio.Redis")


@attrs.frozen
class _Done:
    """The last step of an ``update``: the state it stored."""

    state: ThrottleState | None


#: The steps of one ``update``: it yields each request, is sent the reply,
#: and yields :class:`_Done` once the server accepted a change.
_Steps = Generator["_Request | _Done", Any, None]


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode()
    if value is None:
        return ""
    return str(value)


def _read_error(exc: Exception) -> StoreError:
    return StoreError(f"cannot read from Redis: {type(exc).__name__}")


def _write_error(exc: Exception) -> StoreError:
    return StoreError(f"cannot write throttle state to Redis: {type(exc).__name__}")


def _check_prefix(prefix: object) -> str:
    if not isinstance(prefix, str) or not prefix:
        raise PolicyConfigError("RedisThrottleStore.prefix: must be a non-empty string")
    return prefix


class _Base(Generic[_Client]):
    """Everything of a Redis throttle store but the client calls, written once.

    The sync and async stores differ only in how they send a request: each
    operation is a generator of requests (:meth:`_update_steps`) or a pure
    function of the reply (:meth:`_got`), driven by a loop that calls the
    client directly or awaits it.
    """

    def __init__(
        self, client: _Client, *, prefix: str = _DEFAULT_PREFIX, ttl: timedelta = _DEFAULT_TTL
    ) -> None:
        self.prefix = _check_prefix(prefix)
        self.ttl = check_ttl("RedisThrottleStore", ttl)
        self.client: _Client = client
        self._cas: Any = client.register_script(_CAS)
        self._seen = SeenStates(_CACHE_SIZE)
        self._horizon = Horizon()

    @classmethod
    def for_policy(
        cls, client: _Client, policy: LockoutPolicy, *, prefix: str = _DEFAULT_PREFIX
    ) -> Self:
        """A store whose keys live as long as *policy* needs them.

        .. versionadded:: 0.2
        """
        return cls(client, prefix=prefix, ttl=max(policy.window, policy.duration))

    def _key(self, key: str) -> str:
        return self.prefix + key

    def _proposal(
        self, current: str, change: Callable[[ThrottleState | None], ThrottleState | None]
    ) -> tuple[ThrottleState | None, _Request]:
        new = change(self._horizon.live(decode(current)) if current else None)
        if new is None:
            return None, [current, "", "0"]
        ms = max(1, int(expiry(new, self.ttl) / timedelta(milliseconds=1)))
        return new, [current, encode(new), str(ms)]

    def _update_steps(
        self, key: str, change: Callable[[ThrottleState | None], ThrottleState | None]
    ) -> _Steps:
        """Propose ``change(current)`` until the script accepts one; return the stored state."""
        # A key this store has not seen is assumed absent: if it exists, the
        # script answers with its state and the change is recomputed.
        current = self._seen.get(key)
        for _ in range(_MAX_ATTEMPTS):
            new, request = self._proposal(current, change)
            done, text = yield request
            current = _text(text)
            self._seen.remember(key, current)
            if done:
                self._horizon.advance(new)
                yield _Done(new)
                return
        raise StoreError("throttle state kept changing under concurrent writers; gave up")

    def _got(self, key: str, raw: object) -> ThrottleState | None:
        text = _text(raw)
        self._seen.remember(key, text)
        return self._horizon.live(decode(text)) if text else None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(prefix={self.prefix!r}, ttl={self.ttl!r})"


class RedisThrottleStore(_Base["_redis.Redis"]):
    """A :class:`~secpolicy.password.ThrottleStore` in Redis (redis-py, synchronous).

    Args:
        client: A ``redis.Redis`` (or cluster) client.
        prefix: Prepended to every key, to share a database with other data.
        ttl: How long an idle key without a ``forget_after`` is kept; set it
            to at least the policy's failure window (:meth:`for_policy`
            does). A state's own ``forget_after`` takes precedence; a key
            holding a lock is kept at least until the lock lifts.

    Raises:
        PolicyConfigError: *prefix* is empty or *ttl* is not positive.

    Example:
        >>> import redis  # doctest: +SKIP
        >>> store = RedisThrottleStore.for_policy(redis.Redis(), policy)  # doctest: +SKIP
        >>> throttle = LoginThrottle(policy, store=store)  # doctest: +SKIP

    .. versionadded:: 0.2
    """

    __module__ = "secpolicy.stores.redis"

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
        steps = self._update_steps(key, change)
        outcome = next(steps)
        while not isinstance(outcome, _Done):
            outcome = steps.send(self._send(key, outcome))
        return outcome.state

    def _send(self, key: str, request: _Request) -> Any:
        try:
            return self._cas(keys=[self._key(key)], args=request)
        except _redis.RedisError as exc:
            raise _write_error(exc) from exc

    def get(self, key: str) -> ThrottleState | None:
        """The state of *key*, if any.

        Raises:
            StoreError: Redis could not be reached.
        """
        try:
            raw = self.client.get(self._key(key))
        except _redis.RedisError as exc:
            raise _read_error(exc) from exc
        return self._got(key, raw)


class AsyncRedisThrottleStore(_Base["_redis_asyncio.Redis"]):
    """The throttle store for ``redis.asyncio`` clients: ``update`` and ``get`` are coroutines.

    Same keys, script and expiry as :class:`RedisThrottleStore`, so sync and
    async instances of one service share state. Use it with
    :class:`secpolicy.password.AsyncLoginThrottle`.

    .. versionadded:: 0.2
    """

    __module__ = "secpolicy.stores.redis"

    async def update(
        self, key: str, change: Callable[[ThrottleState | None], ThrottleState | None]
    ) -> ThrottleState | None:
        """Atomically replace the state of *key* with ``change(old)``; see the sync store."""
        steps = self._update_steps(key, change)
        outcome = next(steps)
        while not isinstance(outcome, _Done):
            outcome = steps.send(await self._send(key, outcome))
        return outcome.state

    async def _send(self, key: str, request: _Request) -> Any:
        try:
            return await self._cas(keys=[self._key(key)], args=request)
        except _redis.RedisError as exc:
            raise _write_error(exc) from exc

    async def get(self, key: str) -> ThrottleState | None:
        """The state of *key*, if any."""
        try:
            raw = await self.client.get(self._key(key))
        except _redis.RedisError as exc:
            raise _read_error(exc) from exc
        return self._got(key, raw)

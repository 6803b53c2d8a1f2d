"""Breached-password checks: an offline sorted hash file, or a k-anonymity range API."""

from __future__ import annotations

import asyncio
import hashlib
import mmap
import re
import unicodedata
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Final, Protocol, runtime_checkable

from secpolicy.exceptions import ArgumentTypeError, InvalidArgumentError, PolicyConfigError
from secpolicy.password._hasher import MAX_PASSWORD_LENGTH

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

_HASH_LEN: Final = 40
#: Lines of the file checked at open, spread evenly over it.
FORMAT_SAMPLES: Final = 64
#: The most digits a count may have: 18 fit a 64-bit integer, far above any
#: corpus's counts. A longer one is not a count (and thousands of digits would
#: make ``int()`` raise ``ValueError``).
_MAX_COUNT_DIGITS: Final = 18
#: What a found line whose count is longer than that counts as: breached.
_SATURATED_COUNT: Final = 10**_MAX_COUNT_DIGITS
_LINE: Final = re.compile(rb"[0-9A-F]{40}:[0-9]{1,18}\r?")
_REPLY_LINE: Final = re.compile(r"[0-9A-Fa-f]{35}:[0-9]{1,18}")
_HASH_SPACE: Final = 16**_HASH_LEN
_SCAN_WINDOW: Final = 4096
_NEWLINE: Final = ord("\n")
RANGE_URL: Final = "https://api.pwnedpasswords.com/range/"


def _value(line_hash: bytes, fallback: int) -> int:
    """The number a hash line starts with, or *fallback* for a malformed line."""
    try:
        return int(line_hash, 16)
    except ValueError:
        return fallback


def sha1_hex(password: str) -> str:
    """The upper-case SHA-1 of the NFKC-normalised password (the corpus's key).

    Every checker's ``count`` goes through here, so the cap below holds for
    a checker called directly as well as through a policy.

    Raises:
        InvalidArgumentError: If *password* is longer than
            ``MAX_PASSWORD_LENGTH`` (4,096) characters as received, the cap
            the hasher uses; checked before any normalisation, so a
            megabyte costs nothing. The message never holds the password.
        ArgumentTypeError: If *password* is not a ``str``.

    .. versionchanged:: 0.2
       Over-long and non-text input is refused before normalising.
    """
    if not isinstance(password, str):
        raise ArgumentTypeError(
            f"password must be str, not {type(password).__name__}", argument="password"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidArgumentError(
            f"password is longer than {MAX_PASSWORD_LENGTH} characters", argument="password"
        )
    text = unicodedata.normalize("NFKC", password)
    return (
        hashlib.sha1(text.encode("utf-8", "surrogatepass"), usedforsecurity=False)
        .hexdigest()
        .upper()
    )


@runtime_checkable
class BreachChecker(Protocol):
    """Tells how often a password appears in breach corpora.

    ``count`` returns the number of occurrences (0 if never seen), or
    ``None`` if the answer is unknown (the service could not be reached).
    """

    def count(self, password: str) -> int | None:
        """Occurrences of *password* in the corpus, or None if unknown."""
        ...


@runtime_checkable
class AsyncBreachChecker(Protocol):
    """The asyncio form of :class:`BreachChecker`: ``count`` is a coroutine.

    Use it with :meth:`PasswordPolicy.acheck
    <secpolicy.password.PasswordPolicy.acheck>` in asyncio services.

    .. versionadded:: 0.2
    """

    async def count(self, password: str) -> int | None:
        """Occurrences of *password* in the corpus, or None if unknown."""
        ...


class OfflineBreachChecker:
    """Look passwords up in a local Have I Been Pwned style file.

    The file holds one ``SHA1HEX:COUNT`` line per password, sorted by hash
    (the downloadable corpus, CC BY 4.0). Lookups binary-search a memory map:
    each one touches about log2(lines) pages, so resident memory does not grow
    with the file, and nothing is sent anywhere.

    The format is checked when the file is opened, because a file in another
    form would silently find nothing: the first, the last and
    ``FORMAT_SAMPLES`` lines spread over the file must each be 40 upper-case
    hex digits, a colon and a count (at most 18 digits), in strictly
    ascending hash order. A lower-case file, one sorted by count, or the
    NTLM corpus (32 hex digits) is refused.

    Args:
        path: The sorted hash file.

    Raises:
        PolicyConfigError: If the file is missing, empty, or not in that
            format (the message says which check failed, never a hash).

    .. versionchanged:: 0.2
       The format is validated at open.
    """

    __slots__ = ("_file", "_map", "path")

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._file = self.path.open("rb")
        except FileNotFoundError:
            raise PolicyConfigError(
                f"breach file {self.path} does not exist", field="path"
            ) from None
        except OSError as exc:  # a directory, no permission: nothing could be searched
            raise PolicyConfigError(
                f"breach file {self.path} cannot be read ({exc.strerror})", field="path"
            ) from None
        try:
            self._map = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)
        except ValueError:
            self._file.close()
            raise PolicyConfigError(f"breach file {self.path} is empty", field="path") from None
        if hasattr(mmap, "MADV_RANDOM"):  # pragma: no branch (Linux and macOS have it)
            # Lookups (and the format check) jump around: read only the pages probed.
            self._map.madvise(mmap.MADV_RANDOM)
        try:
            self._validate()
        except PolicyConfigError:
            self.close()
            raise

    def _validate(self) -> None:
        """Check sampled lines for the ``HASH:COUNT`` form and ascending order."""
        size = len(self._map)
        offsets = sorted(
            {0, size - 1, *(size * i // FORMAT_SAMPLES for i in range(FORMAT_SAMPLES))}
        )
        previous = b""
        previous_start = -1
        for offset in offsets:
            start, end = self._line_at(offset)
            if start == end and end >= size - 1:
                # The final newline: look at the last line itself.
                start, end = self._line_at(max(start - 2, 0))
            if start == previous_start:
                continue
            line = self._map[start:end]
            if not _LINE.fullmatch(line):
                raise PolicyConfigError(
                    f"breach file {self.path}: line at byte {start} is not "
                    "'<40 upper-case SHA-1 hex digits>:<count of at most 18 digits>' "
                    "(lower-case, NTLM and other formats are refused)",
                    field="path",
                )
            key = line[:_HASH_LEN]
            if previous and key <= previous:
                raise PolicyConfigError(
                    f"breach file {self.path}: not sorted by hash (at byte {start}); "
                    "use the ordered-by-hash download",
                    field="path",
                )
            previous, previous_start = key, start

    def _line_at(self, offset: int) -> tuple[int, int]:
        """Start and end of the line containing *offset*."""
        start = self._map.rfind(b"\n", 0, offset) + 1
        end = self._map.find(b"\n", offset)
        return start, len(self._map) if end < 0 else end

    def count_hash(self, digest: str) -> int:
        """Occurrences of a SHA-1 hex digest (either case).

        SHA-1 values are spread evenly, so the search guesses where the digest
        should lie from its value (interpolation) and alternates those guesses
        with plain halving: a few page reads on a real corpus, and never more
        than twice binary search's on a skewed file.

        Raises:
            PolicyConfigError: If the checker was closed.
        """
        if self._map.closed:
            # Not "not found": a closed checker would otherwise pass everything.
            raise PolicyConfigError(f"breach file {self.path} is closed", field="path")
        if len(digest) != _HASH_LEN:
            return 0
        try:
            target = int(digest, 16)
        except ValueError:
            return 0
        key = digest.upper().encode("ascii")
        low, high = 0, len(self._map)
        low_value, high_value = 0, _HASH_SPACE
        interpolate = True
        while high - low > _SCAN_WINDOW:
            if interpolate and high_value > low_value:
                share = (target - low_value) / (high_value - low_value)
                mid = low + int(share * (high - low))
                mid = min(max(mid, low), high - 1)
            else:
                mid = (low + high) // 2
            interpolate = not interpolate
            start, end = self._line_at(mid)
            line_hash = self._map[start : start + _HASH_LEN]
            if line_hash == key:
                return self._count_at(start, end)
            if line_hash < key:
                low, low_value = end + 1, _value(line_hash, low_value)
            else:
                high, high_value = start, _value(line_hash, high_value)
        return self._scan(key, low, high)

    def _scan(self, key: bytes, low: int, high: int) -> int:
        """Find *key* at the start of a line within ``[low, high)``."""
        position = self._map.find(key, max(low - 1, 0), high + _HASH_LEN)
        while position >= 0:
            if position == 0 or self._map[position - 1] == _NEWLINE:
                return self._count_at(position, self._line_at(position)[1])
            position = self._map.find(key, position + 1, high + _HASH_LEN)
        return 0

    def _count_at(self, start: int, end: int) -> int:
        count = self._map[start + _HASH_LEN + 1 : end].strip()
        # A line the open-time sample did not see may still be broken: it was found, so count it.
        if not count.isdigit():
            return 1
        return int(count) if len(count) <= _MAX_COUNT_DIGITS else _SATURATED_COUNT

    def count(self, password: str) -> int:
        """Occurrences of *password* (0 if never seen)."""
        return self.count_hash(sha1_hex(password))

    def close(self) -> None:
        """Release the memory map and the file."""
        self._map.close()
        self._file.close()

    def __enter__(self) -> OfflineBreachChecker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"OfflineBreachChecker({str(self.path)!r})"


def urllib_transport(*, timeout: float = 2.0, url: str = RANGE_URL) -> Callable[[str], str]:
    """A transport that GETs ``url + prefix`` with ``Add-Padding: true`` and a timeout."""

    def fetch(prefix: str) -> str:
        request = urllib.request.Request(  # noqa: S310 (the URL is the configured HTTPS API)
            url + prefix, headers={"Add-Padding": "true", "User-Agent": "secpolicy"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return str(response.read().decode("ascii"))

    return fetch


def _parse_reply(body: object, suffix: str) -> int | None:
    """The count for *suffix* in a range reply, or None if the reply is not one.

    A reply must be lines of 35 hex digits, a colon and a count of at most
    18 digits; anything
    else (an HTML error page, an empty body, a captive portal) is unknown,
    never "not breached".
    """
    if not isinstance(body, str):
        return None
    found = 0
    rows = 0
    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            continue
        if not _REPLY_LINE.fullmatch(line):
            return None
        rows += 1
        candidate, _, count = line.partition(":")
        if candidate.upper() == suffix:
            found = int(count)
    return found if rows else None


class OnlineBreachChecker:
    """Ask a k-anonymity range API (Have I Been Pwned's) about a password.

    Only the first 5 hex characters of the password's SHA-1 are sent; the
    service answers with every suffix it knows for that prefix (padded to
    800-1,000 rows so that the answer's size reveals nothing), and the match
    is made locally. Nothing is sent at import or construction.

    Args:
        transport: ``prefix -> response body``; default: HTTPS with a timeout.
            Pass your own for a proxy, a self-hosted mirror or tests.
        timeout: Seconds for the default transport.

    ``count`` returns ``None`` when the service cannot be reached or its reply
    is not a range reply (an HTML page, an empty or malformed body); no
    failure of the service raises. A password longer than
    ``MAX_PASSWORD_LENGTH`` is the caller's error: ``InvalidArgumentError``
    before anything is hashed or sent. The policy's ``breach_fail_closed``
    decides whether an unknown answer refuses the password (fail-closed) or
    lets it through (fail-open, the default: an outage of a third-party
    service should not lock users out of sign-up).

    .. versionchanged:: 0.2
       A malformed reply is unknown (``None``), not "not breached".
    """

    __slots__ = ("_transport",)

    def __init__(
        self, transport: Callable[[str], str] | None = None, *, timeout: float = 2.0
    ) -> None:
        if timeout <= 0:
            raise PolicyConfigError("must be positive", field="timeout")
        self._transport = transport or urllib_transport(timeout=timeout)

    def count(self, password: str) -> int | None:
        """Occurrences of *password*, 0 if unknown to the service, None if unreachable."""
        digest = sha1_hex(password)
        prefix, suffix = digest[:5], digest[5:]
        try:
            body = self._transport(prefix)
        except Exception:  # noqa: BLE001 (documented never to raise: any failure is "unknown")
            return None
        return _parse_reply(body, suffix)

    def __repr__(self) -> str:
        return "OnlineBreachChecker()"


class AsyncOnlineBreachChecker:
    """:class:`OnlineBreachChecker` for asyncio services: ``await checker.count(pw)``.

    Args:
        transport: ``async prefix -> response body`` (your HTTP client:
            httpx, aiohttp). Default: the blocking HTTPS transport run in a
            worker thread (``asyncio.to_thread``), so the event loop is never
            blocked.
        timeout: Seconds a reply may take, for any transport (the default
            one and yours): a transport that has not answered by then is
            cancelled and the count is unknown, so a hung HTTP client cannot
            hang :meth:`PasswordPolicy.acheck
            <secpolicy.password.PasswordPolicy.acheck>`.

    Like the blocking checker it sends only the 5-character prefix, treats
    any failure or malformed reply as unknown (``None``), and refuses a
    password longer than ``MAX_PASSWORD_LENGTH`` with ``InvalidArgumentError``.

    .. versionadded:: 0.2
    """

    __slots__ = ("_timeout", "_transport")

    def __init__(
        self,
        transport: Callable[[str], Awaitable[str]] | None = None,
        *,
        timeout: float = 2.0,
    ) -> None:
        if timeout <= 0:
            raise PolicyConfigError("must be positive", field="timeout")
        if transport is None:
            blocking = urllib_transport(timeout=timeout)

            async def threaded(prefix: str) -> str:
                return await asyncio.to_thread(blocking, prefix)

            transport = threaded
        self._transport = transport
        self._timeout = timeout

    async def count(self, password: str) -> int | None:
        """Occurrences of *password*, 0 if unknown to the service, None if unreachable."""
        digest = sha1_hex(password)
        prefix, suffix = digest[:5], digest[5:]
        try:
            body = await asyncio.wait_for(self._transport(prefix), self._timeout)
        except Exception:  # noqa: BLE001 (documented never to raise: any failure is "unknown")
            return None
        return _parse_reply(body, suffix)

    def __repr__(self) -> str:
        return "AsyncOnlineBreachChecker()"

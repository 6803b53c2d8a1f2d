"""Anchor stores: checkpoints kept away from the log, so a cut-off tail shows.

A hash chain reveals a changed or removed record in the middle, but not a
tail cut off cleanly: what remains is still a valid chain. The writer
therefore also hands every checkpoint to an :class:`AnchorStore` that the
log's attacker should not be able to rewrite (another disk or host, an
append-only bucket, a database the service can only insert into). The
verifier compares the log with every anchor of its writer, and the set of
logs with :meth:`AnchorStore.log_ids`; the writer refuses to continue a log
that is behind its newest anchor.

A store keeps every anchor it is given (a store that kept only the newest
could not show a fork: two checkpoints of one log with the same size and
different roots). :meth:`~AnchorStore.put` may be called again with an
anchor the store already holds (the writer re-anchors its last checkpoint
when it reopens a log): storing it once more or ignoring it are both right.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

from secpolicy.audit._sinks import fsync_dir
from secpolicy.exceptions import AuditWriteError, PolicyConfigError

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

__all__ = ["Anchor", "AnchorStore", "FileAnchorStore", "MemoryAnchorStore"]


@attrs.frozen(kw_only=True)
class Anchor:
    """A copy of one checkpoint.

    Only :attr:`note` is signed; the other fields repeat what it says (or,
    for :attr:`hash`, :attr:`head` and :attr:`file`, where the checkpoint was
    found) for stores that index them. The verifier trusts the note alone.

    Attributes:
        log_id: The log the checkpoint belongs to.
        seq: The checkpoint record's sequence number, which is also its tree
            size: it seals records ``0 .. seq - 1``.
        head: The chain head it seals (the hash of record ``seq - 1``).
        hash: The checkpoint record's own hash.
        time: The checkpoint's time (RFC 3339).
        alg: ``"ed25519"`` or ``"hmac-sha256"``.
        key_id: The id of the key that signed it (:func:`key_id`).
        root: The Merkle root hash of records ``0 .. seq - 1``, hex.
        note: The checkpoint as a C2SP signed note (what is signed).
        file: The name of the log file the checkpoint was written to.

    .. versionchanged:: 0.2
       ``root`` and ``note`` added; ``sig`` removed (the note carries the
       signature).
    """

    log_id: str
    seq: int
    head: str
    hash: str
    time: str
    alg: str
    key_id: str
    root: str
    note: str = attrs.field(repr=False)
    file: str

    def to_dict(self) -> dict[str, Any]:
        """The anchor as a JSON object."""
        return attrs.asdict(self)

    @classmethod
    def from_dict(cls, value: object) -> Anchor:
        """The inverse of :meth:`to_dict`.

        Raises:
            PolicyConfigError: A field is missing, unknown or has the wrong type.
        """
        if not isinstance(value, dict) or type(value.get("seq")) is not int:
            raise PolicyConfigError("malformed anchor: seq must be an integer", field="seq")
        names = {field.name for field in attrs.fields(cls)}
        if set(value) != names:
            raise PolicyConfigError(
                "malformed anchor: fields must be " + ", ".join(sorted(names)), field="anchor"
            )
        for name in names - {"seq"}:
            if not isinstance(value[name], str):
                raise PolicyConfigError(f"malformed anchor: {name} must be a string", field=name)
        return cls(**value)


@runtime_checkable
class AnchorStore(Protocol):
    """Where checkpoints are copied to. Implementations must be thread-safe.

    .. versionchanged:: 0.2
       :meth:`anchors` and :meth:`log_ids` added: stores keep every anchor.
    """

    def put(self, anchor: Anchor) -> None:
        """Store *anchor* durably (keeping every earlier one), or raise :class:`OSError`."""
        ...

    def latest(self, log_id: str) -> Anchor | None:
        """The anchor with the highest ``seq`` for *log_id*, or None."""
        ...

    def anchors(self, log_id: str) -> Sequence[Anchor]:
        """Every anchor of *log_id*, by ascending ``seq`` (ties in the order stored)."""
        ...

    def log_ids(self) -> frozenset[str]:
        """The ids of every log the store holds an anchor of."""
        ...


def _add(held: list[Anchor], anchor: Anchor) -> bool:
    """Insert *anchor* in seq order unless an equal one is held; True if added."""
    if anchor in held:
        return False
    index = len(held)
    while index and held[index - 1].seq > anchor.seq:
        index -= 1
    held.insert(index, anchor)
    return True


class MemoryAnchorStore:
    """Anchors in memory: for tests, and as a model of the protocol."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._anchors: dict[str, list[Anchor]] = {}

    def put(self, anchor: Anchor) -> None:
        """Keep *anchor* (an anchor already held is not stored twice)."""
        with self._lock:
            _add(self._anchors.setdefault(anchor.log_id, []), anchor)

    def latest(self, log_id: str) -> Anchor | None:
        """The newest anchor of *log_id*."""
        with self._lock:
            held = self._anchors.get(log_id)
            return held[-1] if held else None

    def anchors(self, log_id: str) -> tuple[Anchor, ...]:
        """Every anchor of *log_id*, oldest first."""
        with self._lock:
            return tuple(self._anchors.get(log_id, ()))

    def log_ids(self) -> frozenset[str]:
        """The logs anchored here."""
        with self._lock:
            return frozenset(self._anchors)

    def __repr__(self) -> str:
        return f"MemoryAnchorStore(logs={len(self._anchors)})"


class FileAnchorStore:
    """Anchors appended as JSON lines to a file, each one fsynced.

    Put the file where the log writer's attacker cannot rewrite it: another
    volume, a host that receives it over a write-only share, a WORM bucket
    mounted append-only. A torn last line (a crash during :meth:`put`) is
    ignored when reading.

    Args:
        path: The anchor file; created (with its directory) if missing.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def put(self, anchor: Anchor) -> None:
        """Append *anchor* and fsync it.

        Raises:
            AuditWriteError: The anchor could not be made durable.
        """
        line = json.dumps(anchor.to_dict(), separators=(",", ":")).encode() + b"\n"
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                created = not self.path.exists()
                fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
                try:
                    if created:
                        fsync_dir(self.path.parent)
                    size = os.fstat(fd).st_size
                    if size and _last_byte(fd, size) != b"\n":
                        _cut_torn_line(fd, size)  # a crash during an earlier put()
                    view = memoryview(line)
                    while view:
                        view = view[os.write(fd, view) :]
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError as exc:
                raise AuditWriteError(
                    exc.errno, f"cannot store the checkpoint anchor in {self.path}: {exc.strerror}"
                ) from exc

    def _anchors(self) -> Iterator[Anchor]:
        try:
            with self.path.open("rb") as file:
                for number, raw in enumerate(file, 1):
                    if not raw.endswith(b"\n"):
                        return  # torn by a crash during put()
                    if not raw.strip():
                        continue
                    try:
                        yield Anchor.from_dict(json.loads(raw))
                    except (ValueError, TypeError) as exc:
                        reason = exc.reason if isinstance(exc, PolicyConfigError) else str(exc)
                        raise PolicyConfigError(f"{self.path}, line {number}: {reason}") from None
        except FileNotFoundError:
            return

    def latest(self, log_id: str) -> Anchor | None:
        """The newest anchor of *log_id* in the file.

        Raises:
            PolicyConfigError: A complete line of the file is not an anchor.
        """
        held = self.anchors(log_id)
        return held[-1] if held else None

    def anchors(self, log_id: str) -> tuple[Anchor, ...]:
        """Every anchor of *log_id* in the file, oldest first.

        Raises:
            PolicyConfigError: A complete line of the file is not an anchor.
        """
        with self._lock:
            held: list[Anchor] = []
            for anchor in self._anchors():
                if anchor.log_id == log_id:
                    _add(held, anchor)
            return tuple(held)

    def log_ids(self) -> frozenset[str]:
        """The logs anchored in the file.

        Raises:
            PolicyConfigError: A complete line of the file is not an anchor.
        """
        with self._lock:
            return frozenset(anchor.log_id for anchor in self._anchors())

    def __repr__(self) -> str:
        return f"FileAnchorStore({str(self.path)!r})"


def _last_byte(fd: int, size: int) -> bytes:
    return os.pread(fd, 1, size - 1)


def _cut_torn_line(fd: int, size: int) -> None:
    """Truncate the file after its last newline (anchor lines are short)."""
    start = max(0, size - 65536)
    tail = os.pread(fd, size - start, start)
    newline = tail.rfind(b"\n")
    os.ftruncate(fd, start + newline + 1 if newline >= 0 else start)

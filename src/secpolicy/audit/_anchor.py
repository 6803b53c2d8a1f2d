"""Anchor stores: checkpoints kept away from the log, so a cut-off tail shows.

A hash chain reveals a changed or removed record in the middle, but not a
tail cut off cleanly: what remains is still a valid chain. The writer
therefore also hands every checkpoint to an :class:`AnchorStore` that the
log's attacker should not be able to rewrite (another disk or host, an
append-only bucket, a database the service can only insert into). The
verifier compares the log's end with the newest anchor.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

from secpolicy.exceptions import AuditWriteError, PolicyConfigError

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["Anchor", "AnchorStore", "FileAnchorStore", "MemoryAnchorStore"]


@attrs.frozen(kw_only=True)
class Anchor:
    """A copy of one checkpoint.

    Attributes:
        log_id: The log the checkpoint belongs to.
        seq: The checkpoint record's sequence number.
        head: The chain head it seals (the hash of record ``seq - 1``).
        hash: The checkpoint record's own hash.
        time: The checkpoint's time (RFC 3339).
        alg: ``"ed25519"`` or ``"hmac-sha256"``.
        key_id: The id of the key that signed it.
        sig: The signature.
        file: The name of the log file the checkpoint was written to.
    """

    log_id: str
    seq: int
    head: str
    hash: str
    time: str
    alg: str
    key_id: str
    sig: str
    file: str

    def to_dict(self) -> dict[str, Any]:
        """The anchor as a JSON object."""
        return attrs.asdict(self)

    @classmethod
    def from_dict(cls, value: dict[str, Any]) -> Anchor:
        """The inverse of :meth:`to_dict`.

        Raises:
            ValueError: A field is missing or has the wrong type.
        """
        if type(value.get("seq")) is not int:
            raise ValueError("malformed anchor: seq must be an integer")
        try:
            anchor = cls(**value)
        except TypeError as exc:
            raise ValueError(f"malformed anchor: {exc}") from None
        for name in ("log_id", "head", "hash", "time", "alg", "key_id", "sig", "file"):
            if not isinstance(getattr(anchor, name), str):
                raise ValueError(f"malformed anchor: {name} must be a string")  # noqa: TRY004 (bad data, not a bad call)
        return anchor


@runtime_checkable
class AnchorStore(Protocol):
    """Where checkpoints are copied to. Implementations must be thread-safe."""

    def put(self, anchor: Anchor) -> None:
        """Store *anchor* durably, or raise :class:`OSError`."""
        ...

    def latest(self, log_id: str) -> Anchor | None:
        """The anchor with the highest ``seq`` for *log_id*, or None."""
        ...


class MemoryAnchorStore:
    """Anchors in memory: for tests, and as a model of the protocol."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._anchors: dict[str, Anchor] = {}

    def put(self, anchor: Anchor) -> None:
        """Keep *anchor* if it is newer than the one held for its log."""
        with self._lock:
            held = self._anchors.get(anchor.log_id)
            if held is None or anchor.seq > held.seq:
                self._anchors[anchor.log_id] = anchor

    def latest(self, log_id: str) -> Anchor | None:
        """The newest anchor of *log_id*."""
        with self._lock:
            return self._anchors.get(log_id)

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
                fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
                try:
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
                        raise PolicyConfigError(f"{self.path}, line {number}: {exc}") from None
        except FileNotFoundError:
            return

    def latest(self, log_id: str) -> Anchor | None:
        """The newest anchor of *log_id* in the file.

        Raises:
            PolicyConfigError: A complete line of the file is not an anchor.
        """
        with self._lock:
            best: Anchor | None = None
            for anchor in self._anchors():
                if anchor.log_id == log_id and (best is None or anchor.seq > best.seq):
                    best = anchor
            return best

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

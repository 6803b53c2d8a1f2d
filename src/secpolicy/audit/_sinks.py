"""Where chained records go: a JSON-lines file, a text stream, stdlib logging.

A sink receives finished lines from the chain writer, always under its lock
and in sequence order. The file sink is the embedded default and the only one
that can be reopened, rotated, fsynced and repaired; the stream and logging
sinks carry the same chained lines to containers' standard output and to
syslog and other ``logging`` handlers, where a collector can verify them too.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol, TextIO, runtime_checkable

import attrs

from secpolicy.audit._chain import HASH_SUFFIX_LEN, HEAD, TAIL
from secpolicy.audit._event import parse_time
from secpolicy.exceptions import AuditWriteError

if TYPE_CHECKING:
    from collections.abc import Iterator

try:  # pragma: no cover - the branch taken depends on the platform
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = ["FileSink", "Fsync", "LoggingSink", "Sink", "StreamSink", "Tail", "rotated_files"]

Fsync = Literal["always", "checkpoint", "never"] | int
"""When the file sink calls ``fsync``: after every record, every *N* records,
at checkpoints (and rotation and close), or never (the OS decides)."""

_CHUNK: Final = 1 << 16
_MIN_ROTATE_BYTES: Final = 4096


@attrs.frozen
class Tail:
    """Where an existing log left off, as a sink found it when opened.

    Attributes:
        log_id: The log's id, or None for a new log.
        seq: The next sequence number.
        prev: The hash of the last record.
        segment: The index of the file being written.
        segment_started: When that file was started, or None.
        needs_segment: True if the file being written is empty and needs its
            ``segment`` record first.
        torn: Length and SHA-256 of a torn last line removed on opening, or None.
    """

    log_id: str | None
    seq: int
    prev: str
    segment: int
    segment_started: datetime | None
    needs_segment: bool
    torn: tuple[int, str] | None = None


@runtime_checkable
class Sink(Protocol):
    """A destination of chained lines."""

    def open(self) -> Tail | None:
        """Prepare for writing; return where an existing log left off, if the sink can tell."""
        ...

    def write(self, line: bytes) -> None:
        """Write one complete line, or raise :class:`~secpolicy.exceptions.AuditWriteError`."""
        ...

    def close(self) -> None:
        """Flush and release resources."""
        ...


class StreamSink:
    """Chained lines to a text stream (standard output by default), flushed per record.

    Args:
        stream: The stream; ``sys.stdout`` at the time of writing if None.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    def open(self) -> Tail | None:
        """A stream has no past: a new chain starts."""
        return None

    def write(self, line: bytes) -> None:
        """Write and flush *line*.

        Raises:
            AuditWriteError: The stream refused it.
        """
        stream = self._stream if self._stream is not None else sys.stdout
        try:
            stream.write(line.decode())
            stream.flush()
        except (OSError, ValueError) as exc:
            raise AuditWriteError(f"cannot write an audit record to {stream!r}: {exc}") from exc

    def close(self) -> None:
        """Flush the stream (it is not closed: it is not ours)."""
        stream = self._stream if self._stream is not None else sys.stdout
        with contextlib.suppress(OSError, ValueError):
            stream.flush()

    def __repr__(self) -> str:
        return f"StreamSink({self._stream!r})"


class LoggingSink:
    """Chained lines to a stdlib :class:`logging.Logger`, one log record each.

    Attach a :class:`logging.handlers.SysLogHandler` or any other handler to
    the logger; the message is the JSON line without its newline, and the
    parsed record is in the log record's ``audit`` attribute for formatters
    that want fields. A handler's own failures are handled by ``logging``
    (``Handler.handleError``), which this sink cannot see: use the file sink
    where durability matters and this one as a mirror.

    Args:
        logger: The logger or its name.
        level: The level of the log records.
    """

    def __init__(self, logger: logging.Logger | str, *, level: int = logging.INFO) -> None:
        self.logger = logging.getLogger(logger) if isinstance(logger, str) else logger
        self.level = level

    def open(self) -> Tail | None:
        """A logger has no past: a new chain starts."""
        return None

    def write(self, line: bytes) -> None:
        """Log *line*.

        Raises:
            AuditWriteError: A handler raised (with ``logging.raiseExceptions``).
        """
        text = line.decode().rstrip("\n")
        try:
            self.logger.log(self.level, "%s", text, extra={"audit": json.loads(text)})
        except Exception as exc:
            raise AuditWriteError(f"cannot log an audit record to {self.logger.name}") from exc

    def close(self) -> None:
        """Nothing to release: handlers belong to the application."""

    def __repr__(self) -> str:
        return f"LoggingSink({self.logger.name!r})"


def rotated_name(path: Path, segment: int) -> Path:
    """The name a file gets when rotated: ``audit.jsonl`` -> ``audit.000003.jsonl``."""
    return path.with_name(f"{path.stem}.{segment:06d}{path.suffix}")


def rotated_files(path: str | os.PathLike[str]) -> list[Path]:
    """The rotated files of the log at *path*, oldest first (the active file excluded)."""
    path = Path(path)
    pattern = re.compile(re.escape(path.stem) + r"\.(\d{6,})" + re.escape(path.suffix))
    found = []
    with contextlib.suppress(FileNotFoundError):
        for entry in path.parent.iterdir():
            match = pattern.fullmatch(entry.name)
            if match:
                found.append((int(match[1]), entry))
    return [entry for _, entry in sorted(found)]


def _error(path: Path, action: str, exc: OSError) -> AuditWriteError:
    return AuditWriteError(exc.errno, f"cannot {action} {path}: {exc.strerror or exc}")


class FileSink:
    """The embedded default: a JSON-lines file, appended to, rotated, fsynced.

    Args:
        path: The active file. Rotated files are renamed beside it as
            ``<stem>.<segment>.<suffix>`` (``audit.000000.jsonl``) and the
            chain continues in a new active file.
        fsync: ``"always"``, an ``int`` *N* (every *N* records),
            ``"checkpoint"`` (the default: at checkpoints, rotation and close)
            or ``"never"``. Every record is written to the operating system
            before the call returns, whatever the setting; ``fsync`` decides
            what survives a power cut.
        rotate_bytes: Start a new file once the active one reaches this size.
        rotate_every: Start a new file when the active one is this old.
        mode: Permission bits of new files.

    Only one writer may hold a log at a time: opening a log another process is
    writing raises :class:`~secpolicy.exceptions.AuditWriteError`.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        fsync: Fsync = "checkpoint",
        rotate_bytes: int | None = None,
        rotate_every: timedelta | None = None,
        mode: int = 0o640,
    ) -> None:
        if isinstance(fsync, bool) or not (
            fsync in ("always", "checkpoint", "never") or (isinstance(fsync, int) and fsync >= 1)
        ):
            raise ValueError(
                f"fsync must be 'always', 'checkpoint', 'never' or a positive int, not {fsync!r}"
            )
        if rotate_bytes is not None and rotate_bytes < _MIN_ROTATE_BYTES:
            raise ValueError(f"rotate_bytes must be at least 4096, not {rotate_bytes}")
        if rotate_every is not None and rotate_every <= timedelta(0):
            raise ValueError("rotate_every must be positive")
        self.path = Path(path)
        self.fsync: Fsync = fsync
        self._sync_every = 1 if fsync == "always" else fsync if isinstance(fsync, int) else 0
        self.rotate_bytes = rotate_bytes
        self.rotate_every = rotate_every
        self.mode = mode
        self._fd: int | None = None
        self._size = 0
        self._since_sync = 0

    # -- opening and repair -------------------------------------------------

    def open(self) -> Tail:
        """Open (or create) the active file, lock it, repair a torn last line.

        Raises:
            AuditWriteError: The file cannot be opened or locked, or its last
                complete record is damaged so that the chain cannot continue.
        """
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, self.mode)
        except OSError as exc:
            raise _error(self.path, "open the audit log", exc) from exc
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise AuditWriteError(
                        f"another writer holds the audit log {self.path}; "
                        "one log has one writer (give each process its own file)"
                    ) from None
            size = os.fstat(fd).st_size
            torn = _repair(fd, size, self.path) if size else None
            self._fd = fd
            self._size = os.fstat(fd).st_size
        except OSError as exc:
            os.close(fd)
            raise (
                exc
                if isinstance(exc, AuditWriteError)
                else _error(self.path, "open the audit log", exc)
            ) from exc
        if self._size:
            tail = _tail_of(self.path, fd, self._size, active=True)
        else:
            rotated = rotated_files(self.path)
            if rotated:
                tail = _tail_of(rotated[-1], None, None, active=False)
            else:
                tail = Tail(None, 0, "0" * 64, 0, None, needs_segment=True)
        return attrs.evolve(tail, torn=torn)

    # -- writing ------------------------------------------------------------

    def write(self, line: bytes) -> None:
        """Append *line*; on failure, cut the file back so no partial record remains.

        Raises:
            AuditWriteError: The line could not be written.
        """
        fd = self._fd if self._fd is not None else self._require_open()
        try:
            written = os.write(fd, line)
            if written != len(line):  # rare: a signal or a full disk mid-write
                view = memoryview(line)[written:]
                while view:
                    view = view[os.write(fd, view) :]
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, self._size)
            raise _error(self.path, "append to", exc) from exc
        self._size += len(line)
        self._since_sync += 1
        if self._sync_every and self._since_sync >= self._sync_every:
            self.sync()

    def sync(self) -> None:
        """fsync the active file (unless ``fsync="never"``).

        Raises:
            AuditWriteError: The operating system could not make it durable.
        """
        if self.fsync == "never" or self._fd is None:
            return
        try:
            os.fsync(self._fd)
        except OSError as exc:
            raise _error(self.path, "fsync", exc) from exc
        self._since_sync = 0

    def rotation_due(self, now: datetime, started: datetime | None) -> bool:
        """True if the active file has reached its size or age limit."""
        if self.rotate_bytes is not None and self._size >= self.rotate_bytes:
            return True
        return bool(
            self.rotate_every is not None
            and started is not None
            and now - started >= self.rotate_every
        )

    def rotate(self, segment: int) -> str:
        """Rename the active file to its rotated name and start an empty one.

        Returns:
            The rotated file's name.
        """
        fd = self._require_open()
        target = rotated_name(self.path, segment)
        try:
            os.fsync(fd)
            if target.exists():
                raise FileExistsError(0, "a rotated file of that segment exists", str(target))
            self.path.replace(target)
            new = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_EXCL, self.mode)
        except OSError as exc:
            raise _error(self.path, "rotate", exc) from exc
        if fcntl is not None:
            fcntl.flock(new, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.close(fd)
        self._fd = new
        self._size = 0
        self._since_sync = 0
        return target.name

    def close(self) -> None:
        """fsync (unless ``"never"``) and close the active file."""
        if self._fd is None:
            return
        try:
            self.sync()
        finally:
            os.close(self._fd)
            self._fd = None

    @property
    def name(self) -> str:
        """The active file's name."""
        return self.path.name

    def _require_open(self) -> int:
        if self._fd is None:
            raise AuditWriteError(f"the audit log {self.path} is closed")
        return self._fd

    def __repr__(self) -> str:
        return f"FileSink({str(self.path)!r}, fsync={self.fsync!r})"


def _repair(fd: int, size: int, path: Path) -> tuple[int, str] | None:
    """Cut a torn last line (a crash mid-write) off; return its length and hash."""
    if os.pread(fd, 1, size - 1) == b"\n":
        return None
    end = size
    cut = 0
    while end > 0:
        start = max(0, end - _CHUNK)
        chunk = os.pread(fd, end - start, start)
        newline = chunk.rfind(b"\n")
        if newline >= 0:
            cut = start + newline + 1
            break
        end = start
    torn = os.pread(fd, size - cut, cut)
    try:
        os.ftruncate(fd, cut)
        os.fsync(fd)
    except OSError as exc:
        raise _error(path, "repair the torn last line of", exc) from exc
    return len(torn), hashlib.sha256(torn).hexdigest()


def _lines_backwards(fd: int, size: int) -> Iterator[bytes]:
    """The file's complete lines, last first (the file ends with a newline)."""
    end = size
    rest = b""
    while end > 0:
        start = max(0, end - _CHUNK)
        rest = os.pread(fd, end - start, start) + rest
        end = start
        parts = rest.split(b"\n")
        rest = parts[0]
        for part in reversed(parts[1:]):
            if part:
                yield part
    if rest:
        yield rest


def _first_line(fd: int) -> bytes:
    out = b""
    offset = 0
    while True:
        chunk = os.pread(fd, _CHUNK, offset)
        if not chunk:
            return out
        newline = chunk.find(b"\n")
        if newline >= 0:
            return out + chunk[:newline]
        out += chunk
        offset += len(chunk)


def _tail_of(path: Path, fd: int | None, size: int | None, *, active: bool) -> Tail:
    """Read the segment record and the last record of a log file."""
    own = fd is None
    try:
        if fd is None:
            fd = os.open(path, os.O_RDONLY)
            size = os.fstat(fd).st_size
        size = size if size is not None else os.fstat(fd).st_size
        first = _first_line(fd)
        last = next(_lines_backwards(fd, size), b"")
    except OSError as exc:
        raise _error(path, "read the tail of", exc) from exc
    finally:
        if own and fd is not None:
            os.close(fd)
    segment_record = _parse(first, path, "first")
    last_head = HEAD.match(last)
    last_tail = TAIL.search(last)
    if (
        segment_record.get("kind") != "segment"
        or last_head is None
        or last_tail is None
        or hashlib.sha256(last[:-HASH_SUFFIX_LEN]).hexdigest() != last_tail[1].decode()
    ):
        raise AuditWriteError(
            f"the audit log {path} does not end with an intact record or does not begin "
            "with a segment record, so its chain cannot be continued; run "
            "'secpolicy audit verify' and move the file aside"
        )
    segment = segment_record.get("segment")
    log_id = segment_record.get("log_id")
    if not isinstance(segment, int) or not isinstance(log_id, str):
        raise AuditWriteError(f"the segment record of {path} is malformed")
    return Tail(
        log_id=log_id,
        seq=int(last_head[1]) + 1,
        prev=last_tail[1].decode(),
        segment=segment if active else segment + 1,
        segment_started=parse_time(segment_record["time"]) if active else None,
        needs_segment=not active,
    )


def _parse(line: bytes, path: Path, which: str) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except ValueError:
        raise AuditWriteError(
            f"the {which} line of {path} is not JSON; the chain cannot be continued"
        ) from None
    if not isinstance(value, dict):
        raise AuditWriteError(f"the {which} line of {path} is not a record")
    return value

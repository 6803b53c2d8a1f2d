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
from secpolicy.audit._merkle import CompactRange, leaf_hash
from secpolicy.audit._note import Checkpoint, CheckpointError
from secpolicy.exceptions import AuditWriteError, InvalidArgumentError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

try:  # pragma: no cover - the branch taken depends on the platform
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "FileSink",
    "Fsync",
    "LoggingSink",
    "Sink",
    "StreamSink",
    "Tail",
    "fsync_dir",
    "new_tail",
    "rotated_files",
]

Fsync = Literal["always", "checkpoint", "never"] | int
"""When the file sink calls ``fsync``: after every record, every *N* records,
at checkpoints (and rotation and close), or never (the OS decides)."""

_CHUNK: Final = 1 << 16
_MIN_ROTATE_BYTES: Final = 4096


@attrs.frozen(kw_only=True)
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
        tree: The Merkle compact range of records ``0 .. seq - 1`` (None for
            a new log).
        checkpoint: The last checkpoint record, as ``(seq, note, (prev,
            hash))``, or None if the log has none.
        checkpoint_file: The file that holds it.
        repairs: Torn lines removed on opening, as ``(length, sha256, evidence
            file name)``: the writer records each.
        unvouched: The first and last sequence numbers of the records after
            the last checkpoint (None if the log ends sealed): their writer
            did not seal them, so the writer that reopens the log records
            them as ``unvouched`` instead of sealing them as its own.

    .. versionchanged:: 0.2
       ``unvouched`` added.
    """

    log_id: str | None
    seq: int
    prev: str
    segment: int
    segment_started: datetime | None
    needs_segment: bool
    tree: CompactRange | None = None
    checkpoint: tuple[int, str, tuple[str, str]] | None = None
    checkpoint_file: str | None = None
    repairs: tuple[tuple[int, str, str], ...] = ()
    unvouched: tuple[int, int] | None = None


def new_tail() -> Tail:
    """The tail of a log that does not exist yet."""
    return Tail(
        log_id=None, seq=0, prev="0" * 64, segment=0, segment_started=None, needs_segment=True
    )


@runtime_checkable
class Sink(Protocol):
    """A destination of chained lines.

    A sink whose :meth:`open` returns the ``Tail`` of an existing log
    should also have a ``lines()`` method returning its record lines in
    order, from record 0 or from the ``segment`` record a pruned log begins
    with (as :meth:`FileSink.lines` does): when the anchor store missed the
    log's last checkpoint, the writer reads the log back to check that it
    extends the anchored history, and refuses to continue a log it cannot
    read back (:class:`~secpolicy.audit.AnchorMismatch`). Whatever a sink
    raises reaches callers as :class:`~secpolicy.exceptions.AuditWriteError`;
    a line must be written whole or not at all.
    """

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


def fsync_dir(path: Path) -> None:
    """fsync the directory *path*, so that a created or renamed entry survives a power cut.

    Raises:
        OSError: The directory could not be opened or synced (platforms that
            cannot fsync a directory at all are ignored).
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except (IsADirectoryError, PermissionError):  # pragma: no cover - Windows
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
            raise InvalidArgumentError(
                f"fsync must be 'always', 'checkpoint', 'never' or a positive int, not {fsync!r}"
            )
        if rotate_bytes is not None and rotate_bytes < _MIN_ROTATE_BYTES:
            raise InvalidArgumentError(f"rotate_bytes must be at least 4096, not {rotate_bytes}")
        if rotate_every is not None and rotate_every <= timedelta(0):
            raise InvalidArgumentError("rotate_every must be positive")
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

    def _partial(self) -> Path:
        """The temporary name of the next active file during a rotation."""
        return self.path.with_name(f".{self.path.name}.rotating")

    def _finish_rotation(self) -> None:
        """Complete a rotation a crash interrupted between its two renames."""
        partial = self._partial()
        if not partial.exists():
            return
        if self.path.exists():
            partial.unlink()  # the rotation never renamed the active file: abandon it
        else:
            partial.replace(self.path)
        fsync_dir(self.path.parent)

    def open(self) -> Tail:
        """Open (or create) the active file, lock it, repair a torn last line.

        A torn last line is first copied to an evidence file beside the log
        (``.<name>.torn-<offset>``), then cut; the writer records the repair
        in the chain and then renames the evidence file to ``<name>.torn-<offset>``.
        A repair interrupted before it was recorded is recorded on the next
        opening.

        Raises:
            AuditWriteError: The file cannot be opened or locked, or its last
                complete record is damaged so that the chain cannot continue.
        """
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._finish_rotation()
            created = not self.path.exists()
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
            if created:
                fsync_dir(self.path.parent)
            size = os.fstat(fd).st_size
            if size:
                _repair(fd, size, self.path)
            self._size = os.fstat(fd).st_size
            if self._size:
                tail = _tail_of(self.path, fd, self._size, active=True)
            else:
                rotated = rotated_files(self.path)
                tail = _tail_of(rotated[-1], None, None, active=False) if rotated else new_tail()
        except BaseException as exc:
            os.close(fd)
            if isinstance(exc, AuditWriteError) or not isinstance(exc, OSError):
                raise
            raise _error(self.path, "open the audit log", exc) from exc
        self._fd = fd
        return attrs.evolve(tail, repairs=tuple(_pending_repairs(self.path)))

    def repairs_recorded(self) -> None:
        """Mark the evidence of every torn line as recorded in the chain."""
        for evidence in _evidence_files(self.path):
            with contextlib.suppress(OSError):
                evidence.replace(evidence.with_name(evidence.name.removeprefix(".")))
        with contextlib.suppress(OSError):
            fsync_dir(self.path.parent)

    def abandon(self) -> None:
        """Close the file without syncing (after a failure, or in a forked child)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

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

    def rotated_name(self, segment: int) -> str:
        """The name the active file gets when segment *segment* is rotated."""
        return rotated_name(self.path, segment).name

    def rotate(self, segment: int, first_line: bytes) -> None:
        """Rotate atomically: the next active file, with *first_line*, appears whole or not at all.

        The new file is written and fsynced under a temporary name, then the
        active file is renamed to its rotated name, the new file to the active
        name, and the directory fsynced. A crash between the two renames is
        completed on the next :meth:`open`.

        Raises:
            AuditWriteError: Nothing was renamed (the active file is intact),
                or the rotation could not be completed.
        """
        fd = self._require_open()
        target = rotated_name(self.path, segment)
        partial = self._partial()
        try:
            os.fsync(fd)
            if target.exists():
                raise FileExistsError(0, "a rotated file of that segment exists", str(target))
            new = os.open(partial, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC, self.mode)
        except OSError as exc:
            raise _error(self.path, "rotate", exc) from exc
        try:
            view = memoryview(first_line)
            while view:
                view = view[os.write(new, view) :]
            os.fsync(new)
            if fcntl is not None:
                fcntl.flock(new, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(new)
            with contextlib.suppress(OSError):
                partial.unlink()
            raise _error(self.path, "rotate", exc) from exc
        try:
            self.path.replace(target)
            partial.replace(self.path)
            fsync_dir(self.path.parent)
        except OSError as exc:
            os.close(new)
            raise _error(self.path, "complete the rotation of", exc) from exc
        os.close(fd)
        self._fd = new
        self._size = len(first_line)
        self._since_sync = 0

    def close(self) -> None:
        """fsync (unless ``"never"``) and close the active file."""
        if self._fd is None:
            return
        try:
            self.sync()
        finally:
            os.close(self._fd)
            self._fd = None

    def lines(self) -> Iterator[bytes]:
        """The log's lines, oldest file first (the writer reads them back to check its anchor).

        .. versionadded:: 0.2
        """
        for path in [*rotated_files(self.path), self.path]:
            with path.open("rb") as file:
                yield from file

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


def _evidence_files(path: Path) -> list[Path]:
    pattern = re.compile(r"\." + re.escape(path.name) + r"\.torn-(\d+)")
    found = []
    with contextlib.suppress(FileNotFoundError):
        for entry in path.parent.iterdir():
            match = pattern.fullmatch(entry.name)
            if match:
                found.append((int(match[1]), entry))
    return [entry for _, entry in sorted(found)]


def _pending_repairs(path: Path) -> list[tuple[int, str, str]]:
    """Torn lines cut off but not yet recorded: (length, sha256, evidence name)."""
    repairs = []
    for evidence in _evidence_files(path):
        try:
            data = evidence.read_bytes()
        except OSError as exc:
            raise _error(evidence, "read the repair evidence", exc) from exc
        repairs.append(
            (len(data), hashlib.sha256(data).hexdigest(), evidence.name.removeprefix("."))
        )
    return repairs


def _repair(fd: int, size: int, path: Path) -> None:
    """Cut a torn last line (a crash mid-write) off, after keeping a copy as evidence."""
    if os.pread(fd, 1, size - 1) == b"\n":
        return
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
    evidence = path.with_name(f".{path.name}.torn-{cut}")
    try:
        # The evidence is durable before the cut: a crash in between loses nothing.
        out = os.open(evidence, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o640)
        try:
            view = memoryview(torn)
            while view:
                view = view[os.write(out, view) :]
            os.fsync(out)
        finally:
            os.close(out)
        fsync_dir(path.parent)
        os.ftruncate(fd, cut)
        os.fsync(fd)
    except OSError as exc:
        raise _error(path, "repair the torn last line of", exc) from exc


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


def _intact(line: bytes) -> tuple[int, str, str] | None:
    """Sequence number, prev and hash of an intact record line (without newline)."""
    head = HEAD.match(line)
    tail = TAIL.search(line)
    if (
        head is None
        or tail is None
        or hashlib.sha256(line[:-HASH_SUFFIX_LEN]).hexdigest() != tail[1].decode()
    ):
        return None
    return int(head[1]), head[2].decode(), tail[1].decode()


def _cannot_continue(path: Path, why: str) -> AuditWriteError:
    return AuditWriteError(
        f"the audit log {path} {why}, so its chain cannot be continued; run "
        "'secpolicy audit verify' and move the file aside"
    )


def _frontier(record: dict[str, Any], seq: int, path: Path) -> CompactRange:
    try:
        return CompactRange.from_hex(seq, record["frontier"])
    except (KeyError, TypeError, ValueError):
        raise _cannot_continue(path, f"has no valid Merkle frontier in record {seq}") from None


def _signed_root(note: str) -> bytes | None:
    """The root a checkpoint note states (its signature is checked against the anchor)."""
    try:
        return Checkpoint.parse(note).root
    except CheckpointError:
        return None


def _scan_back(
    path: Path, fd: int, size: int
) -> tuple[CompactRange, tuple[int, str, tuple[str, str]] | None]:
    """The Merkle state at the file's end and its last checkpoint (if after the segment)."""
    later: list[bytes] = []
    links: list[tuple[int, str, str]] = []
    checkpoint: tuple[int, str, tuple[str, str]] | None = None
    for line in _lines_backwards(fd, size):
        found = _intact(line)
        if found is None:
            raise _cannot_continue(path, "has a damaged record near its end")
        seq, prev, digest = found
        kind = HEAD.match(line)[3]  # type: ignore[index]  # _intact matched it
        if kind in (b"checkpoint", b"segment"):
            record = _parse(line, path, "checkpoint" if kind == b"checkpoint" else "segment")
            tree = _frontier(record, seq, path)
            if kind == b"checkpoint":
                note = record.get("checkpoint")
                if not isinstance(note, str):
                    raise _cannot_continue(path, f"has a malformed checkpoint {seq}")
                # The frontier is not signed: continuing from one that does not give the
                # signed root would seal a tree that does not extend the anchored one.
                if _signed_root(note) != tree.root():
                    raise _cannot_continue(
                        path,
                        f"has a checkpoint {seq} whose Merkle frontier does not give its "
                        "signed root",
                    )
                checkpoint = (seq, note, (prev, digest))
            _check_links(path, (seq, digest), reversed(links))
            tree.append(leaf_hash(line))
            for after in reversed(later):
                tree.append(leaf_hash(after))
            return tree, checkpoint
        later.append(line)
        links.append(found)
    raise _cannot_continue(path, "has no segment record")  # pragma: no cover - checked before


def _check_links(
    path: Path, start: tuple[int, str], records: Iterable[tuple[int, str, str]]
) -> None:
    """Refuse a tail whose records do not follow each other (seq and previous hash).

    Nothing seals the records after the last checkpoint yet: a writer that
    continued a tail whose chain is broken would seal the break.
    """
    seq, digest = start
    for number, prev, own in records:
        if number != seq + 1 or prev != digest:
            raise _cannot_continue(
                path, f"has records after its last checkpoint whose chain breaks at record {number}"
            )
        seq, digest = number, own


def _first_unsealed(
    path: Path,
    first: bytes,
    checkpoint: tuple[int, str, tuple[str, str]] | None,
    checkpoint_file: str | None,
) -> int:
    """The sequence number of the first record no checkpoint covers."""
    if checkpoint is None:
        return 0  # nothing was ever sealed: the whole log is the writer's word
    if checkpoint_file == path.name:
        return checkpoint[0] + 1
    # Sealed in the rotated file: this file's segment record was checked against it.
    head = HEAD.match(first)
    return int(head[1]) + 1 if head is not None else 0


def _tail_of(path: Path, fd: int | None, size: int | None, *, active: bool) -> Tail:
    """Read the segment record, the Merkle state and the last checkpoint of a log file."""
    own = fd is None
    try:
        if fd is None:
            fd = os.open(path, os.O_RDONLY)
        size = size if size is not None else os.fstat(fd).st_size
        first = _first_line(fd)
        last = next(_lines_backwards(fd, size), b"")
        segment_record = _parse(first, path, "first")
        found = _intact(last)
        if segment_record.get("kind") != "segment" or found is None:
            raise _cannot_continue(
                path, "does not end with an intact record or does not begin with a segment record"
            )
        tree, checkpoint = _scan_back(path, fd, size)
    except OSError as exc:
        if isinstance(exc, AuditWriteError):
            raise
        raise _error(path, "read the tail of", exc) from exc
    finally:
        if own and fd is not None:
            os.close(fd)
    segment = segment_record.get("segment")
    log_id = segment_record.get("log_id")
    if not isinstance(segment, int) or not isinstance(log_id, str):
        raise AuditWriteError(f"the segment record of {path} is malformed")
    checkpoint_file = path.name if checkpoint is not None else None
    if checkpoint is None and active:
        # The active file has no checkpoint yet: the rotated file before it ends with one.
        rotated = rotated_files(path)
        if rotated:
            previous = _tail_of(rotated[-1], None, None, active=False)
            head = HEAD.match(first)
            begins = int(head[1]) if head is not None else -1
            if begins != previous.seq or _frontier(segment_record, begins, path) != previous.tree:
                # The segment's frontier is not signed yet: it must be the tree the
                # rotated file (sealed up to its last checkpoint) ends with.
                raise _cannot_continue(
                    path,
                    "begins with a segment whose Merkle frontier is not the tree its "
                    f"rotated file {rotated[-1].name} ends with",
                )
            checkpoint, checkpoint_file = previous.checkpoint, previous.checkpoint_file
    seq, _, digest = found
    first_unsealed = _first_unsealed(path, first, checkpoint, checkpoint_file)
    return Tail(
        log_id=log_id,
        seq=seq + 1,
        prev=digest,
        segment=segment if active else segment + 1,
        segment_started=parse_time(segment_record["time"]) if active else None,
        needs_segment=not active,
        tree=tree,
        checkpoint=checkpoint,
        checkpoint_file=checkpoint_file,
        unvouched=(first_unsealed, seq) if first_unsealed <= seq else None,
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

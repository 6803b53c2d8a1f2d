"""The chain writer: sequence numbers, hash chain, Merkle checkpoints, rotation, anchors.

Everything that orders records happens under one lock, together with the
write: the sequence number, the previous hash, the line's own hash, the
Merkle tree and the call to the sink. The chain state advances only after the
sink accepted the line; after a write or fsync error the writer refuses
everything until the log is reopened (which repairs the file and records the
repair), so a sequence number is never used twice.

Anchoring happens outside the lock, with a timeout. Its semantics are
at-least-once: when a call raises :class:`~secpolicy.exceptions.AuditWriteError`
because the checkpoint it triggered could not be anchored, its own record is
already in the log. Until the anchor store takes the pending checkpoint, every
later call fails before writing anything (fail closed).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time as _time
import uuid
import weakref
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from secpolicy._clock import Clock, SystemClock
from secpolicy.audit._anchor import Anchor, AnchorStore
from secpolicy.audit._chain import (
    SigningKey,
    VerifyKey,
    frame,
    key_algorithm,
    key_id,
    render_body,
)
from secpolicy.audit._event import format_time
from secpolicy.audit._merkle import CompactRange, leaf_hash
from secpolicy.audit._note import Checkpoint, CheckpointError, make_checkpoint, verify_checkpoint
from secpolicy.audit._sinks import FileSink, Sink, Tail, new_tail
from secpolicy.exceptions import ArgumentTypeError, AuditWriteError, InvalidArgumentError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from datetime import datetime

__all__ = ["AnchorMismatch", "ChainWriter", "WriterForked"]


_TORN_REASON: Final = "torn last line removed on reopening (a crash during a write)"
_UNVOUCHED_REASON: Final = (
    "records after the last checkpoint when the log was reopened: the writer that wrote them "
    "did not seal them (a crash, a kill, or records added to the file by someone else), so "
    "the checkpoints that follow do not vouch for them"
)
_ANCHOR_TIMEOUT: Final = timedelta(seconds=10)


class AnchorMismatch(AuditWriteError):  # noqa: N818 (states what was found)
    """The log on disk does not continue its newest anchor: nothing was written.

    Raised when a writer opens a log whose end is behind the newest checkpoint
    in the anchor store (records were cut off, or an older copy was restored),
    or whose last checkpoint differs from the anchored one (the log was
    replaced). Continuing such a log would launder the cut; move the file
    aside, run ``secpolicy audit verify --anchor`` and start a new log.

    .. versionadded:: 0.2
    """

    __module__ = "secpolicy.audit"


class WriterForked(AuditWriteError):  # noqa: N818 (states what was found)
    """An audit logger was used in a process forked from the one that opened it.

    A forked child shares the parent's file descriptor and lock: two
    processes appending to one chain would fork it. Open a logger (with its
    own file) in each child after the fork.

    .. versionadded:: 0.2
    """

    __module__ = "secpolicy.audit"


def _sink_error(sink: object, doing: str, exc: Exception) -> AuditWriteError:
    """A sink's own exception (a custom sink may raise anything) as the library's error."""
    message = (
        f"the audit sink {sink!r} failed {doing} ({type(exc).__name__}); the logger refuses "
        "every call until the log is reopened"
    )
    errno = getattr(exc, "errno", None)
    return AuditWriteError(errno, message) if isinstance(errno, int) else AuditWriteError(message)


def _text_of(anchor: Anchor) -> str:
    """The signed text of an anchored note (a malformed one is refused)."""
    try:
        return Checkpoint.parse(anchor.note).text
    except CheckpointError:
        raise AnchorMismatch(
            f"the newest anchor of log {anchor.log_id} (checkpoint {anchor.seq}) is not a "
            "checkpoint note: the anchor store is damaged; nothing was written"
        ) from None


def _root_of(anchor: Anchor) -> bytes:
    """The signed root of an anchored note (a malformed one is refused)."""
    try:
        return Checkpoint.parse(anchor.note).root
    except CheckpointError:
        raise AnchorMismatch(
            f"the newest anchor of log {anchor.log_id} (checkpoint {anchor.seq}) is not a "
            "checkpoint note: the anchor store is damaged; nothing was written"
        ) from None


def _body(values: Mapping[str, Any]) -> str:
    return render_body(values)


def _opened(sink: Sink) -> Tail:
    """Open *sink*; whatever it raises becomes an :class:`AuditWriteError`."""
    try:
        tail = sink.open()
    except AuditWriteError:
        raise
    except Exception as exc:
        raise _sink_error(sink, "opening", exc) from exc
    if tail is not None and not isinstance(tail, Tail):
        raise AuditWriteError(f"the audit sink {sink!r} returned {type(tail).__name__}, not a Tail")
    return tail or new_tail()


def _closed(sink: Sink) -> None:
    try:
        sink.close()
    except AuditWriteError:
        raise
    except Exception as exc:
        raise _sink_error(sink, "closing", exc) from exc


_WRITERS: weakref.WeakSet[ChainWriter] = weakref.WeakSet()


def _after_fork_in_child() -> None:  # pragma: no cover - runs in a forked child
    for writer in list(_WRITERS):
        writer._forked = True  # noqa: SLF001 (module-private hook)


if hasattr(os, "register_at_fork"):  # pragma: no branch - POSIX
    os.register_at_fork(after_in_child=_after_fork_in_child)


class ChainWriter:
    """Writes chained records to a sink and seals them with checkpoints.

    Not public: :class:`~secpolicy.audit.AuditLogger` builds one. Thread-safe.

    Args:
        sink: The primary sink; its failures fail the call.
        key: The checkpoint signing key.
        anchor: Where checkpoints are copied, if anywhere.
        checkpoint_every: Seal after this many records.
        checkpoint_interval: Seal records older than this (on the next write,
            or from a background thread with *seal_idle*).
        clock: The time source of the records.
        mirrors: More sinks that receive every line after the primary; a
            mirror's failure is recorded in the chain, not raised.
        seal_idle: Run a daemon thread that seals idle logs after
            *checkpoint_interval*.
        on_record: Called with ``(seq, hash, record)`` after every event record
            is written (the pytest plugin's capture uses it).
        monotonic: Seconds on a clock that never steps back, for intervals;
            ``time.monotonic`` without a *clock*, else the clock's timestamps
            (so tests that move a frozen clock move intervals too).
        anchor_timeout: How long an anchor ``put`` may take before it counts
            as failed.
        previous_keys: The verification keys of this log's earlier signing
            keys (after a key rotation): a last checkpoint they signed that
            the anchor store missed is anchored on opening, instead of being
            refused as unsigned.
        lifecycle_events: Write an ``audit.start`` event when the log is opened
            and an ``audit.stop`` event when it is closed (PCI DSS 10.2.1.6).
    """

    def __init__(  # noqa: PLR0912, PLR0915 (one constructor for every option)
        self,
        sink: Sink,
        *,
        key: SigningKey,
        anchor: AnchorStore | None = None,
        checkpoint_every: int = 1000,
        checkpoint_interval: timedelta | None = timedelta(seconds=60),
        clock: Clock | None = None,
        mirrors: Sequence[Sink] = (),
        seal_idle: bool = True,
        on_record: Callable[[int, str, dict[str, Any]], None] | None = None,
        monotonic: Callable[[], float] | None = None,
        anchor_timeout: timedelta = _ANCHOR_TIMEOUT,
        previous_keys: Sequence[VerifyKey] = (),
        lifecycle_events: bool = True,
    ) -> None:
        if checkpoint_every < 1:
            raise InvalidArgumentError(
                f"checkpoint_every must be at least 1, not {checkpoint_every}"
            )
        if checkpoint_interval is not None and checkpoint_interval <= timedelta(0):
            raise InvalidArgumentError("checkpoint_interval must be positive")
        if anchor_timeout <= timedelta(0):
            raise InvalidArgumentError("anchor_timeout must be positive")
        self._alg = key_algorithm(key)
        if isinstance(key, Ed25519PublicKey):
            raise ArgumentTypeError("a public key cannot sign checkpoints; pass the private key")
        self._key = key
        self._key_id = key_id(key)
        if isinstance(previous_keys, (bytes, Ed25519PrivateKey, Ed25519PublicKey)):
            previous_keys = [previous_keys]
        self._previous_keys = tuple(previous_keys)
        for previous in self._previous_keys:
            key_id(previous)  # rejects what is not a key, naming the problem
        self.sink = sink
        self.anchor = anchor
        self.checkpoint_every = checkpoint_every
        self.checkpoint_interval = checkpoint_interval
        self._interval = (
            None if checkpoint_interval is None else checkpoint_interval.total_seconds()
        )
        self._anchor_timeout = anchor_timeout.total_seconds()
        self._clock = clock if clock is not None else SystemClock()
        if monotonic is None:
            monotonic = _time.monotonic if clock is None else self._clock_seconds
        self._monotonic = monotonic
        self._mirrors = tuple(mirrors)
        self._mirror_failing = [False] * len(self._mirrors)
        self._on_record = on_record
        self._lifecycle = lifecycle_events
        self._lock = threading.Lock()
        self._closed = False
        self._failed: str | None = None
        self._forked = False
        self._pid = os.getpid()
        self._pending: list[Anchor] = []
        self._stop = threading.Event()
        self._sealer: threading.Thread | None = None
        opened = False
        try:
            tail = _opened(sink)
            opened = True
            for mirror in self._mirrors:
                _opened(mirror)
            self.log_id = tail.log_id or uuid.uuid4().hex
            self._seq = tail.seq
            self._prev = tail.prev
            self._tree = tail.tree.copy() if tail.tree is not None else CompactRange()
            if self._tree.size != self._seq:
                raise AuditWriteError(  # noqa: TRY301 (the handler below releases the sink)
                    f"the Merkle state of {sink!r} covers {self._tree.size} records, "
                    f"not {self._seq}: the log cannot be continued"
                )
            self._segment = tail.segment
            self._segment_started = tail.segment_started
            self._check_anchor(tail)
            now = self._clock.now()
            self._last_checkpoint = self._monotonic()
            self._unsealed = 0
            self._rotating = isinstance(sink, FileSink) and (
                sink.rotate_bytes is not None or sink.rotate_every is not None
            )
            with self._lock:
                if tail.needs_segment:
                    self._start_segment(now, previous=None)
                for length, digest, evidence in tail.repairs:
                    self._append(
                        "repair",
                        _body(
                            {
                                "time": format_time(now),
                                "reason": _TORN_REASON,
                                "removed_bytes": length,
                                "removed_sha256": digest,
                                "evidence": evidence,
                            }
                        ),
                    )
                if tail.repairs and isinstance(sink, FileSink):
                    sink.sync()
                    sink.repairs_recorded()
                if tail.log_id is not None and tail.unvouched is not None:
                    self._append("unvouched", self._unvouched_body(now, *tail.unvouched))
                if lifecycle_events:
                    how = "reopened" if tail.log_id is not None else "created"
                    self._append("event", self._lifecycle_body(now, "audit.start", how))
        except BaseException:
            if opened:
                with contextlib.suppress(Exception):
                    sink.abandon() if isinstance(sink, FileSink) else sink.close()
            for mirror in self._mirrors:
                with contextlib.suppress(Exception):
                    mirror.close()
            raise
        _WRITERS.add(self)
        if seal_idle and checkpoint_interval is not None:
            self._sealer = threading.Thread(
                target=self._seal_loop, name="secpolicy-audit-sealer", daemon=True
            )
            self._sealer.start()

    def _clock_seconds(self) -> float:
        return self._clock.now().timestamp()

    # -- opening --------------------------------------------------------------

    def _check_anchor(self, tail: Tail) -> None:
        """Refuse a log behind its newest anchor; re-anchor a checkpoint the store missed."""
        checkpoint: Checkpoint | None = None
        if tail.checkpoint is not None:
            seq, note, _ = tail.checkpoint
            try:
                checkpoint = Checkpoint.parse(note)
            except CheckpointError:
                raise AuditWriteError(
                    f"the last checkpoint of {self.sink!r} (record {seq}) is malformed: "
                    "the log cannot be continued; run 'secpolicy audit verify'"
                ) from None
            if checkpoint.size != seq or checkpoint.log_id != self.log_id:
                raise AnchorMismatch(
                    f"the last checkpoint of {self.sink!r} does not match its place in the log"
                )
        if self.anchor is None:
            if checkpoint is not None:
                # Nothing else vouches for the log: the writer's own key must have sealed it,
                # or a rewritten log topped with a forged checkpoint would be sealed for real.
                self._signed(checkpoint)
            return
        if tail.log_id is None:
            return
        try:
            latest = self.anchor.latest(self.log_id)
        except Exception as exc:
            raise AuditWriteError(
                f"cannot read the newest anchor of log {self.log_id}: {type(exc).__name__}"
            ) from exc
        if latest is None:
            if checkpoint is not None:
                self._pending.append(self._anchor_of(*self._signed(checkpoint), tail))
            return
        if checkpoint is None or checkpoint.size < latest.seq:
            raise AnchorMismatch(
                f"the log {self.sink!r} ends at record {tail.seq - 1} but its anchor store holds "
                f"checkpoint {latest.seq} of {latest.time}: sealed records were cut off or an "
                "older copy was restored; nothing was written"
            )
        if checkpoint.size == latest.seq:
            if _text_of(latest) != checkpoint.text:
                raise AnchorMismatch(
                    f"checkpoint {latest.seq} of {self.sink!r} differs from its anchored copy: "
                    "the log was replaced; nothing was written"
                )
            return
        # The store missed the newest checkpoint (an anchor failure before a restart).
        signed, signer = self._signed(checkpoint)
        self._require_extends(latest, signed)
        self._pending.append(self._anchor_of(signed, signer, tail))

    def _require_extends(self, latest: Anchor, checkpoint: Checkpoint) -> None:
        """Refuse a log whose records do not give both *latest*'s root and *checkpoint*'s.

        The last checkpoint is signed, but a signature does not say which
        history it seals: a copy that forked from the anchored history (an old
        backup continued while the store was down) is signed too. Reading the
        log back and finding the anchored root at the anchored size *and* the
        signed root at the last checkpoint's size shows that the signed tree
        extends the anchored one (a consistency check). A pruned log is read
        from the frontier of its oldest kept file; a sink that cannot read its
        records back cannot show it, and its log is not continued.
        """
        from secpolicy.audit._proofs import LogTree, ProofUnavailable  # noqa: PLC0415 (rare path)

        lines = getattr(self.sink, "lines", None)
        if not callable(lines):
            raise AnchorMismatch(
                f"the anchor store missed checkpoint {checkpoint.size} of {self.sink!r}, and the "
                "sink cannot read its records back (it has no lines() method), so the writer "
                f"cannot check that the log extends anchored checkpoint {latest.seq}; "
                "nothing was written"
            )
        anchored_root = _root_of(latest)
        fork = AnchorMismatch(
            f"the log {self.sink!r} does not contain its anchored checkpoint {latest.seq} of "
            f"{latest.time}: it forked from the anchored history; nothing was written"
        )
        try:
            tree = LogTree.from_lines(lines())
        except CheckpointError:
            raise fork from None
        except AuditWriteError:
            raise
        except Exception as exc:  # a custom sink's reader may raise anything
            raise _sink_error(self.sink, "reading its records back", exc) from exc
        try:
            if tree.size < checkpoint.size or tree.root(checkpoint.size) != checkpoint.root:
                raise fork
            extends = tree.root(latest.seq) == anchored_root
        except ProofUnavailable:
            raise AnchorMismatch(
                f"anchored checkpoint {latest.seq} of {self.sink!r} lies in records that were "
                f"pruned (the log begins at record {tree.begins}) and the store holds nothing "
                "newer, so the log cannot be shown to extend it; nothing was written"
            ) from None
        if not extends:
            raise fork

    def _signed(self, checkpoint: Checkpoint) -> tuple[Checkpoint, VerifyKey]:
        """*checkpoint*, which the store has not seen, and the key that signed it.

        Anything can be written after the anchored records: a log cut behind
        its anchor and topped with a forged checkpoint past it must not be
        continued, nor the forgery anchored. The writer's key or one of its
        *previous_keys* (after a key rotation) must have signed it.
        """
        for key in (self._key, *self._previous_keys):
            try:
                return verify_checkpoint(checkpoint.note, key=key), key
            except CheckpointError:
                continue
        rotated = (
            ""
            if self._previous_keys
            else " (if the signing key was rotated, pass the earlier key as previous_keys=)"
        )
        where = (
            "it has no anchor store" if self.anchor is None else "its anchor store does not hold it"
        )
        raise AnchorMismatch(
            f"the last checkpoint of {self.sink!r} (record {checkpoint.size}) is not "
            f"signed by this writer's key{rotated} and {where}: the "
            "log may have been cut and forged; nothing was written"
        )

    def _anchor_of(self, checkpoint: Checkpoint, signer: VerifyKey, tail: Tail) -> Anchor:
        assert tail.checkpoint is not None  # noqa: S101 (only called with one)
        seq, _, (head, digest) = tail.checkpoint
        return Anchor(
            log_id=self.log_id,
            seq=seq,
            head=head,
            hash=digest,
            time=checkpoint.time,
            alg=key_algorithm(signer),
            key_id=key_id(signer),
            root=checkpoint.root.hex(),
            note=checkpoint.note,
            file=tail.checkpoint_file or str(getattr(self.sink, "name", "")),
        )

    # -- the public operations of the logger --------------------------------

    def audit(self, record: dict[str, Any], body: str) -> None:
        """Write one event record (*body* is its JSON text without braces).

        Raises:
            AuditWriteError: It could not be written or made durable as the
                sink's policy requires, or the checkpoint it triggered could
                not be anchored (then the record *was* written: at-least-once).
        """
        if self._pending:
            self._flush_anchors()
        with self._lock:
            self._require_writable()
            # The writer's own time is read only where it is written: a
            # rotation's segment record and a checkpoint.
            now = None
            if self._rotating:
                now = self._clock.now()
                if self.sink.rotation_due(now, self._segment_started):  # type: ignore[attr-defined]
                    self._rotate(now)
            seq, digest = self._append("event", body)
            if self._unsealed >= self.checkpoint_every or self._interval_passed():
                self._checkpoint(self._clock.now() if now is None else now)
        if self._pending:
            self._flush_anchors()
        if self._on_record is not None:
            self._on_record(seq, digest, record)

    def record(self, kind: str, values: Mapping[str, Any]) -> tuple[int, str]:
        """Write one record of the log's own (``prune``, ...) and seal it."""
        if self._pending:
            self._flush_anchors()
        with self._lock:
            self._require_writable()
            now = self._clock.now()
            written = self._append(kind, _body({"time": format_time(now), **values}))
            self._checkpoint(now)
        self._flush_anchors()
        return written

    def checkpoint(self) -> None:
        """Seal every record written so far (no-op if nothing is unsealed) and anchor it."""
        with self._lock:
            self._require_writable()
            if self._unsealed:
                self._checkpoint(self._clock.now())
        self._flush_anchors()

    def close(self) -> None:
        """Seal, fsync, anchor and close. Idempotent.

        Raises:
            AuditWriteError: The final checkpoint could not be written or
                anchored (the file is closed all the same).
        """
        self._stop.set()
        if self._sealer is not None and self._sealer is not threading.current_thread():
            self._sealer.join()
        with self._lock:
            if self._closed:
                return
            if self._forked or os.getpid() != self._pid:
                # A child must not seal, sync or truncate its parent's log.
                self._closed = True
                with contextlib.suppress(Exception):
                    self.sink.abandon() if isinstance(self.sink, FileSink) else None
                return
            try:
                if self._failed is None:
                    now = self._clock.now()
                    if self._lifecycle:
                        self._append("event", self._lifecycle_body(now, "audit.stop", "closed"))
                    if self._unsealed:
                        self._checkpoint(now)
            finally:
                self._closed = True
                if self._failed is None:
                    _closed(self.sink)
                else:
                    with contextlib.suppress(Exception):
                        self.sink.abandon() if isinstance(
                            self.sink, FileSink
                        ) else self.sink.close()
                for mirror in self._mirrors:
                    with contextlib.suppress(Exception):
                        mirror.close()
        self._flush_anchors()

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return self._closed

    @property
    def failed(self) -> str | None:
        """Why the writer stopped after a write error, or None."""
        return self._failed

    @property
    def next_seq(self) -> int:
        """The sequence number the next record will get."""
        return self._seq

    @property
    def head(self) -> str:
        """The hash of the last record written."""
        return self._prev

    @property
    def unsealed(self) -> int:
        """How many records were written since the last checkpoint."""
        return self._unsealed

    @property
    def pending_anchors(self) -> int:
        """Checkpoints written but not yet taken by the anchor store."""
        return len(self._pending)

    # -- anchoring, outside the lock -------------------------------------------

    def _flush_anchors(self) -> None:
        """Hand pending checkpoints to the anchor store, oldest first.

        Raises:
            AuditWriteError: The store failed or timed out; they stay pending.
        """
        store = self.anchor
        while self._pending and store is not None:
            anchor = self._pending[0]
            self._put(store, anchor)
            with self._lock:
                if self._pending and self._pending[0] is anchor:
                    del self._pending[0]

    def _put(self, store: AnchorStore, anchor: Anchor) -> None:
        outcome: list[BaseException | None] = []

        def put() -> None:
            try:
                store.put(anchor)
            except BaseException as exc:  # noqa: BLE001 (handed to the caller below)
                outcome.append(exc)
            else:
                outcome.append(None)

        worker = threading.Thread(target=put, name="secpolicy-audit-anchor", daemon=True)
        worker.start()
        worker.join(self._anchor_timeout)
        if not outcome:
            raise AuditWriteError(
                f"anchoring checkpoint {anchor.seq} of log {anchor.log_id} timed out after "
                f"{self._anchor_timeout:g} s; later records are refused until it succeeds"
            )
        error = outcome[0]
        if error is None:
            return
        if isinstance(error, AuditWriteError):
            raise error
        message = (
            f"cannot anchor checkpoint {anchor.seq} of log {anchor.log_id}: "
            f"{type(error).__name__}; later records are refused until it succeeds"
        )
        errno = getattr(error, "errno", None)
        raise (AuditWriteError(errno, message) if errno else AuditWriteError(message)) from error

    # -- under the lock -------------------------------------------------------

    def _require_writable(self) -> None:
        if self._forked or os.getpid() != self._pid:
            self._forked = True
            raise WriterForked(
                "this audit logger was opened in another process (before a fork); "
                "open one in each worker process, each with its own file"
            )
        if self._closed:
            raise AuditWriteError("the audit logger is closed")
        if self._failed is not None:
            raise AuditWriteError(
                f"the audit logger stopped after a write error ({self._failed}); "
                "reopen the log to repair it and continue"
            )

    def _interval_passed(self) -> bool:
        if self._interval is None:
            return False
        elapsed = self._monotonic() - self._last_checkpoint
        # A clock that stepped back (an injected wall clock) seals now rather than stalling.
        return elapsed >= self._interval or elapsed < 0

    def _commit(self, kind: str, body: str, write: Callable[[bytes], None]) -> tuple[int, str]:
        """Frame a record, hand it to *write*, and only then advance the chain."""
        seq = self._seq
        line, digest = frame(seq, self._prev, kind, body)
        try:
            write(line)
        except BaseException as exc:
            self._failed = f"{type(exc).__name__} writing record {seq}"
            if isinstance(exc, AuditWriteError) or not isinstance(exc, Exception):
                raise
            raise _sink_error(self.sink, f"writing record {seq}", exc) from exc
        self._seq = seq + 1
        self._prev = digest
        self._tree.append(leaf_hash(line[:-1]))
        self._unsealed += 1
        if self._mirrors:
            for index, mirror in enumerate(self._mirrors):
                self._mirror(index, mirror, line)
        return seq, digest

    def _append(self, kind: str, body: str) -> tuple[int, str]:
        return self._commit(kind, body, self.sink.write)

    def _mirror(self, index: int, mirror: Sink, line: bytes) -> None:
        try:
            mirror.write(line)
        except Exception as exc:  # noqa: BLE001 (a mirror must never fail the primary write)
            if not self._mirror_failing[index]:
                self._mirror_failing[index] = True
                self._append(
                    "sink_error",
                    _body(
                        {
                            "time": format_time(self._clock.now()),
                            "sink": repr(mirror),
                            "error": type(exc).__name__,
                            "first_missing_seq": self._seq - 1,
                        }
                    ),
                )
        else:
            self._mirror_failing[index] = False

    def _sync(self) -> None:
        if isinstance(self.sink, FileSink):
            try:
                self.sink.sync()
            except BaseException as exc:
                self._failed = f"{type(exc).__name__} syncing record {self._seq - 1}"
                raise

    def _checkpoint(self, now: datetime) -> None:
        time = format_time(now)
        seq, head = self._seq, self._prev
        root = self._tree.root()
        checkpoint = make_checkpoint(
            log_id=self.log_id, size=seq, root=root, time=time, key=self._key
        )
        values = {
            "time": time,
            "log_id": self.log_id,
            "root": root.hex(),
            "frontier": self._tree.to_hex(),
            "checkpoint": checkpoint.note,
        }
        _, digest = self._append("checkpoint", _body(values))
        self._sync()
        self._unsealed = 0
        self._last_checkpoint = self._monotonic()
        if self.anchor is not None:
            self._pending.append(
                Anchor(
                    log_id=self.log_id,
                    seq=seq,
                    head=head,
                    hash=digest,
                    time=time,
                    alg=self._alg,
                    key_id=self._key_id,
                    root=root.hex(),
                    note=checkpoint.note,
                    file=getattr(self.sink, "name", ""),
                )
            )

    def _unvouched_body(self, now: datetime, first: int, last: int) -> str:
        """The writer's statement that it found records it cannot vouch for."""
        return _body(
            {
                "time": format_time(now),
                "from_seq": first,
                "to_seq": last,
                "count": last - first + 1,
                "reason": _UNVOUCHED_REASON,
            }
        )

    def _lifecycle_body(self, now: datetime, action: str, how: str) -> str:
        """An ``audit.start``/``audit.stop`` event, shaped as the logger shapes events."""
        key = "opened" if action == "audit.start" else "reason"
        return _body(
            {
                "time": format_time(now),
                "action": action,
                "outcome": "success",
                "data": {"log_id": self.log_id, key: how},
            }
        )

    def _segment_body(self, now: datetime, previous: str | None) -> str:
        values: dict[str, Any] = {
            "time": format_time(now),
            "log_id": self.log_id,
            "segment": self._segment,
            "frontier": self._tree.to_hex(),
        }
        if previous is not None:
            values["previous_file"] = previous
        return _body(values)

    def _start_segment(self, now: datetime, previous: str | None) -> None:
        self._append("segment", self._segment_body(now, previous))
        self._segment_started = now

    def _rotate(self, now: datetime) -> None:
        sink = self.sink
        if not isinstance(sink, FileSink):  # pragma: no cover - _rotating is False then
            raise ArgumentTypeError("only file sinks rotate")
        self._checkpoint(now)
        segment = self._segment
        self._segment += 1
        previous = sink.rotated_name(segment)

        def write(line: bytes) -> None:
            sink.rotate(segment, line)

        try:
            self._commit("segment", self._segment_body(now, previous), write)
        except BaseException:
            self._segment = segment
            raise
        self._segment_started = now

    def _seal_loop(self) -> None:
        if self._interval is None:  # pragma: no cover - not started then
            return
        while not self._stop.wait(self._interval):
            try:
                with self._lock:
                    if self._closed or self._forked or self._failed is not None:
                        return
                    if self._unsealed and not self._pending and self._interval_passed():
                        self._checkpoint(self._clock.now())
                self._flush_anchors()
            except Exception:  # noqa: BLE001, S112 (shows again on the next write, which fails closed)
                continue

    def __repr__(self) -> str:
        return f"ChainWriter({self.sink!r}, next_seq={self._seq}, alg={self._alg!r})"

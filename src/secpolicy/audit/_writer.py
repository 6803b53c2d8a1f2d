"""The chain writer: sequence numbers, hash chain, checkpoints, rotation, anchors.

Everything that orders records happens under one lock, together with the
write: the sequence number, the previous hash, the line's own hash and the
call to the sink. A chain built in a structlog processor, outside the write's
lock, breaks as soon as two threads log at once.
"""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from secpolicy._clock import Clock, SystemClock
from secpolicy.audit._anchor import Anchor, AnchorStore
from secpolicy.audit._chain import (
    GENESIS,
    SigningKey,
    checkpoint_message,
    frame,
    key_algorithm,
    key_id,
    sign,
)
from secpolicy.audit._event import format_time
from secpolicy.audit._sinks import FileSink, Sink, Tail
from secpolicy.exceptions import AuditWriteError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

__all__ = ["ChainWriter"]

_DUMPS: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


_TORN_REASON: Final = "torn last line removed on reopening (a crash during a write)"


def _body(values: Mapping[str, Any]) -> str:
    return _DUMPS(values)[1:-1]


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
        clock: The time source.
        mirrors: More sinks that receive every line after the primary; a
            mirror's failure is recorded in the chain, not raised.
        seal_idle: Run a daemon thread that seals idle logs after
            *checkpoint_interval*.
        on_record: Called with ``(seq, hash, record)`` after every event record
            is written (the pytest plugin's capture uses it).
    """

    def __init__(
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
    ) -> None:
        if checkpoint_every < 1:
            raise ValueError(f"checkpoint_every must be at least 1, not {checkpoint_every}")
        if checkpoint_interval is not None and checkpoint_interval <= timedelta(0):
            raise ValueError("checkpoint_interval must be positive")
        self._alg = key_algorithm(key)
        if isinstance(key, Ed25519PublicKey):
            raise TypeError("a public key cannot sign checkpoints; pass the private key")
        self._key = key
        self._key_id = key_id(key)
        self.sink = sink
        self.anchor = anchor
        self.checkpoint_every = checkpoint_every
        self.checkpoint_interval = checkpoint_interval
        self._clock = clock if clock is not None else SystemClock()
        self._mirrors = tuple(mirrors)
        self._mirror_failing = [False] * len(self._mirrors)
        self._on_record = on_record
        self._lock = threading.Lock()
        self._closed = False
        tail = sink.open() or Tail(None, 0, GENESIS, 0, None, needs_segment=True)
        for mirror in self._mirrors:
            mirror.open()
        self.log_id = tail.log_id or uuid.uuid4().hex
        self._seq = tail.seq
        self._prev = tail.prev
        self._segment = tail.segment
        self._segment_started = tail.segment_started
        now = self._clock.now()
        self._last_checkpoint = now
        self._seal_at = None if checkpoint_interval is None else now + checkpoint_interval
        self._rotating = isinstance(sink, FileSink) and (
            sink.rotate_bytes is not None or sink.rotate_every is not None
        )
        self._unsealed = 0
        with self._lock:
            if tail.needs_segment:
                self._start_segment(now, previous=None)
            if tail.torn is not None:
                length, digest = tail.torn
                self._append(
                    "repair",
                    _body(
                        {
                            "time": format_time(now),
                            "reason": _TORN_REASON,
                            "removed_bytes": length,
                            "removed_sha256": digest,
                        }
                    ),
                )
        self._stop = threading.Event()
        self._sealer: threading.Thread | None = None
        if seal_idle and checkpoint_interval is not None:
            self._sealer = threading.Thread(
                target=self._seal_loop, name="secpolicy-audit-sealer", daemon=True
            )
            self._sealer.start()

    # -- the public operations of the logger --------------------------------

    def audit(self, record: dict[str, Any], body: str) -> None:
        """Write one event record (*body* is its JSON text without braces).

        Raises:
            AuditWriteError: It could not be written or made durable as the
                sink's policy requires; nothing is half-written.
        """
        with self._lock:
            if self._closed:
                self._require_open()
            now = self._clock.now()
            if self._rotating and self.sink.rotation_due(now, self._segment_started):  # type: ignore[attr-defined]
                self._rotate(now)
            seq, digest = self._append("event", body)
            if self._unsealed >= self.checkpoint_every or (
                self._seal_at is not None and now >= self._seal_at
            ):
                self._checkpoint(now)
        if self._on_record is not None:
            self._on_record(seq, digest, record)

    def record(self, kind: str, values: Mapping[str, Any]) -> tuple[int, str]:
        """Write one record of the log's own (``prune``, ...) and seal it."""
        with self._lock:
            self._require_open()
            now = self._clock.now()
            written = self._append(kind, _body({"time": format_time(now), **values}))
            self._checkpoint(now)
            return written

    def checkpoint(self) -> None:
        """Seal every record written so far (no-op if nothing is unsealed)."""
        with self._lock:
            self._require_open()
            if self._unsealed:
                self._checkpoint(self._clock.now())

    def close(self) -> None:
        """Seal, fsync and close. Idempotent."""
        self._stop.set()
        if self._sealer is not None and self._sealer is not threading.current_thread():
            self._sealer.join()
        with self._lock:
            if self._closed:
                return
            try:
                if self._unsealed:
                    self._checkpoint(self._clock.now())
            finally:
                self._closed = True
                self.sink.close()
                for mirror in self._mirrors:
                    with contextlib.suppress(Exception):
                        mirror.close()

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return self._closed

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

    # -- under the lock -------------------------------------------------------

    def _require_open(self) -> None:
        if self._closed:
            raise AuditWriteError("the audit logger is closed")

    def _interval_passed(self, now: datetime) -> bool:
        return (
            self.checkpoint_interval is not None
            and now - self._last_checkpoint >= self.checkpoint_interval
        )

    def _append(self, kind: str, body: str) -> tuple[int, str]:
        seq = self._seq
        line, digest = frame(seq, self._prev, kind, body)
        self.sink.write(line)
        self._seq = seq + 1
        self._prev = digest
        self._unsealed += 1
        if self._mirrors:
            for index, mirror in enumerate(self._mirrors):
                self._mirror(index, mirror, line)
        return seq, digest

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

    def _checkpoint(self, now: datetime) -> None:
        time = format_time(now)
        seq, head = self._seq, self._prev
        signature = sign(self._key, checkpoint_message(self.log_id, seq, head, time))
        values = {
            "time": time,
            "log_id": self.log_id,
            "alg": self._alg,
            "key_id": self._key_id,
            "sig": signature,
            "sealed": self._unsealed,
        }
        _, digest = self._append("checkpoint", _body(values))
        if isinstance(self.sink, FileSink):
            self.sink.sync()
        self._unsealed = 0
        self._last_checkpoint = now
        self._seal_at = None if self.checkpoint_interval is None else now + self.checkpoint_interval
        if self.anchor is not None:
            anchor = Anchor(
                log_id=self.log_id,
                seq=seq,
                head=head,
                hash=digest,
                time=time,
                alg=self._alg,
                key_id=self._key_id,
                sig=signature,
                file=getattr(self.sink, "name", ""),
            )
            try:
                self.anchor.put(anchor)
            except AuditWriteError:
                raise
            except OSError as exc:
                raise AuditWriteError(
                    exc.errno, f"cannot anchor checkpoint {seq}: {exc.strerror or exc}"
                ) from exc

    def _start_segment(self, now: datetime, previous: str | None) -> None:
        values: dict[str, Any] = {
            "time": format_time(now),
            "log_id": self.log_id,
            "segment": self._segment,
        }
        if previous is not None:
            values["previous_file"] = previous
        self._append("segment", _body(values))
        self._segment_started = now

    def _rotate(self, now: datetime) -> None:
        sink = self.sink
        if not isinstance(sink, FileSink):  # pragma: no cover - _rotating is False then
            raise TypeError("only file sinks rotate")
        self._checkpoint(now)
        rotated = sink.rotate(self._segment)
        self._segment += 1
        self._start_segment(now, previous=rotated)

    def _seal_loop(self) -> None:
        if self.checkpoint_interval is None:  # pragma: no cover - not started then
            return
        seconds = self.checkpoint_interval.total_seconds()
        while not self._stop.wait(seconds):
            with self._lock:
                if self._closed:
                    return
                now = self._clock.now()
                if self._unsealed and self._interval_passed(now):
                    # A failure here shows again on the next write, which fails closed.
                    with contextlib.suppress(AuditWriteError):
                        self._checkpoint(now)

    def __repr__(self) -> str:
        return f"ChainWriter({self.sink!r}, next_seq={self._seq}, alg={self._alg!r})"

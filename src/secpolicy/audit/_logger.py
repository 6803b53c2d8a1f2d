"""The audit logger: a structlog bound logger with one method per audited action."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TextIO

import structlog

from secpolicy.audit._capture import notify
from secpolicy.audit._catalogue import Catalogue
from secpolicy.audit._processors import MaskPII, ShapeEvent, render_record
from secpolicy.audit._prune import prune_files
from secpolicy.audit._sinks import FileSink, Fsync, LoggingSink, Sink, StreamSink
from secpolicy.audit._writer import ChainWriter
from secpolicy.exceptions import ArgumentTypeError, InvalidArgumentError

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Iterable, Sequence
    from pathlib import Path
    from types import TracebackType

    from structlog.typing import Processor

    from secpolicy._clock import Clock
    from secpolicy.audit._anchor import AnchorStore
    from secpolicy.audit._chain import SigningKey, VerifyKey
    from secpolicy.pii import Masker
    from secpolicy.retention import LegalHold, RetentionSchedule

__all__ = ["AuditLogger"]

_ACTOR_FIELDS = ("user_id", "user_name", "session_id", "ip", "port")
#: Actions only the writer records (see ``lifecycle_events``): one emitted by a
#: caller would pass for the writer's own (a forged ``audit.stop`` hides a crash).
_WRITER_ACTIONS = frozenset({"audit.start", "audit.stop"})


class AuditLogger(Catalogue, structlog.BoundLoggerBase):
    """Records audit events to a tamper-evident, checkpointed log.

    It is a structlog bound logger: ``bind()`` returns a logger that adds
    context to every event (bind the request's user, address and correlation
    id once, then call the event methods), and values bound with
    ``structlog.contextvars.bind_contextvars`` are merged in. secpolicy never
    calls ``structlog.configure``; the logger carries its own processors:

    1. ``structlog.contextvars.merge_contextvars``;
    2. your enrichment *processors* (they see the flat keyword arguments;
       raising ``structlog.DropEvent`` skips the event, as in structlog);
    3. :class:`ShapeEvent` (validation into an audit record);
    4. :class:`MaskPII` unless ``mask=False``;
    5. :func:`render_record`, then the chain writer, which adds ``seq``,
       ``prev`` and ``hash`` under one lock with the write and seals the chain
       with signed checkpoints.

    Build one with :meth:`to_file` (the embedded default), :meth:`to_stdout`,
    :meth:`to_logging` or :meth:`with_sink`. Every method raises
    :class:`~secpolicy.exceptions.AuditWriteError` if the record could not be
    written (fail closed: let the caller's action fail too), and
    :class:`TypeError` or :class:`ValueError` naming a bad field.

    Example:
        >>> import tempfile, pathlib
        >>> from secpolicy.audit import AuditLogger, generate_signing_key, verify
        >>> key = generate_signing_key()
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "audit.jsonl"
        >>> with AuditLogger.to_file(path, key=key, seal_idle=False) as audit:
        ...     audit.login(user_id="u1", ip="203.0.113.9", port=52100)
        >>> verify(path, key=key.public_key()).ok
        True
    """

    _logger: ChainWriter

    def __init__(
        self, logger: ChainWriter, processors: Iterable[Processor], context: dict[str, Any]
    ) -> None:
        if not isinstance(logger, ChainWriter):
            raise ArgumentTypeError(
                "build an AuditLogger with AuditLogger.to_file(), to_stdout(), "
                "to_logging() or with_sink()"
            )
        super().__init__(logger, processors, context)

    # -- construction ---------------------------------------------------------

    @classmethod
    def with_sink(
        cls,
        sink: Sink,
        *,
        key: SigningKey,
        anchor: AnchorStore | None = None,
        checkpoint_every: int = 1000,
        checkpoint_interval: timedelta | None = timedelta(seconds=60),
        mask: bool = True,
        masker: Masker | None = None,
        processors: Sequence[Processor] = (),
        mirrors: Sequence[Sink] = (),
        clock: Clock | None = None,
        seal_idle: bool = True,
        monotonic: Callable[[], float] | None = None,
        anchor_timeout: timedelta = timedelta(seconds=10),
        previous_keys: Sequence[VerifyKey] = (),
        lifecycle_events: bool = True,
    ) -> AuditLogger:
        """An audit logger writing chained records to *sink*.

        Args:
            sink: The primary sink (:class:`FileSink`, :class:`StreamSink`,
                :class:`LoggingSink` or your own); its failures fail the call.
            key: The checkpoint key: an Ed25519 private key
                (:func:`generate_signing_key`; verifiers need only its public
                key) or HMAC key bytes (at least 32).
            anchor: Where to copy every checkpoint, so that a cut-off tail
                is detectable (:class:`FileAnchorStore` on another volume).
            checkpoint_every: Seal the chain every this many records.
            checkpoint_interval: Also seal records older than this.
            mask: Mask personal data in ``data``, ``target`` and ``reason``.
            masker: The masking policy (default ``DEFAULT_MASKER``).
            processors: structlog processors that enrich the keyword arguments
                before validation.
            mirrors: More sinks that receive the same chained lines; a mirror
                failure is recorded in the log, not raised.
            clock: The time source (tests pass a frozen clock).
            seal_idle: Run a daemon thread that seals an idle log after
                *checkpoint_interval*.
            monotonic: Seconds on a clock that never steps back, for the
                checkpoint interval (default ``time.monotonic``; with a
                *clock* and no *monotonic*, the clock's timestamps).
            anchor_timeout: How long handing a checkpoint to *anchor* may
                take before the call fails (the anchor stays pending and
                every later call fails before writing until it is taken).
            previous_keys: After a key rotation, the verification (public)
                keys of the log's earlier signing keys, so that a last
                checkpoint signed with one of them that the anchor store
                missed is anchored on opening instead of refused.
            lifecycle_events: The writer records ``audit.start`` when it opens
                the log and ``audit.stop`` when :meth:`close` closes it (PCI
                DSS 10.2.1.6). They are not handed to :func:`capture`.

                .. danger:: ``False`` leaves starting and stopping the audit
                   log unrecorded, which PCI DSS 10.2.1.6 requires.

        Raises:
            AuditWriteError: The sink cannot be opened or its log continued;
                :class:`AnchorMismatch` if the log is behind its anchor
                store's newest checkpoint or differs from it (nothing is
                written then).
            TypeError, ValueError: An option is invalid.

        .. versionchanged:: 0.2
           *monotonic*, *anchor_timeout*, *previous_keys* and *lifecycle_events*
           (``audit.start`` and ``audit.stop`` records by default); anchoring outside the writer's
           lock; the writer refuses a log behind its anchor, stops after a
           write error and refuses use in a forked child (:class:`WriterForked`).
        """
        chain: list[Processor] = [
            structlog.contextvars.merge_contextvars,
            *processors,
            ShapeEvent(clock),
        ]
        if mask:
            chain.append(MaskPII(masker))
        elif masker is not None:
            raise InvalidArgumentError("a masker was given with mask=False")
        chain.append(render_record)
        writer = ChainWriter(
            sink,
            key=key,
            anchor=anchor,
            checkpoint_every=checkpoint_every,
            checkpoint_interval=checkpoint_interval,
            clock=clock,
            mirrors=mirrors,
            seal_idle=seal_idle,
            on_record=notify,
            monotonic=monotonic,
            anchor_timeout=anchor_timeout,
            previous_keys=previous_keys,
            lifecycle_events=lifecycle_events,
        )
        return cls(writer, chain, {})

    @classmethod
    def to_file(
        cls,
        path: str | os.PathLike[str],
        *,
        key: SigningKey,
        fsync: Fsync = "checkpoint",
        rotate_bytes: int | None = None,
        rotate_every: timedelta | None = None,
        **options: Any,
    ) -> AuditLogger:
        """An audit logger appending to the JSON-lines file *path*.

        Reopening an existing log continues its chain (after repairing a line
        torn by a crash, which is recorded). See :class:`FileSink` for
        *fsync* and rotation and :meth:`with_sink` for the other options.
        """
        sink = FileSink(path, fsync=fsync, rotate_bytes=rotate_bytes, rotate_every=rotate_every)
        return cls.with_sink(sink, key=key, **options)

    @classmethod
    def to_stdout(
        cls, *, key: SigningKey, stream: TextIO | None = None, **options: Any
    ) -> AuditLogger:
        """An audit logger writing chained JSON lines to standard output (for containers)."""
        return cls.with_sink(StreamSink(stream), key=key, **options)

    @classmethod
    def to_logging(
        cls,
        logger: logging.Logger | str,
        *,
        key: SigningKey,
        level: int = logging.INFO,
        **options: Any,
    ) -> AuditLogger:
        """An audit logger handing chained lines to a stdlib logger (syslog and other handlers)."""
        return cls.with_sink(LoggingSink(logger, level=level), key=key, **options)

    # -- events ---------------------------------------------------------------

    def emit(self, action: str, **fields: Any) -> None:
        """Record an event of any *action* (a dotted name such as ``billing.refund``).

        Keyword arguments are those of :class:`ShapeEvent`: ``outcome``,
        ``user_id``, ``ip``, ``port``, ``target``, ``reason``, ``src``,
        ``nat``, ``correlation_id``, ``time``; the rest goes under ``data``.
        An actor field given as ``None`` (``user_id``, ``user_name``,
        ``session_id``, ``ip``, ``port``) leaves the bound value in place.

        Raises:
            InvalidArgumentError: *action* is ``audit.start`` or ``audit.stop``,
                which only the writer records.
        """
        if action in _WRITER_ACTIONS:
            raise InvalidArgumentError(
                f"{action} is recorded by the writer itself when it opens or closes the log; "
                "it cannot be emitted"
            )
        # What structlog's _proxy_to_logger does, without its generic detours:
        # the context under the call's fields, then the processor chain, whose
        # last step (render_record) always hands (record, body) to the writer.
        context = self._context
        if context:
            for name in _ACTOR_FIELDS:
                if name in fields and fields[name] is None:
                    del fields[name]
            fields = {**context, **fields}
        fields["event"] = action
        logger = self._logger
        event: Any = fields
        try:
            for processor in self._processors:
                event = processor(logger, "audit", event)
        except structlog.DropEvent:
            return
        args, _ = event
        logger.audit(*args)

    def on_rbac_event(self, event: Any) -> None:
        """Record an :class:`~secpolicy.rbac.RBACEvent`; pass it as the engine's ``on_event``.

        Assignments and activated grants become ``privilege.grant``,
        de-assignments, expiries and revocations ``privilege.revoke``,
        privileged uses ``privilege.use``; requests, approvals, removals and
        reviews keep their kind under ``rbac.*``.
        """
        kind = event.kind
        common: dict[str, Any] = {"time": event.at, **event.details}
        if event.tenant is not None:
            common["tenant"] = event.tenant
        actor = event.by if event.by is not None else event.user
        if kind in ("role_assigned", "grant_activated"):
            self.grant_privilege(
                user_id=actor, grantee=event.user, privilege=event.role, rbac=kind, **common
            )
        elif kind in ("role_deassigned", "grant_expired", "grant_revoked"):
            self.revoke_privilege(
                user_id=actor, grantee=event.user, privilege=event.role, rbac=kind, **common
            )
        elif kind == "privileged_use":
            self.use_privilege(user_id=event.user, privilege=event.role, **common)
        else:
            self.emit(
                f"rbac.{kind}", user_id=actor, subject_user=event.user, role=event.role, **common
            )

    # -- the log --------------------------------------------------------------

    def checkpoint(self) -> None:
        """Seal every record written so far now (a signed checkpoint, anchored)."""
        self._logger.checkpoint()

    def close(self) -> None:
        """Write a final checkpoint, fsync and close. Every bound copy shares the log."""
        self._logger.close()

    def prune(
        self,
        schedule: RetentionSchedule,
        *,
        now: datetime,
        category: str = "audit_log",
        holds: Iterable[LegalHold] = (),
    ) -> list[Path]:
        """Delete the oldest rotated files that *schedule* allows to delete.

        A file's age is that of its newest record; files go oldest first and
        the first one that must be kept (by period or by a legal hold) stops
        the pruning, so the log keeps one contiguous chain. Before deleting,
        a ``prune`` record naming the files and where the log now begins is
        written and sealed, so that verification knows the start is not a
        deletion by someone else.

        Returns:
            The deleted files.

        Raises:
            TypeError: The logger does not write to a file.
            AuditWriteError: The prune record could not be written.
        """
        sink = self._logger.sink
        if not isinstance(sink, FileSink):
            raise ArgumentTypeError("only a logger writing to a file can prune")
        return prune_files(
            self._logger, sink.path, schedule, now=now, category=category, holds=tuple(holds)
        )

    @property
    def anchor(self) -> AnchorStore | None:
        """The anchor store in use, if any."""
        return self._logger.anchor

    @property
    def log_id(self) -> str:
        """The log's id (kept across reopening and rotation)."""
        return self._logger.log_id

    @property
    def closed(self) -> bool:
        """True after :meth:`close`."""
        return self._logger.closed

    def __enter__(self) -> AuditLogger:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<AuditLogger {self._logger!r} context={self._context!r}>"

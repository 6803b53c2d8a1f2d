"""Audit logs: typed events on structlog, a hash-chained and checkpointed writer, a verifier.

- :class:`AuditLogger` records the events the rules ask for (one method per
  catalogue action, plus :meth:`~AuditLogger.emit`) as a structlog bound
  logger, masks personal data through :mod:`secpolicy.pii`, and writes each
  record with a sequence number and the previous record's hash under one
  lock. Signed checkpoints (Ed25519 or HMAC) seal the chain every *N*
  records and *T* seconds and are copied to an :class:`AnchorStore`.
- :func:`verify` finds modified, deleted, inserted, duplicated, reordered and
  cut-off records and says where; ``secpolicy audit verify`` wraps it.
- :class:`AuditEvent` is the event model, exportable to OCSF 1.9 (or 1.8) with
  :func:`to_ocsf` for SIEMs.
"""

from __future__ import annotations

from secpolicy.audit._anchor import Anchor, AnchorStore, FileAnchorStore, MemoryAnchorStore
from secpolicy.audit._capture import capture
from secpolicy.audit._chain import SigningKey, VerifyKey, generate_signing_key, key_id
from secpolicy.audit._event import OUTCOMES, Actor, AuditEvent, Endpoint, Outcome
from secpolicy.audit._keys import load_hmac_key, load_key_file
from secpolicy.audit._logger import AuditLogger
from secpolicy.audit._note import Checkpoint, CheckpointError, cosign, verify_checkpoint
from secpolicy.audit._ocsf import (
    ACTIONS,
    OCSF_VERSION,
    ActionSpec,
    OcsfVersion,
    action_spec,
    to_ocsf,
)
from secpolicy.audit._processors import DEFAULT_MASKER, MaskPII, ShapeEvent, render_record
from secpolicy.audit._proofs import (
    ConsistencyProof,
    InclusionProof,
    LogTree,
    ProofUnavailable,
    verify_consistency_proof,
    verify_inclusion_proof,
)
from secpolicy.audit._reader import read_records
from secpolicy.audit._sinks import FileSink, Fsync, LoggingSink, Sink, StreamSink, rotated_files
from secpolicy.audit._stream import Verifier
from secpolicy.audit._verify import FileSummary, Problem, VerifyReport, verify
from secpolicy.audit._writer import AnchorMismatch, WriterForked
from secpolicy.exceptions import AuditWriteError

__all__ = [
    "ACTIONS",
    "DEFAULT_MASKER",
    "OCSF_VERSION",
    "OUTCOMES",
    "ActionSpec",
    "Actor",
    "Anchor",
    "AnchorMismatch",
    "AnchorStore",
    "AuditEvent",
    "AuditLogger",
    "AuditWriteError",
    "Checkpoint",
    "CheckpointError",
    "ConsistencyProof",
    "Endpoint",
    "FileAnchorStore",
    "FileSink",
    "FileSummary",
    "Fsync",
    "InclusionProof",
    "LogTree",
    "LoggingSink",
    "MaskPII",
    "MemoryAnchorStore",
    "OcsfVersion",
    "Outcome",
    "Problem",
    "ProofUnavailable",
    "ShapeEvent",
    "SigningKey",
    "Sink",
    "StreamSink",
    "Verifier",
    "VerifyKey",
    "VerifyReport",
    "WriterForked",
    "action_spec",
    "capture",
    "cosign",
    "generate_signing_key",
    "key_id",
    "load_hmac_key",
    "load_key_file",
    "read_records",
    "render_record",
    "rotated_files",
    "to_ocsf",
    "verify",
    "verify_checkpoint",
    "verify_consistency_proof",
    "verify_inclusion_proof",
]

from secpolicy._public import set_module as _set_module

_set_module(globals())

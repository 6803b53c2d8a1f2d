"""The ``[audit]`` section: where audit records go and how they are protected."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Final, Literal

import attrs
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from secpolicy import _validators as v
from secpolicy.audit import (
    ACTIONS,
    DEFAULT_MASKER,
    AuditLogger,
    FileAnchorStore,
    Fsync,
    load_hmac_key,
    load_key_file,
)
from secpolicy.exceptions import PolicyConfigError
from secpolicy.policyfile._spec import Key, closest

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from secpolicy._clock import Clock
    from secpolicy.audit import SigningKey
    from secpolicy.pii import Masker

SinkKind = Literal["file", "stdout", "logging"]

KEYS: Final = (
    Key(name="sink", kind="str", choices=("file", "logging", "stdout"), help="default: file"),
    Key(name="path", kind="str", help="the JSON-lines file (file sink), relative to this file"),
    Key(name="logger", kind="str", help="the stdlib logger name (logging sink)"),
    Key(
        name="fsync",
        kind="any",
        schema={
            "oneOf": [
                {"type": "string", "enum": ["always", "checkpoint", "never"]},
                {"type": "integer", "minimum": 1},
            ]
        },
        help='"always", "checkpoint" (default), "never", or every N records',
    ),
    Key(name="rotate_size", kind="size", help='rotate the file at this size ("100 MiB")'),
    Key(name="rotate_every", kind="duration", help='rotate the file this often ("1 day")'),
    Key(name="checkpoint_every", kind="int", minimum=1, help="sign the chain every N records"),
    Key(
        name="checkpoint_interval",
        kind="duration",
        nullable=True,
        help="and every this long (default 60 s); false: by count only",
    ),
    Key(name="key_file", kind="str", help="Ed25519 private key in PEM, relative to this file"),
    Key(name="key_env", kind="str", help="environment variable with an HMAC key (hex/base64url)"),
    Key(name="anchor", kind="str", help="the anchor file for checkpoints (another volume)"),
    Key(name="mask", kind="bool", help="mask personal data in events (default true)"),
    Key(
        name="masking",
        kind="str",
        choices=("default", "pii"),
        help='"default" (keeps IP addresses) or "pii" (the [pii] section\'s masker)',
    ),
    Key(
        name="events",
        kind="strings",
        help="the actions this service records (catalogue names such as auth.login)",
    ),
    Key(
        name="retention_category",
        kind="str",
        help='the [retention] category of the audit files (default "audit_log")',
    ),
)


@attrs.frozen(kw_only=True)
class AuditSettings:
    """The ``[audit]`` section of a policy file, checked; :meth:`open` makes the logger.

    Keys are read when the logger is opened, not when the file is loaded, so
    that a CI job can check the policy without holding the signing key.

    Attributes:
        sink: ``file``, ``stdout`` or ``logging``.
        path: The log file (file sink).
        logger: The stdlib logger name (logging sink).
        fsync: When the file is fsynced: ``always``, ``checkpoint``,
            ``never`` or every N records.
        rotate_bytes: Rotate at this size, or None.
        rotate_every: Rotate this often, or None.
        checkpoint_every: Sign the chain head every N records.
        checkpoint_interval: And every this long, or None.
        key_file: An Ed25519 private key in PEM (verifiers need its public key).
        key_env: Or an environment variable holding an HMAC key.
        anchor: The anchor file every checkpoint is copied to, or None.
        mask: Mask personal data in events.
        masking: ``default`` (secpolicy.audit.DEFAULT_MASKER) or ``pii``
            (the policy file's ``[pii]`` masker).
        events: The actions the service declares it records; baselines check
            them against what a rulebook asks for.
        retention_category: The retention category of the audit files.
    """

    __config_path__: ClassVar[str] = "audit"

    sink: SinkKind = attrs.field(default="file", validator=v.in_(("file", "stdout", "logging")))
    path: Path | None = None
    logger: str = "secpolicy.audit"
    fsync: Fsync = attrs.field(default="checkpoint", validator=lambda _, __, value: _fsync(value))
    rotate_bytes: int | None = None
    rotate_every: timedelta | None = None
    checkpoint_every: int = 1000
    checkpoint_interval: timedelta | None = timedelta(seconds=60)
    key_file: Path | None = None
    key_env: str | None = None
    anchor: Path | None = None
    mask: bool = True
    masking: Literal["default", "pii"] = attrs.field(
        default="default", validator=v.in_(("default", "pii"))
    )
    events: tuple[str, ...] = ()
    retention_category: str = "audit_log"

    @property
    def protected(self) -> bool:
        """True if records are chained, signed and anchored (a cut-off tail is detectable)."""
        return (self.key_file is not None or self.key_env is not None) and self.anchor is not None

    def signing_key(self) -> SigningKey:
        """The checkpoint key, read from *key_file* or *key_env* now.

        Raises:
            PolicyConfigError: If the key cannot be read or is not a private
                Ed25519 key or a long enough HMAC key.
        """
        if self.key_file is not None:
            try:
                key = load_key_file(self.key_file)
            except PolicyConfigError as exc:
                raise PolicyConfigError(exc.reason, field="audit.key_file") from None
            if not isinstance(key, Ed25519PrivateKey):
                raise PolicyConfigError(
                    f"{self.key_file} holds a public key; the writer needs the private key",
                    field="audit.key_file",
                )
            return key
        variable = self.key_env or ""
        try:
            return load_hmac_key(
                os.environ.get(variable, ""), name=f"environment variable {variable}"
            )
        except PolicyConfigError as exc:
            raise PolicyConfigError(exc.reason, field="audit.key_env") from None

    def open(
        self,
        *,
        clock: Clock | None = None,
        masker: Masker | None = None,
        seal_idle: bool = True,
    ) -> AuditLogger:
        """The audit logger these settings describe (close it when done).

        Args:
            clock: Where the logger reads time (default: the system clock).
            masker: The masker for ``masking = "pii"`` (``ServicePolicy.open_audit``
                passes the policy's own).
            seal_idle: Run the background thread that seals idle records
                after ``checkpoint_interval``.
        """
        options: dict[str, Any] = {
            "key": self.signing_key(),
            "anchor": FileAnchorStore(self.anchor) if self.anchor is not None else None,
            "checkpoint_every": self.checkpoint_every,
            "checkpoint_interval": self.checkpoint_interval,
            "mask": self.mask,
            "masker": masker if self.masking == "pii" and masker is not None else DEFAULT_MASKER,
            "clock": clock,
            "seal_idle": seal_idle,
        }
        if self.sink == "stdout":
            return AuditLogger.to_stdout(**options)
        if self.sink == "logging":
            return AuditLogger.to_logging(self.logger, **options)
        assert self.path is not None  # noqa: S101 (checked by build())
        return AuditLogger.to_file(
            self.path,
            fsync=self.fsync,
            rotate_bytes=self.rotate_bytes,
            rotate_every=self.rotate_every,
            **options,
        )


def _fsync(value: Any) -> Fsync:
    if value in ("always", "checkpoint", "never"):
        return value  # type: ignore[no-any-return]  # one of the literals
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    raise PolicyConfigError(
        'must be "always", "checkpoint", "never" or a positive integer', field="audit.fsync"
    )


#: A custom action: dotted lower-case words (``refund.approve``).
_CUSTOM_ACTION: Final = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+")


def event_problem(action: str) -> str | None:
    """Why *action* cannot be an audited event name, or None.

    A name in one of the catalogue's namespaces (``auth.``, ``privilege.``,
    ...) must be a catalogue action, so that ``auth.loign`` is a typo and not
    a custom event nobody emits; other dotted lower-case names are the
    service's own actions.
    """
    if action in ACTIONS:
        return None
    namespace = action.partition(".")[0]
    if namespace in {name.partition(".")[0] for name in ACTIONS}:
        hint = closest(action, ACTIONS, cutoff=0.6)
        return f"not a catalogue action{f' (did you mean {hint!r}?)' if hint else ''}"
    if not _CUSTOM_ACTION.fullmatch(action):
        return "not a catalogue action (auth.login, ...) nor a dotted lower-case custom name"
    return None


def build(values: Mapping[str, Any], base_dir: Path, *, has_pii: bool) -> AuditSettings:
    """The settings of a checked ``[audit]`` table; paths are relative to *base_dir*."""
    sink = values.get("sink", "file")
    if sink == "file" and "path" not in values:
        raise PolicyConfigError("is required for the file sink", field="audit.path")
    if ("key_file" in values) == ("key_env" in values):
        raise PolicyConfigError(
            "give exactly one of key_file (Ed25519 PEM) and key_env (HMAC key variable)",
            field="audit",
        )
    if values.get("masking") == "pii" and not has_pii:
        raise PolicyConfigError('"pii" needs a [pii] section', field="audit.masking")
    for i, action in enumerate(values.get("events", ())):
        problem = event_problem(action)
        if problem is not None:
            raise PolicyConfigError(problem, field=f"audit.events[{i}]")

    given = dict(values)
    for name in ("path", "key_file", "anchor"):
        if name in given:
            given[name] = base_dir / given[name]
    if "fsync" in given:
        given["fsync"] = _fsync(given["fsync"])
    if "rotate_size" in given:
        given["rotate_bytes"] = given.pop("rotate_size")
    if "events" in given:
        given["events"] = tuple(given["events"])
    return AuditSettings(**given)

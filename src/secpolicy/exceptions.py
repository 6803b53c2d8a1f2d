"""The one exception tree of secpolicy.

Every error secpolicy raises derives from :class:`SecPolicyError`. Leaves also
inherit the builtin exception they refine, so ``except ValueError`` or
``except PermissionError`` in existing code keeps working.

Messages name *what* was wrong (a field, a path, a rule) and never contain the
secret or personal value that caused the error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from secpolicy.password import Violation
    from secpolicy.rbac import Decision

__all__ = [
    "AccessDenied",
    "ArgumentTypeError",
    "AuditWriteError",
    "CalendarCoverageError",
    "ConstraintViolation",
    "DecryptionError",
    "FileProblemsError",
    "InvalidArgumentError",
    "InvalidIdentifierError",
    "KeysetError",
    "LegalHoldError",
    "NaiveDatetimeError",
    "PasswordPolicyError",
    "PolicyConfigError",
    "SecPolicyError",
]


class SecPolicyError(Exception):
    """Root of every secpolicy exception; never raised itself.

    Catch it to handle any failure that originates in secpolicy.
    """


class PolicyConfigError(SecPolicyError, ValueError):
    """An invalid policy definition or policy file.

    Raised when a policy object is constructed with values that break a rule
    (``PasswordPolicy(min_length=-1)``), when loaded policy data refers to
    unknown names or forms a cycle, and when a policy file cannot be parsed.

    Attributes:
        path: The dotted path of the offending field (``"password.min_length"``,
            ``"roles.auditor.inherits[1]"``), or ``None`` if the error is not
            about a single field. The message starts with it too.
        field: The same as *path* (the older name).
        reason: The message without the file, line and path.
        source: The file the policy came from, if any.
        line: The 1-based line in *source*, if known.

    .. versionchanged:: 0.2
        *path* names the field; ``path=`` and ``field=`` are the same argument.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        path: str | None = None,
        source: str | None = None,
        line: int | None = None,
    ) -> None:
        self.path = path if path is not None else field
        self.field = self.path
        self.source = source
        self.line = line
        self.reason = message
        prefix = ""
        if source is not None:
            prefix = f"{source}:{line}: " if line is not None else f"{source}: "
        if self.path is not None:
            prefix += f"{self.path}: "
        super().__init__(prefix + message)

    def under(self, prefix: str) -> PolicyConfigError:
        """The same error for the same field nested under *prefix* (``"password"``).

        Used where one configuration is a part of another, so the path the user
        reads is the one in their file: ``password.lockout.max_failures``.

        .. versionadded:: 0.2
        """
        path = prefix if self.path is None else f"{prefix}.{self.path}"
        return PolicyConfigError(self.reason, path=path, source=self.source, line=self.line)


class FileProblemsError(PolicyConfigError):
    """Everything wrong with one file, each problem with its file and line.

    A loader that reads the whole file before it complains raises this, so
    a user fixes every mistake in one round: the policy file
    (:class:`~secpolicy.policyfile.PolicyFileError`) and a holiday schedule
    (:class:`~secpolicy.retention.ScheduleFileError`) do. ``str()`` gives
    one problem per line, in the order of the file (problems without a line
    last); the attributes of :class:`PolicyConfigError` (``source``,
    ``line``, ``path``, ``reason``) are those of the first problem, so code
    that reads one error keeps working.

    Args:
        errors: The problems, each a :class:`PolicyConfigError` with its
            source, line and path where known; at least one.

    Attributes:
        errors: Every problem, in the order of the file.

    Raises:
        InvalidArgumentError: If *errors* is empty.

    Example:
        >>> error = FileProblemsError(
        ...     [
        ...         PolicyConfigError(
        ...             "must be >= 8", path="password.min_length", source="secpolicy.toml", line=3
        ...         ),
        ...         PolicyConfigError(
        ...             "unknown key", path="pii.entites", source="secpolicy.toml", line=1
        ...         ),
        ...     ]
        ... )
        >>> print(error)
        secpolicy.toml:1: pii.entites: unknown key
        secpolicy.toml:3: password.min_length: must be >= 8
        >>> error.line, len(error.errors)
        (1, 2)

    .. versionadded:: 0.2
    """

    def __init__(self, errors: Iterable[PolicyConfigError]) -> None:
        ordered = sorted(errors, key=lambda e: (e.line is None, e.line or 0))
        if not ordered:
            raise InvalidArgumentError(
                "errors: a file with problems needs at least one", argument="errors"
            )
        first = ordered[0]
        super().__init__(first.reason, field=first.field, source=first.source, line=first.line)
        self.errors = tuple(ordered)
        self.args = ("\n".join(str(e) for e in ordered),)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)

    def __reduce__(self) -> tuple[type[FileProblemsError], tuple[list[PolicyConfigError]]]:
        # rebuilt from its problems, not from the joined message in args
        return type(self), (list(self.errors),)


class InvalidArgumentError(SecPolicyError, ValueError):
    """An argument has a value the call does not accept (not a policy definition).

    For a bad *policy* value (a field of a policy object, a key of a policy
    file) secpolicy raises :class:`PolicyConfigError`; this is for the values
    of a call: a negative duration, an event action that is not a dotted
    name, an unknown output format. The message names the argument and the
    rule, never the value.

    Attributes:
        argument: The argument's name (``"delta"``, ``"action"``), if known.

    .. versionadded:: 0.2
    """

    def __init__(self, message: str, *, argument: str | None = None) -> None:
        self.argument = argument
        super().__init__(message)


class ArgumentTypeError(SecPolicyError, TypeError):
    """An argument of the wrong type (``bytes`` where ``str`` is required).

    Attributes:
        argument: The argument's name, if known.

    .. versionadded:: 0.2
    """

    def __init__(self, message: str, *, argument: str | None = None) -> None:
        self.argument = argument
        super().__init__(message)


class PasswordPolicyError(SecPolicyError, ValueError):
    """A password does not meet the policy; raised by ``PasswordPolicy.enforce``.

    Attributes:
        violations: Every rule the password broke, in the order the policy
            checks them. Each carries a stable ``code`` and its ``params``;
            never the password.
    """

    def __init__(self, violations: Sequence[Violation]) -> None:
        self.violations = tuple(violations)
        codes = ", ".join(str(v.code) for v in self.violations)
        super().__init__(f"password rejected: {codes}")


class AccessDenied(SecPolicyError, PermissionError):  # noqa: N818 (the name states the outcome)
    """An access check failed; raised by ``RBAC.require``.

    Attributes:
        decision: The decision that denied access: the effect, the roles
            considered, the rule that decided and a human-readable reason.
    """

    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        super().__init__(decision.reason or "access denied")


class ConstraintViolation(SecPolicyError):  # noqa: N818 (NIST's own term)
    """An RBAC change was refused because it would break a constraint.

    Raised for assignments, inheritance edges, session activations and new
    constraints that would violate static or dynamic separation of duty, or
    for privileged assignments attempted without the required approvals. The
    engine state is unchanged when this is raised.
    """


class DecryptionError(SecPolicyError):
    """A token or file could not be decrypted or authenticated.

    Every cause (wrong key, unknown or destroyed key, tampered data, wrong
    context, malformed input) raises this same error with the same message,
    so that callers learn nothing about which check failed.
    """


class InvalidIdentifierError(SecPolicyError, ValueError):
    """An identifier (resident ID number, card number, …) failed validation.

    Attributes:
        entity: The entity the value was checked as, e.g. ``"CN_RESIDENT_ID"``.
        reason: A stable code for what is wrong: ``"length"``, ``"format"``,
            ``"checksum"``, ``"birth_date"``, ``"region"``.

    The message says what is wrong, never the value.
    """

    def __init__(self, entity: str, reason: str, message: str) -> None:
        self.entity = entity
        self.reason = reason
        super().__init__(f"invalid {entity}: {message}")


class KeysetError(SecPolicyError, ValueError):
    """A keyset is invalid or an operation would break it.

    Raised for a malformed serialised keyset (the message names the field, such
    as ``keys[1].material``, never the key bytes), an unknown key id, a key of
    the wrong kind for the encryptor, and operations such as disabling or
    destroying the primary key.
    """


class AuditWriteError(SecPolicyError, OSError):
    """An audit record could not be made durable.

    The audit writer fails closed: the caller's action should fail too, since
    it could not be recorded. Nothing is dropped silently.
    """


class LegalHoldError(SecPolicyError):
    """Disposal was attempted on a record or file under a legal hold."""


class CalendarCoverageError(SecPolicyError, LookupError):
    """A working-day question about a year the calendar has no data for.

    Official holiday schedules are published year by year; secpolicy refuses
    to guess rather than silently treat an unknown year as having no holidays.
    """


class NaiveDatetimeError(SecPolicyError, ValueError):
    """A naive ``datetime`` was given where an aware one is required.

    secpolicy compares and stores instants in UTC; a datetime without a time
    zone is ambiguous, so it is refused rather than assumed to be local time.
    """

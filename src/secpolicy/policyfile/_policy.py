"""What a loaded policy file holds: the real policy objects of each area."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from secpolicy.policyfile._waivers import (
    DEFAULT_MAX_DAYS,
    Waiver,
)

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from secpolicy._clock import Clock
    from secpolicy.audit import AuditLogger
    from secpolicy.password import PasswordPolicy
    from secpolicy.pii import Masker
    from secpolicy.policyfile._audit import AuditSettings
    from secpolicy.rbac import RBAC
    from secpolicy.retention import LegalHold, RetentionSchedule, WorkdayCalendar


@attrs.frozen(kw_only=True, eq=False)
class ServicePolicy:
    """A service's declared policies, built from one ``secpolicy.toml``.

    Every section is optional; an absent section is None (a baseline then
    reports its requirements as failed or not applicable, never as passed).

    Attributes:
        name: The service's name (``[service] name``), for reports.
        source: The file the policy was read from, if any.
        password: The password policy (``[password]``).
        rbac: The access-control engine (``[rbac]``), loaded with the roles,
            grants, constraints and labels of the file.
        pii: The masker (``[pii]``).
        audit: The audit settings (``[audit]``); :meth:`open_audit` makes
            the logger.
        retention: The retention schedule (``[retention]``).
        holds: The legal holds declared in ``[retention]``.
        calendar: The working-day calendar of ``[retention.calendar]``, with
            the years the service loaded itself.
        waivers: The accepted exceptions to baseline requirements
            (``[[waivers]]``), applied by :func:`secpolicy.baselines.check_policy`.
        waiver_max_days: The longest a waiver may run, in days from when a
            report is made (``[waivers_settings] max_days``, default 365).
        locations: The line of every key in the source file, by TOML path.
    """

    name: str = ""
    source: Path | None = None
    password: PasswordPolicy | None = None
    rbac: RBAC | None = None
    pii: Masker | None = None
    audit: AuditSettings | None = None
    retention: RetentionSchedule | None = None
    holds: tuple[LegalHold, ...] = ()
    calendar: WorkdayCalendar | None = None
    waivers: tuple[Waiver, ...] = ()
    waiver_max_days: int = DEFAULT_MAX_DAYS
    locations: Mapping[str, int] = attrs.field(factory=dict, repr=False)

    def line_of(self, path: str) -> int | None:
        """The line of the key *path* (``password.min_length``) in the source file.

        A key the file does not write (inherited from a profile) gives the
        line of its nearest enclosing table; None if the file has neither.
        """
        from secpolicy.policyfile._locate import find_line  # noqa: PLC0415 (light import)

        return find_line(self.locations, path)

    @property
    def sections(self) -> tuple[str, ...]:
        """The names of the sections the file declared."""
        present = (
            ("password", self.password),
            ("rbac", self.rbac),
            ("pii", self.pii),
            ("audit", self.audit),
            ("retention", self.retention),
        )
        return tuple(name for name, value in present if value is not None)

    def open_audit(self, *, clock: Clock | None = None, seal_idle: bool = True) -> AuditLogger:
        """The audit logger of ``[audit]``, masking with ``[pii]`` when the file asks for it.

        Raises:
            PolicyConfigError: If the file has no ``[audit]`` section or the
                checkpoint key cannot be read.
        """
        from secpolicy.exceptions import PolicyConfigError  # noqa: PLC0415 (keep imports light)

        if self.audit is None:
            raise PolicyConfigError("the policy has no [audit] section", field="audit")
        return self.audit.open(clock=clock, masker=self.pii, seal_idle=seal_idle)

"""Requirements, baselines and the results of checking a policy against them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import attrs

from secpolicy import _validators as v
from secpolicy.exceptions import PolicyConfigError
from secpolicy.policyfile import Waiver

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date

    from secpolicy.policyfile import ServicePolicy

#: What a check itself can find.
CheckStatus = Literal["pass", "fail", "n/a"]
#: What a report shows: the check's status, or ``waived`` under an active waiver.
Status = Literal["pass", "fail", "n/a", "waived"]
STATUSES: tuple[Status, ...] = ("pass", "fail", "waived", "n/a")
_CHECK_STATUSES: tuple[CheckStatus, ...] = ("pass", "fail", "n/a")
_WAIVER_STATES = ("active", "expired", "too-long")


@attrs.frozen
class Verdict:
    """What one check found: a status, a detail, and the declared and required values.

    Attributes:
        status: ``pass``, ``fail`` or ``n/a``.
        detail: One line with what the policy has and what is required.
        declared: What the policy declares (or does), for reports.
        required: What the requirement asks for, for reports.

    Raises:
        PolicyConfigError: For a status outside ``pass``, ``fail``, ``n/a``
            (``waived`` is a report's, never a check's), or a text that is
            not a string; the message names the field.

    .. versionchanged:: 0.2
       The fields are validated.
    """

    status: Literal["pass", "fail", "n/a"] = attrs.field(validator=v.in_(_CHECK_STATUSES))
    detail: str = attrs.field(validator=v.instance_of(str))
    declared: str = attrs.field(default="", kw_only=True, validator=v.instance_of(str))
    required: str = attrs.field(default="", kw_only=True, validator=v.instance_of(str))


def passed(detail: str, *, declared: str = "", required: str = "") -> Verdict:
    """A requirement met."""
    return Verdict("pass", detail, declared=declared, required=required)


def failed(detail: str, *, declared: str = "", required: str = "") -> Verdict:
    """A shortfall; *detail* says what the policy has and what is required."""
    return Verdict("fail", detail, declared=declared, required=required)


def not_applicable(detail: str) -> Verdict:
    """A requirement that does not apply to this policy (and why)."""
    return Verdict("n/a", detail)


def judged(ok: bool, declared: str, required: str) -> Verdict:  # noqa: FBT001 (a verdict)
    """Pass or fail with the detail ``"<declared>, required <required>"``."""
    detail = f"{declared}, required {required}"
    return (passed if ok else failed)(detail, declared=declared, required=required)


@attrs.frozen(kw_only=True)
class Requirement:
    """One machine-checkable requirement of a baseline.

    Attributes:
        id: Stable identifier within the baseline (``password-length``); it
            never changes between editions of the baseline, so waivers and
            CI history keep pointing at the same requirement.
        title: What is required, in a short sentence.
        clause: The clause it comes from, with the source named.
        path: The policy-file key it concerns (``password.min_length``), so
            reports can point at the line.
        check: Decides the requirement for a loaded policy.
        interpretation: True if the number or the reading is this library's
            or assessors' rather than the text of the standard; *note* says how.
        note: Why it is an interpretation, or the scope of the clause.
        severity: 0.0 to 10.0, reported to code scanning as ``security-severity``.
        not_checked: The parts of the clause the check does not verify
            (declared only, or outside what a policy file can say). Every
            report shows them beside the result, so a pass never claims them.

    .. versionchanged:: 0.2
       ``not_checked``.
    """

    id: str
    title: str
    clause: str
    path: str
    check: Callable[[ServicePolicy], Verdict] = attrs.field(repr=False, eq=False)
    interpretation: bool = False
    note: str = ""
    severity: float = 7.0
    not_checked: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The requirement as plain data (``secpolicy baselines --json``)."""
        return {
            "id": self.id,
            "title": self.title,
            "clause": self.clause,
            "path": self.path,
            "interpretation": self.interpretation,
            "note": self.note,
            "severity": self.severity,
            "not_checked": list(self.not_checked),
        }


@attrs.frozen(kw_only=True)
class ChangelogEntry:
    """One version of a baseline's data and what changed in it.

    .. versionadded:: 0.2
    """

    version: str
    date: date
    changes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The entry as plain data."""
        return {
            "version": self.version,
            "date": self.date.isoformat(),
            "changes": list(self.changes),
        }


@attrs.frozen(kw_only=True)
class Baseline:
    """A named list of requirements with the source and edition they come from.

    Attributes:
        name: The versioned id used on the command line and in reports
            (``pci-dss-4.0.1``); it names the edition of the source.
        title: The standard or rulebook.
        source: The edition and where to read it.
        requirements: Its requirements, in the standard's order.
        edition: The edition of the source the requirements encode
            (``PCI DSS v4.0.1, June 2024``).
        version: The version of this baseline's own data; it changes with
            every correction (see *changelog*).
        aliases: Other ids accepted for it (the short ids of 0.1,
            ``pci-dss-4``).
        scope: What the baseline covers and what it does not.
        changelog: The baseline's versions, newest first.
    """

    name: str
    title: str
    source: str
    requirements: tuple[Requirement, ...]
    edition: str = ""
    version: str = "1"
    aliases: tuple[str, ...] = ()
    scope: str = ""
    changelog: tuple[ChangelogEntry, ...] = ()

    @property
    def id(self) -> str:
        """The versioned id (the same as :attr:`name`)."""
        return self.name

    def requirement(self, ident: str) -> Requirement | None:
        """The requirement with the id *ident*, or None."""
        return next((r for r in self.requirements if r.id == ident), None)

    def check(self, policy: ServicePolicy) -> tuple[Result, ...]:
        """Check *policy* against every requirement (waivers are applied by ``check_policy``)."""
        return tuple(
            Result(baseline=self.name, requirement=r, verdict=r.check(policy))
            for r in self.requirements
        )

    def to_dict(self, *, requirements: bool = True) -> dict[str, Any]:
        """The baseline as plain data; *requirements* False leaves them out."""
        data: dict[str, Any] = {
            "id": self.name,
            "name": self.name,
            "title": self.title,
            "edition": self.edition,
            "version": self.version,
            "aliases": list(self.aliases),
            "source": self.source,
            "scope": self.scope,
            "changelog": [entry.to_dict() for entry in self.changelog],
        }
        if requirements:
            data["requirements"] = [r.to_dict() for r in self.requirements]
        return data


@attrs.frozen(kw_only=True)
class Result:
    """One requirement checked against one policy.

    Attributes:
        baseline: The baseline's versioned id.
        requirement: The requirement.
        verdict: What the check found.
        waiver: The waiver that names this requirement, if any.
        waiver_state: ``active``, ``expired`` or ``too-long`` (it runs past
            the policy's ``[waivers_settings] max_days``) with a waiver, else None.

    Raises:
        PolicyConfigError: For a *waiver_state* outside the three, a state
            without a waiver (a failed check shown as waived with nothing
            behind it) or a waiver without its state; the message names the
            field.

    .. versionchanged:: 0.2
       *waiver_state* is validated against *waiver*.
    """

    baseline: str = attrs.field(validator=v.instance_of(str))
    requirement: Requirement = attrs.field(validator=v.instance_of(Requirement))
    verdict: Verdict = attrs.field(validator=v.instance_of(Verdict))
    waiver: Waiver | None = attrs.field(default=None, validator=v.optional(v.instance_of(Waiver)))
    waiver_state: Literal["active", "expired", "too-long"] | None = attrs.field(
        default=None, validator=v.optional(v.in_(_WAIVER_STATES))
    )

    @waiver_state.validator
    def _check_waiver_state(self, attribute: attrs.Attribute[Any], value: str | None) -> None:
        if value is not None and self.waiver is None:
            raise PolicyConfigError(
                "a waiver state without a waiver", path=v.field_path(self, attribute)
            )
        if value is None and self.waiver is not None:
            raise PolicyConfigError(
                "a waiver must be judged (active, expired or too-long)",
                path=v.field_path(self, attribute),
            )

    @property
    def status(self) -> Status:
        """``pass``, ``fail``, ``n/a``, or ``waived`` under an active waiver.

        An expired waiver fails the requirement whatever the check found: the
        exception lapsed and someone must renew it or remove it. So does a
        waiver too long (past the policy's maximum length): an exception
        without a near end is a permanent one.
        """
        if self.waiver_state == "active":
            return "waived"
        if self.waiver_state in ("expired", "too-long"):
            return "fail"
        return self.verdict.status

    @property
    def detail(self) -> str:
        """The check's detail, with the waiver's state and the parts not checked."""
        return self._detail() + self.not_checked_text

    @property
    def not_checked_text(self) -> str:
        """``"; not checked: ..."`` for a requirement with parts the check cannot verify."""
        parts = self.requirement.not_checked
        return f"; not checked: {'; '.join(parts)}" if parts else ""

    def _detail(self) -> str:
        if self.waiver is None:
            return self.verdict.detail
        until = self.waiver.expires_text
        if self.waiver_state == "too-long":
            return (
                f"waiver too long: approved by {self.waiver.approver} until {until}, "
                f"past the longest a waiver may run ([waivers_settings] max_days); "
                f"without it: {self.verdict.status} ({self.verdict.detail})"
            )
        if self.waiver_state == "expired":
            return (
                f"waiver approved by {self.waiver.approver} expired {until}; "
                f"without it: {self.verdict.status} ({self.verdict.detail})"
            )
        return (
            f"waived until {until} by {self.waiver.approver}: {self.waiver.reason}; "
            f"without it: {self.verdict.status} ({self.verdict.detail})"
        )

    @property
    def id(self) -> str:
        """``baseline/requirement``, unique across baselines."""
        return f"{self.baseline}/{self.requirement.id}"

    def to_dict(self) -> dict[str, Any]:
        """The result as plain data (the JSON report's items)."""
        return {
            "id": self.id,
            "baseline": self.baseline,
            "requirement": self.requirement.id,
            "title": self.requirement.title,
            "clause": self.requirement.clause,
            "interpretation": self.requirement.interpretation,
            "note": self.requirement.note,
            "path": self.requirement.path,
            "status": self.status,
            "check_status": self.verdict.status,
            "detail": self.detail,
            "declared": self.verdict.declared,
            "required": self.verdict.required,
            "not_checked": list(self.requirement.not_checked),
            "waiver": None
            if self.waiver is None
            else {**self.waiver.to_dict(), "state": self.waiver_state},
        }

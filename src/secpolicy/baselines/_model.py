"""Requirements, baselines and the results of checking a policy against them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import attrs

if TYPE_CHECKING:
    from collections.abc import Callable

    from secpolicy.policyfile import ServicePolicy

Status = Literal["pass", "fail", "n/a"]


@attrs.frozen
class Verdict:
    """What one check found: a status and a detail with the actual and required values."""

    status: Status
    detail: str


def passed(detail: str) -> Verdict:
    """A requirement met."""
    return Verdict("pass", detail)


def failed(detail: str) -> Verdict:
    """A shortfall; *detail* says what the policy has and what is required."""
    return Verdict("fail", detail)


def not_applicable(detail: str) -> Verdict:
    """A requirement that does not apply to this policy (and why)."""
    return Verdict("n/a", detail)


@attrs.frozen(kw_only=True)
class Requirement:
    """One machine-checkable requirement of a baseline.

    Attributes:
        id: Stable identifier within the baseline (``password-length``).
        title: What is required, in a short sentence.
        clause: The clause it comes from, with the source named.
        path: The policy-file key it concerns (``password.min_length``), so
            reports can point at the line.
        check: Decides the requirement for a loaded policy.
        interpretation: True if the number is assessors' common reading
            rather than the text of the standard.
    """

    id: str
    title: str
    clause: str
    path: str
    check: Callable[[ServicePolicy], Verdict] = attrs.field(repr=False)
    interpretation: bool = False


@attrs.frozen(kw_only=True)
class Baseline:
    """A named list of requirements with the source they come from.

    Attributes:
        name: The name used on the command line (``cn-mlps-l3``).
        title: The standard or rulebook.
        source: The edition and where to read it.
        requirements: Its requirements, in the standard's order.
    """

    name: str
    title: str
    source: str
    requirements: tuple[Requirement, ...]

    def check(self, policy: ServicePolicy) -> tuple[Result, ...]:
        """Check *policy* against every requirement."""
        return tuple(
            Result(baseline=self.name, requirement=r, verdict=r.check(policy))
            for r in self.requirements
        )


@attrs.frozen(kw_only=True)
class Result:
    """One requirement checked against one policy."""

    baseline: str
    requirement: Requirement
    verdict: Verdict

    @property
    def status(self) -> Status:
        """``pass``, ``fail`` or ``n/a``."""
        return self.verdict.status

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
            "path": self.requirement.path,
            "status": self.status,
            "detail": self.verdict.detail,
        }

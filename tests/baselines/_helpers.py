"""Set-up shared by the baseline tests: one requirement's result from a check."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from secpolicy.baselines import check_policy
from secpolicy.policyfile import loads_policy

if TYPE_CHECKING:
    from secpolicy.baselines import Baseline, CheckReport, Result


def result_of(report: CheckReport, requirement: str) -> Result:
    """The result of the requirement whose id is *requirement* in *report*."""
    found = next((r for r in report.results if r.requirement.id == requirement), None)
    assert found is not None, f"no result for requirement {requirement!r}"
    return found


def check_text(text: str, baseline: str | Baseline, requirement: str, **options: Any) -> Result:
    """check_policy on a policy file's *text*: the result of one *requirement*."""
    return result_of(check_policy(loads_policy(text), [baseline], **options), requirement)

"""The records of a check (Verdict, Result) refuse values outside their closed sets."""

from __future__ import annotations

from datetime import date

import pytest

from secpolicy.baselines import BASELINES, Result, Verdict
from secpolicy.exceptions import PolicyConfigError
from secpolicy.policyfile import Waiver

REQUIREMENT = BASELINES["pci-dss-4"].requirements[0]
WAIVER = Waiver(
    requirement=f"pci-dss-4.0.1/{REQUIREMENT.id}",
    reason="migration",
    approver="CISO",
    expires=date(2030, 1, 1),
)


class TestVerdict:
    @pytest.mark.parametrize("status", ["pass", "fail", "n/a"])
    def test_known_statuses(self, status: str) -> None:
        """Each status a check can find is accepted."""
        assert Verdict(status, "detail").status == status  # type: ignore[arg-type]  # str, not the Literal

    @pytest.mark.parametrize("status", ["PASS", "passed", "waived", "ok", "", None, True])
    def test_unknown_status_is_refused(self, status: object) -> None:
        """A status outside pass, fail, n/a (waived included) is a PolicyConfigError naming it."""
        with pytest.raises(PolicyConfigError, match=r"Verdict\.status: must be one of") as info:
            Verdict(status, "detail")  # type: ignore[arg-type]  # deliberately wrong
        assert info.value.path == "Verdict.status"

    @pytest.mark.parametrize("field", ["detail", "declared", "required"])
    def test_texts_must_be_strings(self, field: str) -> None:
        """detail, declared and required are text for every report form."""
        values: dict[str, object] = {"detail": "d", "declared": "", "required": ""}
        values[field] = 12
        detail = values.pop("detail")
        with pytest.raises(PolicyConfigError, match=rf"Verdict\.{field}: must be str"):
            Verdict("pass", detail, **values)  # type: ignore[arg-type]  # deliberately wrong


class TestResult:
    def test_unknown_waiver_state_is_refused(self) -> None:
        """waiver_state is active, expired, too-long or None."""
        with pytest.raises(PolicyConfigError, match=r"Result\.waiver_state: must be one of"):
            Result(
                baseline="pci-dss-4.0.1",
                requirement=REQUIREMENT,
                verdict=Verdict("fail", "short"),
                waiver=WAIVER,
                waiver_state="waived",  # type: ignore[arg-type]  # deliberately wrong
            )

    def test_active_state_without_a_waiver_is_refused(self) -> None:
        """A failed check cannot be turned into 'waived' with no waiver behind it."""
        with pytest.raises(PolicyConfigError, match=r"Result\.waiver_state: .*without a waiver"):
            Result(
                baseline="pci-dss-4.0.1",
                requirement=REQUIREMENT,
                verdict=Verdict("fail", "short"),
                waiver_state="active",
            )

    def test_waiver_without_a_state_is_refused(self) -> None:
        """A waiver that was never judged cannot sit on a result."""
        with pytest.raises(PolicyConfigError, match=r"Result\.waiver_state: .*judged"):
            Result(
                baseline="pci-dss-4.0.1",
                requirement=REQUIREMENT,
                verdict=Verdict("fail", "short"),
                waiver=WAIVER,
            )

    def test_waived_result(self) -> None:
        """An active waiver with its waiver shows as waived."""
        result = Result(
            baseline="pci-dss-4.0.1",
            requirement=REQUIREMENT,
            verdict=Verdict("fail", "short"),
            waiver=WAIVER,
            waiver_state="active",
        )
        assert result.status == "waived"

"""Waivers: accepted exceptions shown as waived until they expire."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from secpolicy.baselines import check_policy
from secpolicy.exceptions import PolicyConfigError
from secpolicy.policyfile import Waiver, loads_policy

WEAK = '[password]\nmin_length = 8\nmax_age = "90 days"\n'
WAIVER = (
    '[[waivers]]\nrequirement = "{req}"\nreason = "legacy system, replaced in Q3"\n'
    'approver = "CISO Li"\nexpires = {expires}\nticket = "RISK-42"\n'
)
BEFORE = datetime(2026, 6, 30, 23, 0, tzinfo=UTC)
AFTER = datetime(2026, 7, 1, 0, 0, tzinfo=UTC)


def _result(text: str, now: datetime, requirement: str = "password-length") -> str:
    report = check_policy(loads_policy(text), ["pci-dss-4"], now=now)
    return next(r for r in report.results if r.requirement.id == requirement).status


class TestWaiver:
    def test_active_waiver_shows_waived_not_pass(self) -> None:
        """A waived shortfall is waived, and the report stays ok."""
        text = WEAK + WAIVER.format(req="pci-dss-4.0.1/password-length", expires="2026-06-30")
        assert _result(text, BEFORE) == "waived"
        report = check_policy(loads_policy(text), ["pci-dss-4"], now=BEFORE)
        assert report.counts()["waived"] == 1
        assert all(r.id != "pci-dss-4.0.1/password-length" for r in report.failures)

    def test_expired_waiver_fails(self) -> None:
        """From the day after the expiry date the requirement fails again."""
        text = WEAK + WAIVER.format(req="pci-dss-4.0.1/password-length", expires="2026-06-30")
        assert _result(text, AFTER) == "fail"
        report = check_policy(loads_policy(text), ["pci-dss-4"], now=AFTER)
        detail = next(r.detail for r in report.failures if r.requirement.id == "password-length")
        assert "expired 2026-06-30" in detail

    def test_expired_waiver_fails_even_a_passing_requirement(self) -> None:
        """A lapsed waiver must be renewed or removed: it fails its requirement."""
        text = WEAK + WAIVER.format(req="pci-dss-4/history", expires="2026-06-30")
        assert _result(text, AFTER, "history") == "fail"

    def test_waiver_by_alias(self) -> None:
        """The 0.1 baseline id works in a waiver."""
        text = WEAK + WAIVER.format(req="pci-dss-4/password-length", expires="2026-06-30")
        assert _result(text, BEFORE) == "waived"

    def test_offset_datetime_expiry(self) -> None:
        """An offset date-time ends the waiver at that instant."""
        text = WEAK + WAIVER.format(
            req="pci-dss-4/password-length", expires="2026-07-01T08:00:00+08:00"
        )
        assert _result(text, BEFORE) == "waived"
        assert _result(text, AFTER) == "fail"

    def test_unknown_requirement_is_an_error_with_line(self) -> None:
        """A waiver naming no requirement is a PolicyConfigError naming its line."""
        text = WEAK + WAIVER.format(req="pci-dss-4.0.1/password-lenght", expires="2026-06-30")
        with pytest.raises(PolicyConfigError, match="has no requirement") as info:
            check_policy(loads_policy(text), ["pci-dss-4"], now=BEFORE)
        assert info.value.line == 5

    def test_unknown_baseline_is_an_error(self) -> None:
        """A waiver naming no baseline is an error, even when that baseline is not checked."""
        text = WEAK + WAIVER.format(req="iso-27001/a-5", expires="2026-06-30")
        with pytest.raises(PolicyConfigError, match="unknown baseline"):
            check_policy(loads_policy(text), ["pci-dss-4"], now=BEFORE)

    def test_same_requirement_twice_is_an_error(self) -> None:
        """An alias and the versioned id name the same requirement."""
        text = (
            WEAK
            + WAIVER.format(req="pci-dss-4/password-length", expires="2026-06-30")
            + WAIVER.format(req="pci-dss-4.0.1/password-length", expires="2026-06-30")
        )
        with pytest.raises(PolicyConfigError, match="second time"):
            check_policy(loads_policy(text), ["pci-dss-4"], now=BEFORE)

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("requirement", '"password-length"', "baseline/requirement"),
            ("expires", '"2026-06-30"', "TOML date"),
            ("expires", "2026-06-30T00:00:00", "local date-time"),
        ],
    )
    def test_malformed_waiver(self, field: str, value: str, message: str) -> None:
        """Malformed fields are load errors naming the key."""
        text = WAIVER.format(req="pci-dss-4/lockout", expires="2026-06-30")
        lines = [
            f"{field} = {value}" if line.startswith(f"{field} =") else line
            for line in text.splitlines()
        ]
        with pytest.raises(PolicyConfigError, match=message) as info:
            loads_policy("\n".join(lines))
        assert info.value.field is not None
        assert info.value.field.startswith("waivers[0]")

    def test_missing_approver(self) -> None:
        """Reason, approver and expiry are required."""
        with pytest.raises(PolicyConfigError, match="is required"):
            loads_policy(
                '[[waivers]]\nrequirement = "pci-dss-4/lockout"\nreason = "r"\n'
                "expires = 2026-01-01\n"
            )

    def test_reports_list_every_waiver(self) -> None:
        """JSON, text, SARIF and HTML list each waiver, checked in this run or not."""
        text = (
            WEAK
            + WAIVER.format(req="pci-dss-4/password-length", expires="2026-06-30")
            + WAIVER.format(req="cn-mlps-l3/mfa", expires="2025-01-01")
        )
        report = check_policy(loads_policy(text), ["pci-dss-4"], now=BEFORE)
        data = json.loads(report.render("json"))
        assert [w["requirement"] for w in data["waivers"]] == [
            "pci-dss-4/password-length",
            "cn-mlps-l3/mfa",
        ]
        assert [w["state"] for w in data["waivers"]] == ["active", "expired"]
        assert report.to_text().count("WAIVER ") == 2
        sarif = json.loads(report.render("sarif"))
        assert len(sarif["runs"][0]["properties"]["reports"][0]["waivers"]) == 2
        html = report.render("html")
        assert "cn-mlps-l3/mfa" in html
        assert "CISO Li" in html

    def test_sarif_waived_result_is_suppressed(self) -> None:
        """With --include-passing a waived requirement is a suppressed result."""
        text = WEAK + WAIVER.format(req="pci-dss-4/password-length", expires="2026-06-30")
        report = check_policy(loads_policy(text), ["pci-dss-4"], now=BEFORE)
        default = json.loads(report.render("sarif"))["runs"][0]["results"]
        assert all(r["ruleId"] != "pci-dss-4.0.1/password-length" for r in default)
        full = json.loads(report.render("sarif", include_passing=True))["runs"][0]["results"]
        waived = next(r for r in full if r["ruleId"] == "pci-dss-4.0.1/password-length")
        assert waived["suppressions"][0]["status"] == "accepted"

    def test_waiver_state_needs_aware_time(self) -> None:
        """A naive now is refused."""
        waiver = Waiver(requirement="a/b", reason="r", approver="x", expires=AFTER.date())
        with pytest.raises(PolicyConfigError):
            waiver.state(datetime(2026, 1, 1))  # noqa: DTZ001 (the point of the test)
        with pytest.raises(PolicyConfigError):
            check_policy(loads_policy(""), ["pci-dss-4"], now=datetime(2026, 1, 1))  # noqa: DTZ001


class TestDates:
    def test_now_as_a_date(self) -> None:
        """now= may be a date: the waiver holds on its expiry date, not the day after."""
        from datetime import date

        text = WEAK + WAIVER.format(req="pci-dss-4/password-length", expires="2026-06-30")
        policy = loads_policy(text)
        on = check_policy(policy, ["pci-dss-4"], now=date(2026, 6, 30))
        after = check_policy(policy, ["pci-dss-4"], now=date(2026, 7, 1))
        assert on.counts()["waived"] == 1
        assert after.counts()["waived"] == 0
        with pytest.raises(PolicyConfigError):
            policy.waivers[0].state("2026-07-01")  # type: ignore[arg-type]  # the point


class TestExtremeExpiry:
    def test_last_representable_date_is_judged_not_a_crash(self) -> None:
        """A waiver until 9999-12-31 is active (the day after it is no datetime)."""
        text = WEAK + WAIVER.format(req="pci-dss-4.0.1/password-length", expires="9999-12-31")
        assert _result(text, AFTER) == "waived"

    def test_offset_pushing_expiry_out_of_range_is_a_config_error(self) -> None:
        """An offset date-time that is not representable in UTC is refused at load."""
        text = WEAK + WAIVER.format(
            req="pci-dss-4.0.1/password-length", expires="9999-12-31T23:00:00-05:00"
        )
        with pytest.raises(PolicyConfigError, match="expires"):
            loads_policy(text)

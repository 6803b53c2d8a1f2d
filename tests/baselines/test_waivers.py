"""Waivers: accepted exceptions shown as waived until they expire."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import pytest

from secpolicy import FrozenClock
from secpolicy.baselines import CheckReport, check_policy
from secpolicy.exceptions import PolicyConfigError
from secpolicy.policyfile import Waiver, loads_policy
from tests.baselines._helpers import check_text, result_of

WEAK = '[password]\nmin_length = 8\nmax_age = "90 days"\n'
WAIVER = (
    '[[waivers]]\nrequirement = "{req}"\nreason = "legacy system, replaced in Q3"\n'
    'approver = "CISO Li"\nexpires = {expires}\nticket = "RISK-42"\n'
)
BEFORE = datetime(2026, 6, 30, 23, 0, tzinfo=UTC)
AFTER = datetime(2026, 7, 1, 0, 0, tzinfo=UTC)


def _result(text: str, now: datetime, requirement: str = "password-length") -> str:
    return check_text(text, "pci-dss-4", requirement, clock=FrozenClock(now)).status


class TestWaiver:
    def test_active_waiver_shows_waived_not_pass(self) -> None:
        """A waived shortfall is waived, and the report stays ok."""
        text = WEAK + WAIVER.format(req="pci-dss-4.0.1/password-length", expires="2026-06-30")
        assert _result(text, BEFORE) == "waived"
        report = check_policy(loads_policy(text), ["pci-dss-4"], clock=FrozenClock(BEFORE))
        assert report.counts()["waived"] == 1
        assert all(r.id != "pci-dss-4.0.1/password-length" for r in report.failures)

    def test_expired_waiver_fails(self) -> None:
        """From the day after the expiry date the requirement fails again."""
        text = WEAK + WAIVER.format(req="pci-dss-4.0.1/password-length", expires="2026-06-30")
        assert _result(text, AFTER) == "fail"
        report = check_policy(loads_policy(text), ["pci-dss-4"], clock=FrozenClock(AFTER))
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
            check_policy(loads_policy(text), ["pci-dss-4"], clock=FrozenClock(BEFORE))
        assert info.value.line == 5

    def test_unknown_baseline_is_an_error(self) -> None:
        """A waiver naming no baseline is an error, even when that baseline is not checked."""
        text = WEAK + WAIVER.format(req="iso-27001/a-5", expires="2026-06-30")
        with pytest.raises(PolicyConfigError, match="unknown baseline"):
            check_policy(loads_policy(text), ["pci-dss-4"], clock=FrozenClock(BEFORE))

    def test_same_requirement_twice_is_an_error(self) -> None:
        """An alias and the versioned id name the same requirement."""
        text = (
            WEAK
            + WAIVER.format(req="pci-dss-4/password-length", expires="2026-06-30")
            + WAIVER.format(req="pci-dss-4.0.1/password-length", expires="2026-06-30")
        )
        with pytest.raises(PolicyConfigError, match="second time"):
            check_policy(loads_policy(text), ["pci-dss-4"], clock=FrozenClock(BEFORE))

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
        report = check_policy(loads_policy(text), ["pci-dss-4"], clock=FrozenClock(BEFORE))
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
        report = check_policy(loads_policy(text), ["pci-dss-4"], clock=FrozenClock(BEFORE))
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
        """A what-if now= may be a date: the waiver holds on its expiry date, not the day after."""
        text = WEAK + WAIVER.format(req="pci-dss-4/password-length", expires="2026-06-30")
        policy = loads_policy(text)
        clock = FrozenClock(datetime(2026, 6, 1, tzinfo=UTC))
        on = check_policy(policy, ["pci-dss-4"], now=date(2026, 6, 30), clock=clock)
        after = check_policy(policy, ["pci-dss-4"], now=date(2026, 7, 1), clock=clock)
        assert on.counts()["waived"] == 1
        assert after.counts()["waived"] == 0
        with pytest.raises(PolicyConfigError):
            policy.waivers[0].state("2026-07-01")  # type: ignore[arg-type]  # the point


class TestExtremeExpiry:
    def test_last_representable_date_is_judged_not_a_crash(self) -> None:
        """A waiver until 9999-12-31 is judged (too long), not a crash."""
        text = WEAK + WAIVER.format(req="pci-dss-4.0.1/password-length", expires="9999-12-31")
        assert _result(text, AFTER) == "fail"
        max_days = "[waivers_settings]\nmax_days = 1830\n"
        assert _result(max_days + text, datetime(9999, 12, 1, tzinfo=UTC)) == "waived"

    def test_offset_pushing_expiry_out_of_range_is_a_config_error(self) -> None:
        """An offset date-time that is not representable in UTC is refused at load."""
        text = WEAK + WAIVER.format(
            req="pci-dss-4.0.1/password-length", expires="9999-12-31T23:00:00-05:00"
        )
        with pytest.raises(PolicyConfigError, match="expires"):
            loads_policy(text)


class TestClockOverride:
    def test_what_if_instant_does_not_revive_an_expired_waiver(self) -> None:
        """now= in the past leaves a waiver expired at the clock's time expired."""
        text = WEAK + WAIVER.format(req="pci-dss-4/password-length", expires="2026-06-30")
        report = check_policy(
            loads_policy(text), ["pci-dss-4"], now=date(1999, 1, 1), clock=FrozenClock(AFTER)
        )
        assert _status(report) == "fail"
        assert not report.ok
        assert report.waiver_state(report.waivers[0]) == "expired"

    def test_what_if_instant_in_the_future_can_expire_a_waiver(self) -> None:
        """now= after the expiry answers "will my waivers still hold then?": no."""
        text = WEAK + WAIVER.format(req="pci-dss-4/password-length", expires="2026-06-30")
        report = check_policy(
            loads_policy(text), ["pci-dss-4"], now=AFTER, clock=FrozenClock(BEFORE)
        )
        assert _status(report) == "fail"

    def test_every_form_says_the_clock_was_overridden(self) -> None:
        """Text, JSON, SARIF, JUnit and HTML carry evaluated_at and clock_overridden."""
        report = check_policy(
            loads_policy(WEAK), ["pci-dss-4"], now=date(1999, 1, 1), clock=FrozenClock(AFTER)
        )
        assert report.clock_overridden
        assert report.generated_at == AFTER
        assert report.evaluated_at == datetime(1999, 1, 1, tzinfo=UTC)
        assert report.render("text").startswith("WARNING: CLOCK OVERRIDDEN: evaluated at 1999")
        data = json.loads(report.render("json"))
        assert data["clock_overridden"] is True
        assert data["evaluated_at"] == "1999-01-01T00:00:00+00:00"
        assert data["generated_at"] == AFTER.isoformat()
        run = json.loads(report.render("sarif"))["runs"][0]
        assert run["properties"]["clock_overridden"] is True
        assert run["properties"]["evaluated_at"] == ["1999-01-01T00:00:00+00:00"]
        notice = run["invocations"][0]["toolExecutionNotifications"][0]
        assert "CLOCK OVERRIDDEN" in notice["message"]["text"]
        junit = ET.fromstring(report.render("junit"))  # noqa: S314 (our own output)
        props = {p.get("name"): p.get("value") for p in junit.iter("property")}
        assert props["clock_overridden"] == "true"
        assert props["evaluated_at"] == "1999-01-01T00:00:00+00:00"
        html = report.render("html")
        assert "CLOCK OVERRIDDEN" in html
        assert "1999-01-01T00:00:00+00:00" in html
        assert "时钟已被覆盖" in report.render("html", locale="zh-CN")

    def test_without_now_the_clock_is_not_overridden(self) -> None:
        """A report read from the clock says clock_overridden false and has no warning."""
        report = check_policy(loads_policy(WEAK), ["pci-dss-4"], clock=FrozenClock(AFTER))
        assert not report.clock_overridden
        assert report.evaluated_at == report.generated_at == AFTER
        assert json.loads(report.render("json"))["clock_overridden"] is False
        assert "CLOCK OVERRIDDEN" not in report.render("text")
        assert "CLOCK OVERRIDDEN" not in report.render("html")


class TestMaximumLength:
    def test_waiver_beyond_a_year_is_too_long(self) -> None:
        """A waiver ending more than 365 days after the report fails as too long."""
        clock = FrozenClock(datetime(2026, 12, 2, 1, 0, tzinfo=UTC))
        ok = WEAK + WAIVER.format(req="pci-dss-4/password-length", expires="2027-12-02")
        long = WEAK + WAIVER.format(req="pci-dss-4/password-length", expires="2027-12-03")
        permanent = WEAK + WAIVER.format(req="pci-dss-4/password-length", expires="9999-12-31")
        assert _status(check_policy(loads_policy(ok), ["pci-dss-4"], clock=clock)) == "waived"
        for text in (long, permanent):
            report = check_policy(loads_policy(text), ["pci-dss-4"], clock=clock)
            assert _status(report) == "fail"
            assert not report.ok
            assert report.waiver_state(report.waivers[0]) == "too-long"
            result = result_of(report, "password-length")
            assert result.detail.startswith("waiver too long")
            assert json.loads(report.render("json"))["waivers"][0]["state"] == "too-long"
            assert "waiver too long" in report.render("html")

    def test_offset_datetime_beyond_the_limit_is_too_long(self) -> None:
        """An offset date-time expiry is compared to the instant max_days ahead."""
        clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
        inside = WEAK + WAIVER.format(
            req="pci-dss-4/password-length", expires="2027-01-01T07:59:00+08:00"
        )
        beyond = WEAK + WAIVER.format(
            req="pci-dss-4/password-length", expires="2027-01-01T08:01:00+08:00"
        )
        assert _status(check_policy(loads_policy(inside), ["pci-dss-4"], clock=clock)) == "waived"
        assert _status(check_policy(loads_policy(beyond), ["pci-dss-4"], clock=clock)) == "fail"

    def test_max_days_is_configurable_per_policy_file(self) -> None:
        """[waivers_settings] max_days shortens or lengthens the limit, within five years."""
        clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
        waiver = WAIVER.format(req="pci-dss-4/password-length", expires="2026-03-01")
        short = "[waivers_settings]\nmax_days = 30\n" + WEAK + waiver
        report = check_policy(loads_policy(short), ["pci-dss-4"], clock=clock)
        assert _status(report) == "fail"
        assert report.waiver_max_days == 30
        assert json.loads(report.render("json"))["waiver_max_days"] == 30
        two_years = WAIVER.format(req="pci-dss-4/password-length", expires="2027-12-31")
        longer = "[waivers_settings]\nmax_days = 730\n" + WEAK + two_years
        assert _status(check_policy(loads_policy(longer), ["pci-dss-4"], clock=clock)) == "waived"

    @pytest.mark.parametrize(("value", "message"), [("0", ">= 1"), ("1831", "at most 1830")])
    def test_max_days_is_bounded(self, value: str, message: str) -> None:
        """max_days below one day or above five years is a config error naming the key."""
        with pytest.raises(PolicyConfigError, match=message) as caught:
            loads_policy(f"[waivers_settings]\nmax_days = {value}\n")
        assert "waivers_settings.max_days" in str(caught.value)

    def test_unknown_settings_key_is_an_error(self) -> None:
        """A misspelled key in [waivers_settings] is refused, as everywhere in the file."""
        with pytest.raises(PolicyConfigError, match="max_day"):
            loads_policy("[waivers_settings]\nmax_day = 30\n")


def _status(report: CheckReport) -> str:
    return result_of(report, "password-length").status

"""The check report in each form CI systems read."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from secpolicy.baselines import CheckReport, check_policy
from secpolicy.policyfile import load_policy, loads_policy

EXAMPLE = Path(__file__).parents[2] / "examples" / "secpolicy.toml"

#: The parts of the SARIF 2.1.0 schema (OASIS, sarif-schema-2.1.0.json) that a
#: results log must satisfy, written from the specification's required
#: properties and enumerations: no package in the registry ships the schema.
SARIF_REQUIRED: dict[str, Any] = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "$schema": {"type": "string", "format": "uri"},
        "runs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["tool"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "version": {"type": "string"},
                                    "informationUri": {"type": "string"},
                                    "rules": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["id"],
                                            "properties": {
                                                "id": {"type": "string"},
                                                "shortDescription": {"$ref": "#/$defs/message"},
                                                "fullDescription": {"$ref": "#/$defs/message"},
                                            },
                                        },
                                    },
                                },
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["message"],
                            "properties": {
                                "ruleId": {"type": "string"},
                                "ruleIndex": {"type": "integer", "minimum": -1},
                                "kind": {
                                    "enum": [
                                        "notApplicable",
                                        "pass",
                                        "fail",
                                        "review",
                                        "open",
                                        "informational",
                                    ]
                                },
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "message": {"$ref": "#/$defs/message"},
                                "locations": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "properties": {
                                                    "artifactLocation": {
                                                        "type": "object",
                                                        "properties": {"uri": {"type": "string"}},
                                                    },
                                                    "region": {
                                                        "type": "object",
                                                        "properties": {
                                                            "startLine": {
                                                                "type": "integer",
                                                                "minimum": 1,
                                                            }
                                                        },
                                                    },
                                                },
                                            }
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
    "$defs": {
        "message": {
            "type": "object",
            "anyOf": [{"required": ["text"]}, {"required": ["id"]}],
            "properties": {"text": {"type": "string"}},
        }
    },
}


@pytest.fixture
def report() -> CheckReport:
    """The example checked against a baseline it meets and one it does not."""
    return check_policy(load_policy(EXAMPLE), ["cn-mlps-l3", "pci-dss-4", "nist-800-63b"])


class TestForms:
    def test_counts_and_ok(self, report: CheckReport) -> None:
        """A report with a failure is not ok; counts add up."""
        counts = report.counts()
        assert not report.ok
        assert sum(counts.values()) == len(report.results)
        assert counts["fail"] == len(report.failures) > 0
        assert counts["n/a"] == 1  # PCI rotation: the example requires MFA

    def test_text_table(self, report: CheckReport) -> None:
        """The table has a header, one row per requirement and a summary."""
        lines = report.to_text().splitlines()
        assert lines[0].split() == ["STATUS", "REQUIREMENT", "CLAUSE", "DETAIL"]
        assert len(lines) == len(report.results) + 2
        assert lines[-1].startswith("FAILED: ")
        assert any(line.startswith("PASS    cn-mlps-l3-2019/mfa ") for line in lines)

    def test_json(self, report: CheckReport) -> None:
        """The JSON form carries every result with its line in the policy file."""
        data = json.loads(report.render("json"))
        assert data["ok"] is False
        assert data["baselines"] == ["cn-mlps-l3-2019", "pci-dss-4.0.1", "nist-800-63b-4"]
        first = data["results"][0]
        assert first["id"] == "cn-mlps-l3-2019/password-length"
        assert first["line"] == 17  # min_length = 10
        assert first["interpretation"] is True

    def test_junit_xml_parses_with_counts(self, report: CheckReport) -> None:
        """JUnit XML: a suite per baseline with failures and skips counted."""
        root = ET.fromstring(report.render("junit"))  # noqa: S314 (our own output)
        assert root.tag == "testsuites"
        suites = {suite.get("name"): suite for suite in root}
        assert set(suites) == {"cn-mlps-l3-2019", "pci-dss-4.0.1", "nist-800-63b-4"}
        assert suites["cn-mlps-l3-2019"].get("failures") == "0"
        pci = suites["pci-dss-4.0.1"]
        assert pci.get("skipped") == "1"
        failures = [case for case in pci if case.find("failure") is not None]
        # 8.3.6 length, and the 10.2.1.3 and 10.2.1.6 events
        assert len(failures) == int(pci.get("failures") or 0) == 3
        assert root.get("tests") == str(len(report.results))

    def test_sarif_matches_the_schema(self, report: CheckReport) -> None:
        """SARIF 2.1.0: required properties, enumerations and one rule per requirement."""
        sarif = json.loads(report.render("sarif", include_passing=True))
        jsonschema.validate(sarif, SARIF_REQUIRED, cls=jsonschema.Draft202012Validator)
        run = sarif["runs"][0]
        rules = run["tool"]["driver"]["rules"]
        assert [r["id"] for r in rules] == [r.id for r in report.results]
        kinds = {r["kind"] for r in run["results"]}
        assert kinds == {"pass", "fail", "notApplicable"}
        for result in run["results"]:
            assert (result["level"] == "error") == (result["kind"] == "fail")
            assert rules[result["ruleIndex"]]["id"] == result["ruleId"]

    def test_sarif_without_a_file(self) -> None:
        """A policy from a string has no line; the location is just the name."""
        sarif = check_policy(loads_policy(""), ["nist-800-63b"]).to_sarif()
        location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
        assert location == {"artifactLocation": {"uri": "policy", "uriBaseId": "%SRCROOT%"}}

    def test_unknown_format(self, report: CheckReport) -> None:
        """Asking for an unknown form is a ValueError naming the known ones."""
        with pytest.raises(ValueError, match="text, json, junit, sarif, html"):
            report.render("pdf")


class TestMoreForms:
    def test_helpers_and_error_forms(self, tmp_path: Path) -> None:
        """waived, to_html, to_junit_xml, and the error forms of an invalid file."""
        from datetime import UTC, datetime

        from secpolicy import FrozenClock
        from secpolicy.baselines import invalid_report
        from secpolicy.exceptions import PolicyConfigError

        now = datetime(2026, 1, 1, tzinfo=UTC)
        report = check_policy(loads_policy(""), ["pci-dss-4"], clock=FrozenClock(now))
        assert report.waived == ()
        assert report.to_html().startswith("<!DOCTYPE html>")
        assert ET.fromstring(report.to_junit_xml()).tag == "testsuites"  # noqa: S314
        error = PolicyConfigError("is required", field="audit.path", source="p.toml", line=4)
        bad = invalid_report("p.toml", error, clock=FrozenClock(now))
        assert not bad.ok
        assert bad.to_text() == "ERROR: p.toml:4: audit.path: is required"
        assert json.loads(bad.render("json"))["error"]["line"] == 4
        junit = ET.fromstring(bad.render("junit"))  # noqa: S314 (our own output)
        assert junit.get("errors") == "1"
        both = ET.fromstring(  # noqa: S314 (our own output)
            __import__("secpolicy.baselines", fromlist=["render_reports"]).render_reports(
                [report, bad], "junit"
            )
        )
        assert {s.get("name") for s in both}.issuperset({"p.toml: policy file"})

    def test_digest_of_a_missing_source(self, tmp_path: Path) -> None:
        """A source file gone since loading gives no digest rather than an error."""
        path = tmp_path / "secpolicy.toml"
        path.write_text("[password]\nmin_length = 8\n", encoding="utf-8")
        policy = load_policy(path)
        path.unlink()
        assert check_policy(policy, ["pci-dss-4"]).policy_sha256 is None

    def test_unknown_baseline_in_check_policy(self) -> None:
        """An unknown name is a KeyError listing the known ones."""
        with pytest.raises(KeyError, match="known: nist-800-63b-4"):
            check_policy(loads_policy(""), ["iso-27001"])

    def test_registry_helpers(self) -> None:
        """aliases(), repr and look-ups in a registry."""
        from secpolicy.baselines import BASELINES

        assert BASELINES.aliases()["pci-dss-4"] == "pci-dss-4.0.1"
        assert "pci-dss-4.0.1" in repr(BASELINES)
        assert 42 not in BASELINES
        assert BASELINES["cn-mlps-l3"].name == "cn-mlps-l3-2019"
        with pytest.raises(KeyError, match="unknown baseline"):
            BASELINES["x"]


class TestJunitMetadata:
    def test_every_suite_carries_version_hash_time_edition_and_waivers(self) -> None:
        """JUnit records the same metadata as the other forms, also for an invalid file."""
        text = (
            '[password]\nmin_length = 8\n[[waivers]]\nrequirement = "pci-dss-4/password-length"\n'
            'reason = "legacy"\napprover = "CISO Li"\nexpires = 2099-01-01\n'
        )
        report = check_policy(loads_policy(text), ["pci-dss-4"])
        root = ET.fromstring(report.render("junit"))  # noqa: S314 (our own output)
        (suite,) = list(root)
        props = {p.get("name"): p.get("value") for p in suite.iter("property")}
        assert props["secpolicy.version"] == report.tool_version
        assert props["policy.sha256"] == (report.policy_sha256 or "")
        assert props["checked_at"] == report.generated_at.isoformat()
        assert props["baseline.edition"] == "PCI DSS v4.0.1 (June 2024)"
        assert props["baseline.version"]
        assert "CISO Li" in (props["waiver.pci-dss-4/password-length"] or "")
        assert next(iter(suite)).tag == "properties"  # before the test cases, as JUnit has it


class TestJunitValidityOnly:
    def test_a_report_without_baselines_is_one_test_case(self) -> None:
        """A validity-only report is one passing case whose suite carries the what-if clock."""
        policy = loads_policy('[password]\nprofile = "pci-dss-4"')
        report = check_policy(policy, [], now=datetime(2027, 1, 1, tzinfo=UTC))
        root = ET.fromstring(report.render("junit"))  # noqa: S314 (our own output)
        assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("1", "0", "0")
        cases = list(root.iter("testcase"))
        assert [c.get("name") for c in cases] == ["policy file"]
        assert not list(cases[0])
        props = {p.get("name"): p.get("value") for p in root.iter("property")}
        assert props["clock_overridden"] == "true"
        assert props["evaluated_at"] == "2027-01-01T00:00:00+00:00"

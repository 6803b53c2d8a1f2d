"""The HTML report, rendered in a real headless Chromium, and the SARIF details."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from secpolicy import FrozenClock
from secpolicy.baselines import check_policy, invalid_report, render_reports
from secpolicy.exceptions import PolicyConfigError
from secpolicy.policyfile import load_policy, loads_policy

EXAMPLE = Path(__file__).parents[2] / "examples" / "secpolicy.toml"
NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
CLOCK = FrozenClock(NOW)
WAIVED = (
    EXAMPLE.read_text(encoding="utf-8")
    + '\n[[waivers]]\nrequirement = "pci-dss-4/password-length"\nreason = "旧系统，第三季度替换"\n'
    'approver = "CISO 李"\nexpires = 2026-06-30\n'
)


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("chromium is not installed: run scripts/ensure_chromium.sh (make test does)")
    return found


def _png_pixels(path: Path) -> tuple[int, int, set[bytes]]:
    """Width, height and a sample of distinct pixels of an 8-bit RGB(A) PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, width, height, colour = 8, b"", 0, 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, _, colour = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            chunks += body
        pos += 12 + length
    raw = zlib.decompress(chunks)
    channels = 4 if colour == 6 else 3
    stride = width * channels + 1
    # the filter byte makes raw bytes differ from pixels; distinct rows still show content
    rows = {raw[y * stride : (y + 1) * stride] for y in range(0, height, 7)}
    return width, height, rows


def _render(html: str, tmp_path: Path) -> tuple[Path, str]:
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    shot = tmp_path / "report.png"
    result = subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1280,1600",
            f"--screenshot={shot}",
            "--enable-logging=stderr",
            "--v=0",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return shot, result.stderr


class TestHtmlInChromium:
    @pytest.mark.parametrize("locale", ["en", "zh-CN"])
    def test_renders_without_console_errors(self, locale: str, tmp_path: Path) -> None:
        """Chromium renders the page to a non-blank PNG and logs no console message."""
        report = check_policy(
            loads_policy(WAIVED, source=str(EXAMPLE)), ["pci-dss-4", "cn-mlps-l3"], clock=CLOCK
        )
        shot, log = _render(report.render("html", locale=locale), tmp_path)
        width, height, rows = _png_pixels(shot)
        assert (width, height) == (1280, 1600)
        assert len(rows) > 20  # text and tables, not one flat colour
        assert "CONSOLE" not in log  # console messages: INFO:CONSOLE(...) lines
        assert "Uncaught" not in log


class TestHtmlContent:
    def test_self_contained_with_metadata(self) -> None:
        """No script or external file; clauses, waivers, version, edition, hash and time."""
        policy = load_policy(EXAMPLE)
        report = check_policy(policy, ["pci-dss-4"], clock=CLOCK)
        html = report.render("html")
        assert "<script" not in html
        assert "http://" not in html.replace("http-equiv", "")
        assert "https://" not in html
        assert "@media print" in html
        assert report.policy_sha256 is not None
        for text in (
            report.policy_sha256,
            "2026-03-01T08:00:00+00:00",
            "PCI DSS v4.0.1 (June 2024)",
            "secpolicy ",
            "10.2.1.3",
            "Required",
            "Declared",
            "Waivers",
        ):
            assert text in html, text

    def test_chinese_locale_and_escaping(self) -> None:
        """zh-CN labels; values from the file are escaped."""
        text = '[service]\nname = "<b>x</b>"\n'
        html = check_policy(loads_policy(text), ["pci-dss-4"], clock=CLOCK).render(
            "html", locale="zh-CN"
        )
        assert '<html lang="zh-CN">' in html
        assert "合规检查报告" in html
        assert "&lt;b&gt;x&lt;/b&gt;" in html

    def test_unknown_locale(self) -> None:
        """An unknown locale is an error naming the known ones."""
        with pytest.raises(PolicyConfigError, match="en, zh-CN"):
            check_policy(loads_policy(""), ["pci-dss-4"], clock=CLOCK).render("html", locale="fr")

    def test_invalid_policy_report(self) -> None:
        """An invalid file still gives a page with the error."""
        error = PolicyConfigError("must be >= 1", field="password.min_length", line=2)
        html = invalid_report("secpolicy.toml", error, clock=CLOCK).render("html")
        assert "could not be checked" in html
        assert "must be &gt;= 1" in html


class TestJsonMetadata:
    def test_same_metadata_as_html(self) -> None:
        """Tool version, editions, SHA-256, time and waivers in the JSON report."""
        report = check_policy(load_policy(EXAMPLE), ["pci-dss-4"], clock=CLOCK)
        data = json.loads(report.render("json"))
        assert data["tool"]["name"] == "secpolicy"
        assert data["generated_at"] == "2026-03-01T08:00:00+00:00"
        assert len(data["policy_sha256"]) == 64
        assert data["editions"][0]["id"] == "pci-dss-4.0.1"
        assert data["waivers"] == []


class TestSarif:
    def test_failures_only_by_default(self) -> None:
        """Only failed requirements are results unless include_passing."""
        report = check_policy(load_policy(EXAMPLE), ["pci-dss-4"], clock=CLOCK)
        run = json.loads(report.render("sarif"))["runs"][0]
        assert {r["kind"] for r in run["results"]} == {"fail"}
        assert len(run["results"]) == len(report.failures)
        full = json.loads(report.render("sarif", include_passing=True))["runs"][0]
        assert len(full["results"]) == len(report.results)

    def test_relative_percent_encoded_uri(self, tmp_path: Path) -> None:
        """The artifact is relative to the root, percent-encoded, under %SRCROOT%."""
        folder = tmp_path / "my policies"
        folder.mkdir()
        path = folder / "sec policy.toml"
        path.write_text("[password]\nmin_length = 8\n", encoding="utf-8")
        report = check_policy(load_policy(path), ["pci-dss-4"], clock=CLOCK)
        run = report.to_sarif(root=tmp_path)["runs"][0]
        location = run["results"][0]["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {
            "uri": "my%20policies/sec%20policy.toml",
            "uriBaseId": "%SRCROOT%",
        }
        assert location["region"]["startLine"] >= 1
        assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")
        outside = report.to_sarif(root=tmp_path / "elsewhere")["runs"][0]
        uri = outside["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        assert uri["uri"].startswith("file:///")

    def test_severity_and_automation_details(self) -> None:
        """Rules carry security-severity; the run carries automationDetails."""
        report = check_policy(load_policy(EXAMPLE), ["pci-dss-4", "cn-mlps-l3"], clock=CLOCK)
        run = report.to_sarif(include_passing=True)["runs"][0]
        assert run["automationDetails"]["id"] == "secpolicy/cn-mlps-l3-2019+pci-dss-4.0.1/"
        severities = {
            r["id"]: r["properties"]["security-severity"] for r in run["tool"]["driver"]["rules"]
        }
        assert severities["pci-dss-4.0.1/pan-display"] == "9.0"
        assert all(float(s) > 0 for s in severities.values())

    def test_invalid_file_gives_one_error_result(self) -> None:
        """An invalid policy file is one error result with its line; execution unsuccessful."""
        error = PolicyConfigError(
            "must be >= 1", field="password.min_length", source="p.toml", line=3
        )
        text = render_reports([invalid_report("p.toml", error, clock=CLOCK)], "sarif")
        run = json.loads(text)["runs"][0]
        (result,) = run["results"]
        assert result["ruleId"] == "secpolicy/invalid-policy-file"
        assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 3}
        assert run["invocations"][0]["executionSuccessful"] is False


class TestHtmlPersonalData:
    def test_contact_data_in_waiver_text_is_masked(self) -> None:
        """A phone number or e-mail address written into a waiver never prints in clear."""
        text = (
            '[password]\nmin_length = 8\n[[waivers]]\nrequirement = "pci-dss-4/password-length"\n'
            'reason = "<script>x</script> call 13812345678 or li.wei@example.com"\n'
            'approver = "CISO li.wei@example.com"\nexpires = 2099-01-01\n'
            'ticket = "RISK-1 13912345678"\n'
        )
        html = check_policy(loads_policy(text), ["pci-dss-4"], clock=CLOCK).render("html")
        for secret in ("13812345678", "13912345678", "li.wei@example.com", "<script>x"):
            assert secret not in html, secret
        assert "&lt;CN_MOBILE&gt;" in html
        assert "&lt;EMAIL&gt;" in html
        assert "&lt;script&gt;x&lt;/script&gt;" in html
        assert "8.3.6" in html  # clause numbers are not taken for addresses

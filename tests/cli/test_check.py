"""secpolicy check, baselines, schema and password check, through a real process."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from secpolicy.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, main
from secpolicy.policyfile import json_schema

EXAMPLE = Path(__file__).parents[2] / "examples" / "secpolicy.toml"


def run(*args: str, stdin: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m secpolicy ARGS`` with *stdin*."""
    return subprocess.run(
        [sys.executable, "-m", "secpolicy", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        cwd=cwd,
    )


class TestCheck:
    def test_passing_baselines_exit_zero(self) -> None:
        """All requirements met: exit 0 and an OK summary."""
        result = run("check", str(EXAMPLE), "--baseline", "cn-mlps-l3", "cn-interactive-service")
        assert result.returncode == EXIT_OK, result.stdout + result.stderr
        assert result.stdout.splitlines()[-1].startswith("OK: ")

    def test_shortfall_exits_one(self) -> None:
        """A failed requirement: exit 1, the failure in the table."""
        result = run("check", str(EXAMPLE), "-b", "pci-dss-4")
        assert result.returncode == EXIT_FAILURE
        assert "FAIL    pci-dss-4.0.1/password-length" in result.stdout

    def test_junit_output_file(self, tmp_path: Path) -> None:
        """--format junit --output writes parseable JUnit XML."""
        out = tmp_path / "report.xml"
        result = run(
            "check", str(EXAMPLE), "-b", "cn-mlps-l3", "--format", "junit", "--output", str(out)
        )
        assert result.returncode == EXIT_OK
        root = ET.parse(out).getroot()  # noqa: S314 (our own output)
        assert root.get("failures") == "0"
        assert root.get("tests") == "13"

    def test_json_and_sarif(self) -> None:
        """--format json and sarif print JSON documents."""
        data = json.loads(
            run("check", str(EXAMPLE), "-b", "nist-800-63b", "--format", "json").stdout
        )
        assert data["ok"] is False
        sarif = json.loads(
            run("check", str(EXAMPLE), "-b", "nist-800-63b", "--format", "sarif").stdout
        )
        assert sarif["version"] == "2.1.0"

    def test_without_baseline_validates(self, tmp_path: Path) -> None:
        """With no baseline the file is only loaded; the default name is secpolicy.toml."""
        (tmp_path / "secpolicy.toml").write_text('[password]\nprofile = "pci-dss-4"\n')
        result = run("check", cwd=tmp_path)
        assert result.returncode == EXIT_OK
        assert result.stdout == "OK: secpolicy.toml is a valid policy (sections: password)\n"

    def test_invalid_file_exits_two_with_line(self, tmp_path: Path) -> None:
        """An invalid policy file: exit 2 and the file, line and key on stderr."""
        path = tmp_path / "secpolicy.toml"
        path.write_text("[password]\n\nmin_length = 0\n")
        result = run("check", str(path), "-b", "cn-mlps-l3")
        assert result.returncode == EXIT_USAGE
        assert result.stderr == f"secpolicy: {path}:3: password.min_length: must be >= 1\n"

    def test_missing_file_and_unknown_baseline(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Usage errors exit 2."""
        assert main(["check", "no-such.toml"]) == EXIT_USAGE
        assert "no such policy file" in capsys.readouterr().err
        assert main(["check", str(EXAMPLE), "-b", "iso-27001"]) == EXIT_USAGE


class TestBaselines:
    def test_list_and_detail(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Without names a line per baseline; with names every requirement and clause."""
        assert main(["baselines"]) == EXIT_OK
        assert len(capsys.readouterr().out.splitlines()) == 6
        assert main(["baselines", "cn-mlps-l3"]) == EXIT_OK
        out = capsys.readouterr().out
        assert "GB/T 22239-2019 level 3 8.1.4.1 d)" in out
        assert "[interpretation]" in out

    def test_json_and_unknown(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--json lists requirements as data; an unknown name is a usage error."""
        assert main(["baselines", "--json", "pci-dss-4"]) == EXIT_OK
        data = json.loads(capsys.readouterr().out)
        assert data[0]["requirements"][0]["clause"] == "PCI DSS v4.0.1 (June 2024) 8.3.6"
        assert main(["baselines", "iso-27001"]) == EXIT_USAGE


class TestSchema:
    def test_schema_command(self, tmp_path: Path) -> None:
        """secpolicy schema writes the generated schema."""
        out = tmp_path / "schema.json"
        assert main(["schema", "--output", str(out)]) == EXIT_OK
        assert json.loads(out.read_text()) == json_schema()


class TestPasswordCheck:
    def test_rejected_password_is_never_echoed(self) -> None:
        """A rejected password: exit 1, the reasons, and no trace of the password."""
        secret = "Password1!"
        result = run("password", "check", "--profile", "pci-dss-4", stdin=secret + "\n")
        assert result.returncode == EXIT_FAILURE
        assert "rejected by pci-dss-4" in result.stdout
        assert "too_short" in result.stdout
        assert secret not in result.stdout + result.stderr

    def test_accepted_with_policy_file_in_chinese(self, tmp_path: Path) -> None:
        """--policy uses the file's [password] section; --locale picks the messages."""
        path = tmp_path / "secpolicy.toml"
        path.write_text('[password]\nprofile = "cn-mlps-l3"\n')
        ok = run("password", "check", "--policy", str(path), stdin="Kx9#mPq2$vLw\n")
        assert ok.returncode == EXIT_OK, ok.stdout
        weak = run(
            "password", "check", "--policy", str(path), "--locale", "zh-CN", "--json", stdin="abc\n"
        )
        data = json.loads(weak.stdout)
        assert data["ok"] is False
        assert data["violations"][0]["code"] == "too_short"
        assert "abc" not in weak.stdout

    def test_context_words_from_options(self) -> None:
        """--username makes passwords built from the account name fail."""
        result = run(
            "password", "check", "--profile", "nist-800-63b", "--username", "zhangwei",
            stdin="zhangwei-is-my-name-2025\n",
        )  # fmt: skip
        assert result.returncode == EXIT_FAILURE
        assert "similar_to_user_data" in result.stdout

    def test_never_from_arguments(self) -> None:
        """There is no argument that takes the password; extra words are usage errors."""
        result = run("password", "check", "--profile", "pci-dss-4", "hunter2hunter2")
        assert result.returncode == EXIT_USAGE
        assert "hunter2hunter2" not in result.stdout + result.stderr
        assert "standard input" in result.stderr

    def test_usage_errors(self, tmp_path: Path) -> None:
        """No input, no policy or a policy without [password] exit 2."""
        assert run("password", "check", "--profile", "pci-dss-4").returncode == EXIT_USAGE
        assert run("password", "check", stdin="x\n").returncode == EXIT_USAGE
        empty = tmp_path / "p.toml"
        empty.write_text("[service]\nname = 'x'\n")
        result = run("password", "check", "--policy", str(empty), stdin="x\n")
        assert result.returncode == EXIT_USAGE
        assert "no [password] section" in result.stderr
        result = run("password", "check", "--policy", str(tmp_path / "none.toml"), stdin="x\n")
        assert result.returncode == EXIT_USAGE


class TestCheckRobustness:
    def test_baseline_then_file(self) -> None:
        """-b NAME FILE: the file is not eaten by the baseline option."""
        result = run("check", "-b", "cn-mlps-l3", str(EXAMPLE))
        assert result.returncode == EXIT_OK, result.stderr
        assert "cn-mlps-l3-2019/mfa" in result.stdout

    def test_comma_list_and_repeat(self) -> None:
        """-b A,B and -b A -b B name the same baselines."""
        one = run("check", str(EXAMPLE), "-b", "cn-mlps-l3,pci-dss-4", "--format", "json")
        two = run("check", str(EXAMPLE), "-b", "cn-mlps-l3", "-b", "pci-dss-4", "--format", "json")
        first, second = json.loads(one.stdout), json.loads(two.stdout)
        assert first["baselines"] == second["baselines"] == ["cn-mlps-l3-2019", "pci-dss-4.0.1"]

    def test_unwritable_output_is_one_line_exit_two(self, tmp_path: Path) -> None:
        """-o into a missing directory: one line on stderr, exit 2, no traceback."""
        result = run("check", str(EXAMPLE), "-b", "cn-mlps-l3", "-o", "/nonexistent/x.xml")
        assert result.returncode == EXIT_USAGE
        assert result.stderr.strip().splitlines() == [
            "secpolicy: cannot write /nonexistent/x.xml: No such file or directory"
        ]

    def test_several_files_and_stdin(self, tmp_path: Path) -> None:
        """Several files and '-' in one run; one report per file."""
        weak = tmp_path / "weak.toml"
        weak.write_text("[password]\nmin_length = 6\n", encoding="utf-8")
        result = run(
            "check", str(EXAMPLE), str(weak), "-", "-b", "cn-mlps-l3", "--format", "json",
            "--stdin-filename", "from-stdin.toml", stdin=EXAMPLE.read_text(encoding="utf-8"),
        )  # fmt: skip
        assert result.returncode == EXIT_FAILURE, result.stderr
        data = json.loads(result.stdout)
        assert [r["ok"] for r in data["reports"]] == [True, False, True]
        assert data["reports"][2]["policy"] == "from-stdin.toml"
        assert data["reports"][2]["policy_sha256"] == data["reports"][0]["policy_sha256"]

    def test_invalid_file_still_writes_sarif(self, tmp_path: Path) -> None:
        """An invalid policy: exit 2, and a SARIF log with one error result is still written."""
        bad = tmp_path / "secpolicy.toml"
        bad.write_text("[password]\nmin_length = 0\n", encoding="utf-8")
        out = tmp_path / "out.sarif"
        result = run(
            "check", str(bad), "-b", "pci-dss-4", "--format", "sarif", "-o", str(out),
            cwd=tmp_path,
        )  # fmt: skip
        assert result.returncode == EXIT_USAGE
        run_ = json.loads(out.read_text(encoding="utf-8"))["runs"][0]
        (only,) = run_["results"]
        assert only["level"] == "error"
        assert only["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
            "secpolicy.toml"
        )
        missing = run("check", "none.toml", "-b", "pci-dss-4", "--format", "json", cwd=tmp_path)
        assert missing.returncode == EXIT_USAGE
        assert "no such policy file" in json.loads(missing.stdout)["error"]["message"]

    def test_waiver_expiry_with_now(self, tmp_path: Path) -> None:
        """--now never revives a waiver expired at the real time, and the report says so."""
        path = tmp_path / "secpolicy.toml"
        path.write_text(
            "[password]\nmin_length = 8\n"
            '[[waivers]]\nrequirement = "nist-800-63b/password-length"\n'
            'reason = "r"\napprover = "a"\nexpires = 2026-06-30\n',
            encoding="utf-8",
        )
        args = ("check", str(path), "-b", "nist-800-63b", "--format", "json")
        # the waiver expired on 2026-06-30, before any run of this test
        moved = run(*args, "--now", "1999-01-01")
        assert moved.returncode == 1
        before = json.loads(moved.stdout)
        assert before["clock_overridden"] is True
        assert before["evaluated_at"] == "1999-01-01T00:00:00+00:00"
        assert before["generated_at"] > "2026-07-01"
        assert before["waivers"][0]["state"] == "expired"
        status = {r["requirement"]: r["status"] for r in before["results"]}
        assert status["password-length"] == "fail"
        text = run("check", str(path), "-b", "nist-800-63b", "--now", "2026-06-30")
        assert text.stdout.startswith("WARNING: CLOCK OVERRIDDEN")
        plain = json.loads(run(*args).stdout)
        assert plain["clock_overridden"] is False
        assert run(*args, "--now", "someday").returncode == EXIT_USAGE
        assert run(*args, "--now", "2026-07-01T00:00:00").returncode == EXIT_USAGE

    def test_unknown_waiver_requirement_exits_two(self, tmp_path: Path) -> None:
        """A waiver of no known requirement is an invalid file, with its line."""
        path = tmp_path / "secpolicy.toml"
        path.write_text(
            '[[waivers]]\nrequirement = "pci-dss-4/nope"\nreason = "r"\napprover = "a"\n'
            "expires = 2026-06-30\n",
            encoding="utf-8",
        )
        result = run("check", str(path), "-b", "pci-dss-4")
        assert result.returncode == EXIT_USAGE
        assert f"{path}:2: waivers[0].requirement" in result.stderr

    def test_html_and_custom_baseline_file(self, tmp_path: Path) -> None:
        """--baseline-file adds a rulebook; --format html --locale zh-CN writes a page."""
        rules = tmp_path / "acme.toml"
        rules.write_text(
            '[baseline]\nid = "acme-1"\ntitle = "ACME"\n[[requirements]]\nid = "len"\n'
            'title = "14 characters"\nclause = "ACME 4.2"\nkey = "password.min_length"\n'
            'op = ">="\nvalue = 14\n',
            encoding="utf-8",
        )
        out = tmp_path / "r.html"
        result = run(
            "check", str(EXAMPLE), "--baseline-file", str(rules), "--format", "html",
            "--locale", "zh-CN", "-o", str(out),
        )  # fmt: skip
        assert result.returncode == EXIT_FAILURE, result.stderr
        assert "合规检查报告" in out.read_text(encoding="utf-8")
        listed = run("baselines", "--baseline-file", str(rules))
        assert "acme-1" in listed.stdout
        broken = tmp_path / "broken.toml"
        broken.write_text('[baseline]\nid = "x"\ntitle = "X"\nrequirements = 3\n', encoding="utf-8")
        bad = run("check", str(EXAMPLE), "--baseline-file", str(broken))
        assert bad.returncode == EXIT_USAGE
        assert f"{broken}:4: baseline.requirements: unknown key" in bad.stderr

    def test_baselines_show_aliases_and_changelog(self) -> None:
        """The listing names the versioned ids, aliases, edition and changelog."""
        result = run("baselines", "pci-dss-4")
        assert "pci-dss-4.0.1" in result.stdout
        assert "alias: pci-dss-4" in result.stdout
        assert "version 2 (2026-12-01):" in result.stdout


ROOT = Path(__file__).parents[2]


class TestIntegrations:
    def test_pre_commit_hook(self, tmp_path: Path) -> None:
        """The hook runs `secpolicy check ARGS FILES` on changed secpolicy.toml files."""
        import yaml

        (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
        assert hook["id"] == "secpolicy-check"
        assert hook["entry"] == "secpolicy check"
        assert hook["pass_filenames"] is True
        import re

        assert re.search(hook["files"], "services/api/secpolicy.toml")
        assert not re.search(hook["files"], "pyproject.toml")
        weak = tmp_path / "secpolicy.toml"
        weak.write_text("[password]\nmin_length = 6\n", encoding="utf-8")
        # pre-commit appends the file names after the hook's args
        ok = run(*hook["entry"].split()[1:], "--baseline", "cn-mlps-l3", str(EXAMPLE))
        assert ok.returncode == EXIT_OK, ok.stderr
        bad = run(*hook["entry"].split()[1:], "--baseline", "cn-mlps-l3", str(EXAMPLE), str(weak))
        assert bad.returncode == EXIT_FAILURE

    def test_action_runs_the_check_and_keeps_the_exit_code(self, tmp_path: Path) -> None:
        """The composite action's check step writes SARIF and reports the exit code."""
        import os
        import shutil

        import yaml

        action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
        assert action["runs"]["using"] == "composite"
        steps = {step.get("id", step.get("name", "")): step for step in action["runs"]["steps"]}
        uploads = [s for s in action["runs"]["steps"] if "upload-sarif" in s.get("uses", "")]
        assert uploads
        assert uploads[0]["if"].startswith("always()")
        script = steps["check"]["run"]
        shutil.copy(EXAMPLE, tmp_path / "secpolicy.toml")
        output = tmp_path / "github_output"
        env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "FILES": "secpolicy.toml",
            "BASELINES": "cn-mlps-l3,pci-dss-4",
            "BASELINE_FILES": "",
            "SARIF_FILE": "out.sarif",
            "HTML_FILE": "out.html",
            "LOCALE": "zh-CN",
            "GITHUB_OUTPUT": str(output),
        }
        bash = shutil.which("bash")
        assert bash is not None
        done = subprocess.run(
            [bash, "-e", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
            check=False, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert output.read_text(encoding="utf-8").strip() == "exit-code=1"
        sarif = json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))
        assert sarif["runs"][0]["results"]
        assert "合规检查报告" in (tmp_path / "out.html").read_text(encoding="utf-8")


class TestCheckInProcess:
    def test_formats_and_stdin(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Every form through main(); '-' reads bytes from standard input."""
        import io

        for fmt in ("json", "junit", "sarif", "html", "text"):
            out = tmp_path / f"r.{fmt}"
            code = main(
                ["check", str(EXAMPLE), "-b", "cn-mlps-l3", "--format", fmt, "-o", str(out)]
            )
            assert code == EXIT_OK
            assert out.stat().st_size > 0
        stdin = io.TextIOWrapper(io.BytesIO(EXAMPLE.read_bytes()), encoding="utf-8")
        monkeypatch.setattr(sys, "stdin", stdin)
        assert main(["check", "-", "-b", "cn-mlps-l3", "--now", "2026-01-01"]) == EXIT_OK
        assert "OK: " in capsys.readouterr().out
        bad = io.TextIOWrapper(io.BytesIO(b"[password]\nmin_length = '\xff'\n"), encoding="utf-8")
        monkeypatch.setattr(sys, "stdin", bad)
        assert main(["check", "-", "-b", "cn-mlps-l3"]) == EXIT_USAGE
        assert "<stdin>:2: not UTF-8 text" in capsys.readouterr().err

    def test_usage_errors(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """Bad --now, '-' twice, unknown baselines and unwritable outputs are exit 2."""
        assert main(["check", str(EXAMPLE), "-b", "pci-dss-4", "--now", "soon"]) == EXIT_USAGE
        assert main(["check", "-", "-", "-b", "pci-dss-4"]) == EXIT_USAGE
        assert main(["check", str(EXAMPLE), "-b", "nope"]) == EXIT_USAGE
        assert main(["check", str(EXAMPLE), "-o", str(tmp_path / "no" / "x")]) == EXIT_USAGE
        assert main(["schema", "-o", str(tmp_path / "no" / "s.json")]) == EXIT_USAGE
        assert main(["baselines", "nope"]) == EXIT_USAGE
        err = capsys.readouterr().err
        assert "Traceback" not in err
        assert "cannot write" in err

    def test_validate_only_and_positional_baseline(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """No baseline validates; a positional baseline name is taken as -b (0.1 syntax)."""
        monkeypatch.chdir(tmp_path)
        (tmp_path / "secpolicy.toml").write_text('[password]\nprofile = "pci-dss-4"\n')
        assert main(["check"]) == EXIT_OK
        assert capsys.readouterr().out == (
            "OK: secpolicy.toml is a valid policy (sections: password)\n"
        )
        assert main(["check", "secpolicy.toml", "-b", "nist-800-63b", "pci-dss-4"]) == EXIT_FAILURE
        assert main(["check", "-b", "pci-dss-4", "--", "secpolicy.toml", "owasp-asvs-5"]) == (
            EXIT_FAILURE
        )
        out = capsys.readouterr().out
        assert "owasp-asvs-5.0.0/" in out
        assert "nist-800-63b-4/" in out
        unreadable = tmp_path / "dir.toml"
        unreadable.mkdir()
        assert main(["check", str(unreadable), "-b", "pci-dss-4"]) == EXIT_USAGE

    def test_baselines_listing(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """Listing with names shows notes, scope and changelog; --json gives the data."""
        assert main(["baselines", "cn-mlps-l3", "pci-dss-4.0.1"]) == EXIT_OK
        out = capsys.readouterr().out
        assert "note: GB/T 22239-2019 gives no retention period" in out
        assert "scope: Requirement 8 applies" in out
        assert main(["baselines", "--json"]) == EXIT_OK
        data = json.loads(capsys.readouterr().out)
        assert [b["id"] for b in data][:2] == ["nist-800-63b-4", "owasp-asvs-5.0.0"]
        assert data[0]["aliases"] == ["nist-800-63b"]


class TestDirectoriesAndCase:
    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["check"], "is a directory, not a policy file (give its secpolicy.toml)"),
            (["check", "-b", "cn-mlps-l3"], "is a directory, not a policy file"),
            (["check", "--baseline-file"], "is a directory, not a baseline file"),
            (["pii", "scan"], "is a directory, not a file"),
            (["password", "check", "--policy"], "is a directory, not a policy file"),
        ],
    )
    def test_a_directory_is_named_as_one(
        self,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
        args: list[str],
        message: str,
    ) -> None:
        """A directory where a file is expected: exit 2 and one line saying so."""
        import io

        monkeypatch.setattr(sys, "stdin", io.StringIO("Correct-Horse-Battery-9\n"))
        assert main([*args, str(tmp_path)]) == EXIT_USAGE
        err = capsys.readouterr().err
        assert message in err
        assert len(err.strip().splitlines()) == 1

    def test_upper_case_baseline_ids_resolve(self, capsys: pytest.CaptureFixture[str]) -> None:
        """PCI-DSS-4.0.1 and CN-MLPS-L3 are the shipped baselines; reports use the real id."""
        assert main(["check", str(EXAMPLE), "-b", "CN-MLPS-L3", "--format", "json"]) == EXIT_OK
        report = json.loads(capsys.readouterr().out)
        assert report["baselines"] == ["cn-mlps-l3-2019"]
        assert main(["check", str(EXAMPLE), "-b", "PCI-DSS-4.0.1"]) == EXIT_FAILURE
        assert "pci-dss-4.0.1/password-length" in capsys.readouterr().out

    def test_an_unknown_baseline_gets_a_suggestion(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A near miss names the closest id or alias."""
        assert main(["check", str(EXAMPLE), "-b", "pci-dss-5"]) == EXIT_USAGE
        err = capsys.readouterr().err
        assert "unknown baseline 'pci-dss-5' (did you mean 'pci-dss-4'?)" in err
        assert len(err.strip().splitlines()) == 1


class TestDocumentedWorkflows:
    def test_sarif_upload_jobs_may_write_security_events(self) -> None:
        """Every documented job that uploads SARIF grants security-events: write."""
        page = (Path(__file__).parents[2] / "docs" / "compliance.md").read_text(encoding="utf-8")
        blocks = [b.split("```", 1)[0] for b in page.split("```yaml")[1:]]
        uploads = [b for b in blocks if "upload-sarif" in b or "sarif" in b.lower()]
        assert uploads
        for block in uploads:
            if "jobs:" in block:
                assert "security-events: write" in block, block


class TestCheckWhatIfEverywhere:
    """``check --now`` is marked even where no requirement table is printed."""

    def test_validity_only_text_and_junit(self, tmp_path: Path) -> None:
        """Without --baseline, text and JUnit still say the clock was overridden."""
        path = tmp_path / "secpolicy.toml"
        path.write_text('[password]\nprofile = "pci-dss-4"\n', encoding="utf-8")
        text = run("check", str(path), "--now", "2027-01-01")
        assert text.returncode == EXIT_OK
        assert text.stdout.startswith("WARNING: CLOCK OVERRIDDEN: evaluated at 2027-01-01")
        assert "OK: " in text.stdout
        junit = run("check", str(path), "--now", "2027-01-01", "--format", "junit")
        root = ET.fromstring(junit.stdout)  # noqa: S314 (our own output)
        props = {p.get("name"): p.get("value") for p in root.iter("property")}
        assert props["clock_overridden"] == "true"
        assert props["evaluated_at"] == "2027-01-01T00:00:00+00:00"
        assert root.get("tests") == "1"
        assert root.get("failures") == "0"

    def test_invalid_file_text(self, tmp_path: Path) -> None:
        """An invalid file checked with --now: the text report warns too."""
        path = tmp_path / "secpolicy.toml"
        path.write_text("[password\n", encoding="utf-8")
        result = run("check", str(path), "-b", "pci-dss-4", "--now", "2027-01-01")
        assert result.returncode == EXIT_USAGE
        assert result.stdout.startswith("WARNING: CLOCK OVERRIDDEN")

    def test_without_now_no_warning(self, tmp_path: Path) -> None:
        """The real clock is not announced as overridden."""
        path = tmp_path / "secpolicy.toml"
        path.write_text('[password]\nprofile = "pci-dss-4"\n', encoding="utf-8")
        result = run("check", str(path))
        assert "CLOCK OVERRIDDEN" not in result.stdout
        root = ET.fromstring(run("check", str(path), "--format", "junit").stdout)  # noqa: S314
        props = {p.get("name"): p.get("value") for p in root.iter("property")}
        assert props["clock_overridden"] == "false"

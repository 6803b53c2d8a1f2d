"""The secpolicy command's entry points."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

import pytest

import secpolicy
from secpolicy import cli


class TestMain:
    def test_bare_command_prints_help(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Without arguments the command prints its help, commands and areas."""
        assert cli.main([]) == cli.EXIT_OK
        out = capsys.readouterr().out
        assert out.startswith("usage: secpolicy")
        for command in ("check", "audit", "pii", "retention", "password", "keys"):
            assert command in out
        for area, _ in cli._AREAS:
            assert area in out
        assert "exit codes" in out

    def test_unexpected_error_is_one_line_exit_2(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A bug inside a command is exit 2 with one line naming only the error's type."""
        from secpolicy.cli import _pii

        def boom(_: object) -> int:
            raise KeyError("13812345678")

        monkeypatch.delenv("SECPOLICY_DEBUG", raising=False)
        monkeypatch.setattr(_pii, "_scan", boom)
        assert cli.main(["pii", "scan"]) == cli.EXIT_USAGE
        err = capsys.readouterr().err
        assert err.count("\n") == 1
        assert "internal error (KeyError)" in err
        assert "13812345678" not in err
        monkeypatch.setenv("SECPOLICY_DEBUG", "1")
        with pytest.raises(KeyError):
            cli.main(["pii", "scan"])

    def test_unwritable_output_is_exit_2(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """An output path in a missing directory is one line and exit 2, not a traceback."""
        records = tmp_path / "r.jsonl"
        records.write_text("", encoding="utf-8")
        code = cli.main(
            [
                "retention",
                "due",
                str(records),
                "--profile",
                "cn-interactive-service",
                "--now",
                "2025-01-01T00:00:00+00:00",
                "-o",
                "/nonexistent/x.jsonl",
            ]
        )
        assert code == cli.EXIT_USAGE
        err = capsys.readouterr().err
        assert err.startswith("secpolicy: cannot use")
        assert err.count("\n") == 1

    def test_version_flag(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--version prints the version and exits 0."""
        assert cli.main(["--version"]) == cli.EXIT_OK
        assert secpolicy.__version__ in capsys.readouterr().out

    def test_usage_error_exits_2(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An unknown option is a usage error, pointing at --help."""
        assert cli.main(["--no-such-option"]) == cli.EXIT_USAGE
        assert "--no-such-option (see secpolicy --help)" in capsys.readouterr().err

    def test_main_module_in_process(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Running secpolicy as __main__ exits with main()'s code."""
        monkeypatch.setattr(sys, "argv", ["secpolicy"])
        with pytest.raises(SystemExit) as info:
            # by path: pytest's assertion-rewriting loader (secpolicy is a pytest
            # plugin distribution) cannot hand runpy a module's code object
            runpy.run_path(
                str(Path(secpolicy.__file__).parent / "__main__.py"), run_name="__main__"
            )
        assert info.value.code == cli.EXIT_OK
        assert "areas:" in capsys.readouterr().out

    def test_python_dash_m(self) -> None:
        """python -m secpolicy runs the same command."""
        result = subprocess.run(
            [sys.executable, "-m", "secpolicy", "--version"],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert result.returncode == 0
        assert secpolicy.__version__ in result.stdout


class TestUsageErrors:
    @pytest.mark.parametrize(
        "argv",
        [
            ["check", "secpolicy.toml", "-b"],
            ["nosuch"],
            ["check", "--format", "xml"],
            ["pii", "scan", "--nope"],
            ["retention", "due"],
        ],
    )
    def test_usage_error_is_one_line_exit_2(
        self, argv: list[str], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A usage error is exit 2 with one line naming the command and --help."""
        assert cli.main(argv) == cli.EXIT_USAGE
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1, err
        assert err.startswith("secpolicy")
        assert "--help" in err

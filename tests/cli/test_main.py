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
    def test_lists_version_and_areas(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Without arguments the command names its version and areas."""
        assert cli.main([]) == cli.EXIT_OK
        out = capsys.readouterr().out
        assert f"secpolicy {secpolicy.__version__}" in out
        for area, _ in cli.AREAS:
            assert area in out

    def test_version_flag(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--version prints the version and exits 0."""
        assert cli.main(["--version"]) == cli.EXIT_OK
        assert secpolicy.__version__ in capsys.readouterr().out

    def test_usage_error_exits_2(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An unknown option is a usage error."""
        assert cli.main(["--no-such-option"]) == cli.EXIT_USAGE
        assert "usage:" in capsys.readouterr().err

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

"""``secpolicy pii scan``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from secpolicy.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, main

TEXT = "手机13812345678，身份证11010519491231002X\nclean line\nmail a@b.cn\n"


def test_masks_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Files are masked line by line to stdout; counts go to stderr without values."""
    path = tmp_path / "app.log"
    path.write_text(TEXT, encoding="utf-8")
    assert main(["pii", "scan", str(path), "--preset", "cn-display"]) == EXIT_OK
    out, err = capsys.readouterr()
    assert out == "手机138****5678，身份证110105********002X\nclean line\nmail *@b.cn\n"
    assert "CN_MOBILE: 1" in err
    assert "CN_RESIDENT_ID: 1" in err
    assert "13812345678" not in err


def test_default_placeholders_and_entities(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without a preset, entities become placeholders; --entities narrows the search."""
    path = tmp_path / "app.log"
    path.write_text(TEXT, encoding="utf-8")
    main(["pii", "scan", str(path), "--entities", "EMAIL"])
    assert capsys.readouterr().out.splitlines() == [
        TEXT.splitlines()[0],
        "clean line",
        "mail <EMAIL>",
    ]


def test_fail_on_find(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--fail-on-find exits 1 when something is found, 0 on clean input."""
    dirty, clean = tmp_path / "dirty.log", tmp_path / "clean.log"
    dirty.write_text(TEXT, encoding="utf-8")
    clean.write_text("nothing here\n", encoding="utf-8")
    assert main(["pii", "scan", str(dirty), "--fail-on-find", "--quiet"]) == EXIT_FAILURE
    assert main(["pii", "scan", str(clean), "--fail-on-find"]) == EXIT_OK
    out, err = capsys.readouterr()
    assert out == "nothing here\n"
    assert "found none" in err


def test_bad_entity(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown entity name is a usage error."""
    assert main(["pii", "scan", "--entities", "PERSON_NAME"]) == EXIT_USAGE
    assert "--entities" in capsys.readouterr().err


def test_stdin() -> None:
    """Standard input is masked to standard output."""
    result = subprocess.run(
        [sys.executable, "-m", "secpolicy", "pii", "scan", "--preset", "pci-display"],
        input="card 4111 1111 1111 1111\n",
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "card 4111 11** **** 1111\n"

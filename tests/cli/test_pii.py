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


class TestEncodingsAndPolicy:
    def test_gbk_file_is_a_usage_error(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A GBK file read as UTF-8 is exit 2 with one line naming the file, not a traceback."""
        path = tmp_path / "gbk.log"
        path.write_bytes("客户手机13812345678\n".encode("gbk"))
        assert main(["pii", "scan", str(path)]) == EXIT_USAGE
        out, err = capsys.readouterr()
        assert err.count("\n") == 1
        assert str(path) in err
        assert "--encoding" in err
        assert "13812345678" not in err + out

    def test_encoding_option(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """--encoding reads GBK (and other) files."""
        path = tmp_path / "gbk.log"
        path.write_bytes("客户手机13812345678\n".encode("gbk"))
        assert main(["pii", "scan", str(path), "--encoding", "gbk", "--preset", "cn-display"]) == 0
        assert capsys.readouterr().out == "客户手机138****5678\n"

    def test_unknown_encoding(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An unknown encoding name is a usage error."""
        assert main(["pii", "scan", "--encoding", "klingon"]) == EXIT_USAGE
        assert "unknown encoding" in capsys.readouterr().err

    def test_policy_masker(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """--policy masks with the service's own [pii] section."""
        policy = tmp_path / "secpolicy.toml"
        policy.write_text('[pii]\npreset = "cn-display"\n', encoding="utf-8")
        log = tmp_path / "app.log"
        log.write_text("手机13812345678\n", encoding="utf-8")
        assert main(["pii", "scan", str(log), "--policy", str(policy)]) == EXIT_OK
        assert capsys.readouterr().out == "手机138****5678\n"

    def test_policy_without_pii(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A policy without [pii] is a usage error."""
        policy = tmp_path / "secpolicy.toml"
        policy.write_text('[service]\nname = "x"\n', encoding="utf-8")
        assert main(["pii", "scan", "--policy", str(policy)]) == EXIT_USAGE
        assert "no [pii] section" in capsys.readouterr().err

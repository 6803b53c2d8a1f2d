"""Command lines a CI job might be tricked into passing without checking anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from secpolicy.cli import EXIT_OK, EXIT_USAGE, main

EXAMPLE = Path(__file__).parents[2] / "examples" / "secpolicy.toml"
WEAK = "[password]\nmin_length = 6\n"


class TestEmptyBaselineList:
    """``--baseline`` given with nothing in it is a usage error, not a validation-only pass."""

    @pytest.mark.parametrize("value", ["", ",", " , "])
    def test_empty_baseline_value_is_a_usage_error(
        self, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """``-b "$UNSET"`` must not turn the gate into a green file check."""
        policy = tmp_path / "secpolicy.toml"
        policy.write_text(WEAK, encoding="utf-8")
        assert main(["check", str(policy), "-b", value]) == EXIT_USAGE
        err = capsys.readouterr().err
        assert "--baseline" in err
        assert len(err.strip().splitlines()) == 1

    def test_baseline_value_taken_as_a_file_leaves_none_is_a_usage_error(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """``-b secpolicy.toml`` (the name forgotten) checks against nothing: refused."""
        policy = tmp_path / "secpolicy.toml"
        policy.write_text(WEAK, encoding="utf-8")
        assert main(["check", "-b", str(policy)]) == EXIT_USAGE
        assert "--baseline" in capsys.readouterr().err

    def test_no_baseline_option_still_validates(self) -> None:
        """Without --baseline at all, check validates the file, as documented."""
        assert main(["check", str(EXAMPLE)]) == EXIT_OK

"""Command lines a CI job might be tricked into passing without checking anything."""

from __future__ import annotations

import io
import os
import sys
import threading
from pathlib import Path
from typing import Any

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


class TestMisspelledHoldFile:
    """``retention due --holds`` refuses a hold on a category the schedule does not know."""

    def test_hold_on_a_misspelled_category_is_a_usage_error(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A hold on "user_lgo" would protect nothing and the held record would be listed due."""
        holds = tmp_path / "holds.json"
        holds.write_text(
            '[{"category": "user_lgo", "reason": "inquiry 17", '
            '"since": "2025-06-01T09:00:00+08:00"}]',
            encoding="utf-8",
        )
        records = tmp_path / "records.jsonl"
        records.write_text(
            '{"id": "r1", "category": "user_log", "created": "2020-01-01T00:00:00+00:00"}\n',
            encoding="utf-8",
        )
        code = main(
            [
                "retention", "due", "--profile", "cn-interactive-service",
                "--holds", str(holds), str(records),
            ]
        )  # fmt: skip
        out, err = capsys.readouterr()
        assert code == EXIT_USAGE
        assert "holds[0]" in err
        assert "user_log" in err
        assert len(err.strip().splitlines()) == 1
        assert "r1" not in out


class _Endless(io.RawIOBase):
    """A stream that never ends (``secpolicy check - < /dev/zero``)."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        view[:] = b"#" * len(view)
        return len(view)


class TestHostileStdin:
    """``check -`` reads a bounded amount and names what is wrong with it."""

    def test_endless_stdin_is_refused_by_size(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """An endless stream is cut at the size limit, not read into memory forever."""
        stream = io.TextIOWrapper(io.BufferedReader(_Endless()), encoding="utf-8")
        monkeypatch.setattr(sys, "stdin", stream)
        assert main(["check", "-"]) == EXIT_USAGE
        assert "larger than" in capsys.readouterr().err

    def test_byte_order_mark_on_stdin_is_named(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A BOM on standard input is reported as one, not as "Invalid statement"."""
        raw = io.BytesIO(b"\xef\xbb\xbf[password]\nmin_length = 12\n")
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(raw, encoding="utf-8"))
        assert main(["check", "-"]) == EXIT_USAGE
        assert "byte-order mark" in capsys.readouterr().err


class TestPolicyFromADevice:
    """A device or pipe given as the policy file is named as such, never read."""

    @pytest.mark.parametrize("kind", ["device", "fifo"])
    def test_non_regular_file_is_named(
        self, kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """``check /dev/zero`` (or a FIFO) is a usage error saying it is no regular file."""
        if kind == "device":
            target = "/dev/zero"
        else:
            target = str(tmp_path / "policy.pipe")
            os.mkfifo(target)
        assert main(["check", target]) == EXIT_USAGE
        err = capsys.readouterr().err
        assert "not a regular file" in err
        assert "no such policy file" not in err


class TestOutputToADevice:
    """``-o`` naming a pipe or device writes into it instead of replacing it."""

    def test_report_to_a_fifo_keeps_the_fifo(self, tmp_path: Path) -> None:
        """``-o /dev/null`` (here a FIFO) must not be renamed over by a regular file."""
        fifo = tmp_path / "report.pipe"
        os.mkfifo(fifo)
        received: list[bytes] = []
        reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
        reader.start()
        policy = tmp_path / "secpolicy.toml"
        policy.write_text(WEAK, encoding="utf-8")
        try:
            code = main(
                ["check", str(policy), "-b", "pci-dss-4", "--format", "json", "-o", str(fifo)]
            )
        finally:
            if reader.is_alive() and fifo.is_fifo():
                with fifo.open("wb"):
                    pass  # release the reader if nothing was written into the pipe
            reader.join(timeout=10)
        assert fifo.is_fifo()
        assert code == 1
        assert b'"ok": false' in b"".join(received)


class TestRetentionDueHostileOptions:
    """``retention due`` options out of range are one-line usage errors, not internal errors."""

    @pytest.mark.parametrize("when", ["9999-12-31T23:59:59-23:00", "0001-01-01T00:00:00+14:00"])
    def test_now_beyond_the_calendar_in_utc_is_a_usage_error(
        self, when: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """An offset that pushes --now past year 9999 or before year 1 is refused by name."""
        records = tmp_path / "records.jsonl"
        records.write_text("", encoding="utf-8")
        code = main(["retention", "due", "--profile", "pci-dss-4", "--now", when, str(records)])
        err = capsys.readouterr().err
        assert code == EXIT_USAGE
        assert "--now" in err
        assert "internal error" not in err

    def test_deeply_nested_holds_file_is_a_usage_error(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A holds file nested 100 000 deep is "not valid JSON", not a RecursionError."""
        holds = tmp_path / "holds.json"
        holds.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
        records = tmp_path / "records.jsonl"
        records.write_text("", encoding="utf-8")
        code = main(
            ["retention", "due", "--profile", "pci-dss-4", "--holds", str(holds), str(records)]
        )
        err = capsys.readouterr().err
        assert code == EXIT_USAGE
        assert "not valid JSON" in err


class TestRecordBeyondTheCalendar:
    """A record whose period ends after year 9999 is a bad record; the batch goes on."""

    def test_far_future_record_is_reported_and_the_rest_decided(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Line 1 is reported with its line, line 2 is still decided, the exit is 2."""
        records = tmp_path / "records.jsonl"
        records.write_text(
            '{"id": "far", "category": "audit_log", "created": "9999-12-31T23:00:00+00:00"}\n'
            '{"id": "ok", "category": "audit_log", "created": "2020-01-01T00:00:00+00:00"}\n',
            encoding="utf-8",
        )
        code = main(["retention", "due", "--profile", "pci-dss-4", "--all", str(records)])
        out, err = capsys.readouterr()
        assert code == EXIT_USAGE
        assert ":1:" in err
        assert "internal error" not in err
        assert '"ok"' in out


_RECORDS = (
    '{"id": 123, "category": "user_log", "created": "2020-01-01T00:00:00+00:00"}\n'
    '{"id": "124", "category": "user_log", "created": "2020-01-01T00:00:00+00:00"}\n'
)


def _due_with_holds(tmp_path: Path, holds: str) -> int:
    hold_file = tmp_path / "holds.json"
    hold_file.write_text(holds, encoding="utf-8")
    records = tmp_path / "records.jsonl"
    records.write_text(_RECORDS, encoding="utf-8")
    return main(
        [
            "retention", "due", "--profile", "cn-interactive-service",
            "--holds", str(hold_file), str(records),
        ]
    )  # fmt: skip


class TestHoldFileThatHoldsNothing:
    """``--holds`` entries that would protect no record are errors; integer ids hold."""

    def test_integer_record_ids_hold_their_records(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """record_ids [123, "124"] hold both records: none is listed due."""
        code = _due_with_holds(
            tmp_path,
            '[{"record_ids": [123, "124"], "reason": "case 9", '
            '"since": "2024-01-01T00:00:00+08:00"}]',
        )
        out, _ = capsys.readouterr()
        assert code == EXIT_OK
        assert out == ""

    def test_release_before_placing_is_a_usage_error(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A hold released before it was placed is never in force: refused by name."""
        code = _due_with_holds(
            tmp_path,
            '[{"category": "user_log", "reason": "case 9", '
            '"since": "2024-01-01T00:00:00+08:00", "released": "2023-01-01T00:00:00+08:00"}]',
        )
        out, err = capsys.readouterr()
        assert code == EXIT_USAGE
        assert "holds[0]" in err
        assert "released" in err
        assert len(err.strip().splitlines()) == 1
        assert out == ""

    def test_category_and_record_ids_together_is_a_usage_error(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Both scopes in one hold (one would be ignored) are refused, as in the policy file."""
        code = _due_with_holds(
            tmp_path,
            '[{"category": "user_log", "record_ids": ["9"], "reason": "case 9", '
            '"since": "2024-01-01T00:00:00+08:00"}]',
        )
        err = capsys.readouterr().err
        assert code == EXIT_USAGE
        assert "exactly one of category and record_ids" in err

    def test_misspelled_key_is_a_usage_error(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A misspelled "relased" is not silently ignored: the hold's keys are checked."""
        code = _due_with_holds(
            tmp_path,
            '[{"category": "user_log", "reason": "case 9", '
            '"since": "2024-01-01T00:00:00+08:00", "relased": "2024-02-01T00:00:00+08:00"}]',
        )
        err = capsys.readouterr().err
        assert code == EXIT_USAGE
        assert "relased" in err


class TestKeygenOntoItself:
    """``audit keygen`` never writes the public key over the private key it just made."""

    @pytest.mark.parametrize("public", ["k.pem", "./k.pem", "sub/../k.pem"])
    def test_same_file_for_both_keys_is_a_usage_error(
        self,
        public: str,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """k.pem twice would leave only the public key and report success: refused."""
        monkeypatch.chdir(tmp_path)
        (tmp_path / "sub").mkdir()
        code = main(["audit", "keygen", "k.pem", public])
        err = capsys.readouterr().err
        assert code == EXIT_USAGE
        assert "same file" in err
        assert not (tmp_path / "k.pem").exists()


class TestOutputOverItsInput:
    """``--output`` naming an input file is refused before anything is written."""

    @pytest.mark.parametrize("form", ["same", "dotted"])
    def test_check_report_over_the_policy_file_is_refused(
        self,
        form: str,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """check p.toml -o p.toml would replace the policy with its report: exit 2, file kept."""
        monkeypatch.chdir(tmp_path)
        (tmp_path / "p.toml").write_text(WEAK, encoding="utf-8")
        output = "p.toml" if form == "same" else "./p.toml"
        code = main(["check", "p.toml", "-b", "pci-dss-4", "-o", output])
        err = capsys.readouterr().err
        assert code == EXIT_USAGE
        assert "would replace it" in err
        assert (tmp_path / "p.toml").read_text(encoding="utf-8") == WEAK

    def test_check_report_over_a_baseline_file_is_refused(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--baseline-file is an input too."""
        policy = tmp_path / "p.toml"
        policy.write_text(WEAK, encoding="utf-8")
        custom = tmp_path / "acme.toml"
        custom.write_text(
            '[baseline]\nid = "acme"\ntitle = "T"\n[[requirements]]\nid = "r"\ntitle = "t"\n'
            'clause = "c"\nkey = "password.min_length"\nop = ">="\nvalue = 8\n',
            encoding="utf-8",
        )
        before = custom.read_text(encoding="utf-8")
        code = main(["check", str(policy), "--baseline-file", str(custom), "-o", str(custom)])
        assert code == EXIT_USAGE
        assert custom.read_text(encoding="utf-8") == before
        assert "would replace it" in capsys.readouterr().err

    @pytest.mark.parametrize("which", ["records", "holds"])
    def test_retention_decisions_over_an_input_are_refused(
        self, which: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """retention due r.jsonl -o r.jsonl would replace the records with the due ones."""
        records = tmp_path / "r.jsonl"
        records.write_text(_RECORDS, encoding="utf-8")
        holds = tmp_path / "holds.json"
        holds.write_text("[]", encoding="utf-8")
        target = records if which == "records" else holds
        before = target.read_text(encoding="utf-8")
        code = main(
            [
                "retention", "due", str(records), "--profile", "cn-interactive-service",
                "--holds", str(holds), "-o", str(target),
            ]
        )  # fmt: skip
        assert code == EXIT_USAGE
        assert target.read_text(encoding="utf-8") == before
        assert "would replace it" in capsys.readouterr().err


class TestMisspelledHoldFileUnderDefaultRules:
    """``--holds`` with a misspelled category is refused even when defaults decide unknowns."""

    def test_close_misspelling_is_a_usage_error(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Under on_unknown_category = "default", "user_lgo" is still taken for "user_log"."""
        policy = tmp_path / "secpolicy.toml"
        policy.write_text(
            '[retention]\nprofile = "cn-interactive-service"\non_unknown_category = "default"\n',
            encoding="utf-8",
        )
        holds = tmp_path / "holds.json"
        holds.write_text(
            '[{"category": "user_lgo", "reason": "inquiry 17", '
            '"since": "2025-06-01T09:00:00+08:00"}]',
            encoding="utf-8",
        )
        records = tmp_path / "records.jsonl"
        records.write_text(_RECORDS, encoding="utf-8")
        code = main(
            [
                "retention", "due", "--policy", str(policy),
                "--holds", str(holds), str(records),
            ]
        )  # fmt: skip
        out, err = capsys.readouterr()
        assert code == EXIT_USAGE
        assert "'user_log'" in err
        assert out == ""


class TestCsvWithAByteOrderMark:
    """A CSV saved by a spreadsheet with a BOM keeps its first column, so holds by id still hold."""

    def test_bom_does_not_hide_the_id_column(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """r1 is held by id: with the BOM read into the header it was listed for deletion."""
        records = tmp_path / "records.csv"
        records.write_bytes(
            b"\xef\xbb\xbfid,category,created\n"
            b"r1,user_log,2020-01-01T00:00:00+00:00\n"
            b"r2,user_log,2020-01-01T00:00:00+00:00\n"
        )
        holds = tmp_path / "holds.json"
        holds.write_text(
            '[{"record_ids": ["r1"], "reason": "case 9", "since": "2024-01-01T00:00:00+08:00"}]',
            encoding="utf-8",
        )
        code = main(
            [
                "retention", "due", str(records), "--profile", "cn-interactive-service",
                "--holds", str(holds), "--format", "csv",
            ]
        )  # fmt: skip
        out = capsys.readouterr().out
        assert code == EXIT_OK
        rows = out.strip().splitlines()
        assert rows[0].startswith("record_id,")
        assert [row.split(",")[0] for row in rows[1:]] == ["r2"]

    def test_bom_before_the_first_json_line_is_accepted(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A JSON-lines file saved with a BOM decides its first record too."""
        records = tmp_path / "records.jsonl"
        records.write_bytes(b"\xef\xbb\xbf" + _RECORDS.encode())
        code = main(
            ["retention", "due", str(records), "--profile", "cn-interactive-service", "--all"]
        )
        out = capsys.readouterr().out
        assert code == EXIT_OK
        assert len(out.strip().splitlines()) == 2


class TestRecordWithoutIdUnderAnIdHold:
    """A record without an id cannot be checked against holds on ids: reported, not listed."""

    def test_missing_id_is_a_bad_record(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A header "ID" (not id) leaves every record without one: none is listed due."""
        records = tmp_path / "records.csv"
        records.write_text(
            "ID,category,created\nr1,user_log,2020-01-01T00:00:00+00:00\n", encoding="utf-8"
        )
        holds = tmp_path / "holds.json"
        holds.write_text(
            '[{"record_ids": ["r1"], "reason": "case 9", "since": "2024-01-01T00:00:00+08:00"}]',
            encoding="utf-8",
        )
        code = main(
            [
                "retention", "due", str(records), "--profile", "cn-interactive-service",
                "--holds", str(holds), "--format", "csv",
            ]
        )  # fmt: skip
        out, err = capsys.readouterr()
        assert code == EXIT_USAGE
        assert "record_id" in err
        assert "user_log" not in out

"""``secpolicy retention due`` through the real entry point."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from secpolicy.cli import EXIT_OK, EXIT_USAGE, main

NOW = "2025-09-01T00:00:00+08:00"
RECORDS = [
    {"id": "a", "category": "user_log", "created": "2024-08-31T10:00:00+08:00"},
    {"id": "b", "category": "user_log", "created": "2025-01-01T10:00:00+08:00"},
    {"id": "c", "category": "registration", "created": "2020-01-01T00:00:00+08:00"},
]


def _jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + "\n", encoding="utf-8")
    return path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["retention", "due", "--profile", "cn-interactive-service", *args])
    out, err = capsys.readouterr()
    return code, out, err


class TestDue:
    def test_only_due_records(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """By default only records that may be disposed of are written."""
        code, out, _ = _run(capsys, str(_jsonl(tmp_path / "r.jsonl", RECORDS)), "--now", NOW)
        assert code == EXIT_OK
        lines = [json.loads(line) for line in out.splitlines()]
        assert [(d["record_id"], d["action"]) for d in lines] == [("a", "delete")]
        assert "12 months" in lines[0]["citation"]

    def test_all(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """--all writes every decision."""
        path = _jsonl(tmp_path / "r.jsonl", RECORDS)
        _, out, _ = _run(capsys, str(path), "--now", NOW, "--all")
        assert [json.loads(line)["action"] for line in out.splitlines()] == [
            "delete",
            "retain",
            "retain",
        ]

    def test_csv_in_and_out(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """CSV input with event columns, CSV output with a header."""
        path = tmp_path / "r.csv"
        path.write_text(
            "id,category,created,event:closed\n"
            "a,user_log,2024-08-31T10:00:00+08:00,\n"
            "b,network_log,2025-06-01T10:00:00+08:00,2025-06-02T00:00:00+08:00\n",
            encoding="utf-8",
        )
        code, out, _ = _run(capsys, str(path), "--now", NOW, "--format", "csv", "--all")
        assert code == EXIT_OK
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [(r["record_id"], r["action"]) for r in rows] == [("a", "delete"), ("b", "retain")]

    def test_holds(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """Records under a hold are not due; released holds do not count."""
        holds = tmp_path / "holds.json"
        holds.write_text(
            json.dumps(
                [
                    {"record_ids": ["a"], "reason": "case 7", "since": "2025-01-01T00:00:00+00:00"},
                    {
                        "category": "user_log",
                        "reason": "closed",
                        "since": "2025-01-01T00:00:00+00:00",
                        "released": "2025-02-01T00:00:00+00:00",
                    },
                    {
                        "record_ids": ["b"],
                        "reason": "old",
                        "since": "2025-01-01T00:00:00+00:00",
                        "released": "2025-02-01T00:00:00+00:00",
                    },
                ]
            ),
            encoding="utf-8",
        )
        path = _jsonl(tmp_path / "r.jsonl", RECORDS)
        code, out, _ = _run(capsys, str(path), "--now", NOW, "--holds", str(holds), "--all")
        assert code == EXIT_OK
        first = json.loads(out.splitlines()[0])
        assert first["on_hold"] is True
        assert first["action"] == "retain"

    def test_output_file(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """--output writes the file atomically and nothing to stdout."""
        target = tmp_path / "due.jsonl"
        path = _jsonl(tmp_path / "r.jsonl", RECORDS)
        code, out, _ = _run(capsys, str(path), "--now", NOW, "-o", str(target))
        assert code == EXIT_OK
        assert out == ""
        assert json.loads(target.read_text(encoding="utf-8"))["record_id"] == "a"

    def test_failed_run_leaves_no_output(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """An invalid record aborts without leaving a partial output file."""
        target = tmp_path / "due.jsonl"
        path = _jsonl(tmp_path / "r.jsonl", [*RECORDS, {"id": "z", "category": "user_log"}])
        code, _, err = _run(capsys, str(path), "--now", NOW, "-o", str(target))
        assert code == EXIT_USAGE
        assert "r.jsonl:4: records[3].created: missing" in err
        assert not target.exists()

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--now", "soon"], "--now: not an ISO 8601 time"),
            (["--now", "2025-01-01T00:00:00"], "--now: needs a UTC offset"),
            (["missing.jsonl"], "cannot read missing.jsonl"),
        ],
    )
    def test_usage_errors(
        self, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Bad arguments exit 2 with a message naming the problem."""
        code, _, err = _run(capsys, *args)
        assert code == EXIT_USAGE
        assert message in err

    def test_bad_json_line(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A line that is not JSON is reported with its number."""
        path = tmp_path / "r.jsonl"
        path.write_text(json.dumps(RECORDS[0]) + "\n{broken\n", encoding="utf-8")
        code, _, err = _run(capsys, str(path), "--now", NOW)
        assert code == EXIT_USAGE
        assert "r.jsonl:2: not valid JSON" in err

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            ("{", "not valid JSON"),
            ('{"a": 1}', "expected a list"),
            ('[{"reason": "x"}]', "holds[0]: invalid hold"),
        ],
    )
    def test_bad_holds(
        self, tmp_path: Path, content: str, message: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A malformed holds file is a usage error naming the entry."""
        holds = tmp_path / "holds.json"
        holds.write_text(content, encoding="utf-8")
        path = _jsonl(tmp_path / "r.jsonl", RECORDS)
        code, _, err = _run(capsys, str(path), "--now", NOW, "--holds", str(holds))
        assert code == EXIT_USAGE
        assert message in err

    def test_stdin_and_default_clock(self) -> None:
        """Records come from standard input; without --now the clock is used."""
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "secpolicy",
                "retention",
                "due",
                "--profile",
                "cn-internet-cafe",
            ],
            input=json.dumps(
                {"id": 1, "category": "access_record", "created": "2020-01-01T00:00:00+08:00"}
            ),
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["action"] == "delete"

    def test_fields(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """--fields narrows JSON lines and CSV output; unknown names are usage errors."""
        path = _jsonl(tmp_path / "r.jsonl", RECORDS)
        _, out, _ = _run(capsys, str(path), "--now", NOW, "--fields", "record_id, action")
        assert json.loads(out) == {"record_id": "a", "action": "delete"}
        _, out, _ = _run(
            capsys, str(path), "--now", NOW, "--fields", "record_id", "--format", "csv"
        )
        assert out.splitlines() == ["record_id", "a"]
        code, _, err = _run(capsys, str(path), "--now", NOW, "--fields", "colour")
        assert code == EXIT_USAGE
        assert "--fields: unknown field(s) colour" in err

    def test_help(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--help documents the input fields."""
        assert main(["retention", "due", "--help"]) == EXIT_OK
        assert "event:NAME" in capsys.readouterr().out

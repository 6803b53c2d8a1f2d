"""``secpolicy retention due`` through the real entry point."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import datetime
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


def _due_from_stdin() -> subprocess.CompletedProcess[str]:
    """``python -m secpolicy retention due`` on one internet-café record from stdin, no --now."""
    return subprocess.run(
        [sys.executable, "-m", "secpolicy", "retention", "due", "--profile", "cn-internet-cafe"],
        input=json.dumps(
            {"id": 1, "category": "access_record", "created": "2020-01-01T00:00:00+08:00"}
        ),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


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

    def test_bad_records_reported_and_batch_finishes(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Each bad record is one line on stderr; the good ones are written; exit 2 at the end."""
        target = tmp_path / "due.jsonl"
        bad = {"id": "z", "category": "user_log"}
        path = _jsonl(tmp_path / "r.jsonl", [RECORDS[0], bad, *RECORDS[1:], bad])
        code, _, err = _run(capsys, str(path), "--now", NOW, "-o", str(target), "--all")
        assert code == EXIT_USAGE
        assert "r.jsonl:2: records[1].created: missing" in err
        assert "r.jsonl:5: records[3].created: missing" in err
        assert "2 record(s) could not be decided" in err
        written = [json.loads(line)["record_id"] for line in target.read_text("utf-8").splitlines()]
        assert written == ["a", "b", "c"]

    def test_bad_records_in_csv(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """CSV input reports bad rows the same way and decides the rest."""
        path = tmp_path / "r.csv"
        path.write_text(
            "id,category,created\n"
            "a,user_log,2024-08-31T10:00:00+08:00\n"
            "b,user_log,yesterday\n"
            "c,user_lgo,2024-08-31T10:00:00+08:00\n",
            encoding="utf-8",
        )
        code, out, err = _run(capsys, str(path), "--now", NOW, "--format", "csv")
        assert code == EXIT_USAGE
        assert "r.csv:3: records[1].created: not an ISO 8601 time" in err
        assert "r.csv:4: category: unknown category 'user_lgo'; did you mean 'user_log'?" in err
        assert [row["record_id"] for row in csv.DictReader(io.StringIO(out))] == ["a"]

    def test_policy_rules_and_holds(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--policy decides with the service's own rules and legal holds."""
        policy = tmp_path / "secpolicy.toml"
        policy.write_text(
            "[retention]\n"
            'tz = "Asia/Shanghai"\n'
            "[[retention.rules]]\n"
            'category = "user_log"\n'
            'keep = "3 months"\n'
            "[[retention.holds]]\n"
            'record_ids = ["b"]\n'
            'reason = "case 7"\n'
            "since = 2025-01-02T00:00:00+08:00\n",
            encoding="utf-8",
        )
        path = _jsonl(tmp_path / "r.jsonl", RECORDS[:2])
        code = main(["retention", "due", str(path), "--policy", str(policy), "--now", NOW, "--all"])
        out, _ = capsys.readouterr()
        assert code == EXIT_OK
        decisions = {d["record_id"]: d for d in map(json.loads, out.splitlines())}
        assert decisions["a"]["action"] == "delete"
        assert decisions["b"]["on_hold"] is True
        assert decisions["b"]["action"] == "retain"

    def test_policy_without_retention(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A policy with no [retention] section is a usage error; --profile and --policy exclude."""
        policy = tmp_path / "secpolicy.toml"
        policy.write_text('[service]\nname = "x"\n', encoding="utf-8")
        assert main(["retention", "due", "--policy", str(policy)]) == EXIT_USAGE
        assert "no [retention] section" in capsys.readouterr().err
        assert (
            main(["retention", "due", "--policy", str(policy), "--profile", "hipaa"]) == EXIT_USAGE
        )

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
        assert "1 record(s) could not be decided" in err

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            ("{", "not valid JSON"),
            ('{"a": 1}', "expected a list"),
            ('[{"reason": "x"}]', "holds[0]: give exactly one of category and record_ids"),
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
        result = _due_from_stdin()
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["action"] == "delete"

    def test_fields(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """--fields narrows JSON lines and CSV output; unknown names are usage errors."""
        path = _jsonl(tmp_path / "r.jsonl", RECORDS)
        _, out, _ = _run(capsys, str(path), "--now", NOW, "--fields", "record_id, action")
        assert {k: v for k, v in json.loads(out).items() if k in ("record_id", "action")} == {
            "record_id": "a",
            "action": "delete",
        }
        _, out, _ = _run(
            capsys, str(path), "--now", NOW, "--fields", "record_id", "--format", "csv"
        )
        assert [line.split(",")[0] for line in out.splitlines()] == ["record_id", "a"]
        code, _, err = _run(capsys, str(path), "--now", NOW, "--fields", "colour")
        assert code == EXIT_USAGE
        assert "--fields: unknown field(s) colour" in err

    def test_help(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--help documents the input fields."""
        assert main(["retention", "due", "--help"]) == EXIT_OK
        assert "event:NAME" in capsys.readouterr().out


class TestDueWhatIf:
    """``retention due --now`` is a what-if and says so in every output form."""

    def test_jsonl_lines_carry_the_marks(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Every JSON line names the decision time and that the clock was overridden."""
        path = _jsonl(tmp_path / "r.jsonl", RECORDS)
        code, out, err = _run(capsys, str(path), "--now", NOW, "--all")
        assert code == EXIT_OK
        lines = [json.loads(line) for line in out.splitlines()]
        assert len(lines) == 3
        for line in lines:
            assert line["clock_overridden"] is True
            assert line["evaluated_at"] == "2025-08-31T16:00:00+00:00"
        assert "CLOCK OVERRIDDEN" in err
        assert "2025-08-31T16:00:00+00:00" in err

    def test_csv_rows_carry_the_marks(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """CSV output from JSON or CSV input has the two marks as columns of every row."""
        path = _jsonl(tmp_path / "r.jsonl", RECORDS)
        csv_in = tmp_path / "r.csv"
        csv_in.write_text(
            "id,category,created\na,user_log,2024-08-31T10:00:00+08:00\n", encoding="utf-8"
        )
        for source in (path, csv_in):
            code, out, err = _run(capsys, str(source), "--now", NOW, "--format", "csv", "--all")
            assert code == EXIT_OK
            rows = list(csv.DictReader(io.StringIO(out)))
            assert rows
            assert {r["clock_overridden"] for r in rows} == {"True"}
            assert {r["evaluated_at"] for r in rows} == {"2025-08-31T16:00:00+00:00"}
            assert "CLOCK OVERRIDDEN" in err

    def test_fields_do_not_drop_the_marks(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--fields narrows the decision, never the what-if marks."""
        path = _jsonl(tmp_path / "r.jsonl", RECORDS)
        _, out, _ = _run(capsys, str(path), "--now", NOW, "--fields", "action")
        assert json.loads(out) == {
            "action": "delete",
            "evaluated_at": "2025-08-31T16:00:00+00:00",
            "clock_overridden": True,
        }
        _, out, _ = _run(
            capsys, str(path), "--now", NOW, "--fields", "record_id", "--format", "csv"
        )
        assert out.splitlines() == [
            "record_id,evaluated_at,clock_overridden",
            "a,2025-08-31T16:00:00+00:00,True",
        ]

    def test_marks_may_be_named_in_fields(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Naming a mark in --fields is accepted; it is written once, at the end."""
        path = _jsonl(tmp_path / "r.jsonl", RECORDS)
        code, out, _ = _run(
            capsys, str(path), "--now", NOW, "--fields", "clock_overridden,action,evaluated_at"
        )
        assert code == EXIT_OK
        assert list(json.loads(out)) == ["action", "evaluated_at", "clock_overridden"]
        code, out, _ = _run(
            capsys, str(path), "--now", NOW, "--fields", "clock_overridden", "--format", "csv"
        )
        assert code == EXIT_OK
        assert out.splitlines()[0] == "evaluated_at,clock_overridden"

    def test_output_file_and_warning(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A decisions file written with --now is marked too, and stderr warns."""
        path = _jsonl(tmp_path / "r.jsonl", RECORDS)
        target = tmp_path / "due.jsonl"
        code, out, err = _run(capsys, str(path), "--now", NOW, "-o", str(target))
        assert code == EXIT_OK
        assert out == ""
        assert err == err.splitlines()[0] + "\n"
        assert err.startswith("secpolicy: WARNING: CLOCK OVERRIDDEN")
        assert json.loads(target.read_text(encoding="utf-8"))["clock_overridden"] is True

    def test_without_now_in_process(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Without --now, CSV rows say clock_overridden False and stderr stays quiet."""
        path = _jsonl(tmp_path / "r.jsonl", RECORDS)
        code, out, err = _run(capsys, str(path), "--all", "--format", "csv")
        assert code == EXIT_OK
        rows = list(csv.DictReader(io.StringIO(out)))
        assert {r["clock_overridden"] for r in rows} == {"False"}
        assert err == ""

    def test_without_now_the_clock_is_named(self) -> None:
        """Without --now each decision says when it was made and that the clock was not moved."""
        result = _due_from_stdin()
        assert result.returncode == 0, result.stderr
        line = json.loads(result.stdout)
        assert line["clock_overridden"] is False
        assert datetime.fromisoformat(line["evaluated_at"]).tzinfo is not None
        assert "CLOCK OVERRIDDEN" not in result.stderr

"""evaluate_jsonl: the streaming path agrees with per-record evaluation."""

from __future__ import annotations

import io
import json
import random
from datetime import UTC, datetime, timedelta, timezone

import pytest

from secpolicy.exceptions import PolicyConfigError
from secpolicy.retention import (
    BadRecordsError,
    LegalHold,
    Period,
    RetentionRule,
    RetentionSchedule,
    _bulk,
    evaluate_jsonl,
    profiles,
)

NOW = datetime(2025, 9, 1, tzinfo=UTC)
SCHEDULE = RetentionSchedule(
    [
        *profiles.CN_INTERACTIVE_SERVICE.rules,
        RetentionRule(category="kyc", keep=Period(years=5), trigger="relationship_ended"),
    ],
    tz="Asia/Shanghai",
    # "unknown" below is decided by the (absent) default rules: kept, with a reason.
    on_unknown_category="default",
)
CATEGORIES = ["user_log", "published_content", "registration", "kyc", "unknown", "network_log"]


def _records(n: int, seed: int = 3) -> list[dict[str, object]]:
    rng = random.Random(seed)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    out: list[dict[str, object]] = []
    for i in range(n):
        created = start + timedelta(seconds=rng.randrange(3 * 365 * 86400))
        item: dict[str, object] = {
            "id": f"r{i}",
            "category": rng.choice(CATEGORIES),
            "created": created.isoformat(),
        }
        if rng.random() < 0.2:
            item["events"] = {"relationship_ended": (created + timedelta(days=400)).isoformat()}
        out.append(item)
    return out


def _expected(
    records: list[dict[str, object]], holds: list[LegalHold], *, only_due: bool
) -> list[dict[str, object]]:
    decisions = SCHEDULE.evaluate_many(records, now=NOW, holds=holds)
    return [d.to_dict() for d in decisions if not only_due or d.action != "retain"]


@pytest.mark.parametrize("only_due", [False, True])
def test_agrees_with_evaluate_many(only_due: bool) -> None:
    """Every streamed line equals the per-record decision, holds and events included."""
    records = _records(2000)
    holds = [
        LegalHold("published_content", "case 1", datetime(2025, 1, 1, tzinfo=UTC)),
        LegalHold.for_records(["r5", "r7"], "case 2", datetime(2025, 1, 1, tzinfo=UTC)),
    ]
    src = io.StringIO("".join(json.dumps(r) + "\n\n" for r in records))
    dst = io.StringIO()
    count = evaluate_jsonl(SCHEDULE, src, dst, now=NOW, holds=holds, only_due=only_due)
    assert count == len(records)
    got = [json.loads(line) for line in dst.getvalue().splitlines()]
    assert got == _expected(records, holds, only_due=only_due)


def test_bounded_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """The decision cache is cleared when full, and results stay the same."""
    monkeypatch.setattr(_bulk, "_CACHE_LIMIT", 5)
    records = _records(300, seed=9)
    dst = io.StringIO()
    evaluate_jsonl(SCHEDULE, (json.dumps(r) for r in records), dst, now=NOW)
    got = [json.loads(line) for line in dst.getvalue().splitlines()]
    assert got == _expected(records, [], only_due=False)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            ['{"id": 1, "category": "user_log", "created": "2024-01-01T00:00:00+00:00"}', "{oops"],
            "in.jsonl:2: not valid JSON",
        ),
        (['{"id": 1, "category": "user_log"}'], "in.jsonl:1: records[0].created: missing"),
    ],
)
def test_errors_name_line(lines: list[str], message: str) -> None:
    """Errors give the source and line number."""
    with pytest.raises(BadRecordsError) as info:
        evaluate_jsonl(SCHEDULE, lines, io.StringIO(), now=NOW, source="in.jsonl")
    assert [str(e) for e in info.value.errors] == [message]


@pytest.mark.parametrize(
    "line",
    [
        '{"id": 1, "category": "user_log", "created": "2024-01-01T00:00:00+00:00"}  \r\n',
        '  {"id": 1, "category": "user_log", "created": "2024-01-01T00:00:00+00:00"}',
        '{"id": 1, "category": "user_log", "created": "2024-01-01T08:00:00+08:00", "events": {}}',
        '{"id": 1, "category": "user_log", "created": "2024-01-01T00:00:00Z", "events": null}',
        (
            '{"id": 1, "category": "kyc", "created": "2024-01-01T00:00:00+00:00",'
            ' "events": {"relationship_ended": "2024-06-01T00:00:00+00:00"}}'
        ),
        (
            '{"id": 1, "category": "user_log", "created": "2024-01-01T00:00:00+00:00",'
            ' "events": {"account_closed": "2024-06-01T00:00:00+08:00"}}'
        ),
        '{"id": 1, "category": "kyc", "created": "2024-01-01T00:00:00+00:00", "events": {}}',
        '{"record_id": null, "id": 7, "category": "user_log", "created": "2024-01-01T00:00:00Z"}',
    ],
)
def test_line_forms_agree_with_evaluate_many(line: str) -> None:
    """Whitespace, other offsets and empty or real events decide as evaluate_many does."""
    dst = io.StringIO()
    assert evaluate_jsonl(SCHEDULE, [line], dst, now=NOW) == 1
    assert json.loads(dst.getvalue()) == _expected([json.loads(line)], [], only_due=False)[0]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": 1, "category": "user_log", "created": "2024-01-01T00:00:00"}', "needs a UTC"),
        ('{"id": 1, "category": 3, "created": "2024-01-01T00:00:00+00:00"}', "category: missing"),
        ('{"id": 1, "category": "user_log", "created": "yesterday"}', "not an ISO 8601 time"),
        ('{"id": 1, "category": "user_log", "created": 20240101}', "must be a datetime"),
        ('{"category": "user_log", "created": "2024-01-01T00:00:00+00:00"} {}', "not valid JSON"),
        ('{"category": "user_log", "created": "2024-01-01T00:00:00+00:00"', "not valid JSON"),
        ("[1, 2]", "must be a mapping"),
        ('"user_log"', "must be a mapping"),
        ('{"category": "user_log", "created": "2024-01-01T00:00:00Z", "events": []}', "mapping"),
        ('{"category": "kyc", "created": "2024-01-01T00:00:00Z", "events": 0}', "mapping"),
        (
            (
                '{"category": "kyc", "created": "2024-01-01T00:00:00Z",'
                ' "events": {"relationship_ended": "2024-06-01T00:00:00"}}'
            ),
            "events.relationship_ended: needs a UTC",
        ),
        (
            (
                '{"category": "user_log", "created": "2024-01-01T00:00:00Z",'
                ' "events": {"account_closed": "soon"}}'
            ),
            "events.account_closed: not an ISO 8601 time",
        ),
        (
            (
                '{"category": "user_log", "created": "2024-01-01T00:00:00Z",'
                ' "events": {"account_closed": 5}}'
            ),
            "events.account_closed: must be a datetime",
        ),
        (
            '{"category": "x", "created": "2024-01-01T00:00:00Z", "n": '
            + "[" * 100_000
            + "]" * 100_000
            + "}",
            "nested too deeply",
        ),
    ],
)
def test_malformed_lines_are_named(line: str, message: str) -> None:
    """Whatever the common path cannot read is reported with its line and reason."""
    with pytest.raises(BadRecordsError, match=message) as info:
        evaluate_jsonl(SCHEDULE, ["", line], io.StringIO(), now=NOW, source="in.jsonl")
    (error,) = info.value.errors
    assert str(error).startswith("in.jsonl:2:")
    assert info.value.decided == 0


def test_record_without_id() -> None:
    """A record without an id gets a null record_id."""
    dst = io.StringIO()
    evaluate_jsonl(
        SCHEDULE,
        ['{"category": "user_log", "created": "2024-01-01T00:00:00+00:00"}'],
        dst,
        now=NOW,
    )
    assert json.loads(dst.getvalue())["record_id"] is None


class TestFields:
    def test_selected_fields_in_order(self) -> None:
        """Only the chosen keys are written, in the order given."""
        records = _records(200)
        dst = io.StringIO()
        evaluate_jsonl(
            SCHEDULE,
            (json.dumps(r) for r in records),
            dst,
            now=NOW,
            fields=("record_id", "action", "eligible_from"),
        )
        expected = [
            {k: d[k] for k in ("record_id", "action", "eligible_from")}
            for d in _expected(records, [], only_due=False)
        ]
        lines = dst.getvalue().splitlines()
        assert [json.loads(line) for line in lines] == expected
        assert list(json.loads(lines[0])) == ["record_id", "action", "eligible_from"]

    def test_without_record_id(self) -> None:
        """A selection without record_id writes objects without it."""
        dst = io.StringIO()
        evaluate_jsonl(SCHEDULE, [json.dumps(_records(1)[0])], dst, now=NOW, fields=["action"])
        assert set(json.loads(dst.getvalue())) == {"action"}

    def test_only_record_id(self) -> None:
        """A selection of just the id still writes valid JSON."""
        dst = io.StringIO()
        evaluate_jsonl(SCHEDULE, [json.dumps(_records(1)[0])], dst, now=NOW, fields=["record_id"])
        assert json.loads(dst.getvalue()) == {"record_id": "r0"}

    def test_unknown_field(self) -> None:
        """An unknown field name is refused before anything is read."""
        with pytest.raises(PolicyConfigError, match="fields: unknown decision field"):
            evaluate_jsonl(SCHEDULE, [], io.StringIO(), now=NOW, fields=["colour"])


class TestClockMarks:
    @pytest.mark.parametrize("overridden", [True, False])
    def test_every_line_is_marked(self, overridden: bool) -> None:
        """clock_overridden= ends every line with evaluated_at and the flag, cached or not."""
        records = _records(50)
        dst = io.StringIO()
        evaluate_jsonl(
            SCHEDULE,
            (json.dumps(r) for r in records),
            dst,
            now=datetime(2025, 9, 1, 8, tzinfo=timezone(timedelta(hours=8))),
            clock_overridden=overridden,
        )
        lines = [json.loads(line) for line in dst.getvalue().splitlines()]
        assert len(lines) == len(records)
        for line, expected in zip(lines, _expected(records, [], only_due=False), strict=True):
            assert line.pop("evaluated_at") == "2025-09-01T00:00:00+00:00"
            assert line.pop("clock_overridden") is overridden
            assert line == expected

    def test_marks_survive_a_field_selection(self) -> None:
        """A selection without them still writes the marks, after the chosen fields."""
        dst = io.StringIO()
        record = json.dumps(_records(1)[0])
        evaluate_jsonl(SCHEDULE, [record], dst, now=NOW, fields=["action"], clock_overridden=True)
        assert list(json.loads(dst.getvalue())) == ["action", "evaluated_at", "clock_overridden"]

    def test_unmarked_by_default(self) -> None:
        """Without clock_overridden= the lines are the decisions alone."""
        dst = io.StringIO()
        evaluate_jsonl(SCHEDULE, [json.dumps(_records(1)[0])], dst, now=NOW)
        assert "evaluated_at" not in json.loads(dst.getvalue())


def test_decisions_before_a_bad_line_are_written() -> None:
    """Decisions are written in batches, and those before an error are not lost."""
    good = [json.dumps(r) for r in _records(1500, seed=4)]
    dst = io.StringIO()
    with pytest.raises(PolicyConfigError, match=r"in\.jsonl:1501: not valid JSON"):
        evaluate_jsonl(SCHEDULE, [*good, "{oops"], dst, now=NOW, source="in.jsonl")
    written = [json.loads(line) for line in dst.getvalue().splitlines()]
    assert written == _expected([json.loads(r) for r in good], [], only_due=False)


@pytest.mark.parametrize("holds", [[], [LegalHold("user_log", "case 3", NOW - timedelta(days=1))]])
def test_instant_semantics_agree_with_evaluate_many(holds: list[LegalHold]) -> None:
    """Under instant semantics the cache keys on the exact time and still agrees."""
    schedule = RetentionSchedule(
        SCHEDULE.rules, tz="Asia/Shanghai", semantics="instant", on_unknown_category="default"
    )
    records = _records(500, seed=5)
    dst = io.StringIO()
    evaluate_jsonl(schedule, (json.dumps(r) for r in records), dst, now=NOW, holds=holds)
    got = [json.loads(line) for line in dst.getvalue().splitlines()]
    assert got == [d.to_dict() for d in schedule.evaluate_many(records, now=NOW, holds=holds)]


@pytest.mark.parametrize("n", [0, _bulk._BATCH, 2 * _bulk._BATCH + 1])
def test_batch_boundaries(n: int) -> None:
    """Every decision is written, whether or not the count fills whole batches."""
    records = _records(n, seed=6)
    dst = io.StringIO()
    assert evaluate_jsonl(SCHEDULE, (json.dumps(r) for r in records), dst, now=NOW) == n
    got = [json.loads(line) for line in dst.getvalue().splitlines()]
    assert got == _expected(records, [], only_due=False)


class TestBadLines:
    def test_batch_goes_on_after_bad_lines(self) -> None:
        """Bad lines are reported one by one; every good line around them is decided."""
        good = [json.dumps(r) for r in _records(1500, seed=4)]
        lines = [*good[:700], "{oops", *good[700:], '{"category": "user_log"}']
        seen: list[PolicyConfigError] = []
        dst = io.StringIO()
        with pytest.raises(BadRecordsError) as info:
            evaluate_jsonl(SCHEDULE, lines, dst, now=NOW, source="in.jsonl", on_error=seen.append)
        assert [str(e) for e in info.value.errors] == [
            "in.jsonl:701: not valid JSON",
            "in.jsonl:1502: records[1500].created: missing",
        ]
        assert seen == list(info.value.errors)
        assert info.value.decided == 1500
        assert "2 record(s) could not be decided, 1500 were" in str(info.value)
        written = [json.loads(line) for line in dst.getvalue().splitlines()]
        assert written == _expected([json.loads(r) for r in good], [], only_due=False)

    def test_unknown_category_is_a_bad_line(self) -> None:
        """A misspelled category is reported with its line instead of falling to defaults."""
        strict = RetentionSchedule(
            [
                RetentionRule(category="user_log", keep=Period(months=12)),
                RetentionRule(category="*", keep=Period(months=6)),
            ],
            tz="Asia/Shanghai",
        )
        lines = [
            '{"id": "a", "category": "user_log", "created": "2024-01-01T00:00:00Z"}',
            '{"id": "b", "category": "user_lgo", "created": "2024-01-01T00:00:00Z"}',
        ]
        dst = io.StringIO()
        with pytest.raises(BadRecordsError, match="did you mean 'user_log'") as info:
            evaluate_jsonl(strict, lines, dst, now=NOW, source="in.jsonl")
        assert str(info.value.errors[0]).startswith("in.jsonl:2: category: unknown category")
        assert [json.loads(line)["record_id"] for line in dst.getvalue().splitlines()] == ["a"]

    def test_many_errors_are_summarised(self) -> None:
        """The message spells out a few errors and counts the rest; all are kept."""
        with pytest.raises(BadRecordsError, match=r"\(and 3 more\)") as info:
            evaluate_jsonl(SCHEDULE, ["{"] * 8, io.StringIO(), now=NOW)
        assert len(info.value.errors) == 8

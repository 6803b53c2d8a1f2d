"""Bulk retention decisions over JSON lines, beside a plain json + relativedelta loop.

Goal (issue: retention): at least 3x the records per second of a plain loop
that parses each JSON line, computes the same dates with ``relativedelta`` and
writes a JSON line, in the same run, with memory that does not grow with the
record count. The issue's 300,000 decisions per second is that ratio on a
machine where the loop ran at about 100,000 per second; it is reported beside
this run's loop.
Both sides read the same generated file and write to a file; the benchmark
checks that both reach the same action and eligibility date for every record.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from benchmarks._runner import check_goal
from secpolicy.retention import (
    LegalHold,
    Period,
    RetentionRule,
    RetentionSchedule,
    evaluate_jsonl,
    profiles,
)

DATA = Path(__file__).parent / "_data"
N = 1_000_000
NOW = datetime(2025, 9, 1, tzinfo=UTC)
SH = ZoneInfo("Asia/Shanghai")
SCHEDULE = RetentionSchedule(
    [
        *profiles.CN_INTERACTIVE_SERVICE.rules,
        RetentionRule(category="kyc", keep=Period(years=5), trigger="relationship_ended"),
    ],
    tz=SH,
)
HOLDS = [LegalHold("published_content", "case 2025-17", datetime(2025, 6, 1, tzinfo=UTC))]
# What the plain loop knows: months to keep per category (None: permanent), event triggers.
MONTHS = {
    "user_log": 12,
    "system_maintenance_log": 12,
    "published_content": 6,
    "network_log": 6,
    "registration": None,
    "kyc": 60,
}
TRIGGERS = {"kyc": "relationship_ended"}
HELD = {"published_content"}
FIELDS = ("record_id", "action", "eligible_from")


def generate(path: Path, n: int) -> None:
    """Write *n* seeded records as JSON lines (written once, then reused)."""
    if path.exists():
        return
    path.parent.mkdir(exist_ok=True)
    rng = random.Random(2024)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    categories = list(MONTHS)
    tmp = path.with_suffix(".partial")
    with tmp.open("w", encoding="utf-8") as out:
        for i in range(n):
            category = rng.choice(categories)
            created = start + timedelta(seconds=rng.randrange(int(2.5 * 365 * 86400)))
            item: dict[str, object] = {
                "id": i,
                "category": category,
                "created": created.isoformat(),
            }
            if category == "kyc" and rng.random() < 0.5:
                ended = created + timedelta(days=rng.randrange(30, 600))
                item["events"] = {"relationship_ended": ended.isoformat()}
            out.write(json.dumps(item) + "\n")
    tmp.replace(path)


def plain_loop(src: Path, dst: Path) -> int:
    """The baseline: json + relativedelta, same dates, one JSON line out per record."""
    count = 0
    with src.open(encoding="utf-8") as lines, dst.open("w", encoding="utf-8") as out:
        for line in lines:
            item = json.loads(line)
            category = item["category"]
            months = MONTHS.get(category)
            trigger = TRIGGERS.get(category)
            anchor = item.get("events", {}).get(trigger) if trigger else item["created"]
            eligible = None
            if months is not None and anchor is not None:
                local: date = datetime.fromisoformat(anchor).astimezone(SH).date()
                last = local + relativedelta(months=months)
                eligible = datetime(last.year, last.month, last.day, tzinfo=SH) + timedelta(days=1)
            if category in HELD:  # under an active hold: no eligibility date
                eligible = None
            due = eligible is not None and eligible <= NOW
            out.write(
                json.dumps(
                    {
                        "record_id": str(item["id"]),
                        "action": "delete" if due else "retain",
                        "eligible_from": None if eligible is None else eligible.isoformat(),
                    }
                )
                + "\n"
            )
            count += 1
    return count


def ours(src: Path, dst: Path) -> int:
    """secpolicy: evaluate_jsonl writing the same three fields as the plain loop."""
    with src.open(encoding="utf-8") as lines, dst.open("w", encoding="utf-8") as out:
        return evaluate_jsonl(SCHEDULE, lines, out, now=NOW, holds=HOLDS, fields=FIELDS)


def ours_full(src: Path, dst: Path) -> int:
    """secpolicy: evaluate_jsonl writing the whole decision (reasons, rule, citation)."""
    with src.open(encoding="utf-8") as lines, dst.open("w", encoding="utf-8") as out:
        return evaluate_jsonl(SCHEDULE, lines, out, now=NOW, holds=HOLDS)


def _agree(a: Path, b: Path) -> None:
    with a.open(encoding="utf-8") as left, b.open(encoding="utf-8") as right:
        for x, y in zip(left, right, strict=True):
            dx, dy = json.loads(x), json.loads(y)
            assert dx["record_id"] == dy["record_id"]
            assert dx["action"] == dy["action"], (dx, dy)
            assert dx["eligible_from"] == dy["eligible_from"], (dx, dy)


def _peak_rss_child(n: int) -> float:
    """Run secpolicy over the first *n* records in a fresh process; its peak RSS in MiB."""
    code = (
        "import itertools, io, resource, sys\n"
        "from benchmarks.bench_retention import SCHEDULE, NOW, HOLDS, DATA\n"
        "from secpolicy.retention import evaluate_jsonl\n"
        "with (DATA / 'retention.jsonl').open() as f, open('/dev/null', 'w') as out:\n"
        f"    evaluate_jsonl(SCHEDULE, itertools.islice(f, {n}), out, now=NOW, holds=HOLDS)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=600
    )
    return float(result.stdout.strip())


def main() -> None:
    """Time both sides over the same file, interleaved, and report throughput and memory."""
    src = DATA / "retention.jsonl"
    generate(src, N)
    out_plain, out_ours = DATA / "plain.out.jsonl", DATA / "ours.out.jsonl"
    out_full = DATA / "full.out.jsonl"
    contenders = (
        ("secpolicy evaluate_jsonl, same 3 fields", ours, out_ours),
        ("secpolicy evaluate_jsonl, whole decision", ours_full, out_full),
        ("json + relativedelta loop", plain_loop, out_plain),
    )
    timings: dict[str, list[float]] = {label: [] for label, _, _ in contenders}
    for _ in range(3):
        for label, fn, dst in contenders:
            start = time.perf_counter()
            assert fn(src, dst) == N
            timings[label].append(time.perf_counter() - start)
    _agree(out_plain, out_ours)
    _agree(out_plain, out_full)
    print(f"\n### {N:,} records, JSON lines file to file (best of 3)\n")
    print("| contender | seconds | records per second |")
    print("|---|---|---|")
    rates = {}
    for label, runs in timings.items():
        best = min(runs)
        rates[label] = N / best
        print(f"| {label} | {best:.2f} | {N / best:,.0f} |")
    same = rates["secpolicy evaluate_jsonl, same 3 fields"]
    full = rates["secpolicy evaluate_jsonl, whole decision"]
    base = rates["json + relativedelta loop"]
    check_goal(
        "at least 3x the plain loop (same output)",
        met=same >= 3 * base,
        detail=f"{same / base:.2f}x",
    )
    print(f"- whole decisions: {full / base:.2f}x the plain loop")
    # The 300,000 per second is 3x a plain loop it measured at about
    # 100,000 per second; the goal is the ratio to the loop in the same run.
    print(
        f"- absolute: {same:,.0f} decisions/s (the issue's reference 300,000/s is 3x a loop at "
        f"100,000/s; this run's loop: {base:,.0f}/s, so 3x is {3 * base:,.0f}/s)"
    )
    small, large = _peak_rss_child(N // 10), _peak_rss_child(N)
    print(
        f"- peak RSS of a fresh process: {small:.0f} MiB for {N // 10:,} records, "
        f"{large:.0f} MiB for {N:,}"
    )
    check_goal(
        "memory does not grow with the record count",
        met=large <= small * 1.1,
        detail=f"{large / small:.2f}x",
    )
    for path in (out_plain, out_ours, out_full):
        path.unlink()

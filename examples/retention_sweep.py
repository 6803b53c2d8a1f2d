"""Decide which log files and records may be deleted today, and compute deadlines.

Run: python examples/retention_sweep.py

Uses the CN interactive-service profile (registration data permanent, user
and maintenance logs 12 months, published content 6 months) in Beijing time,
places a legal hold on one file, deletes what is due, and computes a "T+1
working day" and a "within 3 working days" deadline across the National Day
holiday. "Today" is fixed so the output is reproducible; a service passes
``SystemClock().now()``.
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from secpolicy.retention import LegalHold, RetentionRecord, WorkdayCalendar, profiles

BEIJING = ZoneInfo("Asia/Shanghai")
TODAY = datetime(2025, 9, 30, 18, 0, tzinfo=BEIJING)
SCHEDULE = profiles.CN_INTERACTIVE_SERVICE

LOG_FILES = [
    ("user_log", date(2024, 8, 31)),
    ("user_log", date(2024, 9, 29)),
    ("user_log", date(2024, 9, 30)),
    ("system_maintenance_log", date(2024, 6, 1)),
    ("published_content", date(2025, 3, 29)),
    ("published_content", date(2025, 4, 1)),
]

RECORDS = [
    RetentionRecord(category=category, created=datetime(*day, tzinfo=BEIJING), record_id=rid)
    for category, day, rid in (
        ("registration", (2019, 5, 1), "user-1001"),
        ("group_membership", (2020, 1, 1), "group-7"),
        ("published_content", (2025, 2, 14), "post-88"),
    )
]


def sweep_files(folder: Path) -> None:
    """Delete the log files whose retention has ended and that no hold covers."""
    for category, day in LOG_FILES:
        (folder / f"{category}-{day.isoformat()}.jsonl").write_text("{}\n", encoding="utf-8")
    hold = LegalHold.for_records(
        ["user_log-2024-08-31.jsonl"],
        "police request 2025-031 (preserve logs)",
        since=datetime(2025, 9, 1, tzinfo=BEIJING),
    )
    print(f"sweep of {folder.name}/ on {TODAY:%Y-%m-%d %H:%M} Beijing time:")
    for path in sorted(folder.iterdir()):
        category = path.stem[: -len("-YYYY-MM-DD")]
        created = datetime.fromisoformat(path.stem[-10:]).replace(tzinfo=BEIJING)
        record = RetentionRecord(category=category, created=created, record_id=path.name)
        decision = SCHEDULE.evaluate_record(record, now=TODAY, holds=[hold])
        if decision.action == "delete":
            SCHEDULE.dispose(record, now=TODAY, holds=[hold])  # the guard before deleting
            path.unlink()
            verdict = "deleted"
        elif decision.on_hold:
            verdict = f"kept: {decision.holds[0].reason}"
        else:
            verdict = f"kept through {decision.keep_through}"
        print(f"  {path.name:<42} {verdict}")
    print(f"  left: {len(list(folder.iterdir()))} files")


def decide_records() -> None:
    """Show the decision and its citation for a few records."""
    print("records:")
    for decision in SCHEDULE.evaluate_many(RECORDS, now=TODAY):
        kept = f"through {decision.keep_through}" if decision.keep_through else "permanently"
        rule = decision.rule
        cited = rule.citation.split(": ", 1)[-1] if rule else "no rule"
        print(f"  {decision.record_id:<10} {decision.action:<7} kept {kept} ({cited})")


def deadlines() -> None:
    """T+1 and 3-working-day deadlines that straddle National Day 2025."""
    calendar = WorkdayCalendar.china()
    found = TODAY.date()
    t_plus_1 = calendar.add_workdays(found, 1)
    within_3 = calendar.add_workdays(found, 3)
    print(f"suspicious list found on {found} (a Tuesday before the 1-8 October holiday):")
    print(f"  produce it by T+1 working day: {t_plus_1}")
    print(f"  check it within 3 working days: {within_3} (a working Saturday, 调休)")
    leak_notice = calendar.due_by(TODAY, hours=24)
    when = f"{leak_notice:%Y-%m-%d %H:%M}"
    print(f"  tell users of a leak within 24 hours: by {when} (holidays count)")


def main() -> None:
    """Run the sweep, the record decisions and the deadlines."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "logs"
        folder.mkdir()
        sweep_files(folder)
    decide_records()
    deadlines()


if __name__ == "__main__":
    main()

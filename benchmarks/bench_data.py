"""Tables and Spark: masking and retention over Arrow data, beside the single-record loops.

Goals (issue: past one machine), each measured in the same run:

- Arrow ``mask_table`` throughput per core at least 0.8x a single-process
  loop of ``Masker.mask_text`` over the same cells;
- Spark ``local[2]`` at least 1.6x ``local[1]`` on the same masking job (the
  work scales with cores);
- retention over a Parquet dataset (``evaluate_retention`` batch by batch) at
  least 3x the plain loop of the retention benchmark (decode each record, add
  the period with ``relativedelta``, write the decision), memory flat.

Run: ``python -m benchmarks data`` (needs the ``arrow`` and ``spark`` extras).
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from dateutil.relativedelta import relativedelta

from benchmarks._runner import check_goal
from secpolicy.integrations import arrow
from secpolicy.pii import presets
from secpolicy.retention import Period, RetentionRule, RetentionSchedule

ROWS = 100_000
RETENTION_ROWS = 1_000_000
NOW = datetime(2026, 12, 1, tzinfo=UTC)
SH = ZoneInfo("Asia/Shanghai")
MONTHS = {"user_log": 12, "published_content": 6, "network_log": 6}
SCHEDULE = RetentionSchedule(
    [RetentionRule(category=c, keep=Period(months=m)) for c, m in MONTHS.items()], tz=SH
)


def _notes(n: int) -> list[str]:
    rng = random.Random(5)
    out = []
    for i in range(n):
        mobile = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        out.append(
            rng.choice(
                [
                    f"客户{i}反馈：手机{mobile}无法登录，已于2024年入职",
                    f"user {i} called from {mobile} about order {rng.randrange(10**12)}",
                    f"login ok for user{i}@example.com from 10.0.{i % 256}.{rng.randrange(256)}",
                    "nothing personal in this line at all, just a status message",
                ]
            )
        )
    return out


def _arrow_vs_mask_text() -> None:
    notes = _notes(ROWS)
    table = pa.table({"note": notes})
    masker = presets.CN_DISPLAY
    best_loop = best_arrow = float("inf")
    for _ in range(3):
        start = time.process_time()
        loop = [masker.mask_text(v) for v in notes]
        best_loop = min(best_loop, time.process_time() - start)
        start = time.process_time()
        masked = arrow.mask_table(table, masker)
        best_arrow = min(best_arrow, time.process_time() - start)
    assert masked.column("note").to_pylist() == loop
    ratio = best_loop / best_arrow
    print(f"mask_text loop : {ROWS / best_loop:>10,.0f} rows/s (CPU time, best of 3)")
    print(f"arrow mask_table: {ROWS / best_arrow:>10,.0f} rows/s")
    check_goal(
        "Arrow mask_table >= 0.8x single-process mask_text (per core)",
        met=ratio >= 0.8,
        detail=f"{ratio:.2f}x",
    )


def _spark(cores: int, rows: list[str]) -> float:
    from pyspark.sql import SparkSession

    from secpolicy.integrations import spark

    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    session = (
        SparkSession.builder.master(f"local[{cores}]")
        .config("spark.ui.enabled", "false")
        .config("spark.pyspark.python", sys.executable)
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    df = session.createDataFrame(pa.table({"note": rows}).to_pandas()).repartition(8).cache()
    df.count()
    masked = spark.mask_columns(df, presets.CN_DISPLAY)
    masked.write.format("noop").mode("overwrite").save()  # warm the Python workers
    start = time.perf_counter()
    masked.write.format("noop").mode("overwrite").save()
    elapsed = time.perf_counter() - start
    session.stop()
    return elapsed


def _spark_scaling() -> None:
    rows = _notes(ROWS) * 4
    one = _spark(1, rows)
    two = _spark(2, rows)
    print(f"spark local[1]: {len(rows) / one:>10,.0f} rows/s")
    print(f"spark local[2]: {len(rows) / two:>10,.0f} rows/s")
    check_goal(
        "Spark local[2] >= 1.6x local[1]",
        met=one / two >= 1.6,
        detail=f"{one / two:.2f}x",
    )


def _retention_dataset(folder: Path) -> None:
    rng = random.Random(9)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    per_file = RETENTION_ROWS // 10
    for f in range(10):
        created = [
            start + timedelta(seconds=rng.randrange(3 * 365 * 86400)) for _ in range(per_file)
        ]
        pq.write_table(
            pa.table(
                {
                    "id": [f"r{f}-{i}" for i in range(per_file)],
                    "category": [rng.choice(list(MONTHS)) for _ in range(per_file)],
                    "created": pa.array(created, pa.timestamp("us", tz="UTC")),
                }
            ),
            folder / f"part-{f}.parquet",
        )


def _plain_loop(folder: Path) -> int:
    count = 0
    for batch in ds.dataset(folder, format="parquet").to_batches():
        for rid, category, created in zip(
            batch.column("id").to_pylist(),
            batch.column("category").to_pylist(),
            batch.column("created").to_pylist(),
            strict=True,
        ):
            local = created.astimezone(SH).date()
            until = local + relativedelta(months=MONTHS[category]) + timedelta(days=1)
            eligible = datetime(until.year, until.month, until.day, tzinfo=SH)
            action = "delete" if eligible <= NOW else "retain"
            _ = {"record_id": rid, "action": action, "eligible_from": eligible.isoformat()}
            count += 1
    return count


def _ours(folder: Path) -> int:
    decided = arrow.evaluate_retention_batches(
        ds.dataset(folder, format="parquet").to_batches(),
        SCHEDULE,
        category="category",
        created="created",
        record_id="id",
        now=NOW,
    )
    return sum(table.num_rows for table in decided)


def _retention() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _retention_dataset(folder)
        start = time.process_time()
        plain = _plain_loop(folder)
        plain_time = time.process_time() - start
        start = time.process_time()
        ours = _ours(folder)
        ours_time = time.process_time() - start
    assert plain == ours == RETENTION_ROWS
    print(f"plain loop          : {plain / plain_time:>10,.0f} records/s")
    print(f"evaluate_retention  : {ours / ours_time:>10,.0f} records/s")
    ratio = plain_time / ours_time
    check_goal(
        "retention over Parquet >= 3x the plain loop",
        met=ratio >= 3.0,
        detail=f"{ratio:.2f}x",
    )


def main() -> None:
    """Run the three comparisons."""
    _arrow_vs_mask_text()
    _retention()
    _spark_scaling()


if __name__ == "__main__":
    main()

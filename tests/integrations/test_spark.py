"""secpolicy.integrations.spark on a real local Spark: results equal the single-record API."""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyspark")
pa = pytest.importorskip("pyarrow")

from pyspark.sql import SparkSession  # noqa: E402 (after the optional import)

from secpolicy.crypto import FileKeyProvider, Keyset  # noqa: E402
from secpolicy.exceptions import PolicyConfigError  # noqa: E402
from secpolicy.integrations import arrow, spark  # noqa: E402
from secpolicy.pii import CN_MOBILE, Masker, Pseudonymize, Scanner, presets  # noqa: E402
from secpolicy.retention import LegalHold, WorkdayCalendar  # noqa: E402
from tests.integrations.test_arrow import (  # noqa: E402
    NOW,
    SCHEDULE,
    _expected_masked,
    retention_rows,
    rows,
)


@pytest.fixture(scope="module")
def session() -> Iterator[SparkSession]:
    """A real Spark on two local cores, its Python workers on this interpreter."""
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    built = (
        SparkSession.builder.master("local[2]")
        .appName("secpolicy-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.pyspark.python", sys.executable)
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    built.sparkContext.setLogLevel("ERROR")
    yield built
    built.stop()


def _frame(session: SparkSession, records: list[dict[str, Any]], partitions: int = 4) -> Any:
    table = pa.Table.from_pylist(records)
    return session.createDataFrame(table.to_pandas()).repartition(partitions)


class TestMaskColumns:
    def test_100k_rows_equal_mask_record(self, session: SparkSession) -> None:
        """100,000 mixed Chinese/English rows masked on Spark equal the single-record API."""
        records = [{k: v for k, v in r.items() if k != "身份证号"} for r in rows(100_000)]
        df = _frame(session, records, partitions=8)
        masked = spark.mask_columns(df, presets.CN_DISPLAY, columns=["phone", "note"])
        got = sorted((r.asDict() for r in masked.collect()), key=lambda r: r["id"])
        assert got == _expected_masked(records, ["phone", "note"])

    def test_key_material_is_refused(self, session: SparkSession) -> None:
        """A masker holding a pseudonym key is refused instead of pickled into every task."""
        keyed = presets.CN_DISPLAY.evolve(rules={CN_MOBILE: Pseudonymize(b"k" * 32)})
        df = _frame(session, rows(10))
        with pytest.raises(spark.KeyMaterialError, match="Pseudonymize"):
            spark.mask_columns(df, keyed)

    def test_masker_factory_builds_on_the_executors(
        self, session: SparkSession, tmp_path: Path
    ) -> None:
        """A factory that reads its key on the executor may use keyed operators."""
        key_file = tmp_path / "pseudonyms.json"
        keyset = Keyset.generate("HMAC-SHA256")
        FileKeyProvider(key_file, unencrypted=True).save(keyset)
        provider = FileKeyProvider(key_file)

        def factory() -> Masker:
            return Masker({CN_MOBILE: Pseudonymize(provider.load())})

        df = _frame(session, [{"id": 1, "note": "手机13812345678"}], partitions=1)
        (row,) = spark.mask_columns(df, factory).collect()
        assert row.note == "手机" + Pseudonymize(keyset).apply("13812345678", CN_MOBILE)


class TestPseudonymizeAndJoin:
    def test_join_on_pseudonyms(self, session: SparkSession, tmp_path: Path) -> None:
        """Pseudonymised on the executors with a provider's key, two frames still join."""
        key_file = tmp_path / "keys.json"
        keyset = Keyset.generate("HMAC-SHA256")
        FileKeyProvider(key_file, unencrypted=True).save(keyset)
        provider = FileKeyProvider(key_file)
        customers = _frame(
            session,
            [{"phone": f"1381234{i:04d}", "name": f"c{i}"} for i in range(2_000)],
        )
        orders = _frame(
            session,
            [{"phone": f"1381234{(i * 7) % 2500:04d}", "n": i} for i in range(3_000)],
        )
        left = spark.pseudonymize_columns(customers, {"phone": CN_MOBILE}, provider)
        right = spark.pseudonymize_columns(orders, {"phone": CN_MOBILE}, provider)
        joined = {(r.n, r.name) for r in right.join(left, "phone").collect()}
        raw = {(r.n, r.name) for r in orders.join(customers, "phone").collect()}
        assert joined == raw
        operator = Pseudonymize(keyset)
        sample = left.filter(left.name == "c5").collect()[0]
        assert sample.phone == operator.apply("13812340005", CN_MOBILE)

    def test_provider_with_keys_is_refused(self, session: SparkSession) -> None:
        """A provider that carries key material itself is refused."""

        class Carrying:
            def __init__(self) -> None:
                self.keyset = Keyset.generate("HMAC-SHA256")

            def load(self) -> Keyset:
                return self.keyset

        df = _frame(session, [{"phone": "13812345678"}], partitions=1)
        with pytest.raises(spark.KeyMaterialError, match="Keyset"):
            spark.pseudonymize_columns(df, {"phone": CN_MOBILE}, Carrying())
        with pytest.raises(PolicyConfigError, match="load"):
            spark.pseudonymize_columns(df, {"phone": CN_MOBILE}, object())  # type: ignore[arg-type]


class TestScanAndRetention:
    def test_scan_equals_scanner(self, session: SparkSession) -> None:
        """Findings name each row by its id and equal Scanner.find per cell."""
        records = [{k: v for k, v in r.items() if k != "身份证号"} for r in rows(3_000)]
        df = _frame(session, records)
        scanner = Scanner()
        found = spark.scan_table(df, scanner, id_column="id", columns=["phone", "note"])
        got = sorted(tuple(r) for r in found.collect())
        expected = sorted(
            (str(r["id"]), name, f.entity, f.start, f.end)
            for r in records
            for name in ("phone", "note")
            if r[name] is not None
            for f in scanner.find(r[name])
        )
        assert got == expected

    def test_retention_equals_evaluate(self, session: SparkSession) -> None:
        """Retention decisions on Spark equal RetentionSchedule.evaluate row for row."""
        records = retention_rows(20_000)
        df = _frame(session, records)
        holds = [LegalHold("kyc", "case 12", NOW - timedelta(days=3))]
        decided = spark.evaluate_retention(
            df,
            SCHEDULE,
            category="category",
            created="created",
            events={"relationship_ended": "ended"},
            record_id="id",
            now=NOW,
            holds=holds,
        )
        got = sorted(
            (r.asDict(recursive=True) for r in decided.collect()), key=lambda d: d["record_id"]
        )
        expected = sorted(
            arrow.evaluate_retention(
                pa.Table.from_pylist(records),
                SCHEDULE,
                category="category",
                created="created",
                events={"relationship_ended": "ended"},
                record_id="id",
                now=NOW,
                holds=holds,
            ).to_pylist(),
            key=lambda d: d["record_id"],
        )
        assert got == expected


class TestPickling:
    def test_policy_values_pickle_cleanly(self) -> None:
        """Maskers, scanners, schedules, holds and calendars round-trip through pickle."""
        hold = LegalHold.for_records(["r1"], "case", datetime(2025, 1, 1, tzinfo=UTC))
        values = (presets.CN_DISPLAY, Scanner(), SCHEDULE, hold, WorkdayCalendar.china())
        masker, scanner, schedule, hold_again, calendar = pickle.loads(  # noqa: S301 (our own bytes)
            pickle.dumps(values)
        )
        assert masker.mask_text("13812345678") == "138****5678"
        assert scanner.find("13812345678")[0].entity == CN_MOBILE
        assert schedule.rules == SCHEDULE.rules
        assert calendar.covered == values[4].covered
        assert hold_again.scope == hold.scope


class TestNestedColumns:
    def test_struct_array_map_and_binary_columns(self, session: SparkSession) -> None:
        """Struct, array, map and binary columns are masked, not passed through in clear."""
        from pyspark.sql.types import (
            ArrayType,
            BinaryType,
            LongType,
            MapType,
            StringType,
            StructField,
            StructType,
        )

        schema = StructType(
            [
                StructField("id", LongType()),
                StructField(
                    "info",
                    StructType(
                        [StructField("phone", StringType()), StructField("note", StringType())]
                    ),
                ),
                StructField("tags", ArrayType(StringType())),
                StructField("attrs", MapType(StringType(), StringType())),
                StructField("raw", BinaryType()),
            ]
        )
        data = [
            (
                1,
                {"phone": "13812345678", "note": "mail user@example.com"},
                ["call 13987654321", None],
                {"name": "张三", "phone": "13812345678"},
                bytearray(b"13812345678"),
            ),
            (2, None, None, None, None),
        ]
        df = session.createDataFrame(data, schema).repartition(2)
        masked = spark.mask_columns(df, presets.CN_DISPLAY)
        assert masked.schema == df.schema
        got = {r["id"]: r.asDict(recursive=True) for r in masked.collect()}
        first = got[1]
        assert (
            first["info"]
            == presets.CN_DISPLAY.mask_record(
                {"info": {"phone": "13812345678", "note": "mail user@example.com"}}
            )["info"]
        )
        assert first["tags"] == ["call 139****4321", None]
        assert first["attrs"] == {
            "name": presets.CN_DISPLAY.mask_record({"name": "张三"})["name"],
            "phone": "138****5678",
        }
        assert bytes(first["raw"]) == presets.CN_DISPLAY.mask_record({"raw": b"13812345678"})["raw"]
        assert "13812345678" not in str(first)
        assert "user@" not in str(first)
        assert got[2] == {"id": 2, "info": None, "tags": None, "attrs": None, "raw": None}

    def test_number_holding_a_phone_fails_the_job(self, session: SparkSession) -> None:
        """A phone number stored as a number fails the job instead of being written in clear."""
        df = _frame(session, [{"id": 1, "phone": 13812345678}], partitions=1)
        with pytest.raises(Exception, match="'phone' is int64") as caught:
            spark.mask_columns(df, presets.CN_DISPLAY).collect()
        assert "13812345678" not in str(caught.value)

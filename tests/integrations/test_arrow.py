"""secpolicy.integrations.arrow: every row equals the single-record API."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from secpolicy.crypto import FieldEncryptor, Keyset  # noqa: E402 (after the optional import)
from secpolicy.exceptions import PolicyConfigError  # noqa: E402
from secpolicy.integrations import arrow  # noqa: E402
from secpolicy.pii import (  # noqa: E402
    CN_MOBILE,
    Encrypt,
    Masker,
    Pseudonymize,
    Redact,
    Scanner,
    presets,
)
from secpolicy.retention import LegalHold, Period, RetentionRule, RetentionSchedule  # noqa: E402

NOW = datetime(2026, 12, 1, tzinfo=UTC)
SURNAMES = ["张", "王", "李", "赵", "Smith", "García"]


def _luhn_card(rng: random.Random) -> str:
    digits = [6, 2, 2, 2, 0, 2] + [rng.randrange(10) for _ in range(12)]
    total = 0
    for i, d in enumerate(reversed(digits)):
        d2 = d * 2 if i % 2 == 0 else d
        total += d2 - 9 if d2 > 9 else d2
    digits.append((10 - total % 10) % 10)
    return "".join(map(str, digits))


def rows(n: int, seed: int = 7) -> list[dict[str, Any]]:
    """Mixed Chinese and English customer rows with personal data, decoys and nulls."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        mobile = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        note = rng.choice(
            [
                f"客户{rng.choice(SURNAMES)}先生 手机{mobile}，卡号{_luhn_card(rng)}",
                f"call {mobile} or mail user{i}@example.com about order {rng.randrange(10**12)}",
                f"IP 10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)} ok",
                "nothing personal here",
                None,
            ]
        )
        out.append(
            {
                "id": i,
                "phone": None if i % 11 == 0 else mobile,
                "note": note,
                "身份证号": "11010519491231002X" if i % 3 == 0 else None,
                "amount": rng.randrange(10_000),
            }
        )
    return out


def _expected_masked(records: list[dict[str, Any]], columns: list[str]) -> list[dict[str, Any]]:
    masker = presets.CN_DISPLAY
    out = []
    for record in records:
        masked = dict(record)
        for name in columns:
            if record[name] is not None:
                masked[name] = masker.mask_record({name: record[name]})[name]
        out.append(masked)
    return out


class TestMaskTable:
    def test_every_row_equals_mask_record(self) -> None:
        """Each masked cell equals Masker.mask_record on that field of the row."""
        records = rows(2_000)
        table = pa.Table.from_pylist(records)
        masked = arrow.mask_table(table, presets.CN_DISPLAY)
        assert masked.schema == table.schema
        assert masked.to_pylist() == _expected_masked(records, ["phone", "note", "身份证号"])

    def test_chosen_columns_only(self) -> None:
        """Columns not chosen are returned as they are."""
        records = rows(200)
        table = pa.Table.from_pylist(records)
        masked = arrow.mask_table(table, presets.CN_DISPLAY, columns=["note"])
        assert masked.column("phone").to_pylist() == [r["phone"] for r in records]
        assert masked.to_pylist() == _expected_masked(records, ["note"])

    def test_record_batches_and_large_strings(self) -> None:
        """A record batch gives a record batch; large_string columns keep their type."""
        batch = pa.RecordBatch.from_pydict(
            {"note": pa.array(["手机13812345678", None], pa.large_string())}
        )
        masked = arrow.mask_table(batch, presets.CN_DISPLAY)
        assert isinstance(masked, pa.RecordBatch)
        assert masked.schema.field("note").type == pa.large_string()
        assert masked.column(0).to_pylist() == ["手机138****5678", None]

    def test_polars_and_pandas_frames(self) -> None:
        """Polars and pandas frames go in through the Arrow C stream interface."""
        polars = pytest.importorskip("polars")
        pandas = pytest.importorskip("pandas")
        table = pa.table({"note": ["手机13812345678", "ok"]})
        expected = ["手机138****5678", "ok"]
        from_polars = arrow.mask_table(polars.from_arrow(table), presets.CN_DISPLAY)
        assert from_polars.column("note").to_pylist() == expected
        from_pandas = arrow.mask_table(
            pandas.DataFrame({"note": table.column(0).to_pylist()}), presets.CN_DISPLAY
        )
        assert from_pandas.column("note").to_pylist() == expected
        assert polars.from_arrow(from_polars)["note"].to_list() == expected

    @pytest.mark.parametrize(
        ("columns", "message"),
        [
            (["missing"], "no column 'missing'"),
            (["amount"], "not text; cast it to string"),
            ("note", "not one string"),
        ],
    )
    def test_bad_columns(self, columns: Any, message: str) -> None:
        """Unknown, non-text and mistyped column selections are refused by name."""
        table = pa.Table.from_pylist(rows(3))
        with pytest.raises(PolicyConfigError, match=message):
            arrow.mask_table(table, presets.CN_DISPLAY, columns=columns)

    def test_not_arrow(self) -> None:
        """Anything that is not Arrow data is refused."""
        with pytest.raises(PolicyConfigError, match="pyarrow Table or RecordBatch"):
            arrow.mask_table([{"note": "x"}], presets.CN_DISPLAY)

    def test_mask_batches_streams(self) -> None:
        """mask_batches masks each batch as mask_table does."""
        table = pa.Table.from_pylist(rows(300))
        out = list(arrow.mask_batches(table.to_batches(max_chunksize=64), presets.CN_DISPLAY))
        assert len(out) == 5
        assert (
            pa.Table.from_batches(out).to_pylist()
            == arrow.mask_table(table, presets.CN_DISPLAY).to_pylist()
        )


class TestMaskDataset:
    def test_dataset_to_file(self, tmp_path: Path) -> None:
        """A directory of Parquet files is masked into one file, atomically."""
        source = tmp_path / "in"
        source.mkdir()
        records = rows(900)
        for i in range(3):
            pq.write_table(
                pa.Table.from_pylist(records[i * 300 : (i + 1) * 300]), source / f"part-{i}.parquet"
            )
        target = tmp_path / "out.parquet"
        assert arrow.mask_dataset(source, target, presets.CN_DISPLAY, batch_size=128) == 900
        got = sorted(pq.read_table(target).to_pylist(), key=lambda r: r["id"])
        assert got == _expected_masked(records, ["phone", "note", "身份证号"])
        assert not (tmp_path / "out.parquet.partial").exists()

    def test_failure_leaves_nothing(self, tmp_path: Path) -> None:
        """A failed run removes its partial output."""
        source = tmp_path / "in.parquet"
        pq.write_table(pa.Table.from_pylist(rows(10)), source)
        target = tmp_path / "out.parquet"
        with pytest.raises(PolicyConfigError):
            arrow.mask_dataset(source, target, presets.CN_DISPLAY, columns=["amount"])
        assert not target.exists()
        assert not (tmp_path / "out.parquet.partial").exists()
        with pytest.raises(PolicyConfigError, match=">= 1"):
            arrow.mask_dataset(source, target, presets.CN_DISPLAY, batch_size=0)

    def test_files_projected_onto_the_dataset_schema(self, tmp_path: Path) -> None:
        """Files with fewer or more columns are read as the dataset scanner reads them."""
        import pyarrow.dataset as ds

        source = tmp_path / "in"
        source.mkdir()
        pq.write_table(
            pa.table({"id": [1, 2], "note": ["手机13812345678", None]}), source / "a.parquet"
        )
        pq.write_table(pa.table({"id": [3]}), source / "b.parquet")
        pq.write_table(pa.table({"note": ["ok"], "extra": ["x"], "id": [4]}), source / "c.parquet")
        target = tmp_path / "out.parquet"
        assert arrow.mask_dataset(source, target, presets.CN_DISPLAY, batch_size=1) == 4
        plain = ds.dataset(source, format="parquet").to_table()
        got = pq.read_table(target)
        assert got.schema == plain.schema
        assert got.to_pylist() == arrow.mask_table(plain, presets.CN_DISPLAY).to_pylist()

    def test_dataset_larger_than_the_memory_limit(self, tmp_path: Path) -> None:
        """A dataset larger than the process's memory limit is masked a row group at a time.

        Two bounds, both taken from what mask_dataset promises ("the row group
        being decoded and a few record batches, whatever the size of the
        dataset and however slow the masking"), neither from a measurement:

        - The child process runs with a data-segment limit (RLIMIT_DATA, which
          covers the heap and anonymous mappings) far below the dataset's
          decoded size, so reading it whole, in Arrow or in Python, fails.
        - The peak of Arrow's memory pool stays below one file's decoded
          size (six row groups). This bound does not depend on the machine:
          reading one row group at a time without read-ahead threads makes
          the same allocations in the same order however loaded the machine
          is, and whether or not the child is traced (about 20 MB here,
          loaded or idle, with or without coverage). The dataset scanner's
          read-ahead, which mask_dataset used before, is not such a bound: its
          I/O threads keep decoding while the masking (Python) is slow, and
          its peak went from 125 MB on an idle machine to 271-410 MB with a
          slow or traced consumer, so it fails here on any machine.
        """
        source = tmp_path / "big"
        source.mkdir()
        blob = "x" * 10_000
        per_file = 6_000
        group = 1_000
        for f in range(8):
            pq.write_table(
                pa.table(
                    {
                        "id": list(range(f * per_file, (f + 1) * per_file)),
                        "note": [f"手机1381234{i % 10000:04d}" for i in range(per_file)],
                        "blob": [blob] * per_file,
                    }
                ),
                source / f"part-{f}.parquet",
                row_group_size=group,
            )
        row_bytes = len(blob) + 20  # the passed-through blob and the note
        decoded = 8 * per_file * row_bytes  # about 480 MB once read
        one_file = per_file * row_bytes  # about 60 MB: six row groups
        limit = 256 * 1024 * 1024
        assert decoded > 1.5 * limit
        script = textwrap.dedent(
            f"""
            import json, resource, sys
            import pyarrow as pa
            from secpolicy.integrations.arrow import mask_dataset
            from secpolicy.pii import presets
            soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
            used = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
            resource.setrlimit(resource.RLIMIT_DATA, (used + {limit}, hard))
            n = mask_dataset({str(source)!r}, {str(tmp_path / "out.parquet")!r},
                             presets.CN_DISPLAY, columns=["note"], batch_size=512)
            pool = pa.default_memory_pool().max_memory()
            print(json.dumps({{"rows": n, "pool": pool}}))
            """
        )
        # The child is not part of the coverage measurement (tests/conftest.py);
        # the bound above holds traced or not, so it is not traced to save time.
        env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_PROCESS")}
        result = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
            env=env,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        report = json.loads(result.stdout)
        assert report["rows"] == 8 * per_file
        assert report["pool"] < one_file, report
        first = pq.ParquetFile(tmp_path / "out.parquet").read_row_group(0).slice(0, 2)
        assert first.column("note").to_pylist() == ["手机138****0000", "手机138****0001"]


class TestScanTable:
    def test_findings_equal_scanner_find(self) -> None:
        """Each finding row equals Scanner.find on that cell, with row and column."""
        records = rows(500)
        table = pa.Table.from_pylist(records)
        scanner = Scanner()
        found = arrow.scan_table(table, scanner)
        assert found.schema == arrow.FINDING_SCHEMA
        expected = []
        for row, record in enumerate(records):
            for name in ("phone", "note", "身份证号"):
                if record[name] is not None:
                    expected.extend(
                        {
                            "row": row,
                            "column": name,
                            "entity": f.entity,
                            "start": f.start,
                            "end": f.end,
                        }
                        for f in scanner.find(record[name])
                    )
        assert found.to_pylist() == expected
        assert "text" not in found.schema.names  # the values found are never returned

    def test_batches_count_rows_across_the_stream(self) -> None:
        """scan_batches numbers rows across batches."""
        table = pa.Table.from_pylist(rows(200))
        whole = arrow.scan_table(table, Scanner())
        parts = list(arrow.scan_batches(table.to_batches(max_chunksize=50), Scanner()))
        assert pa.concat_tables(parts).to_pylist() == whole.to_pylist()


class TestPseudonymize:
    def test_pseudonyms_join(self) -> None:
        """Two tables pseudonymised with one key join as the raw tables do."""
        key = Keyset.generate("HMAC-SHA256")
        operator = Pseudonymize(key)
        customers = pa.table(
            {"phone": ["13812345678", "13987654321", None], "name": ["a", "b", "c"]}
        )
        orders = pa.table({"phone": ["13987654321", "13812345678", "13812345678"], "n": [1, 2, 3]})
        left = arrow.pseudonymize_columns(customers, {"phone": CN_MOBILE}, operator)
        right = arrow.pseudonymize_columns(orders, {"phone": CN_MOBILE}, operator)
        assert left.column("phone").to_pylist()[:2] == [
            operator.apply("13812345678", CN_MOBILE),
            operator.apply("13987654321", CN_MOBILE),
        ]
        assert left.column("phone").to_pylist()[2] is None
        joined = right.join(left, "phone").sort_by("n").to_pylist()
        raw = orders.join(customers, "phone").sort_by("n").to_pylist()
        assert [(r["n"], r["name"]) for r in joined] == [(r["n"], r["name"]) for r in raw]
        assert all("1381234" not in str(r["phone"]) for r in joined)

    def test_bad_columns(self) -> None:
        """The columns must be a non-empty mapping of text columns."""
        operator = Pseudonymize(Keyset.generate("HMAC-SHA256"))
        table = pa.table({"phone": ["1"], "n": [1]})
        with pytest.raises(PolicyConfigError, match="must map"):
            arrow.pseudonymize_columns(table, {}, operator)
        with pytest.raises(PolicyConfigError, match="not text"):
            arrow.pseudonymize_columns(table, {"n": CN_MOBILE}, operator)


SCHEDULE = RetentionSchedule(
    [
        RetentionRule(category="user_log", keep=Period(months=12)),
        RetentionRule(category="kyc", keep=Period(years=5), trigger="relationship_ended"),
        RetentionRule(category="published_content", keep=Period(months=6), action="review"),
    ],
    tz="Asia/Shanghai",
)


def retention_rows(n: int, seed: int = 3) -> list[dict[str, Any]]:
    """Records of three categories with creation times and optional events."""
    rng = random.Random(seed)
    start = datetime(2022, 1, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        created = start + timedelta(seconds=rng.randrange(4 * 365 * 86400))
        ended = created + timedelta(days=rng.randrange(1, 900)) if rng.random() < 0.5 else None
        out.append(
            {
                "id": f"r{i}",
                "category": rng.choice(["user_log", "kyc", "published_content"]),
                "created": created,
                "ended": ended,
            }
        )
    return out


class TestEvaluateRetention:
    def test_every_row_equals_evaluate(self) -> None:
        """Each decision equals RetentionSchedule.evaluate(...).to_dict() for its row."""
        records = retention_rows(1_500)
        table = pa.Table.from_pylist(records)
        holds = [LegalHold("kyc", "case 12", NOW - timedelta(days=3))]
        got = arrow.evaluate_retention(
            table,
            SCHEDULE,
            category="category",
            created="created",
            events={"relationship_ended": "ended"},
            record_id="id",
            now=NOW,
            holds=holds,
        )
        assert got.schema == arrow.DECISION_SCHEMA
        expected = [
            SCHEDULE.evaluate(
                r["category"],
                created=r["created"],
                events={"relationship_ended": r["ended"]} if r["ended"] else {},
                now=NOW,
                holds=holds,
                record_id=r["id"],
            ).to_dict()
            for r in records
        ]
        assert got.to_pylist() == expected

    def test_iso_text_times(self) -> None:
        """Creation times as ISO 8601 text with an offset decide the same."""
        records = retention_rows(50)
        text = pa.table(
            {
                "category": [r["category"] for r in records],
                "created": [r["created"].isoformat() for r in records],
            }
        )
        stamps = pa.table(
            {
                "category": [r["category"] for r in records],
                "created": [r["created"] for r in records],
            }
        )
        options = {"category": "category", "created": "created", "now": NOW}
        assert (
            arrow.evaluate_retention(text, SCHEDULE, **options).to_pylist()
            == arrow.evaluate_retention(stamps, SCHEDULE, **options).to_pylist()
        )

    @pytest.mark.parametrize(
        ("table", "message"),
        [
            ({"category": ["user_log"], "created": [datetime(2024, 1, 1)]}, "without a time zone"),  # noqa: DTZ001
            ({"category": ["user_log"], "created": ["yesterday"]}, "not an ISO 8601 time"),
            ({"category": ["user_log"], "created": [3]}, "timestamps with a zone"),
            ({"category": [None], "created": [NOW]}, "row 0: needs a category"),
            ({"category": ["user_lgo"], "created": [NOW]}, "unknown category 'user_lgo'"),
            ({"kind": ["user_log"], "created": [NOW]}, "no column 'category'"),
        ],
    )
    def test_bad_rows(self, table: dict[str, list[Any]], message: str) -> None:
        """Missing columns, naive times and bad rows are PolicyConfigErrors naming them."""
        with pytest.raises(PolicyConfigError, match=message):
            arrow.evaluate_retention(
                pa.table(table), SCHEDULE, category="category", created="created", now=NOW
            )

    def test_batches(self) -> None:
        """evaluate_retention_batches decides each batch lazily."""
        table = pa.Table.from_pylist(retention_rows(100))
        options = {"category": "category", "created": "created", "now": NOW}
        parts = list(
            arrow.evaluate_retention_batches(
                table.to_batches(max_chunksize=30), SCHEDULE, **options
            )
        )
        assert (
            pa.concat_tables(parts).to_pylist()
            == arrow.evaluate_retention(table, SCHEDULE, **options).to_pylist()
        )


class TestRetentionFastPath:
    """The shared decision paths agree with deciding every row on its own (the plain twin)."""

    @staticmethod
    def _plain(table: Any, schedule: RetentionSchedule, **options: Any) -> list[dict[str, Any]]:
        data = table
        columns = arrow._RetentionColumns(
            categories=data.column("category").to_pylist(),
            created=arrow._times(data.column("created"), "created"),
            events={
                event: arrow._times(data.column(col), col)
                for event, col in options.get("events", {}).items()
            },
            ids=data.column("id").to_pylist(),
        )
        return arrow._decide_each(
            columns, schedule, options["now"], tuple(options.get("holds", ()))
        ).to_pylist()

    @given(
        st.lists(
            st.tuples(
                st.sampled_from(["user_log", "kyc", "published_content"]),
                st.datetimes(
                    min_value=datetime(2020, 1, 1),  # noqa: DTZ001 (made aware below)
                    max_value=datetime(2027, 1, 1),  # noqa: DTZ001
                    timezones=st.just(UTC),
                ),
                st.one_of(st.none(), st.integers(min_value=0, max_value=2_000)),
            ),
            min_size=1,
            max_size=60,
        ),
        st.sampled_from(["Asia/Shanghai", "Europe/Berlin", "America/New_York"]),
        st.sampled_from(["day", "instant"]),
        st.booleans(),
    )
    @settings(max_examples=60, deadline=None)
    def test_fast_paths_agree(
        self,
        items: list[tuple[str, datetime, int | None]],
        zone: str,
        semantics: str,
        with_events: bool,
    ) -> None:
        """Arrow-keyed, Python-keyed and per-row decisions are equal on every row."""
        schedule = RetentionSchedule(SCHEDULE.rules, tz=zone, semantics=semantics)  # type: ignore[arg-type]
        table = pa.table(
            {
                "id": [f"r{i}" for i in range(len(items))],
                "category": [kind for kind, _, _ in items],
                "created": pa.array([at for _, at, _ in items], pa.timestamp("us", tz="UTC")),
                "ended": pa.array(
                    [None if d is None else at + timedelta(days=d) for _, at, d in items],
                    pa.timestamp("us", tz="UTC"),
                ),
            }
        )
        options: dict[str, Any] = {
            "now": NOW,
            "holds": [LegalHold("published_content", "case", NOW - timedelta(days=400))],
        }
        if with_events:
            options["events"] = {"relationship_ended": "ended"}
        expected = self._plain(table, schedule, **options)
        got = arrow.evaluate_retention(
            table, schedule, category="category", created="created", record_id="id", **options
        )
        assert got.to_pylist() == expected
        streamed = pa.concat_tables(
            arrow.evaluate_retention_batches(
                table.to_batches(max_chunksize=7),
                schedule,
                category="category",
                created="created",
                record_id="id",
                **options,
            )
        )
        assert streamed.to_pylist() == expected


class TestRowBoundOperators:
    def test_encrypt_bound_to_the_row(self) -> None:
        """An Encrypt operator with a row context gets each row, as mask_record(row) does."""
        from secpolicy.crypto import FieldEncryptor
        from secpolicy.exceptions import DecryptionError
        from secpolicy.pii import Encrypt, Masker

        masker = Masker(
            {CN_MOBILE: Encrypt(FieldEncryptor(Keyset.generate()), context=lambda r: str(r["id"]))}
        )
        records = [
            {"id": i, "phone": f"1381234{i:04d}", "note": f"tel 1391234{i:04d}"} for i in range(20)
        ]
        masked = arrow.mask_table(pa.Table.from_pylist(records), masker)
        for row, record in zip(masked.to_pylist(), records, strict=True):
            assert masker.unmask(row["phone"], record=record) == record["phone"]
            assert masker.unmask(row["note"], record=record) == record["note"]
            with pytest.raises(DecryptionError):  # bound to its own row
                masker.unmask(row["phone"], record={**record, "id": record["id"] + 1})


class TestMaskTableColumnTypes:
    """Text is masked wherever it sits in a column, as mask_record masks the row."""

    RECORD: dict[str, Any] = {  # noqa: RUF012 (read only)
        "phone": "13812345678",
        "info": {"phone": "13812345678", "note": "mail user@example.com", "n": 3},
        "tags": ["call 13987654321", None],
        "raw": b"13812345678",
    }

    def _expected(self, name: str, value: Any) -> Any:
        return presets.CN_DISPLAY.mask_record({name: value})[name]

    def test_dictionary_encoded_strings(self) -> None:
        """A dictionary-encoded column (Polars categorical, Parquet dictionary) is masked."""
        column = pa.array(["13812345678", None, "13812345678", "ok"]).dictionary_encode()
        masked = arrow.mask_table(pa.table({"phone": column}), presets.CN_DISPLAY)
        assert masked.schema.field("phone").type == column.type
        expected = [None if v is None else self._expected("phone", v) for v in column.to_pylist()]
        assert masked.column("phone").to_pylist() == expected
        assert expected[0] == "138****5678"

    def test_chosen_dictionary_column(self) -> None:
        """A dictionary-encoded column may be named in columns=."""
        column = pa.array(["call 13987654321"]).dictionary_encode()
        masked = arrow.mask_table(pa.table({"note": column}), presets.CN_DISPLAY, columns=["note"])
        assert masked.column("note").to_pylist() == ["call 139****4321"]

    @pytest.mark.parametrize("kind", [pa.binary(), pa.large_binary(), pa.binary_view()])
    def test_binary_columns(self, kind: Any) -> None:
        """Bytes columns are masked as mask_record masks bytes."""
        table = pa.table({"raw": pa.array([b"13812345678", None], kind)})
        masked = arrow.mask_table(table, presets.CN_DISPLAY)
        assert masked.schema == table.schema
        assert masked.column("raw").to_pylist() == [self._expected("raw", b"13812345678"), None]
        assert b"12345678" not in masked.column("raw").to_pylist()[0]

    def test_struct_and_list_columns(self) -> None:
        """Struct fields and list items are masked at any depth, by field name and by value."""
        table = pa.Table.from_pylist([self.RECORD, {"phone": None}])
        masked = arrow.mask_table(table, presets.CN_DISPLAY)
        assert masked.schema == table.schema
        first = masked.to_pylist()[0]
        assert first == {name: self._expected(name, v) for name, v in self.RECORD.items()}
        assert "13812345678" not in str(first)
        assert "user@" not in str(first)

    def test_map_values_under_known_keys(self) -> None:
        """A map's value under a known key is masked as that field, not left as free text."""
        kind = pa.map_(pa.string(), pa.string())
        cells = [[("name", "张三"), ("phone", "13812345678"), ("k", None)], None]
        table = pa.table({"attrs": pa.array(cells, kind)})
        masked = arrow.mask_table(table, presets.CN_DISPLAY)
        assert masked.schema == table.schema
        entries = dict(masked.column("attrs").to_pylist()[0])
        assert entries == {
            "name": presets.CN_DISPLAY.mask_record({"name": "张三"})["name"],
            "phone": "138****5678",
            "k": None,
        }
        assert masked.column("attrs").to_pylist()[1] is None

    def test_nested_chunks_and_batches(self) -> None:
        """Chunked nested columns and record batches keep their types."""
        table = pa.Table.from_pylist([self.RECORD] * 3)
        batches = list(arrow.mask_batches(table.to_batches(max_chunksize=1), presets.CN_DISPLAY))
        assert all(b.schema == table.schema for b in batches)
        assert "13812345678" not in str(pa.Table.from_batches(batches).to_pylist())

    def test_masked_value_that_does_not_fit_is_refused(self) -> None:
        """A fixed-width binary column whose mask changes its length is an error, not clear text."""
        masker = Masker({CN_MOBILE: Redact()})
        table = pa.table({"raw": pa.array([b"13812345678"], pa.binary(11))})
        with pytest.raises(PolicyConfigError, match=r"'raw'.*does not fit") as caught:
            arrow.mask_table(table, masker)
        assert "1381234" not in str(caught.value)

    def test_struct_with_a_number_under_a_known_field(self) -> None:
        """A struct holding a phone number as an integer is refused by column name."""
        table = pa.Table.from_pylist([{"info": {"phone": 13812345678, "note": "x"}}])
        with pytest.raises(PolicyConfigError, match="'info'") as caught:
            arrow.mask_table(table, presets.CN_DISPLAY)
        assert "1381234" not in str(caught.value)

    def test_union_columns_are_refused(self) -> None:
        """A column whose text cannot be rebuilt (a union) is refused, never left in clear."""
        union = pa.UnionArray.from_sparse(
            pa.array([0], pa.int8()), [pa.array(["13812345678"]), pa.array([1])]
        )
        with pytest.raises(PolicyConfigError, match="cannot be masked in place"):
            arrow.mask_table(pa.table({"u": union}), presets.CN_DISPLAY)

    def test_row_bound_operator_on_a_struct(self) -> None:
        """An operator bound to the row masks nested columns with the whole row."""
        masker = Masker(
            {CN_MOBILE: Encrypt(FieldEncryptor(Keyset.generate()), context=lambda r: str(r["id"]))}
        )
        records = [{"id": 1, "info": {"phone": "13812345678"}}]
        masked = arrow.mask_table(pa.Table.from_pylist(records), masker)
        token = masked.column("info").to_pylist()[0]["phone"]
        assert "13812345678" not in token
        assert masker.unmask(token, record={"id": 1}) == "13812345678"

    @pytest.mark.parametrize(
        ("column", "kind"),
        [
            ("phone", pa.int64()),
            ("contact", pa.int64()),
            ("birth_date", pa.date32()),
        ],
    )
    def test_personal_data_in_a_column_that_cannot_hold_its_mask(
        self, column: str, kind: Any
    ) -> None:
        """A phone number stored as a number or a birth date as a date is refused, not kept."""
        from datetime import date

        value = date(1990, 5, 17) if pa.types.is_date(kind) else 13812345678
        table = pa.table({"id": [1], column: pa.array([value], kind), "note": ["ok"]})
        assert presets.CN_DISPLAY.mask_record({column: value})[column] != value
        with pytest.raises(PolicyConfigError, match=f"'{column}'") as caught:
            arrow.mask_table(table, presets.CN_DISPLAY)
        assert "13812345678" not in str(caught.value)
        assert "1990" not in str(caught.value)

    def test_other_columns_pass_the_check(self) -> None:
        """Numbers, dates and booleans that are not personal data come back unchanged."""
        from datetime import date

        table = pa.table(
            {
                "id": [1, 2],
                "amount": [1.5, float("nan")],
                "created": [date(2020, 1, 1), None],
                "ok": [True, None],
                "note": ["ok", None],
            }
        )
        masked = arrow.mask_table(table, presets.CN_DISPLAY)
        assert masked.schema == table.schema
        assert repr(masked.to_pylist()) == repr(table.to_pylist())  # NaN stays NaN


class TestScanTableColumnTypes:
    """Findings are reported wherever the text sits in a column, never a false clean."""

    def test_dictionary_binary_and_nested_columns(self) -> None:
        """Dictionary, binary, struct, list and map columns report their findings by path."""
        table = pa.table(
            {
                "d": pa.array(["13812345678", None]).dictionary_encode(),
                "raw": pa.array([b"mail user@example.com", b"\xff13812345678"]),
                "info": pa.array([{"phone": "13812345678", "n": 1}, None]),
                "tags": pa.array([["ok", "call 13987654321"], []]),
                "attrs": pa.array(
                    [[("13812345678", "x")], [("k", "13987654321")]],
                    pa.map_(pa.string(), pa.string()),
                ),
            }
        )
        found = arrow.scan_table(table, Scanner()).to_pylist()
        got = {(f["row"], f["column"], f["entity"], f["start"], f["end"]) for f in found}
        assert got == {
            (0, "d", "CN_MOBILE", 0, 11),
            (0, "raw", "EMAIL", 5, 21),
            (1, "raw", "CN_MOBILE", 1, 12),
            (0, "info.phone", "CN_MOBILE", 0, 11),
            (0, "tags[1]", "CN_MOBILE", 5, 16),
            (0, "attrs[0].key", "CN_MOBILE", 0, 11),
            (1, "attrs[0].value", "CN_MOBILE", 0, 11),
        }
        assert "13812345678" not in str(found)
        assert [f["row"] for f in found] == sorted(f["row"] for f in found)

    def test_union_columns_are_refused(self) -> None:
        """A column whose text cannot be read is an error, never reported clean."""
        union = pa.UnionArray.from_sparse(
            pa.array([0], pa.int8()), [pa.array(["13812345678"]), pa.array([1])]
        )
        with pytest.raises(PolicyConfigError, match="cannot be scanned"):
            arrow.scan_table(pa.table({"u": union}), Scanner())


class TestColumnsThatCannotBeRebuilt:
    @pytest.mark.parametrize(
        "kind",
        [
            pa.struct([("a", pa.string()), ("a", pa.string())]),
            pa.map_(pa.struct([("k", pa.string())]), pa.string()),
            pa.run_end_encoded(pa.int32(), pa.string()),
        ],
    )
    def test_refused_by_name(self, kind: Any) -> None:
        """Duplicate struct fields, struct map keys and run-end encoding are refused."""
        column = pa.nulls(1, kind)
        with pytest.raises(PolicyConfigError, match="'c'"):
            arrow.mask_table(pa.table({"c": column}), presets.CN_DISPLAY)
        with pytest.raises(PolicyConfigError, match="'c'"):
            arrow.scan_table(pa.table({"c": column}), Scanner())

    def test_numbers_without_text_are_not_chosen_explicitly(self) -> None:
        """A list of numbers names no text: columns= refuses it as before."""
        table = pa.table({"n": pa.array([[1, 2]])})
        with pytest.raises(PolicyConfigError, match="not text"):
            arrow.mask_table(table, presets.CN_DISPLAY, columns=["n"])
        assert arrow.mask_table(table, presets.CN_DISPLAY).equals(table)

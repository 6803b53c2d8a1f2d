"""PII masking, scanning, pseudonyms and retention over Apache Arrow tables.

Data teams hold customer tables and archives as Arrow tables, Parquet
datasets, Polars or pandas frames. The functions here apply secpolicy's
single-record API to every row of such data, batch by batch, so memory stays
bounded by one record batch however large the dataset:

- :func:`mask_table` masks columns as :meth:`~secpolicy.pii.Masker.mask_record`
  masks the fields of one record;
- :func:`scan_table` reports findings with their row and column (never the
  value found);
- :func:`pseudonymize_columns` replaces values with keyed pseudonyms that stay
  joinable;
- :func:`evaluate_retention` decides each row as
  :meth:`~secpolicy.retention.RetentionSchedule.evaluate` decides one record.

Each takes a :class:`pyarrow.Table`, a :class:`pyarrow.RecordBatch`, or
anything that exports the Arrow C stream interface (a Polars or pandas
DataFrame: no copy where Arrow allows), and returns the same kind of Arrow
object. The ``*_batches`` forms stream an iterable of record batches, and
:func:`mask_dataset` masks a Parquet dataset of any size into another.

Install with ``pip install 'secpolicy[arrow]'``.

.. versionadded:: 0.2
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from secpolicy.exceptions import PolicyConfigError

try:
    import pyarrow as pa
    import pyarrow.parquet as pq
except ImportError as exc:  # pragma: no cover - exercised without the extra installed
    raise ImportError(
        "secpolicy.integrations.arrow needs pyarrow: pip install 'secpolicy[arrow]'"
    ) from exc

if TYPE_CHECKING:
    import os

    from secpolicy.pii import Masker, Operator, Scanner
    from secpolicy.retention import LegalHold, RetentionSchedule

__all__ = [
    "DECISION_SCHEMA",
    "FINDING_SCHEMA",
    "evaluate_retention",
    "evaluate_retention_batches",
    "mask_batches",
    "mask_dataset",
    "mask_table",
    "pseudonymize_columns",
    "scan_batches",
    "scan_table",
]

#: The columns :func:`scan_table` returns: where each finding is, never its text.
FINDING_SCHEMA: Final = pa.schema(
    [
        ("row", pa.int64()),
        ("column", pa.string()),
        ("entity", pa.string()),
        ("start", pa.int32()),
        ("end", pa.int32()),
    ]
)
#: The columns :func:`evaluate_retention` returns, as
#: :meth:`~secpolicy.retention.RetentionDecision.to_dict` names them.
DECISION_SCHEMA: Final = pa.schema(
    [
        ("record_id", pa.string()),
        ("category", pa.string()),
        ("action", pa.string()),
        ("disposal", pa.string()),
        ("retain_until", pa.string()),
        ("keep_through", pa.string()),
        ("eligible_from", pa.string()),
        ("must_dispose_by", pa.string()),
        ("accessible_until", pa.string()),
        ("overdue", pa.bool_()),
        ("on_hold", pa.bool_()),
        ("holds", pa.list_(pa.string())),
        ("rule", pa.string()),
        ("citation", pa.string()),
        ("disposal_rule", pa.string()),
        ("reasons", pa.list_(pa.string())),
    ]
)
_TEXT_TYPES: Final = (pa.types.is_string, pa.types.is_large_string, pa.types.is_string_view)

Tabular = Any
"""A :class:`pyarrow.Table`, a :class:`pyarrow.RecordBatch`, or an object with
``__arrow_c_stream__`` (Polars and pandas DataFrames)."""


def _as_arrow(data: Tabular) -> pa.Table | pa.RecordBatch:
    if isinstance(data, pa.Table | pa.RecordBatch):
        return data
    if hasattr(data, "__arrow_c_stream__"):
        # The C stream interface hands over Arrow buffers without a copy
        # where the producer already holds Arrow memory (Polars does).
        return pa.table(data)
    raise PolicyConfigError(
        "must be a pyarrow Table or RecordBatch, or a frame exporting __arrow_c_stream__ "
        f"(Polars, pandas), not {type(data).__name__}",
        field="table",
    )


def _text_columns(
    schema: pa.Schema, columns: Sequence[str] | None, *, what: str
) -> tuple[str, ...]:
    """The columns to work on: the given ones (checked) or every text column."""
    if columns is None:
        return tuple(
            field.name for field in schema if any(check(field.type) for check in _TEXT_TYPES)
        )
    if isinstance(columns, str):
        raise PolicyConfigError("must be a list of column names, not one string", field="columns")
    chosen = tuple(columns)
    for name in chosen:
        if name not in schema.names:
            raise PolicyConfigError(f"no column {name!r} in the table", field="columns")
        column_type = schema.field(name).type
        if not any(check(column_type) for check in _TEXT_TYPES):
            raise PolicyConfigError(
                f"column {name!r} is {column_type}, not text; cast it to string to {what} it",
                field="columns",
            )
    return chosen


def _column_masker(masker: Masker, name: str) -> Callable[[str], Any]:
    """Mask one cell of column *name* exactly as ``mask_record`` masks field *name*."""

    def mask(value: str) -> Any:
        return masker.mask_record({name: value})[name]

    return mask


def _map_column(values: pa.Array | pa.ChunkedArray, func: Callable[[str], Any]) -> pa.Array:
    out = [None if value is None else func(value) for value in values.to_pylist()]
    return pa.array(out, type=values.type)


def _replace(
    data: pa.Table | pa.RecordBatch, columns: Mapping[str, pa.Array]
) -> pa.Table | pa.RecordBatch:
    arrays = [columns.get(name, data.column(i)) for i, name in enumerate(data.schema.names)]
    if isinstance(data, pa.RecordBatch):
        return pa.RecordBatch.from_arrays(arrays, schema=data.schema)
    return pa.Table.from_arrays(arrays, schema=data.schema)


# -- masking -------------------------------------------------------------------------


def mask_table(
    table: Tabular, masker: Masker, *, columns: Sequence[str] | None = None
) -> pa.Table | pa.RecordBatch:
    """Mask the text columns of *table* as :meth:`Masker.mask_record` masks a record's fields.

    Every cell of a chosen column becomes ``masker.mask_record({column:
    cell})[column]``: a column whose name the masker knows (``phone``,
    ``身份证号``, a configured field) is masked as that field; any other text
    column is scanned as free text. Nulls stay null; other columns are
    returned as they are.

    Args:
        table: The data (see the module for the accepted kinds).
        masker: The masker, e.g. ``presets.CN_DISPLAY``.
        columns: The columns to mask (default: every string column). Each must
            be a string column; cast numbers holding personal data first.

    Returns:
        A table (or record batch, for a record batch) with the same schema.

    Raises:
        PolicyConfigError: For an unknown or non-text column, or an input
            that is not Arrow data.

    Example:
        >>> import pyarrow as pa
        >>> from secpolicy.pii import presets
        >>> t = pa.table({"phone": ["13812345678", None], "note": ["call 13987654321", "ok"]})
        >>> mask_table(t, presets.CN_DISPLAY).to_pydict()
        {'phone': ['138****5678', None], 'note': ['call 139****4321', 'ok']}
    """
    data = _as_arrow(table)
    chosen = _text_columns(data.schema, columns, what="mask")
    masked = {name: _map_column(data.column(name), _column_masker(masker, name)) for name in chosen}
    return _replace(data, masked)


def mask_batches(
    batches: Iterable[pa.RecordBatch], masker: Masker, *, columns: Sequence[str] | None = None
) -> Iterator[pa.RecordBatch]:
    """Mask a stream of record batches lazily, one batch in memory at a time."""
    for batch in batches:
        yield mask_table(batch, masker, columns=columns)


def mask_dataset(
    source: str | os.PathLike[str],
    destination: str | os.PathLike[str],
    masker: Masker,
    *,
    columns: Sequence[str] | None = None,
    batch_size: int = 16_384,
) -> int:
    """Mask a Parquet file or dataset into one Parquet file, in constant memory.

    Batches are read, masked and written one at a time with little
    read-ahead, so the memory used is a few record batches and the row group
    being decoded, whatever the size of the dataset. The output is
    written under a temporary name and renamed into place when complete: a
    failed run leaves no half-masked file that looks finished.

    Args:
        source: A Parquet file or a directory of Parquet files.
        destination: The Parquet file to write.
        masker: The masker.
        columns: The columns to mask (default: every string column).
        batch_size: Rows per record batch.

    Returns:
        The number of rows written.
    """
    import os as _os  # noqa: PLC0415 (keeps the module's import surface small)

    import pyarrow.dataset as ds  # noqa: PLC0415 (loaded only for datasets)

    if batch_size < 1:
        raise PolicyConfigError("must be >= 1", field="batch_size")
    dataset = ds.dataset(_os.fspath(source), format="parquet")
    target = _os.fspath(destination)
    partial = f"{target}.partial"
    rows = 0
    try:
        with pq.ParquetWriter(partial, dataset.schema) as writer:
            # Little read-ahead: memory is a few batches (plus the Parquet row
            # group being decoded), not a few files.
            batches = dataset.to_batches(
                batch_size=batch_size, batch_readahead=1, fragment_readahead=1
            )
            for batch in batches:
                writer.write_batch(mask_table(batch, masker, columns=columns))
                rows += batch.num_rows
        _os.replace(partial, target)  # noqa: PTH105 (plain os keeps the import surface small)
    except BaseException:
        if _os.path.exists(partial):  # noqa: PTH110 (plain os keeps the import surface small)
            _os.remove(partial)  # noqa: PTH107
        raise
    return rows


# -- scanning ------------------------------------------------------------------------


def scan_table(
    table: Tabular, scanner: Scanner, *, columns: Sequence[str] | None = None, row_offset: int = 0
) -> pa.Table:
    """Where personal data is in *table*: one row per finding, with its row and column.

    The finding's text is not returned: the result is safe to log and ship
    to a dashboard. ``start`` and ``end`` are offsets in the cell.

    Args:
        table: The data.
        scanner: The scanner (its entities, allow- and deny-lists apply).
        columns: The columns to scan (default: every string column).
        row_offset: Added to row numbers (for batches of a larger table).

    Returns:
        A table with :data:`FINDING_SCHEMA`, ordered by row, then column
        order, then position.
    """
    data = _as_arrow(table)
    chosen = _text_columns(data.schema, columns, what="scan")
    rows: list[int] = []
    names: list[str] = []
    entities: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    found: list[tuple[int, int, int, str, int]] = []
    for order, name in enumerate(chosen):
        for row, value in enumerate(data.column(name).to_pylist()):
            if value is not None:
                found.extend((row, order, f.start, f.entity, f.end) for f in scanner.find(value))
    found.sort()
    for row, order, start, entity, end in found:
        rows.append(row + row_offset)
        names.append(chosen[order])
        entities.append(entity)
        starts.append(start)
        ends.append(end)
    return pa.Table.from_arrays(
        [
            pa.array(rows, pa.int64()),
            pa.array(names, pa.string()),
            pa.array(entities, pa.string()),
            pa.array(starts, pa.int32()),
            pa.array(ends, pa.int32()),
        ],
        schema=FINDING_SCHEMA,
    )


def scan_batches(
    batches: Iterable[pa.RecordBatch], scanner: Scanner, *, columns: Sequence[str] | None = None
) -> Iterator[pa.Table]:
    """Scan a stream of record batches; row numbers count across the whole stream."""
    offset = 0
    for batch in batches:
        yield scan_table(batch, scanner, columns=columns, row_offset=offset)
        offset += batch.num_rows


# -- pseudonyms ----------------------------------------------------------------------


def pseudonymize_columns(
    table: Tabular, columns: Mapping[str, str], operator: Operator
) -> pa.Table | pa.RecordBatch:
    """Replace each value of the given columns by ``operator.apply(value, entity)``.

    With :class:`~secpolicy.pii.Pseudonymize` the same value always gives
    the same pseudonym under the same key, so two tables pseudonymised with
    one key still join on the column.

    Args:
        table: The data.
        columns: Column name to the entity it holds (``{"phone": CN_MOBILE}``);
            the entity is part of the pseudonym's derivation, so give the same
            entity on both sides of a join.
        operator: The operator, normally ``Pseudonymize(key)``.

    Returns:
        A table (or record batch) with the same schema.
    """
    data = _as_arrow(table)
    given: object = columns
    if not isinstance(given, Mapping) or not given:
        raise PolicyConfigError("must map column names to entities", field="columns")
    _text_columns(data.schema, list(columns), what="pseudonymize")
    replaced = {
        name: _map_column(data.column(name), _applying(operator, entity))
        for name, entity in columns.items()
    }
    return _replace(data, replaced)


def _applying(operator: Operator, entity: str) -> Callable[[str], str]:
    def apply(value: str) -> str:
        return operator.apply(value, entity)

    return apply


# -- retention -----------------------------------------------------------------------


def _times(values: pa.Array | pa.ChunkedArray, name: str) -> list[datetime | None]:
    column_type = values.type
    if pa.types.is_timestamp(column_type):
        if column_type.tz is None:
            raise PolicyConfigError(
                f"column {name!r} holds timestamps without a time zone", field=name
            )
        return list(values.to_pylist())
    if any(check(column_type) for check in _TEXT_TYPES):
        out: list[datetime | None] = []
        for text in values.to_pylist():
            if text is None:
                out.append(None)
                continue
            try:
                out.append(datetime.fromisoformat(text))
            except ValueError:
                raise PolicyConfigError(
                    f"column {name!r} holds text that is not an ISO 8601 time", field=name
                ) from None
        return out
    raise PolicyConfigError(
        f"column {name!r} is {column_type}; give timestamps with a zone or ISO 8601 text",
        field=name,
    )


def evaluate_retention(
    table: Tabular,
    schedule: RetentionSchedule,
    *,
    category: str,
    created: str,
    now: datetime,
    events: Mapping[str, str] | None = None,
    record_id: str | None = None,
    holds: Iterable[LegalHold] = (),
) -> pa.Table:
    """Decide every row of *table* as :meth:`RetentionSchedule.evaluate` decides one record.

    Args:
        table: The records.
        schedule: The schedule that decides.
        category: The column holding each record's category.
        created: The column holding when it was created (timestamps with a
            zone, or ISO 8601 text with an offset).
        now: The time of the decision (aware).
        events: Event name to the column holding when it happened (null: not
            yet), e.g. ``{"account_closed": "closed_at"}``.
        record_id: The column holding the record's id, for holds and reports.
        holds: Legal holds to consider.

    Returns:
        One decision per row, in row order, with :data:`DECISION_SCHEMA`:
        the values of :meth:`~secpolicy.retention.RetentionDecision.to_dict`.

    Raises:
        PolicyConfigError: For a missing column, a time without a zone, a row
            without a category or creation time (the message gives the row),
            or an unknown category.
    """
    data = _as_arrow(table)
    event_columns = dict(events or {})
    for name in (category, created, *event_columns.values(), *([record_id] if record_id else [])):
        if name not in data.schema.names:
            raise PolicyConfigError(f"no column {name!r} in the table", field=name)
    categories = data.column(category).to_pylist()
    created_at = _times(data.column(created), created)
    happened = {event: _times(data.column(col), col) for event, col in event_columns.items()}
    ids = data.column(record_id).to_pylist() if record_id else [None] * data.num_rows
    hold_list = tuple(holds)
    decisions: list[dict[str, Any]] = []
    for row in range(data.num_rows):
        kind, when = categories[row], created_at[row]
        if not isinstance(kind, str) or not kind or when is None:
            raise PolicyConfigError("needs a category and a creation time", field=f"row {row}")
        record_events: dict[str, datetime] = {}
        for event, at in happened.items():
            moment = at[row]
            if moment is not None:
                record_events[event] = moment
        decision = schedule.evaluate(
            kind,
            created=when,
            now=now,
            events=record_events,
            holds=hold_list,
            record_id=None if ids[row] is None else str(ids[row]),
        )
        decisions.append(decision.to_dict())
    return pa.Table.from_pylist(decisions, schema=DECISION_SCHEMA)


def evaluate_retention_batches(
    batches: Iterable[pa.RecordBatch],
    schedule: RetentionSchedule,
    **options: Any,
) -> Iterator[pa.Table]:
    """Decide a stream of record batches lazily (see :func:`evaluate_retention`)."""
    for batch in batches:
        yield evaluate_retention(batch, schedule, **options)

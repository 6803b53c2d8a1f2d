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

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

import attrs

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

    import pyarrow.dataset as ds

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
#: Decisions a stream keeps for reuse across its batches.
_SHARED_LIMIT: Final = 65_536
_TEXT_TYPES: Final = (pa.types.is_string, pa.types.is_large_string, pa.types.is_string_view)
_BINARY_TYPES: Final = (
    pa.types.is_binary,
    pa.types.is_large_binary,
    pa.types.is_binary_view,
    pa.types.is_fixed_size_binary,
)
_LIST_TYPES: Final = (
    pa.types.is_list,
    pa.types.is_large_list,
    pa.types.is_fixed_size_list,
    pa.types.is_list_view,
    pa.types.is_large_list_view,
)

_Tabular = Any
"""A :class:`pyarrow.Table`, a :class:`pyarrow.RecordBatch`, or an object with
``__arrow_c_stream__`` (Polars and pandas DataFrames)."""


def _as_arrow(data: _Tabular) -> pa.Table | pa.RecordBatch:
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


def _is_text(column_type: pa.DataType) -> bool:
    return any(check(column_type) for check in _TEXT_TYPES)


def _children(column_type: pa.DataType) -> tuple[pa.DataType, ...]:
    """The types nested directly inside *column_type* (none for a flat type)."""
    if pa.types.is_dictionary(column_type):
        return (column_type.value_type,)
    if pa.types.is_map(column_type):
        return (column_type.key_type, column_type.item_type)
    if pa.types.is_struct(column_type) or pa.types.is_union(column_type):
        return tuple(column_type.field(i).type for i in range(column_type.num_fields))
    if any(check(column_type) for check in _LIST_TYPES) or pa.types.is_run_end_encoded(column_type):
        return (column_type.value_type,)
    if isinstance(column_type, pa.ExtensionType):
        return (column_type.storage_type,)
    return ()


def _holds_text(column_type: pa.DataType) -> bool:
    """True if a value of *column_type* can hold text or bytes anywhere inside it."""
    if _is_text(column_type) or any(check(column_type) for check in _BINARY_TYPES):
        return True
    return any(_holds_text(child) for child in _children(column_type))


def _opaque(column_type: pa.DataType) -> bool:
    """True for types whose values cannot be rebuilt from Python (unions, extensions...)."""
    if pa.types.is_union(column_type) or pa.types.is_run_end_encoded(column_type):
        return True
    if isinstance(column_type, pa.ExtensionType):
        return True
    if pa.types.is_struct(column_type):
        names = [field.name for field in column_type]
        if len(set(names)) != len(names):
            return True  # a record cannot hold two fields of one name
    if pa.types.is_map(column_type) and pa.types.is_nested(column_type.key_type):
        return True
    return any(_opaque(child) for child in _children(column_type))


def _text_columns(
    schema: pa.Schema, columns: Sequence[str] | None, *, what: str, nested: bool = False
) -> tuple[str, ...]:
    """The columns to work on: the given ones (checked) or every text column.

    With *nested*, a column also counts as text when text or bytes sit
    anywhere inside it: a dictionary-encoded string column, a binary column,
    a struct, list or map with such fields.
    """
    accepts = _holds_text if nested else _is_text
    if columns is None:
        return tuple(field.name for field in schema if accepts(field.type))
    if isinstance(columns, str):
        raise PolicyConfigError("must be a list of column names, not one string", field="columns")
    chosen = tuple(columns)
    for name in chosen:
        if name not in schema.names:
            raise PolicyConfigError(f"no column {name!r} in the table", field="columns")
        column_type = schema.field(name).type
        if not accepts(column_type):
            raise PolicyConfigError(
                f"column {name!r} is {column_type}, not text; cast it to string to {what} it",
                field="columns",
            )
    return chosen


def _alone(mask: Callable[[Any, Any], Any], value: str) -> Any:
    """Mask one cell whose masking does not depend on its row."""
    return mask(value, None)


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


def _record_value(value: Any, column_type: pa.DataType) -> Any:
    """A cell as ``mask_record`` sees it: each map entry becomes a one-entry mapping.

    ``to_pylist`` gives a map as ``(key, value)`` pairs, which the masker
    would read as free text; as mappings, a value under a known key
    (``{"name": "张三"}``) is masked as that field.
    """
    if value is None:
        return None
    if pa.types.is_dictionary(column_type):
        return _record_value(value, column_type.value_type)
    if pa.types.is_map(column_type):
        return [{key: _record_value(item, column_type.item_type)} for key, item in value]
    if pa.types.is_struct(column_type):
        return {field.name: _record_value(value[field.name], field.type) for field in column_type}
    if any(check(column_type) for check in _LIST_TYPES):
        return [_record_value(item, column_type.value_type) for item in value]
    return value


def _arrow_value(value: Any, column_type: pa.DataType) -> Any:
    """The inverse of :func:`_record_value` for a masked cell."""
    if value is None:
        return None
    if pa.types.is_dictionary(column_type):
        return _arrow_value(value, column_type.value_type)
    if pa.types.is_map(column_type):
        return [
            (key, _arrow_value(item, column_type.item_type))
            for entry in value
            for key, item in entry.items()
        ]
    if pa.types.is_struct(column_type):
        # Field names are schema, not data: a name the masker rewrote is
        # matched by position.
        items = list(value.values())
        if len(items) != column_type.num_fields:
            raise _Unfit
        return {
            field.name: _arrow_value(item, field.type)
            for field, item in zip(column_type, items, strict=True)
        }
    if any(check(column_type) for check in _LIST_TYPES):
        return [_arrow_value(item, column_type.value_type) for item in value]
    return value


class _Unfit(Exception):  # noqa: N818 (private signal, turned into PolicyConfigError)
    """A masked cell does not fit the column's type."""


def _unmaskable(name: str, column_type: pa.DataType, why: str) -> PolicyConfigError:
    return PolicyConfigError(
        f"column {name!r} is {column_type}: {why}; cast it to string, or leave it out "
        "with columns=",
        field="columns",
    )


def _mask_nested(
    column: pa.Array | pa.ChunkedArray,
    column_type: pa.DataType,
    name: str,
    mask: Callable[[Any, Any], Any],
    rows: list[dict[str, Any]] | None,
) -> pa.Array:
    """Mask every cell of a column of any type that holds text, and rebuild it as that type."""
    if _opaque(column_type):
        raise _unmaskable(name, column_type, "its values cannot be masked in place")
    values = column.to_pylist()
    records = rows if rows is not None else [None] * len(values)
    try:
        out = [
            None
            if value is None
            else _arrow_value(mask(_record_value(value, column_type), row), column_type)
            for value, row in zip(values, records, strict=True)
        ]
        return pa.array(out, type=column_type)
    except (_Unfit, pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
        # The message names the column and its type, never the value.
        raise _unmaskable(
            name, column_type, "a masked value does not fit the column's type"
        ) from None


def _same(masked: Any, value: Any) -> bool:
    return masked is value or bool(masked == value)


def _guard(
    column: pa.Array | pa.ChunkedArray,
    column_type: pa.DataType,
    name: str,
    mask: Callable[[Any, Any], Any],
    rows: list[dict[str, Any]] | None,
) -> None:
    """Refuse a column that is not text but that ``mask_record`` would mask.

    A phone number stored as an integer, or a birth date as a date, would
    come back in clear: its masked form cannot be stored in the column.
    """
    if pa.types.is_boolean(column_type) or pa.types.is_null(column_type):
        return  # mask_record keeps booleans and nulls
    if _opaque(column_type):
        return
    if rows is None and not pa.types.is_nested(column_type):
        import pyarrow.compute as pc  # noqa: PLC0415 (loaded with the first table)

        values = pc.unique(column).to_pylist()
        records: list[Any] = [None] * len(values)
    else:
        values = column.to_pylist()
        records = rows if rows is not None else [None] * len(values)
    for value, row in zip(values, records, strict=True):
        if value is None:
            continue
        record = _record_value(value, column_type)
        if not _same(mask(record, row), record):
            raise _unmaskable(
                name, column_type, "it holds values the masker masks, which it cannot store"
            )


# -- masking -------------------------------------------------------------------------


def mask_table(
    table: _Tabular, masker: Masker, *, columns: Sequence[str] | None = None
) -> pa.Table | pa.RecordBatch:
    """Mask the columns of *table* as ``Masker.mask_record`` masks a record's fields.

    Every cell of a chosen column becomes what ``masker.mask_record(row)``
    gives for that field of its row: a column whose name the masker knows
    (``phone``, ``身份证号``, a configured field) is masked as that field; any
    other text column is scanned as free text; an operator that binds its
    output to the row (``Encrypt`` with ``context=``) gets the whole row.
    Nulls stay null; other columns are returned as they are.

    Text anywhere in a column is masked: string, large and view strings,
    dictionary-encoded strings (Polars categoricals, Parquet dictionaries),
    binary columns (as ``mask_record`` masks ``bytes``), and structs, lists
    and maps at any depth (a map's values under known keys are masked as
    those fields). Without *columns*, a column that holds no text but whose
    values the masker would mask (a phone number stored as an integer, a
    birth date stored as a date) raises :class:`~secpolicy.exceptions.PolicyConfigError` instead
    of coming back in clear, as does a masked value that does not fit its
    column's type (a ``fixed_size_binary``, an integer field of a struct).

    Args:
        table: The data (see the module for the accepted kinds).
        masker: The masker, e.g. ``presets.CN_DISPLAY``.
        columns: The columns to mask (default: every column that holds text
            or bytes, checking the others as above). Each must hold text or
            bytes; cast numbers holding personal data first.

    Returns:
        A table (or record batch, for a record batch) with the same schema.

    Raises:
        PolicyConfigError: For an unknown column or one without text, an
            input that is not Arrow data, or personal data that cannot be
            masked in its column's type (the message names the column).

    Example:
        >>> import pyarrow as pa
        >>> from secpolicy.pii import presets
        >>> t = pa.table({"phone": ["13812345678", None], "note": ["call 13987654321", "ok"]})
        >>> mask_table(t, presets.CN_DISPLAY).to_pydict()
        {'phone': ['138****5678', None], 'note': ['call 139****4321', 'ok']}

    .. versionchanged:: 0.2
       Dictionary-encoded, binary and nested columns are masked; columns
       that cannot hold the masked form of their personal data are refused.
    """
    data = _as_arrow(table)
    chosen = _text_columns(data.schema, columns, what="mask", nested=True)
    # An operator that binds its output to the row gets the whole row as
    # the record, as mask_record(row) masks it.
    rows = data.to_pylist() if masker.binds_rows else None
    masked = {}
    for name in chosen:
        mask = masker.field_masker(name)
        column = data.column(name)
        column_type = data.schema.field(name).type
        if _is_text(column_type) and rows is None:
            masked[name] = _map_column(column, functools.partial(_alone, mask))
        else:
            masked[name] = _mask_nested(column, column_type, name, mask, rows)
    if columns is None:
        for field in data.schema:
            if field.name not in masked:
                column = data.column(field.name)
                _guard(column, field.type, field.name, masker.field_masker(field.name), rows)
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

    Batches are read, masked and written one at a time, one Parquet row
    group at a time and without read-ahead threads, so the memory used is
    the row group being decoded and a few record batches, whatever the size
    of the dataset and however slow the masking. The output is
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
            for batch in _dataset_batches(dataset, batch_size):
                writer.write_batch(mask_table(batch, masker, columns=columns))
                rows += batch.num_rows
        _os.replace(partial, target)  # noqa: PTH105 (plain os keeps the import surface small)
    except BaseException:
        if _os.path.exists(partial):  # noqa: PTH110 (plain os keeps the import surface small)
            _os.remove(partial)  # noqa: PTH107
        raise
    return rows


def _dataset_batches(dataset: ds.Dataset, batch_size: int) -> Iterator[pa.RecordBatch]:
    """The dataset's record batches, one Parquet row group in memory at a time.

    The dataset scanner's read-ahead is not a bound: its I/O threads keep
    decoding while the consumer is slow (masking is Python code), and a
    slow consumer let them hold most of a dataset. Scanning one row group
    at a time, without threads, bounds memory by the row group whatever the
    scheduling; each batch is still projected onto the dataset's schema, as
    the scanner does.
    """
    for fragment in dataset.get_fragments():
        for group in fragment.split_by_row_group():
            yield from group.to_batches(
                schema=dataset.schema,
                batch_size=batch_size,
                batch_readahead=0,
                fragment_readahead=0,
                use_threads=False,
            )


# -- scanning ------------------------------------------------------------------------


def _leaves(value: Any, column_type: pa.DataType, path: str) -> Iterator[tuple[str, str]]:
    """Every text leaf of a cell with its path: ``info.phone``, ``tags[0]``, ``attrs[0].value``.

    Bytes are read as UTF-8 (Latin-1 if they are not UTF-8). Map keys are
    scanned too, and named by the entry's position, never by the key itself.
    """
    if value is None:
        return
    if pa.types.is_dictionary(column_type):
        yield from _leaves(value, column_type.value_type, path)
    elif pa.types.is_map(column_type):
        for i, (key, item) in enumerate(value):
            yield from _leaves(key, column_type.key_type, f"{path}[{i}].key")
            yield from _leaves(item, column_type.item_type, f"{path}[{i}].value")
    elif pa.types.is_struct(column_type):
        for field in column_type:
            yield from _leaves(value.get(field.name), field.type, f"{path}.{field.name}")
    elif any(check(column_type) for check in _LIST_TYPES):
        for i, item in enumerate(value):
            yield from _leaves(item, column_type.value_type, f"{path}[{i}]")
    elif isinstance(value, str):
        yield path, value
    elif isinstance(value, bytes):
        try:
            yield path, value.decode("utf-8")
        except UnicodeDecodeError:
            yield path, value.decode("latin-1")


def scan_table(
    table: _Tabular, scanner: Scanner, *, columns: Sequence[str] | None = None, row_offset: int = 0
) -> pa.Table:
    """Where personal data is in *table*: one row per finding, with its row and column.

    The finding's text is not returned: the result is safe to log and ship
    to a dashboard. ``start`` and ``end`` are offsets in the cell.

    Text is scanned wherever it sits, as :func:`mask_table` masks it:
    dictionary-encoded and binary columns (bytes read as UTF-8, else
    Latin-1), and structs, lists and maps at any depth. For a nested value
    ``column`` gives the path to the text (``info.phone``, ``tags[2]``,
    ``attrs[0].value``; map entries by position, never by key) and the
    offsets are in that text.

    Args:
        table: The data.
        scanner: The scanner (its entities, allow- and deny-lists apply).
        columns: The columns to scan (default: every column holding text).
        row_offset: Added to row numbers (for batches of a larger table).

    Returns:
        A table with :data:`FINDING_SCHEMA`, ordered by row, then column
        order, then position.

    Raises:
        PolicyConfigError: For an unknown column or one without text, or a
            column whose values cannot be read (unions, extension types).

    .. versionchanged:: 0.2
       Dictionary-encoded, binary and nested columns are scanned.
    """
    data = _as_arrow(table)
    chosen = _text_columns(data.schema, columns, what="scan", nested=True)
    rows: list[int] = []
    names: list[str] = []
    entities: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    # (row, column order, leaf order, start, entity, end, column path)
    found: list[tuple[int, int, int, int, str, int, str]] = []
    for order, name in enumerate(chosen):
        column_type = data.schema.field(name).type
        values = data.column(name).to_pylist()
        if _is_text(column_type):
            for row, value in enumerate(values):
                if value is not None:
                    found.extend(
                        (row, order, 0, f.start, f.entity, f.end, name) for f in scanner.find(value)
                    )
            continue
        if _opaque(column_type):
            raise _unmaskable(name, column_type, "its values cannot be scanned")
        for row, value in enumerate(values):
            for place, (path, text) in enumerate(_leaves(value, column_type, name)):
                found.extend(
                    (row, order, place, f.start, f.entity, f.end, path) for f in scanner.find(text)
                )
    found.sort()
    for row, _, _, start, entity, end, path in found:
        rows.append(row + row_offset)
        names.append(path)
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
    table: _Tabular, columns: Mapping[str, str], operator: Operator
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
    table: _Tabular,
    schedule: RetentionSchedule,
    *,
    category: str,
    created: str,
    now: datetime,
    events: Mapping[str, str] | None = None,
    record_id: str | None = None,
    holds: Iterable[LegalHold] = (),
    _cache: dict[tuple[str, Any], dict[str, Any]] | None = None,
) -> pa.Table:
    """Decide every row of *table* as ``RetentionSchedule.evaluate`` decides one record.

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
    hold_list = tuple(holds)
    vector = _vector_keys(data, schedule, category=category, created=created, events=event_columns)
    if vector is not None and all(isinstance(hold.scope, str) for hold in hold_list):
        return _decide_by_keys(
            data,
            schedule,
            now,
            hold_list,
            vector,
            category,
            created,
            record_id,
            {} if _cache is None else _cache,
        )
    columns = _RetentionColumns(
        categories=data.column(category).to_pylist(),
        created=_times(data.column(created), created),
        events={event: _times(data.column(col), col) for event, col in event_columns.items()},
        ids=data.column(record_id).to_pylist() if record_id else [None] * data.num_rows,
    )
    if any(not isinstance(hold.scope, str) for hold in hold_list):
        # A hold with a predicate looks at the whole record: decide each row.
        return _decide_each(columns, schedule, now, hold_list)
    return _decide_shared(columns, schedule, now, hold_list)


def _vector_keys(
    data: pa.Table | pa.RecordBatch,
    schedule: RetentionSchedule,
    *,
    category: str,
    created: str,
    events: Mapping[str, str],
) -> pa.Array | None:
    """Per-row integer keys of the common case, computed by Arrow, or None.

    The common case: day semantics, a timestamp column with a zone, no
    events, no nulls. The key combines the category's dictionary index with
    the local day of creation in the schedule's zone, which is all a decision
    depends on then.
    """
    import pyarrow.compute as pc  # noqa: PLC0415 (loaded with the first table)

    stamps = data.column(created)
    kinds = data.column(category)
    if (
        events
        or schedule.semantics != "day"
        or not pa.types.is_timestamp(stamps.type)
        or stamps.type.tz is None
        or not any(check(kinds.type) for check in _TEXT_TYPES)
        or stamps.null_count
        or kinds.null_count
    ):
        return None
    local = pc.local_timestamp(stamps.cast(pa.timestamp(stamps.type.unit, tz=str(schedule.tz))))
    days = pc.cast(pc.cast(local, pa.date32()), pa.int32()).cast(pa.int64())
    codes = pc.dictionary_encode(kinds)
    if isinstance(codes, pa.ChunkedArray):
        codes = codes.combine_chunks()
    indices = codes.indices.cast(pa.int64())
    # Days since 1970 fit in 32 bits; the category index goes above them.
    return pc.add(pc.multiply(indices, 1 << 32), pc.add(days, 1 << 31))


@attrs.frozen(kw_only=True)
class _RetentionColumns:
    """The columns a retention decision reads, as Python values."""

    categories: list[Any]
    created: list[datetime | None]
    events: dict[str, list[datetime | None]]
    ids: list[Any]

    def row(self, row: int) -> tuple[str, datetime, dict[str, datetime], str | None]:
        kind, when = self.categories[row], self.created[row]
        if not isinstance(kind, str) or not kind or when is None:
            raise PolicyConfigError("needs a category and a creation time", field=f"row {row}")
        happened: dict[str, datetime] = {}
        for event, at in self.events.items():
            moment = at[row]
            if moment is not None:
                happened[event] = moment
        rid = self.ids[row]
        return kind, when, happened, None if rid is None else str(rid)


def _decide_each(
    columns: _RetentionColumns,
    schedule: RetentionSchedule,
    now: datetime,
    holds: tuple[LegalHold, ...],
) -> pa.Table:
    """The plain path: ``schedule.evaluate`` for every row."""
    decisions = []
    for row in range(len(columns.categories)):
        kind, when, happened, rid = columns.row(row)
        decision = schedule.evaluate(
            kind, created=when, now=now, events=happened, holds=holds, record_id=rid
        )
        decisions.append(decision.to_dict())
    return pa.Table.from_pylist(decisions, schema=DECISION_SCHEMA)


def _decide_shared(
    columns: _RetentionColumns,
    schedule: RetentionSchedule,
    now: datetime,
    holds: tuple[LegalHold, ...],
) -> pa.Table:
    """The fast path: rows that must get the same decision share one.

    Without predicate holds, a decision depends only on the category and the
    anchors' instants, and under day semantics only on their local days (the
    schedule counts whole days in its zone); the record id is copied in. Each
    distinct decision is made once and the columns are built by index. The
    plain path is :func:`_decide_each`; a Hypothesis test keeps them equal.
    """
    day_zone = schedule.tz if schedule.semantics == "day" else None

    def anchor(at: datetime) -> Any:
        return at.astimezone(day_zone).date() if day_zone is not None else at

    index: dict[Any, int] = {}
    unique: list[dict[str, Any]] = []
    picks: list[int] = []
    ids: list[str | None] = []
    for row in range(len(columns.categories)):
        kind, when, happened, rid = columns.row(row)
        key = (kind, anchor(when), tuple(sorted((e, anchor(t)) for e, t in happened.items())))
        position = index.get(key)
        if position is None:
            decision = schedule.evaluate(kind, created=when, now=now, events=happened, holds=holds)
            position = index[key] = len(unique)
            unique.append(decision.to_dict())
        picks.append(position)
        ids.append(rid)
    return _assemble(unique, pa.array(picks, pa.int32()), pa.array(ids, pa.string()))


def _assemble(unique: list[dict[str, Any]], picks: pa.Array, ids: pa.Array) -> pa.Table:
    arrays = [ids]
    for field in DECISION_SCHEMA:
        if field.name != "record_id":
            values = pa.array([d[field.name] for d in unique], field.type)
            arrays.append(values.take(picks))
    return pa.Table.from_arrays(arrays, schema=DECISION_SCHEMA)


def _decide_by_keys(  # noqa: PLR0917 (private: the columns of evaluate_retention)
    data: pa.Table | pa.RecordBatch,
    schedule: RetentionSchedule,
    now: datetime,
    holds: tuple[LegalHold, ...],
    keys: pa.Array,
    category: str,
    created: str,
    record_id: str | None,
    cache: dict[tuple[str, Any], dict[str, Any]],
) -> pa.Table:
    """The shared path with keys computed by Arrow: one decision per distinct key.

    *cache* keeps the decisions by (category, local day) across the batches of
    one stream (it is bounded).

    Only one row of each key is turned into Python values; the ids are cast
    by Arrow.
    """
    import pyarrow.compute as pc  # noqa: PLC0415

    distinct = pc.unique(keys)
    picks = pc.index_in(keys, value_set=distinct).cast(pa.int32())
    first = pc.index_in(distinct, value_set=keys)  # a row of each key
    sample = data.take(first)
    kinds = sample.column(category).to_pylist()
    times = sample.column(created).to_pylist()
    zone = schedule.tz
    unique = []
    for kind, when in zip(kinds, times, strict=True):
        key = (kind, when.astimezone(zone).date())
        decided = cache.get(key)
        if decided is None:
            if len(cache) >= _SHARED_LIMIT:
                cache.clear()
            decided = cache[key] = schedule.evaluate(
                kind, created=when, now=now, holds=holds
            ).to_dict()
        unique.append(decided)
    if record_id is None:
        ids = pa.nulls(data.num_rows, pa.string())
    else:
        raw = data.column(record_id)
        if isinstance(raw, pa.ChunkedArray):
            raw = raw.combine_chunks()
        plain = pa.types.is_integer(raw.type) or any(check(raw.type) for check in _TEXT_TYPES)
        ids = (
            raw.cast(pa.string())
            if plain
            else pa.array([None if i is None else str(i) for i in raw.to_pylist()], pa.string())
        )
    return _assemble(unique, picks, ids)


def evaluate_retention_batches(
    batches: Iterable[pa.RecordBatch],
    schedule: RetentionSchedule,
    **options: Any,
) -> Iterator[pa.Table]:
    """Decide a stream of record batches lazily (see :func:`evaluate_retention`).

    Decisions are shared across the batches of the stream (records of the
    same category created on the same local day get the same decision), so
    a large dataset is decided at the cost of its distinct days.
    """
    cache: dict[tuple[str, Any], dict[str, Any]] = {}
    for batch in batches:
        yield evaluate_retention(batch, schedule, _cache=cache, **options)

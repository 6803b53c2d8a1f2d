"""PII masking, scanning, pseudonyms and retention on Spark DataFrames.

The same operations as :mod:`secpolicy.integrations.arrow`, run on a Spark
cluster unchanged through :meth:`pyspark.sql.DataFrame.mapInArrow`: each
executor receives Arrow record batches and applies secpolicy's single-record
API to every row, so the results equal it row for row.

Key material reaches executors only through a deliberate path. Spark pickles
whatever a function refers to and ships it to every executor; a masker
holding a :class:`~secpolicy.pii.Pseudonymize` or
:class:`~secpolicy.pii.Encrypt` operator would put its key in every task
(and in every place task closures are logged or spilled). The functions here
refuse such a masker, and take instead:

- a *key provider* (:class:`~secpolicy.crypto.KeyProvider`, such as
  :class:`~secpolicy.crypto.FileKeyProvider` on a path every executor can
  read, or :class:`~secpolicy.crypto.EnvKeyProvider` with the variable set
  through ``spark.executorEnv``) that each executor resolves itself, once
  per process, for :func:`pseudonymize_columns`;
- or a *masker factory*, a zero-argument callable that builds the masker on
  the executor (reading its keys there), for :func:`mask_columns`.

Install with ``pip install 'secpolicy[spark]'``.

.. versionadded:: 0.2
"""

from __future__ import annotations

import functools
import io
import pickle
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from secpolicy.crypto import (
    BlindIndex,
    DeterministicEncryptor,
    FieldEncryptor,
    KeyProvider,
    Keyset,
)
from secpolicy.exceptions import PolicyConfigError
from secpolicy.integrations import arrow as _arrow
from secpolicy.pii import Encrypt, Masker, Pseudonymize, Scanner

try:
    import pyarrow as pa
    from pyspark import cloudpickle
    from pyspark.sql.pandas.types import from_arrow_schema
except ImportError as exc:  # pragma: no cover - exercised without the extra installed
    raise ImportError(
        "secpolicy.integrations.spark needs pyspark and pyarrow: pip install 'secpolicy[spark]'"
    ) from exc

if TYPE_CHECKING:
    from datetime import datetime

    from pyspark.sql import DataFrame

    from secpolicy.retention import LegalHold, RetentionSchedule

__all__ = [
    "KeyMaterialError",
    "evaluate_retention",
    "mask_columns",
    "pseudonymize_columns",
    "scan_table",
]

#: Objects that carry key material and must not be pickled into a task.
_KEYED: Final = (Keyset, Pseudonymize, Encrypt, BlindIndex, FieldEncryptor, DeterministicEncryptor)
_MaskerSource = Masker | Callable[[], Masker]
"""A masker without key material, or a zero-argument callable that builds one."""


class KeyMaterialError(PolicyConfigError):
    """A value would carry key material to the executors inside a task closure.

    .. versionadded:: 0.2
    """


class _KeyFinder(cloudpickle.Pickler):
    """Spark's own pickler, stopping at the first object that holds key material.

    It walks exactly what Spark would ship (closures and lambdas included).
    """

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, _KEYED):
            raise KeyMaterialError(
                f"holds a {type(obj).__name__}, whose key would be pickled into every Spark "
                "task; pass a masker factory or a KeyProvider that the executors resolve",
                field="masker",
            )
        return super().reducer_override(obj)  # type: ignore[no-untyped-call]


def _refuse_key_material(value: object) -> None:
    finder = _KeyFinder(io.BytesIO(), protocol=pickle.HIGHEST_PROTOCOL)  # type: ignore[no-untyped-call]
    finder.dump(value)  # type: ignore[no-untyped-call]


def _spark_schema(schema: pa.Schema) -> Any:
    return from_arrow_schema(schema)


def _arrow_schema(df: DataFrame) -> pa.Schema:
    """The Arrow schema Spark hands mapInArrow for *df* (strings as plain strings)."""
    from pyspark.sql.pandas.types import to_arrow_schema  # noqa: PLC0415 (pyspark's helper)

    # Only names and types are read here; timestamps reach the tasks in the
    # session's zone, and any zone will do for that.
    return to_arrow_schema(df.schema, timezone="UTC")


def _resolve_masker(source: _MaskerSource) -> Callable[[], Masker]:
    if isinstance(source, Masker):
        _refuse_key_material(source)
        masker = source
        return lambda: masker
    if callable(source):
        return _cached(source)
    raise PolicyConfigError("must be a Masker or a callable that returns one", field="masker")


#: What each executor process has built, by the token of the call that asked.
_BUILT: dict[str, Any] = {}
_BUILT_LOCK: Final = threading.Lock()


def _built(token: str, factory: Callable[[], Any]) -> Any:
    """The value *factory* built in this process for *token*, building it once.

    A module-level function: tasks refer to it by name, so the cache and its
    lock stay in each executor's own copy of this module.
    """
    with _BUILT_LOCK:
        if token not in _BUILT:
            _BUILT[token] = factory()
        return _BUILT[token]


def _cached(factory: Callable[[], Any]) -> Callable[[], Any]:
    """Call *factory* once per executor process (not once per batch)."""
    token = uuid.uuid4().hex
    return functools.partial(_built, token, factory)


def mask_columns(
    df: DataFrame, masker: _MaskerSource, *, columns: Sequence[str] | None = None
) -> DataFrame:
    """Mask the columns of *df* as ``Masker.mask_record`` masks a record's fields.

    Text is masked wherever it sits, as
    :func:`secpolicy.integrations.arrow.mask_table` masks it: string and
    binary columns, and struct, array and map columns at any depth (a map's
    values under known keys masked as those fields).

    Args:
        df: The DataFrame.
        masker: A masker without key material (presets, Mask, Redact,
            Replace, Keep operators), or a zero-argument callable that builds
            the masker on each executor (for Pseudonymize or Encrypt, reading
            keys there).
        columns: The columns to mask (default: every column holding text or
            bytes; the tasks then refuse, as ``mask_table`` does, a column of
            another type holding values the masker masks, such as a phone
            number stored as a number: the job fails instead of writing it
            in clear).

    Returns:
        A DataFrame with the same schema, masked.

    Raises:
        KeyMaterialError: If *masker* holds key material.
        PolicyConfigError: For an unknown column or one without text.

    .. versionchanged:: 0.2
       Binary, struct, array and map columns are masked.
    """
    get = _resolve_masker(masker)
    schema = _arrow_schema(df)
    # Checked on the driver, so a bad selection fails before any task runs.
    chosen = _arrow._text_columns(schema, columns, what="mask", nested=True)  # noqa: SLF001
    # Without a selection each executor picks the columns of the batches it
    # gets, and refuses personal data in columns that cannot hold its mask.
    selection = None if columns is None else chosen

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        masker_here = get()
        for batch in batches:
            yield _arrow.mask_table(batch, masker_here, columns=selection)

    return df.mapInArrow(run, df.schema)


def scan_table(
    df: DataFrame, scanner: Scanner, *, id_column: str, columns: Sequence[str] | None = None
) -> DataFrame:
    """Where personal data is in *df*: one row per finding, never the value found.

    Spark rows have no stable position, so findings name the row by the
    value of *id_column*.

    Returns:
        A DataFrame with columns ``id`` (as text), ``column``, ``entity``,
        ``start`` and ``end``.
    """
    _refuse_key_material(scanner)
    schema = _arrow_schema(df)
    if id_column not in schema.names:
        raise PolicyConfigError(f"no column {id_column!r} in the DataFrame", field="id_column")
    chosen = [
        name
        for name in _arrow._text_columns(schema, columns, what="scan", nested=True)  # noqa: SLF001
        if name != id_column
    ]
    out_schema = pa.schema(
        [
            ("id", pa.string()),
            ("column", pa.string()),
            ("entity", pa.string()),
            ("start", pa.int32()),
            ("end", pa.int32()),
        ]
    )

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            found = _arrow.scan_table(batch, scanner, columns=chosen)
            ids = batch.column(id_column).to_pylist()
            rows = found.column("row").to_pylist()
            yield pa.RecordBatch.from_arrays(
                [
                    pa.array([None if ids[r] is None else str(ids[r]) for r in rows], pa.string()),
                    found.column("column").combine_chunks(),
                    found.column("entity").combine_chunks(),
                    found.column("start").combine_chunks(),
                    found.column("end").combine_chunks(),
                ],
                schema=out_schema,
            )

    return df.mapInArrow(run, _spark_schema(out_schema))


def pseudonymize_columns(
    df: DataFrame,
    columns: Mapping[str, str],
    key_provider: KeyProvider,
    *,
    length: int = 8,
    template: str = "<{entity}:{digest}>",
) -> DataFrame:
    """Replace values by keyed pseudonyms, with the key resolved on each executor.

    Each executor calls ``key_provider.load()`` once per process and
    pseudonymises with ``Pseudonymize(keyset, length=length,
    template=template)``; the result equals
    :func:`secpolicy.integrations.arrow.pseudonymize_columns` with the same
    operator, so two DataFrames pseudonymised with one keyset join on the
    column.

    Args:
        df: The DataFrame.
        columns: Column name to the entity it holds (``{"phone": CN_MOBILE}``).
        key_provider: Where executors load the HMAC keyset from. It is pickled
            to the executors, so it must hold a reference (a path, a variable
            name), never the keys: a provider that holds key material is
            refused.
        length: Bytes of HMAC kept.
        template: The pseudonym's form.

    Raises:
        KeyMaterialError: If *key_provider* carries key material itself.
    """
    if not isinstance(key_provider, KeyProvider):
        raise PolicyConfigError(
            "must have a load() method returning a Keyset", field="key_provider"
        )
    _refuse_key_material(key_provider)
    # Checked on the driver too, so a bad configuration fails before any task runs.
    Pseudonymize(b"\0" * 32, length=length, template=template)
    schema = _arrow_schema(df)
    _arrow._text_columns(schema, list(columns), what="pseudonymize")  # noqa: SLF001
    wanted = dict(columns)
    get = _cached(lambda: Pseudonymize(key_provider.load(), length=length, template=template))

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        operator = get()
        for batch in batches:
            yield _arrow.pseudonymize_columns(batch, wanted, operator)

    return df.mapInArrow(run, df.schema)


def evaluate_retention(
    df: DataFrame,
    schedule: RetentionSchedule,
    *,
    category: str,
    created: str,
    now: datetime,
    events: Mapping[str, str] | None = None,
    record_id: str | None = None,
    holds: Iterable[LegalHold] = (),
) -> DataFrame:
    """Decide every row of *df* as ``RetentionSchedule.evaluate`` decides one record.

    The schedule and holds are pickled to the executors (they hold no keys).

    Returns:
        A DataFrame of decisions with the columns of
        :data:`secpolicy.integrations.arrow.DECISION_SCHEMA`.
    """
    hold_list = tuple(holds)
    options: dict[str, Any] = {
        "category": category,
        "created": created,
        "now": now,
        "events": dict(events or {}),
        "record_id": record_id,
        "holds": hold_list,
    }
    names = _arrow_schema(df).names
    for name in (
        category,
        created,
        *options["events"].values(),
        *([record_id] if record_id else []),
    ):
        if name not in names:
            raise PolicyConfigError(f"no column {name!r} in the DataFrame", field=name)

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            yield from _arrow.evaluate_retention(batch, schedule, **options).to_batches()

    return df.mapInArrow(run, _spark_schema(_arrow.DECISION_SCHEMA))

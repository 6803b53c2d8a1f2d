"""SQLAlchemy integration (``pip install 'secpolicy[sqlalchemy]'``): encrypted columns.

- :class:`Encrypted`: a column type over :class:`~secpolicy.crypto.FieldEncryptor`
  (AES-256-GCM). Each value is bound to its table and column, so a token
  copied into another column or table fails to decrypt; :func:`row_context`
  binds the row as well.
- :class:`Deterministic`: a column type over
  :class:`~secpolicy.crypto.DeterministicEncryptor` (AES-SIV) for columns found
  by ``==``.
- :class:`BlindIndex`: a companion column type holding a keyed HMAC of another
  column's plaintext, to search an :class:`Encrypted` column;
  :func:`keep_index` fills it whenever the source attribute is set.
- :func:`lookup`: the condition that finds a value under every enabled key
  (during a key rotation).
- :func:`reencrypt_table`: moves a table's tokens to the primary key in small
  committed batches while the service keeps running.

.. versionadded:: 0.2
"""

from __future__ import annotations

import contextlib
import contextvars
import unicodedata
from typing import TYPE_CHECKING, Any, Final, cast

import attrs

from secpolicy.crypto import BlindIndex as _Index
from secpolicy.crypto import DeterministicEncryptor, FieldEncryptor
from secpolicy.exceptions import ArgumentTypeError, DecryptionError, PolicyConfigError
from secpolicy.integrations._extra import missing_extra

try:
    import sqlalchemy as sa
    from sqlalchemy import event
    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.orm import Session
    from sqlalchemy.sql import operators
    from sqlalchemy.types import String, Text, TypeDecorator, TypeEngine
except ImportError as exc:  # pragma: no cover - tested in a child process without SQLAlchemy
    raise missing_extra("secpolicy.integrations.sqlalchemy", "sqlalchemy", "SQLAlchemy") from exc

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

    from sqlalchemy.engine import Dialect
    from sqlalchemy.sql.elements import ColumnElement

__all__ = [
    "BlindIndex",
    "Deterministic",
    "Encrypted",
    "ReencryptReport",
    "keep_index",
    "lookup",
    "reencrypt_table",
    "row_context",
]

_ROW: contextvars.ContextVar[str | None] = contextvars.ContextVar("secpolicy_row", default=None)
_ROW_FORBIDDEN: Final = frozenset(":\x00")


def _row_part(row: object) -> str:
    text = str(row)
    if not text or _ROW_FORBIDDEN & set(text):
        raise PolicyConfigError("must be non-empty text without ':' or NUL", field="row")
    return text


@contextlib.contextmanager
def row_context(row: object) -> Iterator[None]:
    """Bind :class:`Encrypted` values written and read inside the block to *row*.

    The context of each value becomes ``table.column:row``: a token copied to
    another row then fails to decrypt too. Use the row's primary key, and use
    the same value when reading (and as *row_context* of
    :func:`reencrypt_table`). Values read outside the block, or for another
    row, raise :class:`~secpolicy.exceptions.DecryptionError`, so load one row
    at a time inside it::

        with row_context(customer_id):
            session.add(Customer(id=customer_id, phone="13812345678"))
            session.commit()
        with row_context(customer_id):
            phone = session.get(Customer, customer_id).phone

    :class:`Deterministic` and :class:`BlindIndex` columns ignore it: their
    point is to be found by value across rows.

    Raises:
        PolicyConfigError: *row* is empty or contains ``:`` or NUL.

    .. versionadded:: 0.2
    """
    token = _ROW.set(_row_part(row))
    try:
        yield
    finally:
        _ROW.reset(token)


def _positive(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise PolicyConfigError("must be an integer >= 1", field=name)


def _nonempty(name: str, value: object) -> None:
    if not isinstance(value, str) or not value:
        raise PolicyConfigError("must be a non-empty str", field=name)


class _Bound(TypeDecorator[Any]):
    """A column type that learns its table and column when attached."""

    impl: TypeEngine[Any] | type[TypeEngine[Any]] = Text
    cache_ok = True

    def __init__(self, *, context: str | None = None, length: int | None = None) -> None:
        if context is not None:
            _nonempty("context", context)
        super().__init__()
        if length is not None:
            self.impl = String(length)
        self.context = context
        self.length = length
        self._column: tuple[str, str] | None = None

    def bind_to(self, table: str, column: str, schema: str | None = None) -> None:
        """Bind the type to *table*.*column* (SQLAlchemy does it when the column joins a table).

        A table in a named *schema* is bound as ``schema.table``, so tables of
        one name in two schemas (one per tenant) do not share a context.

        Raises:
            PolicyConfigError: This instance already serves another column.

        .. versionchanged:: 0.2
           The table's schema is part of the context.
        """
        table = _name_part(table) if schema is None else f"{_name_part(schema)}.{_name_part(table)}"
        column = _name_part(column)
        # A copy (Table.to_metadata, a mixin's column, a dialect's variant)
        # carries its original's attachment in its __dict__; it may be bound
        # anew. The same instance on a second column may not: both columns
        # would share one context and tokens could move between them.
        mine = self.__dict__.get("_bound_by") == id(self)
        if mine and self._column is not None and self._column != (table, column):
            raise PolicyConfigError(
                f"this {type(self).__name__} instance already serves "
                f"{self._column[0]}.{self._column[1]}; give each column its own instance",
                field="type",
            )
        self._column = (table, column)
        self._bound_by = id(self)

    @property
    def column_context(self) -> bytes:
        """``table.column`` (or the explicit *context*) as the AEAD context.

        Raises:
            PolicyConfigError: The type is not attached to a table column and
                was given no *context*.
        """
        if self.context is not None:
            return self.context.encode("utf-8")
        if self._column is None:
            raise PolicyConfigError(
                f"{type(self).__name__} is not attached to a table column; "
                "pass context= when using it outside a Table",
                field="context",
            )
        return f"{self._column[0]}.{self._column[1]}".encode()


def _name_part(name: str) -> str:
    """*name* as one part of a context: ``%``, ``.`` and ``:`` escaped, other names unchanged.

    Without the escape, schema ``a`` table ``b.c`` and table ``a.b`` column
    ``c`` (or a column whose name holds ``:`` and a row part) would share one
    context, and tokens could move between them.
    """
    if "%" in name or "." in name or ":" in name:
        return name.replace("%", "%25").replace(".", "%2E").replace(":", "%3A")
    return name


@event.listens_for(sa.Column, "after_parent_attach")
def _on_attach(column: sa.Column[Any], table: object) -> None:
    if isinstance(column.type, _Bound) and isinstance(table, sa.Table):
        column.type.bind_to(table.name, column.name, table.schema)


#: Comparisons that cannot find anything in a column of randomised ciphertexts.
_VALUE_COMPARISONS: Final = frozenset(
    getattr(operators, name)
    for name in (
        "eq", "ne", "lt", "le", "gt", "ge", "between_op", "not_between_op",
        "in_op", "not_in_op", "like_op", "not_like_op", "ilike_op", "not_ilike_op",
        "contains_op", "not_contains_op", "startswith_op", "not_startswith_op",
        "endswith_op", "not_endswith_op", "match_op", "not_match_op",
        "regexp_match_op", "not_regexp_match_op",
    )
)  # fmt: skip


class _NoValueComparison(TypeDecorator.Comparator[Any]):
    """Refuse ``==``, ``IN``, ``LIKE``... on an :class:`Encrypted` column (``IS NULL`` works).

    Each encryption draws a new nonce, so such a query would silently find
    nothing; the error says what to use instead.
    """

    def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
        null = bool(other) and (other[0] is None or isinstance(other[0], sa.sql.elements.Null))
        if op in _VALUE_COMPARISONS and not (op in (operators.eq, operators.ne) and null):
            raise PolicyConfigError(
                "an Encrypted column cannot be compared by value (every encryption "
                "differs): search a BlindIndex companion column, or use Deterministic",
                field="column",
            )
        return super().operate(op, *other, **kwargs)


def _plain(value: object, binary: bool) -> bytes:  # noqa: FBT001 (internal helper)
    if binary:
        if not isinstance(value, bytes):
            raise ArgumentTypeError(f"this column holds bytes, not {type(value).__name__}")
        return value
    if not isinstance(value, str):
        raise ArgumentTypeError(f"this column holds str, not {type(value).__name__}")
    return value.encode("utf-8")


def _canonical(value: object, binary: bool) -> bytes:  # noqa: FBT001 (internal helper)
    """:func:`_plain` of the NFC form of text: one value, one deterministic token."""
    if isinstance(value, str) and not binary:
        # ASCII and already-composed text are unchanged (their tokens too).
        value = unicodedata.normalize("NFC", value)
    return _plain(value, binary)


def _typed(value: bytes, binary: bool) -> str | bytes:  # noqa: FBT001 (internal helper)
    return value if binary else value.decode("utf-8")


class Encrypted(_Bound):
    """A column encrypted with AES-256-GCM, bound to its table and column.

    ``phone = mapped_column(Encrypted(FieldEncryptor(keyset)))`` stores a
    token in a text column; Python sees the plaintext. The context of every
    value is ``b"table.column"`` (``b"schema.table.column"`` for a table in a
    named schema; plus ``:row`` inside :func:`row_context`), so a token moved
    to another column, table, schema or row fails to decrypt with
    :class:`~secpolicy.exceptions.DecryptionError` instead of showing a value
    where it does not belong.

    Every encryption draws a new nonce, so the column cannot be searched:
    ``==``, ``IN``, ``LIKE`` and ordering comparisons on it raise
    :class:`~secpolicy.exceptions.PolicyConfigError` rather than silently
    finding nothing (``IS NULL`` works). Add a :class:`BlindIndex` companion
    column, or use :class:`Deterministic`.

    .. warning::
        The context is the table's and column's *names*. Renaming either
        makes existing tokens undecryptable: pin ``context="old_table.col"``
        before a rename, or re-encrypt.

    Args:
        encryptor: The field encryptor (its keyset may rotate; old tokens
            keep decrypting while their key is enabled).
        context: Use this context instead of ``table.column``.
        binary: The column holds ``bytes`` instead of ``str``.
        length: Store tokens in ``VARCHAR(length)`` instead of ``TEXT``.

    .. versionadded:: 0.2
    """

    # Safe to cache: the statement's key names the column; __init__'s arguments
    # (the encryptor, context, options) are part of the type's key.
    cache_ok = True
    comparator_factory = _NoValueComparison

    def __init__(
        self,
        encryptor: FieldEncryptor,
        *,
        context: str | None = None,
        binary: bool = False,
        length: int | None = None,
    ) -> None:
        if not isinstance(encryptor, FieldEncryptor):
            raise PolicyConfigError("must be a FieldEncryptor", field="encryptor")
        super().__init__(context=context, length=length)
        self.encryptor = encryptor
        self.binary = binary

    def value_context(self, row: str | None = None) -> bytes:
        """The AEAD context of a value: ``table.column``, or ``table.column:row``."""
        row = _ROW.get() if row is None else row
        base = self.column_context
        return base if row is None else base + b":" + row.encode("utf-8")

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        """Encrypt a value on its way to the database."""
        if value is None:
            return None
        return self.encryptor.encrypt(_plain(value, self.binary), context=self.value_context())

    def process_result_value(self, value: Any, dialect: Dialect) -> str | bytes | None:
        """Decrypt a token read from the database."""
        if value is None:
            return None
        return _typed(self.encryptor.decrypt(value, context=self.value_context()), self.binary)

    @property
    def python_type(self) -> type[Any]:
        """``str``, or ``bytes`` for a binary column."""
        return bytes if self.binary else str


class Deterministic(_Bound):
    """A column encrypted with AES-SIV: equal values give equal tokens, so ``==`` works.

    ``where(Customer.id_number == "110101...")`` encrypts the literal the
    same way and finds the row; use :func:`lookup` during a key rotation to
    find rows still under an older key.

    .. warning::
        It leaks which rows hold equal values and how often each occurs.
        Prefer :class:`Encrypted` plus a :class:`BlindIndex` unless the
        column must be both searched and decrypted. The context is
        ``table.column`` (no row: rows must be comparable).

    Text is NFC-normalised before it is encrypted, as
    :class:`~secpolicy.crypto.BlindIndex` does, so the two spellings of
    ``é`` (one code point, or ``e`` and a combining accent) are one token
    and ``==`` finds either. The value read back is therefore the NFC form
    of what was stored. ASCII and already-composed text are unchanged, and
    so are their tokens. ``binary=True`` columns are encrypted as given.
    Rows written in another form by an earlier version are brought to the
    NFC token by :func:`reencrypt_table`.

    Args:
        encryptor: The deterministic encryptor.
        context: Use this context instead of ``table.column``.
        binary: The column holds ``bytes`` instead of ``str``.
        length: Store tokens in ``VARCHAR(length)`` instead of ``TEXT``.

    .. versionadded:: 0.2

    .. versionchanged:: 0.2
       Text is NFC-normalised before encryption.
    """

    # Safe to cache: the statement's key names the column; __init__'s arguments
    # (the encryptor, context, options) are part of the type's key.
    cache_ok = True

    def __init__(
        self,
        encryptor: DeterministicEncryptor,
        *,
        context: str | None = None,
        binary: bool = False,
        length: int | None = None,
    ) -> None:
        if not isinstance(encryptor, DeterministicEncryptor):
            raise PolicyConfigError("must be a DeterministicEncryptor", field="encryptor")
        super().__init__(context=context, length=length)
        self.encryptor = encryptor
        self.binary = binary

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        """Encrypt a value (or a compared literal) under the primary key."""
        if value is None:
            return None
        return self.encryptor.encrypt(_canonical(value, self.binary), context=self.column_context)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | bytes | None:
        """Decrypt a token read from the database."""
        if value is None:
            return None
        return _typed(self.encryptor.decrypt(value, context=self.column_context), self.binary)

    def tokens(self, value: str | bytes) -> tuple[str, ...]:
        """The tokens *value* has under every enabled key, primary first."""
        return self.encryptor.lookup_tokens(
            _canonical(value, self.binary), context=self.column_context
        )

    @property
    def python_type(self) -> type[Any]:
        """``str``, or ``bytes`` for a binary column."""
        return bytes if self.binary else str


class BlindIndex(_Bound):
    """A searchable companion column: a keyed HMAC of another column's plaintext.

    Declare it beside an :class:`Encrypted` column, assign it the same
    plaintext (or let :func:`keep_index` do it), and search it with ``==``
    (the compared literal is indexed the same way) or with :func:`lookup`
    during a rotation::

        phone = mapped_column(Encrypted(phones))
        phone_index = mapped_column(BlindIndex(index, source="phone"), index=True)
        ...
        session.scalars(select(Customer).where(Customer.phone_index == "13812345678"))

    Reading the column gives the stored index, never the plaintext. The
    HMAC's context is the *source* column's ``table.column`` (or the
    companion's own, without *source*), so the same number indexed in two
    tables gives unrelated values.

    .. warning::
        A blind index leaks which rows share a value; low-entropy values can
        be recovered by anyone holding the key. See
        :class:`secpolicy.crypto.BlindIndex`.

    Args:
        index: The :class:`secpolicy.crypto.BlindIndex` (its keyset may rotate).
        source: The name of the column whose plaintext is indexed, so that
            :func:`reencrypt_table` can recompute the index after a rotation.
        normalize: Applied to the value before indexing (strip spaces, fold
            case) when storing and when searching.
        context: Use this context instead of the derived one.
        length: Store indexes in ``VARCHAR(length)`` instead of ``TEXT``.

    .. versionadded:: 0.2
    """

    # Safe to cache: the statement's key names the column; __init__'s arguments
    # (the encryptor, context, options) are part of the type's key.
    cache_ok = True

    def __init__(
        self,
        index: _Index,
        *,
        source: str | None = None,
        normalize: Callable[[str], str] | None = None,
        context: str | None = None,
        length: int | None = None,
    ) -> None:
        if not isinstance(index, _Index):
            raise PolicyConfigError("must be a secpolicy.crypto.BlindIndex", field="index")
        super().__init__(context=context, length=length)
        self.index = index
        self.source = source
        self.normalize = normalize

    @property
    def column_context(self) -> bytes:
        """The HMAC context: *context*, else the source's ``table.column``, else this column's."""
        if self.context is None and self.source is not None and self._column is not None:
            return f"{self._column[0]}.{_name_part(self.source)}".encode()
        return super().column_context

    def prepare(self, value: str | bytes) -> str | bytes:
        """*value* as it is indexed: normalised text, or bytes as they are."""
        if isinstance(value, str) and self.normalize is not None:
            return self.normalize(value)
        if not isinstance(value, (str, bytes)):
            raise ArgumentTypeError(f"a blind index takes str or bytes, not {type(value).__name__}")
        return value

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        """Index a value (or a compared literal) under the primary key."""
        if value is None:
            return None
        return self.index.compute(self.prepare(value), context=self.column_context)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        """The stored index, as it is."""
        return value if value is None else str(value)

    def tokens(self, value: str | bytes) -> tuple[str, ...]:
        """The indexes of *value* under every enabled key, primary first."""
        return self.index.candidates(self.prepare(value), context=self.column_context)

    @property
    def python_type(self) -> type[Any]:
        """``str``."""
        return str


def lookup(column: Any, value: str | bytes) -> ColumnElement[bool]:
    """``column IN (tokens of value under every key)`` for a searchable column.

    *column* is a :class:`Deterministic` or :class:`BlindIndex` column.
    ``==`` finds only rows under the primary key; during a rotation, rows
    not yet re-encrypted hold tokens of an older key. The tokens are compared
    as stored (they are not processed again).

    Raises:
        PolicyConfigError: *column* is not such a column.

    .. versionadded:: 0.2
    """
    expression = sa.inspect(column).expression if hasattr(column, "__clause_element__") else column
    kind = getattr(expression, "type", None)
    if not isinstance(kind, (Deterministic, BlindIndex)):
        raise PolicyConfigError(
            "lookup() needs a Deterministic or BlindIndex column", field="column"
        )
    return sa.type_coerce(expression, String()).in_(list(kind.tokens(value)))


def keep_index(source: Any, companion: Any) -> None:
    """Whenever the ORM attribute *source* is set, set *companion* to the same plaintext.

    ``keep_index(Customer.phone, Customer.phone_index)`` after the class is
    mapped: the :class:`BlindIndex` type of the companion indexes it on flush.

    .. versionadded:: 0.2
    """
    name = companion.key

    @event.listens_for(source, "set", propagate=True)
    def _copy(target: Any, value: Any, _old: Any, _initiator: Any) -> None:
        setattr(target, name, value)


@attrs.frozen(kw_only=True)
class ReencryptReport:
    """What :func:`reencrypt_table` did.

    Attributes:
        scanned: Rows read.
        updated: Rows rewritten.
        values: Values moved to the primary key (and indexes recomputed).
        skipped: Rows that changed between read and write (left for the next run).
        batches: Batches committed.
        last_key: The primary key of the last row read, to resume from with
            *start_after*.

    .. versionadded:: 0.2
    """

    scanned: int = 0
    updated: int = 0
    values: int = 0
    skipped: int = 0
    batches: int = 0
    last_key: tuple[Any, ...] | None = None


def _table(table: Any) -> sa.Table:
    found = getattr(table, "__table__", table)
    if not isinstance(found, sa.Table):
        raise PolicyConfigError("must be a Table or a mapped class", field="table")
    return found


def _rewrite(
    kind: _Bound,
    token: str,
    row: Mapping[str, Any],
    row_part: str | None,
) -> str | None:
    """The token under the primary key, or None if it already is."""
    if isinstance(kind, Encrypted):
        context = kind.value_context(row_part) if row_part is not None else kind.column_context
        if kind.encryptor.key_id(token) == kind.encryptor.keyset.primary_id:
            kind.encryptor.decrypt(token, context=context)  # still authenticate it
            return None
        return kind.encryptor.reencrypt(token, context=context)
    if isinstance(kind, Deterministic):
        plain = kind.encryptor.decrypt(token, context=kind.column_context)
        if not kind.binary:  # a row written before text was normalised gets the NFC token
            plain = _canonical(plain.decode("utf-8"), binary=False)
        new = kind.encryptor.encrypt(plain, context=kind.column_context)
        return None if new == token else new
    if isinstance(kind, BlindIndex):
        source = row.get("__source__")
        if source is None:
            return None
        new = kind.index.compute(kind.prepare(source), context=kind.column_context)
        return None if new == token else new
    return None  # pragma: no cover - columns are checked before the sweep


def reencrypt_table(
    bind: Engine | Connection | Session,
    table: Any,
    columns: Sequence[str] | None = None,
    *,
    batch_size: int = 500,
    row_context: Callable[[Mapping[str, Any]], object] | None = None,
    start_after: tuple[Any, ...] | None = None,
    max_batches: int | None = None,
) -> ReencryptReport:
    """Move a table's tokens to the current primary keys, batch by batch, without downtime.

    Rows are read in primary-key order, *batch_size* at a time. Each value
    whose token is not under its keyset's primary key is decrypted (and so
    authenticated) and encrypted again; :class:`BlindIndex` columns whose
    *source* is an :class:`Encrypted` or :class:`Deterministic` column of the
    table are recomputed from its plaintext. Each row is rewritten with
    ``UPDATE ... WHERE pk = ? AND col = <old token>``, so a value the service
    changed meanwhile is left alone (counted in ``skipped``; the next run takes
    it), and each batch commits on its own, so locks stay short and the work
    done survives an interruption. Running it again does nothing more than
    read: it is idempotent, and *start_after* resumes from a report's
    ``last_key``.

    Args:
        bind: An engine, a connection, or a session (committed per batch).
        table: The table or mapped class.
        columns: The column names to sweep; default: every encrypted,
            deterministic and blind-index column.
        batch_size: Rows per batch.
        row_context: For :class:`Encrypted` columns written inside
            :func:`row_context`, the row's part of the context from the row
            (``lambda row: row["id"]``); None for a row written without one.
        start_after: Resume after this primary key.
        max_batches: Stop after this many batches (spread the work out).

    Raises:
        DecryptionError: A token does not decrypt (wrong context, tampered,
            key disabled): nothing of that batch is written.
        PolicyConfigError: A named column is not an encrypted column, the
            table has no primary key, or *batch_size* is below 1.

    .. versionadded:: 0.2
    """
    found = _table(table)
    _positive("batch_size", batch_size)
    keys = list(found.primary_key.columns)
    if not keys:
        raise PolicyConfigError(f"table {found.name} has no primary key", field="table")
    names = (
        columns
        if columns is not None
        else [c.name for c in found.columns if isinstance(c.type, _Bound)]
    )
    targets = []
    for name in names:
        column = found.columns.get(name)
        if column is None or not isinstance(column.type, _Bound):
            raise PolicyConfigError(
                f"{found.name}.{name} is not an Encrypted, Deterministic or BlindIndex column",
                field="columns",
            )
        targets.append(column)
    sources: dict[str, sa.Column[Any]] = {}
    for column in targets:
        kind = column.type
        if isinstance(kind, BlindIndex) and kind.source is not None:
            source = found.columns.get(kind.source)
            if source is not None and isinstance(source.type, (Encrypted, Deterministic)):
                sources[column.name] = source
    plan = _Plan(table=found, keys=keys, targets=targets, sources=sources, row_context=row_context)
    return _sweep(bind, plan, batch_size, start_after, max_batches)


@attrs.frozen(kw_only=True)
class _Plan:
    """What one sweep reads and rewrites."""

    table: sa.Table
    keys: list[sa.Column[Any]]
    targets: list[sa.Column[Any]]
    sources: dict[str, sa.Column[Any]]
    row_context: Callable[[Mapping[str, Any]], object] | None

    def query(self, batch_size: int, last: tuple[Any, ...] | None) -> sa.Select[Any]:
        bound = {c.name: c for c in (*self.targets, *self.sources.values())}
        raw = [sa.type_coerce(c, String()).label(name) for name, c in bound.items()]
        query = sa.select(*self.keys, *raw).order_by(*self.keys).limit(batch_size)
        if last is None:
            return query
        if len(self.keys) == 1:
            return query.where(self.keys[0] > last[0])
        return query.where(sa.tuple_(*self.keys) > sa.tuple_(*last))

    def changes(self, row: Mapping[str, Any]) -> dict[str, str]:
        given = self.row_context(row) if self.row_context is not None else None
        part = None if given is None else _row_part(given)
        changes: dict[str, str] = {}
        for column in self.targets:
            token = row[column.name]
            if token is None:
                continue
            context_row = dict(row)
            source = self.sources.get(column.name)
            if source is not None and row[source.name] is not None:
                context_row["__source__"] = _plaintext(source, row[source.name], part)
            new = _rewrite(cast("_Bound", column.type), token, context_row, part)
            if new is not None:
                changes[column.name] = new
        return changes

    def update(self, row: Mapping[str, Any], changes: Mapping[str, str]) -> sa.Update:
        table = self.table
        condition = sa.and_(
            *(key == row[key.name] for key in self.keys),
            *(sa.type_coerce(table.c[name], String()) == row[name] for name in changes),
        )
        values = {table.c[name]: sa.type_coerce(value, String()) for name, value in changes.items()}
        return sa.update(table).where(condition).values(values)


def _sweep(
    bind: Engine | Connection | Session,
    plan: _Plan,
    batch_size: int,
    start_after: tuple[Any, ...] | None,
    max_batches: int | None,
) -> ReencryptReport:
    scanned = updated = values = skipped = batches = 0
    last = start_after
    while max_batches is None or batches < max_batches:
        with _transaction(bind) as connection:
            # Row._mapping is SQLAlchemy's public mapping view of a row.
            rows = [dict(r._mapping) for r in connection.execute(plan.query(batch_size, last))]  # noqa: SLF001
            for row in rows:
                changes = plan.changes(row)
                if not changes:
                    continue
                if connection.execute(plan.update(row, changes)).rowcount == 1:
                    updated += 1
                    values += len(changes)
                else:
                    skipped += 1
        if not rows:
            break
        batches += 1
        scanned += len(rows)
        last = tuple(rows[-1][key.name] for key in plan.keys)
        if len(rows) < batch_size:
            break
    return ReencryptReport(
        scanned=scanned,
        updated=updated,
        values=values,
        skipped=skipped,
        batches=batches,
        last_key=last,
    )


def _plaintext(source: sa.Column[Any], token: str, part: str | None) -> str | bytes:
    kind = source.type
    if isinstance(kind, Encrypted):
        context = kind.value_context(part) if part is not None else kind.column_context
        return _typed(kind.encryptor.decrypt(token, context=context), kind.binary)
    if isinstance(kind, Deterministic):
        return _typed(kind.encryptor.decrypt(token, context=kind.column_context), kind.binary)
    raise DecryptionError  # pragma: no cover - sources are checked before the sweep


@contextlib.contextmanager
def _transaction(bind: Engine | Connection | Session) -> Iterator[Any]:
    """One committed transaction per batch, whatever *bind* is."""
    if isinstance(bind, Session):
        try:
            yield bind
        except BaseException:
            bind.rollback()
            raise
        bind.commit()
    elif isinstance(bind, Engine):
        with bind.begin() as connection:
            yield connection
    elif isinstance(bind, Connection):
        if bind.in_transaction():
            with bind.begin_nested():
                yield bind
        else:
            with bind.begin():
                yield bind
    else:
        raise PolicyConfigError("must be an Engine, a Connection or a Session", field="bind")

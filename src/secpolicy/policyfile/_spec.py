"""The shape of a policy file as data: one description drives reading and the JSON Schema.

Each section declares its keys as :class:`Key` values. :func:`read_table`
checks a parsed TOML table against them (unknown keys, types, bounds) and
converts durations, periods and sizes; :func:`to_schema` turns the same
declarations into JSON Schema, so the schema shipped for editors can never
drift from what the loader accepts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any, Final, Literal

import attrs

from secpolicy.exceptions import PolicyConfigError
from secpolicy.retention import PERMANENT, Period

Kind = Literal[
    "bool",
    "int",
    "str",
    "strings",
    "duration",
    "period",
    "size",
    "datetime",
    "table",
    "map",
    "tables",
    "any",
]

_DURATION_UNITS: Final = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "seconds": 1,
    "min": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "week": 604800,
    "weeks": 604800,
}
_PERIOD_UNITS: Final = {
    "d": "days",
    "day": "days",
    "days": "days",
    "m": "months",
    "month": "months",
    "months": "months",
    "y": "years",
    "year": "years",
    "years": "years",
}
_SIZE_UNITS: Final = {
    "b": 1,
    "kb": 1000,
    "kib": 1024,
    "mb": 1000**2,
    "mib": 1024**2,
    "gb": 1000**3,
    "gib": 1024**3,
}
_AMOUNT: Final = re.compile(r"\s*(\d+)\s*([a-zA-Z]+)\s*")
_AMOUNTS: Final = re.compile(r"(?:\s*\d+\s*[a-zA-Z]+\s*)+")

#: JSON Schema patterns for the string forms (kept beside the parsers they describe).
_DURATION_PATTERN: Final = (
    r"^(\s*\d+\s*(" + "|".join(sorted(_DURATION_UNITS, key=len, reverse=True)) + r")\s*)+$"
)
_PERIOD_PATTERN: Final = (
    r"^(permanent|(\s*\d+\s*("
    + "|".join(sorted(_PERIOD_UNITS, key=len, reverse=True))
    + r")\s*)+)$"
)
_SIZE_PATTERN: Final = r"^\s*\d+\s*([kKmMgG][iI]?)?[bB]\s*$"


@attrs.frozen(kw_only=True)
class Key:
    """One key of a policy-file table.

    Attributes:
        name: The key as written in the file.
        kind: Its type; ``duration`` (``"15 min"``), ``period`` (``"6 months"``,
            ``"permanent"``) and ``size`` (``"100 MiB"``) are strings with units.
        help: What it means, for the schema and the docs.
        minimum: The smallest integer (or size) allowed.
        choices: The allowed strings.
        keys: For a ``table`` or ``tables``: the keys of each table; for a
            ``map``: a one-element tuple describing every value.
        required: The key must be present.
        nullable: ``false`` is accepted and read as None (turning off what a
            profile sets).
        schema: A JSON Schema fragment used as it is, for values whose shape
            the kinds cannot say (operators given as a name or a table).
        hints: Common misspellings of a choice and the choice meant
            (``"gte"`` for ``">="``), for the "did you mean" of an error.
    """

    name: str
    kind: Kind
    help: str
    minimum: int | None = None
    choices: tuple[str, ...] = ()
    keys: tuple[Key, ...] = ()
    required: bool = False
    nullable: bool = False
    schema: Mapping[str, Any] | None = None
    hints: Mapping[str, str] = attrs.field(factory=dict, eq=False)


def _amounts(text: str, units: Mapping[str, Any]) -> list[tuple[int, Any]] | None:
    if not _AMOUNTS.fullmatch(text):
        return None
    out = []
    for match in _AMOUNT.finditer(text):
        unit = units.get(match.group(2).lower())
        if unit is None:
            return None
        out.append((int(match.group(1)), unit))
    return out


#: The longest duration or period a policy file may declare: any instant of
#: the next millennia plus it is still a date (use ``"permanent"`` or ``false``
#: for "for ever"), so that no check or runtime addition overflows.
MAX_YEARS: Final = 1000
_MAX_DURATION: Final = timedelta(days=365 * MAX_YEARS)
_MAX_DAYS: Final = 366 * MAX_YEARS


def parse_duration(value: Any, path: str) -> timedelta:
    """``"15 min"``, ``"1 h 30 min"``, ``"90 days"`` or a number of seconds, as a timedelta."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        seconds = value
    else:
        parts = _amounts(value, _DURATION_UNITS) if isinstance(value, str) else None
        if not parts:
            raise PolicyConfigError(
                'must be a duration such as "15 min", "1 h" or "90 days"', field=path
            )
        seconds = sum(n * unit for n, unit in parts)
    if seconds <= 0:
        raise PolicyConfigError("must be a positive duration", field=path)
    if seconds > _MAX_DURATION.total_seconds():
        raise PolicyConfigError(f"must not exceed {MAX_YEARS} years", field=path)
    return timedelta(seconds=seconds)


def parse_period(value: Any, path: str) -> Period:
    """``"6 months"``, ``"1 year 6 months"``, ``"60 days"`` or ``"permanent"``, as a Period."""
    if isinstance(value, str) and value.strip().lower() == "permanent":
        return PERMANENT
    parts = _amounts(value, _PERIOD_UNITS) if isinstance(value, str) else None
    if not parts:
        raise PolicyConfigError(
            'must be a period such as "6 months", "1 year", "60 days" or "permanent"', field=path
        )
    amounts = {"years": 0, "months": 0, "days": 0}
    for n, unit in parts:
        amounts[unit] += n
    if amounts["years"] * 366 + amounts["months"] * 31 + amounts["days"] > _MAX_DAYS:
        raise PolicyConfigError(
            f'must not exceed {MAX_YEARS} years (write "permanent" to keep for ever)', field=path
        )
    try:
        return Period(years=amounts["years"], months=amounts["months"], days=amounts["days"])
    except PolicyConfigError as exc:
        raise PolicyConfigError(exc.reason, field=path) from None


def parse_size(value: Any, path: str) -> int:
    """``"100 MiB"``, ``"1 GB"`` or a number of bytes, as bytes."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = re.fullmatch(r"\s*(\d+)\s*([a-zA-Z]+)\s*", value) if isinstance(value, str) else None
    unit = _SIZE_UNITS.get(match.group(2).lower()) if match else None
    if match is None or unit is None or int(match.group(1)) <= 0:
        raise PolicyConfigError('must be a size such as "100 MiB" or a byte count', field=path)
    return int(match.group(1)) * unit


def _type_name(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "a table",
    }.get(type(value), f"a {type(value).__name__}")


def _check_int(value: Any, key: Key, path: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise PolicyConfigError(f"must be an integer, not {_type_name(value)}", field=path)
    if key.minimum is not None and value < key.minimum:
        raise PolicyConfigError(f"must be >= {key.minimum}", field=path)
    return value


def _check_str(value: Any, key: Key, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PolicyConfigError("must be a non-empty string", field=path)
    if key.choices and value not in key.choices:
        hint = key.hints.get(value.strip().casefold()) or closest(value, key.choices, cutoff=0.6)
        raise PolicyConfigError(
            f"must be one of {', '.join(key.choices)}"
            + (f" (did you mean {hint!r}?)" if hint else ""),
            field=path,
        )
    return value


#: An RFC 3339 date-time with an offset (what the JSON Schema's "date-time" means).
_RFC3339: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})"
)


def _check_strings(value: Any, key: Key, path: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise PolicyConfigError(f"must be an array of strings, not {_type_name(value)}", field=path)
    return tuple(_check_str(item, key, f"{path}[{i}]") for i, item in enumerate(value))


def _check_datetime(value: Any, _: Key, path: str) -> datetime:
    if isinstance(value, str):  # JSON has no date-time type: RFC 3339 text, with its offset
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is None or parsed.tzinfo is None or not _RFC3339.fullmatch(value):
            raise PolicyConfigError(
                "must be an offset date-time such as 2025-01-01T00:00:00+08:00", field=path
            )
        return parsed
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, date):
        raise PolicyConfigError(
            "must be an offset date-time such as 2025-01-01T00:00:00+08:00", field=path
        )
    raise PolicyConfigError(
        "must be a TOML offset date-time such as 2025-01-01T00:00:00+08:00", field=path
    )


def _check_bool(value: Any, _: Key, path: str) -> bool:
    if not isinstance(value, bool):
        raise PolicyConfigError(f"must be true or false, not {_type_name(value)}", field=path)
    return value


_READERS: Final[dict[str, Callable[[Any, Key, str], Any]]] = {
    "bool": _check_bool,
    "int": _check_int,
    "str": _check_str,
    "strings": _check_strings,
    "datetime": _check_datetime,
    "duration": lambda value, _, path: parse_duration(value, path),
    "period": lambda value, _, path: parse_period(value, path),
    "size": lambda value, _, path: parse_size(value, path),
}
"""Readers of the scalar kinds; ``any`` has none (its section checks it)."""


def check_table(value: Any, path: str) -> Mapping[str, Any]:
    """*value* if it is a table, else a :class:`PolicyConfigError` naming *path*."""
    if not isinstance(value, Mapping):
        raise PolicyConfigError(f"must be a table, not {_type_name(value)}", field=path)
    return value


def read_value(
    value: Any, key: Key, path: str, errors: list[PolicyConfigError] | None = None
) -> Any:
    """Check and convert one value according to *key*.

    With *errors*, problems inside nested tables are collected there instead
    of raised, so that one reading reports them all.
    """
    kind = key.kind
    if key.nullable and value is False:
        return None
    if kind == "table":
        return read_table(value, key.keys, path, errors)
    if kind == "tables":
        if not isinstance(value, list):
            raise PolicyConfigError(
                f"must be an array of tables, not {_type_name(value)}", field=path
            )
        return [read_table(item, key.keys, f"{path}[{i}]", errors) for i, item in enumerate(value)]
    if kind == "map":
        table = check_table(value, path)
        (inner,) = key.keys
        return {
            name: read_value(item, inner, f"{path}.{name}", errors) for name, item in table.items()
        }
    reader = _READERS.get(kind)
    return value if reader is None else reader(value, key, path)


def read_table(
    value: Any, keys: tuple[Key, ...], path: str, errors: list[PolicyConfigError] | None = None
) -> dict[str, Any]:
    """Check the table *value* against *keys*; return its converted values by name.

    Args:
        value: The parsed table.
        keys: Its declared keys.
        path: Its dotted path, for messages.
        errors: Where to collect the problems found instead of raising the
            first one; the keys in error are left out of the result.

    Raises:
        PolicyConfigError: For an unknown or missing key or a value of the
            wrong type, naming its dotted path (without *errors*).
    """
    table = check_table(value, path)
    known = {key.name: key for key in keys}

    def problem(error: PolicyConfigError) -> None:
        if errors is None:
            raise error
        errors.append(error)

    for name in table:
        if name not in known:
            where = f"{path}.{name}" if path else name
            hint = closest(name, known)
            problem(
                PolicyConfigError(
                    f"unknown key{f' (did you mean {hint!r}?)' if hint else ''}", field=where
                )
            )
    out: dict[str, Any] = {}
    for key in keys:
        where = f"{path}.{key.name}" if path else key.name
        if key.name in table:
            try:
                out[key.name] = read_value(table[key.name], key, where, errors)
            except PolicyConfigError as exc:
                problem(exc)
        elif key.required:
            problem(PolicyConfigError("is required", field=where))
    return out


def closest(name: str, known: Iterable[str], *, cutoff: float = 0.75) -> str | None:
    """The known name nearest to *name*, for a "did you mean" hint, or None.

    A known name in another case, or with the same characters in another
    order (``=>`` for ``>=``), is nearest; otherwise the closest by
    :func:`difflib.get_close_matches`.
    """
    import difflib  # noqa: PLC0415 (only on the error path)

    candidates = list(known)
    folded = name.strip().casefold()
    for candidate in candidates:
        if candidate.casefold() == folded:
            return candidate
    for candidate in candidates:
        if len(candidate) > 1 and sorted(candidate.casefold()) == sorted(folded):
            return candidate
    matches = difflib.get_close_matches(name, candidates, n=1, cutoff=cutoff)
    return matches[0] if matches else None


# -- JSON Schema -------------------------------------------------------------------------


def _kind_schema(key: Key) -> dict[str, Any]:  # noqa: PLR0911 (one return per kind)
    if key.schema is not None:
        return dict(key.schema)
    kind = key.kind
    if kind in ("table", "tables"):
        table = to_schema(key.keys)
        return table if kind == "table" else {"type": "array", "items": table}
    if kind == "map":
        return {"type": "object", "additionalProperties": _key_schema(key.keys[0])}
    if kind == "int":
        return {"type": "integer"} | ({"minimum": key.minimum} if key.minimum is not None else {})
    if kind == "str":
        return {"type": "string", "minLength": 1} | (
            {"enum": list(key.choices)} if key.choices else {}
        )
    if kind == "strings":
        item: dict[str, Any] = {"type": "string", "minLength": 1}
        if key.choices:
            item["enum"] = list(key.choices)
        return {"type": "array", "items": item}
    if kind == "duration":
        return {
            "oneOf": [
                {"type": "string", "pattern": _DURATION_PATTERN},
                {"type": "integer", "minimum": 1},
            ]
        }
    if kind == "period":
        return {"type": "string", "pattern": _PERIOD_PATTERN}
    if kind == "size":
        return {
            "oneOf": [
                {"type": "string", "pattern": _SIZE_PATTERN},
                {"type": "integer", "minimum": 1},
            ]
        }
    if kind == "datetime":
        return {"type": "string", "format": "date-time"}
    if kind == "bool":
        return {"type": "boolean"}
    return {}


def _key_schema(key: Key) -> dict[str, Any]:
    schema = _kind_schema(key)
    if key.nullable:
        schema = {"anyOf": [schema, {"const": False}]}
    if key.help:
        schema = {"description": key.help, **schema}
    return schema


def to_schema(keys: tuple[Key, ...]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a table with *keys*."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {key.name: _key_schema(key) for key in keys},
        "additionalProperties": False,
    }
    required = [key.name for key in keys if key.required]
    if required:
        schema["required"] = required
    return schema


# -- reference page --------------------------------------------------------------------

_KIND_TEXT: Final[dict[str, str]] = {
    "bool": "boolean",
    "int": "integer",
    "str": "string",
    "strings": "array of strings",
    "duration": 'duration ("15 min")',
    "period": 'period ("6 months", "permanent")',
    "size": 'size ("100 MiB")',
    "datetime": "offset date-time",
    "table": "table",
    "map": "table of tables",
    "tables": "array of tables",
    "any": "see description",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(keys: tuple[Key, ...], path: str, level: int = 2) -> list[str]:
    """A reference section per table: every key with its type, limits and meaning.

    The policy file's reference page is generated from the same declarations
    as the loader and the JSON Schema, so it cannot drift from them.
    """
    lines = [
        f"{'#' * level} `[{path}]`",
        "",
        "| key | type | required | meaning |",
        "|---|---|---|---|",
    ]
    nested: list[tuple[Key, str]] = []
    for key in keys:
        kind = _KIND_TEXT[key.kind]
        limits = []
        if key.minimum is not None:
            limits.append(f"at least {key.minimum}")
        if key.choices:
            limits.append("one of " + ", ".join(f"`{c}`" for c in key.choices))
        if key.nullable:
            limits.append("`false` turns it off")
        detail = f"{kind}; {'; '.join(limits)}" if limits else kind
        required = "yes" if key.required else ""
        lines.append(f"| `{key.name}` | {_cell(detail)} | {required} | {_cell(key.help)} |")
        if key.kind in ("table", "tables"):
            nested.append(
                (key, f"{path}.{key.name}" if key.kind == "table" else f"[{path}.{key.name}]")
            )
        elif key.kind == "map" and key.keys and key.keys[0].kind == "table":
            nested.append((key.keys[0], f"{path}.{key.name}.NAME"))
    lines.append("")
    for key, child in nested:
        child_path = child.strip("[]")
        lines.extend(to_markdown(key.keys, child_path, level + 1))
    return lines

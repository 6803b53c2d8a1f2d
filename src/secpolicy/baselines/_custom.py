"""Custom baselines in TOML: a company's own rulebook, checked like the shipped ones.

A file holds one ``[baseline]`` table, an optional ``[[changelog]]`` and one
``[[requirements]]`` table per requirement, each comparing one policy key
with a value::

    [baseline]
    id = "acme-sec-2026"
    title = "ACME security rulebook"
    edition = "ACME-SEC-001 rev. 3 (2026)"

    [[requirements]]
    id = "password-length"
    title = "at least 14 characters"
    clause = "ACME-SEC-001 §4.2"
    key = "password.min_length"
    op = ">="
    value = 14

Every error names the file, the line and the TOML path.
"""

from __future__ import annotations

import operator
import re
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from secpolicy.baselines import _checks
from secpolicy.baselines._model import (
    Baseline,
    ChangelogEntry,
    Requirement,
    Verdict,
    failed,
    judged,
)
from secpolicy.exceptions import ArgumentTypeError, PolicyConfigError
from secpolicy.policyfile import MAX_POLICY_BYTES, PolicyFileError, parse_duration, parse_period
from secpolicy.policyfile._audit import event_problem
from secpolicy.policyfile._locate import find_line, line_index
from secpolicy.policyfile._spec import Key, read_table

if TYPE_CHECKING:
    import os
    from collections.abc import Callable

    from secpolicy.policyfile import ServicePolicy
    from secpolicy.retention import Period

#: Comparison operators a requirement may use.
OPERATORS: Final[dict[str, Callable[[Any, Any], bool]]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": operator.eq,
    "!=": operator.ne,
    "includes": lambda have, want: set(want) <= set(have),
    "excludes": lambda have, want: not (set(want) & set(have)),
}
_ORDERED: Final = (">=", "<=", ">", "<")
#: What a baseline id, alias or requirement id may be: the syntax a waiver's
#: ``baseline/requirement`` and ``--baseline a,b`` can name unambiguously.
_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]*")
_ID_RULE: Final = (
    "must be letters, digits, '.', '_' or '-' (no '/' or spaces), starting with a letter or digit"
)
_MAX_SEVERITY: Final = 10.0


@attrs.frozen
class _PolicyKey:
    kind: str  # int, bool, str, duration, strings, period
    get: Callable[[ServicePolicy], Any]
    section: str


def _pw(attr: str) -> Callable[[ServicePolicy], Any]:
    return lambda p: getattr(p.password, attr)


def _lock(attr: str) -> Callable[[ServicePolicy], Any]:
    return lambda p: None if p.password.lockout is None else getattr(p.password.lockout, attr)  # type: ignore[union-attr]  # section checked first


def _blocklist_on(policy: ServicePolicy) -> bool:
    return policy.password is not None and policy.password.blocklist is not None


def _au(attr: str) -> Callable[[ServicePolicy], Any]:
    return lambda p: getattr(p.audit, attr)


def _rbac_count(part: str) -> Callable[[ServicePolicy], Any]:
    return lambda p: len(p.rbac.to_dict()[part])  # type: ignore[union-attr]  # section checked first


def _min_approvals(policy: ServicePolicy) -> Any:
    roles = [r for r in policy.rbac.to_dict()["roles"].values() if r["privileged"]]  # type: ignore[union-attr]  # section checked first
    return min((r["approvals"] for r in roles), default=None)


#: The policy keys a custom requirement may compare, with their kinds.
POLICY_KEYS: Final[dict[str, _PolicyKey]] = {
    **{
        f"password.{name}": _PolicyKey("int", _pw(name), "password")
        for name in ("min_length", "max_length", "required_classes", "history_size")
    },
    **{
        f"password.{name}": _PolicyKey("bool", _pw(name), "password")
        for name in (
            "mfa_required",
            "check_breached",
            "change_at_first_use",
            "letters_and_digits",
            "user_attribute_similarity",
        )
    },
    "password.max_age": _PolicyKey("duration", _pw("max_age"), "password"),
    "password.idle_timeout": _PolicyKey("duration", _pw("idle_timeout"), "password"),
    "password.context_words": _PolicyKey("strings", _pw("context_words"), "password"),
    "password.blocklist": _PolicyKey("bool", _blocklist_on, "password"),
    "password.lockout.max_failures": _PolicyKey("int", _lock("max_failures"), "password"),
    "password.lockout.duration": _PolicyKey("duration", _lock("duration"), "password"),
    "password.lockout.window": _PolicyKey("duration", _lock("window"), "password"),
    "audit.events": _PolicyKey("strings", _au("events"), "audit"),
    "audit.mask": _PolicyKey("bool", _au("mask"), "audit"),
    "audit.sink": _PolicyKey("str", _au("sink"), "audit"),
    "audit.masking": _PolicyKey("str", _au("masking"), "audit"),
    "audit.checkpoint_every": _PolicyKey("int", _au("checkpoint_every"), "audit"),
    "audit.checkpoint_interval": _PolicyKey("duration", _au("checkpoint_interval"), "audit"),
    "audit.protected": _PolicyKey("bool", lambda p: p.audit.protected, "audit"),  # type: ignore[union-attr]  # section checked first
    "audit.fsync": _PolicyKey("str", lambda p: str(p.audit.fsync), "audit"),  # type: ignore[union-attr]  # section checked first
    "rbac.ssd": _PolicyKey("int", _rbac_count("ssd"), "rbac"),
    "rbac.dsd": _PolicyKey("int", _rbac_count("dsd"), "rbac"),
    "rbac.labels": _PolicyKey("int", _rbac_count("labels"), "rbac"),
    "rbac.privileged_approvals": _PolicyKey("int", _min_approvals, "rbac"),
}
#: ``retention.<category>`` compares how long the schedule keeps a category
#: (by its own ``evaluate``) with a period such as ``"12 months"``.
RETENTION_PREFIX: Final = "retention."

_BASELINE_KEYS: Final = (
    Key(name="id", kind="str", required=True, help="the versioned id (acme-sec-2026)"),
    Key(name="title", kind="str", required=True, help="the rulebook's name"),
    Key(name="edition", kind="str", help="the edition of the rulebook encoded"),
    Key(name="version", kind="str", help="the version of this file's data"),
    Key(name="source", kind="str", help="where to read the rulebook"),
    Key(name="scope", kind="str", help="what it covers"),
    Key(name="aliases", kind="strings", help="other ids accepted for it"),
)
_CHANGELOG_KEYS: Final = (
    Key(name="version", kind="str", required=True, help="the data version"),
    Key(name="date", kind="any", required=True, help="when (a TOML date)"),
    Key(name="changes", kind="strings", required=True, help="what changed"),
)
#: What people write for an operator, and the operator meant.
_OPERATOR_HINTS: Final = {
    "=>": ">=",
    "≥": ">=",
    "ge": ">=",
    "gte": ">=",
    "=<": "<=",
    "≤": "<=",
    "le": "<=",
    "lte": "<=",
    "gt": ">",
    "lt": "<",
    "=": "==",
    "eq": "==",
    "<>": "!=",
    "≠": "!=",
    "ne": "!=",
    "in": "includes",
    "contains": "includes",
    "not in": "excludes",
}
_REQUIREMENT_KEYS: Final = (
    Key(name="id", kind="str", required=True, help="stable id within the baseline"),
    Key(name="title", kind="str", required=True, help="what is required"),
    Key(name="clause", kind="str", required=True, help="the clause it comes from"),
    Key(name="key", kind="str", required=True, help="the policy key compared"),
    Key(
        name="op",
        kind="str",
        required=True,
        choices=tuple(OPERATORS),
        help="the comparison",
        hints=_OPERATOR_HINTS,
    ),
    Key(name="value", kind="any", required=True, help="the value compared with"),
    Key(name="interpretation", kind="bool", help="a reading rather than the text"),
    Key(name="note", kind="str", help="why, or the scope"),
    Key(name="severity", kind="any", help="0.0 to 10.0 (code scanning security-severity)"),
    Key(
        name="not_checked",
        kind="strings",
        help="parts of the clause the comparison does not verify (shown in every report)",
    ),
)
_DOCUMENT: Final = (
    Key(name="baseline", kind="table", keys=_BASELINE_KEYS, required=True, help="the baseline"),
    Key(name="changelog", kind="tables", keys=_CHANGELOG_KEYS, help="its versions"),
    Key(
        name="requirements", kind="tables", keys=_REQUIREMENT_KEYS, required=True, help="its rules"
    ),
)


def _closest(name: str, known: list[str]) -> str:
    import difflib  # noqa: PLC0415 (only on the error path)

    match = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _value(kind: str, value: Any, path: str) -> Any:  # noqa: PLR0911 (one return per kind)
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise PolicyConfigError("must be an integer for this key", field=path)
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise PolicyConfigError("must be true or false for this key", field=path)
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise PolicyConfigError("must be a string for this key", field=path)
        return value
    if kind == "strings":
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise PolicyConfigError("must be a string or an array of strings", field=path)
        return tuple(value)
    if kind == "duration":
        if value is False:
            return None
        return parse_duration(value, path)
    return parse_period(value, path)


def _shown(value: Any) -> str:
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, timedelta):
        return _checks._minutes(value)  # noqa: SLF001 (one formatting helper)
    if isinstance(value, tuple):
        return ", ".join(value) or "none"
    return str(value)


def _compare_check(
    key: str, op: str, want: Any, spec: _PolicyKey
) -> Callable[[ServicePolicy], Verdict]:
    compare = OPERATORS[op]
    required = f"{op} {_shown(want)}"

    def check(policy: ServicePolicy) -> Verdict:
        if getattr(policy, spec.section) is None:
            return failed(f"no [{spec.section}] section", declared="none", required=required)
        have = spec.get(policy)
        declared = f"{key} {_shown(have)}"
        if have is None or want is None:
            ok = (have is None and want is None and op == "==") or (
                op == "!=" and (have is None) != (want is None)
            )
            return judged(ok, declared, required)
        return judged(bool(compare(have, want)), declared, required)

    return check


def _retention_check(category: str, op: str, want: Period) -> Callable[[ServicePolicy], Verdict]:
    compare = OPERATORS[op]
    required = f"{op} {want}"

    def check(policy: ServicePolicy) -> Verdict:
        schedule = policy.retention
        if schedule is None:
            return failed("no [retention] section", declared="none", required=required)
        missing = _checks.no_rules(schedule, category, required)
        if missing is not None:
            return missing
        until, decision = _checks.kept_until(schedule, category)
        created = _checks._anchor(schedule)  # noqa: SLF001 (the shared anchor date)
        end = want.end(created, tz=schedule.tz, semantics=schedule.semantics)
        infinite = datetime.max.replace(tzinfo=UTC)
        kept_end = infinite if until is None else until
        want_end = infinite if end is None else end
        rule = decision.rule
        declared = f"{category} kept {'permanently' if until is None else rule.keep}"
        # An upper bound ("gone within") is met only by a storage limit: a
        # record kept one month and then merely eligible for disposal may
        # stay for ever. The other comparisons read the minimum retention.
        limit = decision.must_dispose_by
        gone_end = infinite if limit is None else max(limit, kept_end)
        if limit is None:
            gone = "no maximum: may be kept indefinitely"
        else:
            gone = f"must be gone by {limit.date().isoformat()} (from a record of {created.date()})"
        if op in ("<", "<="):
            return judged(bool(compare(gone_end, want_end)), f"{declared}, {gone}", required)
        return judged(bool(compare(kept_end, want_end)), declared, required)

    return check


def _check_members(key: str, want: tuple[str, ...], path: str) -> None:
    """Refuse a list that makes ``includes``/``excludes`` hold for every policy."""
    if not want:
        raise PolicyConfigError(
            "must name at least one value (an empty list always holds)", field=path
        )
    if key == "audit.events":
        for i, action in enumerate(want):
            problem = event_problem(action)
            if problem is not None:
                raise PolicyConfigError(f"{action!r}: {problem}", field=f"{path}[{i}]")


def _requirement(table: dict[str, Any], path: str) -> Requirement:
    key, op = table["key"], table["op"]
    if key.startswith(RETENTION_PREFIX) and key.count(".") == 1:
        if op not in (*_ORDERED, "==", "!="):
            raise PolicyConfigError(
                f"{op!r} does not compare retention periods", field=f"{path}.op"
            )
        check = _retention_check(
            key.removeprefix(RETENTION_PREFIX), op, parse_period(table["value"], f"{path}.value")
        )
    else:
        spec = POLICY_KEYS.get(key)
        if spec is None:
            known = [*POLICY_KEYS, "retention.<category>"]
            raise PolicyConfigError(
                f"not a key a requirement can compare{_closest(key, known)}", field=f"{path}.key"
            )
        if op in _ORDERED and spec.kind in ("bool", "str", "strings"):
            raise PolicyConfigError(
                f"{op!r} does not compare {spec.kind} values", field=f"{path}.op"
            )
        if op in ("includes", "excludes") and spec.kind != "strings":
            raise PolicyConfigError(
                f"{op!r} needs a list key such as audit.events", field=f"{path}.op"
            )
        want = _value(spec.kind, table["value"], f"{path}.value")
        if op in ("includes", "excludes"):
            _check_members(key, want, f"{path}.value")
        check = _compare_check(key, op, want, spec)
    severity = table.get("severity", 7.0)
    if (
        isinstance(severity, bool)
        or not isinstance(severity, (int, float))
        or not 0 <= severity <= _MAX_SEVERITY
    ):
        raise PolicyConfigError("must be a number from 0.0 to 10.0", field=f"{path}.severity")
    return Requirement(
        id=table["id"],
        title=table["title"],
        clause=table["clause"],
        path=key,
        check=check,
        interpretation=table.get("interpretation", False),
        note=table.get("note", ""),
        severity=float(severity),
        not_checked=tuple(table.get("not_checked", ())),
    )


def _changelog(tables: list[dict[str, Any]]) -> tuple[ChangelogEntry, ...]:
    from datetime import date  # noqa: PLC0415 (a name the module's type hints do not need)

    out = []
    for i, table in enumerate(tables):
        when = table["date"]
        if not isinstance(when, date) or isinstance(when, datetime):
            raise PolicyConfigError(
                "must be a TOML date such as 2026-01-15", field=f"changelog[{i}].date"
            )
        out.append(
            ChangelogEntry(version=table["version"], date=when, changes=tuple(table["changes"]))
        )
    return tuple(out)


class _Problems(Exception):  # noqa: N818 (internal carrier, never escapes the module)
    """Every problem of a baseline file, before lines are attached."""

    def __init__(self, errors: list[PolicyConfigError]) -> None:
        super().__init__(errors)
        self.errors = errors


def _build(data: dict[str, Any]) -> Baseline:
    """The baseline of a parsed file; every problem found is collected, in one error."""
    errors: list[PolicyConfigError] = []
    checked = read_table(data, _DOCUMENT, "", errors)
    broken = {e.field.split(".")[0] for e in errors if e.field}  # tables with a bad key
    head = checked.get("baseline", {})
    requirements = []
    seen: set[str] = set()
    for i, table in enumerate(checked.get("requirements", ())):
        path = f"requirements[{i}]"
        if "id" in table:
            if not _ID.fullmatch(table["id"]):
                errors.append(PolicyConfigError(_ID_RULE, field=f"{path}.id"))
            elif table["id"].casefold() in seen:
                errors.append(
                    PolicyConfigError(
                        "is used by an earlier requirement (ids are compared without case)",
                        field=f"{path}.id",
                    )
                )
            seen.add(table["id"].casefold())
        if path in broken:
            continue  # its own problems are reported; the rest needs every key
        try:
            requirements.append(_requirement(table, path))
        except PolicyConfigError as exc:
            errors.append(exc)
    if "requirements" in checked and not checked["requirements"]:
        errors.append(PolicyConfigError("needs at least one requirement", field="requirements"))
    if "id" in head and not _ID.fullmatch(head["id"]):
        errors.append(PolicyConfigError(_ID_RULE, field="baseline.id"))
    for i, alias in enumerate(head.get("aliases", ())):
        if not _ID.fullmatch(alias):
            errors.append(PolicyConfigError(_ID_RULE, field=f"baseline.aliases[{i}]"))
    changelog: tuple[ChangelogEntry, ...] = ()
    try:
        changelog = _changelog(checked.get("changelog", []))
    except PolicyConfigError as exc:
        errors.append(exc)
    if errors:
        raise _Problems(errors)
    return Baseline(
        name=head["id"],
        title=head["title"],
        source=head.get("source", head["title"]),
        edition=head.get("edition", ""),
        version=head.get("version", "1"),
        aliases=tuple(head.get("aliases", ())),
        scope=head.get("scope", ""),
        changelog=changelog,
        requirements=tuple(requirements),
    )


def loads_baseline(text: str, *, source: str = "<string>") -> Baseline:
    """The custom baseline in the TOML *text* (see :func:`load_baseline_file`).

    Raises:
        PolicyConfigError: For anything wrong in the file, with its line.
        ArgumentTypeError: If *text* is not a ``str``.

    .. versionadded:: 0.2
    """
    given: object = text
    if not isinstance(given, str):
        raise ArgumentTypeError(
            f"text must be str, not {type(given).__name__} (decode a baseline file as UTF-8)",
            argument="text",
        )
    if len(text) > MAX_POLICY_BYTES:
        raise PolicyConfigError(
            f"larger than {MAX_POLICY_BYTES // 1024} KiB; is this the right file?", source=source
        )
    if text.startswith("\ufeff"):
        raise PolicyConfigError(
            "starts with a byte-order mark (BOM): save it as UTF-8 without one",
            source=source,
            line=1,
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+)", str(exc))
        reason = str(exc).split(" (at ")[0]
        raise PolicyConfigError(
            f"not valid TOML: {reason}", source=source, line=int(found.group(1)) if found else None
        ) from None
    except RecursionError:
        raise PolicyConfigError(
            "nested too deeply (arrays or tables thousands of levels deep)", source=source
        ) from None
    lines = line_index(text)
    try:
        return _build(data)
    except _Problems as problems:
        located = [
            PolicyConfigError(
                exc.reason,
                field=exc.field,
                source=source,
                line=find_line(lines, exc.field) if exc.field else None,
            )
            for exc in problems.errors
        ]
        raise PolicyFileError(located) from None


def load_baseline_file(path: str | os.PathLike[str]) -> Baseline:
    """Read a custom baseline (a company's own rulebook) from a TOML file.

    Raises:
        PolicyConfigError: For an unreadable file or anything wrong in it,
            with the file, line and TOML path
            (``acme.toml:12: requirements[1].key: not a key ...``).

    .. versionadded:: 0.2
    """
    source = str(path)
    if Path(path).is_dir():
        raise PolicyConfigError("is a directory, not a baseline file", source=source)
    try:
        with Path(path).open("rb") as handle:
            raw = handle.read(MAX_POLICY_BYTES + 1)  # an endless file is cut, not buffered
    except OSError as exc:
        raise PolicyConfigError(f"cannot read the file: {exc.strerror}", source=source) from None
    if len(raw) > MAX_POLICY_BYTES:
        raise PolicyConfigError(
            f"larger than {MAX_POLICY_BYTES // 1024} KiB; is this the right file?", source=source
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PolicyConfigError("not UTF-8 text", source=source, line=line) from None
    return loads_baseline(text, source=source)

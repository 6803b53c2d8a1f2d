"""Reading ``secpolicy.toml``: parse, check every key, build each area's objects."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from secpolicy.exceptions import PolicyConfigError
from secpolicy.policyfile import _audit, _password, _pii, _rbac, _retention, _waivers
from secpolicy.policyfile._locate import find_line, line_index
from secpolicy.policyfile._policy import ServicePolicy
from secpolicy.policyfile._spec import Key, read_table, to_schema
from secpolicy.rbac import RBAC

if TYPE_CHECKING:
    import os

    from secpolicy._clock import Clock

SERVICE_KEYS: Final = (Key(name="name", kind="str", help="the service's name, for reports"),)

#: Every section of the file and its keys, in the order they are built.
SECTIONS: Final[tuple[tuple[str, tuple[Key, ...], str], ...]] = (
    ("service", SERVICE_KEYS, "the service the file describes"),
    ("password", _password.KEYS, "the password policy: a profile and overrides"),
    ("rbac", _rbac.KEYS, "roles, grants, denies, separation of duty, privileged roles, labels"),
    ("pii", _pii.KEYS, "personal data: entities to detect and how to mask them"),
    ("audit", _audit.KEYS, "the audit log: sink, rotation, durability, checkpoints, masking"),
    ("retention", _retention.KEYS, "retention: profile, time zone, rules and legal holds"),
)
#: The document's top-level keys: one table per section.
_DOCUMENT: Final = (
    *(Key(name=n, kind="table", keys=k, help=h) for n, k, h in SECTIONS),
    Key(name="waivers", kind="tables", keys=_waivers.KEYS, help="accepted baseline exceptions"),
)
SCHEMA_ID: Final = "https://secpolicy.readthedocs.io/en/latest/_static/secpolicy.schema.json"
_TOML_POSITION: Final = re.compile(
    r"\s*\(at line (\d+), column \d+\)\s*$|\s*\(at end of document\)\s*$"
)


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``secpolicy.toml``, generated from the loader's keys.

    Editors that validate TOML against JSON Schema (Taplo, Even Better TOML)
    use it for completion and checks; ``secpolicy schema`` writes it.
    """
    schema = to_schema(_DOCUMENT)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "secpolicy.toml",
        "description": "A service's security policies, read by secpolicy.policyfile.load_policy.",
        **schema,
    }


def _decode(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PolicyConfigError("not UTF-8 text", source=source, line=line) from None


def _parse(
    text: str, source: str, *, suffix: str = ".toml"
) -> tuple[dict[str, Any], dict[str, int]]:
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PolicyConfigError(
                f"not valid JSON: {exc.msg}", source=source, line=exc.lineno
            ) from None
        if not isinstance(data, dict):
            raise PolicyConfigError("must hold a JSON object", source=source, line=1)
        return data, {}
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_POSITION.search(message)
        line = int(match.group(1)) if match and match.group(1) else text.count("\n") + 1
        reason = message[: match.start()] if match else message
        raise PolicyConfigError(f"not valid TOML: {reason}", source=source, line=line) from None
    return data, line_index(text)


def _located(exc: PolicyConfigError, source: str, lines: dict[str, int]) -> PolicyConfigError:
    line = find_line(lines, exc.field) if exc.field else None
    return PolicyConfigError(exc.reason, field=exc.field, source=source, line=line)


def _read_file(path: Path, source: str) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicyConfigError(f"cannot read the file: {exc.strerror}", source=source) from None
    return _decode(raw, source)


def _build_rbac(
    values: dict[str, Any], raw: dict[str, Any], base_dir: Path, clock: Clock | None
) -> RBAC:
    if "file" not in values:
        try:
            return RBAC.from_dict(raw, clock=clock)
        except PolicyConfigError as exc:
            raise PolicyConfigError(
                exc.reason, field=f"rbac.{exc.field or ''}".rstrip(".")
            ) from None
    if len(values) > 1:
        raise PolicyConfigError(
            "give either file or the policy inline, not both", field="rbac.file"
        )
    path = base_dir / values["file"]
    source = str(path)
    data, lines = _parse(_read_file(path, source), source, suffix=path.suffix.lower())
    try:
        read_table(data, tuple(k for k in _rbac.KEYS if k.name != "file"), "")
        return RBAC.from_dict(data, clock=clock)
    except PolicyConfigError as exc:
        raise _located(exc, source, lines) from None


def _build(
    data: dict[str, Any],
    base_dir: Path,
    source: Path | None,
    clock: Clock | None,
    lines: dict[str, int],
) -> ServicePolicy:
    checked = read_table(data, _DOCUMENT, "")
    name = checked.get("service", {}).get("name", "")
    parts: dict[str, Any] = {}
    if "password" in checked:
        parts["password"] = _password.build(checked["password"], base_dir)
    if "rbac" in checked:
        parts["rbac"] = _build_rbac(checked["rbac"], data["rbac"], base_dir, clock)
    if "pii" in checked:
        parts["pii"] = _pii.build(checked["pii"])
    if "audit" in checked:
        parts["audit"] = _audit.build(checked["audit"], base_dir, has_pii="pii" in checked)
    if "retention" in checked:
        parts["retention"], parts["holds"] = _retention.build(checked["retention"], name)
    if "waivers" in checked:
        parts["waivers"] = _waivers.build(checked["waivers"], lines)
    return ServicePolicy(name=name, source=source, locations=lines, **parts)


def _from_text(
    text: str, source: str, base_dir: Path, file: Path | None, clock: Clock | None
) -> ServicePolicy:
    data, lines = _parse(text, source)
    try:
        return _build(data, base_dir, file, clock, lines)
    except PolicyConfigError as exc:
        if exc.source is not None:  # already located in another file (the RBAC file)
            raise
        raise _located(exc, source, lines) from None


def loads_policy(
    text: str,
    *,
    source: str = "<string>",
    base_dir: str | os.PathLike[str] = ".",
    clock: Clock | None = None,
) -> ServicePolicy:
    """The policy declared by the TOML *text* (see :func:`load_policy`).

    Args:
        text: The document.
        source: The name errors give for it.
        base_dir: Where relative paths in it (key files, blocklists, the
            RBAC file) are found.
        clock: The clock the RBAC engine reads (default: the system clock).
    """
    return _from_text(text, source, Path(base_dir), None, clock)


def load_policy(path: str | os.PathLike[str], *, clock: Clock | None = None) -> ServicePolicy:
    """Read one ``secpolicy.toml`` and build the policy objects it declares.

    Sections: ``[service]``, ``[password]``, ``[rbac]``, ``[pii]``,
    ``[audit]`` and ``[retention]``, each optional. Unknown keys are errors
    (with a suggestion for a near miss), so a typo cannot silently weaken a
    policy. Relative paths in the file are relative to the file.

    Raises:
        PolicyConfigError: For anything wrong, with the file, the line and
            the TOML path, e.g. ``secpolicy.toml:14: password.min_length:
            must be >= 1``.

    Example:
        >>> policy = load_policy("examples/secpolicy.toml")  # doctest: +SKIP
        >>> policy.password.min_length  # doctest: +SKIP
        8
    """
    file = Path(path)
    return _from_text(_read_file(file, str(path)), str(path), file.parent, file, clock)

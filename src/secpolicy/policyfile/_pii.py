"""The ``[pii]`` section: a preset, the entities to detect and the operators to apply."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Final

from secpolicy.audit import load_hmac_key
from secpolicy.exceptions import PolicyConfigError
from secpolicy.pii import (
    DETECTABLE,
    FIELD_ONLY,
    Mask,
    MaskEmail,
    Masker,
    MaskName,
    Operator,
    Pseudonymize,
    Redact,
    Replace,
    Scanner,
    presets,
)
from secpolicy.policyfile._spec import Key, check_table

if TYPE_CHECKING:
    from collections.abc import Mapping

#: Masking presets by the name a policy file uses.
PRESETS: Final[dict[str, Masker]] = {
    "cn-display": presets.CN_DISPLAY,
    "pci-display": presets.PCI_DISPLAY,
}
ENTITIES: Final = tuple(sorted({*DETECTABLE, *FIELD_ONLY}))

#: The keys each operator takes besides ``op``.
_OPERATOR_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "mask": ("keep_first", "keep_last", "char", "skip_prefix", "max_reveal"),
    "mask_email": ("keep_first", "char"),
    "mask_name": ("keep_last", "char"),
    "redact": ("text",),
    "replace": ("template",),
    "pseudonymize": ("key_env", "length", "template"),
}
_OPERATORS: Final[dict[str, Any]] = {
    "mask": Mask,
    "mask_email": MaskEmail,
    "mask_name": MaskName,
    "redact": Redact,
    "replace": Replace,
    "pseudonymize": Pseudonymize,
}
_OPERATOR_SCHEMA: Final = {
    "oneOf": [
        {"type": "string", "enum": ["mask_email", "mask_name", "redact", "replace"]},
        {
            "type": "object",
            "properties": {
                "op": {"type": "string", "enum": sorted(_OPERATOR_KEYS)},
                "keep_first": {"type": "integer", "minimum": 0},
                "keep_last": {"type": ["integer", "boolean"], "minimum": 0},
                "char": {"type": "string", "minLength": 1, "maxLength": 1},
                "skip_prefix": {"type": "string"},
                "max_reveal": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                "text": {"type": "string"},
                "template": {"type": "string"},
                "key_env": {"type": "string", "minLength": 1},
                "length": {"type": "integer", "minimum": 4},
            },
            "required": ["op"],
            "additionalProperties": False,
        },
    ]
}
_OPERATOR_HELP: Final = (
    'an operator: "redact", "replace", "mask_name", "mask_email", or a table such as '
    '{ op = "mask", keep_first = 3, keep_last = 4 } or { op = "pseudonymize", key_env = "VAR" }'
)

KEYS: Final = (
    Key(
        name="preset",
        kind="str",
        choices=tuple(sorted(PRESETS)),
        help="the masking preset the other keys amend",
    ),
    Key(
        name="entities",
        kind="strings",
        choices=tuple(sorted(DETECTABLE)),
        help="what to detect in free text (default: the preset's, or every entity)",
    ),
    Key(name="default", kind="any", schema=_OPERATOR_SCHEMA, help="operator for other entities"),
    Key(
        name="operators",
        kind="map",
        keys=(Key(name="*", kind="any", schema=_OPERATOR_SCHEMA, help=_OPERATOR_HELP),),
        help="the operator for each entity (CN_MOBILE, PAYMENT_CARD, ...)",
    ),
    Key(
        name="fields",
        kind="map",
        keys=(Key(name="*", kind="str", choices=ENTITIES, help="an entity name"),),
        help="field names (case-insensitive) and the entity they hold",
    ),
    Key(
        name="paths",
        kind="map",
        keys=(
            Key(
                name="*",
                kind="any",
                schema={"anyOf": [{"type": "string", "enum": list(ENTITIES)}, _OPERATOR_SCHEMA]},
                help="an entity name or an operator",
            ),
        ),
        help='record paths ("user.contact.phone", "items[*].card") and what they hold',
    ),
    Key(name="builtin_fields", kind="bool", help="use the built-in English and Chinese field map"),
)


def _pseudonym_key(variable: Any, path: str) -> bytes:
    if not isinstance(variable, str) or not variable:
        raise PolicyConfigError("must name an environment variable", field=f"{path}.key_env")
    if variable not in os.environ:
        raise PolicyConfigError(
            f"environment variable {variable} is not set", field=f"{path}.key_env"
        )
    try:
        return load_hmac_key(os.environ[variable], name=f"environment variable {variable}")
    except PolicyConfigError as exc:
        raise PolicyConfigError(exc.reason, field=f"{path}.key_env") from None


def operator(spec: Any, path: str) -> Operator:
    """The operator that *spec* (a name or a table) describes."""
    table: dict[str, Any] = {"op": spec} if isinstance(spec, str) else dict(check_table(spec, path))
    op = table.pop("op", None)
    if op not in _OPERATOR_KEYS:
        raise PolicyConfigError(
            f"op must be one of {', '.join(sorted(_OPERATOR_KEYS))}", field=path
        )
    unknown = sorted(set(table) - set(_OPERATOR_KEYS[op]))
    if unknown:
        raise PolicyConfigError(f"unknown key(s) for {op}: {', '.join(unknown)}", field=path)
    if op == "pseudonymize":
        table["key"] = _pseudonym_key(table.pop("key_env", None), path)
    try:
        made: Operator = _OPERATORS[op](**table)
    except (TypeError, ValueError) as exc:
        reason = exc.reason if isinstance(exc, PolicyConfigError) else str(exc)
        raise PolicyConfigError(f"invalid {op} operator: {reason}", field=path) from None
    return made


def build(values: Mapping[str, Any]) -> Masker:
    """The masker of a checked ``[pii]`` table."""
    preset = values.get("preset")
    rules: dict[str, Operator] = {}
    for entity, spec in values.get("operators", {}).items():
        if entity not in ENTITIES:
            raise PolicyConfigError(
                "unknown entity (see secpolicy.pii for the names)", field=f"pii.operators.{entity}"
            )
        rules[entity] = operator(spec, f"pii.operators.{entity}")
    default = operator(values["default"], "pii.default") if "default" in values else None
    scanner = Scanner(values["entities"]) if "entities" in values else None
    paths: dict[str, str | Operator] = {}
    for name, spec in values.get("paths", {}).items():
        where = f"pii.paths.{name}"
        paths[name] = spec if isinstance(spec, str) and spec in ENTITIES else operator(spec, where)
    try:
        if preset is not None:
            return PRESETS[preset].evolve(
                rules=rules,
                default=default,
                scanner=scanner,
                fields=values.get("fields"),
                paths=paths,
            )
        return Masker(
            rules,
            default,
            scanner=scanner,
            fields=values.get("fields"),
            builtin_fields=values.get("builtin_fields", True),
            paths=paths,
        )
    except ValueError as exc:  # a malformed path
        raise PolicyConfigError(str(exc), field="pii.paths") from None

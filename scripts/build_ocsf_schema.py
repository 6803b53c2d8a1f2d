r"""Build the OCSF 1.9.0-dev JSON schemas the audit tests validate against.

No package in the registry ships a 1.9.0 schema, so the schemas are built
from a checkout of the official OCSF schema repository
(https://github.com/ocsf/ocsf-schema): ``ocsf-lib`` compiles the repository
into a schema (the form the OCSF server exports), and ``ocsf-json-schema``
turns each class the catalogue uses into a JSON Schema with every object it
references under ``$defs``. Only those classes are written, with
the source commit and both packages' versions::

    pip install ocsf-lib ocsf-json-schema
    git -C ocsf-schema.git archive <commit> | tar -x -C /tmp/ocsf-schema
    git -C ocsf-schema.git archive 1.8.0 | tar -x -C /tmp/ocsf-schema-1.8.0
    python scripts/build_ocsf_schema.py /tmp/ocsf-schema --commit <commit> \
        --check-1-8 /tmp/ocsf-schema-1.8.0 --check-1-8-commit <commit of 1.8.0>

The same steps are first applied to the ``1.8.0`` tag and must give the
schemas ocsf-json-schema packages for 1.8.0, or nothing is written.
"""

from __future__ import annotations

import argparse
import json
from importlib.metadata import version
from pathlib import Path
from typing import Any

from ocsf.compile import Compilation
from ocsf.compile.options import CompilationOptions
from ocsf.repository import read_repo
from ocsf.schema import to_dict
from ocsf_json_schema import OcsfJsonSchemaEmbedded, get_ocsf_schema  # type: ignore[import-untyped]

from secpolicy.audit import ACTIONS

OUT = Path(__file__).resolve().parent.parent / "tests" / "audit" / "data" / "ocsf-1.9.0-dev.json"
#: API Activity / Other is also what ``emit()`` writes for an uncatalogued action.
EXTRA_CLASS_UIDS = {6003}
#: Bound on an ``extends`` chain, against a cycle in a broken checkout.
MAX_EXTENDS = 16


def _drop_nulls(value: Any) -> Any:
    """Remove the ``null`` members ocsf-lib writes for absent properties."""
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def _mark_object_types(schema: dict[str, Any]) -> None:
    """Write object-typed attributes as the OCSF server does (``object_t`` and ``object_type``)."""
    objects = schema["objects"]
    for group in ("classes", "objects"):
        for item in schema[group].values():
            for attribute in item.get("attributes", {}).values():
                if attribute.get("type") in objects:
                    attribute["object_type"] = attribute["type"]
                    attribute["type"] = "object_t"


def _definitions(root: Path, prefix: str) -> dict[str, dict[str, dict[str, Any]]]:
    """The class and object files under ``root``, by (prefixed) name."""
    found: dict[str, dict[str, dict[str, Any]]] = {"classes": {}, "objects": {}}
    for group, folder in (("classes", "events"), ("objects", "objects")):
        for path in sorted((root / folder).rglob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and "name" in data:
                found[group][prefix + data["name"]] = data
    return found


def _restore_overrides(checkout: Path, schema: dict[str, Any]) -> None:
    """Put back what a class or object overrides in what it extends.

    The ``constraints`` of the most derived definition replace those of its
    base (``network_endpoint``'s ``at_least_one`` of ``ip``, ``uid``,
    ``hostname`` …, not ``_entity``'s ``name`` or ``uid``); ocsf-lib 0.10
    keeps the base's.

    A class also writes ``"profile": null`` on an
    attribute a profile adds (API Activity's ``actor`` and ``api``) to make
    it part of the class whatever profiles are applied; ocsf-lib 0.10 treats
    that ``null`` as absent and keeps the profile's name, which would leave
    such a required attribute out of the class; the OCSF server honours it.
    """
    raw = _definitions(checkout, "")
    for extension in _extensions(checkout):
        prefix = json.loads((extension / "extension.json").read_text(encoding="utf-8"))["name"]
        for group, found in _definitions(extension, f"{prefix}/").items():
            # An extension's new definitions; its patches of core ones keep the core name.
            raw[group].update({k: v for k, v in found.items() if k.split("/")[1] not in raw[group]})
    for group in ("classes", "objects"):
        for name, item in schema[group].items():
            chain: list[dict[str, Any]] = []
            current = raw[group].get(name)
            prefix = name.rpartition("/")[0]
            while current is not None and len(chain) < MAX_EXTENDS:
                chain.append(current)
                base = current.get("extends", "")
                current = raw[group].get(f"{prefix}/{base}") or raw[group].get(base)
            constraints = next((c["constraints"] for c in chain if "constraints" in c), None)
            if constraints is not None:
                item["constraints"] = constraints
            for source in reversed(chain):  # the base first, then each refinement
                for attr_name, attr in source.get("attributes", {}).items():
                    target = item.get("attributes", {}).get(attr_name)
                    if isinstance(attr, dict) and "profile" in attr and target is not None:
                        if attr["profile"] is None:
                            target.pop("profile", None)
                        else:
                            target["profile"] = attr["profile"]


def compile_schema(checkout: Path) -> dict[str, Any]:
    """Compile the schema repository at ``checkout`` with ocsf-lib (its extensions included)."""
    options = CompilationOptions()  # every profile and extension, as the OCSF server exports
    compiled = _drop_nulls(to_dict(Compilation(read_repo(str(checkout)), options).build()))
    _mark_object_types(compiled)
    _restore_overrides(checkout, compiled)
    return compiled  # type: ignore[no-any-return]


def _extensions(checkout: Path) -> list[Path]:
    root = checkout / "extensions"
    found = root.glob("*/extension.json") if root.is_dir() else ()
    return sorted(path.parent for path in found)


def _comparable(value: Any) -> Any:
    """A schema without titles and ids, with enum values sorted."""
    if isinstance(value, dict):
        return {
            k: sorted(v) if k == "enum" else _comparable(v)
            for k, v in value.items()
            if k not in {"title", "$id"}
        }
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


def check_1_8(checkout: Path) -> list[str]:
    """The catalogue's 1.8.0 classes whose schema built here differs from the packaged one.

    ``checkout`` is the repository at its ``1.8.0`` tag: compiled the same
    way, each class must give the JSON Schema ocsf-json-schema ships for
    1.8.0 (titles and the order of enum values aside), which shows the
    compile steps reproduce a released schema.
    """
    built = OcsfJsonSchemaEmbedded(compile_schema(checkout))
    packaged = OcsfJsonSchemaEmbedded(get_ocsf_schema(version="1.8.0"))
    uids = {spec.class_uid for spec in ACTIONS.values()} - {3007} | {3001, 3005} | EXTRA_CLASS_UIDS
    differ = []
    for uid in sorted(uids):
        name = packaged.lookup_class_name_from_uid(uid)
        ours = built.get_class_schema(class_name=name, profiles=[])
        theirs = packaged.get_class_schema(class_name=name, profiles=[])
        if _comparable(ours) != _comparable(theirs):
            differ.append(name)
    return differ


def build(checkout: Path, commit: str) -> dict[str, Any]:
    """The JSON Schema of every class the catalogue uses, keyed by class uid.

    The objects the classes reference are the same for every class (no
    profile is applied), so they are written once under ``$defs``; a class's
    ``$ref`` values (``#/$defs/<object>``) resolve once they are put back.
    """
    compiled = compile_schema(checkout)
    embedded = OcsfJsonSchemaEmbedded(compiled)
    uids = sorted({spec.class_uid for spec in ACTIONS.values()} | EXTRA_CLASS_UIDS)
    classes: dict[str, dict[str, Any]] = {}
    defs: dict[str, Any] = {}
    for uid in uids:
        name = embedded.lookup_class_name_from_uid(uid)
        schema = embedded.get_class_schema(class_name=name, profiles=[])
        for key, value in schema.pop("$defs", {}).items():
            if defs.setdefault(key, value) != value:  # pragma: no cover - a schema bug
                raise SystemExit(f"object {key!r} differs between classes")
        classes[str(uid)] = schema
    return {
        "source": {
            "repository": "https://github.com/ocsf/ocsf-schema",
            "commit": commit,
            "version": compiled["version"],
            "compiled_by": f"ocsf-lib {version('ocsf-lib')}",
            "json_schema_by": f"ocsf-json-schema {version('ocsf-json-schema')}",
            "profiles": [],
        },
        "classes": classes,
        "$defs": dict(sorted(defs.items())),
    }


def main() -> None:
    """Write the schemas to tests/audit/data/ocsf-1.9.0-dev.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", type=Path, help="a checkout of ocsf/ocsf-schema")
    parser.add_argument("--commit", required=True, help="the commit the checkout was taken from")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--check-1-8",
        type=Path,
        required=True,
        metavar="CHECKOUT",
        help="a checkout of the 1.8.0 tag: its classes must match the packaged 1.8.0 schema",
    )
    parser.add_argument("--check-1-8-commit", required=True, help="the commit of that checkout")
    args = parser.parse_args()
    if differ := check_1_8(args.check_1_8):
        raise SystemExit(f"built 1.8.0 schema differs from the packaged one: {', '.join(differ)}")
    data = build(args.checkout, args.commit)
    data["source"]["reproduces_1_8_0_from"] = args.check_1_8_commit
    args.out.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

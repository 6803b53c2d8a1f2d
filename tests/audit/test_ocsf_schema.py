"""to_ocsf() output validated against OCSF JSON schemas.

The 1.8.0 output is validated against the 1.8.0 schema ocsf-json-schema
packages, for every catalogue class. No package in the registry ships a
1.9.0 schema (docs/audit.md, "OCSF export", lists the packages looked at):
the default 1.9.0 output is validated against the JSON schemas of the
catalogue's classes built by scripts/build_ocsf_schema.py from the official
OCSF schema repository (commit a5cfc68e, 1.9.0-dev) with ocsf-lib, and also
against the packaged 1.8.0 schema for every class 1.8.0 has; User Management
(3007), new in 1.9.0, is there validated as the 1.8.0 class it replaces
(Account Change 3001, User Access Management 3005) with only the class and
activity ids put back, and its ids are checked against the 1.9.0 class
definition below.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from secpolicy.audit import ACTIONS, OCSF_VERSION, AuditLogger, read_records, to_ocsf

jsonschema = pytest.importorskip("jsonschema")
ocsf_json_schema = pytest.importorskip("ocsf_json_schema")

RAW = ocsf_json_schema.get_ocsf_schema(version="1.8.0")
SCHEMA = ocsf_json_schema.OcsfJsonSchemaEmbedded(RAW)
# Values for every field a catalogue action requires.
VALUES: dict[str, Any] = {
    "user_id": "u1",
    "ip": "203.0.113.9",
    "port": 52100,
    "changed": ["email"],
    "message_id": "m-1",
    "title": "hello",
    "group_id": "g-42",
    "file_id": "f-7",
    "short_url": "https://t.example/a",
    "long_url": "https://example.com/a/long/path",
    "grantee": "u2",
    "privilege": "dba",
    "subject": "customer-9",
    "fields": ["phone"],
    "policy": "password",
    "log": "audit.jsonl",
}


def _validate(event: dict[str, Any]) -> list[str]:
    name = SCHEMA.lookup_class_name_from_uid(class_uid=event["class_uid"])
    schema = SCHEMA.get_class_schema(class_name=name, profiles=[])
    validator = jsonschema.Draft202012Validator(schema)
    return sorted(error.message for error in validator.iter_errors(event))


#: OCSF 1.9.0 User Management (class uid 7 in Identity & Access Management,
#: events/iam/user_management.json): the activities the catalogue uses. It
#: requires ``user``, like the two 1.8.0 classes it replaces.
USER_MANAGEMENT_1_9 = {1: "Create", 2: "Update", 14: "Assign Privileges", 15: "Remove Privileges"}
#: The 1.8.0 class and activity of each action that 1.9.0 moved to User Management.
PREDECESSOR = {
    "account.register": (3001, 1),
    "account.update": (3001, 99),
    "privilege.grant": (3005, 1),
    "privilege.revoke": (3005, 2),
}


def _record(action: str, make_logger: Callable[..., AuditLogger], path: Path) -> dict[str, Any]:
    spec = ACTIONS[action]
    if action in {"audit.start", "audit.stop"}:  # only the writer records them
        make_logger(lifecycle_events=True).close()
        return next(r for r in read_records(path) if r["action"] == action)
    audit = make_logger()
    fields = {name: VALUES[name] for name in spec.requires}
    audit.emit(action, user_name="Zhang", session_id="s-1", **fields)
    audit.close()
    return next(read_records(path))


def _as_predecessor(event: dict[str, Any], action: str) -> dict[str, Any]:
    class_uid, activity_id = PREDECESSOR[action]
    return {
        **event,
        "class_uid": class_uid,
        "activity_id": activity_id,
        "type_uid": class_uid * 100 + activity_id,
        "class_name": SCHEMA.lookup_class_name_from_uid(class_uid=class_uid),
    }


class TestOcsfSchema:
    @pytest.mark.parametrize("action", sorted(ACTIONS))
    def test_every_catalogue_class_validates_in_1_8(
        self, action: str, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """Each catalogue action in 1.8.0 classes is a valid OCSF 1.8.0 event of its class."""
        event = to_ocsf(
            _record(action, make_logger, tmp_path / "audit.jsonl"), ocsf_version="1.8.0"
        )
        assert event["metadata"]["version"] == "1.8.0"
        assert event["class_uid"] != 3007
        assert _validate(event) == []
        class_name = SCHEMA.lookup_class_name_from_uid(class_uid=event["class_uid"])
        assert "@deprecated" not in RAW["classes"][class_name], class_name

    @pytest.mark.parametrize("action", sorted(ACTIONS))
    def test_every_catalogue_class_validates_in_1_9(
        self, action: str, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """The default 1.9.0 output: User Management for the moved actions, all else as 1.8.0."""
        spec = ACTIONS[action]
        event = to_ocsf(_record(action, make_logger, tmp_path / "audit.jsonl"))
        assert OCSF_VERSION == event["metadata"]["version"] == "1.9.0"
        assert event["class_uid"] == spec.class_uid
        assert event["type_uid"] == spec.class_uid * 100 + spec.activity_id
        if action in PREDECESSOR:
            assert event["class_uid"] == 3007
            assert event["class_name"] == "User Management"
            assert event["category_uid"] == 3
            assert USER_MANAGEMENT_1_9[event["activity_id"]] == event["activity_name"]
            assert "user" in event
            assert _validate(_as_predecessor(event, action)) == []
        else:
            assert _validate(event) == []

    def test_only_the_deprecated_classes_moved(self) -> None:
        """Exactly the actions of the two classes 1.9.0 deprecates are User Management."""
        moved = {a for a, spec in ACTIONS.items() if spec.class_uid == 3007}
        assert moved == set(PREDECESSOR)
        deprecated_1_9 = {3001, 3005}
        assert not {spec.class_uid for spec in ACTIONS.values()} & deprecated_1_9
        with pytest.raises(ValueError, match="ocsf_version"):
            to_ocsf({"action": "auth.login", "time": "2026-01-01T00:00:00Z"}, ocsf_version="1.7")  # type: ignore[arg-type]

    @pytest.mark.parametrize("ocsf_version", ["1.8.0", "1.9.0"])
    def test_sparse_and_other_events_validate(
        self, ocsf_version: str, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """An uncatalogued action and a record without actor or address still validate."""
        audit = make_logger(lifecycle_events=True)  # audit.start and audit.stop
        audit.emit("billing.refund", amount=3)
        audit.emit("personal_data.access", user_id="u1", subject="c-9", fields=["name"])
        audit.emit("account.update", user_id="u1", ip="203.0.113.9", port=1, changed=["e"])
        audit.close()
        for record in read_records(tmp_path / "audit.jsonl"):
            event = to_ocsf(record, ocsf_version=ocsf_version)  # type: ignore[arg-type]
            if event["class_uid"] == 3007:
                event = _as_predecessor(event, record["action"])
            assert _validate(event) == [], record["action"]


#: JSON Schemas of the catalogue's classes, built by scripts/build_ocsf_schema.py
#: from the official OCSF schema repository (1.9.0-dev) with ocsf-lib.
SCHEMA_1_9_DEV = json.loads(
    (Path(__file__).parent / "data" / "ocsf-1.9.0-dev.json").read_text(encoding="utf-8")
)


def _validate_1_9(event: dict[str, Any]) -> list[str]:
    schema = {
        **SCHEMA_1_9_DEV["classes"][str(event["class_uid"])],
        "$defs": SCHEMA_1_9_DEV["$defs"],
    }
    validator = jsonschema.Draft202012Validator(schema)
    return sorted(f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(event))


class TestOcsf19DevSchema:
    def test_schemas_come_from_the_official_repository(self) -> None:
        """The committed schemas name their source commit and cover just the catalogue classes."""
        source = SCHEMA_1_9_DEV["source"]
        assert source["repository"] == "https://github.com/ocsf/ocsf-schema"
        assert source["commit"].startswith("a5cfc68e")
        assert source["version"] == "1.9.0-dev"
        assert source["compiled_by"].startswith("ocsf-lib ")
        assert source["reproduces_1_8_0_from"].startswith("6fa6499a")
        uids = {str(spec.class_uid) for spec in ACTIONS.values()} | {"6003"}
        assert set(SCHEMA_1_9_DEV["classes"]) == uids

    @pytest.mark.parametrize(
        "uid", ["1008", "3002", "3003", "3004", "3006", "3007", "6003", "6006"]
    )
    def test_class_schema_is_closed(self, uid: str) -> None:
        """Each class schema checks types and unknown members, not only the required fields."""
        schema = SCHEMA_1_9_DEV["classes"][uid]
        assert schema["additionalProperties"] is False
        assert {"class_uid", "activity_id", "type_uid", "metadata", "time"} <= set(
            schema["required"]
        )
        assert schema["properties"]["class_uid"]["const"] == int(uid)
        assert "enum" in schema["properties"]["activity_id"]
        bad = {"class_uid": int(uid), "metadata": {"version": 1}, "time": "now", "extra": 1}
        assert len(_validate_1_9(bad)) >= 4

    @pytest.mark.parametrize("action", sorted(ACTIONS))
    def test_every_catalogue_class_validates_in_1_9_dev(
        self, action: str, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """Each catalogue action's default 1.9.0 output is a valid event of its 1.9.0-dev class."""
        event = to_ocsf(_record(action, make_logger, tmp_path / "audit.jsonl"))
        assert event["metadata"]["version"] == "1.9.0"
        assert event["class_uid"] == ACTIONS[action].class_uid
        assert _validate_1_9(event) == []

    def test_sparse_and_other_events_validate_in_1_9_dev(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """An uncatalogued action and a record without actor or address validate in 1.9.0-dev."""
        audit = make_logger(lifecycle_events=True)
        audit.emit("billing.refund", amount=3)
        audit.emit("personal_data.access", user_id="u1", subject="c-9", fields=["name"])
        audit.emit("account.update", user_id="u1", ip="203.0.113.9", port=1, changed=["e"])
        audit.close()
        for record in read_records(tmp_path / "audit.jsonl"):
            assert _validate_1_9(to_ocsf(record)) == [], record["action"]

    @pytest.mark.parametrize("action", sorted(ACTIONS))
    def test_a_wrong_member_is_rejected_in_1_9_dev(
        self, action: str, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """A wrong nested type, activity or unknown member fails, so the schema is not vacuous."""
        event = to_ocsf(_record(action, make_logger, tmp_path / "audit.jsonl"))
        nested = "actor" if "actor" in event else "metadata"
        broken = {
            **event,
            nested: {**event[nested], "nonexistent_member": 1},
            "activity_id": 12345,
            "undocumented": True,
        }
        errors = _validate_1_9(broken)
        assert any(e.startswith(f"['{nested}']") for e in errors), errors
        assert any(e.startswith("['activity_id']") for e in errors), errors
        assert any("undocumented" in e for e in errors), errors
        metadata = {**event["metadata"], "product": {**event["metadata"]["product"], "name": 7}}
        assert any(
            "['metadata', 'product', 'name']" in e
            for e in _validate_1_9({**event, "metadata": metadata})
        )

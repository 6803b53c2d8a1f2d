"""to_ocsf() output validated against the OCSF 1.8.0 schema packaged by ocsf-json-schema."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from secpolicy.audit import ACTIONS, OCSF_VERSION, AuditLogger, read_records, to_ocsf

jsonschema = pytest.importorskip("jsonschema")
ocsf_json_schema = pytest.importorskip("ocsf_json_schema")

RAW = ocsf_json_schema.get_ocsf_schema(version=OCSF_VERSION)
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


class TestOcsfSchema:
    @pytest.mark.parametrize("action", sorted(ACTIONS))
    def test_every_catalogue_class_validates(
        self, action: str, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """Each catalogue action, written and read back, is a valid OCSF event of its class."""
        spec = ACTIONS[action]
        audit = make_logger()
        fields = {name: VALUES[name] for name in spec.requires}
        audit.emit(action, user_name="Zhang", session_id="s-1", **fields)
        audit.close()
        record = next(read_records(tmp_path / "audit.jsonl"))
        event = to_ocsf(record)
        assert event["class_uid"] == spec.class_uid
        assert _validate(event) == []
        class_name = SCHEMA.lookup_class_name_from_uid(class_uid=spec.class_uid)
        assert "@deprecated" not in RAW["classes"][class_name], class_name

    def test_sparse_and_other_events_validate(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """An uncatalogued action and a record without actor or address still validate."""
        audit = make_logger()
        audit.emit("billing.refund", amount=3)
        audit.emit("personal_data.access", user_id="u1", subject="c-9", fields=["name"])
        audit.close()
        for record in read_records(tmp_path / "audit.jsonl"):
            assert _validate(to_ocsf(record)) == [], record["action"]

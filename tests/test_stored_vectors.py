"""Known-answer vectors: what secpolicy wrote with fixed keys must keep reading the same.

``tests/vectors/`` holds outputs of every format secpolicy writes (field,
deterministic and file ciphertexts, blind-index values, keyset JSON plain and
wrapped, audit logs signed with HMAC and with Ed25519), produced once with the
fixed keys below and never regenerated. Stored data outlives the code that
wrote it: a change that stops these decrypting or verifying breaks every
deployment's existing data. Where the output is deterministic, the test also
checks that today's code writes exactly the stored bytes, so a silent format
change fails here; a deliberate one adds a new version and new vectors, and
keeps reading these.
"""

from __future__ import annotations

import base64
import io
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from secpolicy import FrozenClock
from secpolicy.audit import AuditLogger, verify
from secpolicy.crypto import (
    BlindIndex,
    DecryptionError,
    DeterministicEncryptor,
    FieldEncryptor,
    FileEncryptor,
    Keyset,
)

VECTORS = Path(__file__).parent / "vectors"
CRYPTO: dict[str, Any] = json.loads((VECTORS / "crypto.json").read_text(encoding="utf-8"))
CREATED = datetime(2026, 1, 1, tzinfo=UTC)
HMAC_KEY = bytes(range(32))
ED25519_SEED = bytes(range(32, 64))
LOG_ID = uuid.UUID("00112233-4455-6677-8899-aabbccddeeff")


def _b64(text: str) -> bytes:
    return base64.b64decode(text)


def _keyset(name: str) -> Keyset:
    return Keyset.from_json(CRYPTO["keysets"][name])


def _file_plaintext(size: int) -> bytes:
    return bytes((i * 7) % 251 for i in range(size))


class TestKeysets:
    @pytest.mark.parametrize("name", sorted(CRYPTO["keysets"]))
    def test_stored_keyset_loads_unchanged(self, name: str) -> None:
        """A stored keyset JSON loads, and serialises back to the same document."""
        keyset = _keyset(name)
        assert keyset.to_dict() == json.loads(CRYPTO["keysets"][name])
        assert all(key.created == CREATED for key in keyset.keys)

    def test_wrapped_keyset_unwraps(self) -> None:
        """The stored wrapped keyset opens with its key-encryption key, and with no other."""
        wrapped = CRYPTO["wrapped_keyset"]
        keyset = Keyset.from_json(wrapped["json"], kek=_b64(wrapped["kek"]))
        assert keyset.to_dict() == _keyset(wrapped["keyset"]).to_dict()
        with pytest.raises(DecryptionError):
            Keyset.from_json(wrapped["json"], kek=bytes(32))


class TestFieldTokens:
    @pytest.mark.parametrize("case", CRYPTO["field"], ids=lambda c: f"{c['keyset']}")
    def test_stored_token_decrypts(self, case: dict[str, str]) -> None:
        """A stored AEAD token decrypts to its plaintext, and only in its context."""
        encryptor = FieldEncryptor(_keyset(case["keyset"]))
        context = _b64(case["context"])
        assert encryptor.decrypt(case["token"], context=context) == _b64(case["plaintext"])
        with pytest.raises(DecryptionError):
            encryptor.decrypt(case["token"], context=context + b"x")

    def test_vectors_cover_both_algorithms_and_an_older_key(self) -> None:
        """The vectors hold GCM and SM4 tokens, one of them under a non-primary key."""
        assert {c["keyset"] for c in CRYPTO["field"]} == {"aes_gcm", "sm4_gcm"}
        keyset = _keyset("aes_gcm")
        key_ids = {FieldEncryptor(keyset).key_id(c["token"]) for c in CRYPTO["field"][:5]}
        assert keyset.primary_id in key_ids
        assert len(key_ids) == 2


class TestDeterministicTokens:
    @pytest.mark.parametrize("case", CRYPTO["deterministic"])
    def test_same_token_as_stored(self, case: dict[str, str]) -> None:
        """Today's code writes the stored AES-SIV token exactly, and reads it back."""
        encryptor = DeterministicEncryptor(_keyset(case["keyset"]))
        context, plaintext = _b64(case["context"]), _b64(case["plaintext"])
        assert encryptor.encrypt(plaintext, context=context) == case["token"]
        assert encryptor.decrypt(case["token"], context=context) == plaintext


class TestBlindIndex:
    @pytest.mark.parametrize("case", CRYPTO["blind_index"])
    def test_same_index_as_stored(self, case: dict[str, Any]) -> None:
        """Today's code computes the stored index exactly (keysets, raw keys, lengths)."""
        if "raw_key" in case:
            index = BlindIndex(_b64(case["raw_key"]), length=case["length"])
        else:
            index = BlindIndex(_keyset(case["keyset"]), length=case["length"])
        value: str | bytes = case["value"] if case["value"] is not None else _b64(case["value_b64"])
        assert index.compute(value, context=_b64(case["context"])) == case["index"]
        assert len(case["index"]) == 2 * case["length"]


class TestFiles:
    @pytest.mark.parametrize(
        "case", CRYPTO["file"], ids=lambda c: f"{c['keyset']}-{c['plaintext_size']}"
    )
    def test_stored_file_decrypts(self, case: dict[str, Any]) -> None:
        """A stored encrypted file decrypts to its plaintext; a flipped byte fails."""
        encryptor = FileEncryptor(_keyset(case["keyset"]), segment_size=4096)
        ciphertext, context = _b64(case["ciphertext"]), _b64(case["context"])
        out = io.BytesIO()
        encryptor.decrypt_stream(io.BytesIO(ciphertext), out, context=context)
        assert out.getvalue() == _file_plaintext(case["plaintext_size"])
        tampered = bytearray(ciphertext)
        tampered[-1] ^= 1
        with pytest.raises(DecryptionError):
            encryptor.decrypt_stream(io.BytesIO(bytes(tampered)), io.BytesIO(), context=context)


def _write_log(path: Path, key: bytes | Ed25519PrivateKey) -> None:
    """The events of the stored logs, written with a frozen clock.

    The stored logs predate the writer's own ``audit.start``/``audit.stop``
    records; those are records of the same format, so they are left out here.
    """
    clock = FrozenClock(CREATED)
    log = AuditLogger.to_file(
        path, key=key, clock=clock, checkpoint_every=3, lifecycle_events=False
    )
    log.register(user_id="u-1", ip="203.0.113.9", port=52100)
    clock.advance(timedelta(seconds=1))
    log.login(user_id="u-1", ip="203.0.113.9", port=52101, src={"ip": "10.8.0.14", "port": 40122})
    clock.advance(timedelta(seconds=1))
    log.emit(
        "app.export",
        user_id="staff-7",
        ip="198.51.100.1",
        port=443,
        outcome="denied",
        reason="no approved purpose",
        data={"rows": 12},
    )
    clock.advance(timedelta(seconds=1))
    log.logout(user_id="u-1", ip="203.0.113.9", port=52101)
    log.close()


_LOGS = {
    "audit-hmac-v2.jsonl": HMAC_KEY,
    "audit-ed25519-v2.jsonl": Ed25519PrivateKey.from_private_bytes(ED25519_SEED),
}
#: Logs of the development format before checkpoint lines had to be written
#: byte for byte as the writer writes them (see CHANGELOG, Security). They must
#: be refused with a finding, never verified or crash the verifier.
_PRE_CANONICAL_LOGS = {
    "audit-hmac.jsonl": HMAC_KEY,
    "audit-ed25519.jsonl": Ed25519PrivateKey.from_private_bytes(ED25519_SEED),
}


class TestAuditLogs:
    @pytest.mark.parametrize("name", sorted(_PRE_CANONICAL_LOGS))
    def test_pre_canonical_logs_are_refused(self, name: str) -> None:
        """A log whose checkpoint lines are not written canonically is refused with findings."""
        key = _PRE_CANONICAL_LOGS[name]
        public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
        report = verify(VECTORS / name, key=public)
        assert not report.ok
        assert report.problems

    @pytest.mark.parametrize("name", sorted(_LOGS))
    def test_stored_log_verifies(self, name: str) -> None:
        """The stored log, records and checkpoints, verifies with its key."""
        key = _LOGS[name]
        public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
        report = verify(VECTORS / name, key=public)
        assert report.ok, report.summary()

    @pytest.mark.parametrize("name", sorted(_LOGS))
    def test_edited_stored_log_fails(self, name: str, tmp_path: Path) -> None:
        """The same log with one record's outcome changed does not verify."""
        text = (VECTORS / name).read_text(encoding="utf-8")
        assert text.count('"outcome":"denied"') == 1
        edited = tmp_path / name
        edited.write_text(text.replace('"outcome":"denied"', '"outcome":"success"'), "utf-8")
        assert not verify(edited, key=_LOGS[name]).ok

    @pytest.mark.parametrize("name", sorted(_LOGS))
    def test_same_lines_as_stored(
        self, name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Today's writer produces the stored lines byte for byte (the log id fixed)."""
        monkeypatch.setattr(uuid, "uuid4", lambda: LOG_ID)
        _write_log(tmp_path / name, _LOGS[name])
        assert (tmp_path / name).read_bytes() == (VECTORS / name).read_bytes()

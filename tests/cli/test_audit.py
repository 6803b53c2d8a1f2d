"""``secpolicy audit verify|keygen``."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from secpolicy.audit import AuditLogger, FileAnchorStore
from secpolicy.cli import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, main

ADDR = {"user_id": "u1", "ip": "203.0.113.9", "port": 52100}


@pytest.fixture
def log(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A key pair made by keygen, and a sealed, anchored log written with it."""
    private, public = tmp_path / "audit.pem", tmp_path / "audit.pub"
    assert main(["audit", "keygen", str(private), str(public)]) == EXIT_OK
    key = load_pem_private_key(private.read_bytes(), password=None)
    anchors = tmp_path / "anchors.jsonl"
    path = tmp_path / "logs" / "audit.jsonl"
    with AuditLogger.to_file(
        path,
        key=key,
        anchor=FileAnchorStore(anchors),
        seal_idle=False,  # type: ignore[arg-type]
    ) as audit:
        for _ in range(20):
            audit.login(**ADDR)
    return path, public, anchors


def test_keygen_permissions_and_no_key_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The private key is owner-only; output names files and the key id, never key bytes."""
    private, public = tmp_path / "k.pem", tmp_path / "k.pub"
    assert main(["audit", "keygen", str(private), str(public)]) == EXIT_OK
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    out = capsys.readouterr().out
    assert "key id" in out
    assert "PRIVATE" not in out
    assert main(["audit", "keygen", str(private), str(public)]) == EXIT_USAGE
    assert "--force" in capsys.readouterr().err
    assert main(["audit", "keygen", str(private), str(public), "--force"]) == EXIT_OK


def test_verify_ok(log: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """A clean log exits 0 with a summary."""
    path, public, anchors = log
    assert (
        main(["audit", "verify", str(path), "--key", str(public), "--anchor", str(anchors)])
        == EXIT_OK
    )
    assert capsys.readouterr().out.startswith("OK: 24 records")


def test_verify_tampered_json(
    log: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A modified record exits 1; --json gives the problem with file and line."""
    path, public, anchors = log
    lines = path.read_bytes().splitlines(keepends=True)
    lines[5] = lines[5].replace(b"203.0.113.9", b"203.0.113.8")
    path.write_bytes(b"".join(lines))
    code = main(
        ["audit", "verify", str(path), "--key", str(public), "--anchor", str(anchors), "--json"]
    )
    assert code == EXIT_FAILURE
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert report["problems"][0]["kind"] == "modified"
    assert report["problems"][0]["line"] == 6


def test_strict_fails_on_warnings(tmp_path: Path, log: tuple[Path, Path, Path]) -> None:
    """A torn line after the last checkpoint is a warning: it fails only with --strict."""
    path, public, _ = log
    with path.open("ab") as file:
        file.write(b'{"seq":24')
    assert main(["audit", "verify", str(path), "--key", str(public)]) == EXIT_OK
    assert main(["audit", "verify", str(path), "--key", str(public), "--strict"]) == EXIT_FAILURE


def test_unsealed_records_and_expected_logs(
    log: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Records no checkpoint seals fail; --expected-log-id names the logs that must be there."""
    path, public, anchors = log
    base = ["audit", "verify", str(path), "--key", str(public), "--anchor", str(anchors)]
    log_id = json.loads(path.read_bytes().splitlines()[0])["log_id"]
    assert main([*base, "--expected-log-id", log_id]) == EXIT_OK
    capsys.readouterr()
    assert main([*base, "--expected-log-id", "f" * 32, "--json"]) == EXIT_FAILURE
    kinds = {p["kind"] for p in json.loads(capsys.readouterr().out)["problems"]}
    assert kinds == {"unknown_log", "missing_log"}
    key = load_pem_private_key((public.parent / "audit.pem").read_bytes(), password=None)
    audit = AuditLogger.to_file(path, key=key, anchor=FileAnchorStore(anchors), seal_idle=False)  # type: ignore[arg-type]
    audit.login(**ADDR)
    assert main(base) == EXIT_FAILURE  # written, not sealed yet
    assert "unsealed" in capsys.readouterr().out
    audit.close()
    assert main(base) == EXIT_OK


def test_progress_bar(log: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """--progress draws a bar on standard error."""
    path, public, _ = log
    assert main(["audit", "verify", str(path), "--key", str(public), "--progress"]) == EXIT_OK
    assert "100%" in capsys.readouterr().err


def test_hmac_key_from_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An HMAC key is read from an environment variable, hex or base64url."""
    key = bytes(range(32))
    path = tmp_path / "audit.jsonl"
    with AuditLogger.to_file(path, key=key, seal_idle=False) as audit:
        audit.login(**ADDR)
    monkeypatch.setenv("AUDIT_KEY", key.hex())
    assert main(["audit", "verify", str(path), "--hmac-key-env", "AUDIT_KEY"]) == EXIT_OK
    monkeypatch.setenv("AUDIT_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8")
    assert main(["audit", "verify", str(path), "--hmac-key-env", "AUDIT_KEY"]) == EXIT_OK


@pytest.mark.parametrize(
    ("extra", "env", "message"),
    [
        ([], None, "give the checkpoint key"),
        (["--key", "missing.pem"], None, "cannot read"),
        (["--key", "notakey.pem"], None, "not an unencrypted PEM key"),
        (["--hmac-key-env", "NOPE"], None, "is not set"),
        (["--hmac-key-env", "AUDIT_KEY"], "zz!!", "neither hex nor base64url"),
        (["--hmac-key-env", "AUDIT_KEY"], "abcd", "at least 32 bytes"),
        (["--key", "audit.pub", "--anchor", "none.jsonl"], None, "does not exist"),
    ],
)
def test_usage_errors(  # noqa: PLR0917 (pytest fixtures and parameters)
    log: tuple[Path, Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    env: str | None,
    message: str,
) -> None:
    """Bad keys and files exit 2 with a message that names them."""
    path, public, _ = log
    monkeypatch.chdir(public.parent)
    (public.parent / "notakey.pem").write_text("hello")
    if env is not None:
        monkeypatch.setenv("AUDIT_KEY", env)
    assert main(["audit", "verify", str(path), *extra]) == EXIT_USAGE
    assert message in capsys.readouterr().err


def test_other_key_types_are_refused(
    tmp_path: Path, log: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Only Ed25519 keys are checkpoint keys."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    other = tmp_path / "ec.pub"
    other.write_bytes(
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    path, _, _ = log
    assert main(["audit", "verify", str(path), "--key", str(other)]) == EXIT_USAGE
    assert "not an Ed25519 key" in capsys.readouterr().err

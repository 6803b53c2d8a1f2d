"""``secpolicy keys generate|rotate``."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from secpolicy.cli import EXIT_OK, EXIT_USAGE, main
from secpolicy.crypto import FieldEncryptor, FileKeyProvider, Keyset, KeysetError


def test_generate_and_rotate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A new keyset is owner-only; rotation keeps old tokens readable; no key bytes printed."""
    path = tmp_path / "keys.json"
    assert (
        main(["keys", "generate", str(path), "--algorithm", "SM4-GCM", "--unencrypted"]) == EXIT_OK
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    keyset = FileKeyProvider(path).load()
    token = FieldEncryptor(keyset).encrypt(b"v", context=b"c")
    assert main(["keys", "rotate", str(path), "--unencrypted"]) == EXIT_OK
    rotated = FileKeyProvider(path).load()
    assert len(rotated) == 2
    assert rotated.primary_id != keyset.primary_id
    assert FieldEncryptor(rotated).decrypt(token, context=b"c") == b"v"
    out = capsys.readouterr().out
    for key in rotated:
        assert key.material is not None
        assert key.material.hex() not in out
        assert base64.urlsafe_b64encode(key.material).decode().rstrip("=") not in out
    assert f"{rotated.primary_id:08x}" in out


def test_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An existing keyset is not replaced without --force."""
    path = tmp_path / "keys.json"
    main(["keys", "generate", str(path), "--unencrypted"])
    before = path.read_bytes()
    assert main(["keys", "generate", str(path), "--unencrypted"]) == EXIT_USAGE
    assert "--force" in capsys.readouterr().err
    assert path.read_bytes() == before
    assert main(["keys", "generate", str(path), "--force", "--unencrypted"]) == EXIT_OK
    assert path.read_bytes() != before


def test_wrapped_with_kek(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --kek-env the file is wrapped and needs the KEK to load."""
    kek = bytes(range(32))
    monkeypatch.setenv("KEK", base64.urlsafe_b64encode(kek).decode().rstrip("="))
    path = tmp_path / "keys.json"
    assert main(["keys", "generate", str(path), "--kek-env", "KEK"]) == EXIT_OK
    assert main(["keys", "rotate", str(path), "--kek-env", "KEK"]) == EXIT_OK
    assert len(FileKeyProvider(path, kek=kek).load()) == 2
    with pytest.raises(KeysetError, match="wrapped"):
        Keyset.from_json(path.read_text())


@pytest.mark.parametrize(
    ("value", "message"),
    [(None, "is not set"), ("!!!", "not base64url"), ("AAAA", "32 bytes")],
)
def test_bad_kek(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    value: str | None,
    message: str,
) -> None:
    """A missing or malformed KEK is a usage error and writes nothing."""
    if value is None:
        monkeypatch.delenv("KEK", raising=False)
    else:
        monkeypatch.setenv("KEK", value)
    path = tmp_path / "keys.json"
    assert main(["keys", "generate", str(path), "--kek-env", "KEK"]) == EXIT_USAGE
    assert message in capsys.readouterr().err
    assert not path.exists()


def test_rotate_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Rotating a missing keyset is a usage error naming the file."""
    assert main(["keys", "rotate", str(tmp_path / "nope.json"), "--unencrypted"]) == EXIT_USAGE
    assert "does not exist" in capsys.readouterr().err


def test_clear_keys_must_be_asked_for(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without --kek-env, key bytes are written in the clear only with --unencrypted."""
    path = tmp_path / "keys.json"
    assert main(["keys", "generate", str(path)]) == EXIT_USAGE
    assert "--unencrypted" in capsys.readouterr().err
    assert not path.exists()


def test_purpose_is_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--purpose binds the wrap: rotating under another purpose is refused."""
    kek = bytes(range(32))
    monkeypatch.setenv("KEK", base64.urlsafe_b64encode(kek).decode().rstrip("="))
    path = tmp_path / "keys.json"
    args = ["--kek-env", "KEK", "--purpose", "phones"]
    assert main(["keys", "generate", str(path), *args]) == EXIT_OK
    assert main(["keys", "rotate", str(path), *args]) == EXIT_OK
    assert main(["keys", "rotate", str(path), "--kek-env", "KEK", "--purpose", "ids"]) == EXIT_USAGE
    assert "another purpose" in capsys.readouterr().err
    assert main(["keys", "rotate", str(path), *args, "--unencrypted"]) == EXIT_USAGE

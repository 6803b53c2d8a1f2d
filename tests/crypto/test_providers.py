"""Key providers: environment variable and file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from secpolicy.crypto import EnvKeyProvider, FileKeyProvider, KeyProvider, Keyset, KeysetError


class TestEnvKeyProvider:
    def test_loads(self) -> None:
        """The keyset is read from the named variable."""
        ks = Keyset.generate()
        provider = EnvKeyProvider("KS", environ={"KS": ks.to_json(unencrypted=True)})
        assert isinstance(provider, KeyProvider)
        assert provider.load().to_dict() == ks.to_dict()

    def test_wrapped(self) -> None:
        """A wrapped keyset is unwrapped with the KEK."""
        ks = Keyset.generate()
        kek = b"K" * 32
        provider = EnvKeyProvider(environ={"SECPOLICY_KEYSET": ks.to_json(kek=kek)}, kek=kek)
        assert provider.load().primary_id == ks.primary_id

    def test_missing(self) -> None:
        """An unset variable is named in the error."""
        with pytest.raises(KeysetError, match="KS is not set"):
            EnvKeyProvider("KS", environ={}).load()

    def test_reads_os_environ(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without a mapping, os.environ is read at load time."""
        ks = Keyset.generate()
        monkeypatch.setenv("SECPOLICY_KEYSET", ks.to_json(unencrypted=True))
        assert EnvKeyProvider().load().primary_id == ks.primary_id
        assert repr(EnvKeyProvider()) == "EnvKeyProvider('SECPOLICY_KEYSET')"


class TestFileKeyProvider:
    def test_save_and_load(self, tmp_path: Path) -> None:
        """A saved keyset loads back, and the file is owner-only."""
        path = tmp_path / "keys.json"
        provider = FileKeyProvider(path, unencrypted=True)
        ks = Keyset.generate()
        provider.save(ks)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert provider.load().to_dict() == ks.to_dict()
        assert [p.name for p in tmp_path.iterdir()] == ["keys.json"]

    def test_wrapped_file(self, tmp_path: Path) -> None:
        """With a KEK the file holds no key bytes."""
        path = tmp_path / "keys.json"
        ks = Keyset.generate()
        FileKeyProvider(path, kek=b"K" * 32).save(ks)
        material = ks.primary.material
        assert material is not None
        assert material.hex() not in path.read_text()
        assert FileKeyProvider(path, kek=b"K" * 32).load().primary_id == ks.primary_id

    def test_rotation_cycle(self, tmp_path: Path) -> None:
        """Load, rotate, save keeps the old key and the new primary."""
        provider = FileKeyProvider(tmp_path / "keys.json", unencrypted=True)
        provider.save(Keyset.generate())
        ks = provider.load()
        new = ks.rotate()
        provider.save(ks)
        again = provider.load()
        assert again.primary_id == new.id
        assert len(again) == 2

    def test_missing_file(self, tmp_path: Path) -> None:
        """A missing file is a KeysetError naming the path."""
        with pytest.raises(KeysetError, match="does not exist"):
            FileKeyProvider(tmp_path / "nope.json").load()
        assert "nope.json" in repr(FileKeyProvider(tmp_path / "nope.json"))

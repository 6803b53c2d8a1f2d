"""Where keysets come from: a small protocol and two providers."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from secpolicy._fs import atomic_output
from secpolicy.crypto._keyset import Keyset, KeyWrapper
from secpolicy.exceptions import KeysetError

if TYPE_CHECKING:
    from collections.abc import Mapping


@runtime_checkable
class KeyProvider(Protocol):
    """Loads a keyset from wherever the service keeps it.

    Implement it to fetch keysets from a KMS, Vault or a cloud secret
    manager; secpolicy ships :class:`EnvKeyProvider` and
    :class:`FileKeyProvider`.
    """

    def load(self) -> Keyset:
        """Return the current keyset."""
        ...


class EnvKeyProvider:
    """Read a keyset's JSON from an environment variable.

    Args:
        variable: The variable's name (default ``SECPOLICY_KEYSET``).
        kek: The key-encryption key if the keyset is wrapped (recommended:
            inject the wrapped keyset and the KEK through different channels).
            With a KEK, a clear keyset in the variable is refused.
        purpose: The purpose the keyset was wrapped for.
        environ: The environment to read (default ``os.environ``); pass a
            mapping in tests.
    """

    __slots__ = ("_environ", "_kek", "_purpose", "variable")

    def __init__(
        self,
        variable: str = "SECPOLICY_KEYSET",
        *,
        kek: bytes | KeyWrapper | None = None,
        purpose: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.variable = variable
        self._kek = kek
        self._purpose = purpose
        self._environ = environ

    def load(self) -> Keyset:
        """Parse the variable's value as a keyset.

        Raises:
            KeysetError: If the variable is unset or its value is not a keyset.
        """
        environ = os.environ if self._environ is None else self._environ
        value = environ.get(self.variable)
        if not value:
            raise KeysetError(f"environment variable {self.variable} is not set")
        return Keyset.from_json(value, kek=self._kek, purpose=self._purpose)

    def __repr__(self) -> str:
        return f"EnvKeyProvider({self.variable!r})"


class FileKeyProvider:
    """Read and write a keyset as a JSON file.

    :meth:`save` replaces the file atomically with owner-only permissions, so a
    crash during rotation never leaves a half-written keyset.

    Args:
        path: The keyset file.
        kek: The key-encryption key to wrap and unwrap the keyset with. With
            a KEK, a clear keyset file is refused on load.
        purpose: What the keyset is for; bound into the wrap.
        unencrypted: Without *kek*, let :meth:`save` write key bytes in the
            clear (see ``Keyset.to_json``'s danger note).

    .. versionchanged:: 0.2
       ``purpose=`` and ``unencrypted=``; saving without a KEK needs
       ``unencrypted=True``.
    """

    __slots__ = ("_kek", "_purpose", "_unencrypted", "path")

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        kek: bytes | KeyWrapper | None = None,
        purpose: str | None = None,
        unencrypted: bool = False,
    ) -> None:
        self.path = Path(path)
        self._kek = kek
        self._purpose = purpose
        self._unencrypted = unencrypted

    def load(self) -> Keyset:
        """Read the keyset file.

        Raises:
            KeysetError: If the file is missing, cannot be read (a directory,
                no permission) or is not a keyset.
        """
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            raise KeysetError(f"keyset file {self.path} does not exist") from None
        except OSError as error:  # a directory, no permission
            reason = error.strerror or type(error).__name__
            raise KeysetError(f"keyset file {self.path} cannot be read ({reason})") from None
        return Keyset.from_json(data, kek=self._kek, purpose=self._purpose)

    def save(self, keyset: Keyset) -> None:
        """Write *keyset* to the file atomically, readable by the owner only.

        Raises:
            KeysetError: Without a KEK unless the provider was made with
                ``unencrypted=True``, or if the file cannot be written (the
                old file, if any, is left as it was).
        """
        data = keyset.to_json(
            kek=self._kek,
            purpose=self._purpose,
            unencrypted=self._kek is None and self._unencrypted,
        ).encode("utf-8")
        try:
            with atomic_output(self.path, mode=0o600) as out:
                out.write(data)
        except OSError as error:  # a missing directory, no permission, a full disk
            reason = error.strerror or type(error).__name__
            raise KeysetError(f"keyset file {self.path} cannot be written ({reason})") from None

    def __repr__(self) -> str:
        return f"FileKeyProvider({str(self.path)!r})"

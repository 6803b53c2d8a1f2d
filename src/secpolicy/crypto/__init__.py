"""Field and file encryption with keysets and rotation.

Pick the helper by what the column needs:

- :class:`FieldEncryptor`: AES-256-GCM (or SM4-GCM) with the row and column
  bound as context. The default for personal data.
- :class:`DeterministicEncryptor`: AES-SIV, when the column must be found by
  exact value *and* decrypted. Leaks equality.
- :class:`BlindIndex`: keyed HMAC stored beside a :class:`FieldEncryptor`
  token, to search without decrypting. Leaks equality.
- :class:`FileEncryptor`: files and streams of any size in authenticated
  segments.

All of them take a :class:`Keyset`; :meth:`Keyset.rotate` adds a new primary
key while older tokens keep decrypting. Every decryption failure raises the one
:class:`~secpolicy.exceptions.DecryptionError`.
"""

from __future__ import annotations

from secpolicy.crypto._blind import BlindIndex
from secpolicy.crypto._deterministic import DeterministicEncryptor
from secpolicy.crypto._field import FieldEncryptor
from secpolicy.crypto._files import FileEncryptor
from secpolicy.crypto._keyset import (
    AesGcmKeyWrapper,
    Key,
    Keyset,
    KeyState,
    KeyWrapper,
    PassphraseWrapper,
)
from secpolicy.crypto._primitives import (
    AES_256_GCM,
    AES_SIV,
    HMAC_SHA256,
    HMAC_SM3,
    SM4_GCM,
    Algorithm,
)
from secpolicy.crypto._providers import EnvKeyProvider, FileKeyProvider, KeyProvider
from secpolicy.exceptions import DecryptionError, KeysetError

__all__ = [
    "AES_256_GCM",
    "AES_SIV",
    "HMAC_SHA256",
    "HMAC_SM3",
    "SM4_GCM",
    "AesGcmKeyWrapper",
    "Algorithm",
    "BlindIndex",
    "DecryptionError",
    "DeterministicEncryptor",
    "EnvKeyProvider",
    "FieldEncryptor",
    "FileEncryptor",
    "FileKeyProvider",
    "Key",
    "KeyProvider",
    "KeyState",
    "KeyWrapper",
    "Keyset",
    "KeysetError",
    "PassphraseWrapper",
]

from secpolicy._public import set_module as _set_module

_set_module(globals())

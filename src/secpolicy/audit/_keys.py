"""Reading checkpoint keys from where operators keep them: PEM files and environment variables."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import TYPE_CHECKING, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key

from secpolicy.exceptions import PolicyConfigError

if TYPE_CHECKING:
    import os

    from secpolicy.audit._chain import VerifyKey

__all__ = ["load_hmac_key", "load_key_file"]

_MIN_HMAC_KEY: Final = 32


def load_key_file(path: str | os.PathLike[str]) -> VerifyKey:
    """The Ed25519 key in the unencrypted PEM file *path* (private or public).

    A private key signs checkpoints (the writer); a public key only verifies
    them (auditors). ``secpolicy audit keygen`` writes such a pair.

    Raises:
        PolicyConfigError: If the file cannot be read or holds no Ed25519
            key; the message names the file, never key bytes.
    """
    source = Path(path)
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise PolicyConfigError(f"cannot read {source}: {exc.strerror}", field="key") from None
    loaded: object
    try:
        loaded = (
            load_pem_public_key(data)
            if b"PUBLIC KEY" in data
            else load_pem_private_key(data, password=None)
        )
    except (ValueError, TypeError):
        raise PolicyConfigError(f"{source} is not an unencrypted PEM key", field="key") from None
    if not isinstance(loaded, (Ed25519PublicKey, Ed25519PrivateKey)):
        raise PolicyConfigError(f"{source} is not an Ed25519 key", field="key")
    return loaded


def load_hmac_key(text: str, *, name: str = "key") -> bytes:
    """HMAC checkpoint key bytes from hex or base64url *text* (an environment variable's value).

    Args:
        text: The encoded key.
        name: What to call the value in errors (``"environment variable AUDIT_KEY"``).

    Raises:
        PolicyConfigError: If *text* is empty, not hex or base64url, or
            shorter than 32 bytes; the message never repeats the value.
    """
    value = text.strip()
    if not value:
        raise PolicyConfigError(f"{name} is empty or not set", field="key")
    try:
        key = bytes.fromhex(value)
    except ValueError:
        try:
            key = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        except (ValueError, binascii.Error):
            raise PolicyConfigError(f"{name} is neither hex nor base64url", field="key") from None
    if len(key) < _MIN_HMAC_KEY:
        raise PolicyConfigError(f"{name} must hold at least {_MIN_HMAC_KEY} bytes", field="key")
    return key

"""Keysets: named keys with ids and states, one primary, rotation and serialisation."""

from __future__ import annotations

import enum
import json
import os
import secrets
import threading
from datetime import UTC, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Protocol, runtime_checkable

import attrs
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from secpolicy._clock import to_utc
from secpolicy.crypto._primitives import (
    AES_256_GCM,
    KEY_SIZES,
    KINDS,
    NONCE_SIZE,
    Algorithm,
    InvalidTag,
    Kind,
    b64decode,
    b64encode,
)
from secpolicy.exceptions import DecryptionError, KeysetError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

FORMAT: Final = "secpolicy.keyset"
FORMAT_VERSION: Final = 1
_WRAP_CONTEXT: Final = b"secpolicy.keyset.v1"
_MAX_ID: Final = 2**32 - 1


class KeyState(enum.Enum):
    """The life-cycle state of a key in a keyset.

    - ``ENABLED``: usable; the primary encrypts, every enabled key decrypts.
    - ``DISABLED``: kept but refused for every operation; can be re-enabled.
      Disable a retired key first, watch for failures, then destroy it.
    - ``DESTROYED``: key bytes erased from the keyset; anything encrypted under
      it can no longer be decrypted. The id stays so that failures are explained.
    """

    ENABLED = "enabled"
    DISABLED = "disabled"
    DESTROYED = "destroyed"


@attrs.frozen(kw_only=True, eq=False)
class Key:
    """One key of a keyset. Its bytes never appear in ``repr`` or ``str``.

    Attributes:
        id: Random 32-bit identifier, unique in the keyset, carried by tokens.
        algorithm: One of ``"AES-256-GCM"``, ``"SM4-GCM"``, ``"AES-SIV"``,
            ``"HMAC-SHA256"``, ``"HMAC-SM3"``.
        state: The key's :class:`KeyState`.
        created: When the key was generated (aware UTC).
        material: The key bytes, or ``None`` once destroyed.
    """

    id: int
    algorithm: Algorithm
    state: KeyState
    created: datetime
    material: bytes | None = attrs.field(repr=False)

    @property
    def kind(self) -> Kind:
        """The purpose the key serves (``"aead"``, ``"deterministic"`` or ``"mac"``)."""
        return KINDS[self.algorithm]

    @property
    def usable(self) -> bool:
        """True if the key may be used, that is, it is enabled and not destroyed."""
        return self.state is KeyState.ENABLED and self.material is not None

    def __str__(self) -> str:
        return f"key {self.id:08x} ({self.algorithm}, {self.state.value})"


@attrs.frozen
class _Snapshot:
    """An immutable view of the keyset; replaced whole on every change."""

    primary: int
    keys: Mapping[int, Key]


@runtime_checkable
class KeyWrapper(Protocol):
    """Encrypts a serialised keyset with a key-encryption key (KEK).

    Implement it to keep the KEK in a KMS or HSM: ``wrap`` and ``unwrap`` call
    the service's encrypt and decrypt operations. ``unwrap`` must raise
    :class:`~secpolicy.exceptions.DecryptionError` when the data does not
    authenticate.
    """

    def wrap(self, data: bytes, *, context: bytes) -> bytes:
        """Encrypt *data*, binding *context* as associated data."""
        ...

    def unwrap(self, data: bytes, *, context: bytes) -> bytes:
        """Decrypt what :meth:`wrap` produced with the same *context*."""
        ...


class AesGcmKeyWrapper:
    """A local :class:`KeyWrapper` with a 32-byte AES-256-GCM key-encryption key.

    Args:
        kek: 32 random bytes, kept apart from the wrapped keyset (another
            secret store, an environment variable injected at deploy time).
    """

    __slots__ = ("_aead",)

    def __init__(self, kek: bytes) -> None:
        given: object = kek  # checked at run time for untyped callers
        if not isinstance(given, bytes) or len(given) != KEY_SIZES[AES_256_GCM]:
            raise KeysetError("kek must be exactly 32 bytes")
        self._aead = AESGCM(kek)

    def wrap(self, data: bytes, *, context: bytes) -> bytes:
        """Encrypt *data* under the KEK with a fresh nonce."""
        nonce = os.urandom(NONCE_SIZE)
        return nonce + self._aead.encrypt(nonce, data, context)

    def unwrap(self, data: bytes, *, context: bytes) -> bytes:
        """Decrypt wrapped data; raise ``DecryptionError`` if it does not authenticate."""
        try:
            return self._aead.decrypt(data[:NONCE_SIZE], data[NONCE_SIZE:], context)
        except (InvalidTag, ValueError):
            raise DecryptionError("could not unwrap keyset") from None

    def __repr__(self) -> str:
        return "AesGcmKeyWrapper(kek=<hidden>)"


def _as_wrapper(kek: bytes | KeyWrapper) -> KeyWrapper:
    return AesGcmKeyWrapper(kek) if isinstance(kek, bytes) else kek


def _new_key(algorithm: str, taken: Iterable[int], now: datetime | None) -> Key:
    if algorithm not in KEY_SIZES:
        raise KeysetError(f"algorithm must be one of {', '.join(KEY_SIZES)}")
    taken = set(taken)
    key_id = secrets.randbelow(_MAX_ID) + 1
    while key_id in taken:  # pragma: no cover - a 1 in 2**32 event
        key_id = secrets.randbelow(_MAX_ID) + 1
    created = datetime.now(UTC) if now is None else to_utc(now, name="now")
    return Key(
        id=key_id,
        algorithm=algorithm,  # type: ignore[arg-type]  # checked against KEY_SIZES above
        state=KeyState.ENABLED,
        created=created,
        material=secrets.token_bytes(KEY_SIZES[algorithm]),
    )


def _validate(keys: Mapping[int, Key], primary: int) -> None:
    if not keys:
        raise KeysetError("a keyset needs at least one key")
    kinds = {key.kind for key in keys.values()}
    if len(kinds) > 1:
        raise KeysetError(
            f"a keyset holds keys of one kind, found {', '.join(sorted(kinds))}; "
            "use one keyset per purpose"
        )
    for key in keys.values():
        if not 0 < key.id <= _MAX_ID:
            raise KeysetError("key ids must be between 1 and 2**32 - 1")
        expected = KEY_SIZES[key.algorithm]
        if key.state is KeyState.DESTROYED:
            if key.material is not None:
                raise KeysetError(f"key {key.id:08x} is destroyed but still has material")
        elif key.material is None or len(key.material) != expected:
            raise KeysetError(f"key {key.id:08x}: {key.algorithm} needs a {expected}-byte key")
    if primary not in keys:
        raise KeysetError(f"primary key {primary:08x} is not in the keyset")
    if not keys[primary].usable:
        raise KeysetError(f"primary key {primary:08x} must be enabled")


class Keyset:
    """Named keys with ids, one of them primary; the unit of key rotation.

    The primary key encrypts; every enabled key decrypts. A keyset holds keys
    of one kind (``aead``, ``deterministic`` or ``mac``) so that a key made for
    blind indexes can never encrypt. Changes (:meth:`rotate`, :meth:`disable`,
    :meth:`destroy`, …) replace an immutable snapshot atomically, so encryptors
    that share the keyset see either the old or the new state, never a mix, and
    reads take no lock.

    Example:
        >>> ks = Keyset.generate()
        >>> old = ks.primary_id
        >>> new = ks.rotate()
        >>> ks.primary_id == new.id != old
        True
    """

    __slots__ = ("__weakref__", "_lock", "_snapshot")

    def __init__(self, keys: Iterable[Key], *, primary: int) -> None:
        by_id: dict[int, Key] = {}
        for key in keys:
            if key.id in by_id:
                raise KeysetError(f"duplicate key id {key.id:08x}")
            by_id[key.id] = key
        _validate(by_id, primary)
        self._lock = threading.Lock()
        self._snapshot = _Snapshot(primary, MappingProxyType(by_id))

    @classmethod
    def generate(cls, algorithm: Algorithm = AES_256_GCM, *, now: datetime | None = None) -> Keyset:
        """Create a keyset with one fresh random key of *algorithm* as primary.

        Args:
            algorithm: ``"AES-256-GCM"`` (default) or ``"SM4-GCM"`` for
                :class:`FieldEncryptor` and :class:`FileEncryptor`;
                ``"AES-SIV"`` for :class:`DeterministicEncryptor`;
                ``"HMAC-SHA256"`` or ``"HMAC-SM3"`` for :class:`BlindIndex`.
            now: Creation time recorded on the key (default: the system clock).
        """
        key = _new_key(algorithm, (), now)
        return cls([key], primary=key.id)

    # -- reading ---------------------------------------------------------------

    @property
    def primary(self) -> Key:
        """The key that encrypts."""
        snap = self._snapshot
        return snap.keys[snap.primary]

    @property
    def primary_id(self) -> int:
        """The primary key's id."""
        return self._snapshot.primary

    @property
    def kind(self) -> Kind:
        """The kind of every key in the keyset (``"aead"``, ``"deterministic"`` or ``"mac"``)."""
        return self.primary.kind

    @property
    def keys(self) -> tuple[Key, ...]:
        """Every key, in the order added."""
        return tuple(self._snapshot.keys.values())

    def get(self, key_id: int) -> Key:
        """Return the key with *key_id*.

        Raises:
            KeysetError: If there is no such key.
        """
        try:
            return self._snapshot.keys[key_id]
        except KeyError:
            raise KeysetError(f"no key {key_id:08x} in the keyset") from None

    def __len__(self) -> int:
        return len(self._snapshot.keys)

    def __iter__(self) -> Iterator[Key]:
        return iter(self.keys)

    def __repr__(self) -> str:
        snap = self._snapshot
        keys = ", ".join(
            f"{k.id:08x}:{k.algorithm}:{k.state.value}{'*' if k.id == snap.primary else ''}"
            for k in snap.keys.values()
        )
        return f"Keyset([{keys}])"

    # -- changing --------------------------------------------------------------

    def _replace(self, snapshot: _Snapshot) -> None:
        _validate(snapshot.keys, snapshot.primary)
        self._snapshot = snapshot

    def _with_key(self, snap: _Snapshot, key: Key) -> dict[int, Key]:
        keys = dict(snap.keys)
        keys[key.id] = key
        return keys

    def add(self, algorithm: Algorithm | None = None, *, now: datetime | None = None) -> Key:
        """Add a new enabled key that is *not* yet primary, and return it.

        This is the first step of a staged rotation: distribute the keyset to
        every service so that all of them can decrypt with the new key, then
        :meth:`promote` it. :meth:`rotate` does both at once.
        """
        with self._lock:
            snap = self._snapshot
            key = _new_key(algorithm or snap.keys[snap.primary].algorithm, snap.keys, now)
            keys = self._with_key(snap, key)
            self._replace(_Snapshot(snap.primary, MappingProxyType(keys)))
            return key

    def promote(self, key_id: int) -> None:
        """Make the enabled key *key_id* the primary.

        Raises:
            KeysetError: If the key is unknown or not enabled.
        """
        with self._lock:
            snap = self._snapshot
            self.get(key_id)
            self._replace(_Snapshot(key_id, snap.keys))

    def rotate(self, algorithm: Algorithm | None = None, *, now: datetime | None = None) -> Key:
        """Add a fresh key and make it primary; old keys stay for decryption.

        Args:
            algorithm: The new key's algorithm (default: the current primary's);
                it must be of the same kind, e.g. AES-256-GCM to SM4-GCM.
            now: Creation time recorded on the key.

        Returns:
            The new primary key.
        """
        with self._lock:
            snap = self._snapshot
            key = _new_key(algorithm or snap.keys[snap.primary].algorithm, snap.keys, now)
            self._replace(_Snapshot(key.id, MappingProxyType(self._with_key(snap, key))))
            return key

    def _set_state(self, key_id: int, state: KeyState) -> None:
        with self._lock:
            snap = self._snapshot
            key = self.get(key_id)
            if key_id == snap.primary and state is not KeyState.ENABLED:
                raise KeysetError(
                    f"key {key_id:08x} is the primary; promote another key before "
                    f"making it {state.value}"
                )
            if key.state is KeyState.DESTROYED and state is not KeyState.DESTROYED:
                raise KeysetError(f"key {key_id:08x} is destroyed and cannot be {state.value}")
            material = None if state is KeyState.DESTROYED else key.material
            new = attrs.evolve(key, state=state, material=material)
            self._replace(_Snapshot(snap.primary, MappingProxyType(self._with_key(snap, new))))

    def disable(self, key_id: int) -> None:
        """Refuse key *key_id* for every operation, keeping its bytes (reversible)."""
        self._set_state(key_id, KeyState.DISABLED)

    def enable(self, key_id: int) -> None:
        """Re-enable a disabled key."""
        self._set_state(key_id, KeyState.ENABLED)

    def destroy(self, key_id: int) -> None:
        """Erase key *key_id*'s bytes from the keyset; its data becomes unreadable.

        .. danger::
            Irreversible. Re-encrypt everything under the key first
            (``FieldEncryptor.reencrypt``), and disable it for a while to
            catch stragglers before destroying it.
        """
        self._set_state(key_id, KeyState.DESTROYED)

    # -- serialisation ---------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The versioned, JSON-ready form of the keyset (contains key bytes)."""
        snap = self._snapshot
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "primary": snap.primary,
            "keys": [
                {
                    "id": k.id,
                    "algorithm": k.algorithm,
                    "state": k.state.value,
                    "created": k.created.isoformat(),
                    "material": None if k.material is None else b64encode(k.material),
                }
                for k in snap.keys.values()
            ],
        }

    def to_json(self, *, kek: bytes | KeyWrapper | None = None) -> str:
        """Serialise the keyset to JSON, wrapped with *kek* if given.

        .. danger::
            Without *kek* the JSON contains the key bytes in the clear. Store it
            only in a secret store, never beside the data it protects.

        Args:
            kek: A 32-byte key-encryption key or a :class:`KeyWrapper` (for a
                KMS). The wrapped form reveals nothing but its format.
        """
        plain = json.dumps(self.to_dict(), separators=(",", ":"), sort_keys=True)
        if kek is None:
            return plain
        wrapped = _as_wrapper(kek).wrap(plain.encode("utf-8"), context=_WRAP_CONTEXT)
        return json.dumps(
            {"format": FORMAT, "version": FORMAT_VERSION, "wrapped": b64encode(wrapped)},
            separators=(",", ":"),
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, data: str | bytes, *, kek: bytes | KeyWrapper | None = None) -> Keyset:
        """Load a keyset written by :meth:`to_json`.

        Raises:
            KeysetError: If the data is malformed (the message names the field).
            DecryptionError: If a wrapped keyset does not unwrap with *kek*.
        """
        try:
            doc = json.loads(data)
        except (ValueError, TypeError):
            raise KeysetError("keyset is not valid JSON") from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            raise KeysetError(f"format: expected {FORMAT!r}")
        if doc.get("version") != FORMAT_VERSION:
            raise KeysetError(f"version: expected {FORMAT_VERSION}")
        if "wrapped" in doc:
            if kek is None:
                raise KeysetError("keyset is wrapped; pass the key-encryption key as kek=")
            text = _field(doc, "wrapped", str)
            try:
                blob = b64decode(text)
            except ValueError:
                raise KeysetError("wrapped: not valid base64url") from None
            plain = _as_wrapper(kek).unwrap(blob, context=_WRAP_CONTEXT)
            return cls.from_json(plain)
        return cls.from_dict(doc)

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Keyset:
        """Load a keyset from the form :meth:`to_dict` returns.

        Raises:
            KeysetError: If the data is malformed (the message names the field).
        """
        primary = _field(doc, "primary", int)
        raw_keys = _field(doc, "keys", list)
        keys = [_key_from_dict(item, f"keys[{i}]") for i, item in enumerate(raw_keys)]
        return cls(keys, primary=primary)


def _field(doc: Any, name: str, kind: type[Any], path: str = "") -> Any:
    where = f"{path}.{name}" if path else name
    if not isinstance(doc, dict) or name not in doc:
        raise KeysetError(f"{where}: missing")
    value = doc[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise KeysetError(f"{where}: expected {kind.__name__}")
    return value


def _key_from_dict(item: Any, path: str) -> Key:
    algorithm = _field(item, "algorithm", str, path)
    if algorithm not in KEY_SIZES:
        raise KeysetError(f"{path}.algorithm: unknown algorithm")
    state_text = _field(item, "state", str, path)
    try:
        state = KeyState(state_text)
    except ValueError:
        raise KeysetError(f"{path}.state: expected enabled, disabled or destroyed") from None
    created_text = _field(item, "created", str, path)
    try:
        created = to_utc(datetime.fromisoformat(created_text), name=f"{path}.created")
    except ValueError:
        raise KeysetError(f"{path}.created: expected an aware ISO 8601 time") from None
    raw = item.get("material")
    material: bytes | None = None
    if raw is not None:
        if not isinstance(raw, str):
            raise KeysetError(f"{path}.material: expected base64url text or null")
        try:
            material = b64decode(raw)
        except ValueError:
            raise KeysetError(f"{path}.material: not valid base64url") from None
    return Key(
        id=_field(item, "id", int, path),
        algorithm=algorithm,
        state=state,
        created=created,
        material=material,
    )

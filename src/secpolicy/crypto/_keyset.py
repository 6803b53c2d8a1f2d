"""Keysets: named keys with ids and states, one primary, rotation and serialisation."""

from __future__ import annotations

import enum
import json
import os
import secrets
import struct
import threading
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Protocol, runtime_checkable

import attrs
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from secpolicy._clock import Clock, SystemClock, to_utc
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
#: The version of the wrapped form: 2 binds the purpose as associated data.
WRAPPED_VERSION: Final = 2
_WRAP_CONTEXT_V1: Final = b"secpolicy.keyset.v1"
_WRAP_CONTEXT_V2: Final = b"secpolicy.keyset.v2\x00"
_MAX_ID: Final = 2**32 - 1
#: The members each object of the serialised forms may have; anything else is
#: refused, so that no field is silently ignored (a planted ``"primary2"``, a
#: misspelt ``"purpose"``).
_KEYSET_FIELDS: Final = frozenset({"format", "version", "primary", "keys"})
_WRAPPED_FIELDS: Final = {
    FORMAT_VERSION: frozenset({"format", "version", "wrapped"}),
    WRAPPED_VERSION: frozenset({"format", "version", "purpose", "wrapped"}),
}
_KEY_FIELDS: Final = frozenset({"id", "algorithm", "state", "created", "material"})
_MAX_SHOWN: Final = 64  # characters of an unknown member's name put in the message
_MAX_PURPOSE: Final = 256


def _wrap_context(purpose: str) -> bytes:
    """The associated data of a wrapped keyset: the format, its version and the purpose."""
    return _WRAP_CONTEXT_V2 + purpose.encode("utf-8")


def _check_purpose(purpose: object) -> str:
    if purpose is None:
        return ""
    if not isinstance(purpose, str) or len(purpose) > _MAX_PURPOSE:
        raise KeysetError(f"purpose must be text of at most {_MAX_PURPOSE} characters")
    try:
        purpose.encode("utf-8")  # it is bound as UTF-8 associated data
    except UnicodeEncodeError:
        raise KeysetError("purpose must be valid Unicode text (no lone surrogates)") from None
    return purpose


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


def _key_id(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise KeysetError(f"key {attribute.name}: expected int, not {type(value).__name__}")
    if not 0 < value <= _MAX_ID:
        raise KeysetError("key ids must be between 1 and 2**32 - 1")


def _key_algorithm(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or value not in KEY_SIZES:
        raise KeysetError(f"key {attribute.name}: must be one of {', '.join(KEY_SIZES)}")


def _key_state(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, KeyState):
        raise KeysetError(f"key {attribute.name}: expected a KeyState, not {type(value).__name__}")


def _key_created(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise KeysetError(f"key {attribute.name}: expected an aware datetime")


def _key_material(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    # Exactly bytes: a bytearray could be changed under the keyset after validation.
    if value is not None and type(value) is not bytes:
        raise KeysetError(
            f"key {attribute.name}: expected bytes or None, not {type(value).__name__}"
        )


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

    Raises:
        KeysetError: For a field of the wrong type (the message names the
            field, never the key bytes).

    .. versionchanged:: 0.2
       The fields are checked at construction.
    """

    id: int = attrs.field(validator=_key_id)
    algorithm: Algorithm = attrs.field(validator=_key_algorithm)
    state: KeyState = attrs.field(validator=_key_state)
    created: datetime = attrs.field(validator=_key_created)
    material: bytes | None = attrs.field(repr=False, validator=_key_material)

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


_SCRYPT_MAGIC: Final = b"SPSC"  # secpolicy scrypt wrap
_SCRYPT_HEADER: Final = struct.Struct(">4sBBBB")  # magic, version, log2(n), r, p
_SCRYPT_SALT: Final = 16
#: The scrypt parameters :class:`PassphraseWrapper` uses by default: N=2**17,
#: r=8, p=1 (OWASP's password-storage recommendation; 128 MiB, ~0.3 s).
SCRYPT_LOG2_N: Final = 17
SCRYPT_R: Final = 8
SCRYPT_P: Final = 1
_SCRYPT_MIN_LOG2_N: Final = 14
_SCRYPT_MAX_LOG2_N: Final = 20
_SCRYPT_MAX_R: Final = 16
_SCRYPT_MAX_P: Final = 4
_MIN_PASSPHRASE: Final = 12


class PassphraseWrapper:
    """A :class:`KeyWrapper` whose key-encryption key is derived from a passphrase (scrypt).

    For small deployments without a KMS: an operator types or injects a
    passphrase, and the keyset file on disk stays wrapped. Each wrap draws a
    fresh 16-byte salt, derives a 32-byte key with scrypt (N=2**17, r=8, p=1
    by default: 128 MiB and about a third of a second per wrap or unwrap)
    and encrypts with AES-256-GCM. The salt and the parameters travel in the
    wrapped bytes; on unwrap, parameters above N=2**20, r=16 or p=4 are
    refused so a planted file cannot make loading take minutes.

    Args:
        passphrase: At least 12 characters (12 bytes if given as bytes); a
            long random passphrase (six or more diceware words) is what makes
            this safe.
        log2_n: scrypt's cost as a power of two (14 to 20; default 17).
        r: scrypt's block size (default 8).
        p: scrypt's parallelism (default 1).

    Raises:
        KeysetError: For a short passphrase or parameters out of range.

    .. versionadded:: 0.2
    """

    __slots__ = ("_passphrase", "log2_n", "p", "r")

    def __init__(
        self,
        passphrase: str | bytes,
        *,
        log2_n: int = SCRYPT_LOG2_N,
        r: int = SCRYPT_R,
        p: int = SCRYPT_P,
    ) -> None:
        given: object = passphrase
        if isinstance(given, str):
            # Counted in characters, as documented: four CJK characters are
            # twelve bytes of UTF-8 but a far shorter passphrase.
            if len(given) < _MIN_PASSPHRASE:
                raise KeysetError(f"passphrase must be at least {_MIN_PASSPHRASE} characters")
            try:
                secret = given.encode("utf-8")
            except UnicodeEncodeError:
                raise KeysetError("passphrase must be valid Unicode text") from None
        elif isinstance(given, (bytes, bytearray)):
            secret = bytes(given)
            if len(secret) < _MIN_PASSPHRASE:
                raise KeysetError(f"passphrase must be at least {_MIN_PASSPHRASE} bytes")
        else:
            raise KeysetError("passphrase must be text or bytes")
        _check_scrypt(log2_n, r, p)
        self._passphrase = secret
        self.log2_n, self.r, self.p = log2_n, r, p

    def _key(self, salt: bytes, log2_n: int, r: int, p: int) -> AESGCM:
        kdf = Scrypt(salt=salt, length=32, n=2**log2_n, r=r, p=p)
        return AESGCM(kdf.derive(self._passphrase))

    def wrap(self, data: bytes, *, context: bytes) -> bytes:
        """Encrypt *data* under a key derived from the passphrase and a fresh salt."""
        header = _SCRYPT_HEADER.pack(_SCRYPT_MAGIC, 1, self.log2_n, self.r, self.p)
        salt = os.urandom(_SCRYPT_SALT)
        nonce = os.urandom(NONCE_SIZE)
        sealed = self._key(salt, self.log2_n, self.r, self.p).encrypt(
            nonce, data, header + salt + context
        )
        return header + salt + nonce + sealed

    def unwrap(self, data: bytes, *, context: bytes) -> bytes:
        """Decrypt wrapped data; ``DecryptionError`` for a wrong passphrase or any tampering."""
        size = _SCRYPT_HEADER.size
        if len(data) < size + _SCRYPT_SALT + NONCE_SIZE + 16:
            raise DecryptionError("could not unwrap keyset")
        magic, version, log2_n, r, p = _SCRYPT_HEADER.unpack_from(data)
        if magic != _SCRYPT_MAGIC or version != 1:
            raise DecryptionError("could not unwrap keyset")
        try:
            _check_scrypt(log2_n, r, p)
        except KeysetError:
            raise DecryptionError("could not unwrap keyset") from None
        header, salt = data[:size], data[size : size + _SCRYPT_SALT]
        nonce = data[size + _SCRYPT_SALT : size + _SCRYPT_SALT + NONCE_SIZE]
        body = data[size + _SCRYPT_SALT + NONCE_SIZE :]
        try:
            return self._key(salt, log2_n, r, p).decrypt(nonce, body, header + salt + context)
        except (InvalidTag, ValueError):
            raise DecryptionError("could not unwrap keyset") from None

    def __repr__(self) -> str:
        return f"PassphraseWrapper(log2_n={self.log2_n}, r={self.r}, p={self.p})"


def _check_scrypt(log2_n: object, r: object, p: object) -> None:
    for name, value, low, high in (
        ("log2_n", log2_n, _SCRYPT_MIN_LOG2_N, _SCRYPT_MAX_LOG2_N),
        ("r", r, 1, _SCRYPT_MAX_R),
        ("p", p, 1, _SCRYPT_MAX_P),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise KeysetError(f"scrypt {name} must be an integer from {low} to {high}")


def _as_wrapper(kek: object) -> KeyWrapper:
    if isinstance(kek, (bytes, bytearray, memoryview)):
        return AesGcmKeyWrapper(bytes(kek))
    if isinstance(kek, KeyWrapper):
        return kek
    raise KeysetError(
        f"kek must be 32 bytes or a KeyWrapper (wrap/unwrap), not {type(kek).__name__}"
    )


def _new_key(algorithm: str, taken: Iterable[int], now: datetime) -> Key:
    if algorithm not in KEY_SIZES:
        raise KeysetError(f"algorithm must be one of {', '.join(KEY_SIZES)}")
    taken = set(taken)
    key_id = secrets.randbelow(_MAX_ID) + 1
    while key_id in taken:  # pragma: no cover - a 1 in 2**32 event
        key_id = secrets.randbelow(_MAX_ID) + 1
    created = to_utc(now, name="now")
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

    __slots__ = ("__weakref__", "_clock", "_lock", "_snapshot")

    def __init__(self, keys: Iterable[Key], *, primary: int, clock: Clock | None = None) -> None:
        given: object = primary  # checked at run time for untyped callers
        if isinstance(given, bool) or not isinstance(given, int):
            raise KeysetError(f"primary: expected an int key id, not {type(given).__name__}")
        by_id: dict[int, Key] = {}
        for key in keys:
            item: object = key
            if not isinstance(item, Key):
                raise KeysetError(f"keys must be Key objects, not {type(item).__name__}")
            if key.id in by_id:
                raise KeysetError(f"duplicate key id {key.id:08x}")
            by_id[key.id] = key
        _validate(by_id, primary)
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._lock = threading.Lock()
        self._snapshot = _Snapshot(primary, MappingProxyType(by_id))

    @classmethod
    def generate(
        cls,
        algorithm: Algorithm = AES_256_GCM,
        *,
        now: datetime | None = None,
        clock: Clock | None = None,
    ) -> Keyset:
        """Create a keyset with one fresh random key of *algorithm* as primary.

        Args:
            algorithm: ``"AES-256-GCM"`` (default) or ``"SM4-GCM"`` for
                :class:`FieldEncryptor` and :class:`FileEncryptor`;
                ``"AES-SIV"`` for :class:`DeterministicEncryptor`;
                ``"HMAC-SHA256"`` or ``"HMAC-SM3"`` for :class:`BlindIndex`.
            now: Creation time recorded on the key (default: *clock*'s now).
            clock: Where creation times of this and later keys come from
                (default: the system clock).

        .. versionchanged:: 0.2
           ``clock=``.
        """
        clock = clock if clock is not None else SystemClock()
        key = _new_key(algorithm, (), clock.now() if now is None else now)
        return cls([key], primary=key.id, clock=clock)

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
            created = self._clock.now() if now is None else now
            key = _new_key(algorithm or snap.keys[snap.primary].algorithm, snap.keys, created)
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
            created = self._clock.now() if now is None else now
            key = _new_key(algorithm or snap.keys[snap.primary].algorithm, snap.keys, created)
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

    def to_json(
        self,
        *,
        kek: bytes | KeyWrapper | None = None,
        purpose: str | None = None,
        unencrypted: bool = False,
    ) -> str:
        """Serialise the keyset to JSON, wrapped with *kek*.

        The wrap binds *purpose* (``"customers.phone"``) and the format
        version as associated data, so a keyset wrapped for one purpose
        cannot be loaded as another's, even under the same KEK.

        .. danger::
            With ``unencrypted=True`` the JSON contains the key bytes in the
            clear. Store it only in a secret store, never beside the data it
            protects. It must be asked for by name, like cryptography's
            ``NoEncryption()``.

        Args:
            kek: A 32-byte key-encryption key or a :class:`KeyWrapper` (a KMS
                or HSM, :class:`PassphraseWrapper`). The wrapped form reveals
                nothing but its format, version and purpose.
            purpose: What the keyset is for; :meth:`from_json` must be given
                the same.
            unencrypted: Write the key bytes in the clear (no *kek*).

        Raises:
            KeysetError: Without *kek* unless ``unencrypted=True``; with both.

        .. versionchanged:: 0.2
           ``unencrypted=True`` is required for clear JSON; ``purpose=``.
        """
        label = _check_purpose(purpose)
        plain = json.dumps(self.to_dict(), separators=(",", ":"), sort_keys=True)
        if kek is None:
            if not unencrypted:
                raise KeysetError(
                    "to_json() without kek writes key bytes in the clear; "
                    "pass kek=... or unencrypted=True"
                )
            return plain
        if unencrypted:
            raise KeysetError("pass kek or unencrypted=True, not both")
        wrapped = _as_wrapper(kek).wrap(plain.encode("utf-8"), context=_wrap_context(label))
        return json.dumps(
            {
                "format": FORMAT,
                "version": WRAPPED_VERSION,
                "purpose": label,
                "wrapped": b64encode(wrapped),
            },
            separators=(",", ":"),
            sort_keys=True,
        )

    @classmethod
    def from_json(
        cls,
        data: str | bytes,
        *,
        kek: bytes | KeyWrapper | None = None,
        purpose: str | None = None,
        clock: Clock | None = None,
    ) -> Keyset:
        """Load a keyset written by :meth:`to_json`.

        With *kek*, only a wrapped keyset loads: clear JSON is refused, so
        that whoever can write the keyset file cannot swap in their own keys.
        The wrap must have been made for *purpose*.

        Raises:
            KeysetError: If the data is malformed (the message names the
                field), has a member the format does not define, at any level
                (the message names its path, such as ``keys[0].note``), is
                clear although *kek* was given, wrapped although no *kek* was
                given, or wrapped for another purpose.
            DecryptionError: If a wrapped keyset does not unwrap with *kek*.

        .. versionchanged:: 0.2
           Clear JSON is refused when *kek* is given; ``purpose=``, ``clock=``;
           unknown members are refused instead of ignored.
        """
        label = _check_purpose(purpose)
        wrapper = None if kek is None else _as_wrapper(kek)
        doc = _parse(data)
        if "wrapped" not in doc:
            if wrapper is not None:
                raise KeysetError(
                    "keyset is not wrapped but a key-encryption key was given; "
                    "refusing clear key material"
                )
            _version(doc, FORMAT_VERSION)
            return cls.from_dict(doc, clock=clock)
        if wrapper is None:
            raise KeysetError("keyset is wrapped; pass the key-encryption key as kek=")
        version = _version(doc, FORMAT_VERSION, WRAPPED_VERSION)
        text = _field(doc, "wrapped", str)
        try:
            blob = b64decode(text)
        except ValueError:
            raise KeysetError("wrapped: not valid base64url") from None
        _known_fields(doc, _WRAPPED_FIELDS[version], "")
        if version == FORMAT_VERSION:
            if label:
                raise KeysetError(
                    "keyset was wrapped by an older version without a purpose; "
                    "load it without purpose= and save it again to bind one"
                )
            context = _WRAP_CONTEXT_V1
        else:
            stored = _check_purpose(_field(doc, "purpose", str))
            if stored != label:
                raise KeysetError("keyset was wrapped for another purpose")
            context = _wrap_context(label)
        plain = wrapper.unwrap(blob, context=context)
        inner = _parse(plain)
        if "wrapped" in inner:
            raise KeysetError("wrapped keyset holds another wrapped keyset")
        _version(inner, FORMAT_VERSION)
        return cls.from_dict(inner, clock=clock)

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any], *, clock: Clock | None = None) -> Keyset:
        """Load a keyset from the form :meth:`to_dict` returns.

        Raises:
            KeysetError: If the data is malformed (the message names the
                field), is of another format or version (or lacks them), or
                has a member the format does not define (the message names
                its path).

        .. versionchanged:: 0.2
           Unknown members are refused; every key must have ``material``
           (``null`` once destroyed); ``format`` and ``version`` are required.
        """
        if not isinstance(doc, dict):
            raise KeysetError("keyset: expected a JSON object")
        _known_fields(doc, _KEYSET_FIELDS, "")
        if doc.get("format") != FORMAT:
            raise KeysetError(f"format: expected {FORMAT!r}")
        _version(doc, FORMAT_VERSION)
        primary = _field(doc, "primary", int)
        raw_keys = _field(doc, "keys", list)
        keys = [_key_from_dict(item, f"keys[{i}]") for i, item in enumerate(raw_keys)]
        return cls(keys, primary=primary, clock=clock)


def _parse(data: object) -> dict[str, Any]:
    """The JSON object of a keyset document, with its format checked."""
    if not isinstance(data, (str, bytes, bytearray)):
        raise KeysetError(f"keyset must be JSON text or bytes, not {type(data).__name__}")
    try:
        doc = json.loads(data, object_pairs_hook=_unique_members)
    except KeysetError:
        raise
    except (ValueError, TypeError, RecursionError):
        raise KeysetError("keyset is not valid JSON") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise KeysetError(f"format: expected {FORMAT!r}")
    return doc


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refused if a member name repeats (parsers disagree on which wins)."""
    doc: dict[str, Any] = {}
    for name, value in pairs:
        if name in doc:
            shown = (
                name if len(name) <= _MAX_SHOWN and name.isprintable() else repr(name[:_MAX_SHOWN])
            )
            raise KeysetError(f"{shown}: duplicate member")
        doc[name] = value
    return doc


def _version(doc: Mapping[str, Any], *allowed: int) -> int:
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version not in allowed:
        raise KeysetError(f"version: expected {' or '.join(map(str, allowed))}")
    return version


def _field(doc: Any, name: str, kind: type[Any], path: str = "") -> Any:
    where = f"{path}.{name}" if path else name
    if not isinstance(doc, dict) or name not in doc:
        raise KeysetError(f"{where}: missing")
    value = doc[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise KeysetError(f"{where}: expected {kind.__name__}")
    return value


def _known_fields(doc: Mapping[str, Any], allowed: frozenset[str], path: str) -> None:
    """Refuse a member *doc* may not have, naming its path (never its value)."""
    for name in doc:
        if name not in allowed:
            where = f"{path}.{name}" if path else str(name)
            if len(where) > _MAX_SHOWN or not where.isprintable():
                where = repr(where[:_MAX_SHOWN])
            raise KeysetError(f"{where}: unknown field")


def _key_from_dict(item: Any, path: str) -> Key:
    if not isinstance(item, dict):
        raise KeysetError(f"{path}: expected a JSON object")
    _known_fields(item, _KEY_FIELDS, path)
    if "material" not in item:
        raise KeysetError(f"{path}.material: missing")
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
    except (ValueError, OverflowError):
        # OverflowError: an offset that pushes the time out of datetime's range in UTC.
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

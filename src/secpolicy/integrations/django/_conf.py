"""The ``SECPOLICY`` setting: read lazily, resolved once, forgotten when it changes."""

from __future__ import annotations

import inspect
import threading
import unicodedata
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar, cast, get_args

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

from secpolicy import Clock, SystemClock
from secpolicy.audit import AuditLogger
from secpolicy.exceptions import PolicyConfigError
from secpolicy.integrations._net import TrustedProxies
from secpolicy.password import LockoutPolicy, LoginThrottle, PasswordPolicy, ThrottleStore, profiles
from secpolicy.policyfile import ServicePolicy, load_policy
from secpolicy.rbac import RBAC

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "DEFAULT_LOCKOUT",
    "LockoutKey",
    "SettingsError",
    "audit_logger",
    "clock",
    "option",
    "profile",
    "rbac",
    "reset",
    "throttle",
    "trusted_proxies",
]

T = TypeVar("T")

#: The rulebooks' lockout: three consecutive failures lock the account for
#: 30 minutes (failures older than 30 minutes are forgotten).
DEFAULT_LOCKOUT: Final = LockoutPolicy(
    max_failures=3, window=timedelta(minutes=30), duration=timedelta(minutes=30)
)

LockoutKey = Literal["username", "ip", "username_ip"]
_LOCKOUT_KEYS: Final = frozenset(get_args(LockoutKey))

#: Every key the ``SECPOLICY`` dictionary may hold.
KNOWN: Final = frozenset(
    {
        "AUDIT_LOGGER",
        "AUDIT_USER_ID",
        "CLIENT_PORT_HEADER",
        "CLOCK",
        "CORRELATION_ID_HEADER",
        "LOCKOUT_KEYS",
        "LOCKOUT_POLICY",
        "ON_LOCK",
        "POLICY_FILE",
        "RBAC",
        "RBAC_PERMISSION",
        "RBAC_TENANT",
        "RBAC_USER",
        "THROTTLE_STORE",
        "TRUSTED_PROXIES",
    }
)


class SettingsError(PolicyConfigError, ImproperlyConfigured):
    """A secpolicy setting or option that cannot be used.

    It is both Django's :class:`~django.core.exceptions.ImproperlyConfigured`
    (what Django code expects of a bad setting) and secpolicy's
    :class:`~secpolicy.exceptions.PolicyConfigError`.

    .. versionadded:: 0.2
    """


_lock = threading.RLock()
_cache: dict[str, Any] = {}


def _settings() -> dict[str, Any]:
    value = getattr(settings, "SECPOLICY", {})
    if not isinstance(value, dict):
        raise SettingsError("SECPOLICY must be a dict")
    unknown = sorted(set(value) - KNOWN)
    if unknown:
        raise SettingsError(f"SECPOLICY has unknown keys {unknown}; known: {sorted(KNOWN)}")
    return value


def option(name: str, default: Any = None) -> Any:
    """The raw value of ``SECPOLICY[name]``, or *default*."""
    return _settings().get(name, default)


def reset(**_: Any) -> None:
    """Forget everything resolved from the settings (tests change them).

    An audit logger that a configured factory made is closed: nothing else
    holds it.
    """
    with _lock:
        owned = _cache.pop("audit_owned", None)
        _cache.clear()
    if isinstance(owned, AuditLogger):
        owned.close()


def _on_setting_changed(*, setting: str, **_: Any) -> None:
    if setting == "SECPOLICY":
        reset()


setting_changed.connect(_on_setting_changed, dispatch_uid="secpolicy-settings")


def _cached(name: str, build: Callable[[], T]) -> T:
    with _lock:
        if name not in _cache:
            _cache[name] = build()
        return cast("T", _cache[name])


def _import(name: str, value: object) -> object:
    if isinstance(value, str):
        try:
            return import_string(value)
        except ImportError as exc:
            raise SettingsError(f"SECPOLICY[{name!r}]: cannot import {value!r}") from exc
    return value


def instance(name: str, value: object, kind: type[T] | Any) -> T:
    """*value* as an instance of *kind*: itself, an import path to it, a class or a factory."""
    value = _import(name, value)
    if inspect.isclass(value) or (not isinstance(value, kind) and callable(value)):
        try:
            value = value()
        except TypeError as exc:
            raise SettingsError(
                f"SECPOLICY[{name!r}]: {exc} (give an instance or a factory without arguments)"
            ) from exc
    if not isinstance(value, kind):
        raise SettingsError(
            f"SECPOLICY[{name!r}] must give a {getattr(kind, '__name__', kind)}, "
            f"not {type(value).__name__}"
        )
    return cast("T", value)


def function(name: str, default: Callable[..., T]) -> Callable[..., T]:
    """The callable configured as ``SECPOLICY[name]`` (or its import path), or *default*."""
    value = _import(name, option(name))
    if value is None:
        return default
    if not callable(value):
        raise SettingsError(f"SECPOLICY[{name!r}] must be a callable or its import path")
    return cast("Callable[..., T]", value)


def profile(name: str) -> PasswordPolicy:
    """The password profile called *name* (``"cn-mlps-l3"`` or ``"CN_MLPS_L3"``)."""
    for constant in profiles.__all__:
        policy: PasswordPolicy = getattr(profiles, constant)
        if name in (constant, policy.name):
            return policy
    names = sorted(getattr(profiles, constant).name for constant in profiles.__all__)
    raise SettingsError(f"unknown password profile {name!r}; choose one of {names}")


def policy_file() -> ServicePolicy | None:
    """The service policy of ``SECPOLICY["POLICY_FILE"]``, if one is configured."""
    path = option("POLICY_FILE")
    if path is None:
        return None
    return _cached("policy_file", lambda: load_policy(path))


def audit_logger() -> AuditLogger | None:
    """The configured audit logger, or None if auditing through Django is off."""
    value = option("AUDIT_LOGGER")
    if value is None:
        return None

    def build() -> AuditLogger:
        target = _import("AUDIT_LOGGER", value)
        logger: AuditLogger = instance("AUDIT_LOGGER", target, AuditLogger)
        if logger is not target:
            _cache["audit_owned"] = logger
        return logger

    return _cached("audit", build)


def clock() -> Clock:
    """The configured clock (default: the system clock)."""
    value = option("CLOCK")
    if value is None:
        return SystemClock()
    return _cached("clock", lambda: instance("CLOCK", value, Clock))


def trusted_proxies() -> TrustedProxies:
    """The proxies whose forwarded headers are believed (default: none)."""
    return _cached("proxies", lambda: TrustedProxies(option("TRUSTED_PROXIES", ())))


def lockout_policy() -> LockoutPolicy:
    """The lockout rules: ``LOCKOUT_POLICY``, the policy file's, or :data:`DEFAULT_LOCKOUT`."""
    value = option("LOCKOUT_POLICY")
    if isinstance(value, LockoutPolicy):
        return value
    if isinstance(value, str):
        lockout = profile(value).lockout
        if lockout is None:
            raise SettingsError(f"password profile {value!r} has no lockout rules")
        return lockout
    if value is not None:
        raise SettingsError("SECPOLICY['LOCKOUT_POLICY'] must be a LockoutPolicy or a profile name")
    service = policy_file()
    if (
        service is not None
        and service.password is not None
        and service.password.lockout is not None
    ):
        return service.password.lockout
    return DEFAULT_LOCKOUT


def lockout_keys() -> tuple[LockoutKey, ...]:
    """What failures are counted against: ``("username",)`` unless configured."""
    value = option("LOCKOUT_KEYS", ("username",))
    keys = (value,) if isinstance(value, str) else tuple(value)
    if not keys or any(key not in _LOCKOUT_KEYS for key in keys):
        raise SettingsError(f"SECPOLICY['LOCKOUT_KEYS'] must list some of {sorted(_LOCKOUT_KEYS)}")
    return cast("tuple[LockoutKey, ...]", keys)


def throttle() -> LoginThrottle:
    """The login throttle, with the configured store (default: in memory)."""

    def build() -> LoginThrottle:
        value = option("THROTTLE_STORE")
        store = None if value is None else instance("THROTTLE_STORE", value, ThrottleStore)
        return LoginThrottle(lockout_policy(), store=store)

    return _cached("throttle", build)


def rbac() -> RBAC:
    """The RBAC engine: ``SECPOLICY["RBAC"]``, else the policy file's ``[rbac]``."""

    def build() -> RBAC:
        value = option("RBAC")
        if value is not None:
            return instance("RBAC", value, RBAC)
        service = policy_file()
        if service is not None and service.rbac is not None:
            return service.rbac
        raise SettingsError(
            "the secpolicy RBAC backend needs SECPOLICY['RBAC'] or a POLICY_FILE with [rbac]"
        )

    return _cached("rbac", build)


def canonical_name(name: str) -> str:
    """A login name folded so that ``Alice`` and ``alice`` count as one account."""
    return unicodedata.normalize("NFKC", name).casefold().strip()

"""Authentication backends: refuse locked accounts; answer permissions from secpolicy.rbac."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

from secpolicy.exceptions import SecPolicyError
from secpolicy.integrations.django import _conf
from secpolicy.integrations.django._addresses import client_address

if TYPE_CHECKING:
    from django.http import HttpRequest

    from secpolicy.password import LockStatus

__all__ = ["LockoutBackend", "RBACBackend", "lockout_keys", "lockout_status", "permission_target"]

_BAD_SEGMENTS: Final = frozenset({"", ".", "..", "*", "**"})


def lockout_keys(username: str | None, ip: str | None) -> list[str]:
    """The throttle keys a login attempt counts against (``SECPOLICY["LOCKOUT_KEYS"]``).

    Usernames are NFKC-normalised and case-folded, so ``Alice`` and
    ``alice`` share one count whatever the user model's lookup does.

    .. versionadded:: 0.2
    """
    name = _conf.canonical_name(username) if isinstance(username, str) and username else None
    keys = []
    for kind in _conf.lockout_keys():
        if kind == "username" and name is not None:
            keys.append(f"user:{name}")
        elif kind == "ip" and ip is not None:
            keys.append(f"ip:{ip}")
        elif kind == "username_ip" and name is not None and ip is not None:
            keys.append(f"user_ip:{name}|{ip}")
    return keys


def lockout_status(username: str | None, request: HttpRequest | None) -> LockStatus | None:
    """The most restrictive throttle status for this attempt, or None if nothing holds it back.

    .. versionadded:: 0.2
    """
    ip = client_address(request).ip if request is not None else None
    throttle = _conf.throttle()
    now = _conf.clock().now()
    for key in lockout_keys(username, ip):
        status = throttle.status(key, now=now)
        if not status.allowed:
            return status
    return None


def attempted_username(credentials: dict[str, Any]) -> str | None:
    """The login name of an attempt, read the way ``ModelBackend`` reads it.

    ``username`` first, then the user model's ``USERNAME_FIELD``: counting a
    different field than the one the password is checked for would let an
    attacker pick which count a guess lands on.
    """
    value = credentials.get("username")
    if value is None:
        field = getattr(get_user_model(), "USERNAME_FIELD", "username")
        value = credentials.get(field)
    return value if isinstance(value, str) and value else None


class LockoutBackend:
    """Refuse to authenticate a locked account (put it first in ``AUTHENTICATION_BACKENDS``).

    It never authenticates anyone. While the account (or the client address,
    see ``SECPOLICY["LOCKOUT_KEYS"]``) is locked it raises
    :class:`~django.core.exceptions.PermissionDenied`, which makes
    :func:`django.contrib.auth.authenticate` stop before any other backend
    checks the password, so a locked account cannot be unlocked by guessing
    right. Failures are counted by the ``user_login_failed`` receiver that the
    ``secpolicy.integrations.django`` app installs.

    .. versionadded:: 0.2
    """

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        """Raise ``PermissionDenied`` while locked; otherwise let the next backend decide."""
        if lockout_status(attempted_username(credentials), request) is not None:
            raise PermissionDenied("account locked")

    async def aauthenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        """:meth:`authenticate` for ``django.contrib.auth.aauthenticate`` (the store may block)."""
        await sync_to_async(self.authenticate)(request, **credentials)

    def get_user(self, user_id: Any) -> None:
        """This backend keeps no users."""
        return


def _clean(segment: str) -> bool:
    """True for one literal resource segment: no ``/``, no wildcard, not ``.`` or ``..``."""
    return segment not in _BAD_SEGMENTS and "/" not in segment and "*" not in segment


def permission_target(perm: str, obj: Any = None) -> tuple[str, str] | None:  # noqa: PLR0911
    """The RBAC ``(resource, action)`` for a Django permission, or None if it cannot map.

    ``app_label.verb_model`` becomes action ``verb`` on resource
    ``app_label/model``, and on ``app_label/model/<pk>`` for an object;
    a codename without ``_`` is an action on ``app_label`` (or on the object).
    A label, codename or primary key that is not one clean path segment
    (empty, ``.``, ``..``, or containing ``/`` or ``*``) maps to nothing (and
    is denied), never to a pattern.

    .. versionadded:: 0.2
    """
    app_label, dot, codename = perm.partition(".")
    if not dot or not _clean(app_label) or not _clean(codename):
        return None
    verb, _, model = codename.partition("_")
    if obj is not None:
        meta = getattr(obj, "_meta", None)
        pk = getattr(obj, "pk", None)
        if meta is None or pk is None:
            return None
        segment = str(pk)
        if not _clean(segment):
            return None
        if meta.app_label != app_label or (model and model != meta.model_name):
            return None
        return f"{app_label}/{meta.model_name}/{segment}", verb if model else codename
    if not model:
        return app_label, codename
    return f"{app_label}/{model}", verb


class RBACBackend:
    """Answer ``user.has_perm()`` from a :class:`secpolicy.rbac.RBAC` engine.

    Add ``"secpolicy.integrations.django.RBACBackend"`` to
    ``AUTHENTICATION_BACKENDS``; it authenticates no one. The engine comes
    from ``SECPOLICY["RBAC"]`` (an engine, a factory or their import path) or
    from the ``[rbac]`` section of ``SECPOLICY["POLICY_FILE"]``. Users are
    named by ``SECPOLICY["RBAC_USER"]`` (default: ``user.get_username()``)
    and the tenant comes from ``SECPOLICY["RBAC_TENANT"]`` (a callable
    ``(user, obj) -> str``; when it is configured, an answer that is not a
    tenant name, None included, denies: deciding without the tenant would
    skip its denies and labels). ``SECPOLICY["RBAC_PERMISSION"]`` may
    replace :func:`permission_target` with your own ``(perm, obj) ->
    (resource, action) | None``.

    Inactive and anonymous users have no permissions. Django's own
    ``PermissionsMixin.has_perm`` answers True for an active superuser
    before asking any backend: keep ``is_superuser`` off for accounts that
    secpolicy governs.

    .. versionadded:: 0.2
    """

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        """This backend does not authenticate."""
        return

    async def aauthenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        """This backend does not authenticate."""
        return

    def get_user(self, user_id: Any) -> None:
        """This backend keeps no users."""
        return

    def _subject(self, user_obj: Any, obj: Any) -> tuple[str, str | None] | None:
        if user_obj is None or not getattr(user_obj, "is_active", False):
            return None
        if getattr(user_obj, "is_anonymous", True):
            return None
        user = _conf.function("RBAC_USER", lambda u: u.get_username())(user_obj)
        if not isinstance(user, str) or not user:
            return None
        if _conf.option("RBAC_TENANT") is None:
            return user, None
        tenant: object = _conf.function("RBAC_TENANT", lambda _u, _o: None)(user_obj, obj)
        if not isinstance(tenant, str) or not tenant:
            # Deciding without the tenant would skip its denies and labels.
            return None
        return user, tenant

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        """True if the engine allows the mapped action on the mapped resource."""
        subject = self._subject(user_obj, obj)
        if subject is None or not isinstance(perm, str):
            return False
        target = _conf.function("RBAC_PERMISSION", permission_target)(perm, obj)
        if target is None:
            return False
        resource, action = target
        user, tenant = subject
        engine = _conf.rbac()  # a missing engine is a configuration error, not a denial
        try:
            return engine.check(user, resource, action, tenant=tenant)
        except SecPolicyError:
            return False  # a name the engine refuses is a denial, never a match

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        """True if any rule of the user's roles allows something under *app_label*."""
        subject = self._subject(user_obj, None)
        if subject is None:
            return False
        user, tenant = subject
        for rule in _conf.rbac().user_permissions(user, tenant=tenant):
            first = str(rule.resource).split("/", 1)[0]
            if rule.effect == "allow" and first in (app_label, "*", "**"):
                return True
        return False

    async def ahas_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        """:meth:`has_perm` for ``user.ahas_perm()``."""
        return bool(await sync_to_async(self.has_perm)(user_obj, perm, obj))

    async def ahas_module_perms(self, user_obj: Any, app_label: str) -> bool:
        """:meth:`has_module_perms` for ``user.ahas_module_perms()``."""
        return bool(await sync_to_async(self.has_module_perms)(user_obj, app_label))

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        """Nothing can be listed: RBAC rules are patterns, not a finite set of codenames."""
        return set()

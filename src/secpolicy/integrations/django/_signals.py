"""Receivers for Django's login signals: count failures, lock, and audit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import PermissionDenied

from secpolicy.exceptions import AuditWriteError
from secpolicy.integrations.django import _conf
from secpolicy.integrations.django._addresses import client_address, request_correlation_id
from secpolicy.integrations.django._backends import (
    attempted_username,
    lockout_keys,
    lockout_status,
)

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = ["connect", "disconnect"]


def _user_id(user: Any) -> str:
    value = _conf.function("AUDIT_USER_ID", lambda u: u.get_username())(user)
    return str(value)


def _request_fields(request: HttpRequest | None) -> dict[str, Any]:
    if request is None:
        return {}
    fields = client_address(request).audit_fields()
    fields["correlation_id"] = request_correlation_id(request)
    return fields


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **_: Any
) -> None:
    """Count the failure against the account (and address), lock at the limit, audit it."""
    username = attempted_username(credentials)
    fields = _request_fields(request)
    throttle = _conf.throttle()
    now = _conf.clock().now()
    was_locked = False
    locked_now: list[tuple[str, Any]] = []
    worst = None
    failed: Exception | None = None
    try:
        for key in lockout_keys(username, fields.get("ip")):
            before = throttle.status(key, now=now)
            was_locked = was_locked or before.locked
            after = throttle.record_failure(key, now=now)
            if after.locked and not before.locked:
                locked_now.append((key, after))
            if worst is None or (after.locked, after.failures) > (worst.locked, worst.failures):
                worst = after
    except Exception as exc:  # noqa: BLE001 (re-raised below, once the attempt is recorded)
        # The store could not count it: the failed login is still recorded.
        failed = exc
    audit = _conf.audit_logger()
    if audit is not None:
        detail: dict[str, Any] = {
            "reason": "account locked" if was_locked else "invalid credentials",
            "locked": bool(worst is not None and worst.locked),
        }
        if worst is not None:
            detail["failures"] = worst.failures
        if failed is not None:
            detail["throttle_error"] = type(failed).__name__
        # Without a request there is no address to record; with one, the
        # rulebook's fields are required (a server that gives no port fails).
        action = "auth.login" if request is not None else "auth.local_login"
        audit.emit(action, outcome="failure", user_id=username or "unknown", **fields, **detail)
        for key, status in locked_now:
            audit.emit(
                "auth.lockout",
                user_id=username or "unknown",
                key=key,
                failures=status.failures,
                locked_until=status.locked_until.isoformat() if status.locked_until else None,
                **fields,
            )
    notify = _conf.function("ON_LOCK", lambda _key, _status: None)
    for key, status in locked_now:
        notify(key, status)
    if failed is not None:
        raise failed


def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **_: Any) -> None:
    """Refuse a locked account, else clear its failure counts and audit the login.

    The lock is enforced here too, for logins that do not go through
    ``LockoutBackend`` first (another backend ahead of it, a login by e-mail
    link or single sign-on calling ``login()`` directly): the new session is
    flushed and :class:`~django.core.exceptions.PermissionDenied` raised. If
    the login cannot be audited, the session is flushed as well.
    """
    fields = _request_fields(request)
    username = user.get_username()
    try:
        status = lockout_status(username, request)
    except BaseException:
        # The lock cannot be checked: the new session does not stand.
        _flush(request)
        raise
    if status is not None:
        _flush(request)
        audit = _conf.audit_logger()
        if audit is not None:
            audit.emit(
                "auth.login",
                outcome="failure",
                user_id=_user_id(user),
                user_name=username,
                reason="account locked",
                locked=True,
                **fields,
            )
        raise PermissionDenied("account locked")
    throttle = _conf.throttle()
    now = _conf.clock().now()
    try:
        for key in lockout_keys(username, fields.get("ip")):
            throttle.record_success(key, now=now)
    except BaseException:
        _flush(request)
        raise
    audit = _conf.audit_logger()
    if audit is None:
        return
    try:
        audit.login(user_id=_user_id(user), user_name=username, **fields)
    except (AuditWriteError, TypeError, ValueError):
        # Fail closed: a login that could not be recorded does not stand.
        _flush(request)
        raise


def _flush(request: HttpRequest | None) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session.flush()


def on_logged_out(sender: Any, request: HttpRequest | None, user: Any, **_: Any) -> None:
    """Audit the logout of an authenticated user."""
    audit = _conf.audit_logger()
    if audit is None or user is None:
        return
    audit.logout(user_id=_user_id(user), user_name=user.get_username(), **_request_fields(request))


def connect() -> None:
    """Connect the receivers (the app does this in ``ready()``)."""
    user_login_failed.connect(on_login_failed, dispatch_uid="secpolicy-login-failed")
    user_logged_in.connect(on_logged_in, dispatch_uid="secpolicy-logged-in")
    user_logged_out.connect(on_logged_out, dispatch_uid="secpolicy-logged-out")


def disconnect() -> None:
    """Disconnect the receivers."""
    user_login_failed.disconnect(dispatch_uid="secpolicy-login-failed")
    user_logged_in.disconnect(dispatch_uid="secpolicy-logged-in")
    user_logged_out.disconnect(dispatch_uid="secpolicy-logged-out")

"""The services the test project's SECPOLICY setting names: audit log, clock, RBAC engine."""

from __future__ import annotations

from datetime import UTC, datetime

from secpolicy import FrozenClock
from secpolicy.audit import AuditLogger
from secpolicy.integrations.django import _conf
from secpolicy.rbac import RBAC
from tests.integrations.djangoproject.settings import BASE

CLOCK = FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
KEY = b"k" * 32

RBAC_ENGINE = RBAC()
RBAC_ENGINE.add_role("teller")
RBAC_ENGINE.grant("teller", "bank/account/*", "view")
RBAC_ENGINE.grant("teller", "bank/account", "view")
RBAC_ENGINE.deny("teller", "bank/account/7", "view")
RBAC_ENGINE.add_user("alice")
RBAC_ENGINE.assign("alice", "teller")


def audit_logger() -> AuditLogger:
    """A fresh audit log in the project's temporary directory."""
    return AuditLogger.to_file(BASE / "audit.jsonl", key=KEY, clock=CLOCK, seal_idle=False)


def reset() -> None:
    """Forget the throttle and the audit logger between tests."""
    _conf.reset()


ON_LOCK_CALLS: list[str] = []


def on_lock(key: str, status: object) -> None:
    """Record which key was locked (the notification hook)."""
    ON_LOCK_CALLS.append(key)


def audit_logger_instance() -> AuditLogger:
    """The audit logger the integration is using now."""
    logger = _conf.audit_logger()
    assert logger is not None
    return logger

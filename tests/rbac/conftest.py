"""Fixtures for the RBAC tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from secpolicy import FrozenClock
from secpolicy.rbac import RBAC, RBACEvent

START = datetime(2026, 1, 1, tzinfo=UTC)
LEVELS = ("公开", "内部", "秘密", "机密", "绝密")


@pytest.fixture
def clock() -> FrozenClock:
    """A clock at 2026-01-01 UTC."""
    return FrozenClock(START)


@pytest.fixture
def events() -> list[RBACEvent]:
    """Events the engine reports."""
    return []


@pytest.fixture
def bank(clock: FrozenClock, events: list[RBACEvent]) -> RBAC:
    """A small bank branch: viewer < teller < manager, a privileged DBA role."""
    rbac = RBAC(
        levels=LEVELS, clock=clock, on_event=events.append, max_grant_duration=timedelta(days=400)
    )
    rbac.add_role("viewer")
    rbac.add_role("teller", inherits=["viewer"])
    rbac.add_role("manager", inherits=["teller"])
    rbac.add_role("auditor")
    rbac.add_role("dba", privileged=True, approvals=2)
    rbac.grant("viewer", "accounts/**", "read")
    rbac.grant("teller", "accounts/*/transfers", "create")
    rbac.grant("manager", "loans/*", "*")
    rbac.deny("teller", "accounts/vip/**", "*")
    rbac.grant("auditor", "logs/**", "read")
    rbac.grant("dba", "db/**", "*")
    for user in ("alice", "bob", "carol", "dave", "erin"):
        rbac.add_user(user)
    rbac.assign("alice", "teller", tenant="b1")
    rbac.assign("bob", "manager", tenant="b1")
    rbac.assign("carol", "auditor", tenant="b1")
    rbac.add_role("approver")
    rbac.assign("bob", "approver")
    rbac.assign("carol", "approver")
    return rbac

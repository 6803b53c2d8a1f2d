"""Privileged roles: requests, approvals, expiry, events."""

from __future__ import annotations

from datetime import timedelta

import pytest

from secpolicy import FrozenClock
from secpolicy.exceptions import ConstraintViolation, PolicyConfigError
from secpolicy.rbac import RBAC, RBACEvent

from .conftest import START


def _request(bank: RBAC, hours: int = 2) -> object:
    return bank.request_grant(
        "dave",
        "dba",
        requested_by="alice",
        duration=timedelta(hours=hours),
        reason="INC-42 fix index",
    )


class TestApprovals:
    def test_two_approvals_then_active(self, bank: RBAC, events: list[RBACEvent]) -> None:
        """The grant is active only after two approvals by other people."""
        request = _request(bank)
        assert not bank.check("dave", "db/orders", "alter")
        assert request.approve("bob") is None  # type: ignore[attr-defined]
        assert not bank.check("dave", "db/orders", "alter")
        grant = request.approve("carol")  # type: ignore[attr-defined]
        assert grant is not None
        assert grant.approvers == ("bob", "carol")
        assert grant.expires == START + timedelta(hours=2)
        assert bank.check("dave", "db/orders", "alter")
        assert bank.decide("dave", "db/orders", "alter").privileged
        kinds = [e.kind for e in events if e.kind != "privileged_use"]
        assert kinds[-4:] == [
            "grant_requested",
            "grant_approved",
            "grant_approved",
            "grant_activated",
        ]
        assert events[-1].kind == "privileged_use"
        assert events[-1].details["resource"] == "db/orders"

    @pytest.mark.parametrize("approver", ["alice", "dave"])
    def test_requester_and_grantee_cannot_approve(self, bank: RBAC, approver: str) -> None:
        """Neither the requester nor the grantee may approve."""
        request = _request(bank)
        with pytest.raises(ConstraintViolation, match="neither the requester nor the grantee"):
            request.approve(approver)  # type: ignore[attr-defined]

    def test_no_double_approval(self, bank: RBAC) -> None:
        """One approver counts once."""
        request = _request(bank)
        request.approve("bob")  # type: ignore[attr-defined]
        with pytest.raises(ConstraintViolation, match="already approved"):
            request.approve("bob")  # type: ignore[attr-defined]
        assert request.pending is not None  # type: ignore[attr-defined]
        assert request.pending.approvers == ("bob",)  # type: ignore[attr-defined]

    def test_expires_by_itself(
        self, bank: RBAC, clock: FrozenClock, events: list[RBACEvent]
    ) -> None:
        """After its duration the grant gives nothing; the sweep records the expiry."""
        request = _request(bank, hours=1)
        request.approve("bob")  # type: ignore[attr-defined]
        request.approve("carol")  # type: ignore[attr-defined]
        clock.advance(timedelta(minutes=59))
        assert bank.check("dave", "db/x", "read")
        clock.advance(timedelta(minutes=1))
        assert not bank.check("dave", "db/x", "read")
        expired = bank.expire_grants()
        assert [g.user for g in expired] == ["dave"]
        assert events[-1].kind == "grant_expired"
        assert bank.expire_grants() == []

    def test_revoke(self, bank: RBAC, events: list[RBACEvent]) -> None:
        """A grant can be ended early and a request withdrawn."""
        request = _request(bank)
        request.approve("bob")  # type: ignore[attr-defined]
        request.approve("carol")  # type: ignore[attr-defined]
        bank.revoke_grant("gr-1", by="erin")
        assert not bank.check("dave", "db/x", "read")
        assert events[-1].kind == "grant_revoked"
        pending = _request(bank)
        bank.revoke_grant(pending.request_id, by="erin")  # type: ignore[attr-defined]
        assert pending.pending is None  # type: ignore[attr-defined]
        with pytest.raises(PolicyConfigError):
            bank.revoke_grant("gr-99", by="erin")
        with pytest.raises(PolicyConfigError, match="no pending request"):
            pending.approve("bob")  # type: ignore[attr-defined]

    def test_request_validation(self, bank: RBAC) -> None:
        """Only privileged roles, positive durations and stated reasons."""
        with pytest.raises(PolicyConfigError, match="not privileged"):
            bank.request_grant(
                "dave", "teller", requested_by="alice", duration=timedelta(1), reason="x"
            )
        with pytest.raises(PolicyConfigError, match="duration"):
            bank.request_grant(
                "dave", "dba", requested_by="alice", duration=timedelta(0), reason="x"
            )
        with pytest.raises(PolicyConfigError, match="reason"):
            bank.request_grant(
                "dave", "dba", requested_by="alice", duration=timedelta(1), reason=" "
            )

    def test_grant_respects_ssd(self, bank: RBAC) -> None:
        """An activation that would break static SoD is refused."""
        bank.add_ssd("no-dba-auditor", ["dba", "auditor"], 2)
        request = bank.request_grant(
            "carol",
            "dba",
            requested_by="alice",
            duration=timedelta(hours=1),
            reason="x",
            tenant="b1",
        )
        bank.assign("erin", "approver")
        request.approve("bob")
        with pytest.raises(ConstraintViolation):
            request.approve("erin")
        assert not bank.state.grants

    def test_hook_failure_blocks_change(self, clock: FrozenClock) -> None:
        """If the event hook fails, the change does not happen (fail closed)."""

        def broken(event: RBACEvent) -> None:
            if event.kind == "role_assigned":
                raise OSError("audit log unavailable")

        rbac = RBAC(clock=clock, on_event=broken)
        rbac.add_role("teller")
        rbac.add_user("u")
        with pytest.raises(OSError, match="audit log unavailable"):
            rbac.assign("u", "teller")
        assert rbac.assigned_roles("u") == frozenset()

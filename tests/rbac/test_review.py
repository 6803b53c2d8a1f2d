"""Review functions and the periodic review report."""

from __future__ import annotations

from datetime import timedelta

from secpolicy import FrozenClock
from secpolicy.rbac import RBAC, RBACEvent

from .conftest import START


class TestNistReview:
    def test_assigned_and_authorized(self, bank: RBAC) -> None:
        """Assigned means direct; authorized includes inherited roles."""
        assert bank.assigned_users("teller", tenant="b1") == {"alice"}
        assert bank.assigned_roles("bob", tenant="b1") == {"manager"}
        assert bank.authorized_roles("bob", tenant="b1") == {"manager", "teller", "viewer"}
        assert bank.authorized_users("viewer", tenant="b1") == {"alice", "bob"}

    def test_permissions(self, bank: RBAC) -> None:
        """Role and user permissions, with and without inheritance."""
        assert [str(r) for r in bank.role_permissions("teller", inherited=False)] == [
            "allow teller create on accounts/*/transfers",
            "deny teller * on accounts/vip/**",
        ]
        assert len(bank.role_permissions("manager")) == 4
        assert {str(r) for r in bank.user_permissions("carol", tenant="b1")} == {
            "allow auditor read on logs/**"
        }

    def test_who_can(self, bank: RBAC) -> None:
        """who_can applies denies."""
        assert bank.who_can("accounts/1", "read", tenant="b1") == {"alice", "bob"}
        assert bank.who_can("accounts/vip/1", "read", tenant="b1") == frozenset()
        assert bank.who_can("logs/app", "read", tenant="b1") == {"carol"}


class TestReviewReport:
    def test_due_reviews(self, bank: RBAC, clock: FrozenClock, events: list[RBACEvent]) -> None:
        """Ordinary holdings are due after the interval, privileged ones sooner."""
        request = bank.request_grant(
            "erin",
            "dba",
            requested_by="alice",
            duration=timedelta(days=365),
            reason="ops",
            tenant="b1",
        )
        request.approve("bob")
        request.approve("carol")
        clock.set(START + timedelta(days=100))
        report = bank.review_report(tenant="b1")
        by_key = {(e.user, e.role): e for e in report.entries}
        assert by_key[("bob", "viewer")].via == "inherited from manager"
        assert not by_key[("bob", "manager")].overdue
        dba = by_key[("erin", "dba")]
        assert dba.via == "privileged grant"
        assert dba.overdue
        assert dba.approvers == ("bob", "carol")
        assert dba.expires == START + timedelta(days=365)
        assert [(e.user, e.role) for e in report.due] == [("erin", "dba")]
        bank.mark_reviewed("erin", "dba", by="auditor-1", tenant="b1")
        assert events[-1].kind == "review_recorded"
        later = bank.review_report(tenant="b1", now=START + timedelta(days=181))
        assert {(e.user, e.role) for e in later.due} == {
            ("alice", "teller"),
            ("alice", "viewer"),
            ("bob", "manager"),
            ("bob", "teller"),
            ("bob", "viewer"),
            ("carol", "auditor"),
        }
        rows = later.to_rows()
        assert rows[0]["since"] == START.isoformat()
        assert isinstance(rows[0]["approvers"], list)

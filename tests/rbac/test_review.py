"""Review functions and the periodic review report."""

from __future__ import annotations

from datetime import timedelta

import pytest

from secpolicy import FrozenClock
from secpolicy.exceptions import ConstraintViolation, PolicyConfigError
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
        bank.add_user("auditor-1")
        bank.mark_reviewed("erin", "dba", by="auditor-1", tenant="b1")
        assert events[-1].kind == "review_recorded"
        assert events[-1].by == "auditor-1"
        marked = bank.review_report(tenant="b1")
        assert {(e.user, e.role): e for e in marked.entries}[("erin", "dba")].reviewed_by == (
            "auditor-1"
        )
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


class TestReviewMarks:
    """A review mark is an attestation: by a registered person, about a real holding, recorded."""

    def test_unregistered_reviewer_is_refused_without_admin_rights(self, bank: RBAC) -> None:
        """mark_reviewed(by=<not a user>) is refused even when administrator rights are off."""
        with pytest.raises(ConstraintViolation, match="not a registered user"):
            bank.mark_reviewed("alice", "teller", by="ghost", tenant="b1")
        assert not bank.to_dict()["reviews"]

    def test_departed_reviewer_is_refused(self, bank: RBAC) -> None:
        """A reviewer who has left can no longer record reviews."""
        bank.remove_user("carol")
        with pytest.raises(ConstraintViolation):
            bank.mark_reviewed("alice", "teller", by="carol", tenant="b1")

    def test_self_review_is_refused(self, bank: RBAC) -> None:
        """Nobody reviews their own access."""
        with pytest.raises(ConstraintViolation, match="own access"):
            bank.mark_reviewed("alice", "teller", by="alice", tenant="b1")

    def test_a_holding_that_does_not_exist_is_refused(self, bank: RBAC) -> None:
        """A mark on a role the user does not hold would pre-approve a later assignment."""
        with pytest.raises(PolicyConfigError, match="does not hold"):
            bank.mark_reviewed("alice", "manager", by="carol", tenant="b1")
        with pytest.raises(PolicyConfigError, match="does not hold"):
            bank.mark_reviewed("alice", "teller", by="carol", tenant="b2")
        bank.mark_reviewed("alice", "viewer", by="carol", tenant="b1")  # inherited counts

    def test_reviewer_is_recorded_and_saved(self, bank: RBAC, events: list[RBACEvent]) -> None:
        """The reviewer is in the event, the report and the saved document, and round-trips."""
        bank.mark_reviewed("alice", "teller", by="carol", tenant="b1")
        assert events[-1].kind == "review_recorded"
        assert events[-1].by == "carol"
        saved = bank.to_dict()
        assert saved["reviews"] == [
            {
                "user": "alice",
                "role": "teller",
                "at": START.isoformat(),
                "by": "carol",
                "tenant": "b1",
            }
        ]
        again = RBAC.from_dict(saved)
        assert again.to_dict() == saved
        entry = {(e.user, e.role): e for e in again.review_report(tenant="b1").entries}
        assert entry[("alice", "teller")].reviewed_by == "carol"
        assert entry[("alice", "teller")].last_reviewed == START

    def test_documents_without_a_reviewer_still_load(self, bank: RBAC) -> None:
        """Reviews saved before reviewers were recorded load, with reviewed_by None."""
        saved = bank.to_dict()
        saved["reviews"] = [
            {"user": "alice", "role": "teller", "tenant": "b1", "at": START.isoformat()}
        ]
        entry = {
            (e.user, e.role): e for e in RBAC.from_dict(saved).review_report(tenant="b1").entries
        }
        assert entry[("alice", "teller")].last_reviewed == START
        assert entry[("alice", "teller")].reviewed_by is None

"""The engine: NIST core and hierarchical functions, patterns, tenants, labels, decisions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from secpolicy.exceptions import AccessDenied, ConstraintViolation, PolicyConfigError
from secpolicy.rbac import RBAC, Decision, ResourcePattern, Rule


class TestPatterns:
    @pytest.mark.parametrize(
        ("pattern", "resource", "expected"),
        [
            ("accounts/42", "accounts/42", True),
            ("accounts/42", "accounts/43", False),
            ("accounts/*", "accounts/42", True),
            ("accounts/*", "accounts/42/x", False),
            ("accounts/*", "accounts", False),
            ("accounts/**", "accounts", True),
            ("accounts/**", "accounts/42/x/y", True),
            ("accounts/**", "accountsx", False),
            ("**", "anything/at/all", True),
            ("*/balance", "7/balance", True),
            ("a/**/z", "a/z", True),
            ("a/**/z", "a/b/c/z", True),
            ("a/**/z", "a/b/c/y", False),
            ("a.b/c", "aXb/c", False),
        ],
    )
    def test_matching(self, pattern: str, resource: str, expected: bool) -> None:
        """'*' is one segment, '**' any depth; dots are literal."""
        assert ResourcePattern(pattern).matches(resource) is expected

    @pytest.mark.parametrize("bad", ["", "/a", "a/", "a//b", "a*/b", "a/**x", 5])
    def test_invalid(self, bad: object) -> None:
        """Malformed patterns are refused."""
        with pytest.raises(PolicyConfigError):
            ResourcePattern(bad)  # type: ignore[arg-type]


class TestCheck:
    def test_default_deny(self, bank: RBAC) -> None:
        """Nothing allowed means denied, for known and unknown names alike."""
        assert not bank.check("alice", "loans/1", "approve", tenant="b1")
        assert not bank.check("nobody", "accounts/1", "read", tenant="b1")
        assert not bank.check("alice", "accounts/1", "read")  # no tenant: not assigned there

    def test_inheritance(self, bank: RBAC) -> None:
        """Seniors have their juniors' permissions, transitively."""
        assert bank.check("bob", "accounts/1", "read", tenant="b1")
        assert bank.check("bob", "accounts/1/transfers", "create", tenant="b1")
        assert bank.check("bob", "loans/9", "approve", tenant="b1")
        assert not bank.check("alice", "loans/9", "approve", tenant="b1")

    def test_explicit_deny_overrides(self, bank: RBAC) -> None:
        """A deny on an inherited role beats an allow on a junior one."""
        assert not bank.check("alice", "accounts/vip/1", "read", tenant="b1")
        assert not bank.check("bob", "accounts/vip/1", "read", tenant="b1")
        decision = bank.decide("bob", "accounts/vip/1", "read", tenant="b1")
        assert decision.effect == "explicit_deny"
        assert decision.roles == ("manager", "teller")
        assert decision.rule is not None
        assert decision.rule.effect == "deny"

    def test_action_wildcard(self, bank: RBAC) -> None:
        """Action '*' covers every action."""
        assert bank.check("bob", "loans/3", "delete", tenant="b1")

    def test_answers_follow_changes(self, bank: RBAC) -> None:
        """Cached indexes never outlive a change to assignments, rules or hierarchy."""
        assert bank.check("alice", "accounts/1", "read", tenant="b1")
        bank.deassign("alice", "teller", tenant="b1")
        assert not bank.check("alice", "accounts/1", "read", tenant="b1")
        bank.assign("alice", "auditor", tenant="b1")
        assert not bank.check("alice", "accounts/1", "read", tenant="b1")
        bank.grant("auditor", "accounts/1", "read")
        assert bank.check("alice", "accounts/1", "read", tenant="b1")
        bank.deny("auditor", "accounts/*", "read")
        assert not bank.check("alice", "accounts/1", "read", tenant="b1")
        bank.add_inheritance("auditor", "viewer")
        assert bank.check("alice", "accounts/2/x", "read", tenant="b1")

    def test_reads_never_mutate(self, bank: RBAC) -> None:
        """Checking unknown users or resources adds nothing."""
        before = bank.to_dict()
        for _ in range(3):
            bank.check("ghost", "x/y", "z", tenant="nowhere")
            bank.decide("ghost", "x/y", "z", tenant="nowhere")
        assert bank.to_dict() == before
        assert "ghost" not in bank.state.users


class TestTenants:
    def test_assignments_do_not_leak(self, bank: RBAC) -> None:
        """A role held in one tenant gives nothing in another."""
        assert bank.check("alice", "accounts/1", "read", tenant="b1")
        assert not bank.check("alice", "accounts/1", "read", tenant="b2")

    def test_tenant_grants_do_not_leak(self, bank: RBAC) -> None:
        """A grant made in one tenant applies only there; global grants everywhere."""
        bank.grant("teller", "fx/rates", "update", tenant="b1")
        bank.assign("alice", "teller", tenant="b2")
        assert bank.check("alice", "fx/rates", "update", tenant="b1")
        assert not bank.check("alice", "fx/rates", "update", tenant="b2")
        assert bank.check("alice", "accounts/1", "read", tenant="b2")

    def test_tenant_deny(self, bank: RBAC) -> None:
        """A tenant deny applies in that tenant only."""
        bank.assign("alice", "teller", tenant="b2")
        bank.deny("viewer", "accounts/7", "read", tenant="b2")
        assert bank.check("alice", "accounts/7", "read", tenant="b1")
        assert not bank.check("alice", "accounts/7", "read", tenant="b2")


class TestDecisions:
    def test_allow_reason_and_path(self, bank: RBAC) -> None:
        """An allow names the rule and the role path."""
        decision = bank.decide("bob", "accounts/1", "read", tenant="b1")
        assert isinstance(decision, Decision)
        assert decision.allowed
        assert decision.effect == "allow"
        assert decision.roles == ("manager", "teller", "viewer")
        assert decision.rule == Rule(
            role="viewer", resource=ResourcePattern("accounts/**"), action="read", effect="allow"
        )
        assert "manager -> teller -> viewer" in decision.reason

    def test_implicit_deny(self, bank: RBAC) -> None:
        """Nothing applicable gives an implicit deny with a reason."""
        decision = bank.decide("carol", "accounts/1", "read", tenant="b1")
        assert decision.effect == "implicit_deny"
        assert decision.rule is None
        assert "default deny" in decision.reason

    def test_require(self, bank: RBAC) -> None:
        """require() returns the decision or raises AccessDenied carrying it."""
        assert bank.require("alice", "accounts/1", "read", tenant="b1").allowed
        with pytest.raises(AccessDenied) as info:
            bank.require("alice", "loans/1", "approve", tenant="b1")
        assert info.value.decision.effect == "implicit_deny"
        assert isinstance(info.value, PermissionError)


class TestLabels:
    def test_clearance_needed(self, bank: RBAC) -> None:
        """Access needs the permission and clearance at or above the label."""
        bank.set_label("accounts/secret/**", "机密", tenant="b1")
        assert not bank.check("alice", "accounts/secret/1", "read", tenant="b1")
        bank.set_clearance("alice", "秘密", tenant="b1")
        decision = bank.decide("alice", "accounts/secret/1", "read", tenant="b1")
        assert decision.effect == "explicit_deny"
        assert "机密" in decision.reason
        bank.set_clearance("alice", "绝密", tenant="b1")
        assert bank.check("alice", "accounts/secret/1", "read", tenant="b1")
        assert bank.check("alice", "accounts/public/1", "read", tenant="b1")

    def test_highest_label_wins(self, bank: RBAC) -> None:
        """Where labels overlap, the highest applies."""
        bank.set_label("accounts/**", "内部")
        bank.set_label("accounts/x/**", "绝密", tenant="b1")
        bank.set_clearance("alice", "机密", tenant="b1")
        assert bank.check("alice", "accounts/y", "read", tenant="b1")
        assert not bank.check("alice", "accounts/x/1", "read", tenant="b1")

    def test_unknown_level(self, bank: RBAC) -> None:
        """Levels come from the engine's scale."""
        with pytest.raises(PolicyConfigError, match="unknown level"):
            bank.set_label("a", "top-secret")
        with pytest.raises(PolicyConfigError, match="distinct"):
            RBAC(levels=("a", "a"))


class TestMutations:
    def test_unknown_names(self, bank: RBAC) -> None:
        """Unknown roles and users are refused when changing the policy."""
        with pytest.raises(PolicyConfigError, match="unknown role"):
            bank.grant("ghost", "a", "b")
        with pytest.raises(PolicyConfigError, match="unknown user"):
            bank.assign("ghost", "teller")
        with pytest.raises(PolicyConfigError, match="unknown role"):
            bank.add_role("x", inherits=["ghost"])
        with pytest.raises(PolicyConfigError, match="already exists"):
            bank.add_role("teller")
        with pytest.raises(PolicyConfigError, match="approvals"):
            bank.add_role("y", privileged=True, approvals=0)
        with pytest.raises(PolicyConfigError, match="empty"):
            bank.add_user("")

    def test_cycle_refused(self, bank: RBAC) -> None:
        """A cycle is refused, naming it, and nothing changes."""
        before = bank.to_dict()
        with pytest.raises(PolicyConfigError, match="cycle viewer -> manager -> teller -> viewer"):
            bank.add_inheritance("viewer", "manager")
        with pytest.raises(PolicyConfigError, match="cycle"):
            bank.add_inheritance("viewer", "viewer")
        assert bank.to_dict() == before

    def test_delete_inheritance(self, bank: RBAC) -> None:
        """Removing an edge removes what was inherited through it."""
        bank.delete_inheritance("manager", "teller")
        assert not bank.check("bob", "accounts/1", "read", tenant="b1")
        with pytest.raises(PolicyConfigError):
            bank.delete_inheritance("manager", "teller")

    def test_deep_hierarchy(self) -> None:
        """There is no hidden depth limit."""
        rbac = RBAC()
        rbac.add_role("r0")
        rbac.grant("r0", "deep", "read")
        for i in range(1, 300):
            rbac.add_role(f"r{i}", inherits=[f"r{i - 1}"])
        rbac.add_user("u")
        rbac.assign("u", "r299")
        assert rbac.check("u", "deep", "read")
        assert len(rbac.decide("u", "deep", "read").roles) == 300

    def test_revoke_and_deassign(self, bank: RBAC) -> None:
        """Revoking a rule or an assignment takes effect at once."""
        bank.revoke("viewer", "accounts/**", "read")
        assert not bank.check("alice", "accounts/1", "read", tenant="b1")
        with pytest.raises(PolicyConfigError, match="no rule"):
            bank.revoke("viewer", "accounts/**", "read")
        bank.deassign("alice", "teller", tenant="b1")
        assert bank.assigned_roles("alice", tenant="b1") == frozenset()
        with pytest.raises(PolicyConfigError, match="does not hold"):
            bank.deassign("alice", "teller", tenant="b1")

    def test_idempotent_additions(self, bank: RBAC) -> None:
        """Adding the same grant, user or assignment twice changes nothing."""
        before = bank.to_dict()
        bank.grant("viewer", "accounts/**", "read")
        bank.add_user("alice")
        bank.assign("alice", "teller", tenant="b1")
        assert bank.to_dict() == before

    def test_privileged_role_not_assignable(self, bank: RBAC) -> None:
        """Privileged roles come only through approvals."""
        with pytest.raises(ConstraintViolation, match="request_grant"):
            bank.assign("dave", "dba")


class TestRemoveUser:
    def test_departure_ends_everything(self, bank: RBAC, events: list[object]) -> None:
        """remove_user ends assignments, sessions, clearances, grants and requests at once."""
        bank.assign("alice", "viewer", tenant="b2")
        bank.set_clearance("alice", "机密", tenant="b1")
        session = bank.create_session("alice", ["viewer"], tenant="b1")
        bank.request_grant(
            "alice", "dba", requested_by="bob", duration=timedelta(hours=1), reason="migration"
        )
        bank.remove_user("alice")
        assert "alice" not in bank.state.users
        assert not bank.check("alice", "accounts/1", "read", tenant="b1")
        assert not bank.check("alice", "accounts/1", "read", tenant="b2")
        assert session.ended
        assert not session.check("accounts/1", "read")
        assert not bank.state.pending
        assert ("b1", "alice") not in bank.state.clearances
        assert [e.kind for e in events][-1] == "user_removed"  # type: ignore[attr-defined]
        with pytest.raises(PolicyConfigError):
            bank.remove_user("alice")

"""Separation of duty (static and dynamic) and sessions."""

from __future__ import annotations

import pytest

from secpolicy.exceptions import AccessDenied, ConstraintViolation, PolicyConfigError
from secpolicy.rbac import RBAC


@pytest.fixture
def duties() -> RBAC:
    """Requesting, approving and administering access as separate duties."""
    rbac = RBAC()
    for role in ("requester", "approver", "admin", "operator"):
        rbac.add_role(role)
    rbac.add_role("supervisor", inherits=["approver"])
    rbac.grant("requester", "access/requests", "create")
    rbac.grant("approver", "access/requests", "approve")
    rbac.grant("operator", "business/**", "*")
    rbac.add_user("u")
    return rbac


class TestStatic:
    def test_assignment_refused(self, duties: RBAC) -> None:
        """Holding 2 of the set is refused, and nothing changes."""
        duties.add_ssd("request-approve", ["requester", "approver"], 2)
        duties.assign("u", "requester")
        before = duties.to_dict()
        with pytest.raises(ConstraintViolation, match="request-approve"):
            duties.assign("u", "approver")
        assert duties.to_dict() == before

    def test_inherited_roles_count(self, duties: RBAC) -> None:
        """A senior role that inherits a set member counts as holding it."""
        duties.add_ssd("request-approve", ["requester", "approver"], 2)
        duties.assign("u", "requester")
        with pytest.raises(ConstraintViolation):
            duties.assign("u", "supervisor")

    def test_adding_inheritance_checked(self, duties: RBAC) -> None:
        """An inheritance edge that would break the constraint is refused."""
        duties.add_ssd("admin-operate", ["admin", "operator"], 2)
        duties.assign("u", "admin")
        with pytest.raises(ConstraintViolation):
            duties.add_inheritance("admin", "operator")
        assert "operator" not in duties.state.closure["admin"]

    def test_constraint_on_existing_violation_refused(self, duties: RBAC) -> None:
        """A new constraint that current assignments break is refused."""
        duties.assign("u", "admin")
        duties.assign("u", "operator")
        with pytest.raises(ConstraintViolation):
            duties.add_ssd("admin-operate", ["admin", "operator"], 2)
        assert not duties.state.ssd

    def test_n_of_set(self, duties: RBAC) -> None:
        """With n = 3, two of three are allowed."""
        duties.add_ssd("three", ["requester", "approver", "admin"], 3)
        duties.assign("u", "requester")
        duties.assign("u", "approver")
        with pytest.raises(ConstraintViolation):
            duties.assign("u", "admin")

    @pytest.mark.parametrize("n", [1, 3])
    def test_bad_n(self, duties: RBAC, n: int) -> None:
        """n must be between 2 and the size of the set."""
        with pytest.raises(PolicyConfigError, match="n must be"):
            duties.add_ssd("x", ["requester", "approver"], n)

    def test_duplicate_and_unknown(self, duties: RBAC) -> None:
        """Names are unique and roles must exist."""
        duties.add_ssd("x", ["requester", "approver"], 2)
        with pytest.raises(PolicyConfigError, match="already exists"):
            duties.add_ssd("x", ["requester", "approver"], 2)
        with pytest.raises(PolicyConfigError, match="unknown role"):
            duties.add_dsd("y", ["requester", "ghost"], 2)

    def test_tenants_separate(self, duties: RBAC) -> None:
        """The constraint counts roles within one tenant."""
        duties.add_ssd("request-approve", ["requester", "approver"], 2)
        duties.assign("u", "requester", tenant="t1")
        duties.assign("u", "approver", tenant="t2")  # another tenant: allowed
        assert duties.assigned_roles("u", tenant="t1") == {"requester"}
        assert duties.assigned_roles("u", tenant="t2") == {"approver"}
        with pytest.raises(ConstraintViolation, match="request-approve"):
            duties.assign("u", "approver", tenant="t1")
        assert duties.assigned_roles("u", tenant="t1") == {"requester"}


class TestSessions:
    def test_session_uses_active_roles(self, duties: RBAC) -> None:
        """Only active roles count in a session (least privilege in use)."""
        duties.assign("u", "requester")
        duties.assign("u", "operator")
        session = duties.create_session("u", ["requester"])
        assert session.check("access/requests", "create")
        assert not session.check("business/x", "run")
        session.activate("operator")
        assert session.check("business/x", "run")
        assert session.active_roles == {"requester", "operator"}
        session.drop("operator")
        assert not session.check("business/x", "run")
        assert "requester" in repr(session)

    def test_dynamic_sod(self, duties: RBAC) -> None:
        """A session may not activate n of a DSD set, though the user holds both."""
        duties.add_dsd("one-hat", ["requester", "approver"], 2)
        duties.assign("u", "requester")
        duties.assign("u", "approver")
        with pytest.raises(ConstraintViolation, match="one-hat"):
            duties.create_session("u", ["requester", "approver"])
        session = duties.create_session("u", ["requester"])
        with pytest.raises(ConstraintViolation):
            session.activate("approver")
        session.drop("requester")
        session.activate("approver")

    def test_new_dsd_checked_against_sessions(self, duties: RBAC) -> None:
        """A session a new DSD forbids denies, with a reason, until it drops a role."""
        duties.assign("u", "requester")
        duties.assign("u", "approver")
        session = duties.create_session("u", ["requester", "approver"])
        duties.add_dsd("one-hat", ["requester", "approver"], 2)
        decision = session.decide("access/requests", "create")
        assert not decision.allowed
        assert "one-hat" in decision.reason
        session.drop("approver")
        session.close()
        assert session.ended

    def test_authorization_required(self, duties: RBAC) -> None:
        """Only roles the user holds can be active."""
        with pytest.raises(ConstraintViolation, match="not authorized"):
            duties.create_session("u", ["admin"])
        duties.assign("u", "requester")
        session = duties.create_session("u", [])
        with pytest.raises(ConstraintViolation, match="not authorized"):
            session.activate("admin")

    def test_deassign_drops_from_sessions(self, duties: RBAC) -> None:
        """Deassigning a role removes it from open sessions."""
        duties.assign("u", "requester")
        session = duties.create_session("u", ["requester"])
        duties.deassign("u", "requester")
        assert session.active_roles == frozenset()
        assert not session.check("access/requests", "create")

    def test_ended_session(self, duties: RBAC) -> None:
        """An ended session allows nothing and cannot be reactivated."""
        duties.assign("u", "requester")
        session = duties.create_session("u", ["requester"])
        session.close()
        with pytest.raises(AccessDenied):
            session.require("access/requests", "create")
        with pytest.raises(ConstraintViolation, match="ended"):
            session.activate("requester")

    def test_session_require_and_permissions(self, duties: RBAC) -> None:
        """require() returns the decision; permissions() lists reachable rules."""
        duties.assign("u", "supervisor")
        session = duties.create_session("u", ["supervisor"])
        assert session.require("access/requests", "approve").roles == ("supervisor", "approver")
        assert [str(r) for r in session.permissions()] == [
            "allow approver approve on access/requests"
        ]

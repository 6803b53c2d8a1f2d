"""Privileged roles anywhere in the hierarchy, sessions as views, and the approval rules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from secpolicy import FrozenClock
from secpolicy.exceptions import ConstraintViolation, PolicyConfigError
from secpolicy.rbac import RBAC, RBACEvent

from .conftest import START


@pytest.fixture
def ops(clock: FrozenClock, events: list[RBACEvent]) -> RBAC:
    """A helpdesk role that inherits the privileged dba role; approvers and a requester."""
    rbac = RBAC(clock=clock, on_event=events.append)
    rbac.add_role("dba", privileged=True)
    rbac.add_role("dbread")
    rbac.add_inheritance("dba", "dbread")
    rbac.add_role("helpdesk", inherits=["dba"])
    rbac.add_role("approver")
    rbac.grant("dba", "db/**", "*")
    rbac.grant("dbread", "db/**", "read")
    for user in ("m", "alice", "bob", "carol", "req"):
        rbac.add_user(user)
    rbac.assign("m", "helpdesk")
    rbac.assign("bob", "approver")
    rbac.assign("carol", "approver")
    return rbac


def _grant(rbac: RBAC, user: str = "m", hours: int = 1) -> str:
    request = rbac.request_grant(
        user, "dba", requested_by="req", duration=timedelta(hours=hours), reason="INC-1"
    )
    rbac.approve(request.request_id, by="bob")
    return request.request_id


class TestPrivilegedClosure:
    def test_inherited_privileged_role_gives_nothing(self, ops: RBAC) -> None:
        """A senior of a privileged role does not get its permissions (or its juniors')."""
        assert not ops.check("m", "db/orders", "drop")
        assert not ops.check("m", "db/orders", "read")
        assert "dba" not in ops.authorized_roles("m")
        assert ops.who_can("db/orders", "drop") == frozenset()

    def test_session_cannot_activate_privileged_role(self, ops: RBAC) -> None:
        """create_session and activate refuse a privileged role without a grant."""
        with pytest.raises(ConstraintViolation, match="not authorized"):
            ops.create_session("m", ["dba"])
        session = ops.create_session("m", ["helpdesk"])
        with pytest.raises(ConstraintViolation, match="not authorized"):
            session.activate("dba")
        assert not session.check("db/orders", "drop")

    def test_grant_makes_it_count(self, ops: RBAC) -> None:
        """With an approved grant the privileged role and its juniors count."""
        _grant(ops)
        assert ops.check("m", "db/orders", "drop")
        decision = ops.decide("m", "db/orders", "drop")
        assert decision.privileged
        assert decision.request_id == "gr-1"

    def test_expired_grant_gone_everywhere(self, ops: RBAC, clock: FrozenClock) -> None:
        """A lapsed grant stops counting in checks and in open sessions at once."""
        _grant(ops)
        session = ops.create_session("m", ["dba"])
        assert session.check("db/orders", "drop")
        clock.advance(timedelta(hours=1))
        assert not ops.check("m", "db/orders", "drop")
        assert not session.check("db/orders", "drop")
        assert session.active_roles == frozenset()


class TestSessionsAreViews:
    def test_revoked_grant_leaves_sessions(self, ops: RBAC) -> None:
        """revoke_grant ends the privileged role in an open session."""
        request_id = _grant(ops)
        session = ops.create_session("m", ["dba"])
        ops.revoke_grant(request_id, by="alice")
        assert not session.check("db/orders", "drop")

    def test_expire_grants_leaves_sessions(self, ops: RBAC, clock: FrozenClock) -> None:
        """After expire_grants a session with the role allows nothing through it."""
        _grant(ops)
        session = ops.create_session("m", ["dba"])
        clock.advance(timedelta(hours=2))
        ops.expire_grants()
        assert not session.check("db/x", "read")

    def test_delete_inheritance_prunes_sessions(self, ops: RBAC) -> None:
        """Deleting an edge removes what a session got through it."""
        ops.add_role("senior", inherits=["dbread"])
        ops.assign("alice", "senior")
        session = ops.create_session("alice", ["senior"])
        assert session.check("db/x", "read")
        ops.delete_inheritance("senior", "dbread")
        assert not session.check("db/x", "read")

    def test_deassign_and_remove_user(self, ops: RBAC) -> None:
        """De-assignment and departure act on open sessions; a re-added user is not revived."""
        ops.assign("alice", "dbread")
        session = ops.create_session("alice", ["dbread"])
        ops.deassign("alice", "dbread")
        assert not session.check("db/x", "read")
        ops.assign("alice", "dbread")
        assert session.check("db/x", "read")  # the role is held again
        ops.remove_user("alice")
        assert session.ended
        ops.add_user("alice")
        ops.assign("alice", "dbread")
        assert session.ended
        assert not session.check("db/x", "read")

    def test_new_dsd_denies_breaking_session(self, ops: RBAC) -> None:
        """A session that a new DSD forbids denies with the constraint's name."""
        ops.add_role("maker")
        ops.grant("maker", "pay/**", "create")
        ops.assign("alice", "maker")
        ops.assign("alice", "dbread")
        session = ops.create_session("alice", ["maker", "dbread"])
        ops.add_dsd("maker-reader", ["maker", "dbread"], 2)
        decision = session.decide("pay/1", "create")
        assert not decision.allowed
        assert "maker-reader" in decision.reason
        session.drop("dbread")
        assert session.check("pay/1", "create")

    def test_dsd_counts_inherited_roles(self, clock: FrozenClock) -> None:
        """A session [requester, supervisor⊃approver] breaks DSD {requester, approver}."""
        rbac = RBAC(clock=clock)
        for role in ("requester", "approver"):
            rbac.add_role(role)
        rbac.add_role("supervisor", inherits=["approver"])
        rbac.add_dsd("req-app", ["requester", "approver"], 2)
        rbac.add_user("u")
        rbac.assign("u", "requester")
        rbac.assign("u", "supervisor")
        with pytest.raises(ConstraintViolation, match="req-app"):
            rbac.create_session("u", ["requester", "supervisor"])
        session = rbac.create_session("u", ["requester"])
        with pytest.raises(ConstraintViolation, match="req-app"):
            session.activate("supervisor")


class TestApprovalRules:
    def test_approver_must_be_registered_and_canonical(self, ops: RBAC) -> None:
        """'Alice' and 'alice ' neither count as someone else nor as unknown approvers."""
        ops.assign("alice", "approver")
        request = ops.request_grant(
            "alice", "dba", requested_by="alice", duration=timedelta(hours=1), reason="x"
        )
        with pytest.raises(ConstraintViolation, match="registered"):
            ops.approve(request.request_id, by="Alice")
        with pytest.raises(PolicyConfigError, match="white space"):
            ops.approve(request.request_id, by="alice ")
        with pytest.raises(ConstraintViolation, match="neither the requester"):
            ops.approve(request.request_id, by="alice")
        with pytest.raises(ConstraintViolation, match="registered"):
            ops.approve(request.request_id, by="ghost")
        assert not ops.check("alice", "db/x", "drop")

    def test_lookalike_users_refused(self, ops: RBAC) -> None:
        """A user name differing only in case from another is refused."""
        with pytest.raises(PolicyConfigError, match="letter case"):
            ops.add_user("Alice")

    def test_approver_role_required(self, ops: RBAC) -> None:
        """A registered user without the approver role may not approve."""
        request = ops.request_grant(
            "m", "dba", requested_by="req", duration=timedelta(hours=1), reason="x"
        )
        with pytest.raises(ConstraintViolation, match="approver roles"):
            ops.approve(request.request_id, by="alice")

    def test_per_role_approvers(self, clock: FrozenClock) -> None:
        """A privileged role may name its own approver roles."""
        rbac = RBAC(clock=clock)
        rbac.add_role("cso")
        rbac.add_role("root", privileged=True, approver_roles=["cso"])
        for user in ("u", "r", "boss"):
            rbac.add_user(user)
        rbac.assign("boss", "cso")
        request = rbac.request_grant(
            "u", "root", requested_by="r", duration=timedelta(hours=1), reason="x"
        )
        assert rbac.approve(request.request_id, by="boss") is not None

    def test_departed_approver_does_not_count(self, ops: RBAC) -> None:
        """remove_user voids the departed user's approvals on pending requests."""
        ops.add_role("dba2", privileged=True, approvals=2)
        ops.grant("dba2", "db2/**", "*")
        request = ops.request_grant(
            "m", "dba2", requested_by="req", duration=timedelta(hours=1), reason="x"
        )
        ops.approve(request.request_id, by="bob")
        ops.remove_user("bob")
        pending = ops.pending_requests()[0]
        assert pending.approvers == ()
        ops.add_user("dave")
        ops.assign("dave", "approver")
        assert ops.approve(request.request_id, by="carol") is None
        assert ops.approve(request.request_id, by="dave") is not None

    def test_deassigned_approver_does_not_count(self, ops: RBAC) -> None:
        """An approval counts only while its approver still holds an approver role."""
        ops.add_role("dba2", privileged=True, approvals=2)
        request = ops.request_grant(
            "m", "dba2", requested_by="req", duration=timedelta(hours=1), reason="x"
        )
        ops.approve(request.request_id, by="bob")
        ops.deassign("bob", "approver")
        assert ops.approve(request.request_id, by="carol") is None

    def test_request_ttl(self, ops: RBAC, clock: FrozenClock, events: list[RBACEvent]) -> None:
        """A request lapses after the TTL; approving it then is refused; the sweep records it."""
        request = ops.request_grant(
            "m", "dba", requested_by="req", duration=timedelta(hours=1), reason="x"
        )
        clock.advance(timedelta(days=3))
        assert ops.pending_requests() == ()
        with pytest.raises(ConstraintViolation, match="lapsed"):
            ops.approve(request.request_id, by="bob")
        ops.expire_grants()
        assert events[-1].kind == "request_expired"

    def test_maximum_duration(self, ops: RBAC) -> None:
        """Grants are bounded by the engine's (or the role's) maximum duration."""
        with pytest.raises(PolicyConfigError, match="at most"):
            ops.request_grant(
                "m", "dba", requested_by="req", duration=timedelta(days=8), reason="x"
            )
        ops.add_role("root", privileged=True, max_duration=timedelta(hours=4))
        with pytest.raises(PolicyConfigError, match="at most"):
            ops.request_grant(
                "m", "root", requested_by="req", duration=timedelta(hours=5), reason="x"
            )

    def test_requested_by_required(self, ops: RBAC) -> None:
        """requested_by=None and unknown requesters are refused."""
        with pytest.raises(PolicyConfigError, match="requested_by"):
            ops.request_grant(
                "m",
                "dba",
                requested_by=None,  # type: ignore[arg-type]
                duration=timedelta(hours=1),
                reason="x",
            )
        with pytest.raises(PolicyConfigError, match="requested_by"):
            ops.request_grant(
                "m", "dba", requested_by="ghost", duration=timedelta(hours=1), reason="x"
            )

    def test_no_backdating(self, ops: RBAC, clock: FrozenClock) -> None:
        """Approvals take the engine clock's time; checks take no time argument."""
        _grant(ops)
        grant = ops.active_grants()[0]
        assert grant.starts == START
        clock.advance(timedelta(hours=2))
        assert not ops.check("m", "db/x", "drop")
        with pytest.raises(TypeError):
            ops.check("m", "db/x", "drop", now=START)  # type: ignore[call-arg]
        with pytest.raises(TypeError):
            ops.approve("gr-1", by="bob", now=START)  # type: ignore[call-arg]

    def test_pending_and_active_listings(self, ops: RBAC) -> None:
        """pending_requests and active_grants list what is waiting and what is in force."""
        request = ops.request_grant(
            "m", "dba", requested_by="req", duration=timedelta(hours=1), reason="x"
        )
        assert [p.request_id for p in ops.pending_requests()] == [request.request_id]
        assert ops.active_grants() == ()
        ops.approve(request.request_id, by="bob")
        assert ops.pending_requests() == ()
        assert [g.user for g in ops.active_grants(user="m")] == ["m"]
        assert ops.active_grants(tenant="t1") == ()


class TestDeleteRole:
    def test_delete_role_removes_everything(self, ops: RBAC) -> None:
        """delete_role removes rules, assignments, edges and grants of the role."""
        ops.assign("alice", "dbread")
        _grant(ops)
        ops.delete_role("dbread")
        assert not ops.check("alice", "db/x", "read")
        assert "dbread" not in ops.to_dict()["roles"]
        assert ops.to_dict()["roles"]["dba"]["inherits"] == []
        ops.delete_role("dba")
        assert ops.active_grants() == ()
        assert not ops.check("m", "db/x", "drop")
        ops.add_role("dba")  # the name is free again
        with pytest.raises(PolicyConfigError, match="unknown role"):
            ops.delete_role("ghost")

    def test_delete_role_in_sod_refused(self, ops: RBAC) -> None:
        """A role named by a constraint is not deleted."""
        ops.add_role("x")
        ops.add_ssd("c", ["x", "dbread"], 2)
        with pytest.raises(ConstraintViolation, match="'c'"):
            ops.delete_role("x")


class TestApproverRolesConfiguration:
    """A privileged role must stay approvable: configuration that makes it vacuous is refused."""

    def test_empty_approver_roles_are_refused(self) -> None:
        """approver_roles=[] (nobody could ever approve) is a typed error naming the field."""
        rbac = RBAC()
        with pytest.raises(PolicyConfigError, match="at least one role") as info:
            rbac.add_role("root", privileged=True, approver_roles=[])
        assert info.value.field == "roles.root.approver_roles"
        assert "root" not in rbac.state.roles

    def test_unknown_approver_role_is_refused(self) -> None:
        """An approver role that does not exist (a typo) is refused, naming the entry."""
        rbac = RBAC()
        rbac.add_role("cso")
        with pytest.raises(PolicyConfigError) as info:
            rbac.add_role("root", privileged=True, approver_roles=["cso", "csoo"])
        assert info.value.field == "roles.root.approver_roles[1]"

    def test_approval_settings_on_an_ordinary_role_are_refused(self) -> None:
        """approver_roles, approvals or max_duration on a non-privileged role would do nothing."""
        rbac = RBAC()
        rbac.add_role("cso")
        with pytest.raises(PolicyConfigError, match="privileged"):
            rbac.add_role("a", approver_roles=["cso"])
        with pytest.raises(PolicyConfigError, match="privileged"):
            rbac.add_role("b", approvals=2)
        with pytest.raises(PolicyConfigError, match="privileged"):
            rbac.add_role("c", max_duration=timedelta(hours=1))

    def test_documents_are_held_to_the_same_rules(self) -> None:
        """from_dict refuses an empty approver list, and accepts approver roles defined later."""
        with pytest.raises(PolicyConfigError) as info:
            RBAC.from_dict({"roles": {"root": {"privileged": True, "approver_roles": []}}})
        assert info.value.field == "roles.root.approver_roles"
        loaded = RBAC.from_dict(
            {"roles": {"root": {"privileged": True, "approver_roles": ["cso"]}, "cso": {}}}
        )
        assert loaded.state.roles["root"].approver_roles == frozenset({"cso"})
        assert RBAC.from_dict(loaded.to_dict()).to_dict() == loaded.to_dict()

    def test_an_approver_role_in_use_cannot_be_deleted(self) -> None:
        """Deleting the only approver role of a privileged role would leave it unapprovable."""
        rbac = RBAC()
        rbac.add_role("cso")
        rbac.add_role("root", privileged=True, approver_roles=["cso"])
        with pytest.raises(ConstraintViolation, match="approves grants"):
            rbac.delete_role("cso")
        rbac.delete_role("root")
        rbac.delete_role("cso")
        assert not rbac.state.roles

    def test_revoking_a_grant_names_who_revokes(self, ops: RBAC) -> None:
        """revoke_grant(by=None) is refused: every end of a grant is attributed."""
        request_id = _grant(ops)
        with pytest.raises(PolicyConfigError):
            ops.revoke_grant(request_id, by=None)  # type: ignore[arg-type]
        ops.revoke_grant(request_id, by="sec")
        assert not ops.active_grants()

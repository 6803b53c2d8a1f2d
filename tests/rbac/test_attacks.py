"""Attacks on the RBAC engine through its public API, each once a wrong allow."""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, overload

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secpolicy import FrozenClock
from secpolicy.exceptions import ConstraintViolation, PolicyConfigError
from secpolicy.rbac import RBAC, AdminRights, InvalidNameError, MemoryPolicyStore, RBACEvent

_DAY = "2026-01-01T00:00:00+00:00"


def _document() -> dict[str, Any]:
    """A policy with a privileged role needing two approvals and no grant of it."""
    return {
        "format": 2,
        "roles": {"approver": {}, "dba": {"privileged": True, "approvals": 2}},
        "users": ["m", "boss", "ap", "ap2"],
        "grants": [{"role": "dba", "resource": "db/**", "action": "admin"}],
        "assignments": [
            {"user": "ap", "role": "approver"},
            {"user": "ap2", "role": "approver"},
        ],
    }


def _grant(**fields: Any) -> dict[str, Any]:
    return {
        "request_id": "gr-1",
        "user": "m",
        "role": "dba",
        "starts": _DAY,
        "expires": "2026-01-01T01:00:00+00:00",
        "requested_by": "boss",
        "approvers": ["ap", "ap2"],
        "reason": "x",
        **fields,
    }


def _pending(**fields: Any) -> dict[str, Any]:
    return {
        "request_id": "gr-1",
        "user": "m",
        "role": "dba",
        "requested_by": "boss",
        "requested_at": _DAY,
        "duration_seconds": 3600,
        "reason": "x",
        "approvals_required": 2,
        "approvers": [],
        "expires": "2026-01-02T00:00:00+00:00",
        **fields,
    }


class TestSmuggledGrants:
    @pytest.mark.parametrize(
        ("fields", "path"),
        [
            ({"approvers": []}, r"privileged_grants\[0\]\.approvers"),
            ({"approvers": ["ap"]}, r"privileged_grants\[0\]\.approvers"),
            ({"approvers": ["ap", "ap"]}, r"privileged_grants\[0\]\.approvers"),
            ({"approvers": ["m", "ap"]}, r"privileged_grants\[0\]\.approvers"),
            ({"approvers": ["boss", "ap"]}, r"privileged_grants\[0\]\.approvers"),
            ({"expires": "2099-01-01T00:00:00+00:00"}, r"privileged_grants\[0\]"),
        ],
    )
    def test_grant_the_workflow_refuses_does_not_load(
        self, clock: FrozenClock, fields: dict[str, Any], path: str
    ) -> None:
        """A saved grant without enough distinct outside approvers, or too long, is refused."""
        document = {**_document(), "privileged_grants": [_grant(**fields)]}
        with pytest.raises(PolicyConfigError, match=path):
            RBAC.from_dict(document, clock=clock)

    def test_valid_grant_loads(self, clock: FrozenClock) -> None:
        """A grant the workflow could have produced loads and is in force."""
        rbac = RBAC.from_dict({**_document(), "privileged_grants": [_grant()]}, clock=clock)
        assert rbac.check("m", "db/1", "admin")

    @pytest.mark.parametrize(
        ("fields", "path"),
        [
            ({"approvals_required": 1}, r"pending_requests\[0\]\.approvals_required"),
            ({"duration_seconds": 10**8}, r"pending_requests\[0\]"),
            ({"approvers": ["ghost"]}, r"pending_requests\[0\]\.approvers\[0\]"),
            ({"approvers": ["m"]}, r"pending_requests\[0\]\.approvers"),
            ({"approvers": ["ap", "ap2"]}, r"pending_requests\[0\]\.approvers"),
            ({"requested_by": "ghost"}, r"pending_requests\[0\]\.requested_by"),
            ({"expires": "2099-01-01T00:00:00+00:00"}, r"pending_requests\[0\]\.expires"),
        ],
    )
    def test_pending_request_the_workflow_refuses_does_not_load(
        self, clock: FrozenClock, fields: dict[str, Any], path: str
    ) -> None:
        """A saved request with fewer approvals, a longer grant or a longer life is refused."""
        document = {**_document(), "pending_requests": [_pending(**fields)]}
        with pytest.raises(PolicyConfigError, match=path):
            RBAC.from_dict(document, clock=clock)

    def test_lowered_approval_count_gives_nothing(self, clock: FrozenClock) -> None:
        """One approval of a loaded request for a two-approval role activates nothing."""
        rbac = RBAC.from_dict({**_document(), "pending_requests": [_pending()]}, clock=clock)
        assert rbac.approve("gr-1", by="ap") is None
        assert not rbac.check("m", "db/1", "admin")
        clock.advance(timedelta(minutes=1))
        assert rbac.approve("gr-1", by="ap2") is not None
        assert rbac.check("m", "db/1", "admin")


def _split() -> RBAC:
    """Requesting and approving kept apart by static SoD; a privileged role to approve."""
    rbac = RBAC()
    rbac.add_role("approver")
    rbac.add_role("requester")
    rbac.add_role("dba", privileged=True)
    rbac.grant("dba", "db/**", "admin")
    rbac.add_ssd("req-vs-approve", ["requester", "approver"], 2)
    for user in ("x", "y", "boss"):
        rbac.add_user(user)
    return rbac


class TestSoDAcrossTenants:
    def test_global_approver_beside_tenant_requester_refused(self) -> None:
        """A tenant-less approver role joined to a requester role in a tenant breaks SSD."""
        rbac = _split()
        rbac.assign("x", "requester", tenant="t1")
        with pytest.raises(ConstraintViolation, match="req-vs-approve"):
            rbac.assign("x", "approver")
        request = rbac.request_grant(
            "y", "dba", requested_by="boss", duration=timedelta(hours=1), reason="x", tenant="t1"
        )
        with pytest.raises(ConstraintViolation):
            rbac.approve(request.request_id, by="x")

    def test_tenant_requester_beside_global_approver_refused(self) -> None:
        """The other order is refused too."""
        rbac = _split()
        rbac.assign("x", "approver")
        with pytest.raises(ConstraintViolation, match="req-vs-approve"):
            rbac.assign("x", "requester", tenant="t1")

    def test_two_tenants_stay_apart(self) -> None:
        """Duties in two different tenants do not meet: both assignments stand."""
        rbac = _split()
        rbac.assign("x", "approver", tenant="t1")
        rbac.assign("x", "requester", tenant="t2")
        assert rbac.assigned_roles("x", tenant="t2") == {"requester"}

    def test_global_admin_beside_tenant_admin_refused(self) -> None:
        """The three-administrator split cannot be joined across a tenant and no tenant."""
        rbac = RBAC()
        for role in ("sysadmin", "secadmin", "audadmin"):
            rbac.add_role(role)
        rbac.add_ssd("three-way", ["sysadmin", "secadmin", "audadmin"], 2)
        rbac.add_user("z")
        rbac.assign("z", "secadmin", tenant="t1")
        with pytest.raises(ConstraintViolation, match="three-way"):
            rbac.assign("z", "sysadmin")


class TestGrantDuration:
    def test_role_maximum_cannot_exceed_the_engine_maximum(self, clock: FrozenClock) -> None:
        """A role's max_duration only shortens grants: 300 days stays above a 7-day cap."""
        rbac = RBAC(clock=clock)
        rbac.add_role("approver")
        rbac.add_role("p", privileged=True, max_duration=timedelta(days=365))
        for user in ("m", "boss"):
            rbac.add_user(user)
        with pytest.raises(PolicyConfigError, match="duration"):
            rbac.request_grant(
                "m", "p", requested_by="boss", duration=timedelta(days=300), reason="x"
            )
        rbac.request_grant("m", "p", requested_by="boss", duration=timedelta(days=7), reason="x")

    def test_loaded_grant_respects_the_engine_maximum(self, clock: FrozenClock) -> None:
        """A saved 30-day grant of a role with a 365-day maximum exceeds the 7-day cap."""
        document = _document()
        document["roles"]["dba"]["max_duration_seconds"] = 365 * 86400
        grant = _grant(expires="2026-01-31T00:00:00+00:00")
        with pytest.raises(PolicyConfigError, match=r"privileged_grants\[0\]"):
            RBAC.from_dict({**document, "privileged_grants": [grant]}, clock=clock)


def _administered() -> RBAC:
    """The three-administrator split in force; josé is the security administrator."""
    rbac = RBAC()
    for role in ("sys", "sec", "aud", "teller", "base"):
        rbac.add_role(role)
    rbac.add_role("officer", inherits=["base"])
    rbac.grant("teller", "accounts/**", "read")
    for user in ("josé", "bob", "carl", "dan"):
        rbac.add_user(user)
    rbac.assign("josé", "sec")
    rbac.assign("josé", "officer", tenant="t1")
    rbac.assign("bob", "sys")
    rbac.set_admin_rights(AdminRights.three_way(system="sys", security="sec", audit="aud"))
    return rbac


class TestAdministratorsOwnAccess:
    def test_security_admin_cannot_grant_to_own_role(self) -> None:
        """Granting `**` to the role one holds is administering one's own access."""
        rbac = _administered()
        with pytest.raises(ConstraintViolation, match="own access"):
            rbac.grant("sec", "**", "*", by="josé")
        assert not rbac.check("josé", "accounts/1", "read")

    def test_inherited_role_held_in_a_tenant_counts(self) -> None:
        """A tenant-less grant to a junior of a role held in a tenant is refused."""
        rbac = _administered()
        with pytest.raises(ConstraintViolation, match="own access"):
            rbac.grant("base", "**", "*", by="josé")
        with pytest.raises(ConstraintViolation, match="own access"):
            rbac.grant("base", "**", "*", tenant="t1", by="josé")

    def test_cannot_lift_a_deny_on_own_role(self) -> None:
        """Revoking a rule of a held role (a deny included) is refused; adding a deny is fine."""
        rbac = _administered()
        rbac.deny("sec", "accounts/**", "*", by="josé")
        with pytest.raises(ConstraintViolation, match="own access"):
            rbac.revoke("sec", "accounts/**", "*", by="josé")

    def test_system_admin_cannot_widen_own_role(self) -> None:
        """Making a held role inherit another is refused too."""
        rbac = _administered()
        with pytest.raises(ConstraintViolation, match="own access"):
            rbac.add_inheritance("sys", "teller", by="bob")

    def test_others_roles_still_administered(self) -> None:
        """Granting to a role the administrator does not hold works."""
        rbac = _administered()
        rbac.grant("teller", "loans/**", "read", by="josé")
        rbac.assign("dan", "teller", by="josé")
        assert rbac.check("dan", "loans/1", "read")


class TestAdminRightsConfiguration:
    def test_empty_role_list_is_refused(self) -> None:
        """A kind mapped to no role is refused: leave it out to mean nobody (no silent lockout)."""
        with pytest.raises(PolicyConfigError, match="at least one role") as info:
            AdminRights(rights={"users": [], "admin": ["sec"]})
        assert info.value.field == "admin_rights.users"

    def test_unknown_role_is_refused(self) -> None:
        """Rights naming an undefined role (a typo) are refused, in the API and in documents."""
        rbac = RBAC()
        rbac.add_role("sec")
        with pytest.raises(PolicyConfigError, match="unknown role"):
            rbac.set_admin_rights(AdminRights(rights={"admin": ["sec"], "users": ["sys"]}))
        assert rbac.state.config.admin is None
        with pytest.raises(PolicyConfigError, match="unknown role"):
            RBAC.from_dict({"roles": {"sec": {}}, "admin_rights": {"admin": ["secc"]}})

    def test_a_role_holding_rights_cannot_be_deleted(self) -> None:
        """Deleting a role that administers something would leave that kind to nobody."""
        rbac = _administered()
        with pytest.raises(ConstraintViolation, match="administrator rights"):
            rbac.delete_role("aud", by="bob")
        assert "aud" in rbac.state.roles


def _fenced() -> RBAC:
    """The split in force; bob (system administrator) is fenced off accounts by a junior's deny."""
    rbac = RBAC()
    for role in ("sys", "sec", "aud", "no_business"):
        rbac.add_role(role)
    rbac.add_inheritance("sys", "no_business")
    rbac.deny("no_business", "accounts/**", "*")
    rbac.grant("sys", "**", "*")
    for user in ("bob", "josé"):
        rbac.add_user(user)
    rbac.assign("bob", "sys")
    rbac.assign("josé", "sec")
    rbac.set_admin_rights(AdminRights.three_way(system="sys", security="sec", audit="aud"))
    return rbac


class TestAdministratorsLiftingTheirOwnDenies:
    def test_deleting_own_inheritance_edge_is_refused(self) -> None:
        """Cutting the edge to the junior whose deny fences a held role is own access."""
        rbac = _fenced()
        with pytest.raises(ConstraintViolation, match="own access"):
            rbac.delete_inheritance("sys", "no_business", by="bob")
        assert not rbac.check("bob", "accounts/1", "read")

    def test_deleting_a_held_role_is_refused(self) -> None:
        """Deleting a role one holds (here through inheritance) would drop its deny."""
        rbac = _fenced()
        with pytest.raises(ConstraintViolation, match="own access"):
            rbac.delete_role("no_business", by="bob")
        assert not rbac.check("bob", "accounts/1", "read")

    def test_others_edges_still_administered(self) -> None:
        """An edge of a role the administrator does not hold can still be cut."""
        rbac = _fenced()
        rbac.add_role("teller", by="bob")
        rbac.add_role("clerk", inherits=["teller"], by="bob")
        rbac.delete_inheritance("clerk", "teller", by="bob")
        rbac.delete_role("teller", by="bob")
        assert "teller" not in rbac.state.roles


class TestAdministratorsWideningTheirOwnRights:
    def test_security_admin_cannot_take_the_audit_right(self) -> None:
        """The holder of the `admin` right may not give their own role another kind."""
        rbac = _fenced()
        rights = AdminRights.three_way(system="sys", security="sec", audit="aud")
        wider = AdminRights(rights={**rights.rights, "reviews": frozenset({"aud", "sec"})})
        with pytest.raises(ConstraintViolation, match="own"):
            rbac.set_admin_rights(wider, by="josé")
        assert rbac.state.config.admin == rights

    def test_security_admin_cannot_switch_enforcement_off(self) -> None:
        """Dropping the rights (None) would give the changer every kind: refused."""
        rbac = _fenced()
        with pytest.raises(ConstraintViolation, match="own"):
            rbac.set_admin_rights(None, by="josé")
        assert rbac.state.config.admin is not None

    def test_rights_may_move_between_other_roles(self) -> None:
        """Handing a kind to a role the changer does not hold (or narrowing) is allowed."""
        rbac = _fenced()
        rbac.add_role("aud2", by="bob")
        rights = AdminRights.three_way(system="sys", security="sec", audit="aud2")
        rbac.set_admin_rights(rights, by="josé")
        assert rbac.state.config.admin == rights


class TestFutureDatedDocuments:
    def test_request_dated_in_the_future_does_not_load(self, clock: FrozenClock) -> None:
        """A saved request made 'later' would stay approvable long past its TTL: refused."""
        pending = _pending(
            requested_at="2099-01-01T00:00:00+00:00", expires="2099-01-02T00:00:00+00:00"
        )
        document = {**_document(), "pending_requests": [pending]}
        with pytest.raises(PolicyConfigError, match=r"pending_requests\[0\]\.requested_at"):
            RBAC.from_dict(document, clock=clock)

    def test_grant_starting_in_the_future_does_not_load(self, clock: FrozenClock) -> None:
        """The workflow starts a grant when it is approved, never later: refused."""
        grant = _grant(starts="2026-06-01T00:00:00+00:00", expires="2026-06-01T01:00:00+00:00")
        document = {**_document(), "privileged_grants": [grant]}
        with pytest.raises(PolicyConfigError, match=r"privileged_grants\[0\]\.starts"):
            RBAC.from_dict(document, clock=clock)


class TestLookAlikeActions:
    @pytest.mark.parametrize("action", ["\uff44elete", "de\ufb01ne", "\uff0a"])
    def test_compatibility_characters_in_an_action_are_refused(self, action: str) -> None:
        """A full-width `delete` (U+FF44 first) slipped past its deny beside an allow on `*`."""
        rbac = RBAC()
        rbac.add_role("clerk")
        rbac.add_user("u")
        rbac.assign("u", "clerk")
        rbac.grant("clerk", "files/**", "*")
        rbac.deny("clerk", "files/**", "delete")
        rbac.deny("clerk", "files/**", "define")
        with pytest.raises(PolicyConfigError, match="compatibility"):
            rbac.check("u", "files/1", action)
        with pytest.raises(PolicyConfigError, match="compatibility"):
            rbac.grant("clerk", "files/**", action)

    def test_plain_non_ascii_actions_still_work(self) -> None:
        """Actions in Chinese (NFKC-stable) are ordinary names."""
        rbac = RBAC()
        rbac.add_role("clerk")
        rbac.add_user("u")
        rbac.assign("u", "clerk")
        rbac.grant("clerk", "files/**", "读")
        assert rbac.check("u", "files/1", "读")


def _engine() -> RBAC:
    """Roles a, approver and the privileged p; user u."""
    rbac = RBAC()
    rbac.add_role("a")
    rbac.add_role("approver")
    rbac.add_role("p", privileged=True)
    rbac.add_user("u")
    return rbac


_MISUSES: list[tuple[str, Any]] = [
    ("levels", lambda r: RBAC(levels=5)),
    ("sample_seed", lambda r: RBAC(sample_seed="abc")),
    ("inherits", lambda r: r.add_role("b", inherits=5)),
    ("inherits", lambda r: r.add_role("b", inherits=None)),
    ("approver_roles", lambda r: r.add_role("b", privileged=True, approver_roles=5)),
    ("max_duration", lambda r: r.add_role("b", privileged=True, max_duration=timedelta.max)),
    ("roles", lambda r: r.add_ssd("s", 5, 2)),
    ("roles", lambda r: r.add_dsd("s", None, 2)),
    ("roles", lambda r: r.create_session("u", None)),
    ("roles", lambda r: r.create_session("u", 5)),
    (
        "duration",
        lambda r: r.request_grant("u", "p", requested_by="u", duration=timedelta.max, reason="x"),
    ),
    ("rights", lambda r: r.set_admin_rights({"users": ["a"]})),
]


class TestMisuseGivesTypedErrors:
    @pytest.mark.parametrize(("field", "call"), _MISUSES)
    def test_wrong_type_or_range_is_a_policy_error(self, field: str, call: Any) -> None:
        """A wrong type or an out-of-range span raises PolicyConfigError naming the field."""
        rbac = _engine()
        before = rbac.to_dict()
        with pytest.raises(PolicyConfigError) as info:
            call(rbac)
        assert field in (info.value.field or "")
        assert rbac.to_dict() == before

    @pytest.mark.parametrize("seconds", [1e300, float("nan"), float("inf")])
    def test_replayed_change_with_a_huge_span_is_a_policy_error(self, seconds: float) -> None:
        """A store change carrying an absurd duration is refused, never an OverflowError."""
        from secpolicy.rbac import _ops

        state = _engine().state
        for change in (
            {
                "op": "add_role",
                "args": {"role": "q", "privileged": True, "max_duration_seconds": seconds},
            },
            {
                "op": "request_grant",
                "args": {
                    "user": "u",
                    "role": "p",
                    "requested_by": "u",
                    "reason": "x",
                    "duration_seconds": seconds,
                },
            },
        ):
            with pytest.raises(PolicyConfigError):
                _ops.apply(state, {**change, "at": _DAY})


class TestReviewIntervals:
    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"interval": 5}, "interval"),
            ({"interval": timedelta(0)}, "interval"),
            ({"privileged_interval": None}, "privileged_interval"),
            ({"privileged_interval": timedelta(days=365)}, "privileged_interval"),
        ],
    )
    def test_bad_interval_is_a_policy_error(self, kwargs: dict[str, Any], field: str) -> None:
        """A non-span, a zero span, or privileged reviews rarer than ordinary ones are refused."""
        rbac = _engine()
        rbac.assign("u", "a")
        with pytest.raises(PolicyConfigError) as info:
            rbac.review_report(**kwargs)
        assert info.value.field == field


def _labelled() -> RBAC:
    """The split in force; josé (security) may read reports/** but is cleared only to 内部."""
    rbac = RBAC(levels=("公开", "内部", "秘密"))
    for role in ("sys", "sec", "aud", "analyst"):
        rbac.add_role(role)
    rbac.grant("analyst", "reports/**", "read")
    for user in ("bob", "josé", "dan"):
        rbac.add_user(user)
    rbac.assign("josé", "sec")
    rbac.assign("josé", "analyst")
    rbac.assign("dan", "analyst")
    rbac.set_clearance("josé", "内部")
    rbac.set_clearance("dan", "秘密")
    rbac.set_label("reports/board/**", "秘密")
    rbac.set_admin_rights(AdminRights.three_way(system="sys", security="sec", audit="aud"))
    return rbac


class TestAdministratorsLiftingTheirOwnLabels:
    def test_removing_a_label_above_own_clearance_is_refused(self) -> None:
        """The labels administrator may not unlabel what their own clearance keeps them from."""
        rbac = _labelled()
        with pytest.raises(ConstraintViolation, match="own access"):
            rbac.remove_label("reports/board/**", by="josé")
        assert not rbac.check("josé", "reports/board/1", "read")

    def test_lowering_a_label_above_own_clearance_is_refused(self) -> None:
        """Relabelling the same pattern down to their own level is refused too."""
        rbac = _labelled()
        with pytest.raises(ConstraintViolation, match="own access"):
            rbac.set_label("reports/board/**", "内部", by="josé")
        assert not rbac.check("josé", "reports/board/1", "read")

    def test_labels_within_own_clearance_are_still_administered(self) -> None:
        """Raising labels, and changing ones at or below the administrator's level, works."""
        rbac = _labelled()
        rbac.set_label("reports/q1/**", "内部", by="josé")
        rbac.set_label("reports/q1/**", "公开", by="josé")
        rbac.remove_label("reports/q1/**", by="josé")
        rbac.set_label("reports/board/**", "秘密", by="josé")
        assert rbac.check("dan", "reports/board/1", "read")


class TestLookAlikeAccounts:
    @pytest.mark.parametrize("twin", ["\u0430lice", "alic\u0435", "\u0391lice", "ALIC\u0415"])
    def test_cyrillic_or_greek_letter_in_a_latin_name_is_a_look_alike(self, twin: str) -> None:
        """A second `alice` with one Cyrillic or Greek letter could approve her requests."""
        rbac = RBAC()
        rbac.add_user("alice")
        with pytest.raises(PolicyConfigError, match="look-alike"):
            rbac.add_user(twin)
        assert twin not in rbac.state.users

    def test_wholly_cyrillic_names_are_their_own(self) -> None:
        """A name written only in Cyrillic is not read as Latin."""
        rbac = RBAC()
        rbac.add_user("ace")
        rbac.add_user("\u0430\u0441\u0435")
        assert "\u0430\u0441\u0435" in rbac.state.users


class _TwoFaced(Sequence[str]):
    """A rule that names ``public/x`` when first read and ``**`` ever after."""

    def __init__(self) -> None:
        self.reads = 0

    def __len__(self) -> int:
        return 3

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(3)][index]
        if not 0 <= index < 3:
            raise IndexError(index)
        if index == 1:
            self.reads += 1
            return "public/x" if self.reads == 1 else "**"
        return ("viewer", "", "read")[index]


class TestBulkGrantSnapshot:
    def test_the_store_keeps_the_rule_that_was_validated(self) -> None:
        """A rule that reads differently a second time cannot write another rule to the store."""
        writer = RBAC()
        writer.add_role("viewer")
        writer.add_user("u")
        writer.assign("u", "viewer")
        store = MemoryPolicyStore()
        writer.attach(store)
        reader = RBAC.from_store(store)
        assert writer.grant_many([_TwoFaced()]) == 1
        reader.refresh()
        assert reader.check("u", "public/x", "read")
        assert not writer.check("u", "secret", "read")
        assert not reader.check("u", "secret", "read")
        assert store.changes_since(0)[-1][1]["args"]["rules"] == [("viewer", "public/x", "read")]


_INVISIBLE = ["\u034f", "\ufe0f", "\U000e0100", "\u180b", "\u17b4", "\u3164", "\u115f", "\u2800"]


class TestInvisibleCharacters:
    @pytest.mark.parametrize("mark", _INVISIBLE)
    def test_an_invisible_character_does_not_make_a_second_bob(self, mark: str) -> None:
        """`bob` plus a variation selector (or CGJ) was a new account drawn as `bob`."""
        rbac = RBAC()
        rbac.add_user("bob")
        with pytest.raises(InvalidNameError, match="invisible"):
            rbac.add_user("bob" + mark)
        with pytest.raises(InvalidNameError, match="invisible"):
            rbac.add_role("approver" + mark)
        assert list(rbac.state.users) == ["bob"]

    @pytest.mark.parametrize("mark", _INVISIBLE)
    def test_an_invisible_character_does_not_slip_past_a_deny(self, mark: str) -> None:
        """`a/secret` plus a variation selector was allowed beside a deny on `a/secret/**`."""
        rbac = RBAC()
        rbac.add_role("clerk")
        rbac.add_user("u")
        rbac.assign("u", "clerk")
        rbac.grant("clerk", "**", "*")
        rbac.deny("clerk", "a/secret/**", "read")
        with pytest.raises(InvalidNameError, match="invisible"):
            rbac.check("u", f"a/secret{mark}/1", "read")
        with pytest.raises(InvalidNameError, match="invisible"):
            rbac.check("u", "a/secret/1", "read" + mark)
        with pytest.raises(InvalidNameError, match="invisible"):
            rbac.grant_many([("clerk", f"b{mark}/**", "read")])
        assert not rbac.check("u", "a/secret/1", "read")


class _AnyName(str):
    """A str whose equality and hash claim to be `alice`, whatever its text."""

    __slots__ = ()

    def __hash__(self) -> int:
        return hash("alice")

    def __eq__(self, other: object) -> bool:
        return True

    def __ne__(self, other: object) -> bool:
        return False


class TestStrSubclassNames:
    def test_a_str_subclass_is_read_as_its_text(self) -> None:
        """`mallory` as a str subclass equal to everything was given alice's access."""
        rbac = RBAC()
        rbac.add_role("keeper")
        rbac.add_user("alice")
        rbac.assign("alice", "keeper")
        rbac.grant("keeper", "vault/**", "read")
        assert not rbac.check(_AnyName("mallory"), "vault/1", "read")
        assert not rbac.check("mallory", "vault/1", "read")
        assert rbac.check("alice", "vault/1", "read")

    def test_a_str_subclass_does_not_poison_the_name_caches(self) -> None:
        """A subclass key hashed as `alice` made later plain `alice` read as `mallory`."""
        rbac = RBAC()
        rbac.add_role("keeper")
        with pytest.raises(PolicyConfigError, match="unknown"):
            rbac.assign(_AnyName("mallory"), "keeper")
        rbac.add_user("alice")
        rbac.assign("alice", "keeper")
        rbac.grant("keeper", "vault/**", "read")
        assert rbac.check("alice", "vault/1", "read")
        assert type(next(iter(rbac.state.users))) is str


class _LostReply(MemoryPolicyStore):
    """A store that writes the change and then fails to say so (a lost reply)."""

    def __init__(self, *, writes: bool) -> None:
        super().__init__()
        self.failing = False
        self.writes = writes

    def append(self, expected_version: int, change: Mapping[str, Any]) -> int:
        if not self.failing:
            return super().append(expected_version, change)
        if self.writes:
            super().append(expected_version, change)
        raise TimeoutError("no reply")


class TestStoreFailureAfterTheWrite:
    def _engine(self, store: _LostReply, events: list[RBACEvent]) -> RBAC:
        rbac = RBAC(on_event=events.append)
        rbac.add_role("viewer")
        rbac.add_user("u")
        rbac.assign("u", "viewer")
        rbac.attach(store)
        store.failing = True
        return rbac

    def test_a_written_change_is_not_voided(self) -> None:
        """A lost reply voided a grant the store held (every engine then applied it)."""
        store = _LostReply(writes=True)
        events: list[RBACEvent] = []
        rbac = self._engine(store, events)
        assert rbac.grant_many([("viewer", "x", "read")]) == 1
        assert [e.kind for e in events][-1] == "permission_granted"
        assert rbac.check("u", "x", "read")
        assert rbac.store_version == store.version
        assert RBAC.from_store(store).check("u", "x", "read")

    def test_an_unwritten_change_is_still_voided(self) -> None:
        """A write that did not happen still fails, with change_aborted."""
        store = _LostReply(writes=False)
        events: list[RBACEvent] = []
        rbac = self._engine(store, events)
        with pytest.raises(TimeoutError):
            rbac.grant_many([("viewer", "x", "read")])
        assert events[-1].kind == "change_aborted"
        assert events[-1].details["cause"] == "store_error"
        assert not rbac.check("u", "x", "read")
        assert not RBAC.from_store(store).check("u", "x", "read")


class _Silent(_LostReply):
    """A lost reply, and a store that cannot be read back either."""

    def changes_since(self, version: int) -> list[tuple[int, Mapping[str, Any]]]:
        if self.failing:
            raise TimeoutError("down")
        return super().changes_since(version)


class TestStoreFailureReadBack:
    def test_a_store_that_cannot_say_aborts(self) -> None:
        """If the store cannot be read back, the change fails and is voided (fail closed)."""
        store = _Silent(writes=True)
        events: list[RBACEvent] = []
        rbac = TestStoreFailureAfterTheWrite()._engine(store, events)
        with pytest.raises(TimeoutError, match="no reply"):
            rbac.grant_many([("viewer", "x", "read")])
        assert events[-1].kind == "change_aborted"
        assert not rbac.check("u", "x", "read")

    def test_another_change_in_its_place_aborts(self) -> None:
        """A different change at the next version is not taken for this one."""
        store = _LostReply(writes=False)
        events: list[RBACEvent] = []
        rbac = TestStoreFailureAfterTheWrite()._engine(store, events)
        other = RBAC.from_store(store)
        store.failing = False
        other.grant("viewer", "y", "read")
        store.failing = True
        with pytest.raises(TimeoutError):
            rbac.grant_many([("viewer", "x", "read")])
        assert events[-1].kind == "change_aborted"


class _MisnumberingStore(MemoryPolicyStore):
    """A store that writes each change but answers another version for it (a store bug)."""

    def __init__(self) -> None:
        super().__init__()
        self.answer: object = None  # what append() says instead, once set

    def append(self, expected_version: int, change: Mapping[str, Any]) -> int:
        version = super().append(expected_version, change)
        answer, self.answer = self.answer, None
        return version if answer is None else answer  # type: ignore[return-value]


_VAULT = ("alice", "vault/1", "read")


def _vault(clock: FrozenClock, store: MemoryPolicyStore) -> RBAC:
    writer = RBAC(clock=clock)
    writer.add_role("keeper")
    writer.grant("keeper", "vault/**", "read")
    writer.add_user("alice")
    writer.assign("alice", "keeper")
    writer.attach(store)
    return writer


class TestAStoreMisnumberingItsReply:
    """The version a store answers for an append is checked, never taken on trust."""

    @pytest.mark.parametrize("answer", [3, 5, 0, -1, True, None, "3"])
    def test_another_engines_revocation_still_arrives(self, answer: object) -> None:
        """Believing a later version made the engine skip other writers' changes for good."""
        clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
        store = _MisnumberingStore()
        _vault(clock, store)
        engine = RBAC.from_store(store, clock=clock, max_staleness=timedelta(seconds=30))
        other = RBAC.from_store(store, clock=clock)
        store.answer = answer if answer is not None else "nothing"
        # The change is in the store at version 2 whatever the reply said:
        # the engine reads it back and takes that version, or refuses.
        with contextlib.suppress(PolicyConfigError):
            engine.add_user("bob")
        assert engine.store_version in (1, 2)
        other.refresh()
        other.remove_user("alice")  # the revocation, at version 3
        engine.refresh()
        assert engine.store_version == store.version
        assert not engine.check(*_VAULT)
        assert "bob" in engine.state.users

    def test_a_reply_nothing_confirms_is_refused(self) -> None:
        """A reply the store's own changes do not bear out fails the change, voided."""
        events: list[RBACEvent] = []
        store = _MisnumberingStore()
        engine = RBAC(on_event=events.append)
        engine.add_role("keeper")
        engine.attach(store)

        class _Forgetful(_MisnumberingStore):
            def changes_since(self, version: int) -> list[tuple[int, Mapping[str, Any]]]:
                return []

        store.__class__ = _Forgetful
        store.answer = 7
        with pytest.raises(PolicyConfigError, match="version"):
            engine.add_user("bob")
        assert events[-1].kind == "change_aborted"
        assert "bob" not in engine.state.users
        assert engine.store_version == 1


class _RewoundStore(MemoryPolicyStore):
    """A store whose reads can be rewound to an older snapshot (a store bug or a bad restore)."""

    def __init__(self) -> None:
        super().__init__()
        self.rewound: tuple[int, Mapping[str, Any]] | None = None
        self.extra: list[tuple[int, Mapping[str, Any]]] = []

    def load(self) -> tuple[int, Mapping[str, Any] | None]:
        return self.rewound if self.rewound is not None else super().load()

    def changes_since(self, version: int) -> list[tuple[int, Mapping[str, Any]]]:
        if self.rewound is None:
            return super().changes_since(version)
        return [(v, c) for v, c in self.extra if v > version or version > self.rewound[0]]


class TestARefreshNeverGoesBack:
    """A refresh never replaces the engine's state by an older version of the policy."""

    def _revoked(self) -> tuple[_RewoundStore, RBAC, tuple[int, dict[str, Any]]]:
        clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
        store = _RewoundStore()
        writer = _vault(clock, store)
        engine = RBAC.from_store(store, clock=clock, max_staleness=timedelta(seconds=30))
        before = (engine.store_version, engine.to_dict())
        assert engine.check(*_VAULT)
        writer.remove_user("alice")
        assert engine.refresh() == 1
        assert not engine.check(*_VAULT)
        return store, engine, before

    def test_an_older_snapshot_is_refused(self) -> None:
        """A change list not after the engine's version sent it to an older snapshot."""
        store, engine, before = self._revoked()
        store.rewound = before
        zed = {"op": "add_user", "args": {"user": "zed"}, "by": None, "at": _DAY}
        store.extra = [(before[0] + 1, zed)]
        with pytest.raises(PolicyConfigError, match="store"):
            engine.refresh()
        assert engine.store_version == before[0] + 1
        assert not engine.check(*_VAULT)

    @pytest.mark.parametrize(
        "reply",
        [
            None,
            "abc",
            [(1,)],
            [("2", {})],
            [(None, {})],
            [(1, {"op": "add_user", "args": {"user": "zed"}, "at": _DAY})],
        ],
    )
    def test_a_malformed_change_list_is_a_policy_error(self, reply: object) -> None:
        """A reply that is not a list of later (version, change) pairs changes nothing."""
        store, engine, _ = self._revoked()
        version = engine.store_version
        store.changes_since = lambda v: reply  # type: ignore[assignment,method-assign,return-value]
        with pytest.raises(PolicyConfigError, match="store"):
            engine.refresh()
        assert engine.store_version == version
        assert not engine.check(*_VAULT)


class TestAStoreRestoredFromAnOlderCopy:
    """A store rolled back and written again is noticed, not read past."""

    def _restored(self) -> tuple[FrozenClock, MemoryPolicyStore, RBAC, RBAC]:
        clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
        store = MemoryPolicyStore()
        _vault(clock, store)  # version 1
        engine = RBAC.from_store(store, clock=clock, max_staleness=timedelta(seconds=30))
        RBAC.from_store(store, clock=clock).add_user("bob")  # version 2
        assert engine.refresh() == 1
        assert engine.check(*_VAULT)
        store._changes = store._changes[:1]  # the backup at version 1 is restored
        restored = RBAC.from_store(store, clock=clock)
        restored.remove_user("alice")  # a revocation, at version 2 again
        return clock, store, engine, restored

    def test_the_revocation_at_the_engines_version_is_not_skipped(self) -> None:
        """The engine at version 2 asked for changes after 2 and never saw the revocation."""
        clock, _, engine, _ = self._restored()
        with pytest.raises(PolicyConfigError, match="restored"):
            engine.refresh()
        assert engine.check(*_VAULT)  # within the bound of the last good refresh
        clock.advance(timedelta(seconds=31))
        assert not engine.check(*_VAULT)  # and it never becomes fresh on this store

    def test_its_own_writes_are_checked_too(self) -> None:
        """The change an engine wrote itself is the one it expects to find."""
        clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
        store = MemoryPolicyStore()
        writer = _vault(clock, store)
        writer.add_user("bob")  # version 2, by this engine
        assert writer.refresh() == 0
        store._changes = store._changes[:1]
        RBAC.from_store(store, clock=clock).remove_user("alice")
        with pytest.raises(PolicyConfigError, match="restored"):
            writer.refresh()

    def test_a_compacted_store_still_refreshes(self) -> None:
        """A snapshot at the engine's version leaves nothing to compare: that is not an error."""
        clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
        store = MemoryPolicyStore()
        writer = _vault(clock, store)
        engine = RBAC.from_store(store, clock=clock)
        writer.add_user("bob")
        assert engine.refresh() == 1
        store.compact(*engine.snapshot())
        assert engine.refresh() == 0
        writer.remove_user("alice")
        assert engine.refresh() == 1
        assert not engine.check(*_VAULT)

    @pytest.mark.parametrize("followed", [True, False])
    def test_a_revocation_compacted_away_at_the_head_still_arrives(self, followed: bool) -> None:
        """A snapshot past the engine, with no change after it, is read: the revocation holds.

        The engine's ``changes_since`` came back empty (the changes up to the
        snapshot are gone), refresh() applied nothing, restarted the
        staleness clock, and alice kept reading the vault on the revoked
        rule, on every later refresh too, until someone wrote again. (With
        *followed*, the engine's state ends with a change it applied; without,
        with a snapshot it loaded.)
        """
        clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
        store = MemoryPolicyStore()
        writer = _vault(clock, store)
        if not followed:
            store.compact(*writer.snapshot())
        engine = RBAC.from_store(store, clock=clock, max_staleness=timedelta(minutes=5))
        assert engine.check(*_VAULT)
        writer.revoke("keeper", "vault/**", "read")
        store.compact(*writer.snapshot())
        clock.advance(timedelta(minutes=4))
        assert engine.refresh() == 1
        assert engine.store_version == writer.store_version
        assert not engine.check(*_VAULT)
        assert engine.to_dict() == writer.to_dict()

    def test_an_idle_refresh_after_a_compaction_copies_no_snapshot(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """At a memory store compacted at its version, a refresh asks the version, not the policy.

        (Reading the snapshot on each poll copied the whole policy: 18 ms a
        refresh with 10,000 grants.)
        """
        clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
        store = MemoryPolicyStore()
        writer = _vault(clock, store)
        engine = RBAC.from_store(store, clock=clock)
        store.compact(*writer.snapshot())
        loads: list[int] = []
        real = MemoryPolicyStore.load

        def load(self: MemoryPolicyStore) -> tuple[int, Mapping[str, Any] | None]:
            loads.append(1)
            return real(self)

        monkeypatch.setattr(MemoryPolicyStore, "load", load)
        for _ in range(3):
            assert engine.refresh() == 0
        assert not loads
        writer.revoke("keeper", "vault/**", "read")
        store.compact(*writer.snapshot())
        assert engine.refresh() == 1
        assert loads
        assert not engine.check(*_VAULT)

    def test_a_store_that_lost_the_engines_version_is_refused(self) -> None:
        """No change at or after the engine's version and an older snapshot: restored, refused."""
        clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
        store = MemoryPolicyStore()
        writer = _vault(clock, store)
        engine = RBAC.from_store(store, clock=clock)
        writer.revoke("keeper", "vault/**", "read")
        assert engine.refresh() == 1
        store._changes = store._changes[:1]  # restored from a copy taken before the revoke
        with pytest.raises(PolicyConfigError, match="older copy"):
            engine.refresh()
        assert not engine.check(*_VAULT)


class _CompactedAfterLoad(MemoryPolicyStore):
    """Compacts at its head right after the next ``load()``, as a job in another thread would."""

    def __init__(self) -> None:
        super().__init__()
        self.armed: tuple[int, dict[str, Any]] | None = None

    def load(self) -> tuple[int, Mapping[str, Any] | None]:
        found = super().load()
        if self.armed is not None:
            armed, self.armed = self.armed, None
            self.compact(*armed)
        return found


class TestACompactionBetweenTheSnapshotAndTheChanges:
    """``load()`` and ``changes_since()`` are two reads: a compaction between them is seen.

    The compaction deleted the changes after the snapshot just read, the
    empty change list passed for "nothing since", and the engine stayed at
    the older snapshot, synchronised as far as its staleness clock knew,
    allowing alice the vault on the revoked rule until the next write.
    """

    def test_attach(self) -> None:
        """An engine attaching while the store compacts starts from the newest snapshot."""
        clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
        store = _CompactedAfterLoad()
        writer = _vault(clock, store)
        store.compact(*writer.snapshot())
        writer.revoke("keeper", "vault/**", "read")
        store.armed = writer.snapshot()
        engine = RBAC.from_store(store, clock=clock, max_staleness=timedelta(minutes=5))
        assert engine.store_version == writer.store_version
        assert not engine.check(*_VAULT)

    def test_refresh(self) -> None:
        """A refresh reading the snapshot while the store compacts again reads the newest."""
        clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
        store = _CompactedAfterLoad()
        writer = _vault(clock, store)
        engine = RBAC.from_store(store, clock=clock, max_staleness=timedelta(minutes=5))
        writer.add_user("bob")
        store.compact(*writer.snapshot())
        writer.add_user("carol")  # a change after the snapshot: the refresh reads the snapshot
        writer.revoke("keeper", "vault/**", "read")
        store.armed = writer.snapshot()
        assert engine.refresh() == writer.store_version - 1
        assert engine.store_version == writer.store_version
        assert not engine.check(*_VAULT)

    def test_a_store_compacting_during_every_read_is_refused(self) -> None:
        """A store that never holds still gives a typed error, not an older policy."""

        class Restless(MemoryPolicyStore):
            restless = False

            def load(self) -> tuple[int, Mapping[str, Any] | None]:
                found = super().load()
                if self.restless:
                    with self._lock:
                        self._snapshot_version += 1  # a new snapshot every read
                return found

        store = Restless()
        _vault(FrozenClock(datetime(2026, 1, 1, tzinfo=UTC)), store)
        store.restless = True
        with pytest.raises(PolicyConfigError, match="compacted"):
            RBAC.from_store(store)


class TestARefreshFailingHalfway:
    """A change list that fails part-way applies none of it and restarts no clock."""

    def test_nothing_of_the_list_is_applied(self) -> None:
        """Two good changes, then a malformed one: the engine stays at its version."""
        clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
        store = MemoryPolicyStore()
        writer = _vault(clock, store)
        bound = timedelta(seconds=30)
        engine = RBAC.from_store(store, clock=clock, max_staleness=bound)
        assert engine.check(*_VAULT)  # memoised
        version = engine.store_version
        writer.add_user("bob")
        writer.revoke("keeper", "vault/**", "read")
        store._changes.append({"op": "revoke", "args": {"role": "keeper"}, "at": _DAY})
        clock.advance(bound)
        with pytest.raises(PolicyConfigError):
            engine.refresh()
        assert engine.store_version == version
        assert "bob" not in engine.state.users
        assert engine.check(*_VAULT)  # within the bound of the last good refresh
        clock.advance(timedelta(microseconds=1))
        assert not engine.check(*_VAULT)  # the failed refresh restarted nothing
        assert not engine.decide(*_VAULT).allowed


class TestChangesFromInsideTheHook:
    def test_a_change_made_by_the_hook_is_refused_not_lost(self) -> None:
        """A grant made from on_event was reported, then overwritten by the outer change."""
        events: list[RBACEvent] = []
        holder: list[RBAC] = []

        def hook(event: RBACEvent) -> None:
            events.append(event)
            if event.kind == "permission_granted" and event.details["resource"] == "x":
                holder[0].grant("viewer", "nested", "read")

        rbac = RBAC(on_event=hook)
        holder.append(rbac)
        rbac.add_role("viewer")
        rbac.add_user("u")
        rbac.assign("u", "viewer")
        with pytest.raises(PolicyConfigError, match="on_event"):
            rbac.grant_many([("viewer", "x", "read")])
        assert [e.kind for e in events][-2:] == ["permission_granted", "change_aborted"]
        assert not rbac.check("u", "x", "read")
        assert not rbac.check("u", "nested", "read")
        rbac.grant("viewer", "y", "read")
        assert rbac.check("u", "y", "read")

    def test_a_refresh_from_inside_the_hook_is_refused(self) -> None:
        """Refreshing from on_event would be overwritten by the change being reported."""
        holder: list[RBAC] = []

        def hook(event: RBACEvent) -> None:
            if event.kind == "permission_granted":
                holder[0].refresh()

        rbac = RBAC(on_event=hook)
        holder.append(rbac)
        rbac.add_role("viewer")
        rbac.attach(MemoryPolicyStore())
        with pytest.raises(PolicyConfigError, match="on_event"):
            rbac.grant("viewer", "x", "read")
        assert not rbac.role_permissions("viewer")


def _reviewed(
    review: Mapping[str, Any] | None = None, since: str = "2025-01-01T00:00:00+00:00"
) -> dict[str, Any]:
    """A teller assignment and one review of it, as a saved document carries them."""
    mark = {"user": "u", "role": "teller", "at": "2025-12-01T00:00:00+00:00", "by": "rev"}
    return {
        "format": 2,
        "roles": {"teller": {}},
        "users": ["u", "rev"],
        "assignments": [{"user": "u", "role": "teller", "since": since}],
        "reviews": [{**mark, **(review or {})}],
    }


class TestForgedReviewMarks:
    def test_valid_review_loads(self, clock: FrozenClock) -> None:
        """A review the workflow could have recorded loads and counts."""
        rbac = RBAC.from_dict(_reviewed(), clock=clock)
        (entry,) = rbac.review_report().entries
        assert entry.reviewed_by == "rev"
        assert not entry.overdue

    @pytest.mark.parametrize(
        ("review", "path"),
        [
            ({"at": "2099-01-01T00:00:00+00:00"}, r"reviews\[0\]\.at"),
            ({"by": "u"}, r"reviews\[0\]\.by"),
            ({"user": "ghost"}, r"reviews\[0\]\.user"),
        ],
    )
    def test_review_the_workflow_refuses_does_not_load(
        self, clock: FrozenClock, review: dict[str, Any], path: str
    ) -> None:
        """A review dated 2099 (nothing due until then), a self-review or a ghost's is refused."""
        with pytest.raises(PolicyConfigError, match=path):
            RBAC.from_dict(_reviewed(review), clock=clock)

    def test_assignment_dated_in_the_future_does_not_load(self, clock: FrozenClock) -> None:
        """An assignment 'since 2099' held today would not be due for review until 2099."""
        document = _reviewed(since="2099-01-01T00:00:00+00:00")
        document["reviews"] = []
        with pytest.raises(PolicyConfigError, match=r"assignments\[0\]"):
            RBAC.from_dict(document, clock=clock)

    def test_future_assignment_in_a_store_change_is_refused(self, clock: FrozenClock) -> None:
        """A replayed assign whose 'since' is after the change itself is refused."""
        store = MemoryPolicyStore()
        rbac = RBAC(clock=clock)
        rbac.add_role("teller")
        rbac.add_user("u")
        rbac.attach(store)
        at = clock.now().isoformat()
        args = {"user": "u", "role": "teller", "since": "2099-01-01T00:00:00+00:00"}
        store.append(rbac.store_version, {"op": "assign", "args": args, "by": None, "at": at})
        with pytest.raises(PolicyConfigError, match="since"):
            rbac.refresh()
        assert not rbac.assigned_roles("u")


class TestGrantsWithoutAReason:
    @pytest.mark.parametrize("reason", ["", "   "])
    def test_saved_grant_without_a_reason_does_not_load(
        self, clock: FrozenClock, reason: str
    ) -> None:
        """request_grant refuses a blank justification; a saved grant cannot carry one."""
        document = {**_document(), "privileged_grants": [_grant(reason=reason)]}
        with pytest.raises(PolicyConfigError, match=r"privileged_grants\[0\]\.reason"):
            RBAC.from_dict(document, clock=clock)

    @pytest.mark.parametrize("reason", ["", "\u3000"])
    def test_saved_request_without_a_reason_does_not_load(
        self, clock: FrozenClock, reason: str
    ) -> None:
        """A pending request without a justification would be approved without one."""
        document = {**_document(), "pending_requests": [_pending(reason=reason)]}
        with pytest.raises(PolicyConfigError, match=r"pending_requests\[0\]\.reason"):
            RBAC.from_dict(document, clock=clock)


# -- differential: after every change, the engine answers as a fresh engine of its state --


_NAMES = ("a", "b", "a/b", "a/*", "a/**", "**", "*/b", "a/b/c", "*")
_REQS = ("a", "b", "a/b", "a/b/c", "b/b", "a/x", "x")
_TENANTS = (None, "t1", "t2")
_OPS = st.tuples(
    st.sampled_from(
        (
            "grant",
            "deny",
            "revoke",
            "label",
            "unlabel",
            "clear",
            "assign",
            "deassign",
            "inherit",
            "uninherit",
            "delete_role",
            "add_role",
            "remove_user",
            "add_user",
            "grant_many",
            "reload",
        )
    ),
    st.sampled_from(("r1", "r2", "r3")),
    st.sampled_from(_NAMES),
    st.sampled_from(("read", "*")),
    st.sampled_from(_TENANTS),
    st.sampled_from(("low", "high")),
)


def _apply(rbac: RBAC, op: tuple[str, str, str, str, str | None, str]) -> None:
    kind, role, name, action, tenant, level = op
    calls: dict[str, Any] = {
        "grant": lambda: rbac.grant(role, name, action, tenant=tenant),
        "deny": lambda: rbac.deny(role, name, action, tenant=tenant),
        "revoke": lambda: rbac.revoke(role, name, action, tenant=tenant),
        "label": lambda: rbac.set_label(name, level, tenant=tenant),
        "unlabel": lambda: rbac.remove_label(name, tenant=tenant),
        "clear": lambda: rbac.set_clearance("u", level, tenant=tenant),
        "assign": lambda: rbac.assign("u", role, tenant=tenant),
        "deassign": lambda: rbac.deassign("u", role, tenant=tenant),
        "inherit": lambda: rbac.add_inheritance(role, "r1" if role != "r1" else "r2"),
        "uninherit": lambda: rbac.delete_inheritance(role, "r1" if role != "r1" else "r2"),
        "delete_role": lambda: rbac.delete_role(role),
        "add_role": lambda: rbac.add_role(role, privileged=level == "high"),
        "remove_user": lambda: rbac.remove_user("u"),
        "add_user": lambda: rbac.add_user("u"),
        "grant_many": lambda: rbac.grant_many(
            [(role, name, action), (role, "b", "read")], tenant=tenant
        ),
    }
    with contextlib.suppress(PolicyConfigError, ConstraintViolation):
        calls[kind]()


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(_OPS, max_size=25))
def test_every_change_answers_like_a_fresh_engine(ops: list[Any]) -> None:
    """After each change, check agrees with decide, a store follower and a fresh from_dict engine.

    Checks run after every change, so plans, role-cache entries and memos
    from earlier states are in the cache when the next state is asked.
    """
    rbac = RBAC(levels=("low", "high"))
    rbac.add_user("u")
    for role in ("r1", "r2", "r3"):
        rbac.add_role(role)
    store = MemoryPolicyStore()
    rbac.attach(store)
    follower = RBAC.from_store(store)
    for op in ops:
        if op[0] == "reload":
            # A reload is a fresh engine of the saved policy, attached to a fresh store.
            rbac = RBAC.from_dict(rbac.to_dict())
            store = MemoryPolicyStore()
            rbac.attach(store)
            follower = RBAC.from_store(store)
        else:
            _apply(rbac, op)
            follower.refresh()
        fresh = RBAC.from_dict(rbac.to_dict())
        for tenant in _TENANTS:
            for name in _REQS:
                for action in ("read", "write"):
                    got = rbac.check("u", name, action, tenant=tenant)
                    assert got == fresh.check("u", name, action, tenant=tenant), (op, name, tenant)
                    assert got == rbac.decide("u", name, action, tenant=tenant).allowed
                    assert got == follower.check("u", name, action, tenant=tenant), (op, name)


_PRIV_OPS = st.tuples(
    st.sampled_from(("grant", "deny", "revoke", "assign", "deassign", "request", "end", "wait")),
    st.sampled_from(("dba", "dbread", "helpdesk")),
    st.sampled_from(("db", "db/*", "db/**", "db/x", "**")),
    st.sampled_from(_TENANTS),
    st.integers(1, 3),
)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(_PRIV_OPS, max_size=20))
def test_privileged_grants_answer_like_a_fresh_engine(ops: list[Any]) -> None:
    """Grants that start, lapse and end, checked between changes, never leave a stale answer."""
    clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
    rbac = RBAC(clock=clock)
    rbac.add_role("dba", privileged=True)
    rbac.add_role("dbread")
    rbac.add_inheritance("dba", "dbread")
    rbac.add_role("helpdesk", inherits=["dba"])
    rbac.add_role("approver")
    for user in ("m", "bob", "req"):
        rbac.add_user(user)
    rbac.assign("bob", "approver")
    ids: list[str] = []
    for kind, role, name, tenant, hours in ops:
        with contextlib.suppress(PolicyConfigError, ConstraintViolation):
            if kind in ("grant", "deny", "revoke"):
                getattr(rbac, kind)(role, name, "read", tenant=tenant)
            elif kind in ("assign", "deassign"):
                getattr(rbac, kind)("m", role, tenant=tenant)
            elif kind == "request":
                request = rbac.request_grant(
                    "m",
                    "dba",
                    requested_by="req",
                    duration=timedelta(hours=hours),
                    reason="INC-1",
                    tenant=tenant,
                )
                rbac.approve(request.request_id, by="bob")
                ids.append(request.request_id)
            elif kind == "end" and ids:
                rbac.revoke_grant(ids.pop(0), by="bob")
            elif kind == "wait":
                clock.advance(timedelta(minutes=30 * hours))
        fresh = RBAC.from_dict(rbac.to_dict(), clock=clock)
        for t in _TENANTS:
            for resource in ("db", "db/x", "db/x/y", "other"):
                got = rbac.check("m", resource, "read", tenant=t)
                assert got == fresh.check("m", resource, "read", tenant=t), (kind, resource, t)
                assert got == rbac.decide("m", resource, "read", tenant=t).allowed


# -- request records built at once (threads): a role number is never shared --------------


def test_record_builds_interleaved_at_every_builtin_call_never_share_a_role_bit() -> None:
    """Another record build run at every ``len()`` return of one build leaves both right.

    A thread can be switched out when a builtin call returns. Request
    records number role names to make bit masks; a numbering shared between
    builds gave two names one bit when a second build numbered a name
    between one build's ``len(bits)`` and its store, so ``u0`` (holding
    ``r0``) was then allowed what only that other role may do, in every
    record built later. Here the second build runs, from a profile hook, at
    each such point of the first, each time for a role not yet numbered.
    """
    n = 40
    rbac = RBAC()
    for i in range(n):
        rbac.add_role(f"r{i}")
        rbac.add_user(f"u{i}")
        rbac.assign(f"u{i}", f"r{i}")
        rbac.grant(f"r{i}", f"res{i}", "read")
    nested: list[bool] = []
    inside = [False]

    def hook(frame: Any, event: str, arg: Any) -> None:
        if event != "c_return" or arg is not len or inside[0] or len(nested) >= n - 1:
            return
        if not frame.f_code.co_filename.endswith("_decide.py"):
            return
        inside[0] = True
        try:
            k = len(nested) + 1
            nested.append(rbac.check(f"u{k}", f"res{k}", "read"))
        finally:
            inside[0] = False

    sys.setprofile(hook)
    try:
        got = rbac.check("u0", "res1", "read")
    finally:
        sys.setprofile(None)
    assert nested
    assert all(nested)
    assert got is False
    for i in range(n):
        for j in range(n):
            assert rbac.check(f"u{i}", f"res{j}", "read") is (i == j), (i, j)


# -- memory: the caches are bounded in entries, and long names are kept nowhere ----------


@pytest.mark.parametrize("long_field", ["user", "resource", "tenant"])
def test_long_request_names_are_answered_and_kept_in_no_cache(long_field: str) -> None:
    """A request with a 100,000-character name is decided right and leaves nothing behind.

    Every cache of requests is bounded in entries (cleared at its limit),
    but each entry held the request's names: 65,536 memo answers and
    131,072 records and plans of 8 kB names an attacker chose held well over
    a gigabyte (2,000-character names: 310 MB more resident memory after
    200,000 requests).
    """
    from secpolicy.rbac import _names

    long = "y" * 100_000
    user = long if long_field == "user" else "u"
    tenant = long if long_field == "tenant" else "t"
    resource = f"x/{long}" if long_field == "resource" else "x/y"
    rbac = RBAC()
    rbac.add_role("a")
    rbac.add_user(user)
    rbac.assign(user, "a", tenant=tenant)
    rbac.grant("a", "x/**", "read", tenant=tenant)
    rbac.deny("a", "x/**", "write", tenant=tenant)
    caches = (
        _names._ID_CACHE,
        _names._RESOURCE_CACHE,
        _names._ACTION_CACHE,
        _names._REQUEST_CACHE,
    )
    for cache in caches:
        cache.clear()
    state = rbac.state
    state.cache.clear()
    for _ in range(2):
        assert rbac.check(user, resource, "read", tenant=tenant) is True
        assert rbac.check(user, resource, "write", tenant=tenant) is False
        assert rbac.check(user, resource, "read", tenant=None) is False
    assert rbac.decide(user, resource, "read", tenant=tenant).allowed
    kept = [
        *state.memo,
        *state.cache,
        *state.cache.values(),
        *(k for cache in caches for k in cache),
        *(v for cache in caches for v in cache.values()),
    ]

    def size(item: object) -> int:
        if isinstance(item, str):
            return len(item)
        if isinstance(item, tuple):
            return sum(size(i) for i in item)
        return 0

    assert max(map(size, kept), default=0) < 1_000


def test_checks_in_threads_never_allow_after_a_committed_deny() -> None:
    """Threads check while one thread adds and lifts denies between unrelated changes.

    A check that starts after every deny was committed, and ends before any
    is lifted, denies (the numbered round says which), whatever records and
    memos the other threads were building meanwhile.
    """
    rbac = RBAC()
    for i in range(12):
        rbac.add_role(f"r{i}")
        rbac.add_user(f"u{i}")
        rbac.assign(f"u{i}", f"r{i}")
        rbac.grant(f"r{i}", f"d{i}/**", "read")
    round_ = [0]  # odd while every deny is in force
    done = threading.Event()
    wrong: list[tuple[int, int]] = []
    errors: list[BaseException] = []

    def mutate() -> None:
        try:
            for k in range(40):
                for i in range(12):
                    rbac.deny(f"r{i}", "*/x", "read")
                round_[0] += 1
                for j in range(6):
                    rbac.add_user(f"x{k}-{j}")
                    rbac.assign(f"x{k}-{j}", f"r{j}")
                    rbac.grant(f"r{j}", f"e{k}/{j}", "read")
                round_[0] += 1
                for i in range(12):
                    rbac.revoke(f"r{i}", "*/x", "read")
        except BaseException as exc:  # noqa: BLE001 (reported by the test thread)
            errors.append(exc)
        finally:
            done.set()

    def check(offset: int) -> None:
        n = offset
        while not done.is_set():
            i = n % 12
            n += 5
            seen = round_[0]
            got = rbac.check(f"u{i}", f"d{i}/x", "read")
            if seen % 2 == 1 and round_[0] == seen and got:
                wrong.append((seen, i))

    threads = [threading.Thread(target=check, args=(k,)) for k in range(3)]
    threads.append(threading.Thread(target=mutate))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert not wrong

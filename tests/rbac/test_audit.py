"""Events for every policy change, by= recorded, privileged uses, the decision log, admin rights."""

from __future__ import annotations

import contextlib
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from secpolicy import FrozenClock
from secpolicy.exceptions import ConstraintViolation, PolicyConfigError
from secpolicy.rbac import RBAC, AdminRights, RBACEvent


class TestEvents:
    def test_every_policy_change_is_reported_with_by(
        self, clock: FrozenClock, events: list[RBACEvent]
    ) -> None:
        """Grants, denies, revokes, inheritance, labels, clearances and SoD sets report by=."""
        rbac = RBAC(levels=("low", "high"), clock=clock, on_event=events.append)
        rbac.add_user("admin", by="root")
        rbac.add_role("a", by="admin")
        rbac.add_role("b", by="admin")
        rbac.add_inheritance("a", "b", by="admin")
        rbac.grant("b", "x/**", "read", by="admin")
        rbac.deny("b", "x/y", "read", by="admin")
        rbac.revoke("b", "x/y", "read", by="admin")
        rbac.delete_inheritance("a", "b", by="admin")
        rbac.set_label("x/*", "high", by="admin")
        rbac.add_user("u", by="admin")
        rbac.set_clearance("u", "low", by="admin")
        rbac.add_ssd("s", ["a", "b"], 2, by="admin")
        rbac.add_dsd("d", ["a", "b"], 2, by="admin")
        rbac.assign("u", "a", by="admin")
        rbac.deassign("u", "a", by="admin")
        rbac.remove_label("x/*", by="admin")
        rbac.remove_user("u", by="admin")
        kinds = [e.kind for e in events]
        assert kinds == [
            "user_added",
            "role_added",
            "role_added",
            "inheritance_added",
            "permission_granted",
            "permission_denied",
            "permission_revoked",
            "inheritance_deleted",
            "label_set",
            "user_added",
            "clearance_set",
            "ssd_added",
            "dsd_added",
            "role_assigned",
            "role_deassigned",
            "label_removed",
            "user_removed",
        ]
        assert all(e.by == ("root" if i == 0 else "admin") for i, e in enumerate(events))
        assert events[4].details == {"resource": "x/**", "operation": "read"}

    def test_decide_and_who_can_report_no_use(self, bank: RBAC, events: list[RBACEvent]) -> None:
        """Only check and require (enforcement points) report a privileged use."""
        request = bank.request_grant(
            "dave", "dba", requested_by="alice", duration=timedelta(hours=1), reason="x"
        )
        request.approve("bob")
        request.approve("carol")
        before = len(events)
        assert bank.decide("dave", "db/x", "read").privileged
        assert "dave" in bank.who_can("db/x", "read")
        bank.resources_for("dave", "read")
        assert len(events) == before
        assert bank.check("dave", "db/x", "read")
        bank.require("dave", "db/y", "read")
        uses = [e for e in events[before:] if e.kind == "privileged_use"]
        assert [u.details["resource"] for u in uses] == ["db/x", "db/y"]

    def test_ordinary_allow_is_not_a_privileged_use(
        self, bank: RBAC, events: list[RBACEvent]
    ) -> None:
        """A grantee allowed through an ordinary role reports no privileged use."""
        bank.assign("dave", "viewer")
        request = bank.request_grant(
            "dave", "dba", requested_by="alice", duration=timedelta(hours=1), reason="x"
        )
        request.approve("bob")
        request.approve("carol")
        before = len(events)
        assert bank.check("dave", "accounts/1", "read")
        assert [e.kind for e in events[before:]] == []


class TestDecisionLog:
    def test_denies_logged_allows_sampled(self, clock: FrozenClock) -> None:
        """Every enforced deny is logged; allows by a deterministic seeded sample."""

        def run(seed: bytes) -> list[RBACEvent]:
            got: list[RBACEvent] = []
            rbac = RBAC(
                clock=clock,
                on_event=got.append,
                decision_log=True,
                allow_sample_rate=0.25,
                sample_seed=seed,
            )
            rbac.add_role("r")
            rbac.grant("r", "docs/**", "read")
            rbac.add_user("u")
            rbac.assign("u", "r")
            got.clear()
            for i in range(400):
                rbac.check("u", f"docs/{i}", "read")
                rbac.check("u", f"other/{i}", "read")
            rbac.decide("u", "other/x", "read")  # explains, not logged
            return [e for e in got if e.kind == "access_decision"]

        first = run(b"seed")
        denies = [e for e in first if e.details["effect"] != "allow"]
        allows = [e for e in first if e.details["effect"] == "allow"]
        assert len(denies) == 400
        assert 60 <= len(allows) <= 140
        assert [e.details["resource"] for e in run(b"seed")] == [
            e.details["resource"] for e in first
        ]
        assert [e.details["resource"] for e in run(b"other")] != [
            e.details["resource"] for e in first
        ]


class TestAdminRights:
    @pytest.fixture
    def split(self, clock: FrozenClock) -> RBAC:
        """The three-administrator split, enforced."""
        rbac = RBAC(clock=clock)
        for role in ("sysadmin", "secadmin", "auditadmin", "teller"):
            rbac.add_role(role)
        rbac.add_ssd("three-admins", ["sysadmin", "secadmin", "auditadmin"], 2)
        for user in ("sys", "sec", "aud", "u"):
            rbac.add_user(user)
        rbac.assign("sys", "sysadmin")
        rbac.assign("sec", "secadmin")
        rbac.assign("aud", "auditadmin")
        rbac.set_admin_rights(
            AdminRights.three_way(system="sysadmin", security="secadmin", audit="auditadmin")
        )
        return rbac

    def test_each_administrator_does_their_part(self, split: RBAC) -> None:
        """The system admin manages accounts, the security admin access, the audit admin reviews."""
        split.add_user("w", by="sys")
        split.add_role("clerk", by="sys")
        split.grant("teller", "accounts/**", "read", by="sec")
        split.assign("u", "teller", by="sec")
        split.mark_reviewed("u", "teller", by="aud")
        assert split.check("u", "accounts/1", "read")

    @pytest.mark.parametrize(
        ("call", "by"),
        [
            (lambda r, by: r.add_user("w", by=by), "sec"),
            (lambda r, by: r.assign("u", "teller", by=by), "sys"),
            (lambda r, by: r.grant("teller", "a", "read", by=by), "aud"),
            (lambda r, by: r.mark_reviewed("u", "teller", by=by), "sec"),
            (lambda r, by: r.assign("u", "teller", by=by), None),
            (lambda r, by: r.assign("u", "teller", by=by), "ghost"),
            (lambda r, by: r.assign("sec", "teller", by=by), "sec"),
            (lambda r, by: r.set_admin_rights(None, by=by), "sys"),
        ],
    )
    def test_wrong_administrator_refused(self, split: RBAC, call: object, by: str | None) -> None:
        """A change by someone without the right admin role (or about themselves) is refused."""
        before = split.to_dict()
        with pytest.raises(ConstraintViolation):
            call(split, by)  # type: ignore[operator]
        assert split.to_dict() == before


class TestOneCommitPath:
    def test_reviewers_mutators_and_checkers_together(self) -> None:  # noqa: PLR0915 (one scenario)
        """No lost update: assignments, reviews and a removal all survive, readers see each."""
        rbac = RBAC()
        rbac.add_role("base")
        rbac.grant("base", "shared/**", "read")
        writers, per_writer = 4, 100
        for w in range(writers):
            rbac.add_role(f"w{w}", inherits=["base"])
        for w in range(writers):
            for i in range(per_writer):
                rbac.add_user(f"u{w}-{i}")
        rbac.add_user("leaver")
        rbac.assign("leaver", "base")
        rbac.add_user("rev")  # a review names a registered reviewer
        for i in range(per_writer):
            rbac.assign(f"u0-{i}", "base")  # a review is of a holding that exists
        errors: list[BaseException] = []
        seen: list[tuple[str, bool]] = []
        start = threading.Barrier(writers + 3)
        done = threading.Event()

        def writer(w: int) -> None:
            try:
                start.wait()
                for i in range(per_writer):
                    rbac.assign(f"u{w}-{i}", f"w{w}")
            except BaseException as exc:  # noqa: BLE001 (collected for the assertion)
                errors.append(exc)

        def reviewer() -> None:
            try:
                start.wait()
                for i in range(per_writer):
                    with contextlib.suppress(PolicyConfigError):  # once the leaver has left
                        rbac.mark_reviewed("leaver", "base", by="rev")
                    rbac.mark_reviewed(f"u0-{i}", "base", by="rev")
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        def remover() -> None:
            try:
                start.wait()
                rbac.remove_user("leaver")
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        def checker() -> None:
            start.wait()
            while not done.is_set():
                for w in range(writers):
                    user = f"u{w}-{per_writer - 1}"
                    allowed = rbac.check(user, "shared/x", "read")
                    # Whatever a reader got back agrees with the state it could have seen:
                    # once the last assignment of a writer is in, it stays allowed.
                    seen.append((user, allowed))

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
        threads += [threading.Thread(target=reviewer), threading.Thread(target=remover)]
        threads.append(threading.Thread(target=checker))
        for t in threads:
            t.start()
        for t in threads[:-1]:
            t.join()
        done.set()
        threads[-1].join()
        assert errors == []
        for w in range(writers):
            assert len(rbac.assigned_users(f"w{w}")) == per_writer
        assert "leaver" not in rbac.state.users
        assert not rbac.check("leaver", "shared/x", "read")
        # Readers never saw a user lose access once granted (assignments only grow).
        first_allowed: dict[str, int] = {}
        for i, (user, allowed) in enumerate(seen):
            if allowed:
                first_allowed.setdefault(user, i)
            else:
                assert user not in first_allowed, "a reader saw an assignment undone"
        reviews = rbac.to_dict()["reviews"]
        assert {r["user"] for r in reviews} == {f"u0-{i}" for i in range(per_writer)}


class TestAuditLoggerHook:
    def test_every_event_kind_is_recorded(self, tmp_path: Path, clock: FrozenClock) -> None:
        """The audit logger's on_rbac_event accepts every kind the engine reports."""
        from secpolicy.audit import AuditLogger, generate_signing_key, verify

        key = generate_signing_key()
        log = AuditLogger.to_file(tmp_path / "audit.jsonl", key=key)
        rbac = RBAC(
            levels=("low", "high"),
            clock=clock,
            on_event=log.on_rbac_event,
            decision_log=True,
            allow_sample_rate=1.0,
        )
        rbac.add_role("approver")
        rbac.add_role("dba", privileged=True)
        rbac.add_role("r", inherits=["approver"])
        rbac.delete_inheritance("r", "approver")
        rbac.add_inheritance("r", "approver")
        rbac.grant("dba", "db/**", "*")
        rbac.deny("r", "db/x", "read")
        rbac.revoke("r", "db/x", "read")
        for user in ("a", "b", "c"):
            rbac.add_user(user, by="root")
        rbac.assign("b", "approver")
        rbac.set_label("db/*", "high")
        rbac.remove_label("db/*")
        rbac.set_clearance("a", "high")
        rbac.add_ssd("s", ["dba", "r"], 2)
        rbac.add_dsd("d", ["approver", "r"], 2)
        request = rbac.request_grant(
            "a", "dba", requested_by="c", duration=timedelta(hours=1), reason="x"
        )
        rbac.approve(request.request_id, by="b")
        assert rbac.check("a", "db/t", "drop")
        assert not rbac.check("c", "db/t", "drop")
        rbac.mark_reviewed("b", "approver", by="c")
        rbac.revoke_grant(request.request_id, by="c")
        rbac.deassign("b", "approver")
        rbac.set_admin_rights(None, by="c")
        rbac.remove_user("c")
        log.close()
        assert verify([tmp_path / "audit.jsonl"], key=key).ok

    def test_load_and_abort_events_are_recorded(self, tmp_path: Path, clock: FrozenClock) -> None:
        """policy_loaded and change_aborted (with its voided kinds) go through the audit logger."""
        from secpolicy.audit import AuditLogger, generate_signing_key, verify
        from secpolicy.rbac import MemoryPolicyStore

        class Down(MemoryPolicyStore):
            def append(self, expected_version: int, change: Any) -> int:
                if self.version >= 1:
                    raise OSError("database unavailable")
                return super().append(expected_version, change)

        key = generate_signing_key()
        log = AuditLogger.to_file(tmp_path / "audit.jsonl", key=key)
        rbac = RBAC.from_dict(RBAC(clock=clock).to_dict(), clock=clock, on_event=log.on_rbac_event)
        rbac.attach(Down())
        with pytest.raises(OSError, match="unavailable"):
            rbac.add_user("alice", by="root")
        log.close()
        assert verify([tmp_path / "audit.jsonl"], key=key).ok
        text = (tmp_path / "audit.jsonl").read_text(encoding="utf-8")
        assert "rbac.policy_loaded" in text
        assert "rbac.change_aborted" in text

"""A bank branch: separated duties, a DBA break-glass grant with two approvals, a review.

Run: python examples/rbac_bank_branch.py

Shows default deny and explicit deny with the reason behind each decision,
static separation of duty between requesting and approving access, a
privileged DBA role granted for two hours only after two approvers (neither
the requester nor the DBA) agree, every grant and use reported to an audit
hook, the grant lapsing by itself, and the periodic access review.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from secpolicy import FrozenClock
from secpolicy.exceptions import AccessDenied, ConstraintViolation
from secpolicy.rbac import RBAC, RBACEvent

POLICY = {
    "levels": ["公开", "内部", "秘密", "机密"],
    "roles": {
        "viewer": {},
        "teller": {"inherits": ["viewer"]},
        "branch_manager": {"inherits": ["teller"]},
        "access_requester": {},
        "access_approver": {},
        "dba": {"privileged": True, "approvals": 2},
    },
    "users": ["li.wei", "wang.fang", "zhang.min", "chen.jing", "dba.zhao"],
    "grants": [
        {"role": "viewer", "resource": "accounts/**", "action": "read"},
        {"role": "teller", "resource": "accounts/*/transfers", "action": "create"},
        {"role": "branch_manager", "resource": "loans/*", "action": "approve"},
        {"role": "access_requester", "resource": "access/requests", "action": "create"},
        {"role": "access_approver", "resource": "access/requests", "action": "approve"},
        {"role": "dba", "resource": "db/**", "action": "*"},
    ],
    "denies": [{"role": "teller", "resource": "accounts/staff/**", "action": "*"}],
    "assignments": [
        {"user": "li.wei", "role": "teller", "tenant": "shanghai-01"},
        {"user": "wang.fang", "role": "branch_manager", "tenant": "shanghai-01"},
        {"user": "zhang.min", "role": "access_requester", "tenant": "shanghai-01"},
        {"user": "chen.jing", "role": "access_approver", "tenant": "shanghai-01"},
        {"user": "wang.fang", "role": "access_approver", "tenant": "shanghai-01"},
    ],
    # Approvers of privileged grants must hold this role (in the request's tenant).
    "approvals": {"approver_role": "access_approver"},
    "ssd": [
        {"name": "request-vs-approve", "roles": ["access_requester", "access_approver"], "n": 2}
    ],
    "labels": [{"resource": "accounts/vip/**", "level": "机密", "tenant": "shanghai-01"}],
    "clearances": [{"user": "wang.fang", "level": "机密", "tenant": "shanghai-01"}],
}

BRANCH = "shanghai-01"


def main() -> None:
    """Walk through decisions, separation of duty, a break-glass grant and a review."""
    clock = FrozenClock(datetime(2025, 9, 30, 9, 0, tzinfo=UTC))
    audit: list[RBACEvent] = []
    rbac = RBAC.from_dict(POLICY, clock=clock, on_event=audit.append)

    for user, resource, action in [
        ("li.wei", "accounts/6212/transfers", "create"),
        ("li.wei", "loans/88", "approve"),
        ("li.wei", "accounts/staff/7", "read"),
        ("li.wei", "accounts/vip/1", "read"),
        ("wang.fang", "accounts/vip/1", "read"),
    ]:
        decision = rbac.decide(user, resource, action, tenant=BRANCH)
        print(f"{user:<10} {action:<7} {resource:<26} {decision.effect:<14} {decision.reason}")

    try:
        rbac.assign("zhang.min", "access_approver", tenant=BRANCH)
    except ConstraintViolation as exc:
        print(f"\nrefused: {exc}")

    print("\nbreak-glass: dba.zhao needs DBA rights for two hours")
    request = rbac.request_grant(
        "dba.zhao", "dba", requested_by="zhang.min", duration=timedelta(hours=2),
        reason="INC-2025-0930 rebuild index on ledger", tenant=BRANCH,
    )  # fmt: skip
    for approver in ("zhang.min", "wang.fang", "chen.jing"):
        try:
            grant = request.approve(approver)
        except ConstraintViolation as exc:
            print(f"  {approver} may not approve: {exc}")
            continue
        state = (
            "active until " + grant.expires.isoformat() if grant else "waiting for more approvals"
        )
        print(f"  {approver} approved: {state}")
    print(f"  dba.zhao on db/ledger: {rbac.check('dba.zhao', 'db/ledger', 'alter', tenant=BRANCH)}")
    clock.advance(timedelta(hours=2, minutes=1))
    try:
        rbac.require("dba.zhao", "db/ledger", "alter", tenant=BRANCH)
    except AccessDenied as exc:
        print(f"  two hours later: denied ({exc.decision.effect})")
    rbac.expire_grants()
    print("  audit events: " + ", ".join(e.kind for e in audit))

    report = rbac.review_report(tenant=BRANCH, now=datetime(2026, 4, 1, tzinfo=UTC))
    print(
        f"\naccess review of {BRANCH} on 2026-04-01: {len(report.due)} of {len(report.entries)} due"
    )
    for entry in report.entries:
        mark = "DUE" if entry.overdue else "ok "
        print(f"  {mark} {entry.user:<10} {entry.role:<17} {entry.via}")
    readers = sorted(rbac.who_can("accounts/vip/1", "read", tenant=BRANCH))
    print(f"who can read accounts/vip/1: {readers}")


if __name__ == "__main__":
    main()

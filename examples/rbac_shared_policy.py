"""Two service instances share one RBAC policy; list filtering; administrators kept apart.

Run: python examples/rbac_shared_policy.py

Shows a policy written through a store by one instance and picked up by
another with refresh(), a writer that lost a race getting StoreConflict,
checks failing closed once the policy is too stale, resources_for() as a
list filter, a privileged role that gives nothing through inheritance, and
the three-administrator split enforced on every change.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from secpolicy import FrozenClock
from secpolicy.exceptions import ConstraintViolation
from secpolicy.rbac import RBAC, AdminRights, InvalidNameError, MemoryPolicyStore, StoreConflict


def main() -> None:
    """Walk through a shared policy, list filtering and administration rights."""
    clock = FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    store = MemoryPolicyStore()

    api = RBAC(clock=clock)
    for role in ("sysadmin", "secadmin", "auditadmin", "claims_clerk"):
        api.add_role(role)
    api.add_role("dba", privileged=True)
    api.add_role("helpdesk", inherits=["dba"])  # inherits a privileged role
    api.grant("claims_clerk", "claims/**", "read")
    api.deny("claims_clerk", "claims/vip/**", "read")
    api.grant("dba", "db/**", "*")
    api.add_ssd("three-admins", ["sysadmin", "secadmin", "auditadmin"], 2)
    for user in ("sys.li", "sec.wang", "aud.chen", "clerk.zhao"):
        api.add_user(user)
    api.assign("sys.li", "sysadmin")
    api.assign("sec.wang", "secadmin")
    api.assign("aud.chen", "auditadmin")
    api.set_admin_rights(
        AdminRights.three_way(system="sysadmin", security="secadmin", audit="auditadmin")
    )
    api.attach(store)
    worker = RBAC.from_store(store, clock=clock, max_staleness=timedelta(seconds=30))
    print(f"store at version {store.version}; the worker loaded it")

    api.assign("clerk.zhao", "claims_clerk", by="sec.wang")
    print("worker before refresh:", worker.check("clerk.zhao", "claims/88", "read"))
    worker.refresh()
    print("worker after refresh: ", worker.check("clerk.zhao", "claims/88", "read"))

    try:
        api.assign("clerk.zhao", "helpdesk", by="sys.li")
    except ConstraintViolation as exc:
        print("refused:", exc)
    api.assign("clerk.zhao", "helpdesk", by="sec.wang")
    print(
        "helpdesk inherits dba, but db/claims drop:", api.check("clerk.zhao", "db/claims", "drop")
    )

    worker.refresh()
    worker.add_user("temp.user", by="sys.li")  # the worker writes too
    try:
        api.add_user("other.user", by="sys.li")
    except StoreConflict as exc:
        print("conflict:", exc)
        api.refresh()
        api.add_user("other.user", by="sys.li")

    visible = api.resources_for("clerk.zhao", "read", under="claims")
    print("clerk may read:", list(visible), "except", [p.text for p in visible.deny])
    for claim in ("claims/7", "claims/vip/1"):
        print(f"  {claim}: {claim in visible}")
    try:
        api.check("clerk.zhao", "claims/x/../vip/1", "read")
    except InvalidNameError as exc:
        print("malformed name refused:", exc)

    clock.advance(timedelta(minutes=5))
    print(
        "worker, 5 minutes without refresh:", worker.decide("clerk.zhao", "claims/7", "read").reason
    )


if __name__ == "__main__":
    main()

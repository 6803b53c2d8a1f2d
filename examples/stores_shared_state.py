"""Two instances of one service sharing lockouts, a policy and legal holds in SQLite.

Run it from any directory: it works in a temporary one. With PostgreSQL, pass a
``postgresql+psycopg://`` URL to ``create_engine`` instead; nothing else changes.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from secpolicy.password import LockoutPolicy, LoginThrottle
from secpolicy.rbac import RBAC
from secpolicy.retention import LegalHold, Period, RetentionRule, RetentionSchedule
from secpolicy.stores.sql import SQLHoldStore, SQLPolicyStore, SQLThrottleStore

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def main(directory: Path) -> None:
    url = f"sqlite:///{directory / 'shared.db'}"
    # Two "instances": separate engines on one database, as two processes would have.
    one, two = sa.create_engine(url), sa.create_engine(url)

    policy = LockoutPolicy(
        max_failures=3, window=timedelta(minutes=15), duration=timedelta(hours=1)
    )
    a = LoginThrottle(policy, store=SQLThrottleStore.for_policy(one, policy))
    b = LoginThrottle(policy, store=SQLThrottleStore.for_policy(two, policy))
    a.record_failure("user:alice", now=NOW)
    b.record_failure("user:alice", now=NOW)
    status = a.record_failure("user:alice", now=NOW)
    print("third failure, counted across both instances -> locked:", status.locked)
    print("the other instance sees the lock:", b.status("user:alice", now=NOW).locked)

    writer = RBAC.from_store(SQLPolicyStore(one))
    writer.add_user("bob", by="admin")
    writer.add_role("teller", by="admin")
    writer.grant("teller", "accounts/**", "read", by="admin")
    writer.assign("bob", "teller", by="admin")
    reader = RBAC.from_store(SQLPolicyStore(two), max_staleness=timedelta(seconds=5))
    print("bob may read on the other instance:", reader.check("bob", "accounts/1", "read"))
    writer.remove_user("bob", by="hr")
    reader.refresh()  # a follower (SQLPolicyStore.follow) does this by itself
    print("after his departure:", reader.check("bob", "accounts/1", "read"))

    holds = SQLHoldStore(one)
    hold_id = holds.place(LegalHold("claims", "case 2026-17", NOW), by="legal:wang")
    schedule = RetentionSchedule(
        [RetentionRule(category="claims", keep=Period(days=30), citation="internal rule 4.2")],
        tz="Asia/Shanghai",
    )
    later = NOW + timedelta(days=90)
    created = NOW - timedelta(days=60)
    decision = schedule.evaluate(
        "claims", created=created, now=later, holds=SQLHoldStore(two).active(now=later)
    )
    print("claims record under hold:", decision.action)
    holds.lift(hold_id, by="legal:li", reason="case closed", now=later)
    decision = schedule.evaluate(
        "claims", created=created, now=later, holds=SQLHoldStore(two).active(now=later)
    )
    print("after the hold is lifted:", decision.action)
    for event in holds.history(hold_id):
        print(f"  {event.action} by {event.by}: {event.reason}")
    one.dispose()
    two.dispose()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        main(Path(tmp))

"""Check the example service's policy file against the Chinese baselines, then use it.

Run: python examples/check_compliance.py

Loads examples/secpolicy.toml (a Chinese internet interactive service),
checks it against GB/T 22239-2019 level 3, the interactive-service rulebook
and the Cybersecurity Law, prints each requirement with its clause, shows
what a shortfall looks like against PCI DSS and how a waiver marks an
accepted one, writes the auditors' HTML report, then uses the loaded objects:
the password policy, the RBAC engine, the masker and the retention schedule.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from secpolicy import FrozenClock
from secpolicy.baselines import check_policy
from secpolicy.policyfile import load_policy, loads_policy

POLICY_FILE = Path(__file__).with_name("secpolicy.toml")
NOW = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)


def main() -> int:
    policy = load_policy(POLICY_FILE, clock=FrozenClock(NOW))
    print(f"{policy.name}: sections {', '.join(policy.sections)}\n")

    baselines = ["cn-mlps-l3-2019", "cn-interactive-service-1", "cn-cybersecurity-law-2025"]
    report = check_policy(policy, baselines, clock=FrozenClock(NOW))
    print(report.to_text())
    if not report.ok:
        return 1

    print("\nAgainst PCI DSS the same policy falls short, with the values that differ:")
    for result in check_policy(policy, ["pci-dss-4.0.1"], clock=FrozenClock(NOW)).failures:
        line = policy.line_of(result.requirement.path)
        print(f"  {POLICY_FILE.name}:{line}: {result.id}: {result.detail}")

    # An accepted shortfall: waived (not passed) until the waiver expires.
    waived = loads_policy(
        POLICY_FILE.read_text(encoding="utf-8")
        + '\n[[waivers]]\nrequirement = "pci-dss-4.0.1/password-length"\n'
        'reason = "legacy terminal, replaced in Q4"\napprover = "CISO"\nexpires = 2025-12-31\n',
        base_dir=POLICY_FILE.parent,
    )
    for when in (NOW, datetime(2026, 1, 1, tzinfo=UTC)):
        pci = check_policy(waived, ["pci-dss-4.0.1"], clock=FrozenClock(when))
        length = next(r for r in pci.results if r.requirement.id == "password-length")
        print(f"  on {when.date()}: password-length is {length.status}")

    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "compliance.html"
        page.write_text(report.render("html", locale="zh-CN"), encoding="utf-8")
        print(f"\nHTML report for auditors: {page.stat().st_size} bytes (zh-CN)")

    password, rbac, pii, retention = policy.password, policy.rbac, policy.pii, policy.retention
    if password is None or rbac is None or pii is None or retention is None:
        print("the example policy lost a section")
        return 1
    print("\nThe loaded objects at work:")
    print("  password 'Community2025' ->", password.check("Community2025").codes)
    print("  cs.chen reads a profile:", rbac.check("cs.chen", "users/7/profile", "read"))
    print("  ops.li reads a profile:", rbac.check("ops.li", "users/7/profile", "read"))
    print("  masked:", pii.mask_text("客户手机13812345678，身份证11010519491231002X"))
    decision = retention.evaluate(
        category="published_content",
        created=datetime(2025, 1, 31, 12, 0, tzinfo=UTC),
        now=NOW,
        holds=policy.holds,
    )
    print(f"  a post of 2025-01-31: {decision.action}, eligible from {decision.eligible_from}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

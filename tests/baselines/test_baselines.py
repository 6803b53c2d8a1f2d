"""Every requirement of every baseline passes and fails on purpose-built policies."""

from __future__ import annotations

from pathlib import Path

import pytest

from secpolicy.audit import ACTIONS
from secpolicy.baselines import BASELINES, Baseline, check_policy, get_baseline
from secpolicy.policyfile import ServicePolicy, load_policy, loads_policy

EXAMPLE = Path(__file__).parents[2] / "examples" / "secpolicy.toml"
ALL_EVENTS = (
    "events = ["
    + ", ".join(f'"{a}"' for a in (*ACTIONS, "audit.access", "audit.start", "audit.stop"))
    + "]\n"
)
AUDIT_OK = f'[audit]\nsink = "stdout"\nkey_env = "K"\nanchor = "anchor.jsonl"\n{ALL_EVENTS}'
AUDIT_WEAK = (
    '[audit]\npath = "a.jsonl"\nkey_env = "K"\nfsync = "never"\nmask = false\nevents = []\n'
)
WEAK_RETENTION_RULES = "".join(
    f'[[retention.rules]]\ncategory = "{c}"\nkeep = "1 month"\naccessible = "1 month"\n'
    for c in (
        "audit_log",
        "registration",
        "registration_history",
        "friend_list",
        "group_registration",
        "group_membership",
        "system_maintenance_log",
        "user_log",
        "published_content",
        "network_log",
    )
)
WEAK_PASSWORD = (
    "[password]\nmin_length = 6\nmax_length = 32\nrequired_classes = 1\nmax_age = false\n"
    "blocklist = false\nuser_attribute_similarity = false\nlockout = false\n"
)

PASSING = {
    "nist-800-63b-4": ('[password]\nprofile = "nist-800-63b"\ncontext_words = ["example"]\n'),
    "owasp-asvs-5.0.0": (
        '[password]\nprofile = "owasp-asvs-5"\ncontext_words = ["example"]\n'
        "check_breached = true\n"
        '[password.lockout]\nmax_failures = 20\nwindow = "1 h"\nduration = "15 min"\n'
    ),
    "pci-dss-4.0.1": (
        '[password]\nprofile = "pci-dss-4"\n[pii]\npreset = "pci-display"\n'
        f'{AUDIT_OK}[retention]\nprofile = "pci-dss-4"\n'
    ),
    "cn-mlps-l3-2019": None,  # the shipped example
    "cn-interactive-service-1": None,
    "cn-cybersecurity-law-2025": None,
}
FAILING = {
    "nist-800-63b-4": WEAK_PASSWORD.replace("max_age = false", 'max_age = "90 days"'),
    "owasp-asvs-5.0.0": WEAK_PASSWORD.replace("max_age = false", 'max_age = "90 days"'),
    "pci-dss-4.0.1": (
        WEAK_PASSWORD
        + '[pii.operators]\nPAYMENT_CARD = { op = "mask", keep_first = 8, keep_last = 4 }\n'
        + AUDIT_WEAK
        + WEAK_RETENTION_RULES
    ),
    "cn-mlps-l3-2019": (
        WEAK_PASSWORD
        + '[rbac]\nusers = ["u"]\n[rbac.roles.admin]\n[rbac.roles.user]\n'
        + AUDIT_WEAK
        + WEAK_RETENTION_RULES
    ),
    "cn-interactive-service-1": WEAK_PASSWORD + AUDIT_WEAK + WEAK_RETENTION_RULES,
    "cn-cybersecurity-law-2025": WEAK_PASSWORD + AUDIT_WEAK + WEAK_RETENTION_RULES,
}


def _policy(text: str | None) -> ServicePolicy:
    return load_policy(EXAMPLE) if text is None else loads_policy(text)


def _statuses(baseline: Baseline, policy: ServicePolicy) -> dict[str, str]:
    return {result.requirement.id: result.status for result in baseline.check(policy)}


class TestEachRequirement:
    @pytest.mark.parametrize("name", sorted(BASELINES))
    def test_purpose_built_policy_passes_everything(self, name: str) -> None:
        """A policy built to meet the baseline passes every requirement."""
        statuses = _statuses(BASELINES[name], _policy(PASSING[name]))
        assert set(statuses.values()) == {"pass"}, statuses

    @pytest.mark.parametrize("name", sorted(BASELINES))
    def test_purpose_built_policy_fails_everything(self, name: str) -> None:
        """A policy built to fall short fails every requirement, with values, not a crash."""
        baseline = BASELINES[name]
        results = baseline.check(_policy(FAILING[name]))
        failing = {r.requirement.id for r in results if r.status == "fail"}
        assert failing == {r.id for r in baseline.requirements}
        assert all(r.verdict.detail for r in results)

    @pytest.mark.parametrize("name", sorted(BASELINES))
    def test_an_empty_policy_passes_nothing(self, name: str) -> None:
        """Missing sections are failures: nothing passes by omission."""
        statuses = _statuses(BASELINES[name], loads_policy(""))
        assert set(statuses.values()) == {"fail"}

    def test_failure_details_carry_actual_and_required_values(self) -> None:
        """A shortfall says what the policy has and what the clause requires."""
        report = check_policy(_policy(FAILING["pci-dss-4.0.1"]), ["pci-dss-4"])
        details = {r.requirement.id: r.verdict.detail for r in report.results}
        assert details["password-length"] == "min_length 6, required >= 12"
        assert "masked as 62220212*******0128" in details["pan-display"]
        assert details["audit-retention"] == "audit_log kept 1 month, required at least 12 months"
        assert details["audit-protected"].startswith(
            "records are chained and signed, but no anchor"
        )


class TestSpecialCases:
    def test_pci_rotation_does_not_apply_with_mfa(self) -> None:
        """PCI 8.3.9 periodic change is not required when MFA is."""
        policy = loads_policy('[password]\nprofile = "pci-dss-4"\nmfa_required = true\n')
        statuses = _statuses(BASELINES["pci-dss-4"], policy)
        assert statuses["rotation"] == "n/a"

    def test_nist_length_depends_on_mfa(self) -> None:
        """NIST asks 15 characters for a single factor and 8 with MFA."""
        single = loads_policy("[password]\nmin_length = 8\n")
        with_mfa = loads_policy("[password]\nmin_length = 8\nmfa_required = true\n")
        nist = BASELINES["nist-800-63b"]
        assert _statuses(nist, single)["password-length"] == "fail"
        assert _statuses(nist, with_mfa)["password-length"] == "pass"

    def test_audit_durability_not_applicable_to_other_sinks(self) -> None:
        """Durability is the receiver's for stdout and logging sinks."""
        policy = loads_policy('[audit]\nsink = "stdout"\nkey_env = "K"\n')
        assert _statuses(BASELINES["cn-mlps-l3"], policy)["audit-durable"] == "n/a"

    def test_lockout_duration_too_short(self) -> None:
        """A lock shorter than the clause asks fails with both durations."""
        policy = loads_policy(
            '[password]\nlockout = { max_failures = 5, window = "1 h", duration = "5 min" }\n'
        )
        report = check_policy(policy, ["pci-dss-4"])
        lockout = next(r for r in report.results if r.requirement.id == "lockout")
        assert lockout.verdict.detail == "locks after 5 failures for 5 min; required >= 30 min"

    def test_card_operators_that_hide_everything_pass(self) -> None:
        """Redaction, replacement and pseudonyms show no digits at all."""
        policy = loads_policy('[pii.operators]\nPAYMENT_CARD = "redact"\n')
        assert _statuses(BASELINES["pci-dss-4"], policy)["pan-display"] == "pass"

    def test_unknown_baseline(self) -> None:
        """An unknown name lists the known ones."""
        with pytest.raises(KeyError, match="known: nist-800-63b-4"):
            get_baseline("iso-27001")

    def test_every_requirement_is_cited(self) -> None:
        """Every requirement names its clause and a policy-file key."""
        for baseline in BASELINES.values():
            ids = [r.id for r in baseline.requirements]
            assert len(ids) == len(set(ids)), baseline.name
            for requirement in baseline.requirements:
                assert requirement.clause
                assert requirement.path.split(".")[0] in {
                    "password",
                    "rbac",
                    "pii",
                    "audit",
                    "retention",
                }


class TestDocs:
    def test_every_requirement_is_documented(self) -> None:
        """docs/compliance.md lists every requirement of every baseline."""
        page = (Path(__file__).parents[2] / "docs" / "compliance.md").read_text(encoding="utf-8")
        for baseline in BASELINES.values():
            assert f"### `{baseline.name}`" in page
            for requirement in baseline.requirements:
                assert f"| `{requirement.id}` | {requirement.title}" in page, requirement.id

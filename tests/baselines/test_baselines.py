"""Every requirement of every baseline passes and fails on purpose-built policies."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from secpolicy import FrozenClock
from secpolicy.audit import ACTIONS
from secpolicy.baselines import BASELINES, Baseline, check_policy, get_baseline, loads_baseline
from secpolicy.baselines._checks import attempts_per_period
from secpolicy.password import LockoutPolicy
from secpolicy.policyfile import ServicePolicy, load_policy, loads_policy
from tests.baselines._helpers import check_text, result_of

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
#: A lockout that holds for the whole 30-day period: at most 100 attempts in it.
HELD_LOCKOUT = 'lockout = { max_failures = 20, window = "30 days", duration = "30 days" }\n'

PASSING = {
    "nist-800-63b-4": (
        f'[password]\nprofile = "nist-800-63b"\ncontext_words = ["example"]\n{HELD_LOCKOUT}'
    ),
    "owasp-asvs-5.0.0": (
        '[password]\nprofile = "owasp-asvs-5"\ncontext_words = ["example"]\n'
        f"check_breached = true\nbreach_fail_closed = true\n{HELD_LOCKOUT}"
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
        + "[pii.operators]\n"
        + 'PAYMENT_CARD = { op = "mask", keep_first = 8, keep_last = 4, max_reveal = 1.0 }\n'
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
        lockout = result_of(check_policy(policy, ["pci-dss-4"]), "lockout")
        assert lockout.verdict.detail == (
            "locks after 5 failures within 60 min for 5 min; required >= 30 min"
        )

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


def _status(baseline: str, requirement: str, text: str) -> str:
    return _statuses(get_baseline(baseline), loads_policy(text))[requirement]


class TestNoFalsePass:
    def test_card_numbers_not_detected_fail(self) -> None:
        """A masker that does not detect card numbers fails pan-display (was a false pass)."""
        text = '[pii]\nentities = ["EMAIL"]\n'
        assert "6222021234567890128" in loads_policy(text).pii.mask_text(  # type: ignore[union-attr]
            "card 6222021234567890128"
        )
        assert _status("pci-dss-4", "pan-display", text) == "fail"

    def test_unionpay_masked_to_six_and_four_passes(self) -> None:
        """The PCI display preset masks the UnionPay sample to the first 6 and last 4."""
        pan = check_text('[pii]\npreset = "pci-display"\n', "pci-dss-4", "pan-display")
        assert pan.status == "pass"
        assert "622202*********0128" in pan.verdict.declared

    def test_keep_more_than_four_last_digits_fails(self) -> None:
        """Keeping 5 last digits shows more than PCI allows."""
        text = '[pii.operators]\nPAYMENT_CARD = { op = "mask", keep_first = 6, keep_last = 5 }\n'
        assert _status("pci-dss-4", "pan-display", text) == "fail"

    def test_sod_between_unused_roles_fails(self) -> None:
        """A constraint over two roles nobody holds and nothing is granted to separates nothing."""
        text = (
            '[rbac]\nusers = ["u"]\n[rbac.roles.a]\n[rbac.roles.b]\n[rbac.roles.c]\n'
            '[[rbac.grants]]\nrole = "c"\nresource = "x/**"\naction = "*"\n'
            '[[rbac.assignments]]\nuser = "u"\nrole = "c"\n'
            '[[rbac.ssd]]\nname = "ab"\nroles = ["a", "b"]\nn = 2\n'
        )
        assert _status("cn-mlps-l3", "separation-of-duty", text) == "fail"

    def test_sod_over_granted_and_assigned_roles_passes(self) -> None:
        """Both roles granted something and held: the constraint binds."""
        text = (
            '[rbac]\nusers = ["u", "v"]\n[rbac.roles.a]\n[rbac.roles.b]\n'
            '[[rbac.grants]]\nrole = "a"\nresource = "x/**"\naction = "*"\n'
            '[[rbac.grants]]\nrole = "b"\nresource = "y/**"\naction = "*"\n'
            '[[rbac.assignments]]\nuser = "u"\nrole = "a"\n'
            '[[rbac.assignments]]\nuser = "v"\nrole = "b"\n'
            '[[rbac.ssd]]\nname = "ab"\nroles = ["a", "b"]\nn = 2\n'
        )
        assert _status("cn-mlps-l3", "separation-of-duty", text) == "pass"

    def test_label_matching_no_grant_fails(self) -> None:
        """A label on a pattern no grant reaches labels nothing real."""
        base = (
            '[rbac]\nusers = ["u"]\nlevels = ["low", "high"]\n[rbac.roles.a]\n'
            '[[rbac.grants]]\nrole = "a"\nresource = "db/**"\naction = "read"\n'
            '[[rbac.assignments]]\nuser = "u"\nrole = "a"\n'
        )
        nothing = base + '[[rbac.labels]]\nresource = "nothing/*/here"\nlevel = "high"\n'
        real = base + '[[rbac.labels]]\nresource = "db/customers"\nlevel = "high"\n'
        assert _status("cn-mlps-l3", "labels", nothing) == "fail"
        assert _status("cn-mlps-l3", "labels", real) == "pass"

    def test_privileged_role_with_one_approval_fails(self) -> None:
        """MLPS reads level-by-level approval as two approvals per privileged grant."""
        text = "[rbac]\n[rbac.roles.dba]\nprivileged = true\napprovals = {}\n"
        assert _status("cn-mlps-l3", "privileged-roles", text.format(1)) == "fail"
        assert _status("cn-mlps-l3", "privileged-roles", text.format(2)) == "pass"

    def test_retention_reports_the_rule_that_applies(self) -> None:
        """The schedule's evaluate names the deciding rule, not the first long-enough one."""
        text = (
            '[audit]\nsink = "stdout"\nkey_env = "K"\n[retention]\n'
            '[[retention.rules]]\ncategory = "audit_log"\nkeep = "12 months"\n'
            '[[retention.rules]]\ncategory = "audit_log"\nkeep = "2 years"\n'
            '[[retention.rules]]\ncategory = "*"\nkeep = "1 month"\n'
        )
        kept = check_text(text, "pci-dss-4", "audit-retention")
        assert kept.status == "pass"
        assert kept.verdict.declared == "audit_log kept 2 years"

    def test_retention_of_a_category_without_its_rule_names_the_default(self) -> None:
        """A declared category kept only by the "*" rule says so."""
        text = (
            '[audit]\nsink = "stdout"\nkey_env = "K"\nretention_category = "audit_logs"\n'
            '[retention]\ncategories = ["audit_logs"]\n'
            '[[retention.rules]]\ncategory = "*"\nkeep = "1 month"\n'
            '[[retention.rules]]\ncategory = "audit_log"\nkeep = "2 years"\n'
        )
        kept = check_text(text, "pci-dss-4", "audit-retention")
        assert kept.status == "fail"
        assert "(by the default rule)" in kept.detail

    def test_retention_of_an_unknown_category_fails(self) -> None:
        """A misspelled audit category fails: the schedule itself would refuse it."""
        text = (
            '[audit]\nsink = "stdout"\nkey_env = "K"\nretention_category = "audit_logs"\n'
            '[retention]\n[[retention.rules]]\ncategory = "*"\nkeep = "2 years"\n'
            '[[retention.rules]]\ncategory = "audit_log"\nkeep = "2 years"\n'
        )
        kept = check_text(text, "pci-dss-4", "audit-retention")
        assert kept.status == "fail"
        assert "unknown category 'audit_logs'" in kept.detail

    def test_retention_from_an_event_counts_from_the_earliest(self) -> None:
        """A rule kept from an event is judged as if the event happened at creation."""
        text = (
            '[audit]\nsink = "stdout"\nkey_env = "K"\n[retention]\n'
            '[[retention.rules]]\ncategory = "audit_log"\nkeep = "12 months"\n'
            'trigger = "account_closed"\n'
        )
        assert _status("pci-dss-4", "audit-retention", text) == "pass"

    def test_blocklist_must_refuse_samples(self) -> None:
        """The declared blocklist refuses the sample common passwords."""
        assert _status("nist-800-63b", "blocklist", '[password]\nprofile = "nist-800-63b"\n') == (
            "pass"
        )

    def test_lockout_is_driven(self) -> None:
        """A lock shorter than asked fails even when the failure count is right."""
        text = '[password]\nlockout = { max_failures = 3, window = "1 h", duration = "30 min" }\n'
        assert _status("pci-dss-4", "lockout", text) == "pass"
        short = text.replace('duration = "30 min"', 'duration = "29 min"')
        assert _status("pci-dss-4", "lockout", short) == "fail"


class TestCitations:
    def test_mlps_letters(self) -> None:
        """8.1.4.2 d) separation, g) labels, 8.1.5 administrators, 8.1.7.3 approval."""
        mlps = {r.id: r for r in get_baseline("cn-mlps-l3").requirements}
        assert mlps["separation-of-duty"].clause.endswith(
            "8.1.4.2 d); the system, audit and security administrators: 8.1.5"
        )
        assert mlps["labels"].clause.endswith("8.1.4.2 g)")
        assert "8.1.7.3" in mlps["privileged-roles"].clause
        assert "8.1.4.2 c)" not in " ".join(r.clause for r in mlps.values())
        assert "8.1.4.2 f)" not in " ".join(r.clause for r in mlps.values())

    def test_cybersecurity_law_amended_numbering(self) -> None:
        """Art. 23 (old 21) and Art. 44 (old 42), with the edition named."""
        for baseline in BASELINES.values():
            for r in baseline.requirements:
                if "Cybersecurity Law" in r.clause:
                    assert "2025-10-28" in r.clause
                    assert "Art. 23(3) (Art. 21(3) in the 2017 text)" in r.clause or (
                        "Art. 44 (Art. 42 in the 2017 text)" in r.clause
                    )

    @pytest.mark.parametrize(
        ("baseline", "requirement"),
        [
            ("owasp-asvs-5", "anti-automation"),
            ("cn-mlps-l3", "log-retention"),
            ("cn-mlps-l3", "audit-durable"),
            ("cn-mlps-l3", "audit-protected"),
            ("pci-dss-4", "audit-protected"),
            ("nist-800-63b", "password-max-length"),
        ],
    )
    def test_interpretations_marked(self, baseline: str, requirement: str) -> None:
        """Readings that go beyond the text are marked and explained."""
        found = get_baseline(baseline).requirement(requirement)
        assert found is not None
        assert found.interpretation
        assert found.note

    def test_rulebook_items_name_the_internal_rulebook(self) -> None:
        """Every item citing the interactive-service rulebook says it is internal."""
        for r in get_baseline("cn-interactive-service").requirements:
            if "rulebook" in r.clause:
                assert r.clause.startswith("internal rulebook")
                assert r.interpretation

    def test_pci_scope_and_new_events(self) -> None:
        """Requirement 8 scope note; 10.2.1.2, .3, .5 and .6 present."""
        pci = get_baseline("pci-dss-4")
        assert "not to consumer" in pci.scope
        clauses = " ".join(r.clause for r in pci.requirements)
        for clause in ("10.2.1.2", "10.2.1.3", "10.2.1.5", "10.2.1.6"):
            assert clause in clauses
        assert all("consumer" in r.note for r in pci.requirements if " 8." in r.clause)


class TestVersionedIds:
    @pytest.mark.parametrize(
        ("alias", "ident"),
        [
            ("pci-dss-4", "pci-dss-4.0.1"),
            ("nist-800-63b", "nist-800-63b-4"),
            ("owasp-asvs-5", "owasp-asvs-5.0.0"),
            ("cn-mlps-l3", "cn-mlps-l3-2019"),
            ("cn-interactive-service", "cn-interactive-service-1"),
            ("cn-cybersecurity-law", "cn-cybersecurity-law-2025"),
        ],
    )
    def test_alias_resolves(self, alias: str, ident: str) -> None:
        """The 0.1 short ids stay as aliases of the versioned ids."""
        assert get_baseline(alias) is get_baseline(ident) is BASELINES[alias]
        assert alias in BASELINES
        assert alias not in list(BASELINES)

    def test_every_baseline_has_edition_and_changelog(self) -> None:
        """An edition, a data version and a changelog whose newest entry is that version."""
        for baseline in BASELINES.values():
            assert baseline.edition
            assert baseline.changelog[0].version == baseline.version

    def test_report_names_the_edition(self) -> None:
        """The report's metadata carries each baseline's edition."""
        report = check_policy(loads_policy(""), ["pci-dss-4"])
        assert report.metadata()["editions"][0]["edition"] == "PCI DSS v4.0.1 (June 2024)"
        assert "PCI DSS v4.0.1 (June 2024)" in report.to_text()

    def test_custom_baseline_in_the_docs_loads(self) -> None:
        """The custom baseline shown in docs/compliance.md is a valid baseline file."""
        page = (Path(__file__).parents[2] / "docs" / "compliance.md").read_text(encoding="utf-8")
        blocks = re.findall(r"```\{code-block\} toml\n(.*?)```", page, re.DOTALL)
        custom = [b for b in blocks if "[baseline]" in b]
        assert custom
        for block in custom:
            assert loads_baseline(block).requirements


class TestCheckDetails:
    def test_lockout_that_never_locks_in_time(self) -> None:
        """20 failures allowed: the sample account is not locked after 10."""
        text = '[password]\nlockout = { max_failures = 20, window = "1 h", duration = "1 h" }\n'
        assert _status("pci-dss-4", "lockout", text) == "fail"

    def test_accessible_without_retention(self) -> None:
        """audit-online fails without [retention] or without a rule for the category."""
        audit = '[audit]\nsink = "stdout"\nkey_env = "K"\n'
        assert _status("pci-dss-4", "audit-online", audit) == "fail"
        other = audit + '[retention]\n[[retention.rules]]\ncategory = "x"\nkeep = "1 year"\n'
        assert _status("pci-dss-4", "audit-online", other) == "fail"

    def test_sod_through_inherited_roles(self) -> None:
        """A senior role's users hold its juniors; inherited grants count."""
        text = (
            '[rbac]\nusers = ["u", "v"]\n[rbac.roles.a]\n[rbac.roles.b]\n'
            '[rbac.roles.sa]\ninherits = ["a"]\n[rbac.roles.sb]\ninherits = ["b"]\n'
            '[rbac.roles.top]\ninherits = ["sa"]\n'
            '[[rbac.grants]]\nrole = "a"\nresource = "x/**"\naction = "*"\n'
            '[[rbac.grants]]\nrole = "b"\nresource = "y/**"\naction = "*"\n'
            '[[rbac.assignments]]\nuser = "u"\nrole = "top"\n'
            '[[rbac.assignments]]\nuser = "v"\nrole = "sb"\n'
            '[[rbac.ssd]]\nname = "ab"\nroles = ["a", "b"]\nn = 2\n'
        )
        assert _status("cn-mlps-l3", "separation-of-duty", text) == "pass"

    def test_privileged_role_counts_as_assignable(self) -> None:
        """A granted privileged role nobody holds yet is assignable by an approved grant."""
        text = (
            '[rbac]\nusers = ["u"]\n[rbac.roles.a]\n[rbac.roles.dba]\nprivileged = true\n'
            "approvals = 2\n"
            '[[rbac.grants]]\nrole = "a"\nresource = "x/**"\naction = "*"\n'
            '[[rbac.grants]]\nrole = "dba"\nresource = "db/**"\naction = "*"\n'
            '[[rbac.assignments]]\nuser = "u"\nrole = "a"\n'
            '[[rbac.ssd]]\nname = "a-dba"\nroles = ["a", "dba"]\nn = 2\n'
        )
        assert _status("cn-mlps-l3", "separation-of-duty", text) == "pass"

    @pytest.mark.parametrize(
        ("a", "b", "overlap"),
        [
            ("db/**", "db/customers", True),
            ("**", "a/b/c", True),
            ("a/*/c", "a/b/**", True),
            ("a/*", "a/b/c", False),
            ("users/*/identity", "users/*/profile", False),
            ("x/**/z", "x/y", False),
            ("a/**", "a", True),
        ],
    )
    def test_patterns_overlap(self, a: str, b: str, overlap: bool) -> None:
        """Two resource patterns overlap if some resource matches both."""
        from secpolicy.baselines._checks import patterns_overlap

        assert patterns_overlap(a, b) is overlap
        assert patterns_overlap(b, a) is overlap

    def test_labels_some_unmatched(self) -> None:
        """A real label passes; a stray one is named in the detail."""
        text = (
            '[rbac]\nusers = ["u"]\nlevels = ["low", "high"]\n[rbac.roles.a]\n'
            '[[rbac.grants]]\nrole = "a"\nresource = "db/**"\naction = "read"\n'
            '[[rbac.assignments]]\nuser = "u"\nrole = "a"\n'
            '[[rbac.labels]]\nresource = "db/customers"\nlevel = "high"\n'
            '[[rbac.labels]]\nresource = "nowhere"\nlevel = "high"\n'
        )
        labels = check_text(text, "cn-mlps-l3", "labels")
        assert labels.status == "pass"
        assert "1 protect nothing: nowhere" in labels.detail

    @pytest.mark.parametrize(
        ("masked", "exposed"),
        [
            ("622202*********0128", False),
            ("6222021234567890128", True),
            ("62220212*******0128", True),
            ("[card]", False),
            ("tok_4f9a22", False),
            ("x 1234567 y", True),
            ("622202-****-0128", False),
        ],
    )
    def test_card_exposure(self, masked: str, exposed: bool) -> None:
        """Only the first 6 and the last 4 digits may show, whatever the output's form."""
        from secpolicy.baselines._checks import card_exposure

        assert (card_exposure("6222021234567890128", masked) is not None) is exposed


class TestDocumentedExample:
    def test_chinese_quickstart_policy_passes_what_it_demonstrates(self) -> None:
        """The policy the Chinese quickstart shows passes the three baselines it checks."""
        quickstart = (EXAMPLE.parents[1] / "docs" / "zh-CN" / "quickstart.md").read_text("utf-8")
        assert "../../examples/secpolicy.toml" in quickstart
        for name in ("cn-mlps-l3", "cn-interactive-service", "cn-cybersecurity-law"):
            assert name in quickstart
        report = check_policy(
            load_policy(EXAMPLE), ["cn-mlps-l3", "cn-interactive-service", "cn-cybersecurity-law"]
        )
        failed = [r.id for r in report.results if r.status != "pass"]
        assert failed == []


class TestNoFalsePassReview:
    def test_blocklist_of_only_the_famous_few_fails(self, tmp_path: Path) -> None:
        """A blocklist holding only a few famous passwords is not a common-password list."""
        few = tmp_path / "few.txt"
        few.write_text(
            "123456\npassword\n12345678\nqwerty\n123456789\nqwerty123\n111111\nabc123\n",
            encoding="utf-8",
        )
        policy_file = tmp_path / "secpolicy.toml"
        policy_file.write_text(
            '[password]\nprofile = "nist-800-63b"\nblocklist = false\n'
            'blocklist_files = ["few.txt"]\n',
            encoding="utf-8",
        )
        policy = load_policy(policy_file)
        for baseline, requirement in (
            ("nist-800-63b", "blocklist"),
            ("owasp-asvs-5", "common-passwords"),
            ("cn-interactive-service", "trivial-passwords"),
        ):
            assert _statuses(get_baseline(baseline), policy)[requirement] == "fail", baseline

    def test_bundled_blocklist_still_passes(self) -> None:
        """The bundled common-password list refuses every sample."""
        text = '[password]\nprofile = "nist-800-63b"\n'
        assert _status("nist-800-63b", "blocklist", text) == "pass"

    @pytest.mark.parametrize(
        ("baseline", "requirement"),
        [
            ("pci-dss-4", "lockout"),
            ("cn-mlps-l3", "lockout"),
            ("cn-interactive-service", "lockout"),
            ("nist-800-63b", "rate-limit"),
            ("owasp-asvs-5", "anti-automation"),
        ],
    )
    def test_lockout_whose_window_a_paced_attacker_outwaits_fails(
        self, baseline: str, requirement: str
    ) -> None:
        """A 10-second counting window never locks an attacker who guesses once a minute."""
        text = (
            '[password]\nprofile = "pci-dss-4"\n'
            'lockout = { max_failures = 3, window = "10 s", duration = "30 min" }\n'
        )
        assert _status(baseline, requirement, text) == "fail"

    def test_label_at_the_lowest_level_fails(self) -> None:
        """A label at the lowest level asks for no clearance: it protects nothing."""
        text = (
            '[rbac]\nusers = ["u"]\nlevels = ["low", "high"]\n[rbac.roles.a]\n'
            '[[rbac.grants]]\nrole = "a"\nresource = "x/**"\naction = "*"\n'
            '[[rbac.assignments]]\nuser = "u"\nrole = "a"\n'
            '[[rbac.labels]]\nresource = "x/secret"\nlevel = "low"\n'
        )
        assert _status("cn-mlps-l3", "labels", text) == "fail"
        assert _status("cn-mlps-l3", "labels", text.replace('level = "low"', 'level = "high"')) == (
            "pass"
        )

    def test_label_reached_only_by_a_role_nobody_holds_fails(self) -> None:
        """A label on what only an unassigned, unprivileged role is granted guards no access."""
        text = (
            '[rbac]\nusers = ["u"]\nlevels = ["low", "high"]\n[rbac.roles.a]\n[rbac.roles.b]\n'
            '[[rbac.grants]]\nrole = "a"\nresource = "x/**"\naction = "*"\n'
            '[[rbac.grants]]\nrole = "b"\nresource = "y/**"\naction = "*"\n'
            '[[rbac.assignments]]\nuser = "u"\nrole = "a"\n'
            '[[rbac.labels]]\nresource = "y/secret"\nlevel = "high"\n'
        )
        assert _status("cn-mlps-l3", "labels", text) == "fail"

    @pytest.mark.parametrize("anchor", ["logs/audit.jsonl", "logs/anchor.jsonl", "logs/../logs/a"])
    def test_anchor_beside_the_log_fails(self, anchor: str) -> None:
        """An anchor in the log file itself or its directory is rewritable with the log."""
        text = (
            f'[audit]\npath = "logs/audit.jsonl"\nkey_env = "K"\nanchor = "{anchor}"\n{ALL_EVENTS}'
        )
        for baseline in ("pci-dss-4", "cn-mlps-l3", "cn-interactive-service"):
            assert _status(baseline, "audit-protected", text) == "fail", baseline
        elsewhere = text.replace(f'anchor = "{anchor}"', 'anchor = "anchors/audit.jsonl"')
        assert _status("pci-dss-4", "audit-protected", elsewhere) == "pass"

    def test_card_between_other_numbers_is_masked_for_pan_display(self) -> None:
        """The masker masks a card whose neighbours are digits; pan-display tries it."""
        policy = loads_policy('[pii]\npreset = "pci-display"\n')
        assert "6222021234567890128" not in policy.pii.mask_text(  # type: ignore[union-attr]
            "ref 12 6222021234567890128 99"
        )
        pan = result_of(check_policy(policy, ["pci-dss-4"]), "pan-display")
        assert pan.status == "pass"
        assert "all 20 sample card numbers masked" in pan.detail

    def test_log_masker_that_detects_only_email_fails(self) -> None:
        """masking = "pii" with a [pii] masker that finds only e-mail leaves phones in logs."""
        text = (
            '[audit]\nsink = "stdout"\nkey_env = "K"\nanchor = "a/anchor.jsonl"\n'
            f'masking = "pii"\n{ALL_EVENTS}[pii]\nentities = ["EMAIL"]\n'
        )
        assert _status("cn-interactive-service", "audit-masked", text) == "fail"
        assert _status("cn-cybersecurity-law", "personal-information", text) == "fail"
        full = text.replace('entities = ["EMAIL"]', 'preset = "cn-display"')
        assert _status("cn-interactive-service", "audit-masked", full) == "pass"
        assert _status("cn-cybersecurity-law", "personal-information", full) == "pass"

    def test_every_amended_article_has_the_2017_number_beside_it(self) -> None:
        """Each Cybersecurity Law citation, also in a baseline's source, names the 2017 number."""
        for baseline in BASELINES.values():
            texts = [baseline.source, *(r.clause for r in baseline.requirements)]
            for text in texts:
                for article, old in (("Art. 23(3)", "Art. 21(3)"), ("Art. 44", "Art. 42")):
                    if article in text:
                        assert old in text, (baseline.name, text)


class TestAttemptsPerPeriod:
    @pytest.mark.parametrize(
        ("baseline", "requirement"),
        [
            ("nist-800-63b", "rate-limit"),
            ("owasp-asvs-5", "anti-automation"),
            ("cn-interactive-service", "lockout"),
        ],
    )
    def test_a_lock_that_lifts_after_a_second_fails(self, baseline: str, requirement: str) -> None:
        """A 1-second lock limits nothing: an attacker waits it out and guesses on."""
        text = (
            '[password]\nprofile = "nist-800-63b"\ncontext_words = ["example"]\n'
            'lockout = { max_failures = 3, window = "30 days", duration = "1 s" }\n'
        )
        assert _status(baseline, requirement, text) == "fail"

    def test_the_detail_counts_the_attempts(self) -> None:
        """The failure says how many attempts an attacker gets per period."""
        text = (
            '[password]\nlockout = { max_failures = 100, window = "30 days", duration = "1 h" }\n'
        )
        rate = check_text(text, "nist-800-63b", "rate-limit")
        assert rate.status == "fail"
        assert "more than 100 attempts per 30 days" in rate.detail

    def test_a_lock_held_for_the_whole_period_passes(self) -> None:
        """100 failures and a lock that holds for the period allow 100 attempts per 30 days."""
        text = (
            '[password]\nlockout = { max_failures = 100, window = "30 days", '
            'duration = "30 days" }\n'
        )
        rate = check_text(text, "nist-800-63b", "rate-limit")
        assert rate.status == "pass", rate.detail
        assert "at most 100 attempts per 30 days" in rate.detail

    def test_a_short_window_a_paced_attacker_never_fills_fails(self) -> None:
        """Guesses paced under a 1-minute window never lock: far more than 100 in 30 days."""
        text = (
            '[password]\nlockout = { max_failures = 5, window = "1 min", duration = "30 days" }\n'
        )
        assert _status("nist-800-63b", "rate-limit", text) == "fail"

    def test_attempts_per_period_with_backoff(self) -> None:
        """A backoff that doubles to a day keeps a lock-free attacker under the bound."""
        lock = LockoutPolicy(
            max_failures=1000,
            window=timedelta(days=30),
            duration=timedelta(days=30),
            backoff=timedelta(minutes=1),
            max_backoff=timedelta(days=1),
        )
        assert attempts_per_period(lock, timedelta(days=30), cap=100) <= 100

    def test_attempts_per_period_counts_waits(self) -> None:
        """3 failures, then 1 attempt per hour-long lock: 3 + 23 in a day."""
        lock = LockoutPolicy(max_failures=3, window=timedelta(days=30), duration=timedelta(hours=1))
        assert attempts_per_period(lock, timedelta(days=1)) == 3 + 23


def _audit(extra: str, *, sink: str = 'sink = "stdout"') -> str:
    return f'[audit]\n{sink}\nkey_env = "K"\nanchor = "a/anchor.jsonl"\n{ALL_EVENTS}{extra}'


class TestCheckpointCadence:
    @pytest.mark.parametrize(
        "setting",
        [
            "checkpoint_every = 1_000_000_000\n",
            'checkpoint_interval = "3650 days"\n',
            'checkpoint_interval = "2 h"\n',
            "checkpoint_interval = false\n",
        ],
    )
    @pytest.mark.parametrize("baseline", ["pci-dss-4", "cn-mlps-l3", "cn-interactive-service"])
    def test_a_checkpoint_that_is_never_written_seals_nothing(
        self, baseline: str, setting: str
    ) -> None:
        """audit-protected fails when the checkpoints may leave records unsealed for ever."""
        assert _status(baseline, "audit-protected", _audit(setting)) == "fail"

    def test_the_default_cadence_passes(self) -> None:
        """1,000 records and 60 s, the writer's defaults, are within the bounds."""
        protected = check_text(_audit(""), "pci-dss-4", "audit-protected")
        assert protected.status == "pass"
        assert protected.verdict.required == (
            "hash chain, checkpoints signed every <= 10000 records and <= 60 min, anchor"
        )

    def test_the_bounds_themselves_pass(self) -> None:
        """Exactly 10,000 records and one hour are allowed."""
        text = _audit('checkpoint_every = 10000\ncheckpoint_interval = "1 h"\n')
        assert _status("pci-dss-4", "audit-protected", text) == "pass"

    def test_the_failure_names_the_setting(self) -> None:
        """The detail says which setting leaves records unsealed."""
        protected = check_text(
            _audit("checkpoint_every = 100000\n"), "pci-dss-4", "audit-protected"
        )
        assert "checkpoint_every 100000 leaves up to that many records unsealed" in (
            protected.detail
        )

    @pytest.mark.parametrize(
        ("setting", "status"),
        [
            ('fsync = "always"\ncheckpoint_interval = false\n', "pass"),
            ('fsync = "checkpoint"\n', "pass"),
            ('fsync = "checkpoint"\ncheckpoint_every = 1_000_000_000\n', "fail"),
            ('fsync = "checkpoint"\ncheckpoint_interval = false\n', "fail"),
            ("fsync = 500\n", "pass"),
            ("fsync = 1_000_000_000\n", "fail"),
        ],
    )
    def test_durability_needs_a_bounded_fsync_cadence(self, setting: str, status: str) -> None:
        """fsync at checkpoints that never come, or every 10^9 records, loses records."""
        text = _audit(setting, sink='path = "log/audit.jsonl"')
        assert _status("cn-mlps-l3", "audit-durable", text) == status


class TestDressedUpPasswords:
    @pytest.mark.parametrize(
        ("baseline", "requirement"),
        [
            ("nist-800-63b", "blocklist"),
            ("owasp-asvs-5", "common-passwords"),
            ("cn-interactive-service", "trivial-passwords"),
        ],
    )
    def test_a_blocklist_without_a_strength_rule_fails(
        self, baseline: str, requirement: str
    ) -> None:
        """The bundled list alone accepts 'password password': the samples try it."""
        text = "[password]\nblocklist = true\nmin_length = 8\n"
        policy = loads_policy(text).password
        assert policy is not None
        assert policy.check("password password").ok  # what the samples must catch
        result = check_text(text, baseline, requirement)
        assert result.status == "fail"
        assert "'password password'" in result.detail

    @pytest.mark.parametrize("profile", ["nist-800-63b", "owasp-asvs-5", "cn-mlps-l3"])
    def test_the_profiles_refuse_every_dressed_sample(self, profile: str) -> None:
        """Each profile refuses the repeated and spelled-out samples as guessable."""
        from secpolicy.baselines._checks import GUESSABLE_CODES, SAMPLE_EXPECTED

        policy = loads_policy(f'[password]\nprofile = "{profile}"\n').password
        assert policy is not None
        for sample in SAMPLE_EXPECTED:
            codes = {v.code for v in policy.check(sample).violations}
            assert codes & GUESSABLE_CODES, (profile, sample)

    def test_the_samples_include_the_reviewed_spellings(self) -> None:
        """'password password' and 'p a s s w o r d' are among the samples."""
        from secpolicy.baselines._checks import SAMPLE_EXPECTED

        assert {"password password", "p a s s w o r d"} <= set(SAMPLE_EXPECTED)


class TestMlpsCitationsReRead:
    def test_every_mlps_clause_letter(self) -> None:
        """Each MLPS requirement cites the section and item letter of the level-3 text."""
        expected = {
            "password-length": "8.1.4.1 a)",
            "password-complexity": "8.1.4.1 a)",
            "password-change": "8.1.4.1 a)",
            "lockout": "8.1.4.1 b)",
            "idle-timeout": "8.1.4.1 b)",
            "mfa": "8.1.4.1 d)",
            "separation-of-duty": (
                "8.1.4.2 d); the system, audit and security administrators: 8.1.5"
            ),
            "privileged-roles": "8.1.7.3 b) (授权和审批, management requirements)",
            "labels": "8.1.4.2 g)",
            "audit-events": "8.1.4.3 a)",
            "audit-protected": "8.1.4.3 c)",
            "audit-durable": "8.1.4.3 c)",
        }
        mlps = {r.id: r.clause for r in get_baseline("cn-mlps-l3").requirements}
        for ident, clause in expected.items():
            assert mlps[ident] == f"GB/T 22239-2019 level 3 {clause}", ident

    def test_unconfirmed_number_says_so(self) -> None:
        """8.1.7.3 b) was never seen printed: the requirement's note and the docs say so."""
        baseline = get_baseline("cn-mlps-l3")
        privileged = baseline.requirement("privileged-roles")
        assert privileged is not None
        assert "it was not seen printed" in privileged.note
        assert any(entry.version == "4" for entry in baseline.changelog)
        page = (Path(__file__).parents[2] / "docs" / "compliance.md").read_text(encoding="utf-8")
        assert "#### Where each MLPS citation was checked" in page
        assert "| 8.1.7.3 b) (授权和审批) | `privileged-roles` |" in page
        assert "by order, unconfirmed |" in page


class TestNotChecked:
    @pytest.mark.parametrize(
        ("baseline", "requirement", "part"),
        [
            ("cn-mlps-l3", "lockout", "ending the session"),
            ("cn-interactive-service", "lockout", "notifying the user"),
            ("cn-mlps-l3", "mfa", "mfa_required is declared only"),
            ("pci-dss-4", "idle-timeout", "idle_timeout is declared"),
        ],
    )
    def test_a_pass_names_what_it_did_not_check(
        self, baseline: str, requirement: str, part: str
    ) -> None:
        """A passing lockout says notification / ending the session was not checked."""
        report = check_policy(load_policy(EXAMPLE), [baseline])
        result = result_of(report, requirement)
        assert result.status == "pass"
        assert "; not checked: " in result.detail
        assert part in result.detail
        data = report.to_dict()
        item = next(i for i in data["results"] if i["requirement"] == requirement)
        assert any(part in text for text in item["not_checked"])
        assert part in report.to_text()
        assert part in report.to_html()

    def test_the_summary_counts_partial_passes(self) -> None:
        """The text summary says how many passes have parts not checked."""
        report = check_policy(load_policy(EXAMPLE), ["cn-interactive-service"])
        assert "with parts not checked)" in report.to_text().splitlines()[-1]

    def test_a_custom_requirement_may_name_parts_not_checked(self) -> None:
        """not_checked in a baseline file reaches the report."""
        baseline = loads_baseline(
            '[baseline]\nid = "acme-1"\ntitle = "Acme"\nsource = "Acme rulebook"\n'
            '[[requirements]]\nid = "len"\ntitle = "long"\nclause = "A.1"\n'
            'key = "password.min_length"\nop = ">="\nvalue = 8\n'
            'not_checked = ["that staff read the rulebook"]\n'
        )
        result = baseline.check(loads_policy("[password]\nmin_length = 9\n"))[0]
        assert result.detail.endswith("; not checked: that staff read the rulebook")


class TestCaseInsensitiveIds:
    @pytest.mark.parametrize(
        "name", ["PCI-DSS-4.0.1", "Pci-Dss-4", " pci-dss-4.0.1 ", "NIST-800-63B"]
    )
    def test_ids_and_aliases_resolve_in_any_case(self, name: str) -> None:
        """Ids and aliases are compared case-folded, as aliases were always meant to be."""
        assert name in BASELINES
        assert get_baseline(name).name == BASELINES.resolve(name)

    def test_ids_differing_only_in_case_collide(self) -> None:
        """A custom baseline 'PCI-DSS-4.0.1' cannot shadow the shipped one."""
        from secpolicy.exceptions import PolicyConfigError

        shadow = loads_baseline(
            '[baseline]\nid = "PCI-DSS-4.0.1"\ntitle = "x"\n[[requirements]]\nid = "a"\n'
            'title = "t"\nclause = "c"\nkey = "password.min_length"\nop = ">="\nvalue = 1\n'
        )
        with pytest.raises(PolicyConfigError, match="used twice"):
            BASELINES.with_baselines([shadow])

    def test_a_waiver_may_name_the_baseline_in_upper_case(self) -> None:
        """Waivers resolve baseline names as the command line does."""
        text = (
            '[[waivers]]\nrequirement = "PCI-DSS-4/lockout"\nreason = "r"\napprover = "a"\n'
            "expires = 2099-01-01\n"
        )
        late = FrozenClock(datetime(2098, 6, 1, tzinfo=UTC))
        lockout = check_text(text, "pci-dss-4", "lockout", clock=late)
        assert lockout.status == "waived"

    def test_unknown_names_suggest_the_closest(self) -> None:
        """get_baseline('cn-mlps-3') suggests 'cn-mlps-l3'."""
        from secpolicy.baselines import UnknownBaselineError

        with pytest.raises(UnknownBaselineError, match=r"did you mean 'cn-mlps-l3'\?"):
            get_baseline("cn-mlps-3")


class TestUnknownNames:
    def test_several_unknown_names_in_one_line(self) -> None:
        """Two unknown names: one message, a hint where there is one."""
        message = BASELINES.unknown_message(["pci-dss-5", "zzzz"])
        assert message.startswith(
            "unknown baselines 'pci-dss-5' (did you mean 'pci-dss-4'?), 'zzzz' ("
        )


class TestShippedProfilesMeetTheirBaselines:
    @pytest.mark.parametrize(
        ("baseline", "requirement", "profile"),
        [
            ("nist-800-63b-4", "rate-limit", "nist-800-63b"),
            ("owasp-asvs-5.0.0", "anti-automation", "owasp-asvs-5"),
            ("pci-dss-4.0.1", "lockout", "pci-dss-4"),
        ],
    )
    def test_profile_lockout_passes(self, baseline: str, requirement: str, profile: str) -> None:
        """A policy that keeps its profile's own lockout meets that standard's lockout check."""
        text = f'[password]\nprofile = "{profile}"\ncontext_words = ["example"]\n'
        assert _status(baseline, requirement, text) == "pass"

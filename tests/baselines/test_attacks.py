"""Custom baseline files that must not load: ids that cannot be waived, checks that cannot fail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from secpolicy.baselines import BASELINES, check_policy, load_baseline_file, loads_baseline
from secpolicy.exceptions import ArgumentTypeError, PolicyConfigError
from secpolicy.policyfile import loads_policy

HEAD = '[baseline]\nid = "{bid}"\ntitle = "T"\n'
REQ = (
    '[[requirements]]\nid = "{rid}"\ntitle = "t"\nclause = "c"\nkey = "{key}"\n'
    'op = "{op}"\nvalue = {value}\n'
)


def _text(
    *,
    bid: str = "acme",
    rid: str = "r",
    key: str = "password.min_length",
    op: str = ">=",
    value: str = "8",
    extra: str = "",
) -> str:
    return HEAD.format(bid=bid) + extra + REQ.format(rid=rid, key=key, op=op, value=value)


class TestCustomBaselineIds:
    """Ids must be ones a waiver and a report can name unambiguously."""

    @pytest.mark.parametrize("rid", ["a/b", "has space", "-lead", "tab\there", "ünï"])
    def test_requirement_id_outside_the_id_syntax_is_refused(self, rid: str) -> None:
        """A requirement id a waiver cannot name ("a/b", spaces) is an error at its line."""
        with pytest.raises(PolicyConfigError, match=r"requirements\[0\]\.id"):
            loads_baseline(_text(rid=rid.replace("\t", "\\t")))

    @pytest.mark.parametrize("bid", ["acme x", "-acme", "acme,x"])
    def test_baseline_id_outside_the_id_syntax_is_refused(self, bid: str) -> None:
        """A baseline id with spaces or commas cannot be given to --baseline or a waiver."""
        with pytest.raises(PolicyConfigError, match=r"baseline\.id"):
            loads_baseline(_text(bid=bid))

    def test_alias_outside_the_id_syntax_is_refused(self) -> None:
        """An alias with a slash would make waiver ids ambiguous."""
        with pytest.raises(PolicyConfigError, match=r"baseline\.aliases"):
            loads_baseline(
                HEAD.format(bid="acme")
                + 'aliases = ["acme/x"]\n'
                + REQ.format(rid="r", key="password.min_length", op=">=", value="8")
            )

    def test_requirement_ids_differing_only_in_case_collide(self) -> None:
        """Ids differing only in case (Lockout, lockout) collide: the second is refused."""
        text = _text(rid="Lockout") + REQ.format(
            rid="lockout", key="password.min_length", op=">=", value="8"
        )
        with pytest.raises(PolicyConfigError, match=r"requirements\[1\]\.id"):
            loads_baseline(text)


class TestVacuousRequirements:
    """A requirement that can never fail is refused, not loaded as a pass."""

    @pytest.mark.parametrize("op", ["includes", "excludes"])
    def test_empty_list_is_refused(self, op: str) -> None:
        """``includes []`` (or ``excludes []``) holds for every policy."""
        with pytest.raises(PolicyConfigError, match=r"requirements\[0\]\.value"):
            loads_baseline(_text(key="audit.events", op=op, value="[]"))

    @pytest.mark.parametrize("op", ["includes", "excludes"])
    def test_mistyped_catalogue_event_is_refused(self, op: str) -> None:
        """``excludes ["auth.loign"]`` would always pass; the typo is named."""
        with pytest.raises(PolicyConfigError, match=r"auth\.login"):
            loads_baseline(_text(key="audit.events", op=op, value='["auth.loign"]'))

    def test_catalogue_and_custom_events_load(self) -> None:
        """Real catalogue names and dotted custom names still load."""
        baseline = loads_baseline(
            _text(key="audit.events", op="includes", value='["auth.login", "refund.approve"]')
        )
        assert [r.id for r in baseline.requirements] == ["r"]


class TestBreachedFailsOpen:
    """ASVS 6.2.12 passes only if a password is refused when no breach answer can be had."""

    ASVS = (
        '[password]\nprofile = "owasp-asvs-5"\ncontext_words = ["example"]\n'
        'check_breached = true\nlockout = { max_failures = 20, window = "30 days", '
        'duration = "30 days" }\n'
    )

    def _status(self, text: str) -> tuple[str, str]:
        report = check_policy(loads_policy(text), ["owasp-asvs-5.0.0"])
        result = next(r for r in report.results if r.requirement.id == "breached")
        return result.status, result.detail

    def test_check_breached_that_fails_open_fails(self) -> None:
        """check_breached with fail-open accepts every password when the corpus is unreachable."""
        status, detail = self._status(self.ASVS)
        assert status == "fail"
        assert "breach_fail_closed" in detail

    def test_check_breached_fail_closed_passes(self) -> None:
        """With breach_fail_closed, an unanswered lookup refuses the password: pass."""
        status, _ = self._status(self.ASVS + "breach_fail_closed = true\n")
        assert status == "pass"


class TestImpostorBaseline:
    """A Baseline value may not borrow a shipped baseline's id."""

    def test_custom_baseline_named_like_a_shipped_one_is_refused(self) -> None:
        """A one-line "pci-dss-4.0.1" would report a PCI pass for any policy."""
        fake = loads_baseline(
            _text(bid="PCI-DSS-4.0.1", key="password.min_length", op=">=", value="1")
        )
        policy = loads_policy("[password]\nmin_length = 6\n")
        with pytest.raises(PolicyConfigError, match=r"pci-dss-4\.0\.1"):
            check_policy(policy, [fake])

    def test_shipped_baseline_value_is_accepted(self) -> None:
        """Passing the shipped Baseline object itself still works."""
        report = check_policy(loads_policy(""), [BASELINES["pci-dss-4"]])
        assert report.baselines == ("pci-dss-4.0.1",)


class TestPanDisplayAtPaths:
    """pan-display judges card numbers stored under ``[pii.paths]`` operators too."""

    @pytest.mark.parametrize("path", ["payment.card", "orders[*].pan", "cards[2]"])
    def test_path_operator_showing_twelve_digits_fails(self, path: str) -> None:
        """A path mask keeping 12 + 4 digits shows the card in records: no pass."""
        policy = loads_policy(
            f'[pii]\npreset = "cn-display"\n[pii.paths]\n"{path}" = '
            '{ op = "mask", keep_first = 12, keep_last = 4, max_reveal = 1 }\n'
        )
        result = {r.id: r for r in check_policy(policy, ["pci-dss-4"]).results}
        verdict = result["pci-dss-4.0.1/pan-display"]
        assert verdict.status == "fail"
        assert "record path" in verdict.detail

    def test_path_operators_within_six_and_four_still_pass(self) -> None:
        """Paths that replace or keep at most 6 + 4 digits leave the requirement passing."""
        policy = loads_policy(
            '[pii]\npreset = "cn-display"\n[pii.paths]\n"payment.card" = '
            '{ op = "mask", keep_first = 6, keep_last = 4 }\n"publish.title" = "replace"\n'
            '"user.pan" = "PAYMENT_CARD"\n'
        )
        result = {r.id: r for r in check_policy(policy, ["pci-dss-4"]).results}
        assert result["pci-dss-4.0.1/pan-display"].status == "pass"


class TestHostileBaselineFile:
    """A custom baseline file that is huge, endless, nested or has a BOM is a typed error."""

    def test_deep_nesting_is_named(self) -> None:
        """A value nested thousands deep is "nested too deeply", not a RecursionError."""
        with pytest.raises(PolicyConfigError, match="nested too deeply"):
            loads_baseline("x = " + "[" * 5000 + "]" * 5000 + "\n")

    def test_byte_order_mark_is_named(self, tmp_path: Path) -> None:
        """A file saved with a UTF-8 BOM says so instead of "Invalid statement"."""
        path = tmp_path / "acme.toml"
        path.write_bytes(b"\xef\xbb\xbf" + HEAD.format(bid="acme-1").encode())
        with pytest.raises(PolicyConfigError, match="byte-order mark"):
            load_baseline_file(path)

    def test_oversized_file_is_refused_by_size(self, tmp_path: Path) -> None:
        """A 2 MiB file is refused by its size before any parsing."""
        path = tmp_path / "acme.toml"
        path.write_bytes(b"# " + "规".encode() * 700_000 + b"\n")
        with pytest.raises(PolicyConfigError, match="larger than"):
            load_baseline_file(path)


_LOG_AUDIT = '[audit]\nsink = "stdout"\nkey_env = "K"\nanchor = "a/anchor.jsonl"\nmasking = "pii"\n'


class TestAuditMaskedRevealsAlmostAll:
    """A log masker that hides one character of a phone or ID number masks nothing."""

    @pytest.mark.parametrize(
        "operator",
        [
            'CN_MOBILE = { op = "mask", keep_first = 10, max_reveal = 1 }',
            'CN_MOBILE = { op = "mask", keep_first = 7, max_reveal = 1 }',
            'CN_RESIDENT_ID = { op = "mask", keep_first = 17, max_reveal = 1 }',
            'CN_RESIDENT_ID = { op = "mask", keep_first = 10, keep_last = 4, max_reveal = 1 }',
            'EMAIL = { op = "mask", keep_first = 8, max_reveal = 1 }',
        ],
    )
    def test_mask_keeping_the_hidden_part_fails(self, operator: str) -> None:
        """1381234567* or 11010519491231002* in a log fails audit-masked and the law's check."""
        text = f'{_LOG_AUDIT}[pii]\npreset = "cn-display"\n[pii.operators]\n{operator}\n'
        policy = loads_policy(text)
        for baseline, requirement in (
            ("cn-interactive-service", "audit-masked"),
            ("cn-cybersecurity-law", "personal-information"),
        ):
            result = next(
                r
                for r in check_policy(policy, [baseline]).results
                if r.requirement.id == requirement
            )
            assert result.status == "fail", (operator, result.detail)
            assert "shows" in result.detail

    @pytest.mark.parametrize(
        "preset",
        [
            '[pii]\npreset = "cn-display"\n',
            '[pii]\npreset = "cn-display"\n[pii.operators]\nEMAIL = "mask_email"\n',
            '[pii]\ndefault = "redact"\n',
            '[pii]\ndefault = "replace"\n',
        ],
    )
    def test_display_practice_masks_still_pass(self, preset: str) -> None:
        """138****5678, 110105********002X, z********@example.com and redaction pass."""
        policy = loads_policy(_LOG_AUDIT + preset)
        result = next(
            r
            for r in check_policy(policy, ["cn-interactive-service"]).results
            if r.requirement.id == "audit-masked"
        )
        assert result.status == "pass", result.detail

    def test_pseudonymised_log_passes(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Keyed pseudonyms show none of the value and pass."""
        monkeypatch.setenv("PSEUDO_KEY", "00112233445566778899aabbccddeeff" * 2)
        policy = loads_policy(
            _LOG_AUDIT + '[pii]\ndefault = { op = "pseudonymize", key_env = "PSEUDO_KEY" }\n'
        )
        result = next(
            r
            for r in check_policy(policy, ["cn-interactive-service"]).results
            if r.requirement.id == "audit-masked"
        )
        assert result.status == "pass", result.detail


_LIMIT_BASELINE = (
    '[baseline]\nid = "acme-privacy"\ntitle = "T"\n'
    '[[requirements]]\nid = "storage-limit"\ntitle = "customer data gone within 6 months"\n'
    'clause = "c"\nkey = "retention.customer_data"\nop = "{op}"\nvalue = "6 months"\n'
)


def _limit_status(op: str, rule: str) -> str:
    baseline = loads_baseline(_LIMIT_BASELINE.format(op=op))
    policy = loads_policy(
        f'[retention]\n[[retention.rules]]\ncategory = "customer_data"\nkeep = "1 month"\n{rule}'
    )
    return check_policy(policy, [baseline]).results[0].status


class TestCustomRetentionUpperBound:
    """``retention.<category> <= P`` asks that records be gone by P, not only kept for less."""

    @pytest.mark.parametrize(
        "rule", ["", 'action = "review"\n', 'maximum = "12 months"\n', 'maximum = "7 months"\n']
    )
    @pytest.mark.parametrize("op", ["<=", "<"])
    def test_no_maximum_or_a_longer_one_fails(self, op: str, rule: str) -> None:
        """Kept 1 month with no storage limit (or a longer one) may be kept for ever: fail."""
        assert _limit_status(op, rule) == "fail"

    def test_maximum_within_the_bound_passes(self) -> None:
        """A rule that must be gone within 6 months meets "<= 6 months"."""
        assert _limit_status("<=", 'maximum = "6 months"\n') == "pass"
        assert _limit_status("<", 'maximum = "5 months"\n') == "pass"

    def test_lower_bound_still_reads_the_minimum(self) -> None:
        """A lower bound (>= 1 month) is still judged by how long records must be kept."""
        baseline = loads_baseline(
            _LIMIT_BASELINE.format(op=">=").replace('value = "6 months"', 'value = "1 month"')
        )
        policy = loads_policy(
            '[retention]\n[[retention.rules]]\ncategory = "customer_data"\nkeep = "1 month"\n'
        )
        assert check_policy(policy, [baseline]).results[0].status == "pass"


class TestCheckPolicyArguments:
    """check_policy and loads_baseline refuse wrong types by name, and read one id as one."""

    def test_one_baseline_id_alone_is_that_baseline(self) -> None:
        """check_policy(p, "pci-dss-4") checks PCI, not the baselines "p", "c", "i"."""
        policy = loads_policy('[password]\nprofile = "pci-dss-4"\n')
        report = check_policy(policy, "pci-dss-4")
        assert report.baselines == ("pci-dss-4.0.1",)
        assert report.results == check_policy(policy, ["pci-dss-4"]).results

    def test_one_baseline_value_alone_is_that_baseline(self) -> None:
        """A Baseline value given alone is checked."""
        policy = loads_policy('[password]\nprofile = "pci-dss-4"\n')
        assert check_policy(policy, BASELINES["nist-800-63b"]).baselines == ("nist-800-63b-4",)

    @pytest.mark.parametrize("bad", [[5], [None], [b"pci-dss-4"]])
    def test_baseline_of_another_type_is_a_typed_error(self, bad: list[object]) -> None:
        """An int or bytes where an id belongs is an ArgumentTypeError, not an AttributeError."""
        policy = loads_policy('[password]\nprofile = "pci-dss-4"\n')
        with pytest.raises(ArgumentTypeError, match="baselines"):
            check_policy(policy, bad)  # type: ignore[arg-type]

    @pytest.mark.parametrize("bad", [{}, None, '[password]\nprofile = "pci-dss-4"\n'])
    def test_policy_that_is_not_loaded_is_a_typed_error(self, bad: object) -> None:
        """A dict or the file's text is refused by name: load it first."""
        with pytest.raises(ArgumentTypeError, match="ServicePolicy"):
            check_policy(bad, ["pci-dss-4"])  # type: ignore[arg-type]

    @pytest.mark.parametrize("bad", [b"[baseline]", None])
    def test_baseline_text_of_another_type_is_a_typed_error(self, bad: object) -> None:
        """loads_baseline(bytes) says to decode, instead of a TypeError from str methods."""
        with pytest.raises(ArgumentTypeError, match="str"):
            loads_baseline(bad)  # type: ignore[arg-type]


_SOD = """
[rbac]
users = ["li", "wang"]
[rbac.roles.system_admin]
[rbac.roles.audit_admin]
[[rbac.grants]]
role = "system_admin"
resource = "{sys_resource}"
action = "{sys_action}"
[[rbac.grants]]
role = "audit_admin"
resource = "audit/**"
action = "read"
{extra}
[[rbac.assignments]]
user = "li"
role = "system_admin"
[[rbac.assignments]]
user = "wang"
role = "audit_admin"
[[rbac.ssd]]
name = "admins"
roles = ["system_admin", "audit_admin"]
n = 2
"""


def _sod(sys_resource: str, sys_action: str, extra: str = "") -> Any:
    text = _SOD.format(sys_resource=sys_resource, sys_action=sys_action, extra=extra)
    results = check_policy(loads_policy(text), ["cn-mlps-l3"]).results
    return next(r for r in results if r.requirement.id == "separation-of-duty")


class TestSeparationBetweenRolesThatContainEachOther:
    """An SSD between a role and one whose rights contain it separates nothing."""

    @pytest.mark.parametrize(
        ("resource", "action"), [("**", "*"), ("audit/**", "*"), ("audit/**", "read")]
    )
    def test_role_that_can_do_the_other_duty_fails(self, resource: str, action: str) -> None:
        """A system administrator granted ** (or audit/**) does the auditor's duty: fail."""
        result = _sod(resource, action)
        assert result.status == "fail", result.detail
        assert "system_admin" in result.detail

    def test_disjoint_duties_pass(self) -> None:
        """servers/** for the administrator and audit/** read for the auditor are separated."""
        assert _sod("servers/**", "*").status == "pass"

    def test_denied_duty_is_not_covered(self) -> None:
        """Everything but the audit log, by an explicit deny, leaves the duties separated."""
        deny = '[[rbac.denies]]\nrole = "system_admin"\nresource = "audit/**"\naction = "*"\n'
        assert _sod("**", "*", deny).status == "pass"

    def test_inherited_rights_count(self) -> None:
        """A role that inherits the auditor's role holds the auditor's rights: fail."""
        text = (
            _SOD.format(sys_resource="servers/**", sys_action="*", extra="").replace(
                "[rbac.roles.system_admin]",
                '[rbac.roles.system_admin]\ninherits = ["reader"]\n[rbac.roles.reader]',
            )
            + '[[rbac.grants]]\nrole = "reader"\nresource = "audit/**"\naction = "read"\n'
        )
        results = check_policy(loads_policy(text), ["cn-mlps-l3"]).results
        result = next(r for r in results if r.requirement.id == "separation-of-duty")
        assert result.status == "fail", result.detail


_PRIVILEGED = """
[rbac]
users = ["li"]
[rbac.roles.superuser]
privileged = true
approvals = 2
[rbac.roles.ops]
[[rbac.grants]]
role = "ops"
resource = "{ops_resource}"
action = "*"
{extra}
[[rbac.assignments]]
user = "li"
role = "ops"
"""


def _privileged(ops_resource: str, extra: str = "") -> Any:
    text = _PRIVILEGED.format(ops_resource=ops_resource, extra=extra)
    results = check_policy(loads_policy(text), ["cn-mlps-l3"]).results
    return next(r for r in results if r.requirement.id == "privileged-roles")


class TestPrivilegeWithoutApproval:
    """Privileged roles that guard nothing, or rights held without them, fail privileged-roles."""

    def test_privileged_role_that_grants_nothing_fails(self) -> None:
        """A dummy "superuser" with two approvals beside a plain role granted ** fails."""
        result = _privileged("**")
        assert result.status == "fail", result.detail
        assert "granted anything" in result.detail

    def test_plain_role_holding_the_privileged_rights_fails(self) -> None:
        """li holds db/** through a plain role: the DBA privilege without any approval."""
        dba = '[[rbac.grants]]\nrole = "superuser"\nresource = "db/**"\naction = "*"\n'
        result = _privileged("**", dba)
        assert result.status == "fail", result.detail
        assert "li holds every right of superuser" in result.detail

    def test_plain_rights_apart_from_the_privilege_pass(self) -> None:
        """Plain rights on servers/** beside a privileged db/** role pass."""
        dba = '[[rbac.grants]]\nrole = "superuser"\nresource = "db/**"\naction = "*"\n'
        assert _privileged("servers/**", dba).status == "pass"


class TestAnchorInsideTheLogDirectory:
    """An anchor in a subdirectory of the log's directory is not kept elsewhere."""

    @staticmethod
    def _protected(anchor: str, tmp_path: Path) -> Any:
        text = (
            '[audit]\npath = "var/audit/audit.jsonl"\nkey_env = "K"\n'
            f'anchor = "{anchor}"\ncheckpoint_interval = "60 s"\n'
        )
        results = check_policy(loads_policy(text, base_dir=tmp_path), ["pci-dss-4"]).results
        return next(r for r in results if r.requirement.id == "audit-protected")

    @pytest.mark.parametrize(
        "anchor", ["var/audit/anchor/anchor.jsonl", "var/audit/a/b/anchor.jsonl"]
    )
    def test_anchor_under_the_log_directory_fails(self, anchor: str, tmp_path: Path) -> None:
        """Whoever can rewrite var/audit can rewrite var/audit/anchor/ too: fail."""
        result = self._protected(anchor, tmp_path)
        assert result.status == "fail", result.detail
        assert "log" in result.detail

    @pytest.mark.parametrize("anchor", ["var/anchor/anchor.jsonl", "/srv/anchor/audit.jsonl"])
    def test_anchor_outside_the_log_directory_passes(self, anchor: str, tmp_path: Path) -> None:
        """A sibling directory or another volume is elsewhere."""
        assert self._protected(anchor, tmp_path).status == "pass"


def _cn_log_retention(tz: str, semantics: str, keep: str = "6 months") -> Any:
    text = (
        '[audit]\nsink = "stdout"\nkey_env = "K"\nretention_category = "network_log"\n'
        f'[retention]\ntz = "{tz}"\nsemantics = "{semantics}"\n'
        f'[[retention.rules]]\ncategory = "network_log"\nkeep = "{keep}"\n'
    )
    report = check_policy(loads_policy(text), ["cn-cybersecurity-law"])
    return {r.requirement.id: r for r in report.results}


class TestChineseLawCountsDaysInShanghai:
    """Chinese retention requirements count whole days in Asia/Shanghai, whatever the schedule."""

    @pytest.mark.parametrize(
        ("tz", "semantics"),
        [("Pacific/Kiritimati", "day"), ("Asia/Shanghai", "instant"), ("UTC", "instant")],
    )
    def test_schedule_that_lets_logs_go_hours_early_fails(self, tz: str, semantics: str) -> None:
        """6 months in UTC+14 days, or to the clock time, ends before 2025-03-01 00:00 +08:00."""
        results = _cn_log_retention(tz, semantics)
        for requirement in ("log-retention", "network-log-retention"):
            assert results[requirement].status == "fail", results[requirement].detail
            assert "before the period ends in Asia/Shanghai" in results[requirement].detail

    @pytest.mark.parametrize(
        ("tz", "semantics", "keep"),
        [
            ("Asia/Shanghai", "day", "6 months"),
            ("UTC", "day", "6 months"),
            ("America/New_York", "day", "6 months"),
            ("Asia/Shanghai", "instant", "7 months"),
        ],
    )
    def test_schedule_that_keeps_through_the_last_day_passes(
        self, tz: str, semantics: str, keep: str
    ) -> None:
        """Days that end at or after Beijing's, or a longer period, pass."""
        results = _cn_log_retention(tz, semantics, keep)
        assert results["network-log-retention"].status == "pass"
        assert results["log-retention"].status == "pass"

    def test_pci_keeps_the_schedules_own_count(self) -> None:
        """PCI names no zone: 12 months to the clock time in UTC still passes."""
        text = (
            '[audit]\nsink = "stdout"\nkey_env = "K"\n[retention]\nsemantics = "instant"\n'
            '[[retention.rules]]\ncategory = "audit_log"\nkeep = "12 months"\n'
        )
        results = check_policy(loads_policy(text), ["pci-dss-4"]).results
        assert next(r for r in results if r.requirement.id == "audit-retention").status == "pass"


class TestBlocklistOfExactlyTheSamples:
    """A blocklist written to hold the check's samples does not pass as a common-password list."""

    REQUIREMENTS = (
        ("nist-800-63b", "blocklist"),
        ("owasp-asvs-5", "common-passwords"),
        ("cn-interactive-service", "trivial-passwords"),
    )

    def _policy(self, tmp_path: Path, lines: list[str]) -> Any:
        (tmp_path / "samples.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        policy_file = tmp_path / "secpolicy.toml"
        policy_file.write_text(
            '[password]\nmin_length = 8\nblocklist = false\nblocklist_files = ["samples.txt"]\n',
            encoding="utf-8",
        )
        from secpolicy.policyfile import load_policy

        return load_policy(policy_file)

    def _result(self, policy: Any, baseline: str, requirement: str) -> Any:
        report = check_policy(policy, [baseline])
        return next(r for r in report.results if r.requirement.id == requirement)

    def test_the_samples_alone_fail(self, tmp_path: Path) -> None:
        """Exactly SAMPLE_COMMON and SAMPLE_EXPECTED: the bundled top 3,000 is still let through."""
        from secpolicy.baselines._checks import SAMPLE_COMMON, SAMPLE_EXPECTED

        policy = self._policy(tmp_path, [*SAMPLE_COMMON, *SAMPLE_EXPECTED])
        assert policy.password.check("sunshine1").ok  # a top-3,000 password gets through
        for baseline, requirement in self.REQUIREMENTS:
            result = self._result(policy, baseline, requirement)
            assert result.status == "fail", baseline
            assert "commonest passwords of the bundled list" in result.detail

    def test_the_top_common_passwords_with_the_samples_pass(self, tmp_path: Path) -> None:
        """A list that holds the top 3,000 and the samples passes the same check."""
        from secpolicy.baselines._checks import SAMPLE_COMMON, SAMPLE_EXPECTED, TOP_COMMON
        from secpolicy.password import COMMON_PASSWORDS

        top = list(COMMON_PASSWORDS.ranks)[:TOP_COMMON]
        policy = self._policy(tmp_path, [*top, *SAMPLE_COMMON, *SAMPLE_EXPECTED])
        for baseline, requirement in self.REQUIREMENTS:
            assert self._result(policy, baseline, requirement).status == "pass", baseline

"""Custom baselines in TOML and baselines shipped by installed packages."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest

from secpolicy import FrozenClock
from secpolicy import baselines as bl
from secpolicy.baselines import (
    BASELINES,
    available_baselines,
    check_policy,
    discover_baselines,
    load_baseline_file,
    loads_baseline,
)
from secpolicy.exceptions import PolicyConfigError
from secpolicy.policyfile import loads_policy

#: A clock within a year of the waivers that expire 2099-01-01.
LATE = datetime(2098, 6, 1, tzinfo=UTC)

ACME = """\
[baseline]
id = "acme-sec-2026"
title = "ACME security rulebook"
edition = "ACME-SEC-001 rev. 3 (2026)"
aliases = ["acme-sec"]

[[changelog]]
version = "1"
date = 2026-01-15
changes = ["first edition"]

[[requirements]]
id = "password-length"
title = "at least 14 characters"
clause = "ACME-SEC-001 §4.2"
key = "password.min_length"
op = ">="
value = 14

[[requirements]]
id = "events"
title = "logins logged"
clause = "ACME-SEC-001 §7"
key = "audit.events"
op = "includes"
value = ["auth.login"]

[[requirements]]
id = "log-retention"
title = "logs kept 2 years"
clause = "ACME-SEC-001 §8"
key = "retention.audit_log"
op = ">="
value = "2 years"

[[requirements]]
id = "lock"
title = "lock within 5 failures"
clause = "ACME-SEC-001 §4.5"
key = "password.lockout.max_failures"
op = "<="
value = 5
"""
GOOD = (
    '[password]\nmin_length = 14\nlockout = { max_failures = 5, window = "1 h", '
    'duration = "30 min" }\n[audit]\nsink = "stdout"\nkey_env = "K"\nevents = ["auth.login"]\n'
    '[retention]\n[[retention.rules]]\ncategory = "audit_log"\nkeep = "2 years"\n'
)


class TestCustomBaseline:
    def test_loads_and_checks(self) -> None:
        """A custom baseline passes a policy that meets it and fails one that does not."""
        acme = loads_baseline(ACME)
        assert acme.name == "acme-sec-2026"
        assert acme.changelog[0].changes == ("first edition",)
        good = check_policy(loads_policy(GOOD), [acme])
        assert good.ok, good.to_text()
        weak = GOOD.replace("min_length = 14", "min_length = 12").replace('"2 years"', '"1 year"')
        bad = check_policy(loads_policy(weak), [acme])
        assert {r.requirement.id for r in bad.failures} == {"password-length", "log-retention"}

    def test_missing_section_fails(self) -> None:
        """An absent section fails every requirement on it."""
        report = check_policy(loads_policy(""), [loads_baseline(ACME)])
        assert {r.status for r in report.results} == {"fail"}

    def test_file_and_alias_in_check(self, tmp_path: Path) -> None:
        """A file is loaded with its path in errors; its alias works in check and waivers."""
        path = tmp_path / "acme.toml"
        path.write_text(ACME, encoding="utf-8")
        acme = load_baseline_file(path)
        policy = loads_policy(
            GOOD.replace("min_length = 14", "min_length = 8")
            + '[[waivers]]\nrequirement = "acme-sec/password-length"\nreason = "r"\n'
            'approver = "a"\nexpires = 2099-01-01\n'
        )
        report = check_policy(policy, ["acme-sec"], extra=[acme], clock=FrozenClock(LATE))
        assert report.counts()["waived"] == 1

    @pytest.mark.parametrize(
        ("change", "line", "message"),
        [
            (('key = "password.min_length"', 'key = "password.min_lenght"'), 16, "did you mean"),
            (('op = ">="\nvalue = 14', 'op = "≥"\nvalue = 14'), 17, "must be one of"),
            (("value = 14", 'value = "14"'), 18, "must be an integer"),
            (('value = "2 years"', 'value = "2 decades"'), 34, "must be a period"),
            (('op = "includes"', 'op = ">="'), 25, "does not compare"),
            (("date = 2026-01-15", 'date = "2026"'), 9, "TOML date"),
            (('id = "events"', 'id = "password-length"'), 21, "earlier requirement"),
        ],
    )
    def test_errors_name_the_line(self, change: tuple[str, str], line: int, message: str) -> None:
        """Every error names the file, the line and the TOML path."""
        text = ACME.replace(*change, 1)
        with pytest.raises(PolicyConfigError, match=message) as info:
            loads_baseline(text, source="acme.toml")
        assert info.value.source == "acme.toml"
        assert info.value.line == line

    def test_invalid_toml_and_unreadable(self, tmp_path: Path) -> None:
        """Broken TOML, bad UTF-8 and a missing file are PolicyConfigErrors."""
        with pytest.raises(PolicyConfigError, match="not valid TOML") as info:
            loads_baseline("[baseline\n")
        assert info.value.line == 1
        bad = tmp_path / "bad.toml"
        bad.write_bytes(b"[baseline]\nid = '\xff'\n")
        with pytest.raises(PolicyConfigError, match="UTF-8"):
            load_baseline_file(bad)
        with pytest.raises(PolicyConfigError, match="cannot read"):
            load_baseline_file(tmp_path / "none.toml")

    def test_id_collision(self) -> None:
        """A custom baseline may not reuse a shipped id or alias."""
        text = ACME.replace('id = "acme-sec-2026"', 'id = "pci-dss-4"')
        with pytest.raises(PolicyConfigError, match="used twice"):
            available_baselines([loads_baseline(text)])


class _Points:
    def __init__(self, points: list[EntryPoint]) -> None:
        self.points = points

    def __call__(self, *, group: str) -> list[EntryPoint]:
        assert group == "secpolicy.baselines"
        return self.points


ACME_PLUGIN = loads_baseline(ACME)


def acme_factory() -> Any:
    """An entry point target returning baselines."""
    return [ACME_PLUGIN]


class TestPlugins:
    def test_entry_point_baselines_are_found(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Baselines declared in the secpolicy.baselines group are listed and checkable."""
        point = EntryPoint("acme", f"{__name__}:acme_factory", "secpolicy.baselines")
        monkeypatch.setattr("secpolicy.baselines._registry.entry_points", _Points([point]))
        assert [b.name for b in discover_baselines()] == ["acme-sec-2026"]
        assert "acme-sec" in available_baselines()
        assert "acme-sec" not in BASELINES
        report = check_policy(loads_policy(GOOD), ["acme-sec"])
        assert report.ok
        assert bl.get_baseline("acme-sec").name == "acme-sec-2026"

    def test_broken_entry_point(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A plugin that fails to import or gives no baseline is named in the error."""
        broken = EntryPoint("broken", "no_such_module_xyz:X", "secpolicy.baselines")
        monkeypatch.setattr("secpolicy.baselines._registry.entry_points", _Points([broken]))
        with pytest.raises(PolicyConfigError, match="broken"):
            discover_baselines()
        wrong = EntryPoint("wrong", "os:sep", "secpolicy.baselines")
        monkeypatch.setattr("secpolicy.baselines._registry.entry_points", _Points([wrong]))
        with pytest.raises(PolicyConfigError, match="must be a Baseline"):
            discover_baselines()


FULL = (
    '[service]\nname = "svc"\n'
    '[password]\nprofile = "pci-dss-4"\nmfa_required = true\ncontext_words = ["svc"]\n'
    'idle_timeout = "15 min"\n'
    '[rbac]\nusers = ["u"]\n[rbac.roles.a]\n[rbac.roles.dba]\nprivileged = true\napprovals = 2\n'
    '[[rbac.grants]]\nrole = "a"\nresource = "x/**"\naction = "*"\n'
    '[audit]\nsink = "stdout"\nkey_env = "K"\nanchor = "a.jsonl"\nevents = ["auth.login"]\n'
    '[retention]\n[[retention.rules]]\ncategory = "audit_log"\nkeep = "permanent"\n'
)


def _one(key: str, op: str, value: str, policy: str = FULL) -> str:
    """The status of one requirement comparing *key* with *value* on *policy*'s text."""
    text = (
        '[baseline]\nid = "t"\ntitle = "T"\n[[requirements]]\nid = "r"\ntitle = "r"\n'
        f'clause = "c"\nkey = "{key}"\nop = "{op}"\nvalue = {value}\n'
    )
    report = check_policy(loads_policy(policy), [loads_baseline(text)])
    return report.results[0].status


class TestEveryKey:
    @pytest.mark.parametrize(
        ("key", "op", "value", "status"),
        [
            ("password.min_length", ">=", "12", "pass"),
            ("password.max_length", "<", "10", "fail"),
            ("password.mfa_required", "==", "true", "pass"),
            ("password.check_breached", "!=", "true", "pass"),
            ("password.max_age", "<=", '"90 days"', "pass"),
            ("password.idle_timeout", "<=", '"10 min"', "fail"),
            ("password.idle_timeout", "==", "false", "fail"),
            ("password.context_words", "includes", '"svc"', "pass"),
            ("password.context_words", "excludes", '["svc"]', "fail"),
            ("password.blocklist", "==", "false", "fail"),
            ("password.lockout.max_failures", "<=", "10", "pass"),
            ("password.lockout.duration", ">=", '"30 min"', "pass"),
            ("password.lockout.window", ">", '"1 day"', "fail"),
            ("audit.events", "includes", '["auth.login", "auth.logout"]', "fail"),
            ("audit.mask", "==", "true", "pass"),
            ("audit.sink", "==", '"stdout"', "pass"),
            ("audit.masking", "!=", '"pii"', "pass"),
            ("audit.checkpoint_every", ">=", "1000", "pass"),
            ("audit.checkpoint_interval", "<=", '"1 min"', "pass"),
            ("audit.protected", "==", "true", "pass"),
            ("audit.fsync", "==", '"checkpoint"', "pass"),
            ("rbac.ssd", ">=", "1", "fail"),
            ("rbac.dsd", "==", "0", "pass"),
            ("rbac.labels", ">", "0", "fail"),
            ("rbac.privileged_approvals", ">=", "2", "pass"),
            ("retention.audit_log", ">=", '"10 years"', "pass"),
            ("retention.audit_log", "<", '"permanent"', "fail"),
            ("retention.user_log", ">=", '"1 year"', "fail"),
        ],
    )
    def test_key(self, key: str, op: str, value: str, status: str) -> None:
        """Every comparable key reads the loaded policy."""
        assert _one(key, op, value) == status

    def test_not_set_values(self) -> None:
        """A key the policy leaves unset compares only with == false / != false."""
        weak = "[password]\nmax_age = false\nlockout = false\n"
        for op, value, status in (("==", "false", "pass"), ("!=", "false", "fail"),
                                  (">=", '"1 day"', "fail")):  # fmt: skip
            assert _one("password.max_age", op, value, policy=weak) == status
        assert _one("retention.audit_log", ">=", '"1 year"') == "pass"

    @pytest.mark.parametrize(
        ("key", "op", "value", "message"),
        [
            ("password.mfa_required", "==", "1", "true or false"),
            ("audit.sink", "==", "1", "a string"),
            ("audit.events", "includes", "[1]", "array of strings"),
            ("password.min_length", "includes", "[1]", "needs a list key"),
            ("retention.audit_log", "includes", '"1 year"', "does not compare"),
            ("password.min_length", ">=", "true", "an integer"),
        ],
    )
    def test_value_errors(self, key: str, op: str, value: str, message: str) -> None:
        """Values of the wrong kind for the key are errors naming the line."""
        with pytest.raises(PolicyConfigError, match=message) as info:
            _one(key, op, value)
        assert info.value.line is not None

    def test_severity_and_empty(self) -> None:
        """Severity is 0-10; a baseline needs a requirement; its id has no slash."""
        base = '[baseline]\nid = "t"\ntitle = "T"\n'
        req = (
            '[[requirements]]\nid = "r"\ntitle = "r"\nclause = "c"\nkey = "audit.mask"\n'
            'op = "=="\nvalue = true\n'
        )
        with pytest.raises(PolicyConfigError, match=r"0\.0 to 10\.0"):
            loads_baseline(base + req + "severity = 11\n")
        assert loads_baseline(base + req + "severity = 2.5\n").requirements[0].severity == 2.5
        with pytest.raises(PolicyConfigError, match="at least one"):
            loads_baseline("requirements = []\n" + base)
        with pytest.raises(PolicyConfigError, match="'/'"):
            loads_baseline(base.replace('"t"', '"a/b"') + req)


class TestEveryError:
    def test_every_problem_of_a_baseline_file_is_reported_with_its_line(self) -> None:
        """A mistyped key, a duplicate id and a bad period all come at once, each at its line."""
        text = (
            '[baseline]\nid = "acme-1"\ntitle = "t"\nedition = "e"\n'  # 1-4
            '\n[[requirements]]\nid = "a"\ntitle = "t"\nclause = "c"\n'  # 5-9
            'key = "password.min_lenght"\nop = ">="\nvalue = 14\n'  # 10-12
            '\n[[requirements]]\nid = "a"\ntitle = "t"\nclause = "c"\n'  # 13-17
            'key = "retention.audit_log"\nop = ">="\nvalue = "2 yaers"\n'  # 18-20
        )
        with pytest.raises(PolicyConfigError) as caught:
            loads_baseline(text, source="acme.toml")
        message = str(caught.value)
        assert "acme.toml:10: requirements[0].key" in message
        assert "acme.toml:15: requirements[1].id: is used by an earlier requirement" in message
        assert "acme.toml:20: requirements[1].value" in message
        assert len(getattr(caught.value, "errors", ())) == 3


class TestOperatorHints:
    @pytest.mark.parametrize(
        ("written", "meant"),
        [("=>", ">="), ("=<", "<="), ("gte", ">="), ("≤", "<="), ("<>", "!="), ("=", "==")],
    )
    def test_a_mistyped_operator_gets_the_one_meant(self, written: str, meant: str) -> None:
        """op = "=>" suggests '>=', not '>'."""
        text = (
            '[baseline]\nid = "a-1"\ntitle = "x"\n[[requirements]]\nid = "a"\ntitle = "t"\n'
            f'clause = "c"\nkey = "password.min_length"\nop = "{written}"\nvalue = 1\n'
        )
        with pytest.raises(PolicyConfigError, match=re.escape(f"(did you mean {meant!r}?)")):
            loads_baseline(text)

"""Custom baselines in TOML and baselines shipped by installed packages."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest

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
        report = check_policy(policy, ["acme-sec"], extra=[acme])
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

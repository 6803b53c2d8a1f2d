"""Policy files an owner might write to get past the loader or crash the gate."""

from __future__ import annotations

from pathlib import Path

import pytest

from secpolicy.baselines import check_policy
from secpolicy.exceptions import ArgumentTypeError, PolicyConfigError
from secpolicy.policyfile import load_policy, loads_policy, parse_duration, parse_period


class TestHugeValues:
    """Durations and periods too long for any calendar are refused by the loader."""

    @pytest.mark.parametrize("text", ["99999999999 days", "999999999999999999999 s"])
    def test_duration_beyond_timedelta_is_a_typed_error(self, text: str) -> None:
        """A duration no timedelta can hold is a PolicyConfigError naming the key."""
        with pytest.raises(PolicyConfigError, match=r"password\.idle_timeout"):
            parse_duration(text, "password.idle_timeout")

    def test_lockout_duration_beyond_the_calendar_is_refused(self) -> None:
        """A lock lasting millennia is refused at load, not a crash inside the check."""
        text = (
            '[password]\nprofile = "pci-dss-4"\n'
            'lockout = { max_failures = 10, window = "1 day", duration = "9999999 days" }\n'
        )
        with pytest.raises(PolicyConfigError, match=r"lockout\.duration"):
            loads_policy(text)

    @pytest.mark.parametrize("keep", ["9000 years", "99999999 years", "999999999999 days"])
    def test_retention_period_beyond_the_calendar_is_refused(self, keep: str) -> None:
        """A period no date can end is refused at load (permanent is the word for it)."""
        with pytest.raises(PolicyConfigError, match=r"keep"):
            loads_policy(
                f'[retention]\n[[retention.rules]]\ncategory = "audit_log"\nkeep = "{keep}"\n'
            )

    def test_period_parser_refuses_millennia(self) -> None:
        """parse_period refuses a period longer than 1000 years with a typed error."""
        with pytest.raises(PolicyConfigError, match="permanent"):
            parse_period("1001 years", "retention.rules[0].keep")

    def test_long_but_representable_retention_still_checks(self) -> None:
        """A 100-year period loads and is checked without error."""
        policy = loads_policy(
            '[audit]\nsink = "stdout"\nkey_env = "K"\n[retention]\n[[retention.rules]]\n'
            'category = "audit_log"\nkeep = "100 years"\n'
        )
        report = check_policy(policy, ["pci-dss-4"])
        status = {r.id: r.status for r in report.results}
        assert status["pci-dss-4.0.1/audit-retention"] == "pass"


class TestMisspelledHold:
    """A legal hold on a category the schedule does not know is an error, not a no-op."""

    RULES = '[retention]\n[[retention.rules]]\ncategory = "user_log"\nkeep = "6 months"\n'

    def test_hold_on_a_misspelled_category_is_refused(self) -> None:
        """`category = "user_lgo"` would hold nothing and let the held logs be deleted."""
        text = (
            self.RULES + '[[retention.holds]]\ncategory = "user_lgo"\nreason = "inquiry 17"\n'
            "since = 2025-06-01T09:00:00+08:00\n"
        )
        with pytest.raises(PolicyConfigError, match=r"retention\.holds\[0\]\.category.*user_log"):
            loads_policy(text)

    @pytest.mark.parametrize("category", ["user_log", "*"])
    def test_hold_on_a_known_category_or_everything_loads(self, category: str) -> None:
        """A hold on a category with rules, or on every record, still loads."""
        text = (
            self.RULES + f'[[retention.holds]]\ncategory = "{category}"\nreason = "inquiry 17"\n'
            "since = 2025-06-01T09:00:00+08:00\n"
        )
        assert len(loads_policy(text).holds) == 1


class TestHostileNesting:
    """Deeply nested values and byte-order marks are typed errors, not crashes."""

    @pytest.mark.parametrize(
        "text",
        [
            "[password]\nblocklist = " + "[" * 2000 + "]" * 2000 + "\n",
            "[rbac]\nx = " + "{a=" * 2000 + "1" + "}" * 2000 + "\n",
        ],
    )
    def test_deep_toml_is_a_policy_error(self, text: str) -> None:
        """A value nested thousands deep is refused by name, not a RecursionError."""
        with pytest.raises(PolicyConfigError, match="nested too deeply"):
            loads_policy(text)

    def test_deep_json_rbac_file_is_a_policy_error(self, tmp_path: Path) -> None:
        """The same holds for an RBAC policy kept in a JSON file."""
        (tmp_path / "rbac.json").write_text(
            '{"roles": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8"
        )
        (tmp_path / "secpolicy.toml").write_text('[rbac]\nfile = "rbac.json"\n', encoding="utf-8")
        with pytest.raises(PolicyConfigError, match="nested too deeply"):
            load_policy(tmp_path / "secpolicy.toml")

    def test_byte_order_mark_is_named(self, tmp_path: Path) -> None:
        """A file saved with a UTF-8 BOM says so instead of "Invalid statement"."""
        path = tmp_path / "secpolicy.toml"
        path.write_bytes(b"\xef\xbb\xbf[password]\nmin_length = 12\n")
        with pytest.raises(PolicyConfigError, match="byte-order mark"):
            load_policy(path)


class TestHoldReleasedBeforePlaced:
    """A ``[[retention.holds]]`` entry that is never in force is an error at its line."""

    def test_release_before_since_names_the_key_and_line(self) -> None:
        """released before since: retention.holds[0].released, with the hold's line."""
        text = (
            '[retention]\nprofile = "cn-interactive-service"\n\n[[retention.holds]]\n'
            'category = "user_log"\nreason = "inquiry 17"\n'
            "since = 2025-06-01T09:00:00+08:00\nreleased = 2025-05-01T09:00:00+08:00\n"
        )
        with pytest.raises(PolicyConfigError, match=r":8: retention\.holds\[0\]\.released"):
            loads_policy(text)


class TestPolicyTextOfAnotherType:
    """loads_policy refuses what is not text with a typed error."""

    @pytest.mark.parametrize("bad", [b"[password]\nmin_length = 12\n", None, 12])
    def test_bytes_or_none_is_an_argument_type_error(self, bad: object) -> None:
        """Bytes say to decode first; None and numbers are named, not a bare TypeError."""
        with pytest.raises(ArgumentTypeError, match="text must be str"):
            loads_policy(bad)  # type: ignore[arg-type]


class TestMisspelledHoldUnderDefaultRules:
    """With on_unknown_category = "default" a misspelled hold category is still refused."""

    TEXT = (
        '[retention]\nprofile = "cn-interactive-service"\non_unknown_category = "default"\n'
        '[[retention.rules]]\ncategory = "*"\nkeep = "1 day"\n'
        '[[retention.holds]]\ncategory = "{category}"\nreason = "inquiry 17"\n'
        "since = 2025-06-01T09:00:00+08:00\n{extra}"
    )

    def test_close_to_a_known_category_is_refused(self) -> None:
        """A hold on "user_lgo" beside "user_log" holds no record: an error with the suggestion."""
        with pytest.raises(PolicyConfigError, match=r"retention\.holds\[0\].*'user_log'"):
            loads_policy(self.TEXT.format(category="user_lgo", extra=""))

    def test_declared_category_is_accepted(self) -> None:
        """A category declared in categories is meant, however close its name."""
        text = self.TEXT.format(category="user_lgo", extra="").replace(
            'on_unknown_category = "default"\n',
            'on_unknown_category = "default"\ncategories = ["user_lgo"]\n',
        )
        assert loads_policy(text).holds[0].scope == "user_lgo"

    def test_unrelated_category_decided_by_the_defaults_is_accepted(self) -> None:
        """A category unlike any known one ("chat") is one the default rules decide."""
        assert loads_policy(self.TEXT.format(category="chat", extra="")).holds[0].scope == "chat"

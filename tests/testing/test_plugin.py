"""The pytest plugin, run in throw-away projects with pytester."""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLE = (Path(__file__).parents[2] / "examples" / "secpolicy.toml").read_text(encoding="utf-8")
RBAC_POLICY = """
[rbac]
users = ["teller.li", "dba.zhao"]
[rbac.roles.teller]
[rbac.roles.dba]
privileged = true
[[rbac.grants]]
role = "teller"
resource = "accounts/*"
action = "read"
[[rbac.grants]]
role = "dba"
resource = "db/**"
action = "*"
[[rbac.assignments]]
user = "teller.li"
role = "teller"
"""


class TestFixtures:
    def test_audit_events_and_assert_audited(self, pytester: pytest.Pytester) -> None:
        """audit_events sees what loggers write during the test; assert_audited matches fields."""
        pytester.makepyfile(
            """
            import io
            from secpolicy.audit import AuditLogger
            from secpolicy.testing import assert_audited

            def test_login(audit_events, frozen_clock):
                log = AuditLogger.to_stdout(
                    key=bytes(range(32)), stream=io.StringIO(), clock=frozen_clock,
                    seal_idle=False,
                )
                log.login(user_id="u1", ip="10.0.0.1", port=443, outcome="failure")
                log.close()
                event = assert_audited(audit_events, "auth.login", user_id="u1", outcome="failure")
                assert event["time"] == "2025-01-01T00:00:00.000000Z"

            def test_nothing_leaks_between_tests(audit_events):
                assert audit_events == []
            """
        )
        pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)

    def test_frozen_clock_mark(self, pytester: pytest.Pytester) -> None:
        """The frozen_clock mark starts the clock at its instant; tests move it by hand."""
        pytester.makepyfile(
            """
            from datetime import timedelta
            import pytest

            @pytest.mark.frozen_clock("2025-06-01T09:00:00+08:00")
            def test_marked(frozen_clock):
                assert frozen_clock.now().isoformat() == "2025-06-01T01:00:00+00:00"
                frozen_clock.advance(timedelta(hours=1))
                assert frozen_clock.now().hour == 2

            @pytest.mark.frozen_clock("2025-06-01T09:00:00")
            def test_naive(frozen_clock):
                pass
            """
        )
        result = pytester.runpytest("--strict-markers")
        result.assert_outcomes(passed=1, errors=1)
        result.stdout.fnmatch_lines(["*needs a UTC offset*"])

    def test_rbac_from_policy_and_assert_access_denied(self, pytester: pytest.Pytester) -> None:
        """rbac_from_policy loads [rbac]; assert_access_denied explains an unexpected allow."""
        pytester.makefile(".toml", secpolicy=RBAC_POLICY)
        pytester.makepyfile(
            """
            from secpolicy.testing import assert_access_denied

            def test_default_deny(rbac_from_policy):
                decision = assert_access_denied(rbac_from_policy, "teller.li", "db/x", "drop")
                assert decision.effect == "implicit_deny"

            def test_fails_when_allowed(rbac_from_policy):
                assert_access_denied(rbac_from_policy, "teller.li", "accounts/1", "read")

            def test_policy_fixture(secpolicy_policy):
                assert secpolicy_policy.sections == ("rbac",)
            """
        )
        result = pytester.runpytest("-p", "no:randomly")
        result.assert_outcomes(passed=2, failed=1)
        result.stdout.fnmatch_lines(["*'teller.li' may 'read' 'accounts/1'; expected a denial*"])

    def test_missing_policy_file(self, pytester: pytest.Pytester) -> None:
        """Without secpolicy.toml the policy fixtures fail with a clear message."""
        pytester.makepyfile(
            """
            def test_needs_policy(rbac_from_policy):
                pass

            def test_needs_file(secpolicy_policy):
                pass
            """
        )
        result = pytester.runpytest()
        result.assert_outcomes(errors=2)
        result.stdout.fnmatch_lines(["*secpolicy.toml not found*"])

    def test_policy_without_rbac(self, pytester: pytest.Pytester) -> None:
        """A policy file without [rbac] fails rbac_from_policy by name."""
        pytester.makefile(".toml", secpolicy='[password]\nprofile = "pci-dss-4"\n')
        pytester.makepyfile("def test_x(rbac_from_policy):\n    pass\n")
        result = pytester.runpytest()
        result.assert_outcomes(errors=1)
        result.stdout.fnmatch_lines(["*has no [[]rbac[]] section*"])


class TestBaselineOption:
    def test_passing_baseline_is_a_passing_item(self, pytester: pytest.Pytester) -> None:
        """--secpolicy-baseline adds an item that passes when the policy meets it."""
        pytester.makefile(".toml", secpolicy=EXAMPLE.replace("#:schema", "# schema"))
        pytester.makepyfile("def test_app():\n    pass\n")
        result = pytester.runpytest("--secpolicy-baseline", "cn-mlps-l3", "-v")
        result.assert_outcomes(passed=2)
        result.stdout.fnmatch_lines(["*secpolicy-baseline[[]cn-mlps-l3[]] PASSED*"])

    def test_shortfall_fails_the_run(self, pytester: pytest.Pytester) -> None:
        """A shortfall fails the item with each requirement's clause and detail."""
        pytester.makefile(".toml", secpolicy='[password]\nprofile = "cn-mlps-l3"\n')
        pytester.makeini("[pytest]\nsecpolicy_baselines =\n    pci-dss-4\n")
        result = pytester.runpytest()
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(
            [
                "*does not meet pci-dss-4*",
                (
                    "*pci-dss-4.0.1/password-length: PCI DSS v4.0.1 (June 2024) 8.3.6: "
                    "min_length 8, required >= 12*"
                ),
            ]
        )
        assert result.ret == pytest.ExitCode.TESTS_FAILED

    def test_policy_option_and_invalid_file(self, pytester: pytest.Pytester) -> None:
        """--secpolicy-policy names the file; an invalid file fails with its line."""
        pytester.makefile(".toml", custom="[password]\nmin_length = 0\n")
        result = pytester.runpytest(
            "--secpolicy-policy", "custom.toml", "--secpolicy-baseline", "nist-800-63b"
        )
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(["*custom.toml:2: password.min_length: must be >= 1*"])

    def test_unknown_baseline_and_missing_file(self, pytester: pytest.Pytester) -> None:
        """An unknown baseline or a missing file fails the item, naming it."""
        result = pytester.runpytest("--secpolicy-baseline", "iso-27001")
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(["*unknown baseline 'iso-27001'*"])
        result = pytester.runpytest("--secpolicy-baseline", "pci-dss-4")
        result.stdout.fnmatch_lines(["*secpolicy.toml not found*"])

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

    def test_unknown_baseline_is_a_usage_error(self, pytester: pytest.Pytester) -> None:
        """An unknown baseline name stops the run as a usage error, listing the known ones."""
        pytester.makepyfile("def test_app():\n    pass\n")
        result = pytester.runpytest("--secpolicy-baseline", "iso-27001")
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        result.stderr.fnmatch_lines(["*unknown baseline(s) iso-27001; known: *cn-mlps-l3*"])
        pytester.makeini("[pytest]\nsecpolicy_baselines =\n    pci-dss-4\n    nist-800-63\n")
        result = pytester.runpytest()
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        result.stderr.fnmatch_lines(["*unknown baseline(s) nist-800-63;*"])

    def test_missing_file(self, pytester: pytest.Pytester) -> None:
        """A missing policy file fails the item, naming the file."""
        result = pytester.runpytest("--secpolicy-baseline", "pci-dss-4")
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(["*secpolicy.toml not found*"])


class TestAuditUnderTmpPath:
    def test_policy_audit_files_move_under_tmp_path(self, pytester: pytest.Pytester) -> None:
        """open_audit() and secpolicy_audit write under tmp_path, never the file's own paths."""
        pytester.makefile(
            ".toml",
            secpolicy=(
                '[audit]\npath = "prod/log/audit.jsonl"\nanchor = "prod/anchor/audit.jsonl"\n'
                'key_env = "TEST_AUDIT_KEY"\n'
            ),
        )
        pytester.makepyfile(
            """
            def test_open_audit(secpolicy_policy, tmp_path, monkeypatch):
                monkeypatch.setenv("TEST_AUDIT_KEY", "ab" * 32)
                assert secpolicy_policy.audit.path == tmp_path / "audit" / "audit.jsonl"
                assert secpolicy_policy.audit.anchor == tmp_path / "anchor" / "audit.jsonl"
                with secpolicy_policy.open_audit(seal_idle=False) as audit:
                    audit.login(user_id="u1", ip="10.0.0.1", port=443)
                assert (tmp_path / "audit" / "audit.jsonl").read_text().count("auth.login") == 1

            def test_fixture(request, tmp_path, monkeypatch):
                monkeypatch.setenv("TEST_AUDIT_KEY", "ab" * 32)
                audit = request.getfixturevalue("secpolicy_audit")
                audit.logout(user_id="u1", ip="10.0.0.1", port=443)
                assert audit_path_exists(tmp_path)

            def audit_path_exists(tmp_path):
                return (tmp_path / "audit" / "audit.jsonl").is_file()
            """
        )
        pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)
        assert not (pytester.path / "prod").exists()


_HEAVY = (
    "cryptography",
    "argon2",
    "structlog",
    "secpolicy.audit",
    "secpolicy.baselines",
    "secpolicy.policyfile",
    "secpolicy.password",
    "secpolicy.crypto",
    "dateutil",
    "holidays",
)


class TestImportCost:
    def test_plugin_imports_no_area(self) -> None:
        """Importing the plugin loads pytest and secpolicy's core only, no area or heavy library."""
        import subprocess
        import sys

        code = (
            "import sys, pytest; before = set(sys.modules); import secpolicy.testing.plugin; "
            "print(sorted(set(sys.modules) - before))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        loaded = eval(out)  # noqa: S307 (our own child's repr of a list of str)
        assert [m for m in loaded if m.split(".")[0] in _HEAVY or m.startswith(_HEAVY)] == []
        assert "secpolicy.testing.plugin" in loaded

    def test_import_secpolicy_reads_no_metadata(self) -> None:
        """import secpolicy does not load importlib.metadata; __version__ reads it on access."""
        import subprocess
        import sys

        code = (
            "import sys, secpolicy; print('importlib.metadata' in sys.modules); "
            "print(secpolicy.__version__ != '')"
        )
        out = subprocess.run(
            [sys.executable, "-S", "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONPATH": str(Path(__file__).parents[2] / "src")},
        ).stdout.split()
        assert out == ["False", "True"]

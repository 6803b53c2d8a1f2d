"""Shared pytest configuration for the whole suite.

- pytester runs the secpolicy plugin in isolated projects.
- Under pytest-xdist (``make test`` runs ``-n 2 --dist loadfile``) each test
  module runs whole on one worker, so its module fixtures (the Spark session,
  the campaign's log) are built once per run; the session fixtures below are
  built once per worker that needs them, each server on its own free port.
- ``make test`` sets ``SECPOLICY_NO_SKIPS=1``: a test or module that skips
  (a missing optional dependency, a feature gone from the build) fails the
  gate with its reason instead of passing silently.
- Hypothesis never measures time: a deadline or the "too slow" health check
  would turn a loaded machine into a failing test, so both are off. The
  ``ci`` profile (``HYPOTHESIS_PROFILE=ci``, set by ``make test``) also
  derandomises, so the gate gives the same answer on every run; the default
  profile keeps exploring new examples on developers' machines.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator

import pytest
from hypothesis import HealthCheck, settings

pytest_plugins = ["pytester"]

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "ci",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_configure(config: pytest.Config) -> None:
    """Leave the Python processes a test starts unmeasured.

    ``make test`` measures coverage in every xdist worker through coverage's
    ``patch = ["subprocess"]`` (pyproject.toml), which does so by an environment
    variable that every later child would inherit too. The children of a test
    (the CLI, the examples, Spark's Python workers) were never part of the
    measurement, and tracing them only costs time (Spark's forked workers exit
    without saving any data), so the variable goes once the process that runs
    tests has started; the controller keeps it for the workers it starts.
    """
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        os.environ.pop("COVERAGE_PROCESS_CONFIG", None)


_NO_SKIPS = os.environ.get("SECPOLICY_NO_SKIPS") == "1"


def _skip_to_failure(report: pytest.TestReport | pytest.CollectReport) -> None:
    """Turn a skip into a failure that names the skip's reason (the gate runs everything)."""
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = f"skipped, but SECPOLICY_NO_SKIPS=1 runs every test: {reason}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Under SECPOLICY_NO_SKIPS=1, a skipped test fails (an expected failure stays one)."""
    report = yield
    if _NO_SKIPS and report.skipped and not hasattr(report, "wasxfail"):
        _skip_to_failure(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    """Under SECPOLICY_NO_SKIPS=1, a module that skips as a whole (importorskip) fails."""
    report = yield
    if _NO_SKIPS and report.skipped:
        _skip_to_failure(report)
    return report


# -- real servers, shared by every test directory -------------------------------------
# Started once per session, on free loopback ports, from the binaries the
# ``test`` dependency group installs (see tests/stores/_servers.py);
# SECPOLICY_TEST_POSTGRES_URL / SECPOLICY_TEST_REDIS_URL point at running ones.
# A server that cannot start is an error, never a skip.


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a PostgreSQL server for this session."""
    given = os.environ.get("SECPOLICY_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    from tests.stores._servers import PostgresServer

    server = PostgresServer()
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """The URL of a Redis server for this session."""
    given = os.environ.get("SECPOLICY_TEST_REDIS_URL")
    if given:
        yield given
        return
    from tests.stores._servers import RedisServer

    server = RedisServer()
    try:
        yield server.start()
    finally:
        server.stop()

"""The pytest plugin of secpolicy (entry point ``pytest11``; loaded automatically).

Fixtures:
    ``audit_events``: the records every ``AuditLogger`` wrote during the test.
    ``frozen_clock``: a :class:`~secpolicy.FrozenClock`, by default at
    2025-01-01T00:00:00Z; ``@pytest.mark.frozen_clock("2025-06-01T09:00:00+08:00")``
    starts it elsewhere.
    ``secpolicy_policy``: the project's ``secpolicy.toml``, loaded.
    Its ``[audit]`` file and anchor are moved under the test's ``tmp_path``,
    so ``secpolicy_policy.open_audit()`` never writes to the paths the file
    names for production.
    ``secpolicy_audit``: the policy's audit logger, opened on ``frozen_clock``
    with its log and anchor under ``tmp_path``, closed after the test.
    ``rbac_from_policy``: a fresh RBAC engine from its ``[rbac]`` section,
    reading time from ``frozen_clock``.

Options:
    ``--secpolicy-baseline NAME`` (repeatable; ini ``secpolicy_baselines``)
    adds one test item per baseline that checks the policy file, so that a
    compliance shortfall fails the run. ``--secpolicy-policy PATH`` (ini
    ``secpolicy_policy``) names the file; the default is ``secpolicy.toml``
    in the root directory. An unknown baseline name is a usage error.

The plugin costs nothing until it is used: this module imports only pytest
and the top-level ``secpolicy`` package; the areas (audit, baselines, the
policy loader, cryptography, argon2) are imported inside the fixtures and
hooks that need them. Disable it with ``-p no:secpolicy``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from secpolicy._clock import FrozenClock
from secpolicy.exceptions import PolicyConfigError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from secpolicy.audit import AuditLogger
    from secpolicy.policyfile import ServicePolicy
    from secpolicy.rbac import RBAC

#: Where ``frozen_clock`` starts unless a ``frozen_clock`` mark says otherwise.
DEFAULT_INSTANT = datetime(2025, 1, 1, tzinfo=UTC)


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the command-line options and ini settings."""
    group = parser.getgroup("secpolicy", "secpolicy compliance checks")
    group.addoption(
        "--secpolicy-baseline",
        action="append",
        default=[],
        metavar="NAME",
        help="check the policy file against this baseline (e.g. cn-mlps-l3, pci-dss-4)",
    )
    group.addoption(
        "--secpolicy-policy",
        default=None,
        metavar="PATH",
        help="the policy file (default: secpolicy.toml in the root directory)",
    )
    parser.addini("secpolicy_baselines", "baselines to check the policy file against", "linelist")
    parser.addini("secpolicy_policy", "the policy file, relative to the root directory")


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``frozen_clock`` mark; refuse unknown baseline names up front."""
    config.addinivalue_line(
        "markers", "frozen_clock(instant): start the frozen_clock fixture at this ISO 8601 instant"
    )
    names = _baselines(config)
    if names:  # only then is the baseline catalogue worth importing
        from secpolicy.baselines import BASELINES  # noqa: PLC0415 (lazy: the plugin is free)

        unknown = [name for name in names if name not in BASELINES]
        if unknown:
            raise pytest.UsageError(
                f"--secpolicy-baseline: unknown baseline(s) {', '.join(unknown)}; "
                f"known: {', '.join(BASELINES)}"
            )


def _policy_path(config: pytest.Config) -> Path:
    option = config.getoption("--secpolicy-policy") or config.getini("secpolicy_policy")
    return config.rootpath / (str(option) if option else "secpolicy.toml")


def _baselines(config: pytest.Config) -> list[str]:
    names = [*config.getoption("--secpolicy-baseline"), *config.getini("secpolicy_baselines")]
    return list(dict.fromkeys(names))


class BaselineShortfall(AssertionError):  # noqa: N818 (reads as what it is in pytest output)
    """A policy file that does not meet a baseline."""


class BaselineItem(pytest.Item):
    """One baseline checked against the project's policy file."""

    def __init__(self, *, baseline: str, policy: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.baseline = baseline
        self.policy = policy

    def runtest(self) -> None:
        """Load the policy and check it; fail with the requirements that fell short."""
        from secpolicy.baselines import check_policy  # noqa: PLC0415 (lazy: the plugin is free)
        from secpolicy.policyfile import load_policy  # noqa: PLC0415

        if not self.policy.is_file():
            raise BaselineShortfall(f"policy file {self.policy} not found")
        report = check_policy(load_policy(self.policy), [self.baseline])
        if not report.ok:
            lines = [f"{r.id}: {r.requirement.clause}: {r.verdict.detail}" for r in report.failures]
            raise BaselineShortfall("\n".join(lines))

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        """The shortfalls (or the policy file's error) without a traceback."""
        if isinstance(excinfo.value, (BaselineShortfall, PolicyConfigError)):
            return f"{self.policy} does not meet {self.baseline}:\n{excinfo.value}"
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """Where the item comes from, for pytest's report."""
        return self.policy, None, f"secpolicy baseline {self.baseline}"


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Add one item per requested baseline."""
    policy = _policy_path(config)
    items.extend(
        BaselineItem.from_parent(
            session, name=f"secpolicy-baseline[{name}]", baseline=name, policy=policy
        )
        for name in _baselines(config)
    )


@pytest.fixture
def audit_events() -> Iterator[list[dict[str, Any]]]:
    """The records every audit logger wrote during the test (after masking, with seq and hash)."""
    from secpolicy.audit import capture  # noqa: PLC0415 (lazy: the plugin is free)

    with capture() as events:
        yield events


@pytest.fixture
def frozen_clock(request: pytest.FixtureRequest) -> FrozenClock:
    """A clock that stands still until the test moves it (``set``, ``advance``)."""
    marker = request.node.get_closest_marker("frozen_clock")
    if marker is None or not marker.args:
        return FrozenClock(DEFAULT_INSTANT)
    value = marker.args[0]
    start = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if start.tzinfo is None:
        raise pytest.UsageError("frozen_clock mark: the instant needs a UTC offset")
    return FrozenClock(start)


def _load(config: pytest.Config, clock: FrozenClock | None = None) -> ServicePolicy:
    from secpolicy.policyfile import load_policy  # noqa: PLC0415 (lazy: the plugin is free)

    path = _policy_path(config)
    if not path.is_file():
        pytest.fail(f"policy file {path} not found", pytrace=False)
    return load_policy(path, clock=clock)


def _audit_under(policy: ServicePolicy, directory: Path) -> ServicePolicy:
    """*policy* with its audit log and anchor files moved into *directory*."""
    import attrs  # noqa: PLC0415 (lazy: the plugin is free)

    audit = policy.audit
    if audit is None:
        return policy
    moved = attrs.evolve(
        audit,
        path=None if audit.path is None else directory / "audit" / audit.path.name,
        anchor=None if audit.anchor is None else directory / "anchor" / audit.anchor.name,
    )
    return attrs.evolve(policy, audit=moved)


@pytest.fixture
def secpolicy_policy(request: pytest.FixtureRequest, tmp_path: Path) -> ServicePolicy:
    """The project's policy file, loaded, with its audit files under ``tmp_path``.

    ``--secpolicy-policy`` or ``secpolicy.toml`` in the root directory. The
    ``[audit]`` log and anchor keep their file names but live in
    ``tmp_path / "audit"`` and ``tmp_path / "anchor"``, so a test that calls
    ``open_audit()`` never appends to the production paths the file names.
    """
    return _audit_under(_load(request.config), tmp_path)


@pytest.fixture
def secpolicy_audit(
    secpolicy_policy: ServicePolicy, frozen_clock: FrozenClock
) -> Iterator[AuditLogger]:
    """The policy's audit logger on ``frozen_clock``, writing under ``tmp_path``; closed after.

    .. versionadded:: 0.2
    """
    with secpolicy_policy.open_audit(clock=frozen_clock, seal_idle=False) as audit:
        yield audit


@pytest.fixture
def rbac_from_policy(request: pytest.FixtureRequest, frozen_clock: FrozenClock) -> RBAC:
    """A fresh RBAC engine from the policy file's ``[rbac]`` section, on ``frozen_clock``."""
    rbac = _load(request.config, frozen_clock).rbac
    if rbac is None:
        pytest.fail(f"{_policy_path(request.config)} has no [rbac] section", pytrace=False)
    return rbac

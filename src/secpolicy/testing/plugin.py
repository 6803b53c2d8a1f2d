"""The pytest plugin of secpolicy (entry point ``pytest11``; loaded automatically).

Fixtures:
    ``audit_events``: the records every ``AuditLogger`` wrote during the test.
    ``frozen_clock``: a :class:`~secpolicy.FrozenClock`, by default at
    2025-01-01T00:00:00Z; ``@pytest.mark.frozen_clock("2025-06-01T09:00:00+08:00")``
    starts it elsewhere.
    ``secpolicy_policy``: the project's ``secpolicy.toml``, loaded.
    ``rbac_from_policy``: a fresh RBAC engine from its ``[rbac]`` section,
    reading time from ``frozen_clock``.

Options:
    ``--secpolicy-baseline NAME`` (repeatable; ini ``secpolicy_baselines``)
    adds one test item per baseline that checks the policy file, so that a
    compliance shortfall fails the run. ``--secpolicy-policy PATH`` (ini
    ``secpolicy_policy``) names the file; the default is ``secpolicy.toml``
    in the root directory.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from secpolicy import FrozenClock
from secpolicy.audit import capture
from secpolicy.baselines import BASELINES, check_policy
from secpolicy.exceptions import PolicyConfigError
from secpolicy.policyfile import ServicePolicy, load_policy

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

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
        help=f"check the policy file against this baseline ({', '.join(BASELINES)})",
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
    """Register the ``frozen_clock`` mark."""
    config.addinivalue_line(
        "markers", "frozen_clock(instant): start the frozen_clock fixture at this ISO 8601 instant"
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
        if self.baseline not in BASELINES:
            raise BaselineShortfall(
                f"unknown baseline {self.baseline!r} (known: {', '.join(BASELINES)})"
            )
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
    path = _policy_path(config)
    if not path.is_file():
        pytest.fail(f"policy file {path} not found", pytrace=False)
    return load_policy(path, clock=clock)


@pytest.fixture
def secpolicy_policy(request: pytest.FixtureRequest) -> ServicePolicy:
    """The project's policy file, loaded (``--secpolicy-policy`` or ``secpolicy.toml``)."""
    return _load(request.config)


@pytest.fixture
def rbac_from_policy(request: pytest.FixtureRequest, frozen_clock: FrozenClock) -> RBAC:
    """A fresh RBAC engine from the policy file's ``[rbac]`` section, on ``frozen_clock``."""
    rbac = _load(request.config, frozen_clock).rbac
    if rbac is None:
        pytest.fail(f"{_policy_path(request.config)} has no [rbac] section", pytrace=False)
    return rbac

"""Compliance baselines: machine-checkable requirements with their citations.

A baseline (``nist-800-63b-4``, ``owasp-asvs-5.0.0``, ``pci-dss-4.0.1``,
``cn-mlps-l3-2019``, ``cn-interactive-service-1``,
``cn-cybersecurity-law-2025``; the short ids of 0.1 are aliases) is a list of
requirements; each checks a loaded :class:`~secpolicy.policyfile.ServicePolicy`
by running the declared configuration where it can (masking sample card
numbers, judging sample passwords, evaluating the retention schedule) and
says pass, fail (with the declared and required values) or not applicable;
waivers in the policy file make a requirement ``waived``. :func:`check_policy`
runs them; the :class:`CheckReport` renders as a table, JSON, JUnit XML,
SARIF or HTML (``secpolicy check``). Custom baselines come from TOML files
(:func:`load_baseline_file`) or installed packages (the ``secpolicy.baselines``
entry point group).
"""

from __future__ import annotations

from secpolicy.baselines._custom import load_baseline_file, loads_baseline
from secpolicy.baselines._model import (
    Baseline,
    ChangelogEntry,
    Requirement,
    Result,
    Status,
    Verdict,
)
from secpolicy.baselines._registry import (
    BASELINES,
    ENTRY_POINT_GROUP,
    BaselineRegistry,
    UnknownBaselineError,
    available_baselines,
    discover_baselines,
)
from secpolicy.baselines._report import (
    CheckReport,
    check_policy,
    get_baseline,
    invalid_report,
    render_reports,
)

__all__ = [
    "BASELINES",
    "ENTRY_POINT_GROUP",
    "Baseline",
    "BaselineRegistry",
    "ChangelogEntry",
    "CheckReport",
    "Requirement",
    "Result",
    "Status",
    "UnknownBaselineError",
    "Verdict",
    "available_baselines",
    "check_policy",
    "discover_baselines",
    "get_baseline",
    "invalid_report",
    "load_baseline_file",
    "loads_baseline",
    "render_reports",
]

from secpolicy._public import set_module as _set_module

_set_module(globals())

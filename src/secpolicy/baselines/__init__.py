"""Compliance baselines: machine-checkable requirements with their citations.

A baseline (``nist-800-63b``, ``owasp-asvs-5``, ``pci-dss-4``, ``cn-mlps-l3``,
``cn-interactive-service``, ``cn-cybersecurity-law``) is a list of
requirements; each checks a loaded :class:`~secpolicy.policyfile.ServicePolicy`
and says pass, fail (with the actual and required values) or not applicable.
:func:`check_policy` runs them; the :class:`CheckReport` renders as a table,
JSON, JUnit XML or SARIF for CI (``secpolicy check``).
"""

from __future__ import annotations

from secpolicy.baselines._catalog import BASELINES
from secpolicy.baselines._model import Baseline, Requirement, Result, Status, Verdict
from secpolicy.baselines._report import CheckReport, check_policy, get_baseline

__all__ = [
    "BASELINES",
    "Baseline",
    "CheckReport",
    "Requirement",
    "Result",
    "Status",
    "Verdict",
    "check_policy",
    "get_baseline",
]

from secpolicy._public import set_module as _set_module

_set_module(globals())

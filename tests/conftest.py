"""Shared pytest configuration for the whole suite.

- pytester runs the secpolicy plugin in isolated projects.
- Hypothesis never measures time: a deadline or the "too slow" health check
  would turn a loaded machine into a failing test, so both are off. The
  ``ci`` profile (``HYPOTHESIS_PROFILE=ci``, set by ``make test``) also
  derandomises, so the gate gives the same answer on every run; the default
  profile keeps exploring new examples on developers' machines.
"""

from __future__ import annotations

import os

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

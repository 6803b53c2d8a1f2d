"""Set up the test Django project once: settings module, django.setup(), tables in SQLite."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

_OWN = "DJANGO_SETTINGS_MODULE" not in os.environ
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.integrations.djangoproject.settings")

import django  # noqa: E402 (the settings module must be named first)

django.setup()
if _OWN:  # loaded now; keep it out of the environment of child processes (the examples)
    del os.environ["DJANGO_SETTINGS_MODULE"]


@pytest.fixture(scope="session")
def django_db() -> None:
    """Create the project's tables once per session."""
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, verbosity=0)


@pytest.fixture
def django_project(django_db: None) -> Iterator[None]:
    """A clean project: no users, no throttle state, a fresh audit log and clock."""
    from datetime import UTC, datetime

    from django.contrib.auth import get_user_model

    from tests.integrations.djangoproject import services

    services.reset()
    services.CLOCK.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    yield
    get_user_model().objects.all().delete()
    services.reset()

"""Shared fixtures for the crypto tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from secpolicy.crypto import Keyset

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(params=["AES-256-GCM", "SM4-GCM"])
def aead_keyset(request: pytest.FixtureRequest) -> Keyset:
    """A fresh AEAD keyset of each supported algorithm."""
    return Keyset.generate(request.param, now=NOW)

"""Type-checker-only usage of the public API; checked by mypy --strict, never run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from secpolicy import Clock, FrozenClock, SecPolicyError, SystemClock, __version__
from secpolicy.exceptions import PolicyConfigError

version: str = __version__

clock: Clock = FrozenClock(datetime(2024, 1, 1, tzinfo=UTC))
now: datetime = clock.now()
later: datetime = FrozenClock(now).advance(timedelta(days=1))
system: Clock = SystemClock()

err: SecPolicyError = PolicyConfigError("must be >= 1", field="password.min_length", line=3)
field: str | None = err.field if isinstance(err, PolicyConfigError) else None

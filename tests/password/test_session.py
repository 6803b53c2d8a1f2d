"""SessionPolicy: the idle timeout and second factor a password policy declares."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from secpolicy.exceptions import NaiveDatetimeError, PolicyConfigError
from secpolicy.password import SessionPolicy, SessionState, profiles

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class TestSessionPolicy:
    def test_from_profile(self) -> None:
        """PCI's 15-minute idle timeout and CN's second factor come from the profiles."""
        pci = SessionPolicy.from_password_policy(profiles.PCI_DSS_4)
        assert pci.idle_timeout == timedelta(minutes=15)
        assert not pci.mfa_required
        assert SessionPolicy.from_password_policy(profiles.CN_MLPS_L3).mfa_required

    def test_idle_timeout_ends_the_session(self) -> None:
        """Idle for the timeout or longer: refused; activity keeps it alive."""
        sessions = SessionPolicy(idle_timeout=timedelta(minutes=15))
        state = SessionState.start(now=T0)
        assert sessions.check(state, now=T0 + timedelta(minutes=14)).ok
        ended = sessions.check(state, now=T0 + timedelta(minutes=15))
        assert ended.reasons == ("idle_timeout",)
        touched = sessions.touch(state, now=T0 + timedelta(minutes=10))
        assert sessions.check(touched, now=T0 + timedelta(minutes=20)).ok
        assert sessions.check(touched, now=T0 + timedelta(minutes=20)).expires_at == T0 + timedelta(
            minutes=25
        )

    def test_an_ended_session_is_not_revived(self) -> None:
        """touch() after the timeout changes nothing; check keeps refusing."""
        sessions = SessionPolicy(idle_timeout=timedelta(minutes=15))
        state = SessionState.start(now=T0)
        late = T0 + timedelta(hours=1)
        assert sessions.touch(state, now=late) == state
        assert not sessions.check(sessions.touch(state, now=late), now=late).ok

    def test_future_activity_does_not_extend(self) -> None:
        """Activity stamped after now counts as now: a skewed clock cannot extend a session."""
        sessions = SessionPolicy(idle_timeout=timedelta(minutes=15))
        state = SessionState(started_at=T0, last_activity=T0 + timedelta(days=1))
        assert sessions.check(state, now=T0).expires_at == T0 + timedelta(minutes=15)

    def test_absolute_timeout(self) -> None:
        """An absolute lifetime ends even an active session."""
        sessions = SessionPolicy(absolute_timeout=timedelta(hours=8))
        state = SessionState(started_at=T0, last_activity=T0 + timedelta(hours=8))
        assert sessions.check(state, now=T0 + timedelta(hours=8)).reasons == ("absolute_timeout",)

    def test_second_factor(self) -> None:
        """mfa_required refuses a session without a completed second factor."""
        sessions = SessionPolicy(mfa_required=True)
        assert sessions.check(SessionState.start(now=T0), now=T0).reasons == ("mfa_required",)
        assert sessions.check(SessionState.start(now=T0, mfa_verified=True), now=T0)
        assert sessions.check(SessionState.start(now=T0), now=T0).expires_at is None

    def test_configuration_errors(self) -> None:
        """Non-positive timeouts and naive times are refused."""
        with pytest.raises(PolicyConfigError, match="idle_timeout"):
            SessionPolicy(idle_timeout=timedelta(0))
        with pytest.raises(PolicyConfigError, match="started_at"):
            SessionState(started_at="2026-03-01", last_activity=T0)  # type: ignore[arg-type]
        with pytest.raises(NaiveDatetimeError):
            SessionState.start(now=datetime(2026, 3, 1))  # noqa: DTZ001 (the naive time refused)
        with pytest.raises(NaiveDatetimeError):
            SessionPolicy().check(SessionState.start(now=T0), now=datetime(2026, 3, 1))  # noqa: DTZ001

    @pytest.mark.parametrize("flag", ["false", "0", b"0", 1, None])
    def test_a_second_factor_flag_that_is_not_a_bool_is_refused(self, flag: object) -> None:
        """mfa_verified="false" (a session store's text) is an error, not a verified factor."""
        with pytest.raises(PolicyConfigError, match="mfa_verified"):
            SessionState.start(now=T0, mfa_verified=flag)  # type: ignore[arg-type]
        with pytest.raises(PolicyConfigError, match="mfa_required"):
            SessionPolicy(mfa_required=flag)  # type: ignore[arg-type]

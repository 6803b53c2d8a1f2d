"""The assertions in secpolicy.testing, used directly."""

from __future__ import annotations

import pytest

from secpolicy.password import profiles
from secpolicy.rbac import RBAC
from secpolicy.testing import (
    assert_access_denied,
    assert_audited,
    assert_no_pii,
    assert_password_rejected,
)

EVENTS = [
    {"action": "auth.login", "outcome": "success", "actor": {"user_id": "u1", "ip": "10.0.0.1"}},
    {"action": "file.upload", "outcome": "success", "data": {"name": "a.txt"}},
]


class TestPasswordRejected:
    def test_rejected_with_code(self) -> None:
        """A rejection with the expected code passes and returns the check."""
        check = assert_password_rejected(profiles.PCI_DSS_4, "short1", code="too_short")
        assert "too_short" in check.codes

    def test_accepted_or_other_code_fails(self) -> None:
        """An accepted password, or a rejection for another reason, fails without the value."""
        with pytest.raises(AssertionError, match="accepted the password") as info:
            assert_password_rejected(profiles.NIST_800_63B, "velvet orbit cactus lantern 9")
        assert "lantern" not in str(info.value)
        with pytest.raises(AssertionError, match="not for 'breached'"):
            assert_password_rejected(profiles.PCI_DSS_4, "short1", code="breached")


class TestAccessDenied:
    def test_denied_and_allowed(self) -> None:
        """A denial passes; an allow fails with the reason."""
        rbac = RBAC.from_dict(
            {
                "roles": {"viewer": {}},
                "users": ["u"],
                "grants": [{"role": "viewer", "resource": "docs/*", "action": "read"}],
                "assignments": [{"user": "u", "role": "viewer"}],
            }
        )
        assert not assert_access_denied(rbac, "u", "docs/1", "write").allowed
        with pytest.raises(AssertionError, match="expected a denial"):
            assert_access_denied(rbac, "u", "docs/1", "read")


class TestAudited:
    def test_fields_found_at_top_and_nested(self) -> None:
        """Fields match at the top level or inside actor and data."""
        assert assert_audited(EVENTS, "auth.login", user_id="u1", ip="10.0.0.1") is EVENTS[0]
        assert assert_audited(EVENTS, "file.upload", name="a.txt") is EVENTS[1]

    def test_missing_action_or_field(self) -> None:
        """The message lists what was recorded or which fields differed."""
        with pytest.raises(AssertionError, match=r"no 'auth\.logout' event recorded \(recorded: "):
            assert_audited(EVENTS, "auth.logout")
        with pytest.raises(AssertionError, match="none with the expected outcome, user_id"):
            assert_audited(EVENTS, "auth.login", user_id="u2", outcome="failure")
        with pytest.raises(AssertionError, match="recorded: nothing"):
            assert_audited([], "auth.login")


class TestNoPii:
    def test_clean_and_dirty_text(self) -> None:
        """Clean text passes; personal data fails by entity and position, never value."""
        assert_no_pii("order 42 shipped")
        with pytest.raises(AssertionError) as info:
            assert_no_pii("call 13812345678 or mail a@b.cn")
        assert str(info.value) == "personal data found: CN_MOBILE at 5-16, EMAIL at 25-31"
        assert_no_pii("mail a@b.cn", entities=["CN_MOBILE"])

    def test_many_findings_are_summarised(self) -> None:
        """More than ten findings are counted, not all listed."""
        text = "; ".join(f"1381234{n:04d}" for n in range(12))
        with pytest.raises(AssertionError, match="and 2 more"):
            assert_no_pii(text)

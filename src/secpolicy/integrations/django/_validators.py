"""``PasswordPolicyValidator``: a secpolicy password policy in ``AUTH_PASSWORD_VALIDATORS``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import get_language

from secpolicy.integrations.django import _conf
from secpolicy.password import PasswordContext, PasswordPolicy
from secpolicy.policyfile import load_policy

if TYPE_CHECKING:
    from collections.abc import Sequence

    from secpolicy.password import Locale

__all__ = ["PasswordPolicyValidator", "locale_for"]


def locale_for(language: str | None) -> Locale:
    """secpolicy's message locale for a Django language code.

    Chinese in any script or region (``zh-hans``, ``zh-cn``, ``zh-hant``) is
    ``"zh-CN"``, the only Chinese locale secpolicy writes; everything else
    is ``"en"``.
    """
    if language and language.lower().replace("_", "-").split("-")[0] == "zh":
        return "zh-CN"
    return "en"


class _DjangoHasher:
    """The history check's verifier over Django's own password hashers."""

    def verify(self, hash: str, password: str) -> bool:  # noqa: A002 (the Verifier protocol's name)
        return bool(check_password(password, hash))


class PasswordPolicyValidator:
    """Validate passwords against a secpolicy :class:`~secpolicy.password.PasswordPolicy`.

    Add it to ``AUTH_PASSWORD_VALIDATORS`` (it replaces Django's four
    validators; keep them too if you like)::

        AUTH_PASSWORD_VALIDATORS = [
            {
                "NAME": "secpolicy.integrations.django.PasswordPolicyValidator",
                "OPTIONS": {"profile": "cn-mlps-l3"},
            },
        ]

    Every violation becomes one :class:`~django.core.exceptions.ValidationError`
    with secpolicy's stable code (``too_short``, ``blocklisted``, ...) and
    params, and a message in the active language (English, or Simplified
    Chinese for ``zh-hans`` and other Chinese codes).

    The user's username, e-mail, first, last and full name are checked for
    similarity. With a policy that keeps a password history, the user's
    current password counts as the most recent one (Django keeps no older
    hashes).

    Args:
        profile: A profile name (``"cn-mlps-l3"``, ``"pci-dss-4"``,
            ``"nist-800-63b"``, ``"owasp-asvs-5"``, or the constant name).
        policy_file: A ``secpolicy.toml`` whose ``[password]`` section is used.
        policy: A :class:`~secpolicy.password.PasswordPolicy` (from Python
            code, not from settings).
        user_attributes: The user fields compared with the password.

    Raises:
        SettingsError: Not exactly one of *profile*, *policy_file* and
            *policy* was given, or the file has no ``[password]`` section
            (an ``ImproperlyConfigured`` and a ``PolicyConfigError``).

    .. versionadded:: 0.2
    """

    def __init__(
        self,
        profile: str | None = None,
        policy_file: str | None = None,
        policy: PasswordPolicy | None = None,
        user_attributes: Sequence[str] = ("first_name", "last_name"),
    ) -> None:
        given = [
            name
            for name, value in (
                ("profile", profile),
                ("policy_file", policy_file),
                ("policy", policy),
            )
            if value is not None
        ]
        if len(given) != 1:
            raise _conf.SettingsError(
                "PasswordPolicyValidator needs exactly one of the OPTIONS profile, policy_file, "
                f"policy (given: {given or 'none'})"
            )
        if profile is not None:
            policy = _conf.profile(profile)
        elif policy_file is not None:
            loaded = load_policy(policy_file).password
            if loaded is None:
                raise _conf.SettingsError(f"{policy_file} has no [password] section")
            policy = loaded
        if not isinstance(policy, PasswordPolicy):
            raise _conf.SettingsError("policy must be a secpolicy PasswordPolicy")
        self.policy = policy
        self.user_attributes = tuple(user_attributes)

    def _context(self, user: Any) -> PasswordContext | None:
        if user is None:
            return None
        username = user.get_username() if hasattr(user, "get_username") else None
        attributes: dict[str, Any] = {}
        full_name = user.get_full_name() if hasattr(user, "get_full_name") else None
        if full_name:
            attributes["name"] = full_name
        for name in self.user_attributes:
            value = getattr(user, name, None)
            if isinstance(value, str) and value:
                attributes[name] = value
        email = getattr(user, "email", None)
        current = getattr(user, "password", None)
        history = (
            self.policy.history_size > 0
            and isinstance(current, str)
            and bool(current)
            and hasattr(user, "has_usable_password")
            and bool(user.has_usable_password())
        )
        return PasswordContext(
            username=username or None,
            email=email or None,
            attributes=attributes,
            previous_hashes=(current,) if history and isinstance(current, str) else (),
            hasher=_DjangoHasher() if history else None,
        )

    def validate(self, password: str, user: Any = None) -> None:
        """Raise :class:`~django.core.exceptions.ValidationError` listing every violation."""
        result = self.policy.check(password, context=self._context(user))
        if result.ok:
            return
        locale = locale_for(get_language())
        raise ValidationError(
            [
                # The message is already formatted; escape % so that Django's
                # "message % params" leaves it as it is.
                ValidationError(
                    violation.message(locale).replace("%", "%%"),
                    code=violation.code,
                    params=dict(violation.params),
                )
                for violation in result.violations
            ]
        )

    def get_help_text(self) -> str:
        """What the policy asks for, in the active language, as one sentence per rule."""
        locale = locale_for(get_language())
        lines = self.policy.describe(locale)
        if locale == "zh-CN":
            return "密码要求：" + "；".join(lines) + "。"
        return "Your password must be: " + "; ".join(lines) + "."

"""Violations: stable codes, parameters and messages in English and Simplified Chinese."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

if TYPE_CHECKING:
    from collections.abc import Mapping

#: Every violation code (stable API); mypy catches a misspelt one at the call site.
ViolationCode = Literal[
    "invalid_characters",
    "too_short",
    "too_long",
    "not_enough_classes",
    "letters_and_digits_required",
    "blocklisted",
    "context_word",
    "similar_to_user_data",
    "repeated_characters",
    "too_weak",
    "sequence",
    "keyboard_walk",
    "date",
    "phone_number",
    "breached",
    "breach_check_unavailable",
    "reused",
]
#: The locales messages are written in; any other falls back to English.
Locale = Literal["en", "zh-CN"]

#: Every violation code, with its message per locale. Codes are stable API.
MESSAGES: Final[dict[str, dict[str, str]]] = {
    "invalid_characters": {
        "en": "The password contains control characters or invalid Unicode.",
        "zh-CN": "密码包含控制字符或无效的 Unicode 字符。",
    },
    "too_short": {
        "en": "The password must be at least {min_length} characters long.",
        "zh-CN": "密码长度至少为 {min_length} 个字符。",
    },
    "too_long": {
        "en": "The password must be at most {max_length} characters long.",
        "zh-CN": "密码长度不能超过 {max_length} 个字符。",
    },
    "not_enough_classes": {
        "en": (
            "The password must mix at least {required} of: lower-case letters, upper-case "
            "letters, digits and symbols."
        ),
        "zh-CN": "密码须至少包含小写字母、大写字母、数字、符号中的 {required} 类。",
    },
    "letters_and_digits_required": {
        "en": "The password must contain both letters and digits.",
        "zh-CN": "密码须同时包含字母和数字。",
    },
    "blocklisted": {
        "en": "The password is too common or too easy to guess.",
        "zh-CN": "密码过于常见或容易被猜到。",
    },
    "context_word": {
        "en": "The password must not contain the name of this service or organisation.",
        "zh-CN": "密码不能包含本服务或单位的名称。",
    },
    "similar_to_user_data": {
        "en": "The password is too similar to your {attribute}.",
        "zh-CN": "密码与您的{attribute_zh}过于相似。",
    },
    "repeated_characters": {
        "en": (
            "The password must not repeat the same character more than {max_repeated} "
            "times in a row."
        ),
        "zh-CN": "密码中同一字符不能连续出现超过 {max_repeated} 次。",
    },
    "too_weak": {
        "en": "The password is too easy to guess (strength {score} of 4; {min_score} needed).",
        "zh-CN": "密码太容易被猜到（强度 {score}/4，至少需要 {min_score}）。",
    },
    "sequence": {
        "en": "The password must not contain sequences such as abcd or 4321.",
        "zh-CN": "密码不能包含 abcd、4321 这样的连续字符。",
    },
    "keyboard_walk": {
        "en": "The password must not follow a keyboard pattern such as qwerty or 1qaz2wsx.",
        "zh-CN": "密码不能是 qwerty、1qaz2wsx 这样的键盘排列。",
    },
    "date": {
        "en": "The password must not be a date.",
        "zh-CN": "密码不能是日期。",
    },
    "phone_number": {
        "en": "The password must not be a phone number.",
        "zh-CN": "密码不能是手机号码。",
    },
    "breached": {
        "en": "This password has appeared {count} times in data breaches; choose another.",
        "zh-CN": "该密码已在泄露数据中出现 {count} 次，请更换。",
    },
    "breach_check_unavailable": {
        "en": "The password could not be checked against breached passwords; try again later.",
        "zh-CN": "暂时无法核查该密码是否已泄露，请稍后再试。",
    },
    "reused": {
        "en": "The password must differ from your last {history_size} passwords.",
        "zh-CN": "密码不能与最近 {history_size} 次使用过的密码相同。",
    },
}

_ATTRIBUTES_ZH: Final = {
    "username": "用户名",
    "email": "电子邮箱",
    "name": "姓名",
    "phone": "手机号码",
    "birth_date": "出生日期",
}

LOCALES: Final[tuple[Locale, ...]] = ("en", "zh-CN")


@attrs.frozen
class Violation:
    """One rule a password breaks.

    Attributes:
        code: A stable snake_case code (see ``MESSAGES``).
        params: The values the message needs (lengths, counts, the kind of
            user data matched); never the password.
    """

    code: ViolationCode
    params: Mapping[str, Any] = attrs.field(factory=dict)

    def message(self, locale: Locale = "en") -> str:
        """The message for *locale* (``"en"`` or ``"zh-CN"``); English for others."""
        templates = MESSAGES[self.code]
        template = templates.get(locale, templates["en"])
        params = dict(self.params)
        if "attribute" in params:
            params.setdefault("attribute_zh", _ATTRIBUTES_ZH.get(params["attribute"], "个人信息"))
        return template.format(**params)

    def __str__(self) -> str:
        return self.message()


@attrs.frozen
class PasswordCheck:
    """The result of :meth:`PasswordPolicy.check`.

    Attributes:
        violations: Every rule broken, in the order the policy checks them.
    """

    violations: tuple[Violation, ...] = ()

    @property
    def ok(self) -> bool:
        """True if no rule is broken."""
        return not self.violations

    @property
    def codes(self) -> tuple[ViolationCode, ...]:
        """The violation codes, in order."""
        return tuple(v.code for v in self.violations)

    def messages(self, locale: Locale = "en") -> list[str]:
        """Every violation's message in *locale*."""
        return [v.message(locale) for v in self.violations]

    def __bool__(self) -> bool:
        return self.ok

"""Masker and presets: text, streams and nested records."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secpolicy.exceptions import PolicyConfigError
from secpolicy.pii import (
    CN_MOBILE,
    EMAIL,
    PHONE,
    Mask,
    Masker,
    Redact,
    Replace,
    Scanner,
    presets,
)

ID = "11010519491231002X"
CUSTOMER: dict[str, Any] = {
    "姓名": "欧阳娜娜",
    "身份证号": ID,
    "手机号": "13812345678",
    "Bank_Card": "6212345678901232",
    "address": "北京市朝阳区建国路88号",
    "email": "nana@example.com",
    "dob": "1949-12-31",
    "password": "p@ssw0rd",
    "notes": "备用电话139 8765 4321，邮箱 x@y.cn",
    "phones": ["13912345678", "+86 150 1234 5678"],
    "orders": [{"card": "4111111111111111", "amount": 12.5}],
    "age": 76,
    "mobile_as_int": 13812345678,
    "vip": True,
    "referrer": None,
    "tags": ("a", "b"),
}


class TestText:
    def test_mask_text(self) -> None:
        """Each finding is replaced by its entity's operator, the rest kept."""
        masker = Masker({CN_MOBILE: Mask(3, 4, max_reveal=0.7)}, Replace())
        assert masker.mask_text("手机13812345678，邮箱a@b.cn。") == "手机138****5678，邮箱<EMAIL>。"
        assert masker.mask_text("nothing here") == "nothing here"

    def test_mask_lines_is_lazy(self) -> None:
        """Lines are masked one at a time."""
        masker = Masker()
        lines = iter(["a@b.cn\n", "plain\n"])
        out = masker.mask_lines(lines)
        assert next(out) == "<EMAIL>\n"
        assert next(out) == "plain\n"

    def test_bad_rule(self) -> None:
        """Rules must be operators."""
        with pytest.raises(PolicyConfigError, match="rules"):
            Masker({EMAIL: "***"})  # type: ignore[dict-item]

    @settings(max_examples=200)
    @given(st.text(max_size=200))
    def test_cn_display_idempotent(self, text: str) -> None:
        """Masking masked text changes nothing."""
        once = presets.CN_DISPLAY.mask_text(text)
        assert presets.CN_DISPLAY.mask_text(once) == once


class TestRecords:
    def test_cn_display_record(self) -> None:
        """The CN display preset masks a customer record by field name and content."""
        original = copy.deepcopy(CUSTOMER)
        masked = presets.CN_DISPLAY.mask_record(CUSTOMER)
        assert original == CUSTOMER  # input untouched
        assert masked == {
            "姓名": "欧阳**",
            "身份证号": "110105********002X",
            "手机号": "138****5678",
            "Bank_Card": "621234******1232",
            "address": "北京市朝阳区******",
            "email": "n***@example.com",
            "dob": "1949-**-**",
            "password": "******",
            "notes": "备用电话139 **** 4321，邮箱 *@y.cn",
            "phones": ["139****5678", "+86 150 **** 5678"],
            "orders": [{"card": "411111******1111", "amount": 12.5}],
            "age": 76,
            "mobile_as_int": "138****5678",
            "vip": True,
            "referrer": None,
            "tags": ("a", "b"),
        }

    def test_paths(self) -> None:
        """Paths name nested fields, with [*] for any list item and * for any key."""
        masker = Masker(
            paths={
                "user.contact.main": CN_MOBILE,
                "items[*].secret_code": Redact("#"),
                "meta.*.ref": Replace("<REF>"),
                "items[1].label": Replace("<L>"),
            },
            builtin_fields=False,
        )
        record = {
            "user": {"contact": {"main": "13812345678"}},
            "items": [{"secret_code": "A1", "label": "x"}, {"secret_code": "B2", "label": "y"}],
            "meta": {"a": {"ref": "r1"}, "b": {"ref": "r2"}},
        }
        assert masker.mask_record(record) == {
            "user": {"contact": {"main": "<CN_MOBILE>"}},
            "items": [{"secret_code": "#", "label": "x"}, {"secret_code": "#", "label": "<L>"}],
            "meta": {"a": {"ref": "<REF>"}, "b": {"ref": "<REF>"}},
        }

    def test_path_wins_over_field_name(self) -> None:
        """A path rule overrides the built-in field map."""
        masker = Masker(paths={"email": Replace("<kept out>")})
        assert masker.mask_record({"email": "a@b.cn"}) == {"email": "<kept out>"}

    def test_custom_fields(self) -> None:
        """Extra field names are matched case- and separator-insensitively."""
        masker = Masker(fields={"Contact-Number": PHONE}, builtin_fields=False)
        assert masker.mask_record({"contact_number": "010-12345678"}) == {
            "contact_number": "<PHONE>"
        }

    def test_field_refined_by_content(self) -> None:
        """A phone field holding a Chinese mobile uses the mobile rule."""
        masker = Masker({CN_MOBILE: Mask(3, 4, max_reveal=0.7), PHONE: Replace("<P>")})
        assert masker.mask_record({"phone": "13812345678", "tel": "010-1234"}) == {
            "phone": "138****5678",
            "tel": "<P>",
        }

    @pytest.mark.parametrize("bad", ["a..b", "a[x]", "", "a.[0]", "a[0]b", ".a", "a."])
    def test_bad_path(self, bad: str) -> None:
        """Malformed paths are refused with the path in the message."""
        with pytest.raises(ValueError, match="path"):
            Masker(paths={bad: EMAIL})

    def test_unknown_number_kept(self) -> None:
        """Numbers that are not personal data stay numbers."""
        assert Masker().mask_record({"count": 3, "ratio": 0.5}) == {"count": 3, "ratio": 0.5}

    def test_other_objects_kept(self) -> None:
        """Values of other types pass through."""
        marker = object()
        assert Masker().mask_record({"x": marker})["x"] is marker

    def test_repr(self) -> None:
        """The repr lists the rules."""
        assert "CN_MOBILE" in repr(presets.CN_DISPLAY)


class TestPresets:
    def test_pci_display(self) -> None:
        """PCI display masks card numbers and card secrets only."""
        record = {
            "pan": "4111111111111111",
            "cvv": "123",
            "note": "card 4111 1111 1111 1111, phone 13812345678, mail a@b.cn",
        }
        assert presets.PCI_DISPLAY.mask_record(record) == {
            "pan": "411111******1111",
            "cvv": "******",
            "note": "card 4111 11** **** 1111, phone 13812345678, mail a@b.cn",
        }

    def test_pci_scanner_is_cards_only(self) -> None:
        """The PCI preset's scanner detects nothing but cards."""
        assert presets.PCI_DISPLAY.scanner.entities == Scanner(["PAYMENT_CARD"]).entities


class TestEvolve:
    def test_rules_and_default_change_the_copy_only(self) -> None:
        """evolve() adds rules over the preset's and leaves the preset as it was."""
        masker = presets.CN_DISPLAY.evolve(rules={EMAIL: Redact("[email]")}, default=Redact())
        assert masker.mask_text("a@example.com 13812345678") == "[email] 138****5678"
        assert masker.default == Redact()
        assert presets.CN_DISPLAY.mask_text("nana@example.com") == "n***@example.com"

    def test_fields_and_paths_win_over_the_preset(self) -> None:
        """New field names are added and new paths are tried before the preset's."""
        base = Masker(paths={"user.note": Redact("x")})
        masker = base.evolve(fields={"contact": PHONE}, paths={"user.note": Redact("y")})
        record = {"contact": "13812345678", "user": {"note": "hello"}}
        assert masker.mask_record(record) == {"contact": "<CN_MOBILE>", "user": {"note": "y"}}
        assert base.mask_record(record)["contact"] == "<CN_MOBILE>"  # detected in free text

    def test_scanner_is_replaced(self) -> None:
        """A new scanner narrows what is detected in free text."""
        masker = presets.CN_DISPLAY.evolve(scanner=Scanner([EMAIL]))
        assert masker.mask_text("13812345678 nana@b.cn") == "13812345678 n***@b.cn"

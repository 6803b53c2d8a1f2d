"""Masker and presets: text, streams and nested records."""

from __future__ import annotations

import array
import copy
import enum
import pickle
import random
import re
import sys
import warnings
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secpolicy.crypto import FieldEncryptor, Keyset
from secpolicy.exceptions import ArgumentTypeError, DecryptionError, PolicyConfigError
from secpolicy.pii import (
    CN_MOBILE,
    DETECTABLE,
    EMAIL,
    IBAN,
    PHONE,
    Encrypt,
    Mask,
    Masker,
    MaskerConfig,
    Recognizer,
    Redact,
    Replace,
    Scanner,
    _masker,
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


class TestFixedConfiguration:
    """A masker's rules, default and scanner are fixed once it is built.

    Processors remember what a masker decided (the audit log's clean-text
    cache); a rule changed in place afterwards would be bypassed for texts
    already remembered, so changes go through :meth:`Masker.evolve`.
    """

    def test_rules_cannot_be_changed_in_place(self) -> None:
        """Assigning into rules is refused and the masker keeps masking."""
        masker = Masker()
        with pytest.raises(TypeError):
            masker.rules[EMAIL] = Redact()  # type: ignore[index]
        assert masker.mask_text("a@example.com") == "<EMAIL>"

    @pytest.mark.parametrize("name", ["rules", "default", "scanner"])
    def test_attributes_cannot_be_replaced(self, name: str) -> None:
        """rules, default and scanner are read-only attributes."""
        masker = presets.CN_DISPLAY
        with pytest.raises(AttributeError):
            setattr(masker, name, getattr(masker, name))

    def test_the_rules_given_are_copied(self) -> None:
        """Changing the caller's mapping after construction changes nothing."""
        given = {EMAIL: Redact("[email]")}
        masker = Masker(given)
        given[EMAIL] = Replace()
        assert masker.mask_text("a@example.com") == "[email]"

    def test_copies_and_pickles_keep_the_configuration(self) -> None:
        """A deep copy and a pickle round trip mask the same way."""
        masker = presets.CN_DISPLAY.evolve(rules={EMAIL: Redact("[email]")})
        again = pickle.loads(pickle.dumps(masker))  # noqa: S301 (our own bytes)
        for twin in (copy.deepcopy(masker), again):
            assert twin.mask_text("a@example.com 13812345678") == "[email] 138****5678"


# The plain form of the masker's serialised-field pattern (quoted key or key=value).
_PLAIN_PAIR: Final = re.compile(
    r"""(["'])([^"'\\\n]{1,64})\1[ \t]*:[ \t]*(["'])((?:(?!\3)[^\\\n]|\\.){1,4096})\3"""
    r"""|(?<![\w.\-])([A-Za-z_][\w.\-]{0,63})=([^&\s,;"'<>]{1,4096})"""
)


def _pair_fields(pattern: re.Pattern[str], text: str, *, plain: bool) -> list[object]:
    """Each match's start, end, key and value span, by either form's groups."""
    out: list[object] = []
    for m in pattern.finditer(text):
        if m.group(2) is not None:
            out.append((m.span(), m.group(2), m.span(4)))
        else:
            key = m.group(5) if plain else text[m.start() : m.end(5)]
            out.append((m.span(), key, m.span(6)))
    return out


class TestPairPattern:
    @settings(max_examples=500)
    @given(
        st.text(alphabet="ab_Z9.-=:'\" \\\n\t&,中é", max_size=60)
        | st.lists(
            st.sampled_from(['"password"', ": ", '"x"', "'k'", ":", "'v'", "a=", "b.c=1", "_=",
                             "-k=", "中=", "=", " ", "\\", '"', "name", "é=1", "&"]),
            max_size=12,
        ).map("".join)
    )  # fmt: skip
    def test_fast_form_matches_the_plain_form(self, text: str) -> None:
        """The class-first serialised-field pattern finds the plain form's fields."""
        fast = _pair_fields(_masker._PAIR, text, plain=False)
        assert fast == _pair_fields(_PLAIN_PAIR, text, plain=True)


class TestRememberedPairKeys:
    @settings(max_examples=300)
    @given(
        st.lists(
            st.sampled_from(["password", "Password", "db_password", "name", "full_name", "user",
                             "address", "ts", "phone", "dob", "iban", "token", "x.y", "姓名"]),
            min_size=1,
            max_size=8,
        ),
        st.booleans(),
    )  # fmt: skip
    def test_remembered_keys_mask_as_the_uncached_lookup(
        self, keys: list[str], builtin: bool
    ) -> None:
        """A serialised field's key, remembered or not, gives the uncached lookup's spans."""
        masker = Masker(fields={"user": "PERSON_NAME"}, builtin_fields=builtin)
        text = " ".join(f"{key}=v{i}alue" for i, key in enumerate(keys))
        for _ in range(2):  # the second pass answers from the remembered keys
            found = masker._pairs(text)
            expected = [
                (m.start(6), m.end(6), masker._pair_entity(m.group(5)), 1.0)
                for m in re.finditer(r"(?<![\w.\-])()()()()([A-Za-z_][\w.\-]{0,63})=(\S+)", text)
                if masker._pair_entity(m.group(5)) is not None
            ]
            assert found == expected

    def test_evolve_forgets_the_remembered_keys(self) -> None:
        """A masker made by evolve() with new fields reads keys by its own fields."""
        base = Masker(builtin_fields=False)
        assert base.mask_text("contact=alice") == "contact=alice"
        evolved = base.evolve(fields={"contact": "PERSON_NAME"})
        assert evolved.mask_text("contact=alice") == "contact=<PERSON_NAME>"
        assert base.mask_text("contact=alice") == "contact=alice"

    def test_remembered_keys_are_bounded(self) -> None:
        """However many distinct keys a log holds, the masker remembers a bounded number."""
        masker = Masker()
        for i in range(10_000):
            masker.mask_text(f"k{i}=1 password=secret{i}")
        assert len(masker._pair_keys) <= _masker._PAIR_KEYS_KEPT
        assert masker.mask_text("password=secret") == "password=<SECRET>"


class TestRecordLeaks:
    def test_keys_are_masked(self) -> None:
        """Personal data in keys is masked; keys that mask alike stay apart."""
        masker = Masker()
        masked = masker.mask_record({"13812345678": 1, "13912345678": 2, "plain": 3})
        assert masked == {"<CN_MOBILE>": 1, "<CN_MOBILE>#2": 2, "plain": 3}
        assert masker.mask_record({13812345678: "x"}) == {"<CN_MOBILE>": "x"}
        assert masker.mask_record({7: "x", None: "y"}) == {7: "x", None: "y"}

    def test_non_text_leaves(self) -> None:
        """bytes, Decimal, dates, sets and other objects are masked by type."""
        born = date(1990, 1, 15)

        class Phone:
            def __str__(self) -> str:
                return "13812345678"

        masker = presets.CN_DISPLAY
        masked = masker.mask_record(
            {
                "raw": b"tel 13812345678",
                "latin": "tel 13812345678 caf\u00e9".encode("latin-1"),
                "buffer": bytearray(b"13812345678"),
                "amount": Decimal("13812345678"),
                "price": Decimal("12.50"),
                "birthday": born,
                "dob": datetime(1990, 1, 15, 8, 30, tzinfo=UTC),
                "created": born,
                "tags": {"13812345678", "vip"},
                "frozen": frozenset({"a@b.cn"}),
                "obj": Phone(),
            }
        )
        assert masked["raw"] == b"tel 138****5678"
        assert masked["latin"] == "tel 138****5678 caf\u00e9".encode("latin-1")
        assert masked["buffer"] == bytearray(b"138****5678")
        assert masked["amount"] == "138****5678"
        assert masked["price"] == Decimal("12.50")
        assert masked["birthday"] == "1990-**-**"
        assert masked["dob"] == "1990-**-**"
        assert masked["created"] == born  # a date outside a personal field is no one's
        assert masked["tags"] == {"138****5678", "vip"}
        assert masked["frozen"] == frozenset({"*@b.cn"})  # a one-letter local part shows nothing
        assert masked["obj"] == "138****5678"

    def test_path_operator_gets_the_entity(self) -> None:
        """An operator given by path receives the entity the value holds."""
        seen: list[str] = []

        class Spy:
            def apply(self, value: str, entity: str) -> str:
                seen.append(entity)
                return "x"

        masker = Masker(paths={"a.b": Spy(), "a.phone": Spy(), "a.other": Spy()})
        masker.mask_record({"a": {"b": "13812345678", "phone": "n/a", "other": "n/a"}})
        assert seen == ["CN_MOBILE", "PHONE", "FIELD"]

    def test_field_lists(self) -> None:
        """A field's allow-list keeps its values; its deny-list masks its terms."""
        masker = Masker(
            field_allow_lists={"support_phone": ["400-800-1234"]},
            field_deny_lists={"remarks": {"CUSTOMER": ["ACME"]}},
        )
        record = {
            "support_phone": "4008001234",
            "phone": "4008001234",
            "remarks": "ACME 13812345678",
        }
        assert masker.mask_record(record) == {
            "support_phone": "4008001234",
            "phone": "<PHONE>",
            "remarks": "<CUSTOMER> <CN_MOBILE>",
        }
        assert masker.mask_record({"notes": "ACME"}) == {"notes": "ACME"}
        evolved = masker.evolve(field_allow_lists={"hotline": ["95588"]})
        assert evolved.mask_record({"hotline": "95588", "remarks": "ACME"}) == {
            "hotline": "95588",
            "remarks": "<CUSTOMER>",
        }


class TestUnmask:
    def test_round_trip(self) -> None:
        """Encrypt tokens in a masked record decrypt back; other masks stay."""
        encrypt = Encrypt(FieldEncryptor(Keyset.generate()), context=lambda row: row["id"])
        masker = Masker({CN_MOBILE: encrypt, EMAIL: Redact("[email]")})
        record = {"id": 7, "phone": "13812345678", "notes": "call 13912345678 or a@b.cn"}
        masked = masker.mask_record(record)
        assert masked["phone"].startswith("enc:CN_MOBILE:")
        assert "13912345678" not in masked["notes"]
        assert masker.unmask(masked) == {
            "id": 7,
            "phone": "13812345678",
            "notes": "call 13912345678 or [email]",
        }

    def test_token_moved_to_another_row(self) -> None:
        """A token copied into another row does not decrypt."""
        encrypt = Encrypt(FieldEncryptor(Keyset.generate()), context=lambda row: str(row["id"]))
        masker = Masker({CN_MOBILE: encrypt})
        masked = masker.mask_record({"id": 1, "phone": "13812345678"})
        with pytest.raises(DecryptionError):
            masker.unmask({**masked, "id": 2})
        assert masker.unmask([masked["phone"]], record={"id": 1}) == ["13812345678"]

    def test_text_and_no_encrypter(self) -> None:
        """Free text round-trips; a masker without Encrypt returns the value unchanged."""
        masker = Masker(default=Encrypt(FieldEncryptor(Keyset.generate())))
        masked = masker.mask_text("手机13812345678，邮箱a@b.cn")
        assert masker.unmask(masked) == "手机13812345678，邮箱a@b.cn"
        assert Masker().unmask("enc:X:abc") == "enc:X:abc"
        assert masker.unmask(({"k"}, frozenset({"v"}), 3)) == ({"k"}, frozenset({"v"}), 3)


class TestMaskerEdges:
    def test_bad_default(self) -> None:
        """The default must be an operator."""
        with pytest.raises(PolicyConfigError, match="default"):
            Masker(default="***")  # type: ignore[arg-type]

    def test_operator_must_return_text(self) -> None:
        """An operator that returns something other than str is a config error."""

        class Broken:
            def apply(self, value: str, entity: str) -> str:
                return 3  # type: ignore[return-value]

        with pytest.raises(PolicyConfigError, match="return str"):
            Masker(paths={"a": Broken()}).mask_record({"a": "x"})

    def test_keys_colliding_three_times(self) -> None:
        """A third key that masks alike gets #3."""
        masked = Masker().mask_record({"13812345678": 1, "13912345678": 2, "13712345678": 3})
        assert list(masked) == ["<CN_MOBILE>", "<CN_MOBILE>#2", "<CN_MOBILE>#3"]

    def test_unprintable_and_unencodable(self) -> None:
        """A broken __str__ does not stop masking; text that cannot go back to Latin-1 is UTF-8."""

        class Broken:
            def __str__(self) -> str:
                raise RuntimeError

        broken = Broken()
        assert Masker().mask_record({"phone": broken}) == {"phone": "<PHONE>"}
        assert Masker().mask_record({"x": broken})["x"] is broken
        masker = Masker(rules={CN_MOBILE: Replace("手机号")})
        raw = "tel 13812345678 caf\u00e9".encode("latin-1")
        assert masker.mask_record({"x": raw}) == {"x": "tel 手机号 café".encode()}

    def test_field_allow_list_in_free_text(self) -> None:
        """A field's allow-list also applies to findings inside its free text."""
        masker = Masker(field_allow_lists={"notes": "4008001234"})
        assert masker.mask_record({"notes": "call 400-800-1234 or 13812345678"}) == {
            "notes": "call 400-800-1234 or <CN_MOBILE>"
        }

    def test_mask_value(self) -> None:
        """mask_value refines the entity from the whole value."""
        masker = Masker({CN_MOBILE: Redact("m"), PHONE: Redact("p")})
        assert masker.mask_value("13812345678", PHONE) == "m"
        assert masker.mask_value("n/a", PHONE) == "p"


class TestFieldMasker:
    @given(
        st.dictionaries(
            st.sampled_from(["phone", "note", "身份证号", "email", "Contact-Phone", "13812345678"]),
            st.one_of(
                st.none(),
                st.integers(),
                st.sampled_from(
                    ["13812345678", "mail a@b.cn", "11010519491231002X", "ok", "call 13987654321"]
                ),
            ),
            min_size=1,
        )
    )
    @settings(max_examples=200, deadline=None)
    def test_equals_mask_record(self, record: dict[str, Any]) -> None:
        """field_masker(name)(value, record) is mask_record(record)'s value for that field."""
        masker = presets.CN_DISPLAY
        masked = masker.mask_record(record)
        for name, value in record.items():
            key = masker.mask_text(name)
            assert masker.field_masker(name)(value, record) == masked[key]

    def test_binds_rows(self) -> None:
        """binds_rows is true only when an operator binds its output to the row."""
        encryptor = FieldEncryptor(Keyset.generate())
        assert not presets.CN_DISPLAY.binds_rows
        assert not Masker({CN_MOBILE: Encrypt(encryptor)}).binds_rows
        bound = Masker({CN_MOBILE: Encrypt(encryptor, context=lambda r: str(r["id"]))})
        assert bound.binds_rows
        row = {"id": 7, "phone": "13812345678"}
        token = bound.field_masker("phone")(row["phone"], row)
        assert bound.unmask(token, record=row) == "13812345678"
        with pytest.raises(DecryptionError):
            bound.unmask(token, record={"id": 8})


class TestBufferLeaves:
    @pytest.mark.parametrize(
        "leaf",
        [
            memoryview(b"tel 13812345678"),
            memoryview(bytearray(b"tel 13812345678")),
            array.array("B", b"tel 13812345678"),
            memoryview(b"xx tel 13812345678 yy")[3:18],
        ],
    )
    def test_buffers_are_masked(self, leaf: object) -> None:
        """memoryview and other bytes-like leaves are masked, never passed through."""
        masked = presets.CN_DISPLAY.mask_record({"note": leaf, "list": [leaf]})
        for value in (masked["note"], masked["list"][0]):
            assert bytes(value) == b"tel 138****5678"
            assert b"13812345678" not in bytes(value)

    def test_memoryview_keeps_its_type(self) -> None:
        """A memoryview leaf comes back as a memoryview; a clean one is returned as it is."""
        clean = memoryview(b"nothing here")
        masked = Masker().mask_record({"a": memoryview(b"13812345678"), "b": clean})
        assert isinstance(masked["a"], memoryview)
        assert masked["a"].tobytes() == b"<CN_MOBILE>"
        assert masked["b"] is clean

    def test_buffer_under_a_known_field(self) -> None:
        """A bytes-like leaf under a known field gets the field's operator."""
        masked = presets.CN_DISPLAY.mask_record({"mobile": memoryview(b"13812345678")})
        assert bytes(masked["mobile"]) == b"138****5678"

    def test_buffer_keys(self) -> None:
        """A bytes key holding personal data is masked like any other key."""
        masked = Masker().mask_record({b"13812345678": 1})
        assert all("13812345678" not in str(key) for key in masked)

    def test_released_view(self) -> None:
        """A released memoryview is masked through its text and never raises."""
        view = memoryview(b"13812345678")
        view.release()
        assert "13812345678" not in str(Masker().mask_record({"a": view})["a"])


# "u" is deprecated from Python 3.13 on, where "w" replaces it.
_CHAR_TYPECODES: Final = ["u", *(["w"] if sys.version_info >= (3, 13) else [])]


def _char_array(typecode: str, text: str) -> array.array[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return array.array(typecode, text)


class _Contact(enum.Enum):
    MAIN = "13812345678"
    NESTED = ("hotline", "tel 13987654321")
    CLEAN = "nothing"


class _ContactText(enum.StrEnum):
    MAIN = "13812345678"


class _ContactNumber(enum.IntEnum):
    MAIN = 13812345678


class TestArrayAndEnumLeaves:
    @pytest.mark.parametrize("typecode", _CHAR_TYPECODES)
    def test_unicode_array_is_masked(self, typecode: str) -> None:
        """An array of characters is masked as its text and comes back as an array."""
        leaf = _char_array(typecode, "手机13812345678")
        masked = presets.CN_DISPLAY.mask_record({"note": leaf, "list": [leaf]})
        for value in (masked["note"], masked["list"][0]):
            assert isinstance(value, array.array)
            assert value.typecode == typecode
            assert value.tounicode() == "手机138****5678"
        field = presets.CN_DISPLAY.mask_record({"mobile": _char_array(typecode, "13812345678")})
        assert field["mobile"].tounicode() == "138****5678"

    def test_clean_unicode_array_is_kept(self) -> None:
        """An array of characters without personal data is returned as it is."""
        leaf = _char_array("u", "nothing here")
        assert Masker().mask_record({"note": leaf})["note"] is leaf

    def test_numeric_array_items_are_masked(self) -> None:
        """An array of numbers is masked item by item, never passed through as raw bytes."""
        leaf = array.array("q", [13812345678, 7])
        masked = Masker().mask_record({"note": leaf, "mobile": leaf})
        assert masked["note"] == ["<CN_MOBILE>", 7]
        assert "13812345678" not in str(masked["mobile"])
        clean = array.array("q", [1, 2, 3])
        assert Masker().mask_record({"note": clean})["note"] is clean

    @pytest.mark.parametrize("member", [_Contact.MAIN, _ContactText.MAIN, _ContactNumber.MAIN])
    def test_enum_value_is_masked(self, member: enum.Enum) -> None:
        """An enum member whose value is personal data is masked by its value."""
        masked = Masker().mask_record({"note": member, "list": [member], "phone": member})
        for value in (masked["note"], masked["list"][0], masked["phone"]):
            assert not isinstance(value, enum.Enum)
            assert "13812345678" not in str(value)
        assert masked["note"] == "<CN_MOBILE>"

    def test_enum_holding_a_tuple(self) -> None:
        """An enum member whose value is a container is masked through what it holds."""
        masked = Masker().mask_record({"note": _Contact.NESTED})
        assert "13987654321" not in repr(masked)

    def test_clean_enum_is_kept(self) -> None:
        """An enum member without personal data in its value is kept as the member."""
        assert Masker().mask_record({"note": _Contact.CLEAN})["note"] is _Contact.CLEAN

    @pytest.mark.parametrize("member", [_Contact.MAIN, _ContactText.MAIN, _ContactNumber.MAIN])
    def test_enum_keys_are_masked(self, member: enum.Enum) -> None:
        """An enum key whose value is personal data is masked like any other key."""
        masked = Masker().mask_record({member: 1})
        assert all("13812345678" not in repr(key) for key in masked)
        assert list(masked.values()) == [1]

    def test_clean_enum_key_is_kept(self) -> None:
        """An enum key without personal data in its value stays the member."""
        masked = Masker().mask_record({_Contact.CLEAN: 1})
        assert list(masked) == [_Contact.CLEAN]


# -- the pre-check --------------------------------------------------------------------------

# Personal data of every built-in entity, serialised fields and custom terms.
_FINDINGS: Final = (
    "13812345678",
    "+86 138 1234 5678",
    ID,
    "110105491231002",
    "91350100M000100Y43",
    "91110105ABCDEFGHJW",  # a credit code with 8 digits
    "4222222222222",  # a 13-digit card
    "4111111111111111",
    "4111 1111 1111 1111",
    "6212345678901232",
    "GB82WEST12345698765432",
    "gb82 west 1234 5698 7654 32",
    "DE89370400440532013000",
    "536-90-4399",
    "a.person@example.com",
    "张三@例子.中国",
    "203.0.113.9",
    "1.2.3.4",
    "1｡2﹒3。4",  # the full stops of CJK input methods
    "2001:db8::1",
    "+683 4002",  # a telephone number of 7 digits
    "+44 20 7946 0958",
    "020 7946 0958",
    "(415) 555-0132",
    "E12345678",
    "C12345678",
    "L12345678",
    "password=hunter2",
    '{"name": "Zhang San"}',
    "EMP-004211",
    "Project Nightfall",
    "欧阳娜娜",
)
# What hides a finding from a naive check: other forms of digits and at-signs,
# escapes, invisible characters, wide separators, look-alikes that are no digit.
_DISGUISES: Final = (
    "０",
    "９",
    "٣",
    "۷",
    "७",
    "๓",
    "＠",
    "﹫",
    "%40",
    "%3A",
    "%31",
    "&#64;",
    "&#x40;",
    "&#49;",
    "&nbsp;",
    "：",
    "＝",
    "\u200b",
    "\u00ad",
    "\u200e",
    "\r\n",
    "  ",
    " - ",
    "－",
    "一",
    "①",
    "²",
    "Ⅻ",
)
_PIECES: Final = st.one_of(
    st.sampled_from(_FINDINGS),
    st.sampled_from(_DISGUISES),
    st.integers(0, 99_999).map(str),
    st.sampled_from(
        ("order ", "手机", "邮箱", "GB", "de", " at ", ". ", ", ", "x", "EMP-", "Project ")
    ),
    st.text(max_size=4),
)
_FOLDS: Final[tuple[dict[int, int | str], ...]] = (
    {},
    {ord(d): 0xFF10 + int(d) for d in "0123456789"},  # full-width
    {ord(d): 0x0660 + int(d) for d in "0123456789"},  # Arabic-Indic
    {ord("@"): "﹫", ord(":"): "：", ord("="): "＝"},
)


@st.composite
def _adversarial(draw: st.DrawFn) -> str:
    text = "".join(draw(st.lists(_PIECES, max_size=8)))
    text = text.translate(draw(st.sampled_from(_FOLDS)))
    if text and draw(st.booleans()):  # an invisible character slipped in somewhere
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(("\u200b", "\u2060", "\ufeff"))) + text[at:]
    return text


def _maskers() -> list[Masker]:
    employee = Recognizer(entity="EMPLOYEE_ID", pattern=r"EMP-[0-9]{6}")
    codename = Recognizer(entity="CODENAME", pattern=r"Project [A-Z][a-z]+")
    return [
        presets.CN_DISPLAY,
        presets.PCI_DISPLAY,
        Masker(),
        Masker(scanner=Scanner([EMAIL])),
        Masker(scanner=Scanner([IBAN])),
        Masker(scanner=Scanner(recognizers=[employee, codename])),
        Masker(scanner=Scanner([EMAIL], deny_list={"CUSTOMER": ["欧阳娜娜", "Zhang San"]})),
        Masker(scanner=Scanner(threshold=0.0)),
        # One per entity: each entity's own bound is exercised, not only the smallest.
        *(Masker(scanner=Scanner([entity])) for entity in DETECTABLE),
    ]


_MASKERS: Final = _maskers()


class TestMayContain:
    @settings(max_examples=600, deadline=None)
    @given(_adversarial())
    def test_false_means_mask_text_changes_nothing(self, text: str) -> None:
        """Whatever may_contain rules out, mask_text returns unchanged, for every masker."""
        for masker in _MASKERS:
            if not masker.may_contain(text):
                assert masker.mask_text(text) == text, masker

    @settings(max_examples=300, deadline=None)
    @given(st.text(max_size=120))
    def test_false_means_unchanged_on_any_text(self, text: str) -> None:
        """The same on arbitrary Unicode text."""
        for masker in _MASKERS:
            if not masker.may_contain(text):
                assert masker.mask_text(text) == text, masker

    @settings(max_examples=400, deadline=None)
    @given(_adversarial() | st.text(max_size=80))
    def test_agrees_with_its_plain_twin(self, text: str) -> None:
        """The fast path (no narrowed reading) answers as the check on every full reading."""
        for masker in _MASKERS:
            assert masker.may_contain(text) == masker._may_contain_plain(text), masker

    @pytest.mark.parametrize("finding", _FINDINGS)
    def test_every_disguise_of_a_finding_is_a_candidate(self, finding: str) -> None:
        """A finding in clear, folded to other digits or split by invisible characters is kept."""
        for masker in _MASKERS:
            for fold in _FOLDS:
                for text in (finding.translate(fold), "\u200b".join(finding.translate(fold))):
                    if masker.mask_text(text) != text:
                        assert masker.may_contain(text), (masker, text)

    @pytest.mark.parametrize(
        "text",
        [
            "Customer asked to update the delivery address for order 88213 and confirmed.",
            "订单 12345 已发货",
            "order ２０２６ shipped",
            "no digits at all, not one",
            "",
        ],
    )
    def test_ordinary_text_is_ruled_out(self, text: str) -> None:
        """Prose with fewer digits than any entity holds, no @ and no field needs no scan."""
        assert not presets.CN_DISPLAY.may_contain(text)

    @pytest.mark.parametrize(
        "text",
        ["order 8821365 shipped", "mail me @ home", "note: none", "x=1", "Ｘ＝１", "GB82 is not"],
    )
    def test_signs_of_a_finding_are_candidates(self, text: str) -> None:
        """Enough digits, an @, a colon or equals sign, or an IBAN's head make a candidate."""
        assert presets.CN_DISPLAY.may_contain(text)

    def test_custom_patterns_and_terms(self) -> None:
        """A recognizer's pattern and a deny-list term make a candidate without any digit."""
        codename = Recognizer(entity="CODENAME", pattern=r"Project [A-Z][a-z]+")
        masker = Masker(scanner=Scanner([EMAIL], recognizers=[codename], deny_list={"C": "欧阳"}))
        assert masker.may_contain("about Project Nightfall")
        assert masker.may_contain("客户欧阳")
        assert masker.may_contain("客户欧\u200b阳")  # the second reading removes the space
        assert not masker.may_contain("about project nightfall, 12345678901")

    def test_registering_a_recognizer_is_seen(self) -> None:
        """Scanner.register() after a first answer changes the next answers."""
        scanner = Scanner([EMAIL])
        masker = Masker(scanner=scanner)
        assert not masker.may_contain("ticket T-77")
        scanner.register(Recognizer(entity="TICKET", pattern=r"T-[0-9]{2}"))
        assert masker.may_contain("ticket T-77")
        assert masker.mask_text("ticket T-77") != "ticket T-77"

    def test_refuses_what_is_not_text(self) -> None:
        """A value that is not str is a typed error, as for mask_text."""
        with pytest.raises(TypeError, match="str"):
            presets.CN_DISPLAY.may_contain(b"13812345678")  # type: ignore[arg-type]

    def test_a_recognizer_that_finds_its_own_way_is_always_a_candidate(self) -> None:
        """A Recognizer subclass whose find() is not its pattern's matches makes every text one."""

        class Names(Recognizer):
            def find(self, text: str) -> list[tuple[int, int, str, float]]:
                at = text.find("Zhang San")
                return [] if at < 0 else [(at, at + 9, self.entity, 1.0)]

        names = Names(entity="CUSTOMER", pattern=r"(?!)")  # the pattern never matches
        masker = Masker(scanner=Scanner(recognizers=[names]))
        text = "customer Zhang San called back"
        assert masker.mask_text(text) != text
        assert masker.may_contain(text)
        assert masker._may_contain_plain(text)


class TestNumbersSplitAcrossItems:
    @pytest.mark.parametrize(
        "items",
        [
            array.array("h", [4111, 1111, 1111, 1111]),
            [4111, 1111, 1111, 1111],
            (4111, 1111, 1111, 1111),
            ["4111", "1111", "1111", "1111"],
            [4111, 1111, 1111, 1111, 12, 25],
        ],
    )
    def test_card_split_into_items_is_masked(self, items: Any) -> None:
        """A card stored as consecutive integer items is masked across them, positions kept."""
        masked = Masker().mask_record({"groups": items})["groups"]
        assert len(masked) == len(items)
        assert list(masked[:4]) == ["<PAYMENT_CARD>", "", "", ""]
        assert list(masked[4:]) == list(items[4:])

    def test_length_keeping_operator_is_cut_back_into_the_items(self) -> None:
        """A Mask keeps each item's width: the display form is spread over the groups."""
        masked = presets.PCI_DISPLAY.mask_record({"g": array.array("h", [4111, 1111, 1111, 1111])})
        assert masked == {"g": ["4111", "11**", "****", "1111"]}
        assert presets.CN_DISPLAY.mask_record([138, 1234, 5678]) == ["138", "****", "5678"]

    def test_value_starting_inside_an_item(self) -> None:
        """A value that starts inside an item keeps that item's leading digits."""
        assert Masker().mask_record([99, 1381, 2345, 678, "a", 3]) == [
            99, "<CN_MOBILE>", "", "", "a", 3
        ]  # fmt: skip

    def test_each_item_a_value_of_its_own(self) -> None:
        """Items that are values on their own are masked one by one, as before."""
        assert Masker().mask_record([13812345678, 13987654321, 7]) == [
            "<CN_MOBILE>", "<CN_MOBILE>", 7
        ]  # fmt: skip

    @pytest.mark.parametrize(
        "items",
        [
            [2024, 11, 5],
            [255, 128, 0, 255],
            [4111, 1111, 1111, 1112],  # Luhn fails
            [415, 555, 132],  # a bare national phone needs a context word
            [1381, True, 2345, 678],  # a bool is no digit item: the run breaks
            list(range(1000)),
        ],
    )
    def test_numeric_data_is_kept(self, items: list[Any]) -> None:
        """Sequences whose items, printed in a line, hold no value come back unchanged."""
        assert Masker().mask_record({"readings": items}) == {"readings": items}

    def test_read_as_the_same_numbers_in_a_line(self) -> None:
        """A sequence is masked where its items printed with spaces between them would be."""
        rng = random.Random(19)
        masker = Masker()
        for _ in range(300):
            items = [rng.choice([rng.randint(0, 9999), rng.randint(1000, 9999)]) for _ in range(6)]
            masked = masker.mask_record(items)
            text = " ".join(map(str, items))
            assert (masked != items) == (masker.mask_text(text) != text)


class TestMaskerConfig:
    """Masker.config: a read-only view of the field configuration."""

    def test_reflects_the_constructor(self) -> None:
        """Fields, paths, and the fields with allow and deny lists are the ones given."""
        card = Mask(6, 4)
        masker = Masker(
            fields={"Contact-Number": PHONE},
            builtin_fields=False,
            paths={"user.email": EMAIL, "items[*].card": card},
            field_allow_lists={"Support_Phone": ["400-810-8888"]},
            field_deny_lists={"remarks": {"PERSON_NAME": ["张三"]}},
        )
        config = masker.config
        assert isinstance(config, MaskerConfig)
        assert dict(config.fields) == {"contactnumber": PHONE}
        assert config.builtin_fields is False
        assert config.paths == (("user.email", EMAIL), ("items[*].card", card))
        assert config.allow_list_fields == frozenset({"supportphone"})
        assert config.deny_list_fields == frozenset({"remarks"})
        assert config.path_names(("User", "E-mail")) is True  # keys compared normalised
        assert config.path_names(("user", "phone")) is False
        assert config.path_names(("items", 3, "card")) is True
        assert config.path_names(("items", "card")) is False

    def test_builtin_fields_and_evolve(self) -> None:
        """The built-in names are in the view; an evolved masker's paths come first."""
        base = Masker(paths={"a": EMAIL})
        assert base.config.builtin_fields is True
        assert base.config.fields["password"] == Masker().config.fields["password"]
        evolved = base.evolve(paths={"b": PHONE}, fields={"contact": PHONE})
        assert evolved.config.paths == (("b", PHONE), ("a", EMAIL))
        assert evolved.config.fields["contact"] == PHONE
        assert "contact" not in base.config.fields

    def test_cannot_change_the_masker(self) -> None:
        """The view is frozen and its members immutable: the masker masks as before."""
        masker = Masker(fields={"contact": PHONE}, paths={"a": EMAIL})
        config = masker.config
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            config.builtin_fields = False  # type: ignore[misc]
        with pytest.raises(TypeError):
            config.fields["contact"] = EMAIL  # type: ignore[index]
        assert isinstance(config.paths, tuple)
        assert isinstance(config.allow_list_fields, frozenset)
        assert masker.config.fields["contact"] == PHONE
        before = Masker(fields={"contact": PHONE}, paths={"a": EMAIL})
        record = {"contact": "ext 42", "a": "x"}
        assert masker.mask_record(record) == before.mask_record(record)

    def test_shows_no_list_values(self) -> None:
        """A deny list holds personal data: only its field name is in the view's repr."""
        masker = Masker(field_deny_lists={"remarks": {"PERSON_NAME": ["欧阳娜娜"]}})
        assert "欧阳娜娜" not in repr(masker.config)


class TestMaskTextInAField:
    """mask_text(field=...) applies that field's lists, not the field name's entity."""

    def test_field_lists_apply(self) -> None:
        """The field's allow list keeps its value, its deny list masks its terms."""
        masker = Masker(
            field_allow_lists={"support_phone": ["13812345678"]},
            field_deny_lists={"remarks": {"PERSON_NAME": ["欧阳娜娜"]}},
        )
        assert masker.mask_text("13812345678", field="Support-Phone") == "13812345678"
        assert "13812345678" not in masker.mask_text("13812345678")
        assert "欧阳娜娜" not in masker.mask_text("客户欧阳娜娜来电", field="remarks")
        assert masker.mask_text("客户欧阳娜娜来电") == "客户欧阳娜娜来电"

    @pytest.mark.parametrize("field", [123, b"remarks", ("remarks",)])
    def test_field_of_another_type_is_a_typed_error(self, field: object) -> None:
        """A field name that is not a str is refused with a typed error naming the type."""
        with pytest.raises(ArgumentTypeError, match="field must be str"):
            Masker().mask_text("13812345678", field=field)  # type: ignore[arg-type]

    def test_field_name_entity_is_not_applied(self) -> None:
        """A field whose name holds an entity still has its text detected, not masked whole."""
        masker = Masker(fields={"reason": PHONE})
        assert masker.mask_text("no data here", field="reason") == "no data here"

    @pytest.mark.parametrize(
        "text", ["password=欧阳娜娜", '{"password": "欧阳娜娜"}', "name=欧阳娜娜 来电"]
    )
    def test_deny_term_inside_a_serialised_field(self, text: str) -> None:
        """A deny-list term inside a serialised field's value is masked, in a record and a text.

        The two spans overlap; resolving them once raised KeyError for the
        field's entity (the audit log's MaskPII would have failed on the event).
        """
        masker = Masker(field_deny_lists={"remarks": {"PERSON_NAME": ["欧阳娜娜"]}})
        masked = masker.mask_text(text, field="remarks")
        assert "欧阳娜娜" not in masked
        assert masker.mask_record({"remarks": text}) == {"remarks": masked}

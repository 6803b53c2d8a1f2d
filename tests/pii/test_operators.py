"""Operators: masking forms, pseudonyms, reversible encryption."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secpolicy.crypto import FieldEncryptor, Keyset
from secpolicy.exceptions import DecryptionError, PolicyConfigError
from secpolicy.pii import (
    COMPOUND_SURNAMES,
    Encrypt,
    Keep,
    Mask,
    MaskEmail,
    MaskName,
    Operator,
    Pseudonymize,
    Redact,
    Replace,
)


class TestMask:
    @pytest.mark.parametrize(
        ("op", "value", "expected"),
        [
            (Mask(3, 4, max_reveal=0.7), "13812345678", "138****5678"),
            (Mask(3, 4), "13812345678", "13******678"),
            (Mask(6, 4, max_reveal=0.6), "11010519491231002X", "110105********002X"),
            (Mask(6, 4, max_reveal=0.7), "4111-1111-1111-1111", "4111-11**-****-1111"),
            (Mask(6, 4, max_reveal=0.7), "6212345678901232", "621234******1232"),
            (Mask(3, 4), "+12345678", "+1****678"),
            (Mask(4, 0), "1990-03-07", "1990-**-**"),
            (Mask(0, 4), "536-90-4399", "***-**-4399"),
            (Mask(3, 4), "12345", "*****"),
            (Mask(6, 0), "北京市朝阳区建国路88号", "北京市朝阳区******"),
            (Mask(1, 1, char="#", max_reveal=1), "abc", "a#c"),
            (Mask(1, 1, char="#"), "abc", "##c"),
            (
                Mask(3, 4, skip_prefix=r"\+?86[ \-]?", max_reveal=0.7),
                "+86 150 1234 5678",
                "+86 150 **** 5678",
            ),
            (Mask(3, 4, skip_prefix=r"\+?86[ \-]?", max_reveal=0.7), "15012345678", "150****5678"),
            (Mask(4, 0), "15/01/1990", "15/01/****"),  # not a birth date: no parsing
        ],
    )
    def test_forms(self, op: Mask, value: str, expected: str) -> None:
        """Masks keep the requested letters and digits and every separator."""
        assert op.apply(value, "X") == expected

    @given(st.text(max_size=40), st.integers(0, 8), st.integers(0, 8))
    def test_idempotent_and_length_preserving(self, value: str, first: int, last: int) -> None:
        """Masking keeps the length and masking twice changes nothing more."""
        op = Mask(first, last)
        once = op.apply(value, "X")
        assert len(once) == len(value)
        assert op.apply(once, "X") == once

    @pytest.mark.parametrize(
        "kwargs",
        [{"keep_first": -1}, {"keep_last": True}, {"char": "**"}, {"char": ""},
         {"max_reveal": 1.5}, {"max_reveal": -0.1}, {"skip_prefix": "("}],
    )  # fmt: skip
    def test_bad_arguments(self, kwargs: dict[str, object]) -> None:
        """Negative counts, multi-character masks, bad shares and patterns are config errors."""
        with pytest.raises(PolicyConfigError, match=r"keep_first|keep_last|char|max_reveal|skip"):
            Mask(**kwargs)  # type: ignore[arg-type]

    @given(st.text(alphabet="0123456789+- ab", max_size=40), st.integers(0, 20), st.integers(0, 20),
           st.sampled_from([0.0, 0.25, 0.5, 0.64, 1.0]))  # fmt: skip
    def test_never_reveals_more_than_its_share(
        self, value: str, first: int, last: int, share: float
    ) -> None:
        """However large keep_first and keep_last are, at most max_reveal of the characters show."""
        masked = Mask(first, last, max_reveal=share).apply(value, "X")
        count = sum(ch.isalnum() for ch in value)
        shown = sum(a == b and a.isalnum() for a, b in zip(value, masked, strict=True))
        assert shown <= share * count + 1e-9

    @pytest.mark.parametrize(
        ("value", "expected"),
        [("15/01/1990", "1990-**-**"), ("1990-01-15", "1990-**-**"),
         ("1990年1月15日", "1990-**-**"), ("19900115", "1990-**-**"), ("01/15/1990", "1990-**-**"),
         ("1990-01-15T08:00:00", "1990-**-**"),
         ("sometime", "********"), ("31/31/1990", "**/**/****")],
    )  # fmt: skip
    def test_birth_date_parsed_first(self, value: str, expected: str) -> None:
        """A birth date is read as a date first: the day and month never show."""
        assert Mask(4, 0).apply(value, "BIRTH_DATE") == expected

    def test_keep(self) -> None:
        """Keep returns the value unchanged."""
        assert Keep().apply("13812345678", "CN_MOBILE") == "13812345678"
        assert isinstance(Keep(), Operator)


class TestMaskName:
    @pytest.mark.parametrize(
        ("op", "value", "expected"),
        [
            (MaskName(), "张三", "张*"),
            (MaskName(), "张小明", "张**"),
            (MaskName(keep_last=True), "张小明", "张*明"),
            (MaskName(keep_last=True), "张三", "张*"),
            (MaskName(), "欧阳娜娜", "欧阳**"),
            (MaskName(), "欧阳", "欧*"),
            (MaskName(), "司马相如", "司马**"),
            (MaskName(), "John Smith", "J*** S****"),
            (MaskName(), "  ", "  "),
        ],
    )
    def test_forms(self, op: MaskName, value: str, expected: str) -> None:
        """The surname stays, single or compound; the given name is masked."""
        assert op.apply(value, "PERSON_NAME") == expected

    def test_compound_surnames(self) -> None:
        """The compound surname list holds two-character surnames only."""
        assert "欧阳" in COMPOUND_SURNAMES
        assert all(len(s) == 2 for s in COMPOUND_SURNAMES)


class TestOthers:
    def test_mask_email(self) -> None:
        """The local part is masked, the domain kept; junk is masked whole."""
        assert MaskEmail().apply("zhangsan@example.com", "EMAIL") == "z*******@example.com"
        assert MaskEmail().apply("x@y.cn", "EMAIL") == "*@y.cn"
        assert MaskEmail(0).apply("ab@c.de", "EMAIL") == "**@c.de"
        assert MaskEmail().apply("no-at-sign", "EMAIL") == "**********"

    def test_redact_and_replace(self) -> None:
        """Redact removes; Replace fills in the entity name."""
        assert Redact().apply("secret", "SECRET") == ""
        assert Redact("******").apply("secret", "SECRET") == "******"
        assert Replace().apply("a@b.cn", "EMAIL") == "<EMAIL>"
        assert Replace("[{entity} removed]").apply("x", "IBAN") == "[IBAN removed]"

    def test_pseudonymize(self) -> None:
        """Pseudonyms are deterministic, keyed, normalised and per entity."""
        op = Pseudonymize(b"k" * 32)
        a = op.apply("138 1234 5678", "CN_MOBILE")
        assert a == op.apply("13812345678", "CN_MOBILE")
        assert a.startswith("<CN_MOBILE:")
        assert a != Pseudonymize(b"j" * 32).apply("13812345678", "CN_MOBILE")
        assert op.apply("13812345678", "EMAIL") != a.replace("CN_MOBILE", "EMAIL")
        assert "k" * 8 not in repr(op)
        keyed = Pseudonymize(Keyset.generate("HMAC-SM3"), length=4, template="{digest}")
        assert len(keyed.apply("x", "EMAIL")) == 8

    def test_pseudonyms_normalise_phones(self) -> None:
        """+86, 0086, 86, full-width digits and PHONE or CN_MOBILE give one pseudonym."""
        op = Pseudonymize(b"k" * 32, template="{digest}")
        forms = ["13812345678", "+86 138 1234 5678", "8613812345678", "0086-138-1234-5678",
                 "１３８１２３４５６７８"]  # fmt: skip
        digests = {op.apply(v, e) for v in forms for e in ("CN_MOBILE", "PHONE")}
        assert len(digests) == 1
        assert op.apply("+1 415 555 0132", "PHONE") == op.apply("+14155550132", "PHONE")
        assert op.apply("ＡＢＣ@Example.com", "EMAIL") == op.apply("abc@example.com", "EMAIL")

    def test_encrypt_round_trip(self) -> None:
        """Encrypted values carry their entity and decrypt with it bound as context."""
        fe = FieldEncryptor(Keyset.generate())
        op = Encrypt(fe)
        token = op.apply("13812345678", "CN_MOBILE")
        assert token.startswith("enc:CN_MOBILE:")
        assert fe.decrypt(token.split(":")[2], context=b"pii:CN_MOBILE") == b"13812345678"
        assert op.decrypt(token) == "13812345678"
        forged = token.replace("CN_MOBILE", "EMAIL")
        with pytest.raises(DecryptionError):
            op.decrypt(forged)
        with pytest.raises(DecryptionError):
            op.decrypt("not a token")
        assert "13812345678" not in token
        assert repr(op) == "Encrypt(<encryptor>)"
        tagged = Encrypt(fe, template="[{entity}|{token}]").apply("x", "EMAIL")
        assert tagged.startswith("[EMAIL|")

    def test_encrypt_row_context(self) -> None:
        """A token bound to its row does not decrypt for another row."""
        op = Encrypt(FieldEncryptor(Keyset.generate()), context=lambda row: row["id"])
        token = op.apply_in("13812345678", "CN_MOBILE", {"id": 1})
        assert op.decrypt(token, record={"id": 1}) == "13812345678"
        with pytest.raises(DecryptionError):
            op.decrypt(token, record={"id": 2})
        with pytest.raises(DecryptionError):
            op.decrypt(token)

    @pytest.mark.parametrize("template", ["{token}", "{entity}", "{entity}{token}{other}"])
    def test_encrypt_template(self, template: str) -> None:
        """A template without both fields, or with others, is a config error."""
        with pytest.raises(PolicyConfigError, match="template"):
            Encrypt(FieldEncryptor(Keyset.generate()), template=template)

    @pytest.mark.parametrize(
        "op",
        [Mask(), MaskEmail(), MaskName(), Redact(), Replace(), Pseudonymize(b"k" * 32)],
    )
    def test_protocol(self, op: object) -> None:
        """Every operator satisfies the Operator protocol."""
        assert isinstance(op, Operator)


class TestTemplateValidation:
    @pytest.mark.parametrize("template", ["{value}", "{entity:>99999999}", "{0}", "{", 5])
    def test_bad_template_is_refused_when_built(self, template: object) -> None:
        """A template the operator cannot fill (or not text) fails at construction."""
        with pytest.raises(PolicyConfigError, match="template"):
            Replace(template)  # type: ignore[arg-type]

    def test_pseudonymize_and_encrypt_fields_are_allowed(self) -> None:
        """Each operator's own fields are accepted."""
        assert Pseudonymize(b"k" * 32, template="[{entity}:{digest}]").template


class TestPseudonymizePhoneRegion:
    @pytest.mark.parametrize(
        "variant",
        ["+1 (415) 555-0132", "(415) 555-0132", "415-555-0132", "+14155550132", "001 415 555 0132",
         "1-415-555-0132"],
    )  # fmt: skip
    def test_north_american_layouts_join(self, variant: str) -> None:
        """A North American layout normalises to +1 whatever the default region."""
        op = Pseudonymize(b"k" * 32, phone_region="CN")
        assert op.apply(variant, "PHONE") == op.apply("+1 415 555 0132", "PHONE")

    def test_masker_with_chinese_regions(self) -> None:
        """Under phone_regions=("CN",) both ways of writing a US number get one pseudonym."""
        from secpolicy.pii import Masker, Scanner

        op = Pseudonymize(b"k" * 32)
        masker = Masker({"PHONE": op}, scanner=Scanner(phone_regions=("CN",)))
        assert masker.mask_text("+1 (415) 555-0132") == masker.mask_text("(415) 555-0132")

    def test_chinese_landline_stays_chinese(self) -> None:
        """A Chinese landline with its trunk prefix stays a +86 number."""
        op = Pseudonymize(b"k" * 32)
        assert op.apply("(0415) 555-0132", "PHONE") == op.apply("+86 415 5550132", "PHONE")
        assert op.apply("(0415) 555-0132", "PHONE") != op.apply("(415) 555-0132", "PHONE")

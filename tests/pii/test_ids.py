"""Identifier validation against published and hand-made vectors."""

from __future__ import annotations

from datetime import date

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from secpolicy.exceptions import InvalidIdentifierError
from secpolicy.pii import (
    _identifiers,
    _ids,
    _phone,
    check_identity,
    is_cn_mobile,
    is_cn_resident_id,
    is_cn_uscc,
    is_email,
    is_iban,
    is_ip_address,
    is_payment_card,
    is_phone,
    is_us_ssn,
    is_valid,
    parse_cn_resident_id,
    to_e164,
)

from .conftest import luhn_complete, mod11_2, resident_id

# The specimen number of GB 11643-1999 (Beijing Chaoyang, 1949-12-31, female).
SPECIMEN = "11010519491231002X"


class TestResidentId:
    def test_specimen(self) -> None:
        """The standard's specimen parses to its birth date, gender and region."""
        parsed = parse_cn_resident_id(SPECIMEN)
        assert parsed.birth_date == date(1949, 12, 31)
        assert parsed.gender == "female"
        assert parsed.region_code == "110105"
        assert parsed.province == "北京市"
        assert parsed.region == "朝阳区"
        assert not parsed.legacy
        assert parsed.age(date(2026, 1, 1)) == 76
        assert parsed.age(date(2025, 12, 30)) == 75

    def test_lower_case_x_and_spaces(self) -> None:
        """A lower-case x and surrounding spaces are accepted and normalised."""
        assert parse_cn_resident_id(" 11010519491231002x ").number == SPECIMEN

    def test_check_character_from_definition(self) -> None:
        """Our test helper agrees with the specimen's check character."""
        assert mod11_2(SPECIMEN[:17]) == "X"

    @pytest.mark.parametrize(
        ("region", "born"),
        [("500103", date(1990, 1, 1)), ("510104", date(1953, 6, 1))],
    )
    def test_codes_missing_from_stdnum_table(self, region: str, born: date) -> None:
        """Real district codes python-stdnum rejects for some years are still recognised."""
        number = resident_id(region, born, 123)
        parsed = parse_cn_resident_id(number)
        assert parsed.birth_date == born
        assert parsed.gender == "male"
        assert is_cn_resident_id(number)

    def test_legacy_fifteen_digits(self) -> None:
        """A first-generation number has a 19YYMMDD birth date and no check character."""
        parsed = parse_cn_resident_id("110105491231002")
        assert parsed.legacy
        assert parsed.birth_date == date(1949, 12, 31)
        assert parsed.gender == "female"
        assert parsed.region is None

    @pytest.mark.parametrize(
        ("number", "reason"),
        [
            ("110105194912310021", "checksum"),
            ("1101051949123100", "length"),
            ("11010519491231002Y", "format"),
            ("01010519491231002X", "format"),
            ("110105194902300020"[:17] + mod11_2("11010519490230002"), "birth_date"),
            ("110105" + "21000101" + "002" + mod11_2("11010521000101002"), "birth_date"),
            ("17010519491231002" + mod11_2("17010519491231002"), "region"),
            ("110105491332002", "birth_date"),
            ("11010549123100A", "format"),
        ],
    )
    def test_invalid(self, number: str, reason: str) -> None:
        """Each kind of invalid number gives its reason, and never the number."""
        with pytest.raises(InvalidIdentifierError) as info:
            parse_cn_resident_id(number)
        assert info.value.reason == reason
        assert info.value.entity == "CN_RESIDENT_ID"
        assert number not in str(info.value)
        assert isinstance(info.value, ValueError)
        assert not is_cn_resident_id(number)

    def test_not_text(self) -> None:
        """Numbers must be text (leading zeros and X matter)."""
        with pytest.raises(TypeError):
            parse_cn_resident_id(110105194912310021)  # type: ignore[arg-type]

    def test_repr_hides_number(self) -> None:
        """The parsed object's repr shows nothing personal."""
        assert SPECIMEN not in repr(parse_cn_resident_id(SPECIMEN))
        assert "1949" not in repr(parse_cn_resident_id(SPECIMEN))


class TestResidentIdMatchCheck:
    @settings(max_examples=500)
    @given(
        st.sampled_from(["110105", "310101", "440305", "990000", "010105", "820000"]),
        st.dates(date(1790, 1, 1), date(2105, 12, 31)),
        st.integers(0, 999),
        st.sampled_from(["", " ", "-", ".", "/"]),
        st.sampled_from(["valid", "wrong", "x", "15"]),
    )
    @example("110105", date(1949, 12, 31), 2, "", "x")  # the specimen, with a lower-case x
    def test_match_check_agrees_with_is_cn_resident_id(
        self, region: str, born: date, sequence: int, separator: str, kind: str
    ) -> None:
        """The scanner's check of a matched resident ID answers as is_cn_resident_id does."""
        number = resident_id(region, born, sequence)
        if kind == "wrong":
            number = number[:17] + str((int(number[17], 36) + 1) % 10)
        elif kind == "x":
            number = number[:17] + number[17].lower()
        elif kind == "15":
            number = region + f"{born:%y%m%d}" + f"{sequence:03d}"
        text = number[:6] + separator + number[6:14] + separator + number[14:]
        assert _ids._resident_id_match_ok(text) is is_cn_resident_id(text), text

    @settings(max_examples=500)
    @given(st.text(alphabet="0123456789Xx -./", min_size=14, max_size=22))
    def test_match_check_agrees_on_any_digits(self, text: str) -> None:
        """On any digits, X and separators the scanner's check is is_cn_resident_id's."""
        assert _ids._resident_id_match_ok(text) is is_cn_resident_id(text)


class TestCheckIdentity:
    def test_consistent(self) -> None:
        """A matching gender and birth date give no problems."""
        assert check_identity(SPECIMEN, gender="女", birth_date=date(1949, 12, 31)) == []
        assert check_identity(SPECIMEN, gender="F") == []
        assert check_identity(SPECIMEN) == []

    def test_mismatches(self) -> None:
        """Wrong gender and birth date are both reported."""
        assert check_identity(SPECIMEN, gender="male", birth_date=date(1950, 1, 1)) == [
            "gender_mismatch",
            "birth_date_mismatch",
        ]

    def test_unknown_gender_and_invalid_number(self) -> None:
        """An unknown gender word and an invalid number are reported as such."""
        assert check_identity(SPECIMEN, gender="x") == ["gender_unknown"]
        assert check_identity("110105194912310021") == ["id_number_invalid:checksum"]


class TestOtherIdentifiers:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("13812345678", True),
            ("+8613812345678", True),
            ("86 138 1234 5678", True),
            ("138-1234-5678", True),
            ("12812345678", False),
            ("1381234567", False),
        ],
    )
    def test_cn_mobile(self, value: str, expected: bool) -> None:
        """Mobile numbers: 11 digits, 1 then 3-9, optional 86."""
        assert is_cn_mobile(value) is expected

    @pytest.mark.parametrize(
        ("value", "expected"),
        [("91110000600037341L", True), ("91110000600037341M", False), ("9111000060003734", False)],
    )
    def test_uscc(self, value: str, expected: bool) -> None:
        """Unified Social Credit Codes check their check character."""
        assert is_cn_uscc(value) is expected

    @settings(max_examples=500)
    @given(
        st.sampled_from(["91", "11", "A1", "9a", "52", "Y1"]),
        st.sampled_from(["110000", "100000", "440300", "990000", "0A0000", "310115"]),
        st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXYabcdy", min_size=9, max_size=9),
        st.booleans(),
        st.integers(0, 30),
    )
    def test_uscc_match_check_agrees_with_is_cn_uscc(
        self, kind: str, region: str, body: str, complete: bool, check: int
    ) -> None:
        """The scanner's check of a matched credit code answers as is_cn_uscc does."""
        alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        first = kind + region + body
        if complete and first[:8].isdigit():
            # the valid check character, so valid codes are drawn as often as invalid ones
            total = sum(
                alphabet.index(c) * w
                for c, w in zip(first.upper(), _ids._USCC_WEIGHTS, strict=True)
            )
            code = first + alphabet[-total % 31]
        else:
            code = first + alphabet[check]
        for text in (code, code.lower(), code.upper()):
            assert _ids._uscc_match_ok(text) is is_cn_uscc(text), text

    @settings(max_examples=300)
    @given(st.from_regex(_identifiers._USCC_SHAPE, fullmatch=True))
    def test_uscc_match_check_agrees_on_any_shape(self, text: str) -> None:
        """On any 18-character credit-code shape the scanner's check is is_cn_uscc's."""
        assert _ids._uscc_match_ok(text) is is_cn_uscc(text)

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("4111111111111111", True),  # Visa test PAN
            ("4111-1111-1111-1111", True),
            ("5555555555554444", True),  # Mastercard test PAN
            ("378282246310005", True),  # American Express test PAN
            ("6212345678901232", True),  # UnionPay prefix
            (luhn_complete("62", 19), True),
            ("4111111111111112", False),
            ("411111111111", False),
            ("4111111111111111111111", False),
            ("٤١١١١١١١١١١١١١١١", False),  # Arabic-Indic digits are not card digits
        ],
    )
    def test_payment_card(self, value: str, expected: bool) -> None:
        """Cards: 13-19 ASCII digits passing Luhn."""
        assert is_payment_card(value) is expected

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("GB82 WEST 1234 5698 7654 32", True),
            ("DE89370400440532013000", True),
            ("GB82 WEST 1234 5698 7654 33", False),
        ],
    )
    def test_iban(self, value: str, expected: bool) -> None:
        """IBANs check MOD 97-10."""
        assert is_iban(value) is expected

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("536-90-4399", True),
            ("078-05-1120", False),
            ("000-12-3456", False),
            ("666-12-3456", False),
        ],
    )
    def test_ssn(self, value: str, expected: bool) -> None:
        """SSNs reject never-issued areas and the famous Woolworth card."""
        assert is_us_ssn(value) is expected

    @settings(max_examples=500)
    @given(
        st.sampled_from(["000", "666", "078", "457", "219", "900", "999", "123", "536", "001"]),
        st.sampled_from(["00", "05", "55", "09", "90", "12"]),
        st.sampled_from(["0000", "1120", "5462", "9999", "4399", "0001"]),
        st.sampled_from(" -./"),
        st.sampled_from(" -./"),
    )
    @example("078", "05", "1120", "-", "-")
    def test_ssn_match_check_agrees_with_is_us_ssn(
        self, area: str, group: str, serial: str, first: str, second: str
    ) -> None:
        """The scanner's SSN check of a matched 3-2-4 shape answers as is_us_ssn does."""
        text = f"{area}{first}{group}{second}{serial}"
        assert _ids._ssn_match_ok(text) is is_us_ssn(text)

    @settings(max_examples=300)
    @given(st.from_regex(r"\A[0-9]{3}[ \-./][0-9]{2}[ \-./][0-9]{4}\Z"))
    def test_ssn_match_check_agrees_on_any_shape(self, text: str) -> None:
        """On any ASCII 3-2-4 shape the scanner's SSN check is is_us_ssn's."""
        assert _ids._ssn_match_ok(text) is is_us_ssn(text)

    @pytest.mark.parametrize(
        ("value", "expected"),
        [("192.168.1.1", True), ("2001:db8::1", True), ("256.1.1.1", False), ("12:30:45", False)],
    )
    def test_ip(self, value: str, expected: bool) -> None:
        """IP addresses of both versions."""
        assert is_ip_address(value) is expected

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("zs@example.com", True),
            ("first.last+tag@mail.example.co.uk", True),
            (".lead@example.com", False),
            ("a..b@example.com", False),
            ("a@example", False),
            ("a@-example.com", False),
            ("a@example.c0m", False),
        ],
    )
    def test_email(self, value: str, expected: bool) -> None:
        """E-mail addresses: ASCII local part, dotted domain, alphabetic TLD."""
        assert is_email(value) is expected

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("+44 20 7946 0958", True),
            ("+1 (415) 555-2671", True),
            ("13812345678", True),
            ("4155552671", True),
            ("+12", False),
            ("+1234567890123456", False),
        ],
    )
    def test_phone(self, value: str, expected: bool) -> None:
        """International numbers have 8-15 digits after +."""
        assert is_phone(value) is expected

    def test_is_valid_dispatch(self) -> None:
        """is_valid dispatches by entity name."""
        assert is_valid("CN_RESIDENT_ID", SPECIMEN)
        with pytest.raises(KeyError):
            is_valid("PERSON_NAME", "张三")


class TestPhoneValidity:
    @settings(max_examples=500, deadline=None)
    @given(
        st.sampled_from(sorted(phonenumbers.SUPPORTED_REGIONS)),
        st.sampled_from(["fixed_line", "mobile", "toll_free", "premium_rate", "voip"]),
        st.integers(0, 10**6),
        st.integers(-2, 2),
    )
    def test_matches_phonenumbers(self, region: str, kind: str, noise: int, change: int) -> None:
        """The fast validity check agrees with phonenumbers.is_valid_number near valid numbers."""
        example = phonenumbers.example_number_for_type(
            region, getattr(phonenumbers.PhoneNumberType, kind.upper())
        )
        if example is None:
            return
        nsn = str(example.national_number)
        tail = str(noise)[: max(0, len(nsn) - 2)]
        nsn = (nsn[: len(nsn) - len(tail)] + tail) if tail else nsn
        nsn = nsn + "5" * change if change > 0 else nsn[: len(nsn) + change] or nsn
        code = example.country_code
        number = phonenumbers.PhoneNumber(country_code=code, national_number=int(nsn))
        expected = phonenumbers.is_valid_number(number)
        assert _phone.valid_number(example.country_code, str(int(nsn))) == expected

    def test_international_forms(self) -> None:
        """+, 00 and a written trunk prefix are read; an unknown country code is not a number."""
        assert _phone.international("+44 (0)20 7946 0958", "4402079460958")
        assert _phone.international("0044 20 7946 0958", "00442079460958")
        assert not _phone.international("+999 1234 5678", "99912345678")
        assert not _phone.international("4420 7946 0958", "442079460958")


class TestLuhn:
    @given(st.text(alphabet="0123456789", min_size=1, max_size=30))
    def test_matches_python_stdnum(self, digits: str) -> None:
        """The table-driven Luhn check agrees with python-stdnum's checksum."""
        from stdnum import luhn

        from secpolicy.pii._ids import luhn_ok

        assert luhn_ok(digits) == (luhn.checksum(digits) == 0)


class TestOtherValidators:
    @pytest.mark.parametrize(
        ("entity", "good", "bad"),
        [
            ("CN_PASSPORT", "E12345678", "E1234567"),
            ("CN_PASSPORT", "ea1234567", "EI1234567"),
            ("CN_PASSPORT", "DE1234567", "DX1234567"),
            ("CN_HK_MACAU_PERMIT", "C12345678", "C1234567"),
            ("CN_HK_MACAU_PERMIT", "CA1234567", "CO1234567"),
            ("CN_TAIWAN_PERMIT", "L12345678", "LA1234567"),
            ("IBAN", "be71-0961-2345-6769", "BE71 0961 2345 676"),
            ("US_SSN", "536.90.4399", "666-90-4399"),
            ("CN_MOBILE", "0086 138 1234 5678", "0087 138 1234 5678"),
            ("EMAIL", "张三@例子.中国", "张三@例子"),
            ("EMAIL", "a@xn--d1acufc.xn--p1ai", "a@b.xn--"),
        ],
    )
    def test_good_and_bad(self, entity: str, good: str, bad: str) -> None:
        """Each validator accepts its format and refuses a near miss."""
        assert is_valid(entity, good)
        assert not is_valid(entity, bad)

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("+86 138 1234 5678", "+8613812345678"),
            ("0086-138-1234-5678", "+8613812345678"),
            ("8613812345678", "+8613812345678"),
            ("１３８１２３４５６７８", "+8613812345678"),
            ("010-12345678", "+861012345678"),
            ("no digits", None),
            ("+999 123", None),
            ("12", None),
        ],
    )
    def test_to_e164(self, value: str, expected: str | None) -> None:
        """to_e164 normalises every written form of a number, and refuses what is none."""
        assert to_e164(value) == expected

    def test_is_phone(self) -> None:
        """is_phone takes international numbers, mobiles and national forms of its regions."""
        assert is_phone("+44 20 7946 0958")
        assert is_phone("13812345678")
        assert is_phone("020 7946 0958", regions=("GB",))
        assert not is_phone("0161 496 0000", regions=("US",))
        assert not is_phone("12345")
        assert not is_phone("+999 1234 5678")
        assert not _phone.international("4420 7946 0958", "442079460958")

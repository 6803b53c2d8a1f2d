"""The scanner: exact spans in Chinese and English text, validation, linear time."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from secpolicy.pii import DETECTABLE, Finding, Scanner, _scanner, is_valid

from .conftest import luhn_complete, resident_id

SCANNER = Scanner()
ID = "11010519491231002X"


def spans(text: str, scanner: Scanner = SCANNER) -> list[tuple[str, str]]:
    """(entity, text) of every finding, checking each span against the text."""
    found = scanner.find(text)
    for f in found:
        assert text[f.start : f.end] == f.text
    return [(f.entity, f.text) for f in found]


class TestChinese:
    def test_no_spaces(self) -> None:
        """Entities inside Chinese text without spaces are found with exact spans."""
        text = f"客户张三身份证{ID}手机13812345678邮箱zs@example.com。"
        assert spans(text) == [
            ("CN_RESIDENT_ID", ID),
            ("CN_MOBILE", "13812345678"),
            ("EMAIL", "zs@example.com"),
        ]
        assert SCANNER.find(text)[0].start == text.index(ID)

    def test_full_width_digits(self) -> None:
        """Full-width digits are found; the span is the original full-width text."""
        text = "手机：１３８１２３４５６７８。"
        assert spans(text) == [("CN_MOBILE", "１３８１２３４５６７８")]

    def test_credit_code_and_unionpay(self) -> None:
        """A USCC and a UnionPay card next to Chinese punctuation."""
        card = luhn_complete("6222", 19)
        text = f"统一社会信用代码91110000600037341L，银联卡{card}。"
        assert spans(text) == [("CN_USCC", "91110000600037341L"), ("PAYMENT_CARD", card)]

    def test_separators(self) -> None:
        """Mobile numbers with spaces and dashes, with and without +86."""
        text = "电话138 1234 5678或+86-139-8765-4321或8615012341234"
        assert spans(text) == [
            ("CN_MOBILE", "138 1234 5678"),
            ("CN_MOBILE", "+86-139-8765-4321"),
            ("CN_MOBILE", "8615012341234"),
        ]

    def test_invalid_id_not_reported(self) -> None:
        """A number that looks like an ID but fails its check is not reported as one."""
        assert ("CN_RESIDENT_ID", "110105194912310021") not in spans("证号110105194912310021")

    def test_stdnum_gap_codes(self) -> None:
        """IDs with district codes missing from stdnum's table are still found."""
        number = resident_id("500103", __import__("datetime").date(1990, 1, 1), 7)
        assert spans(f"重庆渝中区居民{number}") == [("CN_RESIDENT_ID", number)]


class TestEnglish:
    def test_log_line(self) -> None:
        """A typical log line with several entities and decoys."""
        text = (
            "2024-05-01T10:00:00Z user=alice email=alice@example.com ip=192.168.10.20 "
            "card=4111-1111-1111-1111 order=4111111111111112 req=9f8e7d6c5b4a "
            "ver=2.31.0 from 2001:db8::1."
        )
        assert spans(text) == [
            ("EMAIL", "alice@example.com"),
            ("IP_ADDRESS", "192.168.10.20"),
            ("PAYMENT_CARD", "4111-1111-1111-1111"),
            ("IP_ADDRESS", "2001:db8::1"),
        ]

    def test_key_prefix_not_in_email(self) -> None:
        """key=value does not put the key into the e-mail span."""
        assert spans("contact_email=bob.smith@mail.example.org;") == [
            ("EMAIL", "bob.smith@mail.example.org")
        ]

    def test_phones_and_ssn(self) -> None:
        """International, North American and SSN formats."""
        text = "Call +44 20 7946 0958 or (415) 555-2671; SSN 536-90-4399."
        assert spans(text) == [
            ("PHONE", "+44 20 7946 0958"),
            ("PHONE", "(415) 555-2671"),
            ("US_SSN", "536-90-4399"),
        ]

    def test_iban(self) -> None:
        """IBANs with and without spaces."""
        assert spans("IBAN GB82 WEST 1234 5698 7654 32 / DE89370400440532013000") == [
            ("IBAN", "GB82 WEST 1234 5698 7654 32"),
            ("IBAN", "DE89370400440532013000"),
        ]

    @pytest.mark.parametrize(
        "decoy",
        [
            "order 4111111111111112",  # fails Luhn
            "build 1.2.3",  # version
            "v10.0.19041.1",  # version with four parts
            "at 12:30:45",  # time
            "mac 00:1a:2b:3c:4d:5e",  # MAC address
            "hash 3f786850e387550fdab836ed7e6dc881de23001b",
            "ORD2024010112345678",  # digits inside a token
            "2024-05-01",  # a date
            "peer 1::2::3 down",  # two '::' make no IPv6 address
            "ranges 10.0.0 to 10.1.2.300",  # dotted digits, but no IPv4 address
        ],
    )
    def test_decoys(self, decoy: str) -> None:
        """Things that look like personal data but are not are not reported."""
        assert spans(decoy) == []

    def test_email_starting_with_mobile(self) -> None:
        """The longer e-mail span wins over the mobile number it starts with."""
        assert spans("13812345678@qq.com") == [("EMAIL", "13812345678@qq.com")]

    def test_ipv4_inside_ipv6(self) -> None:
        """An IPv4-mapped IPv6 address is one finding."""
        assert spans("peer ::ffff:192.0.2.1 up") == [("IP_ADDRESS", "::ffff:192.0.2.1")]


class TestConfiguration:
    def test_entity_subset(self) -> None:
        """A scanner looks only for the entities it was given."""
        scanner = Scanner(["EMAIL"])
        assert spans("a@b.cn 13812345678", scanner) == [("EMAIL", "a@b.cn")]
        assert "EMAIL" in repr(scanner)

    def test_digits_only_subset(self) -> None:
        """A card-only scanner ignores mobile numbers."""
        assert spans("13812345678 4111111111111111", Scanner(["PAYMENT_CARD"])) == [
            ("PAYMENT_CARD", "4111111111111111")
        ]

    def test_unknown_entity(self) -> None:
        """An entity that cannot be detected is refused, with the choices."""
        with pytest.raises(ValueError, match="PERSON_NAME"):
            Scanner(["PERSON_NAME"])

    def test_not_text(self) -> None:
        """Only str is scanned."""
        with pytest.raises(TypeError):
            SCANNER.find(b"13812345678")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="text must be str, not bytes"):
            SCANNER.spans(b"13812345678")  # type: ignore[arg-type]

    def test_passes_skipped_without_their_character(self) -> None:
        """Texts without '@', '.' or ':' still find everything else; with them, all entities."""
        assert spans("13812345678 4111111111111111") == [
            ("CN_MOBILE", "13812345678"),
            ("PAYMENT_CARD", "4111111111111111"),
        ]
        assert spans("from 10.0.0.1 and fe80::1 to a@b.cn") == [
            ("IP_ADDRESS", "10.0.0.1"),
            ("IP_ADDRESS", "fe80::1"),
            ("EMAIL", "a@b.cn"),
        ]
        # Full-width at signs and full stops fold to ASCII before the check.
        assert spans("邮箱ａ＠ｂ．ｃｎ") == [("EMAIL", "ａ＠ｂ．ｃｎ")]

    def test_scan_lines(self) -> None:
        """Line streams give 1-based line numbers."""
        lines = iter(["nothing\n", "手机13812345678\n", "a@b.cn x@y.cn\n"])
        found = [(n, f.entity) for n, f in SCANNER.scan_lines(lines)]
        assert found == [(2, "CN_MOBILE"), (3, "EMAIL"), (3, "EMAIL")]

    def test_finding_repr_hides_text(self) -> None:
        """A finding's repr shows the entity and span only."""
        finding = SCANNER.find("13812345678")[0]
        assert repr(finding) == "Finding(CN_MOBILE, 0:11)"
        assert isinstance(finding, Finding)


_PIECES = st.sampled_from(
    [ID, "13812345678", "4111 1111 1111 1111", "a@b.cn", "192.168.0.1", "手机", "，", " ", "x", "1"]
)


class TestProperties:
    @settings(max_examples=300)
    @given(st.text(max_size=300))
    def test_never_raises_and_spans_validate(self, text: str) -> None:
        """On any text, findings are ordered, non-overlapping, exact and valid."""
        found = SCANNER.find(text)
        last = 0
        for f in found:
            assert f.start >= last
            assert f.start < f.end
            assert text[f.start : f.end] == f.text
            assert f.entity in DETECTABLE
            folded = f.text.translate({cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)})
            assert is_valid(f.entity, folded)
            last = f.end

    @given(st.lists(_PIECES, max_size=30).map("".join))
    def test_composed_text(self, text: str) -> None:
        """Texts made of entities and glue always give valid, exact findings."""
        for f in SCANNER.find(text):
            assert text[f.start : f.end] == f.text

    @given(st.lists(_PIECES, max_size=30).map("".join))
    def test_spans_are_the_findings(self, text: str) -> None:
        """spans() gives exactly find()'s findings as (start, end, entity) tuples."""
        assert SCANNER.spans(text) == [(f.start, f.end, f.entity) for f in SCANNER.find(text)]


# The patterns as first written, with the boundary check in front; the scanner's
# own forms move it behind the first character for speed and must match the same.
_PLAIN_BEFORE = r"(?<![0-9A-Za-z_])"
_PLAIN_AFTER = r"(?![0-9A-Za-z_])"
_PLAIN_PATTERNS = {
    "_RESIDENT_ID": _PLAIN_BEFORE
    + r"(?:[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
    + r"[0-9]{3}[0-9Xx]|[1-9][0-9]{5}[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3})"
    + _PLAIN_AFTER,
    "_USCC": _PLAIN_BEFORE
    + r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}"
    + _PLAIN_AFTER,
    "_IBAN": _PLAIN_BEFORE
    + r"[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?"
    + _PLAIN_AFTER,
    "_SSN": _PLAIN_BEFORE + r"[0-9]{3}([ \-])[0-9]{2}\1[0-9]{4}" + _PLAIN_AFTER,
    "_IPV6": r"(?<![0-9A-Za-z_:.])(?=[0-9A-Fa-f]{0,4}:)[0-9A-Fa-f:.]{2,44}[0-9A-Fa-f:]"
    r"(?![0-9A-Za-z_:]|\.[0-9A-Za-z])",
    "_IPV4": r"(?<![0-9A-Za-z_.])(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
    r"(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}(?![0-9A-Za-z_]|\.[0-9])",
    "_DIGITS": r"(?<![0-9A-Za-z_+(])(?:\+|\()?[0-9](?:(?:[ \-]|\) ?)?[0-9]){6,22}" + _PLAIN_AFTER,
}
_PATTERN_TEXT = st.text(alphabet="0123456789X AFZaf:.-_1()+", max_size=120) | st.lists(
    st.sampled_from([ID, "91350100M000100Y43", "GB82WEST12345698765432", "078-05-1120",
                     "fe80::1", "1:2:3:4:5:6:7:8", "192.168.0.1", "+86 138 1234 5678",
                     "(415) 555-0100", "12-34-5678", "a", "_", " ", ":", ".", "9", "X", "-",
                     "25", "("]),
    max_size=12,
).map("".join)  # fmt: skip
_EMAIL_TEXT = st.lists(
    st.sampled_from(["@", ".", "-", "a", "Z", "9", "_", "%", "+", " ", "=", "example.com",
                     "a" * 60, "x.y", ".-", "-.", "@@", "中"]),
    max_size=20,
).map("".join)  # fmt: skip


class TestPatterns:
    @settings(max_examples=400)
    @given(_PATTERN_TEXT)
    def test_fast_forms_match_the_plain_forms(self, text: str) -> None:
        """Each pattern with its boundary check moved finds exactly the plain form's spans."""
        for name, plain in _PLAIN_PATTERNS.items():
            fast = getattr(_scanner, name)
            assert [m.span() for m in fast.finditer(text)] == [
                m.span() for m in re.finditer(plain, text)
            ], name

    @settings(max_examples=400)
    @given(_PATTERN_TEXT)
    def test_shared_identifier_pass_matches_both_plain_forms(self, text: str) -> None:
        """The one pass for resident IDs and credit codes finds the spans of both plain forms."""
        plain = {
            m.span()
            for name in ("_RESIDENT_ID", "_USCC")
            for m in re.finditer(_PLAIN_PATTERNS[name], text)
        }
        shared = [m.span() for m in _scanner._RESIDENT_ID_OR_USCC.finditer(text)]
        assert shared == sorted(plain)

    @settings(max_examples=400)
    @given(_PATTERN_TEXT)
    def test_identifier_and_ssn_pass_matches_the_three_plain_forms(self, text: str) -> None:
        """The one pass for both identifiers and the SSN finds the spans of all three."""
        plain = {
            m.span()
            for name in ("_RESIDENT_ID", "_USCC", "_SSN")
            for m in re.finditer(_PLAIN_PATTERNS[name], text)
        }
        shared = [m.span() for m in _scanner._IDS_OR_SSN.finditer(text)]
        assert shared == sorted(plain)

    @given(
        st.lists(_PIECES | st.sampled_from(["91350100M000100Y43", "078-05-1120"]), max_size=20).map(
            "".join
        )
    )
    def test_identifier_subsets_agree_with_the_shared_pass(self, text: str) -> None:
        """Scanning for one identifier, or two, finds what the shared pass finds for them."""
        every = SCANNER.find(text)
        for wanted in (
            {"CN_RESIDENT_ID"},
            {"CN_USCC"},
            {"US_SSN"},
            {"CN_RESIDENT_ID", "CN_USCC"},
            {"CN_RESIDENT_ID", "US_SSN"},
        ):
            alone = Scanner(wanted).find(text)
            assert [(f.start, f.end) for f in alone] == [
                (f.start, f.end) for f in every if f.entity in wanted
            ]

    @settings(max_examples=400)
    @given(_EMAIL_TEXT)
    @example("a@example.com@example.com")  # the second @'s run starts inside the first match
    @example("x" * 70 + "@example.com y" + "z" * 64 + "@example.com")  # a run too long
    @example("@example.com .@a.bc a@b.c-d.ef")
    def test_email_search_from_each_at_matches_a_full_scan(self, text: str) -> None:
        """Looking for addresses from each @ finds exactly the full scan's matches."""
        assert [m.span() for m in _scanner._email_matches(text)] == [
            m.span() for m in _scanner._EMAIL.finditer(text)
        ]

    @settings(max_examples=400)
    @given(_EMAIL_TEXT)
    def test_email_check_agrees_with_the_validator(self, text: str) -> None:
        """The scanner's short check of a matched address agrees with is_email."""
        for match in _scanner._EMAIL.finditer(text):
            assert _scanner._email_ok(match.group()) == is_valid("EMAIL", match.group())

    @given(_PATTERN_TEXT)
    def test_skipped_ip_passes_could_find_nothing(self, text: str) -> None:
        """A pass skipped for want of dots or colons would have reported nothing."""
        if not _scanner._may_hold_ipv4(text):
            assert not list(_scanner._IPV4.finditer(text))
        if not _scanner._may_hold_ipv6(text):
            assert all(_scanner._ipv6(m.group()) is None for m in _scanner._IPV6.finditer(text))


class TestLinearTime:
    @pytest.mark.parametrize("unit", ["1", "@", ".", "a@", "1-", "手1", "１", "a.b"])
    def test_pathological_input(self, unit: str) -> None:
        """1 MB of a repeated pattern scans in linear time, compared with 50 KB.

        The input is 20x larger, so a linear scanner takes about 20x as long
        and a quadratic one about 400x. The bound allows 2x for timing noise on
        a shared machine (a bound of exactly 20x would fail on noise alone).
        """
        small = unit * (50_000 // len(unit))
        large = unit * (1_000_000 // len(unit))

        def best(text: str, repeat: int) -> float:
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                SCANNER.find(text)
                times.append(time.perf_counter() - start)
            return min(times)

        assert best(large, 3) < 40 * best(small, 7)


class TestRetryInParts:
    @pytest.mark.parametrize(
        ("text", "found"),
        [
            ("ref 12 6222021234567890128 99", ("PAYMENT_CARD", "6222021234567890128")),
            ("订单 2024 4111 1111 1111 1111 7", ("PAYMENT_CARD", "4111 1111 1111 1111")),
            ("call 0 13812345678 1", ("CN_MOBILE", "13812345678")),
        ],
    )
    def test_entity_between_other_digit_groups_is_found(
        self, text: str, found: tuple[str, str]
    ) -> None:
        """A digit group that is nothing as a whole is retried in parts: no leak by a neighbour."""
        assert found in [(f.entity, f.text) for f in Scanner().find(text)]

    def test_dates_and_short_groups_stay_unreported(self) -> None:
        """Parts too short for any entity report nothing."""
        assert Scanner().find("2024-08-31 12 30") == []

"""The scanner: exact spans in Chinese and English text, validation, linear time."""

from __future__ import annotations

import json
import re
import re._constants as _re_c
import re._parser
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from secpolicy.exceptions import PolicyConfigError
from secpolicy.pii import (
    DETECTABLE,
    Finding,
    Recognizer,
    Scanner,
    _digitruns,
    _email,
    _fields,
    _fold,
    _identifiers,
    _ids,
    _phone,
    _readings,
    _recognizer,
    _scanner,
    _scoring,
    is_valid,
    presets,
)

from .conftest import luhn_complete, resident_id

SCANNER = Scanner()
# The scanner and the private modules of its passes.
_SCANNER_MODULES = (_scanner, _digitruns, _email, _fold, _identifiers, _recognizer, _scoring)
ID = "11010519491231002X"
DIGIT_ID = resident_id("110105", date(1990, 1, 2), 3)  # ends in a digit


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
    + r"[0-9]{3}[0-9Xx]|[1-9][0-9]{5}[ \-./](?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])"
    + r"(?:0[1-9]|[12][0-9]|3[01])[ \-./][0-9]{3}[0-9Xx]"
    + r"|[1-9][0-9]{5}( |-)[0-9]{4}\1[0-9]{4}\1[0-9]{3}[0-9Xx]"
    + r"|[1-9][0-9]{3}( |-)[0-9]{4}\2[0-9]{4}\2[0-9]{4}\2[0-9][0-9Xx]"
    + r"|[1-9][0-9]{5}[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3})"
    + _PLAIN_AFTER,
    "_USCC": _PLAIN_BEFORE
    + r"[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{10}"
    + _PLAIN_AFTER,
    "_IBAN": _PLAIN_BEFORE + r"[A-Za-z]{2}[0-9]{2}(?:[ \-./_]?[A-Za-z0-9]){11,34}",
    "_SSN": _PLAIN_BEFORE + r"[0-9]{3}[ \-./][0-9]{2}[ \-./][0-9]{4}" + _PLAIN_AFTER,
    "_IPV6": r"(?<![0-9A-Za-z_:.])(?=[0-9A-Fa-f]{0,4}:)[0-9A-Fa-f:.]{2,44}[0-9A-Fa-f:]"
    r"(?![0-9A-Za-z_:]|\.[0-9A-Za-z])",
    "_IPV4": r"(?:(?<=[A-Za-z]\.)|(?<![0-9A-Za-z.]))(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
    r"(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}(?![0-9A-Za-z_]|\.[0-9])",
    "_DIGITS": r"(?:(?<![0-9+(])|(?<=\()(?=[+(])|(?<=[0-9])(?=\+))"
    r"(?:\+ ?|\()?[0-9]+(?:(?:[ \-.,/]|\) ?| ?\()[0-9]+)*"
    r"(?: ?(?:ext\.? ?|x ?|# ?)[0-9]{1,6})?(?![0-9])",
}
_PATTERN_TEXT = st.text(alphabet="0123456789X AFZaf:.-_1()+,/", max_size=120) | st.lists(
    st.sampled_from([ID, "110105-19491231.002X", "1101 0519 4912 3100 2X", "91350100M000100Y43",
                     "GB82WEST12345698765432",
                     "078-05-1120", "fe80::1", "1:2:3:4:5:6:7:8", "192.168.0.1",
                     "+86 138 1234 5678", "(415) 555-0100", "12-34-5678", "a", "_", " ", ":",
                     ".", "9", "X", "-", "25", "("]),
    max_size=12,
).map("".join)  # fmt: skip
_EMAIL_TEXT = st.lists(
    st.sampled_from(["@", ".", "-", "a", "Z", "9", "_", "%", "+", " ", "=", "example.com",
                     "a" * 60, "x.y", ".-", "-.", "@@", "中", '"', '"@', "\\", '"a b"']),
    max_size=20,
).map("".join)  # fmt: skip


# The fast forms whose plain form is a pattern of its own beside them.
_FAST_FORMS = {"_IBAN": "_IBAN_ANY"}


class TestPatterns:
    @settings(max_examples=400)
    @given(_PATTERN_TEXT)
    def test_fast_forms_match_the_plain_forms(self, text: str) -> None:
        """Each pattern with its boundary check moved finds exactly the plain form's spans."""
        for name, plain in _PLAIN_PATTERNS.items():
            fast = getattr(
                _digitruns if name == "_DIGITS" else _identifiers, _FAST_FORMS.get(name, name)
            )
            expected = [m.span() for m in re.finditer(plain, text)]
            if name == "_DIGITS":  # the fast form skips runs that do not start with 7 digits
                seven = r"(?:\+ ?|\()?[0-9](?:(?:[ \-.,/]|\) ?| ?\()?[0-9]){6}"
                expected = [(s, e) for s, e in expected if re.match(seven, text[s:])]
            assert [m.span() for m in fast.finditer(text)] == expected, name

    @settings(max_examples=300)
    @given(st.text(alphabet="0123456789a.\u3002\uff61\ufe52中 ", max_size=40))
    def test_wide_stop_pattern_matches_the_plain_form(self, text: str) -> None:
        """The stop-first pattern for CJK full stops between digits finds the plain form's."""
        plain = re.compile("(?<=[0-9])[\u3002\uff61\ufe52](?=[0-9])")
        fast = _identifiers._WIDE_STOP_DIGITS
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]

    @settings(max_examples=400)
    @given(_PATTERN_TEXT)
    def test_shared_identifier_pass_matches_both_plain_forms(self, text: str) -> None:
        """The one pass for resident IDs and credit codes finds the spans of both plain forms."""
        plain = {
            m.span()
            for name in ("_RESIDENT_ID", "_USCC")
            for m in re.finditer(_PLAIN_PATTERNS[name], text)
        }
        shared = [m.span() for m in _identifiers._RESIDENT_ID_OR_USCC.finditer(text)]
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
        shared = [m.span() for m in _identifiers._IDS_OR_SSN.finditer(text)]
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
            others = [f for f in every if f.entity not in wanted]
            # A value glued into a longer finding (an ID in an e-mail's local
            # part) is that finding's when every entity is looked for.
            alone = [
                f
                for f in Scanner(wanted).find(text)
                if not any(o.start < f.end and f.start < o.end for o in others)
            ]
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
        assert list(_email.email_matches(text)) == [m.span() for m in _email.EMAIL.finditer(text)]

    @settings(max_examples=400)
    @given(_EMAIL_TEXT)
    @example("@a a@ a@b 中@中 @@ é@x")
    def test_at_first_pattern_matches_the_lookbehind_first_form(self, text: str) -> None:
        """The @ found first, then checked behind, finds what the lookbehind-first form finds."""
        local = _email._LOCAL[:-1] + _email._CJK + "]"
        after = _email._AT.pattern[_email._AT.pattern.index("@)") + 2 :]
        plain = re.compile("(?<=" + local + ")@" + after)
        assert [m.span() for m in _email._AT.finditer(text)] == [
            m.span() for m in plain.finditer(text)
        ]

    @settings(max_examples=400)
    @given(_EMAIL_TEXT)
    def test_email_check_agrees_with_the_validator(self, text: str) -> None:
        """The scanner's short check of a matched address agrees with is_email."""
        for match in _email.EMAIL.finditer(text):
            assert _email.email_ok(match.group()) == is_valid("EMAIL", match.group())

    @given(_PATTERN_TEXT)
    def test_skipped_ip_passes_could_find_nothing(self, text: str) -> None:
        """A pass skipped for want of dots or colons would have reported nothing."""
        if not _identifiers._may_hold_ipv4(text):
            assert not list(_identifiers._IPV4.finditer(text))
        if not _identifiers._may_hold_ipv6(text):
            assert all(
                _identifiers._ipv6(m.group()) is None for m in _identifiers._IPV6.finditer(text)
            )

    @settings(max_examples=400)
    @given(
        _PATTERN_TEXT
        | st.lists(st.sampled_from(["1", "25", "255", "256", ".", "\u3002", "a", " ", "中", "_",
                                    "192.168.0.1", "10.0.0"]), max_size=16).map("".join)
    )  # fmt: skip
    @example("1.192.168.0.1")  # the first hint inside the address, its start before it
    @example("255.1.2.3 4.5.6.7")
    def test_ipv4_search_from_the_hint_finds_what_a_full_search_finds(self, text: str) -> None:
        """Searching for IPv4 addresses from just before the first hint misses none."""
        seen = text if text.isascii() else _identifiers._WIDE_STOP_DIGITS.sub(".", text)
        plain = [(m.start(), m.end()) for m in _identifiers._IPV4.finditer(seen)]
        assert [c[:2] for c in _identifiers._ipv4_pass(text)] == plain


_UNITS = ["1", "@", ".", "a@", "1-", "手1", "１", "a.b", ":", "1.1", "a:", "a-", '"@', '"a@',
          "\r\n1", "1  ", "1 - ", "a  1", "4111  1111  ", "a@b\u3002c", "BE71-"]  # fmt: skip

# Counts the Python-level work of one scan (trace events: lines, calls,
# returns, C calls) for each pathological unit repeated to 10 KB and 100 KB.
# It runs in a child interpreter so that the coverage tracer of the test run
# is neither replaced nor counted.
_COUNT_WORK = """
import json, sys
from secpolicy.pii import Scanner

scanner = Scanner()

def work(text):
    events = 0
    def trace(frame, event, arg):
        nonlocal events
        events += 1
        return trace
    def profile(frame, event, arg):
        nonlocal events
        events += 1
    sys.settrace(trace)
    sys.setprofile(profile)
    try:
        scanner.find(text)
    finally:
        sys.settrace(None)
        sys.setprofile(None)
    return events

units = json.loads(sys.argv[1])
print(json.dumps({u: [work(u * (n // len(u))) for n in (10_000, 100_000)] for u in units}))
"""


def _unbounded_repeats(pattern: re._parser.SubPattern) -> int:
    """How many repeats in a parsed pattern (lookarounds included) have no upper bound."""
    found = 0
    for op, av in pattern.data:
        if op in (_re_c.MAX_REPEAT, _re_c.MIN_REPEAT, _re_c.POSSESSIVE_REPEAT):
            found += av[1] == _re_c.MAXREPEAT
            found += _unbounded_repeats(av[2])
        elif op is _re_c.SUBPATTERN:
            found += _unbounded_repeats(av[3])
        elif op in (_re_c.ASSERT, _re_c.ASSERT_NOT):
            found += _unbounded_repeats(av[1])
        elif op is _re_c.BRANCH:
            found += sum(_unbounded_repeats(branch) for branch in av[1])
        elif op is _re_c.ATOMIC_GROUP:
            found += _unbounded_repeats(av)
        elif op is _re_c.GROUPREF_EXISTS:
            found += sum(_unbounded_repeats(branch) for branch in av[1:] if branch is not None)
    return found


@pytest.fixture(scope="module")
def scan_work() -> dict[str, list[int]]:
    """Trace events of one scan of each unit at 10 KB and 100 KB."""
    result = subprocess.run(
        [sys.executable, "-c", _COUNT_WORK, json.dumps(_UNITS)],
        capture_output=True,
        text=True,
        check=True,
    )
    counts: dict[str, list[int]] = json.loads(result.stdout)
    return counts


class TestLinearTime:
    """Linear time, pinned by counting work rather than by a clock.

    The regular expressions run in C, where no work can be counted; their side
    is pinned by shape: with every repetition bounded, each match attempt looks
    at a bounded number of characters, so a pass is linear in the text length.
    The Python side (the loops over candidates and ``@`` signs, the
    classifiers) is pinned by counting trace events at two sizes. The time
    itself is measured in ``benchmarks/bench_pii_linear.py``.
    """

    # Digit runs are matched whole, however long, so that a card or mobile
    # number inside a long run of numbers is still found by the retry in
    # parts (a bounded run would leave its tail unscanned: a silent leak).
    # Both patterns are linear by construction: _GROUP is one character
    # class; in _DIGITS a run can start only where no digit, letter, + or (
    # precedes, and every separator alternative is followed by a digit, so a
    # failed match gives back at most one character per group.
    LINEAR_BY_CONSTRUCTION = frozenset({"_GROUP", "_DIGITS"})

    def test_every_pattern_is_bounded(self) -> None:
        """Every regular expression of the scanner has bounded repetition, lookarounds too."""
        patterns = {
            n: p
            for module in _SCANNER_MODULES
            for n, p in vars(module).items()
            if isinstance(p, re.Pattern)
        }
        assert len(patterns) >= 10  # the scan found the scanner's patterns
        unbounded = {
            n
            for n, p in patterns.items()
            if _unbounded_repeats(re._parser.parse(p.pattern, p.flags))
        }
        assert unbounded == self.LINEAR_BY_CONSTRUCTION

    def test_long_digit_runs_are_scanned_to_the_end(self) -> None:
        """A card at the end of a long run of numbers is still masked (why runs are unbounded)."""
        from secpolicy.pii import presets

        run = " ".join(f"{n:04d}" for n in range(400)) + " 4111 1111 1111 1111"
        for masker in (presets.CN_DISPLAY, presets.PCI_DISPLAY):
            tail = masker.mask_text(run)[-19:]
            assert tail != "4111 1111 1111 1111"
            assert "1111 1111" not in tail

    def test_bound_check_sees_unbounded_repeats(self) -> None:
        """The shape check itself finds an unbounded repeat, also inside a lookahead."""
        assert _unbounded_repeats(re._parser.parse(r"(?=a+)b{1,3}")) == 1
        assert _unbounded_repeats(re._parser.parse(r"(?:x|y*)z")) == 1
        assert _unbounded_repeats(re._parser.parse(r"[0-9]{2,9}(?!q)")) == 0

    @pytest.mark.parametrize("unit", _UNITS)
    def test_pathological_input(self, unit: str, scan_work: dict[str, list[int]]) -> None:
        """Ten times the input costs at most about ten times the Python-level work.

        A linear scan gives a ratio of at most 10 (less where a constant part
        dominates); a quadratic one gives about 100.
        """
        small, large = scan_work[unit]
        assert large <= 11 * small


def _best_reading(
    options: list[tuple[int, int, int, int, int, str, float]],
) -> list[tuple[int, int, int, int, int, str, float]]:
    """The plain twin of ``_readings.choose``: every set of options apart, the best kept.

    Best: the most digits in options scoring 0.5 or more, weighted by rank
    (rank 0 thrice, 1 twice, 2 once), then the most weighted digits, then
    the most digits, then the fewest options; then the options from the
    left, each first in sorted order. An option left out that overlaps an
    SSN or IPv4 address kept and holds a group nothing kept covers is kept
    as well. Then each option left out, best first, whose first group
    nothing kept covers keeps its leading groups up to the first covered one.
    """
    ordered = sorted(options, key=lambda o: (o[2], o))
    best: tuple[tuple[int, ...], list[tuple[int, int, int, int, int, str, float]]] | None = None

    def walk(
        index: int, free_from: int, chosen: list[tuple[int, int, int, int, int, str, float]]
    ) -> None:
        nonlocal best
        digits = [-o[1] for o in chosen]
        weighted = [d * (3 - o[0]) for d, o in zip(digits, chosen, strict=True)]
        key = (
            sum(w for w, o in zip(weighted, chosen, strict=True) if o[6] >= 0.5),
            sum(weighted),
            sum(digits),
            -len(chosen),
        )
        order = [(o[2], o) for o in chosen]
        if (
            best is None
            or key > best[0]
            or (key == best[0] and order < [(o[2], o) for o in best[1]])
        ):
            best = (key, list(chosen))
        for k in range(index, len(ordered)):
            if ordered[k][2] >= free_from:
                walk(k + 1, ordered[k][3] + 1, [*chosen, ordered[k]])

    walk(0, 0, [])
    assert best is not None
    chosen = best[1]
    held = [o for o in chosen if not o[5]]
    covered = {k for o in chosen for k in range(o[2], o[3] + 1)}
    for o in options:
        if (
            o[5]
            and o not in chosen
            and any(set(range(o[2], o[3] + 1)) & set(range(f[2], f[3] + 1)) for f in held)
            and not set(range(o[2], o[3] + 1)) <= covered
        ):
            chosen.append(o)  # beside an SSN or IPv4 address, its own groups uncovered
    covered = {k for o in chosen for k in range(o[2], o[3] + 1)}
    kept = list(chosen)
    for o in sorted(options):
        if not o[5] or o in chosen or o[2] in covered:
            continue  # only a loser's leading groups, before what won, stay covered
        stretch = []
        for k in range(o[2], o[3] + 1):
            if k in covered:
                break
            stretch.append(k)
        covered |= set(stretch)
        kept.append((o[0], o[1], stretch[0], stretch[-1], o[4], o[5], o[6]))
    return kept


def _plain_split(text: str) -> list[tuple[int, int, str]]:
    """The plain twin of the sub-run retry: every sub-run of groups, unbounded, the best reading.

    Every sub-run that classifies is an option, and so is every SSN or IPv4
    address the identifier patterns find on group boundaries (not reported);
    the reading is chosen by :func:`_best_reading`.
    """
    digits = _digitruns._Digits(
        frozenset({"PAYMENT_CARD", "CN_MOBILE", "PHONE"}), ("CN", "US", "GB")
    )
    groups = [m.span() for m in re.finditer(r"[0-9]+", text)]
    count = len(groups)
    rank = {"PAYMENT_CARD": 0, "CN_MOBILE": 1, "PHONE": 2}
    options = []
    for i in range(count):
        for j in range(i, count):
            if i == 0 and j == count - 1:
                continue  # the whole run, tried first
            start = groups[i][0]
            if start > 0 and text[start - 1] in "+(":
                start -= 1
            part = groups[i : j + 1]
            number = "".join(text[s:e] for s, e in part)
            result = digits.classify(text[start : groups[j][1]], number, [e - s for s, e in part])
            if result is not None:
                options.append((rank[result[0]], -len(number), i, j, start, result[0], result[1]))
    firsts = {s: k for k, (s, _) in enumerate(groups)}
    lasts = {e: k for k, (_, e) in enumerate(groups)}
    for pattern, entity in ((_identifiers._SSN, "US_SSN"), (_identifiers._IPV4, "IP_ADDRESS")):
        for m in pattern.finditer(text):
            if m.start() in firsts and m.end() in lasts:
                i, j = firsts[m.start()], lasts[m.end()]
                shown = m.group()
                score = _identifiers._id_score(entity, shown) if entity == "US_SSN" else 0.7
                if entity == "IP_ADDRESS" or _ids._ssn_match_ok(shown):
                    size = sum(e - s for s, e in groups[i : j + 1])
                    options.append((1, -size, i, j, -1, "", score))
    reading = _best_reading(options)
    return sorted((o[4], groups[o[3]][1], o[5]) for o in reading if o[5])


class _PlainDigits(_digitruns._Digits):
    """The digit-run classifier without the shortcuts of find (its plain twin)."""

    __slots__ = ()
    shortcuts = False


_RUN_PIECES = st.lists(
    st.sampled_from(["13812345678", "4111111111111111", "3714", "496353", "98431", "2024",
                     "12", "1", "0", "415", "555", "0132", "+86", "020", "7946", "0958", "(010)",
                     "86", "00"]),
    min_size=1,
    max_size=14,
)  # fmt: skip


class TestNeighbouringDigits:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            (
                "13812345678 13987654321",
                [("CN_MOBILE", "13812345678"), ("CN_MOBILE", "13987654321")],
            ),
            ("4111111111111111 12/25 123", [("PAYMENT_CARD", "4111111111111111")]),
            ("4111 1111 1111 1111 123", [("PAYMENT_CARD", "4111 1111 1111 1111")]),
            ("手机13812345678 2024年入职", [("CN_MOBILE", "13812345678")]),
            ("2024-05-01 13812345678", [("CN_MOBILE", "13812345678")]),
            ("+86 138 1234 5678 2024", [("CN_MOBILE", "+86 138 1234 5678")]),
            (
                "4111 1111 1111 1111 5555 5555 5555 4444 3782 822463 10005",
                [
                    ("PAYMENT_CARD", "4111 1111 1111 1111"),
                    ("PAYMENT_CARD", "5555 5555 5555 4444"),
                    ("PAYMENT_CARD", "3782 822463 10005"),
                ],
            ),
            (
                "4111111111111111 5555555555554444 378282246310005",
                [
                    ("PAYMENT_CARD", "4111111111111111"),
                    ("PAYMENT_CARD", "5555555555554444"),
                    ("PAYMENT_CARD", "378282246310005"),
                ],
            ),
        ],
    )
    def test_run_retried_in_parts(self, text: str, expected: list[tuple[str, str]]) -> None:
        """A digit run that is not one entity is retried in sub-runs split at its separators."""
        assert spans(text) == expected

    @settings(max_examples=300)
    @given(_RUN_PIECES, st.sampled_from([" ", "-", "."]))
    def test_split_matches_the_plain_twin(self, pieces: list[str], separator: str) -> None:
        """The bounded sub-run retry finds what trying every sub-run finds."""
        text = separator.join(pieces)
        digits = _digitruns._Digits(
            frozenset({"PAYMENT_CARD", "CN_MOBILE", "PHONE"}), ("CN", "US", "GB")
        )
        groups = [m.span() for m in re.finditer(r"[0-9]+", text)]
        fast = [(s, e, entity) for s, e, entity, _ in digits.split(text, groups)]
        assert fast == _plain_split(text)

    @settings(max_examples=300)
    @given(
        st.lists(
            st.tuples(
                st.integers(0, 2),
                st.integers(0, 7),
                st.integers(0, 3),
                st.sampled_from(["PHONE", ""]),
                st.sampled_from([0.4, 0.6]),
            ),
            max_size=9,
        )
    )
    def test_reading_matches_the_plain_twin(
        self, drawn: list[tuple[int, int, int, str, float]]
    ) -> None:
        """The dynamic programme over groups picks the reading every set of options ranks best."""
        options = [
            (rank, -(2 + (first * 7 + span) % 11), first, first + span, first, entity, score)
            for rank, first, span, entity, score in drawn
        ]
        options = list(dict.fromkeys(options))
        chosen = _readings.choose(
            [o for o in options if o[5]],
            11,
            [(o[2], o[3], -o[1], o[6]) for o in options if not o[5]],
        )
        foreign = [(1, o[1], o[2], o[3], -1, "", o[6]) for o in options if not o[5]]
        plain = _best_reading([o for o in options if o[5]] + foreign)
        assert chosen == sorted((o[4], o[3], o[5], o[6]) for o in plain if o[5])

    @settings(max_examples=500)
    @given(
        _RUN_PIECES,
        st.lists(st.sampled_from([" ", "-", ".", "/", ",", ") ", " ("]), min_size=13, max_size=13),
        st.sampled_from(["", " ", "X", "x"]),
        st.sampled_from([SCANNER.phone_regions, ("US",), ("IT", "US"), ("BR", "US")]),
    )
    @example(["520", "05", "1409"], ["-"] * 13, " ", ("US",))
    @example(["946", "659", "5717"], [" "] * 13, " ", ("US",))
    @example(["946", "659", "0717"], [" "] * 13, " ", ("US",))
    @example(["946", "659", "5717", "12"], [" "] * 13, "", ("IT", "US"))
    @example(["2024", "08", "31", "12", "30"], ["-", "-", " ", " "] + [" "] * 9, "", ("US",))
    def test_find_shortcuts_match_the_plain_twin(
        self, pieces: list[str], separators: list[str], after: str, regions: tuple[str, ...]
    ) -> None:
        """Runs too short in every part to retry give what retrying them gives."""
        text = pieces[0] + "".join(
            sep + piece for sep, piece in zip(separators, pieces[1:], strict=False)
        )
        entities = frozenset({"PAYMENT_CARD", "CN_MOBILE", "PHONE"})
        for match in _digitruns._DIGITS.finditer(text):
            run = match.group()
            fast = _digitruns._Digits(entities, regions, resident_ids=True)
            plain = _PlainDigits(entities, regions, resident_ids=True)
            assert fast.find(run, 3, after) == plain.find(run, 3, after)

    def test_long_run_of_short_groups(self) -> None:
        """A long run of one-digit groups gives nothing and is not classified whole."""
        assert spans("1 " * 5000) == []


class TestIban:
    @pytest.mark.parametrize(
        ("text", "iban"),
        [
            ("BE71 0961 2345 6769 EUR", "BE71 0961 2345 6769"),
            ("iban be71 0961 2345 6769.", "be71 0961 2345 6769"),
            ("BE71-0961-2345-6769", "BE71-0961-2345-6769"),
            ("GB82WEST12345698765432 paid", "GB82WEST12345698765432"),
            ("转账至DE89370400440532013000。", "DE89370400440532013000"),
        ],
    )
    def test_cut_at_the_country_length(self, text: str, iban: str) -> None:
        """An IBAN ends after its country's length, in any case, with spaces or dashes."""
        assert spans(text) == [("IBAN", iban)]

    def test_bank_code_not_looked_up(self) -> None:
        """A valid IBAN whose bank code no table lists is still an IBAN."""
        assert is_valid("IBAN", "BE71096123456769")
        assert spans("BE88 9990 0000 0051") == [("IBAN", "BE88 9990 0000 0051")]

    @pytest.mark.parametrize(
        "decoy",
        [
            "BE71 0961 2345 6768",
            "BE71 0961 2345 67690",
            "ZZ71 0961 2345 6769",
            "BE00 0961 2345 6769",
        ],
    )
    def test_wrong_check_length_or_country(self, decoy: str) -> None:
        """A wrong check, a wrong length, an unknown country or check digits 00 give no IBAN."""
        assert "IBAN" not in [entity for entity, _ in spans(decoy)]

    def test_digit_only_countries_agree_with_the_registry(self) -> None:
        """The countries whose account number is digits only are those of the registry."""
        import stdnum.iban

        from secpolicy.pii._ids import IBAN_DIGIT_COUNTRIES

        registry = Path(stdnum.iban.__file__).with_name("iban.dat").read_text(encoding="utf-8")
        digits_only = set()
        for line in registry.splitlines():
            found = re.match(r'([A-Z]{2}) country=".*" bban="(.*)"', line)
            if found and set(re.findall(r"[0-9]+!([nac])", found[2])) == {"n"}:
                digits_only.add(found[1])
        assert digits_only == IBAN_DIGIT_COUNTRIES

    def test_lengths_agree_with_the_registry(self) -> None:
        """The country lengths agree with the IBAN registry python-stdnum ships."""
        import stdnum.iban

        from secpolicy.pii._ids import IBAN_LENGTHS

        registry = Path(stdnum.iban.__file__).with_name("iban.dat").read_text(encoding="utf-8")
        lengths = {}
        for line in registry.splitlines():
            found = re.match(r'([A-Z]{2}) country=".*" bban="(.*)"', line)
            if found:
                lengths[found[1]] = 4 + sum(int(n) for n in re.findall(r"([0-9]+)!", found[2]))
        assert {c: n for c, n in IBAN_LENGTHS.items() if c in lengths} == lengths


class TestPhones:
    @pytest.mark.parametrize(
        "phone",
        [
            "972.238.9261",
            "4155550132",
            "(415) 555-2671",
            "+1 (415) 555-0132",
            "415-555-0132 ext. 123",
            "415-555-0132 x12",
            "020 7946 0958",
            "030 1234567",
            "01 42 68 53 00",
            "01.42.68.53.00",
            "03-1234-5678",
            "(11) 98456-5666",
            "+44 (0)20 7946 0958",
            "0044 20 7946 0958",
            "+33 1 42 68 53 00",
            "010-12345678",
            "(010)12345678",
            "0755-1234567",
            "021-62345678",
            "400-123-4567",
            "800-820-8820",
            "1-800-555-0199",
        ],
    )
    def test_formats(self, phone: str) -> None:
        """International and national formats are one PHONE finding (bare digits after a word)."""
        assert spans(f"tel: {phone};") == [("PHONE", phone)]
        assert spans(f"{phone}") == ([] if phone.isdigit() else [("PHONE", phone)])

    @pytest.mark.parametrize(
        "mobile",
        ["138.1234.5678", "138—1234—5678", "138\u00a01234\u00a05678", "0086 138 1234 5678",
         "+86 138-1234-5678", "8613812345678"],
    )  # fmt: skip
    def test_mobile_separators(self, mobile: str) -> None:
        """Mobile numbers with dots, em dashes, no-break spaces and 0086 are CN_MOBILE."""
        assert spans(f"手机{mobile}") == [("CN_MOBILE", mobile)]

    def test_us_toll_free_is_not_a_mobile(self) -> None:
        """1-800-555-0199 has the digits of a mobile number but is a US phone."""
        assert spans("1-800-555-0199") == [("PHONE", "1-800-555-0199")]

    def test_spaced_groups_without_context(self) -> None:
        """Three spaced groups without a trunk prefix or context word score below the threshold."""
        assert spans("stats: 628 846 1088") == []
        assert spans("phone: 628 846 1088") == [("PHONE", "628 846 1088")]
        low = Scanner(threshold=0.3).find("stats: 628 846 1088")
        assert [f.entity for f in low] == ["PHONE"]
        assert low[0].score < 0.5

    def test_regions_configurable(self) -> None:
        """National formats count only for the scanner's regions; international ones always."""
        china = Scanner(phone_regions=("CN",))
        assert spans("0161 496 0000", china) == []
        assert spans("0161 496 0000", Scanner(phone_regions=("GB",))) == [
            ("PHONE", "0161 496 0000")
        ]
        assert spans("+44 20 7946 0958", china) == [("PHONE", "+44 20 7946 0958")]
        assert spans("010-12345678", china) == [("PHONE", "010-12345678")]
        assert spans("020 7946 0958", Scanner(phone_regions=("GB",))) == [
            ("PHONE", "020 7946 0958")
        ]

    def test_unknown_region(self) -> None:
        """An unknown region code is a configuration error naming the field."""
        with pytest.raises(PolicyConfigError, match="phone_regions"):
            Scanner(phone_regions=("XX",))

    @pytest.mark.parametrize(
        "decoy", ["192.168.10.20", "3.14159265", "v10.0.19041.1", "1700000000"]
    )
    def test_dotted_and_bare_decoys(self, decoy: str) -> None:
        """Addresses, decimals, versions, epoch seconds and timestamps are not phones."""
        assert all(entity != "PHONE" for entity, _ in spans(decoy))


class TestCards:
    @pytest.mark.parametrize(
        "card",
        ["3714 496353 98431", "3056 930902 5904", "4111-1111-1111-1111", "6222 0212 3456 7890 128",
         "5555555555554444", "2223003122003222", "6011111111111117", "3530111333300000",
         "6200000000000005"],
    )  # fmt: skip
    def test_brands_and_layouts(self, card: str) -> None:
        """Cards of every network, grouped 4-4-4-4, 4-6-5 and 4-6-4, are found."""
        card = card if not card.startswith("6222") else luhn_complete("62220212345678901", 19)
        assert spans(f"card {card}") == [("PAYMENT_CARD", card)]

    def test_card_with_expiry_and_cvv(self) -> None:
        """A card followed by its expiry date and CVV is still found."""
        assert spans("4111 1111 1111 1111 12/25 123") == [("PAYMENT_CARD", "4111 1111 1111 1111")]

    def test_amex_is_not_a_resident_id(self) -> None:
        """A 15-digit Amex number that also reads as a first-generation ID is a card."""
        number = luhn_complete("37010519491231", 15)
        assert spans(number) == [("PAYMENT_CARD", number)]

    @pytest.mark.parametrize(
        "decoy",
        [
            luhn_complete("17000000000", 13),  # epoch milliseconds
            luhn_complete("9999", 16),  # no network
            luhn_complete("34", 16),  # Amex prefix, wrong length
            luhn_complete("51", 15),  # Mastercard prefix, wrong length
        ],
    )
    def test_issuer_ranges(self, decoy: str) -> None:
        """Luhn-valid numbers outside a network's range or length are not cards."""
        assert "PAYMENT_CARD" not in [entity for entity, _ in spans(decoy)]


class TestIdentifiers:
    def test_old_resident_id(self) -> None:
        """A 15-digit first-generation ID with a real birth date is found; a bad date is not."""
        assert spans("身份证110105491231002") == [("CN_RESIDENT_ID", "110105491231002")]
        assert spans("身份证110105491331002") == []

    def test_spaced_resident_id(self) -> None:
        """An ID written 6-8-4 with spaces is one finding."""
        assert spans(f"ID {ID[:6]} {ID[6:14]} {ID[14:]}") == [
            ("CN_RESIDENT_ID", f"{ID[:6]} {ID[6:14]} {ID[14:]}")
        ]

    def test_credit_code_region(self) -> None:
        """A credit code with a valid check character but no region code is not reported."""
        assert spans("91350100M000100Y43") == [("CN_USCC", "91350100M000100Y43")]
        assert not is_valid("CN_USCC", "91990100M000100Y4" + "3")

    @pytest.mark.parametrize("ssn", ["536-90-4399", "536 90 4399", "536.90.4399"])
    def test_ssn_separators(self, ssn: str) -> None:
        """SSNs with dashes, spaces or dots are found."""
        assert spans(f"SSN {ssn}") == [("US_SSN", ssn)]

    @pytest.mark.parametrize(
        ("text", "entity"),
        [
            ("护照号E12345678", "CN_PASSPORT"),
            ("passport EA1234567", "CN_PASSPORT"),
            ("护照G12345678", "CN_PASSPORT"),
            ("往来港澳通行证C12345678", "CN_HK_MACAU_PERMIT"),
            ("港澳通行证CA1234567", "CN_HK_MACAU_PERMIT"),
            ("往来台湾通行证L12345678", "CN_TAIWAN_PERMIT"),
        ],
    )
    def test_travel_documents(self, text: str, entity: str) -> None:
        """Passports and travel permits are found by their format."""
        assert [e for e, _ in spans(text)] == [entity]

    def test_travel_document_inside_a_token(self) -> None:
        """A document number inside a longer token is not reported."""
        assert spans("ORDE12345678X") == []


class TestEmail:
    @pytest.mark.parametrize(
        "address",
        ["a@xn--d1acufc.xn--p1ai", "user@bücher.de", "张三@例子.中国", "o'brien@example.ie",
         "josé.garcía@correo.es"],
    )  # fmt: skip
    def test_international_addresses(self, address: str) -> None:
        """IDN domains, punycode, CJK local parts and apostrophes are addresses."""
        assert spans(f"mail {address} ok") == [("EMAIL", address)]

    def test_chinese_text_around_ascii_address(self) -> None:
        """An ASCII address right after Chinese characters starts at its ASCII run."""
        assert spans("邮箱zs@example.com手机") == [("EMAIL", "zs@example.com")]

    def test_work_bounded_per_at(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """1 MB of @ costs no look-back at all; every look-back reads at most 65 characters."""
        from secpolicy.pii import _email

        calls: list[int] = []
        original = _email.local_start

        def counting(text: str, at: int) -> int:
            calls.append(at)
            return original(text, at)

        monkeypatch.setattr(_email, "local_start", counting)
        assert SCANNER.find("@" * 1_000_000) == []
        assert calls == []
        assert SCANNER.find("@ " * 100_000) == []
        assert calls == []
        text = "a@" * 50_000
        SCANNER.find(text)
        assert len(calls) <= text.count("@")
        assert _email.LOCAL_MAX + 1 == 65


class TestScores:
    def test_context_raises_the_score(self) -> None:
        """A context word shortly before a finding raises its score."""
        bare = SCANNER.find("E12345678")[0].score
        near = SCANNER.find("护照：E12345678")[0].score
        assert near > bare

    def test_context_stops_at_the_previous_finding(self) -> None:
        """A context word before one finding does not raise the next one."""
        assert spans("phone=+1 415 555 0132 stats: 628 846 1088") == [("PHONE", "+1 415 555 0132")]
        found = SCANNER.find("tel 628 846 1088, 1 2 3 628 846 1089")
        assert [f.text for f in found] == ["628 846 1088"]

    def test_context_word_inside_a_word_does_not_count(self) -> None:
        """'tel' inside 'hotel' is no context word."""
        assert spans("hotel 628 846 1088") == []

    def test_threshold(self) -> None:
        """A threshold of 1 keeps only certain findings; 0 keeps every candidate."""
        assert spans("E12345678 a@b.cn", Scanner(threshold=1.0)) == []
        assert spans("stats 628 846 1088", Scanner(threshold=0.0)) == [("PHONE", "628 846 1088")]

    @pytest.mark.parametrize("threshold", [-0.1, 1.5, True])
    def test_bad_threshold(self, threshold: float) -> None:
        """A threshold outside 0 to 1 is a configuration error."""
        with pytest.raises(PolicyConfigError, match="threshold"):
            Scanner(threshold=threshold)

    def test_every_finding_has_a_score(self) -> None:
        """Scores lie between 0 and 1."""
        for f in SCANNER.find(f"{ID} 13812345678 a@b.cn 192.168.0.1 4111111111111111"):
            assert 0 < f.score <= 1


class TestRecognizers:
    def test_custom_entity(self) -> None:
        """A registered recognizer reports its entity, validated, with context raising its score."""
        employee = Recognizer(
            entity="EMPLOYEE_ID",
            pattern=r"EMP-[0-9]{6}",
            validator=lambda text: not text.endswith("000000"),
            context=("工号",),
            score=0.4,
        )
        scanner = Scanner(recognizers=[employee])
        assert spans("工号EMP-004211", scanner) == [("EMPLOYEE_ID", "EMP-004211")]
        assert spans("EMP-004211", scanner) == []  # 0.4 without context
        assert spans("工号EMP-000000", scanner) == []  # refused by the validator
        registered = Scanner()
        registered.register(employee)
        assert spans("工号EMP-004211", registered) == [("EMPLOYEE_ID", "EMP-004211")]
        positional = Scanner(recognizers=[Recognizer("EMPLOYEE_ID", r"EMP-[0-9]{6}")])
        assert spans("EMP-004211", positional) == [("EMPLOYEE_ID", "EMP-004211")]

    def test_register_keeps_settings(self) -> None:
        """register() adds to the scanner itself and keeps its entities, lists and threshold."""
        base = Scanner(["EMAIL"], threshold=0.7, allow_list=["a@b.cn"])
        extended = base.register(Recognizer(entity="TICKET", pattern=r"T-[0-9]{4}", score=0.9))
        assert extended is base
        assert extended.entities == {"EMAIL", "TICKET"}
        assert spans("a@b.cn c@d.cn T-1234", base) == [("EMAIL", "c@d.cn"), ("TICKET", "T-1234")]
        with pytest.raises(PolicyConfigError, match="recognizer"):
            base.register("x")  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        "kwargs",
        [{"entity": "lower", "pattern": "x"}, {"entity": "X", "pattern": "("},
         {"entity": "X", "pattern": "x", "score": 2}],
    )  # fmt: skip
    def test_bad_recognizer(self, kwargs: dict[str, object]) -> None:
        """A bad entity name, pattern or score is a configuration error."""
        with pytest.raises(PolicyConfigError):
            Recognizer(**kwargs)  # type: ignore[arg-type]

    def test_only_recognizers_accepted(self) -> None:
        """Scanner(recognizers=...) takes Recognizer objects only."""
        with pytest.raises(PolicyConfigError, match="recognizers"):
            Scanner(recognizers=["x"])  # type: ignore[list-item]


class TestAllowAndDenyLists:
    def test_allow_list(self) -> None:
        """Allowed values are never reported, whatever their separators."""
        scanner = Scanner(allow_list=["4111111111111111", "400-800-1234"])
        text = "test card 4111 1111 1111 1111, hotline 4008001234, real 5555555555554444"
        assert spans(text, scanner) == [("PAYMENT_CARD", "5555555555554444")]

    def test_deny_list(self) -> None:
        """Exact terms are reported as their entity, not inside longer words."""
        scanner = Scanner(deny_list={"PROJECT": ["Apollo", "天穹计划"], "CUSTOMER": "ACME Corp"})
        text = "Apollo for ACME Corp; Apollonia; 启动天穹计划"
        assert spans(text, scanner) == [
            ("PROJECT", "Apollo"),
            ("CUSTOMER", "ACME Corp"),
            ("PROJECT", "天穹计划"),
        ]

    def test_deny_list_entity_name(self) -> None:
        """A deny-list entity must be an upper-case name."""
        with pytest.raises(PolicyConfigError):
            Scanner(deny_list={"project": ["Apollo"]})

    def test_unknown_entity_is_a_config_error(self) -> None:
        """Scanner(["X"]) is a PolicyConfigError (a ValueError) naming the entity."""
        with pytest.raises(PolicyConfigError, match="X"):
            Scanner(["X"])


class TestPickling:
    def test_scanners_and_maskers_pickle(self) -> None:
        """Scanners and maskers pickle with the standard library and find the same afterwards."""
        import pickle

        from secpolicy.pii import presets

        scanner = Scanner(
            ["EMAIL", "CN_MOBILE"],
            allow_list=["hotline@example.cn"],
            deny_list={"PERSON_NAME": ["张伟"]},
            threshold=0.6,
        )
        text = "张伟 hotline@example.cn a@b.cn 13812345678"
        again = pickle.loads(pickle.dumps(scanner))  # noqa: S301 (our own bytes)
        assert again.find(text) == scanner.find(text)
        assert again.threshold == scanner.threshold
        masker = pickle.loads(pickle.dumps(presets.CN_DISPLAY))  # noqa: S301
        assert masker.mask_text(text) == presets.CN_DISPLAY.mask_text(text)


class TestSplitPriority:
    @pytest.mark.parametrize(
        "text",
        [
            "0399 4111 1111 1111 1111",
            "020 4111 1111 1111 1111",
            "0755 13812345678 4111 1111 1111 1111",
        ],
    )
    def test_a_phone_made_of_a_neighbour_does_not_hide_a_card(self, text: str) -> None:
        """A neighbour plus the start of a card is no phone number when the card is there."""
        assert "PAYMENT_CARD" in [f.entity for f in SCANNER.find(text)]
        assert "1111 1111" not in presets.CN_DISPLAY.mask_text(text)[-10:]


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


class TestLineBreaksInsideNumbers:
    @pytest.mark.parametrize(
        ("text", "entity"),
        [
            ("138\r\n1234\r\n5678", "CN_MOBILE"),
            ("4111\r\n1111\r\n1111\r\n1111", "PAYMENT_CARD"),
            ("110105\r\n19491231\r\n002X", "CN_RESIDENT_ID"),
            ("BE71\r\n0961\r\n2345\r\n6769", "IBAN"),
            ("536\r\n90\r\n4399", "US_SSN"),
        ],
    )
    def test_crlf_like_lf(self, text: str, entity: str) -> None:
        """A number split by CRLF line breaks is found as when split by LF."""
        assert spans(text) == [(entity, text)]
        assert spans(text.replace("\r\n", "\n")) == [(entity, text.replace("\r\n", "\n"))]


class TestLowerCaseCreditCode:
    def test_lower_case(self) -> None:
        """A credit code written in lower case is found (and mixed case too)."""
        assert spans("91350100m000100y43") == [("CN_USCC", "91350100m000100y43")]
        assert spans("信用代码91350100m000100Y43。") == [("CN_USCC", "91350100m000100Y43")]
        assert is_valid("CN_USCC", "91350100m000100y43")

    def test_lower_case_passport_needs_context(self) -> None:
        """A passport number in lower case is a candidate that needs a context word."""
        assert spans("护照 e12345678") == [("CN_PASSPORT", "e12345678")]
        assert spans("x e12345678") == []


class TestQuotedEmail:
    @pytest.mark.parametrize(
        "address",
        ['"john doe"@example.com', '"a@b"@example.com', r'"x\"y"@example.org', '"a.."@ex.cn'],
    )
    def test_quoted_local_part(self, address: str) -> None:
        """A quoted local part (RFC 5321 Quoted-string) is one address."""
        assert spans(f"mail {address} ok") == [("EMAIL", address)]
        assert spans(f"邮箱{address}。") == [("EMAIL", address)]
        assert is_valid("EMAIL", address)

    def test_unterminated_quote(self) -> None:
        """An unbalanced quote does not hide the plain address after it."""
        assert spans('say "hi zs@example.com') == [("EMAIL", "zs@example.com")]


class TestRecognizerPatterns:
    @pytest.mark.parametrize(
        "pattern",
        [r"(a+)+b", r"(?:a*)*", r"(\w+\s?)+$", r"(x?)+y", r"(?:a|a)+b", r"((ab)*c)*", r"(a{1,9})+"],
    )
    def test_nested_repetition_refused(self, pattern: str) -> None:
        """A pattern that can take superlinear time is refused with a typed error."""
        with pytest.raises(PolicyConfigError, match="pattern"):
            Recognizer(entity="X", pattern=pattern)
        with pytest.raises(PolicyConfigError, match="pattern"):
            Recognizer(entity="X", pattern=re.compile(pattern))

    @pytest.mark.parametrize(
        "pattern",
        [r"EMP-[0-9]{6}", r"(?:[A-Z]{2}-)+[0-9]+", r"(?:foo|bar)+", r"[a-z]+@[a-z]+",
         r"(?:ab){2,5}", r"(?:a++)+b"],
    )  # fmt: skip
    def test_plain_patterns_accepted(self, pattern: str) -> None:
        """Patterns without ambiguous nested repetition are accepted."""
        assert Recognizer(entity="X", pattern=pattern).pattern.pattern == pattern


class TestGluedValues:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("invoice_13812345678.pdf", [("CN_MOBILE", "13812345678")]),
            ("uid13812345678", [("CN_MOBILE", "13812345678")]),
            ("tel:13812345678x", [("CN_MOBILE", "13812345678")]),
            ("card4111111111111111end", [("PAYMENT_CARD", "4111111111111111")]),
            ("user_4111-1111-1111-1111_v2", [("PAYMENT_CARD", "4111-1111-1111-1111")]),
            ("id11010519491231002X", [("CN_RESIDENT_ID", "11010519491231002X")]),
            ("sfz11010519491231002Xok", [("CN_RESIDENT_ID", "11010519491231002X")]),
            (f"pk_{DIGIT_ID}_x", [("CN_RESIDENT_ID", DIGIT_ID)]),
        ],
    )
    def test_digits_glued_to_letters(self, text: str, expected: list[tuple[str, str]]) -> None:
        """A strongly validated value glued to ASCII letters or underscores is still found."""
        assert spans(text) == expected

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            (
                "411111111111111113812345678",
                [("PAYMENT_CARD", "4111111111111111"), ("CN_MOBILE", "13812345678")],
            ),
            (
                "1381234567813987654321",
                [("CN_MOBILE", "13812345678"), ("CN_MOBILE", "13987654321")],
            ),
            (
                "13812345678" + ID,
                [("CN_MOBILE", "13812345678"), ("CN_RESIDENT_ID", ID)],
            ),
            (
                "ref 55555555555544444111111111111111 ok",
                [("PAYMENT_CARD", "5555555555554444"), ("PAYMENT_CARD", "4111111111111111")],
            ),
        ],
    )
    def test_values_glued_to_each_other(self, text: str, expected: list[tuple[str, str]]) -> None:
        """A run too long for one value that splits exactly into validated values gives each."""
        assert spans(text) == expected

    def test_glued_weak_phone_scores_below_the_threshold(self) -> None:
        """A national phone number glued to letters is a candidate, scored below the threshold."""
        assert spans("ref02079460958") == []
        low = Scanner(threshold=0.0).find("ref02079460958")
        assert [f.entity for f in low] == ["PHONE"]
        assert low[0].score < 0.5
        assert spans("tel 02079460958") == [("PHONE", "02079460958")]

    def test_random_long_digit_run_is_not_split(self) -> None:
        """A long id that does not split exactly into validated values reports nothing."""
        assert spans("order 4111111111111111138123456789") == []


class TestSlashAndCommaSeparators:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("138/1234/5678", [("CN_MOBILE", "138/1234/5678")]),
            ("card 4111,1111,1111,1111", [("PAYMENT_CARD", "4111,1111,1111,1111")]),
            ("4111/1111/1111/1111", [("PAYMENT_CARD", "4111/1111/1111/1111")]),
            ("Tel. 030/1234567", [("PHONE", "030/1234567")]),
            (
                "13812345678,13987654321,4111111111111111",
                [
                    ("CN_MOBILE", "13812345678"),
                    ("CN_MOBILE", "13987654321"),
                    ("PAYMENT_CARD", "4111111111111111"),
                ],
            ),
            (
                "1,2,13812345678,2024/05/01,4111111111111111,7",
                [("CN_MOBILE", "13812345678"), ("PAYMENT_CARD", "4111111111111111")],
            ),
        ],
    )
    def test_found(self, text: str, expected: list[tuple[str, str]]) -> None:
        """Slashes and commas between digit groups join a number; CSV rows give each number."""
        assert spans(text) == expected

    @pytest.mark.parametrize(
        "decoy",
        ["2024/05/01", "01/05/2024", "12/31/2024", "1,234,567,890", "stats 628,846,1088",
         "31/12/2024 10/11/2023", "3,14159,26535"],
    )  # fmt: skip
    def test_dates_and_amounts_are_not_numbers(self, decoy: str) -> None:
        """Dates and amounts written with slashes or commas are not reported."""
        assert spans(decoy) == []


class TestSeparatorRetryWork:
    @pytest.mark.parametrize("unit", ["1-", "1,", "12-", "1 ", "1/", "12 3-"])
    def test_short_groups_are_rejected_by_shape(
        self, unit: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Runs of one- and two-digit groups are rejected without classifying their sub-runs."""
        calls: list[str] = []
        original = _digitruns._Digits.classify

        def counting(self: _digitruns._Digits, run: str, digits: str, sizes: list[int]) -> object:
            calls.append(run)
            return original(self, run, digits, sizes)

        monkeypatch.setattr(_digitruns._Digits, "classify", counting)
        text = unit * (20_000 // len(unit))
        assert SCANNER.find(text) == []
        assert len(calls) <= len(text) // 50

    def test_inside_a_hex_token(self) -> None:
        """A mobile-shaped run inside a hex request id needs a context word."""
        assert spans("req=d57bc17731415371 ok") == []
        assert spans("req=2c3b15045170571f") == []
        assert spans("uid13812345678") == [("CN_MOBILE", "13812345678")]


_IBAN_PIECES = st.lists(
    st.sampled_from(["FR15 2845 2984 1537 7602 0757 974", "GB82WEST12345698765432", "DE89",
                     "BE71 0961 2345 6769", " ", "13812345678", "4111111111111111", "x", "12",
                     "FR15", "370400440532013000", "GB82 WEST 1234 5698 7654 32", "card ",
                     "tel ", "-", "(", "+86 ", "020 7946 0958", "0", "iban=", "中"]),
    max_size=8,
).map("".join)  # fmt: skip


class TestFastPaths:
    @settings(max_examples=300)
    @given(_IBAN_PIECES)
    @example("FR15 2845 2984 1537 7602 0757 974 13812345678")
    def test_runs_inside_an_iban_skipped_alike(self, text: str) -> None:
        """Skipping digit runs inside a valid IBAN changes nothing once overlaps are resolved."""
        digits = _digitruns._Digits(
            frozenset({"PAYMENT_CARD", "CN_MOBILE", "PHONE"}),
            SCANNER.phone_regions,
            resident_ids=True,
        )
        ranks = SCANNER._ranks
        fast = _scoring._resolve(_digitruns._digits_pass(digits, ibans=True)(text), ranks)
        plain_pass = _digitruns._digits_pass(digits, ibans=True, skip=False)
        plain = _scoring._resolve(plain_pass(text), ranks)
        assert fast == plain

    @settings(max_examples=300)
    @given(_IBAN_PIECES)
    @example("iban=GB82 WEST 1234 5698 7654 32 tel 020 7946 0958")
    @example("card GB82 WEST 1234 5698 7654 32 4111111111111111")
    def test_scanner_with_the_iban_pass_inside_agrees_with_separate_passes(self, text: str) -> None:
        """A scanner skipping the runs inside IBANs finds what one skipping none finds."""
        digits = _digitruns._Digits(
            frozenset({"PAYMENT_CARD", "CN_MOBILE", "PHONE"}),
            SCANNER.phone_regions,
            resident_ids=True,
        )
        plain = Scanner()
        plain._passes = tuple(
            replacement
            for run in SCANNER._passes
            for replacement in (
                (_digitruns._digits_pass(digits, ibans=True, skip=False),)
                if run.__qualname__.startswith("_digits_pass")
                else (run,)
            )
        )
        assert SCANNER.scored(text) == plain.scored(text)
        assert SCANNER.spans(text) == plain.spans(text)

    def test_mobile_after_an_iban_is_found(self) -> None:
        """A run that goes on past the IBAN's end is still classified."""
        text = "FR15 2845 2984 1537 7602 0757 974 13812345678"
        assert ("CN_MOBILE", "13812345678") in spans(text)

    @pytest.mark.parametrize("date_run", ["2024-11-05", "2024/5/1", "31.12.2024", "12/31/2024"])
    def test_a_date_alone_is_no_run(self, date_run: str) -> None:
        """A run that is a date alone gives what classifying it would: nothing."""
        digits = _digitruns._Digits(frozenset({"PAYMENT_CARD", "CN_MOBILE", "PHONE"}), ("CN", "US"))
        assert digits.find(date_run, 0) == []
        parts = re.findall(r"[0-9]+", date_run)
        assert digits.classify(date_run, "".join(parts), [len(p) for p in parts]) is None

    @settings(max_examples=300)
    @given(_IBAN_PIECES | st.text(alphabet="BEFRGD0123456789 -xW", max_size=40))
    def test_iban_cut_matches_the_plain_loop(self, text: str) -> None:
        """The IBAN cut by one match agrees with walking the characters one by one."""
        for match in _identifiers._IBAN.finditer(text):
            assert _identifiers._iban_span(match.group()) == _plain_iban_span(match.group())

    @settings(max_examples=400)
    @given(
        _IBAN_PIECES
        | st.lists(
            st.sampled_from(["BE71", "GB82", "XX12", "be71", "0961", "2345", "6769", "WEST",
                             "-", " ", ".", "X", "DE89", "37040044", "0532013000", "EUR"]),
            max_size=14,
        ).map("".join)
    )  # fmt: skip
    @example("BE71 0961 2345 67690FR15 2845")  # the pattern stopped before the glued 0
    @example("GB82WEST12345698765432中")  # not an ASCII word character: the IBAN ends
    def test_iban_pass_agrees_with_the_plain_pass(self, text: str) -> None:
        """The IBAN pass with the fast form finds what a pass with the plain form and cut finds."""
        plain = []
        position = 0
        while (match := _identifiers._IBAN_ANY.search(text, position)) is not None:
            length = _plain_iban_span(match.group())
            start = match.start()
            if length is None:
                position = start + 1
            else:
                plain.append((start, start + length, "IBAN", 0.9))
                position = start + length
        assert _identifiers._iban_pass(text) == plain

    @settings(max_examples=500)
    @given(
        _IBAN_PIECES
        | st.lists(
            st.sampled_from(["BE71", "GB82", "gb82", "Xy12", "DE89", "0961", "2345", "WEST",
                             "-", " ", "_", "1", "a", "中", "37040044", "0532013000", "EUR"]),
            max_size=14,
        ).map("".join)
        | st.text(alphabet="ABEGbdeg0123789 -_中", max_size=40),
        st.integers(min_value=0, max_value=45),
    )  # fmt: skip
    @example("GB82WEST12345698765432", 0)  # a match at the very start, no character before
    @example("xGB82WEST12345698765432 GB82WEST12345698765432", 1)
    @example("中GB82WEST12345698765432", 1)
    def test_search_from_boundary_matches_the_pattern_search(
        self, text: str, position: int
    ) -> None:
        """Searching from the character before the letters finds what the IBAN pattern finds."""
        pattern = _identifiers._IBAN
        fast = _identifiers._search_from_boundary(pattern, _identifiers._IBAN_AFTER, text, position)
        plain = pattern.search(text, position)
        assert (fast and fast.span()) == (plain and plain.span())

    @pytest.mark.parametrize("unit", ["BE71-", "DE89 ", "be71", "BE71 0961 "])
    def test_no_cut_for_letters_in_digit_only_accounts(
        self, unit: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """100 KB of a digit-only country's code among letters costs no IBAN cut (work counted)."""
        calls = 0
        cut = _identifiers._iban_span

        def counting(text: str) -> int | None:
            nonlocal calls
            calls += 1
            return cut(text)

        monkeypatch.setattr(_identifiers, "_iban_span", counting)
        Scanner().find(unit * (100_000 // len(unit)))
        assert calls == 0

    def test_digit_only_accounts_turned_away_by_the_pattern(self) -> None:
        """Where a country's account number is digits only, a letter in it never reaches Python."""
        assert _identifiers._IBAN.search("BE71-BE71-BE71-BE71-BE71-BE71-BE71-BE71") is None
        assert _identifiers._IBAN.search("be71 0961 2345 6769")
        assert not is_valid("IBAN", "BE71 0961 2345 676X")


def _plain_iban_span(text: str) -> int | None:
    """The plain twin of the IBAN cut: count letters and digits up to the country's length."""
    from secpolicy.pii._ids import IBAN_LENGTHS, iban_ok

    wanted = IBAN_LENGTHS.get(text[:2].upper())
    if wanted is None:
        return None
    compact: list[str] = []
    end = 0
    for index, ch in enumerate(text):
        if ch.isalnum():
            compact.append(ch)
            if len(compact) == wanted:
                end = index + 1
                break
    if end == 0 or (end < len(text) and text[end].isalnum()):
        return None
    return end if iban_ok("".join(compact).upper()) else None


class TestShortBareRuns:
    @settings(max_examples=300)
    @given(st.text(alphabet="0123456789", min_size=7, max_size=9))
    def test_short_bare_run_rejected_as_classify_would(self, run: str) -> None:
        """A bare run of 7-9 digits is turned away early exactly when classify turns it away."""
        digits = _digitruns._Digits(
            frozenset({"PAYMENT_CARD", "CN_MOBILE", "PHONE"}), SCANNER.phone_regions
        )
        bare = digits.classify(run, run, [len(run)])
        assert digits.find(run, 0) == ([] if bare is None else [(0, len(run), *bare)])


_TRAVEL_PIECES = st.sampled_from(
    ["E12345678", "G12345678", "C66193451", "L12345678", "PE1234567", "e1234567", "c6619345",
     "E123456789", "9135010", "0M000100Y43", "110105", "19491231", "002X", "078", "05", "1120"]
)  # fmt: skip
_ID_WANTED = (
    frozenset(DETECTABLE),
    frozenset({"CN_RESIDENT_ID", "CN_USCC", "US_SSN"}),
    frozenset({"CN_RESIDENT_ID", "CN_USCC", "CN_PASSPORT"}),
    frozenset({"CN_RESIDENT_ID", "US_SSN", "CN_TAIWAN_PERMIT"}),
    frozenset({"CN_USCC", "CN_HK_MACAU_PERMIT", "CN_PASSPORT"}),
    frozenset({"US_SSN"}),
    frozenset({"CN_PASSPORT"}),
)


def _plain_scanner(scanner: Scanner) -> Scanner:
    """*scanner* with each identifier pattern searched in a pass of its own (the plain twin)."""
    scanner._passes = _scanner._passes(scanner.entities, scanner.phone_regions, plain=True)
    return scanner


class TestSharedIdentifierSearch:
    @settings(max_examples=400)
    @given(
        _PATTERN_TEXT
        | st.lists(_TRAVEL_PIECES | _PIECES | st.sampled_from(["-", " ", "中", "=", "a"]),
                   max_size=14).map("".join),
        st.sampled_from(_ID_WANTED),
    )  # fmt: skip
    @example("E12345678 078-05-1120", frozenset(DETECTABLE))  # a match at the very start
    @example("91350100M000100Y43", frozenset({"CN_USCC", "CN_PASSPORT"}))
    @example("中G12345678，110105194912310021", frozenset(DETECTABLE))
    def test_one_search_finds_what_each_pattern_finds(
        self, text: str, wanted: frozenset[str]
    ) -> None:
        """The boundary-first search of the shared patterns gives each pattern's candidates."""
        regions = SCANNER.phone_regions
        fast = _scanner._passes(wanted, regions)
        plain = _scanner._passes(wanted, regions, plain=True)
        assert sorted(c for run in fast for c in run(text)) == sorted(
            c for run in plain for c in run(text)
        )

    @settings(max_examples=200)
    @given(
        st.sampled_from(["_IDS_OR_SSN", "_RESIDENT_ID_OR_USCC", "_RESIDENT_ID", "_USCC", "_SSN",
                         "_TRAVEL"]).flatmap(
            lambda name: st.from_regex(getattr(_identifiers, name), fullmatch=True)
        )
    )  # fmt: skip
    def test_every_shared_match_has_a_digit_third(self, text: str) -> None:
        """Each shared pattern's matches have a digit third, as the boundary form assumes."""
        assert text[2] in "0123456789"

    def test_boundary_form_needs_a_class_and_its_check(self) -> None:
        """A pattern that does not start with a class and the check after it is refused."""
        with pytest.raises(ValueError, match="boundary form"):
            _identifiers._boundary_form([re.compile(r"(?<![0-9A-Za-z_])[0-9]{3}")])

    @pytest.mark.parametrize("name", ["english", "chinese"])
    def test_scanner_on_the_benchmark_corpora_agrees_with_its_plain_twin(self, name: str) -> None:
        """On the benchmark's corpora the scanner finds exactly what its plain twin finds."""
        from benchmarks import _pii_corpus

        plain = _plain_scanner(Scanner())
        for text, _ in getattr(_pii_corpus, name)(3000):
            assert SCANNER.scored(text) == plain.scored(text)
            assert SCANNER.spans(text) == plain.spans(text)


class TestCachedAndTranslatedTwins:
    @settings(max_examples=300)
    @given(st.text(alphabet="aB_-. 名Id\u0130ß", max_size=20))
    def test_normalise_field_matches_the_character_loop(self, name: str) -> None:
        """The one-translate field-name normalisation equals dropping characters one by one."""
        expected = "".join(ch for ch in name.casefold() if ch not in "_-. ")
        assert _fields.normalise_field(name) == expected

    @settings(max_examples=300)
    @given(
        st.sampled_from([1, 44, 49, 33, 81, 86, 55, 61, 7]),
        st.text(alphabet="0123456789", min_size=4, max_size=13),
    )
    def test_cached_validity_matches_the_uncached_twin(self, code: int, nsn: str) -> None:
        """The LRU-cached phone validity gives the uncached check's answer, asked twice."""
        expected = _phone._valid_number(code, nsn)
        assert _phone.valid_number(code, nsn) is expected
        assert _phone.valid_number(code, nsn) is expected

    @settings(max_examples=500)
    @given(
        st.sampled_from([1, 7, 44, 47, 61, 262, 590, 599]),
        st.from_regex(r"\A[2-9][0-9]{2}[2-9][0-9]{6}\Z")
        | st.text(alphabet="0123456789", max_size=12),
    )
    def test_refusal_by_any_type_matches_the_region_loop(self, code: int, nsn: str) -> None:
        """The one search over all types of a code's regions refuses only numbers valid nowhere."""
        valid = _phone._valid_number(code, nsn)
        _phone.valid_number.cache_clear()
        assert _phone.valid_number(code, nsn) is valid
        refuse = _phone._any_region_type(code)
        assert refuse is not None
        if valid:
            assert refuse.fullmatch(nsn) is not None

    @settings(max_examples=500)
    @given(
        st.text(
            alphabet="a1 -\n\r中，。１２Ａ\u00a0\u2014\u200b\u0661\u3000\u30fb\uff5e", max_size=40
        )
        | st.lists(
            st.sampled_from(
                ["１", "２", "３", "４", "５", "６", "７", "８", "９", "０", "中文", "\n"]
            ),
            max_size=300,
        ).map("".join)
    )
    def test_fold_matches_the_translate_twin(self, text: str) -> None:
        """Folding by one replace per kind of character equals translating every character."""
        assert _fold.fold(text) == text.translate(_fold._fold_table())

    @settings(max_examples=300)
    @given(st.text(alphabet="a1 -\t\n\x0b\x0c\r\x1c\x85", max_size=30))
    def test_ascii_fold_matches_the_translate_twin(self, text: str) -> None:
        """Folding ASCII text by one replace per break equals translating every character."""
        if text.isascii():
            assert _fold.fold(text) == text.translate(_fold._ASCII_FOLD)
        assert len(_fold.fold(text)) == len(text)

    @settings(max_examples=500)
    @given(
        st.lists(st.text(alphabet="abid-#手机.", max_size=7), max_size=6)
        | st.sampled_from([list(w) for w in _scoring.CONTEXT_WORDS.values()]),
        st.lists(
            st.sampled_from(["phone", "tel", "id", "idle", "a", "b", "-", " ", "手机", "#", "x",
                             "mobile", "card", "iban", "ssn", "e-mail", ".", "d"]),
            max_size=12,
        ).map("".join),
    )  # fmt: skip
    def test_context_pattern_matches_the_plain_twin(self, words: list[str], window: str) -> None:
        """The literal-first context pattern finds a word exactly where the plain form does."""
        fast = _scoring._ctx_pattern(words).search(window)
        plain = _scoring._ctx_pattern_plain(words).search(window)
        assert (fast is None) == (plain is None)

    @settings(max_examples=300)
    @given(
        st.text(max_size=40)
        | st.text(alphabet="1a\uff11\u0661\u0967\u3000\u3001\u00a0\u2014\U0001d7ce中", max_size=20)
    )
    def test_fold_search_matches_the_lookahead_form(self, text: str) -> None:
        """The class-first search for characters to fold finds what the lookahead form finds."""
        fixed = "".join(re.escape(chr(cp)) for cp in sorted(_fold._FOLD_FIXED))
        plain = re.compile("[" + fixed + "]|(?![0-9])\\d")
        assert _fold._NEEDS_FOLD.findall(text) == plain.findall(text)

    @settings(max_examples=300)
    @given(st.text(alphabet=" -/,.1a", max_size=16))
    def test_wide_hint_matches_the_substring_tests(self, text: str) -> None:
        """One search for a wide separator's pairs answers as the nine substring tests do."""
        expected = any(pair in text for pair in _fold._WIDE_PAIRS)
        assert (_fold._WIDE_HINT.search(text) is not None) is expected

"""The digit-run pass: the sieve that turns away, in C, the runs that can be no entity."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from secpolicy.pii import Scanner, _digitruns

SCANNER = Scanner()
_DIGIT_ENTITIES = frozenset({"PAYMENT_CARD", "CN_MOBILE", "PHONE"})
# Classifier configurations: the scanner's own, a trunkless region (Italy:
# every length may be a national number), Brazil, one entity at a time, and
# resident IDs alone (glued IDs only).
_CONFIGS = [
    (_DIGIT_ENTITIES, SCANNER.phone_regions, True),
    (_DIGIT_ENTITIES, ("US",), False),
    (_DIGIT_ENTITIES, ("IT", "US"), True),
    (_DIGIT_ENTITIES, ("BR", "US"), False),
    (frozenset({"PAYMENT_CARD"}), SCANNER.phone_regions, False),
    (frozenset({"CN_MOBILE"}), SCANNER.phone_regions, True),
    (frozenset({"PHONE"}), ("IT",), False),
    (frozenset(), SCANNER.phone_regions, True),
]


class _PlainDigits(_digitruns._Digits):
    """The digit-run classifier without the shortcuts of find (its plain twin)."""

    __slots__ = ()
    shortcuts = False


# Values and neighbours that meet in logs: the shapes the sieve turns away
# (dates, timestamps, order ids, SSNs, IPv4 addresses, resident IDs) beside
# the entities (cards, mobiles, phones with a trunk 0, + or parentheses,
# IBANs), full-width digits, tabs, letters, underscores and X.
_PIECES = st.lists(
    st.sampled_from(["2024-11-27", "2024/5/1", "31.12.2024", "12/31/2024", "1664322525900",
                     "6909139099606", "2024051234567890", "1701860855471067247", "520-05-1409",
                     "763 39 9303", "052-05-1409", "100.225.152.105", "10.0.1.2", "1.010.2.3",
                     "110105194912310021", "11010519491231002", "4111111111111111",
                     "4111 1111 1111 1111", "5000000000000611", "13812345678", "8613812345678",
                     "946 659 5717", "020 7946 0958", "+86 138 1234 5678", "(010)62345678",
                     "+1 (212) 555-0430", "0049626148", "GB82WEST12345698765432",
                     "FR15 2845 2984 1537 7602 0757 974", "DE89", "12", "7", "0", "2024",
                     "1234567", "12345678901234567890", "12345678901234567890123", "１３８",
                     " ", "  ", "-", ".", "/", ",", "(", ")", "+", "\t", "T", "X", "x", "_",
                     "a", "ext", "#", "中", "号", "\n"]),
    max_size=10,
).map("".join)  # fmt: skip
_TEXTS = _PIECES | st.text(alphabet="0123456789 -./,()+Xx_aT#\t中", max_size=40)


class TestSieve:
    @settings(max_examples=500)
    @given(_TEXTS, st.sampled_from(_CONFIGS))
    def test_sieve_finds_the_runs_of_the_plain_pattern(
        self, text: str, config: tuple[frozenset[str], tuple[str, ...], bool]
    ) -> None:
        """The sieve's matches are _DIGITS's matches, marked or not."""
        entities, regions, ids = config
        sieve = _digitruns._Digits(entities, regions, resident_ids=ids).sieve
        expected = [m.span() for m in _digitruns._DIGITS.finditer(text)]
        assert [m.span() for m in sieve.finditer(text)] == expected

    @settings(max_examples=1000)
    @given(_TEXTS, st.sampled_from(_CONFIGS), st.booleans())
    @example("2024-11-27T04:23:11Z", _CONFIGS[0], True)
    @example("ssn=520-05-1409 ts=1664322525900", _CONFIGS[0], True)
    @example("a110105194912310021", _CONFIGS[0], False)
    @example("11010519491231002X", _CONFIGS[-1], False)
    @example("GB82WEST12345698765432-520-05-1409", _CONFIGS[0], True)
    @example("DE89 3704 0044 0532 0130 00.225.152.105", _CONFIGS[0], True)
    @example("tel 1234567 12-34-567", _CONFIGS[2], True)
    def test_pass_with_the_sieve_matches_the_plain_pass(
        self, text: str, config: tuple[frozenset[str], tuple[str, ...], bool], ibans: bool
    ) -> None:
        """Sieving gives the very candidates of classifying every run without shortcuts."""
        entities, regions, ids = config
        fast = _digitruns._digits_pass(
            _digitruns._Digits(entities, regions, resident_ids=ids), ibans=ibans
        )
        plain = _digitruns._digits_pass(
            _PlainDigits(entities, regions, resident_ids=ids), ibans=ibans, sieve=False
        )
        assert fast(text) == plain(text)

    @pytest.mark.parametrize(
        "run",
        ["2024-11-27", "1664322525900", "2024051234567890", "520-05-1409", "100.225.152.105",
         "110105194912310021", "1701860855471067247"],
    )  # fmt: skip
    def test_shapes_of_no_entity_are_not_marked(self, run: str) -> None:
        """Dates, timestamps, order ids, SSNs, IPv4 addresses, a bare resident ID: unmarked."""
        sieve = _digitruns._Digits(_DIGIT_ENTITIES, SCANNER.phone_regions, resident_ids=True).sieve
        assert [m.lastindex for m in sieve.finditer(f" {run} ")] == [None]

    @pytest.mark.parametrize(
        "run",
        ["4111111111111111", "13812345678", "8613812345678", "946 659 5717", "052-05-1409",
         "0049626148", "a110105194912310021", "11010519491231002X"],
    )  # fmt: skip
    def test_runs_that_may_be_an_entity_are_marked(self, run: str) -> None:
        """Cards by issuer range, mobiles, phones, glued resident IDs: marked for classifying."""
        sieve = _digitruns._Digits(_DIGIT_ENTITIES, SCANNER.phone_regions, resident_ids=True).sieve
        assert [m.lastindex for m in sieve.finditer(f" {run} ")] == [1]

    def test_sieve_built_once_per_configuration(self) -> None:
        """Classifiers of one configuration share one compiled sieve."""
        first = _digitruns._Digits(_DIGIT_ENTITIES, ("CN", "US"))
        second = _digitruns._Digits(_DIGIT_ENTITIES, ("CN", "US"))
        assert first.sieve is second.sieve

    @pytest.mark.parametrize("length", range(13, 20))
    def test_card_prefixes_as_a_trie(self, length: int) -> None:
        """The issuer prefixes of each card length, as one regex, match exactly those prefixes."""
        from secpolicy.pii._ids import _CARD_PREFIXES

        issued = frozenset(p for p, lengths in _CARD_PREFIXES.items() if length in lengths)
        pattern = re.compile(_digitruns._alternation(issued))
        assert {f"{n:04d}" for n in range(10_000) if pattern.fullmatch(f"{n:04d}")} == issued


def _plain_scanner() -> Scanner:
    """The scanner with its digit pass replaced by the plain one (no sieve, no skips)."""
    digits = _PlainDigits(_DIGIT_ENTITIES, SCANNER.phone_regions, resident_ids=True)
    plain = Scanner()
    plain._passes = tuple(
        _digitruns._digits_pass(digits, ibans=True, skip=False, sieve=False)
        if run.__qualname__.startswith("_digits_pass")
        else run
        for run in SCANNER._passes
    )
    return plain


class TestNoSilentLeak:
    @pytest.mark.parametrize("corpus", ["english", "chinese"])
    def test_scanner_on_the_benchmark_corpora_matches_the_plain_path(self, corpus: str) -> None:
        """On the benchmark's labelled corpora the scanner finds what the plain digit pass finds."""
        from benchmarks import _pii_corpus

        plain = _plain_scanner()
        for text, _ in getattr(_pii_corpus, corpus)(1500):
            assert SCANNER.scored(text) == plain.scored(text)

    @settings(max_examples=300)
    @given(_TEXTS)
    def test_scanner_matches_the_plain_path(self, text: str) -> None:
        """On any mix of neighbouring values the scanner finds what the plain digit pass finds."""
        assert SCANNER.scored(text) == _plain_scanner().scored(text)

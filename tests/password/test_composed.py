"""The composed patterns of the strength estimator, one finder at a time."""

from __future__ import annotations

import re
from importlib import resources

from hypothesis import given
from hypothesis import strategies as st

from secpolicy.password import _composed as composed


def _fold(text: str) -> str:
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


class TestTriePattern:
    """The calendar names' trie expression finds what a plain alternation finds."""

    @given(st.text(alphabet="abcdefgijlmnoprstuvyz", max_size=40))
    def test_same_matches_as_the_plain_alternation(self, text: str) -> None:
        """Longest-first alternation and the trie give the same spans on any text."""
        words = sorted(composed.CALENDAR_COST, key=lambda w: (-len(w), w))
        plain = re.compile("|".join(map(re.escape, words)))
        trie = re.compile(composed._trie_pattern(composed.CALENDAR_COST))
        assert [m.span() for m in trie.finditer(text)] == [m.span() for m in plain.finditer(text)]

    def test_prefix_words(self) -> None:
        """A word that is a prefix of another still matches alone (``jan`` and ``january``)."""
        trie = re.compile(composed._trie_pattern(["jan", "january", "ja"]))
        assert [m.group() for m in trie.finditer("january jan ja")] == ["january", "jan", "ja"]


class TestPublishedPhrases:
    """The phrases' automaton only skips searches that would find nothing."""

    _PIECES = sorted(composed._PHRASE_RANK)

    def test_every_phrase_is_a_literal(self) -> None:
        """No phrase holds a character the expression reads specially, so a search is a lookup."""
        assert all(re.escape(phrase) == phrase for phrase in composed._PHRASE_RANK)

    @given(
        st.lists(
            st.one_of(
                st.sampled_from(_PIECES),
                st.sampled_from(_PIECES).map(lambda p: p[::-1]),
                st.text(alphabet="aeiorst01345@$!-._ AES", max_size=4),
            ),
            max_size=5,
        ).map("".join)
    )
    def test_same_as_searching_every_reading(self, text: str) -> None:
        """With and without the automaton, the same phrases at the same costs."""
        folded = _fold(text)
        fast = composed.published_phrases(text, folded)
        assert fast == composed.published_phrases(text, folded, prefilter=False)

    def test_skips_text_without_phrases(self) -> None:
        """A text holding no phrase either way is searched neither way."""
        assert composed._phrase_ways("x7#q2!z4") == 0
        assert composed._phrase_ways("mypasswort") & composed._FORWARDS
        assert composed._phrase_ways("trowssap1") & composed._BACKWARDS


class TestCamelParts:
    """Where a run of letters starts new words, with and without the lower-case shortcut."""

    @given(st.text(alphabet="abzAZ19-éÉ密ßı", max_size=12))
    def test_same_as_reading_every_letter(self, text: str) -> None:
        """The shortcut for lower-case ASCII gives the cuts of the letter-by-letter reading."""
        assert composed._camel_parts(text) == composed._camel_cuts(text)


class TestReversedLeetMatches:
    """Reversed l33t words are found at their place in the password."""

    def test_span_and_notes(self) -> None:
        """`Dr0w-ss@p` is one piece over the whole text, the separator inside it."""
        text = "Dr0w-ss@p2024!"
        found = composed.reversed_leet_matches(text, _fold(text))
        whole = [f for f in found if (f.start, f.end) == (0, 9)]
        assert whole
        assert set(whole[0].notes) == {"reversed", "substitution", "capitalisation"}

    def test_no_substitution_no_match(self) -> None:
        """Without a l33t key there is nothing for this finder (the estimator has the rest)."""
        assert composed.reversed_leet_matches("drowssap", "drowssap") == []

    @given(st.text(max_size=40))
    def test_spans_inside_the_text(self, text: str) -> None:
        """Any text: every piece lies inside it and costs something."""
        for found in composed.reversed_leet_matches(text, _fold(text)):
            assert 0 <= found.start < found.end <= len(text)
            assert found.log10 > 0


class TestCompositionMatches:
    """Chains of common pieces are priced as the product of the pieces."""

    def test_walk_chunks_and_year(self) -> None:
        """`asdf-ghjk-2024!`: the walk's next chunk is one choice, the separator one choice."""
        text = "asdf-ghjk-2024!"
        (found,) = composed.composition_matches(text, text, 2026)
        assert (found.start, found.end) == (0, len(text))
        assert found.log10 < 8
        assert "keyboard_walk" in found.notes

    def test_one_separator_is_one_choice(self) -> None:
        """The same separator three times costs as much as once; mixed ones cost more."""
        same = composed.composition_matches("monkey-dragon-2024", "monkey-dragon-2024", 2026)
        mixed = composed.composition_matches("monkey-dragon#2024", "monkey-dragon#2024", 2026)
        assert same[0].log10 < mixed[0].log10

    def test_word_and_year_alone_is_left_to_the_estimator(self) -> None:
        """A word and a year without a separator is no composition (the cover prices it)."""
        assert composed.composition_matches("sunflower1987", "sunflower1987", 2026) == []

    def test_random_looking_text_is_skipped(self) -> None:
        """Text that changes class more than nine times is not read as a composition."""
        text = "a1!b2@c3#d4$e5"
        assert composed.composition_matches(text, text, 2026) == []

    def test_unknown_word_breaks_the_chain(self) -> None:
        """An unknown word splits the text; the known pieces around it are priced alone."""
        text = "monkey-xqzvkw-dragon"
        assert composed.composition_matches(text, text, 2026) == []

    @given(st.text(max_size=40))
    def test_spans_inside_the_text(self, text: str) -> None:
        """Any text: every composition lies inside it, with valid feedback notes."""
        from secpolicy.password._strength import FEEDBACK

        for found in composed.composition_matches(text, _fold(text), 2026):
            assert 0 <= found.start < found.end <= len(text)
            assert set(found.notes) <= set(FEEDBACK)


class TestCalendarData:
    """The bundled names of the other languages."""

    def test_every_line_parses(self) -> None:
        """Each line is a month (0-11) or weekday (0-6) with its language and a lower-case name."""
        text = resources.files("secpolicy.password").joinpath(f"data/{composed.CALENDAR_FILE}")
        languages = set()
        for line in text.read_text(encoding="utf-8").splitlines():
            if line.startswith("#"):
                continue
            kind, place, language, name = line.split("\t")
            assert 0 <= int(place) < (12 if kind == "month" else 7)
            assert name == name.lower()
            assert len(name) >= 3
            languages.add(language)
        assert {"de", "fr", "es", "pt", "it", "nl", "ja"} <= languages

    def test_english_and_pinyin_prices_unchanged(self) -> None:
        """English and pinyin names keep their price: 12 months in 3 forms."""
        import math

        assert composed.CALENDAR_COST["march"] == math.log10(12) + math.log10(3)
        assert composed.CALENDAR_COST["mar"] == math.log10(12) + math.log10(3)
        assert composed.CALENDAR_COST["marz"] > composed.CALENDAR_COST["march"]


class TestWordRanks:
    """Pieces are ranked as the estimator's dictionary ranks them."""

    def test_lower_of_the_two_lists(self) -> None:
        """A word ranks by the lower of its password-list and word-list ranks."""
        from secpolicy.password._rules import COMMON_PASSWORDS, ENGLISH_WORDS

        rank_of = composed._ranks()
        assert rank_of("word") == min(COMMON_PASSWORDS.ranks["word"], ENGLISH_WORDS.ranks["word"])
        assert rank_of("love") == COMMON_PASSWORDS.ranks["love"]
        assert rank_of("xqzvkwj") is None

    def test_word_list_is_inside_the_common_list(self) -> None:
        """Every word of the word list is in the common list: one lookup rules a piece out."""
        from secpolicy.password._rules import COMMON_PASSWORDS, ENGLISH_WORDS

        assert set(ENGLISH_WORDS.ranks) <= set(COMMON_PASSWORDS.ranks)

    def test_l33t_separated_words_with_a_year(self) -> None:
        """`M0nkey-Dr@gon-2024`: substitutions inside the pieces still compose."""
        text = "M0nkey-Dr@gon-2024"
        (found,) = composed.composition_matches(text, _fold(text), 2026)
        assert found.log10 < 7

    def test_full_date_is_one_piece(self) -> None:
        """A birthday written as YYYYMMDD costs a date, not eight digits."""
        text = "Monkey-Dragon-19900101"
        (found,) = composed.composition_matches(text, _fold(text), 2026)
        assert found.log10 < 9
        assert "date" in found.notes

    def test_a_walk_after_a_word_is_its_own_walk(self) -> None:
        """A walk that does not go on from the word before costs its own walk."""
        text = "monkey-fghj-2024"
        (found,) = composed.composition_matches(text, text, 2026)
        assert "keyboard_walk" in found.notes
        assert (
            found.log10
            > composed.composition_matches("asdf-ghjk-2024", "asdf-ghjk-2024", 2026)[0].log10
        )

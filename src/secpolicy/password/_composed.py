"""Patterns the strength estimator prices by the size of their set, not their spelling.

Three kinds of piece are far cheaper for a cracker than the ranks of their
letters suggest:

- **Calendar words**: a month, weekday or season name is one of twelve,
  seven or four (``MarchApril2024!``, ``Januaryfebruary12``). A run of them
  costs one choice per name, without the penalty of combining unrelated
  patterns, because "name after name" is itself the pattern.
- **Date compositions**: a date, a year-month or a year followed by others of
  the same kind (``2024-01-01-2024-01``, ``2023-2024``, ``20240101~20241231``).
  The first costs a date's guesses; each later one lies near it, so it
  costs the distance between their years and its own day or month.
- **Published phrases**: passphrases printed as examples (xkcd 936's
  ``correct horse battery staple``) and proverbial phrases are the first
  entries of every phrase list; each costs its rank there, in any case,
  with or without separators and with the usual substitutions undone.

Each finder is one regular-expression scan (C) plus work per match; none
grows faster than the password's length.
"""

from __future__ import annotations

import itertools
import math
import re
from typing import TYPE_CHECKING, Final, NamedTuple

from secpolicy.password._rules import _ALTERNATE, _SUBSTITUTIONS

if TYPE_CHECKING:
    from collections.abc import Sequence

_LOG2: Final = math.log10(2)

#: Month, weekday and season names, full and abbreviated, English. A name
#: costs the size of its set, times two for the choice of full or short form.
MONTHS: Final = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SEASONS: Final = ("spring", "summer", "autumn", "winter")
#: The same names in pinyin, as Chinese users type them (一月 ``yiyue``,
#: 星期一 ``xingqiyi`` or 周一 ``zhouyi``, 春天 ``chuntian``), in the same order.
MONTHS_PINYIN: Final = tuple(
    f"{n}yue"
    for n in ("yi", "er", "san", "si", "wu", "liu", "qi", "ba", "jiu", "shi", "shiyi", "shier")
)
WEEKDAYS_PINYIN: Final = tuple(
    f"{prefix}{n}"
    for prefix in ("xingqi", "zhou")
    for n in ("yi", "er", "san", "si", "wu", "liu", "ri")
)
SEASONS_PINYIN: Final = ("chuntian", "xiatian", "qiutian", "dongtian")
#: Other ways to write the days: 星期天/周天 for Sunday, and 礼拜一 ``libaiyi``
#: to 礼拜天 ``libaitian``, each with its place in WEEKDAYS.
_OTHER_WEEKDAYS: Final = {
    "xingqitian": 6,
    "zhoutian": 6,
    **{f"libai{n}": place for place, n in enumerate(("yi", "er", "san", "si", "wu", "liu", "ri"))},
    "libaitian": 6,
}
#: Forms each name is written in: English in full, English short, pinyin.
_FORMS: Final = math.log10(3)
_ABBREVIATIONS: Final = (
    *(m[:3] for m in MONTHS if len(m) > 3),  # noqa: PLR2004
    "sept",
    *(d[:3] for d in WEEKDAYS),
    "tues",
    "thur",
    "thurs",
)


def _calendar_classes() -> dict[str, float]:
    """Each calendar word with log10 of the size of the set an attacker picks it from."""
    cost: dict[str, float] = {}
    for names, pinyin in (
        (MONTHS, MONTHS_PINYIN),
        (WEEKDAYS, WEEKDAYS_PINYIN),
        (SEASONS, SEASONS_PINYIN),
    ):
        for name in (*names, *pinyin):
            cost[name] = math.log10(len(names)) + _FORMS
    for short in _ABBREVIATIONS:
        kind = MONTHS if any(m.startswith(short) for m in MONTHS) else WEEKDAYS
        cost.setdefault(short, math.log10(len(kind)) + _FORMS)
    cost["fall"] = cost["autumn"]  # the American name of the same season
    for name in _OTHER_WEEKDAYS:
        cost[name] = cost["monday"]
    return cost


CALENDAR_COST: Final = _calendar_classes()


def _places() -> dict[str, tuple[tuple[str, ...], int]]:
    """Each calendar word's set and place in it (``mar`` is March, third of MONTHS)."""
    places: dict[str, tuple[tuple[str, ...], int]] = {}
    for names, pinyin in (
        (MONTHS, MONTHS_PINYIN),
        (WEEKDAYS, WEEKDAYS_PINYIN),
        (SEASONS, SEASONS_PINYIN),
    ):
        for place, name in enumerate(names):
            places[name] = (names, place)
        for place, name in enumerate(pinyin):
            places[name] = (names, place % len(names))
    for short in _ABBREVIATIONS:
        for names in (MONTHS, WEEKDAYS):
            for place, name in enumerate(names):
                if name.startswith(short):
                    places.setdefault(short, (names, place))
    places["fall"] = places["autumn"]
    for name, place in _OTHER_WEEKDAYS.items():
        places[name] = (WEEKDAYS, place)
    return places


_PLACE: Final = _places()
_CALENDAR_WORD: Final = "|".join(sorted(CALENDAR_COST, key=lambda w: (-len(w), w)))
#: A run of calendar words, each optionally followed by one separator, and
#: optionally a year or a day of the month after it (``MarchApril2024``).
#: What users type between calendar names and before the year (``jan~feb~2024``).
_CALENDAR_SEPARATORS: Final = "-._ /&+~,|:"
_CALENDAR_SEPARATOR: Final = "[" + re.escape(_CALENDAR_SEPARATORS) + "]"
_CALENDAR_RUN: Final = re.compile(
    rf"(?:(?:{_CALENDAR_WORD}){_CALENDAR_SEPARATOR}?)*(?:{_CALENDAR_WORD})"
    rf"(?:{_CALENDAR_SEPARATOR}?(?P<year>(?:19|20)\d\d)(?!\d)"
    rf"|{_CALENDAR_SEPARATOR}?(?P<day>0?[1-9]|[12]\d|3[01])(?!\d))?"
)
_CALENDAR_ONE: Final = re.compile(_CALENDAR_WORD)

#: Published example passphrases and proverbial phrases, commonest first:
#: xkcd 936 ("correct horse battery staple", 2011) and the parodies that
#: followed it, the pangram every typist knows, and phrases that head the
#: phrase lists crackers build from quotations and lyrics. Written without
#: separators; matching ignores spaces, dashes, dots and underscores.
PUBLISHED_PHRASES: Final = (
    "correcthorsebatterystaple",
    "incorrecthorsebatterystaple",
    "correcthorsebatterystapler",
    "thequickbrownfoxjumpsoverthelazydog",
    "quickbrownfox",
    "thequickbrownfox",
    "maryhadalittlelamb",
    "tobeornottobe",
    "maytheforcebewithyou",
    "iamyourfather",
    "opensesame",
    "letmein",
    "iloveyou",
    "ilovemyself",
    "allyourbasearebelongtous",
    "thecakeisalie",
    "itsatrap",
    "winteriscoming",
    "youshallnotpass",
    "helloworld",
    "onetwothreefour",
    "fourscoreandsevenyearsago",
    "twinkletwinklelittlestar",
    "happybirthdaytoyou",
    "hakunamatata",
    "carpediem",
    "yolo",
    "justdoit",
    "neverletmedown",
    "nevergonnagiveyouup",
    # Quotations from film, literature, speeches and songs that phrase lists
    # built for cracking (from quote sites and lyrics) put first.
    "tobeornottobethatisthequestion",
    "thatisthequestion",
    "ithinkthereforeiam",
    "cogitoergosum",
    "venividivici",
    "elementarymydearwatson",
    "houstonwehaveaproblem",
    "onesmallstepforman",
    "ihaveadream",
    "yeswecan",
    "keepcalmandcarryon",
    "stayhungrystayfoolish",
    "livelaughlove",
    "liveyourdreams",
    "followyourdreams",
    "nevergiveup",
    "nopainnogain",
    "knowledgeispower",
    "lifeisbeautiful",
    "lifeisshort",
    "lifeisgood",
    "allyouneedislove",
    "letitbeletitbe",
    "imagineallthepeople",
    "dontworrybehappy",
    "toinfinityandbeyond",
    "livelongandprosper",
    "beammeupscotty",
    "usetheforceluke",
    "illbeback",
    "hastalavistababy",
    "showmethemoney",
    "heresjohnny",
    "theresnoplacelikehome",
    "franklymydearidontgiveadamn",
    "youcanthandlethetruth",
    "bondjamesbond",
    "thetruthisoutthere",
    "trustnoone",
    "thereisnospoon",
    "followthewhiterabbit",
    "oneringtorulethemall",
    "myprecious",
    "valarmorghulis",
    "winterishere",
    "whereforeartthouromeo",
    "ohcaptainmycaptain",
    "allmenarecreatedequal",
    "thelordismyshepherd",
    "ourfatherwhoartinheaven",
    "inthebeginningwastheword",
    "godblessamerica",
    "isthisthereallife",
    "wearethechampions",
    "stairwaytoheaven",
    "somewhereovertherainbow",
    "supercalifragilisticexpialidocious",
)
_SEPARATORS: Final = frozenset(" -._")
_PHRASE: Final = re.compile("|".join(sorted(PUBLISHED_PHRASES, key=lambda p: (-len(p), p))))
_PHRASE_RANK: Final = {phrase: rank for rank, phrase in enumerate(PUBLISHED_PHRASES, 1)}
#: Separator styles a phrase is written in: none, or one of these between words.
_SEPARATOR_CHOICES: Final = math.log10(len(_SEPARATORS) + 1)

# Date pieces: Y-M-D, D-M-Y or M-D-Y with a separator, YYYYMMDD, Y-M or M-Y,
# YYYYMM, or a bare year; pieces are joined by a separator or "to".
_YEAR = r"(?:19|20)\d\d"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_IN = r"[-./_~]"  # between a date's fields: 2024-01-01, 2024_01_01, 2024~01~01
_PIECE = (
    r"(?:"
    rf"{_YEAR}{_IN}{_MONTH}{_IN}{_DAY}|{_DAY}{_IN}{_DAY}{_IN}{_YEAR}"
    rf"|{_YEAR}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    rf"|{_YEAR}{_IN}{_MONTH}|{_MONTH}{_IN}{_YEAR}"
    rf"|{_YEAR}(?:0[1-9]|1[0-2])|{_YEAR}"
    r")(?!\d)"
)
_JOIN = r"(?: ?[-~] ?|[-./_~ ]|to)"  # 2024-01 - 2024-02 too
_DATE_PIECE: Final = re.compile(_PIECE)
_DATE_RUN: Final = re.compile(rf"(?<!\d)(?:{_PIECE})(?:{_JOIN}(?:{_PIECE}))+(?!\d)")
_JOINERS: Final = math.log10(7)  # the joiner's choice: - . / _ ~ space "to"
_DATE_FORMATS: Final = math.log10(3)  # orders: Y-M-D, D-M-Y, M-D-Y


class Found(NamedTuple):
    """A piece found, in the estimator's terms (``kind`` as in ``Pattern``)."""

    start: int
    end: int
    log10: float
    kind: str
    notes: tuple[str, ...]


def _case_cost(piece: str) -> float:
    """log10 of the capitalisations tried: none, first or every letter, else per letter."""
    if piece.islower() or not any(c.isalpha() for c in piece):
        return 0.0
    if piece.isupper() or (piece[:1].isupper() and piece[1:].islower()):
        return _LOG2
    return _LOG2 * min(sum(1 for c in piece if c.isupper()), 8)


def calendar_runs(text: str, folded: str, reference: int) -> list[Found]:
    """Runs of month, weekday and season names (``MarchApril``, ``januaryfebruary``).

    A run costs one choice per name plus the capitalisation of each, and a
    separator's choice if it has any: a name after a name is one pattern. A
    year or day right after the run is part of it (``MarchApril2024``), at
    the year's distance from *reference* or one of 31 days.
    """
    found: list[Found] = []
    for run in _CALENDAR_RUN.finditer(folded):
        start, end = run.span()
        log10 = 0.0
        separated = False
        words_end = run.start("year") if run.group("year") else run.start("day")
        words_end = end if words_end < 0 else words_end
        previous: tuple[tuple[str, ...], int] | None = None
        styles: set[float] = set()
        cases = 0.0
        for word in _CALENDAR_ONE.finditer(folded, start, words_end):
            name = word.group()
            place = _PLACE[name]
            if (
                previous is not None
                and previous[0] is place[0]
                and (place[1] == (previous[1] + 1) % len(place[0]))
            ):
                log10 += _LOG2  # the next name in order: "and the next one"
            else:
                log10 += CALENDAR_COST[name]
            previous = place
            case = _case_cost(text[word.start() : word.end()])
            styles.add(case)
            cases += case
        # One style for every name (all capitalised) is one choice, not one per name.
        log10 += styles.pop() if len(styles) == 1 else cases
        if any(c in _CALENDAR_SEPARATORS for c in folded[start:end]):
            separated = True
        if separated:
            log10 += math.log10(len(_CALENDAR_SEPARATORS))
        if run.group("year"):
            log10 += math.log10(max(abs(int(run.group("year")) - reference), 20))
        elif run.group("day"):
            log10 += math.log10(31)
        found.append(Found(start, end, log10, "date", ("calendar",)))
    return found


def _year_of(piece: str) -> int | None:
    match = re.search(_YEAR, piece)
    return int(match.group()) if match else None


def _without_year(piece: str) -> str:
    """The piece's day and month digits (separators dropped), without its year."""
    return re.sub(r"\D", "", re.sub(_YEAR, "", piece, count=1))


def _piece_cost(piece: str) -> float:
    """Guesses of a date piece's own day or month, without its year."""
    digits = sum(c.isdigit() for c in piece)
    if digits <= 4:  # noqa: PLR2004 (a bare year)
        return 0.0
    if digits <= 6 and not (piece.count("-") + piece.count(".") + piece.count("/") >= 2):  # noqa: PLR2004
        return math.log10(12)  # a year and a month
    return math.log10(366)


def date_runs(text: str, reference: int) -> list[Found]:
    """Dates, year-months and years joined into ranges (``2024-01-01-2024-01``).

    The first piece costs its day or month, its year's distance from the
    reference year and its format; each later piece its own day or month
    and its year's distance from the piece before (a range stays near).
    """
    found: list[Found] = []
    for run in _DATE_RUN.finditer(text):
        pieces = [m.group() for m in _DATE_PIECE.finditer(run.group())]
        first_year = _year_of(pieces[0])
        assert first_year is not None  # noqa: S101 (every piece has a year)
        log10 = (
            _piece_cost(pieces[0])
            + math.log10(max(abs(first_year - reference), 20))
            + _DATE_FORMATS
            + _JOINERS
        )
        previous, previous_rest = first_year, _without_year(pieces[0])
        for piece in pieces[1:]:
            year = _year_of(piece)
            assert year is not None  # noqa: S101 (every piece has a year)
            rest = _without_year(piece)
            # The same day or month again (a year later) is one choice, else its own.
            own = _LOG2 if rest and rest == previous_rest else _piece_cost(piece)
            log10 += own + math.log10(abs(year - previous) + 1)
            previous, previous_rest = year, rest
        found.append(Found(run.start(), run.end(), log10, "date", ("date_range",)))
    return found


def _squeezed(source: str) -> tuple[str, Sequence[int]]:
    """*source* without separators, and each kept character's position in it."""
    if not any(c in source for c in _SEPARATORS):
        return source, range(len(source))
    kept = [i for i, c in enumerate(source) if c not in _SEPARATORS]
    return "".join(source[i] for i in kept), kept


def phrase_matches(text: str, folded: str) -> list[Found]:
    """Published phrases, with or without separators, in any case, l33t undone, or reversed."""
    found: list[Found] = []
    seen: set[tuple[int, int]] = set()
    sources = [folded]
    # Both l33t readings: ``1`` is ``l`` in one and ``i`` in the other (``w1th``).
    plain = folded.translate(_SUBSTITUTIONS)
    for reading in (plain, folded.translate(_ALTERNATE).translate(_SUBSTITUTIONS)):
        if reading not in sources:
            sources.append(reading)
    for source in sources:
        squeezed, where = _squeezed(source)
        if len(squeezed) < 4:  # noqa: PLR2004 (the shortest phrase)
            continue
        size = len(squeezed)
        backwards = squeezed[::-1]
        for reversed_, match in itertools.chain(
            ((False, m) for m in _PHRASE.finditer(squeezed)),
            ((True, m) for m in _PHRASE.finditer(backwards)),
        ):
            first, last = match.start(), match.end() - 1
            if reversed_:  # a phrase typed backwards (``elpatsyrettab...``)
                first, last = size - 1 - last, size - 1 - first
            start, end = where[first], where[last] + 1
            if (start, end) in seen:
                continue
            seen.add((start, end))
            span = text[start:end]
            log10 = math.log10(_PHRASE_RANK[match.group()]) + _case_cost(span)
            if reversed_:
                log10 += _LOG2
            notes: tuple[str, ...] = ("reversed",) if reversed_ else ()
            if end - start != match.end() - match.start():
                log10 += _SEPARATOR_CHOICES
            changed = sum(
                1 for a, b in zip(folded[start:end], source[start:end], strict=True) if a != b
            )
            if changed:
                log10 += _LOG2 * min(changed, 8)
                notes += ("substitution",)
            found.append(Found(start, end, log10, "dictionary", notes))
    return found

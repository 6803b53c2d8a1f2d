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
  entries of every phrase list, as the word "password" in other languages
  (``密码``, ``пароль``) is of every password list; each costs its rank there, in any case,
  with or without separators and with the usual substitutions undone.
- **Words reversed in l33t**: a common word typed backwards *and* with
  substitutions, possibly cut by a separator (``Dr0w-ss@p``: ``password``),
  costs its rank and one choice per rule applied, as each rule alone does.
- **Compositions of common pieces**: words, keyboard walks, calendar names,
  phrases, years, short numbers and symbol runs joined by one separator
  (``Monkey-Dragon-2024``, ``asdf-ghjk-2024!``, ``ILoveJan2024!!!``). A
  cracker's combinator attack enumerates the pieces' lists, so the whole
  costs the *product* of the pieces' own guesses, one choice of separator
  (not a random character per gap), one choice of capitalisation style and
  the estimator's usual factor per further piece; a walk chunk that goes on
  where the last one stopped (``asdf`` then ``ghjk``) is "the next chunk".

Each finder is one regular-expression scan (C) plus work per match; none
grows faster than the password's length.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from importlib import resources
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import ahocorasick

from secpolicy.password._rules import (
    _ALTERNATE,
    _SUBSTITUTIONS,
    COMMON_PASSWORDS,
    ENGLISH_WORDS,
    ESTIMATOR_ROWS,
    LEET,
    is_date,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Container, Iterable, Sequence

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
#: The data file of the other languages' names (see ``scripts/build_calendar_names.py``).
CALENDAR_FILE: Final = "calendar_names.txt"


def _other_languages() -> tuple[dict[str, tuple[tuple[str, ...], int]], float]:
    """Month and weekday names in the other languages, with their set and place.

    German, French, Spanish, Portuguese, Italian and Dutch from the Unicode
    CLDR, and Japanese in romaji; a name shared by two languages or kinds
    keeps its first reading. The second value is log10 of the forms an
    attacker tries for them: full or short, in each language.
    """
    text = resources.files("secpolicy.password").joinpath(f"data/{CALENDAR_FILE}")
    sets = {"month": MONTHS, "weekday": WEEKDAYS}
    names: dict[str, tuple[tuple[str, ...], int]] = {}
    languages: set[str] = set()
    for line in text.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        kind, place, language, name = line.split("\t")
        languages.add(language)
        names.setdefault(name, (sets[kind], int(place)))
    return names, math.log10(2 * len(languages))


#: Names in the other languages cost one form of theirs, after English and pinyin.
_OTHER_NAMES, _OTHER_FORMS = _other_languages()
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
    for name, (kind_names, _) in _OTHER_NAMES.items():
        cost.setdefault(name, math.log10(len(kind_names)) + _OTHER_FORMS)
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
    for name, where in _OTHER_NAMES.items():
        places.setdefault(name, where)
    return places


_PLACE: Final = _places()


def _trie_pattern(words: Iterable[str]) -> str:
    """One regular expression for *words*, longest first, as a trie of shared prefixes.

    The search tries one branch per character instead of every word at
    every position, which keeps a scan for some 400 names as fast as for 70.
    """
    trie: dict[str, dict] = {}  # type: ignore[type-arg]  # (a recursive mapping)
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict) -> str:  # type: ignore[type-arg]  # (a recursive mapping)
        branches = [
            re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(trie)


_CALENDAR_WORD: Final = _trie_pattern(CALENDAR_COST)
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
    # Heads of the commonest phrase templates in leaked passwords ("I love
    # ..." is iloveyou's family: ilovejesus, ilovemom, ilove + a name).
    "ilove",
    "iloveu",
    "ihateyou",
    "mylove",
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
    # Greetings, fairy-tale openings and lines people write on cards, which
    # phrase lists carry with "2me", "2u" or a year after them.
    "happybirthday",
    "merrychristmas",
    "happynewyear",
    "happyvalentinesday",
    "happyanniversary",
    "onceuponatime",
    "happilyeverafter",
    "maythe4thbewithyou",
    "maythefourthbewithyou",
    "tothemoonandback",
    "iloveyoutothemoon",
    "iloveyoutothemoonandback",
    "iloveyousomuch",
    "loveyouforever",
    "foreverandever",
    "foreverandalways",
    "whatdoesthefoxsay",
    "goodmorning",
    "goodnight",
    "letitgo",
    "godisgood",
    "jesusloveme",
    "jesuslovesme",
    # Text-speak: digits and letters read as words (4 "for", 2 "to", u "you").
    "4ever",
    "forever",
    "2gether",
    "together",
    "iloveyou2u",
    "iloveyou4ever",
    "iloveu4ever",
    "love4ever",
    "friends4ever",
    "bestfriends4ever",
    "bff4ever",
    "together4ever",
    # Pinyin: love words and numbers (我爱你 woaini, 我爱 woai + a name,
    # 爱你一生 ainiyisheng, 亲爱的 qinaide, 宝贝 baobei, 老婆 laopo),
    # 中国人 zhongguoren, the placeholder names
    # 张三/李四/王五 and the commonest full names of the 2019 national register
    # (张伟, 王伟, 王芳, 李伟, 李娜, 张敏, 李静, 王静, 刘伟, 王秀英, 张丽, 李秀英,
    # 王丽, 张静, 张秀英, 李强, 王敏, 李敏, 王磊, 刘洋, 王艳, 王勇, 李军, 张勇)
    # and of famous people users name themselves after (李小龙).
    "woaini",
    "woai",
    # Love numbers, read aloud: 520 我爱你, 1314 一生一世, 521, 3344 生生世世.
    "5201314",
    "1314520",
    "1314",
    "520",
    "521",
    "3344",
    "aini",
    "woaini1314",
    "ainiyisheng",
    "yisheng",
    "yishengyishi",
    "yongyuan",
    "yongyuanaini",
    "qinaide",
    "baobei",
    "xiaobaobei",
    "laopo",
    "laogong",
    "woaiwojia",
    "woaimama",
    "woaibaba",
    "wodemima",
    "zhongguo",
    "zhongguoren",
    "zhangsan",
    "lisi",
    "wangwu",
    "zhangwei",
    "wangwei",
    "wangfang",
    "liwei",
    "lina",
    "zhangmin",
    "lijing",
    "wangjing",
    "liuwei",
    "wangxiuying",
    "zhangli",
    "lixiuying",
    "wangli",
    "zhangjing",
    "zhangxiuying",
    "liqiang",
    "wangmin",
    "limin",
    "wanglei",
    "liuyang",
    "wangyan",
    "wangyong",
    "lijun",
    "zhangyong",
    "lixiaolong",
)
#: The word "password" in the languages users write it in, commonest first:
#: every cracker's first guesses after ``password`` itself, as the English word
#: is in every list (NIST SP 800-63B's "commonly used" passwords). Each costs
#: its rank here, as a published phrase costs its rank in its list; most are
#: missing from the English-centred lists or ranked far down (``пароль``
#: at 16,623, ``密码`` absent).
PASSWORD_WORDS: Final = (
    "密码",
    "mima",
    "пароль",
    "parol",
    "passwort",
    "contraseña",
    "contrasena",
    "senha",
    "motdepasse",
    "パスワード",
    "비밀번호",
    "密碼",
    "口令",
    "parola",
    "sifre",
    "şifre",
    "haslo",
    "hasło",
    "wachtwoord",
    "kennwort",
    "salasana",
    "losenord",
    "lösenord",
    "passord",
    "adgangskode",
    "heslo",
    "jelszo",
    "jelszó",
    "matkhau",
    "katasandi",
    "κωδικός",
    "סיסמה",
    "كلمةالسر",
    "पासवर्ड",
)
_SEPARATORS: Final = frozenset(" -._")
_PHRASE_RANK: Final = {
    **{word: rank for rank, word in enumerate(PASSWORD_WORDS, 1)},
    **{phrase: rank for rank, phrase in enumerate(PUBLISHED_PHRASES, 1)},
}
_PHRASE: Final = re.compile("|".join(sorted(_PHRASE_RANK, key=lambda p: (-len(p), p))))
_SHORTEST_PHRASE: Final = min(map(len, _PHRASE_RANK))
#: Which way a phrase occurs in a text, as the automaton of ``_phrase_ways`` reports it.
_FORWARDS: Final = 1
_BACKWARDS: Final = 2
_PHRASE_WAYS: list[Any] = []  # built on first use: the phrases' automaton's iter


def _phrase_ways(text: str) -> int:
    """Which of :data:`_PHRASE`'s searches can find anything in *text*, as a bit mask.

    ``_FORWARDS`` if some phrase occurs in *text*, ``_BACKWARDS`` if one
    occurs in it reversed; 0 for most passwords. Every phrase is a literal
    (no character the expression reads specially; a test pins it), so a
    search finds nothing where its phrases do not occur. One C pass of an
    Aho-Corasick automaton over the phrases and their reversals, instead of
    two scans of a 200-branch expression that find nothing.
    """
    if not _PHRASE_WAYS:
        automaton: Any = ahocorasick.Automaton(ahocorasick.STORE_ANY)
        ways: dict[str, int] = {}
        for phrase in _PHRASE_RANK:
            ways[phrase] = ways.get(phrase, 0) | _FORWARDS
            ways[phrase[::-1]] = ways.get(phrase[::-1], 0) | _BACKWARDS
        for key, way in ways.items():
            automaton.add_word(key, way)
        automaton.make_automaton()
        _PHRASE_WAYS.append(automaton.iter)
    found = 0
    for _end, way in _PHRASE_WAYS[0](text):
        found |= way
    return found


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

    Compositions of common pieces (:func:`composition_matches`) are returned
    with the runs, so that the estimator needs no second hook.
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
    # The estimator asks for calendar runs with the reference year; compositions
    # need the same and ride along (see composition_matches).
    found += composition_matches(text, folded, reference)
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
    if _SEPARATORS.isdisjoint(source):
        return source, range(len(source))
    kept = [i for i, c in enumerate(source) if c not in _SEPARATORS]
    return "".join(source[i] for i in kept), kept


def phrase_matches(text: str, folded: str) -> list[Found]:
    """Published phrases, with or without separators, in any case, l33t undone, or reversed.

    Also returns :func:`reversed_leet_matches`, so that the estimator needs
    no second hook.
    """
    # Words reversed in l33t are dictionary pieces of the same kind; they ride along.
    return [*published_phrases(text, folded), *reversed_leet_matches(text, folded)]


def published_phrases(text: str, folded: str, *, prefilter: bool = True) -> list[Found]:
    """:func:`phrase_matches` without the words reversed in l33t.

    With *prefilter* (the default), a reading is searched only the ways
    :func:`_phrase_ways` says a phrase occurs in it; ``prefilter=False`` is
    the plain twin that runs both searches on every reading.
    """
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
        if len(squeezed) < _SHORTEST_PHRASE:
            continue
        ways = _phrase_ways(squeezed) if prefilter else _FORWARDS | _BACKWARDS
        if not ways:
            continue
        size = len(squeezed)
        backwards = squeezed[::-1]
        for reversed_, match in itertools.chain(
            ((False, m) for m in (_PHRASE.finditer(squeezed) if ways & _FORWARDS else ())),
            ((True, m) for m in (_PHRASE.finditer(backwards) if ways & _BACKWARDS else ())),
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


# --- Words reversed in l33t --------------------------------------------------

#: Separators users type inside a word (``Dr0w-ss@p``): one choice of four;
#: any other symbol there is one of the 33 printable ASCII symbols.
_COMMON_SEPARATORS: Final = frozenset("-._ ")
_SEPARATOR_CHOICE: Final = (math.log10(4), math.log10(33))
#: Words of at least this many letters are looked up reversed in l33t, at most
#: ``_MAX_REVERSED`` long and cut by at most ``_MAX_CUTS`` separators.
_MIN_REVERSED: Final = 4
_MAX_REVERSED: Final = 20
_MAX_CUTS: Final = 2
_MAX_LETTERS: Final = 8  # substitutions priced per key, up to this many (as the estimator)
_INNER_SEPARATOR: Final = re.compile(r"(?<=[^\W\d_])[\W\d_](?=[^\W\d_])")
_WORD_PREFIXES: list[frozenset[str]] = []  # built on first use: the first four letters of words


def _ranks() -> Callable[[str], int | None]:
    """A word's rank as the estimator's dictionary has it, or None.

    The lower of its ranks in the bundled common-password list and in the
    list of ordinary words and names (``word`` is 23,191st among passwords
    but 1,513th among words).
    """
    if not _RANK_OF:
        common, words = COMMON_PASSWORDS.ranks.get, ENGLISH_WORDS.ranks.get

        def rank_of(word: str) -> int | None:
            first = common(word)
            if first is None:  # the common list holds every word of the word list
                return None
            second = words(word)
            return first if second is None or first <= second else second

        _RANK_OF.append(rank_of)
    return _RANK_OF[0]


_RANK_OF: list[Callable[[str], int | None]] = []  # built on first use


def _prefixes() -> frozenset[str]:
    """The first ``_MIN_REVERSED`` letters of every alphabetic entry (one set, built once)."""
    if not _WORD_PREFIXES:
        size = _MIN_REVERSED
        _WORD_PREFIXES.append(
            frozenset(w[:size] for w in COMMON_PASSWORDS.ranks if len(w) >= size and w.isalpha())
        )
    return _WORD_PREFIXES[0]


def _entry_prefixes() -> Container[str] | None:
    """Every entry of the common-password list and every prefix of one (3+ characters).

    The estimator's own table for that list holds exactly these, if it is
    loaded (None if not: a service with its own blocklist does not load the
    bundled one for this). Imported here since the estimator imports this
    module.
    """
    from secpolicy.password._strength import _DICTIONARIES  # noqa: PLC0415

    index = _DICTIONARIES.get(COMMON_PASSWORDS)
    return None if index is None else index.table


def reversed_leet_matches(  # noqa: PLR0912 (two readings, one pass each, kept together)
    text: str,
    folded: str,
    *,
    starts: Callable[[], Container[str] | None] | None = _entry_prefixes,
) -> list[Found]:
    """Common words typed backwards with substitutions, perhaps cut by a separator.

    ``Dr0w-ss@p`` is ``password`` reversed, in l33t, with a ``-`` inside. Each
    rule alone is already priced as one choice more than the word (reversal,
    each substituted key, each cut at its place); applied together they
    still are, so the piece costs the word's rank and each rule's choice.
    Only pieces with a substitution are found here (the estimator's own
    reversed walk has the rest). The work is one set lookup per position of
    the reversed reading and, where a word can start, at most
    ``_MAX_REVERSED`` dictionary lookups, fewer since a piece that no entry
    starts with (*starts*: every entry and every prefix of one) ends them;
    ``starts=None`` is the plain twin that tries every length.
    """
    found: list[Found] = []
    n = len(folded)
    if n < _MIN_REVERSED or not any(c in LEET for c in folded):
        return found
    readings = [folded.translate(_SUBSTITUTIONS)]
    alternate = folded.translate(_ALTERNATE).translate(_SUBSTITUTIONS)
    if alternate != readings[0]:
        readings.append(alternate)
    rank_of, prefixes = _ranks(), _prefixes()
    common = COMMON_PASSWORDS.ranks  # holds every word of the word list too, for the first test
    begins = starts() if starts is not None else None
    seen: set[tuple[int, int]] = set()
    for reading in readings:
        # A single non-letter between two letters is a separator typed inside the word.
        cut = frozenset(m.start() for m in _INNER_SEPARATOR.finditer(reading))
        if cut:
            kept: Sequence[int] = [k for k in range(n) if k not in cut]
            backwards = "".join(reading[k] for k in reversed(kept))
        else:
            kept, backwards = range(n), reading[::-1]
        size = len(backwards)
        for i in range(size - _MIN_REVERSED + 1):
            if backwards[i : i + _MIN_REVERSED] not in prefixes:
                continue
            for j in range(i + _MIN_REVERSED, min(size, i + _MAX_REVERSED) + 1):
                word = backwards[i:j]
                if begins is not None and word not in begins:
                    break  # no entry starts with it, so no longer piece is one
                if word not in common or word == word[::-1]:
                    continue
                rank = rank_of(word)
                assert rank is not None  # noqa: S101 (an entry has a rank)
                first, last = size - j, size - 1 - i  # in the squeezed reading, forwards
                start, end = kept[first], kept[last] + 1
                cuts = (end - start) - (j - i)
                keys = sum(
                    1
                    for k in kept[first : last + 1]
                    if reading[k] != folded[k] and folded[k] in LEET
                )
                if not keys or cuts > _MAX_CUTS or (start, end) in seen:
                    continue
                seen.add((start, end))
                letters = "".join(text[k] for k in kept[first : last + 1])
                log10 = math.log10(rank) + _LOG2 + _LOG2 * min(keys, _MAX_LETTERS)
                log10 += _case_cost(letters)
                places = math.log10(j - i)
                for k in cut:
                    if start < k < end:  # a separator inside: its place and its choice
                        log10 += places + _SEPARATOR_CHOICE[folded[k] not in _COMMON_SEPARATORS]
                notes: tuple[str, ...] = ("reversed", "substitution")
                if letters != letters.lower():
                    notes += ("capitalisation",)
                found.append(Found(start, end, log10, "dictionary", notes))
    return found


# --- Compositions of common pieces -------------------------------------------

#: The estimator's factor for each further pattern combined (zxcvbn's model).
_FURTHER_PIECE: Final = math.log10(3)
#: A cracker's brute-force rate for one character (as the estimator's).
_PER_CHARACTER: Final = 1.0
_KEYS: Final = 47
_KEY_DEGREE: Final = 4
_MIN_WALK: Final = 4
_YEAR_AT = r"(?:19|20)\d\d(?!\d)"
_LEET_KEY = "[" + re.escape("".join(LEET)) + "]"
_LEET_KEYS: Final = frozenset(LEET)
#: A password's pieces: a year, a word (letters with l33t keys among them, a
#: key never taken from a year: ``p2024``), other digits, a run of one symbol.
_TOKEN: Final = re.compile(
    rf"(?P<year>(?<!\d){_YEAR_AT})"
    rf"|(?P<word>(?:(?!(?<!\d){_YEAR_AT}){_LEET_KEY})*[^\W\d_]"
    rf"(?:[^\W\d_]|(?!(?<!\d){_YEAR_AT}){_LEET_KEY})*)"
    r"|(?P<digits>\d+)"
    r"|(?P<symbol>[\W_])(?P=symbol)*"
)
#: The same without l33t keys in words, for a word that is no word as a whole (``love!!!``).
_STRICT_TOKEN: Final = re.compile(
    rf"(?P<year>(?<!\d){_YEAR_AT})|(?P<word>[^\W\d_]+)|(?P<digits>\d+)|(?P<symbol>[\W_])(?P=symbol)*"
)
_INNER_LEET: Final = re.compile(rf"(?<=[^\W\d_]){_LEET_KEY}(?=[^\W\d_])")
_MAX_COMPOSED: Final = 64  # longer texts are priced by the estimator's other patterns
_MAX_PIECE: Final = 24
#: A composition has at most this many tokens (five pieces and their
#: separators); text that changes between letters, digits and symbols more
#: often than that is random-looking, and is left to the estimator.
_MAX_TOKENS: Final = 9
_MAX_STRICT_TOKENS: Final = 10
_MAX_CAMEL_PARTS: Final = 6
#: Letters run together without camel case are cut once before a calendar
#: name, phrase or walk, if 5 to 16 letters long.
_MIN_CUT_WORD: Final = 5
_MAX_CUT_WORD: Final = 16


class _Piece(NamedTuple):
    start: int
    end: int
    log10: float
    kind: str  # "word", "walk", "number", "symbol" or "separator"
    style: str = ""  # letters only: "lower", "capital", "upper" or "mixed"


def _style(original: str) -> str:
    if original.islower():
        return "lower"
    if original[:1].isupper() and (len(original) == 1 or original[1:].islower()):
        return "capital"
    if original.isupper():
        return "upper"
    return "mixed" if any(c.isupper() for c in original) else "lower"


def _known_pieces() -> dict[str, tuple[float, str]]:
    """Published phrases, calendar names and keyboard-walk pieces, each at its cost."""
    known: dict[str, tuple[float, str]] = {}

    def offer(piece: str, cost: float, kind: str) -> None:
        if piece not in known or cost < known[piece][0]:
            known[piece] = (cost, kind)

    for phrase, rank in _PHRASE_RANK.items():
        offer(phrase, math.log10(rank), "word")
    for name, cost in CALENDAR_COST.items():
        offer(name, cost, "word")
    for row in (*ESTIMATOR_ROWS, *(row[::-1] for row in ESTIMATOR_ROWS)):
        for size in range(_MIN_WALK, min(len(row), _MAX_PIECE) + 1):
            walk = math.log10(_KEYS * _KEY_DEGREE * (size - 1))
            for i in range(len(row) - size + 1):
                offer(row[i : i + size], walk, "walk")
    return known


_KNOWN: Final = _known_pieces()


def _letters_cost(word: str, rank_of: Callable[[str], int | None]) -> tuple[float, str] | None:
    """log10 guesses of a letter piece known as a whole, and its kind; None if unknown.

    A word of the list costs its rank, typed backwards one choice more; a
    phrase, calendar name or keyboard-walk piece its own cost.
    """
    best = _KNOWN.get(word)
    rank = rank_of(word)
    if rank is not None and (best is None or math.log10(rank) < best[0]):
        best = (math.log10(rank), "word")
    if len(word) >= _MIN_REVERSED:
        backwards = rank_of(word[::-1])
        if backwards is not None and (best is None or math.log10(backwards) + _LOG2 < best[0]):
            best = (math.log10(backwards) + _LOG2, "word")  # typed backwards: one choice more
    return best


def _camel_parts(original: str) -> list[int]:
    """Where capitals or another script start new words (``ILoveJan``: 0, 1, 5), the first always.

    Latin letters after others (``密码password``, ``パスワードqwerty``) start a
    word as a capital does.
    """
    if original.isascii() and original == original.lower():
        return [0]  # one script and no capitals: nothing starts a new word
    return _camel_cuts(original)


def _camel_cuts(original: str) -> list[int]:
    """:func:`_camel_parts` read at every letter: its plain twin, and its general case."""
    return [0] + [
        i
        for i in range(1, len(original))
        if (
            original[i].isupper()
            and (
                original[i - 1].islower()
                or (
                    i + 1 < len(original)
                    and original[i + 1].islower()
                    and original[i - 1].isupper()
                )
            )
        )
        or (original[i].isascii() != original[i - 1].isascii() and not _accented(original, i))
    ]


def _accented(original: str, i: int) -> bool:
    """Whether the change of script at *i* is an accented Latin letter (``contraseña``)."""
    letter = original[i] if not original[i].isascii() else original[i - 1]
    return unicodedata.decomposition(letter)[:1].isalnum() or letter in "ßøłđæœı"


def _word_pieces(
    text: str, folded: str, readings: Sequence[str], start: int, end: int
) -> list[_Piece] | None:
    """A run of letters as known pieces (camel case or one cut) in its cheapest reading, or None.

    *readings* are the folded text with substitutions undone (``1`` as ``l``
    and as ``i``); each substituted key costs one choice of two, as in the
    estimator.
    """
    if end - start > _MAX_PIECE:
        return None
    lower = folded[start:end]
    original = text[start:end]
    if lower.isalpha():  # no substitution: one reading, and usually one lookup
        style = _style(original)
        if style != "mixed":
            whole = _letters_cost(lower, _ranks())
            if whole is not None:
                return [_Piece(start, end, whole[0], whole[1], style)]
        return _reading_pieces(original, lower, lower, start)
    best: tuple[float, list[_Piece]] | None = None
    for reading in dict.fromkeys([*(r[start:end] for r in readings), *_mixed(lower)]):
        pieces = _reading_pieces(original, lower, reading, start)
        if pieces is not None:
            cost = sum(p.log10 for p in pieces) + len(pieces) * _FURTHER_PIECE
            if best is None or cost < best[0]:
                best = (cost, pieces)
    return None if best is None else best[1]


#: Keys with two letters (``1``: ``i`` or ``l``); a piece with two to this
#: many is also read with each of them either way (``w1l1iam``).
_TWO_LETTER_KEYS: Final = {key: letters for key, letters in LEET.items() if len(letters) > 1}
_MAX_MIXED_KEYS: Final = 4


def _mixed(lower: str) -> list[str]:
    """The readings of the piece *lower* whose two-letter keys are read differently.

    The uniform readings read every ``1`` the same way, so ``w1l1iam``
    (``william``) is in neither; each key costs one substitution in every
    reading, so a mixed one costs what a uniform one does.
    """
    keys = [k for k, c in enumerate(lower) if c in _TWO_LETTER_KEYS]
    if not 2 <= len(keys) <= _MAX_MIXED_KEYS:  # noqa: PLR2004 (one key: the uniform readings)
        return []
    found: list[str] = []
    plain = lower.translate(_SUBSTITUTIONS)
    for letters in itertools.product(*(_TWO_LETTER_KEYS[lower[k]] for k in keys)):
        chars = list(plain)
        for k, letter in zip(keys, letters, strict=True):
            chars[k] = letter
        found.append("".join(chars))
    return found


def _reading_pieces(original: str, lower: str, plain: str, start: int) -> list[_Piece] | None:
    """:func:`_word_pieces` for one reading *plain* of the letters *original* at *start*."""
    ranks = _ranks()
    end = start + len(original)
    keys = sum(1 for a, b in zip(lower, plain, strict=True) if a != b)
    extra = _LOG2 * min(keys, _MAX_LETTERS)

    def known(i: int, j: int) -> _Piece | None:
        cost = _letters_cost(plain[i:j], ranks)
        if cost is None:
            return None
        return _Piece(start + i, start + j, cost[0], cost[1], _style(original[i:j]))

    whole = known(0, end - start)
    candidates: list[list[_Piece]] = [[whole]] if whole is not None else []
    cuts = [*_camel_parts(original), end - start]
    if 2 < len(cuts) <= _MAX_CAMEL_PARTS + 1:  # noqa: PLR2004 (camel case: merge known neighbours)
        best: list[tuple[float, list[_Piece]] | None] = [None] * len(cuts)
        best[0] = (0.0, [])
        for b in range(1, len(cuts)):
            for a in range(max(0, b - 3), b):
                before = best[a]
                piece = known(cuts[a], cuts[b]) if before is not None else None
                if before is None or piece is None:
                    continue
                cost = before[0] + piece.log10 + (_FURTHER_PIECE if a else 0.0)
                current = best[b]
                if current is None or cost < current[0]:
                    best[b] = (cost, [*before[1], piece])
        if best[-1] is not None:
            candidates.append(best[-1][1])
    elif whole is None and _MIN_CUT_WORD <= end - start <= _MAX_CUT_WORD:
        # One cut before a calendar name, phrase or walk (``ilove|jan``); two
        # ordinary words run together are the estimator's dictionary cover.
        for cut in range(1, end - start - 2):
            if plain[cut:] in _KNOWN:
                left = known(0, cut)
                if left is not None:
                    right = known(cut, end - start)
                    assert right is not None  # noqa: S101 (known above)
                    candidates.append([left, right])
    if not candidates:
        return None
    pieces = min(candidates, key=lambda ps: sum(p.log10 for p in ps) + len(ps) * _FURTHER_PIECE)
    return [pieces[0]._replace(log10=pieces[0].log10 + extra), *pieces[1:]]


def _number_cost(digits: str, reference: int) -> float:
    """A year, a date, a common number (``123``, ``2580``) or digits at brute-force rate."""
    cost = _PER_CHARACTER * len(digits)
    rank = _ranks()(digits)
    if rank is not None:
        cost = min(cost, math.log10(rank))
    if len(digits) in (6, 8) and is_date(digits):  # YYMMDD, YYYYMMDD
        year = int(digits[:4]) if len(digits) == 8 else 1990  # noqa: PLR2004
        cost = min(cost, math.log10(365) + math.log10(max(abs(year - reference), 20)))
    return cost


def _tokens(
    text: str,
    folded: str,
    readings: Sequence[str],
    tokens: Sequence[re.Match[str]],
    reference: int,
) -> list[_Piece | None]:
    """The password's *tokens* as pieces, None where a word is unknown (a chain stops there)."""
    pieces: list[_Piece | None] = []

    def add(token: re.Match[str], *, strict: bool) -> None:
        kind = token.lastgroup
        start, end = token.span()
        if kind == "year":
            year = int(token.group())
            pieces.append(_Piece(start, end, math.log10(max(abs(year - reference), 20)), "number"))
        elif kind == "digits":
            pieces.append(_Piece(start, end, _number_cost(token.group(), reference), "number"))
        elif kind == "symbol":
            repeats = end - start
            pieces.append(
                _Piece(start, end, _PER_CHARACTER + math.log10(repeats), "symbol", token.group())
            )
        else:
            words = _word_pieces(text, folded, (folded,) if strict else readings, start, end)
            if words is not None:
                pieces.extend(words)
            elif strict:
                pieces.append(None)
            else:  # ``love!!!`` or ``monkey1``: the keys at its ends are digits and symbols
                for inner in _STRICT_TOKEN.finditer(folded, start, end):
                    add(inner, strict=True)

    for token in tokens:
        add(token, strict=False)
    return pieces


def _continued(
    previous: _Piece | None, added: float, piece: _Piece, folded: str, reading: str
) -> float:
    """What *piece* adds to the chain after *previous* (which added *added*).

    Its own guesses, unless the two go on as one: a walk chunk where the last
    one stopped (``asdf`` then ``ghjk``) is "the next chunk", one choice; two
    words that spell one word across the separator (``P@ss-W0rd``) cost that
    word, the cut's place and their substitutions, as a word cut by a
    separator does in the estimator.
    """
    own = piece.log10
    if previous is None or previous.kind not in ("word", "walk"):
        return own
    if piece.kind == "walk":
        walk = folded[previous.start : previous.end] + folded[piece.start : piece.end]
        if _KNOWN.get(walk, (0.0, ""))[1] == "walk":
            return min(own, _LOG2)
    elif piece.kind == "word":
        joined = reading[previous.start : previous.end] + reading[piece.start : piece.end]
        known = _letters_cost(joined, _ranks())
        if known is not None:
            spans = itertools.chain(
                range(previous.start, previous.end), range(piece.start, piece.end)
            )
            keys = sum(1 for k in spans if folded[k] != reading[k])
            pair = known[0] + math.log10(len(joined)) + _LOG2 * min(keys, _MAX_LETTERS)
            return min(own, pair - added)
    return own


def _chain_cost(  # noqa: PLR0912 (one pass over the pieces, kept together to read as the rule)
    chain: list[_Piece], text: str, folded: str, reading: str
) -> tuple[float, tuple[str, ...]] | None:
    """The guesses of a chain of pieces, or None if it is not a composition."""
    # A single symbol between two other pieces separates them.
    parts: list[_Piece] = []
    separators: list[str] = []
    for k, piece in enumerate(chain):
        if (
            piece.kind == "symbol"
            and piece.end - piece.start == 1
            and 0 < k < len(chain) - 1
            and chain[k - 1].kind != "symbol"
            and chain[k + 1].kind != "symbol"
        ):
            separators.append(piece.style)
        else:
            parts.append(piece)
    words = [p for p in parts if p.kind in ("word", "walk")]
    if len(words) < (1 if separators else 2):  # a bare word and year: the estimator's own cover
        return None
    log10 = 0.0
    notes: list[str] = []
    previous: _Piece | None = None
    added = 0.0
    for piece in parts:
        added = _continued(previous, added, piece, folded, reading)
        log10 += added
        previous = piece
        if piece.kind == "walk":
            notes.append("keyboard_walk")
        elif piece.kind == "number" and piece.end - piece.start >= 4:  # noqa: PLR2004
            notes.append("date")
    log10 += _FURTHER_PIECE * (len(parts) - 1)
    gaps = sum(1 for a, b in itertools.pairwise(chain) if a.kind != "symbol" and b.kind != "symbol")
    if separators:
        choices = [_SEPARATOR_CHOICE[s not in _COMMON_SEPARATORS] for s in separators]
        if len(set(separators)) == 1 and not gaps:
            log10 += choices[0]  # one separator between every two pieces: one choice
        else:
            log10 += sum(choices) + _LOG2 * (len(separators) + gaps)
    styles = {p.style for p in words}
    if styles <= {"lower"}:
        pass
    elif len(styles) == 1 or (styles == {"capital", "upper"} and _single_capitals(words, text)):
        log10 += _LOG2  # every word capitalised, or every word in capitals: one choice
        notes.append("capitalisation")
    else:
        log10 += sum(_case_cost(text[p.start : p.end]) for p in words)
        notes.append("capitalisation")
    return log10, tuple(dict.fromkeys(notes))


def _single_capitals(words: list[_Piece], text: str) -> bool:
    """The words in capitals are single letters (``I`` in ``ILoveJan``), so one style."""
    return all(p.style != "upper" or p.end - p.start == 1 for p in words) or all(
        p.style != "capital" or p.end - p.start == 1 for p in words
    )


def _may_compose(text: str, folded: str, tokens: Sequence[re.Match[str]]) -> bool:
    """Whether the plain tokens can hold a composition: two words, or a word and a separator.

    A single run of letters can still be two pieces when it is camel case or
    ends in a calendar name, phrase or walk (``ILoveJan``, ``ilovejan``).
    Most passwords (a word and digits) end here, before any dictionary lookup.
    """
    words = [t for t in tokens if t.lastgroup == "word"]
    if len(words) >= 2:  # noqa: PLR2004
        return True
    if not words:
        return False
    for before, middle, after in zip(tokens, tokens[1:], tokens[2:], strict=False):
        if (
            middle.lastgroup == "symbol"
            and middle.end() - middle.start() == 1
            and before.lastgroup != "symbol"
            and after.lastgroup != "symbol"
        ):
            return True
    start, end = words[0].span()
    original = text[start:end]
    if len(_camel_parts(original)) > 1:
        return True
    letters = folded[start:end]
    return _MIN_CUT_WORD <= len(letters) <= _MAX_CUT_WORD and any(
        letters[cut:] in _KNOWN for cut in range(1, len(letters) - 2)
    )


def _merged_dates(chain: list[_Piece], text: str, reference: int) -> list[_Piece]:
    """*chain* with each date written in fields (``1990.01.01``, ``01-01-1990``) as one piece.

    Its fields and their separator are one date in one of three orders, not
    a year and two short numbers each joined by a separator of its own.
    """
    merged: list[_Piece] = []
    k = 0
    while k < len(chain):
        window = chain[k : k + 5]
        if (
            len(window) == 5  # noqa: PLR2004 (three fields and two separators)
            and all(p.kind == "number" for p in window[::2])
            and window[1].kind == window[3].kind == "symbol"
            and text[window[1].start : window[1].end] == text[window[3].start : window[3].end]
            and window[1].end - window[1].start == 1
        ):
            fields = [text[p.start : p.end] for p in window[::2]]
            sizes = [len(f) for f in fields]
            if sizes[0] == 4 and max(sizes[1:]) <= 2:  # noqa: PLR2004 (Y-M-D)
                digits = fields[0] + fields[1].zfill(2) + fields[2].zfill(2)
            elif sizes[2] == 4 and max(sizes[:2]) <= 2:  # noqa: PLR2004 (D-M-Y or M-D-Y)
                digits = fields[0].zfill(2) + fields[1].zfill(2) + fields[2]
            else:
                digits = ""
            if digits and is_date(digits):
                cost = _number_cost(digits, reference) + _DATE_FORMATS
                merged.append(_Piece(window[0].start, window[4].end, cost, "number"))
                k += 5
                continue
        merged.append(chain[k])
        k += 1
    return merged


def composition_matches(text: str, folded: str, reference: int) -> list[Found]:
    """Spans made wholly of common pieces, priced as the product of the pieces.

    ``Monkey-Dragon-2024`` is two of the commonest password words and a
    recent year joined by one separator: a combinator attack over the
    common-password list with the usual year rule finds it after about
    rank(monkey) x rank(dragon) x 20 years x 4 separators x 2 capitalisations
    guesses (under 10**6), where pricing each separator as a random character
    and each piece at the estimator's floor for a short pattern gives 10**8.
    Each maximal run of known pieces (see :func:`_tokens`) with at least two
    pieces, one of them a word or walk, is one match; work is one scan of
    the password plus a few dictionary lookups per piece.
    """
    found: list[Found] = []
    if len(text) > _MAX_COMPOSED or len(text) < _MIN_WALK:
        return found
    # One scan in C rules out random-looking text: too many changes of class
    # (l33t keys inside words aside, which the second count allows for).
    tokens = list(_STRICT_TOKEN.finditer(folded))
    leet = not _LEET_KEYS.isdisjoint(folded)
    changes = len(tokens)
    if leet and changes > _MAX_STRICT_TOKENS:  # a key between letters is no change (``W1l1iam``)
        changes = sum(1 for _ in _STRICT_TOKEN.finditer(_INNER_LEET.sub("a", folded)))
    if changes > _MAX_STRICT_TOKENS or not _may_compose(text, folded, tokens):
        return found
    readings: tuple[str, ...] = (folded,)
    if leet:
        tokens = list(_TOKEN.finditer(folded))
        readings = (
            folded.translate(_SUBSTITUTIONS),
            folded.translate(_ALTERNATE).translate(_SUBSTITUTIONS),
        )
    if len(tokens) > _MAX_TOKENS or not any(t.lastgroup == "word" for t in tokens):
        return found
    pieces = _tokens(text, folded, readings, tokens, reference)
    chain: list[_Piece] = []
    for piece in [*pieces, None]:
        if piece is not None:
            chain.append(piece)
            continue
        # Symbols at the ends of a chain stay in it; a chain of one piece is no composition.
        if len(chain) >= 2:  # noqa: PLR2004
            priced = _chain_cost(_merged_dates(chain, text, reference), text, folded, readings[0])
            if priced is not None:
                log10, notes = priced
                found.append(Found(chain[0].start, chain[-1].end, log10, "dictionary", notes))
        chain = []
    return found

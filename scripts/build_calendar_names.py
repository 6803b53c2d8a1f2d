"""Build the month and weekday names that the strength estimator prices as calendar words.

Run with the ``docs`` or ``dev`` dependency group installed (it provides
Babel)::

    .venv/bin/python scripts/build_calendar_names.py

The output, ``src/secpolicy/password/data/calendar_names.txt``, has one name
per line, ``kind<TAB>place<TAB>language<TAB>name``: ``kind`` is ``month``
(place 0 = January) or ``weekday`` (place 0 = Monday), ``language`` a CLDR
code. English and pinyin names live in the estimator's code; this file holds
the other languages of the regions secpolicy is used in.

Sources:

1. **The Unicode CLDR** (Common Locale Data Repository), as shipped in the
   ``Babel`` package (PyPI ``Babel``; CLDR data under the Unicode licence,
   Babel under the BSD 3-Clause licence): the wide and abbreviated month
   names (format and stand-alone) and the wide and abbreviated weekday names
   of German (de), French (fr), Spanish (es), Portuguese (pt), Italian (it)
   and Dutch (nl). Names are lower-cased, abbreviation dots dropped, and each
   is written both with its accents and without them (``février`` and
   ``fevrier``; German ``märz`` also as ``maerz``); Portuguese weekdays
   (``segunda-feira``) also without ``-feira`` and without the hyphen.
   Abbreviations shorter than three letters (German ``mo``, Dutch ``zo``)
   are left out: they are everyday syllables, not names.
2. **Japanese in romaji, secpolicy's own transcription** (CLDR has the names
   in kanji only: 一月 ... 十二月, 月曜日 ... 日曜日): Hepburn with and
   without the long vowels written (``juugatsu``, ``jugatsu``;
   ``getsuyoubi``, ``getsuyobi``) and Kunrei-shiki (``zyuugatu``,
   ``getuyoubi``), as Japanese users type them on a Latin keyboard.

The output is byte-for-byte reproducible: sorted, no timestamp.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import babel
from babel import Locale

OUTPUT = Path(__file__).parents[1] / "src/secpolicy/password/data/calendar_names.txt"
LANGUAGES = ("de", "fr", "es", "pt", "it", "nl")
MIN_ABBREVIATION = 3

JAPANESE_MONTHS = (
    ("ichigatsu", "itigatu"),
    ("nigatsu", "nigatu"),
    ("sangatsu", "sangatu"),
    ("shigatsu", "sigatu"),
    ("gogatsu", "gogatu"),
    ("rokugatsu", "rokugatu"),
    ("shichigatsu", "sitigatu"),
    ("hachigatsu", "hatigatu"),
    ("kugatsu", "kugatu"),
    ("juugatsu", "jugatsu", "zyuugatu", "jyuugatsu"),
    ("juuichigatsu", "juichigatsu", "zyuuitigatu", "jyuuichigatsu"),
    ("juunigatsu", "junigatsu", "zyuunigatu", "jyuunigatsu"),
)
JAPANESE_WEEKDAYS = ("getsu", "ka", "sui", "moku", "kin", "do", "nichi")
KUNREI_WEEKDAYS = ("getu", "ka", "sui", "moku", "kin", "do", "niti")


def plain(name: str) -> str:
    """*name* without its accents (``février`` -> ``fevrier``)."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def spellings(name: str, language: str) -> set[str]:
    """The ways users type *name*: lower case, with and without accents, no dots."""
    name = name.lower().replace(".", "").strip()
    forms = {name, plain(name)}
    if language == "de":
        forms.add(name.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue"))
    if language == "pt" and name.endswith("-feira"):
        for form in list(forms):
            forms |= {form.removesuffix("-feira"), form.replace("-", "")}
    return {unicodedata.normalize("NFKC", f) for f in forms if "-" not in f}


def cldr_rows() -> set[tuple[str, int, str, str]]:
    """Every CLDR month and weekday name of LANGUAGES, in every spelling."""
    rows: set[tuple[str, int, str, str]] = set()
    for language in LANGUAGES:
        locale = Locale.parse(language)
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in locale.months[context][width].items():
                    for form in spellings(name, language):
                        if width == "wide" or len(form) >= MIN_ABBREVIATION:
                            rows.add(("month", number - 1, language, form))
                for place, name in locale.days[context][width].items():  # 0 is Monday
                    for form in spellings(name, language):
                        if width == "wide" or len(form) >= MIN_ABBREVIATION:
                            rows.add(("weekday", place, language, form))
    return rows


def japanese_rows() -> set[tuple[str, int, str, str]]:
    """The Japanese names in romaji."""
    rows = {
        ("month", place, "ja", name)
        for place, names in enumerate(JAPANESE_MONTHS)
        for name in names
    }
    for place, (hepburn, kunrei) in enumerate(zip(JAPANESE_WEEKDAYS, KUNREI_WEEKDAYS, strict=True)):
        for stem in {hepburn, kunrei}:
            for ending in ("youbi", "yobi"):
                rows.add(("weekday", place, "ja", stem + ending))
    return rows


def main() -> None:
    """Write OUTPUT."""
    rows = sorted(cldr_rows() | japanese_rows())
    header = (
        f"# Month and weekday names: Unicode CLDR via Babel {babel.__version__} "
        f"({', '.join(LANGUAGES)}), and Japanese romaji (secpolicy's transcription).\n"
        "# kind\tplace\tlanguage\tname; see scripts/build_calendar_names.py\n"
    )
    body = "".join(f"{kind}\t{place}\t{language}\t{name}\n" for kind, place, language, name in rows)
    OUTPUT.write_text(header + body, encoding="utf-8")
    print(f"{OUTPUT.name}: {len(rows)} names")


if __name__ == "__main__":
    main()

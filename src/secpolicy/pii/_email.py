"""E-mail addresses: the pattern, its fast search from each ``@`` and the final check.

The local part is a run of ASCII address characters (apostrophes included:
``o'brien``) and Latin, Greek or Cyrillic letters, or, where the character
before the ``@`` is a CJK letter, a run of CJK letters (``张三``): in Chinese
text without spaces, ``邮箱zs@example.com`` must give ``zs@example.com``. A
domain label is made of the same letters and digits or of CJK letters, so
``bücher.de``, ``例子.中国`` and ``xn--d1acufc.xn--p1ai`` are domains.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from secpolicy.pii._entities import EMAIL as EMAIL_ENTITY
from secpolicy.pii._scoring import _SCORE_EMAIL, Candidate

if TYPE_CHECKING:
    from collections.abc import Iterator

LOCAL_MAX: Final = 64  # characters of an address's local part (RFC 5321 4.5.3.1.1)
_LABEL_MAX: Final = 63
_TLD_MIN: Final = 2
_LGC: Final = "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0370-\u03ff\u0400-\u04ff"
_CJK: Final = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
_LOCAL: Final = "[A-Za-z0-9._%+'\\-" + _LGC + "]"
_CJK_CLASS: Final = "[" + _CJK + "]"
_LABEL: Final = (
    "(?:[A-Za-z0-9\\-" + _LGC + "]{1,63}|" + _CJK_CLASS + "{1,63})"
)  # fmt: skip
_DOMAIN: Final = _LABEL + "(?:\\." + _LABEL + "){1,8}"
# A quoted local part (RFC 5321 Quoted-string): any character but a quote, a
# backslash or a control character, or a backslash and a printable character;
# with its quotes at most LOCAL_MAX characters.
_QUOTED_LOCAL: Final = r'"(?:[^"\\\x00-\x1f\x7f]|\\[ -~]){1,62}"'

#: The plain form: a local run that starts where its run of characters
#: starts, the ``@`` and the domain. The fast search gives the same matches.
EMAIL: Final = re.compile(
    "(?:(?<!" + _LOCAL + ")" + _LOCAL + "{1,64}|(?<!" + _CJK_CLASS + ")" + _CJK_CLASS + "{1,64}"
    "|" + _QUOTED_LOCAL + ")@" + _DOMAIN
)
_FULL: Final = re.compile(
    "(?:" + _LOCAL + "{1,64}|" + _CJK_CLASS + "{1,64}|" + _QUOTED_LOCAL + ")@" + _DOMAIN
)
_QUOTED: Final = re.compile(_QUOTED_LOCAL + "@" + _DOMAIN)  # starts only at a quote
# An @ that can be part of an address: a local character before it and a domain
# character after it. Runs of @ and @ between spaces are skipped in C. The @
# comes first and the check before it after it (as a lookbehind over both),
# so the engine skips straight to each @ instead of trying the lookbehind at
# every position; a test holds it to the lookbehind-first form.
_AT: Final = re.compile("@(?<=" + _LOCAL[:-1] + _CJK + "]@)(?=[A-Za-z0-9\\-" + _LGC + _CJK + "])")
_LOCAL_RUN: Final = re.compile(_LOCAL + "{0,65}")
_CJK_RUN: Final = re.compile(_CJK_CLASS + "{0,65}")
_DOMAIN_AT: Final = re.compile("@" + _DOMAIN)


def local_start(text: str, at: int) -> int:
    """Where the local part before the ``@`` at *at* starts, or -1 if none can.

    Looks at no more than ``LOCAL_MAX + 1`` characters: a longer run gives
    no address, as in the plain form.
    """
    window = text[max(0, at - LOCAL_MAX - 1) : at][::-1]
    run = _LOCAL_RUN.match(window)
    size = run.end() if run is not None else 0
    if size == 0:
        cjk = _CJK_RUN.match(window)
        size = cjk.end() if cjk is not None else 0
    return at - size if 0 < size <= LOCAL_MAX else -1


def email_matches(text: str) -> Iterator[tuple[int, int]]:
    """The spans of ``EMAIL.finditer(text)``, quoted local parts included.

    Addresses with a quoted local part (``"john doe"@example.com``) are
    rare: they are looked for, with a pattern that starts only at a quote,
    only where a quote stands before an ``@``, and merged with the others
    as the leftmost-first search of the plain form would take them.
    """
    if '"@' not in text:
        yield from _unquoted_matches(text)
        return
    spans = sorted((*_unquoted_matches(text), *(m.span() for m in _QUOTED.finditer(text))))
    position = 0
    for start, end in spans:
        if start >= position:
            yield start, end
            position = end


def _unquoted_matches(text: str) -> Iterator[tuple[int, int]]:
    """The spans of ``EMAIL.finditer(text)``, found from each possible ``@``.

    The regular expression engine finds the ``@`` signs with an address
    character on both sides; for each, :func:`local_start` looks back a
    bounded distance and the domain is matched at that one position. The work
    per ``@`` is bounded, and an ``@`` without address characters around it
    costs nothing in Python, so the search is linear in the text.
    """
    position = 0
    for at_match in _AT.finditer(text):
        at = at_match.start()  # never inside the previous match: a domain has no @
        start = local_start(text, at)
        if start < 0 or start < position:
            continue
        domain = _DOMAIN_AT.match(text, at)
        if domain is None:
            continue
        yield start, domain.end()
        position = domain.end()


def _tld_end(text: str, start: int, end: int) -> int:
    """Where the address ending at *end* ends once a hyphen after its top-level domain is cut.

    A top-level domain holds no hyphen (but a punycode one's ``xn--``), so
    ``name@example.com-`` and ``name@example.com-x`` end at ``com``: a
    hyphen that follows a domain does not hide the address.
    """
    dot = text.rfind(".", start, end)
    hyphen = text.find("-", dot + 1, end)
    if dot < 0 or hyphen <= dot + 1 or text.startswith("xn--", dot + 1):
        return end
    return hyphen


def _address_end(text: str, start: int, end: int) -> int:
    """Where the address of the match *start*:*end* ends: at its top-level domain.

    The domain pattern runs on over dots and hyphens into what follows the
    address: an IP address (``zs@example.com-192.168.10.20``), a word, or
    the local part of a next address (``a@x.com.b@y.com``, the match
    stopping at that address's ``@``). Where the match so read is no valid
    address, or another ``@`` follows it, the address ends at the last dot
    or hyphen, or the first digit glued to a label (``zs@example.com13812345678``,
    ``zs@example.com192.168.10.20``), before which it is one; the search past it
    (:func:`_joined_after`) then reads the next address. Only such a place
    after a letter can end a top-level domain, so only those are
    checked (the plain twin, :func:`_address_end_plain`, checks every one;
    a test holds the two to agreement).
    """
    cut = _tld_end(text, start, end)
    if email_ok(text[start:cut]) and (cut < end or text[end : end + 1] != "@"):
        return cut
    dot = text.find(".", text.rfind("@", start, cut), cut)  # the domain keeps a dot
    for place in range(cut - 1, dot + 1, -1):
        if (
            (text[place] in ".-" or text[place].isdigit())
            and text[place - 1].isalpha()
            and email_ok(text[start:place])
        ):
            return place
    return cut


def _address_end_plain(text: str, start: int, end: int) -> int:
    """:func:`_address_end` trying every dot and hyphen (its plain twin)."""
    cut = _tld_end(text, start, end)
    if email_ok(text[start:cut]) and (cut < end or text[end : end + 1] != "@"):
        return cut
    dot = text.find(".", text.rfind("@", start, cut), cut)
    places = [
        p
        for p in range(dot + 2, cut)
        if (
            (text[p] in ".-" and text[p - 1] not in ".-")
            or (text[p].isdigit() and text[p - 1].isalpha())
        )
        and email_ok(text[start:p])
    ]  # no empty label (email_ok reads each label's first character)
    return places[-1] if places else cut


def full_match(value: str) -> bool:
    """True if all of *value* has the shape of an address."""
    return _FULL.fullmatch(value) is not None


def email_ok(text: str) -> bool:
    """The checks left after the shape: dots in the local part, hyphens, the top-level domain.

    The top-level domain is two or more letters, a punycode label
    (``xn--p1ai``), or CJK letters (``中国``).
    """
    local, _, domain = text.rpartition("@")
    tld = domain[domain.rfind(".") + 1 :]
    quoted = local[0] == '"' and len(local) > 1 and local[-1] == '"'  # dots are free in quotes
    labels_ok = all(
        label[0] != "-" and label[-1] != "-" and len(label) <= _LABEL_MAX
        for label in domain.split(".")
    )
    return (
        (quoted or (local[0] != "." and local[-1] != "." and ".." not in local))
        and labels_ok
        and (
            (tld.isalpha() and (len(tld) >= _TLD_MIN or not tld.isascii()))
            or (tld.startswith("xn--") and len(tld) > 4 and tld.isascii())  # noqa: PLR2004
        )
    )


# The full stops of CJK input methods (ideographic, halfwidth ideographic,
# small): a dot between domain labels where an ASCII label follows
# ("name@example。com"); the full-width one is folded with the other
# full-width forms. One code point for one, so offsets stay. After a CJK
# label, a CJK top-level label of two to four characters follows too
# ("张三@例子。中国", typed without leaving the Chinese input mode), and so
# it does after the one label of a domain of Latin, Greek or Cyrillic
# letters ("user@bücher。中国"): the label right after the at sign (at most
# 63 characters read per at sign).
#
# After a domain that already has a dot ("user@mail.bücher。中国"), the full
# stop joins only a CJK top-level domain of the root zone (CJK_TLDS), so
# "zs@example.com。谢谢" still ends at "com": a real address always ends in a
# real top-level domain, and a sentence that goes on after an address rarely
# starts with one. Where it does ("a@example.com。中国" at the end of a line)
# the full stop and the two characters are masked with the address: masking
# two characters too many is the safer error, leaving part of an address in
# clear the worse one.
#: The CJK top-level domains of the root zone (from the Public Suffix List),
#: longest first so that the longest one is taken.
CJK_TLDS: Final = (
    "嘉里大酒店", "组织机构", "電訊盈科", "香格里拉", "中文网", "亚马逊", "天主教", "我爱你",
    "新加坡", "淡马锡", "飞利浦", "世界", "中信", "中国", "中國", "企业", "佛山", "信息",
    "健康", "八卦", "公司", "公益", "台湾", "台灣", "商城", "商店", "商标", "嘉里", "在线",
    "大拿", "娱乐", "家電", "广东", "微博", "慈善", "手机", "招聘", "政务", "政府", "新闻",
    "时尚", "書籍", "机构", "游戏", "澳門", "澳门", "点看", "移动", "网址", "网店", "网站",
    "网络", "联通", "臺灣", "谷歌", "购物", "通販", "集团", "食品", "餐厅", "香港",
)  # fmt: skip
_STOPS: Final = "\u3002\uff61\ufe52"
_LATIN_LABEL: Final = "[A-Za-z0-9\\-" + _LGC + "]{1,63}"
_WIDE_STOP: Final = re.compile(
    "(@" + _LATIN_LABEL + ")[" + _STOPS + "]"
    "(?=[\u4e00-\u9fff]{2,4}(?![\u4e00-\u9fff]))"
    # a dotted domain whose last label is Latin, before a CJK top-level domain
    "|(@(?:" + _LABEL + "[." + _STOPS + "]){1,8}" + _LATIN_LABEL + ")[" + _STOPS + "]"
    "(?=(?:" + "|".join(CJK_TLDS) + ")(?![\u4e00-\u9fff]))"
    "|[" + _STOPS + "](?=[A-Za-z0-9])"
    "|(?<=[\u4e00-\u9fff])[" + _STOPS + "](?=[\u4e00-\u9fff]{2,4}(?![\u4e00-\u9fff]))"
)
_STOPS_TO_DOTS: Final = str.maketrans(dict.fromkeys("\u3002\uff61\ufe52", "."))


def _dot(match: re.Match[str]) -> str:
    """The wide full stop of *match* as a dot, the labels before it kept (their stops as dots)."""
    before = match.group(1) or match.group(2) or ""
    return before.translate(_STOPS_TO_DOTS) + "."


def _email_pass(text: str) -> list[Candidate]:
    if "@" not in text:
        return []
    if not text.isascii() and _WIDE_STOP.search(text) is not None:
        # Only before an ASCII label: "zs@example.com。谢谢" ends the
        # sentence, it does not continue the domain.
        text = _WIDE_STOP.sub(_dot, text)
    spans = []
    read = 0  # where the addresses read past the search's matches end
    for start, end in email_matches(text):
        if end <= read:
            continue  # its @ was read past the address before: "a@x.com.b@y.com.c@z.org"
        cut = _address_end(text, start, end)
        spans.append((start, cut))
        if cut < end or text[end : end + 1] in _JOINERS:
            joined = _joined_after(text, cut, end)
        elif text[end : end + 1] == "@":
            # The next address's local part is this domain's last label
            # ("a@x.bb@y.com"): read from its last dot; where the two overlap
            # the overlap resolution keeps both covered.
            joined = _joined_after(text, text.rfind(".", start, end), end)
        else:
            continue
        spans.extend(joined)
        read = max([read, *(e for _, e in joined)])
    spans = [(s, e) if email_ok(text[s:e]) else (_after_dots(text, s, e), e) for s, e in spans]
    return [(s, e, EMAIL_ENTITY, _SCORE_EMAIL) for s, e in spans if email_ok(text[s:e])]


def _after_dots(text: str, start: int, end: int) -> int:
    """Where the local part of *start*:*end* starts once dots that no address holds are left out.

    A local part neither starts with a dot nor holds two in a row, so in
    ``.zs@example.com`` (a file name's or a sentence's dot before it) or
    ``a..zs@example.com`` the address is what follows the last such dot;
    read whole, it was no address and was left in clear.
    """
    at = text.rfind("@", start, end)
    if at < 0 or text[start] == '"':
        return start
    double = text.rfind("..", start, at)
    begin = start if double < 0 else double + 2
    while begin < at and text[begin] == ".":
        begin += 1
    return begin if begin < at else start


# The characters of a local part that no domain ends in: after an address
# only these (or the hyphen its top-level domain was cut at) can start the
# local run of a next address that reaches back into it.
_JOINERS: Final = frozenset("-_.+%'")


def _joined_after(text: str, cut: int, end: int) -> list[tuple[int, int]]:
    """Addresses right after the one ending at *cut* whose local part the search ran into.

    In ``a@b.cn-c@d.cn`` and ``a@b.cn_c@d.cn`` the characters before the
    second ``@`` are address characters back to the first address, so the
    search (leftmost, like the plain form) skips the second one: it is read
    here from where the first ends (*cut*, after the hyphen that
    :func:`_tld_end` cut off; *end* is where the search's match ended), the
    joining character left out. Each step reads the next ``@`` only.
    """
    found = []
    while (at_match := _AT.search(text, end)) is not None:
        at = at_match.start()
        local = local_start(text, at)
        if local < 0 or local >= end:
            break  # the search finds that address on its own, or none is there
        start = max(local, cut + (text[cut : cut + 1] in _JOINERS))
        domain = _DOMAIN_AT.match(text, at)
        if domain is None or start >= at:
            break
        end = domain.end()
        cut = _address_end(text, start, end)
        found.append((start, cut))
    return found

"""Seeded, labelled corpora for the PII benchmark: English log lines and Chinese sentences.

Each sample is ``(text, gold)`` where gold holds ``(label, start, end)`` for
every piece of personal data placed in the text. Labels are tool-neutral:
EMAIL, PHONE, CARD, IP, ID, USCC, IBAN, SSN, PASSPORT, PERMIT.

The decoys are what real logs hold next to personal data: order ids and
epoch-millisecond timestamps that happen to pass the Luhn check, snowflake
ids, EAN-13 barcodes, counters printed in groups of three (``stats: 628 846
1088``), version strings and hex request ids. The personal data comes in the
forms people write: printed American Express and Diners numbers (4-6-5,
4-6-4), national phone formats of several countries, mobiles with dots, em
dashes and no-break spaces, spaced IBANs.
"""

from __future__ import annotations

import ipaddress
import random
import string
from datetime import date, timedelta

from stdnum.cn import ric, uscc

Sample = tuple[str, list[tuple[str, int, int]]]

_REGIONS = ["110105", "310101", "440305", "500103", "510104", "330106", "320102", "420106"]
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_PHONES = [
    ("+44 20 7946 0{:03d}", None),
    ("+1 415 555 {:04d}", None),
    ("+49 30 1234 5{:03d}", None),
    ("+33 1 42 68 5{:03d}", None),
    ("+81 3 1234 5{:03d}", None),
    ("+61 2 9374 4{:03d}", None),
    ("(415) 555-{:04d}", "US"),
    ("415.555.{:04d}", "US"),
    ("+1 (212) 555-{:04d}", None),
    ("020 7946 0{:03d}", "GB"),
    ("030 1234 5{:03d}", "DE"),
    ("03-1234-5{:03d}", "JP"),
]


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.gold: list[tuple[str, int, int]] = []
        self.length = 0

    def text(self, piece: str) -> None:
        self.parts.append(piece)
        self.length += len(piece)

    def pii(self, label: str, piece: str) -> None:
        self.gold.append((label, self.length, self.length + len(piece)))
        self.text(piece)

    def done(self) -> Sample:
        return "".join(self.parts), self.gold


def _luhn(prefix: str, length: int, rng: random.Random, *, valid: bool = True) -> str:
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    total = 0
    for i, d in enumerate(reversed(body)):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    check = (10 - total % 10) % 10
    return body + str(check if valid else (check + 1) % 10)


def _card(rng: random.Random) -> str:
    kind = rng.choice(["visa", "mc", "mc2", "amex", "unionpay", "discover", "jcb", "diners"])
    if kind == "amex":
        number = _luhn(rng.choice(["34", "37"]), 15, rng)
        printed = rng.random() < 0.5
        return f"{number[:4]} {number[4:10]} {number[10:]}" if printed else number
    if kind == "diners":
        number = _luhn("36", 14, rng)
        return f"{number[:4]} {number[4:10]} {number[10:]}"
    prefix = {
        "visa": "4",
        "mc": "5" + rng.choice("12345"),
        "mc2": str(rng.randrange(2221, 2721)),
        "unionpay": "62",
        "discover": "6011",
        "jcb": str(rng.randrange(3528, 3590)),
    }[kind]
    number = _luhn(prefix, 16, rng)
    sep = rng.choice(["", "", " ", "-"])
    return sep.join(number[i : i + 4] for i in range(0, 16, 4))


def _luhn_decoy(rng: random.Random) -> str:
    """An id that passes the Luhn check by chance but is no card: no network issues it."""
    kind = rng.randrange(4)
    if kind == 0:  # an order id starting with the date
        return _luhn(f"2024{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}", 16, rng)
    if kind == 1:  # epoch milliseconds
        return _luhn(str(rng.randrange(1_600_000_000_000, 1_800_000_000_000))[:12], 13, rng)
    if kind == 2:  # a snowflake id
        return _luhn("1" + str(rng.randrange(7, 9)), 19, rng)
    return _luhn("69" + str(rng.randrange(10)), 13, rng)  # an EAN-13 barcode of a Chinese maker


def _iban(rng: random.Random) -> str:
    country, size = rng.choice([("DE", 18), ("GB", 18), ("FR", 23), ("NL", 14), ("BE", 12)])
    if country == "GB":
        bban = "".join(rng.choice(string.ascii_uppercase) for _ in range(4))
        bban += "".join(rng.choice(string.digits) for _ in range(14))
    elif country == "NL":
        bban = "".join(rng.choice(string.ascii_uppercase) for _ in range(4))
        bban += "".join(rng.choice(string.digits) for _ in range(10))
    else:
        bban = "".join(rng.choice(string.digits) for _ in range(size))
    numeric = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    compact = f"{country}{98 - int(numeric) % 97:02d}{bban}"
    if rng.random() < 0.5:
        return compact
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def _ssn(rng: random.Random) -> str:
    area = rng.choice([n for n in range(1, 900) if n != 666])
    sep = rng.choice(["-", "-", " "])
    return f"{area:03d}{sep}{rng.randrange(1, 100):02d}{sep}{rng.randrange(1, 10000):04d}"


def _email(rng: random.Random) -> str:
    local = rng.choice(["alice", "bob.smith", "zhang.san", "li_si", "wang5", "ops+alerts", "j.doe"])
    domain = rng.choice(["example.com", "mail.example.org", "qq.com", "163.com", "corp.example.cn"])
    return f"{local}{rng.randrange(100)}@{domain}"


def _ip(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return str(ipaddress.IPv4Address(rng.randrange(1 << 24, 0xDF000000)))
    return str(ipaddress.IPv6Address(rng.getrandbits(128) | (0x2001 << 112)))


def _phone(rng: random.Random) -> str:
    import phonenumbers  # a presidio-analyzer dependency, present with the bench group

    while True:
        template, region = rng.choice(_PHONES)
        candidate = template.format(rng.randrange(1000))
        if phonenumbers.is_valid_number(phonenumbers.parse(candidate, region)):
            return candidate


def english(n: int, seed: int = 7) -> list[Sample]:
    """*n* log lines with e-mail, phones, cards and IPs, and decoys that are none of them."""
    rng = random.Random(seed)
    start = date(2024, 1, 1)
    samples = []
    for _ in range(n):
        b = _Builder()
        day = start + timedelta(days=rng.randrange(700))
        b.text(f"{day}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}Z ")
        b.text(rng.choice(["INFO", "WARN", "DEBUG"]) + f" req={rng.getrandbits(64):016x} ")
        fields = rng.sample(
            ["email", "phone", "card", "ip", "order", "ver", "user", "iban", "ssn", "stats"], k=5
        )
        for field in fields:
            if field == "email":
                b.text("email=")
                b.pii("EMAIL", _email(rng))
            elif field == "phone":
                b.text("phone=")
                b.pii("PHONE", _phone(rng))
            elif field == "card":
                b.text("card=")
                b.pii("CARD", _card(rng))
            elif field == "ip":
                b.text("client=")
                b.pii("IP", _ip(rng))
            elif field == "iban":
                b.text("iban=")
                b.pii("IBAN", _iban(rng))
            elif field == "ssn":
                b.text("ssn=")
                b.pii("SSN", _ssn(rng))
            elif field == "stats":
                b.text(f"stats: {rng.randrange(200, 1000)} {rng.randrange(200, 1000)} ")
                b.text(f"{rng.randrange(1000, 10000)}")
            elif field == "order":
                b.text(f"order={_luhn_decoy(rng)} ts={_epoch_ms(rng)}")
            elif field == "ver":
                b.text(f"version={rng.randrange(1, 9)}.{rng.randrange(40)}.{rng.randrange(20)}")
            else:
                b.text(f"user=u{rng.randrange(10**6)}")
            b.text(" ")
        b.text(f"took={rng.randrange(2000)}ms\n")
        samples.append(b.done())
    return samples


def _resident_id(rng: random.Random) -> str:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
    first17 = f"{rng.choice(_REGIONS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    # stdnum's calc_check_digit takes the whole 18-character number and
    # ignores its last character.
    return first17 + ric.calc_check_digit(first17 + "0")


def _uscc(rng: random.Random) -> str:
    body = (
        "91"
        + rng.choice(["110000", "310000", "440300"])
        + "".join(rng.choice(_USCC_ALPHABET) for _ in range(9))
    )
    return body + uscc.calc_check_digit(body)


def _epoch_ms(rng: random.Random) -> int:
    return rng.randrange(1_600_000_000_000, 1_800_000_000_000)


def _mobile(rng: random.Random) -> str:  # noqa: PLR0911 (one return per written form)
    digits = "1" + rng.choice("3456789") + "".join(rng.choice(string.digits) for _ in range(9))
    form = rng.random()
    if form < 0.5:
        return digits
    if form < 0.6:
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if form < 0.7:
        return f"+86-{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if form < 0.75:
        return f"0086 {digits[:3]} {digits[3:7]} {digits[7:]}"
    if form < 0.8:
        return f"{digits[:3]}.{digits[3:7]}.{digits[7:]}"
    if form < 0.85:
        return f"{digits[:3]}\u2014{digits[3:7]}\u2014{digits[7:]}"
    if form < 0.9:
        return f"{digits[:3]}\u00a0{digits[3:7]}\u00a0{digits[7:]}"
    return digits.translate({ord(c): ord(c) + 0xFEE0 for c in string.digits})


def _landline(rng: random.Random) -> str:
    kind = rng.randrange(4)
    local = str(rng.randrange(2, 10)) + "".join(rng.choice(string.digits) for _ in range(7))
    if kind == 0:
        return f"010-{local}"
    if kind == 1:
        return f"(021){local}"
    if kind == 2:
        return f"0755-{local}"
    return f"400-{rng.randrange(100, 1000)}-{rng.randrange(1000, 10000)}"


def _travel_document(rng: random.Random) -> tuple[str, str, str]:
    """(words before it, label, number) of a passport or travel permit."""
    digits = "".join(rng.choice(string.digits) for _ in range(8))
    kind = rng.randrange(3)
    if kind == 0:
        return "护照号码", "PASSPORT", "E" + digits
    if kind == 1:
        return "往来港澳通行证", "PERMIT", "C" + digits
    return "往来台湾通行证", "PERMIT", "L" + digits


_NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "欧阳娜娜", "赵磊", "孙丽"]


def chinese(n: int, seed: int = 11) -> list[Sample]:
    """*n* Chinese sentences with IDs, mobiles, credit codes, UnionPay cards and e-mail."""
    rng = random.Random(seed)
    samples = []
    for _ in range(n):
        b = _Builder()
        name = rng.choice(_NAMES)
        kind = rng.randrange(5)
        if kind == 0:
            b.text(f"客户{name}的身份证号码是")
            b.pii("ID", _resident_id(rng))
            b.text("，联系电话")
            b.pii("PHONE", _mobile(rng))
            b.text(f"，订单号{_luhn_decoy(rng)}，金额{rng.randrange(10**5)}元。")
        elif kind == 3:
            words, label, number = _travel_document(rng)
            b.text(f"{name}持{words}")
            b.pii(label, number)
            b.text("出境，办公电话")
            b.pii("PHONE", _landline(rng))
            b.text(f"，工单{rng.randrange(10**8)}号，时间戳{_epoch_ms(rng)}。")
        elif kind == 4:
            b.text(f"{name}手机")
            b.pii("PHONE", _mobile(rng))
            b.text(f" {2015 + rng.randrange(10)}年入职，条码{_luhn_decoy(rng)}。")
        elif kind == 1:
            b.text("企业统一社会信用代码")
            b.pii("USCC", _uscc(rng))
            b.text("，开户银联卡")
            b.pii("CARD", _luhn("62", rng.choice([16, 19]), rng))
            b.text(f"，于{2020 + rng.randrange(6)}年{rng.randrange(1, 13)}月登记。")
        else:
            b.text(f"{name}留下邮箱")
            b.pii("EMAIL", _email(rng))
            b.text("和手机")
            b.pii("PHONE", _mobile(rng))
            b.text(f"，版本v{rng.randrange(9)}.{rng.randrange(20)}.{rng.randrange(9)}反馈问题。")
        b.text("\n")
        samples.append(b.done())
    return samples

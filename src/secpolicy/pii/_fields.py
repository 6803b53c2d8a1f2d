"""Common field names, in English and Chinese, and the entity each holds."""

from __future__ import annotations

import functools
from typing import Final

from secpolicy.pii._entities import (
    ADDRESS,
    BANK_ACCOUNT,
    BIRTH_DATE,
    CN_RESIDENT_ID,
    CN_USCC,
    EMAIL,
    IBAN,
    IP_ADDRESS,
    PERSON_NAME,
    PHONE,
    SECRET,
    US_SSN,
)

_NAMES: Final[dict[str, tuple[str, ...]]] = {
    SECRET: (
        "password", "passwd", "pwd", "pass", "secret", "token", "apikey", "accesstoken",
        "refreshtoken", "authorization", "cvv", "cvc", "cvv2", "securitycode", "pin", "otp",
        "密码", "口令", "验证码",
    ),
    CN_RESIDENT_ID: (
        "idnumber", "idno", "idcard", "idcardno", "idcardnumber", "residentid", "nationalid",
        "certno", "certificateno", "身份证", "身份证号", "身份证号码", "证件号", "证件号码",
    ),
    PHONE: (
        "phone", "phoneno", "phonenumber", "mobile", "mobileno", "mobilephone", "cellphone",
        "tel", "telephone", "contactphone", "手机", "手机号", "手机号码", "电话", "电话号码",
        "联系电话", "联系方式",
    ),
    EMAIL: ("email", "mail", "emailaddress", "邮箱", "电子邮箱", "电子邮件"),
    PERSON_NAME: (
        "name", "fullname", "realname", "customername", "holdername", "cardholder",
        "firstname", "lastname", "surname", "姓名", "名字", "客户姓名", "真实姓名", "持卡人",
    ),
    ADDRESS: (
        "address", "addr", "homeaddress", "streetaddress", "mailingaddress", "地址", "住址",
        "家庭住址", "联系地址", "通讯地址", "户籍地址",
    ),
    BIRTH_DATE: ("birthdate", "birthday", "dob", "dateofbirth", "出生日期", "生日"),
    BANK_ACCOUNT: (
        "bankaccount", "bankcard", "bankcardno", "cardnumber", "cardno", "pan", "accountno",
        "accountnumber", "银行卡", "银行卡号", "银行账号", "银行账户", "卡号", "账号",
    ),
    IP_ADDRESS: (
        "ip", "ipaddress", "clientip", "sourceip", "remoteaddr", "remoteip", "IP地址",
    ),
    US_SSN: ("ssn", "socialsecuritynumber"),
    IBAN: ("iban",),
    CN_USCC: ("uscc", "creditcode", "unifiedsocialcreditcode", "统一社会信用代码", "信用代码"),
}  # fmt: skip


_FIELD_DROP: Final = str.maketrans("", "", "_-. ")


def normalise_field(name: str) -> str:
    """Case-fold a field name and drop ``_``, ``-``, ``.`` and spaces.

    ``ID_Number``, ``id-number`` and ``idNumber`` all become ``idnumber``.
    One ``str.translate`` (the tests hold it to a character-by-character twin).
    """
    return name.casefold().translate(_FIELD_DROP)


#: Normalised field name → entity.
FIELD_ENTITIES: Final[dict[str, str]] = {
    normalise_field(name): entity for entity, names in _NAMES.items() for name in names
}


# Built-in names that still say what a field holds with a qualifier before
# them (``db_password``, ``shipping_address``, ``投保人姓名``, ``联系人手机号``).
# Short or common endings (``name``, ``pass``, ``pin``, ``tel``, ``ip``,
# ``pan``) are left out: ``filename``, ``bypass``, ``shipping``, ``hotel``
# and ``company`` hold no personal data.
_SUFFIXES: Final[dict[str, tuple[str, ...]]] = {
    SECRET: (
        "password", "passwd", "secret", "token", "apikey", "privatekey", "密码", "口令", "验证码",
    ),
    PERSON_NAME: (
        "fullname", "realname", "firstname", "lastname", "holdername", "surname", "姓名", "名字",
    ),
    CN_RESIDENT_ID: (
        "idnumber", "idcard", "idcardno", "身份证", "身份证号", "身份证号码", "证件号", "证件号码",
    ),
    PHONE: (
        "phone", "phoneno", "phonenumber", "mobile", "mobileno", "telephone", "手机", "手机号",
        "手机号码", "电话", "电话号码",
    ),
    EMAIL: ("email", "emailaddress", "邮箱"),
    ADDRESS: ("address", "地址", "住址"),
    BIRTH_DATE: ("birthday", "birthdate", "dateofbirth", "出生日期", "生日"),
    BANK_ACCOUNT: (
        "bankaccount", "bankcard", "cardnumber", "银行卡", "银行卡号", "卡号", "银行账号",
    ),
}  # fmt: skip
# Longest first, so that "emailaddress" is an e-mail and not an address.
_SUFFIX_ORDER: Final = sorted(
    ((suffix, entity) for entity, names in _SUFFIXES.items() for suffix in names),
    key=lambda pair: -len(pair[0]),
)


@functools.lru_cache(maxsize=4096)
def builtin_entity(name: str) -> str | None:
    """The entity a normalised field name holds by the built-in map, qualified or plural.

    Exact names first (``ipaddress`` is an IP address), also without a
    plural ``s``/``es`` (``passwords``), then a known ending (``dbpassword``,
    ``投保人姓名``).
    """
    for candidate in _singulars(name):
        entity = FIELD_ENTITIES.get(candidate)
        if entity is not None:
            return entity
    for suffix, entity in _SUFFIX_ORDER:  # not in the plural: "max_tokens" is a count
        if name.endswith(suffix):
            return entity
    return None


def _singulars(name: str) -> tuple[str, ...]:
    if name.endswith("es"):
        return (name, name[:-1], name[:-2])
    if name.endswith("s"):
        return (name, name[:-1])
    return (name,)

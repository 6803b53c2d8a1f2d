"""Entity names: what the scanner finds and what record fields hold."""

from __future__ import annotations

from typing import Final, Literal

#: The built-in entity names (a closed set, so a type checker catches a typo
#: such as ``"CN_MOBLE"``). Custom recognizers may add names of their own.
EntityName = Literal[
    "EMAIL",
    "PHONE",
    "CN_MOBILE",
    "CN_RESIDENT_ID",
    "CN_USCC",
    "CN_PASSPORT",
    "CN_HK_MACAU_PERMIT",
    "CN_TAIWAN_PERMIT",
    "PAYMENT_CARD",
    "IBAN",
    "IP_ADDRESS",
    "US_SSN",
    "PERSON_NAME",
    "ADDRESS",
    "BIRTH_DATE",
    "BANK_ACCOUNT",
    "SECRET",
]

# Detected in free text (and validated before being reported).
EMAIL: Final = "EMAIL"
PHONE: Final = "PHONE"
CN_MOBILE: Final = "CN_MOBILE"
CN_RESIDENT_ID: Final = "CN_RESIDENT_ID"
CN_USCC: Final = "CN_USCC"
#: Passport of the People's Republic of China (``E12345678``, ``EA1234567``, ``G12345678``).
CN_PASSPORT: Final = "CN_PASSPORT"
#: Exit-entry permit for travelling to and from Hong Kong and Macao
#: (往来港澳通行证: ``C12345678``, ``CA1234567``).
CN_HK_MACAU_PERMIT: Final = "CN_HK_MACAU_PERMIT"
#: Travel permit to and from Taiwan for mainland residents (往来台湾通行证: ``L12345678``).
CN_TAIWAN_PERMIT: Final = "CN_TAIWAN_PERMIT"
PAYMENT_CARD: Final = "PAYMENT_CARD"
IBAN: Final = "IBAN"
IP_ADDRESS: Final = "IP_ADDRESS"
US_SSN: Final = "US_SSN"

# Recognised by field name in structured records only: no pattern can find a
# name or an address in free text reliably.
PERSON_NAME: Final = "PERSON_NAME"
ADDRESS: Final = "ADDRESS"
BIRTH_DATE: Final = "BIRTH_DATE"
BANK_ACCOUNT: Final = "BANK_ACCOUNT"
SECRET: Final = "SECRET"  # noqa: S105 (an entity name, not a password)

#: Every entity the scanner can detect in text, most specific first (where two
#: findings have the same span, the earlier entity wins).
DETECTABLE: Final[tuple[EntityName, ...]] = (
    CN_RESIDENT_ID,
    CN_USCC,
    IBAN,
    PAYMENT_CARD,
    US_SSN,
    CN_MOBILE,
    PHONE,
    CN_PASSPORT,
    CN_HK_MACAU_PERMIT,
    CN_TAIWAN_PERMIT,
    EMAIL,
    IP_ADDRESS,
)

#: Entities known only from field names.
FIELD_ONLY: Final[tuple[EntityName, ...]] = (
    PERSON_NAME,
    ADDRESS,
    BIRTH_DATE,
    BANK_ACCOUNT,
    SECRET,
)

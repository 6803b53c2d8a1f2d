"""Ready maskers for common display rules, each with its source.

Use them as they are (``presets.CN_DISPLAY.mask_record(customer)``) or as a
starting point: ``Masker({**presets.CN_DISPLAY.rules, EMAIL: Redact()})``.
"""

from __future__ import annotations

from typing import Final

from secpolicy.pii._entities import (
    ADDRESS,
    BANK_ACCOUNT,
    BIRTH_DATE,
    CN_MOBILE,
    CN_RESIDENT_ID,
    CN_USCC,
    EMAIL,
    IBAN,
    PAYMENT_CARD,
    PERSON_NAME,
    PHONE,
    SECRET,
    US_SSN,
)
from secpolicy.pii._masker import Masker
from secpolicy.pii._operators import Mask, MaskEmail, MaskName, Redact, Replace
from secpolicy.pii._scanner import Scanner

__all__ = ["CN_DISPLAY", "PCI_DISPLAY"]

_CN_COUNTRY_CODE: Final = r"\+?86[ \-]?"

#: De-identified display of customer data, as Chinese services show it on
#: screens and paper (GB/T 35273-2020 §7.2 asks for de-identified display;
#: the forms follow common practice): resident ID number with the region code
#: and the last 4 (the birth date hidden: ``110101********1234``), mobile
#: ``138****5678`` (``+86 138 **** 5678`` with a country code), bank card
#: first 6 and last 4, name with the surname kept (``张*``, ``欧阳**``),
#: e-mail with the first character of the local part, address with its first
#: 6 characters (province and city), birth date with the year only. Secrets
#: are replaced with ``******``; any other entity with ``<ENTITY>``.
CN_DISPLAY: Final = Masker(
    {
        CN_RESIDENT_ID: Mask(6, 4),
        CN_MOBILE: Mask(3, 4, skip_prefix=_CN_COUNTRY_CODE),
        PHONE: Mask(3, 4),
        PAYMENT_CARD: Mask(6, 4),
        BANK_ACCOUNT: Mask(6, 4),
        PERSON_NAME: MaskName(),
        EMAIL: MaskEmail(1),
        ADDRESS: Mask(6, 0),
        BIRTH_DATE: Mask(4, 0),
        CN_USCC: Mask(2, 4),
        US_SSN: Mask(0, 4),
        IBAN: Mask(4, 4),
        SECRET: Redact("******"),
    },
    Replace("<{entity}>"),
)

#: Card numbers shown with at most the first 6 and last 4 digits, as PCI DSS
#: v4.0.1 Req. 3.4.1 allows. Only card numbers (found in text or in card fields) and
#: card secrets (CVV, PIN fields: Req. 3.3.1 forbids keeping them) are touched.
PCI_DISPLAY: Final = Masker(
    {PAYMENT_CARD: Mask(6, 4), BANK_ACCOUNT: Mask(6, 4), SECRET: Redact("******")},
    Replace("<{entity}>"),
    scanner=Scanner([PAYMENT_CARD]),
    builtin_fields=False,
    fields={
        "pan": BANK_ACCOUNT,
        "card_number": BANK_ACCOUNT,
        "cardno": BANK_ACCOUNT,
        "account_number": BANK_ACCOUNT,
        "cvv": SECRET,
        "cvc": SECRET,
        "cvv2": SECRET,
        "security_code": SECRET,
        "pin": SECRET,
    },
)

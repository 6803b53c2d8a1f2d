"""Ready maskers for common display rules, each with its source.

Use them as they are (``presets.CN_DISPLAY.mask_record(customer)``) or as a
starting point: ``Masker({**presets.CN_DISPLAY.rules, EMAIL: Redact()})``.
"""

from __future__ import annotations

from typing import Final

from secpolicy.pii import _entities
from secpolicy.pii._masker import Masker
from secpolicy.pii._operators import Mask, MaskEmail, MaskName, Redact, Replace
from secpolicy.pii._scanner import Scanner

__all__ = ["CN_DISPLAY", "PCI_DISPLAY"]

_CN_COUNTRY_CODE: Final = r"(?:\+|00)?86[ \-]?"
# The shares the display forms reveal: 10 of an ID's 18 characters, 7 of a
# mobile number's 11 digits, 10 of a 16-digit card's digits. Shorter values
# show less (every Mask caps what it reveals at its max_reveal share).
_ID_SHARE: Final = 10 / 18
_MOBILE_SHARE: Final = 7 / 11
_CARD_SHARE: Final = 10 / 16

#: De-identified display of customer data, as Chinese services show it on
#: screens and paper (GB/T 35273-2020 §7.2 asks for de-identified display;
#: the forms follow common practice): resident ID number with the region code
#: and the last 4 (the birth date hidden: ``110101********1234``), mobile
#: ``138****5678`` (``+86 138 **** 5678`` with a country code), bank card
#: first 6 and last 4, name with the surname kept (``张*``, ``欧阳**``),
#: e-mail with the first character of the local part, address with its first
#: 6 characters (province and city), birth date with the year only. Secrets
#: are replaced with ``******``; passports and travel permits keep their
#: first letter and last 3 digits; any other entity becomes ``<ENTITY>``.
#: Other phone numbers show at most half their digits.
CN_DISPLAY: Final = Masker(
    {
        _entities.CN_RESIDENT_ID: Mask(6, 4, max_reveal=_ID_SHARE),
        _entities.CN_MOBILE: Mask(3, 4, skip_prefix=_CN_COUNTRY_CODE, max_reveal=_MOBILE_SHARE),
        _entities.PHONE: Mask(3, 4),
        _entities.PAYMENT_CARD: Mask(6, 4, max_reveal=_CARD_SHARE),
        _entities.BANK_ACCOUNT: Mask(6, 4, max_reveal=_CARD_SHARE),
        _entities.CN_PASSPORT: Mask(1, 3),
        _entities.CN_HK_MACAU_PERMIT: Mask(1, 3),
        _entities.CN_TAIWAN_PERMIT: Mask(1, 3),
        _entities.PERSON_NAME: MaskName(),
        _entities.EMAIL: MaskEmail(1),
        _entities.ADDRESS: Mask(6, 0),
        _entities.BIRTH_DATE: Mask(4, 0),
        _entities.CN_USCC: Mask(2, 4),
        _entities.US_SSN: Mask(0, 4),
        _entities.IBAN: Mask(4, 4),
        _entities.SECRET: Redact("******"),
    },
    Replace("<{entity}>"),
)

#: Card numbers shown with at most the first 6 and last 4 digits, as PCI DSS
#: v4.0.1 Req. 3.4.1 allows. Only card numbers (found in text or in card fields) and
#: card secrets (CVV, PIN fields: Req. 3.3.1 forbids keeping them) are touched.
PCI_DISPLAY: Final = Masker(
    {
        _entities.PAYMENT_CARD: Mask(6, 4, max_reveal=_CARD_SHARE),
        _entities.BANK_ACCOUNT: Mask(6, 4, max_reveal=_CARD_SHARE),
        _entities.SECRET: Redact("******"),
    },
    Replace("<{entity}>"),
    scanner=Scanner([_entities.PAYMENT_CARD]),
    builtin_fields=False,
    fields={
        "pan": _entities.BANK_ACCOUNT,
        "card_number": _entities.BANK_ACCOUNT,
        "cardno": _entities.BANK_ACCOUNT,
        "account_number": _entities.BANK_ACCOUNT,
        "cvv": _entities.SECRET,
        "cvc": _entities.SECRET,
        "cvv2": _entities.SECRET,
        "security_code": _entities.SECRET,
        "pin": _entities.SECRET,
    },
)

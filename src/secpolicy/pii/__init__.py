"""Personal data: identifier validation, detection in text, masking, customer-data checks.

- :class:`Scanner` finds personal data in free text, Chinese text included,
  and validates check digits before reporting anything.
- Operators (:class:`Mask`, :class:`MaskName`, :class:`MaskEmail`,
  :class:`Redact`, :class:`Replace`, :class:`Pseudonymize`, :class:`Encrypt`)
  say what replaces it.
- :class:`Masker` applies them to text, log streams and nested records (by
  field name, by path, and by detection); :mod:`secpolicy.pii.presets` holds
  ready maskers such as ``CN_DISPLAY``.
- :class:`Recognizer` adds custom entities to a scanner; allow- and
  deny-lists tune it; every :class:`Finding` has a score.
- :class:`MaskingFilter` (stdlib logging) and :func:`mask_processor`
  (structlog) mask application logs.
- :func:`parse_cn_resident_id`, :func:`check_identity`,
  :func:`check_customer_record` and :func:`find_shared_contacts` implement the
  customer-data checks of the insurance rules.
"""

from __future__ import annotations

from secpolicy.exceptions import InvalidIdentifierError
from secpolicy.pii import presets
from secpolicy.pii._customer import (
    KEY_FIELDS,
    CustomerIssue,
    SharedContact,
    check_customer_record,
    find_shared_contacts,
)
from secpolicy.pii._entities import (
    ADDRESS,
    BANK_ACCOUNT,
    BIRTH_DATE,
    CN_HK_MACAU_PERMIT,
    CN_MOBILE,
    CN_PASSPORT,
    CN_RESIDENT_ID,
    CN_TAIWAN_PERMIT,
    CN_USCC,
    DETECTABLE,
    EMAIL,
    FIELD_ONLY,
    IBAN,
    IP_ADDRESS,
    PAYMENT_CARD,
    PERSON_NAME,
    PHONE,
    SECRET,
    US_SSN,
    EntityName,
)
from secpolicy.pii._ids import (
    ResidentId,
    check_identity,
    is_cn_hk_macau_permit,
    is_cn_mobile,
    is_cn_passport,
    is_cn_resident_id,
    is_cn_taiwan_permit,
    is_cn_uscc,
    is_email,
    is_iban,
    is_ip_address,
    is_payment_card,
    is_phone,
    is_us_ssn,
    is_valid,
    parse_cn_resident_id,
)
from secpolicy.pii._logging import MaskingFilter, mask_processor
from secpolicy.pii._masker import Masker, MaskerConfig
from secpolicy.pii._operators import (
    COMPOUND_SURNAMES,
    Encrypt,
    Keep,
    Mask,
    MaskEmail,
    MaskName,
    Operator,
    Pseudonymize,
    Redact,
    Replace,
)
from secpolicy.pii._phone import DEFAULT_PHONE_REGIONS, to_e164
from secpolicy.pii._recognizer import Recognizer
from secpolicy.pii._scanner import Finding, Scanner
from secpolicy.pii._scoring import CONTEXT_WORDS

__all__ = [
    "ADDRESS",
    "BANK_ACCOUNT",
    "BIRTH_DATE",
    "CN_HK_MACAU_PERMIT",
    "CN_MOBILE",
    "CN_PASSPORT",
    "CN_RESIDENT_ID",
    "CN_TAIWAN_PERMIT",
    "CN_USCC",
    "COMPOUND_SURNAMES",
    "CONTEXT_WORDS",
    "DEFAULT_PHONE_REGIONS",
    "DETECTABLE",
    "EMAIL",
    "FIELD_ONLY",
    "IBAN",
    "IP_ADDRESS",
    "KEY_FIELDS",
    "PAYMENT_CARD",
    "PERSON_NAME",
    "PHONE",
    "SECRET",
    "US_SSN",
    "CustomerIssue",
    "Encrypt",
    "EntityName",
    "Finding",
    "InvalidIdentifierError",
    "Keep",
    "Mask",
    "MaskEmail",
    "MaskName",
    "Masker",
    "MaskerConfig",
    "MaskingFilter",
    "Operator",
    "Pseudonymize",
    "Recognizer",
    "Redact",
    "Replace",
    "ResidentId",
    "Scanner",
    "SharedContact",
    "check_customer_record",
    "check_identity",
    "find_shared_contacts",
    "is_cn_hk_macau_permit",
    "is_cn_mobile",
    "is_cn_passport",
    "is_cn_resident_id",
    "is_cn_taiwan_permit",
    "is_cn_uscc",
    "is_email",
    "is_iban",
    "is_ip_address",
    "is_payment_card",
    "is_phone",
    "is_us_ssn",
    "is_valid",
    "mask_processor",
    "parse_cn_resident_id",
    "presets",
    "to_e164",
]

from secpolicy._public import set_module as _set_module

_set_module(globals())

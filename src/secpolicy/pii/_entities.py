"""Entity names: what the scanner finds and what record fields hold."""

from __future__ import annotations

from typing import Final

# Detected in free text (and validated before being reported).
EMAIL: Final = "EMAIL"
PHONE: Final = "PHONE"
CN_MOBILE: Final = "CN_MOBILE"
CN_RESIDENT_ID: Final = "CN_RESIDENT_ID"
CN_USCC: Final = "CN_USCC"
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

#: Every entity the scanner can detect in text.
DETECTABLE: Final = (
    CN_RESIDENT_ID,
    CN_USCC,
    IBAN,
    PAYMENT_CARD,
    US_SSN,
    CN_MOBILE,
    PHONE,
    EMAIL,
    IP_ADDRESS,
)

#: Entities known only from field names.
FIELD_ONLY: Final = (PERSON_NAME, ADDRESS, BIRTH_DATE, BANK_ACCOUNT, SECRET)

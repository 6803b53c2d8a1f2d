"""Customer-record checks from the insurance customer-information rules."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final

import attrs

from secpolicy.exceptions import InvalidIdentifierError
from secpolicy.pii._entities import PHONE
from secpolicy.pii._fields import FIELD_ENTITIES, normalise_field
from secpolicy.pii._ids import declared_gender, is_cn_mobile, is_phone, parse_cn_resident_id
from secpolicy.pii._phone import to_e164

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

#: The key fields of a customer record under the insurance rules.
KEY_FIELDS: Final = ("name", "gender", "birth_date", "id_number", "address", "phone")
_LANDLINE: Final = re.compile(r"0[1-9][0-9]{1,2}-?[1-9][0-9]{6,7}(?:-[0-9]{1,5})?")


@attrs.frozen
class CustomerIssue:
    """One problem with a customer record.

    Attributes:
        field: The record field concerned.
        code: ``"missing"``, ``"invalid"``, ``"invalid:<reason>"`` (for ID
            numbers: ``checksum``, ``birth_date``, …), ``"mismatch"`` (the
            value disagrees with the ID number).
    """

    field: str
    code: str

    def __str__(self) -> str:
        return f"{self.field}: {self.code}"


def _present(value: Any) -> bool:
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()  # a birth date stored as a datetime is its date
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(unicodedata.normalize("NFKC", value).strip())
        except ValueError:
            return None
    return None


def check_customer_record(
    record: Mapping[str, Any],
    *,
    today: date,
    required: Iterable[str] = KEY_FIELDS,
    minor_age: int = 16,
    fields: Mapping[str, str] | None = None,
) -> list[CustomerIssue]:
    """Report missing key fields and invalid or inconsistent values of a customer record.

    The rules name the key fields of a customer: name, gender, birth date,
    resident ID number, address and phone. A minor (younger than
    *minor_age* on *today*, judged by the birth date) need not have an ID
    number. An ID number must follow the national coding rule and agree with
    the gender and birth date.

    Args:
        record: The customer record.
        today: The date ages are computed on.
        required: The fields that must be present.
        minor_age: Below this age no ID number is required.
        fields: Where the record keeps each key field, if its names differ
            (``{"id_number": "证件号码", "phone": "mobile"}``).

    Returns:
        The problems, in field order; empty when the record is complete and
        consistent. Issues name fields and problems, never values.
    """
    names = {key: key for key in KEY_FIELDS} | dict(fields or {})

    def get(key: str) -> Any:
        return record.get(names.get(key, key))

    issues: list[CustomerIssue] = []
    born = _as_date(get("birth_date"))
    parsed = None
    if _present(get("id_number")):
        try:
            parsed = parse_cn_resident_id(str(get("id_number")), today=today)
        except InvalidIdentifierError as exc:
            issues.append(CustomerIssue("id_number", f"invalid:{exc.reason}"))
    born = born or (parsed.birth_date if parsed else None)
    minor = born is not None and _age(born, today) < minor_age
    for key in required:
        if key == "id_number" and minor:
            continue
        if not _present(get(key)):
            issues.append(CustomerIssue(key, "missing"))
    if _present(get("birth_date")) and _as_date(get("birth_date")) is None:
        issues.append(CustomerIssue("birth_date", "invalid"))
    gender = get("gender")
    declared = declared_gender(gender) if _present(gender) else None
    if _present(gender) and declared is None:
        issues.append(CustomerIssue("gender", "invalid"))
    phone = get("phone")
    if _present(phone) and not _valid_phone(str(phone)):
        issues.append(CustomerIssue("phone", "invalid"))
    if parsed is not None:
        if declared is not None and declared != parsed.gender:
            issues.append(CustomerIssue("gender", "mismatch"))
        declared_birth = _as_date(get("birth_date"))
        if declared_birth is not None and declared_birth != parsed.birth_date:
            issues.append(CustomerIssue("birth_date", "mismatch"))
    return issues


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _valid_phone(value: str) -> bool:
    compact = value.strip()
    return is_cn_mobile(compact) or is_phone(compact) or bool(_LANDLINE.fullmatch(compact))


@attrs.frozen(repr=False)
class SharedContact:
    """A contact value held by two or more different customers: a suspicious clue.

    Attributes:
        field: The field that holds the value (``"phone"``, ``"bank_account"``).
        value: The normalised value (personal data: the ``repr`` hides it).
        customers: The customers that share it, in the order first seen.
    """

    field: str
    value: str
    customers: tuple[Any, ...]

    def __repr__(self) -> str:
        return f"SharedContact({self.field}, customers={self.customers!r})"


_PHONE_WORDS: Final = ("phone", "mobile", "tel", "手机", "电话")


def _is_phone_field(name: str) -> bool:
    normal = normalise_field(name)
    return FIELD_ENTITIES.get(normal) == PHONE or any(word in normal for word in _PHONE_WORDS)


def _normalise_contact(value: Any, field: str = "") -> str:
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if _is_phone_field(field):
        e164 = to_e164(text, "CN")
        if e164 is not None:  # mainland numbers as national digits, as before; others E.164
            return e164[3:] if e164.startswith("+86") else e164
    digits = re.sub(r"[^0-9Xx]", "", text)
    if digits.startswith("0086") and is_cn_mobile(digits[4:]):
        digits = digits[4:]
    if digits.startswith("86") and len(digits) == 13 and is_cn_mobile(digits):  # noqa: PLR2004
        digits = digits[2:]
    return digits.upper() if len(digits) >= 5 else text.casefold()  # noqa: PLR2004


def find_shared_contacts(
    records: Iterable[Mapping[str, Any]],
    fields: Iterable[str] = ("phone", "bank_account"),
    *,
    customer_key: str = "customer_id",
) -> list[SharedContact]:
    """Values of *fields* that two or more different customers share.

    The insurance rules treat the same phone number or bank account on two
    different customers as a suspicious clue to be listed and checked. Values
    are compared after normalisation: full-width digits folded, separators
    dropped, and phone fields (``phone``, ``mobile``, ``tel``, ``手机``, …)
    in E.164 form, so ``138 1234 5678``, ``+86-138-1234-5678``,
    ``0086 138 1234 5678`` and the same digits in full width are the same phone.

    Args:
        records: Customer records (one pass; memory grows with the distinct values).
        fields: The contact fields to compare.
        customer_key: The field that identifies the customer; records of the
            same customer may repeat a value without raising a clue.

    Raises:
        KeyError: If a record lacks *customer_key*.
    """
    wanted = tuple(fields)
    seen: dict[tuple[str, str], dict[Any, None]] = defaultdict(dict)
    for record in records:
        customer = record[customer_key]
        for name in wanted:
            value = record.get(name)
            if _present(value):
                seen[(name, _normalise_contact(value, name))][customer] = None
    return [
        SharedContact(field, value, tuple(customers))
        for (field, value), customers in seen.items()
        if len(customers) > 1
    ]

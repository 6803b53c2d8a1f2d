"""Customer-record checks and shared contacts."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from secpolicy.pii import CustomerIssue, check_customer_record, check_identity, find_shared_contacts

from .conftest import resident_id

ID = "11010519491231002X"
TODAY = date(2026, 1, 1)
GOOD = {
    "name": "张三",
    "gender": "女",
    "birth_date": "1949-12-31",
    "id_number": ID,
    "address": "北京市朝阳区建国路88号",
    "phone": "13812345678",
}


class TestCheckCustomerRecord:
    def test_complete_record(self) -> None:
        """A complete, consistent record has no issues."""
        assert check_customer_record(GOOD, today=TODAY) == []
        assert check_customer_record({**GOOD, "phone": "010-12345678"}, today=TODAY) == []
        assert check_customer_record({**GOOD, "birth_date": date(1949, 12, 31)}, today=TODAY) == []

    def test_missing_fields(self) -> None:
        """Missing and blank key fields are named."""
        issues = check_customer_record({"name": " ", "id_number": ID}, today=TODAY)
        assert [str(i) for i in issues] == [
            "name: missing",
            "gender: missing",
            "birth_date: missing",
            "address: missing",
            "phone: missing",
        ]

    def test_minor_needs_no_id(self) -> None:
        """A customer under the minor age need not have an ID number."""
        child = {**GOOD, "birth_date": "2015-06-01", "id_number": None}
        assert check_customer_record(child, today=TODAY) == []
        assert check_customer_record(child, today=TODAY, minor_age=10) == [
            CustomerIssue("id_number", "missing")
        ]

    def test_inconsistent_and_invalid(self) -> None:
        """Disagreement with the ID number and invalid values are reported."""
        record = {**GOOD, "gender": "男", "birth_date": "1950-01-01", "phone": "12345"}
        assert [str(i) for i in check_customer_record(record, today=TODAY)] == [
            "phone: invalid",
            "gender: mismatch",
            "birth_date: mismatch",
        ]
        bad = {**GOOD, "id_number": "110105194912310021", "gender": "?", "birth_date": "soon"}
        assert [str(i) for i in check_customer_record(bad, today=TODAY)] == [
            "id_number: invalid:checksum",
            "birth_date: invalid",
            "gender: invalid",
        ]

    def test_field_names(self) -> None:
        """Records with other field names are mapped."""
        record = {"客户": "张三", "性别": "F", "证件号码": ID, "地址": "x", "电话": "13812345678"}
        fields = {
            "name": "客户",
            "gender": "性别",
            "id_number": "证件号码",
            "address": "地址",
            "phone": "电话",
        }
        assert check_customer_record(record, today=TODAY, fields=fields) == [
            CustomerIssue("birth_date", "missing")
        ]

    def test_issues_never_hold_values(self) -> None:
        """Issues name fields and problems only."""
        issues = check_customer_record({**GOOD, "gender": "男"}, today=TODAY)
        assert all(ID not in str(i) and "张三" not in str(i) for i in issues)


class TestSharedContacts:
    def test_shared_phone_and_account(self) -> None:
        """The same phone (in any format) or account on two customers is a clue."""
        records = [
            {"customer_id": 1, "phone": "138 1234 5678", "bank_account": "6212345678901232"},
            {"customer_id": 2, "phone": "+86-138-1234-5678"},
            {"customer_id": 1, "phone": "13812345678"},
            {"customer_id": 3, "bank_account": "6212 3456 7890 1232", "phone": ""},
            {"customer_id": 4, "phone": "13900000000"},
        ]
        shared = find_shared_contacts(records)
        assert [(s.field, s.value, s.customers) for s in shared] == [
            ("phone", "13812345678", (1, 2)),
            ("bank_account", "6212345678901232", (1, 3)),
        ]
        assert "13812345678" not in repr(shared[0])

    def test_north_american_layouts_are_one_phone(self) -> None:
        """(415) 555-0132 and +1 415 555 0132 on two customers are the same phone."""
        records = [
            {"customer_id": 1, "phone": "(415) 555-0132"},
            {"customer_id": 2, "phone": "+1 415 555 0132"},
            {"customer_id": 3, "phone": "(0415) 555-0132"},
        ]
        shared = find_shared_contacts(records)
        assert [(s.value, s.customers) for s in shared] == [("+14155550132", (1, 2))]

    def test_same_customer_is_no_clue(self) -> None:
        """One customer repeating a value is not suspicious."""
        records = [{"customer_id": 7, "phone": "13812345678"}] * 3
        assert find_shared_contacts(records) == []

    def test_custom_fields_and_key(self) -> None:
        """Other fields and customer keys can be compared."""
        records = [{"cid": "a", "email": "X@Y.cn"}, {"cid": "b", "email": "x@y.cn"}]
        shared = find_shared_contacts(records, ["email"], customer_key="cid")
        assert [(s.value, s.customers) for s in shared] == [("x@y.cn", ("a", "b"))]


class TestCustomerChecksOfTheSecondTurn:
    def test_datetime_birth_date_equals_its_date(self) -> None:
        """A birth date stored as a datetime agrees with the ID's date."""
        record = {**GOOD, "birth_date": datetime(1949, 12, 31, 0, 0, tzinfo=UTC)}
        assert check_customer_record(record, today=TODAY) == []
        assert check_identity(ID, birth_date=datetime(1949, 12, 31, 9, 0, tzinfo=UTC)) == []

    @pytest.mark.parametrize(
        ("gender", "problems"),
        [("2", []), (2, []), ("女性", []), ("1", ["gender_mismatch"]),
         ("男性", ["gender_mismatch"]),
         ("9", ["gender_unknown"]), ("0", ["gender_unknown"])],
    )  # fmt: skip
    def test_gb_t_2261_gender_codes(self, gender: str | int, problems: list[str]) -> None:
        """GB/T 2261.1 codes 1 and 2 and 男性/女性 are genders; 0 and 9 are unknown."""
        assert check_identity(ID, gender=gender) == problems
        issues = check_customer_record({**GOOD, "gender": gender}, today=TODAY)
        assert (issues == []) == (problems == [])

    def test_future_birth_date_needs_today(self) -> None:
        """A birth date after *today* is refused when today is given; the clock is never read."""
        later = resident_id("110105", date(2030, 1, 1), 2)
        assert check_identity(later) == []
        assert check_identity(later, today=TODAY) == ["id_number_invalid:birth_date"]

    def test_shared_phone_in_every_form(self) -> None:
        """0086, +86, 86, full-width digits and separators name the same phone."""
        forms = ["13812345678", "0086 138 1234 5678", "+86-138-1234-5678", "１３８１２３４５６７８",
                 "8613812345678"]  # fmt: skip
        records = [{"customer_id": i, "phone": form} for i, form in enumerate(forms)]
        (shared,) = find_shared_contacts(records)
        assert shared.customers == (0, 1, 2, 3, 4)
        landlines = [{"customer_id": 1, "phone": "010-12345678"},
                     {"customer_id": 2, "phone": "+86 10 1234 5678"}]  # fmt: skip
        assert len(find_shared_contacts(landlines)) == 1

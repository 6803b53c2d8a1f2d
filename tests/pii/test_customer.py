"""Customer-record checks and shared contacts."""

from __future__ import annotations

from datetime import date

from secpolicy.pii import CustomerIssue, check_customer_record, find_shared_contacts

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

    def test_same_customer_is_no_clue(self) -> None:
        """One customer repeating a value is not suspicious."""
        records = [{"customer_id": 7, "phone": "13812345678"}] * 3
        assert find_shared_contacts(records) == []

    def test_custom_fields_and_key(self) -> None:
        """Other fields and customer keys can be compared."""
        records = [{"cid": "a", "email": "X@Y.cn"}, {"cid": "b", "email": "x@y.cn"}]
        shared = find_shared_contacts(records, ["email"], customer_key="cid")
        assert [(s.value, s.customers) for s in shared] == [("x@y.cn", ("a", "b"))]

"""The SQLAlchemy column types and the rotation sweep on SQLite."""

# Mapped classes keep their class names when unpacked from the fixture.
# ruff: noqa: N803, N806

from __future__ import annotations

import operator
import unicodedata
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from secpolicy.crypto import BlindIndex as Index
from secpolicy.crypto import DeterministicEncryptor, FieldEncryptor, Keyset
from secpolicy.exceptions import DecryptionError, PolicyConfigError
from secpolicy.integrations.sqlalchemy import (
    BlindIndex,
    Deterministic,
    Encrypted,
    ReencryptReport,
    keep_index,
    lookup,
    reencrypt_table,
    row_context,
)


def digits(text: str) -> str:
    """Index phone numbers as digits only."""
    return "".join(ch for ch in text if ch.isdigit())


class Crypto:
    """The keysets and encryptors one schema uses."""

    def __init__(self) -> None:
        self.field_keys = Keyset.generate("AES-256-GCM")
        self.siv_keys = Keyset.generate("AES-SIV")
        self.mac_keys = Keyset.generate("HMAC-SHA256")
        self.field = FieldEncryptor(self.field_keys)
        self.siv = DeterministicEncryptor(self.siv_keys)
        self.index = Index(self.mac_keys)


def schema(crypto: Crypto) -> tuple[type[Any], type[Any], sa.Table]:
    """A mapped Customer, a mapped Staff and a plain table, all with encrypted columns."""

    class Base(DeclarativeBase):
        pass

    class Customer(Base):
        __tablename__ = "customers"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str | None] = mapped_column(Encrypted(crypto.field), nullable=True)
        phone: Mapped[str | None] = mapped_column(Encrypted(crypto.field), nullable=True)
        phone_index: Mapped[str | None] = mapped_column(
            BlindIndex(crypto.index, source="phone", normalize=digits), index=True, nullable=True
        )
        id_number: Mapped[str | None] = mapped_column(Deterministic(crypto.siv), nullable=True)
        photo: Mapped[bytes | None] = mapped_column(
            Encrypted(crypto.field, binary=True, length=400), nullable=True
        )

    class Staff(Base):
        __tablename__ = "staff"
        id: Mapped[int] = mapped_column(primary_key=True)
        phone: Mapped[str | None] = mapped_column(Encrypted(crypto.field), nullable=True)

    notes = sa.Table(
        "notes",
        Base.metadata,
        sa.Column("tenant", sa.String, primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("body", Encrypted(crypto.field)),
    )
    keep_index(Customer.phone, Customer.phone_index)
    return Customer, Staff, notes


@pytest.fixture
def crypto() -> Crypto:
    """Fresh keysets."""
    return Crypto()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, crypto: Crypto) -> Any:
    """An engine with the schema created, and the mapped classes, on SQLite and PostgreSQL."""
    customer, staff, notes = schema(crypto)
    if request.param == "postgresql":
        engine = sa.create_engine(request.getfixturevalue("postgres_url"))
        customer.metadata.drop_all(engine)
    else:
        engine = sa.create_engine("sqlite://")
    customer.metadata.create_all(engine)
    yield engine, customer, staff, notes
    customer.metadata.drop_all(engine)
    engine.dispose()


def raw(engine: sa.Engine, sql: str, **params: Any) -> list[Any]:
    """Rows of a raw SQL query (what is actually stored)."""
    with engine.connect() as connection:
        return list(connection.execute(sa.text(sql), params))


class TestEncrypted:
    def test_round_trip_and_stored_form(self, db: Any) -> None:
        """Values come back as written; the database holds tokens only."""
        engine, Customer, _, _ = db
        with Session(engine) as session:
            session.add(Customer(id=1, name="张伟", phone="138 1234 5678", photo=b"\x00\xff"))
            session.commit()
        with Session(engine) as session:
            customer = session.get(Customer, 1)
            assert (customer.name, customer.phone, customer.photo) == (
                "张伟",
                "138 1234 5678",
                b"\x00\xff",
            )
        ((name, phone),) = raw(engine, "SELECT name, phone FROM customers")
        assert "张伟" not in name
        assert "1234" not in phone

    def test_token_moved_to_another_column_fails(self, db: Any) -> None:
        """A phone token copied into the name column does not decrypt."""
        engine, Customer, _, _ = db
        with Session(engine) as session:
            session.add(Customer(id=1, name="A", phone="13812345678"))
            session.commit()
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE customers SET name = phone"))
        with Session(engine) as session, pytest.raises(DecryptionError):
            session.scalars(sa.select(Customer.name)).all()

    def test_token_moved_to_another_table_fails(self, db: Any) -> None:
        """customers.phone copied into staff.phone does not decrypt."""
        engine, Customer, Staff, _ = db
        with Session(engine) as session:
            session.add(Customer(id=1, phone="13812345678"))
            session.commit()
        with engine.begin() as connection:
            connection.execute(
                sa.text("INSERT INTO staff (id, phone) SELECT id, phone FROM customers")
            )
        with Session(engine) as session, pytest.raises(DecryptionError):
            session.scalars(sa.select(Staff.phone)).all()

    def test_row_context(self, db: Any) -> None:
        """Inside row_context the row is bound too: another row's token fails."""
        engine, Customer, _, _ = db
        for pk in (1, 2):
            with row_context(pk), Session(engine) as session:
                session.add(Customer(id=pk, phone=f"1381234567{pk}"))
                session.commit()
        with row_context(2), Session(engine) as session:
            assert session.get(Customer, 2).phone == "13812345672"
        with engine.begin() as connection:
            connection.execute(
                sa.text("UPDATE customers SET phone = (SELECT phone FROM customers WHERE id = 1)")
            )
        with row_context(2), Session(engine) as session, pytest.raises(DecryptionError):
            session.get(Customer, 2)
        with Session(engine) as session, pytest.raises(DecryptionError):
            session.get(Customer, 1)  # written with a row, read without

    @pytest.mark.parametrize("row", ["", "a:b", "a\x00"])
    def test_bad_row(self, row: str) -> None:
        """A row part that could collide with another context is refused."""
        with pytest.raises(PolicyConfigError), row_context(row):
            pass

    def test_plain_table_and_composite_key(self, db: Any) -> None:
        """Core tables work the same; the context is notes.body."""
        engine, _, _, notes = db
        with engine.begin() as connection:
            connection.execute(notes.insert(), [{"tenant": "t", "seq": 1, "body": "机密"}])
        with engine.connect() as connection:
            assert connection.execute(sa.select(notes.c.body)).scalar_one() == "机密"
        assert notes.c.body.type.column_context == b"notes.body"

    def test_one_instance_per_column(self, crypto: Crypto) -> None:
        """Sharing one type instance between two columns is refused."""
        shared = Encrypted(crypto.field)
        metadata = sa.MetaData()
        sa.Table("a", metadata, sa.Column("x", shared))
        with pytest.raises(PolicyConfigError, match="own instance"):
            sa.Table("b", metadata, sa.Column("y", shared))

    def test_copied_table_rebinds(self, db: Any) -> None:
        """Table.to_metadata copies the type and binds the copy to the new table."""
        _, _, _, notes = db
        copy = notes.to_metadata(sa.MetaData(), name="notes_archive")
        assert copy.c.body.type.column_context == b"notes_archive.body"
        assert notes.c.body.type.column_context == b"notes.body"

    def test_unattached_needs_context(self, crypto: Crypto) -> None:
        """A type that is not in a table needs an explicit context."""
        with pytest.raises(PolicyConfigError, match="context"):
            _ = Encrypted(crypto.field).column_context
        assert Encrypted(crypto.field, context="legacy.phone").column_context == b"legacy.phone"

    @pytest.mark.parametrize(
        "make",
        [
            lambda c: Encrypted(c.siv),
            lambda c: Deterministic(c.field),
            lambda c: BlindIndex(c.field),
            lambda c: Encrypted(c.field, context=""),
        ],
    )
    def test_wrong_arguments(self, crypto: Crypto, make: Any) -> None:
        """The wrong encryptor or an empty context is refused when the type is built."""
        with pytest.raises(PolicyConfigError):
            make(crypto)

    def test_wrong_python_type(self, db: Any) -> None:
        """bytes into a str column (and the reverse) is a TypeError, nothing is stored."""
        engine, Customer, _, _ = db
        with Session(engine) as session:
            session.add(Customer(id=1, phone=b"138"))
            with pytest.raises(sa.exc.StatementError, match="holds str"):
                session.commit()
        with Session(engine) as session:
            session.add(Customer(id=2, photo="x"))
            with pytest.raises(sa.exc.StatementError, match="holds bytes"):
                session.commit()
        assert raw(engine, "SELECT count(*) FROM customers") == [(0,)]

    def test_value_comparisons_are_refused(self, db: Any) -> None:
        """== or IN on an Encrypted column raises instead of silently finding nothing."""
        engine, Customer, _, _ = db
        for build in (
            lambda: Customer.phone == "13812345678",
            lambda: Customer.phone != "x",
            lambda: Customer.phone.in_(["x"]),
            lambda: Customer.phone.like("138%"),
            lambda: Customer.phone > "a",
        ):
            with pytest.raises(PolicyConfigError, match=r"BlindIndex|compared"):
                build()
        with Session(engine) as session:
            session.add(Customer(id=1, phone="13812345678"))
            session.add(Customer(id=2))
            session.commit()
            for condition, expected in (
                (operator.eq(Customer.phone, None), [2]),
                (Customer.phone == sa.null(), [2]),
                (Customer.phone.is_not(None), [1]),
                (operator.ne(Customer.phone, None), [1]),
            ):
                assert session.scalars(sa.select(Customer.id).where(condition)).all() == expected

    def test_python_types(self, crypto: Crypto) -> None:
        """python_type says what the column holds."""
        assert Encrypted(crypto.field).python_type is str
        assert Encrypted(crypto.field, binary=True).python_type is bytes
        assert Deterministic(crypto.siv, binary=True).python_type is bytes
        assert BlindIndex(crypto.index).python_type is str

    @settings(max_examples=25, deadline=None)
    @given(value=st.text(max_size=200))
    def test_any_text_round_trips(self, value: str) -> None:
        """Any str survives the trip through the column."""
        crypto = Crypto()
        kind = Encrypted(crypto.field, context="t.c")
        stored = kind.process_bind_param(value, sa.create_engine("sqlite://").dialect)
        assert kind.process_result_value(stored, sa.create_engine("sqlite://").dialect) == value


class TestDeterministicAndIndex:
    def test_equality_lookup(self, db: Any) -> None:
        """== on a Deterministic column finds the row."""
        engine, Customer, _, _ = db
        with Session(engine) as session:
            session.add_all([Customer(id=1, id_number="110101199003074258"), Customer(id=2)])
            session.commit()
            found = session.scalars(
                sa.select(Customer.id).where(Customer.id_number == "110101199003074258")
            ).all()
        assert found == [1]

    def test_blind_index_kept_and_searched(self, db: Any) -> None:
        """Setting phone fills phone_index; == on the index finds it in any spelling."""
        engine, Customer, _, _ = db
        with Session(engine) as session:
            session.add(Customer(id=1, phone="138 1234 5678"))
            session.commit()
            found = session.scalars(
                sa.select(Customer.id).where(Customer.phone_index == "13812345678")
            ).all()
            stored = session.get(Customer, 1).phone_index
        assert found == [1]
        assert "1234" not in stored

    def test_index_context_is_the_source_column(self, crypto: Crypto, db: Any) -> None:
        """The index is bound to customers.phone, not to the companion column."""
        _, Customer, _, _ = db
        assert Customer.__table__.c.phone_index.type.column_context == b"customers.phone"
        plain = BlindIndex(crypto.index, context="x.y")
        assert plain.column_context == b"x.y"

    def test_lookup_during_rotation(self, crypto: Crypto, db: Any) -> None:
        """After rotation == misses old rows; lookup() finds them under every key."""
        engine, Customer, _, _ = db
        with Session(engine) as session:
            session.add(Customer(id=1, phone="13812345678", id_number="X1"))
            session.commit()
        crypto.siv_keys.rotate()
        crypto.mac_keys.rotate()
        with Session(engine) as session:
            assert (
                session.scalars(sa.select(Customer.id).where(Customer.id_number == "X1")).all()
                == []
            )
            assert session.scalars(
                sa.select(Customer.id).where(lookup(Customer.id_number, "X1"))
            ).all() == [1]
            assert session.scalars(
                sa.select(Customer.id).where(lookup(Customer.phone_index, "138-1234-5678"))
            ).all() == [1]

    def test_lookup_needs_a_searchable_column(self, db: Any) -> None:
        """lookup() on an Encrypted column is refused."""
        _, Customer, _, _ = db
        with pytest.raises(PolicyConfigError):
            lookup(Customer.phone, "x")

    def test_index_refuses_other_types(self, crypto: Crypto) -> None:
        """A blind index takes text or bytes only."""
        kind = BlindIndex(crypto.index, context="t.c")
        with pytest.raises(TypeError):
            kind.process_bind_param(12, sa.create_engine("sqlite://").dialect)
        assert kind.process_bind_param(None, sa.create_engine("sqlite://").dialect) is None
        assert kind.process_result_value(None, sa.create_engine("sqlite://").dialect) is None


#: A fixed AES-SIV keyset and the tokens its Deterministic column gave for
#: these values before text was NFC-normalised: ASCII and already-composed
#: text must keep exactly these tokens (stored rows stay searchable).
PINNED_SIV_KEYSET = (
    '{"format":"secpolicy.keyset","keys":[{"algorithm":"AES-SIV",'
    '"created":"2026-12-02T03:12:34.279901+00:00","id":2401752431,'
    '"material":"nqnl5zTA6KKOPnTs86tjMbo-AGted2bsNc-GQNvaGp4YPI6vnJNG5T_4nWMlTMW7UWKVqF6O8oIegsV4gwOtWA",'
    '"state":"enabled"}],"primary":2401752431,"version":1}'
)
PINNED_TOKENS = {
    "110101199003074258": "AY8n1W82a7bFOBNC1aicifeSlQPHxi0HU9V-PiZ7ByRP1xExLknG",
    "X1": "AY8n1W_0_8RueC_H0lst0lwiOhiCsjU",
    "caf\u00e9": "AY8n1W8I-xKqISVAnp4MrJ84hlJGgsEGwsg",
}


class TestDeterministicNormalisation:
    """Deterministic text columns encrypt the NFC form, so one value has one token."""

    def kind(self) -> Deterministic:
        """The pinned keyset's column type under the context ``customers.id_number``."""
        keys = Keyset.from_json(PINNED_SIV_KEYSET)
        return Deterministic(DeterministicEncryptor(keys), context="customers.id_number")

    def test_known_answers_are_unchanged(self) -> None:
        """ASCII and NFC text give the tokens stored before normalisation was added."""
        kind, dialect = self.kind(), sa.create_engine("sqlite://").dialect
        for value, token in PINNED_TOKENS.items():
            assert kind.process_bind_param(value, dialect) == token
            assert kind.process_result_value(token, dialect) == value

    def test_both_spellings_give_one_token(self) -> None:
        """Composed and decomposed é (and other forms) encrypt to the same token."""
        kind, dialect = self.kind(), sa.create_engine("sqlite://").dialect
        composed, decomposed = "caf\u00e9", "cafe\u0301"
        assert kind.process_bind_param(decomposed, dialect) == PINNED_TOKENS[composed]
        assert kind.tokens(decomposed) == kind.tokens(composed)
        assert kind.process_bind_param("\u212b", dialect) == kind.process_bind_param(
            "\u00c5", dialect
        )  # ANGSTROM SIGN and A WITH RING: one letter in NFC

    def test_value_read_back_is_the_nfc_form(self) -> None:
        """A decomposed value is read back composed (the documented form)."""
        kind, dialect = self.kind(), sa.create_engine("sqlite://").dialect
        token = kind.process_bind_param("Zoe\u0308", dialect)
        assert kind.process_result_value(token, dialect) == "Zo\u00eb"

    def test_binary_columns_are_not_normalised(self) -> None:
        """bytes are encrypted as given: only text has a normal form."""
        keys = Keyset.from_json(PINNED_SIV_KEYSET)
        kind = Deterministic(DeterministicEncryptor(keys), context="t.c", binary=True)
        dialect = sa.create_engine("sqlite://").dialect
        nfd = "cafe\u0301".encode()
        assert kind.process_result_value(kind.process_bind_param(nfd, dialect), dialect) == nfd
        assert kind.process_bind_param(nfd, dialect) != kind.process_bind_param(
            "caf\u00e9".encode(), dialect
        )

    def test_equality_query_finds_both_spellings(self, db: Any) -> None:
        """Rows stored in either spelling are found by == and lookup() in either spelling."""
        engine, Customer, _, _ = db
        with Session(engine) as session:
            session.add_all(
                [Customer(id=1, id_number="Jos\u00e9"), Customer(id=2, id_number="Jose\u0301")]
            )
            session.commit()
            for spelling in ("Jos\u00e9", "Jose\u0301"):
                found = session.scalars(
                    sa.select(Customer.id).where(Customer.id_number == spelling)
                ).all()
                assert sorted(found) == [1, 2]
                assert sorted(
                    session.scalars(
                        sa.select(Customer.id).where(lookup(Customer.id_number, spelling))
                    ).all()
                ) == [1, 2]

    def test_reencrypt_table_brings_old_rows_to_the_nfc_token(
        self, crypto: Crypto, db: Any
    ) -> None:
        """A row stored decomposed by an earlier version is found by == after the sweep."""
        engine, Customer, _, _ = db
        with Session(engine) as session:
            session.add(Customer(id=1))
            session.commit()
        old = crypto.siv.encrypt("Jose\u0301".encode(), context=b"customers.id_number")
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE customers SET id_number = :t"), {"t": old})
        report = reencrypt_table(engine, Customer)
        assert report.updated == 1
        with Session(engine) as session:
            found = session.scalars(
                sa.select(Customer.id).where(Customer.id_number == "Jose\u0301")
            ).all()
            assert found == [1]
            assert session.get(Customer, 1).id_number == "Jos\u00e9"

    @settings(max_examples=50, deadline=None)
    @given(st.text(max_size=20))
    def test_any_text_has_one_token_per_normal_form(self, text: str) -> None:
        """Every text and its NFC and NFD forms share one token; reading gives NFC."""
        kind, dialect = self.kind(), sa.create_engine("sqlite://").dialect
        token = kind.process_bind_param(text, dialect)
        assert kind.process_bind_param(unicodedata.normalize("NFD", text), dialect) == token
        assert kind.process_result_value(token, dialect) == unicodedata.normalize("NFC", text)


class TestReencryptTable:
    def fill(self, engine: sa.Engine, Customer: Any, n: int) -> None:
        """n customers with every kind of encrypted column."""
        with Session(engine) as session:
            session.add_all(
                Customer(
                    id=i,
                    name=f"name{i}",
                    phone=f"138{i:08d}",
                    id_number=f"ID{i}",
                    photo=bytes([i % 256]),
                )
                for i in range(1, n + 1)
            )
            session.add(Customer(id=n + 1))  # a row of NULLs
            session.commit()

    def key_ids(self, crypto: Crypto, engine: sa.Engine) -> set[int]:
        """The key ids of the stored name, phone and photo tokens."""
        ids = set()
        for row in raw(engine, "SELECT name, phone, photo FROM customers WHERE name IS NOT NULL"):
            ids.update(crypto.field.key_id(token) for token in row)
        return ids

    def test_rotation_sweep(self, crypto: Crypto, db: Any) -> None:
        """Every token moves to the new primary, in batches, and still reads back."""
        engine, Customer, _, _ = db
        self.fill(engine, Customer, 25)
        old = crypto.field_keys.primary_id
        crypto.field_keys.rotate()
        crypto.siv_keys.rotate()
        crypto.mac_keys.rotate()
        before = raw(engine, "SELECT id_number, phone_index FROM customers WHERE id = 3")
        report = reencrypt_table(engine, Customer, batch_size=10)
        assert report == ReencryptReport(
            scanned=26, updated=25, values=125, skipped=0, batches=3, last_key=(26,)
        )
        assert self.key_ids(crypto, engine) == {crypto.field_keys.primary_id}
        assert old not in self.key_ids(crypto, engine)
        assert raw(engine, "SELECT id_number, phone_index FROM customers WHERE id = 3") != before
        crypto.field_keys.disable(old)
        with Session(engine) as session:
            customer = session.get(Customer, 3)
            assert (customer.name, customer.photo) == ("name3", bytes([3]))
            assert session.scalars(
                sa.select(Customer.id).where(Customer.phone_index == "13800000003")
            ).all() == [3]
            assert session.scalars(
                sa.select(Customer.id).where(Customer.id_number == "ID3")
            ).all() == [3]

    def test_idempotent(self, crypto: Crypto, db: Any) -> None:
        """A second run reads but writes nothing."""
        engine, Customer, _, _ = db
        self.fill(engine, Customer, 5)
        crypto.field_keys.rotate()
        reencrypt_table(engine, Customer)
        again = reencrypt_table(engine, Customer)
        assert (again.updated, again.values, again.scanned) == (0, 0, 6)

    def test_resumable(self, crypto: Crypto, db: Any) -> None:
        """max_batches stops early; start_after continues where it stopped."""
        engine, Customer, _, _ = db
        self.fill(engine, Customer, 9)
        crypto.field_keys.rotate()
        first = reencrypt_table(engine, Customer, ["phone"], batch_size=4, max_batches=1)
        assert (first.updated, first.last_key) == (4, (4,))
        ids = {
            crypto.field.key_id(t)
            for (t,) in raw(engine, "SELECT phone FROM customers WHERE phone IS NOT NULL")
        }
        assert len(ids) == 2  # half-way: both keys in use, everything still readable
        with Session(engine) as session:
            assert [c.phone for c in session.scalars(sa.select(Customer).order_by(Customer.id))][
                :2
            ] == [
                "13800000001",
                "13800000002",
            ]
        rest = reencrypt_table(
            engine, Customer, ["phone"], batch_size=4, start_after=first.last_key
        )
        assert rest.updated == 5
        assert {
            crypto.field.key_id(t)
            for (t,) in raw(engine, "SELECT phone FROM customers WHERE phone IS NOT NULL")
        } == {crypto.field_keys.primary_id}

    def test_through_a_session_and_a_connection(self, crypto: Crypto, db: Any) -> None:
        """A session or a connection works as the bind."""
        engine, Customer, _, notes = db
        self.fill(engine, Customer, 3)
        with engine.begin() as connection:
            connection.execute(
                notes.insert(), [{"tenant": "t", "seq": i, "body": "b"} for i in range(3)]
            )
        crypto.field_keys.rotate()
        with Session(engine) as session:
            assert reencrypt_table(session, Customer, ["name"]).updated == 3
        with engine.connect() as connection:
            assert reencrypt_table(connection, notes, batch_size=2).updated == 3
            connection.commit()
        with engine.connect() as connection, connection.begin():
            assert reencrypt_table(connection, notes).updated == 0

    def test_row_context(self, crypto: Crypto, db: Any) -> None:
        """Rows written inside row_context are swept with the same row part."""
        engine, Customer, _, _ = db
        for pk in (1, 2):
            with row_context(pk), Session(engine) as session:
                session.add(Customer(id=pk, phone=f"1380000000{pk}"))
                session.commit()
        crypto.field_keys.rotate()
        with pytest.raises(DecryptionError):
            reencrypt_table(engine, Customer, ["phone"])
        report = reencrypt_table(engine, Customer, ["phone"], row_context=lambda row: row["id"])
        assert report.updated == 2
        with row_context(2), Session(engine) as session:
            assert session.get(Customer, 2).phone == "13800000002"

    def test_tampered_token_stops_the_batch(self, crypto: Crypto, db: Any) -> None:
        """A token that does not decrypt raises and nothing of its batch is written."""
        engine, Customer, _, _ = db
        self.fill(engine, Customer, 3)
        crypto.field_keys.rotate()
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE customers SET name = phone WHERE id = 3"))
        snapshot = raw(engine, "SELECT phone FROM customers ORDER BY id")
        with pytest.raises(DecryptionError):
            reencrypt_table(engine, Customer, ["phone", "name"])
        assert raw(engine, "SELECT phone FROM customers ORDER BY id") == snapshot

    def test_concurrent_change_is_skipped(self, crypto: Crypto, db: Any) -> None:
        """A row the service changes between the sweep's read and write is left alone."""
        engine, Customer, _, _ = db
        self.fill(engine, Customer, 2)
        crypto.field_keys.rotate()
        fresh = crypto.field.encrypt(b"changed", context=b"customers.name")
        with engine.connect() as connection:

            def meddle(row: Any) -> None:
                if row["id"] == 1:  # the service writes row 1 while the sweep holds it
                    connection.execute(
                        sa.text("UPDATE customers SET name = :v WHERE id = 1"), {"v": fresh}
                    )

            report = reencrypt_table(connection, Customer, ["name"], row_context=meddle)
            connection.commit()
        assert (report.updated, report.skipped) == (1, 1)
        with Session(engine) as session:
            assert session.get(Customer, 1).name == "changed"
            assert session.get(Customer, 2).name == "name2"

    def test_empty_table(self, db: Any) -> None:
        """An empty table is swept in no batch."""
        engine, Customer, _, _ = db
        assert reencrypt_table(engine, Customer) == ReencryptReport()

    @pytest.mark.parametrize(
        ("args", "kwargs"),
        [
            (("customers", ["phone"]), {}),
            ((None, ["id"]), {}),
            ((None, ["nope"]), {}),
            ((None, None), {"batch_size": 0}),
        ],
    )
    def test_bad_arguments(self, db: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        """A non-table, a plain column, an unknown column or a zero batch is refused."""
        engine, Customer, _, _ = db
        table = args[0] if args[0] is not None else Customer
        with pytest.raises(PolicyConfigError):
            reencrypt_table(engine, table, args[1], **kwargs)

    def test_bad_bind_and_keyless_table(self, db: Any) -> None:
        """A bind of another kind, or a table without a primary key, is refused."""
        engine, Customer, _, _ = db
        with pytest.raises(PolicyConfigError):
            reencrypt_table("sqlite://", Customer)  # type: ignore[arg-type]
        keyless = sa.Table("k", sa.MetaData(), sa.Column("v", sa.String))
        with pytest.raises(PolicyConfigError, match="primary key"):
            reencrypt_table(engine, keyless)


class TestSchemaContext:
    """Tables of one name in two schemas (a schema per tenant) never share a context."""

    @pytest.fixture(params=["sqlite", "postgresql"])
    def tenants(self, request: pytest.FixtureRequest, crypto: Crypto) -> Any:
        """tenant_a.customers and tenant_b.customers with Encrypted phones, on both databases."""
        metadata = sa.MetaData()
        tables = [
            sa.Table(
                "customers",
                metadata,
                sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("phone", Encrypted(crypto.field)),
                schema=name,
            )
            for name in ("tenant_a", "tenant_b")
        ]
        if request.param == "postgresql":
            engine = sa.create_engine(request.getfixturevalue("postgres_url"))
            with engine.begin() as connection:
                for name in ("tenant_a", "tenant_b"):
                    connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
                    connection.execute(sa.text(f"CREATE SCHEMA {name}"))
        else:
            engine = sa.create_engine("sqlite://")

            @sa.event.listens_for(engine, "connect")
            def _attach(connection: Any, _record: Any) -> None:
                for name in ("tenant_a", "tenant_b"):
                    connection.execute(f"ATTACH DATABASE ':memory:' AS {name}")

        metadata.create_all(engine)
        yield engine, tables
        metadata.drop_all(engine)
        if request.param == "postgresql":
            with engine.begin() as connection:
                for name in ("tenant_a", "tenant_b"):
                    connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        engine.dispose()

    def test_token_moved_to_another_tenants_schema_fails(self, tenants: Any) -> None:
        """tenant_a.customers.phone copied into tenant_b.customers does not decrypt."""
        engine, (a, b) = tenants
        with engine.begin() as connection:
            connection.execute(a.insert().values(id=1, phone="13812345678"))
            connection.execute(b.insert().values(id=1, phone="13987654321"))
            connection.execute(
                sa.text(
                    "UPDATE tenant_b.customers SET phone = "
                    "(SELECT phone FROM tenant_a.customers WHERE id = 1)"
                )
            )
        with engine.connect() as connection:
            assert connection.execute(sa.select(a.c.phone)).scalar() == "13812345678"
            with pytest.raises(DecryptionError):
                connection.execute(sa.select(b.c.phone)).scalar()

    def test_names_with_dots_and_colons_do_not_collide(self, crypto: Crypto) -> None:
        """Schema a + table b.c, table a.b + column c and column b:x + row x are distinct."""
        metadata = sa.MetaData()
        kinds = []
        for table, column, schema in (("b.c", "d", "a"), ("a.b", "c.d", None), ("a", "b:x", None)):
            kind = Encrypted(crypto.field)
            sa.Table(table, metadata, sa.Column(column, kind), schema=schema)
            kinds.append(kind)
        plain = Encrypted(crypto.field)
        sa.Table("a", metadata, sa.Column("b", plain), schema=None, extend_existing=True)
        contexts = [k.value_context() for k in kinds]
        with row_context("x"):
            contexts.append(plain.value_context())
        assert len(set(contexts)) == len(contexts)

    def test_plain_names_keep_their_context(self, crypto: Crypto) -> None:
        """A table without a schema and plain names keep the context table.column."""
        kind = Encrypted(crypto.field)
        sa.Table("customers", sa.MetaData(), sa.Column("phone", kind))
        assert kind.column_context == b"customers.phone"

"""Encrypted SQLAlchemy columns: round trip, search by blind index, rotate and re-encrypt.

Run: python examples/integrations_sqlalchemy_columns.py   (needs secpolicy[sqlalchemy])

The customers table keeps the phone number encrypted (bound to
``customers.phone``) with a blind-index companion column to find a customer by
phone, and the ID number deterministically encrypted for ``==`` lookups. A
token copied into another column refuses to decrypt. Then the keys rotate and
``reencrypt_table`` moves every row to the new keys in small batches while
the table stays in use, and the old key is retired.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from secpolicy.crypto import BlindIndex as Index
from secpolicy.crypto import DecryptionError, DeterministicEncryptor, FieldEncryptor, Keyset
from secpolicy.integrations.sqlalchemy import (
    BlindIndex,
    Deterministic,
    Encrypted,
    keep_index,
    lookup,
    reencrypt_table,
)

# In production the keysets come from a KeyProvider (a KMS, a secret store).
FIELD_KEYS = Keyset.generate("AES-256-GCM")
SIV_KEYS = Keyset.generate("AES-SIV")
INDEX_KEYS = Keyset.generate("HMAC-SHA256")


def digits(phone: str) -> str:
    """Index what users type in any form: digits only, without a +86 prefix."""
    only = "".join(ch for ch in phone if ch.isdigit())
    return only[2:] if only.startswith("86") and len(only) == 13 else only


class Base(DeclarativeBase):
    """The declarative base."""


class Customer(Base):
    """A customer, with its personal data encrypted."""

    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Encrypted(FieldEncryptor(FIELD_KEYS)))
    phone: Mapped[str] = mapped_column(Encrypted(FieldEncryptor(FIELD_KEYS)))
    phone_index: Mapped[str] = mapped_column(
        BlindIndex(Index(INDEX_KEYS), source="phone", normalize=digits), index=True
    )
    id_number: Mapped[str] = mapped_column(Deterministic(DeterministicEncryptor(SIV_KEYS)))


keep_index(Customer.phone, Customer.phone_index)


def main() -> None:
    """Store, search, tamper, rotate, sweep, retire."""
    engine = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all(
            Customer(id=i, name=name, phone=phone, id_number=idn)
            for i, (name, phone, idn) in enumerate(
                [
                    ("张伟", "138 1234 5678", "11010519491231002X"),
                    ("王芳", "139-8765-4321", "110101199003074258"),
                    ("Li Na", "+86 150 1234 1234", "440524188001010014"),
                ],
                start=1,
            )
        )
        session.commit()

    with engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT name, phone FROM customers WHERE id = 1"))
        print("stored in the database:", stored.one())

    with Session(engine) as session:
        by_phone = session.scalars(
            sa.select(Customer).where(Customer.phone_index == "13987654321")
        ).one()
        print("found by phone:", by_phone.name, by_phone.phone)
        by_id = session.scalars(
            sa.select(Customer).where(Customer.id_number == "440524188001010014")
        ).one()
        print("found by ID number:", by_id.name)

    # Someone copies the phone token into the name column of the same row.
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE customers SET name = phone WHERE id = 3"))
    with Session(engine) as session:
        try:
            session.get(Customer, 3)
        except DecryptionError:
            print("a phone token moved into the name column does not decrypt")
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM customers WHERE id = 3"))

    old = FIELD_KEYS.primary_id
    FIELD_KEYS.rotate()
    SIV_KEYS.rotate()
    INDEX_KEYS.rotate()
    with Session(engine) as session:
        during = session.scalars(
            sa.select(Customer.name).where(lookup(Customer.phone_index, "138-1234-5678"))
        ).all()
        print("during the rotation lookup() still finds:", during)
    report = reencrypt_table(engine, Customer, batch_size=1)
    print(f"re-encrypted {report.values} values in {report.updated} rows, {report.batches} batches")
    print("second run changes", reencrypt_table(engine, Customer).updated, "rows")

    FIELD_KEYS.disable(old)  # nothing needs the old key any more
    with Session(engine) as session:
        names = [c.name for c in session.scalars(sa.select(Customer).order_by(Customer.id))]
        print("after retiring the old key:", names)
        found = session.scalars(
            sa.select(Customer.name).where(Customer.phone_index == "13812345678")
        ).all()
        if found != ["张伟"]:
            raise SystemExit("the re-indexed phone should be found")


if __name__ == "__main__":
    main()

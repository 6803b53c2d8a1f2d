"""Encrypt a customer table's phone column, search it, rotate the key, re-encrypt.

Run: python examples/encrypt_customer_table.py

The phone number is stored encrypted with the table, column and row bound as
context, plus a blind index so that the service can find a customer by phone
without decrypting every row. Then the key is rotated, every row is moved to
the new key, and the old key is retired.
"""

from __future__ import annotations

import sqlite3

from secpolicy.crypto import BlindIndex, DecryptionError, FieldEncryptor, Keyset

CUSTOMERS = [
    (1, "张伟", "13812345678"),
    (2, "王芳", "13987654321"),
    (3, "Li Na", "15012341234"),
]


def context(row_id: int) -> bytes:
    """Bind each ciphertext to its table, column and row."""
    return f"customers.phone:{row_id}".encode()


def normalise(phone: str) -> str:
    """Index what users type in any form: drop spaces, dashes and a +86 prefix."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[2:] if digits.startswith("86") and len(digits) == 13 else digits


def main() -> None:
    """Walk through encryption, lookup, rotation and key retirement."""
    # In production the keysets come from a KeyProvider (a KMS, a secret store).
    field_keys = Keyset.generate("AES-256-GCM")
    index_keys = Keyset.generate("HMAC-SHA256")
    phones = FieldEncryptor(field_keys)
    phone_index = BlindIndex(index_keys, length=16)

    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, phone TEXT, phone_idx TEXT)"
    )
    db.execute("CREATE INDEX customers_phone_idx ON customers (phone_idx)")
    for row_id, name, phone in CUSTOMERS:
        token = phones.encrypt(phone.encode(), context=context(row_id))
        idx = phone_index.compute(normalise(phone), context=b"customers.phone")
        db.execute("INSERT INTO customers VALUES (?, ?, ?, ?)", (row_id, name, token, idx))
    print(f"stored {len(CUSTOMERS)} customers; phone column holds tokens such as")
    print("  ", db.execute("SELECT phone FROM customers WHERE id = 1").fetchone()[0])

    # Find a customer by phone, in whatever form the caller typed it.
    wanted = phone_index.compute(normalise("+86 139-8765-4321"), context=b"customers.phone")
    row_id, name, token = db.execute(
        "SELECT id, name, phone FROM customers WHERE phone_idx = ?", (wanted,)
    ).fetchone()
    phone = phones.decrypt(token, context=context(row_id)).decode()
    print(f"lookup by blind index found customer {row_id} ({name}): {phone[:3]}****{phone[-4:]}")

    # A token copied into another row does not decrypt there.
    try:
        phones.decrypt(token, context=context(1))
    except DecryptionError:
        print("a token moved to another row fails to decrypt, as it should")

    # Rotate: new writes use the new key at once; old rows still decrypt.
    old_key = field_keys.primary_id
    new_key = field_keys.rotate()
    print(f"rotated field key {old_key:08x} -> {new_key.id:08x}")
    moved = 0
    for row_id, token in db.execute("SELECT id, phone FROM customers").fetchall():
        fresh = phones.reencrypt(token, context=context(row_id))
        if fresh != token:
            db.execute("UPDATE customers SET phone = ? WHERE id = ?", (fresh, row_id))
            moved += 1
    remaining = sum(
        phones.key_id(token) == old_key
        for (token,) in db.execute("SELECT phone FROM customers").fetchall()
    )
    print(f"re-encrypted {moved} rows; {remaining} rows still use the old key")

    # Retire the old key: disable first (reversible), destroy once nothing fails.
    field_keys.disable(old_key)
    field_keys.destroy(old_key)
    for row_id, token in db.execute("SELECT id, phone FROM customers").fetchall():
        phones.decrypt(token, context=context(row_id))
    print(f"old key destroyed; all {len(CUSTOMERS)} rows still decrypt under the new key")
    print("keyset now:", field_keys)


if __name__ == "__main__":
    main()

"""Field and file encryption against bare AES-GCM and Fernet, in one run.

Goals (issue: field and file encryption):
- ``FieldEncryptor.encrypt`` of a 32-byte value costs at most 3x a bare
  ``AESGCM.encrypt`` with a fresh ``os.urandom(12)`` nonce;
- and is at least 2.5x faster than ``Fernet.encrypt``;
- ``FileEncryptor`` encrypts 256 MiB in memory at no less than half the
  throughput of one bare ``AESGCM.encrypt`` call over the same bytes.
"""

from __future__ import annotations

import io
import os
import random

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from benchmarks._runner import check_goal, compare
from secpolicy.crypto import FieldEncryptor, FileEncryptor, Keyset

CONTEXT = b"customers.phone:42"
FILE_SIZE = 256 * 1024 * 1024


def _fields() -> None:
    value = random.Random(1).randbytes(32)
    keyset = Keyset.generate()
    fe = FieldEncryptor(keyset)
    assert keyset.primary.material is not None
    bare = AESGCM(keyset.primary.material)
    fernet = Fernet(Fernet.generate_key())

    enc = compare(
        "encrypt a 32-byte field",
        lambda: fe.encrypt(value, context=CONTEXT),
        {
            "AESGCM.encrypt + urandom (bare)": lambda: bare.encrypt(os.urandom(12), value, CONTEXT),
            "Fernet.encrypt": lambda: fernet.encrypt(value),
        },
        number=20_000,
    )
    cost = 1 / enc.ratio("AESGCM.encrypt + urandom (bare)")
    check_goal("encrypt costs <= 3x bare AES-GCM", met=cost <= 3, detail=f"{cost:.2f}x")
    speedup = enc.ratio("Fernet.encrypt")
    check_goal("encrypt >= 2.5x faster than Fernet", met=speedup >= 2.5, detail=f"{speedup:.2f}x")

    token = fe.encrypt(value, context=CONTEXT)
    nonce = os.urandom(12)
    sealed = bare.encrypt(nonce, value, CONTEXT)
    fernet_token = fernet.encrypt(value)
    compare(
        "decrypt a 32-byte field",
        lambda: fe.decrypt(token, context=CONTEXT),
        {
            "AESGCM.decrypt (bare)": lambda: bare.decrypt(nonce, sealed, CONTEXT),
            "Fernet.decrypt": lambda: fernet.decrypt(fernet_token),
        },
        number=20_000,
    )


def _files() -> None:
    data = os.urandom(FILE_SIZE)
    keyset = Keyset.generate()
    assert keyset.primary.material is not None
    bare = AESGCM(keyset.primary.material)
    fe = FileEncryptor(keyset)

    def ours() -> None:
        fe.encrypt_stream(io.BytesIO(data), io.BytesIO(), context=b"exports/bench.bin")

    def theirs() -> None:
        bare.encrypt(os.urandom(12), data, None)

    result = compare(
        "encrypt 256 MiB in memory",
        ours,
        {"one AESGCM.encrypt call (bare)": theirs},
        number=1,
        repeat=5,
    )
    mib = FILE_SIZE / 2**20
    ours_mibs = mib / (result.ours.median / 1e9)
    bare_mibs = mib / (result.theirs[0].median / 1e9)
    share = ours_mibs / bare_mibs
    print(f"- throughput: FileEncryptor {ours_mibs:.0f} MiB/s, bare AES-GCM {bare_mibs:.0f} MiB/s")
    check_goal(
        "file encryption >= 0.5x bare AES-GCM throughput", met=share >= 0.5, detail=f"{share:.2f}x"
    )


def main() -> None:
    """Run the crypto benchmarks."""
    _fields()
    _files()

"""Prove a record is in the log and that the log only grew, with checkpoints alone.

Run: python examples/audit_proofs.py

The service writes a log whose checkpoints are signed Merkle tree heads (C2SP
checkpoints). An auditor who keeps only the checkpoints (and the public key)
can check that one record is in the log, that a later checkpoint extends an
earlier one, and can cosign checkpoints as a witness. A collector verifies
the same lines as a stream and catches a pipeline that re-serialises them.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from secpolicy.audit import (
    AuditLogger,
    CheckpointError,
    LogTree,
    MemoryAnchorStore,
    Verifier,
    cosign,
    generate_signing_key,
    verify,
    verify_checkpoint,
    verify_consistency_proof,
    verify_inclusion_proof,
)


def main() -> None:
    """Write a log, hand out proofs, check them (in a temporary directory)."""
    with tempfile.TemporaryDirectory(prefix="secpolicy-proofs-") as tmp:
        run(Path(tmp))


def run(workdir: Path) -> None:
    """The flow, with the log under *workdir*."""
    path = workdir / "audit.jsonl"
    key = generate_signing_key()
    public = key.public_key()
    anchors = MemoryAnchorStore()
    with AuditLogger.to_file(path, key=key, anchor=anchors, checkpoint_every=100) as audit:
        for i in range(450):
            audit.login(user_id=f"u{i % 30}", ip="203.0.113.9", port=40000 + i)
    report = verify(path, key=public, anchor=anchors, expected_log_ids=[audit.log_id])
    print(report.summary().splitlines()[0])

    tree = LogTree.from_files(path)
    first, last = tree.checkpoint_sizes[0], tree.checkpoint_sizes[-1]
    line = path.read_bytes().splitlines()[42]
    proof = tree.inclusion_proof(42, size=last)
    verify_inclusion_proof(line, proof, tree.checkpoint(last), key=public)
    print(f"record 42 is in the tree of {last} records ({len(proof.hashes)} hashes)")

    growth = tree.consistency_proof(first, last)
    verify_consistency_proof(growth, tree.checkpoint(first), tree.checkpoint(last), key=public)
    print(f"the checkpoint of {last} records extends the one of {first}")

    witness = generate_signing_key()
    cosigned = cosign(tree.checkpoint(last), key=witness, name="auditor.example/witness")
    verify_checkpoint(
        cosigned, key=public, witnesses=[("auditor.example/witness", witness.public_key())]
    )
    print("checkpoint cosigned by the auditor's witness")

    try:
        verify_inclusion_proof(
            line.replace(b"203.0.113.9", b"203.0.113.8"), proof, cosigned, key=public
        )
    except CheckpointError as exc:
        print(f"an edited record: {exc}")
    else:
        raise AssertionError("an edited record must not be proven in")

    collector = Verifier(key=public)
    raw = [collector.feed(line) for line in path.read_bytes().splitlines()]
    print(f"streamed: ok={collector.ok}, problems={sum(map(len, raw))}")
    resaved = Verifier(key=public)
    found = [
        p
        for line in path.read_text().splitlines()
        for p in resaved.feed(json.dumps(json.loads(line)))
    ]
    print(f"a re-serialising pipeline: {len(found)} lines reported as {found[0].kind}")


if __name__ == "__main__":
    main()

"""RFC 9162 Merkle trees, C2SP checkpoints, inclusion and consistency proofs, cosigning."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from secpolicy._clock import FrozenClock
from secpolicy.audit import (
    AuditLogger,
    Checkpoint,
    CheckpointError,
    ConsistencyProof,
    InclusionProof,
    LogTree,
    ProofUnavailable,
    cosign,
    rotated_files,
    verify,
    verify_checkpoint,
    verify_consistency_proof,
    verify_inclusion_proof,
)
from secpolicy.audit._chain import frame, render_body
from secpolicy.audit._merkle import (
    EMPTY_ROOT,
    CompactRange,
    MerkleTree,
    PrunedRange,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)
from secpolicy.audit._note import make_checkpoint, note_key_id
from secpolicy.retention import Period, RetentionRule, RetentionSchedule
from tests.audit.conftest import KEY

VECTORS = json.loads((Path(__file__).parent / "data" / "merkle_vectors.json").read_text())
# RFC 6962 section 2.1.3's eight leaves and the root of their tree (also in
# the transparency-dev vectors above).
RFC_LEAVES = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
]
RFC_ROOT = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"


def _b(value: str | None) -> bytes:
    return base64.b64decode(value) if value else b""


def _reference_root(leaves: list[bytes]) -> bytes:
    """MTH by its recursive definition (RFC 9162, 2.1.1): the plain twin."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return node_hash(_reference_root(leaves[:k]), _reference_root(leaves[k:]))


class TestMerkle:
    @pytest.mark.parametrize("vector", VECTORS["inclusion"], ids=lambda v: v["file"])
    def test_inclusion_vectors(self, vector: dict[str, Any]) -> None:
        """transparency-dev inclusion vectors: accepted exactly when they should be."""
        result = verify_inclusion(
            _b(vector["leafHash"]),
            vector["leafIdx"],
            vector["treeSize"],
            [_b(p) for p in vector["proof"] or []],
            _b(vector["root"]),
        )
        assert result is not vector["wantErr"]

    @pytest.mark.parametrize("vector", VECTORS["consistency"], ids=lambda v: v["file"])
    def test_consistency_vectors(self, vector: dict[str, Any]) -> None:
        """transparency-dev consistency vectors: accepted exactly when they should be."""
        result = verify_consistency(
            vector["size1"],
            vector["size2"],
            _b(vector["root1"]),
            _b(vector["root2"]),
            [_b(p) for p in vector["proof"] or []],
        )
        assert result is not vector["wantErr"]

    def test_rfc_root_and_generated_proofs(self) -> None:
        """The RFC 6962 tree: its root, and every proof we generate for sizes 1-8 verifies."""
        tree = MerkleTree(leaf_hash(bytes.fromhex(x)) for x in RFC_LEAVES)
        assert tree.root().hex() == RFC_ROOT
        for size in range(1, 9):
            for index in range(size):
                proof = tree.inclusion_proof(index, size)
                assert verify_inclusion(tree.leaf(index), index, size, proof, tree.root(size))
            for old in range(1, size + 1):
                proof = tree.consistency_proof(old, size)
                assert verify_consistency(old, size, tree.root(old), tree.root(size), proof)
        happy = next(v for v in VECTORS["inclusion"] if v["file"].endswith("1/happy-path.json"))
        assert tree.inclusion_proof(happy["leafIdx"], happy["treeSize"]) == [
            _b(p) for p in happy["proof"]
        ]

    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.binary(max_size=8), max_size=70), st.data())
    def test_differential(self, data: list[bytes], draw: st.DataObject) -> None:
        """Compact range, stored tree and the recursive definition agree; proofs verify."""
        leaves = [leaf_hash(d) for d in data]
        compact = CompactRange()
        tree = MerkleTree()
        for index, leaf in enumerate(leaves):
            compact.append(leaf)
            tree.append(leaf)
            assert compact.root() == tree.root() == _reference_root(leaves[: index + 1])
        assert MerkleTree(leaves).root() == tree.root()
        if leaves:
            size = draw.draw(st.integers(1, len(leaves)))
            index = draw.draw(st.integers(0, size - 1))
            old = draw.draw(st.integers(1, size))
            root = tree.root(size)
            assert verify_inclusion(
                leaves[index], index, size, tree.inclusion_proof(index, size), root
            )
            proof = tree.consistency_proof(old, size)
            assert verify_consistency(old, size, tree.root(old), root, proof)
            if proof:
                assert not verify_consistency(old, size, tree.root(old), root, proof[:-1])

    @settings(max_examples=80, deadline=None)
    @given(st.integers(1, 70), st.data())
    def test_pruned_tree_agrees_with_the_whole_one(self, count: int, draw: st.DataObject) -> None:
        """A tree from a pruned prefix's compact range gives the whole tree's roots and proofs."""
        leaves = [leaf_hash(i.to_bytes(2, "big")) for i in range(count)]
        begin = draw.draw(st.integers(0, count))
        prefix = CompactRange()
        for leaf in leaves[:begin]:
            prefix.append(leaf)
        whole = MerkleTree(leaves)
        pruned = MerkleTree(leaves[begin:], prefix=prefix)
        extra = leaf_hash(b"next")
        if draw.draw(st.booleans()):
            whole.append(extra)
            pruned.append(extra)
        assert (pruned.size, pruned.begin) == (whole.size, begin)
        size = draw.draw(st.integers(begin, whole.size))
        assert pruned.root(size) == whole.root(size)
        if size > begin:
            index = draw.draw(st.integers(begin, size - 1))
            assert pruned.leaf(index) == whole.leaf(index)
            assert pruned.inclusion_proof(index, size) == whole.inclusion_proof(index, size)
        old = draw.draw(st.integers(0, size))
        try:
            proof = pruned.consistency_proof(old, size)
        except PrunedRange:
            assert old < begin  # only a proof from inside the pruned prefix may be missing
        else:
            assert proof == whole.consistency_proof(old, size)
        if begin:
            with pytest.raises(PrunedRange):
                pruned.inclusion_proof(begin - 1, size)
            with pytest.raises(PrunedRange):
                pruned.leaf(begin - 1)

    def test_compact_range_validation(self) -> None:
        """A compact range needs one hash per set bit of its size."""
        with pytest.raises(ValueError, match="one 32-byte hash"):
            CompactRange(3, [EMPTY_ROOT])
        with pytest.raises(ValueError, match="leaves"):
            MerkleTree([EMPTY_ROOT]).root(2)


class TestCheckpointNote:
    def test_format_and_key_id(self) -> None:
        """The note is a C2SP checkpoint with an Ed25519 signed-note key id."""
        checkpoint = make_checkpoint(
            log_id="abc", size=3, root=EMPTY_ROOT, time="2026-01-01T00:00:00Z", key=KEY
        )
        text, _, signature = checkpoint.note.partition("\n\n")
        assert text.split("\n") == [
            "secpolicy.audit/abc",
            "3",
            base64.b64encode(EMPTY_ROOT).decode(),
            "time 2026-01-01T00:00:00Z",
        ]
        assert signature.startswith("\u2014 secpolicy.audit/abc ")
        raw = base64.b64decode(signature.rstrip("\n").rsplit(" ", 1)[1])
        public = KEY.public_key().public_bytes_raw()
        import hashlib

        assert raw[:4] == hashlib.sha256(b"secpolicy.audit/abc\n\x01" + public).digest()[:4]
        assert raw[:4] == note_key_id("secpolicy.audit/abc", KEY)
        KEY.public_key().verify(raw[4:], (text + "\n").encode())
        assert verify_checkpoint(checkpoint.note, key=KEY.public_key()) == checkpoint

    def test_cosignatures(self) -> None:
        """A witness's extra signature line is required when named, and checked."""
        witness = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
        note = make_checkpoint(log_id="abc", size=0, root=EMPTY_ROOT, time="t", key=KEY).note
        cosigned = cosign(note, key=witness, name="witness.example/w1")
        assert Checkpoint.parse(cosigned).signers == ("secpolicy.audit/abc", "witness.example/w1")
        verify_checkpoint(
            cosigned, key=KEY, witnesses=[("witness.example/w1", witness.public_key())]
        )
        with pytest.raises(CheckpointError, match="not cosigned"):
            verify_checkpoint(
                note, key=KEY, witnesses=[("witness.example/w1", witness.public_key())]
            )
        other = Ed25519PrivateKey.from_private_bytes(bytes(range(2, 34)))
        with pytest.raises(CheckpointError, match="not cosigned"):
            verify_checkpoint(
                cosigned, key=KEY, witnesses=[("witness.example/w1", other.public_key())]
            )
        with pytest.raises(CheckpointError, match="key name"):
            cosign(note, key=witness, name="has space")

    def test_a_failing_line_after_a_valid_one_rejects_the_note(self) -> None:
        """Every line of a known key is verified: one that fails rejects, wherever it stands."""
        note = make_checkpoint(log_id="abc", size=3, root=EMPTY_ROOT, time="t", key=KEY).note
        origin = "secpolicy.audit/abc"
        bad = base64.b64encode(note_key_id(origin, KEY) + bytes(64)).decode()
        with pytest.raises(CheckpointError, match="does not verify"):
            verify_checkpoint(note + f"\u2014 {origin} {bad}\n", key=KEY)
        second = Ed25519PrivateKey.from_private_bytes(bytes(range(3, 35)))
        forged = base64.b64encode(note_key_id(origin, second) + bytes(64)).decode()
        with pytest.raises(CheckpointError, match="does not verify"):
            verify_checkpoint(note + f"\u2014 {origin} {forged}\n", key=[KEY, second])
        witness = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
        cosigned = cosign(note, key=witness, name="w.example/1")
        wrong = base64.b64encode(note_key_id("w.example/1", witness) + bytes(64)).decode()
        with pytest.raises(CheckpointError, match="does not verify"):
            verify_checkpoint(
                cosigned + f"\u2014 w.example/1 {wrong}\n",
                key=KEY,
                witnesses=[("w.example/1", witness.public_key())],
            )

    def test_lines_of_unknown_keys_are_reported(self) -> None:
        """A line no given key matches is ignored by the rules, and listed as unverified."""
        note = make_checkpoint(log_id="abc", size=3, root=EMPTY_ROOT, time="t", key=KEY).note
        other = Ed25519PrivateKey.from_private_bytes(bytes(range(4, 36)))
        extra = cosign(note, key=other, name="other.example/x")
        checkpoint = verify_checkpoint(extra, key=KEY)
        assert checkpoint.unverified_signers == ("other.example/x",)
        assert verify_checkpoint(note, key=KEY).unverified_signers == ()
        assert Checkpoint.parse(extra).unverified_signers == ()

    def test_a_log_checkpoint_with_an_extra_line_is_bad(self, sealed_log: Path) -> None:
        """The writer signs its checkpoints once: any other line in a log record is refused."""
        lines = sealed_log.read_bytes().splitlines(keepends=True)
        record = json.loads(lines[-1])
        other = Ed25519PrivateKey.from_private_bytes(bytes(range(4, 36)))
        members = {k: record[k] for k in ("time", "log_id", "root", "frontier", "checkpoint")}
        members["checkpoint"] = cosign(members["checkpoint"], key=other, name="other.example/x")
        lines[-1], _ = frame(record["seq"], record["prev"], "checkpoint", render_body(members))
        sealed_log.write_bytes(b"".join(lines))
        report = verify(sealed_log, key=KEY.public_key())
        assert not report.ok
        assert [p.kind for p in report.problems] == ["bad_checkpoint", "unsealed"]
        assert "cannot be checked" in report.problems[0].message

    @pytest.mark.parametrize(
        "damage",
        [
            lambda n: n.replace("\n3\n", "\n4\n"),
            lambda n: n.replace("secpolicy.audit/abc\n", "secpolicy.audit/abd\n", 1),
            lambda n: n.replace("time t", "time u"),
            lambda n: n.replace("\n\n", "\n"),
            lambda n: n + "junk\n",
            lambda n: n.rstrip("\n"),
            lambda n: n.replace("\n\n", "\nextra\n\n"),
            lambda n: "\x01" + n,
        ],
    )
    def test_damaged_notes_are_refused(self, damage: Callable[[str], str]) -> None:
        """Any change to a signed note is refused with CheckpointError."""
        note = make_checkpoint(log_id="abc", size=3, root=EMPTY_ROOT, time="t", key=KEY).note
        with pytest.raises(CheckpointError):
            verify_checkpoint(damage(note), key=KEY)

    def test_hmac_checkpoint(self) -> None:
        """HMAC keys sign notes under their own signature type."""
        key = bytes(range(32))
        note = make_checkpoint(log_id="abc", size=0, root=EMPTY_ROOT, time="t", key=key).note
        assert verify_checkpoint(note, key=key).size == 0
        with pytest.raises(CheckpointError):
            verify_checkpoint(note, key=bytes(32))
        with pytest.raises(CheckpointError):
            verify_checkpoint(note, key=KEY)


@pytest.fixture
def sealed_log(make_logger: Callable[..., AuditLogger], tmp_path: Path) -> Path:
    """A log of 300 events with a checkpoint every 50 records."""
    audit = make_logger(checkpoint_every=50)
    for i in range(300):
        audit.login(user_id=f"u{i}", ip="203.0.113.9", port=1000 + i)
    audit.close()
    return tmp_path / "audit.jsonl"


class TestProofs:
    def test_inclusion_with_the_checkpoint_alone(self, sealed_log: Path) -> None:
        """Every record is proven in with a checkpoint note and O(log n) hashes."""
        lines = sealed_log.read_bytes().splitlines()
        tree = LogTree.from_files(sealed_log)
        assert tree.size == len(lines)
        final = tree.checkpoint_sizes[-1]
        note = tree.checkpoint(final)
        for seq in range(0, final, 7):
            proof = InclusionProof.from_dict(
                json.loads(json.dumps(tree.inclusion_proof(seq, size=final).to_dict()))
            )
            assert len(proof.hashes) <= final.bit_length()
            verified = verify_inclusion_proof(lines[seq], proof, note, key=KEY.public_key())
            assert verified.size == final
        proof = tree.inclusion_proof(5, size=final)
        with pytest.raises(CheckpointError, match="not in the checkpoint"):
            verify_inclusion_proof(lines[5].replace(b'"u', b'"x', 1), proof, note, key=KEY)
        with pytest.raises(CheckpointError, match="not record"):
            verify_inclusion_proof(lines[6], proof, note, key=KEY)
        with pytest.raises(CheckpointError, match="tree size"):
            verify_inclusion_proof(
                lines[5], proof, tree.checkpoint(tree.checkpoint_sizes[0]), key=KEY
            )

    def test_default_size_is_the_next_checkpoint(self, sealed_log: Path) -> None:
        """Without a size, the proof leads to the first checkpoint after the record."""
        tree = LogTree.from_files(sealed_log)
        proof = tree.inclusion_proof(3)
        assert proof.size == tree.checkpoint_sizes[0]

    def test_consistency_between_checkpoints(self, sealed_log: Path) -> None:
        """Each checkpoint extends every earlier one; a forked one is refused."""
        tree = LogTree.from_files(sealed_log)
        sizes = tree.checkpoint_sizes
        for old in sizes:
            for new in sizes:
                if old <= new:
                    proof = ConsistencyProof.from_dict(tree.consistency_proof(old, new).to_dict())
                    verify_consistency_proof(
                        proof, tree.checkpoint(old), tree.checkpoint(new), key=KEY
                    )
        forked = make_checkpoint(
            log_id=Checkpoint.parse(tree.checkpoint(sizes[0])).log_id,
            size=sizes[0],
            root=leaf_hash(b"another history"),
            time="t",
            key=KEY,
        )
        proof = tree.consistency_proof(sizes[0], sizes[-1])
        with pytest.raises(CheckpointError, match="rolled back or forked"):
            verify_consistency_proof(proof, forked, tree.checkpoint(sizes[-1]), key=KEY)
        with pytest.raises(CheckpointError, match="other tree sizes"):
            verify_consistency_proof(
                proof, tree.checkpoint(sizes[1]), tree.checkpoint(sizes[-1]), key=KEY
            )

    def test_proofs_on_a_pruned_log(
        self, make_logger: Callable[..., AuditLogger], clock: FrozenClock, tmp_path: Path
    ) -> None:
        """After pruning, every kept record and every kept checkpoint can still be proven."""
        audit = make_logger(
            rotate_every=timedelta(days=30), checkpoint_interval=None, checkpoint_every=7
        )
        for month in range(5):
            for i in range(20):
                audit.login(user_id=f"u{month}-{i}", ip="203.0.113.9", port=1000 + i)
            clock.advance(timedelta(days=31))
        schedule = RetentionSchedule(
            [RetentionRule(category="audit_log", keep=Period(months=2), citation="test")],
            tz="UTC",
        )
        path = tmp_path / "audit.jsonl"
        audit.checkpoint()
        whole = LogTree.from_files(path)
        assert audit.prune(schedule, now=clock.now())
        audit.close()
        tree = LogTree.from_files(path)
        begins = tree.begins
        assert begins > 0
        lines = {
            json.loads(line)["seq"]: line
            for file in [*rotated_files(path), path]
            for line in file.read_bytes().splitlines()
        }
        assert min(lines) == begins
        sizes = tree.checkpoint_sizes
        assert sizes[0] > begins
        for seq in (begins, begins + 1, sizes[0], tree.size - 2):
            for size in {None, sizes[-1]}:
                proof = tree.inclusion_proof(seq, size=size)
                verify_inclusion_proof(lines[seq], proof, tree.checkpoint(proof.size), key=KEY)
        for old in sizes[:-1]:
            proof = tree.consistency_proof(old, sizes[-1])
            verify_consistency_proof(
                proof, tree.checkpoint(old), tree.checkpoint(sizes[-1]), key=KEY
            )
        assert tree.root(begins) == whole.root(begins)  # from the segment's frontier
        assert tree.root(whole.size) == whole.root()
        with pytest.raises(ProofUnavailable, match="pruned"):
            tree.inclusion_proof(begins - 1)
        unavailable = 0
        messages: set[str] = set()
        target = whole.checkpoint_sizes[-1]
        for old in range(1, begins):
            try:
                proof = tree.consistency_proof(old, target)
            except ProofUnavailable as exc:
                messages.add(str(exc).split(":")[0])
                unavailable += 1
            else:  # the frontier's subtrees happen to hold every hash it needs
                assert proof == whole.consistency_proof(old, target)
        assert unavailable
        assert all("pruned" in message for message in messages)
        roots = 0
        for size in range(1, begins):
            try:
                assert tree.root(size) == whole.root(size)
            except ProofUnavailable:
                roots += 1
        assert roots
        assert verify(path, key=KEY).ok

    def test_a_pruned_log_needs_its_segment_frontier(self, sealed_log: Path) -> None:
        """A log that begins after record 0 must begin with a segment record and its frontier."""
        lines = sealed_log.read_bytes().splitlines(keepends=True)
        record = json.loads(lines[0])
        record["frontier"] = "nope"
        shifted = json.dumps({**record, "seq": 1}, separators=(",", ":")).encode() + b"\n"
        with pytest.raises(CheckpointError, match="frontier"):
            LogTree.from_lines([shifted, *lines[2:]])

    def test_pruned_or_shuffled_logs_cannot_be_proven(self, sealed_log: Path) -> None:
        """Proofs need the log from record 0 or a segment record, in order."""
        lines = sealed_log.read_bytes().splitlines(keepends=True)
        with pytest.raises(CheckpointError, match="record 0"):
            LogTree.from_lines(lines[1:])
        with pytest.raises(CheckpointError, match="is not record 2"):
            LogTree.from_lines([lines[0], lines[1], lines[3]])
        with pytest.raises(CheckpointError):
            InclusionProof.from_dict({"seq": 1, "size": 2})
        with pytest.raises(CheckpointError):
            ConsistencyProof.from_dict({"old_size": -1, "new_size": 2, "hashes": []})
        with pytest.raises(CheckpointError):
            InclusionProof.from_dict({"seq": 1, "size": 2, "hashes": ["%%"]})

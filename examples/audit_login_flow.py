"""Record a login, a privileged grant and a personal-data export; verify; catch tampering.

Run: python examples/audit_login_flow.py

The service writes its audit log with an Ed25519 checkpoint key and copies
every checkpoint to an anchor file on another volume. The auditor verifies the
log with the public key alone. Then someone edits one record (turning a
denied export into a successful one) and deletes another, and verification
says which lines. The log is also exported to OCSF for a SIEM.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import structlog

from secpolicy.audit import (
    AuditLogger,
    FileAnchorStore,
    generate_signing_key,
    read_records,
    to_ocsf,
    verify,
)


def main() -> None:
    """Write, verify, tamper, verify again (in a temporary directory)."""
    with tempfile.TemporaryDirectory(prefix="secpolicy-audit-") as tmp:
        run(Path(tmp))


def run(workdir: Path) -> None:
    """The flow, with the log and anchors under *workdir*."""
    log_path = workdir / "logs" / "audit.jsonl"
    anchors = FileAnchorStore(
        workdir / "anchors" / "audit-anchors.jsonl"
    )  # another volume in production
    key = generate_signing_key()  # kept by the service; verifiers get key.public_key()

    with AuditLogger.to_file(log_path, key=key, anchor=anchors, checkpoint_every=4) as audit:
        # One request: bind the user, address and port once (or use contextvars).
        structlog.contextvars.bind_contextvars(correlation_id="req-7f3a")
        request = audit.bind(user_id="alice", ip="203.0.113.9", port=52100, session_id="s-1")
        request.login(src={"ip": "10.8.0.14", "port": 40122}, method="password+otp")
        request.grant_privilege(grantee="bob", privilege="customer_data_export", ticket="CHG-1042")
        staff = audit.bind(user_id="bob", ip="198.51.100.20", port=61000)
        staff.export_personal_data(
            subject="customer:88",
            fields=["name", "mobile"],
            mobile="13812345678",  # masked before it reaches the file
            outcome="denied",
            reason="no approved purpose",
        )
        staff.export_personal_data(subject="customer:88", fields=["name"], purpose="claim 2024-17")
        request.logout()
        structlog.contextvars.clear_contextvars()

    print(f"wrote {log_path}")
    for record in read_records(log_path):
        data = record.get("data", {})
        print(f"  seq {record['seq']:>2}  {record['action']:<22} {record['outcome']:<8} {data}")

    report = verify(log_path, key=key.public_key(), anchor=anchors)
    print("\nauditor's check:", report.summary().splitlines()[0])
    if not report.ok:
        raise SystemExit("the untouched log should verify")

    print("\nOCSF for the SIEM (first event):")
    first = next(read_records(log_path))
    print(
        " ",
        json.dumps(
            {k: to_ocsf(first)[k] for k in ("class_uid", "activity_id", "type_uid", "status_id")}
        ),
    )

    # Someone with write access to the log turns the denied export into a success and
    # deletes the logout.
    lines = log_path.read_bytes().splitlines(keepends=True)
    denied = next(i for i, line in enumerate(lines) if b'"outcome":"denied"' in line)
    lines[denied] = lines[denied].replace(b'"outcome":"denied"', b'"outcome":"success"')
    logout = next(i for i, line in enumerate(lines) if b'"auth.logout"' in line)
    del lines[logout]
    log_path.write_bytes(b"".join(lines))

    tampered = verify(log_path, key=key.public_key(), anchor=anchors)
    print("\nafter tampering:", tampered.summary().splitlines()[0])
    for problem in tampered.problems:
        print(f"  line {problem.line}: {problem.kind}: {problem.message}")
    if tampered.ok or tampered.problems[0].line != denied + 1:
        raise SystemExit("the edited record should be reported at its line")


if __name__ == "__main__":
    main()

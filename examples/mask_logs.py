"""Mask personal data in a log file as a stream, and a customer record for display.

Run: python examples/mask_logs.py

The log is read and written one line at a time, so memory does not grow with
the file. Application logging is masked as it is written: a
``MaskingFilter`` on a stdlib handler, ``mask_processor`` in a structlog
chain. The customer record is masked with the CN display preset
(resident ID ``110105********002X``, mobile ``138****5678``, card first 6 and
last 4, surname kept), then checked against the insurance rules' key fields,
and two customers sharing a phone number are flagged.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
import tempfile
from datetime import date
from pathlib import Path

import structlog

from secpolicy.pii import (
    CN_MOBILE,
    CN_RESIDENT_ID,
    EMAIL,
    PAYMENT_CARD,
    Mask,
    MaskEmail,
    Masker,
    MaskingFilter,
    Pseudonymize,
    Scanner,
    check_customer_record,
    find_shared_contacts,
    mask_processor,
    presets,
)

LOG = """\
2025-09-30 10:01:02 INFO login user=u1001 mobile=13812345678 ip=203.0.113.7
2025-09-30 10:01:05 INFO 用户张三更新资料，身份证11010519491231002X，手机+86 139-8765-4321
2025-09-30 10:02:11 WARN payment card=6212 3456 7890 1232 order=ORD4111111111111112 failed
2025-09-30 10:03:40 INFO contact_email=zhang.san@example.com requested export
"""


def mask_log_file(folder: Path) -> None:
    """Mask a log file line by line into a new file."""
    source, target = folder / "app.log", folder / "app.masked.log"
    source.write_text(LOG, encoding="utf-8")
    # Logs keep a keyed pseudonym for mobiles so one user's lines stay linkable.
    # A Mask shows at most half of a value unless told otherwise (max_reveal).
    masker = Masker(
        {
            CN_MOBILE: Pseudonymize(b"demo-key-kept-in-a-secret-store!"),
            CN_RESIDENT_ID: Mask(6, 4, max_reveal=10 / 18),
            PAYMENT_CARD: Mask(6, 4, max_reveal=10 / 16),
            EMAIL: MaskEmail(1),
        }
    )
    with source.open(encoding="utf-8") as lines, target.open("w", encoding="utf-8") as out:
        out.writelines(masker.mask_lines(lines))
    print("masked log:")
    for line in target.read_text(encoding="utf-8").splitlines():
        print("  " + line)


def mask_customer() -> None:
    """Mask a customer record for display, check it, and look for shared contacts."""
    customer = {
        "customer_id": "C-1",
        "name": "欧阳娜娜",
        "gender": "女",
        "birth_date": "1949-12-31",
        "id_number": "11010519491231002X",
        "address": "北京市朝阳区建国路88号",
        "phone": "13812345678",
        "bank_account": "6212345678901232",
        "notes": "备用电话139 8765 4321",
    }
    print("customer for display:")
    print("  " + json.dumps(presets.CN_DISPLAY.mask_record(customer), ensure_ascii=False))
    issues = check_customer_record(customer, today=date(2025, 9, 30))
    print(f"key-field check: {[str(i) for i in issues] or 'complete and consistent'}")
    wrong = check_customer_record({**customer, "gender": "男"}, today=date(2025, 9, 30))
    print(f"with the wrong gender: {[str(i) for i in wrong]}")
    other = {"customer_id": "C-2", "phone": "+86 138-1234-5678"}
    for clue in find_shared_contacts([customer, other]):
        print(f"suspicious clue: the same {clue.field} on customers {', '.join(clue.customers)}")


def mask_application_logs() -> None:
    """Mask what an application logs, with the stdlib and with structlog."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("  stdlib: %(message)s"))
    # The company's own hotline is not personal data: an allow-list keeps it.
    hotline_kept = Masker(scanner=Scanner(allow_list=["400-800-1234"]))
    handler.addFilter(MaskingFilter(hotline_kept))
    logger = logging.getLogger("shop")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.info("refund to %s, hotline %s", "6212 3456 7890 1232", "400-800-1234")
    log = structlog.wrap_logger(
        structlog.PrintLogger(sys.stdout),
        processors=[
            functools.partial(mask_processor, masker=presets.CN_DISPLAY),
            structlog.processors.KeyValueRenderer(key_order=["event"]),
        ],
    )
    print("application logs:")
    log.info("callback requested by 13812345678", email="zhang.san@example.com")
    logger.removeHandler(handler)


def main() -> None:
    """Run the walkthroughs."""
    with tempfile.TemporaryDirectory() as tmp:
        mask_log_file(Path(tmp))
    mask_customer()
    mask_application_logs()


if __name__ == "__main__":
    main()

"""Attacks on detection and masking: personal data that must never come out in clear."""

from __future__ import annotations

import io
import logging

from secpolicy.pii import MaskingFilter


class TestMaskingFilterExtra:
    def test_extra_fields_are_masked(self) -> None:
        """A value passed with extra= is masked before a formatter prints it."""
        stream = io.StringIO()
        logger = logging.getLogger(f"secpolicy-attack-{id(stream)}")
        logger.propagate = False
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logging.Formatter("%(message)s %(phone)s %(note)s %(count)s"))
        handler.addFilter(MaskingFilter())
        logger.addHandler(handler)
        logger.warning(
            "signup", extra={"phone": "13812345678", "note": "card 4111111111111111", "count": 3}
        )
        out = stream.getvalue()
        assert "13812345678" not in out
        assert "4111111111111111" not in out
        assert out == "signup <CN_MOBILE> card <PAYMENT_CARD> 3\n"

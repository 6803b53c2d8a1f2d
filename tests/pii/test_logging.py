"""Log masking: the stdlib filter and the structlog processor."""

from __future__ import annotations

import functools
import io
import logging

import structlog

from secpolicy.pii import MaskingFilter, mask_processor, presets


def _logger(stream: io.StringIO, masking: MaskingFilter) -> logging.Logger:
    logger = logging.getLogger(f"secpolicy-test-{id(stream)}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    handler = logging.StreamHandler(stream)
    handler.addFilter(masking)
    logger.addHandler(handler)
    return logger


class TestMaskingFilter:
    def test_message_and_args(self) -> None:
        """The message is masked after its arguments are filled in, even split ones."""
        stream = io.StringIO()
        logger = _logger(stream, MaskingFilter())
        logger.info("user %s mail %s", "13812345678", "a@b.cn")
        logger.info("%s%s", "138", "12345678")
        logger.info("plain %d", 3)
        assert stream.getvalue().splitlines() == [
            "user <CN_MOBILE> mail <EMAIL>",
            "<CN_MOBILE>",
            "plain 3",
        ]

    def test_traceback_and_stack(self) -> None:
        """A formatted traceback and stack information are masked."""
        stream = io.StringIO()
        logger = _logger(stream, MaskingFilter(presets.CN_DISPLAY))
        try:
            raise ValueError("bad card 4111111111111111")  # noqa: TRY301 (the test raises)
        except ValueError:
            logger.exception("failed for 13812345678", stack_info=True)
        out = stream.getvalue()
        assert "4111111111111111" not in out
        assert "13812345678" not in out
        assert "138****5678" in out
        assert "411111******1111" in out

    def test_bad_arguments_still_masked(self) -> None:
        """Arguments that do not fit the format are masked, not leaked or raised."""
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "%d", ("13812345678",), None)
        assert MaskingFilter().filter(record)
        assert "13812345678" not in record.getMessage()


class TestMaskProcessor:
    def test_event_and_fields(self) -> None:
        """The event message and the fields are masked; structlog's own keys are kept."""
        out = mask_processor(
            None,
            "info",
            {"event": "login from 13812345678", "phone": "13912345678", "count": 3,
             "exc_info": True, "_record": "x", "13812345678": "key"},
        )  # fmt: skip
        assert out == {
            "event": "login from <CN_MOBILE>",
            "phone": "<CN_MOBILE>",
            "count": 3,
            "<CN_MOBILE>": "key",
            "exc_info": True,
            "_record": "x",
        }

    def test_in_a_structlog_chain(self) -> None:
        """In a real chain with a bound masker, the rendered line holds no personal data."""
        captured: list[str] = []

        def sink(_: object, __: str, event_dict: dict[str, object]) -> str:
            captured.append(str(event_dict))
            raise structlog.DropEvent

        log = structlog.wrap_logger(
            structlog.PrintLogger(io.StringIO()),
            processors=[functools.partial(mask_processor, masker=presets.CN_DISPLAY), sink],
        )
        log.info("paid with 4111 1111 1111 1111", email="zhangsan@example.com")
        assert "4111 11** **** 1111" in captured[0]
        assert "z*******@example.com" in captured[0]
        assert "zhangsan" not in captured[0]

"""The logging configurations the integration pages document, with the PII filter wired in."""

from __future__ import annotations

import copy
import io
import logging
import logging.config

import pytest

import secpolicy.pii

MaskingFilter = getattr(secpolicy.pii, "MaskingFilter", None)
needs_filter = pytest.mark.skipif(
    MaskingFilter is None, reason="secpolicy.pii.MaskingFilter is not in this build"
)
PHONE = "13812345678"


def capture_config(config: dict[str, object], logger: str, message: str) -> str:
    """Apply *config* with its handlers writing to a buffer; log *message*; the output."""
    buffer = io.StringIO()
    config = copy.deepcopy(config)
    for handler in config["handlers"].values():  # type: ignore[attr-defined]
        handler["class"] = "logging.StreamHandler"
        handler["stream"] = buffer
        handler.pop("formatter", None)
    logging.config.dictConfig(config)
    try:
        logging.getLogger(logger).warning(message)
    finally:
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
    return buffer.getvalue()


@needs_filter
class TestDocumentedLogging:
    def test_django_logging_dict(self) -> None:
        """The Django LOGGING dict of the docs masks a phone number in a request log."""
        config = {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {"mask_pii": {"()": "secpolicy.pii.MaskingFilter"}},
            "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_pii"]}},
            "loggers": {
                "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False}
            },
        }
        out = capture_config(config, "django.request", f"Not Found: /users?phone={PHONE}")
        assert PHONE not in out
        assert "Not Found" in out

    def test_uvicorn_log_config(self) -> None:
        """uvicorn's LOGGING_CONFIG with the filter on every handler masks the access log."""
        from uvicorn.config import LOGGING_CONFIG

        config = copy.deepcopy(LOGGING_CONFIG)
        config["filters"] = {"mask_pii": {"()": "secpolicy.pii.MaskingFilter"}}
        for handler in config["handlers"].values():
            handler["filters"] = ["mask_pii"]
        out = capture_config(config, "uvicorn.access", f'"GET /lookup?mobile={PHONE} HTTP/1.1" 200')
        assert PHONE not in out

    def test_sqlalchemy_engine_logger(self) -> None:
        """A filtered handler on sqlalchemy.engine masks logged parameters."""
        import sqlalchemy as sa

        buffer = io.StringIO()
        handler = logging.StreamHandler(buffer)
        handler.addFilter(MaskingFilter())  # type: ignore[misc]
        log = logging.getLogger("sqlalchemy.engine")
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        try:
            engine = sa.create_engine("sqlite://")
            with engine.connect() as connection:
                connection.execute(sa.text("SELECT :phone"), {"phone": PHONE})
        finally:
            log.removeHandler(handler)
            log.setLevel(logging.NOTSET)
        assert "SELECT" in buffer.getvalue()
        assert PHONE not in buffer.getvalue()

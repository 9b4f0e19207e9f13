"""Tag suggestions learned from the organisation's own tagged concerns, and emerging themes."""

from __future__ import annotations

import logging
import re

from flask import Flask

# The text a suggestion is asked for travels in the query string (GET /api/v1/tags/suggest?text=…),
# and access logs print request lines: its value is blanked before any handler sees the record.
_TEXT_PARAM = re.compile(r"((?:/api/v1/tags/suggest|/suggestions/tags)\?(?:[^\s\"]*?&)?text=)[^&\s\"]*")
ACCESS_LOGGERS = ("werkzeug", "gunicorn.access")


class RedactSuggestionText(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 (a malformed record is not ours to break)
            return True
        redacted = _TEXT_PARAM.sub(r"\1[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def init_app(app: Flask) -> None:
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSuggestionText) for f in logger.filters):
            logger.addFilter(RedactSuggestionText())

"""qualkit's logger. Log counts, ids and stages, never transcript text or names.

Interview text is personal data; logs end up in support tickets and terminal
scroll-back. Log calls pass ids and numbers only. As a second line of defence,
`RedactingFilter` removes anything that looks like a personnummer, phone number or
e-mail from every record of the `qualkit` logger.
"""

from __future__ import annotations

import logging

LOGGER_NAME = "qualkit"


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        from qualkit.privacy import Redactor

        message = record.getMessage()
        cleaned = Redactor().redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def get_logger(name: str = "") -> logging.Logger:
    """The `qualkit` logger or a child of it ('qualkit.backup')."""
    logger = logging.getLogger(f"{LOGGER_NAME}.{name}" if name else LOGGER_NAME)
    # Logger filters apply only to records created on that logger, so each gets one.
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
    return logger

"""qualkit's logger. Log counts, ids and stages, never transcript text or names.

Interview text is personal data; logs end up in support tickets and terminal
scroll-back. Log calls pass ids and numbers only. As a second line of defence, every
log record made in the process, by qualkit's loggers, the pipeline's
(`logging.getLogger(__name__)`) and third-party libraries' alike, has anything shaped
like a personnummer, phone number or e-mail replaced before any handler sees it.
A filter on one logger would miss records of its children and of other loggers, and one
on the handlers would miss handlers added later, so the redaction sits in the log
record factory, which every record passes through.
"""

from __future__ import annotations

import logging
from typing import Any

from qualkit.identifiers import redact_identifiers

LOGGER_NAME = "qualkit"


class RedactingFilter(logging.Filter):
    """Replaces identifiers in a record's message; usable on any handler or logger."""

    def filter(self, record: logging.LogRecord) -> bool:
        _redact_record(record)
        return True


def _redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # a bad format string: logging reports it later
        return
    cleaned = redact_identifiers(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None


class _RedactingFactory:
    """Wraps the process's log record factory; records leave it already redacted."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = self.inner(*args, **kwargs)
        _redact_record(record)
        return record


def install_redaction() -> None:
    """Redact every log record of the process from now on (idempotent)."""
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _RedactingFactory):
        logging.setLogRecordFactory(_RedactingFactory(factory))


def get_logger(name: str = "") -> logging.Logger:
    """The `qualkit` logger or a child of it ('qualkit.backup')."""
    install_redaction()
    return logging.getLogger(f"{LOGGER_NAME}.{name}" if name else LOGGER_NAME)


install_redaction()

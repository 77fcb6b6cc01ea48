"""Errors a user can cause. The CLI and TUI show their message without a traceback."""

from __future__ import annotations


class QualkitError(Exception):
    """Base class: the message tells the user what to fix."""


class ProjectError(QualkitError):
    """The project folder or its database is missing, locked or damaged."""


class CodebookError(QualkitError):
    """A codebook file is malformed or refers to unknown codes."""


class ImportFormatError(QualkitError):
    """A transcript or exchange file cannot be read."""


class NotFoundError(QualkitError):
    """A recording, segment, code, speaker or coding that does not exist."""


class ModelMissingError(QualkitError):
    """A model package is not installed; the message names the package."""


class InputError(QualkitError):
    """An argument or value the user gave is not valid."""


class EditConflictError(QualkitError):
    """Someone else changed the same thing first: the second change is not saved over it."""


class ConnectionLostError(ProjectError):
    """The database server went away mid-change: the change was not (or may not be) saved."""

"""Errors a user can cause. The CLI and TUI show their message without a traceback."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

# What the command line says when Ctrl-C stops it, at any point: one line, no traceback.
INTERRUPTED = "qualkit: interrupted; everything saved so far is kept."


def started_as_command() -> bool:
    """Whether this process is the `qualkit` command: its script, or `python -m qualkit`
    (while runpy imports the package, argv[0] is still "-m"; then it is __main__.py).

    Imported as a library, qualkit leaves a KeyboardInterrupt to the program using it."""
    argv0 = getattr(sys, "argv", None) or [""]
    first = argv0[0]
    if first == "-m":
        return True
    path = Path(first)
    return path.stem == "qualkit" or (path.parent.name == "qualkit" and path.name == "__main__.py")


def exit_interrupted() -> NoReturn:
    """End the command with its one line (exit status 130, as a shell's Ctrl-C)."""
    print(INTERRUPTED, file=sys.stderr)
    raise SystemExit(130)


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

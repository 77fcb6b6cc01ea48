"""The `qualkit` command: a thin face on the Python API.

Each command group lives in its own module with a `register(subparsers)` function, listed
in COMMAND_MODULES; shared options are in `qualkit.cli.options`.
User errors (QualkitError) print one line and exit 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from qualkit.errors import INTERRUPTED, QualkitError, exit_interrupted, started_as_command

# The command modules bring in the app (Textual), the exporters and the analysis: a moment
# in which a Ctrl-C must end the command as it does later, with one line.
try:
    from qualkit.cli import (
        agreement_cmds,
        analysis_cmds,
        codebook_cmds,
        core_cmds,
        db_cmds,
        exchange_cmds,
        export_cmds,
        glossary_cmds,
        pipeline_cmds,
        privacy_cmds,
        report_cmds,
        report_text_cmds,
        rounds_cmds,
        serve_cmds,
        tui_cmds,
        voices_cmds,
    )
    from qualkit.cli.output import tolerant_streams
except KeyboardInterrupt:
    if not started_as_command():
        raise
    exit_interrupted()
from qualkit.version import __version__

# Command modules, in the order their commands appear in --help. Each is imported above:
# a missing module is a broken install and must fail loudly, not drop its commands.
COMMAND_MODULES = (
    core_cmds,
    codebook_cmds,
    pipeline_cmds,
    glossary_cmds,
    analysis_cmds,
    export_cmds,
    report_cmds,
    report_text_cmds,
    exchange_cmds,
    agreement_cmds,
    rounds_cmds,
    privacy_cmds,
    voices_cmds,
    tui_cmds,
    serve_cmds,
    db_cmds,
)

Handler = Callable[[argparse.Namespace], int | None]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qualkit",
        description="Transcribe, diarise and code Swedish focus-group interviews, offline.",
    )
    parser.add_argument("--version", action="version", version=f"qualkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; a Ctrl-C at any point (building the parser included) is one line."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return 130


def _main(argv: Sequence[str] | None) -> int:
    tolerant_streams()
    parser = build_parser()
    try:
        # Option types such as GroupType.parse raise QualkitError while arguments are parsed.
        args = parser.parse_args(argv)
    except QualkitError as exc:
        print(f"qualkit: error: {exc}", file=sys.stderr)
        return 2
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    try:
        return int(handler(args) or 0)
    except QualkitError as exc:
        print(f"qualkit: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except OSError as exc:
        # A file the user named cannot be written or read (a folder given as --output, a
        # file where a folder should be, a full disk, no permission): one line, no trace.
        where = exc.filename2 if exc.filename2 is not None else exc.filename
        problem = exc.strerror or exc.__class__.__name__
        print(f"qualkit: error: {where}: {problem}.", file=sys.stderr)
        return 2

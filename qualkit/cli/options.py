"""Options shared by the command modules; below them, so every module can import it."""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path

from qualkit.errors import InputError


def iso_date(text: str) -> str:
    """argparse type for dates: recordings and rounds are sorted and compared by them."""
    try:
        ok = len(text) == 10 and datetime.date.fromisoformat(text).isoformat() == text
    except ValueError:
        ok = False
    if not ok:
        raise InputError(f"Date {text!r}: write a real date as YYYY-MM-DD, e.g. 2026-01-15.")
    return text


def project_option(parser: argparse.ArgumentParser, default: object = Path(".")) -> None:
    """`-p DIR`; a subcommand under a parser that has it passes argparse.SUPPRESS, so a
    `-p` given before the subcommand is not overwritten by the subcommand's default."""
    parser.add_argument(
        "--project",
        "-p",
        type=Path,
        default=default,
        metavar="DIR",
        help="project folder (default: the current folder)",
    )


def lang_option(parser: argparse.ArgumentParser, what: str = "headings and labels") -> None:
    """--lang sv|en for a file qualkit writes."""
    parser.add_argument(
        "--lang",
        choices=("sv", "en"),
        default="sv",
        help=f"language of {what} (default: %(default)s)",
    )

"""Every option and argument of every command says what it is for in --help."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from qualkit.cli import build_parser


def _arguments(parser: argparse.ArgumentParser, path: str) -> Iterator[tuple[str, argparse.Action]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _arguments(sub, f"{path} {name}")
        elif not isinstance(action, argparse._HelpAction | argparse._VersionAction):
            yield path, action


def test_every_option_and_argument_has_help() -> None:
    missing = [
        f"{path} {'/'.join(action.option_strings) or action.dest}"
        for path, action in _arguments(build_parser(), "qualkit")
        if not action.help
    ]
    assert not missing, "no help text: " + ", ".join(missing)


def test_import_help_says_it_reads_refi_qda_files() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))

    def said(command: str) -> str:
        return " ".join(sub.choices[command].format_help().split())  # as argparse wraps it

    assert ".qdpx" in said("import") and "exchange-import" in said("import")
    assert "qualkit import FILE.qdpx` does the same" in said("exchange-import")

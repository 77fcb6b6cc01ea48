"""`qualkit tui`: start the coding app (textual is imported only when the command runs)."""

from __future__ import annotations

import argparse

from qualkit.cli.options import project_option
from qualkit.resolve import CODER_HELP


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("tui", help="the coding app: correct, code and explore transcripts")
    project_option(p)
    p.add_argument("--coder", help=CODER_HELP)
    p.add_argument("--blind", action="store_true", help="show only this coder's codings")
    p.add_argument("--lang", choices=("sv", "en"), help="interface language (default sv)")
    p.add_argument("--recording", help="open this recording's transcript at once")
    p.set_defaults(handler=cmd_tui)


def cmd_tui(args: argparse.Namespace) -> int:
    # The coding app is Textual: imported here, so no other command waits for it.
    from qualkit.tui.app import build_app

    app = build_app(
        args.project, coder=args.coder, blind=args.blind, lang=args.lang, recording=args.recording
    )
    app.run()
    return 0

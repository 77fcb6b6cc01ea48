"""`qualkit serve`: the coding app in a browser, one address per coder."""

from __future__ import annotations

import argparse
import sys

from qualkit.cli.options import project_option
from qualkit.serve import ServeOptions, check_project, is_loopback, plan_sessions, serve


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "serve", help="serve the coding app in a browser: one address (port) per coder"
    )
    project_option(p)
    p.add_argument(
        "--coder",
        action="append",
        required=True,
        metavar="NAME",
        help="a coder who gets a page of their own; repeat for each coder",
    )
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface to listen on (default 127.0.0.1: only this machine)",
    )
    p.add_argument(
        "--port", type=int, default=8000, help="first coder's port; the next get +1, +2, ..."
    )
    p.add_argument("--blind", action="store_true", help="each coder sees only their codings")
    p.add_argument("--lang", choices=("sv", "en"), help="interface language (default sv)")
    p.set_defaults(handler=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    options = ServeOptions(
        project=args.project,
        coders=tuple(args.coder),
        host=args.host,
        port=args.port,
        blind=args.blind,
        lang=args.lang,
    )
    # Every refusal comes before the warning, so a refused command never warns.
    plan_sessions(options)
    check_project(options)
    if not is_loopback(options.host):
        print(
            f"qualkit: warning: serving on {options.host}: anyone who can reach this address "
            "gets full coding access to the project, with no password. Use it only on a "
            "network you trust, or keep the default 127.0.0.1.",
            file=sys.stderr,
        )

    def say(line: str) -> None:
        print(line, flush=True)

    serve(options, say=say, checked=True)
    say("qualkit serve stopped.")
    return 0

"""The coding app on a full study with its records on a local PostgreSQL server, vs SQLite.

The study of bench/tui.py (21 focus groups, about 25,000 segments) is built once in a
SQLite project, copied to a server study (qualkit db attach), and the app's keystroke
to repaint times are measured on both in the same run, headless (App.run_test), as in
bench/tui.py; SQLite is the baseline.

    PYTHONPATH=. nice -n 10 python bench/team_app.py [--recordings 21] [--presses 40]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from pathlib import Path

from bench.tui import build_study, measure
from qualkit.project.team import attach
from tests.pg_server import PgServer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recordings", type=int, default=21)
    parser.add_argument("--presses", type=int, default=40)
    args = parser.parse_args()
    server = PgServer().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            lite, team = Path(tmp) / "lite", Path(tmp) / "team"
            t0 = time.perf_counter()
            build_study(lite, args.recordings)
            shutil.copytree(lite, team)
            t1 = time.perf_counter()
            _server, copied = attach(team, server.new_database())
            print(
                f"built in {t1 - t0:.1f} s; copied {sum(copied.values())} rows to the server"
                f" in {time.perf_counter() - t1:.1f} s"
            )
            b = asyncio.run(measure(lite, args.presses))
            f = asyncio.run(measure(team, args.presses))
    finally:
        server.stop()
    print(f"{'measure':<32}{'SQLite':>12}{'PostgreSQL':>12}{'ratio':>8}")
    for key in f:
        ratio = f[key] / b[key] if b[key] else float("nan")
        print(f"{key:<32}{b[key]:>12.3f}{f[key]:>12.3f}{ratio:>8.2f}")


if __name__ == "__main__":
    main()

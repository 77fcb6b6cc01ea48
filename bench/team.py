"""Several coders writing one study at once: PostgreSQL server vs the SQLite project file.

Each simulated coder is a process with its own connection that codes N passages through
the store's add_coding (the coding app's write path), one transaction each, and sends
every 20th coding twice (a double key press). Half-way through, the PostgreSQL server is
restarted: clients retry a write whose connection was cut (the store says so with
ConnectionLostError; a coding given again is the stored one, so a retry cannot duplicate).
The SQLite baseline runs the same coders against a project folder's qualkit.db in the
same run (no server to restart). Reported: codings lost, duplicated, write latency.

    PYTHONPATH=. nice -n 10 python bench/team.py [--coders 6] [--codings 2000]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from qualkit.errors import ProjectError
from qualkit.layout import DB_NAME
from qualkit.project import init_project, open_project
from qualkit.store import Store
from tests.pg_server import PgServer

SEGMENTS = 1000


def build(root: Path, database: str | None) -> tuple[list[int], list[str]]:
    """A study with one long recording; the segment ids and the code keys."""
    with init_project(root, database=database) as project:
        rec = project.store.add_recording("fg01")
        turns = [
            (f"Talare {i % 6}", f"Vi pratar om samverkan, tur {i}.", float(i), i + 1.0, (), False)
            for i in range(SEGMENTS)
        ]
        project.store.replace_segments(rec.id, turns)
        codes = [c.key for c in project.codebook("danermark").codes]
        return [s.id for s in project.store.segments(rec.id)], codes


def plan(segments: list[int], codes: list[str], n: int) -> list[tuple[int, str]]:
    """N distinct (segment, code) pairs: every segment, then every segment with the next code."""
    return [(segments[j % len(segments)], codes[j // len(segments) % len(codes)]) for j in range(n)]


def coder(root: str, name: str, work: list[tuple[int, str]], done: Any, out: Any) -> None:
    with open_project(root) as project:
        store = project.store
        latencies: list[float] = []
        retries = 0
        for i, (seg, code) in enumerate(work):
            for _repeat in range(2 if i % 20 == 0 else 1):
                start = time.perf_counter()
                while True:
                    try:
                        store.add_coding(seg, "danermark", code, coder=name)
                        break
                    except ProjectError:  # connection lost or server not back yet
                        retries += 1
                        time.sleep(0.05)
                latencies.append(time.perf_counter() - start)
            with done.get_lock():
                done.value += 1
    out.put({"latencies": latencies, "retries": retries})


def count(store: Store, coders: int) -> tuple[int, int]:
    """(distinct codings, rows) of the simulated coders."""
    rows = store._rows(
        "SELECT COUNT(*), COUNT(DISTINCT codings.segment_id || ':' || codings.code_pk || ':'"
        " || codings.coder_id) FROM codings JOIN coders ON coders.id = codings.coder_id"
        " WHERE coders.name LIKE 'coder%'"
    )[0]
    return int(rows[1]), int(rows[0])


def run(
    label: str, root: Path, database: str | None, coders: int, n: int, restart: PgServer | None
) -> dict[str, Any]:
    segments, codes = build(root, database)
    work = plan(segments, codes, n)
    ctx = mp.get_context("fork")
    done = ctx.Value("i", 0)
    started = time.perf_counter()
    restarted_at = None
    out = ctx.Queue()
    procs = [
        ctx.Process(target=coder, args=(str(root), f"coder{c}", work, done, out))
        for c in range(coders)
    ]
    for proc in procs:
        proc.start()
    results = []
    while len(results) < coders:
        if restart is not None and restarted_at is None and done.value >= coders * n // 2:
            restarted_at = done.value
            restart.restart()
        while not out.empty():
            results.append(out.get())
        if len(results) < coders and not any(p.is_alive() for p in procs) and out.empty():
            raise RuntimeError("a simulated coder died; see its traceback above")
        time.sleep(0.02)
    for proc in procs:
        proc.join()
    wall = time.perf_counter() - started
    with open_project(root) as project:
        distinct, rows = count(project.store, coders)
    lat = sorted(x for r in results for x in r["latencies"])
    return {
        "backend": label,
        "coders": coders,
        "codings_each": n,
        "expected": coders * n,
        "stored": distinct,
        "lost": coders * n - distinct,
        "duplicated": rows - distinct,
        "writes": len(lat),
        "p50_ms": round(1000 * statistics.median(lat), 2),
        "p95_ms": round(1000 * lat[int(0.95 * (len(lat) - 1))], 2),
        "max_ms": round(1000 * lat[-1], 1),
        "writes_per_s": round(len(lat) / wall, 1),
        "retries": sum(r["retries"] for r in results),
        "server_restarted_after": restarted_at,
        "wall_s": round(wall, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--coders", type=int, default=6)
    ap.add_argument("--codings", type=int, default=2000)
    ap.add_argument("--no-restart", action="store_true")
    ap.add_argument("--out", type=Path, default=Path("bench/out/team.json"))
    args = ap.parse_args()
    server = PgServer().start()
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            rows.append(
                run(
                    "postgresql",
                    Path(tmp) / "pg",
                    server.new_database(),
                    args.coders,
                    args.codings,
                    None if args.no_restart else server,
                )
            )
            rows.append(run("sqlite", Path(tmp) / "lite", None, args.coders, args.codings, None))
            assert not (Path(tmp) / "pg" / DB_NAME).exists()
    finally:
        server.stop()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    keys = list(rows[0])
    print(" | ".join(keys))
    for row in rows:
        print(" | ".join(str(row[k]) for k in keys))


if __name__ == "__main__":
    main()

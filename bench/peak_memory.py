"""Peak resident memory of a process, its own and no one else's.

`getrusage(...).ru_maxrss` (and `wait4`'s) is not a child's own peak on Linux: exec keeps
the high-water mark of the memory map it replaces, so a child started by a parent that
holds 1 GB reports at least 1 GB. Checked here: a parent holding 979 MB started a child
whose own peak (VmHWM) was 11 MB; `getrusage(RUSAGE_SELF)` in the child and `wait4` in the
parent both said 979 MB. The benchmarks that generate long recordings in the parent
and then embed them in a child reported the generator's memory as the embedder's.
VmHWM in /proc/PID/status belongs to the memory map made at exec, so it is the
process's own.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import threading
import time
from pathlib import Path


def _vm_hwm_kb(pid: int | str = "self") -> int | None:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB (ru_maxrss where /proc is missing)."""
    kb = _vm_hwm_kb()
    if kb is None:
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024


def run_measured(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Run a command to its end: wall seconds, CPU seconds (user + system, from wait4) and
    its own peak RSS in MB, read from its VmHWM every 0.1 s while it runs (a high-water
    mark, so only a peak in its last 0.1 s could be missed)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env)
    peak = [0]
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            kb = _vm_hwm_kb(proc.pid)
            if kb is not None:
                peak[0] = max(peak[0], kb)
            done.wait(0.1)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    watcher.join()
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        name = signal.Signals(-code).name
        raise SystemExit(f"{cmd[:4]} was killed by {name}")
    if code != 0:
        raise SystemExit(f"{cmd[:4]} failed with exit code {code}")
    return {
        "wall": time.perf_counter() - t0,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": peak[0] / 1024,
    }

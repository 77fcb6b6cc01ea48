"""A two-node Ray cluster on one machine: both nodes' workers share a batch."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from qualkit.project import open_project
from tests.cluster.ray_env import RAY_ENV
from tests.cluster.test_ray_runner import local_run, make_project, snapshot

pytest.importorskip("ray")
pytestmark = pytest.mark.cluster


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


TWO_NODE_SCRIPT = """
import json, sys
from qualkit.pipeline.cluster import ClusterOptions, ClusterRun, connected
from qualkit.pipeline.run import PipelineOptions
from qualkit.project import open_project
from tests.cluster.ray_fakes import fake_models
import time
with open_project(sys.argv[1]) as project, connected(sys.argv[2]) as ray:
    deadline = time.monotonic() + 90
    while sum(n["Alive"] for n in ray.nodes()) < 2 and time.monotonic() < deadline:
        time.sleep(0.5)
    run = ClusterRun(project, PipelineOptions(), ClusterOptions(sys.argv[2]), None, fake_models)
    results = run.run(ray, project.recordings())
    print(json.dumps({"ok": [r.ok for r in results], "by": run.computed_by}))
"""


def test_two_nodes_on_one_machine_share_the_batch(tmp_path: Path) -> None:
    expected = local_run(tmp_path / "local")
    make_project(tmp_path / "p").close()
    ray_bin = Path(sys.executable).parent / "ray"
    port = _free_port()
    # Ray's socket paths must stay short (AF_UNIX limit), so not under tmp_path.
    ray_tmp = tempfile.mkdtemp(prefix="qk-ray-", dir="/tmp")
    env = {**os.environ, **RAY_ENV, "RAY_TMPDIR": ray_tmp}
    common = ["--disable-usage-stats", "--num-cpus", "1"]
    nodes: list[subprocess.Popen[bytes]] = []

    def start(*args: str) -> None:
        # --block keeps each node's processes in one process group we can stop, so the
        # test never touches another Ray on this machine (no global `ray stop`).
        nodes.append(
            subprocess.Popen(
                [
                    str(ray_bin),
                    "start",
                    "--block",
                    *args,
                    "--node-ip-address",
                    "127.0.0.1",
                    *common,
                ],
                env=env,
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )

    try:
        start("--head", "--port", str(port), "--include-dashboard", "false")
        deadline = time.monotonic() + 120
        while not _listening(port):
            assert time.monotonic() < deadline and nodes[0].poll() is None, "head did not start"
            time.sleep(0.5)
        start("--address", f"127.0.0.1:{port}")
        # Ray rewrites a loopback address to the machine's own interface address unless
        # told this driver is not part of a multi-node set-up; keep all on loopback.
        driver_env = {**env, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
        res = subprocess.run(
            [sys.executable, "-c", TWO_NODE_SCRIPT, str(tmp_path / "p"), f"127.0.0.1:{port}"],
            env=driver_env,
            capture_output=True,
            text=True,
            timeout=400,
        )
        assert res.returncode == 0, res.stderr[-3000:]
        out = json.loads(res.stdout.strip().splitlines()[-1])
        assert out["ok"] == [True, True, True]
        assert len(set(out["by"].values())) == 2  # both nodes' workers did work
    finally:
        for node in reversed(nodes):
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(node.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    node.wait(timeout=45)  # a node drains for up to 30 s
                    break
                except subprocess.TimeoutExpired:
                    continue
        shutil.rmtree(ray_tmp, ignore_errors=True)
    with open_project(tmp_path / "p") as project:
        assert snapshot(project) == expected

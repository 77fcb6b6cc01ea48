"""No network: the demo runs with sockets blocked, and no code calls a download API."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

BLOCKED_DEMO = """
import socket, sys

class NetworkUsed(RuntimeError):
    pass

def refuse(*args, **kwargs):
    raise NetworkUsed(f"network access attempted: {args[:2]!r}")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.socket.sendto = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse
socket.gethostbyname = refuse

from qualkit.demo import run_demo
written = run_demo(sys.argv[1], say=lambda _m: None)
assert written, "the demo wrote nothing"
import qualkit.privacy, qualkit.pseudonymise, qualkit.backup
from qualkit.project import open_project
from qualkit.privacy import scan
with open_project(sys.argv[1]) as p:
    scan(p)
print("OK", len(written))
"""


def test_demo_runs_with_the_network_blocked(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    (root / "audio" / "demo").mkdir(parents=True)
    shutil.copy(REPO / "audio" / "demo" / "fokusgrupp_demo.txt", root / "audio" / "demo")
    # A clean environment: the offline switches must come from qualkit itself.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HF_", "TRANSFORMERS_", "PYANNOTE", "DO_NOT_TRACK"))
    }
    env["PYTHONPATH"] = str(REPO)
    res = subprocess.run(
        [sys.executable, "-c", BLOCKED_DEMO, str(root)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.startswith("OK")


def test_importing_qualkit_switches_dependencies_offline() -> None:
    code = (
        "import os\n"
        "for k in ('HF_HUB_OFFLINE','TRANSFORMERS_OFFLINE','HF_DATASETS_OFFLINE','DO_NOT_TRACK'):\n"
        "    os.environ.pop(k, None)\n"
        "import qualkit\n"
        "assert os.environ['HF_HUB_OFFLINE'] == '1'\n"
        "assert os.environ['TRANSFORMERS_OFFLINE'] == '1'\n"
        "assert os.environ['HF_DATASETS_OFFLINE'] == '1'\n"
        "assert os.environ['PYANNOTE_METRICS_ENABLED'] == '0'\n"
        "assert os.environ['DO_NOT_TRACK'] == '1'\n"
        "assert os.environ['HF_HUB_DISABLE_TELEMETRY'] == '1'\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("PYANNOTE_METRICS_ENABLED", None)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert res.returncode == 0, res.stderr


# Calls that fetch from the internet. from_pretrained is allowed only with a local path,
# which the code marks by passing local_files_only=True on the same call.
DOWNLOAD_CALLS = [
    r"hf_hub_download\s*\(",
    r"snapshot_download\s*\(",
    r"urlretrieve\s*\(",
    r"urlopen\s*\(",
    r"requests\.(get|post|put|head|request|Session)\b",
    r"httpx\.",
    r"http\.client",
    r"import\s+requests",
    r"import\s+httpx",
    r"import\s+urllib3",
    r"from\s+urllib\.request\s+import",
    r"urllib\.request",
    r"socket\.(socket|create_connection)\s*\(",
    r"torch\.hub\.load",
    r"load_dataset\s*\(",
    # pip run from code (a hint "pip install X" in an error message is fine).
    r"[\"']-m[\"']\s*,\s*[\"']pip[\"']",
    r"[\"']pip3?[\"']\s*,\s*[\"']install[\"']",
]
# Connections to a machine the user named, inside their organisation, not the internet:
# the Ray head given with --cluster is checked for an answer before Ray waits minutes on it
# (Ray and the PostgreSQL driver open their own connections to what the user names).
USER_NAMED_HOSTS = {
    ("qualkit/pipeline/cluster_connect.py", r"socket\.(socket|create_connection)\s*\(")
}


def test_no_download_api_in_qualkit() -> None:
    offenders: list[str] = []
    for path in sorted((REPO / "qualkit").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for n, line in enumerate(text.splitlines(), 1):
            if line.lstrip().startswith("#"):
                continue
            for pattern in DOWNLOAD_CALLS:
                if (str(path.relative_to(REPO)), pattern) in USER_NAMED_HOSTS:
                    continue
                if re.search(pattern, line):
                    offenders.append(f"{path.relative_to(REPO)}:{n}: {line.strip()}")
        # from_pretrained must be told to stay local.
        for m in re.finditer(r"from_pretrained\s*\(", text):
            call = text[m.start() : m.start() + 400]
            close = call.find(")\n")
            if "local_files_only=True" not in call[: close if close > 0 else 400]:
                line_no = text[: m.start()].count("\n") + 1
                offenders.append(f"{path.relative_to(REPO)}:{line_no}: from_pretrained not local")
    assert offenders == []

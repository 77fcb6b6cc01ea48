"""A benchmark's measured runs in fresh processes: each its own model loading and memory."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any


def json_child(script: str, *args: str) -> dict[str, Any]:
    """Run `script --child ARGS...` with this Python; the JSON object it prints last.

    Libraries print progress and warnings on stdout too, so only the last line counts."""
    res = subprocess.run(
        [sys.executable, script, "--child", *args], capture_output=True, text=True, check=True
    )
    row: dict[str, Any] = json.loads(res.stdout.strip().splitlines()[-1])
    return row

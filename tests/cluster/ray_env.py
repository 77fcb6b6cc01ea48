"""One environment for every Ray process of the cluster tests.

Ray reads these when it is imported, so `conftest.py` applies them before any test
module imports Ray.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RAY_ENV = {
    "PYTHONPATH": str(REPO),
    "RAY_USAGE_STATS_ENABLED": "0",
    "OMP_NUM_THREADS": "1",
    # Token authentication, as a real cluster should use; a fresh token per test run,
    # kept in the environment so nothing is written to ~/.ray.
    "RAY_AUTH_MODE": "token",
    "RAY_AUTH_TOKEN": secrets.token_hex(32),
}


def apply() -> None:
    os.environ.update({k: v for k, v in RAY_ENV.items() if k.startswith("RAY_")})

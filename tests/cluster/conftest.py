from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.cluster import ray_env

ray_env.apply()  # before anything imports Ray: it reads these at import


@pytest.fixture(scope="session")
def local_cluster() -> Iterator[Any]:
    """A real Ray cluster started in this process, on loopback, with two CPUs."""
    ray = pytest.importorskip("ray")
    ray.init(
        address="local",  # always a new cluster, never one a stale file points at
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={"env_vars": ray_env.RAY_ENV},
        _node_ip_address="127.0.0.1",
    )
    yield ray
    ray.shutdown()

"""Connecting to a Ray cluster for a batch: only an address the user typed, said in one
line when it cannot be used (nothing answers, a token missing or refused, Ray's client
package missing), and a cluster lost mid-run said as such."""

from __future__ import annotations

import importlib.util
import os
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from qualkit.errors import InputError, ModelMissingError, QualkitError

CLUSTER_EXTRA = "pip install 'qualkit[cluster]'"
_ADDRESS = re.compile(r"^(ray://)?[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")


class ClusterError(QualkitError):
    """The cluster cannot be reached or used."""


def check_address(address: str) -> str:
    """Only an address the user gave: `auto` (the cluster running on this machine),
    `local` (start one in this process) or HOST:PORT / ray://HOST:PORT. Ray's own
    discovery (RAY_ADDRESS, an empty address) is never used."""
    text = address.strip()
    if text in ("auto", "local") or _ADDRESS.match(text):
        return text
    raise InputError(
        f"Cluster address {address!r}: give ray://HOST:10001, HOST:PORT, 'auto' for the "
        "cluster already running on this machine, or 'local' to start one here."
    )


LOOPBACK = "127.0.0.1"


def import_ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise ModelMissingError(
            f"Ray is not installed, so --cluster cannot be used: {CLUSTER_EXTRA}"
        ) from exc
    return ray


# Seconds to wait for a cluster's port to answer before saying nothing is there (Ray
# itself retries for minutes, printing its C++ warnings).
CONNECT_TIMEOUT_S = 5.0
CLIENT_PACKAGE = 'pip install "ray[client]"'
RERUN = "run the same command again when it is back: it continues where it stopped"


def check_reachable(address: str, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """HOST:PORT or ray://HOST:PORT must answer on its port within `timeout` seconds."""
    hostport = address.removeprefix("ray://")
    host, _, port = hostport.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except OSError as exc:
        why = "no answer" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc))
        raise ClusterError(
            f"Nothing answers at {hostport} ({why}): is `ray start --head` running there, "
            f"with port {port} (`--port` for HOST:PORT, 10001 for ray://), and may this "
            "machine reach it?"
        ) from None


def _connect_error(ray: Any, address: str, exc: BaseException) -> ClusterError:
    """What went wrong connecting, in one line that points at the cause."""
    said = str(exc).strip().rstrip(".")
    if isinstance(exc, _authentication_error(ray)):
        return ClusterError(
            f"The Ray cluster at {address} uses token authentication and this machine has "
            f"no token it accepts ({exc.args[0] if exc.args else said}). Set RAY_AUTH_TOKEN "
            "(or the file ~/.ray/auth_token) to the cluster's token, the same as on its "
            "nodes, and RAY_AUTH_MODE=token; see docs/cluster.md."
        )
    if "ray[client]" in said:
        return client_missing(address)
    if address in ("auto", "local"):
        return ClusterError(
            f"Cannot reach the Ray cluster at {address}: {said}. Is `ray start --head` "
            "running on this machine?"
        )
    # Its port answered (check_reachable), so the address is right unless it is some
    # other service's; Ray's own reason (a refused token) went to its log, not here.
    if os.environ.get("RAY_AUTH_MODE", "").lower() == "token":
        return ClusterError(
            f"The Ray cluster at {address} answers but did not let this machine in ({said}): "
            "most likely it refused this machine's token. Set RAY_AUTH_TOKEN (or the file "
            "~/.ray/auth_token) to the cluster's own token; see docs/cluster.md."
        )
    return ClusterError(
        f"Something answers at {address} but Ray could not connect ({said}). Check that "
        "it is the head's port (`ray start --head --port`, or 10001 with ray://), and if "
        "the cluster uses token authentication, set RAY_AUTH_MODE=token and its "
        "RAY_AUTH_TOKEN here too."
    )


def client_missing(address: str) -> ClusterError:
    return ClusterError(
        f"--cluster {address} (a ray:// address) needs Ray's client package, which is not "
        f"installed here: {CLIENT_PACKAGE}. Or give the head's own address HOST:6379 "
        "(the port of `ray start --head --port`), which needs no client package."
    )


def _authentication_error(ray: Any) -> tuple[type[BaseException], ...]:
    found = getattr(ray.exceptions, "AuthenticationError", None)  # Ray 2.52 and later
    return (found,) if isinstance(found, type) else ()


@contextmanager
def connected(address: str) -> Iterator[Any]:
    """Connect to (or start) the cluster for the length of a run."""
    ray = import_ray()
    address = check_address(address)
    if ray.is_initialized():  # the caller connected already (tests, notebooks)
        yield ray
        return
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"  # Ray phones home unless told not to
    os.environ.pop("RAY_ADDRESS", None)
    refused: tuple[type[BaseException], ...] = (
        ConnectionError,
        RuntimeError,
        ValueError,
        *_authentication_error(ray),
    )
    if address.startswith("ray://") and importlib.util.find_spec("grpc") is None:
        raise client_missing(address)  # what Ray says only after trying to connect
    if address not in ("auto", "local"):
        check_reachable(address)
    try:
        if address == "local":
            # A cluster started here serves this process only: loopback, no dashboard.
            ray.init(
                address="local",  # "local" alone would attach to a running cluster
                include_dashboard=False,
                log_to_driver=False,
                _node_ip_address=LOOPBACK,
            )
        else:
            ray.init(address=address, log_to_driver=False)
    except refused as exc:
        raise _connect_error(ray, address, exc) from None
    try:
        yield ray
    except (ray.exceptions.RayError, ConnectionError, SystemExit) as exc:
        # Ray's driver even ends itself (SIGTERM, SystemExit) when it loses the head.
        if not _lost(ray, address, exc):
            raise
        raise went_away(address, exc) from None
    finally:
        ray.shutdown()


def went_away(address: str, exc: BaseException) -> ClusterError:
    """The cluster was lost mid-run; what came back is kept in the project."""
    said = str(exc).strip().splitlines()[0].rstrip(".") if str(exc).strip() else type(exc).__name__
    return ClusterError(
        f"The Ray cluster at {address} went away during the run ({said}). The recordings "
        f"that came back are in the project; {RERUN}."
    )


def _lost(ray: Any, address: str, exc: BaseException) -> bool:
    """Whether `exc` in a run means the cluster is gone: a remote head no longer answers
    on its port; on this machine, Ray says its system or connection failed."""
    if address not in ("auto", "local"):
        try:
            check_reachable(address, timeout=1.0)
        except ClusterError:
            return True
        return False
    return isinstance(
        exc, (ray.exceptions.RaySystemError, ray.exceptions.RpcError, ConnectionError)
    )

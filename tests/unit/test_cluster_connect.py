"""Connecting to a Ray cluster says in one line what is wrong, with a fake Ray: nothing
answers at the address, Ray's client package missing for ray://, no token or a refused
one, and a cluster that goes away mid-run (rerunning continues)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from qualkit.pipeline import cluster_connect
from qualkit.pipeline.cluster_connect import ClusterError, connected


class RayError(Exception):
    pass


class RaySystemError(RayError):
    pass


class RpcError(RayError):
    pass


class AuthenticationError(RayError):
    def __str__(self) -> str:  # Ray appends a paragraph of help to the reason
        return self.args[0] + ". Ensure that the token ... see https://docs.ray.io/"


def fake_ray(init: Callable[..., None]) -> Any:
    return SimpleNamespace(
        is_initialized=lambda: False,
        init=init,
        shutdown=lambda: None,
        exceptions=SimpleNamespace(
            RayError=RayError,
            RaySystemError=RaySystemError,
            RpcError=RpcError,
            AuthenticationError=AuthenticationError,
        ),
    )


def raises(exc: BaseException) -> Callable[..., None]:
    def init(**_kwargs: Any) -> None:
        raise exc

    return init


@pytest.fixture
def listening() -> Iterator[str]:
    """HOST:PORT where something answers (as a head's port does)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield f"127.0.0.1:{sock.getsockname()[1]}"


def closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{sock.getsockname()[1]}"  # closed again when the block ends


def use(monkeypatch: pytest.MonkeyPatch, ray: Any, *, grpc: bool = True) -> None:
    monkeypatch.setattr(cluster_connect, "import_ray", lambda: ray)
    real = cluster_connect.importlib.util.find_spec
    monkeypatch.setattr(
        cluster_connect.importlib.util,
        "find_spec",
        lambda name, *a: (object() if grpc else None) if name == "grpc" else real(name, *a),
    )


def open_it(address: str) -> None:
    with connected(address):
        pass


def test_nothing_answering_is_said_at_once_without_asking_ray(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    called: list[str] = []
    use(monkeypatch, fake_ray(lambda **kw: called.append(kw["address"])))
    address = closed_port()
    start = time.monotonic()
    with pytest.raises(ClusterError, match=rf"Nothing answers at {address}.*ray start --head"):
        open_it(address)
    assert time.monotonic() - start < 6 and not called


def test_ray_client_missing_says_what_to_install_and_the_form_that_works(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use(monkeypatch, fake_ray(raises(AssertionError("not asked"))), grpc=False)
    with pytest.raises(ClusterError) as err:
        open_it("ray://head.internal:10001")
    said = str(err.value)
    assert 'pip install "ray[client]"' in said and "HOST:6379" in said
    assert "is `ray start --head` running" not in said and ".." not in said


def test_rays_own_client_message_is_not_blamed_on_the_address(
    monkeypatch: pytest.MonkeyPatch, listening: str
) -> None:
    ray_says = ValueError("Ray Client requires pip package `ray[client]`. Reinstall it.")
    use(monkeypatch, fake_ray(raises(ray_says)))
    with pytest.raises(ClusterError) as err:
        open_it(f"ray://{listening}")
    said = str(err.value)
    assert "ray[client]" in said and "is `ray start --head` running" not in said


def test_no_token_is_said_as_a_token_problem(
    monkeypatch: pytest.MonkeyPatch, listening: str
) -> None:
    missing = AuthenticationError("Token authentication is enabled but no token was found")
    use(monkeypatch, fake_ray(raises(missing)))
    with pytest.raises(ClusterError) as err:
        open_it(listening)
    said = str(err.value)
    assert "no token was found" in said and "RAY_AUTH_TOKEN" in said
    assert "docs.ray.io" not in said and "\n" not in said


def test_a_refused_token_does_not_blame_the_address(
    monkeypatch: pytest.MonkeyPatch, listening: str
) -> None:
    monkeypatch.setenv("RAY_AUTH_MODE", "token")
    use(monkeypatch, fake_ray(raises(ConnectionError(f"Failed to connect to {listening}"))))
    with pytest.raises(ClusterError) as err:
        open_it(listening)
    said = str(err.value)
    assert "refused this machine's token" in said and "address right" not in said
    assert ".." not in said


def test_a_cluster_gone_mid_run_says_so_and_that_a_rerun_continues(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use(monkeypatch, fake_ray(lambda **_kw: None))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        address = f"127.0.0.1:{sock.getsockname()[1]}"
        with pytest.raises(ClusterError) as err, connected(address):
            sock.close()  # the head stops mid-run; Ray's driver then ends itself
            raise SystemExit(15)
    said = str(err.value)
    assert f"The Ray cluster at {address} went away" in said
    assert "continues where it stopped" in said


def test_an_error_while_the_cluster_still_answers_is_not_called_a_lost_cluster(
    monkeypatch: pytest.MonkeyPatch, listening: str
) -> None:
    use(monkeypatch, fake_ray(lambda **_kw: None))
    with pytest.raises(RayError, match="a bug"), connected(listening):
        raise RayError("a bug")

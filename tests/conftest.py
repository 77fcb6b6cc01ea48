from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# The shared undo checks assert inside a helper: their failures say what differed.
pytest.register_assert_rewrite("tests.undo_state")

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"

# Tests run offline, always.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")


@pytest.fixture
def project_dir(tmp_path: Path, study_url: str | None) -> Path:
    """A fresh project folder with the shipped codebooks (records on a server under
    the `both_backends` marker's postgresql run)."""
    from qualkit.project import init_project

    init_project(tmp_path / "proj", database=study_url).close()
    return tmp_path / "proj"


@pytest.fixture
def project(project_dir: Path) -> Iterator[object]:
    from qualkit.project import open_project

    with open_project(project_dir) as p:
        yield p


@pytest.fixture
def demo_project(tmp_path: Path, study_url: str | None) -> Iterator[object]:
    """A project with the demo transcript imported, speakers named and codings applied."""
    from qualkit.demo import run_demo
    from qualkit.project import init_project, open_project

    root = tmp_path / "demo"
    init_project(root, database=study_url).close()
    (root / "audio" / "demo").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "audio" / "demo" / "fokusgrupp_demo.txt", root / "audio" / "demo")
    run_demo(root, say=lambda _msg: None)
    with open_project(root) as p:
        yield p


# ----------------------------------------------------------- a real PostgreSQL server
# Test modules marked `both_backends` run every test that uses a project on SQLite and on
# a study database on a PostgreSQL server that the session starts itself.
BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    chosen = any(
        m.args and m.args[0] == "backend" for m in metafunc.definition.iter_markers("parametrize")
    )
    if (
        "backend" in metafunc.fixturenames
        and not chosen
        and metafunc.definition.get_closest_marker("both_backends")
    ):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[object]:
    """A PostgreSQL cluster on a temporary folder and a free port, for the whole session."""
    from tests.pg_server import PgServer, ServerUnavailable

    try:
        server = PgServer().start()
    except ServerUnavailable as exc:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"CI must test the PostgreSQL backend: {exc}")
        pytest.skip(f"no PostgreSQL server here: {exc}")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_template(pg_server: object, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty study database that each test's database is copied from."""
    from qualkit.store import Server, Store
    from tests.pg_server import PgServer

    assert isinstance(pg_server, PgServer)
    url = pg_server.new_database()
    Store(tmp_path_factory.mktemp("template") / "x.db", server=Server.parse(url)).close()
    return url.rsplit("/", 1)[1]


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def study_url(backend: str, request: pytest.FixtureRequest) -> str | None:
    """A fresh study database on the test server (None on SQLite)."""
    if backend == "sqlite":
        return None
    server = request.getfixturevalue("pg_server")
    template = request.getfixturevalue("pg_template")
    return str(server.new_database(template=template))

"""`qualkit serve` on a team's study on a database server: every page would use the
serving person's login and rights, so only that person's own page is served; a refused
command says so before any warning."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from qualkit import resolve
from qualkit.errors import InputError
from qualkit.project import init_project, open_project
from qualkit.serve import ServeOptions, check_project

from .conftest import REPO


def _login(root: Path) -> str:
    with open_project(root) as project:
        return resolve.default_coder(project.store)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_server_study_serves_only_the_serving_logins_own_page(project_dir: Path) -> None:
    login = _login(project_dir)
    for coders in (("anna", "bertil"), (login, "anna"), ("anna bertil",), ("konsensus",)):
        with pytest.raises(InputError, match=rf"your database login \({login}\).*own login"):
            check_project(ServeOptions(project_dir, coders))
    check_project(ServeOptions(project_dir, (login,)))
    check_project(ServeOptions(project_dir, (login.upper(),)))  # the name, whatever its case


def test_a_study_in_a_folder_serves_every_coder(tmp_path: Path) -> None:
    init_project(tmp_path / "p").close()
    check_project(ServeOptions(tmp_path / "p", ("anna", "bertil", "anna bertil")))


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "qualkit", *args], capture_output=True, text=True, env=env
    )


def test_a_refused_host_is_refused_without_a_warning_first(tmp_path: Path) -> None:
    init_project(tmp_path / "p").close()
    res = cli("serve", "-p", str(tmp_path / "p"), "--coder", "anna", "--host", "0.0.0.0")
    assert res.returncode == 2 and "no address a browser can open" in res.stderr
    assert "warning" not in res.stderr and "Traceback" not in res.stderr

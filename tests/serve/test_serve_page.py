"""The served page stays offline, each coder gets a port, bad options say what to do."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from qualkit.errors import InputError, QualkitError
from qualkit.serve import (
    FONT_LINK,
    ServeOptions,
    app_command,
    is_loopback,
    offline_template,
    plan_sessions,
    write_offline_templates,
)

from .conftest import REPO, running_serve

SVG_NAMESPACE = "http://www.w3.org/2000/svg"


def installed_template() -> str:
    import importlib.resources

    path = importlib.resources.files("textual_serve") / "templates" / "app_index.html"
    return path.read_text(encoding="utf-8")


def test_installed_template_has_exactly_the_font_link_we_replace() -> None:
    page = installed_template()
    assert len(FONT_LINK.findall(page)) == 1
    assert "fonts.googleapis.com" in page


def test_offline_page_has_no_outside_url(tmp_path: Path) -> None:
    page = (write_offline_templates(tmp_path) / "app_index.html").read_text(encoding="utf-8")
    assert "googleapis" not in page
    assert "fonts/RobotoMono-VariableFont_wght.ttf" in page
    # The only absolute URL left is the SVG namespace name, which no browser fetches.
    assert set(re.findall(r"(?:https?:)?//[\w.-]+\.\w+[^\s\"')]*", page)) == {SVG_NAMESPACE}
    # Every other reference goes through the server's own static URL.
    refs = re.findall(r"""(?:href|src)=["']([^"']+)|url\(["']?([^"')]+)""", page)
    targets = {a or b for a, b in refs}
    assert targets and all(t.startswith("{{ config.static.url }}") for t in targets), targets


def test_changed_template_fails_loudly() -> None:
    with pytest.raises(QualkitError, match=r"textual-serve==1\.1\.3"):
        offline_template("<html><head></head></html>")
    extra = installed_template().replace(
        "</head>", '<script src="https://cdn.example.org/x.js"></script></head>'
    )
    with pytest.raises(QualkitError, match="refers outside the server"):
        offline_template(extra)
    imported = installed_template().replace("<style>", "<style>@import 'x.css';", 1)
    with pytest.raises(QualkitError, match="refers outside the server"):
        offline_template(imported)


def test_each_coder_gets_a_port_and_runs_the_app_as_that_coder(tmp_path: Path) -> None:
    options = ServeOptions(tmp_path, ("anna", "Bertil Berg"), port=9100, blind=True, lang="en")
    sessions = plan_sessions(options)
    assert [(s.coder, s.port, s.url) for s in sessions] == [
        ("anna", 9100, "http://127.0.0.1:9100/"),
        ("Bertil Berg", 9101, "http://127.0.0.1:9101/"),
    ]
    assert sessions[1].command == app_command(options, "Bertil Berg")
    assert sessions[1].command.endswith("--coder 'Bertil Berg' --blind --lang en")
    assert " tui -p " in sessions[0].command


@pytest.mark.parametrize(
    ("coders", "host", "port", "message"),
    [
        (("anna", "Anna"), "127.0.0.1", 8000, "different name"),
        (("anna", " "), "127.0.0.1", 8000, "at least one coder"),
        (("anna",), "0.0.0.0", 8000, "give this machine's address"),
        (("anna", "bertil"), "127.0.0.1", 65535, "out of range"),
    ],
)
def test_bad_options_say_what_to_do(
    tmp_path: Path, coders: tuple[str, ...], host: str, port: int, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        plan_sessions(ServeOptions(tmp_path, coders, host=host, port=port))


def test_loopback_hosts() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("192.168.1.20") and not is_loopback("skolan.example")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "qualkit", *args], capture_output=True, text=True, env=env
    )


def test_cli_refuses_a_folder_that_is_no_project(tmp_path: Path) -> None:
    res = cli("serve", "-p", str(tmp_path / "nothing"), "--coder", "anna", "--port", "9")
    assert res.returncode == 2
    assert res.stderr.startswith("qualkit: error:") and "Traceback" not in res.stderr


def test_cli_warns_when_serving_beyond_this_machine(tmp_path: Path) -> None:
    # A project there, but no such address here: the warning, then the error.
    from qualkit.project import init_project

    init_project(tmp_path / "x").close()
    res = cli("serve", "-p", str(tmp_path / "x"), "--coder", "anna", "--host", "192.0.2.1")
    assert "anyone who can reach this address" in res.stderr
    assert "Cannot listen on 192.0.2.1" in res.stderr
    assert res.returncode == 2


def test_page_and_bundled_font_are_served_for_each_coder(serve_project: Path) -> None:
    with running_serve(serve_project, ["anna", "bertil"]) as urls:
        for url in urls:
            with urllib.request.urlopen(url, timeout=10) as resp:
                page = resp.read().decode()
            assert "googleapis" not in page
            assert f"{url}static/fonts/RobotoMono-VariableFont_wght.ttf" in page
            assert f'data-session-websocket-url="ws://{url[len("http://") :]}ws"' in page
            font = f"{url}static/fonts/RobotoMono-VariableFont_wght.ttf"
            with urllib.request.urlopen(font, timeout=10) as resp:
                assert resp.status == 200 and len(resp.read()) > 10_000


def test_a_port_in_use_is_a_clear_error(serve_project: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        res = cli("serve", "-p", str(serve_project), "--coder", "anna", "--port", str(port))
    assert res.returncode == 2
    assert f"Cannot listen on 127.0.0.1 port {port}" in res.stderr
    assert "choose a free --port" in res.stderr and "Traceback" not in res.stderr

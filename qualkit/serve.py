"""Serve the coding app in a browser: one textual-serve server per coder, on its own port.

Each coder's page runs `qualkit tui --coder NAME` in a process of its own, so codings are
saved under that coder's name exactly as in the terminal app. The page is kept offline:
textual-serve's template links a web font from the internet, so at start-up we rewrite
the installed template to load the font the package already bundles.
"""

from __future__ import annotations

import asyncio
import html
import importlib.resources
import ipaddress
import re
import shlex
import signal
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qualkit import atomic, resolve, spelling
from qualkit.errors import InputError, QualkitError
from qualkit.project import open_project

if TYPE_CHECKING:
    from aiohttp import web

TEMPLATE = "app_index.html"
# The one outside request in textual-serve 1.1.3's page. Matched exactly so that an
# upgrade which changes it fails loudly instead of sending coders' browsers to Google.
FONT_LINK = re.compile(
    r'<link\s+rel="stylesheet"\s+href="https://fonts\.googleapis\.com/[^"]*"\s*/>'
)
BUNDLED_FONTS = {
    "normal": "RobotoMono-VariableFont_wght.ttf",
    "italic": "RobotoMono-Italic-VariableFont_wght.ttf",
}
# Anything that makes a browser fetch from another origin: an absolute or
# protocol-relative URL in href/src/action, a CSS url(), or an @import.
EXTERNAL_REFERENCE = re.compile(
    r"""(?:\b(?:href|src|action)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)|(?:@import)""",
    re.IGNORECASE,
)
WILDCARD_HOSTS = {"0.0.0.0", "::", ""}


@dataclass(frozen=True)
class ServeOptions:
    """What `qualkit serve` was asked for; ports are `port`, `port + 1`, ... in coder order."""

    project: Path
    coders: tuple[str, ...]
    host: str = "127.0.0.1"
    port: int = 8000
    blind: bool = False
    lang: str | None = None


@dataclass(frozen=True)
class CoderSession:
    """One coder's page: the address to open and the app command behind it."""

    coder: str
    port: int
    url: str
    command: str


def is_loopback(host: str) -> bool:
    """True when only this machine can reach `host` (then the page needs no warning)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def public_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def app_command(options: ServeOptions, coder: str) -> str:
    """The shell command textual-serve runs for each browser session of `coder`."""
    args = [sys.executable, "-m", "qualkit", "tui", "-p", str(options.project.resolve())]
    args += ["--coder", coder]
    if options.blind:
        args.append("--blind")
    if options.lang:
        args += ["--lang", options.lang]
    return shlex.join(args)


def plan_sessions(options: ServeOptions) -> list[CoderSession]:
    """Check the options and give each coder a port and an address."""
    coders = [c.strip() for c in options.coders]
    if not coders or any(not c for c in coders):
        raise InputError("Name at least one coder: --coder NAME (once per coder).")
    if len({c.casefold() for c in coders}) != len(coders):
        raise InputError("Each --coder must be a different name: one page per coder.")
    if options.host in WILDCARD_HOSTS:
        raise InputError(
            f"--host {options.host!r} listens everywhere but is no address a browser can open: "
            "give this machine's address on the network the coders use, e.g. --host 192.168.1.20."
        )
    last = options.port + len(coders) - 1
    if options.port < 1 or last > 65535:
        raise InputError(f"Ports {options.port}-{last} are out of range: choose --port 1024-65000.")
    return [
        CoderSession(
            coder=coder,
            port=options.port + i,
            url=public_url(options.host, options.port + i) + "/",
            command=app_command(options, coder),
        )
        for i, coder in enumerate(coders)
    ]


def check_project(options: ServeOptions) -> None:
    """Open the project (a wrong folder fails here, not in each browser); on a team's
    study on a database server, refuse pages for anyone but the serving login.

    Every page's app runs as this process's user, so on a server it connects with this
    person's database login and rights: a lead's pages would let the coder behind each
    one write as anyone, change the codebook and write the consensus. Each coder opens
    the app with their own login instead; serving one's own page stays possible."""
    with open_project(options.project) as project:
        if project.store.server is None:
            return
        login = resolve.default_coder(project.store)
    others = [c for c in options.coders if spelling.key(c.strip()) != spelling.key(login)]
    if others:
        raise InputError(
            f"This study is on a database server, and every page of `qualkit serve` would "
            f"use your database login ({login}) and its rights, so the page for "
            f"{others[0].strip()!r} could write as anyone. Serve only your own page "
            f"(--coder {login}); each coder opens the app with their own login: `qualkit "
            "tui`, or `qualkit serve --coder NAME` run by that coder (docs/team.md)."
        )


def offline_template(template: str, static_url: str = "{{ config.static.url }}") -> str:
    """textual-serve's page with the web-font link replaced by the bundled font."""
    found = FONT_LINK.findall(template)
    if len(found) != 1:
        raise QualkitError(
            "The installed textual-serve page template no longer has the web-font link qualkit "
            "replaces, so it might fetch from the internet: install textual-serve==1.1.3 "
            "(pip install -r requirements.txt)."
        )
    faces = "\n".join(
        f'      @font-face {{ font-family: "Roboto Mono"; font-style: {style}; '
        f"font-weight: 100 700; "
        f'src: url("{static_url}fonts/{name}") format("truetype"); }}'
        for style, name in BUNDLED_FONTS.items()
    )
    page = FONT_LINK.sub(lambda _m: f"<style>\n{faces}\n    </style>", template)
    outside = EXTERNAL_REFERENCE.findall(page)
    if outside:
        raise QualkitError(
            f"The installed textual-serve page template refers outside the server ({outside[0]!r}):"
            " install textual-serve==1.1.3 (pip install -r requirements.txt)."
        )
    return page


def write_offline_templates(folder: Path) -> Path:
    """Write the rewritten page into `folder` (textual-serve's `templates_path`)."""
    package = importlib.resources.files("textual_serve")
    for name in BUNDLED_FONTS.values():
        if not (package / "static" / "fonts" / name).is_file():
            raise QualkitError(
                f"textual-serve's bundled font {name} is missing: reinstall textual-serve==1.1.3."
            )
    source = (package / "templates" / TEMPLATE).read_text(encoding="utf-8")
    atomic.write_text(folder / TEMPLATE, offline_template(source))
    return folder


def serve(
    options: ServeOptions,
    say: Callable[[str], None] = print,
    on_ready: Callable[[Sequence[CoderSession]], None] | None = None,
    *,
    checked: bool = False,
) -> None:
    """Serve every coder's page until interrupted (Ctrl+C or SIGTERM); `checked` when the
    caller already ran plan_sessions and check_project on these options."""
    sessions = plan_sessions(options)
    if not checked:
        check_project(options)
    with tempfile.TemporaryDirectory(prefix="qualkit-serve-") as tmp:
        templates = write_offline_templates(Path(tmp))
        asyncio.run(_serve_all(options.host, sessions, templates, say, on_ready))


async def _serve_all(
    host: str,
    sessions: Sequence[CoderSession],
    templates: Path,
    say: Callable[[str], None],
    on_ready: Callable[[Sequence[CoderSession]], None] | None,
) -> None:

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runners: list[web.AppRunner] = []
    try:
        for session in sessions:
            runners.append(await _start_site(host, session, templates))
            say(f"{session.coder}: {session.url}")
        if on_ready is not None:
            on_ready(sessions)
        await stop.wait()
    finally:
        # Closing a runner ends its open pages, and textual-serve then quits their apps.
        for runner in reversed(runners):
            await runner.cleanup()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def _start_site(host: str, session: CoderSession, templates: Path) -> web.AppRunner:
    from aiohttp import web
    from textual_serve.server import Server

    class QuietServer(Server):
        """textual-serve's server without its banner: qualkit prints one line per coder."""

        async def on_startup(self, app: web.Application) -> None:
            return None

    server = QuietServer(
        session.command,
        host=host,
        port=session.port,
        title=html.escape(f"qualkit: {session.coder}"),
        public_url=public_url(host, session.port),
        templates_path=templates,
    )
    # Server.serve() would own the event loop for one app; several coders need several
    # sites on one loop, so we run the aiohttp application it builds ourselves.
    runner = web.AppRunner(await server._make_app())
    await runner.setup()
    try:
        await web.TCPSite(runner, host, session.port).start()
    except OSError as exc:
        await runner.cleanup()
        raise InputError(
            f"Cannot listen on {host} port {session.port} ({exc.strerror or exc}): "
            "choose a free --port, or a --host that is this machine's address."
        ) from exc
    return runner

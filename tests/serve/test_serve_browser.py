"""A coder codes a passage in a real headless Chromium; the browser asks nothing outside."""

from __future__ import annotations

import asyncio
import importlib.resources
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest

from qualkit.project import open_project

from .browser import chromium, chromium_path, open_page
from .conftest import running_serve

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        chromium_path() is None,
        reason="needs Debian's chromium (apt-get install chromium; `make test` installs it)",
    ),
]

TEXTUAL_SERVE = Path(str(importlib.resources.files("textual_serve")))
ORIGINAL_TEMPLATE = TEXTUAL_SERVE / "templates" / "app_index.html"
FOCUS_TERMINAL = """(() => {
  const input = document.querySelector('.xterm-helper-textarea');
  input.focus();
  return document.activeElement === input;
})()"""


def outside(urls: list[str]) -> list[str]:
    """Requests to anywhere but the loopback server (data: and about: stay in the browser)."""
    return [
        u
        for u in urls
        if urlsplit(u).scheme not in ("data", "about", "blob")
        and urlsplit(u).hostname != "127.0.0.1"
    ]


def codings_by(root: Path, coder: str) -> list[tuple[str, str]]:
    with open_project(root) as p:
        return [(c.segment_id, c.code) for c in p.codings(coder=coder)]


def test_coder_codes_a_passage_in_the_browser(serve_project: Path, tmp_path: Path) -> None:
    assert codings_by(serve_project, "bertil") == []

    async def code_in_browser(url: str, devtools_port: int) -> list[str]:
        async with aiohttp.ClientSession() as http:
            page = await open_page(devtools_port, http)
            # Control: the recorder does see the web-font request of textual-serve's own page.
            await page.send("Page.navigate", url=ORIGINAL_TEMPLATE.as_uri())
            for _ in range(100):
                if any("fonts.googleapis.com" in u for u in page.requests):
                    break
                await asyncio.sleep(0.1)
            assert any("fonts.googleapis.com" in u for u in outside(page.requests))
            # Leave the control page and let its late requests (its background image, under
            # load) arrive before the record starts again.
            await page.send("Page.navigate", url="about:blank")
            seen = -1
            for _ in range(50):
                if len(page.requests) == seen:
                    break
                seen = len(page.requests)
                await asyncio.sleep(0.5)
            page.requests.clear()
            await page.send("Page.navigate", url=url)
            # The overview lists the demo recording once the app process is up.
            await page.wait_for_text("fokusgrupp", "Kodningar per faktor", timeout=120)
            await page.wait_quiet()
            assert await page.evaluate(FOCUS_TERMINAL)
            shown = len(await page.terminal_text())
            await page.press("enter")  # open the recording's transcript
            await page.wait_for_text("Kodningar", since=shown, timeout=60)
            await page.wait_quiet()
            await page.press("1")  # code the first segment with factor 1 (ledning)
            for _ in range(150):
                if codings_by(serve_project, "bertil"):
                    break
                await asyncio.sleep(0.2)
            await page.ws.close()
            return page.requests

    # The server stops while the page is still open: it must end the coder's app itself.
    with chromium(tmp_path / "profile") as devtools_port:
        with running_serve(serve_project, ["anna", "bertil"]) as urls:
            requests = asyncio.run(code_in_browser(urls[1], devtools_port))
        stored = codings_by(serve_project, "bertil")

    assert [code for _segment, code in stored] == ["ledning"]
    assert codings_by(serve_project, "anna") == []
    # The page, its script, stylesheet and the bundled font all came from the server...
    assert any(u.endswith("/static/js/textual.js") for u in requests), requests
    assert any("/static/fonts/RobotoMono" in u for u in requests), requests
    # ...and nothing else was asked for anywhere.
    assert outside(requests) == []

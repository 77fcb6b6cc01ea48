"""A headless Chromium driven over the Chrome DevTools Protocol (CDP), for the served app.

Only what the tests need: open a page, record every network request, type keys, and read
what the app wrote to its terminal (the page draws on a canvas, so we copy the bytes the
websocket receives in the page itself).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import aiohttp

# Runs in the page before its own scripts: keeps the terminal output readable as text.
RECORD_TERMINAL = """
(() => {
  window.__terminal = "";
  const decoder = new TextDecoder();
  const Native = window.WebSocket;
  window.WebSocket = function (...args) {
    const ws = new Native(...args);
    ws.addEventListener("message", (event) => {
      if (typeof event.data === "string") return;
      event.data.arrayBuffer ? event.data.arrayBuffer().then(
        (b) => { window.__terminal += decoder.decode(b); }) :
        (window.__terminal += decoder.decode(event.data));
    });
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, Native);
})();
"""

KEYS = {
    "enter": {"key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "text": "\r"},
    "escape": {"key": "Escape", "code": "Escape", "windowsVirtualKeyCode": 27},
}


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port(count: int = 1) -> int:
    """A port p such that p .. p+count-1 are free on loopback now."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            first = s.getsockname()[1]
        if first + count > 65535:
            continue
        ok = True
        for port in range(first, first + count):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    ok = False
        if ok:
            return first
    raise RuntimeError("no free loopback ports")


def wait_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextmanager
def process_group(args: list[str], **kwargs: Any) -> Iterator[subprocess.Popen[bytes]]:
    """Start `args` in a process group of its own and end the whole group afterwards."""
    proc = subprocess.Popen(args, start_new_session=True, **kwargs)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        # Children the leader left behind (renderers, app processes) go with the group.
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


@contextmanager
def chromium(profile: Path) -> Iterator[int]:
    """A headless Chromium with its DevTools port; yields the port."""
    exe = chromium_path()
    assert exe is not None
    port = free_port()
    args = [
        exe,
        "--headless=new",
        f"--remote-debugging-port={port}",
        "--remote-debugging-address=127.0.0.1",
        f"--user-data-dir={profile}",
        "--no-sandbox",  # the test may run as root in a container
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        "about:blank",
    ]
    with process_group(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
        wait_http(f"http://127.0.0.1:{port}/json/version")
        yield port


class Page:
    """One browser tab, spoken to over CDP."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.next_id = 0
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.requests: list[str] = []
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:
            data = json.loads(msg.data)
            if "id" in data and data["id"] in self.pending:
                self.pending.pop(data["id"]).set_result(data)
            elif data.get("method") == "Network.requestWillBeSent":
                self.requests.append(data["params"]["request"]["url"])

    async def send(self, method: str, **params: Any) -> Any:
        self.next_id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = future
        await self.ws.send_json({"id": self.next_id, "method": method, "params": params})
        reply = await asyncio.wait_for(future, 30)
        assert "error" not in reply, reply
        return reply.get("result", {})

    async def evaluate(self, expression: str) -> Any:
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    async def terminal_text(self) -> str:
        return str(await self.evaluate("window.__terminal || ''"))

    async def wait_for_text(self, *needles: str, timeout: float = 60.0, since: int = 0) -> str:
        """Wait until the app has written all `needles` (after offset `since`)."""
        deadline = time.monotonic() + timeout
        while True:
            text = (await self.terminal_text())[since:]
            if all(n in text for n in needles):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"app never wrote {needles!r}; last output: {text[-400:]!r}")
            await asyncio.sleep(0.2)

    async def wait_quiet(self, seconds: float = 1.0, timeout: float = 30.0) -> None:
        """Wait until the app has stopped drawing for `seconds`."""
        deadline = time.monotonic() + timeout
        size = -1
        while time.monotonic() < deadline:
            now = len(await self.terminal_text())
            if now == size:
                return
            size = now
            await asyncio.sleep(seconds)

    async def press(self, key: str) -> None:
        event = KEYS.get(key) or {
            "key": key,
            "text": key,
            "code": f"Digit{key}" if key.isdigit() else f"Key{key.upper()}",
        }
        await self.send("Input.dispatchKeyEvent", type="keyDown", **event)
        await self.send(
            "Input.dispatchKeyEvent",
            type="keyUp",
            **{k: v for k, v in event.items() if k != "text"},
        )


async def open_page(devtools_port: int, session: aiohttp.ClientSession) -> Page:
    async with session.get(f"http://127.0.0.1:{devtools_port}/json/list") as resp:
        targets = await resp.json()
    target = next(t for t in targets if t["type"] == "page")
    ws = await session.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0)
    page = Page(ws)
    await page.send("Network.enable")
    await page.send("Page.enable")
    await page.send("Page.addScriptToEvaluateOnNewDocument", source=RECORD_TERMINAL)
    return page

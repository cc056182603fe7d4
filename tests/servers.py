"""Servers in tests, one way: a free port to start one on, a `referatbot serve` process,
and polling until it is ready (the app's /readyz, or a Chroma server's heartbeat)."""
from __future__ import annotations

import asyncio
import os
import socket
import sys
import time
from pathlib import Path
from typing import Awaitable, Callable

import aiohttp

from bot.settings import Settings
from retrieval.store import connect

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def start_serve(settings: Settings, port: int, log: Path,
                      **env: str) -> asyncio.subprocess.Process:
    """`referatbot serve --port PORT` over `settings`' data dir and catalog, without Bot
    Framework credentials, its output appended to `log`; `env`: more variables."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("Microsoft")}
    full.update(HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1",
                REFERATBOT_DATA_DIR=str(settings.data_dir),
                REFERATBOT_CATALOG_URL=settings.catalog_url or "", **env)
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "serve", "--port", str(port), cwd=ROOT, env=full,
            stdout=out, stderr=out)


async def readyz(client) -> tuple[int, dict]:
    """/readyz of an aiohttp test client: (status, body)."""
    response = await client.get("/readyz")
    return response.status, await response.json()


async def wait_ready(client=None, timeout: float = 60.0, *,
                     probe: Callable[[], Awaitable[tuple[int, dict]]] | None = None,
                     alive: Callable[[], None] | None = None, interval: float = 0.02) -> dict:
    """Poll /readyz until 200 and return its body: of a test `client`, or through `probe`
    (a server in another process; a refused connection means not listening yet).
    `alive` asserts that the server's process still runs."""
    probe = probe or (lambda: readyz(client))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    body: dict = {}
    while True:
        if alive:
            alive()
        try:
            status, body = await probe()
            if status == 200:
                return body
        except aiohttp.ClientConnectionError:  # not listening yet
            pass
        assert loop.time() < deadline, f"not ready after {timeout} s: {body}"
        await asyncio.sleep(interval)


def wait_for_chroma(host: str, port: int, timeout: float = 60.0, *,
                    alive: Callable[[], None] | None = None) -> None:
    """Block until a Chroma server answers its heartbeat."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            connect(host=host, port=port).heartbeat()
            return
        except Exception:  # not up yet
            if alive:
                alive()
            assert time.monotonic() < deadline, f"Chroma at {host}:{port} not up after {timeout} s"
            time.sleep(0.2)

"""Waiting for servers in tests, one way: a free port to start one on, and polling until
it is ready (the app's /readyz, or a Chroma server's heartbeat)."""
from __future__ import annotations

import asyncio
import socket
import time
from typing import Awaitable, Callable

import aiohttp

from retrieval.store import connect


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def readyz(client) -> tuple[int, dict]:
    """/readyz of an aiohttp test client: (status, body)."""
    response = await client.get("/readyz")
    return response.status, await response.json()


async def wait_ready(client=None, timeout: float = 60.0, *,
                     probe: Callable[[], Awaitable[tuple[int, dict]]] | None = None,
                     alive: Callable[[], None] | None = None, interval: float = 0.1) -> dict:
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


async def eventually(probe: Callable[[], Awaitable], done: Callable[[object], bool], *,
                     timeout: float = 120.0, interval: float = 0.2, what: str = "the outcome"):
    """Call `probe` until `done` holds for what it returns, and return that; fail after
    `timeout` seconds with the last value (a deadline to give up by, not a timing claim)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = await probe()
        if done(value):
            return value
        assert loop.time() < deadline, f"{what} did not come within {timeout} s: {value}"
        await asyncio.sleep(interval)

"""Servers in tests, one way each: a free port to start one on, polling until it is
ready (the app's /readyz, or a Chroma server's heartbeat), a `referatbot serve`
subprocess and other `referatbot` commands beside it, and the Chroma server of the
server-mode tests."""
from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Awaitable, Callable, Iterator

import aiohttp

from bot.settings import Settings
from retrieval.store import connect

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:`port`."""
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


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


#: how long a `serve` subprocess may take to load the model and its index
SERVE_START_TIMEOUT = 120.0


def command_env(**env: str) -> dict[str, str]:
    """The environment of a `referatbot` subprocess: this one's, without Bot Framework
    credentials (auth off), offline, with `env` added."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("Microsoft")}
    full.update(HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1", **env)
    return full


def run_referatbot(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """A `referatbot` command in its own process, beside running servers, with `env`
    added (command_env); this checkout's code (`python -m bot` from the repository)."""
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=command_env(**env),
                          capture_output=True, text=True, timeout=300)


async def start_serve(port: int, log: Path, *, settings: Settings | None = None,
                      **env: str) -> asyncio.subprocess.Process:
    """`referatbot serve --port PORT` in a subprocess with `env` added (and no Bot
    Framework credentials), its output appended to `log`; over `settings`' data dir and
    catalog when given."""
    if settings is not None:
        env = dict(REFERATBOT_DATA_DIR=str(settings.data_dir),
                   REFERATBOT_CATALOG_URL=settings.catalog_url or "", **env)
    full = command_env(**env)
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "serve", "--port", str(port), cwd=ROOT, env=full,
            stdout=out, stderr=out)


async def serve_ready(session: aiohttp.ClientSession, base: str,
                      proc: asyncio.subprocess.Process, log: Path) -> dict:
    """/readyz of a `serve` subprocess once 200; fails with its log if it exits first."""
    async def probe():
        async with session.get(f"{base}/readyz") as response:
            return response.status, await response.json()

    def alive():
        assert proc.returncode is None, log.read_text()

    return await wait_ready(probe=probe, alive=alive, timeout=SERVE_START_TIMEOUT, interval=0.2)


def own_database() -> str:
    """A Chroma database of one test's own on a shared server (CHROMA_DATABASE): tests on
    two xdist workers that each rebuild their index (`fresh`) must not drop each other's
    collections."""
    return f"test-{uuid.uuid4().hex}"


@contextlib.contextmanager
def chroma_for_tests(path: Path) -> Iterator[tuple[str, int]]:
    """(host, port) of a `chroma run` server: the one REFERATBOT_TEST_CHROMA names
    (scripts/test.sh starts it), else one started here on `path` and stopped after."""
    given = os.environ.get("REFERATBOT_TEST_CHROMA")
    if given:
        host, port = given.rsplit(":", 1)
        wait_for_chroma(host, int(port))
        yield host, int(port)
        return
    port = free_port()
    chroma = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen([str(chroma), "run", "--path", str(path), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_chroma("127.0.0.1", port)
        yield "127.0.0.1", port
    finally:
        proc.terminate()
        proc.wait(timeout=30)

"""The playground tier's fixtures: `scripts/playground.sh` itself (the bot's `serve` and
the Microsoft 365 Agents Playground pointed at it, over a copy of the session's indexed
samples, with an inbox), started once for the module and stopped as Ctrl-C stops it; one
headless Chromium for the module; and for each test the Playground's page afresh, saved
with the bot's log under test-artifacts/playground/ when the test fails."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from browser import ARTIFACTS, chromium, failed, save_page
from playground_page import Playground
from servers import ROOT, SERVE_START_TIMEOUT, command_env, free_port

SCRIPT = ROOT / "scripts" / "playground.sh"
PLAYGROUND = ROOT / "node_modules" / ".bin" / "agentsplayground"
URL_LINE = re.compile(r"^Microsoft 365 Agents Playground: (http://localhost:(\d+)/)", re.MULTILINE)
#: seconds between the inbox's polls here (the default is 10)
POLL = "0.5"
#: how long the script may take to stop both on Ctrl-C (serve drains its connections)
STOP_TIMEOUT = 120


@dataclass
class Stack:
    """scripts/playground.sh running: the Playground's page, the bot, and what a
    `referatbot` command beside them needs."""

    proc: subprocess.Popen
    url: str
    playground_port: int
    bot: str
    bot_port: int
    env: dict[str, str]
    data_dir: Path
    inbox: Path
    log: Path

    @property
    def connector(self) -> str:
        """The Playground's mock connector, the service URL its activities carry."""
        return f"http://localhost:{self.playground_port}/_connector"

    def stop(self) -> int:
        """Ctrl-C in the script's terminal (SIGINT to its process group): its exit status
        once it has stopped."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
        return self.proc.wait(timeout=STOP_TIMEOUT)


def wait_until(condition, what: str, proc: subprocess.Popen, log: Path,
               timeout: float = SERVE_START_TIMEOUT):
    """`condition()` once truthy; fails with the script's log if it stops or `timeout`
    seconds pass (a deadline to give up by, not a timing claim)."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert proc.poll() is None, f"playground.sh stopped before {what}:\n{log.read_text()}"
        assert time.monotonic() < deadline, f"no {what} after {timeout} s:\n{log.read_text()}"
        time.sleep(0.2)
    return value


def ready(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/readyz", timeout=10) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):  # 503 while loading, or not listening yet
        return False


@pytest.fixture(scope="module")
def stack(indexed_samples, tmp_path_factory):
    assert PLAYGROUND.exists(), "the Agents Playground is not installed: run npm ci"
    work = tmp_path_factory.mktemp("playground")
    data_dir, inbox = work / "data", work / "inbox"
    shutil.copytree(indexed_samples, data_dir)  # not empty: the script ingests nothing
    inbox.mkdir()
    env = {"REFERATBOT_DATA_DIR": str(data_dir), "REFERATBOT_INBOX": str(inbox),
           "REFERATBOT_INBOX_POLL_SECONDS": POLL}
    bot_port, playground_port = free_port(), free_port()
    out, log = work / "playground.out", work / "playground.log"
    with out.open("wb") as stdout, log.open("wb") as stderr:
        proc = subprocess.Popen(
            [str(SCRIPT)], cwd=ROOT, stdout=stdout, stderr=stderr, start_new_session=True,
            env=command_env(**env, PORT=str(bot_port), PLAYGROUND_PORT=str(playground_port),
                            VENV=sys.prefix, TEAMSAPPTESTER_BROWSER="none"))
    running = None
    try:
        url, port = wait_until(lambda: (m := URL_LINE.search(out.read_text())) and m.groups(),
                               "Playground URL", proc, log)
        bot = f"http://127.0.0.1:{bot_port}"
        wait_until(lambda: ready(bot), "ready bot", proc, log)
        running = Stack(proc, url, int(port), bot, bot_port, env, data_dir, inbox, log)
        yield running
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            proc.wait(timeout=STOP_TIMEOUT)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = chromium(tmp_path_factory.mktemp("chromium") / "profile", height=1000)
    yield driver
    driver.quit()


@pytest.fixture
def playground(request, stack, browser) -> Playground:
    """The Playground's page, loaded afresh (new conversations); if the test failed, its
    screenshot and source and the bot's log are kept under test-artifacts/playground/."""
    def keep():
        folder = ARTIFACTS / "playground"
        save_page(browser, folder, request.node.name)
        shutil.copyfile(stack.log, folder / f"{request.node.name}.log")

    page = Playground(browser, stack.url)
    try:
        page.load()
    except Exception:
        keep()
        raise
    yield page
    if failed(request.node):
        keep()

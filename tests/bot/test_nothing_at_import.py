"""Nothing is built at import: no module of `bot` starts a thread, holds a pool of them
or patches botbuilder when imported, nor when an endpoint is made. The signing-key guard
(botbuilder's class-level key cache replaced, a pool of fetch threads) is the app's: put
in place at start-up, taken away at clean-up, shared by the apps running at once."""
from __future__ import annotations

import concurrent.futures
import importlib
import json
import os
import pkgutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from botframework.connector.auth import JwtTokenExtractor

import bot
from bot.app import create_app
from bot.teams.adapter import BotEndpoint
from bot.teams.auth import KeysUnavailable
from servers import free_port

ROOT = Path(__file__).resolve().parents[2]
#: Imports every module of `bot` in a fresh interpreter; prints the threads it started
#: and whether botbuilder's key cache is the one it had, untouched.
IMPORT_ALL = """
import importlib, json, pkgutil, threading
from botframework.connector.auth import JwtTokenExtractor
cache, before = JwtTokenExtractor.metadataCache, set(threading.enumerate())
import bot
names = [m.name for m in pkgutil.walk_packages(bot.__path__, "bot.")
         if m.name != "bot.__main__"]  # which runs the CLI
for name in names:
    importlib.import_module(name)
print(json.dumps({"modules": names, "cache_kept": JwtTokenExtractor.metadataCache is cache
                  and type(cache) is dict and not cache,
                  "threads": [t.name for t in set(threading.enumerate()) - before]}))
"""


def bot_modules() -> list:
    return [importlib.import_module(m.name) for m in pkgutil.walk_packages(bot.__path__, "bot.")
            if m.name != "bot.__main__"]


@pytest.mark.slow  # a subprocess
def test_importing_every_module_starts_no_thread_and_patches_nothing():
    done = subprocess.run([sys.executable, "-c", IMPORT_ALL], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"}, check=True)
    found = json.loads(done.stdout)
    assert {"bot.app", "bot.teams.auth", "bot.teams.adapter", "bot.jobs.digest"} <= set(
        found["modules"])
    assert found == {"modules": found["modules"], "cache_kept": True, "threads": []}


def test_no_module_holds_a_pool_or_a_thread():
    held = [f"{module.__name__}.{name}" for module in bot_modules()
            for name, value in vars(module).items()
            if isinstance(value, (concurrent.futures.Executor, threading.Thread))]
    assert held == []


def test_making_an_endpoint_patches_nothing(bot_settings):
    cache = JwtTokenExtractor.metadataCache
    BotEndpoint(bot_settings, bot=None)
    assert JwtTokenExtractor.metadataCache is cache


def fetch_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("signing-keys")]


async def started(settings, embedder) -> TestClient:
    client = TestClient(TestServer(create_app(settings, embedder=embedder)))
    await client.start_server()
    return client


async def test_the_app_puts_the_guard_in_place_and_takes_it_away(bot_settings, embedder):
    cache = JwtTokenExtractor.metadataCache
    client = await started(bot_settings, embedder)
    try:
        guard = JwtTokenExtractor.metadataCache
        assert guard is not cache and guard.replaced is cache
        # a key fetch in the guard's pool: nothing listens there, so it fails
        url = f"http://127.0.0.1:{free_port()}/.well-known/openid-configuration"
        with pytest.raises(KeysUnavailable, match="could not be fetched"):
            await JwtTokenExtractor.get_open_id_metadata(url).get("a-key-id")
        assert fetch_threads()
    finally:
        await client.close()
    assert JwtTokenExtractor.metadataCache is cache
    assert url not in cache  # the guard's entries went with it
    for thread in fetch_threads():
        thread.join()
    with pytest.raises(RuntimeError, match="shutdown"):
        guard.fetcher.submit(int)


async def test_apps_running_at_once_share_the_guard_until_the_last_closes(bot_settings,
                                                                          embedder):
    cache = JwtTokenExtractor.metadataCache
    first = await started(bot_settings, embedder)
    second = await started(bot_settings, embedder)
    guard = JwtTokenExtractor.metadataCache
    await first.close()
    assert JwtTokenExtractor.metadataCache is guard
    assert guard.fetcher.submit(int).result() == 0  # its pool works on for the other app
    await second.close()
    assert JwtTokenExtractor.metadataCache is cache

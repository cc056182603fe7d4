#!/usr/bin/env python
"""How long a `serve` on a PostgreSQL catalog takes to be ready again after the server
restarts, and what it answers meanwhile.

Makes a throwaway PostgreSQL cluster (tests/catalogs.py PostgresServer; needs Debian's
postgresql), ingests the sample minutes into it, starts `referatbot serve` on it, and then
--restarts times: stops PostgreSQL (`pg_ctl stop -m fast`), polls /readyz and /api/ask
every 0.1 s for --outage seconds, starts it again, and times from the moment PostgreSQL
accepts connections until /readyz is 200. Prints one JSON object:

    python scripts/bench_catalog_restart.py --restarts 5 --outage 10
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from bot.settings import Settings  # noqa: E402
from bot.stores import open_catalog  # noqa: E402
from catalogs import PostgresServer  # noqa: E402
from ingest.pipeline import ingest_paths  # noqa: E402
from servers import free_port  # noqa: E402

QUESTION = "hvad besluttede CF om telefontider?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--restarts", type=int, default=5)
    parser.add_argument("--outage", type=float, default=10.0, help="seconds PostgreSQL is down")
    args = parser.parse_args()
    postgres = PostgresServer(free_port()).create()
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            settings = Settings(data_dir=Path(data_dir), catalog_url=postgres.url)
            with open_catalog(settings) as catalog:
                assert ingest_paths([ROOT / "data" / "samples"], catalog, progress=False).ok
            print(json.dumps(asyncio.run(bench(settings, postgres, args)), ensure_ascii=False))
    finally:
        postgres.remove()


async def bench(settings: Settings, postgres: PostgresServer, args) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("Microsoft")}
    env.update(HF_HUB_OFFLINE="1", REFERATBOT_DATA_DIR=str(settings.data_dir),
               REFERATBOT_CATALOG_URL=settings.catalog_url)
    server = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            started = time.monotonic()
            await until_ready(session, base, timeout=600)
            load_seconds = time.monotonic() - started
            rounds = [await one_restart(session, base, postgres, args.outage)
                      for _ in range(args.restarts)]
    finally:
        server.terminate()
        server.wait(60)
    recoveries = sorted(r["recovery_seconds"] for r in rounds)
    return {"restarts": args.restarts, "outage_seconds": args.outage,
            "serve_load_seconds": round(load_seconds, 1),
            "recovery_seconds": recoveries,
            "recovery_median": recoveries[len(recoveries) // 2],
            "readyz_while_down": sum((r["readyz"] for r in rounds), Counter()),
            "ask_while_down": sum((r["ask"] for r in rounds), Counter()),
            "ask_while_down_ms_max": max(r["ask_ms_max"] for r in rounds)}


async def one_restart(session, base: str, postgres: PostgresServer, outage: float) -> dict:
    await asyncio.to_thread(postgres.stop)
    readyz, ask, ask_ms = Counter(), Counter(), []
    down_until = time.monotonic() + outage
    while time.monotonic() < down_until:
        readyz[str(await status(session, f"{base}/readyz"))] += 1
        start = time.perf_counter()
        ask[str(await status(session, f"{base}/api/ask", q=QUESTION))] += 1
        ask_ms.append((time.perf_counter() - start) * 1000)
        await asyncio.sleep(0.1)
    await asyncio.to_thread(postgres.start)  # returns once PostgreSQL accepts connections
    back = time.monotonic()
    await until_ready(session, base, timeout=120, interval=0.05)
    return {"recovery_seconds": round(time.monotonic() - back, 2), "readyz": readyz,
            "ask": ask, "ask_ms_max": round(max(ask_ms), 1)}


async def status(session, url: str, **params) -> int | str:
    try:
        async with session.get(url, params=params) as response:
            await response.read()
            return response.status
    except (aiohttp.ClientError, asyncio.TimeoutError) as e:
        return type(e).__name__


async def until_ready(session, base: str, *, timeout: float, interval: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while await status(session, f"{base}/readyz") != 200:
        if time.monotonic() > deadline:
            raise SystemExit(f"serve at {base} not ready after {timeout:.0f} s")
        await asyncio.sleep(interval)


if __name__ == "__main__":
    main()

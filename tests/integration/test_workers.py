"""`referatbot serve --workers N` (bot/workers.py): N processes answering on one port,
over one Chroma server and one catalog, the workers ending with the first process."""
from __future__ import annotations

import asyncio
import os
import signal

import aiohttp
import psutil
import pytest

from bot.stores import open_catalog, open_index
from ingest.pipeline import ingest_paths
from servers import eventually, free_port, run_referatbot, serve_ready, start_serve

from test_chroma_server import TELEFON, chroma_server, server_settings  # noqa: F401 (fixtures)

#: a Chroma server and `serve` subprocesses: the full tier only
pytestmark = pytest.mark.slow


def test_more_than_one_worker_without_a_chroma_server_is_refused(tmp_path):
    result = run_referatbot({"REFERATBOT_DATA_DIR": str(tmp_path / "data"), "CHROMA_HOST": ""},
                            "serve", "--workers", "2", "--port", str(free_port()))
    assert result.returncode == 1
    assert "--workers 2 needs a Chroma server (CHROMA_HOST" in result.stderr


async def test_workers_share_the_port_answer_and_end_with_the_first(
        server_settings, samples_dir, embedder, tmp_path):  # noqa: F811
    with open_catalog(server_settings) as catalog:
        index = open_index(server_settings, catalog, embedder=embedder, fresh=True)
        ingest_paths([samples_dir], catalog, progress=False)
        index.sync(progress=False)
    port, log = free_port(), tmp_path / "serve.log"
    proc = await start_serve(port, log, settings=server_settings, REFERATBOT_WORKERS="2",
                             CHROMA_HOST=server_settings.chroma_host,
                             CHROMA_PORT=str(server_settings.chroma_port),
                             CHROMA_DATABASE=server_settings.chroma_database)
    base = f"http://127.0.0.1:{port}"
    first = psutil.Process(proc.pid)
    try:
        async with aiohttp.ClientSession() as session:
            await serve_ready(session, base, proc, log)
            (worker,) = first.children()
            assert "--worker" in worker.cmdline()

            def listening(p: psutil.Process) -> bool:
                return any(c.status == psutil.CONN_LISTEN and c.laddr.port == port
                           for c in p.net_connections())

            await eventually(lambda: asyncio.sleep(0, [listening(first), listening(worker)]),
                             all, what="both processes listening on the port")
            # each takes connections from its start, loading as one server alone does
            await eventually(lambda: asyncio.sleep(0, log.read_text().count("engine ready")),
                             lambda n: n == 2, what="both engines ready")

            async def ask(question: str) -> dict:
                async with session.get(f"{base}/api/ask", params={"q": question}) as response:
                    assert response.status == 200, await response.text()
                    return await response.json()

            answers = await asyncio.gather(*(ask(TELEFON) for _ in range(12)))
            for answer in answers:
                assert answer["answered"]
                assert (answer["citations"][0]["meeting_date"],
                        answer["citations"][0]["punkt"]) == ("2024-04-24", 7)
        os.kill(proc.pid, signal.SIGKILL)  # no chance to stop its workers itself
        await proc.wait()
        await eventually(lambda: asyncio.sleep(0, worker.is_running()), lambda alive: not alive,
                         timeout=30, what="the worker ending with the first process")
    finally:
        for p in [first, *first.children()] if first.is_running() else []:
            p.kill()
        if proc.returncode is None:
            proc.kill()
            await proc.wait()

"""Two `referatbot serve` processes on one catalog, as replicas behind a load balancer:
Teams' retry of an activity reaching the other replica, or the same activity reaching
both at once, is answered once. With the SQLite catalog (replicas on one machine) and
with the PostgreSQL one.

The activities are `hjælp`, which needs no search index: the replicas' vector store (a
Chroma server address nobody listens on) stays down, which does not touch the dedupe.
"""
from __future__ import annotations

import asyncio
import signal

import aiohttp
import pytest

from fake_teams import activity_json
from servers import free_port, start_serve

#: `serve` subprocesses: the full tier only
pytestmark = [pytest.mark.slow, pytest.mark.both_catalogs]
START_TIMEOUT = 120.0


async def until_listening(session: aiohttp.ClientSession, base: str, proc, log) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT
    while True:
        assert proc.returncode is None, log.read_text()
        try:
            async with session.get(f"{base}/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientConnectionError:
            pass
        assert loop.time() < deadline, log.read_text()
        await asyncio.sleep(0.2)


@pytest.fixture
async def replicas(settings, tmp_path):
    """Two serve processes on one data dir and catalog: their base URLs."""
    nobody = str(free_port())
    started = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        for n in (1, 2):
            port, log = free_port(), tmp_path / f"serve-{n}.log"
            proc = await start_serve(port, log, settings=settings, CHROMA_HOST="127.0.0.1",
                                     CHROMA_PORT=nobody)
            started.append((proc, log))
            await until_listening(session, f"http://127.0.0.1:{port}", proc, log)
            started[-1] += (f"http://127.0.0.1:{port}",)
        yield session, [base for _, _, base in started]
    for proc, log, _ in started:
        proc.send_signal(signal.SIGINT)
        await asyncio.wait_for(proc.wait(), 60)
        assert proc.returncode == 0, log.read_text()
        assert "Traceback" not in log.read_text()


async def post(session, base: str, activity: dict) -> int:
    """POST an activity; the 201 comes once the turn is over (any reply already sent)."""
    async with session.post(f"{base}/api/messages", json=activity) as response:
        return response.status


async def test_a_retry_reaching_the_other_replica_is_answered_once(replicas, connector):
    session, (first, second) = replicas
    activity = activity_json("hjælp", service_url=connector.url, activity_id="act-retry")
    assert await post(session, first, activity) == 201
    assert len(connector.received) == 1
    assert await post(session, second, activity) == 201  # acknowledged ...
    assert await post(session, first, activity) == 201
    assert len(connector.received) == 1  # ... and not answered again

    other = activity_json("hjælp", service_url=connector.url, activity_id="act-other")
    assert await post(session, second, other) == 201  # a new activity is answered there
    assert len(connector.received) == 2


async def test_the_same_activity_at_both_replicas_at_once_is_answered_once(replicas, connector):
    session, bases = replicas
    for n in range(5):
        activity = activity_json("hjælp", service_url=connector.url, activity_id=f"act-{n}")
        statuses = await asyncio.gather(*(post(session, base, activity) for base in bases))
        assert statuses == [201, 201]
        assert len(connector.received) == n + 1
    assert {r["replyToId"] for r in connector.received} == {f"act-{n}" for n in range(5)}

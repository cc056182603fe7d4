"""Processes sharing one PostgreSQL catalog (REFERATBOT_CATALOG_URL), as replicas on
different machines do: concurrent ingest keeps every meeting and a unique ingest sequence,
and two `referatbot digest --send` runs at once deliver each digest exactly once.

The server comes from REFERATBOT_TEST_POSTGRES (scripts/test.sh starts one); without it
these tests are skipped (tests/catalogs.py), except the one that needs no server.
"""
from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.jobs.subscriptions import Subscriptions
from bot.settings import Settings
from bot.stores import open_catalog
from catalogs import fresh_postgres_catalog
from ingest.pipeline import ingest_paths

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "bot"))
from fake_teams import FakeConnector  # noqa: E402

#: PostgreSQL and CLI subprocesses: the full tier only
pytestmark = pytest.mark.slow

#: One writer process: at the start time it opens the catalog (creating its tables at the
#: same moment as the other) and stores the sample under `count` dates from `first_year`;
#: a meeting the other process stored first is 'unchanged'.
STORE = """
import dataclasses, datetime as dt, sys, time
from ingest.catalog import Catalog
from ingest.parse import parse_referat

url, sample, first_year, count, start = sys.argv[1:]
meeting = parse_referat(open(sample, encoding="utf-8").read())
time.sleep(max(0, float(start) - time.time()))
with Catalog(url) as catalog:
    for year in range(int(first_year), int(first_year) + int(count)):
        day = dataclasses.replace(meeting, meeting_date=dt.date(year, 1, 2))
        assert catalog.store(day, f"{year:064d}") in ("new", "unchanged")
"""


def env_for(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("Microsoft")}
    env.update(HF_HUB_OFFLINE="1", REFERATBOT_DATA_DIR=str(settings.data_dir),
               REFERATBOT_CATALOG_URL=settings.catalog_url or "")
    return env


@pytest.fixture
def shared(tmp_path) -> Settings:
    """Settings whose catalog is a fresh schema on the test's PostgreSQL server."""
    with fresh_postgres_catalog() as url:
        yield Settings(data_dir=tmp_path / "data", catalog_url=url)


@pytest.fixture
async def connector():
    fake = await FakeConnector().start()
    yield fake
    await fake.close()


def test_two_processes_ingest_into_one_catalog(shared, sample):
    """Years 2000-2029 and 2015-2044, started at the same moment: 45 meetings."""
    start = str(time.time() + 5)
    procs = [subprocess.Popen([sys.executable, "-c", STORE, shared.catalog_url,
                               str(sample("2024-04-24")), str(first), "30", start],
                              cwd=ROOT, env=env_for(shared), stderr=subprocess.PIPE, text=True)
             for first in (2000, 2015)]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err

    with open_catalog(shared) as catalog:
        meetings, punkter = catalog.count()
        assert meetings == 45 and punkter == meetings * 10
        assert catalog.max_seq() == meetings
        # each store took its own sequence number: no two meetings share one
        seqs = {d.seq for d in catalog.decisions_since(0)}
        assert seqs == set(range(1, meetings + 1))
    # and a third process, the CLI, sees them all
    listed = subprocess.run([sys.executable, "-m", "bot", "meetings", "--json"], cwd=ROOT,
                            env=env_for(shared), capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == meetings


async def test_two_digest_processes_send_each_digest_once(shared, samples_dir, connector):
    conversations = [f"19:team-{i}@thread.tacv2" for i in range(6)]
    with open_catalog(shared) as catalog:
        assert ingest_paths([samples_dir / "chefforum-2023-03-15.txt"], catalog, progress=False).ok
        subscriptions = Subscriptions.over(catalog)
        for conversation in conversations:
            reference = {"conversation": {"id": conversation, "tenantId": "tenant-1"},
                         "serviceUrl": connector.url, "channelId": "msteams",
                         "bot": {"id": "28:bot"}, "user": {"id": "29:marie"}}
            subscriptions.subscribe(reference, tenant_id="tenant-1", service_url=connector.url,
                                    subscribed_by="Marie")
        assert ingest_paths([samples_dir / "chefforum-2024-04-24.txt"], catalog, progress=False).ok
        max_seq = catalog.max_seq()

    procs = [await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "digest", "--send", "--json", cwd=ROOT, env=env_for(shared),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE) for _ in range(2)]
    results = []
    for proc in procs:
        out, err = await asyncio.wait_for(proc.communicate(), 180)
        assert proc.returncode == 0, err.decode()
        results += [json.loads(line) for line in out.decode().splitlines()]

    sent = sorted(r["conversation_id"] for r in results if r["status"] == "sent")
    assert sent == conversations
    assert {r["status"] for r in results} <= {"sent", "busy", "nothing new"}
    assert sorted(a["conversation"]["id"] for a in connector.received) == conversations
    with open_catalog(shared) as catalog:
        subscriptions = Subscriptions.over(catalog)
        assert [subscriptions.get(c).watermark for c in conversations] == [max_seq] * 6


def test_an_unreachable_catalog_server_is_one_line_naming_it(tmp_path):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Settings(data_dir=tmp_path / "data",
                        catalog_url=f"postgresql://bot:secret@127.0.0.1:{port}/referatbot")
    result = subprocess.run([sys.executable, "-m", "bot", "meetings"], cwd=ROOT,
                            env=env_for(settings), capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"Error: cannot open the catalog at postgresql://bot:***@127.0.0.1:{port}/referatbot")
    assert "secret" not in result.stderr and "Traceback" not in result.stderr

"""`referatbot digest --send` killed (SIGKILL) while the Teams connector holds its send
open, then run again: no digest lost, none twice, and the watermark moves only with a
delivery.

The run is a real process; the connector is the fake one, in this test's event loop, so
the test decides when the send is accepted. One window stays open (bot/jobs/digest.py): a
process killed after the connector accepted the card and before the watermark was
written sends it again on the rerun. `test_killed_after_the_connector_accepted...`
measures that window for what it is: one duplicate, said in the rerun's log (the intent
recorded before the POST outlives the killed sender), and then nothing more. Each test runs
with the SQLite and with the PostgreSQL catalog.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import socket
import sys
from pathlib import Path

import pytest

from bot.jobs.subscriptions import Subscriptions
from bot.settings import Settings
from bot.stores import open_catalog
from fake_teams import actions
from ingest.pipeline import ingest_paths

ROOT = Path(__file__).resolve().parents[2]
CONVERSATION = "19:chefgruppen@thread.tacv2"
#: kills `digest --send` subprocesses: the full tier only
pytestmark = [pytest.mark.both_catalogs, pytest.mark.slow]


def ingest_as(samples_dir: Path, folder: Path, catalog, name: str, day: tuple[str, str]) -> None:
    """A sample ingested under another date (`day`: the 24-04-2024 and 24. april 2024
    spellings replaced), so it is a new meeting with new decisions."""
    text = (samples_dir / name).read_text(encoding="utf-8") \
        .replace("24-04-2024", day[0]).replace("24. april 2024", day[1])
    folder.mkdir()
    (folder / f"{day[0]}.txt").write_text(text, encoding="utf-8")
    assert ingest_paths([folder], catalog, progress=False).ok


@pytest.fixture
def data(settings, tmp_path, samples_dir, connector) -> Settings:
    """A catalog with one subscription (serviceUrl: the fake connector) and, after it
    subscribed, one new meeting whose decisions the next digest carries."""
    reference = {"conversation": {"id": CONVERSATION, "tenantId": "tenant-1"},
                 "serviceUrl": connector.url, "channelId": "msteams",
                 "bot": {"id": "28:bot"}, "user": {"id": "29:marie"}}
    with open_catalog(settings) as catalog:
        ingest_as(samples_dir, tmp_path / "old", catalog, "chefforum-2024-04-24.txt",
                  ("24-04-2024", "24. april 2024"))
        Subscriptions.over(catalog).subscribe(reference, tenant_id="tenant-1",
                                         service_url=connector.url, subscribed_by="Marie")
        ingest_as(samples_dir, tmp_path / "new", catalog, "chefforum-2024-04-24.txt",
                  ("05-06-2024", "5. juni 2024"))
    return settings


def row(data: Settings) -> dict:
    """The subscription's row as the database holds it (watermark, lease), and the
    catalog's ingest sequence (what a delivered digest's watermark becomes)."""
    with open_catalog(data) as catalog:
        with catalog.transaction() as db:
            found = dict(db.execute(
                "SELECT s.*, l.owner AS lease_owner, i.watermark FROM subscriptions s "
                "JOIN subscription_interests i ON i.conversation_id=s.conversation_id "
                "LEFT JOIN leases l ON l.name=? WHERE s.conversation_id=?",
                (f"digest:{CONVERSATION}", CONVERSATION)).fetchone())
        found["max_seq"] = catalog.max_seq()
    return found


async def start_digest(data: Settings) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("Microsoft")}
    env.update(HF_HUB_OFFLINE="1", REFERATBOT_DATA_DIR=str(data.data_dir),
               REFERATBOT_CATALOG_URL=data.catalog_url or "")
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "digest", "--send", "--json", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def digest_logged(data: Settings) -> tuple[dict, str]:
    """Run `digest --send --json` to its end: its one result line, and its log."""
    proc = await start_digest(data)
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, err.decode()
    [line] = out.decode().splitlines()
    return json.loads(line), err.decode()


async def digest(data: Settings) -> dict:
    return (await digest_logged(data))[0]


async def kill_mid_send(data: Settings, connector, hold: str) -> int:
    """Start a digest run, SIGKILL it while the connector holds its POST (`hold`:
    'hold_before' or 'hold_after' acceptance), then let the connector go on. Returns the
    killed process's pid."""
    release = asyncio.Event()
    setattr(connector, hold, release)
    proc = await start_digest(data)
    try:
        await connector.wait_for_requests(1, timeout=120)
        # Kill only once the POST is held: counted on arrival, it may not have been read
        # (and, with hold_after, accepted) yet, and a kill then is the other case.
        deadline = asyncio.get_running_loop().time() + 30
        while not connector.held:
            assert asyncio.get_running_loop().time() < deadline, "the POST was never held"
            await asyncio.sleep(0.01)
    finally:
        proc.kill()
        await proc.wait()
    assert proc.returncode == -9
    await connector.wait_until_senders_gone()
    setattr(connector, hold, None)
    release.set()
    await asyncio.sleep(0.1)  # the held handler finishes
    return proc.pid


def decisions_in(activity: dict) -> int:
    [attachment] = activity["attachments"]
    return len([b for b in actions(attachment["content"]) if b["title"] == "Vis hele punktet"])


async def test_killed_before_the_connector_accepted_then_rerun_delivers_once(data, connector):
    before = row(data)
    assert before["watermark"] < before["max_seq"]  # there is something to send

    pid = await kill_mid_send(data, connector, "hold_before")
    assert connector.received == []  # nothing reached the conversation
    killed = row(data)
    assert killed["watermark"] == before["watermark"]
    assert killed["lease_owner"] == f"{socket.gethostname()}:{pid}"  # left by the dead run

    result = await digest(data)  # the lease of a dead process does not hold it up
    assert result["status"] == "sent" and result["decisions"] == 10
    [delivered] = connector.received
    assert delivered["conversation"]["id"] == CONVERSATION
    assert decisions_in(delivered) == 10
    after = row(data)
    assert after["watermark"] == after["max_seq"] and after["lease_owner"] is None

    assert (await digest(data))["status"] == "nothing new"
    assert len(connector.received) == 1  # exactly one digest in all


async def test_killed_after_the_connector_accepted_sends_it_again_once(data, connector):
    """The known window: Teams accepted the card, the process died before writing the
    watermark, so the rerun cannot know and sends it again. One duplicate, no more."""
    before = row(data)
    await kill_mid_send(data, connector, "hold_after")
    assert len(connector.received) == 1  # accepted: the conversation shows it
    killed = row(data)
    assert killed["watermark"] == before["watermark"]  # ... but nobody recorded that
    assert killed["sending_watermark"] == killed["max_seq"]  # only that it was on its way

    result, log = await digest_logged(data)
    assert result["status"] == "sent"
    assert "died during its POST" in log and "may be there already" in log
    assert len(connector.received) == 2
    assert connector.received[0]["attachments"] == connector.received[1]["attachments"]
    after = row(data)
    assert after["watermark"] == after["max_seq"] and after["sending_watermark"] is None
    assert (await digest(data))["status"] == "nothing new"
    assert len(connector.received) == 2


async def test_a_live_lease_still_keeps_a_second_sender_out(data, connector):
    """Only a dead holder's lease is void: one held by a running process (here this test's
    parent, on this machine) or by a process on another machine is waited for."""
    now = dt.datetime.now(dt.timezone.utc)
    for holder in (f"{socket.gethostname()}:{os.getppid()}", f"another-host:{os.getpid() + 1}"):
        with open_catalog(data) as catalog:
            subs = Subscriptions.over(catalog)
            assert subs.claim(CONVERSATION, holder, now=now, lease=dt.timedelta(minutes=5))
        assert (await digest(data))["status"] == "busy"
        with open_catalog(data) as catalog:
            Subscriptions.over(catalog).release(CONVERSATION, holder)
    assert connector.requests == 0
    assert (await digest(data))["status"] == "sent"

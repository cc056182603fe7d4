"""The inbox in real `referatbot serve` processes: a referat copied into REFERATBOT_INBOX
is answered over HTTP and carried by the next digest, with the embedded store and with a
`chroma run` server; `referatbot status` reads the intake while serve runs; and two
replicas on one inbox, one catalog and one Chroma server take each file once, and both
answer it.

Real processes, files, catalog, model and Chroma; the fake Teams connector (in this
test's event loop) is the only stand-in. Outcomes are polled for with a generous
deadline, never timed."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import signal
import subprocess
from pathlib import Path

import aiohttp
import pytest

from bot.jobs.intake import Intake
from bot.settings import Settings
from bot.stores import open_catalog, open_index
from fake_teams import activity_json
from ingest.pipeline import ingest_paths
from new_minutes import answers_telefon, file_name, redated, telefon_question
from servers import (chroma_for_tests, eventually, free_port, own_database, run_referatbot,
                     serve_ready, start_serve)

#: `serve` subprocesses and a Chroma server: the full tier only
pytestmark = pytest.mark.slow

#: seconds between the inbox's polls here (the default is 10)
POLL = "0.5"
#: long enough for a loaded machine to embed a few meetings
DEADLINE = 300.0
JUNE, AUGUST, OCTOBER = dt.date(2024, 6, 5), dt.date(2024, 8, 14), dt.date(2024, 10, 2)


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    with chroma_for_tests(tmp_path_factory.mktemp("chroma-server")) as server:
        yield server


@pytest.fixture
def server_data(tmp_path, chroma_server, samples_dir, embedder, catalog_url) -> Settings:
    """A catalog of the samples (SQLite, or PostgreSQL for tests marked both_catalogs)
    whose index is on the Chroma server, built afresh."""
    host, port = chroma_server
    settings = Settings(data_dir=tmp_path / "data", catalog_url=catalog_url,
                        chroma_host=host, chroma_port=port, chroma_database=own_database())
    with open_catalog(settings) as catalog:
        assert ingest_paths([samples_dir], catalog, progress=False).ok
        open_index(settings, catalog, embedder=embedder, fresh=True).sync(progress=False)
    return settings


@pytest.fixture
def inbox(tmp_path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def environment(settings: Settings, inbox: Path | None = None) -> dict[str, str]:
    """What a deployment sets for these settings."""
    env = {"REFERATBOT_DATA_DIR": str(settings.data_dir)}
    if inbox is not None:
        env.update(REFERATBOT_INBOX=str(inbox), REFERATBOT_INBOX_POLL_SECONDS=POLL)
    if settings.chroma_host:
        env.update(CHROMA_HOST=settings.chroma_host, CHROMA_PORT=str(settings.chroma_port),
                   CHROMA_DATABASE=settings.chroma_database)
    if settings.catalog_url:
        env["REFERATBOT_CATALOG_URL"] = settings.catalog_url
    return env


def referatbot(settings: Settings, *args: str) -> subprocess.CompletedProcess:
    """A `referatbot` command in its own process, beside the running servers."""
    return run_referatbot(environment(settings), *args)


class Replica:
    """A running `serve` and its log."""

    def __init__(self, proc: asyncio.subprocess.Process, base: str, log: Path):
        self.proc, self.base, self.log = proc, base, log

    @classmethod
    async def start(cls, session, settings: Settings, inbox: Path, tmp_path: Path,
                    name: str) -> "Replica":
        port, log = free_port(), tmp_path / f"{name}.log"
        proc = await start_serve(port, log, **environment(settings, inbox))
        replica = cls(proc, f"http://127.0.0.1:{port}", log)
        await serve_ready(session, replica.base, proc, log)
        return replica

    async def ask(self, session, question: str) -> dict:
        async with session.get(f"{self.base}/api/ask", params={"q": question}) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def answers(self, session, day: dt.date) -> dict:
        """The answer to the question only `day`'s meeting answers, once it does."""
        return await eventually(lambda: self.ask(session, telefon_question(day)),
                                lambda body: answers_telefon(body, day), timeout=DEADLINE,
                                interval=0.5, what=f"{self.base} answering from {day}")

    async def stop(self) -> str:
        """Stop as a person would (Ctrl-C); the log, which must hold no traceback."""
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGINT)
            await asyncio.wait_for(self.proc.wait(), 90)
        text = self.log.read_text(encoding="utf-8", errors="replace")
        assert self.proc.returncode == 0, text
        assert "Traceback" not in text, text
        return text


@pytest.mark.parametrize("store", ["embedded", "server"])
async def test_a_referat_copied_into_the_inbox_is_answered_and_in_the_next_digest(
        request, store, inbox, connector, samples_dir, tmp_path):
    settings = request.getfixturevalue("bot_settings" if store == "embedded" else "server_data")
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        replica = await Replica.start(session, settings, inbox, tmp_path, "serve")
        try:
            async with session.post(f"{replica.base}/api/messages", json=activity_json(
                    "abonner", service_url=connector.url)) as response:
                assert response.status == 201
            await connector.wait_for(1)
            assert not answers_telefon(await replica.ask(session, telefon_question(JUNE)), JUNE)

            (inbox / file_name(JUNE)).write_text(redated(samples_dir, JUNE), encoding="utf-8")
            await replica.answers(session, JUNE)

            shown = await asyncio.to_thread(referatbot, settings, "status", "--json")
            assert shown.returncode == 0, shown.stderr
            last = json.loads(shown.stdout)["last_intake"]
            assert [(f["path"], f["status"]) for f in last["files"]] == [(file_name(JUNE), "new")]
            assert last["meetings_added"] == 1

            sent = await asyncio.to_thread(referatbot, settings, "digest", "--send", "--json")
            assert sent.returncode == 0, sent.stderr
            assert [json.loads(line)["status"] for line in sent.stdout.splitlines()] == ["sent"]
            _, digest = await connector.wait_for(2)
            assert "Mødet 05.06.2024" in json.dumps(digest["attachments"], ensure_ascii=False)
        finally:
            log = await replica.stop()
    assert f"inbox: took {file_name(JUNE)}: new (meeting 2024-06-05)" in log


@pytest.mark.both_catalogs
async def test_two_replicas_on_one_inbox_take_each_file_once_and_both_answer_it(
        server_data, inbox, samples_dir, tmp_path):
    days = (JUNE, AUGUST, OCTOBER)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        replicas = [await Replica.start(session, server_data, inbox, tmp_path, name)
                    for name in ("replica-1", "replica-2")]
        try:
            for day in days:
                (inbox / file_name(day)).write_text(redated(samples_dir, day), encoding="utf-8")
            for replica in replicas:
                for day in days:
                    await replica.answers(session, day)
        finally:
            logs = [await replica.stop() for replica in replicas]
    with open_catalog(server_data) as catalog:
        records = Intake(catalog.db).intakes(limit=100)
    takes = sorted((f.path, f.status, r.owner) for r in records for f in r.files)
    assert [(path, status) for path, status, _ in takes] == \
        sorted((file_name(day), "new") for day in days)
    owners = {owner.rpartition(":")[2] for _, _, owner in takes}
    assert owners <= {str(r.proc.pid) for r in replicas}
    for day in days:  # each file's taking is logged by one replica only
        assert sum(f"inbox: took {file_name(day)}: new" in log for log in logs) == 1

"""The same flows against a real `chroma run` server (CHROMA_HOST/CHROMA_PORT): ingest,
ask, reindex, digest, and two processes sharing one server and one catalog.

scripts/test.sh starts the server and passes it in REFERATBOT_TEST_CHROMA (host:port);
without it the fixture starts its own. Either way the server is stopped at the end.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bot.jobs.digest import DigestRunner
from bot.jobs.subscriptions import Subscriptions
from bot.settings import Settings
from bot.stores import open_catalog, open_index
from ingest.pipeline import ingest_paths
from retrieval.answer import Answerer
from retrieval.store import StoreUnavailable, connect
from servers import chroma_for_tests, free_port, own_database

#: a Chroma server and CLI subprocesses: the full tier only
pytestmark = pytest.mark.slow

TELEFON = "hvad besluttede CF om telefontider?"




@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    with chroma_for_tests(tmp_path_factory.mktemp("chroma-server")) as server:
        yield server


@pytest.fixture
def server_settings(tmp_path, chroma_server) -> Settings:
    host, port = chroma_server
    return Settings(data_dir=tmp_path / "data", chroma_host=host, chroma_port=port,
                    chroma_database=own_database())


def test_ingest_ask_reindex_against_a_server(server_settings, samples_dir, embedder):
    with open_catalog(server_settings) as catalog:
        index = open_index(server_settings, catalog, embedder=embedder, fresh=True)
        assert ingest_paths([samples_dir], catalog, progress=False).ok
        assert index.sync(progress=False) == 5
        chunks = index.store.count()
        assert chunks > 50
        # nothing lives in the data dir's embedded Chroma: the vectors are on the server
        assert not server_settings.chroma_path.exists()

        answer = Answerer(index).ask(TELEFON)
        assert answer.answered
        top = answer.citations[0]
        assert (top.meeting_date.isoformat(), top.punkt) == ("2024-04-24", 7)

        again = open_index(server_settings, catalog, embedder=embedder, fresh=True)
        again.clear()
        assert again.sync(progress=False) == 5
        assert again.store.count() == chunks
        assert Answerer(again).ask(TELEFON).citations[0].punkt == 7


async def test_digest_with_the_index_on_a_server(server_settings, samples_dir, embedder):
    sent = []

    async def send(sub, card):
        sent.append((sub.conversation_id, card))

    with open_catalog(server_settings) as catalog:
        subs = Subscriptions.over(catalog)
        subs.subscribe({"conversation": {"id": "c1"}, "serviceUrl": "http://127.0.0.1:9/"},
                       tenant_id="t", service_url="http://127.0.0.1:9/", subscribed_by="a")
        index = open_index(server_settings, catalog, embedder=embedder, fresh=True)
        assert ingest_paths([samples_dir], catalog, progress=False).ok
        index.sync(progress=False)
        results = await DigestRunner(catalog, subs, send).run_once()
    assert [r.status for r in results] == ["sent"]
    assert "Rådhusets telefontider" in json.dumps(sent[0][1], ensure_ascii=False)


def test_two_processes_share_one_server_and_one_catalog(server_settings, samples_dir, embedder):
    with open_catalog(server_settings) as catalog:
        index = open_index(server_settings, catalog, embedder=embedder, fresh=True)
        ingest_paths([samples_dir], catalog, progress=False)
        index.sync(progress=False)
    env = dict(os.environ, REFERATBOT_DATA_DIR=str(server_settings.data_dir),
               CHROMA_HOST=server_settings.chroma_host, CHROMA_PORT=str(server_settings.chroma_port),
               CHROMA_DATABASE=server_settings.chroma_database,
               HF_HUB_OFFLINE="1")
    questions = f"{TELEFON}\nhvem er sikkerhedskoordinator?\nseneste møde\n"
    procs = [subprocess.Popen([sys.executable, "-m", "bot", "ask", "--json", "-"], env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    outs = [p.communicate(questions, timeout=240) for p in procs]
    for proc, (out, err) in zip(procs, outs):
        assert proc.returncode == 0, err
        answers = [json.loads(line) for line in out.splitlines()]
        assert [a["answered"] for a in answers] == [True, True, True]
        assert (answers[0]["citations"][0]["meeting_date"], answers[0]["citations"][0]["punkt"]) \
            == ("2024-04-24", 7)
        assert answers[1]["citations"][0]["punkt"] == 5
        assert answers[2]["meeting"]["meeting_date"] == "2024-04-24"


def test_unreachable_server_is_a_clear_error(tmp_path, samples_dir):
    port = free_port()
    with pytest.raises(StoreUnavailable, match=f"cannot reach the Chroma server at 127.0.0.1:{port}"):
        connect(host="127.0.0.1", port=port)
    env = dict(os.environ, REFERATBOT_DATA_DIR=str(tmp_path / "data"), CHROMA_HOST="127.0.0.1",
               CHROMA_PORT=str(port), HF_HUB_OFFLINE="1")
    proc = subprocess.run([sys.executable, "-m", "bot", "ingest", str(samples_dir)], env=env,
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode != 0
    assert f"cannot reach the Chroma server at 127.0.0.1:{port}" in proc.stderr


def test_deployments_sharing_a_server_keep_their_own_database(server_settings, samples_dir,
                                                              embedder, tmp_path):
    """CHROMA_DATABASE: an index rebuilt afresh in one database leaves another's alone
    (two deployments, or two tests on two workers, on one server)."""
    other = server_settings.with_(data_dir=tmp_path / "other", chroma_database=own_database())
    counts = []
    for settings, minutes in ((server_settings, samples_dir),
                              (other, samples_dir / "chefforum-2024-04-24.txt")):
        with open_catalog(settings) as catalog:
            assert ingest_paths([minutes], catalog, progress=False).ok
            index = open_index(settings, catalog, embedder=embedder, fresh=True)
            index.sync(progress=False)
            counts.append(index.store.count())
    assert counts[0] > counts[1] > 0
    with open_catalog(server_settings) as catalog:
        again = open_index(server_settings, catalog, embedder=embedder)
        assert again.store.count() == counts[0]  # the other's fresh start dropped nothing

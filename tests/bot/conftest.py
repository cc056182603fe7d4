"""Fixtures for the bot tests: the session's indexed samples (tests/conftest.py's
`indexed_samples`), copied into each test's own data dir so subscriptions and feedback
written by one test never reach another; the bot on botbuilder's TestAdapter; and a fake
Teams connector, the one stand-in for the network.
"""
from __future__ import annotations

import shutil

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.conversation import Conversation
from bot.engine import Engine
from bot.feedback import Feedback
from bot.jobs.subscriptions import Subscriptions
from bot.settings import Settings
from bot.stores import open_catalog
from bot.teams.handler import ReferatBot
from fake_teams import Chat, FakeConnector
from forum_files import forum_files
from ingest.pipeline import ingest_paths
from servers import wait_ready

#: stream_after for tests whose replies must not depend on how fast an answer is
NO_STREAM = float("inf")


@pytest.fixture(scope="session")
def engine(indexed_samples, embedder):
    """The search engine over the samples, loaded once; it only reads its data dir."""
    settings = Settings(data_dir=indexed_samples)
    with open_catalog(settings) as catalog:
        engine = Engine(settings, catalog, embedder=embedder)
        engine.load_blocking()
        assert engine.ready, engine.error
        yield engine


@pytest.fixture
def bot_settings(indexed_samples, tmp_path, catalog_url) -> Settings:
    """Settings whose data dir is this test's own copy of the indexed samples."""
    data_dir = tmp_path / "data"
    shutil.copytree(indexed_samples, data_dir)
    return Settings(data_dir=data_dir, catalog_url=catalog_url)


@pytest.fixture
def bot_catalog(bot_settings, samples_dir):
    """This test's own catalog (subscriptions and feedback are written here). A PostgreSQL
    one (tests marked both_catalogs) gets the samples ingested; the index stays the
    session's."""
    with open_catalog(bot_settings) as catalog:
        if bot_settings.catalog_url:
            assert ingest_paths([samples_dir], catalog, progress=False).ok
        yield catalog


@pytest.fixture
def subscriptions(bot_catalog) -> Subscriptions:
    return Subscriptions.over(bot_catalog)


@pytest.fixture
def feedback(bot_catalog) -> Feedback:
    return Feedback(bot_catalog.db)


@pytest.fixture
async def referatbot(engine, bot_catalog, subscriptions, feedback):
    bot = ReferatBot(Conversation(engine, bot_catalog, subscriptions, feedback,
                                  digest_when="på hverdage kl. 08:00"), app_id="",
                     stream_after=NO_STREAM)
    yield bot
    await bot.drain(timeout=30)


@pytest.fixture
def chat(referatbot) -> Chat:
    return Chat(referatbot)


@pytest.fixture
async def forums_chat(engine, bot_catalog, subscriptions, feedback, tmp_path) -> Chat:
    """A chat over the samples and the two forums' minutes (tests/forum_files.py);
    `byrådet` is the council."""
    report = ingest_paths(forum_files(tmp_path), bot_catalog, progress=False)
    assert report.ok, report.summary()
    bot = ReferatBot(Conversation(engine, bot_catalog, subscriptions, feedback,
                                  forum_aliases=(("byrådet", "Kommunalbestyrelsen"),)),
                     app_id="", stream_after=NO_STREAM)
    yield Chat(bot)
    await bot.drain(timeout=30)


@pytest.fixture
async def connector():
    fake = await FakeConnector().start()
    yield fake
    await fake.close()


@pytest.fixture
def start_app(aiohttp_client, bot_settings, embedder):
    """start_app(**settings_changes, ack_after=..., stream_after=...) -> a test client of
    the real app (create_app), started and ready; auth is off unless an app_id is given.
    No stream unless `stream_after` is given: how fast an answer is decides nothing."""
    async def start(*, ack_after: float | None = None, stream_after: float = NO_STREAM,
                    **changes):
        settings = bot_settings.with_(**changes)
        kwargs = {} if ack_after is None else {"ack_after": ack_after}
        client = await aiohttp_client(create_app(settings, embedder=embedder,
                                                 stream_after=stream_after, **kwargs))
        await wait_ready(client)
        return client
    return start


@pytest.fixture(scope="module")
async def shared_app(indexed_samples, embedder, tmp_path_factory):
    """shared_app(**settings_changes) -> one started app per settings for the whole
    module, for tests that only read (a compose-box search) or send what the app must
    refuse (a 401, a 400, a 415): nothing they send changes its state, so they need not
    start an app each (a start, with its index opened and warmed up, takes about 0.13 s)."""
    clients: dict[tuple, TestClient] = {}

    async def start(**changes) -> TestClient:
        key = tuple(sorted(changes.items()))
        if key not in clients:
            data_dir = tmp_path_factory.mktemp("shared") / "data"
            shutil.copytree(indexed_samples, data_dir)
            settings = Settings(data_dir=data_dir).with_(**changes)
            client = TestClient(TestServer(create_app(settings, embedder=embedder,
                                                      stream_after=NO_STREAM)))
            await client.start_server()
            await wait_ready(client)
            clients[key] = client
        return clients[key]
    yield start
    for client in clients.values():
        await client.close()


@pytest.fixture
async def shared_client(shared_app):
    """The module's one app with auth off, for tests that only read or are refused."""
    return await shared_app()


@pytest.fixture
async def bot_client(start_app):
    """The real app with auth off, started and ready."""
    return await start_app()

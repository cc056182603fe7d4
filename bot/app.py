"""The aiohttp application: `create_app(settings)` builds it, resources live in cleanup_ctx.

Start-up order, each a generator that opens before `yield` and closes after:

1. `catalog_ctx`: the catalog, and the subscriptions, feedback and seen activities (the
   dedupe memory), each with its own tables in the catalog's database;
2. `engine_ctx`: the embedding model and search index, loaded once in the background
   (`bot.engine`), so the server answers /healthz at once and /readyz when ready;
3. `bot_ctx`: the conversation core, the Teams activity handler over it, and the Bot
   Framework adapter, with its signing-key guard (a botbuilder class attribute replaced,
   a pool of threads) in place until clean-up;
4. `refresh_ctx`: takes meetings ingested while the server runs into the search index;
5. `inbox_ctx`: takes minutes dropped into REFERATBOT_INBOX into the catalog and the index;
6. `digest_ctx`: the daily digest scheduler, sending through the endpoint's adapter.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import AsyncIterator

from aiohttp import web

from bot.app_keys import (ack_after_key, bot_key, catalog_key, conversation_key, digest_key,
                      embedder_key, endpoint_key, engine_key, feedback_key, inbox_key,
                      seen_key, settings_key, stream_after_key, subscriptions_key)
from bot.conversation import Conversation
from bot.engine import Engine
from bot.feedback import Feedback
from bot.jobs.digest import DigestRunner, schedule
from bot.jobs.inbox import Inbox, watch
from bot.jobs.subscriptions import Subscriptions
from bot.links import SourceLinks
from bot.routes import (MAX_BODY_BYTES, error_middleware, handler_args,
                        header_size_middleware, setup_routes)
from bot.settings import Settings
from bot.stores import open_catalog
from bot.teams.adapter import BotEndpoint
from bot.teams.auth import BotConfig, signing_keys_guarded
from bot.teams.dedupe import SeenActivities
from bot.teams.handler import ACK_AFTER, STREAM_AFTER, ReferatBot
from ingest.db import CatalogUnavailable
from retrieval.embed import Embedder
from retrieval.phrasebook import say

log = logging.getLogger(__name__)
#: How long shutdown waits for a model still loading before closing the catalog under it.
LOAD_WAIT_AT_SHUTDOWN = 60.0
#: How often the server looks for meetings ingested since it loaded its index.
REFRESH_SECONDS = 60.0
#: How long shutdown waits for an inbox round to finish the file it is reading.
INBOX_WAIT_AT_SHUTDOWN = 60.0


def create_app(settings: Settings, *, ack_after: float = ACK_AFTER,
               stream_after: float = STREAM_AFTER,
               embedder: Embedder | None = None) -> web.Application:
    """The server. `ack_after`: seconds before a slow answer is acknowledged in Teams and
    sent later; `stream_after`: seconds before an answer in a personal chat gets Teams'
    progress bar; `embedder`: an already loaded model to share (tests load it once).
    Raises SettingsError for Bot Framework or inbox settings that cannot work."""
    BotConfig.from_settings(settings)  # refuse bad credentials before anything starts
    settings.check_inbox()
    app = web.Application(client_max_size=MAX_BODY_BYTES, handler_args=handler_args(),
                          middlewares=[error_middleware, header_size_middleware])
    app[settings_key] = settings
    app[ack_after_key] = ack_after
    app[stream_after_key] = stream_after
    app[embedder_key] = embedder
    app.cleanup_ctx.extend([catalog_ctx, engine_ctx, bot_ctx, refresh_ctx, inbox_ctx,
                            digest_ctx])
    setup_routes(app)
    return app


async def catalog_ctx(app: web.Application) -> AsyncIterator[None]:
    catalog = await asyncio.to_thread(open_catalog, app[settings_key])
    log.info("catalog: %s", catalog.location)
    app[catalog_key] = catalog
    app[subscriptions_key] = await asyncio.to_thread(Subscriptions.over, catalog)
    app[feedback_key] = await asyncio.to_thread(Feedback, catalog.db)
    app[seen_key] = await asyncio.to_thread(SeenActivities, catalog.db)
    yield
    catalog.close()


async def engine_ctx(app: web.Application) -> AsyncIterator[None]:
    engine = Engine(app[settings_key], app[catalog_key], embedder=app[embedder_key])
    app[engine_key] = engine
    loading = asyncio.create_task(engine.load())
    yield
    engine.stop()  # no more retries while the store does not answer
    # the loader thread cannot be interrupted; give it time before the catalog closes
    try:
        await asyncio.wait_for(asyncio.shield(loading), LOAD_WAIT_AT_SHUTDOWN)
    except asyncio.TimeoutError:
        log.warning("shutting down while the search engine is still loading")
        return
    await asyncio.to_thread(engine.close)


async def bot_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[settings_key]
    links = SourceLinks(settings.source_url) if settings.source_url else None
    conversation = Conversation(app[engine_key], app[catalog_key], app[subscriptions_key],
                                app[feedback_key], digest_when=digest_when(settings),
                                links=links, forum_aliases=settings.forum_aliases)
    app[conversation_key] = conversation
    bot = ReferatBot(conversation, app_id=settings.app_id, ack_after=app[ack_after_key],
                     stream_after=app[stream_after_key])
    app[bot_key] = bot
    app[endpoint_key] = BotEndpoint(settings, bot, seen=app[seen_key])
    if not settings.app_id:
        log.warning("MicrosoftAppId is not set: /api/messages accepts unauthenticated "
                    "requests (local use and the Bot Framework Emulator only)")
    with signing_keys_guarded():
        yield
        await bot.drain()


async def refresh_ctx(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(_refresh_loop(app[engine_key]))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _refresh_loop(engine: Engine) -> None:
    while True:
        await asyncio.sleep(REFRESH_SECONDS)
        try:
            await engine.refresh()
        except CatalogUnavailable as e:  # PostgreSQL restarting: the next round tries again
            log.warning("refreshing the search index waits for the catalog: %s", e)
        except Exception:  # logged; the index in use stays, the next round tries again
            log.exception("refreshing the search index failed")


async def inbox_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[settings_key]
    if settings.inbox is None:
        app[inbox_key] = None
        yield
        return
    inbox = await asyncio.to_thread(Inbox, settings.inbox, app[catalog_key],
                                    default_forum=settings.default_forum)
    app[inbox_key] = inbox
    log.info("inbox: taking minutes from %s, looking every %g s", settings.inbox,
             settings.inbox_poll_seconds)
    stopping = asyncio.Event()
    task = asyncio.create_task(watch(inbox, app[engine_key], every=settings.inbox_poll_seconds,
                                     stopping=stopping))
    yield
    stopping.set()  # a round stops after the file it is reading
    try:
        await asyncio.wait_for(task, INBOX_WAIT_AT_SHUTDOWN)
    except asyncio.TimeoutError:
        log.warning("shutting down while the inbox is still reading a file")


async def digest_ctx(app: web.Application) -> AsyncIterator[None]:
    settings, endpoint = app[settings_key], app[endpoint_key]

    async def send(subscription, card):
        await endpoint.send_card(subscription.reference, card)

    runner = DigestRunner(app[catalog_key], app[subscriptions_key], send,
                          index_state=app[engine_key].lexical_state,
                          may_send=endpoint.may_send_to)
    app[digest_key] = runner
    await runner.refuse_unsendable()
    task = asyncio.create_task(schedule(runner, at=settings.digest_time,
                                        timezone=settings.digest_timezone,
                                        weekdays_only=settings.digest_weekdays_only))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def digest_when(settings: Settings) -> str:
    """When the digest comes, as the subscribe reply says it: 'på hverdage kl. 08:00'."""
    days = say("weekdays") if settings.digest_weekdays_only else say("every_day")
    return say("digest_when", days=days, time=settings.digest_time)

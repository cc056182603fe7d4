"""The aiohttp application: `create_app(settings)` builds it, resources live in cleanup_ctx.

Start-up order, each a generator that opens before `yield` and closes after:

1. `catalog_ctx`: the catalog, with the subscriptions and feedback tables in its file;
2. `engine_ctx`: the embedding model and search index, loaded once in the background
   (`bot.engine`), so the server answers /healthz at once and /readyz when ready;
3. `bot_ctx`: the Teams activity handler and the Bot Framework adapter;
4. the daily digest scheduler (issue 5) goes after `bot_ctx`: it needs the endpoint's
   adapter, the subscriptions and the catalog, all on the app by then.
"""
from __future__ import annotations

import asyncio
import logging
from typing import AsyncIterator

from aiohttp import web

from bot.adapter import BotConfig, BotEndpoint
from bot.engine import Engine
from bot.feedback import Feedback
from bot.handler import ACK_AFTER, ReferatBot
from bot.keys import (ack_after_key, bot_key, catalog_key, embedder_key, endpoint_key,
                      engine_key, feedback_key, settings_key, subscriptions_key)
from bot.resources import open_catalog
from bot.routes import MAX_BODY_BYTES, error_middleware, setup_routes
from bot.settings import Settings
from bot.subscriptions import Subscriptions
from retrieval.embed import Embedder

log = logging.getLogger(__name__)
#: How long shutdown waits for a model still loading before closing the catalog under it.
LOAD_WAIT_AT_SHUTDOWN = 60.0


def create_app(settings: Settings, *, ack_after: float = ACK_AFTER,
               embedder: Embedder | None = None) -> web.Application:
    """The server. `ack_after`: seconds before a slow answer is acknowledged in Teams and
    sent later; `embedder`: an already loaded model to share (tests load it once).
    Raises SettingsError for Bot Framework settings that cannot work."""
    BotConfig.from_settings(settings)  # refuse bad credentials before anything starts
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[error_middleware])
    app[settings_key] = settings
    app[ack_after_key] = ack_after
    app[embedder_key] = embedder
    app.cleanup_ctx.extend([catalog_ctx, engine_ctx, bot_ctx])
    setup_routes(app)
    return app


async def catalog_ctx(app: web.Application) -> AsyncIterator[None]:
    catalog = await asyncio.to_thread(open_catalog, app[settings_key])
    app[catalog_key] = catalog
    app[subscriptions_key] = await asyncio.to_thread(Subscriptions, catalog)
    app[feedback_key] = await asyncio.to_thread(Feedback, catalog)
    yield
    catalog.close()


async def engine_ctx(app: web.Application) -> AsyncIterator[None]:
    engine = Engine(app[settings_key], app[catalog_key], embedder=app[embedder_key])
    app[engine_key] = engine
    loading = asyncio.create_task(engine.load())
    yield
    # the loader thread cannot be interrupted; give it time before the catalog closes
    try:
        await asyncio.wait_for(asyncio.shield(loading), LOAD_WAIT_AT_SHUTDOWN)
    except asyncio.TimeoutError:
        log.warning("shutting down while the search engine is still loading")


async def bot_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[settings_key]
    bot = ReferatBot(app[engine_key], app[catalog_key], app[subscriptions_key],
                     app[feedback_key], app_id=settings.app_id,
                     digest_when=digest_when(settings), ack_after=app[ack_after_key])
    app[bot_key] = bot
    app[endpoint_key] = BotEndpoint(settings, bot)
    if not settings.app_id:
        log.warning("MicrosoftAppId is not set: /api/messages accepts unauthenticated "
                    "requests (local use and the Bot Framework Emulator only)")
    yield
    await bot.drain()


def digest_when(settings: Settings) -> str:
    """When the digest comes, as the subscribe reply says it: 'på hverdage kl. 08:00'."""
    days = "på hverdage" if settings.digest_weekdays_only else "hver dag"
    return f"{days} kl. {settings.digest_time}"

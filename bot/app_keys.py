"""Typed keys for what the app factory puts on the aiohttp Application (no string keys)."""
from __future__ import annotations

from aiohttp import web

from bot.conversation import Conversation
from bot.engine import Engine
from bot.feedback import Feedback
from bot.jobs.digest import DigestRunner
from bot.jobs.inbox import Inbox
from bot.jobs.subscriptions import Subscriptions
from bot.settings import Settings
from bot.teams.adapter import BotEndpoint
from bot.teams.dedupe import SeenActivities
from bot.teams.handler import ReferatBot
from ingest.catalog import Catalog
from retrieval.embed import Embedder

settings_key = web.AppKey("settings", Settings)
catalog_key = web.AppKey("catalog", Catalog)
subscriptions_key = web.AppKey("subscriptions", Subscriptions)
feedback_key = web.AppKey("feedback", Feedback)
#: the activities already handled, shared by the replicas through the catalog
seen_key = web.AppKey("seen", SeenActivities)
engine_key = web.AppKey("engine", Engine)
conversation_key = web.AppKey("conversation", Conversation)
bot_key = web.AppKey("bot", ReferatBot)
endpoint_key = web.AppKey("endpoint", BotEndpoint)
digest_key = web.AppKey("digest", DigestRunner)
#: the inbox `serve` takes minutes from, or None when REFERATBOT_INBOX is unset
inbox_key = web.AppKey("inbox", Inbox | None)
#: seconds before a slow answer is acknowledged in Teams and sent proactively
ack_after_key = web.AppKey("ack_after", float)
#: seconds before an answer in a personal chat gets Teams' progress bar (a stream)
stream_after_key = web.AppKey("stream_after", float)
#: a loaded embedding model to share, or None to load the configured one
embedder_key = web.AppKey("embedder", Embedder | None)

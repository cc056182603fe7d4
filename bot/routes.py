"""HTTP routes: each view turns a request into one call on what the app holds, and back.

    POST /api/messages   Bot Framework activities (Teams, the Emulator)
    GET  /api/ask?q=     the answer JSON of design.md
    POST /api/chat       the local chat page: {"text": ...} or {"value": {...}}, and the
                         "conversation" an earlier reply named; replies with their text,
                         cards and numbered citations
    GET  /healthz        the process is up
    GET  /readyz         the model, the vector store and the catalog answer (and the
                         inbox's refused files, which do not make it unready)
    GET  /               the local chat page (bot/static)

Bodies are refused before any work: over MAX_BODY_BYTES 413, not JSON 415, broken JSON
400; a request header over MAX_HEADER_BYTES 431. API errors are JSON: `{"error": "a
sentence"}`. A request aiohttp's HTTP parser refuses itself (a header beyond
PARSED_HEADER_BYTES, a malformed request line) is the client's error, not the server's:
logged at INFO in one line, where aiohttp logs an ERROR with a traceback.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from pathlib import Path

from aiohttp import web
from aiohttp.http_exceptions import BadHttpMessage

from bot import card_actions
from bot.app_keys import conversation_key, endpoint_key, engine_key, inbox_key
from bot.citations import listed
from bot.conversation import MAX_QUESTION_CHARS, Message, Where
from bot.engine import NotReady, State
from ingest.db import CatalogUnavailable
from retrieval.phrasebook import say
from retrieval.store import StoreUnavailable

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
#: A Teams activity is a few KB; an Adaptive Card submit well under 64 KB.
MAX_BODY_BYTES = 256 * 1024
RETRY_AFTER = "5"
#: A body of at most MAX_BODY_BYTES takes a client milliseconds to send; Teams sends at once.
BODY_SECONDS = 10
LOAD_FAILED = "the search engine failed to load (the server log has the details)"
#: An activity or a card submit nests a handful of levels; botbuilder's deserialiser and
#: json.dumps recurse, so a body nested hundreds deep would fail inside them (a 500).
MAX_JSON_DEPTH = 32
#: /api/ask's header saying how the answer was found: "hybrid" (words and the embedding
#: model), or "lexical" (words alone: the model is still loading, or missing)
SEARCH_HEADER = "Referatbot-Search"
#: The largest request header answered (name and value; aiohttp's own default limit).
MAX_HEADER_BYTES = 8190
#: What aiohttp's parser reads of a header before refusing the request itself (with a
#: 400): twice MAX_HEADER_BYTES, so the usual oversized header (a cookie, a token) is
#: answered 431 here. Bounded, since a request may carry 128 headers of this size.
PARSED_HEADER_BYTES = 2 * MAX_HEADER_BYTES
#: The chat page's conversations, named by the server: `lokal-` and a UUID. /api/chat is
#: open even with auth on, so it takes no other name: a Teams conversation's id (which
#: always holds a colon: `a:…`, `19:…@thread.tacv2`) can never be one.
LOCAL_CONVERSATION = re.compile(r"lokal-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}")


def setup_routes(app: web.Application) -> None:
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/api/ask", ask)
    app.router.add_post("/api/chat", chat)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/", index)
    app.router.add_static("/static/", STATIC, name="static")


def handler_args() -> dict:
    """What `web.Application(handler_args=...)` gives aiohttp's request handler."""
    return {"max_field_size": PARSED_HEADER_BYTES,
            "logger": _ParserRefusals(logging.getLogger("aiohttp.server"), {})}


async def messages(request: web.Request) -> web.Response:
    body = await _json_body(request)
    status, payload = await request.app[endpoint_key].process(
        body, request.headers.get("Authorization", ""))
    if payload is None:
        return web.Response(status=status)
    return web.json_response(payload, status=status,
                             headers={"Retry-After": RETRY_AFTER} if status == 503 else None)


async def ask(request: web.Request) -> web.Response:
    question = request.query.get("q", "").strip()
    if not question:
        raise _error(web.HTTPBadRequest, "give the question as ?q=, e.g. /api/ask?q=telefontider")
    if len(question) > MAX_QUESTION_CHARS:
        raise _error(web.HTTPBadRequest, f"the question is longer than {MAX_QUESTION_CHARS} characters")
    try:
        asked = await request.app[engine_key].ask(question)
    except NotReady as e:
        raise _error(web.HTTPServiceUnavailable, LOAD_FAILED
                     if e.failed else "the search engine is still loading; try again shortly",
                     headers={"Retry-After": RETRY_AFTER}) from None
    except (StoreUnavailable, CatalogUnavailable) as e:
        log.warning("/api/ask found the search unavailable: %s", e)
        raise _error(web.HTTPServiceUnavailable, say("unavailable"),
                     headers={"Retry-After": RETRY_AFTER}) from None
    # the JSON is the contract of `ask --json`; how it was found goes in a header
    return web.json_response(asked.answer.to_json(), dumps=_dumps,
                             headers={SEARCH_HEADER: "lexical" if asked.lexical else "hybrid"})


async def chat(request: web.Request) -> web.Response:
    body = await _json_body(request)
    text = body.get("text", "")
    value = body.get("value")
    conversation = body.get("conversation") or f"lokal-{uuid.uuid4()}"
    if not isinstance(text, str) or (value is not None and not isinstance(value, dict)) \
            or not isinstance(conversation, str):
        raise _error(web.HTTPBadRequest, 'send {"text": "..."} or {"value": {...}}')
    if not LOCAL_CONVERSATION.fullmatch(conversation):
        raise _error(web.HTTPBadRequest, "the conversation must be one an earlier reply of "
                     "this page named (lokal- and a UUID), or none for a new one; the chat "
                     "page never acts on a Teams conversation")
    if len(text) > MAX_QUESTION_CHARS:
        raise _error(web.HTTPBadRequest, f"the message is longer than {MAX_QUESTION_CHARS} characters")
    incoming = card_actions.parse(value) if value and value.get("command") else Message(text)
    try:
        replies = await request.app[conversation_key].handle(
            incoming, Where(conversation, local=True))
    except Exception:  # a bug or a failing catalog: the page says sorry, the log has why
        log.exception("the local chat failed to answer")
        shown = [{"text": say("sorry"), "cards": [], "citations": []}]
    else:
        shown = [{"text": r.text, "cards": [r.card] if r.card is not None else [],
                  "citations": listed(r.citations)} for r in replies]
    return web.json_response({"conversation": conversation, "replies": shown}, dumps=_dumps)


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    engine = request.app[engine_key]
    parts = await engine.check()
    ready = all(parts.values())
    body = {"ready": ready, **parts}
    # in words only: the model's path and the store's address are for the log, not for
    # whoever can reach an unauthenticated route
    store_down = "the vector store does not answer (the server log has the details)"
    if not parts["catalog"]:
        body["error"] = "the catalog database does not answer (the server log has the details)"
    elif engine.status.state == State.STORE_DOWN:
        body["error"] = store_down
    elif engine.error:
        body["error"] = LOAD_FAILED
    elif not engine.ready:
        body["error"] = "loading the model and the index"
    elif not parts["store"]:
        body["error"] = store_down
    inbox = request.app[inbox_key]
    if inbox is not None:  # refused files are reported, but do not make the server unready
        body["inbox"] = inbox.report()
    return web.json_response(body, status=200 if ready else 503,
                             headers=None if ready else {"Retry-After": RETRY_AFTER})


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


@web.middleware
async def error_middleware(request: web.Request, handler):
    """JSON errors under /api/, and a 500 that logs its cause instead of leaking it."""
    try:
        return await handler(request)
    except web.HTTPException as e:
        if not request.path.startswith("/api/") or e.content_type == "application/json" \
                or e.status < 400:
            raise
        return web.json_response({"error": (e.text or e.reason).removeprefix(f"{e.status}: ")},
                                 status=e.status, headers=_kept_headers(e))
    except Exception:
        log.exception("%s %s failed", request.method, request.path)
        return web.json_response({"error": "internal error; the server log has the cause"},
                                 status=500)


@web.middleware
async def header_size_middleware(request: web.Request, handler):
    """431 for a header over MAX_HEADER_BYTES, before any work."""
    if any(len(name) + len(value) > MAX_HEADER_BYTES for name, value in request.raw_headers):
        raise _error(web.HTTPRequestHeaderFieldsTooLarge,
                     f"a request header is over {MAX_HEADER_BYTES} bytes")
    return await handler(request)


class _ParserRefusals(logging.LoggerAdapter):
    """aiohttp's server logger, but a request its HTTP parser refused is logged at INFO
    in one line, without a traceback."""

    def log(self, level, msg, *args, exc_info=None, **kwargs):
        if isinstance(exc_info, BadHttpMessage):
            self.logger.log(min(level, logging.INFO), "refused a request aiohttp could not "
                            "read: %s", str(exc_info)[:200])
            return
        super().log(level, msg, *args, exc_info=exc_info, **kwargs)


# --- helpers -------------------------------------------------------------------------------


async def _json_body(request: web.Request) -> dict:
    if request.content_type != "application/json":
        raise _error(web.HTTPUnsupportedMediaType, "send the body as application/json")
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise _error(web.HTTPRequestEntityTooLarge, f"the body is over {MAX_BODY_BYTES} bytes",
                     max_size=MAX_BODY_BYTES, actual_size=request.content_length)
    try:
        # raises 413 itself for a chunked body over client_max_size; a body that trickles
        # or never ends would hold its connection (and a task) for good
        raw = await asyncio.wait_for(request.read(), BODY_SECONDS)
    except asyncio.TimeoutError:
        raise _error(web.HTTPRequestTimeout,
                     f"the body did not arrive within {BODY_SECONDS} seconds") from None
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise _error(web.HTTPBadRequest, f"the body is not valid JSON: {e}") from None
    except (ValueError, RecursionError):
        # an integer of thousands of digits (Python refuses to convert it) or nesting
        # deeper than the parser's stack
        raise _error(web.HTTPBadRequest, "the body is not JSON an activity can be: a number "
                     "too long or nesting too deep") from None
    if not isinstance(body, dict):
        raise _error(web.HTTPBadRequest, "the body must be a JSON object")
    if _depth(body) > MAX_JSON_DEPTH:
        raise _error(web.HTTPBadRequest, f"the body is nested deeper than {MAX_JSON_DEPTH} levels")
    return body


def _depth(value) -> int:
    """How deep a parsed JSON value nests, counted without recursion."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, depth = todo.pop()
        deepest = max(deepest, depth)
        if depth > MAX_JSON_DEPTH:
            return depth
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        todo.extend((child, depth + 1) for child in children)
    return deepest


def _error(kind: type[web.HTTPException], message: str, **kwargs) -> web.HTTPException:
    extra = {k: kwargs.pop(k) for k in ("max_size", "actual_size") if k in kwargs}
    return kind(text=json.dumps({"error": message}), content_type="application/json",
                **extra, **kwargs)


def _kept_headers(e: web.HTTPException) -> dict:
    return {k: v for k, v in e.headers.items() if k.lower() in ("retry-after", "allow")}


def _dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)

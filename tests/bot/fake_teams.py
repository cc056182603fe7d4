"""Stand-ins for Teams in the bot tests: a conversation on botbuilder's TestAdapter, a
fake connector (the service URL the bot POSTs its replies to), activity JSON as Teams
sends it, and readers for the Adaptive Cards that come back."""
from __future__ import annotations

import asyncio

from aiohttp import web
from aiohttp.test_utils import TestServer
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, Entity

from bot.teams.adapter import on_turn_error
from bot.teams.handler import ReferatBot

BOT_ID = "28:referatbot-app-id"
BOT_NAME = "Referatbot"
SERVICE_URL = "https://smba.trafficmanager.net/emea/"
TELEFON_QUESTION = "hvad besluttede CF om telefontider?"
TELEFON_SOURCE = "Chefforum 24.04.2024 · punkt 7 · Rådhusets telefontider · sag 83.02.00-A00-1-23"


class Chat:
    """A Teams conversation with the bot on botbuilder's TestAdapter: say something, get
    the activities the bot sent back."""

    def __init__(self, bot: ReferatBot, *, conversation_id: str = "a:personal-chat-1",
                 conversation_type: str = "personal", tenant: str = "tenant-1"):
        self.bot = bot
        self.template = Activity(
            channel_id="msteams", service_url=SERVICE_URL, locale="da-DK",
            from_property=ChannelAccount(id="29:user-marie", name="Marie Jensen"),
            recipient=ChannelAccount(id=BOT_ID, name=BOT_NAME),
            conversation=ConversationAccount(id=conversation_id,
                                             conversation_type=conversation_type,
                                             tenant_id=None),
            channel_data={"tenant": {"id": tenant}},
        )
        self.adapter = TestAdapter(bot.on_turn, self.template)
        self.adapter.on_turn_error = on_turn_error

    async def send(self, text: str | None = None, **fields) -> list[Activity]:
        """The activities the bot sends in reply (messages only)."""
        before = len(self.adapter.activity_buffer)
        await self.adapter.receive_activity(Activity(type=fields.pop("type", "message"),
                                                     text=text, **fields))
        return [a for a in self.adapter.activity_buffer[before:] if a.type == "message"]

    async def mention(self, text: str) -> list[Activity]:
        """`text` as written in a channel: after an @mention of the bot."""
        at = f"<at>{BOT_NAME}</at>"
        # as Teams sends it: "mentioned" arrives among the entity's additional properties
        mention = Entity().deserialize({"type": "mention", "text": at,
                                        "mentioned": {"id": BOT_ID, "name": BOT_NAME}})
        return await self.send(f"{at} {text}", entities=[mention])

    async def click(self, data: dict) -> list[Activity]:
        """An Action.Submit on a card: Teams sends the button's data as the value."""
        return await self.send(None, value=data)

    async def invoke(self, name: str, value) -> tuple[int, object]:
        """An invoke activity: the (status, body) of the bot's invoke response."""
        before = len(self.adapter.activity_buffer)
        await self.adapter.receive_activity(Activity(type="invoke", name=name, value=value))
        [response] = [a.value for a in self.adapter.activity_buffer[before:]
                      if a.type == "invokeResponse"]
        return response.status, response.body

    def later(self) -> list[Activity]:
        return [a for a in self.adapter.activity_buffer if a.type == "message"]


def as_json(activity: Activity) -> dict:
    """An activity the bot sent, as the JSON the connector receives."""
    return activity.serialize()


def card_of(activity: Activity) -> dict:
    """The Adaptive Card in a reply (and that there is exactly one)."""
    cards = [a.content for a in activity.attachments or []
             if a.content_type == "application/vnd.microsoft.card.adaptive"]
    assert len(cards) == 1, activity
    return cards[0]


def texts(card: dict) -> list[str]:
    """Every text a reader sees on a card, in order: text blocks, facts, button titles
    (an Action.Execute's once: its fallback is shown only where it is not)."""
    out: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                out.append(node["text"])
            elif node.get("type", "").startswith("Action."):
                out.append(node["title"])
            elif "title" in node and "value" in node:
                out.append(f"{node['title']}: {node['value']}")
            for key, value in node.items():
                if key not in ("selectAction", "data", "fallback"):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return out


def actions(card: dict) -> list[dict]:
    """Every button on a card (card actions, action sets, not selectActions); an
    Action.Execute as itself, its fallback inside it."""
    found: list[dict] = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") in ("Action.Submit", "Action.Execute", "Action.OpenUrl"):
                found.append(node)
                return
            for key, value in node.items():
                if key != "selectAction":
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


def execute_button(title: str, data: dict) -> dict:
    """A button that shows a punkt or a meeting in place of its card, as the Universal
    Action Model writes it: an Action.Execute with an Action.Submit of the same data as
    its fallback."""
    return {"type": "Action.Execute", "title": title, "verb": data["command"], "data": data,
            "fallback": {"type": "Action.Submit", "title": title, "data": data}}


def execute_value(data) -> dict:
    """The value of the `adaptiveCard/action` invoke Teams sends for a clicked button."""
    return {"action": {"type": "Action.Execute", "id": "", "verb": "punkt", "data": data},
            "trigger": "manual"}


class FakeConnector:
    """A local aiohttp server standing in for Teams' service URL: it records every
    activity the bot POSTs to /v3/conversations/{id}/activities[/{reply_to}]."""

    def __init__(self):
        #: every activity POSTed, in order (typing indicators and stream updates too)
        self.activities: list[dict] = []
        #: the messages among them
        self.received: list[dict] = []
        #: answer every streaming activity 403 ContentStreamNotAllowed, as Teams does
        #: where streaming is not allowed for the user or the bot
        self.refuse_streams = False
        self.arrived = asyncio.Condition()
        self.server: TestServer | None = None
        #: conversation id -> HTTP status to answer with instead (403: the bot was removed)
        self.refuse: dict[str, int] = {}
        #: Set to an (unset) asyncio.Event to hold each POST open until it is set, so a
        #: test can kill the sender mid-send. `hold_before`: before the activity counts as
        #: accepted (a sender gone by then gets nothing accepted); `hold_after`: accepted
        #: and recorded, but the HTTP reply not yet sent.
        self.hold_before: asyncio.Event | None = None
        self.hold_after: asyncio.Event | None = None
        #: POSTs that arrived, accepted or not, and those being held open now
        self.requests = 0
        self.held: list[web.Request] = []
        #: the bot's end of each connection a POST came over (host, port)
        self.peers: set[tuple] = set()

    @property
    def url(self) -> str:
        return str(self.server.make_url("/"))

    async def start(self) -> "FakeConnector":
        app = web.Application()
        # [^/]+: any id, braces included (aiohttp's default segment pattern refuses them)
        app.router.add_post("/v3/conversations/{conversation:[^/]+}/activities", self._activity)
        app.router.add_post("/v3/conversations/{conversation:[^/]+}/activities/{reply_to:[^/]+}",
                            self._activity)
        self.server = TestServer(app)
        await self.server.start_server()
        return self

    async def close(self) -> None:
        await self.server.close()

    async def _activity(self, request: web.Request) -> web.Response:
        self.peers.add(request.transport.get_extra_info("peername")[:2])
        async with self.arrived:
            self.requests += 1
            self.arrived.notify_all()
        if self.hold_before is not None:
            await self._hold(request, self.hold_before)
            if _gone(request):
                return web.Response(status=499)  # nobody is listening; nothing accepted
        status = self.refuse.get(request.match_info["conversation"])
        if status:
            return web.json_response({"error": {"code": "BotNotInConversationRoster",
                                                "message": "The bot is not part of the conversation roster."}},
                                     status=status)
        body = await request.json()
        stream = next((e for e in body.get("entities") or [] if e.get("type") == "streaminfo"), None)
        if stream is not None and self.refuse_streams:
            return web.json_response({"error": {"code": "ContentStreamNotAllowed",
                                                "message": "Content stream is not allowed"}},
                                     status=403)
        body["_path"] = request.path
        body["_authorization"] = request.headers.get("Authorization", "")
        async with self.arrived:
            self.activities.append(body)
            if body.get("type") == "message":
                self.received.append(body)
            self.arrived.notify_all()
        if self.hold_after is not None:
            await self._hold(request, self.hold_after)
        if stream is not None:  # as Teams answers streams: 201 with the stream's id, then 202
            return web.json_response({"id": f"stream-{len(self.activities)}"}, status=201) \
                if "streamId" not in stream else web.json_response({}, status=202)
        return web.json_response({"id": f"reply-{len(self.activities)}"})

    async def _hold(self, request: web.Request, release: asyncio.Event) -> None:
        self.held.append(request)
        try:
            await release.wait()
        finally:
            self.held.remove(request)

    async def wait_for_requests(self, n: int, timeout: float = 60.0) -> None:
        """Until `n` POSTs have arrived (held ones included)."""
        async with self.arrived:
            await asyncio.wait_for(self.arrived.wait_for(lambda: self.requests >= n), timeout)

    async def wait_until_senders_gone(self, timeout: float = 10.0) -> None:
        """Until every held request's connection is closed (its sender was killed)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not all(_gone(r) for r in self.held):
            assert loop.time() < deadline, "the sender of a held request is still connected"
            await asyncio.sleep(0.05)

    async def wait_for(self, n: int, timeout: float = 30.0) -> list[dict]:
        """Until `n` messages have arrived; the messages."""
        async with self.arrived:
            await asyncio.wait_for(self.arrived.wait_for(lambda: len(self.received) >= n),
                                   timeout)
        return self.received


def _gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


async def chat_page(client, text: str) -> list[dict]:
    """`text` written on the local chat page (POST /api/chat): the replies."""
    response = await client.post("/api/chat", json={"text": text})
    assert response.status == 200
    return (await response.json())["replies"]


def activity_json(text: str | None = None, *, service_url: str, activity_id: str = "act-1",
                  conversation_id: str = "a:personal-chat-1", **extra) -> dict:
    """A message activity as Teams POSTs it to /api/messages."""
    body = {
        "type": "message",
        "id": activity_id,
        "timestamp": "2026-11-23T08:00:00.000Z",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": "29:user-marie", "name": "Marie Jensen", "aadObjectId": "aad-marie"},
        "conversation": {"id": conversation_id, "conversationType": "personal",
                         "tenantId": "tenant-1"},
        "recipient": {"id": BOT_ID, "name": BOT_NAME},
        "channelData": {"tenant": {"id": "tenant-1"}},
        "locale": "da-DK",
    }
    if text is not None:
        body["text"] = text
    body.update(extra)
    return body

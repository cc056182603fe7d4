"""The conversation, free of any bot SDK: a message or a card action in, replies out.

`Conversation.handle(incoming, where)` turns a `Message` (its text, the @mention already
removed) or a card action (`bot.card_actions`) from the conversation `where` into a list of
`Reply` (a text, an Adaptive Card, or both; an answer's text with the [1], [2] of the
sources it cites). The Teams activity handler (`bot/teams/handler.py`) translates activities
into these plain values and the replies back into activities; the local chat page
(`/api/chat`) calls this class directly. Both therefore say exactly the same, but for
feedback: Teams has its own 👍/👎 on an answer (`rate`), the chat page gets the card's.

A question is the one request that may be slow (`is_question`), so a front end with a
deadline (Teams: 15 s) can acknowledge it first. Everything else reads the catalog, and
`search` (the compose box's search) the lexical index.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, replace

from bot import cards
from bot.card_actions import Ask, CardAction, ShowMeeting, ShowPunkt, Unreadable, Vote
from bot.citations import Source, cited_text
from bot.commands import (CasePath, Command, Empty, Forums, Help, Latest, Question, Subscribe,
                          Unclear, Unsubscribe, parse_command)
from bot.engine import Engine, NotReady
from bot.feedback import Feedback, Reaction
from bot.jobs.subscriptions import MAX_TOPIC_CHARS, Interest, Subscriptions
from bot.links import SourceLinks
from bot.meeting_lookup import Found, NoMeeting, look_up
from ingest.catalog import Catalog, CaseStep
from ingest.db import CatalogUnavailable
from ingest.model import Meeting, Punkt
from retrieval.browse import Match
from retrieval.forums import ForumNames, NotOneForum
from retrieval.memo import Memo
from retrieval.model import Answer, Citation
from retrieval.phrasebook import say
from retrieval.query import asks_history
from retrieval.store import StoreUnavailable
from retrieval.topics import written

log = logging.getLogger(__name__)
#: Longest question answered, and longest message the chat page takes; longer text is
#: cut (a pasted document is not a question).
MAX_QUESTION_CHARS = 1000
#: Words between a subscription's forum and its topic (`abonner byrådet om parkering`).
TOPIC_FILLERS = frozenset({"om", "omkring", "vedrørende", "vedr.", "emnet", "about", "on",
                           "og", "and"})


@dataclass(frozen=True)
class Where:
    """The conversation a message comes from."""

    conversation_id: str
    #: the local chat page: no Teams conversation to subscribe, no deadline to meet
    local: bool = False
    #: what a proactive message to this conversation needs (the SDK's serialised
    #: conversation reference); None where there is none
    reference: dict | None = None
    tenant_id: str = ""
    service_url: str = ""
    #: who wrote, as the subscription records it
    user: str = ""


@dataclass(frozen=True)
class Message:
    """Text written to the bot, the @mention removed."""

    text: str


Incoming = Message | CardAction | Unreadable
#: What an incoming message asks for, once understood.
Request = Command | CardAction | Unreadable


@dataclass(frozen=True)
class Reply:
    text: str = ""
    card: dict | None = None
    #: an answer's sources, best first, numbered from 1 as the markers in its text
    citations: tuple[Source, ...] = ()
    #: written by the answerer from the minutes (Teams labels it AI-generated)
    generated: bool = False
    #: an answer to rate: its question, which feedback on it is stored with
    question: str = ""

    @property
    def punkter(self) -> list[tuple[str, int]]:
        """(meeting date, punkt number) of the cited punkter, as feedback stores them."""
        return [(s.citation.meeting_date.isoformat(), s.citation.punkt) for s in self.citations]


@dataclass(frozen=True)
class Results:
    """A page of the compose box's search: the punkter, or what to say instead."""

    matches: tuple[Match, ...] = ()
    text: str = ""


def is_question(request: Request) -> bool:
    """A question; `seneste WORD`, which is one unless WORD names a forum; a question holding
    a case number, which is one when no punkt carries the number."""
    return (isinstance(request, Question) or isinstance(request, Latest) and bool(request.forum)
            or isinstance(request, CasePath) and bool(request.text))


class Conversation:
    def __init__(self, engine: Engine, catalog: Catalog, subscriptions: Subscriptions,
                 feedback: Feedback, *, digest_when: str = "hver morgen",
                 links: SourceLinks | None = None,
                 forum_aliases: tuple[tuple[str, str], ...] = ()):
        self.engine = engine
        self.catalog = catalog
        #: the deployment's forum aliases (REFERATBOT_FORUM_ALIASES)
        self.forum_aliases = forum_aliases
        self._names: Memo[tuple[str, ...], ForumNames] = Memo(4)
        self.subscriptions = subscriptions
        self.feedback = feedback
        self.digest_when = digest_when
        #: links to the original referat (REFERATBOT_SOURCE_URL); None: no links
        self.links = links

    async def handle(self, incoming: Incoming, where: Where) -> list[Reply]:
        return await self.respond(self.understand(incoming), where)

    def understand(self, incoming: Incoming) -> Request:
        """A message or an example button's text becomes a command or a question."""
        if isinstance(incoming, (Message, Ask)):
            return parse_command(incoming.text)
        return incoming

    def greeting(self, *, personal: bool) -> Reply | None:
        """What the bot says when it is added to a conversation. Nothing in a personal
        chat: Teams shows the manifest's prompt starters there until the first message,
        and its guidance is a welcome message or prompt starters, not both."""
        return None if personal else Reply(card=cards.help_card(greeting=True))

    async def search(self, words: str, *, skip: int = 0, count: int = 25) -> Results:
        """The compose box's search: the punkter matching `words` (the latest decisions
        for none), page `skip`..`skip + count`. A first page with nothing says so; a
        later one is just empty (the end of the list)."""
        try:
            found = await self.engine.search(words, skip=skip, count=count)
        except NotReady:
            return Results(text=say("search_loading"))
        except StoreUnavailable as e:
            log.warning("a search found the search unavailable: %s", e)
            return Results(text=say("unavailable"))
        if found or skip or not count:
            return Results(tuple(found))
        return Results(text=say("no_matches", words=words) if words else say("no_decisions"))

    async def respond(self, request: Request, where: Where) -> list[Reply]:
        """The replies to a request. Raises only on a bug or a broken catalog; the search
        or the catalog's database being unavailable, or still loading, is a reply."""
        try:
            return await self._respond(request, where)
        except CatalogUnavailable as e:
            log.warning("a request found the catalog unavailable: %s", e)
            return [Reply(say("unavailable"))]

    async def _respond(self, request: Request, where: Where) -> list[Reply]:
        match request:
            case Question(text):
                return [await self._answer(text, votes=where.local, history=asks_history(text))]
            case CasePath(number, text):
                return [await self._case_path(number, text, votes=where.local)]
            case ShowMeeting() | ShowPunkt():
                return [await asyncio.to_thread(self._look_up, request)]
            case Latest(forum, text):
                return [await self._latest(forum, text, votes=where.local)]
            case Forums():
                return [await asyncio.to_thread(self._forums)]
            case Help():
                return [Reply(card=cards.help_card())]
            case Subscribe(words):
                return [await self._subscribe(words, where)]
            case Unsubscribe(words):
                return [await self._unsubscribe(words, where)]
            case Vote():
                return [await self._vote(request)]
            case Unclear(problem=problem):
                return [Reply(problem)]
            case Empty():
                return [Reply(say("empty_chat"))]
            case Unreadable(command):
                return [Reply(say("bad_feedback" if command == "feedback" else "bad_button"))]
        raise AssertionError(f"no reply to {request!r}")

    # --- commands ------------------------------------------------------------------------

    def forum_names(self) -> ForumNames:
        """How a command may name the catalog's forums, made once for each set of them.
        Blocks: a catalog read."""
        return self._names.get(tuple(self.catalog.forums()), self._forum_names)

    def _forum_names(self, forums: tuple[str, ...]) -> ForumNames:
        return ForumNames(forums, self.forum_aliases)

    def _forum(self, text: str) -> str:
        """The one forum `text` names; NotOneForum otherwise. Blocks: a catalog read."""
        return self.forum_names().only(text)

    def _look_up(self, action: ShowMeeting | ShowPunkt) -> Reply:
        """`møde`, `punkt` and their buttons. When two forums met on the day and none is
        named, a button for each. Blocks: catalog reads."""
        number = action.number if isinstance(action, ShowPunkt) else None
        try:
            forum = self._forum(action.forum) if action.forum else None
        except NotOneForum as e:
            return Reply(_not_one_forum(e))
        if forum is None and len(met := self.catalog.forums_on(action.day)) > 1:
            return Reply(card=cards.forum_choice_card(action, met))
        found = look_up(self.catalog, action.day, number, forum)
        if isinstance(found, NoMeeting):
            return Reply(card=cards.no_meeting_card(found.day, found.nearest, forum or ""))
        if not isinstance(found, Found):
            return Reply(card=cards.no_punkt_card(found.meeting, found.number))
        if found.punkt is None:
            return Reply(card=cards.meeting_card(found.meeting))
        return Reply(card=cards.punkt_card(found.meeting, found.punkt,
                                           url=self._url(found.meeting.meeting_date,
                                                         found.punkt.number)))

    async def _latest(self, forum: str, text: str, *, votes: bool) -> Reply:
        """The latest meeting (of `forum`); `seneste WORD` whose WORD names no forum is
        answered as the question it is."""
        try:
            found = await asyncio.to_thread(self._forum, forum) if forum else None
        except NotOneForum:
            return await self._answer(text, votes=votes)
        meeting = await asyncio.to_thread(self.catalog.latest, found)
        return Reply(card=cards.meeting_card(meeting)) if meeting else Reply(say("empty_catalog"))

    async def _case_path(self, number: str, text: str, *, votes: bool) -> Reply:
        """Every punkt of the case number, oldest first; when none carries it, the question
        it was found in is answered as one, and the command `sag` says so."""
        steps = await asyncio.to_thread(self.catalog.case_path, number)
        if steps:
            return Reply(card=cards.case_path_card(steps))
        if text:
            return await self._answer(text, votes=votes, history=asks_history(text))
        return Reply(say("no_case", case=number))

    def _forums(self) -> Reply:
        """Each forum with its number of meetings and its first and last date. Blocks: a
        catalog read."""
        meetings = self.catalog.meetings()
        if not meetings:
            return Reply(say("empty_catalog"))
        by_forum: dict[str, list[dt.date]] = {}
        for m in meetings:
            by_forum.setdefault(m.forum, []).append(m.meeting_date)
        return Reply(card=cards.forums_card(by_forum))

    async def _subscribe(self, words: str, where: Where) -> Reply:
        if where.local or where.reference is None:
            return Reply(say("subscribe_local"))
        forums, topic = await asyncio.to_thread(self._interest, words)
        state = self.engine.lexical_state()
        found = await asyncio.to_thread(written, state, topic) \
            if topic and state is not None else True
        if found is None:
            return Reply(say("topic_without_words", topic=topic))
        new = await asyncio.to_thread(
            self.subscriptions.subscribe, where.reference, tenant_id=where.tenant_id,
            service_url=where.service_url, subscribed_by=where.user,
            interests=tuple(Interest(f, topic) for f in forums or ("",)))
        now = await asyncio.to_thread(self.subscriptions.get, where.conversation_id)
        what = cards.following(now.watermarks)
        unknown = "" if found else say("topic_unknown", topic=topic)
        return Reply((say("subscribed", when=self.digest_when, what=what) if new
                      else say("already_subscribed", what=what)) + unknown)

    async def _unsubscribe(self, words: str, where: Where) -> Reply:
        if where.local:
            return Reply(say("subscribe_local"))
        forums, topic = await asyncio.to_thread(self._interest, words)
        ended = 0
        for forum in forums or (None,):
            ended += await asyncio.to_thread(self.subscriptions.unsubscribe,
                                             where.conversation_id, forum=forum,
                                             topic=topic or None)
        now = await asyncio.to_thread(self.subscriptions.get, where.conversation_id)
        if not (now and now.active):
            return Reply(say("unsubscribed") if ended else say("not_subscribed"))
        asked = cards.following(Interest(f or "", topic) for f in forums or ("",))
        what = cards.following(now.watermarks)
        return Reply(say("unsubscribed_some", ended=asked, what=what) if ended
                     else say("not_following", ended=asked, what=what))

    def _interest(self, words: str) -> tuple[tuple[str, ...], str]:
        """The forums `words` name (as the catalog spells them) and the topic the other
        words name (`byrådet om parkering`: Kommunalbestyrelsen, "parkering"). Blocks: a
        catalog read."""
        names = self.forum_names()
        named = names.named(words)
        if not named.forums and len(words.split()) == 1 and (found := names.matching(words)):
            return found, ""  # `abonner tmu`
        topic = named.rest.split()
        while topic and topic[0].lower() in TOPIC_FILLERS:
            topic = topic[1:]
        return named.forums, " ".join(topic).lower()[:MAX_TOPIC_CHARS]

    # --- questions and votes -------------------------------------------------------------

    async def _answer(self, question: str, *, votes: bool, history: bool = False) -> Reply:
        """An answer: its text with the sources' markers and a card under it (with 👍/👎
        if `votes`); unsure, the same with the nearest punkt as its source; a refusal: why,
        and a card offering the nearest punkter. A question of a case's `history` gets the
        path of its best punkt's case number instead, when that punkt has one."""
        try:
            asked = await self.engine.ask(question[:MAX_QUESTION_CHARS])
        except NotReady:
            return Reply(say("loading"))
        except StoreUnavailable as e:
            log.warning("a question found the search unavailable: %s", e)
            return Reply(say("unavailable"))
        answer = asked.answer
        if answer.confidence == "low":  # unsure: the nearest punkt is cited as an answer's
            answer = replace(answer, citations=answer.suggestions[:1])
        elif not answer.answered:
            return Reply(answer.answer, cards.not_found_card(answer, lexical=asked.lexical),
                         generated=True)
        sources = await asyncio.to_thread(self._sources, answer.citations)
        best = sources[0].punkt if sources and answer.meeting is None else None
        if history and best and best.case_number:
            steps = await asyncio.to_thread(self.catalog.case_path, best.case_number)
            if steps:
                return _history(answer, best, steps)
        answer = replace(answer, citations=tuple(s.citation for s in sources))
        card = cards.answer_card(answer, lexical=asked.lexical, votes=votes, links=self.links)
        return Reply(cited_text(answer), card, sources, generated=True, question=answer.question)

    def _sources(self, citations: tuple[Citation, ...]) -> tuple[Source, ...]:
        """Each citation with its punkt from the catalog; a closed or missing one is left
        out, so nothing of a closed punkt is ever shown. Blocks: catalog reads."""
        meetings: dict[tuple[str, dt.date], Meeting | None] = {}
        sources = []
        for c in citations:
            key = (c.forum, c.meeting_date)
            if key not in meetings:
                meetings[key] = self.catalog.meeting(c.meeting_date, c.forum)
            meeting = meetings[key]
            punkt = meeting.punkt(c.punkt) if meeting else None
            if punkt is None or punkt.closed:
                log.warning("left out a citation of %s punkt %d: %s", c.meeting_date, c.punkt,
                            "closed" if punkt else "not in the catalog")
                continue
            sources.append(Source(c, meeting, punkt, self._url(c.meeting_date, c.punkt)))
        return tuple(sources)

    def _url(self, day: dt.date, number: int) -> str | None:
        return self.links.url(day, number) if self.links else None

    async def _vote(self, vote: Vote) -> Reply:
        cited = [(day.isoformat(), number) for day, number in vote.punkter]
        await asyncio.to_thread(self.feedback.record, vote.question, cited, vote.vote)
        return Reply(say("thanks_up" if vote.vote == "up" else "thanks_down"))

    # --- Teams' own feedback -------------------------------------------------------------

    async def sent(self, reply: Reply, where: Where, activity_ids: list[str]) -> None:
        """An answer to rate went out as `activity_ids`: remember its question and cited
        punkter, so Teams' feedback on it (`rate`) is stored with them."""
        if reply.question:
            await asyncio.to_thread(self.feedback.remember, where.conversation_id,
                                    activity_ids, reply.question, reply.punkter)

    async def rate(self, reaction: Reaction, where: Where, activity_id: str, *,
                   invoke_id: str = "") -> None:
        """Teams' 👍/👎 (and what the user wrote) on the answer sent as `activity_id`
        (empty: Teams did not say which), sent as the activity `invoke_id`: one vote
        however often that activity comes."""
        await asyncio.to_thread(self.feedback.react, where.conversation_id, activity_id,
                                reaction, invoke_id=invoke_id)


def _not_one_forum(e: NotOneForum) -> str:
    """Why a command's forum is not one forum, in Danish."""
    if e.found:
        return say("several_forums", text=e.text, forums=", ".join(e.found))
    return say("no_forum", text=e.text, forums=", ".join(e.forums) or say("no_punkter"))


def _history(answer: Answer, best: Punkt, steps: list[CaseStep]) -> Reply:
    """The path of the case of the punkt that best answers a history question, led by the
    case's title (and, unsure, by saying so)."""
    lead = say("case_history", answer.lang, title=best.title, case=best.case_number)
    if answer.confidence == "low":
        lead = f"{say('unsure', answer.lang)} {lead}"
    return Reply(lead, cards.case_path_card(steps))

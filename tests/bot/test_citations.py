"""An answer's citations as Teams reads them: the markers in the text, the one root
message entity with the AI label, each claim within the limits Teams documents (at most
20 citations, a name of 80 characters, an abstract of 160, 3 keywords of 28), the punkt
in the pop-up as a card without buttons, and the whole message within Teams' size; the
chat page's numbered list from the same sources; closed punkter never among them."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot import citations
from bot.citations import Source
from bot.conversation import Conversation, Message, Reply, Where
from bot.teams import activities
from bot.teams.citations import message_entity
from ingest.model import Meeting, Punkt
from retrieval.model import Answer, Citation
from retrieval.tuning import TUNING

TELEFON = Citation("Chefforum", dt.date(2024, 4, 24), 7, "Rådhusets telefontider",
                   "83.02.00-A00-1-23", "Beslutning",
                   "Chefforum besluttede, at Økonomiudvalgets beslutning fra april 2017 skal "
                   "implementeres i hele organisationen.")


def source(c: Citation = TELEFON, *, sections: dict | None = None, url: str | None = None) -> Source:
    punkt = Punkt(c.punkt, c.title, case_number=c.case_number,
                  sections=sections or {"Beslutning": c.snippet})
    return Source(c, Meeting(c.forum, c.meeting_date, punkter=(punkt,)), punkt, url)


def numbered(n: int, **changes) -> list[Citation]:
    return [dataclasses.replace(TELEFON, punkt=i, title=f"Punkt nummer {i}", **changes)
            for i in range(1, n + 1)]


def interactive(node) -> list:
    """Every button or clickable element in a card."""
    found = []
    if isinstance(node, dict):
        if node.get("type", "").startswith("Action.") or "selectAction" in node \
                or node.get("type") == "ActionSet":
            found.append(node)
        for value in node.values():
            found += interactive(value)
    elif isinstance(node, list):
        for item in node:
            found += interactive(item)
    return found


# --- the text ------------------------------------------------------------------------------


def test_the_answer_carries_its_first_sources_marker_and_names_the_others():
    one = Answer("q", True, TELEFON.snippet, (TELEFON,))
    assert citations.cited_text(one) == f"{TELEFON.snippet} [1]"
    three = Answer("q", True, TELEFON.snippet, tuple(numbered(3)))
    assert citations.cited_text(three).endswith(
        "\n\nSe også: Punkt nummer 2 [2]; Punkt nummer 3 [3]")
    english = dataclasses.replace(three, lang="en")
    assert "\n\nSee also: Punkt nummer 2 [2]" in citations.cited_text(english)


def test_every_citation_has_its_marker_in_the_text_and_no_marker_is_without_one():
    answer = Answer("q", True, "Svaret.", tuple(numbered(25)))
    text = citations.cited_text(answer)
    entity = message_entity([source(c) for c in answer.citations], card_bytes=0)
    positions = [c["position"] for c in entity["citation"]]
    assert positions == list(range(1, 21))  # Teams: at most 20 citations
    for p in positions:
        assert f"[{p}]" in text
    assert "[21]" not in text


# --- the entity ----------------------------------------------------------------------------


def test_the_message_entity_is_the_documented_shape():
    entity = message_entity([source(url="https://intra.example.dk/cf/2024-04-24#7")],
                            card_bytes=20_000)
    assert {k: entity[k] for k in ("type", "@type", "@context", "additionalType")} == {
        "type": "https://schema.org/Message", "@type": "Message",
        "@context": "https://schema.org", "additionalType": ["AIGeneratedContent"]}
    [claim] = entity["citation"]
    assert claim["@type"] == "Claim" and claim["position"] == 1
    appearance = claim["appearance"]
    assert appearance["@type"] == "DigitalDocument"
    assert appearance["name"] == "Chefforum 24.04.2024 · punkt 7: Rådhusets telefontider"
    assert appearance["abstract"] == TELEFON.snippet
    assert appearance["keywords"] == ["Beslutning", "83.02.00-A00-1-23"]
    assert appearance["url"] == "https://intra.example.dk/cf/2024-04-24#7"
    assert appearance["image"] == {"@type": "ImageObject", "name": "Text"}
    assert appearance["encodingFormat"] == "application/vnd.microsoft.card.adaptive"
    card = json.loads(appearance["text"])  # a string holding the card
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert "Rådhusets telefontider" in appearance["text"]
    assert interactive(card) == []  # Teams' citation window renders no buttons


def test_no_url_without_a_source_link_and_no_citations_without_sources():
    [claim] = message_entity([source()], card_bytes=0)["citation"]
    assert "url" not in claim["appearance"] and "text" not in claim["appearance"]
    assert "citation" not in message_entity([], card_bytes=0)


long_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0,
                    max_size=400)


@settings(max_examples=60, deadline=None)
@example(title="Titel " * 40, snippet="Et uddrag " * 60, section="Sagsfremstilling og mere " * 3,
         case="00.01.00-A21-9-18 " * 4)
@example(title="x" * 300, snippet="y" * 300, section="z" * 40, case="w" * 40)
@given(title=long_text.filter(str.strip), snippet=long_text, section=long_text,
       case=long_text)
def test_every_claim_is_within_teams_limits(title, snippet, section, case):
    c = dataclasses.replace(TELEFON, title=title, snippet=snippet, section=section,
                            case_number=case)
    [claim] = message_entity([source(c)], card_bytes=0)["citation"]
    appearance = claim["appearance"]
    # the limits as Teams documents them, written out: a constant changed by mistake fails
    assert 0 < len(appearance["name"]) <= 80
    assert len(appearance.get("abstract", "")) <= 160
    keywords = appearance.get("keywords", [])
    assert len(keywords) <= 3
    assert all(0 < len(k) <= 28 for k in keywords)


def test_long_fields_are_shortened_at_a_word_and_say_so():
    c = dataclasses.replace(TELEFON, title="Meget " * 30, snippet="lang " * 100,
                            case_number="00.01.00-A21-9-18-og-meget-mere-end-det")
    appearance = message_entity([source(c)], card_bytes=0)["citation"][0]["appearance"]
    assert appearance["name"].endswith("…") and appearance["abstract"].endswith("…")
    assert appearance["keywords"][1].endswith("…")


# --- the whole message -----------------------------------------------------------------------


def words(n: int) -> str:
    return " ".join(f"ord{i % 97}" for i in range(n))


def test_twenty_huge_punkter_still_make_a_message_teams_takes():
    sources = tuple(source(c, sections={"Sagsfremstilling": words(20_000), "Beslutning": words(500)})
                    for c in numbered(20, snippet=words(200)))
    answer = Answer("q", True, "Svaret.", tuple(s.citation for s in sources))
    reply = Reply(citations.cited_text(answer), {"type": "AdaptiveCard", "version": "1.5", "body": []},
                  sources, generated=True, question="q")
    sent = activities.message(reply)
    assert activities.cards.card_bytes(sent) <= 80_000  # Teams' advised size, UTF-16
    [entity] = sent["entities"]
    assert len(entity["citation"]) == 20
    assert sent["channelData"] == {"feedbackLoop": {"type": "default"}}
    # one source alone keeps its punkt, shortened to a card Teams takes
    one = activities.message(dataclasses.replace(reply, citations=sources[:1]))
    card = json.loads(one["entities"][0]["citation"][0]["appearance"]["text"])
    assert any("Forkortet her" in b.get("text", "") for b in card["body"])


def test_a_reply_that_is_not_an_answer_is_a_plain_message():
    assert activities.message(Reply("Skriv hjælp")) == {"type": "message", "text": "Skriv hjælp"}
    refusal = activities.message(Reply("Intet.", None, generated=True))
    assert refusal["entities"][0]["additionalType"] == ["AIGeneratedContent"]
    assert "channelData" not in refusal  # nothing to rate


def test_the_stream_is_opened_and_ended_as_documented():
    assert activities.informative("Jeg leder i referaterne …") == {
        "type": "typing", "text": "Jeg leder i referaterne …",
        "entities": [{"type": "streaminfo", "streamType": "informative", "streamSequence": 1}]}
    end = activities.final({"type": "message", "text": "Svar [1]", "entities": [{"type": "x"}]},
                           "stream-7")
    assert end["entities"] == [{"type": "x"}, {"type": "streaminfo", "streamId": "stream-7",
                                               "streamType": "final"}]


# --- from the catalog ------------------------------------------------------------------------


@pytest.fixture
def conversation(engine, bot_catalog, subscriptions, feedback):
    return Conversation(engine, bot_catalog, subscriptions, feedback)


def test_a_closed_punkt_is_never_a_source(conversation):
    closed = dataclasses.replace(TELEFON, meeting_date=dt.date(2019, 3, 14), punkt=5,
                                 title="Lukket", case_number="", snippet="")
    missing = dataclasses.replace(TELEFON, punkt=42)
    sources = conversation._sources((closed, TELEFON, missing))
    assert [(s.citation.meeting_date, s.citation.punkt) for s in sources] == [(dt.date(2024, 4, 24), 7)]
    assert sources[0].punkt.title == "Rådhusets telefontider"


async def test_no_answer_cites_or_shows_a_closed_punkt(conversation, bot_catalog):
    """The closed punkt of 14.03.2019 is in the catalog; no answer about that meeting
    shows any of it, in the text, the card or the citations."""
    closed = bot_catalog.meeting(dt.date(2019, 3, 14)).punkt(5)
    assert closed.closed
    for question in ("hvad blev besluttet på mødet 14-03-2019?", "lukket punkt 5 14-03-2019",
                     "hvad besluttede CF i marts 2019?"):
        for reply in await conversation.handle(Message(question), Where("c", local=True)):
            assert all((s.citation.meeting_date, s.citation.punkt) != (dt.date(2019, 3, 14), 5)
                       for s in reply.citations)
            shown = json.dumps(activities.message(reply), ensure_ascii=False)
            assert "14.03.2019 · punkt 5" not in shown, question


async def test_an_unsure_reply_cites_the_nearest_punkt_with_its_button(
        conversation, engine, monkeypatch):
    """"hvorfor blev sagen om kommunens åbningstid for opkald udsat i 2023?": with the
    verdict unsure of the town hall's phone hours punkt (its thresholds set here so that
    it lands between them whatever the fitted ones are), the reply says so, cites that
    punkt and offers "Vis hele punktet"."""
    answerer = engine.status.answerer
    hybrid = dataclasses.replace(TUNING.verdict.hybrid, high=1.0, low=0.0)
    monkeypatch.setattr(answerer, "tuning", dataclasses.replace(
        TUNING, verdict=dataclasses.replace(TUNING.verdict, hybrid=hybrid)))
    question = "hvorfor blev sagen om kommunens åbningstid for opkald udsat i 2023?"
    [reply] = await conversation.handle(Message(question), Where("c", local=True))
    assert reply.text.startswith("Jeg er ikke sikker på, at referaterne svarer på det.")
    assert reply.text.endswith("» [1]")
    assert [(s.citation.meeting_date, s.citation.punkt) for s in reply.citations] \
        == [(dt.date(2024, 4, 24), 7)]
    message = activities.message(reply)
    assert message["entities"][0]["citation"][0]["position"] == 1
    shown = json.dumps(reply.card, ensure_ascii=False)
    assert "Vis hele punktet" in shown and "Intet svar i referaterne" not in shown

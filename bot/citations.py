"""An answer's sources, numbered: the [1], [2] in the answer's text, and for Teams the
message entity that turns those markers into citation pop-ups under the AI label.

Plain dicts, no bot SDK. The shape and the limits are Teams' ("Enhance AI-generated bot
messages", https://learn.microsoft.com/microsoftteams/platform/bots/how-to/bot-messages-ai-generated-content):
one root `https://schema.org/Message` entity (two are a 400), `additionalType`
`["AIGeneratedContent"]` for the label, one `Claim` per source whose `position` is its
marker in the text, at most 20 citations, `appearance.name` at most 80 characters,
`abstract` at most 160, at most 3 keywords of at most 28 characters. `appearance.text` is
an Adaptive Card as a string (`encodingFormat` application/vnd.microsoft.card.adaptive)
that the pop-up opens in a window; that window renders no buttons, so the punkt goes in
without them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from bot import card_actions, cards
from bot.card_actions import ShowPunkt
from bot.texts import say
from ingest.model import Meeting, Punkt
from retrieval.model import Answer, Citation

MESSAGE_ENTITY = "https://schema.org/Message"
AI_GENERATED = "AIGeneratedContent"
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
MAX_CITATIONS = 20
MAX_NAME_CHARS = 80
MAX_ABSTRACT_CHARS = 160
MAX_KEYWORDS = 3
MAX_KEYWORD_CHARS = 28
#: The predefined icon the pop-up shows (one of the names Teams allows).
ICON = "Text"


@dataclass(frozen=True)
class Source:
    """A cited punkt, as the conversation found it in the catalog (never a closed one)."""

    citation: Citation
    meeting: Meeting
    punkt: Punkt
    #: the original referat (REFERATBOT_SOURCE_URL), or None
    url: str | None = None


def marker(position: int) -> str:
    return f"[{position}]"


def cited_text(answer: Answer) -> str:
    """The answer with its first source's marker, the others named after it:

    Chefforum besluttede, at … [1]

    Se også: Plan MED 2024-2025 [2]; Mål og handleplaner for sygefravær [3]
    """
    if not answer.citations:
        return answer.answer
    first = answer.citations[0]
    text = cards.marked(answer.answer, first.highlights) if first.snippet == answer.answer \
        else answer.answer
    text = f"{text} {marker(1)}"
    others = [f"{c.title} {marker(i)}" for i, c in enumerate(answer.citations[1:MAX_CITATIONS], 2)]
    if others:
        text += f"\n\n{say('see_also', answer.lang)} " + "; ".join(others)
    return text


def listed(sources: tuple[Source, ...] | list[Source]) -> list[dict]:
    """The sources as the chat page numbers them: what Teams' pop-ups show, and the
    button data that shows the whole punkt."""
    return [{"position": i, "name": citation_name(s.citation), "abstract": abstract(s.citation),
             "url": s.url,
             "show": card_actions.data(ShowPunkt(s.citation.meeting_date, s.citation.punkt))}
            for i, s in enumerate(sources[:MAX_CITATIONS], 1)]


def message_entity(sources: tuple[Source, ...] | list[Source], *, card_bytes: int) -> dict:
    """The root message entity: the AI label and a citation per source. Each source's
    punkt goes in as a card of at most `card_bytes` (UTF-16); 0 leaves the cards out."""
    entity = {"type": MESSAGE_ENTITY, "@type": "Message", "@context": "https://schema.org",
              "additionalType": [AI_GENERATED]}
    if sources:
        entity["citation"] = [claim(i, s, card_bytes=card_bytes)
                              for i, s in enumerate(sources[:MAX_CITATIONS], 1)]
    return entity


def claim(position: int, source: Source, *, card_bytes: int) -> dict:
    c = source.citation
    appearance = {"@type": "DigitalDocument", "name": citation_name(c),
                  "image": {"@type": "ImageObject", "name": ICON}}
    if c.snippet:
        appearance["abstract"] = abstract(c)
    keywords = [cards.shorten(k, MAX_KEYWORD_CHARS) for k in (c.section, c.case_number) if k]
    if keywords:
        appearance["keywords"] = keywords[:MAX_KEYWORDS]
    if source.url:
        appearance["url"] = source.url
    if card_bytes:
        card = cards.punkt_card(source.meeting, source.punkt, interactive=False, limit=card_bytes)
        appearance["text"] = json.dumps(card, ensure_ascii=False)
        appearance["encodingFormat"] = ADAPTIVE_CARD
    return {"@type": "Claim", "position": position, "appearance": appearance}


def abstract(c: Citation) -> str:
    """The snippet on one line, in at most 160 characters."""
    return cards.shorten(" ".join(c.snippet.split()), MAX_ABSTRACT_CHARS)


def citation_name(c: Citation) -> str:
    """Chefforum 24.04.2024 · punkt 7: Rådhusets telefontider (at most 80 characters)"""
    return cards.shorten(f"{c.forum} {cards.short_date(c.meeting_date)} · "
                         f"{say('source_punkt', number=c.punkt)}: {c.title}", MAX_NAME_CHARS)

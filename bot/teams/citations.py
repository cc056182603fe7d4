"""For Teams, the message entity that turns an answer's [1], [2] markers
(`bot/citations.py`) into citation pop-ups under the AI label.

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

from bot import cards
from bot.citations import MAX_CITATIONS, Source, abstract, citation_name

MESSAGE_ENTITY = "https://schema.org/Message"
AI_GENERATED = "AIGeneratedContent"
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
MAX_KEYWORDS = 3
MAX_KEYWORD_CHARS = 28
#: The predefined icon the pop-up shows (one of the names Teams allows).
ICON = "Text"


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

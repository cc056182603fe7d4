"""An answer's sources, numbered: the [1], [2] in the answer's text, and the list the chat
page numbers them in, each source with a name and an abstract within Teams' limits for a
citation (name at most 80 characters, abstract at most 160), so that the chat page and
Teams' citation pop-ups (`bot/teams/citations.py`) show the same.
"""
from __future__ import annotations

from dataclasses import dataclass

from bot import card_actions, cards
from bot.card_actions import ShowPunkt
from ingest.model import Meeting, Punkt
from retrieval.model import Answer, Citation
from retrieval.phrasebook import say

#: Teams shows at most 20 citations; the chat page lists as many.
MAX_CITATIONS = 20
MAX_NAME_CHARS = 80
MAX_ABSTRACT_CHARS = 160


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
    """The answer with its first source's marker, the others named after it, and the
    question's words in bold where the answer quotes the first source:

    Chefforum besluttede 24. april 2024 (punkt 7): «… **telefontid** …» [1]

    Se også: Plan MED 2024-2025 [2]; Mål og handleplaner for sygefravær [3]
    """
    if not answer.citations:
        return answer.answer
    first = answer.citations[0]
    text = answer.answer.replace(first.snippet, cards.marked(first.snippet, first.highlights), 1) \
        if first.snippet else answer.answer
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


def abstract(c: Citation) -> str:
    """The snippet on one line, in at most 160 characters."""
    return cards.shorten(" ".join(c.snippet.split()), MAX_ABSTRACT_CHARS)


def citation_name(c: Citation) -> str:
    """Chefforum 24.04.2024 · punkt 7: Rådhusets telefontider (at most 80 characters)"""
    return cards.shorten(f"{c.forum} {cards.short_date(c.meeting_date)} · "
                         f"{say('source_punkt', number=c.punkt)}: {c.title}", MAX_NAME_CHARS)

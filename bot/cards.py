"""Adaptive Cards (schema 1.5) for every reply that is more than a sentence.

Pure functions from the domain types (Answer, Meeting, Punkt) to plain dicts; the handler
wraps them in an attachment for Teams, the local chat page renders the same dicts as HTML.

Buttons are `Action.Submit` whose `data` the handler reads back from `activity.value`:
`{"command": "punkt", "date": "2024-04-24", "punkt": 7}`, `{"command": "møde", "date": ...}`,
`{"command": "spørg", "text": ...}` and `{"command": "feedback", "vote": "up", ...}`.

Size: Teams refuses a bot message above about 100 KB counted in UTF-16 and advises staying
within 80 KB (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages;
older versions of that page said 40 KB). Cards here stay within MAX_CARD_BYTES by
shortening long texts, saying so on the card.
"""
from __future__ import annotations

import datetime as dt
import json
import re

from ingest.model import DECISION, Meeting, Punkt
from retrieval.model import Answer, Citation
from retrieval.wording import say

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
#: UTF-16 bytes of the card JSON; half of Teams' advised 80 KB, and within the old 40 KB.
MAX_CARD_BYTES = 40_000
#: Characters of each decision on a meeting card, tried in turn until the card fits.
MEETING_DECISION_CAPS = (None, 1500, 900, 600, 400, 250, 150, 0)
#: Characters of each section on a punkt card, tried in turn until the card fits.
PUNKT_SECTION_CAPS = (None, 8000, 5000, 3000, 2000, 1200, 700, 400)
MAX_QUESTION_CHARS = 300
MAX_BILAG = 30
MAX_FEEDBACK_PUNKTER = 10

PUNKT, MOEDE, SPOERG, FEEDBACK = "punkt", "møde", "spørg", "feedback"

HELP_EXAMPLES = (
    "hvad besluttede CF om telefontider?",
    "hvad blev der besluttet om sygefravær i 2024?",
    "seneste",
    "møde 24-04-2024",
    "punkt 24-04-2024 7",
)


def card_bytes(card: dict) -> int:
    """The card's size as Teams counts it: its JSON in UTF-16."""
    return len(json.dumps(card, ensure_ascii=False).encode("utf-16-le"))


def short_date(day: dt.date) -> str:
    """24.04.2024"""
    return f"{day:%d.%m.%Y}"


def source_line(c: Citation) -> str:
    """Chefforum 24.04.2024 · punkt 7 · Rådhusets telefontider · sag 83.02.00-A00-1-23"""
    parts = [f"{c.forum} {short_date(c.meeting_date)}", f"punkt {c.punkt}", c.title]
    if c.case_number:
        parts.append(f"sag {c.case_number}")
    return " · ".join(parts)


# --- answers -------------------------------------------------------------------------------


def answer_card(answer: Answer) -> dict:
    """An answer with its sources, each with its snippet and a "Vis hele punktet" button;
    a not-found card when nothing answered."""
    if not answer.answered:
        return not_found_card(answer)
    first = answer.citations[0] if answer.citations else None
    shown = _marked(answer.answer, first.highlights) if first and first.snippet == answer.answer \
        else answer.answer
    body: list[dict] = [_heading("Svar"), _text(shown)]
    if answer.meeting:
        body.append(_text("Punkter: " + "; ".join(f"{n}. {t}" for n, t in answer.meeting.items),
                          subtle=True))
    actions: list[dict] = []
    if answer.citations:
        body.append(_heading("Kilder", size="Medium"))
        for i, c in enumerate(answer.citations):
            body.append(_source(c, repeat_snippet=c.snippet != answer.answer or i > 0))
    if answer.meeting:
        actions.append(_submit("Vis hele mødet", {"command": MOEDE,
                                                  "date": answer.meeting.meeting_date.isoformat()}))
    actions += _feedback_actions(answer)
    return _card(body, actions)


def not_found_card(answer: Answer) -> dict:
    """Says plainly that the minutes hold no answer, and offers the nearest punkter."""
    heading = "No answer in the minutes" if answer.lang == "en" else "Intet svar i referaterne"
    body = [_heading(heading), _text(answer.answer)]
    actions = [_submit(_clip(f"{s.title} ({short_date(s.meeting_date)}, punkt {s.punkt})", 80),
                       _punkt_data(s.meeting_date, s.punkt))
               for s in answer.suggestions]
    if actions:
        body.append(_text(say("maybe", answer.lang), subtle=True))
    if not actions:
        body.append(_text("Skriv **hjælp** for at se, hvad jeg kan.", subtle=True))
    return _card(body, actions)


def _source(c: Citation, *, repeat_snippet: bool) -> dict:
    items = [_text(source_line(c), weight="Bolder", color="Accent")]
    if repeat_snippet and c.snippet:
        label = f"{c.section}: " if c.section else ""
        items.append(_text(f"{label}{_marked(c.snippet, c.highlights)}", spacing="Small"))
    elif c.section:
        items.append(_text(f"Svaret er citeret fra {c.section}.", subtle=True, spacing="Small"))
    data = _punkt_data(c.meeting_date, c.punkt)
    items.append({"type": "ActionSet", "actions": [_submit("Vis hele punktet", data)]})
    return {"type": "Container", "separator": True, "spacing": "Medium", "items": items,
            "selectAction": _submit("Vis hele punktet", data)}


def _marked(text: str, words: tuple[str, ...]) -> str:
    """The question's words in bold (Adaptive Card markdown), so a reader sees why the
    punkt was chosen."""
    if not words:
        return text
    pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, words)) + r")(?!\w)")
    return pattern.sub(r"**\1**", text.replace("**", ""))


def _feedback_actions(answer: Answer) -> list[dict]:
    cited = [{"date": c.meeting_date.isoformat(), "punkt": c.punkt} for c in answer.citations]
    question = _clip(answer.question, MAX_QUESTION_CHARS)
    return [_submit(label, {"command": FEEDBACK, "vote": vote, "question": question,
                            "punkter": cited})
            for label, vote in (("👍 Brugbart", "up"), ("👎 Ikke brugbart", "down"))]


# --- meetings and punkter ------------------------------------------------------------------


def meeting_card(meeting: Meeting) -> dict:
    """The meeting's punkter with their decisions, each punkt a button to see it in full.
    Decisions are shortened until the card fits; closed punkter show only as closed."""
    for cap in MEETING_DECISION_CAPS:
        card = _meeting_card(meeting, cap)
        if card_bytes(card) <= MAX_CARD_BYTES:
            return card
    return _fit_by_dropping(meeting)


def _meeting_card(meeting: Meeting, cap: int | None, limit: int | None = None) -> dict:
    head = f"{meeting.forum} {short_date(meeting.meeting_date)}"
    where = ", ".join(x for x in (f"kl. {meeting.time}" if meeting.time else "",
                                  f"mødested {meeting.place}" if meeting.place else "") if x)
    body: list[dict] = [_heading(head), _text(where, subtle=True, spacing="None")] if where \
        else [_heading(head)]
    shortened = False
    punkter = meeting.punkter if limit is None else meeting.punkter[:limit]
    for p in punkter:
        if p.closed:
            body.append(_text(f"Punkt {p.number}: Lukket punkt", subtle=True, separator=True))
            continue
        decision, cut = _shorten(p.decision, cap)
        shortened = shortened or cut
        items = [_text(f"Punkt {p.number}: {p.title}", weight="Bolder")]
        if decision:
            items.append(_text(f"**{DECISION}:** {decision}", spacing="Small"))
        elif cap != 0 and not p.decision:
            items.append(_text("Ingen beslutning i referatet.", subtle=True, spacing="Small"))
        data = _punkt_data(meeting.meeting_date, p.number)
        body.append({"type": "Container", "separator": True, "items": items,
                     "selectAction": _submit(f"Vis punkt {p.number}", data)})
    if limit is not None and limit < len(meeting.punkter):
        body.append(_text(f"… og {len(meeting.punkter) - limit} punkter mere. Skriv "
                          f"punkt {meeting.meeting_date:%d-%m-%Y} NR for at se et af dem.",
                          subtle=True, separator=True))
    if shortened or cap == 0:
        body.append(_text("Beslutningerne er forkortet. Vælg et punkt for at se det hele.",
                          subtle=True, separator=True))
    return _card(body, [])


def _fit_by_dropping(meeting: Meeting) -> dict:
    """Titles only, and as many punkter as fit: for meetings far beyond any real one."""
    n = len(meeting.punkter)
    while n > 1 and card_bytes(_meeting_card(meeting, 0, n)) > MAX_CARD_BYTES:
        n = n * 3 // 4
    return _meeting_card(meeting, 0, n)


def punkt_card(meeting: Meeting, punkt: Punkt) -> dict:
    """One punkt in full: title, case number, every section, the attachments' names.
    Sections longer than the card allows are shortened, with a note; the decision is
    shortened last."""
    for cap in PUNKT_SECTION_CAPS:
        card = _punkt_card(meeting, punkt, cap)
        if card_bytes(card) <= MAX_CARD_BYTES:
            return card
    return _punkt_card(meeting, punkt, PUNKT_SECTION_CAPS[-1], decision_cap=PUNKT_SECTION_CAPS[-1])


def _punkt_card(meeting: Meeting, punkt: Punkt, cap: int | None,
                decision_cap: int | None = None) -> dict:
    day = short_date(meeting.meeting_date)
    body: list[dict] = [
        _text(f"{meeting.forum} {day} · punkt {punkt.number}", subtle=True),
        _heading(punkt.title, spacing="None"),
    ]
    if punkt.closed:
        body.append(_text("Punktet er lukket og vises ikke."))
        return _card(body, [_submit("Vis hele mødet", _meeting_data(meeting.meeting_date))])
    if punkt.case_number:
        body.append(_text(f"Sag {punkt.case_number}", subtle=True, spacing="None"))
    shortened = []
    for name, text in punkt.sections.items():
        text, cut = _shorten(text, decision_cap if name == DECISION else cap)
        if cut:
            shortened.append(name)
        body.append(_heading(name, size="Medium"))
        body.append(_text(text, spacing="Small"))
    if punkt.bilag:
        names = [f"- {_clip(b, 200)}" for b in punkt.bilag[:MAX_BILAG]]
        if len(punkt.bilag) > MAX_BILAG:
            names.append(f"… og {len(punkt.bilag) - MAX_BILAG} bilag mere")
        body.append(_heading("Bilag", size="Medium"))
        body.append(_text("\n".join(names), spacing="Small"))
    if shortened:
        body.append(_text(f"Forkortet her: {', '.join(shortened)}. Hele teksten står i referatet.",
                          subtle=True, separator=True))
    return _card(body, [_submit("Vis hele mødet", _meeting_data(meeting.meeting_date))])


# --- help and notices ----------------------------------------------------------------------


def help_card(*, greeting: bool = False) -> dict:
    """What the bot can do, with examples that can be clicked."""
    body = [_heading("Hej! Jeg er referatbotten" if greeting else "Sådan bruger du mig"),
            _text("Jeg kender referaterne fra Chefforum (CF). Spørg mig om, hvad CF har "
                  "besluttet, så svarer jeg med beslutningen og det møde og punkt, den står i.")]
    body.append({"type": "FactSet", "facts": [
        {"title": "spørgsmål", "value": "hvad besluttede CF om telefontider?"},
        {"title": "møde DATO", "value": "et møde med alle punkter og beslutninger"},
        {"title": "seneste", "value": "det seneste møde"},
        {"title": "punkt DATO NR", "value": "et punkt i fuld længde"},
        {"title": "abonner", "value": "et dagligt overblik over nye beslutninger her"},
        {"title": "afmeld", "value": "stop det daglige overblik"},
        {"title": "hjælp", "value": "denne besked"},
    ]})
    body.append(_text("Datoer kan skrives som 24-04-2024, 24.04.2024, 2024-04-24 eller "
                      "24. april 2024. Engelsk virker også (help, meeting, latest, item).",
                      subtle=True))
    body.append(_text("Prøv fx:", weight="Bolder"))
    actions = [_submit(e, {"command": SPOERG, "text": e}) for e in HELP_EXAMPLES]
    return _card(body, actions)


def no_meeting_card(day: dt.date, nearest: list[dt.date]) -> dict:
    """No meeting on `day`: say so, and offer the nearest meetings as buttons."""
    body = [_text(f"Der er intet referat fra et møde d. {short_date(day)}.", weight="Bolder")]
    if nearest:
        body.append(_text("De nærmeste møder er:"))
    else:
        body.append(_text("Der er endnu ingen referater."))
    actions = [_submit(f"Møde {short_date(d)}", _meeting_data(d)) for d in nearest]
    return _card(body, actions)


def no_punkt_card(meeting: Meeting, number: int) -> dict:
    numbers = [p.number for p in meeting.punkter]
    span = f"{numbers[0]}–{numbers[-1]}" if numbers else "ingen"
    body = [_text(f"Mødet d. {short_date(meeting.meeting_date)} har ikke noget punkt {number}. "
                  f"Det har punkterne {span}.", weight="Bolder")]
    return _card(body, [_submit("Vis hele mødet", _meeting_data(meeting.meeting_date))])


# --- building blocks -----------------------------------------------------------------------


def _card(body: list[dict], actions: list[dict]) -> dict:
    card = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body,
            "msteams": {"width": "Full"}}
    if actions:
        card["actions"] = actions
    return card


def _text(text: str, *, weight: str | None = None, subtle: bool = False,
          color: str | None = None, spacing: str | None = None, separator: bool = False) -> dict:
    block = {"type": "TextBlock", "text": _plain(text), "wrap": True}
    if weight:
        block["weight"] = weight
    if subtle:
        block["isSubtle"] = True
    if color:
        block["color"] = color
    if spacing:
        block["spacing"] = spacing
    if separator:
        block["separator"] = True
    return block


def _heading(text: str, *, size: str = "Large", spacing: str | None = None) -> dict:
    block = {"type": "TextBlock", "text": _plain(text), "wrap": True, "weight": "Bolder",
             "size": size, "style": "heading"}
    if spacing:
        block["spacing"] = spacing
    return block


def _submit(title: str, data: dict) -> dict:
    return {"type": "Action.Submit", "title": title, "data": data}


def _punkt_data(day: dt.date, number: int) -> dict:
    return {"command": PUNKT, "date": day.isoformat(), "punkt": number}


def _meeting_data(day: dt.date) -> dict:
    return {"command": MOEDE, "date": day.isoformat()}


def _plain(text: str) -> str:
    """Minutes' text for a TextBlock: tab-separated tables become readable columns."""
    return text.replace("\t", "  |  ")


def _shorten(text: str, cap: int | None) -> tuple[str, bool]:
    """`text` cut to about `cap` characters at a word, and whether it was cut."""
    if cap is None or len(text) <= cap:
        return text, False
    if cap == 0:
        return "", True
    cut = text[:cap].rsplit(" ", 1)[0].rstrip(" ,.;:")
    return cut + " …", True


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


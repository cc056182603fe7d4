"""Adaptive Cards (schema 1.5) for every reply that is more than a sentence.

Pure functions from the domain types (Answer, Meeting, Punkt) to plain dicts; the handler
wraps them in an attachment for Teams, the local chat page renders the same dicts as HTML.

A button's `data` is one of the actions in `bot.card_actions` (built and read back there
only). Buttons that show a punkt or a meeting are `Action.Execute` (Universal Actions,
card version 1.4 and up), answered with a card that replaces the one clicked, falling
back to an `Action.Submit` of the same data; a question or a vote is an `Action.Submit`,
which Teams sends as a message. What the cards say is in `retrieval.phrasebook`.

Size: Teams refuses a bot message above about 100 KB counted in UTF-16 and advises staying
within 80 KB (https://learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages;
older versions of that page said 40 KB). Cards here stay within MAX_CARD_BYTES by
shortening long texts, saying so on the card.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from typing import Iterable

from bot import card_actions
from bot.card_actions import Ask, ShowMeeting, ShowPunkt, Vote
from bot.jobs.subscriptions import Interest
from bot.links import SourceLinks
from ingest.catalog import CaseStep, NewDecision
from ingest.chunk import split_sentences
from ingest.model import DECISION, Meeting, Punkt
from retrieval.model import Answer, Citation
from retrieval.phrasebook import HELP_EXAMPLES, HELP_FACTS, say

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
#: UTF-16 bytes of the card JSON; half of Teams' advised 80 KB, and within the old 40 KB.
MAX_CARD_BYTES = 40_000
#: Characters of each decision on a meeting card, tried in turn until the card fits.
MEETING_DECISION_CAPS = (None, 1500, 900, 600, 400, 250, 150, 0)
#: Characters of each section on a punkt card, tried in turn until the card fits.
PUNKT_SECTION_CAPS = (None, 8000, 5000, 3000, 2000, 1200, 700, 400)
MAX_BILAG = 30
#: Characters of an attachment's name.
MAX_BILAG_CHARS = 200
#: Punkter on a case's path card: the newest; older ones are counted.
CASE_MAX_STEPS = 30
#: Characters of each decision on a digest card (one or two sentences).
DIGEST_DECISION_CHARS = 300
#: Decisions on one digest card; older ones are left to `møde <dato>`.
DIGEST_MAX_ITEMS = 40
#: Characters of the decision on a punkt put into a message from the compose box.
SHARED_DECISION_CHARS = 1500


def card_bytes(card: dict) -> int:
    """The card's (or a whole message's) size as Teams counts it: its JSON in UTF-16."""
    return len(json.dumps(card, ensure_ascii=False).encode("utf-16-le"))


def short_date(day: dt.date) -> str:
    """24.04.2024"""
    return f"{day:%d.%m.%Y}"


def source_line(c: Citation) -> str:
    """Chefforum 24.04.2024 · punkt 7 · Rådhusets telefontider · sag 83.02.00-A00-1-23"""
    parts = [f"{c.forum} {short_date(c.meeting_date)}", say("source_punkt", number=c.punkt),
             c.title]
    if c.case_number:
        parts.append(say("source_case", case=c.case_number))
    return " · ".join(parts)


def punkt_head(forum: str, day: dt.date, number: int) -> str:
    """Chefforum 24.04.2024 · punkt 7"""
    return say("punkt_head", forum=forum, day=short_date(day), number=number)


def shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` characters: cut at a word, ending in "…". The one
    truncation of the bot's cards."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return "…"[:limit]
    cut = text[:limit - 1]
    if not text[limit - 1].isspace() and " " in cut.strip():
        cut = cut.rsplit(" ", 1)[0]  # the word cut in two goes
    return cut.rstrip(" ,.;:") + "…"


# --- answers -------------------------------------------------------------------------------


def answer_card(answer: Answer, *, lexical: bool = False, votes: bool = True,
                links: SourceLinks | None = None) -> dict | None:
    """What goes under an answer's text (the message's own text, with the [1], [2] of
    `bot.citations`): its sources numbered as in the text, each with its snippet unless
    the text quotes it, "Vis hele punktet" and, with `links`, the original referat;
    "Vis hele mødet" for a meeting; 👍/👎 with `votes` (where the front end has no
    feedback of its own). An unsure answer (confidence low) cites the punkt it quotes as
    an answer does; a not-found card when nothing answered. `lexical`: found without the
    embedding model (still loading, or missing), which the card says. None when there is
    nothing to add to the text."""
    if not answer.answered and answer.confidence != "low":
        return not_found_card(answer, lexical=lexical)
    body: list[dict] = []
    if answer.citations:
        body.append(_heading(say("sources"), size="Medium"))
        for i, c in enumerate(answer.citations):
            url = links.url(c.meeting_date, c.punkt) if links else None
            body.append(_source(i + 1, c, repeat_snippet=c.snippet not in answer.answer or i > 0,
                                url=url))
    if lexical:
        body.append(_text(say("lexical_only"), subtle=True, separator=True))
    actions: list[dict] = []
    if answer.meeting:
        actions.append(_show(say("show_meeting"), ShowMeeting(answer.meeting.meeting_date,
                                                                   answer.meeting.forum)))
    if votes:
        actions += _feedback_actions(answer)
    return _card(body, actions) if body or actions else None


def not_found_card(answer: Answer, *, lexical: bool = False) -> dict:
    """Says plainly that the minutes hold no answer (why is the message's text), and
    offers the nearest punkter, each a line to click: Teams cuts a button's title to one
    line, which took the meeting and punkt off a long title's button."""
    body = [_heading(say("no_answer", answer.lang))]
    if answer.suggestions:
        body.append(_text(say("maybe", answer.lang), subtle=True))
        body += [_suggestion(s) for s in answer.suggestions]
    else:
        body.append(_text(say("try_help", answer.lang), subtle=True))
    if lexical:
        body.append(_text(say("lexical_only"), subtle=True, separator=True))
    return _card(body, [])


def _suggestion(s: Citation) -> dict:
    show = ShowPunkt(s.meeting_date, s.punkt, s.forum)
    line = say("suggestion", title=s.title, day=short_date(s.meeting_date), number=s.punkt)
    return {"type": "Container", "separator": True,
            "items": [_text(line, weight="Bolder", color="Accent")],
            "selectAction": _show(say("show_punkt"), show)}


def _source(number: int, c: Citation, *, repeat_snippet: bool, url: str | None) -> dict:
    line = {"type": "ColumnSet", "columns": [
        {"type": "Column", "width": "auto",
         "items": [_text(f"[{number}]", weight="Bolder", color="Accent")]},
        {"type": "Column", "width": "stretch",
         "items": [_text(source_line(c), weight="Bolder", color="Accent")]}]}
    items = [line]
    if repeat_snippet and c.snippet:
        label = f"{c.section}: " if c.section else ""
        items.append(_text(f"{label}{marked(c.snippet, c.highlights)}", spacing="Small"))
    elif c.section:
        items.append(_text(say("quoted_from", section=c.section), subtle=True, spacing="Small"))
    show = ShowPunkt(c.meeting_date, c.punkt, c.forum)
    buttons = [_show(say("show_punkt"), show)] + ([_open_url(say("open_referat"), url)]
                                                  if url else [])
    items.append({"type": "ActionSet", "actions": buttons})
    return {"type": "Container", "separator": True, "spacing": "Medium", "items": items,
            "selectAction": _show(say("show_punkt"), show)}


def marked(text: str, words: tuple[str, ...]) -> str:
    """The question's words in bold (markdown, as Adaptive Cards and Teams messages read
    it), so a reader sees why the punkt was chosen."""
    if not words:
        return text
    pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, words)) + r")(?!\w)")
    return pattern.sub(r"**\1**", text.replace("**", ""))


def _feedback_actions(answer: Answer) -> list[dict]:
    cited = tuple((c.meeting_date, c.punkt) for c in answer.citations)
    question = shorten(answer.question, card_actions.MAX_VOTE_QUESTION_CHARS)
    return [_submit(say(label), Vote(vote, question, cited))
            for label, vote in (("vote_up", "up"), ("vote_down", "down"))]


# --- meetings and punkter ------------------------------------------------------------------


def meeting_card(meeting: Meeting) -> dict:
    """The meeting's punkter with their decisions, each punkt a button to see it in full.
    Decisions are shortened until the card fits; closed punkter show only as closed."""
    return _first_that_fits([lambda cap=cap: _meeting_card(meeting, cap)
                             for cap in MEETING_DECISION_CAPS]) or _fit_by_dropping(meeting)


def _meeting_card(meeting: Meeting, cap: int | None, limit: int | None = None) -> dict:
    head = f"{meeting.forum} {short_date(meeting.meeting_date)}"
    where = ", ".join(x for x in (say("at_time", time=meeting.time) if meeting.time else "",
                                  say("at_place", place=meeting.place) if meeting.place else "")
                      if x)
    body: list[dict] = [_heading(head), _text(where, subtle=True, spacing="None")] if where \
        else [_heading(head)]
    shortened = False
    punkter = meeting.punkter if limit is None else meeting.punkter[:limit]
    for p in punkter:
        if p.closed:
            body.append(_text(say("closed_line", number=p.number), subtle=True, separator=True))
            continue
        decision, cut = _capped(p.decision, cap)
        shortened = shortened or cut
        items = [_text(say("punkt_line", number=p.number, title=p.title), weight="Bolder")]
        if decision:
            items.append(_text(f"**{DECISION}:** {decision}", spacing="Small"))
        elif cap != 0 and not p.decision:
            items.append(_text(say("no_decision"), subtle=True, spacing="Small"))
        body.append({"type": "Container", "separator": True, "items": items,
                     "selectAction": _show(say("show_punkt_number", number=p.number),
                                             ShowPunkt(meeting.meeting_date, p.number,
                                                                       meeting.forum))})
    if limit is not None and limit < len(meeting.punkter):
        body.append(_text(say("more_punkter", n=len(meeting.punkter) - limit,
                              day=f"{meeting.meeting_date:%d-%m-%Y}"),
                          subtle=True, separator=True))
    if shortened or cap == 0:
        body.append(_text(say("decisions_shortened"), subtle=True, separator=True))
    return _card(body, [])


def _fit_by_dropping(meeting: Meeting) -> dict:
    """Titles only, and as many punkter as fit (found by bisection): for meetings far
    beyond any real one."""
    fits, too_many = 1, len(meeting.punkter) + 1
    while too_many - fits > 1:
        n = (fits + too_many) // 2
        if card_bytes(_meeting_card(meeting, 0, n)) <= MAX_CARD_BYTES:
            fits = n
        else:
            too_many = n
    return _meeting_card(meeting, 0, fits)


def punkt_card(meeting: Meeting, punkt: Punkt, *, url: str | None = None,
               interactive: bool = True, limit: int = MAX_CARD_BYTES) -> dict:
    """One punkt in full: title, case number, every section, the attachments' names, and
    the buttons to the open punkter before and after it, "Vis hele mødet" and the
    original referat (`url`), unless not `interactive` (Teams' citation window shows no
    buttons). Sections longer than `limit` (UTF-16 bytes) allows are shortened, with a
    note; the decision is shortened last."""
    last = PUNKT_SECTION_CAPS[-1]
    buttons = (_punkt_buttons(meeting, punkt)
               + ([_open_url(say("open_referat"), url)] if url and not punkt.closed else [])
               if interactive else [])
    return _first_that_fits([lambda cap=cap: _punkt_card(meeting, punkt, buttons, cap)
                             for cap in PUNKT_SECTION_CAPS], limit) \
        or _punkt_card(meeting, punkt, buttons, last, decision_cap=last)


def _punkt_card(meeting: Meeting, punkt: Punkt, buttons: list[dict], cap: int | None,
                decision_cap: int | None = None) -> dict:
    body: list[dict] = [
        _text(punkt_head(meeting.forum, meeting.meeting_date, punkt.number), subtle=True),
        _heading(punkt.title, spacing="None"),
    ]
    if punkt.closed:
        body.append(_text(say("closed_punkt")))
        return _card(body, buttons)
    if punkt.case_number:
        body.append(_text(say("case", case=punkt.case_number), subtle=True, spacing="None"))
    shortened = []
    for name, text in punkt.sections.items():
        text, cut = _capped(text, decision_cap if name == DECISION else cap)
        if cut:
            shortened.append(name)
        body.append(_heading(name, size="Medium"))
        body.append(_text(text, spacing="Small"))
    if punkt.bilag:
        body += _bilag(punkt.bilag)
    if shortened:
        body.append(_text(say("shortened_here", sections=", ".join(shortened)),
                          subtle=True, separator=True))
    return _card(body, buttons)


def _punkt_buttons(meeting: Meeting, punkt: Punkt) -> list[dict]:
    """The open punkter before and after this one, and the whole meeting: reading a meeting
    punkt by punkt in one card."""
    numbers = [p.number for p in meeting.open_punkter]
    before = [n for n in numbers if n < punkt.number]
    after = [n for n in numbers if n > punkt.number]
    day, forum = meeting.meeting_date, meeting.forum
    buttons = [_show(say("previous_punkt", number=before[-1]),
                     ShowPunkt(day, before[-1], forum))] if before else []
    buttons.append(_show(say("show_meeting"), ShowMeeting(day, forum)))
    if after:
        buttons.append(_show(say("next_punkt", number=after[0]), ShowPunkt(day, after[0], forum)))
    return buttons


def _bilag(bilag: tuple[str, ...]) -> list[dict]:
    names = [f"- {shorten(b, MAX_BILAG_CHARS)}" for b in bilag[:MAX_BILAG]]
    if len(bilag) > MAX_BILAG:
        names.append(say("more_bilag", n=len(bilag) - MAX_BILAG))
    return [_heading(say("bilag"), size="Medium"), _text("\n".join(names), spacing="Small")]


# --- a case's path ------------------------------------------------------------------------


def case_path_card(steps: list[CaseStep]) -> dict:
    """A case's punkter across meetings and forums, oldest first (`sag NUMMER`): each with
    its forum, date, number and title, its decision quoted, and a button to the whole
    punkt. Past CASE_MAX_STEPS the oldest are counted; decisions are shortened, then fewer
    punkter shown, until the card fits: a decision is what a path is read for."""
    shown = min(len(steps), CASE_MAX_STEPS)
    while True:
        card = _first_that_fits([lambda cap=cap: _case_path_card(steps, cap, shown)
                                 for cap in MEETING_DECISION_CAPS[:-1]])
        if card or shown == 1:
            return card or _case_path_card(steps, 0, 1)
        shown = shown * 3 // 4


def _case_path_card(steps: list[CaseStep], cap: int | None, shown: int) -> dict:
    case = steps[-1].punkt.case_number
    body: list[dict] = [
        _heading(say("case", case=case)),
        _text(say("case_path_steps", n=len(steps)) if len(steps) > 1 else say("case_path_step"),
              subtle=True, spacing="None")]
    if shown < len(steps):
        first = steps[0]
        body.append(_text(say("case_path_older", n=len(steps) - shown, head=punkt_head(
            first.forum, first.meeting_date, first.punkt.number)), subtle=True))
    shortened = False
    for step in steps[len(steps) - shown:]:
        p, show = step.punkt, ShowPunkt(step.meeting_date, step.punkt.number, step.forum)
        decision, cut = _capped(p.decision, cap)
        shortened = shortened or cut
        items = [_text(punkt_head(step.forum, step.meeting_date, p.number), subtle=True),
                 _text(p.title, weight="Bolder", spacing="None")]
        if decision:
            items.append(_text(f"**{DECISION}:** «{decision}»", spacing="Small"))
        elif cap != 0 and not p.decision:
            items.append(_text(say("no_decision"), subtle=True, spacing="Small"))
        items.append({"type": "ActionSet", "actions": [_show(say("show_punkt"), show)]})
        body.append({"type": "Container", "separator": True, "items": items})
    if shortened or cap == 0:
        body.append(_text(say("decisions_shortened"), subtle=True, separator=True))
    return _card(body, [])


# --- the daily digest ----------------------------------------------------------------------


def short_decision(text: str, limit: int = DIGEST_DECISION_CHARS) -> str:
    """The decision in one or two sentences, within `limit` characters."""
    sentences = split_sentences(text)
    out = sentences[0] if sentences else ""
    if len(sentences) > 1 and len(out) + 1 + len(sentences[1]) <= limit:
        out += " " + sentences[1]
    return shorten(out, limit)


def digest_card(decisions: list[NewDecision], interests: tuple[Interest, ...] = ()) -> dict:
    """New decisions grouped by forum, then by meeting, newest first, each with a "Vis
    hele punktet", under a line naming what the conversation follows; past
    DIGEST_MAX_ITEMS the oldest are left to `møde <dato>`, and fewer are listed until
    the card fits."""
    decisions = sorted(decisions, key=lambda d: (-d.meeting_date.toordinal(), d.forum,
                                                 d.punkt.number))
    n = min(len(decisions), DIGEST_MAX_ITEMS)
    while n > 1 and card_bytes(_digest_card(decisions, n, interests)) > MAX_CARD_BYTES:
        n = n * 3 // 4
    return _digest_card(decisions, n, interests)


def _digest_card(decisions: list[NewDecision], n: int, interests: tuple[Interest, ...]) -> dict:
    body: list[dict] = [_heading(say("digest_title"))]
    if interests:
        body.append(_text(say("following", what=following(interests)), subtle=True,
                          spacing="None"))
    by_forum: dict[str, list[NewDecision]] = {}
    for d in decisions[:n]:  # the forum with the newest meeting first
        by_forum.setdefault(d.forum, []).append(d)
    for forum, listed in by_forum.items():
        body.append(_heading(forum, size="Medium", spacing="Large"))
        day = None
        for d in listed:
            if d.meeting_date != day:
                day = d.meeting_date
                body.append(_text(say("digest_meeting", day=short_date(day)), weight="Bolder",
                                  spacing="Medium"))
            show = ShowPunkt(d.meeting_date, d.punkt.number, d.forum)
            body.append({"type": "Container", "separator": True, "items": [
                _text(say("punkt_line", number=d.punkt.number, title=d.punkt.title),
                      weight="Bolder"),
                _text(short_decision(d.punkt.decision)),
                {"type": "ActionSet", "actions": [_show(say("show_punkt"), show)]},
            ]})
    if len(decisions) > n:
        body.append(_text(say("more_decisions", n=len(decisions) - n), subtle=True))
    return _card(body, [])


def following(interests: Iterable[Interest]) -> str:
    """What a conversation follows, in words: `alle fora; Kommunalbestyrelsen om «parkering»`."""
    return "; ".join(
        say("about_topic", forum=i.forum or say("every_forum"), topic=i.topic) if i.topic
        else i.forum or say("every_forum") for i in interests)


# --- the compose box -----------------------------------------------------------------------


def shared_punkt_card(forum: str, day: dt.date, punkt: Punkt) -> dict:
    """A punkt as a user puts it into a message to colleagues from the compose box's
    search: title, meeting, case number and decision, and how to see the rest. No
    buttons: Teams asks to add the app to a chat for a card with Action.Execute sent
    there, and the bot may not be in it; the card names the command instead."""
    decision, cut = _capped(punkt.decision, SHARED_DECISION_CHARS)
    body = [_text(punkt_head(forum, day, punkt.number), subtle=True),
            _heading(punkt.title, size="Medium", spacing="None")]
    if punkt.case_number:
        body.append(_text(say("case", case=punkt.case_number), subtle=True, spacing="None"))
    body.append(_text(f"**{DECISION}:** {decision}" if decision else say("no_decision"),
                      subtle=not decision))
    if cut or set(punkt.sections) - {DECISION} or punkt.bilag:  # more than shown here
        body.append(_text(say("whole_punkt_by_command", day=f"{day:%d-%m-%Y}",
                              number=punkt.number), subtle=True, separator=True))
    return _card(body, [])


# --- help and notices ----------------------------------------------------------------------


def help_card(*, greeting: bool = False) -> dict:
    """What the bot can do, with examples that can be clicked."""
    body = [_heading(say("greeting") if greeting else say("how_to")), _text(say("intro")),
            {"type": "FactSet", "facts": [{"title": t, "value": v} for t, v in HELP_FACTS["da"]]},
            _text(say("help_dates"), subtle=True),
            _text(say("try"), weight="Bolder")]
    return _card(body, [_submit(e, Ask(e)) for e in HELP_EXAMPLES])


def no_meeting_card(day: dt.date, nearest: tuple[dt.date, ...] | list[dt.date],
                    forum: str = "") -> dict:
    """No meeting on `day` (of `forum`, when asked for one): say so, and offer the nearest
    meetings as buttons."""
    said = say("no_forum_meeting_on", forum=forum, day=short_date(day)) if forum \
        else say("no_meeting_on", day=short_date(day))
    body = [_text(said, weight="Bolder"),
            _text(say("nearest_meetings") if nearest else say("empty_catalog"))]
    actions = [_show(say("meeting_button", day=short_date(d)), ShowMeeting(d, forum))
               for d in nearest]
    return _card(body, actions)


def forum_choice_card(action: ShowMeeting | ShowPunkt, forums: list[str]) -> dict:
    """Two forums or more met on the day asked for without a forum: a button for each."""
    body = [_text(say("forums_on", day=short_date(action.day)), weight="Bolder")]
    return _card(body, [_show(forum, replace(action, forum=forum)) for forum in forums])


def forums_card(meetings: dict[str, list[dt.date]]) -> dict:
    """The forums, each with its meetings' number and first and last date (`fora`), and
    a button to its latest meeting."""
    facts = [{"title": forum, "value": say("forum_meetings", n=len(days), first=short_date(days[0]),
                                            last=short_date(days[-1])) if len(days) > 1
              else say("forum_meeting", first=short_date(days[0]))}
             for forum, days in sorted(meetings.items())]
    body = [_heading(say("forums_title"), size="Medium"), {"type": "FactSet", "facts": facts}]
    return _card(body, [_show(forum, ShowMeeting(days[-1], forum))
                        for forum, days in sorted(meetings.items())])


def no_punkt_card(meeting: Meeting, number: int) -> dict:
    numbers = [p.number for p in meeting.punkter]
    span = f"{numbers[0]}–{numbers[-1]}" if numbers else say("no_punkter")
    body = [_text(say("no_punkt", day=short_date(meeting.meeting_date), number=number, span=span),
                  weight="Bolder")]
    return _card(body, [_show(say("show_meeting"), ShowMeeting(meeting.meeting_date,
                                                                     meeting.forum))])


# --- building blocks -----------------------------------------------------------------------


def _first_that_fits(builders, limit: int = MAX_CARD_BYTES) -> dict | None:
    """The first card within `limit` UTF-16 bytes, trying the builders in turn."""
    for build in builders:
        card = build()
        if card_bytes(card) <= limit:
            return card
    return None


def _card(body: list[dict], actions: list[dict]) -> dict:
    """The card, its buttons in an ActionSet at the end of its body: some older Teams
    clients honour an Action.Execute's fallback only inside an ActionSet."""
    if actions:
        body = [*body, {"type": "ActionSet", "actions": actions}]
    return {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body,
            "msteams": {"width": "Full"}}


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


def _submit(title: str, action: card_actions.CardAction) -> dict:
    """A button that sends a message: a question asked, a vote cast."""
    return {"type": "Action.Submit", "title": title, "data": card_actions.data(action)}


def _open_url(title: str, url: str) -> dict:
    return {"type": "Action.OpenUrl", "title": title, "url": url}


def _show(title: str, action: ShowPunkt | ShowMeeting) -> dict:
    """A button that shows a punkt or a meeting in place of the card (Universal Actions:
    Teams sends an `adaptiveCard/action` invoke and shows the card the bot answers with),
    the same data as an `Action.Submit` for clients without Action.Execute. In a channel
    only the one who clicked sees the new card, so reading the minutes does not post
    into the conversation."""
    submit = _submit(title, action)
    return {"type": "Action.Execute", "title": title, "verb": submit["data"]["command"],
            "data": submit["data"], "fallback": submit}


def _plain(text: str) -> str:
    """Minutes' text for a TextBlock: tab-separated tables become readable columns."""
    return text.replace("\t", "  |  ")


def _capped(text: str, cap: int | None) -> tuple[str, bool]:
    """`text` shortened to `cap` characters (None: whole, 0: nothing), and whether it was."""
    if cap is None or len(text) <= cap:
        return text, False
    return (shorten(text, cap) if cap else ""), True

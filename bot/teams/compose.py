"""The compose box's search as Teams exchanges it, in plain dicts (no Bot Framework): the
`composeExtension/query` invoke's value read into a `ComposeQuery`, and the response
body, a result list or a message.

Shapes from Teams' "Respond to search command" (learn.microsoft.com/microsoftteams/
platform/messaging-extensions/how-to/search-commands/respond-to-search): the value holds
`commandId`, `parameters` (name and value) and `queryOptions` (`skip`, `count`); the
default query of a command with `initialRun` has one parameter named `initialRun`. The
answer is `{"composeExtension": {"type": "result", "attachmentLayout": "list",
"attachments": [...]}}`, each attachment an Adaptive Card (what is inserted into the
message) with a thumbnail card as its `preview` (what the list shows), or
`{"composeExtension": {"type": "message", "text": ...}}`.

Clients differ: the Microsoft 365 Agents Playground sends its query with no `commandId`
and one parameter with no name. A query with no `commandId` and one parameter is taken
as the search, whatever the parameter's name; one naming another command is refused.
"""
from __future__ import annotations

from dataclasses import dataclass

from bot import cards
from ingest.chunk import split_sentences
from retrieval.browse import Match
from retrieval.phrasebook import say

#: The search command and its parameter, as manifest/manifest.template.json names them.
COMMAND_ID = "searchPunkter"
PARAMETER = "q"
#: What Teams names the parameter of the query it sends when the search opens.
INITIAL_RUN = "initialRun"
#: Results a page: Teams asks for 25 (queryOptions.count); more are not sent at once.
MAX_COUNT = 25
#: Results reachable by paging: beyond them a page is empty (each page ranks anew).
MAX_RESULTS = 500
#: Characters of the words searched (a search box, not a document).
MAX_WORDS = 200
PREVIEW_TITLE_CHARS = 100
PREVIEW_TEXT_CHARS = 200
ADAPTIVE = "application/vnd.microsoft.card.adaptive"
THUMBNAIL = "application/vnd.microsoft.card.thumbnail"


@dataclass(frozen=True)
class ComposeQuery:
    words: str
    skip: int = 0
    count: int = MAX_COUNT


def read_query(value) -> ComposeQuery:
    """The query in an invoke's value, or ValueError saying what is wrong with it."""
    if not isinstance(value, dict):
        raise ValueError("the query has no value object")
    parameters = value.get("parameters")
    if not isinstance(parameters, list) or not all(isinstance(p, dict) for p in parameters):
        raise ValueError("the query's parameters are not a list of objects")
    command = value.get("commandId") or None  # absent, or empty
    if command != COMMAND_ID and (command is not None or len(parameters) != 1):
        raise ValueError(f"the query's commandId is not {COMMAND_ID!r}, nor is it a query "
                         "without one and with one parameter")
    words = ""
    for parameter in parameters:
        name = parameter.get("name")
        if name == PARAMETER or (command is None and name != INITIAL_RUN):
            words = parameter.get("value")
            if not isinstance(words, str):
                raise ValueError(f"the parameter {name or ''!r} has no text value")
    options = value.get("queryOptions")
    options = {} if options is None else options
    if not isinstance(options, dict):
        raise ValueError("the query's queryOptions is not an object")
    skip = _count(options.get("skip", 0), "skip")
    count = min(_count(options.get("count", MAX_COUNT), "count"), MAX_COUNT)
    return ComposeQuery(" ".join(words.split())[:MAX_WORDS], skip,
                        max(0, min(count, MAX_RESULTS - skip)))


def results_body(matches: list[Match]) -> dict:
    return {"composeExtension": {"type": "result", "attachmentLayout": "list",
                                 "attachments": [attachment(m) for m in matches]}}


def message_body(text: str) -> dict:
    return {"composeExtension": {"type": "message", "text": text}}


def attachment(match: Match) -> dict:
    """The punkt's card, previewed in the list by its title, meeting and the decision's
    first sentence."""
    punkt = match.punkt
    first = split_sentences(punkt.decision)
    return {"contentType": ADAPTIVE,
            "content": cards.shared_punkt_card(match.forum, match.meeting_date, punkt),
            "preview": {"contentType": THUMBNAIL, "content": {
                "title": cards.shorten(punkt.title, PREVIEW_TITLE_CHARS),
                "subtitle": cards.punkt_head(match.forum, match.meeting_date, punkt.number),
                "text": cards.shorten(first[0], PREVIEW_TEXT_CHARS) if first
                else say("no_decision")}}}


def _count(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"queryOptions.{name} is not a whole number of 0 or more")
    return value

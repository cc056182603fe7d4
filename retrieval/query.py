"""Question -> Query: the date filter, the intent, the answer type, and the concepts that
should rank.

A day or a month becomes a filter and leaves the text (`i marts 2023`, `24-04-2024`,
`15/3-23`, `April 2024`, `marts 19`); a bare year (`i 2019`) is a preference and stays a
word, because the minutes talk about other years all the time (`budget 2024`, `udsat i
2023`). A quarter (`1. kvartal 2024`, `Q1 2024`) names the period a report covers, not a
meeting, so it stays in the text as one word (retrieval/text.py). Decision words favour the
Beslutning section; question fillers and the forum's own name do not rank.

The forums a question names (retrieval/forums.py: `byrådet`, `TMU`, "the city council")
become a filter too, and their words are no concepts.

Each content word becomes a Concept: the index terms that stand for it. A Danish word has
its own term; an English word has the terms of its Danish translations (any of them will
do), and itself, for names and words both languages share.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, replace
from enum import StrEnum

from ingest.dates import MONTH_PATTERN, MONTH_YEAR, YEAR, find_day, month_number
from retrieval.answer_types import AnswerType
from retrieval.english import is_english, translate
from retrieval.forums import ForumNames
from retrieval.text import (DANISH_STOPWORDS, WORD, index_term, is_dropped, normalise_quarters,
                            term, words)

#: Words of a question that say what is asked, not what about: dropped from queries only.
QUESTION_WORDS = frozenset("""
hvad hvem hvor hvornår hvorfor hvordan hvilke hvilken hvilket hvorledes mon
cf chefforum chefforummet forum forummet møde mødet møderne referat referatet referater
sige sagde sagt nævne nævnt nævnte noget nogen fortælle fortæl vise vis finde find søge søg give giv
beslutte besluttede besluttet beslutning beslutningen beslutninger besluttes vedtage vedtaget
vedtog drøfte drøftede drøftet aftale aftalt aftalte blive blev komme kom ske sket skete
the a an of to in on at for by and or is are was were be been what who whom which when why
how did does do about according should would could can will much many any there their
decide decided decision decisions say said discuss discussed meeting minutes tell me
happen happens happened occur occurred
both either neither first
om fra på den det de der både begge
""".split())

DECISION_WORDS = frozenset(term(w) for w in """
besluttede besluttet beslutte beslutning beslutningen beslutninger besluttes vedtog vedtaget
vedtage godkendte godkendt konkluderede konklusion aftalte aftalt decide decided decision
decisions agreed conclude concluded resolved
""".split())
MEETING_WORDS = frozenset("""
dagsorden dagsordenen dagsordner behandlet behandlede behandles punkter punkterne sager
sagerne agenda items discussed oversigt indhold opsummering opsummer resumé summary
summarise summarize overview
""".split())
MEETING_TERMS = frozenset(term(w) for w in MEETING_WORDS)
LATEST_WORDS = re.compile(r"\b(seneste|sidste|nyeste|latest|last|newest|recent)\b", re.IGNORECASE)
FIRST_WORDS = re.compile(r"\b(første|first|earliest)\b", re.IGNORECASE)
MEETING_NOUN = re.compile(r"\b(møde|mødet|møder|meeting|referat|referatet)\b", re.IGNORECASE)
#: "hvilket møde ...", "mødet hvor ...", "which meeting ...", "the meeting where ..."
WHICH_MEETING = re.compile(
    r"\b(?:hvilke[tn]?\s+(?:cf[- ])?møde|which\s+(?:cf\s+)?meeting|mødet,?\s+hvor"
    r"|meeting\s+(?:where|when|at\s+which|in\s+which))\b", re.IGNORECASE)
#: "hvornår er næste møde?", "when is the next meeting?"
FUTURE_MEETING = re.compile(
    r"\b(?:næste|kommende|next|upcoming)\s+(?:cf[- ]|chefforum[- ])?(?:møde|meeting)", re.IGNORECASE)
#: Asking for a case's course rather than one decision, by the verbs and nouns of history:
#: "hvad er der sket med sagen om …", "hvad skete der i sagen om …", "hvordan er sagen om …
#: gået", "sagens forløb", "historikken", "what happened to …", "the history of …".
#: "Forløb" is also a course one attends (`lederforløb`): only a case's (`sagens forløb`).
CASE_HISTORY = re.compile(
    r"\bsk(?:et|ete)\s+(?:der\s+)?(?:med\b|i\s+sag)|\bsagsforløb(?:et)?\b|\bhistorik(?:ken)?\b"
    r"|\bsag(?:en|ens)?\b.*\b(?:gået|forløb(?:et)?)\b|\b(?:gået|forløb(?:et)?)\b.*\bsag(?:en)?\b"
    r"|\bgik\s+det\s+med\b"
    r"|\bhappened\s+(?:to|with|in)\b|\bbecame\s+of\b|\bhistory\s+of\b"
    r"|\bcourse\s+of\s+the\s+case\b", re.IGNORECASE)
#: Words before a bare year that make it a time ("i 2019"), not part of a name.
YEAR_LEAD = frozenset("i in fra from siden since år året during tilbage back".split())
#: 15/3-23, 15.3.23, 15-03-23: day, month and a two-digit year
SHORT_DMY = re.compile(r"(?<![\d.\-/])(\d{1,2})[-./](\d{1,2})[-./](\d{2})(?![\d.\-/])")
#: marts 19, april 24, march '23: a month and a two-digit year (no day before it)
MONTH_SHORT_YEAR = re.compile(
    rf"(?<![\d.]\s)\b({MONTH_PATTERN})\.?\s+'?(\d{{2}})(?![\d.:,/-])\b", re.IGNORECASE)

#: Answer types, recognised from the question's own words, Danish and English.
ANSWER_TYPES = (
    (AnswerType.AMOUNT, re.compile(
        r"\b(?:hvad|hvor\s+meget)\s+kost|\bkoste[rt]?\b|\bpris(?:en)?\b|"
        r"\bbeløb|\bhow\s+much\b.*\b(?:cost|pay|price|money|budget)|\bcosts?\b"
        r"|\bprice\b", re.IGNORECASE)),
    (AnswerType.NUMBER, re.compile(
        r"\bhvor\s+(?:mange|meget|stor|store|lang|længe|høj|ofte)\b|"
        r"\bantal(?:let)?\b|\bhow\s+(?:many|much|large|big|long|often|high)\b|"
        r"\bprocent|\bpercent|\bandel\b|\bshare\b", re.IGNORECASE)),
    (AnswerType.DATE, re.compile(
        r"\bhvornår\b|\bwhen\b|\bhvilken\s+dato\b|\bwhat\s+(?:date|time)\b|"
        r"\bhvilket\s+tidspunkt\b|\bfrist(?:en)?\b|\bdeadline\b|\btidsplan", re.IGNORECASE)),
    (AnswerType.PERSON, re.compile(r"\bhvem\b|\bwho(?:m)?\b|\bkontaktperson", re.IGNORECASE)),
    (AnswerType.REASON, re.compile(
        r"\bhvorfor\b|\bwhy\b|\bårsag(?:en)?\b|\bbegrundelse|\breason", re.IGNORECASE)),
    (AnswerType.LIST, re.compile(
        r"\bhvilke\b|\bwhich\b|\bwhat\s+are\b|\bhvad\s+er\s+de\b|\blist\b", re.IGNORECASE)),
)


class Reading(StrEnum):
    """How a question's word was found in the minutes (retrieval/search.py `resolve`)."""

    #: as written
    WRITTEN = "written"
    #: an English word, by the word list's Danish
    TRANSLATED = "translated"
    #: with its Danish letters put back ("fravaer" -> "fravær")
    RESPELLED = "respelled"
    #: one letter corrected
    CORRECTED = "corrected"
    #: two neighbouring words the minutes write as one compound
    JOINED = "joined"
    #: a compound the minutes write only in parts
    IN_PARTS = "in parts"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Concept:
    """One content word of a question and the index terms that stand for it."""

    word: str
    terms: tuple[str, ...]
    english: bool = False
    #: how it was made from the question, when not word by word (JOINED)
    how: Reading | None = None

    @property
    def term(self) -> str:
        return self.terms[0]


@dataclass(frozen=True)
class Query:
    text: str
    concepts: tuple[Concept, ...]
    start: dt.date | None = None
    end: dt.date | None = None
    decision: bool = False
    meeting: bool = False
    latest: bool = False
    #: the first meeting of the period (`første møde i 2019`)
    first: bool = False
    #: asks which meeting held the named punkter (`hvilket møde ... både X og Y`)
    which_meeting: bool = False
    #: asks when the forum meets next, which no referat can tell
    future: bool = False
    answer_type: AnswerType = AnswerType.OTHER
    english: bool = False
    #: a bare year ("i 2023") prefers that year's meetings but does not filter, since
    #: "udsat i 2023" may well be told in a 2024 referat
    year: int | None = None
    #: every word of the question that a punkt's title may hold, intents included
    #: ("godkendt", "dagsorden"): which punkt of a named meeting is asked about
    title_concepts: tuple[Concept, ...] = ()
    #: the question with its date left in, for when no meeting matches the date
    undated: "Query | None" = None
    #: the forums the question names, as the catalog spells them: only their punkter are
    #: searched (none named: every forum's). Their words are no concepts; the embedding
    #: model still reads them in `text` (without them, sentences that name the forum lost
    #: the cosine that picked them: a tuning question's quote)
    forums: tuple[str, ...] = ()

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(c.term for c in self.concepts)

    @property
    def day(self) -> dt.date | None:
        """The one day asked about, when the question names a full date."""
        return self.start if self.start and self.start == self.end else None

    @property
    def lang(self) -> str:
        return "en" if self.english else "da"


def understand(text: str, forums: ForumNames | None = None) -> Query:
    """The first stage of the answering walk (retrieval/answer.py): what a question asks,
    and about what; `forums`: the names of the catalog's forums, which a question may
    name."""
    text = " ".join((text or "").split())
    named = forums.named(text) if forums else None
    unnamed = named.rest if named and named.forums else text
    rest, start, end, year = _dates(unnamed)
    english = is_english(WORD.findall(text))
    concepts = _concepts(rest, english)
    lowered = words(text)
    decision = any(term(w) in DECISION_WORDS for w in lowered)
    latest = bool(LATEST_WORDS.search(text) and MEETING_NOUN.search(text))
    content = tuple(c for c in concepts if not _intent(c))
    which = bool(WHICH_MEETING.search(text)) and len(content) >= 2
    first = bool(FIRST_WORDS.search(text) and MEETING_NOUN.search(text) and (year or start))
    # a whole meeting: the latest, the first of a year, or a day's or month's that the
    # question names without a topic ("hvad blev besluttet på mødet i marts 2023?")
    meeting = latest or first or bool(start and (
        any(w in MEETING_WORDS for w in lowered) or not content))
    query = Query(text=text, concepts=content, start=start, end=end, decision=decision,
                  meeting=meeting, latest=latest, first=first, which_meeting=which,
                  future=bool(FUTURE_MEETING.search(text)), answer_type=_answer_type(text,
                                                                                   decision),
                  english=english, year=year, title_concepts=concepts,
                  forums=named.forums if named else ())
    undated = tuple(c for c in _concepts(unnamed, english) if not _intent(c)) if start else ()
    if undated:
        query = replace(query, undated=replace(query, concepts=undated, start=None, end=None,
                                               meeting=False, title_concepts=()))
    return query


def asks_history(text: str) -> bool:
    """Whether `text` asks how a case went (CASE_HISTORY), which a case's path answers."""
    return bool(CASE_HISTORY.search(text))


def _intent(concept: Concept) -> bool:
    """A word that says what kind of answer is wanted (a decision, an agenda), not what
    about."""
    return (concept.term in DECISION_WORDS or concept.term in MEETING_TERMS
            or concept.word.lower() in MEETING_WORDS)


def _answer_type(text: str, decision: bool) -> AnswerType:
    """The type the question asks for first: "hvem var leder, og hvornår stoppede hun?"
    asks for a person."""
    found = [(m.start(), rank, name) for rank, (name, pattern) in enumerate(ANSWER_TYPES)
             for m in [pattern.search(text)] if m]
    if found:
        return min(found)[2]
    return AnswerType.DECISION if decision else AnswerType.OTHER


def _dates(text: str) -> tuple[str, dt.date | None, dt.date | None, int | None]:
    """The question without its day or month, and the period it names."""
    found = find_day(text) or _short_day(text)
    if found:
        return _cut(text, found[1]), found[0], found[0], None
    for pattern, short in ((MONTH_YEAR, False), (MONTH_SHORT_YEAR, True)):
        m = pattern.search(text)
        month = month_number(m.group(1)) if m else None
        year = (2000 + int(m.group(2)) if short else int(m.group(2))) if month else 0
        if month and year >= dt.MINYEAR:  # not 'ſept 2024', not 'maj 0000'
            end = dt.date(year, month, calendar.monthrange(year, month)[1])
            return _cut(text, m), dt.date(year, month, 1), end, year
    for m in YEAR.finditer(text):
        before = words(text[:m.start()])
        if not before or before[-1] in YEAR_LEAD or not words(text[m.end():]):
            return text, None, None, int(m.group(1))
    return text, None, None, None


def _short_day(text: str) -> tuple[dt.date, re.Match] | None:
    m = SHORT_DMY.search(text)
    if not m:
        return None
    day, month, year = (int(g) for g in m.groups())
    try:
        return dt.date(2000 + year, month, day), m
    except ValueError:
        return None


_QUERY_DROP = DANISH_STOPWORDS | QUESTION_WORDS


def _concepts(text: str, english: bool) -> tuple[Concept, ...]:
    """The question's content words in order, each once."""
    out: dict[str, Concept] = {}
    for word in WORD.findall(normalise_quarters(text)):
        if english:
            if word.lower() in _QUERY_DROP:
                continue
            found = [w for w in translate(word) if not is_dropped(w, _QUERY_DROP) and len(w) > 1]
            if not found:
                continue
            terms = tuple(dict.fromkeys(index_term(w) for w in (*found, word)))
        else:
            if len(word) < 2 or is_dropped(word, _QUERY_DROP):
                continue
            terms = (index_term(word),)
        out.setdefault(terms[0], Concept(word, terms, english=english))
    return tuple(out.values())


def _cut(text: str, m: re.Match) -> str:
    return (text[:m.start()] + " " + text[m.end():]).strip()

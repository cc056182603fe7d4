"""What kind of thing a sentence can answer: a number, an amount, a date or time, a person
or role, a reason, a list. The question's answer type (retrieval/query.py) picks the
sentences that carry it; a punkt that carries none of it anywhere cannot answer the
question, however well it matches the topic ("hvad koster X?" of a punkt without a price).
"""
from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache

from ingest.dates import MONTH_PATTERN
from retrieval.text import terms


class AnswerType(StrEnum):
    """What a question asks for (retrieval/query.py reads it from the question's words)."""

    AMOUNT = "amount"
    NUMBER = "number"
    DATE = "date"
    PERSON = "person"
    REASON = "reason"
    LIST = "list"
    #: what was decided: the punkt's decision
    DECISION = "decision"
    OTHER = "other"


NUMBER_WORDS = ("en to tre fire fem seks syv otte ni ti elleve tolv tyve tredive fyrre "
                "halvtreds hundrede tusind halvdelen halvdel dobbelt one two three four five "
                "six seven eight nine ten hundred thousand half").split()

#: A figure that is not a case number, a date or a page reference.
_FIGURE = r"(?<![\d.\-/])\d+(?:[.,]\d+)*(?![\d\-/])"
CARRIERS = {
    AnswerType.AMOUNT: re.compile(
        rf"{_FIGURE}\s*(?:(?:mio|mia)\b\.?(?:\s*kr\b\.?)?|kr\b\.?|kroner|tkr\b\.?|t\.kr\.?"
        r"|dkk|€|euro)|\b(?:kr\.?|dkk)\s*\d+(?:[.,]\d+)*", re.IGNORECASE),
    AnswerType.NUMBER: re.compile(
        rf"{_FIGURE}|\b(?:{'|'.join(NUMBER_WORDS)})\b(?=\s+\w)", re.IGNORECASE),
    AnswerType.DATE: re.compile(
        rf"\b\d{{1,2}}\.?\s*(?:{MONTH_PATTERN})\b|\b(?:{MONTH_PATTERN})\s+(?:19|20)\d\d\b|"
        r"\bkl\.?\s*\d|\buge\s+\d|\b(?:19|20)\d\d\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|"
        r"\b(?:mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag|foråret|efteråret|"
        r"sommeren|vinteren|sommerferien|årsskiftet|nytår|snarest|løbende|dagligt|ugentligt|"
        r"månedligt|årligt|kvartal\w*|næste\s+år|i\s+år)\b", re.IGNORECASE),
    AnswerType.PERSON: re.compile(
        r"(?<![.!?]\s)(?<!^)\b[A-ZÆØÅ][a-zæøåé]+(?:\s+[A-ZÆØÅ][a-zæøåé]+)+\b|"
        r"\b[\w.-]+@[\w.-]+\.\w+\b|"
        r"\b\w+(?:chef|direktør|koordinator|konsulent)(?:en|er|erne|s)?\b|"
        r"\b(?:formand|formanden|sekretariatet|kontaktperson\w*|direktionen)\b|"
        r"\b(?:HR|IT|MED|Økonomi\s*&\s*Stab|Organisation\s*&\s*Politik|[A-ZÆØÅ][a-zæøå]+\s*&"
        r"\s*[A-ZÆØÅ][a-zæøå]+)\b"),
    AnswerType.REASON: re.compile(
        r"\b(?:fordi|idet|pga|på\s+grund\s+af|derfor|skyldes|årsag\w*|begrund\w*|for\s+at|"
        r"med\s+henblik\s+på|således\s+at|så\s+(?:der|de|vi|man)|da\s+(?:der|det|de|man|vi)|"
        r"grundet|ønske\s+om|behov\s+for|som\s+følge\s+af)\b", re.IGNORECASE),
    AnswerType.LIST: re.compile(r":\s*$|^\s*(?:[-•*·]|\d+[.)])\s+|,.*,.*\bog\b"),
}


def carries(sentence: str, answer_type: AnswerType, asked: frozenset[str] = frozenset()) -> bool:
    """Whether a sentence holds something of the asked type that the question does not
    already name: for "hvem er ny leder efter Trine Sander?", neither "Trine Sander" nor
    "leder" is an answer. `asked` holds the question's index terms."""
    return first(sentence, answer_type, asked) is not None


def first(sentence: str, answer_type: AnswerType,
          asked: frozenset[str] = frozenset()) -> str | None:
    """The first thing of the asked type in a sentence that the question does not name,
    as written ("24.000 kr.", "1. marts 2019"), or None."""
    for text, found in typed(sentence, answer_type):
        if not found or not found <= asked:
            return text
    return None


@lru_cache(maxsize=50_000)
def typed(sentence: str, answer_type: AnswerType) -> tuple[tuple[str, frozenset[str]], ...]:
    """The things of a type in a sentence, each with its index terms, in order: the same
    sentences are weighed for question after question (a fifth of a fact question's
    time at 1,000 meetings went to these patterns)."""
    pattern = CARRIERS.get(answer_type)
    if pattern is None:
        return ()
    # a count or a sum is not a date's day or year: the types are told apart by their spans
    dates = [m.span() for m in CARRIERS[AnswerType.DATE].finditer(sentence)] \
        if answer_type in (AnswerType.NUMBER, AnswerType.AMOUNT) else []
    return tuple((m.group(0).strip(), frozenset(terms(m.group(0))))
                 for m in pattern.finditer(sentence)
                 if not any(m.start() < end and start < m.end() for start, end in dates))

"""Case numbers as people write them: one case is one number however it is written.

A case travels through forums under one case number (sagsnummer), and minutes and people
write it in many hands: `83.02.00-A00-1-23`, `EMN-2025-003383`, `emn-2025-003383`,
`Sagsnr.: 330-2018-3619`, with spaces or an en dash. `normal` is the form two writings of
one number share (compared whole, so no number matches a prefix of another); `in_text`
finds a number in a question ("hvad blev besluttet i sag EMN-2024-004412?").
"""
from __future__ import annotations

import re

from ingest.layout import CASE_FORMS, CASE_LABEL

#: Dashes other than the hyphen, which a typed or pasted number may carry.
_DASHES = re.compile(r"[‐‑‒–—−]")
_DIGITS = re.compile(r"\d+")
#: What may stand around a number in a sentence: quotes, brackets, end punctuation.
_AROUND = ".,;:!?()[]«»\"'"
#: A number of a known form (ingest/layout.py CASE_FORMS), in any case.
_STANDING = re.compile(rf"(?<![\w.\-/])(?:{CASE_FORMS})(?![\w\-/])", re.IGNORECASE)
#: Any number after a case word (`sag 330-2018-3619`, `sagsnr. 17/1234`, `case 12.34`):
#: a digit and a separator at least, so `sagen fra 2019` holds none.
_LABELLED = re.compile(
    r"(?<!\w)(?:sag(?:en)?|sagsnr|sagsnummer(?:et)?|j\s*\.?\s*nr|journalnummer(?:et)?"
    r"|case(?:\s+number)?)\.?\s*(?:nr\.?\s*)?:?\s*(?P<number>[^\W_]*\d\w*(?:[./\-]\w+)+)",
    re.IGNORECASE)


def normal(number: str) -> str:
    """The form every writing of `number` shares: without a label (`Sagsnr.:`), spaces and
    the punctuation around it, dashes as hyphens, casefolded. "" for none."""
    text = number.strip()
    labelled = CASE_LABEL.match(text)
    if labelled:
        text = text[labelled.start("number"):]
    return _DASHES.sub("-", "".join(text.split()).casefold()).strip(_AROUND)


def longest_digits(normal_number: str) -> str:
    """The longest run of digits of a `normal` number, "" for none. The catalog stores a
    number as the parser read it (ingest/layout.py), which has no spaces: every stored
    writing of the number holds this run as it is, so a search may look for it first."""
    return max(_DIGITS.findall(normal_number), key=len, default="")


def in_text(text: str) -> str:
    """The first case number `text` holds, as written; "" for none."""
    found = _STANDING.search(_DASHES.sub("-", text))
    if found:
        return found.group()
    labelled = _LABELLED.search(_DASHES.sub("-", text))
    return labelled.group("number") if labelled else ""

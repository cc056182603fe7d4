"""A punkt's sentences: the units a quote is built from, and what the index embeds of each.

A section's text is cut into units: sentences, list items (with whether an item opens its
line) and table rows. The index embeds every unit that is not a table row, one vector each,
as `title: sentence`, since e5 matches a question best to a passage of about a sentence and
a sentence alone often lacks its topic ("Chefforum besluttede at arbejde videre med model
1"). Those vectors are what the answerer weighs a punkt's best sentence by, and how it
picks the sentence to quote. Index time and question time enumerate the sentences with the
same function (`sentences`), and each stored vector carries its text's hash, so a vector
that no longer matches its sentence is never used.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.chunk import split_sentences
from ingest.model import Punkt, chunk_hash

TABLE_ROW = re.compile(r"\S[ ]*\t+[ \t]*\S|\|.*\|")
ITEM = re.compile(r"^\s*(?:[-•*·]|\d+[.)])\s+")
#: Marks a sentence's record id apart from a chunk's (`Chefforum:2024-04-24:7:s12`).
MARK = "s"


@dataclass(frozen=True)
class Unit:
    """A sentence, a list item or a table row of a section."""

    text: str
    item: bool = False
    table: bool = False

    @property
    def lead(self) -> bool:
        return self.text.endswith(":")


@lru_cache(maxsize=4096)
def units(text: str) -> tuple[Unit, ...]:
    """The units of a section's text; a punkt's sections are read again for each question
    that cites it."""
    out = []
    for line in text.split("\n"):
        if TABLE_ROW.search(line):
            out.append(Unit(" ".join(line.split()), table=True))
            continue
        item = bool(ITEM.match(line))
        out.extend(Unit(s, item=item and i == 0) for i, s in enumerate(split_sentences(line)))
    return tuple(out)


@dataclass(frozen=True)
class Sentence:
    """One embedded unit of a punkt: its section, and its place among the section's units."""

    section: str
    #: position in `units(punkt.sections[section])`
    position: int
    text: str


def sentences(punkt: Punkt) -> tuple[Sentence, ...]:
    """The punkt's units that are embedded and may be quoted: all but table rows, in order."""
    return tuple(Sentence(section, i, u.text)
                 for section, body in punkt.sections.items()
                 for i, u in enumerate(units(body)) if not u.table)


def embed_text(title: str, sentence: str) -> str:
    """What the model reads of a sentence: the punkt's title gives it its topic."""
    return f"{title}: {sentence}"


def sentence_hash(title: str, sentence: str) -> str:
    return chunk_hash(embed_text(title, sentence))


def sentence_id(forum: str, day: dt.date, number: int, i: int) -> str:
    """The id of the i-th sentence of a punkt: `Chefforum:2024-04-24:7:s3`."""
    return f"{forum}:{day.isoformat()}:{number}:{MARK}{i}"


def is_sentence_id(record_id: str) -> bool:
    return record_id.rsplit(":", 1)[-1].startswith(MARK)

"""When a punkt is closed (lukket): the one rule, kept apart because showing a closed
punkt is the worst thing the product can do.

Real minutes mark a closed item in many ways: `Lukket`, `Lukket punkt`, `Lukket:
<title>`, `Lukket sag`, `(Lukket)` before or after the title, `LUKKET PUNKT: …`, a status
`Lukket` at the end of the case-number line, a table-of-contents entry, or a whole
`Lukket møde`. The rule errs on the closed side: a heading that mentions *lukket* in any
form (any casing, markup, soft hyphens, letter spacing) is closed, even when it fits no
known form. Only words that merely begin like it and mean something else are open:
`lukketider` (opening hours) and `lukkedage` (closing days) are everyday topics of a
municipality and are not the word *lukket*.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Any letters joined: `L u k k e t`, `Luk-ket`, `**Lukket**`, `(lukket)` all read `lukket`.
#: `lukket` not followed by `id` (lukketid: opening hours); `lukkede` (plural) whole.
_CLOSED_LETTERS = re.compile(r"lukket(?!id)|lukkede(?!ag)")
#: Other words for a closed item, as whole words: `Fortroligt punkt`, `Ikke offentlig`,
#: `Ikke offentliggjort`, `Ikke til offentliggørelse`, `Undtaget offentlighed`, `Ikke åbent
#: punkt`, `Tavshedspligt ikke fraveget` (a utility's board), and the English of some
#: systems' pages (`Closed: <title>`, a status `closed`, `Confidential`).
_CLOSED_WORDS = re.compile(
    r"\bfortrolig\w*|\bikke[\s-]*(?:til\s+)?offentlig\w*|\bu[nd]{1,2}tag\w*\s+(?:fra\s+)?offentlighe"
    r"|\bikke[\s-]*åben[et]?\b|\btavshedspligt\b|\bclosed\b|\bconfidential\b")
#: A marker line that closes every punkt after it (until an open marker), or the meeting:
#: `Lukket dagsorden`, `Lukkede punkter`, `Punkter på lukket dagsorden:`, `Til behandling -
#: for lukkede døre`, `Fortrolig del`, `Ikke-offentlige punkter`, `LUKKET REFERAT`,
#: `Mødet fortsatte for lukkede døre.`, `Sager behandlet på lukket møde`. The whole line is
#: the divider, its words before the mark of a divider's few: a sentence that mentions a
#: closed meeting (`Der henvises til punkt 12 på lukket dagsorden.`) is none.
_PARTS = (r"(?:dagsorden|dagsordenspunkter|punkter|sager|del|møde|mødedel|døre|referat"
          r"|beslutningsprotokol|behandling)")
_PARTS_OF = (r"(?:(?:punkter|sager|sag|behandlet|behandles|behandledes|herefter|følgende|til"
             r"|behandling|for|på|i|den|mødet|fortsatte|fortsætter|-)\s+){0,6}")
#: (A line that opens with the mark may go on for a few words: `Lukket dagsorden (pkt.
#: 10-12)`.)
_ENDS = r"(?:[\s:.]*$|\b(?:\W+[\wæøå]+){0,3}\W*$)"
_SECTION_MARKER = re.compile(
    rf"^(?:{_PARTS_OF}(?:lukket|lukkede|fortrolig[e]?|ikke[\s-]offentlig[e]?)\s+{_PARTS}[\s:.]*$"
    rf"|(?:lukket|lukkede|fortrolig[e]?|ikke[\s-]offentlig[e]?)\s+{_PARTS}{_ENDS}"
    r"|lukkede[\s:.]*$)",  # `Åbne` / `Lukkede` alone: a contents list's groups (Gribskov)
    re.IGNORECASE)
_OPEN_GROUP = re.compile(r"^(?:åbne|aabne)[\s:.]*$", re.IGNORECASE)
_OPEN_MARKER = re.compile(rf"^(?:{_PARTS_OF}(?:åben|åbne|aaben|aabne)\s+{_PARTS}[\s:.]*$"
                          rf"|(?:åben|åbne|aaben|aabne)\s+{_PARTS}{_ENDS}|{_OPEN_GROUP.pattern[1:]})",
                          re.IGNORECASE)


@lru_cache(maxsize=4096)  # each line is asked about by several of the rules below in turn
def fold(text: str) -> str:
    """Lowercase, without accents' combining marks, soft hyphens or invisible characters."""
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    text = re.sub(r"[\u200b-\u200f\u2060\ufeff]", "", text)
    return text.casefold()


def mentions_closed(text: str) -> bool:
    """True when `text` (a heading, a status line or a TOC entry) marks an item closed."""
    folded = fold(text)
    letters = re.sub(r"[^a-zæøå]", "", folded)
    return bool(_CLOSED_LETTERS.search(letters) or _CLOSED_WORDS.search(folded))


#: A line that opens with the closed mark: `Lukket punkt`, `(Lukket)`, `LUKKET: Køb af …`,
#: also after an item's number with a letter (`5a. Lukket punkt: …`, an added item).
_MARK_FIRST = re.compile(
    r"^(?:\d{1,4}[a-zæøå]?\s*[.):]?\s+)?[(\[]?\s*(?:lukket|lukkede|fortrolig[te]?|closed)\b")
#: `Punktet behandles for lukkede døre`: a punkt's head says it is closed
_SAYS_CLOSED = re.compile(
    r"^(?:sagen|punktet)\s+(?:er|behandles|bliver\s+behandlet)\s+(?:som\s+)?"
    r"(?:lukket|fortrolig|for\s+lukkede\s+døre)\b")
#: `Sagen er lukket, da den vedrører salg af fast ejendom.`: anywhere in the punkt, with
#: the reason the law gives (not `Sagen er lukket.` nor `…, idet klagen er trukket
#: tilbage`, a case that is finished)
_CLOSED_BECAUSE = re.compile(r"^(?:sagen|punktet)\s+(?:(?:er|behandles\s+som)\s+lukket\s*,?\s*"
                             r"(?:(?:da|fordi|idet)\s+(?:den|det|sagen|punktet)\s+vedrører|jf)\b"
                             # `Sagen behandles for lukkede døre, jf. …`: no finished case
                             r"|(?:behandles|bliver\s+behandlet)\s+(?:for\s+lukkede\s+døre"
                             r"|på\s+lukket\s+møde)\b)")
#: A field that says the punkt is closed: `Status: Lukket`, `Åben/Lukket: Lukket`,
#: `Offentlighed: Lukket`, `Offentlig: Nej`, `Åbent punkt: Nej` (not `Søndag: Lukket`), its
#: label and value also in cells of a table or lines of their own
_OPENNESS = r"(?:status|åben/lukket|lukket/åben|offentlig\w*|publicer\w*|åben[t]?(?:\s+(?:sag|punkt))?)"
_OPENNESS_LABEL = re.compile(rf"^{_OPENNESS}\s*:?$")
_CLOSED_FIELD = re.compile(rf"^{_OPENNESS}\s*:?\s*(?:lukket|fortrolig\w*|closed|nej)"
                           r"(?:\s*[,(;].*)?$")  # `Offentlig: Nej, jf. § 10`; cells `Offentlig\tNej`


def opens_with_closed_mark(line: str) -> bool:
    """A line that begins with the closed mark, as an unnumbered closed item's heading
    does; "Sagen er lukket." does not."""
    return bool(_MARK_FIRST.match(fold(line).strip(" *#")))


def says_closed(line: str, *, in_head: bool) -> bool:
    """A sentence, of any length, that says its punkt is closed: in the punkt's head, or
    anywhere in it with the reason why."""
    folded = fold(line).strip(" *#")
    return bool(in_head and _SAYS_CLOSED.match(folded) or _CLOSED_BECAUSE.match(folded))


#: The closed mark before a title: `Closed: `, `Lukket punkt - `
_MARK_BEFORE = re.compile(
    r"^\W*(?:lukket|lukkede|closed|fortrolig[te]?)(?:\s+(?:punkt|sag|item))?\W*", re.IGNORECASE)


def without_closed_mark(title: str) -> str:
    """The title of a closed contents entry less its mark (`Closed: Salg af grund` ->
    `Salg af grund`), to find the punkt it names."""
    return _MARK_BEFORE.sub("", title)


def is_openness_label(line: str) -> bool:
    """A field's label alone that says whether the punkt is open (`Offentlig`, `Status:`),
    its value on the next line."""
    return bool(_OPENNESS_LABEL.match(" ".join(fold(line).strip(" *#.").split())))


def is_closed_field(line: str, value: str = "") -> bool:
    """A field of a punkt that says it is closed (`Status: Lukket`, `Offentlig: Nej`),
    wherever the punkt prints its fields; `value`: the line below a label alone
    (`Offentlig` / `Nej`, as pdftotext or a web page's `<dl>` print it)."""
    if value and (":" not in line or line.rstrip().endswith(":")):
        line = f"{line.rstrip().rstrip(':')}: {value}"
    return bool(_CLOSED_FIELD.match(" ".join(fold(line).strip(" *#.").split())))


#: A status line and nothing else: `Lukket punkt`, `(Lukket)`, `FORTROLIGT`.
_STATUS_ONLY = re.compile(
    r"^(?:lukket|lukkede|fortrolig[te]?|closed)(?:\s+(?:punkt|sag|dagsordenspunkt|item))?$")


def is_closed_status(line: str) -> bool:
    """A line that is only a closed status, as some systems print above a punkt's
    heading: it closes the punkt whose heading follows."""
    return bool(_STATUS_ONLY.match(fold(line).strip(" *#()[]:.")))


def closes_following(line: str) -> bool:
    """`Lukket dagsorden`, `Lukkede punkter`, `Lukkede dagsordenspunkter`, `Lukket møde`: a
    divider after which the punkter are closed."""
    return bool(_SECTION_MARKER.match(fold(line).strip(" *#:")))


def opens_following(line: str) -> bool:
    """`Åben dagsorden`, `Åbne punkter`: a divider after which the punkter are open."""
    return bool(_OPEN_MARKER.match(fold(line).strip(" *#:")))


def is_open_group(line: str) -> bool:
    """`Åbne` alone: a contents list's group, which reopens nothing inside the punkter
    (there it may be a table's cell: `Åbne` / `12` in a closed punkt's text)."""
    return bool(_OPEN_GROUP.match(fold(line).strip(" *#:")))

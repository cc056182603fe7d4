"""A forum's name in the forms Danish gives it. Documents print one forum as
`Økonomiudvalget`, `ØKONOMIUDVALG` or `Økonomiudvalgets`, and questions inflect it the
same ways, so both the catalog (one forum, however its documents spell it) and the
question side (retrieval/forums.py) read names through these forms.

Danish nouns take the article as an ending: -et (udvalget, rådet), -en (kommissionen),
-n after an -e (bestyrelsen); the genitive adds -s to either form.
"""
from __future__ import annotations

import re

#: The nouns forums are named by, each with the article it takes as a compound's last part
#: (`Økonomiudvalget`, `Kommunalbestyrelsen`; a forum is named as it is: `Chefforum`), in
#: the order they are tried (`bestyrelse` before `styrelse`).
BODY_ARTICLES = {"kommission": "en", "bestyrelse": "n", "direktion": "en", "styrelse": "n",
                 "udvalg": "et", "gruppe": "n", "forum": "", "komité": "en", "komite": "en",
                 "nævn": "et", "råd": "et"}
BODIES = tuple(BODY_ARTICLES)
#: The definite endings, and the shortest stem one is taken off (so `en` is no ending of itself).
DEFINITE = ("et", "en", "n")
_MIN_STEM = 3
#: A name's words: letters, digits and a hyphen that ends a compound's first part (`Teknik-`).
WORD = re.compile(r"\w+-?")


def name_words(name: str) -> list[str]:
    """The name's words, case-folded: `Teknik- og Miljøudvalget` -> teknik-, og, miljøudvalget."""
    return WORD.findall(name.casefold())


def stems(word: str) -> set[str]:
    """The word without its article, as it may be: `byrådet` -> byrådet, byråd;
    `bestyrelsen` -> bestyrelsen, bestyrels, bestyrelse."""
    word = word.casefold()
    return {word} | {word[:-len(end)] for end in DEFINITE
                     if word.endswith(end) and len(word) - len(end) >= _MIN_STEM}


def inflections(word: str) -> set[str]:
    """Every form of the word a text prints: each stem bare and with each article, each of
    those in the genitive. More forms than the language has (`byråden`) cost nothing:
    they are matched as whole words only."""
    forms = set()
    for stem in stems(word):
        for form in (stem, stem + "et", stem + "en", stem + "n" if stem.endswith("e") else stem):
            forms |= {form, form + "s"}
    return forms


def same_forum(a: str, b: str) -> bool:
    """Whether two printed names are one forum's: the same words, blind to case and the
    article (`TEKNIK- OG MILJØUDVALG`, `Teknik- og Miljøudvalget`)."""
    wa, wb = name_words(a), name_words(b)
    return len(wa) == len(wb) and all(stems(x) & stems(y) for x, y in zip(wa, wb))


def with_article(name: str) -> str:
    """A name printed in capitals, which hide whether it had the article, in the form the
    forum goes by: a compound ending in a body's noun takes the article (`ØKONOMIUDVALG`
    -> `Økonomiudvalget`, `TEKNIK- OG MILJØUDVALG` -> `Teknik- og Miljøudvalget`, as
    its referater name it), while a noun standing alone after an adjective does not
    (`Teknisk Udvalg`, a name as it is)."""
    *rest, last = name.split() or [""]
    for body, article in BODY_ARTICLES.items():
        if last.casefold().endswith(body) and len(last) > len(body):
            return " ".join([*rest, last + article])
    return name


def is_body_name(name: str) -> bool:
    """Whether a name's last word is a body's noun or a compound of one: `Byrådet`,
    `Kultur- og fritidsudvalget`, `Chefforum`, or it opens with the noun and `for`
    (`Udvalget for Teknik og Miljø`); not the bare noun in lower case (`Medlemmer af
    udvalget`), which speaks of a body rather than naming it."""
    words = name_words(name)
    if not 0 < len(words) <= 8:
        return False
    last = name.split()[-1]
    if last.islower() and stems(last) & set(BODIES):
        return False
    if len(words) > 2 and words[1] == "for" and name[0].isupper() and stems(words[0]) & set(BODIES):
        return True  # `Udvalget for Kultur og Planlægning`, `Udvalg for natur, miljø og …`
    return any(stem.endswith(BODIES) for stem in stems(words[-1]))

"""Danish text to index terms: lowercase words, Snowball-stemmed, stopwords dropped."""
from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

from retrieval.glossary import is_english, translate

WORD = re.compile(r"[0-9a-zæøåäöüé]+", re.IGNORECASE)

#: Snowball's Danish stopword list.
DANISH_STOPWORDS = frozenset("""
og i jeg det at en den til er som på de med han af for ikke der var mig sig men et har om
vi min havde ham hun nu over da fra du ud sin dem os op man hans hvor eller hvad skal selv
her alle vil blev kunne ind når være dog noget ville jo deres efter ned skulle denne end
dette mit også under have dig anden hende mine alt meget sit sine vor mod disse hvis din
nogle hos blive mange ad bliver hendes været thi jer sådan
""".split())

#: Words of a question that say what is asked, not what about: dropped from queries only.
QUESTION_WORDS = frozenset("""
hvad hvem hvor hvornår hvorfor hvordan hvilke hvilken hvilket hvorledes mon
cf chefforum chefforummet forum forummet mødet møde møderne referat referatet referater
sagde sagt nævnt nævnte noget nogen fortæl vis find søg giv
besluttede besluttet beslutte beslutning beslutningen beslutninger besluttes vedtaget vedtog
drøftede drøftet aftalt aftalte blev kom ske sket skete
the a an of to in on at for by and or is are was were be been what who whom which when why
how did does do about according should would could can will much many any there their
decide decided decision decisions say said discuss discussed meeting minutes tell me
om fra på den det de der
""".split())

_stemmer = Stemmer.Stemmer("danish")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def _term(word: str, drop: frozenset[str]) -> str | None:
    """A word's index term. An acronym that spells a stopword (`MED`, the co-determination
    committees) keeps its capitals and is not dropped; single letters are dropped."""
    lower = word.lower()
    if lower in drop:
        return word if word.isupper() and len(word) > 1 and lower in DANISH_STOPWORDS else None
    if len(lower) < 2:
        return None
    return stem(lower)


def terms(text: str) -> list[str]:
    """Index terms of a document."""
    out = (_term(w, DANISH_STOPWORDS) for w in WORD.findall(text))
    return [t for t in out if t]


_QUERY_DROP = DANISH_STOPWORDS | QUESTION_WORDS


def query_terms(text: str) -> list[str]:
    """Index terms of a question, without question words, in order, each once. An English
    question is bridged to Danish word by word (retrieval/glossary.py)."""
    found = WORD.findall(text)
    if is_english(found):
        found = [d for w in found for d in translate(w)]
    out = (_term(w, _QUERY_DROP) for w in found)
    return list(dict.fromkeys(t for t in out if t))

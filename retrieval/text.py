"""Danish text to index terms: words folded, lemmatised, Snowball-stemmed, stopwords dropped.

One function, `term`, turns a word into its index term, for the documents, the question,
the snippet scorer and the not-found rule alike, so they can never disagree:

- folded: lowercase, accents off ("valgcafé" -> "valgcafe"), Swedish/German ä/ö as æ/ø;
- lemmatised with simplemma's Danish dictionary (a lookup table of inflected forms built
  from Wiktionary, installed with the package): "manglede" and "mangler" are both
  "mangle", "referaterne" is "referat", "udsat" is "udsætte". Snowball alone leaves
  "mangled" beside "mangl" and "udsat" beside "udsæt";
- stemmed with Snowball, which catches what the dictionary lacks.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import simplemma
import Stemmer

WORD = re.compile(r"[0-9a-zæøåäöüéèêëáàâíìîóòôúùûçñ]+", re.IGNORECASE)

#: Snowball's Danish stopword list.
DANISH_STOPWORDS = frozenset("""
og i jeg det at en den til er som på de med han af for ikke der var mig sig men et har om
vi min havde ham hun nu over da fra du ud sin dem os op man hans hvor eller hvad skal selv
her alle vil blev kunne ind når være dog noget ville jo deres efter ned skulle denne end
dette mit også under have dig anden hende mine alt meget sit sine vor mod disse hvis din
nogle hos blive mange ad bliver hendes været thi jer sådan
""".split())

#: A quarter of a year, `1. kvartal`, `1. kv.`, `Q1`, `first quarter`: one word, `kvartal1`,
#: in documents and questions alike, so that "2. kvartal" is not found in "1. kvartal".
QUARTER = re.compile(r"\b([1-4])\.?\s*(?:kvartal|kvt|kv)\b\.?|\bQ([1-4])\b"
                     r"|\b(first|second|third|fourth)\s+quarter\b", re.IGNORECASE)
_ORDINALS = {"first": "1", "second": "2", "third": "3", "fourth": "4"}

#: Letters folded before anything else; æ, ø and å are letters of their own in Danish.
_FOLD = {"ä": "æ", "ö": "ø"}

_stemmer = Stemmer.Stemmer("danish")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Lowercase, without accents; æ, ø and å kept."""
    lower = word.lower()
    if lower.isascii():
        return lower
    out = []
    for ch in lower:
        if ch in "æøå":
            out.append(ch)
        elif ch in _FOLD:
            out.append(_FOLD[ch])
        else:
            out.append(unicodedata.normalize("NFD", ch)[0])
    return "".join(out)


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The dictionary form of a folded Danish word (the word itself when unknown)."""
    if word.isdigit():
        return word
    return simplemma.lemmatize(word, lang="da").lower()


@lru_cache(maxsize=200_000)
def term(word: str) -> str:
    """A word's index term: folded, lemmatised, stemmed."""
    folded = fold(word)
    return stem(lemma(folded))


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def is_dropped(word: str, drop: frozenset[str]) -> bool:
    """Whether a word is one of `drop`, as written or as its lemma ("referaterne" is
    "referat"). An acronym that spells one (`MED`, the co-determination committees) is
    kept."""
    folded = fold(word)
    if _acronym(word, folded):
        return False
    return folded in drop or lemma(folded) in drop


def index_term(word: str) -> str:
    """A kept word's term; an acronym that spells a stopword keeps its capitals."""
    return word if _acronym(word, fold(word)) else term(word)


def _acronym(word: str, folded: str) -> bool:
    return word.isupper() and len(word) > 1 and folded in DANISH_STOPWORDS


def normalise_quarters(text: str) -> str:
    return QUARTER.sub(lambda m: " kvartal" + (m.group(1) or m.group(2)
                                               or _ORDINALS[m.group(3).lower()]) + " ", text)


def terms(text: str) -> list[str]:
    """Index terms of a document, in order."""
    return [t for t in map(_document_term, WORD.findall(normalise_quarters(text))) if t]


@lru_cache(maxsize=200_000)
def _document_term(word: str) -> str:
    """A document word's term, or "" for a stopword or a single letter. Kept per word as
    written, since a referat repeats its words."""
    if len(word) < 2 or is_dropped(word, DANISH_STOPWORDS):
        return ""
    return index_term(word)

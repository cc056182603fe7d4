"""Danish text to index terms: words folded, lemmatised, Snowball-stemmed, stopwords dropped.

One function, `term`, turns a word into its index term, for the documents, the question,
the snippet scorer and the not-found rule alike, so they can never disagree:

- folded: lowercase, accents off ("valgcafé" -> "valgcafe"), Swedish/German ä/ö as æ/ø;
- lemmatised with simplemma's Danish dictionary (a lookup table of inflected forms built
  from Wiktionary, installed with the package): "manglede" and "mangler" are both
  "mangle", "referaterne" is "referat", "udsat" is "udsætte". Snowball alone leaves
  "mangled" beside "mangl" and "udsat" beside "udsæt". The tables (Danish, and English
  for English questions) are read as MARISA tries, built once into the user's cache:
  a few MB of memory in every process instead of the 85 + 21 MB of simplemma's own
  dicts, and read in 0.01 s instead of 2.3;
- stemmed with Snowball, which catches what the dictionary lacks.
"""
from __future__ import annotations

import logging
import os
import re
import tempfile
import unicodedata
from functools import lru_cache
from pathlib import Path

import simplemma
import Stemmer
from platformdirs import user_cache_dir
from simplemma.strategies import DefaultStrategy
from simplemma.strategies.dictionaries.trie_dictionary_factory import TrieDictionaryFactory

log = logging.getLogger(__name__)
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
    return dictionary_form(word, "da").lower()


def dictionary_form(word: str, lang: str) -> str:
    """simplemma's lemma of `word` in `lang` (da or en), the word itself when unknown."""
    return _lemmatizer().lemmatize(word, lang)


#: The languages whose tables are read: Danish, and English for English questions.
LANGS = ("da", "en")
#: Where their tries are kept: the user's cache, beside the embedding model's.
LEMMA_CACHE = Path(user_cache_dir("referatbot")) / f"simplemma-{simplemma.__version__}"


@lru_cache(maxsize=1)
def _lemmatizer() -> simplemma.Lemmatizer:
    """simplemma's lemmatizer over its tables read as tries (the same lemmas)."""
    return simplemma.Lemmatizer(lemmatization_strategy=DefaultStrategy(
        dictionary_factory=trie_factory(LEMMA_CACHE)))


def trie_factory(cache: Path) -> TrieDictionaryFactory:
    """simplemma's tables as tries kept in `cache`; where it cannot be written (a read-only
    home), built in this process's memory instead, with a warning: slower to start, as
    small once built."""
    try:
        return TrieDictionaryFactory(disk_cache_dir=str(lemma_tries(cache)))
    except OSError as e:
        log.warning("simplemma's word tables cannot be kept in %s (%s): each process builds "
                    "them anew", cache, e)
        return TrieDictionaryFactory(use_disk_cache=False)


def lemma_tries(folder: Path = LEMMA_CACHE) -> Path:
    """`folder`, holding the tries of simplemma's tables, each built there the first time.
    Written under another name and moved into place, so that processes starting at once
    never read half a file: simplemma writes its own in place."""
    for lang in LANGS:
        if not (folder / f"{lang}.dic").exists():
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=folder) as building:
                TrieDictionaryFactory(disk_cache_dir=building).get_dictionary(lang)
                os.replace(Path(building) / f"{lang}.dic", folder / f"{lang}.dic")
    return folder


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

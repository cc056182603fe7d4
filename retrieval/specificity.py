"""How much a question word says about its topic, beyond what the minutes' idf says.

With a few hundred punkter, idf cannot tell an everyday word from a topical one: "koster",
"ansatte" and "afdelingerne" are rare in some corpora and common in others. General
language can: wordfreq's frequency lists (Zipf scale, a word per billion at 0, "og" at
7.4) put "koster" at 4.9 and "ansatte" at 5.0, "parkering" and "svømmehal" at 3.8, and a
compound no list holds ("kantineordning") at 0. A word's share of the question's specific
content (the coverage the verdict weighs) is its idf times this factor, so a question is
answered on its specific content, not on the administrative words that many punkter share.
"""
from __future__ import annotations

from functools import lru_cache

from wordfreq import zipf_frequency

from retrieval.text import dictionary_form, fold, lemma
from retrieval.tuning import TUNING


@lru_cache(maxsize=50_000)
def generality_factor(word: str, lang: str, specific: float, everyday: float,
                      floor: float) -> float:
    """1.0 for a specific word (Zipf frequency at most `specific`), falling to `floor` for
    an everyday one (at `everyday` and above). A word counts as common as its dictionary
    form: "afdelingerne" is as everyday as "afdeling"."""
    if word.isdigit():
        return 1.0
    word = word.lower()
    base = lemma(fold(word)) if lang == "da" else dictionary_form(word, "en")
    zipf = max(zipf_frequency(word, lang), zipf_frequency(base, lang))
    if zipf <= specific:
        return 1.0
    share = (min(zipf, everyday) - specific) / (everyday - specific)
    return 1.0 - share * (1.0 - floor)


def warm() -> None:
    """Load the Danish and English frequency lists and lemma tables now: on first use they
    take a second or two, which should not fall on the first question asked."""
    for word, lang in (("kommune", "da"), ("municipality", "en")):
        generality_factor(word, lang, TUNING.specific_zipf, TUNING.everyday_zipf,
                          TUNING.everyday_floor)

"""English questions bridged to the minutes' Danish, word by word.

The word list (`data/en_da.tsv`) is FreeDict's Danish-English dictionary inverted
(scripts/build_wordlist.py; CC BY-SA 3.0, see NOTICE): about 4,700 English words. An
English word is looked up as written and as its dictionary form (simplemma's English
table: "employees" -> "employee"); one it lacks is kept as written, since names, numbers
and shared words ("budget", "IT", "Frames") match the minutes as they are.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from wordfreq import zipf_frequency

from retrieval.text import dictionary_form

WORDLIST = Path(__file__).with_name("data") / "en_da.tsv"

ENGLISH_STOPWORDS = frozenset("""
a an the of to in on at for by with from into onto about as and or but if then than so that
this these those it its is are was were be been being am do does did done has have had having
what who whom whose which when where why how much many any some all each every there their
they them we us our you your he she his her i me my mine should would could can will shall may
might must not no yes also just only very more most less least such same other another
according regarding concerning got get gets getting make made take took taken give gave
tell show find say said per via out up down over under again still yet ever whats s
""".split())


#: A word speaks for a language when it is this much more common in it than in the other
#: (wordfreq's Zipf scale: 1.0 is ten times): "which" +3.1, "hours" +2.3, "sick" +1.7;
#: "budget" +0.4, "status" +0.1 and "2024" +0.1 speak for neither.
CLEARLY = 1.0


def is_english(words: list[str]) -> bool:
    """Whether a question is English rather than Danish: at least two of its words are
    clearly English, by how much more common each is in general English than in general
    Danish, and they outweigh its clearly Danish words. Any ordinary English word counts,
    not only function words ("can teams keep unused funds?" holds none that a short list
    would hold twice); words both languages write alike weigh nothing, nor does a word in
    capitals (IT, AI, CF: names of things, and "IT" is not "it"). A short query of
    loanwords ("IT support", "onboarding program") stays Danish, the minutes' language."""
    lean = [_lean(w) for w in words if not (w.isupper() and len(w) > 1)]
    english = [d for d in lean if d >= CLEARLY]
    danish = [-d for d in lean if d <= -CLEARLY]
    return len(english) >= 2 and sum(english) > sum(danish)


def _lean(word: str) -> float:
    lower = word.lower()
    return zipf_frequency(lower, "en") - zipf_frequency(lower, "da")


@lru_cache(maxsize=1)
def wordlist() -> dict[str, tuple[str, ...]]:
    out = {}
    for line in WORDLIST.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            english, danish = line.split("\t")
            out[english] = tuple(danish.split())
    return out


def translate(word: str) -> tuple[str, ...]:
    """The Danish words for an English word: () for an English function word, else its
    translations, or the word itself when the list lacks it."""
    lower = word.lower()
    if lower in ENGLISH_STOPWORDS:
        return ()
    found = wordlist().get(lower) or wordlist().get(dictionary_form(lower, "en"))
    return found or (word,)

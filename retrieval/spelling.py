"""Words typed as people type them: without Danish letters, or with one letter wrong.

Used only for a question word the index does not know (retrieval/lexical.py), so a word
spelled as in the minutes is never "corrected" into another.

- Danish letters: a keyboard without æ, ø, å gives "ae"/"oe"/"aa" or plain "a"/"o"
  ("sygefravaer", "sygefravar", "genbrugsbors"); the spellings with the letters put back
  are tried, digraphs first.
- One edit: a letter missing, added, replaced or two swapped ("styrringsdokumenter",
  "klimakmapen"), found through the terms' one-letter deletions (the SymSpell idea) and
  checked with the optimal string alignment distance.
"""
from __future__ import annotations

from itertools import product

DIGRAPHS = (("ae", "æ"), ("oe", "ø"), ("aa", "å"))
SINGLE = {"a": ("a", "æ", "å"), "o": ("o", "ø")}
#: At most this many a/o positions are tried (3^4 spellings), from the word's end, where
#: Danish inflection and compound heads put most æ/ø/å.
MAX_POSITIONS = 4
#: Shortest word that is corrected for a typo; shorter ones have too many neighbours.
MIN_TYPO_LENGTH = 5


def danish_spellings(word: str) -> list[str]:
    """Spellings of an ASCII-typed word with æ, ø or å put back, most likely first."""
    if not word.isascii():
        return []
    out: list[str] = []
    with_digraphs = word
    for plain, letter in DIGRAPHS:
        with_digraphs = with_digraphs.replace(plain, letter)
    if with_digraphs != word:
        out.append(with_digraphs)
    positions = [i for i, ch in enumerate(word) if ch in SINGLE][-MAX_POSITIONS:]
    for choice in product(*(SINGLE[word[i]] for i in positions)):
        letters = list(word)
        for i, ch in zip(positions, choice):
            letters[i] = ch
        spelled = "".join(letters)
        if spelled != word and spelled not in out:
            out.append(spelled)
    return out


def deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps
    of neighbouring letters each count one."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


class Neighbours:
    """The terms one edit away from a word, over a fixed vocabulary."""

    def __init__(self, vocabulary: list[str]):
        self._by_key: dict[str, list[str]] = {}
        for t in vocabulary:
            if len(t) >= MIN_TYPO_LENGTH - 1:
                for key in deletions(t) | {t}:
                    self._by_key.setdefault(key, []).append(t)

    def of(self, word: str) -> list[str]:
        """Vocabulary terms at distance 1 from `word` (not `word` itself)."""
        if len(word) < MIN_TYPO_LENGTH:
            return []
        found = {t for key in deletions(word) | {word} for t in self._by_key.get(key, ())}
        return sorted(t for t in found if t != word and distance(t, word) == 1)

"""The lexical index's caches belong to it: a replaced index is freed the moment the last
reference to it goes, not when the cycle collector next runs (bot/engine.py refreshes the
index while serving, and at 1,000 meetings an index is hundreds of MB)."""
from __future__ import annotations

import gc
import weakref

import pytest

from retrieval.lexical import LexicalIndex
from retrieval.memo import Memo

DOCS = [(1, "Chefforum besluttede at ændre telefontiderne på rådhuset."),
        (2, "Sygefraværet skal nedbringes med en ny handleplan."),
        (3, "Parkeringspladserne ved rådhuset bliver flere.")]


@pytest.fixture
def no_collector():
    """Only reference counting frees objects while the test runs."""
    gc.collect()
    gc.disable()
    yield
    gc.enable()


def test_a_used_index_is_freed_without_the_cycle_collector(no_collector):
    index = LexicalIndex(DOCS)
    for word in ("telefon", "fravær", "plads", "parkeringsplads", "rådhus"):
        index.scores([word])
        index.credit(word, 0)
        index.parts(word)
    assert index.known("telefon")
    gone = weakref.ref(index)
    del index
    assert gone() is None


def test_a_memo_computes_each_key_once_and_keeps_at_most_its_size():
    calls: list[str] = []

    def upper(word: str) -> str:
        calls.append(word)
        return word.upper()

    memo: Memo[str, str] = Memo(2)
    assert [memo.get(w, upper) for w in ("a", "b", "a", "c", "a")] == ["A", "B", "A", "C", "A"]
    # "a" was the oldest when "c" came, so it is computed again
    assert calls == ["a", "b", "c", "a"] and len(memo) == 2
    memo.clear()
    assert len(memo) == 0


def test_a_memo_of_no_size_is_refused():
    with pytest.raises(ValueError, match="at least one"):
        Memo(0)


def test_get_many_computes_only_what_it_lacks_and_keeps_only_what_was_found():
    memo: Memo[str, int] = Memo(3)
    calls: list[list[str]] = []

    def lengths(keys: list[str]) -> dict[str, int]:
        calls.append(keys)
        return {k: len(k) for k in keys if k != "ukendt"}

    assert memo.get_many(["a", "bb", "ukendt"], lengths) == {"a": 1, "bb": 2}
    assert memo.get_many(["bb", "ccc", "ukendt"], lengths) == {"bb": 2, "ccc": 3}
    assert calls == [["a", "bb", "ukendt"], ["ccc", "ukendt"]]
    memo.get_many(["dddd"], lengths)  # full: the oldest ("a") goes
    assert len(memo) == 3 and memo.get_many(["a"], lengths) == {"a": 1} and calls[-1] == ["a"]

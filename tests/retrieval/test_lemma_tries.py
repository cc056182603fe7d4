"""simplemma's tables read as tries (retrieval/text.py): the same lemmas as simplemma's
own dicts, in a few MB instead of 106, and a cache that processes starting at once build
without one reading half a file of another."""
from __future__ import annotations

import multiprocessing
from pathlib import Path

import simplemma
from simplemma.strategies import DefaultStrategy

from retrieval.text import LANGS, WORD, dictionary_form, lemma_tries, trie_factory

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
ENGLISH = ("walked", "decisions", "committees", "was", "better", "meetings", "children",
           "councils", "agreed", "phone", "hours", "postponed", "budgets", "leaders")


def test_the_tries_give_simplemmas_lemmas():
    words = {w.lower() for path in SAMPLES.glob("*.txt")
             for w in WORD.findall(path.read_text(encoding="utf-8"))}
    assert len(words) > 3000
    for word in sorted(words):
        assert dictionary_form(word, "da") == simplemma.lemmatize(word, lang="da"), word
    for word in ENGLISH:
        assert dictionary_form(word, "en") == simplemma.lemmatize(word, lang="en"), word


def _build(cache: str) -> list[int]:
    folder = lemma_tries(Path(cache))
    return [(folder / f"{lang}.dic").stat().st_size for lang in LANGS]


def test_processes_starting_at_once_build_whole_tries(tmp_path):
    with multiprocessing.get_context("spawn").Pool(3) as pool:
        sizes = pool.map(_build, [str(tmp_path)] * 3)
    assert len({tuple(s) for s in sizes}) == 1 and min(sizes[0]) > 100_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["da.dic", "en.dic"]  # no leftovers


def test_a_cache_that_cannot_be_written_builds_the_tries_in_memory(tmp_path, caplog):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    factory = trie_factory(blocked / "simplemma")
    assert "cannot be kept in" in caplog.text
    lemmatizer = simplemma.Lemmatizer(lemmatization_strategy=DefaultStrategy(
        dictionary_factory=factory))
    assert lemmatizer.lemmatize("referaterne", "da") == simplemma.lemmatize("referaterne",
                                                                          lang="da")

"""Questions typed as people type: without æ/ø/å, with accents or without, with a compound
split in two, with a letter wrong. Each finds the same punkt as the correct spelling, and
a word of the language that the minutes do not use is never "corrected" into one they
do (which would let an off-topic question through)."""
from __future__ import annotations

import pytest

from retrieval.query import Reading, understand
from retrieval.search import resolve
from retrieval.spelling import Neighbours, danish_spellings, distance
from retrieval.text import fold, term


def test_danish_letters_are_put_back_digraphs_first():
    assert danish_spellings("sygefravaer")[0] == "sygefravær"
    assert "sygefravær" in danish_spellings("sygefravar")
    assert "genbrugsbørs" in danish_spellings("genbrugsbors")
    assert "økonomi" in danish_spellings("okonomi")
    assert danish_spellings("rådhus") == []  # already Danish


def test_accents_and_foreign_letters_are_folded():
    assert fold("valgcafé") == fold("valgcafe") == "valgcafe"
    assert fold("Möbel") == "møbel"
    assert term("valgcafé") == term("valgcafe")


def test_inflections_share_their_lemma_where_the_stemmer_alone_split_them():
    from retrieval.text import stem

    assert stem("manglede") != stem("mangler") and term("manglede") == term("mangler")
    assert stem("udsat") != stem("udsætte") and term("udsat") == term("udsætte")
    assert term("referaterne") == term("referat")


def test_the_edit_distance_counts_a_swap_as_one():
    assert distance("klimakamp", "klimakmap") == 1
    assert distance("styringsdokument", "styrringsdokument") == 1
    assert distance("flygtning", "flytning") == 1
    assert distance("abc", "bca") == 2
    assert Neighbours(["klimakamp", "klimaplan"]).of("klimakmap") == ["klimakamp"]


def test_a_word_of_the_language_is_not_a_typo(corpus):
    # "flygtninge" is one letter from "flytning" (which the minutes write), but it is a
    # Danish word of its own: a question about refugees must not become one about moving
    assert corpus.index.lexical.respell("flygtninge") is None
    found = corpus.index.lexical.respell("styrringsdokumenter")
    assert found and found[1] == term("styringsdokumenter")


@pytest.mark.parametrize("typed, written", [
    ("hvor meget er fravaeret steget i okonomi og stab?",
     "hvor meget er fraværet steget i økonomi og stab?"),
    ("hvornår er genbrugsbors klar?", "hvornår er genbrugsbørsen klar?"),
    ("hvad er en valgcafe?", "hvad er en valgcafé?"),
    ("hvem skal jeg maile forslag til styrringsdokumenter?",
     "hvem skal jeg maile forslag til styringsdokumenter?"),
    ("hvem betaler udgifterne til klimakmapen?", "hvem betaler udgifterne til klimakampen?"),
    ("mål for syge fravær", "mål for sygefravær"),
])
def test_a_question_typed_otherwise_finds_the_same_punkt(ask, typed, written):
    got, want = ask(typed), ask(written)
    assert want.answered, written
    assert _first(got) == _first(want) and got.answered == want.answered


def _first(answer):
    shown = (answer.citations or answer.suggestions)[:1]
    return [(c.meeting_date, c.punkt) for c in shown]


def test_a_split_compound_is_joined_when_the_minutes_write_it_whole(corpus):
    resolved = resolve(understand("mål for syge fravær"), corpus.index.lexical)
    assert [r.concept.word for r in resolved if r.how == Reading.JOINED] == ["sygefravær"]


def test_two_short_words_are_not_swallowed_into_one(corpus):
    # "medarbejdere få" is no compound, though the stem of "medarbejderefå" is a term
    resolved = resolve(understand("hvad kan ældre medarbejdere få?"), corpus.index.lexical)
    assert not [r for r in resolved if r.how == Reading.JOINED]

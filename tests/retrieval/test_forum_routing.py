"""A question naming a forum searches only that forum, one naming two searches both, and
one naming none searches all (retrieval/query.py `forums`, retrieval/search.py `mask`):
on the catalog of three forums, where the parking strategy was decided by both the
committee (24-04-2024, punkt 2) and the council (27-05-2024, punkt 62), and the committee
met on the day of a Chefforum meeting. The answer's text and its citations name the
forum of the punkt quoted."""
from __future__ import annotations

import numpy as np
import pytest

from forum_files import COMMITTEE, COUNCIL, COUNCIL_DAY, SHARED_DAY
from retrieval.index import WIDE_MOST
from retrieval.query import understand
from retrieval.search import Searcher

CF = "Chefforum"
PARKING_COMMITTEE = (SHARED_DAY.isoformat(), 2)
PARKING_COUNCIL = (COUNCIL_DAY.isoformat(), 62)


def shown(answer) -> list[dict]:
    """The punkter an answer cites or suggests, as JSON."""
    found = answer.to_json()
    return found["citations"] + found["suggestions"]


@pytest.mark.parametrize("question, forum, first", [
    ("hvad besluttede kommunalbestyrelsen om parkeringsstrategien?", COUNCIL, PARKING_COUNCIL),
    ("hvad besluttede byrådet om parkeringsstrategien?", COUNCIL, PARKING_COUNCIL),  # alias
    ("what did the city council decide about parking?", COUNCIL, PARKING_COUNCIL),
    ("what did the technical and environmental committee decide about parking?", COMMITTEE,
     PARKING_COMMITTEE),
    ("hvad besluttede Teknik- og Miljøudvalget om parkeringsstrategien?", COMMITTEE,
     PARKING_COMMITTEE),
    ("hvad anbefalede TMU om parkeringsstrategien?", COMMITTEE, PARKING_COMMITTEE),
    ("hvad besluttede CF om telefontider?", CF, ("2024-04-24", 7)),
])
def test_a_question_naming_a_forum_searches_only_it(three_forums, question, forum, first):
    answer = three_forums.ask(question)
    found = shown(answer)
    assert answer.answered and found, answer.answer
    assert {c["forum"] for c in found} == {forum}, found
    assert (found[0]["meeting_date"], found[0]["punkt"]) == first


def test_a_question_naming_two_forums_searches_both(three_forums):
    answer = three_forums.ask("hvad besluttede TMU og KB om parkeringsstrategien?")
    found = shown(answer)
    assert {c["forum"] for c in found} == {COMMITTEE, COUNCIL}, found
    assert {(c["meeting_date"], c["punkt"]) for c in found} >= {PARKING_COMMITTEE,
                                                                 PARKING_COUNCIL}


def test_a_question_naming_no_forum_searches_all(three_forums):
    answer = three_forums.ask("hvad blev besluttet om parkeringsstrategien for bymidten?")
    keys = {(c["meeting_date"], c["punkt"]) for c in shown(answer)}
    assert keys >= {PARKING_COMMITTEE, PARKING_COUNCIL}
    assert not understand("hvad blev besluttet om parkeringsstrategien?",
                          three_forums.index.forum_names()).forums


@pytest.mark.parametrize("question, forum", [
    ("hvad behandlede Teknik- og Miljøudvalget 24. april 2024?", COMMITTEE),
    ("hvad behandlede Chefforum 24. april 2024?", CF),
    ("hvad stod der på dagsordenen for TMU i april 2024?", COMMITTEE),
    ("hvad skete der på det seneste møde i Teknik- og Miljøudvalget?", COMMITTEE),
    ("hvad skete der på det seneste CF-møde?", CF),
])
def test_a_meeting_of_a_named_forum(three_forums, question, forum):
    """Two forums met on 24-04-2024: the one named is the meeting; the latest meeting is
    the named forum's, not the catalog's latest (the council's)."""
    answer = three_forums.ask(question)
    assert answer.meeting is not None, answer.answer
    assert answer.meeting.forum == forum
    assert answer.meeting.meeting_date == SHARED_DAY
    assert answer.answer.startswith(forum)


def test_the_dense_side_reads_only_the_named_forums(three_forums):
    """Chroma's nearest chunks are of the named forum only, so a forum with few punkter is
    not crowded out of them by the others."""
    index = three_forums.index
    names = index.forum_names()
    query = understand("hvad besluttede kommunalbestyrelsen om parkering og p-pladser?", names)
    assert query.forums == (COUNCIL,)
    hits = index.nearest(index.embedder.query(query.text), 60, query.forums)
    assert hits and {h.forum for h in hits} == {COUNCIL}
    dense = Searcher(index).dense_scores(query)
    assert dense.any() and not dense[~index.state.of_forums(query.forums)].any()


@pytest.mark.parametrize("wide_most", [WIDE_MOST, 0], ids=["wide search", "Chroma's filter"])
@pytest.mark.parametrize("forums", [(CF,), (CF, COMMITTEE), (COUNCIL,), (COMMITTEE, COUNCIL),
                                    (CF, COMMITTEE, COUNCIL)])
def test_the_named_forums_nearest_chunks_are_found_as_chromas_filter_finds_them(
        three_forums, forums, wide_most, monkeypatch):
    """Forums are kept from a wider search's hits rather than by Chroma's filter (slow
    when it lets many records through), unless that search would be too wide (WIDE_MOST;
    0 here: always the filter): all the hits are of the named forums, and they are the
    truly nearest as much as the filter's are (HNSW is approximate: at least 90 % of the
    exact 20, or of all where the forums hold fewer)."""
    monkeypatch.setattr("retrieval.index.WIDE_MOST", wide_most)
    index = three_forums.index
    ids = [c for i in np.flatnonzero(index.state.of_forums(forums)) for c in index.state.chunks_of(i)]
    vectors = index.chunk_vectors(ids)
    for question in ("parkering i bymidten", "sygefravær", "telefontider på rådhuset"):
        vector = index.embedder.query(question)
        exact = set(sorted(vectors, key=lambda c: -float(vectors[c] @ vector))[:20])
        ours = index.nearest(vector, 20, forums)
        assert {h.forum for h in ours} <= set(forums)
        assert len({h.chunk_id for h in ours} & exact) >= 0.9 * len(exact)
        filtered = index.store.search(vector, 20, forums)
        assert len({h.chunk_id for h in filtered} & exact) >= 0.9 * len(exact)


@pytest.mark.parametrize("question, lead, forum", [
    ("hvad besluttede kommunalbestyrelsen om parkeringsstrategien?",
     "Kommunalbestyrelsen besluttede 27. maj 2024 (punkt 62): «", COUNCIL),
    ("hvad besluttede TMU om parkeringsstrategien?",
     "Teknik- og Miljøudvalget besluttede 24. april 2024 (punkt 2): «", COMMITTEE),
    ("what did the city council decide about parking?",
     "Kommunalbestyrelsen decided on 27 May 2024 (item 62): «", COUNCIL),
])
def test_the_answer_names_the_forum_and_the_date(three_forums, question, lead, forum):
    answer = three_forums.ask(question)
    assert answer.answer.startswith(lead), answer.answer
    assert answer.to_json()["citations"][0]["forum"] == forum


def test_the_forum_names_are_made_once_per_catalog_version(three_forums):
    index = three_forums.index
    assert index.forum_names() is index.forum_names()
    assert index.forum_names().forums == (CF, COUNCIL, COMMITTEE)


def test_a_day_two_forums_met_names_the_other_meeting(three_forums):
    """Asked for a day's meeting without a forum, the answer lists one and says the other
    forum met too, rather than passing it over; naming the forum lists only it."""
    answer = three_forums.ask("hvad skete der på mødet 24. april 2024?")
    assert answer.answered and answer.meeting is not None
    assert answer.meeting.forum == CF
    assert answer.answer.endswith(f"Samme dag holdt {COMMITTEE} også møde.")
    english = three_forums.ask("what happened at the meeting on 24 April 2024?")
    assert english.answer.endswith(f"{COMMITTEE} also met that day.")
    named = three_forums.ask("hvad skete der på TMU-mødet 24. april 2024?")
    assert named.meeting.forum == COMMITTEE and "også møde" not in named.answer
    alone = three_forums.ask("hvad skete der på mødet 27. maj 2024?")
    assert alone.meeting.forum == COUNCIL and "også møde" not in alone.answer

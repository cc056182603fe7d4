"""`referatbot eval` over several forums: a question may carry the `forum` its answer comes
from; a citation of another forum's punkt with the same date and number is then a miss,
and the report breaks the figures down by forum."""
from __future__ import annotations

from retrieval.evaluate import Report, format_table, score_answer

QUESTION = {"id": "f1", "kind": "decision", "lang": "da", "question": "hvad besluttede TMU?",
            "meeting_date": "2024-04-24", "punkt": 2, "expected_phrases": ["parkering"]}


def answer(forum: str) -> dict:
    cited = {"forum": forum, "meeting_date": "2024-04-24", "punkt": 2, "snippet": "parkering"}
    return {"answered": True, "answer": "…", "citations": [cited], "suggestions": [],
            "meeting": None}


def test_a_question_with_a_forum_is_answered_only_from_that_forum():
    q = {**QUESTION, "forum": "Teknik- og Miljøudvalget"}
    assert score_answer(q, answer("Teknik- og Miljøudvalget"), Report()) == []
    assert {"hit@1", "hit@3"} <= set(score_answer(q, answer("Chefforum"), Report()))
    # a question without one is scored by date and punkt, as before
    assert score_answer(QUESTION, answer("Chefforum"), Report()) == []


def test_the_report_breaks_the_figures_down_by_forum():
    report = Report()
    for forum in ("Teknik- og Miljøudvalget", "Kommunalbestyrelsen"):
        score_answer({**QUESTION, "forum": forum}, answer("Teknik- og Miljøudvalget"), report)
    assert report["forum:Teknik- og Miljøudvalget"].count("hit@1") == "1/1"
    assert report["forum:Kommunalbestyrelsen"].count("hit@1") == "0/1"
    table = format_table(report, {"plain BM25": Report(), "plain dense": Report()})
    assert "by forum" in table and "Kommunalbestyrelsen" in table
    without = Report()
    score_answer(QUESTION, answer("Chefforum"), without)
    assert "by forum" not in format_table(without, {})


def test_a_closed_punkt_is_one_forums():
    """The committee's punkt 3 of 24-04-2024 is closed; Chefforum's punkt 3 that day is
    open, and showing it is no closed punkt shown."""
    closed = {("Teknik- og Miljøudvalget", "2024-04-24", 3)}
    shown = {**answer("Chefforum"), "suggestions": [
        {"forum": "Chefforum", "meeting_date": "2024-04-24", "punkt": 3}]}
    assert "closed" not in score_answer(QUESTION, shown, Report(), closed)
    leaked = {**shown, "suggestions": [{**shown["suggestions"][0],
                                        "forum": "Teknik- og Miljøudvalget"}]}
    assert "closed" in score_answer(QUESTION, leaked, Report(), closed)

"""The JSON of an answer is the contract in design.md: the same object from `ask --json`,
`GET /api/ask`, the Teams card and the chat page; `confidence` is its one new field."""
from __future__ import annotations

import json

TOP = ["question", "answered", "answer", "citations", "meeting", "suggestions", "confidence"]
CITATION = ["forum", "meeting_date", "punkt", "title", "case_number", "section", "snippet"]


def _check_citation(c: dict) -> None:
    assert list(c) == CITATION
    assert c["forum"] == "Chefforum"
    assert isinstance(c["punkt"], int)
    assert len(c["meeting_date"]) == 10 and c["meeting_date"][4] == "-"
    for key in ("title", "case_number", "section", "snippet"):
        assert isinstance(c[key], str)


def test_an_answered_question(ask):
    payload = ask("hvad besluttede CF om telefontider?").to_json()
    assert json.loads(json.dumps(payload, ensure_ascii=False)) == payload
    assert list(payload) == TOP
    assert payload["question"] == "hvad besluttede CF om telefontider?"
    assert payload["answered"] is True
    assert payload["meeting"] is None and payload["suggestions"] == []
    assert 1 <= len(payload["citations"]) <= 3
    for c in payload["citations"]:
        _check_citation(c)
    assert payload["citations"][0] == {
        "forum": "Chefforum", "meeting_date": "2024-04-24", "punkt": 7,
        "title": "Rådhusets telefontider", "case_number": "83.02.00-A00-1-23",
        "section": "Beslutning", "snippet": payload["citations"][0]["snippet"]}
    assert payload["answer"] == ("Chefforum besluttede 24. april 2024 (punkt 7): "
                                 f"«{payload['citations'][0]['snippet']}»")
    assert "Økonomiudvalgets beslutning fra april 2017" in payload["answer"]
    assert payload["confidence"] == "high"


def test_a_meeting_question(ask):
    payload = ask("hvad var på dagsordenen den 2. september 2021?").to_json()
    assert list(payload) == TOP
    assert payload["answered"] is True
    assert list(payload["meeting"]) == ["meeting_date", "items"]
    assert payload["meeting"]["meeting_date"] == "2021-09-02"
    items = payload["meeting"]["items"]
    assert [list(i) for i in items] == [["punkt", "title"]] * 9
    assert items[0] == {"punkt": 1, "title": "Byudviklingsforum"}
    assert items[2]["title"] == "Godkendelse af pilotprojekter i Digitaliseringsstrategien 2021 - 2025"
    assert "Byudviklingsforum" in payload["answer"]


def test_the_latest_meeting(ask):
    payload = ask("hvad blev behandlet på seneste møde?").to_json()
    assert payload["answered"] and payload["meeting"]["meeting_date"] == "2024-04-24"
    assert len(payload["meeting"]["items"]) == 10


def test_a_not_found_answer(ask):
    payload = ask("hvad har CF besluttet om støtte til ukrainske flygtninge?").to_json()
    assert list(payload) == TOP
    assert payload["answered"] is False and payload["confidence"] in ("low", "none")
    assert payload["citations"] == [] and payload["meeting"] is None
    assert len(payload["suggestions"]) <= 3
    for c in payload["suggestions"]:
        _check_citation(c)

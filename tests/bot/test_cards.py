"""Adaptive Cards: what they say, the buttons they carry, and that they stay within
Teams' message size even for the longest meeting and punkt, real and far beyond."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from bot import cards
from bot.citations import cited_text
from bot.links import SourceLinks
from fake_teams import TELEFON_SOURCE, actions, execute_button, texts
from ingest.catalog import CaseStep, NewDecision
from ingest.model import Meeting, Punkt
from ingest.parse import parse_referat
from ingest.readers import read_file
from retrieval.model import Answer, Citation, MeetingOverview

TELEFON = Citation("Chefforum", dt.date(2024, 4, 24), 7, "Rådhusets telefontider",
                   "83.02.00-A00-1-23", "Beslutning",
                   "Chefforum besluttede, at Økonomiudvalgets beslutning fra april 2017 skal "
                   "implementeres i hele organisationen.")
SYGEFRAVAER = Citation("Chefforum", dt.date(2024, 4, 24), 6, "Orientering om sygefravær 1. kv. 2024",
                       "81.28.00-P05-1-24", "Beslutning", "Chefforum gennemgik sygefraværet.")


@pytest.fixture(scope="module")
def sample_meetings(samples_dir) -> list[Meeting]:
    return [parse_referat(read_file(p), source=str(p)) for p in sorted(samples_dir.glob("*.txt"))]


def all_cards_are_1_5(card: dict) -> None:
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    json.dumps(card)  # plain JSON all the way down


def test_source_line():
    assert cards.source_line(TELEFON) == TELEFON_SOURCE
    no_case = dataclasses.replace(TELEFON, case_number="")
    assert cards.source_line(no_case) == "Chefforum 24.04.2024 · punkt 7 · Rådhusets telefontider"


def test_answer_card():
    """Under the answer's text: the sources numbered as its markers, the first credited
    (the text quotes it), the others with their snippets, and 👍/👎 when asked for."""
    answer = Answer("hvad besluttede CF om telefontider?", True, TELEFON.snippet,
                    (TELEFON, SYGEFRAVAER))
    card = cards.answer_card(answer)
    all_cards_are_1_5(card)
    shown = texts(card)
    sygefravaer = "Chefforum 24.04.2024 · punkt 6 · Orientering om sygefravær 1. kv. 2024 · " \
                  "sag 81.28.00-P05-1-24"
    assert shown[:4] == ["Kilder", "[1]", TELEFON_SOURCE, "Svaret er citeret fra Beslutning."]
    assert shown[5:8] == ["[2]", sygefravaer, "Beslutning: Chefforum gennemgik sygefraværet."]
    assert TELEFON.snippet not in shown  # the text says it, not the card
    data = [b["data"] for b in actions(card)]
    assert data[:2] == [{"command": "punkt", "date": "2024-04-24", "punkt": 7, "forum": "Chefforum"},
                        {"command": "punkt", "date": "2024-04-24", "punkt": 6, "forum": "Chefforum"}]
    assert [d["vote"] for d in data[2:]] == ["up", "down"]
    assert data[2]["punkter"] == [{"date": "2024-04-24", "punkt": 7},
                                  {"date": "2024-04-24", "punkt": 6}]
    without_votes = cards.answer_card(answer, votes=False)
    assert [b["data"]["command"] for b in actions(without_votes)] == ["punkt", "punkt"]


def test_answer_card_links_each_source_to_its_referat():
    answer = Answer("hvad besluttede CF om telefontider?", True, TELEFON.snippet,
                    (TELEFON, SYGEFRAVAER))
    links = SourceLinks("https://intranet.albertslund.dk/cf/{date:%d-%m-%Y}#punkt-{punkt}")
    opened = [b for b in actions(cards.answer_card(answer, links=links))
              if b["type"] == "Action.OpenUrl"]
    assert opened == [
        {"type": "Action.OpenUrl", "title": "Åbn referatet",
         "url": "https://intranet.albertslund.dk/cf/24-04-2024#punkt-7"},
        {"type": "Action.OpenUrl", "title": "Åbn referatet",
         "url": "https://intranet.albertslund.dk/cf/24-04-2024#punkt-6"}]
    assert not [b for b in actions(cards.answer_card(answer)) if b["type"] == "Action.OpenUrl"]


def test_answer_about_a_meeting_offers_the_whole_meeting():
    overview = MeetingOverview("Chefforum", dt.date(2024, 4, 24), ((1, "Godkendelse"), (7, "Rådhusets telefontider")))
    answer = Answer("mødet 24-04-2024", True, "Chefforum d. 24. april 2024 behandlede 2 punkter: "
                    "1. Godkendelse; 7. Rådhusets telefontider.", meeting=overview)
    card = cards.answer_card(answer, votes=False)
    assert [b["data"] for b in actions(card)] == [{"command": "møde", "date": "2024-04-24",
                                                   "forum": "Chefforum"}]


def test_an_answer_with_nothing_to_add_has_no_card():
    assert cards.answer_card(Answer("hvornår er næste møde?", True, "Det står ikke i referaterne."),
                             votes=False) is None


def test_not_found_card_offers_the_suggestions_as_lines_to_click():
    """Lines, not buttons: Teams cuts a button's title to one line, which took the meeting
    and the punkt off a long title (the Agents Playground showed it)."""
    answer = Answer("hvad med rumraketter?", False, "Jeg fandt ikke noget i referaterne, der "
                    "svarer på spørgsmålet. Måske et af disse punkter:", suggestions=(TELEFON,))
    card = cards.answer_card(answer)
    all_cards_are_1_5(card)
    assert texts(card) == ["Intet svar i referaterne", "Måske et af disse punkter:",
                           "Rådhusets telefontider (24.04.2024, punkt 7)"]
    assert actions(card) == []
    [line] = [item for item in card["body"] if "selectAction" in item]
    assert line["selectAction"] == execute_button(
        "Vis hele punktet", {"command": "punkt", "date": "2024-04-24", "punkt": 7,
                             "forum": "Chefforum"})
    bare = cards.answer_card(Answer("?", False, "Jeg fandt intet i referaterne om det."))
    # why is the message's text; the card says what to do next
    assert texts(bare) == ["Intet svar i referaterne", "Skriv **hjælp** for at se, hvad jeg kan."]


def test_every_sample_meeting_fits_with_every_decision_in_full(sample_meetings):
    for meeting in sample_meetings:
        card = cards.meeting_card(meeting)
        all_cards_are_1_5(card)
        assert cards.card_bytes(card) <= cards.MAX_CARD_BYTES
        shown = "\n".join(texts(card))
        for p in meeting.open_punkter:
            assert f"Punkt {p.number}: {p.title}" in shown
            assert cards._plain(p.decision) in shown
        assert "forkortet" not in shown


def test_the_longest_sample_punkt_fits_in_full(sample_meetings):
    meeting, punkt = max(((m, p) for m in sample_meetings for p in m.open_punkter),
                         key=lambda mp: sum(map(len, mp[1].sections.values())))
    assert sum(map(len, punkt.sections.values())) > 10_000  # the 2023/2024 long ones
    card = cards.punkt_card(meeting, punkt)
    assert cards.card_bytes(card) <= cards.MAX_CARD_BYTES
    shown = texts(card)
    for name, text in punkt.sections.items():
        assert cards._plain(text) in shown, name
    assert not any(t.startswith("Forkortet her") for t in shown)


def words(n: int) -> str:
    return " ".join(f"ord{i % 97}" for i in range(n))


def test_a_meeting_far_longer_than_any_real_one_is_shortened_to_fit():
    punkter = tuple(Punkt(n, f"Et langt punkt nummer {n}", case_number="00.01.00-A00-1-24",
                          sections={"Sagsfremstilling": words(3000), "Beslutning": words(1000)})
                    for n in range(1, 61))
    meeting = Meeting("Chefforum", dt.date(2025, 1, 8), "09:00", "915", punkter=punkter)
    card = cards.meeting_card(meeting)
    assert cards.card_bytes(card) <= cards.MAX_CARD_BYTES
    shown = texts(card)
    # each punkt's title is a button that opens it in place (with its Action.Submit
    # fallback): 40 of them fit, the rest are named
    listed = [t for t in shown if t.startswith("Punkt ")]
    assert listed == [f"Punkt {n}: Et langt punkt nummer {n}" for n in range(1, len(listed) + 1)]
    assert len(listed) >= 40
    assert shown[-2] == f"… og {60 - len(listed)} punkter mere. Skriv punkt 08-01-2025 NR for at " \
                        "se et af dem."
    assert shown[-1] == "Beslutningerne er forkortet. Vælg et punkt for at se det hele."
    bigger = cards._meeting_card(meeting, 0, len(listed) + 1)
    assert cards.card_bytes(bigger) > cards.MAX_CARD_BYTES  # as many as fit


def test_a_meeting_with_hundreds_of_punkter_lists_what_fits_and_says_so():
    punkter = tuple(Punkt(n, f"Punkt med en ret lang titel om emne nummer {n}") for n in range(1, 1501))
    card = cards.meeting_card(Meeting("Chefforum", dt.date(2025, 1, 8), punkter=punkter))
    assert cards.card_bytes(card) <= cards.MAX_CARD_BYTES
    assert any(t.startswith("… og ") and "punkter mere" in t for t in texts(card))


def test_a_case_far_longer_than_any_real_one_shows_its_newest_punkter_and_counts_the_rest():
    """A number every meeting's first punkt carries (approval of the agenda) makes a path
    of hundreds: the newest CASE_MAX_STEPS, oldest first, the rest counted, and decisions
    shortened until the card fits."""
    steps = [CaseStep("Chefforum", dt.date(2010, 1, 1) + dt.timedelta(days=7 * n),
                      Punkt(1, f"Godkendelse af dagsorden {n}", case_number="00.01.00-A21-9-18",
                            sections={"Beslutning": words(400)}))
             for n in range(300)]
    card = cards.case_path_card(steps)
    assert cards.card_bytes(card) <= cards.MAX_CARD_BYTES
    shown = texts(card)
    titles = [t for t in shown if t.startswith("Godkendelse")]
    assert 10 <= len(titles) <= cards.CASE_MAX_STEPS
    assert titles == [f"Godkendelse af dagsorden {n}" for n in range(300 - len(titles), 300)]
    assert shown[:3] == ["Sag 00.01.00-A21-9-18", "Behandlet i 300 punkter, ældste først:",
                         f"… og {300 - len(titles)} ældre punkter. Det ældste er "
                         "Chefforum 01.01.2010 · punkt 1."]
    # every decision shown, shortened
    assert len([t for t in shown if t.startswith("**Beslutning:** «ord0 ord1")]) == len(titles)
    assert shown[-1] == "Beslutningerne er forkortet. Vælg et punkt for at se det hele."


def test_a_punkt_far_longer_than_any_real_one_keeps_its_decision_whole():
    decision = "Chefforum besluttede, at " + words(600)
    punkt = Punkt(3, "Budget", case_number="00.30.08-000-2-22",
                  sections={"Anledning": words(200), "Sagsfremstilling": words(20_000),
                            "Beslutning": decision},
                  bilag=tuple(f"Bilag {i}.pdf" for i in range(100)))
    card = cards.punkt_card(Meeting("Chefforum", dt.date(2025, 1, 8), punkter=(punkt,)), punkt)
    assert cards.card_bytes(card) <= cards.MAX_CARD_BYTES
    shown = texts(card)
    assert decision in shown
    assert "Forkortet her: Sagsfremstilling. Hele teksten står i referatet." in shown
    assert any("… og 70 bilag mere" in t for t in shown)


def test_card_bytes_counts_utf16():
    assert cards.card_bytes({"t": "æøå"}) == len('{"t": "æøå"}') * 2


def test_help_card_examples_are_buttons():
    card = cards.help_card()
    all_cards_are_1_5(card)
    assert [b["data"] for b in actions(card)] == [{"command": "spørg", "text": e}
                                                  for e in cards.HELP_EXAMPLES]
    assert texts(cards.help_card(greeting=True))[0] == "Hej! Jeg er referatbotten"


def test_the_question_words_are_bold_in_the_text_and_the_card_and_nowhere_else():
    cited = dataclasses.replace(TELEFON, highlights=("besluttede", "implementeres"))
    other = dataclasses.replace(SYGEFRAVAER, highlights=("sygefraværet",))
    answer = Answer("hvad besluttede CF?", True, cited.snippet, (cited, other))
    assert cited_text(answer).startswith(
        "Chefforum **besluttede**, at Økonomiudvalgets beslutning fra april 2017 skal "
        "**implementeres** i hele organisationen. [1]")
    assert "Beslutning: Chefforum gennemgik **sygefraværet**." in texts(cards.answer_card(answer))
    assert answer.to_json()["citations"][0]["snippet"] == TELEFON.snippet  # JSON stays plain


def test_an_unsure_answer_cites_the_punkt_it_quotes_as_an_answer_does():
    """Unsure (answered false, confidence low): the nearest punkt as the source, its
    snippet, "Vis hele punktet", and no "Intet svar" heading."""
    text = f"Jeg er ikke sikker på, at referaterne svarer på det. Nærmest er Chefforum " \
           f"24.04.2024, punkt 7: «Chefforum besluttede, at Økonomiudvalgets beslutning»"
    answer = Answer("hvornår kan man ringe?", False, text, (TELEFON,), suggestions=(TELEFON,),
                    confidence="low")
    card = cards.answer_card(answer)
    shown = texts(card)
    assert TELEFON_SOURCE in shown and f"Beslutning: {TELEFON.snippet}" in shown
    assert "Vis hele punktet" in [a["title"] for a in actions(card)]
    assert "Intet svar i referaterne" not in shown
    refused = dataclasses.replace(answer, citations=(), confidence="none")
    assert texts(cards.answer_card(refused))[0] == "Intet svar i referaterne"


def test_the_question_words_are_bold_inside_the_quote_of_a_led_answer():
    cited = dataclasses.replace(TELEFON, highlights=("besluttede",))
    answer = Answer("hvad besluttede CF?", True,
                    f"Chefforum besluttede 24. april 2024 (punkt 7): «{cited.snippet}»", (cited,))
    assert cited_text(answer) == ("Chefforum besluttede 24. april 2024 (punkt 7): «Chefforum "
                                  "**besluttede**, at Økonomiudvalgets beslutning fra april "
                                  "2017 skal implementeres i hele organisationen.» [1]")
    assert TELEFON.snippet not in texts(cards.answer_card(answer))  # the text quotes it


def test_an_english_refusal_gets_english_labels():
    answer = Answer("what about rockets?", False, "I found nothing in the minutes that answers "
                    "the question.", suggestions=(TELEFON,), lang="en")
    shown = texts(cards.answer_card(answer))
    assert shown[0] == "No answer in the minutes" and "Perhaps one of these items:" in shown


def every_action(card: dict) -> list[tuple[dict, str]]:
    """Every action on a card with where it sits: 'ActionSet' or 'selectAction'."""
    found = []

    def walk(node, where=""):
        if isinstance(node, dict):
            if node.get("type", "").startswith("Action."):
                found.append((node, where))
                return
            for key, value in node.items():
                walk(value, "selectAction" if key == "selectAction" else
                     node.get("type") if key == "actions" else where)
        elif isinstance(node, list):
            for item in node:
                walk(item, where)

    walk(card)
    return found


def test_buttons_that_show_the_minutes_update_in_place_with_a_submit_fallback(sample_meetings):
    """Action.Execute (card version 1.4 and up) with an Action.Submit of the same title
    and data as its fallback, in an ActionSet or as a selectAction (older Teams clients
    honour a fallback only inside an ActionSet); questions and votes stay Action.Submit."""
    meeting = next(m for m in sample_meetings if m.meeting_date == dt.date(2024, 4, 24))
    decision = NewDecision(1, meeting.forum, meeting.meeting_date, meeting.punkt(7))
    shown = [cards.answer_card(Answer("hvad besluttede CF?", True, TELEFON.snippet,
                                      (TELEFON, SYGEFRAVAER))),
             cards.answer_card(Answer("?", False, "Intet.", suggestions=(TELEFON,))),
             cards.meeting_card(meeting), cards.punkt_card(meeting, meeting.punkt(7)),
             cards.no_meeting_card(dt.date(2020, 1, 1), [dt.date(2019, 1, 17)]),
             cards.no_punkt_card(meeting, 42), cards.digest_card([decision]),
             cards.case_path_card([CaseStep(meeting.forum, meeting.meeting_date,
                                            meeting.punkt(7))])]
    kinds = {}
    for card in shown:
        assert float(card["version"]) >= 1.4
        assert "actions" not in card  # every button in the body's ActionSet
        for action, where in every_action(card):
            assert where in ("ActionSet", "selectAction"), action
            command = action["data"]["command"]
            kinds.setdefault(command, set()).add(action["type"])
            if action["type"] == "Action.Execute":
                assert action["fallback"] == {"type": "Action.Submit", "title": action["title"],
                                              "data": action["data"]}
                assert action["verb"] == command
    assert kinds == {"punkt": {"Action.Execute"}, "møde": {"Action.Execute"},
                     "feedback": {"Action.Submit"}}
    assert {a["type"] for a, _ in every_action(cards.help_card())} == {"Action.Submit"}


def test_a_punkt_card_pages_through_the_open_punkter(sample_meetings):
    meeting = next(m for m in sample_meetings if m.meeting_date == dt.date(2019, 3, 14))
    assert meeting.punkt(5).closed

    def titles(number: int) -> list[str]:
        return [b["title"] for b in actions(cards.punkt_card(meeting, meeting.punkt(number)))]

    first, last = meeting.open_punkter[0].number, meeting.open_punkter[-1].number
    assert titles(first) == ["Vis hele mødet", f"Punkt {first + 1} ›"]
    assert titles(4) == ["‹ Punkt 3", "Vis hele mødet", "Punkt 6 ›"]
    assert titles(5) == ["‹ Punkt 4", "Vis hele mødet", "Punkt 6 ›"]  # `punkt 14-03-2019 5`
    assert titles(last) == [f"‹ Punkt {last - 1}", "Vis hele mødet"]


def test_a_shared_punkt_has_its_decision_and_how_to_see_the_rest(sample_meetings):
    meeting = next(m for m in sample_meetings if m.meeting_date == dt.date(2024, 4, 24))
    card = cards.shared_punkt_card(meeting.forum, meeting.meeting_date, meeting.punkt(7))
    all_cards_are_1_5(card)
    assert every_action(card) == []
    shown = texts(card)
    assert shown[:3] == ["Chefforum 24.04.2024 · punkt 7", "Rådhusets telefontider",
                         "Sag 83.02.00-A00-1-23"]
    assert shown[3] == f"**Beslutning:** {meeting.punkt(7).decision}"
    assert shown[4] == "Hele punktet: skriv punkt 24-04-2024 7 til referatbot."
    long = Punkt(3, "Budget", sections={"Beslutning": words(2000)})
    shown = texts(cards.shared_punkt_card("Chefforum", dt.date(2025, 1, 8), long))
    assert shown[2].endswith("…") and len(shown[2]) <= len("**Beslutning:** ") + 1500
    assert shown[-1] == "Hele punktet: skriv punkt 08-01-2025 3 til referatbot."
    bare = Punkt(4, "Orientering", sections={"Beslutning": "Taget til efterretning."})
    assert texts(cards.shared_punkt_card("Chefforum", dt.date(2025, 1, 8), bare))[-1] == \
        "**Beslutning:** Taget til efterretning."

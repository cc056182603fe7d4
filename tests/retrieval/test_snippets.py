"""Snippets: the sentences of the cited punkt that answer, at most about 400 characters,
cut at sentence boundaries (or, inside one overlong sentence, at a word boundary with
"…"), never mid-word, abbreviations kept whole, a decision question quoted from
Beslutning; and a second place of the punkt after " … " when it weighs nearly as much.
The answer text is the minutes' own words."""
from __future__ import annotations

import re

import pytest

from ingest.chunk import split_sentences
from ingest.model import DECISION, Punkt
from retrieval.query import understand
from retrieval.search import resolve
from retrieval.snippet import GAP, best_snippet, weigh
from retrieval.tuning import TUNING

from question_files import load_jsonl

CUT_PUNCTUATION = ",;:-–"
MAX_CHARS, LIST_CHARS, DECISION_CHARS = TUNING.max_chars, TUNING.list_chars, TUNING.decision_chars
TWO_PLACES_CHARS = TUNING.two_places_chars


def assert_quote(snippet: str, punkt: Punkt, section: str) -> None:
    """A quote is one place of `section` cut cleanly (assert_clean_cut), or that and,
    after GAP, a whole sentence from elsewhere in the punkt, within TWO_PLACES_CHARS."""
    first, gap, second = snippet.partition(GAP)
    assert_clean_cut(first, punkt.sections[section])
    if gap:
        assert len(snippet) <= TWO_PLACES_CHARS, (len(snippet), snippet)
        assert second in {s for text in punkt.sections.values() for s in split_sentences(text)}
        assert second not in first


def assert_clean_cut(snippet: str, section_text: str, max_chars: int = MAX_CHARS) -> None:
    """The snippet is sentences of its section in their order (a list item on a line of
    its own, a list's lead sentence before its items), the last one possibly cut at a word
    boundary and marked with an ellipsis; at most `max_chars` long, or LIST_CHARS for a
    list, or DECISION_CHARS for a whole Beslutning."""
    whole = " ".join(snippet.split()) == " ".join(section_text.split())
    limit = DECISION_CHARS if whole else (
        LIST_CHARS if "\n" in snippet else max_chars)
    assert snippet and len(snippet) <= limit, (len(snippet), snippet)
    sentences = split_sentences(section_text)
    rest = " ".join(snippet.split())
    cut = rest.endswith("…")
    body = rest[:-1] if cut else rest
    for sentence in sentences:
        if not body:
            break
        if body.startswith(sentence):
            body = body[len(sentence):].lstrip()
        elif cut and sentence.startswith(body):
            tail = sentence[len(body):]
            assert body[-1] not in CUT_PUNCTUATION and not body[-1].isspace()
            assert re.match(rf"^[{CUT_PUNCTUATION}]*(\s|$)", tail), f"cut mid-word: {body[-20:]!r}"
            body = ""
    assert not body, f"not sentences of the section in order: {snippet!r}"


# --- sentence splitting ---------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("De nye boliger skal ses i relation til de nuværende ca. 100 boliger i landsbyen. "
     "Chefforum tog orienteringen til efterretning.",
     ["De nye boliger skal ses i relation til de nuværende ca. 100 boliger i landsbyen.",
      "Chefforum tog orienteringen til efterretning."]),
    ("Udgiften er ca. 2 mio. kr. årligt. Der er behov for at drøfte rammerne.",
     ["Udgiften er ca. 2 mio. kr. årligt.", "Der er behov for at drøfte rammerne."]),
    ("Vi bruger bl.a. KL's værktøj. Det giver overblik.",
     ["Vi bruger bl.a. KL's værktøj.", "Det giver overblik."]),
    ("Mødet holdes kl. 9.30 jf. Bilag 2. Alle deltager.",
     ["Mødet holdes kl. 9.30 jf. Bilag 2.", "Alle deltager."]),
    ("Oplæg ved Marie A. Jensen fra HR. Spørgsmål til sidst.",
     ["Oplæg ved Marie A. Jensen fra HR.", "Spørgsmål til sidst."]),
    ("Fokus har været på:\n\n- Stabil og sikker drift\n- Høj opetid",
     ["Fokus har været på:", "- Stabil og sikker drift", "- Høj opetid"]),
    ("Er det rigtigt? Ja! Det   er\tdet.", ["Er det rigtigt?", "Ja!", "Det er det."]),
])
def test_split_sentences(text, expected):
    assert split_sentences(text) == expected


def test_abbreviations_in_the_real_minutes_do_not_end_sentences(corpus):
    landsby = split_sentences(corpus.punkt("2019-03-14", 4).decision)
    assert any("de nuværende ca. 100 boliger i landsbyen" in s and s.startswith("De 38 nye")
               for s in landsby)
    anlaeg = split_sentences(corpus.punkt("2023-03-15", 4).sections["Sagsfremstilling"])
    assert any("ca. 480 mio. kr. og selv med evt. udskydelse" in s for s in anlaeg)
    assert any("over 1 mia. kr., hvilket er over dobbelt så stort" in s for s in anlaeg)


# --- snippets of real answers -----------------------------------------------------------

QUESTIONS = [q["question"] for q in load_jsonl("dev_questions.jsonl")] + [
    q["question"] for q in load_jsonl("unseen_questions.jsonl")]


def test_every_cited_snippet_is_short_and_cut_cleanly(corpus, ask):
    checked = 0
    for question in QUESTIONS:
        answer = ask(question)
        for c in answer.citations + answer.suggestions:
            punkt = corpus.punkt(c.meeting_date, c.punkt)
            if c.section:
                assert_quote(c.snippet, punkt, c.section)
            else:
                assert c.snippet == punkt.title
            checked += 1
    assert checked >= 60


def test_the_answer_text_quotes_the_first_snippet(ask):
    for question in QUESTIONS:
        answer = ask(question)
        if answer.answered and answer.meeting is None:
            assert answer.answer.endswith(f"«{answer.citations[0].snippet}»")


@pytest.mark.parametrize("question, day, number, quote", [
    ("hvad besluttede CF om telefontider?", "2024-04-24", 7,
     "Økonomiudvalgets beslutning fra april 2017 skal implementeres"),
    ("hvad besluttede CF om Plan MED?", "2024-04-24", 3,
     "Plan MED skal drøftes i samtlige afdelingsMED og arbejdspladsMED"),
    ("hvad blev der besluttet om den interne genbrugsbørs?", "2024-04-24", 8,
     "arbejdes videre med model 1"),
])
def test_a_decision_question_quotes_the_beslutning(ask, question, day, number, quote):
    answer = ask(question)
    top = answer.citations[0]
    assert (top.meeting_date.isoformat(), top.punkt) == (day, number)
    assert top.section == DECISION
    assert quote in top.snippet


def test_a_fact_question_quotes_the_section_that_holds_the_fact(ask):
    top = ask("hvor meget løntilskud i timen får arbejdspladsen fra jobcentret?").citations[0]
    assert (top.meeting_date.isoformat(), top.punkt) == ("2023-03-15", 6)
    assert top.section == "Økonomi"
    assert "166,54 i timen" in top.snippet


def test_snippet_of_a_punkt_with_a_beslutning_prefers_it_for_decisions(corpus, snippet):
    punkt = corpus.punkt("2023-03-15", 7)
    assert snippet(punkt, "sygefravær handleplaner", decision=True).section == DECISION


# --- cutting overlong text ----------------------------------------------------------------

@pytest.mark.parametrize("max_chars", [60, 120, 200, MAX_CHARS])
def test_an_overlong_sentence_is_cut_at_a_word_with_an_ellipsis(corpus, snippet, max_chars):
    # "Roller og ansvar ved digitale løsninger" has a 512-character sentence on governance
    punkt = corpus.punkt("2023-03-15", 2)
    text = punkt.sections["Sagsfremstilling"]
    longest = max(split_sentences(text), key=len)
    assert len(longest) > MAX_CHARS and "IT-Projektråd" in longest
    snip = snippet(punkt, "governance IT-Projektråd ITP Strategisk IT SIT", decision=False,
                   max_chars=max_chars)
    assert snip.section == "Sagsfremstilling"
    assert snip.text.endswith("…") and longest.startswith(snip.text[:-1])
    assert_clean_cut(snip.text, text, max_chars)


def test_a_single_sentence_longer_than_400_characters(snippet):
    words = ("Udvalget drøftede den langsigtede vedligeholdelsesplanlægning for samtlige "
             "kommunale bygninger og institutioner").split()
    sentence = " ".join(words * 12) + "."
    assert len(sentence) > 2 * MAX_CHARS
    punkt = Punkt(1, "Vedligeholdelse", sections={"Beslutning": sentence})
    snip = snippet(punkt, "vedligeholdelsesplanlægning", decision=True)
    assert len(snip.text) <= MAX_CHARS and snip.text.endswith("…")
    assert_clean_cut(snip.text, sentence)
    last_word = snip.text[:-1].split()[-1]
    assert last_word in words


def test_short_sentences_are_joined_up_to_three_and_never_past_the_limit(snippet):
    sentences = [f"Sætning nummer {i} om budgetopfølgning." for i in range(1, 30)]
    punkt = Punkt(1, "Budget", sections={"Sagsfremstilling": " ".join(sentences)})
    snip = snippet(punkt, "budgetopfølgning", decision=False)
    # every sentence weighs the same: the first three, and the first one not next to them
    # as the second place
    assert snip.text == " ".join(sentences[:3]) + GAP + sentences[4]
    assert_quote(snip.text, punkt, "Sagsfremstilling")


# --- an answer in two places ------------------------------------------------------------

MOBILE = Punkt(4, "Ny mobilaftale", sections={
    "Sagsfremstilling": "Statens Indkøb har udbudt en ny mobilaftale for kommunerne. "
                        "Leverandøren på den nye mobilaftale er TDC. "
                        "Udskiftningen af telefoner sker i løbet af foråret. "
                        "Afdelingerne får besked om tidsplanen i marts. "
                        "Kontaktpersonerne undervises i de nye arbejdsgange. "
                        "Priserne på de nye telefoner stiger ikke i aftalens løbetid.",
    "Beslutning": "Chefforum tog orienteringen til efterretning."})


def quote_weighed(corpus, punkt: Punkt, question: str, cosines: dict[int, float]) -> str:
    """The punkt's quote with its sentences' cosines to the question given, as the index's
    sentence vectors would give them (by place in `sentences(punkt)`)."""
    query = understand(question)
    concepts = resolve(query, corpus.index.lexical)
    evidence = weigh(punkt, concepts, answer_type=query.answer_type, asked=frozenset(),
                     similarity=cosines)
    return best_snippet(punkt, concepts, evidence, decision=False,
                        answer_type=query.answer_type).text


def test_an_answer_in_two_places_is_quoted_from_both(corpus):
    # the supplier (place 1) and the prices (place 5) are both what was asked
    text = quote_weighed(corpus, MOBILE, "hvem er leverandør på mobilaftalen, og stiger priserne?",
                         {0: 0.80, 1: 0.86, 2: 0.78, 3: 0.76, 4: 0.77, 5: 0.85, 6: 0.74})
    assert "TDC" in text and "Priserne på de nye telefoner stiger ikke" in text
    assert GAP in text
    assert_quote(text, MOBILE, "Sagsfremstilling")


def test_a_place_that_weighs_far_less_is_left_out(corpus):
    text = quote_weighed(corpus, MOBILE, "hvem er leverandør på mobilaftalen, og stiger priserne?",
                         {0: 0.80, 1: 0.86, 2: 0.78, 3: 0.76, 4: 0.77, 5: 0.74, 6: 0.74})
    assert "TDC" in text and GAP not in text


def test_words_alone_leave_out_a_place_with_only_a_common_word(snippet):
    # while the model loads: the prices sentence shares only "nye" and a part of
    # "mobilaftale" with the question
    snip = snippet(MOBILE, "hvem er leverandør på den nye mobilaftale fra Statens Indkøb?",
                   decision=False)
    assert "TDC" in snip.text and GAP not in snip.text


def test_a_decision_is_quoted_from_beslutning_alone(snippet):
    # a Beslutning too long to quote whole: its best sentence, and no second place outside it
    filler = " ".join(f"Afdeling {i} melder tilbage om telefonerne inden fristen." for i in range(20))
    punkt = Punkt(4, "Ny mobilaftale", sections={
        "Sagsfremstilling": MOBILE.sections["Sagsfremstilling"],
        "Beslutning": "Chefforum besluttede at tiltræde mobilaftalen med TDC. " + filler})
    assert len(punkt.sections["Beslutning"]) > DECISION_CHARS
    snip = snippet(punkt, "hvad besluttede chefforum om mobilaftalen og priserne?",
                   decision=True)
    assert snip.section == DECISION and "tiltræde mobilaftalen" in snip.text
    beslutning = split_sentences(punkt.sections[DECISION])
    assert all(part in " ".join(beslutning) for part in snip.text.split(GAP))


def test_a_punkt_without_sections_is_quoted_by_its_title(corpus, snippet):
    evt = corpus.punkt("2019-01-17", 10)
    assert evt.sections == {}
    snip = snippet(evt, "evt", decision=False)
    assert (snip.section, snip.text) == ("", evt.title)

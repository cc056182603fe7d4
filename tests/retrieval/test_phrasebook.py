"""The one phrasebook: everything the bot and the answerer say themselves, each sentence
once per language, English filled in key by key over the Danish."""
from __future__ import annotations

import string

from retrieval.phrasebook import ASKED, DA, EN, say


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_each_text_is_written_once():
    """Two keys are two things to say; English may word two of them alike ("There are no
    minutes from May 2019" for no meeting then, and for nothing in that month)."""
    seen: dict[str, str] = {}
    for key, text in DA.items():
        assert text not in seen, f"{key!r} repeats {seen.get(text)!r}: {text!r}"
        seen[text] = key


def test_english_fills_danish_keys_with_the_same_fields():
    assert set(EN) <= set(DA), set(EN) - set(DA)
    for key, text in EN.items():
        assert fields(text) == fields(DA[key]), key


def test_a_key_english_lacks_is_said_in_danish():
    assert "help_dates" not in EN
    assert say("help_dates", "en") == DA["help_dates"]
    assert say("no_meeting", "en", period="May 2019") == "There are no minutes from May 2019."


def test_every_asked_answer_type_has_its_words():
    for key in ASKED.values():
        assert DA[key] and EN[key]


def test_a_terminal_answer_labels_its_sources_in_the_questions_language(ask):
    from bot.cli import format_answer

    danish = format_answer(ask("hvad besluttede CF om telefontider?")).splitlines()
    english = format_answer(ask("what did CF decide about the climate campaign?")).splitlines()
    assert "Kilder:" in danish and "Sources:" not in danish
    assert "Sources:" in english and "Kilder:" not in english

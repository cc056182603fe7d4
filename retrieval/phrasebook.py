"""Everything referatbot says in its own words, once, one table per language: the bot's
replies, the labels and notes on its cards, the digest's headings, and the answerer's
sentences around what it quotes. The minutes' own words (answers, titles, decisions) come
from the catalog, never from here.

It sits in retrieval, below the bot (`bot -> retrieval -> ingest`), so the bot and the
answerer read the same table. Look a text up with `say(key, lang, **fields)`; Danish is
the bot's language and the fallback for a key the English table lacks, so English can be
filled in key by key.
"""
from __future__ import annotations

from retrieval.answer_types import AnswerType

#: The example question every "write a question" reply offers.
_ASK_DA = "Skriv et spørgsmål, fx: hvad besluttede CF om telefontider?"

DA = {
    # --- conversation ------------------------------------------------------------------
    "wait": "Et øjeblik – jeg leder i referaterne …",
    #: Teams' progress bar in a personal chat while a question is answered
    "looking": "Jeg leder i referaterne …",
    "loading": ("Jeg er ved at gøre referaterne klar og kan ikke svare på spørgsmål lige nu. "
                "Prøv igen om et øjeblik. Imens virker møde, seneste og punkt."),
    "unavailable": "Søgningen er midlertidigt utilgængelig – prøv igen om lidt.",
    "empty_chat": _ASK_DA + " Skriv hjælp for at se, hvad jeg ellers kan.",
    "sorry": "Beklager, noget gik galt hos mig. Prøv igen, eller skriv hjælp.",
    "search_loading": "Jeg er ved at gøre referaterne klar. Søg igen om et øjeblik.",
    "no_matches": "Intet punkt i referaterne matcher »{words}«.",
    "no_decisions": "Der er endnu ingen beslutninger i referaterne.",
    "bad_button": "Den knap forstod jeg ikke. Skriv hjælp for at se, hvad jeg kan.",
    "bad_feedback": "Den feedback kunne jeg ikke læse.",
    "thanks_up": "Tak for din feedback! 👍",
    "thanks_down": "Tak for din feedback. Den hjælper med at gøre svarene bedre.",
    "subscribe_local": ("Det daglige overblik kan kun bestilles og afmeldes i Teams, ikke på "
                        "den lokale side."),
    "subscribed": ("Så er det på plads: her kommer et overblik over nye beslutninger {when}, "
                   "når der er nye referater. Samtalen følger nu: {what}. "
                   "Skriv afmeld for at stoppe det."),
    "already_subscribed": ("Denne samtale får allerede det overblik. Den følger: {what}. "
                           "Skriv afmeld for at stoppe det."),
    "unsubscribed": ("Det daglige overblik er stoppet for denne samtale. "
                     "Skriv abonner for at få det igen."),
    "unsubscribed_some": ("Samtalen følger ikke længere {ended}. Den følger stadig: {what}. "
                          "Skriv afmeld for at stoppe det helt."),
    "not_following": ("Samtalen følger ikke {ended}, så det er der intet at afmelde. "
                      "Den følger: {what}."),
    "not_subscribed": ("Denne samtale får ikke det daglige overblik, så der er intet at afmelde. "
                       "Skriv abonner for at få det."),
    "topic_without_words": ("«{topic}» siger ikke, hvilket emne overblikket skal handle om. "
                            "Skriv fx: abonner parkering eller abonner byrådet parkering."),
    "topic_unknown": (" Referaterne nævner endnu ikke «{topic}»: overblikket tager det med, "
                      "når et nyt referat gør."),
    "every_forum": "alle fora",
    "about_topic": "{forum} om «{topic}»",
    "digest_when": "{days} kl. {time}",
    "weekdays": "på hverdage",
    "every_day": "hver dag",
    # --- commands ------------------------------------------------------------------------
    "date_formats": "24-04-2024, 24.04.2024, 2024-04-24 eller 24. april 2024",
    "which_date": "Skriv hvilken dato, fx: møde 24-04-2024 (datoen som {formats}).",
    "punkt_usage": "Skriv dato og nummer, fx: punkt 24-04-2024 7.",
    "case_usage": "Skriv sagsnummeret, fx: sag 83.02.00-A00-1-23 eller sag EMN-2025-003383.",
    "no_case": "Intet punkt i referaterne har sagsnummer {case}.",
    "bad_date": "Jeg kan ikke læse '{text}' som en dato. Skriv den som {formats}.",
    # --- cards ---------------------------------------------------------------------------
    "answer": "Svar",
    "sources": "Kilder",
    "show_punkt": "Vis hele punktet",
    "show_meeting": "Vis hele mødet",
    "open_referat": "Åbn referatet",
    "see_also": "Se også:",
    "show_punkt_number": "Vis punkt {number}",
    "previous_punkt": "‹ Punkt {number}",
    "next_punkt": "Punkt {number} ›",
    "meeting_button": "Møde {day}",
    "quoted_from": "Svaret er citeret fra {section}.",
    "lexical_only": ("Fundet på ordene alene: sprogmodellen er ikke indlæst endnu, så svaret "
                     "kan være mindre præcist end ellers."),
    "vote_up": "👍 Brugbart",
    "vote_down": "👎 Ikke brugbart",
    "no_answer": "Intet svar i referaterne",
    "try_help": "Skriv **hjælp** for at se, hvad jeg kan.",
    "suggestion": "{title} ({day}, punkt {number})",
    "source_punkt": "punkt {number}",
    "source_case": "sag {case}",
    "at_time": "kl. {time}",
    "at_place": "mødested {place}",
    "closed_line": "Punkt {number}: Lukket punkt",
    "punkt_line": "Punkt {number}: {title}",
    "no_decision": "Ingen beslutning i referatet.",
    "more_punkter": "… og {n} punkter mere. Skriv punkt {day} NR for at se et af dem.",
    "decisions_shortened": "Beslutningerne er forkortet. Vælg et punkt for at se det hele.",
    "punkt_head": "{forum} {day} · punkt {number}",
    "closed_punkt": "Punktet er lukket og vises ikke.",
    "case": "Sag {case}",
    "bilag": "Bilag",
    "more_bilag": "… og {n} bilag mere",
    "shortened_here": "Forkortet her: {sections}. Hele teksten står i referatet.",
    "whole_punkt_by_command": "Hele punktet: skriv punkt {day} {number} til referatbot.",
    "greeting": "Hej! Jeg er referatbotten",
    "how_to": "Sådan bruger du mig",
    "intro": ("Jeg kender referaterne fra Chefforum (CF). Spørg mig om, hvad CF har "
              "besluttet, så svarer jeg med beslutningen og det møde og punkt, den står i."),
    "help_dates": ("Datoer kan skrives som 24-04-2024, 24.04.2024, 2024-04-24 eller "
                   "24. april 2024. Engelsk virker også (help, meeting, latest, item, case)."),
    "try": "Prøv fx:",
    "no_meeting_on": "Der er intet referat fra et møde d. {day}.",
    "no_forum_meeting_on": "Der er intet referat fra et møde i {forum} d. {day}.",
    "forums_on": "Flere fora holdt møde d. {day}. Hvilket møde vil du se?",
    "no_forum": "»{text}« er ikke navnet på et forum. Fora i referaterne: {forums}.",
    "several_forums": "»{text}« passer på flere fora: {forums}. Skriv ét af dem.",
    "forums_title": "Fora i referaterne",
    "forum_meetings": "{n} møder, {first}–{last}",
    "forum_meeting": "1 møde, {first}",
    "nearest_meetings": "De nærmeste møder er:",
    "no_punkt": "Mødet d. {day} har ikke noget punkt {number}. Det har punkterne {span}.",
    "no_punkter": "ingen",
    "case_path_steps": "Behandlet i {n} punkter, ældste først:",
    "case_path_step": "Behandlet i 1 punkt:",
    "case_path_older": "… og {n} ældre punkter. Det ældste er {head}.",
    "case_history": "Sådan er sagen »{title}« (sag {case}) gået gennem referaterne:",
    # --- digest --------------------------------------------------------------------------
    "digest_title": "Nye beslutninger",
    "following": "Samtalen følger: {what}",
    "digest_meeting": "Mødet {day}",
    "more_decisions": ("… og {n} beslutninger mere. "
                       "Skriv `seneste` eller `møde <dato>` for at se dem."),
    # --- the answerer ----------------------------------------------------------------------
    "empty": _ASK_DA,
    "no_topic": ("Spørgsmålet nævner ikke noget emne. "
                 "Prøv fx: hvad besluttede CF om telefontider?"),
    "empty_catalog": "Der er endnu ingen referater.",
    "no_meeting": "Der er intet referat fra {period}.",
    "nearest": " Nærmeste møder: {dates}.",
    "nothing_in_period": "Der er ingen referater fra {period}.",
    "nothing": "Jeg fandt intet i referaterne om det.",
    "not_found": "Jeg fandt ikke noget i referaterne, der svarer på spørgsmålet.",
    "future": ("Referaterne fortæller kun om afholdte møder, ikke hvornår det næste holdes. "
               "Det seneste referat er fra {day}."),
    "meeting": "{forum} d. {day} behandlede {n} punkter: {titles}.",
    "also_met": " Samme dag holdt {forums} også møde.",
    "and": " og ",
    "meeting_agenda": ("Dagsordenen for {forum} d. {day} har {n} punkter: {titles}. "
                       "Referatet med beslutningerne er ikke kommet endnu."),
    "on_agenda": ("Punktet står på dagsordenen for {forum} d. {day} (punkt {n}) og er endnu "
                  "ikke besluttet. Fra dagsordenen: «{quote}»"),
    # an answer leads with what was asked, and where; the quote follows
    "decided": "{forum} besluttede {day} (punkt {n}): «{quote}»",
    "dated": "{day}, {forum} (punkt {n}): «{quote}»",
    "amount": "{amount} – {forum} {day} (punkt {n}): «{quote}»",
    "quoted": "{forum} {day} (punkt {n}): «{quote}»",
    "unsure": "Jeg er ikke sikker på, at referaterne svarer på det.",
    "missing": " Punktet om emnet nævner ikke {what}.",
    "nearest_punkt": " Nærmest er {forum} {day}, punkt {n}: «{quote}»",
    "meeting_of": "Punkterne blev behandlet på samme møde. ",
    "maybe": "Måske et af disse punkter:",
    # what an answer type asks for, in "missing" (ASKED)
    "asked_amount": "noget beløb",
    "asked_number": "noget tal",
    "asked_date": "nogen dato eller noget tidspunkt",
    "asked_person": "nogen person eller rolle",
}

#: English where an English question gets it: the answerer's sentences and the card around
#: its answer; the rest falls back to Danish.
EN = {
    "empty": "Write a question, e.g.: what did CF decide about phone hours?",
    "no_topic": "The question names no topic. Try e.g.: what did CF decide about phone hours?",
    "empty_catalog": "There are no minutes yet.",
    "no_meeting": "There are no minutes from {period}.",
    "nearest": " Nearest meetings: {dates}.",
    "nothing_in_period": "There are no minutes from {period}.",
    "nothing": "I found nothing about that in the minutes.",
    "not_found": "I found nothing in the minutes that answers the question.",
    "future": ("The minutes tell only of meetings held, not when the next one is. "
               "The latest minutes are from {day}."),
    "meeting": "{forum} on {day} dealt with {n} items: {titles}.",
    "also_met": " {forums} also met that day.",
    "and": " and ",
    "meeting_agenda": ("The agenda of {forum} on {day} has {n} items: {titles}. "
                       "The minutes with the decisions have not come yet."),
    "on_agenda": ("The item is on the agenda of {forum} on {day} (item {n}) and has not been "
                  "decided yet. From the agenda: «{quote}»"),
    "decided": "{forum} decided on {day} (item {n}): «{quote}»",
    "dated": "{day}, {forum} (item {n}): «{quote}»",
    "amount": "{amount} – {forum} {day} (item {n}): «{quote}»",
    "quoted": "{forum} {day} (item {n}): «{quote}»",
    "unsure": "I am not sure that the minutes answer that.",
    "missing": " The item on the topic does not state {what}.",
    "nearest_punkt": " Nearest is {forum} {day}, item {n}: «{quote}»",
    "meeting_of": "The items were dealt with at the same meeting. ",
    "maybe": "Perhaps one of these items:",
    "asked_amount": "an amount",
    "asked_number": "a number",
    "asked_date": "a date or time",
    "asked_person": "a person or role",
    "no_answer": "No answer in the minutes",
    "try_help": "Write **help** to see what I can do.",
    "case_history": "This is how the case »{title}« (case {case}) went through the minutes:",
    "see_also": "See also:",
    "sources": "Sources",
}

MESSAGES = {"da": DA, "en": EN}

#: The answer types (retrieval/answer_types.py) whose absence the answerer names, and the
#: key of their words.
ASKED = {kind: f"asked_{kind}" for kind in (AnswerType.AMOUNT, AnswerType.NUMBER, AnswerType.DATE,
                                            AnswerType.PERSON)}

#: The help card's commands and what each does, in the order shown.
HELP_FACTS = {
    "da": (
        ("spørgsmål", "hvad besluttede CF om telefontider?"),
        ("møde [FORUM] DATO", "et møde med alle punkter og beslutninger"),
        ("seneste [FORUM]", "det seneste møde (i et forum: seneste KB)"),
        ("punkt [FORUM] DATO NR", "et punkt i fuld længde"),
        ("sag NUMMER", "sagens forløb gennem fora, med hver beslutning"),
        ("fora", "fora i referaterne, med antal møder"),
        ("abonner [FORUM] [EMNE]", "et dagligt overblik over nye beslutninger her "
                                   "(kun ét forum eller emne: abonner KB parkering)"),
        ("afmeld [FORUM] [EMNE]", "stop overblikket (eller kun et forum eller emne)"),
        ("hjælp", "denne besked"),
    ),
}

#: Messages the help card offers to send with a click.
HELP_EXAMPLES = (
    "hvad besluttede CF om telefontider?",
    "hvad blev der besluttet om sygefravær i 2024?",
    "seneste",
    "møde CF 24-04-2024",
    "punkt 24-04-2024 7",
    "fora",
)


def say(key: str, lang: str = "da", **fields) -> str:
    """The text `key` in `lang` (Danish where that language lacks it), fields filled in."""
    text = MESSAGES.get(lang, DA).get(key) or DA[key]
    return text.format(**fields) if fields else text

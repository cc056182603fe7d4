"""Everything the bot says itself, in one place: the replies of the conversation, the
labels and notes on its cards, the digest's headings. The minutes' own words (answers,
titles, decisions) come from the catalog and the answerer, not from here.

One table per language, looked up by key with `say(key, lang, **fields)`; Danish is the
bot's language and the fallback for a key another table lacks, so an English table can
be filled in key by key (retrieval/wording.py does the same for the answerer's sentences).
"""
from __future__ import annotations

DA = {
    # --- conversation ------------------------------------------------------------------
    "wait": "Et øjeblik – jeg leder i referaterne …",
    #: Teams' progress bar in a personal chat while a question is answered
    "looking": "Jeg leder i referaterne …",
    "loading": ("Jeg er ved at gøre referaterne klar og kan ikke svare på spørgsmål lige nu. "
                "Prøv igen om et øjeblik. Imens virker møde, seneste og punkt."),
    "unavailable": "Søgningen er midlertidigt utilgængelig – prøv igen om lidt.",
    "empty": ("Skriv et spørgsmål, fx: hvad besluttede CF om telefontider? "
              "Skriv hjælp for at se, hvad jeg ellers kan."),
    "sorry": "Beklager, noget gik galt hos mig. Prøv igen, eller skriv hjælp.",
    "no_referater": "Der er endnu ingen referater.",
    "search_loading": "Jeg er ved at gøre referaterne klar. Søg igen om et øjeblik.",
    "no_matches": "Intet punkt i referaterne matcher »{words}«.",
    "no_decisions": "Der er endnu ingen beslutninger i referaterne.",
    "bad_button": "Den knap forstod jeg ikke. Skriv hjælp for at se, hvad jeg kan.",
    "bad_feedback": "Den feedback kunne jeg ikke læse.",
    "thanks_up": "Tak for din feedback! 👍",
    "thanks_down": "Tak for din feedback. Den hjælper med at gøre svarene bedre.",
    "subscribe_local": ("Det daglige overblik kan kun bestilles og afmeldes i Teams, ikke på "
                        "den lokale side."),
    "subscribed": ("Så er det på plads: her kommer et overblik over nye beslutninger fra "
                   "Chefforum {when}, når der er nye referater. Skriv afmeld for at stoppe det."),
    "already_subscribed": ("Denne samtale får allerede det daglige overblik. "
                           "Skriv afmeld for at stoppe det."),
    "unsubscribed": ("Det daglige overblik er stoppet for denne samtale. "
                     "Skriv abonner for at få det igen."),
    "not_subscribed": ("Denne samtale får ikke det daglige overblik, så der er intet at afmelde. "
                       "Skriv abonner for at få det."),
    "digest_when": "{days} kl. {time}",
    "weekdays": "på hverdage",
    "every_day": "hver dag",
    # --- commands ------------------------------------------------------------------------
    "date_formats": "24-04-2024, 24.04.2024, 2024-04-24 eller 24. april 2024",
    "which_date": "Skriv hvilken dato, fx: møde 24-04-2024 (datoen som {formats}).",
    "punkt_usage": "Skriv dato og nummer, fx: punkt 24-04-2024 7.",
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
    "not_found": "Intet svar i referaterne",
    "maybe": "Måske et af disse punkter:",
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
                   "24. april 2024. Engelsk virker også (help, meeting, latest, item)."),
    "try": "Prøv fx:",
    "no_meeting": "Der er intet referat fra et møde d. {day}.",
    "nearest_meetings": "De nærmeste møder er:",
    "no_punkt": "Mødet d. {day} har ikke noget punkt {number}. Det har punkterne {span}.",
    "no_punkter": "ingen",
    # --- digest --------------------------------------------------------------------------
    "digest_title": "Nye beslutninger fra Chefforum",
    "more_decisions": ("… og {n} beslutninger mere. "
                       "Skriv `seneste` eller `møde <dato>` for at se dem."),
}

#: The help card's commands and what each does, in the order shown.
HELP_FACTS = {
    "da": (
        ("spørgsmål", "hvad besluttede CF om telefontider?"),
        ("møde DATO", "et møde med alle punkter og beslutninger"),
        ("seneste", "det seneste møde"),
        ("punkt DATO NR", "et punkt i fuld længde"),
        ("abonner", "et dagligt overblik over nye beslutninger her"),
        ("afmeld", "stop det daglige overblik"),
        ("hjælp", "denne besked"),
    ),
}

#: Messages the help card offers to send with a click.
HELP_EXAMPLES = (
    "hvad besluttede CF om telefontider?",
    "hvad blev der besluttet om sygefravær i 2024?",
    "seneste",
    "møde 24-04-2024",
    "punkt 24-04-2024 7",
)

#: English where an English question gets the card around its answer; the rest falls back
#: to Danish.
EN = {
    "not_found": "No answer in the minutes",
    "maybe": "Perhaps one of these items:",
    "try_help": "Write **help** to see what I can do.",
    "see_also": "See also:",
}

MESSAGES = {"da": DA, "en": EN}


def say(key: str, lang: str = "da", **fields) -> str:
    """The text `key` in `lang` (Danish where that language lacks it), fields filled in."""
    text = MESSAGES.get(lang, DA).get(key) or DA[key]
    return text.format(**fields) if fields else text

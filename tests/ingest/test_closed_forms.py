"""A closed punkt stays closed whatever it is called and whatever the file: every form
real minutes mark a closed punkt with (closed_forms.FORMS) in .txt, .md, .docx, .pdf and
.html, read by the real reader and parser. The closed punkt is its number and "Lukket" and
nothing else, the secret words of its title and body are nowhere in the meeting, and its
neighbours keep their own text. Item headings `Punkt 5 -`, `Pkt. 5:`, `5.` and `Sag nr. 5`
head open punkter too. Then hypothesis varies the closed heading (casing, markup,
punctuation, spacing, soft hyphens, where the word stands).
"""
from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from closed_forms import CLOSED_CASE_NUMBER, FORMATS, FORMS, NEIGHBOURS, Form, referat
from ingest.parse import parse_referat
from layout_files import parse_file, words, write_format

DAY = dt.date(2025, 3, 11)
#: Invented words, so that one found in the meeting can only have come from the closed punkt.
MARKER = "Vrimlekær"
TITLE = "Pjaltrupvej"
CLOSED = {"punkt": 5, "title": "Lukket", "closed": True}


def assert_closed_and_alone(meeting: dict, form: str) -> None:
    """Punkt 5 is exactly a closed punkt, 4 and 6 are their own, and the closed punkt's
    secret words and case number are nowhere."""
    items = {item["punkt"]: item for item in meeting["items"]}
    assert sorted(items) == [4, 5, 6], form
    assert items[5] == CLOSED, form
    kept = json.dumps(meeting, ensure_ascii=False).casefold()
    for secret in (MARKER, TITLE, CLOSED_CASE_NUMBER):
        assert secret.casefold() not in kept, (form, secret)
    for neighbour in NEIGHBOURS:
        assert_open(items[neighbour.number], neighbour)


def assert_open(item: dict, neighbour) -> None:
    assert (item["title"], item["case_number"], item["closed"]) == (
        neighbour.title, neighbour.case_number, False)
    assert list(item["sections"]) == ["Sagsfremstilling", "Beslutning"]
    assert words(item["sections"]["Sagsfremstilling"]) == words(neighbour.sagsfremstilling)
    assert words(item["sections"]["Beslutning"]) == words(neighbour.beslutning)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("closed")


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.name)
def test_a_closed_punkt_is_only_its_number_and_lukket(folder, form, suffix):
    text = referat(form, day=DAY, marker=MARKER, title=TITLE)
    path = write_format(text, folder / f"{form.name}{suffix}")
    assert_closed_and_alone(parse_file(path).to_json(), form.name)


def test_a_closed_heading_closes_its_punkt_where_the_numbers_skip():
    """`4. eventuelt` is not read as a heading (a lower-case title is a list line's), so
    `5. Lukket punkt: …` does not follow on from punkt 3: a closed punkt all the same,
    whose words join no open punkt."""
    text = "\n".join([
        "REFERAT Testudvalget d. 11-03-2025", "",
        "3. Godkendelse af dagsorden", "", "Beslutning", "", "Godkendt.", "",
        "4. eventuelt", "", "Beslutning", "", "Intet.", "",
        f"5. Lukket punkt: Køb af ejendom ved {TITLE}", "", "Beslutning", "",
        f"Købet af {MARKER} blev godkendt.", "",
        "6. Rengøringsudbud for rådhuset", "", "Beslutning", "", "Godkendt.", ""])
    meeting = parse_referat(text).to_json()
    items = {item["punkt"]: item for item in meeting["items"]}
    assert sorted(items) == [3, 5, 6] and items[5] == CLOSED
    kept = json.dumps(meeting, ensure_ascii=False)
    assert MARKER not in kept and TITLE not in kept


def test_a_closed_title_printed_above_its_number_closes_the_punkt_below():
    """Some web systems print a punkt's title above its number (`Salg af areal ved … (Lukket)`
    / `Sag nr. 131`): the title line stands at the end of the punkt before. It closes the
    punkt below, and is kept in neither."""
    text = "\n".join([
        "Kommunalbestyrelsen", "Referat", "24-09-2019", "",
        "Spørgetid", "Sag nr. 129", "", "Beslutning", "", "Taget til efterretning.", "",
        f"Salg af areal ved {TITLE} (Lukket)", "Sag nr. 130", "", "Beslutning", "",
        f"Salget af {MARKER} blev godkendt.", "",
        "Orientering om vejarbejder", "Sag nr. 131", "", "Beslutning", "",
        "Taget til efterretning.", ""])
    meeting = parse_referat(text).to_json()
    items = {item["punkt"]: item for item in meeting["items"]}
    assert sorted(items) == [129, 130, 131]
    assert items[130] == dict(CLOSED, punkt=130) and not items[131]["closed"]
    kept = json.dumps(meeting, ensure_ascii=False)
    assert MARKER not in kept and TITLE not in kept


@pytest.mark.parametrize("divider_in_body", [True, False])
def test_a_contents_list_above_a_closed_link_keeps_its_items_open_and_closes_the_rest(
        divider_in_body):
    """A web page's contents list names the open punkter and ends in a link `Lukkede
    punkter` (the closed part has no entries): the listed punkter are open, and a punkt the
    list leaves out is closed, whether or not the body repeats the divider above it."""
    text = "\n".join([
        "Referat af møde i Økonomiudvalget", "Den 13.08.2019 kl. 09:30", "",
        "Indholdsfortegnelse", "- 204. Godkendelse af dagsorden",
        "- 205. Renovering af rådhusets tag", "", "Lukkede punkter", "",
        "204. Godkendelse af dagsorden", "", "Beslutning", "Godkendt.", "",
        "205. Renovering af rådhusets tag", "", "Beslutning", "Anbefales.", "",
        *(["Lukkede punkter", ""] if divider_in_body else []),
        f"206. Køb af ejendom ved {TITLE}", "", "Beslutning", f"Købet af {MARKER} godkendt.", ""])
    meeting = parse_referat(text).to_json()
    items = {item["punkt"]: item for item in meeting["items"]}
    assert [items[n]["closed"] for n in (204, 205)] == [False, False]
    assert items[205]["sections"]["Beslutning"] == "Anbefales."
    assert items[206] == dict(CLOSED, punkt=206)
    kept = json.dumps(meeting, ensure_ascii=False)
    assert MARKER not in kept and TITLE not in kept


@pytest.mark.parametrize("number", [4, 5])
@pytest.mark.parametrize("divider", ["Lukket dagsorden", "LUKKEDE DAGSORDENSPUNKTER",
                                     "Lukket møde", "Lukkede punkter", "Fortrolig del",
                                     "Ikke-offentlige punkter", "LUKKET REFERAT",
                                     "Punkter behandlet for lukkede døre"])
def test_text_after_a_closed_divider_joins_no_open_punkt(divider, number):
    """Below a divider the punkter are closed (4, which follows on), and its text is
    dropped up to the next heading read as one, also where the closed punkt's heading is
    not (5: its number skips one, and it does not mention the mark)."""
    text = "\n".join([
        "REFERAT Testudvalget d. 11-03-2025", "",
        "3. Godkendelse af dagsorden", "", "Beslutning", "", "Godkendt.", "", divider, "",
        f"{number}. Køb af ejendom ved {TITLE}", "", "Beslutning", "",
        f"Købet af {MARKER} godkendt.", ""])
    meeting = parse_referat(text).to_json()
    assert meeting["items"][0]["sections"] == {"Beslutning": "Godkendt."}
    kept = json.dumps(meeting, ensure_ascii=False)
    assert MARKER not in kept and TITLE not in kept


def test_the_link_that_opens_a_closed_punkt_joins_no_open_punkt():
    """A web page lists each punkt as a link that opens it (`- Pkt. 45 Title`) right above
    its heading: the closed punkt's link is its own, not the end of the punkt before."""
    text = "\n".join([
        "REFERAT Testudvalget d. 03-04-2019", "",
        "- Pkt. 44 Ny strategiplan for museet", "Pkt. 44", "Ny strategiplan for museet",
        "Sagsnr. 315923 Testudvalget Åbent punkt", "Beslutning", "Drøftet.", "",
        f"- Pkt. 45 Lejeaftale med {TITLE}", "Pkt. 45", f"Lejeaftale med {TITLE}",
        "Sagsnr. 320000 Testudvalget Lukket punkt", "Beslutning", f"{MARKER} godkendt.", ""])
    meeting = parse_referat(text).to_json()
    items = {item["punkt"]: item for item in meeting["items"]}
    assert items[44]["sections"]["Beslutning"] == "Drøftet." and items[45] == dict(CLOSED, punkt=45)
    kept = json.dumps(meeting, ensure_ascii=False)
    assert MARKER not in kept and TITLE not in kept


HEAD = ["REFERAT Testudvalget d. 03-10-2022", ""]
OPEN_4 = ["4. Valg af nyt medlem til valgbestyrelsen", "Beslutning", "Godkendt.", ""]
OPEN_6 = ["6. Budgetopfølgning", "Beslutning", "Taget til efterretning.", ""]
CLOSED_5 = [f"5. Køb af ejendom ved {TITLE}", "Beslutning", f"{MARKER} godkendt.", ""]
#: Where systems mark the closed punkt 5 outside its heading (the layouts they come from).
MARKED_ELSEWHERE = {
    # Frederiksberg's pages: each punkt's status at its end, in English
    "status-efter-punktet": [*HEAD, *OPEN_4, "open", "", *CLOSED_5, "closed", "", *OPEN_6, "open"],
    # Næstved's print: the contents list alone marks it, by title, one entry short
    "indholdsfortegnelse-efter-titel": [
        *HEAD, "Indholdsfortegnelse", "Valg af nyt medlem til valgbestyrelsen..... 3",
        f"Closed: Køb af ejendom ved {TITLE}..... 4", "", *OPEN_4, *CLOSED_5, *OPEN_6],
    # Næstved 2008: the divider and the first closed entry on one line of the contents
    "skillelinje-i-indholdsfortegnelsen": [
        *HEAD, "Indholdsfortegnelse", "4. Valg af nyt medlem til valgbestyrelsen..... 3",
        f"Punkter på lukket møde: 5. Køb af ejendom ved {TITLE}..... 4", "",
        *OPEN_4, *CLOSED_5, *OPEN_6],
    # a divider that names what it divides (Næstved 2013)
    "punkter-paa-lukket-dagsorden": [*HEAD, *OPEN_4, "Punkter på lukket dagsorden:", "",
                                     *CLOSED_5, "Punkter på åben dagsorden:", "", *OPEN_6],
    # a field under the heading, and Aarhus' sentence that gives the law's reason
    "felt-offentlig-nej": [*HEAD, *OPEN_4, CLOSED_5[0], "Offentlig: Nej", *CLOSED_5[1:],
                           *OPEN_6],
    "sagen-er-lukket-da": [*HEAD, *OPEN_4, CLOSED_5[0], "Sagsfremstilling",
                           "Sagen er lukket, da den vedrører salg af fast ejendom.",
                           *CLOSED_5[1:], *OPEN_6],
    # a web page's contents list as links, the mark in the list alone (Næstved's pages)
    "linket-indholdsfortegnelse": [
        *HEAD, "- 4. Valg af nyt medlem til valgbestyrelsen",
        f"- 5. Lukket punkt: Køb af ejendom ved {TITLE}", "- 6. Budgetopfølgning", "",
        *OPEN_4, *CLOSED_5, *OPEN_6],
}


@pytest.mark.parametrize("name", MARKED_ELSEWHERE)
def test_a_punkt_marked_closed_outside_its_heading_is_closed(name):
    meeting = parse_referat("\n".join(MARKED_ELSEWHERE[name])).to_json()
    items = {item["punkt"]: item for item in meeting["items"]}
    assert items[5] == dict(CLOSED) and sorted(items) == [4, 5, 6], name
    assert items[4]["sections"]["Beslutning"] == "Godkendt." and not items[6]["closed"]
    kept = json.dumps(meeting, ensure_ascii=False)
    assert MARKER not in kept and TITLE not in kept


@pytest.mark.parametrize("field", ["Status: Lukket", "Åben/Lukket: Lukket", "Offentlig: Nej",
                                   "Åbent punkt: Nej"])
def test_a_closed_field_printed_after_the_punkt_closes_it(field):
    """A field printed after the punkt's decision, where open punkter print none: it closes
    its punkt, and the one below it as well (which of the two it belongs to cannot be
    told, and closed is the safe side)."""
    meeting = parse_referat("\n".join([*HEAD, *OPEN_4, *CLOSED_5, field, "", *OPEN_6])).to_json()
    items = {item["punkt"]: item for item in meeting["items"]}
    assert items[5] == dict(CLOSED) and items[4]["sections"]["Beslutning"] == "Godkendt."
    kept = json.dumps(meeting, ensure_ascii=False)
    assert MARKER not in kept and TITLE not in kept


@pytest.mark.parametrize("lines", [
    # an added item lettered after its number (a supplementary agenda's `5a.`)
    ["5. Navn til den nye hal", "Beslutning", "Godkendt.", "",
     f"5a. Lukket punkt: Køb af ejendom ved {TITLE}", "Beslutning", f"{MARKER} godkendt.", ""],
    # a punkt that holds the closed part (Fredensborg's `Nr.57 - Sager behandlet på lukket
    # møde`, the closed cases listed under it)
    ["5. Sager behandlet på lukket møde", "Beslutning", "Se nedenfor.", "",
     f"6. Køb af ejendom ved {TITLE}", "Beslutning", f"{MARKER} godkendt.", ""],
], ids=["5a", "samlet-lukket-punkt"])
def test_closed_items_inside_or_after_a_punkt_join_no_open_punkt(lines):
    meeting = parse_referat("\n".join([*HEAD, *OPEN_4, *lines])).to_json()
    four = meeting["items"][0]
    assert (four["punkt"], four["sections"]["Beslutning"]) == (4, "Godkendt.")
    kept = json.dumps(meeting, ensure_ascii=False)
    assert MARKER not in kept and TITLE not in kept


def test_a_sentence_about_the_open_agenda_inside_the_closed_part_reopens_nothing():
    """`Sagen forelægges efterfølgende på åben dagsorden.` in a closed punkt is a sentence,
    not an `Åben dagsorden` divider: the closed punkter after it stay closed."""
    meeting = parse_referat("\n".join([
        *HEAD, *OPEN_4, "Lukket dagsorden", "", *CLOSED_5[:2],
        "Sagen forelægges efterfølgende på åben dagsorden.", *CLOSED_5[2:],
        f"6. Personalesag vedr. {TITLE}s leder", "Beslutning", f"{MARKER} fratræder.", ""]))
    assert [(p.number, p.closed) for p in meeting.punkter] == [(4, False), (5, True), (6, True)]
    assert MARKER not in repr(meeting) and TITLE not in repr(meeting)


@pytest.mark.parametrize("line", [
    "Der henvises til punkt 12 på lukket dagsorden.",
    "Sagen blev behandlet på lukket møde i Økonomiudvalget",
    "Tilbuddene er undergivet fortrolig behandling.",
    "Økonomiudvalget drøftede sagen for lukkede døre.",
    "Søndag: Lukket",
    "Sagen er lukket, idet klagen er trukket tilbage.",
    "Nr. 5 Storegade sælges",
])
def test_open_text_that_mentions_closing_closes_nothing(line):
    """Lines of open punkter that speak of a closed meeting, a closed day or a finished
    case: no divider, field or heading, so no punkt is closed or lost."""
    meeting = parse_referat("\n".join([
        *HEAD, "4. Udbud af rengøring", "Sagsfremstilling", line, "", "Beslutning",
        "Godkendt.", "", "5. Åbningstider i svømmehallen", "Beslutning", "Godkendt.", "",
        *OPEN_6]))
    assert [(p.number, p.closed) for p in meeting.punkter] == [(4, False), (5, False), (6, False)]
    assert meeting.punkter[0].decision == "Godkendt."


ELCYKLER = "elcyklerne til hjemmeplejen"
OPEN_STYLES = ["Punkt {n} - {title}", "Pkt. {n}: {title}", "{n}. {title}", "Sag nr. {n} {title}"]


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize("style", OPEN_STYLES)
def test_other_item_headings_head_open_punkter(folder, style, suffix):
    """Punkt 5 open, `Indkøb af elcykler`: three punkter, each with its own text."""
    form = Form("åben", style.format(n=5, title="Indkøb af elcykler"), style=style)
    text = referat(form, day=DAY, marker=ELCYKLER, title="")
    path = write_format(text, folder / f"open-{OPEN_STYLES.index(style)}{suffix}")
    items = {item["punkt"]: item for item in parse_file(path).to_json()["items"]}
    assert sorted(items) == [4, 5, 6]
    assert (items[5]["title"], items[5]["case_number"], items[5]["closed"]) == (
        "Indkøb af elcykler", CLOSED_CASE_NUMBER, False)
    assert " ".join(words(ELCYKLER)) in " ".join(words(items[5]["sections"]["Beslutning"]))
    for neighbour in NEIGHBOURS:
        assert_open(items[neighbour.number], neighbour)


# --- fuzzing the closed heading ---------------------------------------------------------

PREFIXES = ["Punkt {n}:", "Punkt {n} -", "Punkt {n}.", "Pkt. {n}:", "Pkt. {n}", "{n}.",
            "Sag nr. {n}"]
WORDS = ["lukket", "lukket punkt", "lukket sag", "lukkede oplysninger", "lukket dagsordenspunkt"]
MARKUP = ["{}", "**{}**", "__{}__", "*{}*", "<b>{}</b>", "<strong>{}</strong>", "<i>{}</i>"]
BRACKETS = ["{}", "({})", "[{}]"]
AFTER = ["", ":", " :", " -", " –", ".", ",", ";"]
SPACES = [" ", "\u00a0", "  ", " \u00a0"]


@st.composite
def closed_heading(draw) -> tuple[str, str]:
    """(style of every item heading, punkt 5's heading marked closed somehow)."""
    prefix = draw(st.sampled_from(PREFIXES))
    word = draw(st.sampled_from(WORDS))
    cased = "".join(c.upper() if draw(st.booleans()) else c for c in word)
    for _ in range(draw(st.integers(0, 2))):  # soft hyphens where a word processor puts them
        at = draw(st.integers(1, len(cased) - 1))
        cased = cased[:at] + "\u00ad" + cased[at:]
    mark = draw(st.sampled_from(BRACKETS)).format(draw(st.sampled_from(MARKUP)).format(cased))
    mark += draw(st.sampled_from(AFTER))
    space = draw(st.sampled_from(SPACES))
    subject = f"Køb af ejendom ved {TITLE}"
    body = draw(st.sampled_from([mark, f"{mark}{space}{subject}", f"{subject}{space}{mark}"]))
    return prefix + " {title}", f"{prefix.format(n=5)}{space}{body}"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(closed_heading())
def test_a_closed_heading_in_any_spelling_keeps_nothing(case):
    style, heading = case
    form = Form("fuzz", heading.replace("{", "{{").replace("}", "}}"), style=style)
    meeting = parse_referat(referat(form, day=DAY, marker=MARKER, title=TITLE))
    assert_closed_and_alone(meeting.to_json(), repr(heading))

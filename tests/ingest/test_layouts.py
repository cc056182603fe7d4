"""Minutes as other municipalities and systems print them (fixtures/layouts/, described in
its README): each fixture, in each format it comes in, read by the real reader and parser
to exactly the structure written beside it; the closed punkter's words nowhere in what is
kept; and the real agenda page of a city council (../shared/real-minutes/) read by its
structure.

The expected structure is `show --json`'s, plus `kind`, without `heading`; a section's
text is given whole or as `start … end`, compared word for word (see layout_files.fits).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from layout_files import (LAYOUTS, PDF_HEADER, as_expected, build, expected_of, parse_file,
                          read_text, words)

#: The fixtures' sources: each with its expected structure beside it (README.md has none).
SOURCES = sorted(p for p in LAYOUTS.iterdir()
                 if p.suffix in (".txt", ".md", ".html") and p.with_suffix(".json").is_file())
#: .txt and .md sources are also read as the PDF and the Word document made from them; a
#: web page only as itself.
CASES = [(source, suffix) for source in SOURCES
         for suffix in ((source.suffix,) if source.suffix == ".html"
                        else (source.suffix, ".pdf", ".docx"))]
#: Words of each fixture's closed punkter (their titles and bodies) that no open part of it
#: holds: none may be kept.
CLOSED_WORDS = {
    "aeldre-sundhedsudvalget-2020-06-04": ["Solsikken", "Opsigelse", "Lejemålet"],
    "ansaettelsesudvalget-2024-02-12": ["Nordskolen", "Kornum", "viceskoleleder", "fratrædelse"],
    "boerne-skoleudvalget-2024-11-12": ["Personalesag", "afskedigede", "81.05.00-A00-4-24"],
    "boerne-ungdomsudvalget-2016-06-14": ["Ellehuset", "visitation", "Forældrene"],
    "byraadet-2021-10-06": ["Hvidtjørnen", "1.980.000", "21/4102"],
    "chefforum-dagsorden-2024-05-08": ["fratrædelsesaftale", "00.01.00-A00-3-24"],
    "fritidsudvalget-2013-08-14": ["underskudsgaranti", "Rockforening", "45.000",
                                   "18.15.00-Ø40-99-13"],
    "kildeby-forsyning-bestyrelse-2024-05-22": ["ansættelsesvilkår", "2027",
                                                "tillæg på 2 procent"],
    "klima-miljoeudvalget-referat-2025-11-05": ["Skovbrynet", "2,8 mio", "Vurderingsrapport",
                                               "EMN-2025-009930"],
    "kommunalbestyrelsen-2025-06-25": ["Tofteløkken", "2.100.000", "82.02.00-G01-4-25"],
    "kultur-fritidsudvalget-2008-11-18": ["Holmgaard", "Musikskole", "Ansættelsesudvalget"],
    "nordby-kommunalbestyrelsen-2022-06-20": ["Møllevej", "skødet", "22/02875"],
    "oekonomiudvalget-2008-02-13": ["Mosevangen", "erhvervsgrund", "1.150.000", "Bøgh",
                                    "08/502"],
    "oekonomiudvalget-2013-06-10": ["Ravnsborg", "2.650.000", "009981-2013", "Advarslen",
                                    "Personalesag"],
    "oekonomiudvalget-2017-08-17": ["Hedemarken", "1.340.000", "17/12566", "Brink"],
    "oekonomiudvalget-2023-10-02": ["Vestervang", "1.475.000", "højestbydende", "330-2023-5520"],
    "regionsraadet-2021-03-08": ["Kornvej", "812.000", "21-004417", "Lejeaftale"],
    "teknik-miljoe-dagsorden-2025-03-03": ["Søbadet", "Strandgaard", "Tilbudsvurdering",
                                           "24/11307"],
    "teknik-miljoeudvalget-2017-11-06": ["Bredmose", "engarealet", "310.000",
                                         "82.01.00-G01-7-17"],
    "teknisk-udvalg-2025-09-10": ["Kløvermarken", "rodskader", "Erstatningskrav",
                                  "EMN-2025-005870"],
}
#: What the web system prints around the minutes (buttons, menus, dialogs, table header).
CHROME = ["Tilbage til forsiden", "Hent som PDF", "Kopier link", "Hent hele", "Tip en ven",
          "Annuller", "Henter indhold", "Modtagerens e-mail", "kildeby_logo"]


@pytest.fixture(scope="module")
def meeting_json(tmp_path_factory):
    """meeting_json(source, suffix) -> the fixture read as that format, as `show --json`."""
    folder = tmp_path_factory.mktemp("layouts")
    parsed: dict[tuple[Path, str], dict] = {}

    def read(source: Path, suffix: str) -> dict:
        if (source, suffix) not in parsed:
            parsed[source, suffix] = parse_file(build(source, suffix, folder)).to_json()
        return parsed[source, suffix]
    return read


def case_id(case) -> str:
    source, suffix = case
    return f"{source.stem}{suffix}"


def test_every_fixture_has_its_expected_structure_and_closed_words():
    assert {p.stem for p in SOURCES} == set(CLOSED_WORDS)
    for source in SOURCES:
        expected = expected_of(source)
        assert expected["kind"] in ("referat", "dagsorden"), source.name
        assert any(item.get("closed") for item in expected["items"]), source.name


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_the_fixture_reads_as_its_expected_structure(meeting_json, case):
    source, suffix = case
    expected = expected_of(source)
    assert as_expected(meeting_json(source, suffix), expected) == expected


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_nothing_of_a_closed_punkt_is_kept(meeting_json, case):
    source, suffix = case
    kept = json.dumps(meeting_json(source, suffix), ensure_ascii=False).casefold()
    assert [w for w in CLOSED_WORDS[source.stem] if w.casefold() in kept] == []
    for item in meeting_json(source, suffix)["items"]:
        if item.get("closed"):
            assert item == {"punkt": item["punkt"], "title": "Lukket", "closed": True}


def test_the_web_page_leaves_out_its_chrome(meeting_json):
    source = LAYOUTS / "klima-miljoeudvalget-referat-2025-11-05.html"
    kept = json.dumps(meeting_json(source, ".html"), ensure_ascii=False)
    assert [c for c in CHROME if c in kept] == []


@pytest.mark.parametrize("case", [c for c in CASES if c[1] in (".pdf", ".docx")], ids=case_id)
def test_a_made_file_holds_its_sources_words(case, tmp_path):
    """The PDF and Word files are the source's text and nothing else (a one-page PDF keeps
    its running header), so what the parser makes of them is the parser's doing."""
    source, suffix = case
    got = words(read_text(build(source, suffix, tmp_path)))
    if got[:len(words(PDF_HEADER))] == words(PDF_HEADER) and suffix == ".pdf":
        got = got[len(words(PDF_HEADER)):]
    assert got == words(source.read_text(encoding="utf-8"))


def test_a_heading_wrapped_over_three_lines_in_the_pdf_keeps_its_title(meeting_json, tmp_path):
    """The fixture is what it claims: its PDF prints punkt 2's and 3's headings over three
    lines (and the reader gives them back so)."""
    source = LAYOUTS / "teknisk-udvalg-2025-09-10.txt"
    # the reader marks lines printed bold as `**…**`; the words are what is checked here
    lines = read_text(build(source, ".pdf", tmp_path)).replace("**", "").split("\n")
    for number in (2, 3):
        at = next(i for i, line in enumerate(lines) if line.startswith(f"Punkt {number}:"))
        case = next(i for i in range(at, len(lines)) if lines[i].startswith("EMN-"))
        assert case - at == 3, lines[at:case + 1]
    titles = {item["punkt"]: item["title"] for item in meeting_json(source, ".pdf")["items"]}
    assert titles == {item["punkt"]: item["title"] for item in expected_of(source)["items"]}


# --- the real agenda page of a city council (public; see its NOTICE) ----------------------

REAL_PAGE = Path(__file__).resolve().parents[3] / "shared" / "real-minutes" / \
    "aarhus-byraad-dagsorden-2025-10-08.html"


def page_structure(page: Path) -> list[dict]:
    """Each punkt of the page as its markup shows it (read here with lxml's own selectors,
    not the reader under test): number, title, case number, the sections in order with
    their words (the text before the first section heading as `Anledning`), bilag names."""
    from lxml import html

    doc = html.fromstring(page.read_bytes().decode("utf-8"))
    out = []
    for row in doc.xpath('//tr[contains(concat(" ", normalize-space(@class), " "), " punktrow ")]'):
        sections: dict[str, list[str]] = {}
        name = "Anledning"
        container = row.xpath('.//div[@id="sagsfremstillingContainer"]')[0]
        for element in container.iter("h3", "span"):
            if element.tag == "h3":
                heading = " ".join(element.text_content().split()).rstrip(":")
                name = heading or name
            elif "resume" in (element.get("class") or "").split():
                # each <div> in it a line of its own: join the pieces apart
                sections.setdefault(name, []).extend(words(" ".join(element.itertext())))
        out.append({
            "punkt": int(row.xpath('./td[1]//span')[0].text),
            "title": " ".join(row.xpath('.//h2[contains(@class, "overskrift")]')[0]
                              .text_content().split()),
            "case_number": row.xpath('.//span[@class="sagsnummer"]')[0].text.strip(),
            "sections": {k: v for k, v in sections.items() if v},
            "bilag": [" ".join(a.text_content().split())
                      for a in row.xpath('.//a[contains(@class, "bilag-link")]')],
        })
    return out


@pytest.fixture(scope="module")
def real_page() -> Path:
    if not REAL_PAGE.is_file():
        pytest.skip(f"the shared agenda page is not here: {REAL_PAGE}")
    return REAL_PAGE


def test_the_real_agenda_page_is_read_by_its_structure(real_page):
    meeting = parse_file(real_page).to_json()
    assert {k: meeting.get(k) for k in ("kind", "forum", "meeting_date", "time", "place")} == {
        "kind": "dagsorden", "forum": "Aarhus Byråd", "meeting_date": "2025-10-08",
        "time": "16:00", "place": "Byrådssalen"}
    want = page_structure(real_page)
    assert len(want) == 33
    got = [{"punkt": item["punkt"], "title": item["title"], "case_number": item["case_number"],
            # section names as printed, blind to case ("Borgmesterens afdelings påtegning")
            "sections": {name.casefold(): words(text) for name, text in item["sections"].items()},
            "bilag": item["bilag"]} for item in meeting["items"]]
    assert got == [{**w, "sections": {k.casefold(): v for k, v in w["sections"].items()}}
                   for w in want]
    assert not any(item.get("closed") for item in meeting["items"])
    kept = json.dumps(meeting, ensure_ascii=False)
    assert [c for c in CHROME if c in kept] == []
    assert all(re.fullmatch(r"EMN-\d{4}-\d{6}", item["case_number"]) for item in meeting["items"])

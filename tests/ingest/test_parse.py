"""The parser on the five sample referater: every punkt's number, clean title and case
number, written out here from reading the files, plus the layout variants they carry."""
from __future__ import annotations

import datetime as dt

import pytest

from ingest.header import read_head
from ingest.layout import item_heading
from ingest.parse import ParseError, clean_title, parse_referat

# (number, clean title, case number) per meeting, read off the files by hand.
EXPECTED = {
    "2019-01-17": ("09:00", "Mødelokale 1", [
        (1, "Godkendelse af dagsorden og referat", "00.01.00-A21-9-18"),
        (2, "Status fra ØS IT", "85.15.00-A00-1-19"),
        (3, "Administrationsanalysen - Proces", "00.15.00-S00-1-18"),
        (4, "Overførselssagen i 2019", "00.30.18-S00-2-18"),
        (5, "GDPR - Proceduren ved sikkerhedshændelser- og brud", "85.10.13-P22-1-18"),
        (6, "Ledelsesgrundlag på Lederforum", "00.00.00-A00-17-18"),
        (7, "Decentral lederundersøgelse", "00.01.00-A21-8-18"),
        (8, "Handleplan for politikken Fælles om Albertslund", "00.01.00-A21-6-18"),
        (9, "hvad skal kommunikeres ud til afdelingerne efter mødet?", "00.01.00-A21-9-18"),
        (10, "Evt.", "00.01.00-A21-9-18"),
    ]),
    "2019-03-14": ("09:00", "Mødelokale 1", [
        (1, "Godkendelse af dagsorden og referat", "00.01.00-A21-9-18"),
        (2, "Midtvejsstatus for den boligsociale helhedsplan, ABC", "03.30.05-A00-1-19"),
        (3, "Ledelse og kompetencer i den offentlige sektor (Regeringen, KL og Danske Regioner)",
         "00.01.00-A21-6-18"),
        (4, "Orientering vedr. byudvikling (fast månedligt punkt)", "00.01.10-P35-1-19"),
        (5, "Lukket", ""),
        (6, "Skriftlig orientering om implementering af den nye Telefoni og data aftale SKI 50.48",
         "88.20.12-A26-5-17"),
        (7, "Skriftlig orientering om Regeringens udspil til en ny sundhedsreform",
         "00.01.00-G01-1-19"),
        (8, "Skriftlig orientering om procedure for digitaliseringsprojekter med "
            "investeringsbehov (budget 2020)", "00.00.00-A00-11-19"),
        (9, "Skriftlig orientering vedr. beslutning om ophør af mulighed for frikøb af IT-udstyr",
         "00.01.00-P05-1-19"),
        (10, "Hvad skal kommunikeres ud til afdelingerne efter mødet?", "00.01.00-A21-9-18"),
        (11, "Evt.", "00.01.00-A21-9-18"),
    ]),
    "2021-09-02": ("08:30", "Mødelokale 1", [
        (1, "Byudviklingsforum", "00.00.00-A00-8-21"),
        (2, "Godkendelse af dagsorden og referat", "00.00.00-A00-2-21"),
        (3, "Godkendelse af pilotprojekter i Digitaliseringsstrategien 2021 - 2025",
         "00.15.00-P22-1-21"),
        (4, "Lederdag 22. september 2021", "00.00.00-A00-10-20"),
        (5, "Drøftelse af Erhvervs fremtidige placering i organisationen", "00.17.20-A00-2-21"),
        (6, "Cirkulære indkøb som led i deltagelse i KKR VIP-projekt", "88.00.00-G01-46-21"),
        (7, "Orientering om budgetprocessen", "00.00.00-A00-2-21"),
        (8, "Fælles journaliseringspraksis i Albertslund Kommune", "85.02.01-A26-1-20"),
        (9, "Evt.", "00.00.00-A00-2-21"),
    ]),
    "2023-03-15": ("12:30", "Mødelokale 1", [
        (1, "Godkendelse af dagsorden og referat", "00.01.00-P35-9-22"),
        (2, "Roller og ansvar ved digitale løsninger", "00.15.10-A26-1-23"),
        (3, "Proces for budget 2024", "00.30.00-P00-3-22"),
        (4, "Anlægsplan 2024", "00.30.08-000-2-22"),
        (5, "Redigering af fællesskabspolitikken", "00.01.00-A00-123-22"),
        (6, "Virksomhedspraktik og løntilskud", "15.20.00-A26-1-22"),
        (7, "Mål og handleplaner for sygefravær", "81.28.00-P20-2-22"),
        (8, "Forslag om ændring af Lokal MED-aftale 2023", "81.38.04-P27-1-23"),
        (9, "Opgavetilpasninger i Økonomi & Stab som følge af Budget 2023", "81.15.18-000-1-19"),
        (10, "Eventuelt", "00.01.00-P35-9-22"),
    ]),
    "2024-04-24": ("09:00", "915", [
        (1, "Godkendelse af dagsorden og referat", "00.01.00-P35-7-23"),
        (2, "Ledelsestilsyn i Frames", "00.01.00-K08-1-24"),
        (3, "Plan MED 2024-2025", "81.38.04-P00-1-24"),
        (4, "Interne styringsdokumenter", "00.15.01-A00-1-24"),
        (5, "Kom ind i Klimakampen - organisationen internt", "09.00.00-A00-1-24"),
        (6, "Orientering om sygefravær 1. kv. 2024", "81.28.00-P05-1-24"),
        (7, "Rådhusets telefontider", "83.02.00-A00-1-23"),
        (8, "Oprettelse af intern genbrugsbørs", "00.00.00-A26-3-24"),
        (9, "Temadrøftelse: Kodeks VII", "00.01.00-A00-10-24"),
        (10, "Temaer til kommende møder og eventuelt", "00.01.00-P35-7-23"),
    ]),
}
COUNTS = {"2019-01-17": 10, "2019-03-14": 11, "2021-09-02": 9, "2023-03-15": 10,
          "2024-04-24": 10}


def parse(path):
    return parse_referat(path.read_text(encoding="utf-8"), source=str(path))


@pytest.fixture(scope="module")
def meetings(samples_dir):
    return {p.stem.removeprefix("chefforum-"): parse(p) for p in samples_dir.glob("*.txt")}


def test_the_issue_counts(meetings):
    assert {day: len(m.punkter) for day, m in meetings.items()} == COUNTS


@pytest.mark.parametrize("day", sorted(EXPECTED))
def test_every_punkt_number_title_and_case_number(meetings, day):
    time, place, punkter = EXPECTED[day]
    m = meetings[day]
    assert m.forum == "Chefforum"
    assert m.meeting_date == dt.date.fromisoformat(day)
    assert (m.time, m.place) == (time, place)
    assert [(p.number, p.title, p.case_number) for p in m.punkter] == punkter


@pytest.mark.parametrize("day", sorted(EXPECTED))
def test_table_of_contents_is_not_read_as_punkter(meetings, day):
    m = meetings[day]
    assert [p.number for p in m.punkter] == list(range(1, COUNTS[day] + 1))
    for p in m.punkter:
        assert "....." not in p.title and "....." not in p.heading
        assert not any("....." in text for text in p.sections.values()), (day, p.number)


def test_raw_heading_keeps_prefix_and_tail(meetings):
    assert meetings["2019-01-17"].punkt(2).heading == "CF - Status fra ØS IT (20 min)"
    assert meetings["2021-09-02"].punkt(1).heading == "CF - Byudviklingsforum (8.30-9.30)"
    assert meetings["2019-03-14"].punkt(3).heading == (
        "CF - Ledelse og kompetencer i den offentlige sektor (Regeringen, KL og Danske "
        "Regioner) (30 min.)")


def test_en_dash_and_no_space_variants(meetings):
    p = meetings["2024-04-24"].punkt(1)
    assert p.heading == "CF – Godkendelse af dagsorden og referat"
    assert p.title == "Godkendelse af dagsorden og referat"
    p = meetings["2021-09-02"].punkt(8)
    assert p.heading == "CF- Fælles journaliseringspraksis i Albertslund Kommune (11.45-11.55)"
    assert p.title == "Fælles journaliseringspraksis i Albertslund Kommune"


@pytest.mark.parametrize("heading, title", [
    ("CF - Status fra ØS IT (20 min)", "Status fra ØS IT"),
    ("CF - Midtvejsstatus for den boligsociale helhedsplan, ABC (20 min.)",
     "Midtvejsstatus for den boligsociale helhedsplan, ABC"),
    ("CF - Lederdag 22. september 2021 (10.25-10.45)", "Lederdag 22. september 2021"),
    ("CF – Godkendelse af dagsorden og referat", "Godkendelse af dagsorden og referat"),
    ("CF- Fælles journaliseringspraksis (11.45-11.55)", "Fælles journaliseringspraksis"),
    ("CF - Skriftlig orientering (budget 2020)", "Skriftlig orientering (budget 2020)"),
    ("Lukket", "Lukket"),
])
def test_clean_title(heading, title):
    assert clean_title(heading) == title


def test_empty_evt_punkter(meetings):
    for day, number in (("2019-01-17", 10), ("2019-03-14", 11)):
        p = meetings[day].punkt(number)
        assert p.title == "Evt." and not p.closed
        assert p.sections == {} and p.bilag == ()
    # The 2021 Evt. carries a decision and nothing else.
    evt = meetings["2021-09-02"].punkt(9)
    assert list(evt.sections) == ["Beslutning"]
    assert evt.decision.startswith("Chefforum blev orienteret om, at der kommer en drøftelse")


def test_punkt_5_of_2019_03_14_is_closed_with_no_content(meetings):
    p = meetings["2019-03-14"].punkt(5)
    assert p.closed and p.title == "Lukket"
    assert (p.heading, p.case_number, p.sections, p.bilag) == ("", "", {}, ())
    assert p.to_json() == {"punkt": 5, "title": "Lukket", "closed": True}
    assert [q.number for q in meetings["2019-03-14"].open_punkter] == [1, 2, 3, 4, 6, 7, 8, 9, 10, 11]
    assert all(not q.closed for day, m in meetings.items() if day != "2019-03-14" for q in m.punkter)


def test_sections_by_heading(meetings):
    p = meetings["2019-01-17"].punkt(1)
    assert list(p.sections) == ["Anledning", "Indstilling", "Beslutning"]
    assert p.sections["Anledning"] == "Godkendelse af dagsorden og referat"
    assert p.sections["Indstilling"].startswith("Kommunaldirektøren indstiller,\n\n1. at Chefforum")
    assert p.decision == ("Dagsorden for mødet blev godkendt.\n\n"
                          "Chefforum godkendte referatet fra Chefforum d. 6. december 2018.")
    # Sections keep the referat's own order (here Indstilling before Sagsfremstilling).
    assert list(meetings["2019-01-17"].punkt(2).sections) == [
        "Indstilling", "Sagsfremstilling", "Beslutning"]
    assert meetings["2019-01-17"].punkt(8).decision.endswith(
        "Skal melde tilbage indenfor den næste uge.")
    # A heading word in running text is not a heading: 2023 punkt 6 has an Økonomi section
    # of its own, and its sub-headings (Volumen, Implementering) stay in Sagsfremstilling.
    p = meetings["2023-03-15"].punkt(6)
    assert list(p.sections) == ["Anledning", "Sagsfremstilling", "Økonomi", "Indstilling",
                                "Beslutning"]
    assert "\nVolumen\n" in p.sections["Sagsfremstilling"]
    assert p.sections["Økonomi"].startswith("Borgere i virksomhedspraktik og nytteindsats")
    assert meetings["2023-03-15"].punkt(10).decision == "Intet."
    # Text before any heading is the punkt's introduction (2019-03-14 punkt 6 has none).
    p = meetings["2019-03-14"].punkt(6)
    assert p.sections["Anledning"].startswith(
        "Orientering om den nye 50.48 SKI-aftale Telefoni og data")
    assert p.decision == "Chefforum tog indstillingen til efterretning."
    # A numbered list inside a section does not start a punkt.
    p = meetings["2021-09-02"].punkt(1)
    assert "3. Evt. (5 min.)" in p.sections["Sagsfremstilling"]
    # Tab-separated tables stay rows of cells.
    assert "Niveau\tRetning / tendens\tFarve" in meetings["2023-03-15"].punkt(7).sections[
        "Sagsfremstilling"]


def test_bilag_is_a_list(meetings):
    assert meetings["2019-01-17"].punkt(2).bilag == ("Præsentation til CF 17012019",)
    assert meetings["2019-01-17"].punkt(6).bilag == (
        "Program Lederforum 290119",
        "Rammenotat_Ledelsesgrundlag",
        "Notat_opsamling på fokusgrupper 2",
        "Analyse af medarbejder oplevelse af AK",
        "Ledelsesgrundlag;Forberedende oplæg til Lederforum januar 2019",
    )
    assert meetings["2019-03-14"].punkt(2).bilag == (
        "Resumé af læringspointer fra læringsnetværk.docx", "faglig eftermiddag ABCD 10.4.19")
    bilag = meetings["2021-09-02"].punkt(3).bilag
    assert len(bilag) == 10
    assert bilag[0] == "Notat til CF vedr. Digitaliseringsstrategien 2021-2025"
    assert bilag[-1] == "Projektgrundlag_CitizenLab_Mere dialog og fællesskab"
    # A numbered attachment list loses its numbers.
    assert meetings["2021-09-02"].punkt(1).bilag == (
        "Notat_Oplæg Tættere kobling til CF_BF den 10. august 2021.docx",)
    assert meetings["2023-03-15"].punkt(8).bilag == (
        "medaftale-ak-del-1.pdf", "medaftale-ak-del-2-med-overskrifter (4).pdf")
    assert meetings["2019-01-17"].punkt(8).bilag == ()
    for m in meetings.values():
        for p in m.punkter:
            assert "Bilag" not in p.sections


def test_markdown_headings_and_bold_in_the_2024_file(meetings):
    m = meetings["2024-04-24"]
    assert list(m.punkt(1).sections) == ["Indstilling", "Sagsfremstilling", "Beslutning"]
    assert m.punkt(1).decision == ("Chefforum godkendte dagsordenen til dette møde samt referat "
                                   "fra Chefforum den 10. april 2024.")
    # `## **Punkt 5: …**` with `### **Indstilling**` section headings
    p = m.punkt(5)
    assert p.heading == "CF - Kom ind i Klimakampen - organisationen internt"
    assert list(p.sections) == ["Indstilling", "Sagsfremstilling", "Beslutning"]
    assert p.bilag == ("Eksempel på aktiviteter.PNG", "Guide til Tovholder.pdf",
                       "Klimakampen - Introduktion - Efterår 2023.pdf")
    # `## **Økonomi**`, `## **Kommunikation**`; `#### Digital platform` is a sub-heading
    p = m.punkt(8)
    assert list(p.sections) == ["Anledning", "Sagsfremstilling", "Økonomi", "Kommunikation",
                                "Indstilling", "Beslutning"]
    assert "\nDigital platform\n" in p.sections["Sagsfremstilling"]
    assert p.sections["Kommunikation"].endswith(
        "- Postkort til ophængning på alle decentrale arbejdspladser/institutioner.")
    assert list(m.punkt(7).sections) == ["Anledning", "Sagsfremstilling", "Indstilling",
                                         "Historik", "Beslutning"]
    assert "\nSygefraværssindsats\n" in m.punkt(6).sections["Sagsfremstilling"]
    assert m.punkt(10).bilag == ("Årshjul for Chefforum 2024", "Forslag til temamøder i CF")
    for p in m.punkter:
        for name, text in p.sections.items():
            for line in text.split("\n"):
                assert not line.lstrip().startswith("#"), (p.number, name, line)
                assert "**" not in line, (p.number, name, line)


def test_escapes_and_sub_tags_are_undone_in_the_2024_file(meetings):
    m = meetings["2024-04-24"]
    assert m.punkt(7).bilag == ("Bilag ØU beslutning_notat om telefoner_0.pdf",
                                "Telefoner AK notat april 24_180424")
    assert "i reduktion i CO2-udledning" in m.punkt(5).sections["Sagsfremstilling"]
    for p in m.punkter:
        for text in (*p.sections.values(), *p.bilag):
            assert "<sub>" not in text and "</sub>" not in text and "\\_" not in text


def test_meeting_time_and_place(meetings):
    assert {d: (m.time, m.place) for d, m in meetings.items()} == {
        d: (t, p) for d, (t, p, _) in EXPECTED.items()}


def test_content_hash_is_blind_to_layout(sample):
    text = sample("2019-01-17").read_text(encoding="utf-8")
    a = parse_referat(text, source="a.txt")
    b = parse_referat(text.replace("\n\n", "\n\n\n").replace("Beslutning\n", "## **Beslutning**\n"),
                      source="b.md")
    assert a.content_hash == b.content_hash
    c = parse_referat(text.replace("Dagsorden for mødet blev godkendt.",
                                   "Dagsorden for mødet blev ikke godkendt."))
    assert c.content_hash != a.content_hash


def test_a_table_of_contents_that_names_its_punkter(sample):
    """Some exports write the contents as `Punkt 1: CF - Title.....<tab>3`."""
    text = sample("2019-01-17").read_text(encoding="utf-8")
    toc = "\n".join(f"Punkt {n}: CF - Titel nummer {n}.....\t{n + 2}" for n in range(1, 11))
    text = text.replace("Indholdsfortegnelse\n", f"Indholdsfortegnelse\n\n{toc}\n", 1)
    m = parse_referat(text)
    assert [(p.number, p.title) for p in m.punkter] == [
        (n, t) for n, t, _ in EXPECTED["2019-01-17"][2]]


def test_a_heading_wrapped_onto_the_next_line_is_joined(sample):
    """PDF text wraps long punkt headings; the lines before the case number belong to it."""
    text = sample("2019-03-14").read_text(encoding="utf-8").replace(
        "Punkt 3: CF - Ledelse og kompetencer i den offentlige sektor (Regeringen, KL og "
        "Danske Regioner) (30 min.)",
        "Punkt 3: CF - Ledelse og kompetencer i den offentlige\nsektor (Regeringen, KL og "
        "Danske Regioner) (30 min.)")
    p = parse_referat(text).punkt(3)
    assert p.title == "Ledelse og kompetencer i den offentlige sektor (Regeringen, KL og Danske Regioner)"
    assert p.case_number == "00.01.00-A21-6-18"
    assert list(p.sections) == ["Anledning", "Sagsfremstilling", "Indstilling", "Beslutning"]


@pytest.mark.parametrize("text, problem", [
    ("", "no meeting date"),
    ("Et notat om kantinen.\n\nPunkt 1: CF - Frokost\n", "no meeting date"),
    ("REFERAT Chefforum d. 24-04-2024\n\nIngen punkter i dag.\n", "no punkter"),
    ("REFERAT Chefforum d. 24-04-2024\nPunkt 1: CF - A\nPunkt 1: CF - B\n", "more than once"),
])
def test_not_a_referat(text, problem):
    with pytest.raises(ParseError, match=problem):
        parse_referat(text)


def test_agenda_durations_are_not_section_text(sample):
    from ingest.parse import parse_referat

    meeting = parse_referat(sample("2024-04-24").read_text(encoding="utf-8"))
    for punkt in meeting.open_punkter:
        for name, text in punkt.sections.items():
            assert "min.)" not in text.splitlines()[0], (punkt.number, name)
    assert meeting.punkt(7).sections["Anledning"].startswith("Borgerne og virksomhederne")


def test_a_punkts_own_number_inside_it_is_a_reference_not_a_second_punkt():
    """`Dagsordenspunkt 1: Godkendelse af dagsorden` printed above the decision of punkt 1
    (Copenhagen's eDoc pages) refers to the punkt: one punkt 1, its decision whole."""
    meeting = parse_referat("\n".join([
        "REFERAT Økonomiudvalget d. 31-03-2020", "",
        "Punkt 1: Godkendelse af dagsorden", "", "Beslutning",
        "Dagsordenspunkt 1: Godkendelse af dagsorden", "Dagsordenen blev godkendt.", "",
        "Punkt 2: Budgetopfølgning", "", "Beslutning", "Taget til efterretning."]))
    assert [p.number for p in meeting.punkter] == [1, 2]
    assert meeting.punkter[0].decision.endswith("Dagsordenen blev godkendt.")


def test_a_date_with_dashes_around_the_month_name_is_the_meeting_date():
    """`Dato: Onsdag den 15-maj-2002` (an old print's field) is the meeting's date, not the
    day the minutes were sent out."""
    head = read_head(["Kommunalbestyrelsen", "Referat", "Dato: Onsdag den 15-maj-2002",
                      "Udsendelsesdato: 17-05-2002"])
    assert head.meeting_date == dt.date(2002, 5, 15)


def test_a_title_printed_above_its_number_is_the_punkts_title():
    """`Spørgetid` / `Sag nr. 129` / `Beslutningskompetence: KB` (Rødovre's web referater):
    the title stands above the number where a field follows it, and leaves the punkt
    before. `Sag nr. 5` / `Title` (the title below) reads as before."""
    meeting = parse_referat("\n".join([
        "Kommunalbestyrelsen", "Referat", "24-09-2019", "",
        "Spørgetid", "Sag nr. 129", "Beslutningskompetence: KB", "", "Beslutning",
        "Taget til efterretning.", "",
        "Lokalplan for Vestervej", "Sag nr. 130", "Beslutningskompetence: KB", "",
        "Beslutning", "Godkendt.", "",
        "Sag nr. 131", "Orientering om vejarbejder", "", "Beslutning", "Taget til efterretning."]))
    assert [(p.number, p.title) for p in meeting.punkter] == [
        (129, "Spørgetid"), (130, "Lokalplan for Vestervej"), (131, "Orientering om vejarbejder")]
    assert meeting.punkter[0].decision == "Taget til efterretning."


def test_a_contents_list_without_page_numbers_then_the_punkter():
    """A board's agenda lists the punkter (with a group's label among them) and then
    prints them: each punkt once, with its own decision."""
    meeting = parse_referat("\n".join([
        "Referat af bestyrelsesmøde", "Dato: 27. februar 2014", "", "Dagsorden",
        "1. Godkendelse af dagsorden", "2. Formanden orienterer", "Punkter til beslutning:",
        "3. Kontrol af vandkvalitet", "",
        "1. Godkendelse af dagsorden", "Beslutning:", "Godkendt.", "",
        "2. Formanden orienterer", "Beslutning:", "Taget til efterretning.", "",
        "3. Kontrol af vandkvalitet", "Beslutning:", "Rapporten blev godkendt."]))
    assert [(p.number, p.decision) for p in meeting.punkter] == [
        (1, "Godkendt."), (2, "Taget til efterretning."), (3, "Rapporten blev godkendt.")]


def test_a_case_number_printed_above_the_heading_is_that_punkts():
    """`Sagsnr. 16/34038` above `1. Title` (as some regions print it): each punkt has its own
    number, and a closed punkt's number is on no open punkt."""
    meeting = parse_referat("\n".join([
        "Sundhedsudvalget - Referat - 25. oktober 2016", "",
        "Sagsnr. 16/34038", "1. Orientering om demensplanen", "Beslutning",
        "Taget til efterretning.", "",
        "Sagsnr. 16/00001", "2. Meddelelser", "Beslutning", "Intet.", "",
        "Sagsnr. 16/40000", "3. LUKKET PUNKT - Salg af arealer", "Beslutning", "Godkendt.", "",
        "Sagsnr. 16/00002", "4. Eventuelt", "Beslutning", "Intet."]))
    assert [(p.number, p.case_number, p.closed) for p in meeting.punkter] == [
        (1, "16/34038", False), (2, "16/00001", False), (3, "", True), (4, "16/00002", False)]
    assert "16/40000" not in repr(meeting)


@pytest.mark.parametrize("style", ["Nr.{n} - {title}", "Nr. {n} - {title}", "{n} : {title}"])
def test_more_item_heading_forms(style):
    """`Nr.143 - Title` (Fredensborg's prints), `1 : Title` (Ringkøbing-Skjern's pages)."""
    meeting = parse_referat("\n".join([
        "REFERAT Byrådet d. 01-10-2018", "",
        style.format(n=143, title="Godkendelse af dagsorden"), "Sagsnr.: 18/24001", "",
        "Beslutning", "Godkendt.", "",
        style.format(n=144, title="Budget 2019-2022"), "Sagsnr.: 18/24758", "",
        "Beslutning", "Vedtaget."]))
    assert [(p.number, p.title, p.decision) for p in meeting.punkter] == [
        (143, "Godkendelse af dagsorden", "Godkendt."), (144, "Budget 2019-2022", "Vedtaget.")]


@pytest.mark.parametrize("line, heading", [
    ("1 (Åben) Godkendelse af dagsorden", (1, "Godkendelse af dagsorden")),
    ("4 (Lukket) Salg af ejendom", (4, "(Lukket) Salg af ejendom")),
    ("1  Åbent         Kommuneplan 2013", (1, "Kommuneplan 2013")),
    ("5. (Åben) Eventuelt", (5, "Eventuelt")),
    ("Punkt: 12", (12, "")),
    ("2 (A) stemte imod", None),
    ("Sag: 17/10438", None),
])
def test_a_status_between_the_number_and_the_title(line, heading):
    """The status between number and title is no part of an open punkt's title, and stays
    in a closed one's for the closed rules; `Punkt: N` is a heading above a case's fields."""
    found = item_heading(line)
    assert (found and (found.number, found.title)) == heading or found is heading is None


def test_a_contents_list_of_bare_numbers_under_dividers_closes_what_it_lists_closed():
    """Gentofte's PDF: `1` / `Title` entries under `Åben dagsorden` and `Lukket dagsorden`,
    then the punkter, each status on a line of its own. The list's divider closes its
    entries' punkter, not the meeting; its entries are no punkter."""
    meeting = parse_referat("\n".join([
        "Dagsorden til", "møde i", "Økonomiudvalget", "", "Mødedato 10. juni 2013", "",
        "Indholdsfortegnelse", "", "Åben dagsorden", "1", "Takster for vinterbadning",
        "2 Meddelelser", "Lukket dagsorden", "3", "Køb af Ravnsborg Mølle", "",
        "1", "Åbent", "Takster for vinterbadning", "007736-2013", "Beslutning", "Godkendt.", "",
        "2", "Åbent", "Meddelelser", "Beslutning", "Intet.", "",
        # the status printed open: only the list's divider says it is closed
        "3", "Åbent", "Køb af Ravnsborg Mølle", "009981-2013", "Beslutning", "Købet godkendt."]))
    assert meeting.forum == "Økonomiudvalget"
    assert [(p.number, p.title, p.case_number, p.closed) for p in meeting.punkter] == [
        (1, "Takster for vinterbadning", "007736-2013", False), (2, "Meddelelser", "", False),
        (3, "Lukket", "", True)]
    assert "Ravnsborg" not in repr(meeting)


def test_a_contents_list_whose_numbers_never_come_again_is_left_to_the_other_rules():
    """`Indholdsfortegnelse` above the punkter themselves (no list, or one without numbers):
    nothing is taken for a contents list, and every punkt keeps its text."""
    meeting = parse_referat("\n".join([
        "REFERAT Byrådet d. 01-10-2018", "", "Indholdsfortegnelse", "",
        "1. Godkendelse af dagsorden", "Sagsnr.: 18/24001", "Beslutning", "Godkendt.", "",
        "2. Budget 2019-2022", "Sagsnr.: 18/24758", "Beslutning", "Vedtaget."]))
    assert [(p.number, p.decision) for p in meeting.punkter] == [(1, "Godkendt."), (2, "Vedtaget.")]


def test_a_case_printed_as_fields_under_punkt_colon_n():
    """Acadre's print: `Punkt: N` above the case's fields, the title below them, the forum
    as a page header above each case. The fields are the head, not the text; the first case
    number is the punkt's; a status among the fields closes it."""
    meeting = parse_referat("\n".join([
        "Økonomiudvalget", "Referat fra ordinært møde", "Torsdag 17. august 2017 kl. 8:00", "",
        "Økonomiudvalget", "Punkt: 1", "Acadre sagsnr.: 17/10611", "Journalnr.: A00",
        "Sagsforløb: ØU - Åben sag", "Sagsbehandler: Jonas Frost", "Meddelelser", "Beslutning",
        "Taget til efterretning.", "",
        "Økonomiudvalget", "Punkt: 2", "Acadre sagsnr.: 17/12566", "Sagsforløb: ØU - Lukket sag",
        "Salg af grunden ved Hedemarken", "Beslutning", "Salget godkendt."]))
    assert meeting.forum == "Økonomiudvalget"
    one, two = meeting.punkter
    assert (one.number, one.title, one.case_number, one.decision) == (
        1, "Meddelelser", "17/10611", "Taget til efterretning.")
    assert "Sagsbehandler" not in repr(one.sections)
    assert two.closed and "Hedemarken" not in repr(meeting)


def test_a_pdfs_running_header_and_page_numbers_in_its_text_are_no_punkts_text():
    """Text saved from a PDF keeps its page furniture: `Side N af M` and the running header
    beside it are dropped from the punkter; a decision heading or a `Godkendt.` that happens
    to stand by a page's number stays."""
    page = ["Side {n} af 4", "Møde i Økonomiudvalget den 10. juni 2013"]
    text = ["Dagsorden til møde i Økonomiudvalget", "Mødedato 10. juni 2013", ""]
    for n in (1, 2, 3):
        text += [f"{n}. Takster {2013 + n}", f"Sagsnr.: 13/100{n}",
                 "Beslutning i Økonomiudvalget den 10. juni 2013:",
                 "Godkendt.", *(x.format(n=n) for x in page)]
    meeting = parse_referat("\n".join(text))
    assert [p.decision for p in meeting.punkter] == ["Godkendt."] * 3


def test_open_and_closed_groups_named_by_one_word():
    """`Åbne` / `Lukkede` alone over a contents list's groups and the body's (Gribskov's
    pages): the punkter under `Lukkede` are closed, the ones under `Åbne` open."""
    meeting = parse_referat("\n".join([
        "Handicaprådet", "Onsdag den 25-10-2017 kl. 16:15", "", "Indholdsfortegnelse:", "Åbne",
        "36 Høring om lokalplan 512", "37 Forretningsorden", "Lukkede", "38 Klage over Vrimlekær",
        "", "Åbne", "", "36. Høring om lokalplan 512", "01.02.05-P16-1-17", "Beslutning",
        "Høringssvar afgivet.", "", "37. Forretningsorden", "00.01.00-A00-1-17", "Beslutning",
        "Godkendt.", "Lukkede", "", "38. Klage over Vrimlekær", "27.24.00-G01-2-17", "Beslutning",
        "Vrimlekær taget til efterretning."]))
    assert [(p.number, p.closed) for p in meeting.punkter] == [(36, False), (37, False), (38, True)]
    assert "Vrimlekær" not in repr(meeting)


def test_a_head_without_date_or_forum_takes_them_from_the_decisions():
    """A web page's head of `Referat` and the members alone (Glostrup's, Høje-Taastrup's):
    the day and the body the decisions' headings name."""
    meeting = parse_referat("\n".join([
        "Referat", "Deltagere:", "- Anna Andersen, A", "", "# Punkt 1: Godkendelse af dagsordenen",
        "## Beslutning i Kommunalbestyrelsen den 28-04-2021", "Godkendt.", "",
        "# Punkt 2: Ny legeplads", "## Sagsfremstilling", "Skitseforslaget er klar.",
        "## Beslutning i Kommunalbestyrelsen den 28-04-2021", "Godkendt."]))
    assert (meeting.forum, meeting.meeting_date) == ("Kommunalbestyrelsen", dt.date(2021, 4, 28))
    assert [p.decision for p in meeting.punkter] == ["Godkendt.", "Godkendt."]


def test_an_attendance_label_under_every_decision_heading_is_no_section():
    """`Fraværende:` right under each decision's heading (a web referat's layout): the
    decision stays the decision, in every punkt."""
    meeting = parse_referat("\n".join([
        "REFERAT Økonomiudvalget d. 01-10-2018", "Start kl.: 17:00", "",
        "1. Godkendelse af dagsorden", "Sagsnr.: 18/1", "Beslutning", "Fraværende:", "Godkendt.",
        "", "2. Tilskud til foreningen", "Sagsnr.: 18/2", "Beslutning", "Fraværende:",
        "Anbefales."]))
    assert [p.decision for p in meeting.punkter] == ["Fraværende:\nGodkendt.",
                                                     "Fraværende:\nAnbefales."]
    assert meeting.time == "17:00"

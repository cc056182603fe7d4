"""Readers: the same minutes as a real PDF (page headers, footers, page numbers), a Word
document and a printed web page read as the same meeting as the .txt."""
from __future__ import annotations

import re

import pytest

from ingest.parse import parse_referat
from ingest.readers import read_file, strip_page_furniture
from minutes_files import write_docx, write_html, write_pdf

DAYS = ["2019-01-17", "2019-03-14", "2021-09-02", "2023-03-15", "2024-04-24"]


def words(text: str) -> str:
    return " ".join(text.split())


def letters(text: str) -> str:
    """Text without any whitespace: a PDF may break a long URL inside the word."""
    return "".join(text.split())


def header_for(day: str) -> str:
    d = day.split("-")
    return f"Albertslund Kommune — Referat Chefforum {d[2]}-{d[1]}-{d[0]}"


def assert_same_meeting(got, expected, *, exact_whitespace: bool = False):
    assert (got.forum, got.meeting_date, got.time, got.place) == (
        expected.forum, expected.meeting_date, expected.time, expected.place)
    assert [(p.number, p.title, p.heading, p.case_number, p.closed, p.bilag)
            for p in got.punkter] == [
        (p.number, p.title, p.heading, p.case_number, p.closed, p.bilag)
        for p in expected.punkter]
    for g, e in zip(got.punkter, expected.punkter):
        assert list(g.sections) == list(e.sections), g.number
        assert words(g.decision) == words(e.decision), g.number
        for name in e.sections:
            if exact_whitespace:
                assert words(g.sections[name]) == words(e.sections[name]), (g.number, name)
            else:
                assert letters(g.sections[name]) == letters(e.sections[name]), (g.number, name)


# --- PDF -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pdfs(samples_dir, tmp_path_factory):
    """Each sample as a multi-page PDF with a running header and `Side N af M` footer."""
    out = {}
    folder = tmp_path_factory.mktemp("pdf")
    for day in DAYS:
        text = (samples_dir / f"chefforum-{day}.txt").read_text(encoding="utf-8")
        path = folder / f"chefforum-{day}.pdf"
        info = write_pdf(text, path, header=header_for(day))
        out[day] = (path, info, parse_referat(text))
    return out


@pytest.mark.parametrize("day", DAYS)
def test_pdf_reads_as_the_txt(pdfs, day):
    path, info, expected = pdfs[day]
    assert info.pages >= 9
    # Sections run across page breaks, so headers and footers fall inside them.
    assert len(info.split_sections) >= 2, info.split_sections
    got = parse_referat(read_file(path), source=str(path))
    assert_same_meeting(got, expected)


@pytest.mark.parametrize("day", DAYS)
def test_pdf_page_furniture_stays_out_of_the_sections(pdfs, day):
    path, info, _ = pdfs[day]
    text = read_file(path)
    assert "Albertslund Kommune —" not in text
    assert not re.search(r"Side \d+ af \d+", text)
    got = parse_referat(text)
    for p in got.punkter:
        for name, body in [*p.sections.items(), ("Bilag", "\n".join(p.bilag))]:
            for line in body.split("\n"):
                assert not re.fullmatch(r"\s*\d{1,2}\s*", line), (p.number, name, line)
                assert "Referat Chefforum" not in line, (p.number, name, line)
    # Where a section was split over pages, it is one piece of text again.
    for number, name in info.split_sections:
        p = got.punkt(number)
        assert (p.bilag if name == "Bilag" else p.sections.get(name)), (number, name)


@pytest.mark.parametrize("footer", ["{n}", "- {n} -", "Side {n}"])
def test_pdf_with_other_page_number_styles(tmp_path, samples_dir, footer):
    # the shortest sample: still sections split over pages, in a third of the time
    text = (samples_dir / "chefforum-2019-01-17.txt").read_text(encoding="utf-8")
    path = tmp_path / "referat.pdf"
    info = write_pdf(text, path, header=header_for("2019-01-17"), footer=footer)
    assert info.split_sections
    assert_same_meeting(parse_referat(read_file(path)), parse_referat(text))


def test_page_furniture_rules():
    pages = [
        ["Referat Chefforum 24-04-2024", "Punkt 1: CF - A", "00.01.00-P35-7-23",
         "Beslutning", "Godkendt.", "Punkt 2: CF - Budget", "Side 1 af 3"],
        # `Beslutning` and `Bilag` stand at this page's edges, but also mid-page elsewhere
        ["Referat Chefforum 24-04-2024", "Beslutning", "Godkendt igen.", "Bilag",
         "Notat", "Bilag", "Side 2 af 3"],
        ["Referat Chefforum 24-04-2024", "Beslutning", "Tekst", "Punkt 3: CF - Opgaver",
         "Budget", "2023", "Side 3 af 3"],
    ]
    kept = strip_page_furniture(pages)
    assert "Referat Chefforum 24-04-2024" not in kept
    assert not [line for line in kept if line.startswith("Side ")]
    assert kept.count("Beslutning") == 3 and kept.count("Bilag") == 2
    # a year at the foot of a page is text, not a page number
    assert kept[-1] == "2023"


def test_bare_page_numbers_that_count_up_are_dropped():
    pages = [["Punkt 1: CF - A", "Tekst et", f"{n + 1}"] if n else
             ["REFERAT Chefforum d. 24-04-2024", "Tekst", "1"] for n in range(4)]
    pages[2][1] = "12"  # a number in the text that does not count with the pages
    kept = strip_page_furniture(pages)
    assert kept.count("12") == 1
    assert not any(line in ("1", "2", "3", "4") for line in kept)


def test_single_page_pdf(tmp_path):
    text = ("REFERAT Chefforum d. 24-04-2024\n\nMødedato Onsdag d. 24. april 2024 kl. 09:00\n\n"
            "Punkt 1: CF - Godkendelse af dagsorden og referat\n\n00.01.00-P35-7-23\n\n"
            "Beslutning\n\nGodkendt.\n")
    path = tmp_path / "kort.pdf"
    info = write_pdf(text, path, header="Albertslund Kommune", footer="{n}")
    assert info.pages == 1
    m = parse_referat(read_file(path))
    assert m.punkt(1).decision == "Godkendt."


# --- DOCX and HTML ---------------------------------------------------------------------

@pytest.mark.parametrize("day", DAYS)
def test_docx_reads_as_the_txt(tmp_path, samples_dir, day):
    text = (samples_dir / f"chefforum-{day}.txt").read_text(encoding="utf-8")
    path = tmp_path / f"chefforum-{day}.docx"
    write_docx(text, path)
    got = parse_referat(read_file(path))
    expected = parse_referat(text)
    assert_same_meeting(got, expected, exact_whitespace=True)
    assert got.content_hash == expected.content_hash


def test_docx_is_a_real_word_document_with_headings_and_a_table(tmp_path, samples_dir):
    import docx

    path = tmp_path / "referat.docx"
    write_docx((samples_dir / "chefforum-2024-04-24.txt").read_text(encoding="utf-8"), path)
    document = docx.Document(str(path))
    styles = {p.style.name for p in document.paragraphs}
    assert {"Title", "Heading 1", "Heading 2"} <= styles
    assert len(document.tables) >= 2
    # The agenda table of punkt 1 reads back as tab-separated rows.
    assert ("Beslutning\tRådhusets telefontider\tDorthe\t25"
            in parse_referat(read_file(path)).punkt(1).sections["Sagsfremstilling"])


@pytest.mark.parametrize("day", DAYS)
def test_html_reads_as_the_txt(tmp_path, samples_dir, day):
    text = (samples_dir / f"chefforum-{day}.txt").read_text(encoding="utf-8")
    path = tmp_path / f"chefforum-{day}.html"
    write_html(text, path)
    got = parse_referat(read_file(path))
    expected = parse_referat(text)
    assert_same_meeting(got, expected, exact_whitespace=True)
    assert got.content_hash == expected.content_hash


def test_html_navigation_scripts_and_page_footer_do_not_leak(tmp_path, samples_dir):
    path = tmp_path / "referat.htm"
    write_html((samples_dir / "chefforum-2024-04-24.txt").read_text(encoding="utf-8"), path)
    markup = path.read_text(encoding="utf-8")
    assert "<nav" in markup and "<script>" in markup and "<footer>" in markup
    text = read_file(path)
    for leak in ("Forside", "Dagsordener og referater", "document.title", "Punkt 1: CF - Menu",
                 "font-family", "Nordmarks Allé", "Se også"):
        assert leak not in text
    m = parse_referat(text)
    assert m.punkt(10).bilag == ("Årshjul for Chefforum 2024", "Forslag til temamøder i CF")
    assert "Tlf." not in m.punkt(10).decision


def test_a_web_pages_labels_stay_apart_from_their_values(tmp_path):
    """`<span class="label">Udvalg</span>Byrådet` reads `Udvalg: Byrådet` (a page's style
    sets the label apart; run together it made the forum `UdvalgByrådet`)."""
    path = tmp_path / "byraadet.html"
    path.write_text(
        "<html><body><h1>Byrådet 22-01-2020</h1>"
        '<div><span class="label">Mødested</span>Rådssalen</div>'
        '<div><span class="field-label">Udvalg</span>Byrådet</div>'
        "<h3>1. Godkendelse af dagsorden</h3><h4>Beslutning</h4><p>Godkendt.</p>"
        "</body></html>", encoding="utf-8")
    text = read_file(path)
    assert "Mødested: Rådssalen" in text and "Udvalg: Byrådet" in text
    meeting = parse_referat(text)
    assert (meeting.forum, meeting.place) == ("Byrådet", "Rådssalen")


def _row(number: int, title: str, decision: str) -> str:
    return (f"<tr><td>{number}</td><td><h3>{title}</h3><h4>Beslutning</h4><p>{decision}</p>"
            "</td></tr>")


@pytest.mark.parametrize("body", [
    "<h3>4. Godkendelse af dagsorden</h3><h4>Beslutning</h4><p>Godkendt.</p>"
    '<h3><img src="lock.png" alt="Lukket punkt"> 5. Køb af ejendom ved Pjaltrupvej</h3>'
    "<h4>Beslutning</h4><p>Vrimlekær godkendt.</p>"
    "<h3>6. Eventuelt</h3><h4>Beslutning</h4><p>Intet.</p>",
    "<h3>4. Godkendelse af dagsorden</h3><h4>Beslutning</h4><p>Godkendt.</p>"
    '<h3>5. Køb af ejendom ved Pjaltrupvej</h3><img src="lock.svg" alt="" title="Lukket">'
    "<h4>Beslutning</h4><p>Vrimlekær godkendt.</p>"
    "<h3>6. Eventuelt</h3><h4>Beslutning</h4><p>Intet.</p>",
    # each punkt a table row, its number in the first cell (FirstAgenda's pages)
    "<table>" + _row(4, "Godkendelse af dagsorden", "Godkendt.")
    + _row(5, 'Køb af ejendom ved Pjaltrupvej <img alt="Lukket punkt">', "Vrimlekær godkendt.")
    + _row(6, "Eventuelt", "Intet.") + "</table>",
], ids=["in-the-heading", "below-the-heading", "table-row"])
def test_a_lock_icon_marks_its_punkt_closed(tmp_path, body):
    """A web page that marks a closed punkt by an icon alone: its alt or title text."""
    path = tmp_path / "icon.html"
    path.write_text(f"<html><body><h1>REFERAT Byrådet d. 13-05-2024</h1>{body}</body></html>",
                    encoding="utf-8")
    meeting = parse_referat(read_file(path))
    assert [(p.number, p.closed) for p in meeting.punkter] == [(4, False), (5, True), (6, False)]
    assert "Vrimlekær" not in repr(meeting) and "Pjaltrupvej" not in repr(meeting)


@pytest.mark.parametrize("agenda", [
    # Herning: an <ol> of cases, the browser's number, the title an h3 below the case number
    "<ol>" + "".join(f"<li><div><p>Sagsnr.: 0{n}.00.00-A00-{n}-17</p><h3>{title}</h3>"
                     f"<h4>Beslutning</h4><p>{decision}</p></div></li>"
                     for n, title, decision in [(1, "Grønne stier", "Godkendt."),
                                                (2, "Lukket punkt: Køb af Bredmose", "Vrimlekær.")])
    + "</ol>",
    # Viborg: a <ul> whose items print their number in a link, the sections in a nested list
    "<ul>" + "".join(f'<li><a href="#p{n}">{n} {title}</a><ul><li><h3>Beslutning</h3>'
                     f"<p>{decision}</p></li></ul></li>"
                     for n, title, decision in [(1, "Grønne stier", "Godkendt."),
                                                (2, "Lukket punkt: Køb af Bredmose", "Vrimlekær.")])
    + "</ul>",
    # Hedensted, Aalborg: the title in an accordion's button, the status below it
    "".join(f'<div><button class="accordion-toggle"><span>{n}.</span> <span>{title}</span>'
            f"</button><p>{status}</p><h3>Beslutning</h3><p>{decision}</p></div>"
            for n, title, status, decision in [(1, "Grønne stier", "Åben", "Godkendt."),
                                               (2, "Køb af Bredmose", "Lukket", "Vrimlekær.")]),
])
def test_a_web_page_whose_punkter_are_list_items_or_buttons(tmp_path, agenda):
    path = tmp_path / "udvalg.html"
    path.write_text("<html><body><h1>Teknik- og Miljøudvalget</h1><p>Mødedato: 6. november "
                    f"2017</p>{agenda}<button>Hent som PDF</button></body></html>",
                    encoding="utf-8")
    meeting = parse_referat(read_file(path))
    assert [(p.number, p.title, p.decision, p.closed) for p in meeting.punkter] == [
        (1, "Grønne stier", "Godkendt.", False), (2, "Lukket", "", True)]
    assert "Bredmose" not in repr(meeting) and "Vrimlekær" not in repr(meeting)
    assert "Hent som PDF" not in read_file(path)


def test_an_ordered_list_inside_a_punkt_stays_a_list(tmp_path):
    """The browser's numbers are written only for a list before any punkt (an agenda
    written as a list): an `at …` list in Indstilling is not taken for punkter."""
    meeting = _page(tmp_path, "<h3>1. Vandløbsregulativ</h3><h4>Indstilling</h4><ol><li>"
                    "Regulativet sendes i høring,</li><li>Udvalget orienteres.</li></ol>"
                    "<h4>Beslutning</h4><p>Godkendt.</p><h3>2. Eventuelt</h3><h4>Beslutning"
                    "</h4><p>Intet.</p>")
    assert [(p.number, p.decision) for p in meeting.punkter] == [(1, "Godkendt."), (2, "Intet.")]
    assert meeting.punkt(1).sections["Indstilling"] == (
        "- Regulativet sendes i høring,\n- Udvalget orienteres.")


@pytest.mark.parametrize("item", [
    '<li><a href="#p3">3 Køb af Bredmose</a> (Lukket)<ul><li>{sections}</li></ul></li>',
    '<li><img src="lock.png" alt="Lukket punkt"><a>3 Køb af Bredmose</a><ul><li>{sections}'
    "</li></ul></li>",
    "<li><b>3</b> Lukket punkt: Køb af Bredmose<ul><li>{sections}</li></ul></li>",
    "<li>Lukket<div><h3>Køb af Bredmose</h3>{sections}</div></li>",
])
def test_a_list_items_closed_mark_anywhere_before_its_sections_closes_it(tmp_path, item):
    """The mark after the title's link, a lock icon before it, the text after a bold
    number, the item's own text before its title heading: each closes the punkt."""
    sections = "<h3>Beslutning</h3><p>Vrimlekær godkendt.</p>"
    meeting = _page(tmp_path, "<ol start='2'><li><a href='#p2'>2 Grønne stier</a><div><h3>"
                    "Beslutning</h3><p>Godkendt.</p></div></li>"
                    f"{item.format(sections=sections)}</ol>")
    assert [(p.number, p.title, p.closed) for p in meeting.punkter] == [
        (2, "Grønne stier", False), (3, "Lukket", True)]
    assert "Bredmose" not in repr(meeting) and "Vrimlekær" not in repr(meeting)


def test_a_line_break_in_a_heading_parts_its_words(tmp_path):
    """`<h1>Referat<br>Kultur- og Demokratiudvalget 3. september 2018</h1>` names the
    forum (run together, the forum was `ReferatKultur- og Demokratiudvalget`); `Tid` is the
    time's label in its table."""
    path = tmp_path / "kdu.html"
    path.write_text("<html><body><h1>Referat<br>Kultur- og Demokratiudvalget 3. september "
                    "2018</h1><table><tr><td>Tid</td><td>15.00</td></tr></table>"
                    "<h2>103. Godkendelse af dagsorden</h2><h3>Beslutning</h3><p>Godkendt.</p>"
                    "</body></html>", encoding="utf-8")
    meeting = parse_referat(read_file(path))
    assert (meeting.forum, meeting.time) == ("Kultur- og Demokratiudvalget", "15:00")


@pytest.mark.parametrize("mark", ["Lukket punkt", "LUKKET DAGSORDEN", "Offentlig: Nej"])
def test_a_closed_mark_at_a_pages_edge_is_never_page_furniture(mark):
    """One punkt a page, and most pages open with the closed part's status or header: the
    mark repeats at the pages' tops like a running header, and is kept all the same."""
    pages = [["Referat Økonomiudvalget 10. juni 2013", "1. Godkendelse", "Beslutning", "Ok.",
              "Side 1 af 4"]]
    pages += [[mark, f"{n}. Salg af Vrimlekær {n}", "Beslutning", "Solgt.", f"Side {n} af 4"]
              for n in (2, 3, 4)]
    assert strip_page_furniture(pages).count(mark) == 3


@pytest.mark.parametrize("mark", [
    '<p><span class="badge bg-secondary">Lukket</span></p>',
    '<p><span class="sr-only">Lukket punkt</span></p>',
    '<p aria-hidden="true">Lukket punkt</p>',
    '<button class="btn" title="Lukket punkt"></button>',
])
def test_a_closed_status_in_what_a_page_leaves_out_still_closes(tmp_path, mark):
    """A badge, an icon's screen-reader text, a hidden status, a button's tooltip: page
    chrome, but a status that says closed is written as a line of the punkt's head."""
    meeting = _page(tmp_path, "<h2>1. Godkendelse af dagsorden</h2><h3>Beslutning</h3>"
                    f"<p>Godkendt.</p><h2>2. Salg af Vrimlekær</h2>{mark}<h3>Beslutning</h3>"
                    "<p>Vrimlekær solgt.</p>")
    assert [(p.number, p.closed) for p in meeting.punkter] == [(1, False), (2, True)]
    assert "Vrimlekær" not in repr(meeting)


def test_a_menu_that_names_a_closed_punkt_closes_no_other(tmp_path):
    """FirstAgenda's menu button after each punkt is labelled with the punkt's title
    (`Menu til punktet Lukket punkt`): it names a punkt and closes nothing below it."""
    meeting = _page(tmp_path, "<h2>1. Lukket punkt: Salg</h2><h3>Beslutning</h3><p>Solgt.</p>"
                    "<button aria-label='Menu til punktet Lukket punkt'></button><h2>2. Budget"
                    "</h2><h3>Beslutning</h3><p>Godkendt.</p>")
    assert [(p.number, p.closed) for p in meeting.punkter] == [(1, True), (2, False)]


def test_a_word_box_content_controls_and_line_breaks_keep_their_lines(tmp_path):
    """A heading and its status in a table of one cell, a status in a content control, a
    heading broken over two lines by a line break: each line is read as a line."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    document.add_paragraph("Referat")
    document.add_paragraph("Mødedato: 10. juni 2013")
    for text in ("Punkt 1: Godkendelse af dagsorden", "Beslutning", "Godkendt."):
        document.add_paragraph(text)
    cell = document.add_table(rows=1, cols=1).cell(0, 0)
    cell.paragraphs[0].text = "Punkt 2: Salg af Vrimlekær"
    cell.add_paragraph("Lukket punkt")
    for text in ("Beslutning", "Vrimlekær solgt."):
        document.add_paragraph(text)
    document.add_paragraph("Punkt 3: Køb af Pjaltrupvej")._p.addnext(parse_xml(
        f"<w:sdt {nsdecls('w')}><w:sdtContent><w:p><w:r><w:t>Lukket punkt</w:t></w:r></w:p>"
        "</w:sdtContent></w:sdt>"))
    for text in ("Beslutning", "Pjaltrupvej købt."):
        document.add_paragraph(text)
    heading = document.add_paragraph("Punkt 4: Eventuelt")
    heading.runs[0].add_break()
    heading.add_run("Lukket")
    for text in ("Beslutning", "Vrimlekær nævnt."):
        document.add_paragraph(text)
    path = tmp_path / "udvalg.docx"
    document.save(path)
    meeting = parse_referat(read_file(path))
    assert [(p.number, p.closed) for p in meeting.punkter] == [
        (1, False), (2, True), (3, True), (4, True)]
    assert "Vrimlekær" not in repr(meeting) and "Pjaltrupvej" not in repr(meeting)


def _page(tmp_path, body: str):
    """A web page of minutes with `body` under its title, read and parsed as ingest does."""
    path = tmp_path / "udvalg.html"
    path.write_text(f"<html><body><h1>Byrådet 22-01-2020</h1>{body}</body></html>",
                    encoding="utf-8")
    return parse_referat(read_file(path))

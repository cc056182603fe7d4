"""Closed stays closed where the rules for the layouts of 2013-2025 web pages and prints
(status between number and title, `Punkt: N` above a case's fields, contents lists under
`Indholdsfortegnelse`, punkter as list items or accordion buttons) meet text they were not
written for. Each case was found by one of four reviews that tried to make those rules
keep a closed punkt's words; each fails on the code before its fix (a later review's on the
code after the earlier fixes; the fourth's leaked at 6aae01f as well). The secret word is
`Vrimlekær`."""
from __future__ import annotations

import json

import pytest

from ingest.parse import ParseError, parse_referat
from ingest.webpage import page_to_text

SECRET = "Vrimlekær"
HEAD = "Referat\nØkonomiudvalget\nMødedato: 10. juni 2013\n\n"
PAGE = "<html><body><h1>Referat Økonomiudvalget</h1><p>Mødedato: 10. juni 2013</p>{}</body></html>"

TEXTS = {
    # a closed field among the fields under `Punkt: N`, above the title
    "felt-under-punkt-kolon": HEAD + "Punkt: 1\nSagsnr.: 13/1\nSagsbehandler: Anne\n"
    "Godkendelse af dagsorden\nBeslutning\nGodkendt.\n\nPunkt: 2\nSagsnr.: 13/2\n"
    f"Offentlig: Nej\nSalg af {SECRET}\nBeslutning\n{SECRET} solgt.\n",
    # the next `Punkt: N` is no field of the one above (its title is not the next one's)
    "naeste-punkt-er-ikke-et-felt": HEAD + "Indholdsfortegnelse\nPunkt 4 Orientering ..... 2\n"
    f"Lukket dagsorden\nPunkt 5 Salg af {SECRET} ..... 3\n\nPunkt: 4\nSagsnr.: 13/1\n"
    "Emne: Meddelelser\nBeslutning: Taget til efterretning.\n\nPunkt: 5\nSagsnr.: 13/2\n"
    f"Salg af {SECRET}\nBeslutning\n{SECRET} solgt.\n",
    # a status printed above the first heading after a contents list stays above it
    "status-efter-indholdsfortegnelsen": HEAD + f"Indholdsfortegnelse\n1. Salg af {SECRET}\n"
    f"2. Budget\n\nLukket punkt\n1. Salg af {SECRET}\nSagsnr.: 13/1\nBeslutning\n"
    f"{SECRET} solgt.\n\nÅbent punkt\n2. Budget\nSagsnr.: 13/2\nBeslutning\nGodkendt.\n",
    # a divider after the list is the body's
    "skillelinje-efter-indholdsfortegnelsen": HEAD + "Indholdsfortegnelse\n"
    f"1. Godkendelse af dagsorden\n2. Salg af {SECRET}\n\nLukket dagsorden\n\n"
    "1. Godkendelse af dagsorden\nSagsnr.: 13/1\nBeslutning\nGodkendt.\n\n"
    f"2. Salg af {SECRET}\nSagsnr.: 13/3\nBeslutning\n{SECRET} solgt.\n",
    # `3` / `Åben` / a title inside a closed punkt's text heads nothing
    "status-paa-egne-linjer-i-teksten": HEAD + "1. Godkendelse af dagsorden\nSagsnr.: 13/1\n"
    f"Beslutning\nGodkendt.\n\n2. Lukket punkt: Udbud af {SECRET}\nSagsnr.: 13/2\n"
    f"Sagsfremstilling\nAntal tilbud i alt:\n3\nÅben\nLicitation {SECRET}\nBeslutning\n"
    f"{SECRET} vinder.\n\n3. Budget\nSagsnr.: 13/3\nBeslutning\nGodkendt.\n",
    # a table of `N` / `Åben` / … in a closed punkt's text (the last punkt) heads nothing
    "statustabel-i-et-lukket-punkt": HEAD + "1. Godkendelse af dagsorden\nSagsnr.: 13/1\n"
    f"Beslutning\nGodkendt.\n\n2. Lukket punkt: Udbud af {SECRET}\nSagsnr.: 13/2\n"
    f"Sagsfremstilling\nTilbud:\n3\nÅben\nLicitation {SECRET}\n4\nÅben\nEntreprise {SECRET}\n"
    f"Beslutning\n{SECRET} vinder.\n",
    # a status beside a contents entry without leaders: above it, or in a column after it
    "status-over-et-punkt-i-indholdsfortegnelsen": HEAD + "Indholdsfortegnelse\n1 Budget\n"
    f"Lukket punkt\n2 Salg af {SECRET}\n3 Trafik\n\n1 Budget\nSagsnr.: 13/1\nBeslutning\n"
    f"Godkendt.\n\n2 Salg af {SECRET}\nSagsnr.: 13/2\nBeslutning\n{SECRET} solgt.\n\n"
    "3 Trafik\nSagsnr.: 13/3\nBeslutning\nGodkendt.\n",
    "status-efter-et-punkt-i-indholdsfortegnelsen": HEAD + "Indholdsfortegnelse\n1\nBudget\n"
    f"2\nSalg af {SECRET}\nLukket\n3\nTrafik\n\n1 Budget\nSagsnr.: 13/1\nBeslutning\n"
    f"Godkendt.\n\n2 Salg af {SECRET}\nSagsnr.: 13/2\nBeslutning\n{SECRET} solgt.\n\n"
    "3 Trafik\nSagsnr.: 13/3\nBeslutning\nGodkendt.\n",
    # a closed punkt's last line is no title of the bare number below it
    "titel-fra-et-lukket-punkts-tekst": HEAD + "Punkt: 1\nSagsnr.: 13/1\nSagsbehandler: Anne\n"
    "Godkendelse af dagsorden\nBeslutning\nGodkendt.\n\nPunkt: 2\nSagsnr.: 13/2\n"
    f"Offentlig: Nej\nSalg af grund\nBeslutning\n{SECRET} solgt.\n\n{SECRET} Ejendomme A/S\n\n"
    "Punkt: 3\nSagsnr.: 13/3\nSagsbehandler: Bo\nBudget\nBeslutning\nGodkendt.\n",
    # the case number under a closed punkt in a list without page numbers stays with it
    "sagsnummer-under-et-lukket-punkt-efter-en-liste": HEAD + "Dagsorden:\n"
    f"1. Godkendelse af dagsorden\n2. Salg af {SECRET}\n3. Budget\n\n1. Godkendelse af "
    f"dagsorden\nSagsnr.: 13/1\nBeslutning\nGodkendt.\n\n2. Salg af {SECRET}\nLukket punkt\n"
    "Sagsnr.: 13/9999\n\n3. Budget\nBeslutning\nGodkendt.\n",
    "sagsnummer-i-et-lukket-punkts-afsnit": HEAD + "# Punkt 1: Godkendelse af dagsorden\n"
    f"## Beslutning\nGodkendt.\n\n# Punkt 2: Lukket: {SECRET} salg\n## Sagsoplysninger\n"
    "Sagsnr.: 13/9999\n\n# Punkt 3: Budget\n## Beslutning\nGodkendt.\n",
    # a table cell `Åbne` in a closed punkt's text after a closed divider reopens nothing
    "aabne-i-en-tabel-efter-skillelinjen": HEAD + "1. Godkendelse af dagsorden\nSagsnr.: 13/1\n"
    f"Beslutning\nGodkendt.\n\nLukket dagsorden\n\n2. Klagesager {SECRET}\nSagsnr.: 13/2\n"
    "Sagsfremstilling\nOversigt over klager:\nÅbne\n12\nAfsluttede\n40\nBeslutning\n"
    f"{SECRET} noteret.\n\n3. Personalesag {SECRET}\nSagsnr.: 13/3\nBeslutning\n"
    f"{SECRET} godkendt.\n",
    # a status table in a punkt closed by a field, before the open punkt after it
    "statustabel-i-et-punkt-lukket-af-et-felt": HEAD + "1. Godkendelse af dagsorden\n"
    f"Sagsnr.: 13/1\nBeslutning\nGodkendt.\n\n2. Udbud af {SECRET}\nSagsnr.: 13/2\n"
    f"Status: Lukket\nSagsfremstilling\nTilbud:\n3\nÅben\nLicitation {SECRET}\n4\nÅben\n"
    f"Entreprise {SECRET}\nBeslutning\n{SECRET} vinder.\n\n5. Budget\nSagsnr.: 13/5\n"
    "Beslutning\nGodkendt.\n",
    # `Lukket` in a column right under the last contents entry
    "status-under-sidste-punkt-i-indholdsfortegnelsen": HEAD + "Indholdsfortegnelse\n"
    f"1 Budget\n2 Trafik\n3 Salg af {SECRET} 4\nLukket\n\n1 Budget\nSagsnr.: 13/1\n"
    "Beslutning\nGodkendt.\n\n2 Trafik\nSagsnr.: 13/2\nBeslutning\nGodkendt.\n\n"
    f"3 Salg af {SECRET}\nSagsnr.: 13/3\nBeslutning\n{SECRET} solgt.\n",
    # a closed punkt printed once as a placeholder, then in an appendix after the open part
    "lukket-punkt-gentaget-i-et-tillaeg": HEAD + "Punkt 1: Godkendelse af dagsorden\n"
    f"Sagsnr.: 13/1\nBeslutning\nGodkendt.\n\nPunkt 2: Lukket punkt: Salg af {SECRET}\n"
    "Sagsnr.: 13/9999\n\nPunkt 3: Budget\nBeslutning\nGodkendt.\n\nLukket referat\n\n"
    f"Punkt 2: Salg af {SECRET}\nSagsnr.: 13/9999\nBeslutning\n{SECRET} solgt.\n",
    "lukket-overskrift-gentaget-efter-et-aabent-punkt": HEAD + "1. Godkendelse af dagsorden\n"
    f"Sagsnr.: 13/1\nBeslutning\nGodkendt.\n\n2. Salg af {SECRET}\nLukket punkt\n"
    f"Sagsnr.: 13/9999\n\n3. Budget\nBeslutning\nGodkendt.\n\n2. Salg af {SECRET}\n"
    f"Beslutning\n{SECRET} solgt.\n",
    # a case number at a closed punkt's end stays with it, even after an open one's moved
    "sagsnummer-efter-et-aabent-punkts-flyttede": HEAD + "# Punkt 1: Godkendelse af dagsorden\n"
    "## Beslutning\nGodkendt.\n## Sagsoplysninger\nSagsnr.: 13/1\n\n"
    f"# Punkt 2: Lukket: {SECRET} salg\n## Sagsoplysninger\nSagsnr.: 13/9999\n\n"
    "# Punkt 3: Budget\n## Beslutning\nGodkendt.\n",
    # a contents list whose page numbers stand on lines of their own (pdftotext)
    "sidetal-paa-egne-linjer-i-indholdsfortegnelsen": HEAD + "Indholdsfortegnelse\n"
    "1 (Åben) Godkendelse af dagsorden\n3\n2 (Åben) Budget 2014\n4\n3 (Lukket) Salg af "
    f"{SECRET}\n6\n4 (Åben) Eventuelt\n7\n\n1. Godkendelse af dagsorden\nSagsnr.: 13/1\n"
    "Beslutning\nGodkendt.\n\n2. Budget 2014\nSagsnr.: 13/2\nBeslutning\nGodkendt.\n\n"
    f"3. Salg af {SECRET}\nSagsnr.: 13/3\nBeslutning\n{SECRET} solgt.\n\n4. Eventuelt\n"
    "Beslutning\nIntet.\n",
    "nummer-og-lukket-titel-paa-egne-linjer": HEAD + "Indholdsfortegnelse\n1\n"
    f"Godkendelse af dagsorden\n2\nBudget 2014\n3\nLukket punkt: Salg af {SECRET}\n4\n"
    "Eventuelt\n\n1. Godkendelse af dagsorden\nSagsnr.: 13/1\nBeslutning\nGodkendt.\n\n"
    "2. Budget 2014\nSagsnr.: 13/2\nBeslutning\nGodkendt.\n\n"
    f"3. Salg af {SECRET}\nSagsnr.: 13/3\nBeslutning\n{SECRET} solgt.\n\n4. Eventuelt\n"
    "Beslutning\nIntet.\n",
    # a closed field as a label over its value, or with the law's reason after it
    "felt-over-to-linjer": HEAD + "1. Godkendelse af dagsorden\nSagsnr.: 13/1\nBeslutning\n"
    f"Godkendt.\n\n2. Salg af {SECRET}\nSagsnr.: 13/2\nOffentlig\nNej\nBeslutning\n"
    f"{SECRET} solgt.\n\n3. Budget\nSagsnr.: 13/3\nBeslutning\nGodkendt.\n",
    "felt-med-begrundelse": HEAD + "1. Godkendelse af dagsorden\nSagsnr.: 13/1\nBeslutning\n"
    f"Godkendt.\n\n2. Salg af {SECRET}\nSagsnr.: 13/2\nOffentlig: Nej, jf. § 10\n"
    f"Beslutning\n{SECRET} solgt.\n\n3. Budget\nSagsnr.: 13/3\nBeslutning\nGodkendt.\n",
    # the law's words in the text, not the head
    "for-lukkede-doere-i-teksten": HEAD + "1. Godkendelse af dagsorden\nSagsnr.: 13/1\n"
    f"Beslutning\nGodkendt.\n\n2. Salg af {SECRET}\nSagsnr.: 13/2\nSagsfremstilling\n"
    f"Køberen har budt.\nSagen behandles for lukkede døre, jf. styrelseslovens § 10.\n"
    f"Beslutning\n{SECRET} solgt.\n\n3. Budget\nSagsnr.: 13/3\nBeslutning\nGodkendt.\n",
    # a status above the case number above the heading
    "status-over-sagsnummeret": HEAD + "1. Godkendelse af dagsorden\nSagsnr.: 13/1\n"
    f"Beslutning\nGodkendt.\n\nLukket punkt\nSagsnr.: 13/9999\n2. Salg af {SECRET}\n"
    f"Beslutning\n{SECRET} solgt.\n\n3. Budget\nBeslutning\nGodkendt.\n",
    # statuses after each punkt, then a page number; statuses above, then a stray one
    "status-efter-punktet-og-sidetal": HEAD + "1. Budget\nSagsnr.: 13/2\nBeslutning\n"
    f"Godkendt.\nÅben\n\n2. Salg af {SECRET}\nSagsnr.: 13/9999\nBeslutning\n{SECRET} solgt.\n"
    "Lukket\n\nSide 2 af 2\n",
    "status-over-og-en-til-sidst": HEAD + "1. Budget\nSagsnr.: 13/2\nBeslutning\nGodkendt.\n\n"
    f"Lukket punkt\n2. Salg af {SECRET}\nSagsnr.: 13/9999\nBeslutning\n{SECRET} solgt.\n\n"
    "Åbent punkt\n3. Trafik\nBeslutning\nGodkendt.\n\nÅbent punkt\n",
    # a KLE number alone above a closed punkt's heading is no heading of its own
    "kle-nummer-over-overskriften": HEAD + "Sagsnr. 00.01.00-A00-1-13\n1. Godkendelse af "
    "dagsorden\nBeslutning\nGodkendt.\n\n00.01.00-A00-9999-13\n2. Lukket punkt: Salg\n"
    "Beslutning\nSolgt.\n",
    # a closed punkt's case number stays with it when a lower number follows
    "sagsnummer-bliver-ved-det-lukkede": HEAD + "Punkt 1: Godkendelse af dagsorden\n"
    "Sagsnr.: 13/1\nBeslutning\nGodkendt.\n\nPunkt 3: Lukket punkt\nSagsnr.: 13/9999\n\n"
    "Punkt 2: Budget\nSagsnr.: 13/2\nBeslutning\nGodkendt.\n",
}
PAGES = {
    # a list item that holds a group of punkter is no punkt; its divider closes them
    "gruppe-som-listepunkt": "<ol><li><h2>Åben dagsorden</h2><div><h3>1. Godkendelse af "
    "dagsorden</h3><h4>Beslutning</h4><p>Godkendt.</p><h3>2. Budget</h3><h4>Beslutning</h4>"
    "<p>Godkendt.</p></div></li><li><h2>Lukket dagsorden</h2><p>Fremmødte: alle.</p><div>"
    f"<h3>3. Salg af {SECRET}</h3><h4>Beslutning</h4><p>{SECRET} solgt.</p></div></li></ol>",
    # a list in a closed punkt's text is no punkt
    "liste-i-et-lukket-punkt": "<h2>101. Godkendelse af dagsorden</h2><h3>Beslutning</h3>"
    f"<p>Godkendt.</p><h2>102. Lukket punkt: Salg af {SECRET}</h2><p>Behandlet af:</p><ol><li>"
    f"Bestyrelsen for {SECRET}<h4>Beslutning</h4><p>{SECRET} anbefalet.</p></li></ol>"
    f"<h3>Beslutning</h3><p>{SECRET} solgt.</p><h2>103. Budget</h2><h3>Beslutning</h3>"
    "<p>Godkendt.</p>",
    # headings as bold paragraphs: an `at`-list is a list, not punkter 2, 3, 4
    "nummereret-liste-efter-fed-overskrift": "<p><b>1. Budget</b></p><p>Sagsnr.: 13/1</p>"
    "<p><b>Indstilling</b></p><ol><li>Rammen godkendes</li><li>Anlæg prioriteres</li>"
    f"<li>Kassen styrkes</li></ol><p><b>Beslutning</b></p><p>Godkendt.</p><p><b>2. Salg af "
    f"{SECRET}</b></p><p>Lukket punkt</p><p>Sagsnr.: 13/2</p><p><b>Beslutning</b></p>"
    f"<p>{SECRET} solgt.</p>",
    # the mark after a table row's or a list item's title heading
    "maerke-efter-raekkens-overskrift": "<table><tr><td>1</td><td><h3>Godkendelse af dagsorden"
    "</h3><h4>Beslutning</h4><p>Godkendt.</p></td></tr><tr><td>2</td><td><h3>Salg af "
    f"{SECRET}</h3>(Lukket)<h4>Beslutning</h4><p>{SECRET} solgt.</p></td></tr></table>",
    "maerke-efter-listepunktets-overskrift": "<ol><li><h3>1. Godkendelse af dagsorden</h3>"
    f"<h4>Beslutning</h4><p>Godkendt.</p></li><li><h3>2. Salg af {SECRET}</h3>(Lukket)"
    f"<h4>Beslutning</h4><p>{SECRET} solgt.</p></li></ol>",
    # an accordion's closed punkt whose panel holds no section heading
    "lukket-knap-uden-afsnit": "<div class='accordion'><button>1. Godkendelse af dagsorden"
    "</button><div><h4>Beslutning</h4><p>Godkendt.</p></div><button>2. Lukket punkt: Salg af "
    f"{SECRET}</button><div><p>{SECRET} tekst.</p></div><button>3. Budget</button><div><h4>"
    "Beslutning</h4><p>Godkendt.</p></div></div>",
    # a closed field after a list item's title link
    "lukket-felt-efter-listepunktets-link": "<ul><li><a href='#'>1 Godkendelse af dagsorden</a>"
    "<div><h4>Beslutning</h4><p>Godkendt.</p></div></li><li><a href='#'>2 Salg af "
    f"{SECRET}</a> <b>Offentlig: Nej</b><div><h4>Beslutning</h4><p>{SECRET} solgt.</p></div>"
    "</li></ul>",
    # the closed mark in an accordion's panel, not in its button
    "lukket-i-panelet": "<div class='accordion'><button>1. Godkendelse af dagsorden</button><div>"
    "<h4>Beslutning</h4><p>Godkendt.</p></div><button>2. Salg af "
    f"{SECRET}</button><div><p>Sagsnr.: 13/2 - Lukket</p><p>{SECRET} tekst.</p></div><button>"
    "3. Budget</button><div><h4>Beslutning</h4><p>Godkendt.</p></div></div>",
    # a list inside a list item's punkt
    "liste-i-et-listepunkt": "<ol start='101'><li><h3>Godkendelse af dagsorden</h3>"
    f"<h4>Beslutning</h4><p>Godkendt.</p></li><li><h3>Lukket punkt: Salg af {SECRET}</h3>"
    f"<p>Behandlet af:</p><ol><li>Bestyrelsen for {SECRET}<h4>Beslutning</h4><p>{SECRET} "
    f"anbefalet.</p></li></ol><h4>Beslutning</h4><p>{SECRET} solgt.</p></li><li><h3>Budget</h3>"
    "<h4>Beslutning</h4><p>Godkendt.</p></li></ol>",
    # a lone `Lukket punkt` after a punkt's decision: its, or the next punkt's
    "lukket-punkt-efter-beslutningen": "<h2>1. Godkendelse af dagsorden</h2><h3>Beslutning</h3>"
    f"<p>Godkendt.</p><h2>2. Salg af {SECRET}</h2><h3>Beslutning</h3><p>{SECRET} solgt.</p>"
    "<p>Lukket punkt</p><h2>3. Budget</h2><h3>Beslutning</h3><p>Godkendt.</p>",
    # a closed field in a web page's `<dl>`, or its label and value in blocks of their own
    "lukket-felt-i-en-dl": "<h2>1. Godkendelse af dagsorden</h2><h3>Beslutning</h3>"
    f"<p>Godkendt.</p><h2>2. Salg af {SECRET}</h2><dl><dt>Sagsnr.</dt><dd>13/2</dd>"
    f"<dt>Offentlig</dt><dd>Nej</dd></dl><h3>Beslutning</h3><p>{SECRET} solgt.</p>"
    "<h2>3. Budget</h2><h3>Beslutning</h3><p>Godkendt.</p>",
    "lukket-felt-i-to-blokke": "<h2>1. Godkendelse af dagsorden</h2><h3>Beslutning</h3>"
    f"<p>Godkendt.</p><h2>2. Salg af {SECRET}</h2><div><span class='label'>Offentlig:</span>"
    f"</div><div><span>Nej</span></div><h3>Beslutning</h3><p>{SECRET} solgt.</p>"
    "<h2>3. Budget</h2><h3>Beslutning</h3><p>Godkendt.</p>",
    # the closed mark before the number in a contents entry
    "maerke-foran-nummeret-i-indholdsfortegnelsen": "<p>Indholdsfortegnelse</p>"
    f"<p>1. Budget ..... 2</p><p>Lukket punkt: 2. Salg af {SECRET} ..... 3</p>"
    "<p>3. Trafik ..... 4</p><p><b>1. Budget</b></p><p>Sagsnr.: 13/1</p><p><b>Beslutning</b>"
    f"</p><p>Godkendt.</p><p><b>2. Salg af {SECRET}</b></p><p>Sagsnr.: 13/2</p>"
    f"<p><b>Beslutning</b></p><p>{SECRET} solgt.</p><p><b>3. Trafik</b></p><p>Sagsnr.: 13/3</p>"
    "<p><b>Beslutning</b></p><p>Godkendt.</p>",
}


def _kept(text: str) -> str:
    try:
        return json.dumps(parse_referat(text).to_json(), ensure_ascii=False)
    except ParseError:
        return ""  # refused: nothing kept


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_closed_words_are_kept_nowhere_in_text(name):
    kept = _kept(TEXTS[name])
    assert SECRET not in kept and "9999" not in kept, name


@pytest.mark.parametrize("name", sorted(PAGES))
def test_closed_words_are_kept_nowhere_on_a_page(name):
    assert SECRET not in _kept(page_to_text(PAGE.format(PAGES[name]))), name


def test_a_list_in_a_punkts_text_is_no_punkt_and_the_punkter_around_it_stay():
    meeting = parse_referat(page_to_text(PAGE.format(PAGES["liste-i-et-lukket-punkt"])))
    assert [(p.number, p.closed) for p in meeting.punkter] == [(101, False), (102, True),
                                                               (103, False)]


def test_open_punkter_after_a_contents_list_keep_their_status():
    """The body's `Åbent punkt` above punkt 2 is kept (a contents list is blanked only to
    its last entry), so punkt 2 is open and punkt 1 closed."""
    meeting = parse_referat(TEXTS["status-efter-indholdsfortegnelsen"])
    assert [(p.number, p.title, p.closed) for p in meeting.punkter] == [
        (1, "Lukket", True), (2, "Budget", False)]

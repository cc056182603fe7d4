"""Agendas (dagsordener): stored as agendas, answered as items on the agenda and never as
decisions, and replaced by the referat of the same meeting (which an agenda arriving
later does not undo). The text is written for this test, in the layout of a committee's
printed agenda: `Pkt.` headings, `Sagsnr.:` lines, an Indstilling and no Beslutning."""
from __future__ import annotations

import datetime as dt

import pytest

from ingest.pipeline import ingest_paths
from retrieval.answer import Answerer

DAY = dt.date(2025, 10, 1)
AGENDA = """DAGSORDEN Teknisk Udvalg d. 01-10-2025

Mødedato: Onsdag den 1. oktober 2025 kl. 15.00
Mødested: Mødelokale 2

Pkt. 1: Godkendelse af dagsorden

Sagsnr.: 24/10001

Indstilling

Forvaltningen indstiller, at dagsordenen godkendes.

Pkt. 2: Vinterbekæmpelse af cykelstierne i Hyldagerparken

Sagsnr.: 24/10457

Sagsfremstilling

Cykelstierne gennem Hyldagerparken saltes i dag først efter bilvejene. Forvaltningen
foreslår, at stierne fremover ryddes for sne før klokken syv, med kørsel i to ruter.

Indstilling

Forvaltningen indstiller, at cykelstierne i Hyldagerparken prioriteres i vinterberedskabet.
"""
DECISION = "Udvalget godkendte, at cykelstierne i Hyldagerparken prioriteres i vinterberedskabet."
REFERAT = AGENDA.replace("DAGSORDEN", "REFERAT", 1) + f"\nBeslutning\n\n{DECISION}\n"
QUESTION = "hvad besluttede teknisk udvalg om vinterbekæmpelse af cykelstierne i Hyldagerparken?"


@pytest.fixture
def ingest(tmp_path, catalog, index):
    def write_and_ingest(name: str, text: str) -> str:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        report = ingest_paths([path], catalog, progress=False)
        index.sync(progress=False)
        return report.results[0].status
    return write_and_ingest


def test_an_agenda_is_stored_as_one_and_answered_as_not_decided(ingest, catalog, index):
    assert ingest("tu-dagsorden.txt", AGENDA) == "new"
    meeting = catalog.meeting(DAY)
    assert (meeting.kind, meeting.forum) == ("dagsorden", "Teknisk Udvalg")
    assert [m.kind for m in catalog.meetings()] == ["dagsorden"]
    answer = Answerer(index).ask(QUESTION)
    assert answer.answered and answer.citations[0].punkt == 2
    assert answer.answer.startswith("Punktet står på dagsordenen for Teknisk Udvalg "
                                    "d. 1. oktober 2025 (punkt 2) og er endnu ikke besluttet.")
    assert answer.citations[0].section != "Beslutning"


def test_the_referat_replaces_its_agenda_and_a_late_agenda_does_not_undo_it(ingest, catalog,
                                                                          index):
    assert ingest("tu-dagsorden.txt", AGENDA) == "new"
    assert ingest("tu-referat.txt", REFERAT) == "replaced"
    meeting = catalog.meeting(DAY)
    assert meeting.kind == "referat" and meeting.punkt(2).decision == DECISION
    answer = Answerer(index).ask(QUESTION)
    assert answer.answered and answer.answer == ("Teknisk Udvalg besluttede 1. oktober 2025 "
                                                 f"(punkt 2): «{DECISION}»")
    assert ingest("tu-dagsorden-igen.txt", AGENDA.replace("Mødelokale 2", "Mødelokale 3")) == "kept"
    assert catalog.meeting(DAY).punkt(2).decision == DECISION

"""Minutes of two more forums beside the Chefforum samples (tests/fixtures/forums/, our own
text in other municipalities' layouts), as the files a deployment receives: the council's
referat as a PDF print, the committee's as its web page and its agenda as a Word document.

What the fixtures hold, for the tests that read them:
- Teknik- og Miljøudvalget met on 24-04-2024, the day of a Chefforum sample meeting, and
  its agenda of 15-03-2023 is dated like another sample; the agenda's head prints the
  forum in capitals and without the article (`TEKNIK- OG MILJØUDVALG`).
- Kommunalbestyrelsen met on 27-05-2024, alone that day.
- Case EMN-2024-004412 (the parking strategy) travels from the committee (punkt 2) to the
  council (punkt 62).
- Each has a closed punkt, whose words are CLOSED_WORDS.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from layout_files import write_format

FORUMS = Path(__file__).resolve().parent / "fixtures" / "forums"
COUNCIL = "Kommunalbestyrelsen"
COMMITTEE = "Teknik- og Miljøudvalget"
#: the committee's meeting on the day of a Chefforum sample meeting
SHARED_DAY = dt.date(2024, 4, 24)
#: the committee's agenda on the day of another sample meeting
AGENDA_DAY = dt.date(2023, 3, 15)
COUNCIL_DAY = dt.date(2024, 5, 27)
SHARED_CASE = "EMN-2024-004412"
#: (forum, day, number) of each fixture's closed punkt
CLOSED = ((COMMITTEE, SHARED_DAY, 3), (COMMITTEE, AGENDA_DAY, 3), (COUNCIL, COUNCIL_DAY, 64))
#: Words only the closed punkter hold (titles, bodies, case numbers).
CLOSED_WORDS = ("Havnebroen", "Brink Stålmontage", "185.000", "EMN-2024-004519",
                "Kirkebakken", "Holm & Søn", "1.920.000", "EMN-2024-004987",
                "Kajgaden", "faldulykke", "64.000", "EMN-2023-001502")


def committee_page() -> Path:
    """The committee's referat of SHARED_DAY, its web page as published."""
    return FORUMS / "teknik-miljoeudvalget-2024-04-24.html"


def council_pdf(folder: Path) -> Path:
    """The council's referat as a PDF print, made in `folder`."""
    source = FORUMS / "kommunalbestyrelsen-2024-05-27.txt"
    return write_format(source.read_text(encoding="utf-8"), folder / f"{source.stem}.pdf")


def committee_agenda(folder: Path, suffix: str = ".docx") -> Path:
    """The committee's agenda of AGENDA_DAY as a Word document (or a file of `suffix`),
    made in `folder`."""
    source = FORUMS / "teknik-miljoeudvalget-dagsorden-2023-03-15.txt"
    return write_format(source.read_text(encoding="utf-8"), folder / f"{source.stem}{suffix}")


def forum_files(folder: Path) -> list[Path]:
    """The two forums' three files, the PDF and the Word document made in `folder`."""
    return [council_pdf(folder), committee_page(), committee_agenda(folder)]

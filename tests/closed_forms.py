"""Closed punkter in every form real minutes mark them, for the tests that a closed punkt
stays closed: a short referat whose punkt 5 is closed between two open neighbours (4 and
6), with secret words in the closed punkt's title and body that must never be kept.

`referat(form, ...)` gives the text (the samples' header, a table of contents, three
punkter); `layout_files.write_format` makes it a .txt, .md, .docx, .pdf or .html file.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

FORMATS = (".txt", ".md", ".docx", ".pdf", ".html")
WEEKDAYS = ("Mandag", "Tirsdag", "Onsdag", "Torsdag", "Fredag", "Lørdag", "Søndag")
MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
          "september", "oktober", "november", "december")


@dataclass(frozen=True)
class Form:
    """How punkt 5 is marked closed. `heading` and `toc` are formatted with `title` (the
    secret words of the closed punkt's subject); `style` heads every punkt of the referat."""

    name: str
    heading: str
    toc: str = ""  # the contents entry; by default the heading without its number
    style: str = "Punkt {n}: {title}"

    def heading_line(self, title: str) -> str:
        return self.heading.format(title=title)

    def toc_line(self, title: str) -> str:
        if self.toc:
            return self.toc.format(title=title)
        head = self.style.format(n=5, title="")
        line = self.heading_line(title)
        if line.replace("\u00a0", " ").startswith(head):
            return line[len(head):].strip()
        return line


FORMS = [
    Form("lukket", "Punkt 5: Lukket"),
    Form("lukket-punkt", "Punkt 5: Lukket punkt"),
    Form("lukket-kolon-titel", "Punkt 5: Lukket: Personalesag vedr. {title}"),
    Form("lukket-sag", "Punkt 5: Lukket sag"),
    Form("parentes-foran", "Punkt 5: (Lukket) Køb af ejendom ved {title}"),
    Form("parentes-bagefter", "Punkt 5: Køb af ejendom ved {title} (lukket)"),
    Form("versaler", "Punkt 5: LUKKET PUNKT: Køb af ejendom ved {title}"),
    Form("blødt-bindestreg", "Punkt 5: Luk\u00adket"),
    Form("hårdt-mellemrum", "Punkt\u00a05:\u00a0Lukket\u00a0punkt"),
    Form("fed-markdown", "Punkt 5: **Lukket**"),
    Form("fed-html", "Punkt 5: <b>Lukket</b>"),
    Form("bindestreg", "Punkt 5 - Lukket", style="Punkt {n} - {title}"),
    Form("pkt", "Pkt. 5: Lukket", style="Pkt. {n}: {title}"),
    Form("tal", "5. Lukket", style="{n}. {title}"),
    Form("sag-nr", "Sag nr. 5 Lukket", style="Sag nr. {n} {title}"),
    Form("lukket-årsag", "Punkt 5: Lukket (Personalesag)"),
    # a utility board's mark, and the English of some systems' pages
    Form("tavshedspligt", "Punkt 5: Køb af ejendom ved {title} - Tavshedspligt ikke fraveget"),
    Form("engelsk", "Punkt 5: Closed item"),
    Form("engelsk-foran-titlen", "Punkt 5: Closed: Køb af ejendom ved {title}"),
    # mentions lukket in no known form: closed all the same (err on the closed side)
    Form("lukkede-oplysninger", "Punkt 5: Lukkede oplysninger om {title}"),
    # the status on a line of its own above each heading (`Åbent punkt`, `Lukket punkt`)
    Form("status-over-overskriften", "Lukket punkt\n5. Køb af ejendom ved {title}",
         toc="Køb af ejendom", style="Åbent punkt\n{n}. {title}"),
    # the status between the number and the title (Gentofte's, Region Sjælland's systems),
    # or on a line of its own between them (the same system's PDF)
    Form("status-i-parentes", "5 (Lukket) Køb af ejendom ved {title}", toc="Køb af ejendom",
         style="{n} (Åben) {title}"),
    Form("status-paa-egen-linje", "5\nLukket\nKøb af ejendom ved {title}", toc="Køb af ejendom",
         style="{n}\nÅbent\n{title}"),
    # `Punkt: N` above the case's fields, the status among them, the title below (Acadre)
    Form("status-i-sagsfelterne",
         "Punkt: 5\nSagsforløb: ØU - Lukket sag\nKøb af ejendom ved {title}",
         toc="Køb af ejendom", style="Punkt: {n}\nSagsforløb: ØU - Åben sag\n{title}"),
    # the heading a plain title, the contents entry marking it closed
    Form("indholdsfortegnelse", "Punkt 5: Køb af ejendom ved {title}", toc="Lukket punkt"),
    Form("indholdsfortegnelse-nummereret", "Punkt 5: Køb af ejendom ved {title}",
         toc="Punkt 5: Lukket punkt"),
]


@dataclass(frozen=True)
class Neighbour:
    number: int
    title: str
    case_number: str
    sagsfremstilling: str
    beslutning: str


NEIGHBOURS = (
    Neighbour(4, "Udskiftning af gadelys i Vestbyen", "05.01.00-G01-4-25",
              "Gadelysene i Vestbyen er over 40 år gamle. Forvaltningen foreslår at skifte "
              "dem til LED i løbet af 2026.",
              "Udvalget godkendte udskiftningen af gadelysene i Vestbyen."),
    Neighbour(6, "Rengøringsudbud for rådhuset", "83.06.00-G01-6-25",
              "Kontrakten om rengøring af rådhuset udløber til sommer, og et nyt udbud skal "
              "forberedes.",
              "Udvalget godkendte rammerne for rengøringsudbuddet."),
)
CLOSED_CASE_NUMBER = "81.03.00-A00-5-25"


def referat(form: Form, *, day: dt.date, marker: str, title: str,
            forum: str = "Testudvalget") -> str:
    """A referat of `forum` on `day` whose punkt 5 is closed as `form` marks it, its
    subject named by `title` and its body holding `marker` in every section."""
    entries = [NEIGHBOURS[0].title, form.toc_line(title), NEIGHBOURS[1].title]
    if form.toc.startswith("Punkt"):  # a numbered contents list numbers every entry
        entries = [e if e.startswith("Punkt") else f"Punkt {n}: {e}"
                   for n, e in zip((4, 5, 6), entries)]
    head = [f"REFERAT {forum} d. {day:%d-%m-%Y}", "",
            f"Mødedato {WEEKDAYS[day.weekday()]} d. {day.day}. {MONTHS[day.month - 1]} {day.year} "
            "kl. 10:00", "", "Mødested Mødelokale 4", "", "Indholdsfortegnelse", "",
            *(f"{entry}.....\t{page}" for page, entry in enumerate(entries, start=3)), ""]
    four, six = NEIGHBOURS
    return "\n".join([
        *head,
        *punkt(form.style.format(n=4, title=four.title), four.case_number,
               four.sagsfremstilling, four.beslutning),
        *punkt(form.heading_line(title), CLOSED_CASE_NUMBER,
               f"Sagen om {marker} er fortrolig. Sælger af {marker} ønsker diskretion.",
               f"Udvalget besluttede at købe {marker} for 2,4 mio. kr."),
        *punkt(form.style.format(n=6, title=six.title), six.case_number,
               six.sagsfremstilling, six.beslutning),
    ])


def punkt(heading: str, case_number: str, sagsfremstilling: str, beslutning: str) -> list[str]:
    return [heading, "", case_number, "", "Sagsfremstilling", "", sagsfremstilling, "",
            "Beslutning", "", beslutning, ""]

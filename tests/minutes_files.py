"""Real PDF, DOCX and HTML files made from a sample referat, as the minutes system and
a browser export them, for the reader tests.

The builders read the sample's lines with their own small rules (not the parser under
test): a `Punkt N:` line is a punkt heading, a line that is only a section name is a
section heading, tab-separated lines are table rows. Markdown marks, `\\_` escapes and
`<sub>` tags are what the .txt export adds, so they are dropped before rendering.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FONT_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
SECTION_NAMES = ("Anledning", "Sagsfremstilling", "Historik", "Økonomi", "Kommunikation",
                 "Indstilling", "Beslutning", "Bilag")
_PUNKT = re.compile(r"^Punkt\s+(\d+):")


def plain(line: str) -> str:
    """A sample line as a word processor would hold it: no markdown, escapes or tags."""
    line = line.strip().lstrip("#").strip().replace("**", "")
    line = line.replace("\\_", "_").replace("\\*", "*")
    return re.sub(r"</?su[bp]>", "", line)


@dataclass
class Block:
    kind: str  # title | punkt | section | text | table
    lines: list[str]
    punkt: int = 0
    section: str = ""


def blocks(text: str) -> list[Block]:
    """The sample as a list of headings, paragraphs and tables."""
    out: list[Block] = []
    punkt, section = 0, ""
    for raw in text.split("\n"):
        line = plain(raw)
        if not line:
            continue
        m = _PUNKT.match(line)
        if m:
            punkt, section = int(m.group(1)), ""
            out.append(Block("punkt", [line], punkt))
        elif line.startswith("REFERAT "):
            out.append(Block("title", [line]))
        elif line in SECTION_NAMES:
            section = line
            out.append(Block("section", [line], punkt, section))
        elif "\t" in raw:
            if out and out[-1].kind == "table":
                out[-1].lines.append(raw.strip("\n"))
            else:
                out.append(Block("table", [raw.strip("\n")], punkt, section))
        else:
            out.append(Block("text", [line], punkt, section))
    return out


# --- PDF -------------------------------------------------------------------------------

@dataclass
class PdfInfo:
    pages: int
    #: (punkt, section) -> the pages its text is printed on
    section_pages: dict[tuple[int, str], set[int]] = field(default_factory=dict)

    @property
    def split_sections(self) -> list[tuple[int, str]]:
        return sorted(k for k, pages in self.section_pages.items() if len(pages) > 1)


Split = Callable[[str], list[Block]]


def write_pdf(text: str, path: Path, *, header: str, footer: str = "Side {n} af {{nb}}",
              font_size: float = 11, split: Split = blocks) -> PdfInfo:
    """A text PDF with `header` at the top and `footer` (by default `Side N af M`) at the
    foot of every page. `split` tells headings from text (by default the samples' rules)."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    class Minutes(FPDF):
        def header(self):
            self.set_font("DejaVu", size=8)
            self.cell(0, 6, header, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(4)

        def footer(self):
            self.set_y(-15)
            self.set_font("DejaVu", size=8)
            self.cell(0, 10, footer.format(n=self.page_no()), align="C")

    pdf = Minutes(format="A4")
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    info = PdfInfo(pages=0)
    for block in split(text):
        style, size, gap = {"title": ("B", font_size + 5, 4), "punkt": ("B", font_size + 2, 3),
                            "section": ("B", font_size, 2)}.get(block.kind, ("", font_size, 2))
        pdf.set_font("DejaVu", style, size)
        for line in block.lines:
            first = pdf.page_no()
            # A table row prints its cells apart, as the minutes system's tables do.
            shown = "    ".join(c.strip() for c in line.split("\t")) if block.kind == "table" else line
            pdf.multi_cell(0, size * 0.5, shown, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            if block.kind in ("text", "table") and block.section:
                pages = info.section_pages.setdefault((block.punkt, block.section), set())
                pages.update(range(first, pdf.page_no() + 1))
        pdf.ln(gap)
    info.pages = pdf.page_no()
    pdf.output(str(path))
    return info


def misplace_startxref(path: Path) -> None:
    """Make a PDF damaged but readable, as one saved by a tool that miscounted its bytes:
    its `startxref` points at the wrong offset, so pypdf finds the cross-reference table
    by searching the file (and warns that it did)."""
    data = path.read_bytes()
    at = data.rindex(b"startxref")
    path.write_bytes(data[:at] + b"startxref\n123\n%%EOF\n")


# --- DOCX ------------------------------------------------------------------------------

def write_docx(text: str, path: Path, *, split: Split = blocks) -> None:
    """A Word document: the title and headings in Heading styles, tables as tables."""
    import docx

    document = docx.Document()
    for block in split(text):
        if block.kind == "title":
            document.add_heading(block.lines[0], level=0)
        elif block.kind == "punkt":
            document.add_heading(block.lines[0], level=1)
        elif block.kind == "section":
            document.add_heading(block.lines[0], level=2)
        elif block.kind == "table":
            rows = [line.split("\t") for line in block.lines]
            table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            table.style = "Table Grid"
            for r, cells in enumerate(rows):
                for c, cell in enumerate(cells):
                    table.cell(r, c).text = cell.strip()
        else:
            document.add_paragraph(block.lines[0])
    document.save(str(path))


# --- HTML ------------------------------------------------------------------------------

NAV = ('<nav class="menu"><ul><li><a href="/">Forside</a></li>'
       '<li><a href="/politik">Politik og demokrati</a></li>'
       '<li><a href="/referater">Dagsordener og referater</a></li></ul></nav>')
#: Script text shaped like a punkt heading, so a leak would show as a duplicate punkt.
SCRIPT = ('<script>var menu = "Punkt 1: CF - Menu"; '
          'document.title = "Beslutning";</script>')
#: Page chrome after the minutes; a leak would land in the last punkt's last section.
ASIDE = '<aside><h3>Se også</h3><ul><li>Dagsordener 2024</li></ul></aside>'
FOOTER = ('<footer><p>Albertslund Kommune · Nordmarks Allé 1 · 2620 Albertslund</p>'
          '<p>Tlf. 43 68 68 68</p></footer>')


def write_html(text: str, path: Path, *, split: Split = blocks,
               inline: Callable[[str], str] | None = None) -> None:
    """A printed web page of the minutes: <h1>/<h2>/<h3>, <p>, <table>, a nav and scripts.
    `inline` turns a line into HTML (by default escaped as plain text)."""
    import html

    inline = inline or html.escape
    body: list[str] = []
    for block in split(text):
        e = [inline(line) for line in block.lines]
        if block.kind == "title":
            body.append(f"<h1>{e[0]}</h1>")
        elif block.kind == "punkt":
            body.append(f'<h2 class="punkt">{e[0]}</h2>')
        elif block.kind == "section":
            body.append(f"<h3>{e[0]}</h3>")
        elif block.kind == "table":
            rows = "".join("<tr>" + "".join(f"<td>{inline(c.strip())}</td>"
                                            for c in line.split("\t")) + "</tr>"
                           for line in block.lines)
            body.append(f"<table>{rows}</table>")
        else:
            body.append(f"<p>{e[0]}</p>")
    page = (
        '<!DOCTYPE html>\n<html lang="da"><head><meta charset="utf-8">'
        "<title>Referat - Albertslund Kommune</title>"
        "<style>body { font-family: sans-serif } h2.punkt { margin-top: 2em }</style>"
        f"{SCRIPT}</head>\n<body>\n<header><p>Albertslund Kommune</p>{NAV}</header>\n"
        "<main>\n" + "\n".join(body) +
        f"\n</main>\n{ASIDE}\n{FOOTER}\n{SCRIPT}\n</body></html>\n")
    path.write_text(page, encoding="utf-8")

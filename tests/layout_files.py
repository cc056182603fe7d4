"""Minutes in other municipalities' layouts, as files of every format, and how to hold a
parsed meeting against the structure a fixture expects (ingest/fixtures/layouts/*.json).

The fixtures' text sources (.txt, .md, .html) are read as they are; .pdf and .docx are
made from a text source at test time with minutes_files' writers. What is a heading only
decides how a line is printed (bold, a Heading style, <h2>), never the text a reader gets
back, so the rules here are small and know nothing of the parser under test.
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

from ingest.model import Meeting
from ingest.parse import parse_referat
from ingest.readers import read_file
from minutes_files import Block, plain, write_docx, write_html, write_pdf

LAYOUTS = Path(__file__).resolve().parent / "ingest" / "fixtures" / "layouts"
#: The running header of every built PDF page (a municipality's name, as real prints have).
PDF_HEADER = "Kildeby Kommune"
#: Item headings of every layout in the fixtures: `Punkt 5:`, `Punkt 5 -`, `Pkt. 5:`,
#: `Sag nr. 5`, `5. Title`, `5.Title`, `5. 2. behandling`, `5. § 17` and `41  Title` (but
#: not a list line `1. at …`).
ITEM = re.compile(r"^(?:Punkt\s+\d+\b|Pkt\.\s*\d+\b|Sag\s+nr\.\s*\d+\b"
                  r"|\d{1,3}\.\s*(?!at\b)(?:[A-ZÆØÅ(<*§]|\d\.\s)|\d{1,3}\s+[A-ZÆØÅ])")
#: Section headings of the fixtures (printed bold or as a Heading style).
SECTION = re.compile(
    r"^(?:Anledning|Resume|Sagsfremstilling|Beslutningstema|Beslutningspunkter|Baggrund|"
    r"Økonomi|Høring|Indstilling|Administrativ indstilling|Beslutning(?:er)?|Afgørelse|"
    r"Udvalgets beslutning|Bilag|Sagsforløb|Forventet sagsgang|Tidligere behandling|"
    r"Økonomiske konsekvenser|Borgmesterens Afdelings påtegning|"
    r"Sagsfremstilling og økonomi|Beslutning (?:i|fra) .{0,100})\s*:?$")
TITLE = re.compile(r"^(?:REFERAT|DAGSORDEN|Referat|Dagsorden)\b")
INLINE_BOLD = re.compile(r"\*\*(.+?)\*\*|<(b|strong)>(.*?)</\2>")


def read_text(path: Path) -> str:
    """What the real reader makes of one file. With parse_file, the one place these tests
    call the reader and the parser, so a new signature is changed here only."""
    return read_file(path)


def parse_file(path: Path) -> Meeting:
    """The real pipeline's reading of one file: its reader, then the parser."""
    return parse_referat(read_text(path), source=str(path))


def word_processor_line(line: str) -> str:
    """A source line as a word processor or PDF holds it: no markdown or bold tags (the
    heading is bold as a whole there)."""
    return re.sub(r"</?(?:b|strong)>", "", plain(line))


def layout_blocks(text: str) -> list[Block]:
    """A text source as title, item headings, section headings, paragraphs and tables."""
    out: list[Block] = []
    for raw in text.split("\n"):
        line = word_processor_line(raw)
        if not line:
            continue
        if "\t" in raw:
            if out and out[-1].kind == "table":
                out[-1].lines.append(line)
            else:
                out.append(Block("table", [line]))
        elif ITEM.match(line):
            out.append(Block("punkt", [line]))
        elif SECTION.match(line):
            out.append(Block("section", [line]))
        elif TITLE.match(line) and not out:
            out.append(Block("title", [line]))
        else:
            out.append(Block("text", [line]))
    return out


def html_inline(line: str) -> str:
    """A source line as HTML: escaped, with `**bold**` and `<b>`/`<strong>` as tags."""
    parts, at = [], 0
    for m in INLINE_BOLD.finditer(line):
        parts.append(html.escape(line[at:m.start()]))
        parts.append(f"<b>{html.escape(m.group(1) or m.group(3))}</b>")
        at = m.end()
    parts.append(html.escape(line[at:]))
    return "".join(parts)


def markdown(text: str) -> str:
    """A plain text source as the minutes system's markdown export: `##` item headings,
    `###` section headings."""
    lines = []
    for raw in text.split("\n"):
        line = word_processor_line(raw)
        if line and "\t" not in raw and ITEM.match(line):
            raw = "## " + raw.strip()
        elif line and "\t" not in raw and SECTION.match(line):
            raw = "### " + raw.strip()
        lines.append(raw)
    return "\n".join(lines)


def build(source: Path, suffix: str, folder: Path) -> Path:
    """The fixture `source` as a file of `suffix`: the source itself in its own format,
    else made from its text."""
    if suffix == source.suffix:
        return source
    text = source.read_text(encoding="utf-8")
    return write_format(text, folder / f"{source.stem}{suffix}")


def write_format(text: str, path: Path) -> Path:
    """Minutes `text` (a .txt or .md source) as a file of `path`'s format."""
    suffix = path.suffix
    if suffix in (".txt", ".md"):
        path.write_text(markdown(text) if suffix == ".md" else text, encoding="utf-8")
    elif suffix == ".pdf":
        write_pdf(text, path, header=PDF_HEADER, split=layout_blocks)
    elif suffix == ".docx":
        write_docx(text, path, split=layout_blocks)
    elif suffix == ".html":
        write_html(text, path, split=layout_blocks, inline=html_inline)
    else:
        raise ValueError(f"no writer for {suffix}")
    return path


# --- the expected structure --------------------------------------------------------------

#: In an expected section text, `start … end`: the text begins and ends with these words.
ELLIPSIS = " … "


def words(text: str) -> list[str]:
    """The words of a text, blind to layout: whitespace, line breaks, punctuation, bullets
    and markup differ between formats, the words and their order do not."""
    return re.findall(r"\w+", text)


def fits(text: str, expected: str) -> bool:
    """Whether `text` is `expected` word for word, or begins and ends as `start … end` does."""
    got = words(text)
    if ELLIPSIS not in expected:
        return got == words(expected)
    start, end = (words(part) for part in expected.split(ELLIPSIS, 1))
    return got[:len(start)] == start and got[len(got) - len(end):] == end \
        and len(got) >= len(start) + len(end)


def shown(text: str, expected: str) -> str:
    """`expected` where `text` fits it, else `text` (shortened), for a readable diff."""
    if fits(text, expected):
        return expected
    got = " ".join(text.split())
    return got if len(got) < 300 else f"{got[:140]}{ELLIPSIS}{got[-140:]}"


def as_expected(meeting: dict, expected: dict) -> dict:
    """The meeting's `show --json` in the shape of a fixture's expected structure: items
    without `heading`, each section's text given as the expected one where it fits it."""
    want_items = {item["punkt"]: item for item in expected["items"]}
    items = []
    for item in meeting["items"]:
        if item.get("closed"):
            items.append(item)
            continue
        want = want_items.get(item["punkt"], {}).get("sections", {})
        sections = {name: shown(text, want.get(name, ""))
                    for name, text in item["sections"].items()}
        items.append({"punkt": item["punkt"], "title": item["title"],
                      "case_number": item["case_number"], "closed": item["closed"],
                      "sections": sections, "bilag": item["bilag"]})
    head = {k: meeting[k] for k in ("forum", "meeting_date", "time", "place")}
    return {"kind": meeting.get("kind"), **head, "items": items}


def expected_of(source: Path) -> dict:
    return json.loads(source.with_suffix(".json").read_text(encoding="utf-8"))

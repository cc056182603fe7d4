"""What real files carry (BOM, Windows-1252, CRLF, NBSP, trailing spaces, markdown
escapes, <sub>/<sup> tags) changes nothing in the meeting read from them."""
from __future__ import annotations

import re

import pytest

from ingest.parse import parse_referat
from ingest.readers import read_file

#: A sentence with a chemical formula and a unit, added to a decision of the clean text so
#: that the tag variants have something to mark up.
FORMULA = "Udledningen af CO2 faldt med 12 m2 pr. medarbejder."


def clean_text(samples_dir) -> str:
    text = (samples_dir / "chefforum-2019-01-17.txt").read_text(encoding="utf-8")
    return text.replace("Chefforum godkendte referatet fra Chefforum d. 6. december 2018.",
                        "Chefforum godkendte referatet fra Chefforum d. 6. december 2018. "
                        + FORMULA)


def with_bom(text):
    return "\ufeff".encode() + text.encode("utf-8")


def windows_1252(text):
    return text.encode("cp1252")


def crlf(text):
    return text.replace("\n", "\r\n").encode("utf-8")


def nbsp(text):
    # Every other space, headings and case lines included, becomes a no-break space.
    out, flip = [], False
    for ch in text:
        if ch == " ":
            flip = not flip
            out.append("\u00a0" if flip else " ")
        else:
            out.append(ch)
    return "".join(out).encode("utf-8")


def trailing_spaces(text):
    return "\n".join(line + ("  " if i % 2 else " \t") for i, line in
                     enumerate(text.split("\n"))).encode("utf-8")


def escapes(text):
    # What a markdown export escapes: underscores, list dashes, numbered-list dots.
    text = text.replace("_", "\\_")
    text = re.sub(r"(?m)^- ", r"\\- ", text)
    text = re.sub(r"(?m)^(\d+)\. ", r"\1\\. ", text)
    return text.encode("utf-8")


def tags(text):
    return text.replace("CO2", "CO<sub>2</sub>").replace("m2", "m<sup>2</sup>").encode("utf-8")


def everything(text):
    """All of it at once, as a Windows editor saving an exported file might."""
    text = escapes(text).decode()
    text = tags(text).decode()
    text = trailing_spaces(text).decode()
    text = nbsp(text).decode()
    return text.replace("\n", "\r\n").encode("cp1252")


VARIANTS = [with_bom, windows_1252, crlf, nbsp, trailing_spaces, escapes, tags, everything]


def meeting_content(meeting) -> dict:
    return {"json": meeting.to_json(), "hash": meeting.content_hash}


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda f: f.__name__)
def test_variant_reads_as_the_clean_file(tmp_path, samples_dir, variant):
    text = clean_text(samples_dir)
    clean = tmp_path / "clean.txt"
    clean.write_text(text, encoding="utf-8")
    dirty = tmp_path / f"{variant.__name__}.txt"
    data = variant(text)
    assert data != clean.read_bytes()
    dirty.write_bytes(data)

    expected = parse_referat(read_file(clean))
    got = parse_referat(read_file(dirty))

    assert meeting_content(got) == meeting_content(expected)
    assert FORMULA in got.punkt(1).decision


@pytest.mark.parametrize("variant", [windows_1252, crlf, with_bom], ids=lambda f: f.__name__)
def test_markdown_sample_in_other_encodings(tmp_path, samples_dir, variant):
    text = (samples_dir / "chefforum-2024-04-24.txt").read_text(encoding="utf-8")
    path = tmp_path / "referat.md"
    path.write_bytes(variant(text))
    assert meeting_content(parse_referat(read_file(path))) == meeting_content(
        parse_referat(text))


def test_windows_1252_letters_survive(tmp_path, samples_dir):
    path = tmp_path / "ansi.txt"
    path.write_bytes(windows_1252(clean_text(samples_dir)))
    m = parse_referat(read_file(path))
    assert m.punkt(2).title == "Status fra ØS IT"
    assert "Kommunaldirektøren" in m.punkt(1).sections["Indstilling"]

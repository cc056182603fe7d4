"""Random and damaged input into the readers and the parser (hypothesis): whatever comes
in, the parser gives a Meeting or a ParseError and the readers give text or a ReadError,
nothing else, and quickly (the deadline stands for "never a hang").

Also the inputs the fuzzing found, kept as plain regression tests: a month name that
matches case-insensitively but is no key (`ſept`), a punkt number too long for int(),
and lines that made the parser's patterns quadratic (a long dotted leader, a run of
tabs or spaces, unclosed `<sub` tags).
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from ingest.model import Meeting
from ingest.parse import ParseError, parse_referat
from ingest.readers import SUPPORTED, ReadError, read_file
from minutes_files import write_docx, write_html, write_pdf

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
SAMPLE_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
#: hypothesis' deadline per example: a hang, not a speed claim (one example of a damaged
#: file took 7 s on a loaded machine and 0.06 s when repeated)
HANG = dt.timedelta(seconds=60)
FUZZ = settings(max_examples=150, deadline=HANG,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
#: What the minutes are made of, and what breaks parsers: headings, dates in every form
#: (valid and not), case numbers, markdown, escapes, tags, entities, odd whitespace and
#: Unicode digits and letters that fold to ASCII.
TOKENS = [
    "Punkt 1: CF - Godkendelse", "Punkt 7: CF – Rådhusets telefontider (20 min.)",
    "Punkt 3. Lukket", "Punkt 99999: x", "Punkt " + "9" * 5000 + ": x", "Punkt ٣: CF - x",
    "Beslutning", "**Beslutning**", "## Indstilling", "Bilag", "Sagsfremstilling:",
    "REFERAT Chefforum d. 24-04-2024", "REFERAT Chefforum d. 31-02-2024",
    "Mødedato Onsdag d. 24. april 2024 kl. 09:00", "Mødedato d. 1. ſept 2024",
    "Mødedato d. 2024-13-45", "Mødested 915", "Indholdsfortegnelse",
    "Punkt 2: CF - Titel ........ 3", "Punkt 2: CF - Titel\t3", "00.01.00-A21-9-18",
    "(25 min.)", "(8.30-9.30)", "\\_", "\\", "<sub>2</sub>", "<sub", "&amp;", "&#0;",
    "&#x110000;", "&", "\r", "\r\n", "\x00", "\ufeff", "\u00a0", "\u2028", "\t", "…",
    "# ", "**", "- ", "1) ", "K", "İ", "ß", "🙂", "\n\n\n\n",
]


@st.composite
def mutated_sample(draw) -> str:
    """A real referat with one to four random edits: cuts, copies, swaps, insertions."""
    text = draw(st.sampled_from(SAMPLE_TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 3000)))
        op = draw(st.sampled_from(["delete", "duplicate", "token", "text", "truncate",
                                   "swap_lines", "replace"]))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "duplicate":
            text = text[:j] + text[i:j] + text[j:]
        elif op == "token":
            text = text[:i] + draw(st.sampled_from(TOKENS)) + text[i:]
        elif op == "text":
            text = text[:i] + draw(st.text(max_size=200)) + text[i:]
        elif op == "truncate":
            text = text[:i]
        elif op == "replace":
            text = text[:i] + draw(st.characters()) + text[i + 1:]
        else:
            lines = text.split("\n")
            a = draw(st.integers(0, len(lines) - 1))
            b = draw(st.integers(0, len(lines) - 1))
            lines[a], lines[b] = lines[b], lines[a]
            text = "\n".join(lines)
    return text


def tokens_text() -> st.SearchStrategy[str]:
    """Lines built from the tokens and random text: close enough to a referat to reach
    the parser's inner paths, far enough to break them."""
    return st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=40)),
                    max_size=40).map("\n".join)


def parse_or_refuse(text: str) -> Meeting | None:
    """The contract: a Meeting that serialises, or a ParseError with a sentence."""
    try:
        meeting = parse_referat(text, source="fuzz.txt")
    except ParseError as e:
        assert str(e)
        return None
    assert isinstance(meeting, Meeting)
    assert meeting.punkter
    numbers = [p.number for p in meeting.punkter]
    assert len(set(numbers)) == len(numbers)
    for p in meeting.punkter:
        if p.closed:
            assert p.to_json() == {"punkt": p.number, "title": "Lukket", "closed": True}
    json.dumps(meeting.to_json(), ensure_ascii=False)
    return meeting


@FUZZ
@given(st.text(max_size=3000))
def test_random_text_is_a_meeting_or_a_parse_error(text):
    parse_or_refuse(text)


@FUZZ
@given(tokens_text())
@example("REFERAT Chefforum d. 1. ſept 2024\nMødedato d. 1. ſept 2024\nPunkt 1: x")
def test_referat_shaped_text_is_a_meeting_or_a_parse_error(text):
    parse_or_refuse(text)


@FUZZ
@given(mutated_sample())
def test_mutated_samples_are_a_meeting_or_a_parse_error(text):
    parse_or_refuse(text)


def test_the_samples_themselves_parse():
    assert all(parse_or_refuse(text) for text in SAMPLE_TEXTS)


# --- what the fuzzing found --------------------------------------------------------------

HEADER = "REFERAT Chefforum d. 24-04-2024\n"


def test_a_month_that_folds_to_ascii_but_is_no_month_is_no_date():
    # 'ſ' (long s) matches 's' under re.IGNORECASE, but 'ſept'.lower() is no month name
    with pytest.raises(ParseError, match="no meeting date"):
        parse_referat("Mødedato Onsdag d. 1. ſept 2024\nPunkt 1: CF - Titel\n")


def test_a_punkt_number_too_long_for_int_is_not_a_heading():
    meeting = parse_referat(HEADER + "Punkt 1: CF - Titel\nPunkt " + "9" * 5000 + ": x\n")
    assert [p.number for p in meeting.punkter] == [1]
    with pytest.raises(ParseError, match="no punkter"):
        parse_referat(HEADER + "Punkt " + "9" * 5000 + ": x\n")


def test_lone_surrogates_become_replacement_characters():
    # a str can hold them (no file decodes to them); hashing the meeting raised
    # UnicodeEncodeError
    meeting = parse_referat("REFERAT \ud800Chefforum d. 17-01-2019\nPunkt 1: CF - Titel\udfff\n")
    assert meeting.forum == "\ufffdChefforum"
    assert meeting.punkter[0].title == "Titel\ufffd"


@pytest.mark.parametrize("name, text", [
    # each took seconds (some minutes at 100 KB) before: a pattern retried from every
    # position of a long run
    ("dotted leader without a page number", HEADER + "Punkt 1: " + "." * 40_000 + "x\n"),
    ("run of tabs in a heading", HEADER + "Punkt 1: " + "\t" * 40_000 + "x\n"),
    ("run of spaces in the title line", "REFERAT x" + " " * 40_000 + "y\n"),
    ("unclosed sub tags", HEADER + "<sub" * 40_000 + "\n"),
])
def test_long_runs_parse_in_linear_time(name, text):
    start = time.perf_counter()
    parse_or_refuse(text)
    assert time.perf_counter() - start < 1.0, name


# --- readers -----------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def real_files() -> dict[str, bytes]:
    """A real file of each supported kind, made from one sample (not a fixture, so that
    hypothesis does not print 300 KB of it with each failing example)."""
    folder = Path(tempfile.mkdtemp(prefix="referatbot-fuzz-"))
    try:
        text = SAMPLE_TEXTS[0]
        write_pdf(text, folder / "m.pdf", header="Albertslund Kommune — Referat Chefforum")
        write_docx(text, folder / "m.docx")
        write_html(text, folder / "m.html")
        out = {suffix: (folder / f"m{suffix}").read_bytes()
               for suffix in (".pdf", ".docx", ".html")}
    finally:
        shutil.rmtree(folder)
    out[".htm"] = out[".html"]
    out[".txt"] = out[".md"] = text.encode("utf-8")
    assert set(out) == set(SUPPORTED)
    return out


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz-files")


def read_or_refuse(path) -> None:
    """A reader gives text or a ReadError; the text then parses or is refused."""
    try:
        text = read_file(path)
    except ReadError as e:
        assert str(e)
        return
    assert isinstance(text, str)
    parse_or_refuse(text)


@st.composite
def damaged(draw, data: bytes) -> bytes:
    """Real file bytes with a few flipped, cut or overwritten spans (zip entries and PDF
    streams with broken deflate data, cross-reference tables that point nowhere)."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(0, max(0, len(out) - 1)))
        op = draw(st.sampled_from(["flip", "cut", "overwrite", "truncate"]))
        if op == "flip" and out:
            out[i] ^= draw(st.integers(1, 255))
        elif op == "cut":
            del out[i:i + draw(st.integers(1, 512))]
        elif op == "overwrite":
            chunk = draw(st.binary(min_size=1, max_size=64))
            out[i:i + len(chunk)] = chunk
        else:
            del out[i:]
    return bytes(out)


@pytest.mark.parametrize("suffix", SUPPORTED)
@settings(max_examples=30, deadline=HANG,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=4096))
def test_random_bytes_are_text_or_a_read_error(scratch, suffix, data):
    path = scratch / f"random{suffix}"
    path.write_bytes(data)
    read_or_refuse(path)


@pytest.mark.parametrize("suffix", SUPPORTED)
@settings(max_examples=30, deadline=HANG,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(st.data())
def test_damaged_real_files_are_text_or_a_read_error(scratch, suffix, data):
    path = scratch / f"damaged{suffix}"
    path.write_bytes(data.draw(damaged(real_files()[suffix]), label="damaged bytes"))
    read_or_refuse(path)


def test_a_pdf_stream_with_a_garbled_filter_name_is_a_read_error(scratch):
    """Found by the test above: "/Filter .FlateDecode" (a byte of the name changed) made
    pypdf raise NotImplementedError, which the reader let through."""
    data = real_files()[".pdf"]
    assert b"/Filter /FlateDecode" in data
    path = scratch / "garbled.pdf"
    path.write_bytes(data.replace(b"/Filter /FlateDecode", b"/Filter .FlateDecode"))
    with pytest.raises(ReadError, match="not a readable PDF"):
        read_file(path)

"""The chunk id's builder and parser, side by side in ingest/chunk.py, agree."""
from __future__ import annotations

import datetime as dt

from ingest.chunk import chunk_id, chunk_meeting, parse_chunk_id
from ingest.parse import parse_referat
from ingest.readers import read_file


def test_every_chunk_id_reads_back_as_its_punkt(sample):
    meeting = parse_referat(read_file(sample("2024-04-24")), source="x.txt")
    chunks = chunk_meeting(meeting)
    assert chunks
    for c in chunks:
        forum, day, number, i = parse_chunk_id(c.id)
        assert (forum, day, number) == (c.forum, c.meeting_date.isoformat(), c.punkt)
        assert chunk_id(forum, dt.date.fromisoformat(day), number, i) == c.id


def test_a_forum_with_a_colon_survives():
    assert parse_chunk_id(chunk_id("CF: Øst", dt.date(2024, 4, 24), 7, 3)) == \
        ("CF: Øst", "2024-04-24", 7, 3)

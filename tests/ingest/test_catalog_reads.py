"""Reads of the catalog kept in memory: a question's citations read the same meetings
again and again, so a read is answered from memory while nothing was stored since, by
this process or any other sharing the catalog, and read again once something was."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.stores import open_catalog
from ingest.parse import parse_referat

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "chefforum-2024-04-24.txt"


@pytest.mark.both_catalogs
def test_a_read_is_kept_until_any_process_stores_a_meeting(settings):
    meeting = parse_referat(SAMPLE.read_text(encoding="utf-8"))
    with open_catalog(settings) as ours, open_catalog(settings) as theirs:
        ours.store(meeting, "a" * 64)
        first = ours.meeting(meeting.meeting_date)
        assert ours.meeting(meeting.meeting_date) is first  # nothing stored: from memory
        listed = ours.meetings()
        assert ours.meetings() == listed and ours.meetings() is not listed  # a copy

        renamed = dataclasses.replace(meeting.punkter[0], title="En ny titel")
        theirs.store(dataclasses.replace(meeting, punkter=(renamed, *meeting.punkter[1:]),
                                         content_hash="changed"),
                     "b" * 64)
        assert ours.meeting(meeting.meeting_date).punkter[0].title == "En ny titel"
        assert ours.latest().punkter[0].title == "En ny titel"

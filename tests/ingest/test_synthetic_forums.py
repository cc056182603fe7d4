"""scripts/synth_corpus.py --forums: the synthetic meetings of the scale benchmarks spread
over several forums, each read back as its own forum's meeting."""
from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

from ingest.parse import parse_referat

ROOT = Path(__file__).resolve().parents[2]


def test_meetings_are_spread_over_the_forums_and_parse_as_theirs(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "scripts" / "synth_corpus.py"), "--meetings",
                    "10", "--forums", "5", "--out", str(tmp_path)], check=True,
                   capture_output=True)
    meetings = [parse_referat(p.read_text(encoding="utf-8"), p.name)
                for p in sorted(tmp_path.glob("*.txt"))]
    assert len(meetings) == 10
    by_forum = Counter(m.forum for m in meetings)
    assert len(by_forum) == 5 and set(by_forum.values()) == {2}, by_forum
    assert "Chefforum" in by_forum and "Teknik- og Miljøudvalget" in by_forum
    assert all(len(m.punkter) >= 8 for m in meetings)
    assert len({(m.forum, m.meeting_date) for m in meetings}) == 10

#!/usr/bin/env python3
"""Check question files against the sample minutes, before anything is scored on them.

Each line must be a question in the shape of ../shared/eval/README.md: a known kind, a
meeting and punkt that exist and are open, a `split` (if any) of tuning or heldout, and
`expected_phrases` that occur verbatim (ignoring case) in that punkt (title, sections,
bilag); for a `meeting` question, in the titles of that meeting's punkter. A question
with a `forum` is looked up in that forum's meeting of its date; one without, in the one
meeting of its date. `--minutes` adds minutes files of other forums (any format ingest
reads). Prints one line per problem on stderr, a JSON summary on stdout, and exits 1 if
any line is wrong.

    python scripts/check_questions.py tests/retrieval/fixtures/questions_tuning.jsonl
    python scripts/check_questions.py --minutes tests/fixtures/forums/*.* -- FILE.jsonl
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.forum_names import same_forum  # noqa: E402
from ingest.parse import parse_referat  # noqa: E402
from ingest.readers import read_file  # noqa: E402

KINDS = {"decision", "fact", "paraphrase", "date", "meeting", "negative"}
LANGS = {"da", "en"}
#: The parts a question file may be split into, once, before any tuning.
SPLITS = {"tuning", "heldout"}


def load_meetings(paths: list[Path]) -> dict:
    """(forum, ISO date) -> meeting, of each minutes file; a referat wins over an agenda."""
    out = {}
    for path in paths:
        meeting = parse_referat(read_file(path), path.name)
        key = (meeting.forum, meeting.meeting_date.isoformat())
        if key not in out or meeting.kind == "referat":
            out[key] = meeting
    return out


def meeting_of(q: dict, meetings: dict):
    """The meeting a question's answer is in, or a sentence saying why there is none."""
    day = q.get("meeting_date") or ""
    held = [m for (forum, d), m in meetings.items() if d == day
            and (not q.get("forum") or same_forum(forum, q["forum"]))]
    if len(held) == 1:
        return held[0]
    if held:
        return f"{len(held)} meetings on {day}: give the forum"
    return f"no meeting on {day}" + (f" of {q['forum']}" if q.get("forum") else "")


def punkt_text(punkt) -> str:
    return "\n".join([punkt.title, *punkt.sections.values(), *punkt.bilag]).lower()


def problems(q: dict, meetings: dict) -> list[str]:
    out = []
    for key in ("id", "question", "kind", "expected_phrases"):
        if key not in q:
            out.append(f"no '{key}'")
    if out:
        return out
    kind = q["kind"]
    if kind not in KINDS:
        return [f"unknown kind '{kind}'"]
    if q.get("lang", "da") not in LANGS:
        out.append(f"unknown lang '{q['lang']}'")
    if q.get("split", "tuning") not in SPLITS:
        out.append(f"unknown split '{q['split']}' (tuning or heldout)")
    if kind == "negative":
        if q.get("punkt") is not None:
            out.append("a negative question has no punkt")
        return out
    meeting = meeting_of(q, meetings)
    if isinstance(meeting, str):
        return out + [meeting]
    if not q["expected_phrases"]:
        out.append("no expected phrase")
    if kind == "meeting":
        if q.get("punkt") is not None:
            out.append("a meeting question has punkt null")
        text = "\n".join(p.title for p in meeting.open_punkter).lower()
    else:
        punkt = meeting.punkt(q.get("punkt") or -1)
        if punkt is None:
            return out + [f"no punkt {q.get('punkt')} on {q['meeting_date']}"]
        if punkt.closed:
            return out + ["the punkt is closed"]
        text = punkt_text(punkt)
    for phrase in q["expected_phrases"]:
        if " ".join(phrase.lower().split()) not in " ".join(text.split()):
            out.append(f"phrase not in the punkt: {phrase!r}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--samples", type=Path, default=ROOT / "data" / "samples")
    parser.add_argument("--minutes", type=Path, nargs="*", default=[],
                        help="minutes files of other forums the questions may be about")
    args = parser.parse_args()
    meetings = load_meetings(sorted(args.samples.glob("*.txt")) + args.minutes)
    bad = 0
    ids: Counter = Counter()
    kinds: Counter = Counter()
    langs: Counter = Counter()
    for path in args.files:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                q = json.loads(line)
            except json.JSONDecodeError as e:
                print(f"{path}:{n}: not JSON: {e}", file=sys.stderr)
                bad += 1
                continue
            ids[q.get("id")] += 1
            kinds[q.get("kind")] += 1
            langs[q.get("lang", "da")] += 1
            for problem in problems(q, meetings):
                print(f"{path}:{n}: {q.get('id')}: {problem}", file=sys.stderr)
                bad += 1
    for qid, count in ids.items():
        if count > 1:
            print(f"id {qid} is used {count} times", file=sys.stderr)
            bad += 1
    print(json.dumps({"questions": sum(ids.values()), "problems": bad,
                      "kinds": dict(kinds), "langs": dict(langs)}, ensure_ascii=False))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

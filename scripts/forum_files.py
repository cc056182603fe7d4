#!/usr/bin/env python3
"""Write the two other forums' minutes as the tests read them (tests/forum_files.py: the
council's referat as a PDF, the committee's agenda as a Word document, its referat as a
web page) into a folder, and print their paths, one a line: the catalog of three forums
the forum questions (tests/retrieval/fixtures/questions_forums_*.jsonl) are scored on.

    referatbot --data-dir /tmp/forums ingest data/samples $(python scripts/forum_files.py /tmp/forum-files)
    referatbot --data-dir /tmp/forums eval tests/retrieval/fixtures/questions_forums_heldout.jsonl
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from forum_files import forum_files  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="where the PDF and the Word document go")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    for path in forum_files(args.folder):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

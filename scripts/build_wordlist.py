#!/usr/bin/env python3
"""Build retrieval/data/en_da.tsv, the English -> Danish word list, from FreeDict's
Danish-English dictionary (Debian package `dict-freedict-dan-eng`, FreeDict dan-eng 0.3.1,
dual-licensed GPL-3+ / CC BY-SA 3.0; the list is used under CC BY-SA 3.0, see NOTICE).

Each Danish headword's English equivalents are inverted into English word -> Danish words.
Only single-word English equivalents are kept (a phrase cannot be looked up word by word),
lowercased, with FreeDict's bracketed glosses removed. Run it where the package is
installed, or point it at the unpacked .dict.dz:

    apt-get download dict-freedict-dan-eng && dpkg-deb -x dict-freedict-dan-eng_*.deb x
    python scripts/build_wordlist.py x/usr/share/dictd/freedict-dan-eng.dict.dz
"""
from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = Path("/usr/share/dictd/freedict-dan-eng.dict.dz")
OUT = ROOT / "retrieval" / "data" / "en_da.tsv"
HEADWORD = re.compile(r"^(\S.*?) /[^/]*/(?: <[^>]*>)?$")
BRACKETS = re.compile(r"\[[^\]]*\]|\([^)]*\)")
WORD = re.compile(r"^[a-z][a-z'-]*$")


def entries(text: str):
    """(Danish headword, English equivalents) for each entry of the dictd text."""
    headword, body = None, []
    for line in text.splitlines():
        m = HEADWORD.match(line)
        if m:
            if headword:
                yield headword, " ".join(body)
            headword, body = m.group(1), []
        elif headword:
            body.append(line.strip())
    if headword:
        yield headword, " ".join(body)


def main() -> int:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not source.exists():
        print(f"build_wordlist: {source} not found (apt-get install dict-freedict-dan-eng)",
              file=sys.stderr)
        return 1
    text = gzip.open(source, "rt", encoding="utf-8").read()
    pairs: dict[str, set[str]] = {}
    for danish, english in entries(text):
        danish = danish.strip().lower()
        if " " in danish:
            continue
        for word in BRACKETS.sub(" ", english).split(","):
            word = word.strip().lower()
            if WORD.match(word):
                pairs.setdefault(word, set()).add(danish)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as f:
        f.write("# English -> Danish, from FreeDict dan-eng 0.3.1 (CC BY-SA 3.0), "
                "scripts/build_wordlist.py\n")
        for english in sorted(pairs):
            f.write(english + "\t" + " ".join(sorted(pairs[english])) + "\n")
    print(f"{len(pairs)} English words -> {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

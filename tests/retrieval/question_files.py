"""The question files of the retrieval tests (tests/retrieval/fixtures/) and the one
closed punkt of the samples."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: The closed punkt of the samples: `Punkt 5: Lukket` in chefforum-2019-03-14.txt.
CLOSED = (dt.date(2019, 3, 14), 5)


def load_jsonl(name: str) -> list[dict]:
    """The questions of a fixture file, one JSON object a line."""
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]

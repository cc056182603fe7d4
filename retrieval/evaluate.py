"""Scoring a question file as ../shared/eval/README.md describes, with the plain BM25 and
plain dense baselines over the same punkter in the same run."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.answer import Answerer
from retrieval.index import punkt_document
from retrieval.lexical import LexicalIndex
from retrieval.query import Query
from retrieval.search import Searcher
from retrieval.text import terms


@dataclass
class Scores:
    """Counts per metric; a metric's rate is hits / questions it applies to."""

    hits: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)

    def add(self, metric: str, ok: bool) -> None:
        self.hits[metric] = self.hits.get(metric, 0) + int(ok)
        self.totals[metric] = self.totals.get(metric, 0) + 1

    def rate(self, metric: str) -> float | None:
        n = self.totals.get(metric)
        return self.hits.get(metric, 0) / n if n else None


def load_questions(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def score_answer(q: dict, answer: dict, scores: Scores,
                 closed: set[tuple[str, int]] = frozenset()) -> list[str]:
    """Score one answer JSON; returns the names of the metrics it missed."""
    missed = []

    def add(metric: str, ok: bool) -> None:
        scores.add(metric, ok)
        if not ok:
            missed.append(metric)

    cited = [(c["meeting_date"], c["punkt"]) for c in answer["citations"]]
    shown = cited + [(c["meeting_date"], c["punkt"]) for c in answer["suggestions"]]
    add("closed", not any(key in closed for key in shown))
    if q["kind"] == "negative":
        add("negative", not answer["answered"])
    elif q["kind"] == "meeting":
        add("meeting", (answer["meeting"] or {}).get("meeting_date") == q["meeting_date"])
        add("answered", answer["answered"])
    else:
        want = (q["meeting_date"], q["punkt"])
        ok = answer["answered"]
        add("hit@1", ok and cited[:1] == [want])
        add("hit@3", ok and want in cited[:3])
        text = ((answer["citations"][0]["snippet"] if answer["citations"] else "") + " "
                + answer["answer"]).lower()
        add("snippet", any(p.lower() in text for p in q["expected_phrases"]))
        add("answered", ok)
    return missed


def baseline_ranks(answerer: Answerer, questions: list[dict]) -> dict[str, Scores]:
    """hit@1 and hit@3 of plain BM25 (Danish stemmer, whole question, no compounds) and of
    plain dense search (nearest chunks, best per punkt) over the same punkter."""
    index = answerer.index
    plain = LexicalIndex([(r.key, punkt_document(index.punkt(r))) for r in index.refs],
                         compounds=False)
    dense = Searcher(index)
    out = {"plain BM25": Scores(), "plain dense": Scores()}
    for q in questions:
        if q["kind"] in ("negative", "meeting"):
            continue
        want = (q["meeting_date"], q["punkt"])
        lex = plain.scores(terms(q["question"]))
        vec = dense.dense_scores(Query(text=q["question"], terms=()))
        for name, s in (("plain BM25", lex), ("plain dense", vec)):
            order = [i for i in s.argsort()[::-1][:3] if s[i] > 0]
            got = [(index.refs[i].meeting_date.isoformat(), index.refs[i].number) for i in order]
            out[name].add("hit@1", got[:1] == [want])
            out[name].add("hit@3", want in got)
    return out


METRICS = ("hit@1", "hit@3", "snippet", "meeting", "negative", "answered", "closed")


def format_table(ours: Scores, baselines: dict[str, Scores]) -> str:
    def cell(v):
        return "   -  " if v is None else f"{v:6.3f}"

    names = ["referatbot", *baselines]
    lines = ["metric          " + "".join(f"{n:>14}" for n in names) + "   ratio vs best baseline"]
    for m in METRICS:
        row = [ours.rate(m)] + [b.rate(m) for b in baselines.values()]
        base = [v for v in row[1:] if v is not None]
        ratio = f"{row[0] / max(base):.2f}x" if base and max(base) > 0 and row[0] is not None else ""
        lines.append(f"{m:<16}" + "".join(f"{cell(v):>14}" for v in row) + f"   {ratio}")
    lines.append("answered: share of positive questions answered (1.0 = none wrongly "
                 "refused); closed: 1.0 = no closed punkt shown")
    return "\n".join(lines)

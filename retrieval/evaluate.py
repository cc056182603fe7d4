"""Scoring a question file as ../shared/eval/README.md describes, with the plain BM25 and
plain dense baselines over the same punkter in the same run, overall, per kind, per
language and per forum (a question's `forum`: the forum its answer comes from, which a
citation must then match too), the answers' confidence, and the verdict's trade-off over its answer threshold.
A question file may be split into a tuning and a held-out part (each question's `split`);
`explain` prints what each stage of the answering walk made of one question."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.answer import Answerer, Walk
from retrieval.index import punkt_document
from retrieval.lexical import LexicalIndex
from retrieval.model import Answer
from retrieval.query import Query, understand
from retrieval.search import Searcher
from retrieval.text import terms

METRICS = ("hit@1", "hit@3", "snippet", "meeting", "negative", "answered", "closed")
#: The metrics the baselines rank on (they neither answer nor refuse).
RANK_METRICS = ("hit@1", "hit@3")


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

    def count(self, metric: str) -> str:
        return f"{self.hits.get(metric, 0)}/{self.totals.get(metric, 0)}"


@dataclass
class Report:
    """Scores overall and per group ("kind:fact", "lang:en"), per question the verdict's
    probability that the answer's first punkt answers (for the trade-off curve), and the
    confidence given to answerable and to off-topic questions."""

    groups: dict[str, Scores] = field(default_factory=dict)
    probabilities: list[tuple[bool, float]] = field(default_factory=list)
    confidence: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, q: dict, metric: str, ok: bool) -> None:
        lang = q.get("lang") or understand(q["question"]).lang
        forum = (f"forum:{q['forum']}",) if q.get("forum") else ()
        for group in ("all", f"kind:{q['kind']}", f"lang:{lang}", *forum):
            self.groups.setdefault(group, Scores()).add(metric, ok)

    def __getitem__(self, group: str) -> Scores:
        return self.groups.get(group, Scores())


def load_questions(path: Path, split: str | None = None) -> list[dict]:
    """The questions of a file; with `split`, only that part of a split file (a file
    without parts is all tuning)."""
    questions = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    return questions if split is None else [q for q in questions
                                            if q.get("split", "tuning") == split]


def tuning_part(questions: list[dict]) -> list[dict]:
    """The questions that may be tuned on: all of a file without parts, else its tuning
    part."""
    return [q for q in questions if q.get("split", "tuning") == "tuning"]


def score_answer(q: dict, answer: dict, report: Report,
                 closed: set[tuple[str, str, int]] = frozenset()) -> list[str]:
    """Score one answer JSON; returns the names of the metrics it missed. `closed`: the
    closed punkter as (forum, ISO date, number): another forum's open punkt of the same
    date and number is no closed punkt shown."""
    missed = []

    def add(metric: str, ok: bool) -> None:
        report.add(q, metric, ok)
        if not ok:
            missed.append(metric)

    shown = [(c["forum"], c["meeting_date"], c["punkt"])
             for c in answer["citations"] + answer["suggestions"]]
    add("closed", not any(key in closed for key in shown))
    cited = [_ref(c, q) for c in answer["citations"]]
    if q["kind"] == "negative":
        add("negative", not answer["answered"])
    elif q["kind"] == "meeting":
        add("meeting", (answer["meeting"] or {}).get("meeting_date") == q["meeting_date"])
        add("answered", answer["answered"])
    else:
        want = _ref(q, q)
        ok = answer["answered"]
        add("hit@1", ok and cited[:1] == [want])
        add("hit@3", ok and want in cited[:3])
        text = ((answer["citations"][0]["snippet"] if answer["citations"] else "") + " "
                + answer["answer"]).lower()
        add("snippet", any(p.lower() in " ".join(text.split()) for p in
                           (" ".join(p.lower().split()) for p in q["expected_phrases"])))
        add("answered", ok)
    return missed


def _ref(item: dict, q: dict) -> tuple:
    """A cited or expected punkt as the question is scored: by date and number, and by
    forum too when the question names the forum its answer comes from."""
    return (item["forum"] if q.get("forum") else None, item["meeting_date"], item["punkt"])


def note_verdict(q: dict, answer: Answer, report: Report) -> None:
    """Keep the confidence given, and the verdict's probability where it weighed a punkt."""
    if q["kind"] == "meeting":
        return
    group = "off-topic" if q["kind"] == "negative" else "answerable"
    counts = report.confidence.setdefault(group, {})
    counts[answer.confidence] = counts.get(answer.confidence, 0) + 1
    if answer.probability is not None:
        report.probabilities.append((q["kind"] != "negative", answer.probability))


def baseline_ranks(answerer: Answerer, questions: list[dict]) -> dict[str, Report]:
    """hit@1 and hit@3 of plain BM25 (Danish stemmer, whole question, no compounds) and of
    plain dense search (nearest chunks, best per punkt) over the same punkter."""
    index = answerer.index
    plain = LexicalIndex([(r.key, punkt_document(index.punkt(r))) for r in index.refs],
                         compounds=False)
    dense = Searcher(index)
    out = {"plain BM25": Report(), "plain dense": Report()}
    for q in questions:
        if q["kind"] in ("negative", "meeting"):
            continue
        want = _ref(q, q)
        lex = plain.scores(terms(q["question"]))
        vec = dense.dense_scores(Query(text=q["question"], concepts=()))
        for name, s in (("plain BM25", lex), ("plain dense", vec)):
            order = [i for i in s.argsort()[::-1][:3] if s[i] > 0]
            got = [_ref({"forum": index.refs[i].forum, "punkt": index.refs[i].number,
                         "meeting_date": index.refs[i].meeting_date.isoformat()}, q)
                   for i in order]
            out[name].add(q, "hit@1", got[:1] == [want])
            out[name].add(q, "hit@3", want in got)
    return out


def format_table(ours: Report, baselines: dict[str, Report]) -> str:
    forums = any(g.startswith("forum:") for g in ours.groups)
    lines = [_overall(ours, baselines), "", _by_group(ours, baselines, "kind"), "",
             _by_group(ours, baselines, "lang"), "",
             *([_by_group(ours, baselines, "forum"), ""] if forums else []),
             _errors(ours), _confidence(ours)]
    curve = tradeoff(ours.probabilities)
    if curve:
        lines += ["", "the verdict over its answer threshold (probability that the first "
                      "punkt answers):",
                  "threshold  off-topic answered  answerable refused"]
        lines += [f"{t:9.2f}  {fa:>18}  {fr:>18}" for t, fa, fr in curve]
    return "\n".join(lines)


def _overall(ours: Report, baselines: dict[str, Report]) -> str:
    def cell(v):
        return "   -  " if v is None else f"{v:6.3f}"

    names = ["referatbot", *baselines]
    lines = ["metric          " + "".join(f"{n:>14}" for n in names) + "   ratio vs best baseline"]
    for m in METRICS:
        row = [ours["all"].rate(m)] + [b["all"].rate(m) for b in baselines.values()]
        base = [v for v in row[1:] if v is not None]
        ratio = f"{row[0] / max(base):.2f}x" if base and max(base) > 0 and row[0] is not None else ""
        lines.append(f"{m:<16}" + "".join(f"{cell(v):>14}" for v in row) + f"   {ratio}")
    lines.append("answered: share of positive questions answered (1.0 = none wrongly "
                 "refused); negative: share of off-topic questions refused; closed: 1.0 = "
                 "no closed punkt shown")
    return "\n".join(lines)


def _by_group(ours: Report, baselines: dict[str, Report], kind: str) -> str:
    groups = sorted(g for g in ours.groups if g.startswith(kind + ":"))
    head = (f"{'by ' + kind:<16}" + "".join(f"{m:>10}" for m in METRICS[:6])
            + "".join(f"{n.split()[-1] + ' ' + m:>13}" for n in baselines for m in RANK_METRICS))
    lines = [head]
    for g in groups:
        row = [ours[g].count(m) if ours[g].totals.get(m) else "-" for m in METRICS[:6]]
        row += [baselines[n][g].count(m) if baselines[n][g].totals.get(m) else "-"
                for n in baselines for m in RANK_METRICS]
        lines.append(f"{g.split(':', 1)[1]:<16}" + "".join(f"{c:>10}" for c in row[:6])
                     + "".join(f"{c:>13}" for c in row[6:]))
    return "\n".join(lines)


def _errors(ours: Report) -> str:
    s = ours["all"]
    off = s.totals.get("negative", 0)
    pos = s.totals.get("answered", 0)
    return (f"off-topic answered: {off - s.hits.get('negative', 0)} of {off}; "
            f"answerable refused: {pos - s.hits.get('answered', 0)} of {pos}")


def _confidence(ours: Report) -> str:
    levels = ("high", "low", "none")
    return "confidence given: " + "; ".join(
        f"{group} " + ", ".join(f"{level} {counts.get(level, 0)}" for level in levels)
        for group, counts in sorted(ours.confidence.items()))


def tradeoff(probabilities: list[tuple[bool, float]],
             steps: int = 21, top: float = 1.0) -> list[tuple[float, str, str]]:
    """(threshold, off-topic answered, answerable refused) over thresholds 0..top, counting
    only what the threshold decides."""
    if not probabilities:
        return []
    positives = [s for answerable, s in probabilities if answerable]
    negatives = [s for answerable, s in probabilities if not answerable]
    out = []
    for k in range(steps):
        t = top * k / (steps - 1)
        out.append((t, f"{sum(s >= t for s in negatives)}/{len(negatives)}",
                    f"{sum(s < t for s in positives)}/{len(positives)}"))
    return out


def explain(walk: Walk) -> str:
    """What each stage of the answering walk made of one question."""
    query, candidates, verdict = walk.query, walk.candidates, walk.verdict
    lines = ["1. understand -> Query",
             f"   text: {query.text}",
             f"   lang: {query.lang}; answer type: {query.answer_type}; "
             f"decision: {query.decision}; meeting: {query.meeting}; "
             f"which meeting: {query.which_meeting}; future: {query.future}",
             f"   dates: {query.start} .. {query.end}; year: {query.year}",
             "   concepts: " + ", ".join(f"{c.word} {list(c.terms)}" for c in query.concepts),
             "2. retrieve -> Candidates",
             f"   route: {candidates.route.value}; dense: {candidates.dense}"
             + (f"; meeting: {candidates.meeting.meeting_date}" if candidates.meeting else ""),
             *(f"   step: {step}" for step in candidates.steps),
             "   concepts as the index knows them: " + ", ".join(
                 f"{c.concept.word} ({c.how}, weight {c.weight:.2f})" for c in candidates.concepts)]
    for n, c in enumerate(candidates.punkter, 1):
        r = c.ranked
        head = (f"   {n}. {c.meeting.forum} {c.meeting.meeting_date} punkt {c.punkt.number}: "
                f"{c.punkt.title}")
        if r:
            head += (f" | score {r.score:.2f}, lexical {r.lexical:.2f}, dense {r.dense:.3f}, "
                     f"coverage {r.coverage:.2f}, margin {r.margin:.3f}")
        lines.append(head)
        best = c.evidence.best
        if best:
            cosine = "-" if best.similarity is None else f"{best.similarity:.3f}"
            lines.append(f"      best sentence ({best.section}, cosine {cosine}, match "
                         f"{best.match:.2f}, carries {best.carries}): {best.text[:160]}")
    lines += ["3. decide -> Verdict",
              f"   outcome: {verdict.outcome.value}; reason: {verdict.reason.value}; "
              f"confidence: {verdict.confidence}"
              + ("" if verdict.probability is None else f"; probability {verdict.probability:.3f}"),
              "   features: " + ", ".join(f"{k} {v:.2f}" for k, v in verdict.features),
              "   chosen: " + ", ".join(f"{c.meeting.meeting_date} p{c.punkt.number}"
                                        for c in verdict.chosen),
              "4. quote -> Answer",
              "   " + json.dumps(walk.answer.to_json(), ensure_ascii=False, indent=1)
              .replace("\n", "\n   ")]
    return "\n".join(lines)

#!/usr/bin/env python3
"""Two code trees side by side on every question file, in one run: the answers of each
(`referatbot ask --json -` run in that tree over its own indexed data dir, one process
per tree, so each answers with its own code and verdict), scored the same way by this
tree's retrieval/evaluate.py, per file and per part of a split file, and the plain BM25
and plain dense baselines of this tree over the first tree's data dir.

    python scripts/compare_eval.py --tree main=/tmp/main-src:/tmp/data-main \\
        --tree branch=.:/tmp/data-branch [--part heldout] [--json]

Per file and part, per tree: hit@1, hit@3, snippet, meeting questions found, answerable
questions refused (of them, how many still led with the right punkt: an unsure reply
quoting it, or nothing found with it first among the nearest), and off-topic questions
answered with confidence and answered unsure. A tree whose answers carry no `confidence`
(code before the verdict) has none unsure. Questions are never moved between parts.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from contextlib import contextmanager, nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from retrieval.evaluate import Report, load_questions, score_answer  # noqa: E402

QUESTION_FILES = (*sorted((ROOT / "tests" / "retrieval" / "fixtures").glob("*.jsonl")),
                  ROOT / "tests" / "retrieval" / "heldout_questions.jsonl")
COLUMNS = ("hit@1", "hit@3", "snippet", "meeting", "refused", "refused, right first",
           "off-topic confident", "off-topic unsure")


def answers(tree: Path, data_dir: Path, cache: Path | None, questions: list[str]) -> list[dict]:
    """Each question's answer JSON from `referatbot ask --json -` run in `tree` (with the
    model cache `cache`, where its model build differs from the other tree's)."""
    env = {**os.environ, "REFERATBOT_DATA_DIR": str(data_dir), "PYTHONPATH": str(tree)}
    if cache:
        env["REFERATBOT_MODEL_CACHE"] = str(cache)
    done = subprocess.run([sys.executable, "-m", "bot", "ask", "--json", "-"], cwd=tree,
                          env=env, input="\n".join(questions) + "\n", capture_output=True,
                          text=True, check=False)
    if done.returncode:
        sys.exit(f"referatbot ask failed in {tree}:\n{done.stderr[-2000:]}")
    out = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    if len(out) != len(questions):
        sys.exit(f"{tree}: {len(out)} answers to {len(questions)} questions")
    return out


def right_first(q: dict, answer: dict) -> bool:
    shown = answer["citations"][:1] or answer["suggestions"][:1]
    return bool(shown) and (shown[0]["meeting_date"], shown[0]["punkt"]) == \
        (q.get("meeting_date"), q.get("punkt"))


def score(questions: list[dict], got: list[dict]) -> dict[str, str]:
    report = Report()
    refused = right = positives = confident = unsure = negatives = 0
    for q, answer in zip(questions, got):
        score_answer(q, answer, report)
        if q["kind"] == "negative":
            negatives += 1
            confident += answer["answered"]
            unsure += answer.get("confidence") == "low"
        elif q["kind"] != "meeting":
            positives += 1
            if not answer["answered"]:
                refused += 1
                right += right_first(q, answer)
    s = report["all"]
    row = {m: s.count(m) if s.totals.get(m) else "-" for m in COLUMNS[:4]}
    row.update({"refused": f"{refused}/{positives}", "refused, right first": f"{right}/{refused}",
                "off-topic confident": f"{confident}/{negatives}" if negatives else "-",
                "off-topic unsure": f"{unsure}/{negatives}" if negatives else "-"})
    return row


@contextmanager
def baselines(data_dir: Path):
    """rank(questions) -> {baseline: {metric: count}}: this tree's plain BM25 and plain
    dense over `data_dir`, opened once."""
    from bot.settings import Settings
    from bot.stores import open_catalog, open_index
    from retrieval.answer import Answerer
    from retrieval.evaluate import baseline_ranks

    settings = Settings.from_env().with_(data_dir=data_dir)
    with open_catalog(settings) as catalog:
        index = open_index(settings, catalog)
        index.load_lexical()
        answerer = Answerer(index)
        yield lambda questions: {
            name: {m: r["all"].count(m) for m in ("hit@1", "hit@3")}
            for name, r in baseline_ranks(answerer, questions).items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tree", action="append", required=True,
                    metavar="NAME=TREE:DATA_DIR[:MODEL_CACHE]",
                    help="a code tree and its indexed data dir over data/samples (and its "
                         "own model cache, when its model build differs)")
    ap.add_argument("--part", choices=("heldout", "tuning", "all"), default="all",
                    help="for a split file, the part(s) to report (default: each part)")
    ap.add_argument("--no-baselines", action="store_true")
    ap.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = ap.parse_args()
    trees = []
    for spec in args.tree:
        name, _, rest = spec.partition("=")
        tree, data, cache = (rest.split(":") + [""])[:3]
        if not (name and tree and data) or rest.count(":") > 2:
            ap.error(f"--tree {spec!r}: give NAME=TREE:DATA_DIR[:MODEL_CACHE]")
        trees.append((name, Path(tree).resolve(), Path(data).resolve(),
                      Path(cache).resolve() if cache else None))
    files = {path: load_questions(path) for path in QUESTION_FILES}
    every = [q for qs in files.values() for q in qs]
    got = {name: answers(tree, data, cache, [q["question"] for q in every])
           for name, tree, data, cache in trees}
    results = []
    start = 0
    with nullcontext(None) if args.no_baselines else baselines(trees[0][2]) as rank:
        for path, qs in files.items():
            parts = sorted({q["split"] for q in qs if "split" in q}) or [None]
            for part in parts:
                if part and args.part != "all" and part != args.part:
                    continue
                chosen = [i for i, q in enumerate(qs) if part is None or q.get("split") == part]
                picked = [qs[i] for i in chosen]
                entry = {"file": path.relative_to(ROOT).as_posix(), "part": part or "all",
                         "questions": len(picked), "trees": {}}
                for name, *_ in trees:
                    entry["trees"][name] = score(picked, [got[name][start + i] for i in chosen])
                if rank:
                    entry["trees"].update(rank(picked))
                results.append(entry)
            start += len(qs)
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
        return 0
    for entry in results:
        print(f"\n{entry['file']} ({entry['part']}, {entry['questions']} questions)")
        print(f"{'':<22}" + "".join(f"{n:>14}" for n in entry["trees"]))
        for column in COLUMNS:
            print(f"{column:<22}" + "".join(f"{row.get(column, ''):>14}"
                                            for row in entry["trees"].values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

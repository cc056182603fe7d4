#!/usr/bin/env python3
"""Latency of the compose box's search (`composeExtension/query`), which Teams gives 5
seconds, for the sample corpus and (with --meetings N) N synthetic meetings. Per query:

- compose (lexical): what the bot runs, `retrieval.browse` on the lexical side plus the
  result list's JSON (`bot.teams.compose.results_body`: 25 cards and previews);
- compose (full): the same with the dense side too (embed the words, ask Chroma), the
  question vector cache emptied before each, for the comparison;
- plain lexical: plain BM25 (LexicalIndex, compounds=False) ranking the punkter, the
  baseline of scripts/bench_query.py;
- invoke over HTTP: the whole invoke through the real app (`create_app`, botbuilder, the
  handler, JSON) on a local port, what Teams waits for.

    python scripts/bench_compose.py
    python scripts/bench_compose.py --meetings 1000 --data-dir /tmp/bench1000 --skip-samples

The corpora are set up as scripts/bench_query.py does (its functions are reused; a
--data-dir that already holds the synthetic meetings is reused). Queries: the keywords of
the dev questions as someone types them into a search box (the first word, then three),
the empty query Teams sends when the search opens, a month, and the second page of each
of a few. Progress goes to stderr; the table (or --json) to stdout.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
from aiohttp.test_utils import TestClient, TestServer  # noqa: E402

from bench_query import (QUESTIONS, SAMPLES, Corpus, log, open_corpus, other_load,  # noqa: E402
                         summary, timed, write_synthetic)
from bot.app import create_app  # noqa: E402
from bot.app_keys import engine_key  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.teams.compose import COMMAND_ID, PARAMETER, results_body  # noqa: E402
from retrieval.browse import browse  # noqa: E402
from retrieval.index import punkt_document  # noqa: E402
from retrieval.lexical import LexicalIndex  # noqa: E402
from retrieval.search import Searcher  # noqa: E402
from retrieval.text import terms  # noqa: E402

PAGE = 25
EXTRA = ["", "marts 2023", "seneste møde", "sygefravær 2024"]


def compose_queries(path: Path) -> list[tuple[str, int]]:
    """(words, skip): what people type into a search box, and a few second pages."""
    out: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            words = [w for w in re.findall(r"[\wæøå-]+", json.loads(line)["question"].lower())
                     if len(w) > 4]
            out += [words[0], " ".join(words[:3])] if words else []
    unique = list(dict.fromkeys(out + EXTRA))
    return [(w, 0) for w in unique] + [(w, PAGE) for w in unique[::8]]


def bench(corpus: Corpus, embedder, queries, repeat: int) -> dict:
    catalog, index = open_corpus(corpus, embedder)
    try:
        lexical, full = Searcher(index, dense_weight=0.0), Searcher(index)
        plain = LexicalIndex([(r.key, punkt_document(index.punkt(r))) for r in index.refs],
                             compounds=False)

        def compose(searcher):
            def run(query):
                words, skip = query
                json.dumps(results_body(browse(index, words, skip=skip, count=PAGE,
                                               searcher=searcher)), ensure_ascii=False)
            return run

        def bm25(query):
            np.argsort(-plain.scores(terms(query[0])))[query[1]:query[1] + PAGE]

        for q in queries[:5]:  # warm-up: caches, Chroma's HNSW load, torch's first calls
            compose(lexical)(q), compose(full)(q), bm25(q)
        found = sum(bool(browse(index, w, skip=s, count=PAGE)) for w, s in queries)
        forget = embedder.forget_queries
        busy = other_load()
        results = {
            "compose (lexical)": summary(timed(compose(lexical), queries, repeat)),
            "compose (full)": summary(timed(compose(full), queries, repeat, forget)),
            "plain lexical": summary(timed(bm25, queries, repeat)),
        }
        stats = dict(corpus.stats)
    finally:
        catalog.close()
    results["invoke over HTTP"] = summary(asyncio.run(over_http(corpus.data_dir, embedder,
                                                                queries, repeat)))
    return {"corpus": corpus.name, **stats, "queries": len(queries), "repeat": repeat,
            "with_results": found, "latency_ms": results,
            "load_avg_1m": round(os.getloadavg()[0], 2),
            "other_busy_processes": sorted(set(busy) | set(other_load()))}


async def over_http(data_dir: Path, embedder, queries, repeat: int) -> list[float]:
    """Milliseconds per composeExtension/query POSTed to the real app (auth off)."""
    app = create_app(Settings(data_dir=data_dir), embedder=embedder)
    async with TestClient(TestServer(app)) as client:
        engine = app[engine_key]
        while not engine.ready and not engine.error:  # loading would share the CPU
            await asyncio.sleep(0.2)
        out = []
        for n in range(repeat * len(queries) + 5):
            words, skip = queries[n % len(queries)]
            body = {"type": "invoke", "name": "composeExtension/query", "id": f"bench-{n}",
                    "channelId": "msteams", "serviceUrl": "http://127.0.0.1:9/",
                    "conversation": {"id": "a:bench"}, "from": {"id": "29:bench"},
                    "recipient": {"id": "28:bot"},
                    "value": {"commandId": COMMAND_ID,
                              "parameters": [{"name": PARAMETER, "value": words}],
                              "queryOptions": {"skip": skip, "count": PAGE}}}
            t = time.perf_counter()
            response = await client.post("/api/messages", json=body)
            await response.read()
            assert response.status == 200, response.status
            if n >= 5:  # the first few warm up
                out.append((time.perf_counter() - t) * 1000)
    return out


def table(runs: list[dict]) -> str:
    lines = []
    for run in runs:
        lines.append(f"\n{run['corpus']}: {run['meetings']} meetings, {run['open_punkter']} open "
                     f"punkter; {run['queries']} queries x {run['repeat']} "
                     f"({run['with_results']} with results), pages of {PAGE}")
        lines.append(f"{'method':<20}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}"
                     f"{'max ms':>10}{'p50 vs':>9}{'p95 vs':>9}")
        base = run["latency_ms"]["plain lexical"]
        for name, s in run["latency_ms"].items():
            lines.append(f"{name:<20}{s['n']:>6}{s['p50']:>10.1f}{s['p95']:>10.1f}{s['p99']:>10.1f}"
                         f"{s['max']:>10.1f}{s['p50'] / base['p50']:>8.1f}x"
                         f"{s['p95'] / base['p95']:>8.1f}x")
        lines.append(f"load average {run['load_avg_1m']}; other busy processes: "
                     + ("; ".join(run["other_busy_processes"]) or "none"))
    lines.append("\n'vs' columns: each method's latency divided by plain lexical's.")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--meetings", type=int, default=0, help="also benchmark N synthetic meetings")
    ap.add_argument("--data-dir", type=Path, help="data dir for the synthetic corpus (reused)")
    ap.add_argument("--skip-samples", action="store_true", help="only the synthetic corpus")
    ap.add_argument("--questions", type=Path, default=QUESTIONS)
    ap.add_argument("--repeat", type=int, default=3, help="passes over the queries")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()

    from retrieval.embed import Embedder

    queries = compose_queries(args.questions)
    embedder = Embedder(model_cache=Settings.from_env().model_cache).load()
    embedder.query("opvarmning")
    log(f"model loaded; {len(queries)} queries")
    with tempfile.TemporaryDirectory(prefix="bench_compose_") as tmp:
        corpora = [] if args.skip_samples else [Corpus("samples", Path(tmp) / "samples", SAMPLES)]
        if args.meetings:
            data_dir = args.data_dir or Path(tmp) / f"synth{args.meetings}"
            write_synthetic(data_dir / "synth", args.meetings, args.seed)
            corpora.append(Corpus(f"synthetic {args.meetings}", data_dir, data_dir / "synth"))
        runs = [bench(c, embedder, queries, args.repeat) for c in corpora]
    result = {"cpus": os.cpu_count(), "runs": runs}
    print(json.dumps(result, ensure_ascii=False) if args.json else table(runs))


if __name__ == "__main__":
    main()

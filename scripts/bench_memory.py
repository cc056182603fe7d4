#!/usr/bin/env python3
"""Where `serve`'s memory goes: RSS after each part of what it loads, in the order the
engine loads it, over an ingested data dir.

    python scripts/bench_memory.py --data-dir /tmp/bench1000
    python scripts/bench_memory.py --data-dir /tmp/bench1000 --backend torch

Stages: the server's imports; the catalog; the index opened (Chroma); the lexical state
(both BM25 indexes, the punkt references, the chunk ids), also measured by tracemalloc
as the lexical index's own share; the embedding model; the first questions (Chroma's
HNSW index and the backend's buffers). Prints a table (or --json) on stdout.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import psutil  # noqa: E402

QUESTIONS = ["hvad besluttede CF om telefontider?", "sygefravær i 2023", "budget",
             "what did CF decide about the climate plan?", "status på digitaliseringsstrategien"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--backend", default="", help="REFERATBOT_EMBEDDING_BACKEND (default: the model's)")
    ap.add_argument("--top", type=int, default=0,
                    help="print the lexical state's N largest allocations (tracemalloc) to stderr")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    process = psutil.Process()
    stages: list[tuple[str, float, float]] = []
    last = [process.memory_info().rss]

    def stage(name: str, extra: float = 0.0) -> None:
        rss = process.memory_info().rss
        stages.append((name, (rss - last[0]) / 2**20, rss / 2**20, extra))
        last[0] = rss

    stage("python")
    import bot.app  # noqa: F401  (what `serve` imports)
    from bot.settings import Settings
    from bot.stores import open_catalog, open_index
    from retrieval.answer import Answerer
    from retrieval.index import LexicalState
    stage("imports")
    settings = Settings(data_dir=args.data_dir, embedding_backend=args.backend)
    catalog = open_catalog(settings)
    stage("catalog")
    index = open_index(settings, catalog)
    stage("index opened (Chroma)")
    gc.collect()
    tracemalloc.start()
    index.state = LexicalState.build(catalog, index.ledger)
    gc.collect()
    lexical_mb = tracemalloc.get_traced_memory()[0] / 2**20
    if args.top:
        for line in tracemalloc.take_snapshot().statistics("lineno")[:args.top]:
            print(line, file=sys.stderr)
    tracemalloc.stop()
    stage("lexical state", lexical_mb)
    index.embedder.load()
    stage(f"model ({index.embedder.backend})")
    answerer = Answerer(index)
    t = time.perf_counter()
    for q in QUESTIONS:
        answerer.ask(q)
    stage("first questions")
    result = {"data_dir": str(args.data_dir), "backend": index.embedder.backend,
              "punkter": len(index.refs), "chunks": index.store.count(),
              "questions_s": round(time.perf_counter() - t, 2),
              "torch_imported": "torch" in sys.modules,
              "load_avg_1m": round(os.getloadavg()[0], 2),
              "stages": [{"stage": n, "added_mb": round(a), "rss_mb": round(r),
                          **({"python_objects_mb": round(x)} if x else {})}
                         for n, a, r, x in stages]}
    catalog.close()
    if args.json:
        print(json.dumps(result))
        return
    print(f"{result['data_dir']}: {result['punkter']} open punkter, {result['chunks']} chunks; "
          f"backend {result['backend']}, torch imported: {result['torch_imported']}; "
          f"load average {result['load_avg_1m']}")
    print(f"{'stage':<36}{'added MB':>10}{'RSS MB':>10}{'traced MB':>11}")
    for s in result["stages"]:
        print(f"{s['stage']:<36}{s['added_mb']:>10}{s['rss_mb']:>10}"
              f"{s.get('python_objects_mb', ''):>11}")


if __name__ == "__main__":
    main()

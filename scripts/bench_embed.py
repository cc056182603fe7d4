#!/usr/bin/env python3
"""The embedding backends side by side in one run: passages/s, question latency, memory,
and how close each one's vectors are to torch's (the reference).

    python scripts/bench_embed.py                        # every backend, the sample chunks
    python scripts/bench_embed.py --rounds 5 --passages 64 --threads 1
    python scripts/bench_embed.py --paths more/minutes/  # other real minutes as well
    python scripts/bench_embed.py --sentences --passages 1250 --rounds 1   # the sentences

Each backend loads in a process of its own, so its memory is its own (torch and
sentence-transformers are imported by the torch one only); the processes then take turns,
round after round, on the same passages (real chunks: the sample referater and any
--paths, through the ingest parser and chunker; with --sentences the punkter's sentences
as the index embeds them, each after its punkt's title) and questions (the dev questions), so a
machine shared with others slows each of them alike. Rates are given per second of wall
time and per CPU second (the worker's own CPU time, less swayed by other load), with the
load average before and after. Progress on stderr, the table (or --json) on stdout.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402

from retrieval.embed import BACKENDS, TORCH  # noqa: E402

SAMPLES = ROOT / "data" / "samples"
QUESTIONS = ROOT / "tests" / "retrieval" / "fixtures" / "dev_questions.jsonl"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def passages(paths: list[Path], *, of_sentences: bool = False) -> list[str]:
    """The distinct chunk texts (or sentence texts) of the minutes under `paths`, as the
    index embeds them."""
    from ingest.chunk import chunk_meeting
    from ingest.parse import parse_referat
    from ingest.pipeline import collect_files
    from ingest.readers import read_file
    from retrieval.sentences import embed_text, sentences

    files, _, _ = collect_files(paths)
    meetings = [parse_referat(read_file(f.path), f.path.name) for f in files]
    if of_sentences:
        texts = [embed_text(p.title, s.text) for m in meetings for p in m.open_punkter
                 for s in sentences(p)]
    else:
        texts = [c.embed_text for m in meetings for c in chunk_meeting(m)]
    return list(dict.fromkeys(texts))


def questions(path: Path) -> list[str]:
    return [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


# --- a backend's process ------------------------------------------------------------------

def worker(backend: str, threads: int, conn) -> None:
    """Load the backend, then answer the parent's requests until it says stop."""
    import psutil

    from bot.settings import Settings
    from retrieval.embed import Embedder

    started = time.perf_counter()
    embedder = Embedder(backend=backend, threads=threads,
                        model_cache=Settings.from_env().model_cache).load()
    embedder.query("opvarmning")  # first-call costs out of the timings
    conn.send({"load_s": time.perf_counter() - started, "backend": embedder.backend,
               "torch_imported": "torch" in sys.modules})
    while True:
        request, payload = conn.recv()
        if request == "stop":
            break
        wall, cpu = time.perf_counter(), time.process_time()
        if request == "passages":
            vectors = embedder.passages(payload)
            times = []
        else:
            times, rows = [], []
            for q in payload:
                embedder.forget_queries()
                t = time.perf_counter()
                rows.append(embedder.query(q))
                times.append((time.perf_counter() - t) * 1000)
            vectors = np.stack(rows)
        conn.send({"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu,
                   "ms": times, "vectors": vectors,
                   "rss_mb": psutil.Process().memory_info().rss / 2**20,
                   "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


# --- the run ------------------------------------------------------------------------------

def run(backends: list[str], texts: list[str], qs: list[str], rounds: int, per_round: int,
        threads: int) -> dict:
    context = multiprocessing.get_context("spawn")
    procs, conns, out = {}, {}, {}
    for backend in backends:  # one at a time: loading is not what is compared
        mine, theirs = context.Pipe()
        procs[backend] = context.Process(target=worker, args=(backend, threads, theirs))
        procs[backend].start()
        conns[backend] = mine
        out[backend] = {**mine.recv(), "passages": 0, "wall_s": 0.0, "cpu_s": 0.0, "ms": [],
                        "pvec": [], "qvec": []}
        log(f"{backend}: loaded in {out[backend]['load_s']:.1f} s")
    load_before = os.getloadavg()
    try:
        for r in range(rounds):
            batch = [texts[(r * per_round + i) % len(texts)] for i in range(per_round)]
            order = backends[r % len(backends):] + backends[:r % len(backends)]
            for backend in order:
                got = ask(conns[backend], "passages", batch)
                o = out[backend]
                o["passages"] += len(batch)
                o["wall_s"] += got["wall_s"]
                o["cpu_s"] += got["cpu_s"]
                if r == 0:
                    o["pvec"] = got["vectors"]
                got = ask(conns[backend], "queries", qs)
                o["ms"] += got["ms"]
                o["qvec"] = got["vectors"]
                o["rss_mb"], o["peak_mb"] = got["rss_mb"], got["peak_mb"]
            log(f"round {r + 1}/{rounds} done, load {os.getloadavg()[0]:.2f}")
    finally:
        for backend, conn in conns.items():
            conn.send(("stop", None))
            procs[backend].join(30)
    return summarise(out, load_before, os.getloadavg())


def ask(conn, request: str, payload) -> dict:
    conn.send((request, payload))
    return conn.recv()


def summarise(out: dict, load_before, load_after) -> dict:
    reference = out.get(TORCH)
    rows = {}
    for backend, o in out.items():
        ms = np.asarray(o["ms"])
        row = {"recorded_as": o["backend"], "torch_imported": o["torch_imported"],
               "load_s": round(o["load_s"], 1),
               "passages_per_s": round(o["passages"] / o["wall_s"], 2),
               "passages_per_cpu_s": round(o["passages"] / o["cpu_s"], 2),
               "query_p50_ms": round(float(np.percentile(ms, 50)), 1),
               "query_p95_ms": round(float(np.percentile(ms, 95)), 1),
               "rss_mb": round(o["rss_mb"]), "peak_mb": round(o["peak_mb"])}
        if reference is not None and backend != TORCH:
            p = (o["pvec"] * reference["pvec"]).sum(axis=1)
            q = (o["qvec"] * reference["qvec"]).sum(axis=1)
            row.update(passage_cosine_min=round(float(p.min()), 4),
                       passage_cosine_mean=round(float(p.mean()), 4),
                       query_cosine_min=round(float(q.min()), 4))
        rows[backend] = row
    return {"backends": rows, "load_avg_before": [round(x, 2) for x in load_before],
            "load_avg_after": [round(x, 2) for x in load_after], "cpus": os.cpu_count()}


def table(result: dict, passages_n: int, questions_n: int, rounds: int, threads: int) -> str:
    cols = [("recorded_as", "backend", 11), ("passages_per_s", "pass/s", 8),
            ("passages_per_cpu_s", "pass/cpu-s", 11), ("query_p50_ms", "q p50 ms", 9),
            ("query_p95_ms", "q p95 ms", 9), ("rss_mb", "RSS MB", 7), ("peak_mb", "peak MB", 8),
            ("load_s", "load s", 7), ("torch_imported", "torch", 6),
            ("passage_cosine_min", "cos min", 8), ("passage_cosine_mean", "cos mean", 9),
            ("query_cosine_min", "q cos min", 10)]
    lines = [f"{passages_n} passages x {rounds} rounds, {questions_n} questions x {rounds}, "
             f"threads {threads or 'default'}, {result['cpus']} CPUs; load average "
             f"{result['load_avg_before']} before, {result['load_avg_after']} after",
             "".join(f"{title:>{w}}" for _, title, w in cols)]
    for row in result["backends"].values():
        lines.append("".join(f"{str(row.get(key, '')):>{w}}" for key, _, w in cols))
    lines.append("cosines: against torch's vectors of the same texts (passages of round 1, "
                 "every question)")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backends", default=",".join(BACKENDS),
                    help=f"comma-separated, of {', '.join(BACKENDS)}")
    ap.add_argument("--paths", type=Path, nargs="*", default=[],
                    help="more minutes (files or folders) for the passages")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--passages", type=int, default=64, help="passages per backend per round")
    ap.add_argument("--threads", type=int, default=0, help="threads per encoding (0: default)")
    ap.add_argument("--sentences", action="store_true",
                    help="the punkter's sentences as passages, not their chunks")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    backends = args.backends.split(",")
    unknown = [b for b in backends if b not in BACKENDS]
    if unknown:
        raise SystemExit(f"unknown backend(s) {', '.join(unknown)}: use {', '.join(BACKENDS)}")
    texts = passages([SAMPLES, *args.paths], of_sentences=args.sentences)
    qs = questions(QUESTIONS)
    log(f"{len(texts)} distinct passages, {len(qs)} questions; load {os.getloadavg()[0]:.2f}")
    result = run(backends, texts, qs, args.rounds, args.passages, args.threads)
    result.update(passages=args.passages, rounds=args.rounds, questions=len(qs),
                  threads=args.threads)
    if args.json:
        print(json.dumps(result))
    else:
        print(table(result, args.passages, len(qs), args.rounds, args.threads))


if __name__ == "__main__":
    main()

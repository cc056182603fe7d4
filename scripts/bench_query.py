#!/usr/bin/env python3
"""Per-question latency of `Answerer.ask`, in-process with the model loaded, for the sample
corpus and (with --meetings N) for N synthetic meetings; in the same run the plain BM25
baseline (LexicalIndex, compounds=False) and plain dense search (embed the question, query
Chroma), with ratios; and memory: RSS now (psutil) and the process's peak RSS so far
(getrusage; psutil has no peak on Linux). The embedder's cache of question vectors is
emptied before each timed question, so every question costs what a new one does.

    python scripts/bench_query.py                       # the five sample referater
    python scripts/bench_query.py --meetings 1000 --data-dir /tmp/bench1000
    python scripts/bench_query.py --meetings 1000 --data-dir /tmp/bench1000 --skip-samples --profile
    python scripts/bench_query.py --skip-samples --indexed DATA_DIR   # e.g. bench_ingest.py --keep's

The synthetic meetings come from scripts/synth_corpus.py (or ../shared/tools/synth_corpus.py)
and are written to DATA_DIR/synth; a --data-dir that already holds them is reused, so the
slow 1,000-meeting ingest is paid once. Questions: the dev question texts plus variations
(sloppy lowercase, a month and year added, bare keywords) and a few meeting questions.
Progress goes to stderr; the table (or --json, one object) to stdout.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import psutil  # noqa: E402

from bot.settings import Settings  # noqa: E402
from bot.stores import open_catalog, open_index  # noqa: E402
from ingest.dates import MONTH_NAMES_DA  # noqa: E402
from ingest.pipeline import ingest_paths  # noqa: E402
from retrieval.answer import Answerer  # noqa: E402
from retrieval.index import punkt_document  # noqa: E402
from retrieval.lexical import LexicalIndex  # noqa: E402
from retrieval.text import terms  # noqa: E402
from retrieval.tuning import TUNING  # noqa: E402

SAMPLES = ROOT / "data" / "samples"
QUESTIONS = ROOT / "tests" / "retrieval" / "fixtures" / "dev_questions.jsonl"
SYNTH_SCRIPTS = (ROOT / "scripts" / "synth_corpus.py",
                 ROOT.parent / "shared" / "tools" / "synth_corpus.py")
MEETING_QUESTIONS = ["hvad blev behandlet på seneste møde?", "seneste møde",
                     "hvad var på dagsordenen den 2. september 2021?", "møde 24-04-2024"]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --- questions --------------------------------------------------------------------------

def questions(path: Path) -> list[str]:
    """The dev questions and variations of each, in a fixed order."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    out: list[str] = []
    for q in rows:
        text = q["question"]
        out.append(text)
        out.append(re.sub(r"[?!.,]", "", text.lower()))
        if q.get("meeting_date") and not re.search(r"\b(19|20)\d\d\b", text):
            year, month = int(q["meeting_date"][:4]), int(q["meeting_date"][5:7])
            out.append(f"{text.rstrip('?')} i {MONTH_NAMES_DA[month - 1]} {year}?")
        keywords = [w for w in re.findall(r"[\wæøå-]+", text.lower()) if len(w) > 4][:4]
        if keywords:
            out.append(" ".join(keywords))
    return out + MEETING_QUESTIONS


# --- corpora ------------------------------------------------------------------------------

def synth_script() -> Path:
    for path in SYNTH_SCRIPTS:
        if path.is_file():
            return path
    raise SystemExit("no synth_corpus.py in scripts/ or ../shared/tools/")


def write_synthetic(out: Path, meetings: int, seed: int) -> None:
    existing = len(list(out.glob("*.txt"))) if out.is_dir() else 0
    if existing == meetings:
        log(f"reusing {meetings} synthetic meetings in {out}")
        return
    if existing:
        raise SystemExit(f"{out} holds {existing} meetings, not {meetings}: use another --data-dir")
    script = synth_script()
    log(f"writing {meetings} synthetic meetings to {out} with {script}")
    subprocess.run([sys.executable, str(script), "--meetings", str(meetings), "--out", str(out),
                    "--seed", str(seed)], check=True, stdout=sys.stderr)


@dataclass
class Corpus:
    name: str
    data_dir: Path
    #: the minutes to ingest first; None for a data dir taken as it is indexed
    source: Path | None
    stats: dict = field(default_factory=dict)


def open_corpus(corpus: Corpus, embedder):
    """Ingest (what is not yet in the catalog) and index; returns (catalog, index)."""
    settings = Settings(data_dir=corpus.data_dir)
    catalog = open_catalog(settings)
    t = time.perf_counter()
    report = ingest_paths([corpus.source], catalog, progress=True) if corpus.source else None
    index = open_index(settings, catalog, embedder=embedder)
    indexed = index.sync(progress=True)
    meetings, punkter = catalog.count()
    corpus.stats.update(meetings=meetings, punkter=punkter, open_punkter=len(index.refs),
                        chunks=index.store.count(), ingest_s=round(time.perf_counter() - t, 1),
                        newly_indexed=indexed,
                        ingest=report.summary() if report else "none: taken as indexed")
    log(f"{corpus.name}: {meetings} meetings, {len(index.refs)} open punkter, "
        f"{corpus.stats['chunks']} chunks ({corpus.stats['ingest_s']} s to ingest/load, "
        f"{indexed} meetings newly indexed)")
    return catalog, index


# --- measuring ----------------------------------------------------------------------------

def summary(ms: list[float]) -> dict:
    a = np.asarray(ms)
    return {"n": len(a), "p50": float(np.percentile(a, 50)), "p95": float(np.percentile(a, 95)),
            "p99": float(np.percentile(a, 99)), "mean": float(a.mean()), "max": float(a.max())}


def timed(fn, items, repeat: int, before=None, record: dict | None = None) -> list[float]:
    """Milliseconds per call; `before` runs untimed ahead of each call; `record` collects
    each item's times."""
    out = []
    for _ in range(repeat):
        for item in items:
            if before:
                before()
            t = time.perf_counter()
            fn(item)
            ms = (time.perf_counter() - t) * 1000
            out.append(ms)
            if record is not None:
                record.setdefault(item, []).append(ms)
    return out


def bench(corpus: Corpus, embedder, qs: list[str], repeat: int, profile: bool) -> dict:
    catalog, index = open_corpus(corpus, embedder)
    try:
        answerer = Answerer(index)
        t = time.perf_counter()
        plain = LexicalIndex([(r.key, punkt_document(index.punkt(r))) for r in index.refs],
                             compounds=False)
        plain_build_s = time.perf_counter() - t

        def bm25(q: str):
            s = plain.scores(terms(q))
            return np.argsort(-s)[:10]

        def dense(q: str):
            return index.store.search(embedder.query(q), TUNING.dense_chunks)

        for q in qs[:5]:  # warm-up: caches, Chroma's HNSW load, torch's first calls
            answerer.ask(q), bm25(q), dense(q)
        answered = set()

        def ask(q: str):
            if answerer.ask(q).answered:
                answered.add(q)

        forget = embedder.forget_queries
        per_question: dict[str, list[float]] = {}
        busy = other_load()
        results = {
            "answerer": summary(timed(ask, qs, repeat, forget, per_question)),
            "plain BM25": summary(timed(bm25, qs, repeat)),
            "plain dense": summary(timed(dense, qs, repeat, forget)),
            "embed only": summary(timed(embedder.query, qs, repeat, forget)),
        }
        slowest = sorted(per_question.items(), key=lambda kv: -min(kv[1]))[:5]
        busy = sorted(set(busy) | set(other_load()))
        out = {"corpus": corpus.name, **corpus.stats, "questions": len(qs), "repeat": repeat,
               "answered": len(answered), "plain_bm25_build_s": round(plain_build_s, 2),
               "latency_ms": results,
               "rss_mb": round(psutil.Process().memory_info().rss / 2**20, 1),
               "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
               "load_avg_1m": round(os.getloadavg()[0], 2), "other_busy_processes": busy,
               "slowest": [{"question": q, "ms": [round(v, 1) for v in ms]} for q, ms in slowest]}
        if profile:
            out["profile"] = profile_answers(answerer, qs)
        return out
    finally:
        catalog.close()


def other_load() -> list[str]:
    """Other processes using CPU right now: latency on a shared 2-core machine means little
    without knowing what else ran."""
    me = os.getpid()
    procs = list(psutil.process_iter(["pid", "name", "cmdline"]))
    for p in procs:
        try:
            p.cpu_percent(None)
        except psutil.Error:
            pass
    time.sleep(0.5)
    busy = []
    for p in procs:
        try:
            if p.pid != me and p.cpu_percent(None) > 20:
                busy.append(" ".join(p.info["cmdline"] or [p.info["name"]])[:80])
        except psutil.Error:
            pass
    return busy


def profile_answers(answerer: Answerer, qs: list[str], top: int = 25) -> str:
    """cProfile of one pass of Answerer.ask over the questions, by cumulative time."""
    prof = cProfile.Profile()
    prof.enable()
    for q in qs:
        answerer.index.embedder.forget_queries()
        answerer.ask(q)
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    own = re.escape(str(ROOT)) + r"/(retrieval|ingest)/"
    stats.sort_stats("cumulative").print_stats(
        own + r"|chromadb/api/models/Collection\.py|sentence_transformer/model\.py.*\(encode\)", top)
    return buf.getvalue()


# --- output -------------------------------------------------------------------------------

def table(runs: list[dict]) -> str:
    lines = []
    for run in runs:
        lines.append(f"\n{run['corpus']}: {run['meetings']} meetings, {run['open_punkter']} open "
                     f"punkter, {run['chunks']} chunks; {run['questions']} questions x "
                     f"{run['repeat']} ({run['answered']} answered)")
        lines.append(f"{'method':<14}{'n':>6}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}"
                     f"{'mean ms':>10}{'max ms':>10}{'p50 vs':>9}{'p95 vs':>9}")
        ours = run["latency_ms"]["answerer"]
        for name, s in run["latency_ms"].items():
            ratio50 = f"{ours['p50'] / s['p50']:.1f}x" if name != "answerer" else ""
            ratio95 = f"{ours['p95'] / s['p95']:.1f}x" if name != "answerer" else ""
            lines.append(f"{name:<14}{s['n']:>6}{s['p50']:>10.1f}{s['p95']:>10.1f}{s['p99']:>10.1f}"
                         f"{s['mean']:>10.1f}{s['max']:>10.1f}{ratio50:>9}{ratio95:>9}")
        lines.append(f"memory: RSS {run['rss_mb']} MB now, peak {run['peak_rss_mb']} MB "
                     f"(whole process so far); ingest/load {run['ingest_s']} s")
        lines.append(f"load average {run['load_avg_1m']}; other busy processes: "
                     + ("; ".join(run["other_busy_processes"]) or "none"))
        lines.append("slowest questions (ms per pass): " + "; ".join(
            f"{s['question'][:60]!r} {s['ms']}" for s in run["slowest"]))
        if "profile" in run:
            lines.append(run["profile"])
    lines.append("\n'vs' columns: the answerer's latency divided by that method's (how many times "
                 "slower the full answer is).")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--meetings", type=int, default=0, help="also benchmark N synthetic meetings")
    ap.add_argument("--data-dir", type=Path, help="data dir for the synthetic corpus (reused if it exists)")
    ap.add_argument("--samples-data-dir", type=Path, help="data dir for the samples (default: a temp dir)")
    ap.add_argument("--skip-samples", action="store_true", help="only the synthetic corpus")
    ap.add_argument("--indexed", type=Path, action="append", default=[],
                    help="also benchmark this data dir as it is indexed, ingesting nothing "
                         "(an index another script or release built)")
    ap.add_argument("--questions", type=Path, default=QUESTIONS)
    ap.add_argument("--repeat", type=int, default=3, help="passes over the question list")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--profile", action="store_true", help="add a cProfile of Answerer.ask")
    ap.add_argument("--threads", type=int, default=0,
                    help="the embedding backend's threads (default: its own, one per core); 1 "
                         "keeps latency steady when other processes share the CPU")
    ap.add_argument("--backend", default="",
                    help="the embedding backend (REFERATBOT_EMBEDDING_BACKEND; default: the model's)")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = ap.parse_args()

    from retrieval.embed import Embedder

    qs = questions(args.questions)
    t = time.perf_counter()
    embedder = Embedder(backend=args.backend, threads=args.threads,
                        model_cache=Settings.from_env().model_cache).load()
    embedder.query("opvarmning")
    load_s = time.perf_counter() - t
    log(f"model loaded in {load_s:.1f} s; {len(qs)} questions")
    with tempfile.TemporaryDirectory(prefix="bench_query_") as tmp:
        corpora = []
        if not args.skip_samples:
            corpora.append(Corpus("samples", args.samples_data_dir or Path(tmp) / "samples", SAMPLES))
        if args.meetings:
            data_dir = args.data_dir or Path(tmp) / f"synth{args.meetings}"
            write_synthetic(data_dir / "synth", args.meetings, args.seed)
            corpora.append(Corpus(f"synthetic {args.meetings}", data_dir, data_dir / "synth"))
        corpora += [Corpus(f"indexed {d}", d, None) for d in args.indexed]
        runs = [bench(c, embedder, qs, args.repeat, args.profile) for c in corpora]
    result = {"model_load_s": round(load_s, 1), "cpus": os.cpu_count(),
              "backend": embedder.backend, "threads": args.threads or "default", "runs": runs}
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"model load {load_s:.1f} s, {os.cpu_count()} CPUs, backend {embedder.backend}, "
              f"threads {result['threads']}" + table(runs))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""How referatbot's costs grow: ingest time, index size, query latency and peak memory at
several corpus sizes, with the index embedded or on a `chroma run` server.

    python scripts/bench_scale.py --sizes 100 1000 5000 --modes embedded server

Synthetic minutes come from scripts/synth_corpus.py (recombined sample punkter). Each size
and mode is measured in a fresh child process, so peak memory is that run's own.
Progress goes to stderr; the table to stdout (--json for one JSON object a line).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "hvad besluttede CF om telefontider?", "hvem er sikkerhedskoordinator?",
    "hvad besluttede CF om Plan MED?", "sygefravær mål og handleplaner",
    "overførsel af mindreforbrug - hvorfor nye regler?", "hvad er næste skridt efter administrationsanalysen?",
    "how much should CO2 emissions be cut by 2030?", "genbrugsbørs hvor mange varer",
    "hvornår skal svømmehallen renoveres?", "løntilskud i timen fra jobcentret",
    "ledelsestilsyn i Frames", "digitaliseringsstrategien tre indsatsområder",
    # about a quarter of real questions name a day or a month
    "hvad besluttede CF om telefontider den 24. april 2024?", "sygefravær i marts 2023",
    "hvad blev besluttet på mødet den 7. marts 2019?", "budgetopfølgning i oktober 2022",
]


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure(size: int, mode: str, corpus: Path, work: Path) -> dict:
    """One run in this process: ingest `corpus`, then time questions."""
    import psutil

    sys.path.insert(0, str(ROOT))
    from bot.settings import Settings
    from bot.stores import open_catalog, open_index
    from ingest.pipeline import ingest_paths
    from retrieval.answer import Answerer

    server = None
    settings = Settings(data_dir=work / "data")
    if mode == "server":
        port = free_port()
        chroma = Path(sys.executable).with_name("chroma")
        server = subprocess.Popen([str(chroma), "run", "--path", str(work / "server"), "--port",
                                   str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        settings = Settings(data_dir=work / "data", chroma_host="127.0.0.1", chroma_port=port)
        time.sleep(3)
    try:
        with open_catalog(settings) as catalog:
            index = open_index(settings, catalog)
            index.embedder.load()
            t0 = time.perf_counter()
            report = ingest_paths([corpus], catalog, progress=True)
            t1 = time.perf_counter()
            index.sync(progress=True)
            t2 = time.perf_counter()
            answerer = Answerer(index)
            answerer.ask(QUESTIONS[0])  # warm-up: caches, first Chroma query
            latencies = []
            for _ in range(3):
                for q in QUESTIONS:
                    index.embedder.forget_queries()  # every question costs a new one's embedding
                    s = time.perf_counter()
                    answerer.ask(q)
                    latencies.append((time.perf_counter() - s) * 1000)
            meetings, punkter = catalog.count()
            chunks = index.store.count()
        latencies.sort()
        server_rss = psutil.Process(server.pid).memory_info().rss if server else 0
        return {
            "meetings": size, "mode": mode, "files": len(report.results),
            "punkter": punkter, "chunks": chunks,
            "read_s": round(t1 - t0, 1), "index_s": round(t2 - t1, 1),
            "punkter_per_s": round(punkter / max(t2 - t0, 1e-9), 1),
            "index_mb": round((du(settings.data_dir) + du(work / "server")) / 2**20, 1),
            "p50_ms": round(statistics.median(latencies), 1),
            "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
            "peak_rss_mb": round(_peak_rss() / 2**20, 1),
            "server_rss_mb": round(server_rss / 2**20, 1),
            "load_avg_1m": round(os.getloadavg()[0], 2),
        }
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)


def _peak_rss() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def machine() -> str:
    """CPU model, cores and memory, for quoting the figures with the machine they came from."""
    import psutil

    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines()
                  if line.startswith("model name")), "unknown CPU")
    return f"{model}, {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GB RAM"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    ap.add_argument("--modes", nargs="+", default=["embedded", "server"], choices=["embedded", "server"])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", nargs=3, metavar=("SIZE", "MODE", "CORPUS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        size, mode, corpus = int(args.child[0]), args.child[1], Path(args.child[2])
        with tempfile.TemporaryDirectory() as work:
            print(json.dumps(measure(size, mode, corpus, Path(work))))
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            corpus = Path(tmp) / f"synth-{size}"
            subprocess.run([sys.executable, str(ROOT / "scripts" / "synth_corpus.py"),
                            "--meetings", str(size), "--out", str(corpus)], check=True,
                           stdout=subprocess.DEVNULL)
            for mode in args.modes:
                print(f"== {size} meetings, {mode}", file=sys.stderr)
                out = subprocess.run([sys.executable, __file__, "--child", str(size), mode, str(corpus)],
                                     check=True, stdout=subprocess.PIPE, text=True,
                                     env=dict(os.environ, HF_HUB_OFFLINE="1")).stdout
                row = json.loads(out.strip().splitlines()[-1])
                rows.append(row)
                if args.json:
                    print(json.dumps(row), flush=True)
            shutil.rmtree(corpus)
    if not args.json:
        print(f"machine: {machine()}")
        cols = list(rows[0])
        print("  ".join(f"{c:>13}" for c in cols))
        for r in rows:
            print("  ".join(f"{str(r[c]):>13}" for c in cols))


if __name__ == "__main__":
    main()

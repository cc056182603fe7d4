#!/usr/bin/env python3
"""Ingest benchmark: synthetic (or the sample) referater into a fresh data dir.

    python scripts/bench_ingest.py --meetings 200         # synthetic, via synth_corpus.py
    python scripts/bench_ingest.py --samples              # the five sample referater
    python scripts/bench_ingest.py --meetings 1000 --json

Runs the same path as `referatbot ingest` (read, parse, catalog, then the index sync with
the configured embedding model) and prints punkter/s, chunks/s, peak memory, the size of
the catalog and index on disk, and the embedding figures.

Synthetic meetings recombine the sample punkter, and the index does not embed a text
twice (SearchIndex keeps the vectors of texts embedded in this run, and reuses a replaced
meeting's vectors by chunk id), so most of their chunks are cache hits. The table
therefore also gives the uncached rate (texts the model actually embedded per second) and
an estimate of chunks/s if every chunk were new, which is what a real corpus of distinct
minutes costs. Progress goes to stderr; figures go to
stdout as a table, or as one JSON object with --json.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.settings import Settings  # noqa: E402
from bot.stores import open_catalog, open_index  # noqa: E402
from ingest.pipeline import ingest_paths  # noqa: E402
from retrieval.embed import Embedder  # noqa: E402

SAMPLES = ROOT / "data" / "samples"


class TimedEmbedder(Embedder):
    """The configured model, counting the texts it embeds and the time it takes."""

    def __init__(self, settings: Settings):
        super().__init__(settings.embedding_model, backend=settings.embedding_backend,
                         model_cache=settings.model_cache)
        self.texts = 0
        self.seconds = 0.0

    def passages(self, texts, *, progress=False):
        start = time.perf_counter()
        try:
            return super().passages(texts, progress=progress)
        finally:
            self.seconds += time.perf_counter() - start
            self.texts += len(texts)


def disk_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def peak_rss() -> int:
    """Peak resident memory of this process in bytes (Linux reports KiB)."""
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def run(source: Path, data_dir: Path, settings: Settings, log) -> dict:
    settings = settings.with_(data_dir=data_dir)
    embedder = TimedEmbedder(settings)
    start = time.perf_counter()
    embedder.load()
    load_s = time.perf_counter() - start
    log(f"model {embedder.name} loaded in {load_s:.1f} s")

    with open_catalog(settings) as catalog:
        start = time.perf_counter()
        report = ingest_paths([source], catalog, progress=True)
        catalog_s = time.perf_counter() - start
        log(report.summary())

        index = open_index(settings, catalog, embedder=embedder)
        start = time.perf_counter()
        indexed = index.sync(progress=True)
        index_s = time.perf_counter() - start
        start = time.perf_counter()
        index.load_lexical()
        lexical_s = time.perf_counter() - start
        meetings, punkter = catalog.count()
        chunks = index.store.count()
        sentences = index.sentences.count()

    ingest_s = catalog_s + index_s
    other_index_s = index_s - embedder.seconds
    embed_rate = embedder.texts / embedder.seconds if embedder.seconds else None
    # every chunk and every sentence is a text the model reads, unless remembered
    texts = chunks + sentences
    uncached_chunks_s = (chunks / (texts / embed_rate + other_index_s)
                         if embed_rate and chunks else None)
    return {
        "files": len(report.results),
        "refused": len(report.refused),
        "meetings": meetings,
        "meetings_indexed": indexed,
        "punkter": punkter,
        "chunks": chunks,
        "sentences": sentences,
        "model": embedder.name,
        "backend": embedder.backend,
        "model_load_s": round(load_s, 2),
        "catalog_s": round(catalog_s, 2),
        "index_s": round(index_s, 2),
        "embed_s": round(embedder.seconds, 2),
        "lexical_build_s": round(lexical_s, 2),
        "punkter_per_s": round(punkter / ingest_s, 1) if ingest_s else None,
        "chunks_per_s": round(chunks / ingest_s, 1) if ingest_s else None,
        "texts_embedded": embedder.texts,
        "embedding_cache_hit_rate": round(1 - embedder.texts / texts, 4) if texts else None,
        "uncached_embed_per_s": round(embed_rate, 1) if embed_rate else None,
        "est_chunks_per_s_all_uncached": round(uncached_chunks_s, 1) if uncached_chunks_s else None,
        "peak_rss_mb": round(peak_rss() / 2**20, 1),
        "catalog_bytes": sum(disk_size(p) for p in data_dir.glob("catalog.sqlite3*")),
        "chroma_bytes": disk_size(settings.chroma_path),
        "data_dir_bytes": disk_size(data_dir),
    }


ROWS = [
    ("files", "files", "{}"),
    ("meetings", "meetings", "{}"),
    ("punkter", "punkter", "{}"),
    ("chunks", "chunks in Chroma", "{}"),
    ("sentences", "sentences (catalog database)", "{}"),
    ("model", "embedding model", "{}"),
    ("backend", "embedding backend", "{}"),
    ("model_load_s", "model load (s, not in rates)", "{:.1f}"),
    ("catalog_s", "read + parse + catalog (s)", "{:.2f}"),
    ("index_s", "index sync (s)", "{:.2f}"),
    ("embed_s", "  of which embedding (s)", "{:.2f}"),
    ("lexical_build_s", "lexical index build (s)", "{:.2f}"),
    ("punkter_per_s", "punkter/s", "{}"),
    ("chunks_per_s", "chunks/s", "{}"),
    ("texts_embedded", "texts embedded (uncached)", "{}"),
    ("embedding_cache_hit_rate", "embedding cache hit rate", "{:.1%}"),
    ("uncached_embed_per_s", "uncached embedding (texts/s)", "{}"),
    ("est_chunks_per_s_all_uncached", "est. chunks/s if all uncached", "{}"),
    ("peak_rss_mb", "peak RSS (MiB)", "{}"),
    ("catalog_bytes", "catalog on disk (MiB)", "mib"),
    ("chroma_bytes", "Chroma on disk (MiB)", "mib"),
    ("data_dir_bytes", "data dir total (MiB)", "mib"),
]


def table(figures: dict, title: str) -> str:
    lines = [title, "-" * len(title)]
    for key, label, fmt in ROWS:
        value = figures.get(key)
        if value is None:
            shown = "-"
        elif fmt == "mib":
            shown = f"{value / 2**20:.2f}"
        else:
            shown = fmt.format(value)
        lines.append(f"{label:<32} {shown:>12}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    what = ap.add_mutually_exclusive_group()
    what.add_argument("--meetings", type=int, default=200,
                      help="synthetic meetings to generate and ingest (default 200)")
    what.add_argument("--samples", action="store_true",
                      help="ingest the five sample referater in data/samples instead")
    ap.add_argument("--seed", type=int, default=1, help="seed for the synthetic corpus")
    ap.add_argument("--forums", type=int, default=1,
                    help="forums the synthetic meetings are spread over (synth_corpus.py)")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    ap.add_argument("--keep", type=Path,
                    help="keep the data dir here (must not exist) instead of a temp dir")
    args = ap.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    settings = Settings.from_env()
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        tmp = Path(tmp)
        if args.samples:
            source, title = SAMPLES, "ingest benchmark: 5 sample referater"
        else:
            source = tmp / "synth"
            log(f"generating {args.meetings} synthetic meetings ...")
            subprocess.run([sys.executable, str(ROOT / "scripts" / "synth_corpus.py"),
                            "--meetings", str(args.meetings), "--out", str(source),
                            "--seed", str(args.seed), "--forums", str(args.forums)],
                           check=True, stdout=sys.stderr)
            title = f"ingest benchmark: {args.meetings} synthetic meetings, {args.forums} forum(s)"
        if args.keep and args.keep.exists():
            ap.error(f"--keep {args.keep} exists; give a new folder")
        data_dir = args.keep or tmp / "data"
        figures = run(source, data_dir, settings, log)
    figures["source"] = "samples" if args.samples else f"synthetic:{args.meetings}:{args.forums}"
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    else:
        print(table(figures, title))
    return 0 if not figures["refused"] else 1


if __name__ == "__main__":
    sys.exit(main())

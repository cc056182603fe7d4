#!/usr/bin/env python3
"""Hostile-file benchmark: the peak memory and time of `referatbot ingest` on files built
to make a reader expand far more than they weigh.

    python scripts/bench_hostile.py                      # this tree's code
    python scripts/bench_hostile.py --tree /work/main    # another tree's (before/after)
    python scripts/bench_hostile.py --only pdf_shared_pages --json

Each file is built in a temporary folder, then ingested alone into a fresh data dir by
`python -m bot ingest FILE` run from --tree (its code comes first on sys.path). The
process is killed when its resident memory passes --rss-cap or it runs past --timeout,
so that the "before" figures cannot take the machine down. Figures per file: seconds of
wall clock and of CPU, the peak resident memory (the kernel's high-water mark), the exit
code, and the last line ingest printed (the refusal). The builders stream big parts to
disk, so that this script's own memory (forked into each child before it runs ingest)
stays small: its peak is printed too. Progress to stderr; the figures to stdout, as lines
or one JSON object (--json).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import hostile_files as hf  # noqa: E402
from minutes_files import write_pdf  # noqa: E402

MB = hf.MB


# --- the files ---------------------------------------------------------------------------

#: name -> (file name, builder); the builders are the tests' (tests/hostile_files.py)
def docx_of_xml(size: int) -> Callable[[Path], None]:
    return lambda path: hf.write_docx(path, {"word/document.xml": hf.document_xml(size)})


HOSTILE: dict[str, tuple[str, Callable[[Path], object]]] = {
    # the probe's: a 600 KB Word file whose document.xml is 200 MB, and a 3.4 MB one of 1.1 GB
    "docx_xml_200mb": ("bomb-200mb.docx", docx_of_xml(200 * MB)),
    "docx_xml_1100mb": ("bomb-1100mb.docx", docx_of_xml(1100 * MB)),
    # a picture of 1 GB the text links to
    "docx_picture_1gb": ("picture-1gb.docx",
                         lambda p: hf.write_docx_with_picture(p, hf.zeros(1024 * MB))),
    # the probe's: 59,049 pages sharing one content stream in a few KB
    "pdf_shared_pages": ("shared-59049.pdf",
                         lambda p: hf.write_shared_page_pdf(p, 3, 10, hf.page_content(20, 40))),
    # 27 pages sharing 1.4 MB of text drawing
    "pdf_text_pages": ("text-27.pdf",
                       lambda p: hf.write_shared_page_pdf(p, 3, 3, hf.page_content(20_000))),
    "html_300mb": ("page-300mb.html", lambda p: hf.write_web_page(p, 300 * MB)),
    # for reference, not hostile: the largest sample as its minutes system prints it
    "reference_pdf": ("chefforum-2023-03-15.pdf", lambda p: write_pdf(
        (ROOT / "data" / "samples" / "chefforum-2023-03-15.txt").read_text(encoding="utf-8"), p,
        header="Albertslund Kommune")),
}


# --- running -----------------------------------------------------------------------------

def rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run_ingest(tree: Path, path: Path, data_dir: Path, *, rss_cap: int, timeout: float) -> dict:
    env = {**os.environ, "REFERATBOT_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    env.pop("PYTHONPATH", None)
    err_path = data_dir / "stderr.txt"
    started = time.monotonic()
    with open(err_path, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "bot", "ingest", str(path)], cwd=tree,
                                env=env, stdout=subprocess.DEVNULL, stderr=err)
        killed = ""
        while True:
            done, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if done:
                break
            if rss_bytes(proc.pid) > rss_cap:
                killed = f"killed above the {rss_cap / MB / 1024:g} GB memory cap"
            elif time.monotonic() - started > timeout:
                killed = f"killed after the {timeout:g} s timeout"
            if killed:
                os.kill(proc.pid, signal.SIGKILL)
                _, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)
    lines = [line for line in err_path.read_text(errors="replace").splitlines() if line.strip()]
    said = next((line for line in lines if line.startswith("refused:")), lines[-1] if lines else "")
    return {"file_bytes": path.stat().st_size, "wall_s": round(time.monotonic() - started, 2),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_rss_mb": round(usage.ru_maxrss / 1024), "exit": proc.returncode,
            "killed": killed, "said": said[:300]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, default=ROOT,
                        help="the source tree whose code runs ingest (default: this one)")
    parser.add_argument("--only", action="append", choices=sorted(HOSTILE),
                        help="run only this file (repeatable)")
    parser.add_argument("--rss-cap-gb", type=float, default=8.0)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per file")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    figures: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        for name in args.only or list(HOSTILE):
            file_name, build = HOSTILE[name]
            folder = Path(tmp) / name
            folder.mkdir()
            path = folder / file_name
            build(path)
            print(f"{name}: {path.stat().st_size / 1024:.0f} KB built; ingesting ...",
                  file=sys.stderr, flush=True)
            data_dir = folder / "data"
            data_dir.mkdir()
            figures[name] = run_ingest(args.tree, path, data_dir,
                                       rss_cap=int(args.rss_cap_gb * 1024 * MB),
                                       timeout=args.timeout)
            print(f"  {json.dumps(figures[name], ensure_ascii=False)}", file=sys.stderr, flush=True)
            path.unlink()
    # The children are forked from this process: their peaks include its own at the fork.
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    report = {"tree": str(args.tree), "load_average": [round(x, 2) for x in os.getloadavg()],
              "bench_peak_rss_mb": own, "files": figures}
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        for name, f in figures.items():
            print(f"{name:<18} {f['file_bytes'] / 1024:>8.0f} KB {f['wall_s']:>8.2f} s wall "
                  f"{f['cpu_s']:>8.2f} s cpu {f['peak_rss_mb']:>6} MB  exit {f['exit']}  "
                  f"{f['killed'] or f['said']}")
        print(f"load average {report['load_average']}; this script's own peak {own} MB")


if __name__ == "__main__":
    main()

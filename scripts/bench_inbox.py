#!/usr/bin/env python3
"""Inbox benchmark: how long a referat copied into a running `serve`'s inbox takes to be
answered.

    python scripts/bench_inbox.py                        # 5 drops, the default 10 s poll
    python scripts/bench_inbox.py --drops 8 --poll 2 --json
    python scripts/bench_inbox.py --data-dir DIR         # an ingested data dir, left as it was

Without --data-dir it ingests the sample referater into a temporary data dir first. It
starts `referatbot serve` with REFERATBOT_INBOX on a temporary folder, then drops the
24 April 2024 sample under another date, one at a time, and for each measures the
seconds from the file's write to the first /api/ask answer that cites the new meeting
(asked every 0.25 s). A drop waits for between one and two polls before it is taken (it
must be seen unchanged twice), then for its reading, embedding and the index reload.
Progress goes to stderr; the figures to stdout, as lines or one JSON object (--json).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "samples" / "chefforum-2024-04-24.txt"
MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
          "september", "oktober", "november", "december")
START_TIMEOUT = 300.0
ANSWER_TIMEOUT = 600.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, {}
    except OSError:  # not listening yet
        return 0, {}


def redated(day: dt.date) -> str:
    text = SAMPLE.read_text(encoding="utf-8")
    return text.replace("24-04-2024", f"{day:%d-%m-%Y}") \
        .replace("24. april 2024", f"{day.day}. {MONTHS[day.month - 1]} {day.year}")


def answered(base: str, day: dt.date) -> bool:
    question = f"hvad besluttede CF om telefontider i {MONTHS[day.month - 1]} {day.year}?"
    status, body = get_json(f"{base}/api/ask?" + urllib.parse.urlencode({"q": question}))
    top = (body.get("citations") or [{}])[0]
    return status == 200 and body.get("answered") and top.get("meeting_date") == day.isoformat()


def wait(what: str, check, timeout: float, proc: subprocess.Popen) -> float:
    start = time.monotonic()
    while not check():
        if proc.poll() is not None:
            sys.exit(f"bench_inbox: serve exited while waiting for {what}")
        if time.monotonic() - start > timeout:
            sys.exit(f"bench_inbox: {what} did not come within {timeout:.0f} s")
        time.sleep(0.25)
    return time.monotonic() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--drops", type=int, default=5, help="referater to drop, one at a time (at most 12)")
    parser.add_argument("--poll", type=float, default=10.0, help="REFERATBOT_INBOX_POLL_SECONDS")
    parser.add_argument("--data-dir", type=Path, help="an ingested data dir (copied, not changed)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-inbox-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("Microsoft")}
    env.update(HF_HUB_OFFLINE="1", REFERATBOT_DATA_DIR=str(work / "data"),
               REFERATBOT_INBOX=str(work / "inbox"), REFERATBOT_INBOX_POLL_SECONDS=str(args.poll))
    (work / "inbox").mkdir()
    if args.data_dir:
        shutil.copytree(args.data_dir, work / "data")
    else:
        print("bench_inbox: ingesting the samples", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "bot", "ingest", str(SAMPLE.parent)], env=env,
                       check=True, cwd=ROOT)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (work / "serve.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port)],
                            env=env, cwd=ROOT, stdout=log, stderr=log)
    seconds = []
    try:
        wait("readiness", lambda: get_json(f"{base}/readyz")[0] == 200, START_TIMEOUT, proc)
        for i in range(min(args.drops, 12)):
            day = dt.date(2025, i + 1, 15)
            (work / "inbox" / f"chefforum-{day.isoformat()}.txt").write_text(redated(day), encoding="utf-8")
            seconds.append(wait(f"an answer from {day}", lambda: answered(base, day), ANSWER_TIMEOUT, proc))
            print(f"bench_inbox: drop {i + 1}: answered after {seconds[-1]:.1f} s", file=sys.stderr)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=120)
        shutil.rmtree(work, ignore_errors=True)
    figures = {"poll_seconds": args.poll, "drops": len(seconds),
               "seconds": [round(s, 1) for s in seconds],
               "median": round(statistics.median(seconds), 1), "min": round(min(seconds), 1),
               "max": round(max(seconds), 1), "load_average": round(os.getloadavg()[0], 1)}
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Soak run: `referatbot serve` over N meetings for M minutes, as a municipality runs it.

Not a test: it prints figures. It starts a server of its own on a data dir of synthetic
meetings (written and ingested once, then reused, as scripts/bench_query.py does) with an
inbox, and for the whole run:

- steady traffic on /api/messages through a fake Teams connector in this process
  (scripts/load_test.py's mix: questions, commands, card buttons) at --rate messages/s;
- a new referat dropped into the inbox every --drop-every seconds (a fresh meeting date),
  checked to become answerable (`/api/ask` names the meeting) and timed;
- `referatbot digest --send` every --digest-every seconds for a few subscribed channels,
  whose digests must reach the connector and carry the dropped meetings' decisions.

Prints one line a minute (messages, p50/p95 latency, errors, the server's RSS), then a
summary: errors (must be 0), intake times, digests, and RSS after warm-up (must be flat).

    python scripts/soak.py --data-dir /tmp/soak1000 --meetings 1000 --minutes 30
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import aiohttp
import psutil
from aiohttp import web

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench_query import write_synthetic  # noqa: E402
from load_test import (Connector, messages, percentile, post_activity,  # noqa: E402
                       teams_activity, wait_ready)
from synth_corpus import referat, sample_punkter  # noqa: E402

CHANNELS = 3
#: no meeting is dropped before this date: after any synthetic one (they start in 2005)
FIRST_DROP = dt.date(2100, 1, 6)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class SoakConnector(Connector):
    """Also counts what reaches the subscribed channels: the digests (botbuilder sends a
    proactive message as a reply to the continuation activity it makes up)."""

    def __init__(self):
        super().__init__()
        self.to_channels = 0

    def _count(self, request: web.Request) -> None:
        if request.match_info["conversation"].startswith("19:soak-channel-"):
            self.to_channels += 1

    async def _new(self, request: web.Request) -> web.Response:
        self._count(request)
        return await super()._new(request)

    async def _reply(self, request: web.Request) -> web.Response:
        self._count(request)
        return await super()._reply(request)


def referatbot(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True,
                          env=os.environ | {"REFERATBOT_DATA_DIR": str(data_dir)} | env)


def listed(data_dir: Path) -> list[dict]:
    done = referatbot(data_dir, "meetings", "--json")
    return json.loads(done.stdout) if done.returncode == 0 and done.stdout.strip() else []


def prepare(data_dir: Path, meetings: int) -> dt.date:
    """The synthetic meetings, ingested once (a data dir that holds them is reused); returns
    the first date to drop, a week after the last meeting held (earlier runs' drops too)."""
    write_synthetic(data_dir / "synth", meetings, seed=1)
    have = listed(data_dir)
    if len(have) >= meetings:
        log(f"reusing the index of {len(have)} meetings in {data_dir}")
        return first_drop(have)
    log(f"ingesting {meetings} meetings into {data_dir} (once; progress below)")
    done = subprocess.run([sys.executable, "-m", "bot", "ingest", str(data_dir / "synth")],
                          env=os.environ | {"REFERATBOT_DATA_DIR": str(data_dir)})
    if done.returncode:
        sys.exit("ingesting the synthetic meetings failed")
    return first_drop(listed(data_dir))


def first_drop(meetings: list[dict]) -> dt.date:
    last = max(dt.date.fromisoformat(m["meeting_date"]) for m in meetings)
    return max(last, FIRST_DROP) + dt.timedelta(days=7)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Run:
    """What the run saw, per minute and in all."""

    def __init__(self, started: float):
        self.started = started
        self.latencies: dict[int, list[float]] = {}
        self.errors: list[str] = []
        self.errors_per_minute: dict[int, int] = {}
        self.rss: dict[int, int] = {}
        self.intake_s: list[float] = []
        self.digests: list[dict] = []

    def minute(self) -> int:
        return int((time.monotonic() - self.started) // 60)

    def error(self, message: str) -> None:
        self.errors.append(message)
        minute = self.minute()
        self.errors_per_minute[minute] = self.errors_per_minute.get(minute, 0) + 1
        log(f"error: {message}")


async def traffic(session, base, connector, run: Run, until: float, rate: float, seed: int):
    """One message every 1/rate seconds, each in its own task (arrivals do not wait for
    answers, as people do not), from 20 personal conversations in turn."""
    stream = messages(random.Random(seed))
    pending: set[asyncio.Task] = set()

    async def one(n: int, text, value) -> None:
        conversation = f"a:soak-{n % 20}"
        activity_id = f"soak-{n}-{uuid.uuid4().hex[:6]}"
        started = time.perf_counter()
        try:
            ok, status = await post_activity(session, base, teams_activity(
                connector.url, conversation, activity_id, n % 20, text, value))
        except (aiohttp.ClientError, asyncio.TimeoutError) as e:
            ok, status = False, f"{type(e).__name__}: {e}"
        run.latencies.setdefault(run.minute(), []).append(time.perf_counter() - started)
        if not ok:
            run.error(f"{activity_id} ({text or value}): {status}")

    n = 0
    while time.monotonic() < until:
        text, value = next(stream)
        task = asyncio.create_task(one(n, text, value))
        pending.add(task)
        task.add_done_callback(pending.discard)
        n += 1
        await asyncio.sleep(1 / rate)
    await asyncio.gather(*pending)


async def drops(session, base, inbox: Path, run: Run, until: float, every: float, seed: int,
                day: dt.date, dropped: list[dt.date]):
    """A new referat into the inbox every `every` seconds, written slowly (as a copy over a
    share is), then asked for until the server answers it."""
    rnd = random.Random(seed)
    items = sample_punkter()
    while time.monotonic() + every < until:
        await asyncio.sleep(every)
        text = referat(day, rnd.sample(items, 10)).encode()
        path = inbox / f"chefforum-{day.isoformat()}.txt"
        with path.open("wb") as f:
            for i in range(0, len(text), 4096):
                f.write(text[i:i + 4096])
                f.flush()
                await asyncio.sleep(0.05)
        dropped.append(day)
        day += dt.timedelta(days=7)
        written = time.monotonic()
        question = f"hvad stod på dagsordenen på mødet den {dropped[-1]:%d-%m-%Y}?"
        while True:
            async with session.get(f"{base}/api/ask", params={"q": question}) as r:
                body = await r.json() if r.status == 200 else {}
            if (body.get("meeting") or {}).get("meeting_date") == dropped[-1].isoformat():
                run.intake_s.append(time.monotonic() - written)
                log(f"intake: {path.name} answerable after {run.intake_s[-1]:.0f} s")
                break
            if time.monotonic() - written > 180:
                run.error(f"{path.name} not answerable 180 s after it was written")
                break
            await asyncio.sleep(2)


async def digests(data_dir: Path, connector: SoakConnector, run: Run, until: float,
                  every: float, dropped: list[dt.date]):
    """`referatbot digest --send` every `every` seconds; each subscribed channel must get a
    card for every run that had new decisions."""
    while time.monotonic() + every < until:
        await asyncio.sleep(every)
        before = connector.to_channels
        done = await asyncio.to_thread(referatbot, data_dir, "digest", "--send", "--json")
        results = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
        sent = [r for r in results if r["status"] == "sent"]
        arrived = connector.to_channels - before
        run.digests.append({"minute": run.minute(), "sent": len(sent),
                            "decisions": sum(r["decisions"] or 0 for r in sent),
                            "arrived": arrived, "meetings_dropped": len(dropped)})
        log(f"digest: {len(sent)} sent ({run.digests[-1]['decisions']} decisions), "
            f"{arrived} arrived at the connector")
        if done.returncode or any(r["status"] not in ("sent", "nothing new", "busy") for r in results):
            run.error(f"digest --send: exit {done.returncode}: {done.stdout[-300:]} {done.stderr[-300:]}")
        if arrived != len(sent):
            run.error(f"digest: {len(sent)} sent but {arrived} arrived")


async def memory(pid: int, run: Run, until: float):
    process = psutil.Process(pid)
    while time.monotonic() < until:
        run.rss[run.minute()] = process.memory_info().rss
        await asyncio.sleep(5)


async def soak(args) -> int:
    data_dir = args.data_dir.resolve()
    first = prepare(data_dir, args.meetings)
    inbox = data_dir / "inbox"
    inbox.mkdir(exist_ok=True)
    for old in inbox.iterdir():
        old.unlink()
    connector = SoakConnector()
    await connector.start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port)],
        env=os.environ | {"REFERATBOT_DATA_DIR": str(data_dir), "REFERATBOT_INBOX": str(inbox),
                          "REFERATBOT_INBOX_POLL_SECONDS": str(args.poll)},
        stderr=open(data_dir / "soak-serve.log", "w"))
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
            await wait_ready(session, base)
            # in a thread, as Teams sends a channel message; an earlier run's subscription
            # (to its connector, now gone) is ended first
            for n, word in ((n, word) for n in range(CHANNELS) for word in ("afmeld", "abonner")):
                ok, status = await post_activity(session, base, teams_activity(
                    connector.url, f"19:soak-channel-{n}@thread.tacv2;messageid=sub-{n}",
                    f"{word}-{n}-{uuid.uuid4().hex[:6]}", n, word, None, kind="channel"))
                if not ok:
                    sys.exit(f"'{word}' in channel {n} failed: {status}")
            await asyncio.to_thread(referatbot, data_dir, "digest", "--send")  # the backlog
            log(f"soaking for {args.minutes} min at {args.rate} messages/s "
                f"(server log: {data_dir / 'soak-serve.log'})")
            run = Run(time.monotonic())
            until = run.started + args.minutes * 60
            dropped: list[dt.date] = []
            reporter = asyncio.create_task(per_minute(run, until))
            await asyncio.gather(
                traffic(session, base, connector, run, until, args.rate, args.seed),
                drops(session, base, inbox, run, until, args.drop_every, args.seed, first, dropped),
                digests(data_dir, connector, run, until, args.digest_every, dropped),
                memory(server.pid, run, until))
            await reporter
            if server.poll() is not None:
                run.error(f"the server exited with {server.returncode}")
    finally:
        server.terminate()
        server.wait(30)
        await connector.close()
    return summary(run, args)


async def per_minute(run: Run, until: float):
    print("minute  messages  p50 ms  p95 ms  errors  RSS MB", flush=True)
    minute = 0
    while time.monotonic() < until + 1:
        await asyncio.sleep(max(0.0, run.started + (minute + 1) * 60 + 1 - time.monotonic()))
        line(run, minute)
        minute += 1


def line(run: Run, minute: int) -> None:
    ms = [x * 1000 for x in run.latencies.get(minute, [])]
    rss = run.rss.get(minute)
    print(f"{minute + 1:6d}  {len(ms):8d}  {percentile(ms, 50) if ms else 0:6.0f}  "
          f"{percentile(ms, 95) if ms else 0:6.0f}  {run.errors_per_minute.get(minute, 0):6d}  "
          f"{rss / 2**20 if rss else 0:6.0f}", flush=True)


def summary(run: Run, args) -> int:
    all_ms = [x * 1000 for v in run.latencies.values() for x in v]
    rss = [run.rss[m] / 2**20 for m in sorted(run.rss)]
    warm = max(1, len(rss) // 6)
    result = {
        "minutes": args.minutes, "meetings": args.meetings, "messages": len(all_ms),
        "latency_ms": {"p50": round(percentile(all_ms, 50)), "p95": round(percentile(all_ms, 95)),
                       "max": round(max(all_ms))} if all_ms else {},
        "errors": len(run.errors), "error_examples": run.errors[:10],
        "intake_s": {"files": len(run.intake_s),
                     "median": round(statistics.median(run.intake_s)) if run.intake_s else None,
                     "max": round(max(run.intake_s)) if run.intake_s else None},
        "digests": run.digests,
        "rss_mb": {"after_warmup": round(rss[warm]) if rss else None,
                   "end": round(rss[-1]) if rss else None,
                   "max_after_warmup": round(max(rss[warm:])) if rss[warm:] else None},
    }
    print(json.dumps(result, indent=2 if not args.json else None))
    return 1 if run.errors else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True,
                        help="where the synthetic meetings and their index live (reused)")
    parser.add_argument("--meetings", type=int, default=1000)
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--rate", type=float, default=2.0, help="messages per second")
    parser.add_argument("--drop-every", type=float, default=180, help="seconds between referater")
    parser.add_argument("--digest-every", type=float, default=300, help="seconds between digests")
    parser.add_argument("--poll", type=float, default=10,
                        help="the inbox's poll interval, s (the setting's default)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="the summary as one JSON line")
    sys.exit(asyncio.run(soak(parser.parse_args())))


if __name__ == "__main__":
    main()

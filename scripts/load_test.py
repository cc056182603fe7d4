#!/usr/bin/env python
"""Load test for a running `referatbot serve`: many conversations at once, over loopback.

Starts no server of its own, except a fake Teams connector in this process: activities
POSTed to the server's /api/messages carry that connector as their serviceUrl, so the
bot's replies come back here and are counted. The server must run without MicrosoftAppId
(the open, local mode). Example:

    referatbot serve --port 3978 &
    python scripts/load_test.py http://127.0.0.1:3978 --pid $!

Each conversation sends its messages one after another, as a person would; the
conversations run concurrently, for --messages in all or for --duration seconds:

    python scripts/load_test.py http://127.0.0.1:3978 --pid $! --conversations 100 --duration 60

With `serve --workers N` the workers are counted as children of the pid given; a Chroma
server's pid may be given too (`--pid $SERVE --pid $CHROMA`), so that the CPU a message
and the memory are the whole deployment's.

A message's latency is from the POST until the server's 201, which Teams' connector must
get within 15 s and which comes after the reply was delivered. With `--via ask` the same
questions go to GET /api/ask instead. Prints throughput, latency percentiles, errors
(which must be 0) and the server's memory: sampled each second, with the median of the
run's second and last quarters to show growth.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import statistics
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import aiohttp
import psutil
from aiohttp import web

TOPICS = [
    "telefontider", "sygefravær", "Plan MED", "genbrugsbørsen", "Kodeks VII",
    "ledelsestilsyn i Frames", "klimahandleplanen", "budget", "interne styringsdokumenter",
    "boligsocial helhedsplan", "overførsel af mindreforbrug", "administrationsanalysen",
    "svømmehallen", "løntilskud", "digitaliseringsstrategien", "trivselsmåling",
    "sikkerhedskoordinator", "rumraketter", "den fleksible arbejdsplads", "ledelsesevaluering",
]
TEMPLATES = [
    "hvad besluttede CF om {}?", "hvad blev der sagt om {}", "{}", "hvornår behandlede CF {}?",
    "what did CF decide about {}?", "status på {}",
]
WHEN = ["", "", "", " i 2019", " i 2023", " i marts 2023", " den 24. april 2024", " i 2021"]
COMMANDS = [
    "hjælp", "seneste", "møde 24-04-2024", "punkt 24-04-2024 7", "/meeting 2019-03-14",
    "punkt 02-09-2021 3", "møde 01-01-2020", "punkt 24-04-2024 42", "latest",
]
BUTTONS = [
    {"command": "punkt", "date": "2024-04-24", "punkt": 6},
    {"command": "møde", "date": "2023-03-15"},
]
WAIT_TEXT = "Et øjeblik"


def messages(rnd: random.Random):
    """An endless stream: 70 % questions (topics x wordings x dates, so most are new to the
    server's cache of question vectors), 25 % commands, 5 % card buttons."""
    while True:
        roll = rnd.random()
        if roll < 0.70:
            question = rnd.choice(TEMPLATES).format(rnd.choice(TOPICS)) + rnd.choice(WHEN)
            yield question, None
        elif roll < 0.95:
            yield rnd.choice(COMMANDS), None
        else:
            yield None, rnd.choice(BUTTONS)


class Connector:
    """The fake Teams connector: counts what the bot sends back, per activity replied to."""

    def __init__(self):
        self.replies: Counter[str] = Counter()
        self.acked: set[str] = set()
        #: activities whose answer opened a stream (ended in the turn, or later proactively)
        self.streamed: set[str] = set()
        self.proactive = 0
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._new)
        app.router.add_post("/v3/conversations/{conversation}/activities/{reply_to}", self._reply)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/"

    async def _reply(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("type") == "typing":  # the typing indicator, or a stream's progress bar
            if any(e.get("type") == "streaminfo" for e in body.get("entities") or []):
                self.streamed.add(request.match_info["reply_to"])
            return web.json_response({"id": uuid.uuid4().hex}, status=201)
        if (body.get("text") or "").startswith(WAIT_TEXT):
            self.acked.add(request.match_info["reply_to"])
        else:
            self.replies[request.match_info["reply_to"]] += 1
        return web.json_response({"id": uuid.uuid4().hex})

    def late_expected(self) -> int:
        """Answers that must come proactively: acknowledged, or streamed and not ended in
        their turn."""
        return len(self.acked) + len(self.streamed - set(self.replies))

    async def _new(self, request: web.Request) -> web.Response:
        await request.read()
        self.proactive += 1
        return web.json_response({"id": uuid.uuid4().hex})

    async def close(self) -> None:
        await self.runner.cleanup()


class Memory:
    """Samples the server's RSS once a second while the test runs, so growth across the run
    shows; reads the kernel's high-water mark, and the CPU time the server spent in the
    run (per message, the figure other jobs on the machine change least). The server is
    the processes of `pids` and their children (`serve --workers`' processes, a Chroma
    server's pid given beside), summed."""

    def __init__(self, pids: list[int]):
        given = [psutil.Process(pid) for pid in pids]
        self.processes = [p for g in given for p in (g, *g.children(recursive=True))]
        self.start = self._rss()
        self.samples: list[tuple[float, int]] = []
        self._task: asyncio.Task | None = None
        self.cpu_seconds = 0.0

    def _rss(self) -> int:
        return sum(p.memory_info().rss for p in self.processes)

    async def _sample(self) -> None:
        t0 = time.monotonic()
        while True:
            self.samples.append((time.monotonic() - t0, self._rss()))
            await asyncio.sleep(1)

    def _cpu(self) -> float:
        return sum(t.user + t.system for t in (p.cpu_times() for p in self.processes))

    def __enter__(self):
        if self.processes:
            self._task = asyncio.get_running_loop().create_task(self._sample())
            self.cpu_seconds = -self._cpu()
        return self

    def __exit__(self, *exc):
        if self._task:
            self._task.cancel()
            self.cpu_seconds += self._cpu()

    @property
    def peak(self) -> int:
        return max((rss for _, rss in self.samples), default=self.start)

    def growth(self) -> tuple[int, int] | None:
        """Median RSS of the second quarter of the run and of the last quarter: the first
        quarter is warm-up (caches, allocator pools), growth after it would be a leak."""
        n = len(self.samples)
        if n < 8:
            return None
        rss = [r for _, r in self.samples]
        return (int(statistics.median(rss[n // 4:n // 2])),
                int(statistics.median(rss[3 * n // 4:])))

    def high_water_mark(self) -> int | None:
        """VmHWM: the peak RSS since the server started, summed over its processes (Linux
        only)."""
        peaks = [_vmhwm(p.pid) for p in self.processes]
        return sum(peaks) if peaks and None not in peaks else None


def _vmhwm(pid: int) -> int | None:
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        return None
    for line in status.read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return None


async def wait_ready(session: aiohttp.ClientSession, base: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            async with session.get(f"{base}/readyz") as r:
                if r.status == 200:
                    return
                detail = await r.text()
        except aiohttp.ClientError as e:
            detail = str(e)
        if time.monotonic() > deadline:
            sys.exit(f"the server at {base} is not ready after {timeout:.0f} s: {detail}")
        await asyncio.sleep(0.5)


async def conversation(session, base: str, connector: Connector, number: int,
                       stream, until: float, via: str,
                       latencies: list[float], errors: list[str], sent: set[str]) -> None:
    """One person: sends the stream's messages one after another until `until` (monotonic)
    or the stream ends."""
    conversation_id = f"a:load-{number}-{uuid.uuid4().hex[:8]}"
    for i, (text, value) in enumerate(stream):
        if time.monotonic() >= until:
            return
        activity_id = f"{conversation_id}-{i}"
        sent.add(activity_id)
        started = time.perf_counter()
        try:
            if via == "ask":
                q = text or "hvad besluttede CF om telefontider?"
                async with session.get(f"{base}/api/ask", params={"q": q}) as r:
                    body = await r.json()
                    ok = r.status == 200 and "answered" in body
                    status = r.status
            else:
                ok, status = await post_activity(session, base, teams_activity(
                    connector.url, conversation_id, activity_id, number, text, value))
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as e:
            ok, status = False, f"{type(e).__name__}: {e}"
        latencies.append(time.perf_counter() - started)
        if not ok:
            errors.append(f"{activity_id}: {status}")
            if status == 401:
                sys.exit("the server requires Bot Framework tokens (MicrosoftAppId is set); "
                         "run the load test against a server started without it")


def teams_activity(service_url: str, conversation_id: str, activity_id: str, user: int,
                   text: str | None, value: dict | None, *, kind: str = "personal") -> dict:
    """A message as Teams' connector POSTs it, its replies going to `service_url`."""
    activity = {
        "type": "message", "id": activity_id, "channelId": "msteams",
        "serviceUrl": service_url, "locale": "da-DK",
        "from": {"id": f"29:user-{user}", "name": f"Bruger {user}"},
        "recipient": {"id": "28:referatbot", "name": "Referatbot"},
        "conversation": {"id": conversation_id, "conversationType": kind,
                         "tenantId": "load-test"},
        "channelData": {"tenant": {"id": "load-test"}},
    }
    if text is not None:
        activity["text"] = text
    if value is not None:
        activity["value"] = value
    return activity


async def post_activity(session: aiohttp.ClientSession, base: str,
                        activity: dict) -> tuple[bool, int]:
    """POST one activity to /api/messages: (whether it got the connector's 201, the status)."""
    async with session.post(f"{base}/api/messages", data=json.dumps(activity),
                            headers={"Content-Type": "application/json"}) as r:
        await r.read()
        return r.status == 201, r.status


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


async def run(args) -> int:
    base = args.url.rstrip("/")
    connector = Connector()
    await connector.start()
    if args.duration:
        streams = [messages(random.Random(args.seed * 1000 + n)) for n in range(args.conversations)]
    else:
        load = list(itertools.islice(messages(random.Random(args.seed)), args.messages))
        streams = [load[n::args.conversations] for n in range(args.conversations)]
    latencies: list[float] = []
    errors: list[str] = []
    sent: set[str] = set()
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout,
                                     connector=aiohttp.TCPConnector(limit=0)) as session:
        await wait_ready(session, base)
        memory = Memory(args.pid)
        with memory:
            started = time.perf_counter()
            until = time.monotonic() + (args.duration or float("inf"))
            await asyncio.gather(*(conversation(session, base, connector, n, stream, until,
                                                args.via, latencies, errors, sent)
                                   for n, stream in enumerate(streams)))
            elapsed = time.perf_counter() - started
            # late answers (after "Et øjeblik", or in a stream) arrive proactively: give
            # them time
            deadline = time.monotonic() + 30
            while connector.proactive < connector.late_expected() and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
    await connector.close()

    if args.via == "messages":
        missing = sent - set(connector.replies) - connector.acked - connector.streamed
        if missing:
            errors.append(f"{len(missing)} message(s) got no reply on the connector")
        if connector.proactive < connector.late_expected():
            errors.append(f"{connector.late_expected() - connector.proactive} late answer(s) "
                          "never came")
        duplicates = sum(n - 1 for n in connector.replies.values() if n > 1)
        if duplicates:
            errors.append(f"{duplicates} duplicate repl(ies)")
    ms = [x * 1000 for x in latencies]
    mb = 2**20
    result = {
        "target": f"{base}/api/{args.via}", "conversations": args.conversations,
        "messages": len(latencies), "elapsed_s": round(elapsed, 1),
        "messages_per_s": round(len(latencies) / elapsed, 1),
        "latency_ms": {f"p{p}": round(percentile(ms, p)) for p in (50, 95, 99)}
        | {"max": round(max(ms)), "mean": round(statistics.fmean(ms))},
        "errors": len(errors), "error_examples": errors[:10],
    }
    if args.via == "messages":
        result["replies"] = {"in_turn": sum(connector.replies.values()),
                             "acknowledged": len(connector.acked), "late": connector.proactive}
    if args.pid:
        growth = memory.growth()
        result["server_cpu_ms_per_message"] = round(1000 * memory.cpu_seconds
                                                    / max(1, len(latencies)), 1)
        result["server_rss_mb"] = {
            "before": round(memory.start / mb), "peak_sampled": round(memory.peak / mb),
            "vmhwm": round((memory.high_water_mark() or 0) / mb),
            "timeline": [[round(t), round(r / mb)] for t, r in memory.samples[::10]],
        } | ({"second_quarter_median": round(growth[0] / mb),
              "last_quarter_median": round(growth[1] / mb)} if growth else {})
    if args.json:
        print(json.dumps(result))
    else:
        report(result, args)
    return 1 if errors else 0


def report(result: dict, args) -> None:
    lat = result["latency_ms"]
    print(f"target            {result['target']}")
    print(f"load              {result['messages']} messages in {args.conversations} concurrent "
          f"conversations" + (f" for {args.duration:.0f} s" if args.duration else "") +
          " (~70 % questions, 25 % commands, 5 % card buttons)")
    print(f"elapsed           {result['elapsed_s']} s")
    print(f"throughput        {result['messages_per_s']} messages/s")
    print(f"latency ms        p50 {lat['p50']}   p95 {lat['p95']}   p99 {lat['p99']}   "
          f"max {lat['max']}   mean {lat['mean']}")
    if "replies" in result:
        r = result["replies"]
        print(f"replies           {r['in_turn']} in the turn, {r['acknowledged']} 'Et øjeblik' "
              f"+ {r['late']} late (proactive)")
    print(f"errors            {result['errors']}")
    for e in result["error_examples"]:
        print(f"  {e}")
    rss = result.get("server_rss_mb")
    if "server_cpu_ms_per_message" in result:
        print(f"server CPU        {result['server_cpu_ms_per_message']} ms per message")
    if rss:
        print(f"server memory     RSS {rss['before']} MB before, peak {rss['peak_sampled']} MB "
              f"sampled during the run; VmHWM {rss['vmhwm']} MB since start")
        if "last_quarter_median" in rss:
            print(f"memory growth     median RSS {rss['second_quarter_median']} MB in the run's "
                  f"second quarter, {rss['last_quarter_median']} MB in its last")
        print("RSS timeline      " + ", ".join(f"{t} s: {r} MB" for t, r in rss["timeline"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the running server, e.g. http://127.0.0.1:3978")
    parser.add_argument("--pid", type=int, action="append", default=[],
                        help="the server's process id, for its memory and CPU (with its "
                             "children: `serve --workers`); again for a Chroma server's")
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--messages", type=int, default=1000,
                        help="messages in all (ignored with --duration)")
    parser.add_argument("--duration", type=float, default=0,
                        help="send for this many seconds instead of a fixed number of messages")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--via", choices=("messages", "ask"), default="messages",
                        help="POST /api/messages with a fake connector (default), or GET /api/ask")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()

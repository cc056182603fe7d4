#!/usr/bin/env python
"""Load test for a running `referatbot serve`: many conversations at once, over loopback.

Starts no server of its own, except a fake Teams connector in this process: activities
POSTed to the server's /api/messages carry that connector as their serviceUrl, so the
bot's replies come back here and are counted. The server must run without MicrosoftAppId
(the open, local mode). Example:

    referatbot serve --port 3978 &
    python scripts/load_test.py http://127.0.0.1:3978 --pid $!

Each conversation sends its messages one after another, as a person would; the
conversations run concurrently. A message's latency is from the POST until the server's
201, which Teams' connector must get within 15 s and which comes after the reply was
delivered. With `--via ask` the same questions go to GET /api/ask instead. Prints
throughput, latency percentiles, errors (which must be 0) and the server's memory.
"""
from __future__ import annotations

import argparse
import asyncio
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

QUESTIONS = [
    "hvad besluttede CF om telefontider?",
    "hvad blev der besluttet om sygefravær?",
    "hvad besluttede chefforum om Plan MED?",
    "hvad besluttede CF om genbrugsbørsen?",
    "hvad sagde CF om Kodeks VII?",
    "hvad besluttede CF om ledelsestilsyn i Frames?",
    "klimakampen",
    "hvad blev besluttet om budget i 2019?",
    "hvad besluttede CF i marts 2023?",
    "hvad skete der på mødet 02-09-2021?",
    "what did CF decide about phone hours?",
    "hvad besluttede CF om interne styringsdokumenter?",
    "hvad besluttede CF om rumraketter?",
    "boligsocial helhedsplan",
    "hvem skal godkende dagsordenen?",
]
COMMANDS = [
    "hjælp", "seneste", "møde 24-04-2024", "punkt 24-04-2024 7", "/meeting 2019-03-14",
    "punkt 02-09-2021 3", "møde 01-01-2020", "punkt 24-04-2024 42", "latest",
]
BUTTONS = [
    {"command": "punkt", "date": "2024-04-24", "punkt": 6},
    {"command": "møde", "date": "2023-03-15"},
]
WAIT_TEXT = "Et øjeblik"


def workload(n: int, seed: int = 42) -> list[tuple[str | None, dict | None]]:
    """n messages: 70 % questions, 25 % commands, 5 % card buttons, in a fixed order."""
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        roll = rnd.random()
        if roll < 0.70:
            out.append((rnd.choice(QUESTIONS), None))
        elif roll < 0.95:
            out.append((rnd.choice(COMMANDS), None))
        else:
            out.append((None, rnd.choice(BUTTONS)))
    return out


class Connector:
    """The fake Teams connector: counts what the bot sends back, per activity replied to."""

    def __init__(self):
        self.replies: Counter[str] = Counter()
        self.acked: set[str] = set()
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
        if (body.get("text") or "").startswith(WAIT_TEXT):
            self.acked.add(request.match_info["reply_to"])
        else:
            self.replies[request.match_info["reply_to"]] += 1
        return web.json_response({"id": uuid.uuid4().hex})

    async def _new(self, request: web.Request) -> web.Response:
        await request.read()
        self.proactive += 1
        return web.json_response({"id": uuid.uuid4().hex})

    async def close(self) -> None:
        await self.runner.cleanup()


class Memory:
    """Samples the server's RSS while the test runs; reads the kernel's high-water mark."""

    def __init__(self, pid: int | None):
        self.process = psutil.Process(pid) if pid else None
        self.start = self.peak = self.process.memory_info().rss if self.process else 0
        self._task: asyncio.Task | None = None

    async def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, self.process.memory_info().rss)
            await asyncio.sleep(0.05)

    def __enter__(self):
        if self.process:
            self._task = asyncio.get_running_loop().create_task(self._sample())
        return self

    def __exit__(self, *exc):
        if self._task:
            self._task.cancel()

    def high_water_mark(self) -> int | None:
        """VmHWM: the peak RSS since the server started (Linux only)."""
        status = Path(f"/proc/{self.process.pid}/status") if self.process else None
        if not status or not status.exists():
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
                       messages: list[tuple[str | None, dict | None]], via: str,
                       latencies: list[float], errors: list[str], sent: set[str]) -> None:
    conversation_id = f"a:load-{number}-{uuid.uuid4().hex[:8]}"
    for i, (text, value) in enumerate(messages):
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
                activity = {
                    "type": "message", "id": activity_id, "channelId": "msteams",
                    "serviceUrl": connector.url, "locale": "da-DK",
                    "from": {"id": f"29:user-{number}", "name": f"Bruger {number}"},
                    "recipient": {"id": "28:referatbot", "name": "Referatbot"},
                    "conversation": {"id": conversation_id, "conversationType": "personal",
                                     "tenantId": "load-test"},
                    "channelData": {"tenant": {"id": "load-test"}},
                }
                if text is not None:
                    activity["text"] = text
                if value is not None:
                    activity["value"] = value
                async with session.post(f"{base}/api/messages", data=json.dumps(activity),
                                        headers={"Content-Type": "application/json"}) as r:
                    await r.read()
                    ok, status = r.status == 201, r.status
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as e:
            ok, status = False, f"{type(e).__name__}: {e}"
        latencies.append(time.perf_counter() - started)
        if not ok:
            errors.append(f"{activity_id}: {status}")
            if status == 401:
                sys.exit("the server requires Bot Framework tokens (MicrosoftAppId is set); "
                         "run the load test against a server started without it")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


async def run(args) -> int:
    base = args.url.rstrip("/")
    connector = Connector()
    await connector.start()
    load = workload(args.messages, args.seed)
    per = [load[i::args.conversations] for i in range(args.conversations)]
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
            await asyncio.gather(*(conversation(session, base, connector, n, msgs, args.via,
                                                latencies, errors, sent)
                                   for n, msgs in enumerate(per)))
            elapsed = time.perf_counter() - started
            # late answers (after "Et øjeblik") arrive proactively: give them time
            deadline = time.monotonic() + 30
            while connector.proactive < len(connector.acked) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
    await connector.close()

    if args.via == "messages":
        missing = sent - set(connector.replies) - connector.acked
        if missing:
            errors.append(f"{len(missing)} message(s) got no reply on the connector")
        if connector.proactive < len(connector.acked):
            errors.append(f"{len(connector.acked) - connector.proactive} late answer(s) never came")
        duplicates = sum(n - 1 for n in connector.replies.values() if n > 1)
        if duplicates:
            errors.append(f"{duplicates} duplicate repl(ies)")
    ms = [x * 1000 for x in latencies]
    print(f"target            {base} via /api/{args.via}")
    print(f"load              {args.messages} messages in {args.conversations} concurrent "
          f"conversations ({len(QUESTIONS)} questions, {len(COMMANDS)} commands, "
          f"{len(BUTTONS)} buttons; ~70/25/5 %)")
    print(f"elapsed           {elapsed:.1f} s")
    print(f"throughput        {args.messages / elapsed:.1f} messages/s")
    print(f"latency ms        p50 {percentile(ms, 50):.0f}   p95 {percentile(ms, 95):.0f}   "
          f"p99 {percentile(ms, 99):.0f}   max {max(ms):.0f}   mean {statistics.fmean(ms):.0f}")
    if args.via == "messages":
        print(f"replies           {sum(connector.replies.values())} in the turn, "
              f"{len(connector.acked)} 'Et øjeblik' + {connector.proactive} late (proactive)")
    print(f"errors            {len(errors)}")
    for e in errors[:10]:
        print(f"  {e}")
    if args.pid:
        mb = 1024 * 1024
        hwm = memory.high_water_mark()
        print(f"server memory     RSS {memory.start / mb:.0f} MB before, peak {memory.peak / mb:.0f} MB "
              f"sampled during the run" + (f"; VmHWM {hwm / mb:.0f} MB since start" if hwm else ""))
    return 1 if errors else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the running server, e.g. http://127.0.0.1:3978")
    parser.add_argument("--pid", type=int, help="the server's process id, for its memory")
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--via", choices=("messages", "ask"), default="messages",
                        help="POST /api/messages with a fake connector (default), or GET /api/ask")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    sys.exit(asyncio.run(run(args)))


if __name__ == "__main__":
    main()

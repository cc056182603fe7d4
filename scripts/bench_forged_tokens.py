#!/usr/bin/env python
"""How a secured `serve` holds up while forged tokens wait for signing keys that do not come.

Starts a key endpoint of its own on loopback (silent: accepts and never answers; or with
--key-delay, a 503 after that many seconds), and a server process (this script with
--serve) whose MicrosoftAppId is set and whose cached Bot Framework OpenID metadata points
at that endpoint, stale, so the first token with the Bot Framework's issuer makes it fetch
the keys. Then, over loopback: /healthz latency idle, and while --forged forged tokens are
posted to /api/messages at once; the statuses and latencies of the forged requests. Prints
one JSON object. Run it against another checkout with PYTHONPATH to compare:

    python scripts/bench_forged_tokens.py --forged 300
    PYTHONPATH=../main python scripts/bench_forged_tokens.py --forged 300 --key-delay 1
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from servers import free_port  # noqa: E402

APP_ID = "00000000-1111-2222-3333-444444444444"
#: A healthz that takes longer than this counts as not answered.
HEALTHZ_TIMEOUT = 10.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forged", type=int, default=300, help="forged tokens posted at once")
    parser.add_argument("--key-delay", type=float, default=None,
                        help="the key endpoint answers 503 after this many seconds "
                             "(default: it never answers)")
    parser.add_argument("--duration", type=float, default=60.0,
                        help="longest the forged phase runs (seconds)")
    parser.add_argument("--serve", nargs=3, metavar=("PORT", "KEYS_URL", "DATA_DIR"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(int(args.serve[0]), args.serve[1], Path(args.serve[2]))
        return
    print(json.dumps(asyncio.run(bench(args)), ensure_ascii=False))


def serve(port: int, keys_url: str, data_dir: Path) -> None:
    """The server side: the real app, its channel keys due for a fetch from `keys_url`."""
    from aiohttp import web
    from botframework.connector.auth import AuthenticationConstants, JwtTokenExtractor
    from botframework.connector.auth.jwt_token_extractor import _OpenIdMetadata

    from bot.app import create_app
    from bot.settings import Settings

    metadata_url = AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
    JwtTokenExtractor.metadataCache[metadata_url] = _OpenIdMetadata(keys_url)
    settings = Settings(data_dir=data_dir, app_id=APP_ID, app_password="not-a-real-secret")
    web.run_app(create_app(settings), host="127.0.0.1", port=port, print=None)


async def bench(args) -> dict:
    keys = await KeyEndpoint(args.key_delay).start()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    code = os.environ.get("PYTHONPATH") or str(ROOT)  # the checkout whose `bot` is measured
    with tempfile.TemporaryDirectory() as data_dir:
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(port), keys.url, data_dir], cwd=ROOT,
            env={**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": code},
            stderr=subprocess.DEVNULL)
        try:
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
                await settled(session, base)
                idle = [await healthz(session, base) for _ in range(50)]
                loaded = await under_forged(session, base, args.forged, args.duration)
        finally:
            server.kill()
            server.wait()
    await keys.close()
    return {"code": code,
            "key_endpoint": "silent" if args.key_delay is None else f"503 after {args.key_delay} s",
            "forged": args.forged, "key_fetches": keys.accepted,
            "healthz_idle_ms": summary(idle), **loaded}


async def under_forged(session, base: str, n: int, duration: float) -> dict:
    """Post `n` forged tokens at once and sample /healthz one after another until they
    are all answered or `duration` has passed."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    started = time.perf_counter()
    forged = [asyncio.create_task(post_forged(session, base, key)) for _ in range(n)]
    samples: list[float | None] = []
    while not all(t.done() for t in forged) and time.perf_counter() - started < duration:
        samples.append(await healthz(session, base))
        await asyncio.sleep(0.05)
    done = [t.result() for t in forged if t.done()]
    for task in forged:
        task.cancel()
    await asyncio.gather(*forged, return_exceptions=True)
    return {
        "healthz_under_forged_ms": summary(samples),
        "forged_statuses": dict(Counter(str(status) for status, _ in done)),
        "forged_unanswered": n - len(done),
        "forged_ms": summary([ms for _, ms in done]),
        "phase_seconds": round(time.perf_counter() - started, 1),
    }


async def post_forged(session, base: str, key) -> tuple[int, float]:
    now = dt.datetime.now(dt.timezone.utc)
    token = jwt.encode({"iss": "https://api.botframework.com", "aud": APP_ID,
                        "serviceurl": "http://127.0.0.1:9/", "nbf": now,
                        "exp": now + dt.timedelta(hours=1)}, key, algorithm="RS256",
                       headers={"kid": "a-key-id-nobody-published"})
    body = {"type": "message", "id": "1", "text": "hjælp", "channelId": "msteams",
            "serviceUrl": "http://127.0.0.1:9/", "conversation": {"id": "c"},
            "from": {"id": "u"}, "recipient": {"id": "b"}}
    start = time.perf_counter()
    async with session.post(f"{base}/api/messages", json=body,
                            headers={"Authorization": f"Bearer {token}"}) as response:
        await response.read()
        return response.status, (time.perf_counter() - start) * 1000


async def healthz(session, base: str) -> float | None:
    """Milliseconds for one /healthz, or None when it took over HEALTHZ_TIMEOUT."""
    start = time.perf_counter()
    try:
        async with session.get(f"{base}/healthz",
                               timeout=aiohttp.ClientTimeout(total=HEALTHZ_TIMEOUT)) as response:
            await response.read()
            assert response.status == 200, response.status
    except asyncio.TimeoutError:
        return None
    return (time.perf_counter() - start) * 1000


async def settled(session, base: str, timeout: float = 180.0) -> None:
    """Until the server listens and its engine has finished loading (ready or not), so
    loading does not share the cores with the measurement."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            async with session.get(f"{base}/readyz") as response:
                body = await response.json()
                if response.status == 200 or body.get("error") not in (
                        None, "loading the model and the index"):
                    return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.2)
    raise SystemExit(f"the server at {base} did not settle within {timeout:.0f} s")


def summary(samples: list[float | None]) -> dict:
    """Percentiles in ms over every sample; one not answered counts as longer than any
    (shown as ">" and the time it was given)."""
    ranked = sorted(float("inf") if s is None else s for s in samples)
    out: dict = {"n": len(ranked), "unanswered": ranked.count(float("inf"))}

    def shown(ms: float):
        return f">{HEALTHZ_TIMEOUT * 1000:.0f}" if ms == float("inf") else round(ms, 1)

    if ranked:
        out.update(p50=shown(ranked[(len(ranked) - 1) // 2]),
                   p95=shown(ranked[int(0.95 * (len(ranked) - 1))]), max=shown(ranked[-1]))
    return out


class KeyEndpoint:
    """The key endpoint: silent (accepts, never answers), or a 503 after `delay` s."""

    def __init__(self, delay: float | None):
        self.delay = delay
        self.accepted = 0
        self._open: list[asyncio.StreamWriter] = []

    async def start(self) -> "KeyEndpoint":
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/openid"

    async def _accept(self, reader, writer) -> None:
        self.accepted += 1
        self._open.append(writer)
        if self.delay is None:
            return
        await asyncio.sleep(self.delay)
        writer.write(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                     b"Connection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    async def close(self) -> None:
        for writer in self._open:
            writer.close()
        self.server.close()


if __name__ == "__main__":
    main()

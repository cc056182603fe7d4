"""`referatbot serve --workers N`: N processes answering on one port.

One process answers about 20-25 messages a second on two cores however many threads it
runs, since its answering walk is Python and Python runs one thread at a time (the GIL):
under 100 concurrent conversations it kept one core busy and left the other to
onnxruntime. N processes share the port (SO_REUSEPORT: the kernel spreads the
connections over them) and everything else as replicas do (docs/operations.md): one
catalog, one Chroma server, the leases that send the digest and read the inbox exactly
once, the table that handles each Teams activity once. Embedded Chroma is for one process,
so more than one worker needs a Chroma server.
"""
from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
from pathlib import Path

#: prctl's option that signals a child when its parent dies (linux/prctl.h)
_PR_SET_PDEATHSIG = 1


def start(count: int, data_dir: Path, host: str, port: int) -> list[subprocess.Popen]:
    """The `count - 1` workers beside this process (which is the first), each a `serve
    --worker` on the same port; each is stopped when this process ends, even by SIGKILL."""
    argv = [sys.executable, "-m", "bot", "--data-dir", str(data_dir), "serve", "--host", host,
            "--port", str(port), "--worker"]
    return [subprocess.Popen(argv, preexec_fn=_end_with_parent) for _ in range(count - 1)]


def stop(workers: list[subprocess.Popen]) -> None:
    """Stop the workers (SIGTERM, as for the first process; SIGKILL after 10 s)."""
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _end_with_parent() -> None:
    """In a new worker, before it runs: the kernel sends it SIGTERM when its parent dies
    (Linux; elsewhere a parent killed outright leaves its workers to be stopped by hand)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)

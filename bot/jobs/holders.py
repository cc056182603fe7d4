"""Who holds a lease or a claim in the catalog's database: a process named 'host:pid', and
whether that process is gone, so what it held can be taken over at once instead of
waiting for the lease to run out (a process killed in the middle of a send or a turn)."""
from __future__ import annotations

import os
import socket


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def holder_is_dead(owner: str | None) -> bool:
    """True for an owner on this machine whose process no longer runs. Another machine's,
    a running or an unknown process's is not: at worst its lease is waited for."""
    host, _, pid = (owner or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) in (0, os.getpid()):
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError, OSError):  # someone else's process, or no pid
        return False
    return False

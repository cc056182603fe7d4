"""Reading a file in a child process that is killed when its time is up, so that a file
that is slow to read never holds up the files after it.

The limits (ingest/limits.py) bound what a reader expands, and so most reading times; this
bounds the rest: a PDF whose pages draw one form thousands of times, a machine under load.
A process and not a deadline checked between pages, because a reader library cannot be
stopped inside one page or one XML parse, and a process can, giving back all its memory.
Processes come from a fork server that has the readers imported (not a fork of the caller:
`serve` runs threads), so a file costs a fork, not a new interpreter.
"""
from __future__ import annotations

import multiprocessing

from ingest.readers import ReadError, read_bytes, repairs, unexpected

#: What the fork server imports once, so that each child starts with it.
PRELOAD = ["ingest.readers", "pypdf", "docx"]


class NoChild(RuntimeError):
    """No child process could be started to read the file: the machine's fault, not the
    file's, so the caller tries again later rather than refusing the file."""


def read_in_child(data: bytes, name: str, seconds: float) -> tuple[str, list[str]]:
    """The text of a file's bytes read as `read_bytes` reads them, and what pypdf repaired,
    or ReadError: the reader refused it, failed, or took more than `seconds`."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_read, args=(send, data, name), daemon=True)
    try:
        child.start()
    except OSError as e:
        receive.close()
        raise NoChild(f"no process to read the file in: {e}") from e
    finally:
        send.close()
    try:
        if not receive.poll(seconds):
            raise ReadError(f"reading took longer than the {seconds:g} s one file may take")
        try:
            outcome, *rest = receive.recv()
        except EOFError:  # it died: the kernel's OOM killer, a crash in a C library
            child.join()
            raise ReadError(f"the reader stopped without a result (exit code {child.exitcode})"
                            ) from None
    finally:
        if child.is_alive():  # over time, or still on its way out
            child.kill()
        child.join()
        child.close()
        receive.close()
    if outcome != "text":
        raise ReadError(rest[0])
    text, notes = rest
    return text, notes


def _read(send, data: bytes, name: str) -> None:
    """In the child: read, and send back ("text", text, repairs) or ("refused", reason)."""
    try:
        with repairs() as notes:
            text = read_bytes(data, name)
        send.send(("text", text, notes))
    except ReadError as e:
        send.send(("refused", str(e)))
    except Exception as e:  # a reader library tripping on a damaged file
        send.send(("refused", unexpected(e)))
    finally:
        send.close()

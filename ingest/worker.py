"""Reading a file in a child process that is killed when its time is up, so that a file
that is slow to read never holds up the files after it.

The limits (ingest/limits.py) bound what a reader expands, and so most reading times; this
bounds the rest: a PDF whose pages draw one form thousands of times, a machine under load.
A process and not a deadline checked between pages, because a reader library cannot be
stopped inside one page or one XML parse, and a process can, giving back all its memory.
The child is a new interpreter (`python -m ingest.worker NAME`, the file's bytes on its
stdin, the result as JSON on its stdout), not a fork of the caller (`serve` runs threads)
nor a multiprocessing child (which imports the caller's main script again, and with it
the whole bot); it costs about half a second a file, and files arrive a few a day.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ingest.readers import ReadError, read_bytes, repairs, unexpected

#: The folder that holds this `ingest` package: the child reads with the same code.
CODE = str(Path(__file__).resolve().parent.parent)


class NoChild(RuntimeError):
    """No child process could be started to read the file: the machine's fault, not the
    file's, so the caller tries again later rather than refusing the file."""


def read_in_child(data: bytes, name: str, seconds: float) -> tuple[str, list[str]]:
    """The text of a file's bytes read as `read_bytes` reads them, and what pypdf repaired,
    or ReadError: the reader refused it, failed, or took more than `seconds`."""
    path = os.pathsep.join(filter(None, [CODE, os.environ.get("PYTHONPATH")]))
    try:
        child = subprocess.Popen([sys.executable, "-m", "ingest.worker", name],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": path})
    except OSError as e:
        raise NoChild(f"no process to read the file in: {e}") from e
    try:
        out, err = child.communicate(data, timeout=seconds)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise ReadError(f"reading took longer than the {seconds:g} s one file may take") from None
    if child.returncode != 0 or not out:  # killed (the kernel's OOM killer), or a crash
        said = err.decode("utf-8", "replace").strip().splitlines()[-1:]
        raise ReadError(f"the reader stopped without a result (exit code {child.returncode}"
                        + "".join(f": {line}" for line in said) + ")")
    result = json.loads(out)
    if "refused" in result:
        raise ReadError(result["refused"])
    return result["text"], result["repairs"]


def main() -> None:
    """In the child: read the bytes on stdin as the file named, and write the text and
    pypdf's repairs, or the refusal, as JSON on stdout."""
    data = sys.stdin.buffer.read()
    try:
        with repairs() as notes:
            result = {"text": read_bytes(data, sys.argv[1])}
        result["repairs"] = notes
    except ReadError as e:
        result = {"refused": str(e)}
    except Exception as e:  # a reader library tripping on a damaged file
        result = {"refused": unexpected(e)}
    sys.stdout.write(json.dumps(result))


if __name__ == "__main__":
    main()

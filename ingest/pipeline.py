"""Files -> catalog. Each file is read, parsed and stored in one transaction, or refused
with a reason; one bad file never stops the others. The index is brought up to date
from the catalog afterwards (`retrieval.index.SearchIndex.sync`)."""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from ingest.catalog import Catalog
from ingest.model import Outcome
from ingest.parse import DEFAULT_FORUM, ParseError, parse_referat
from ingest.readers import (SUPPORTED, ReadError, file_bytes, read_bytes, repairs, repairs_line,
                            unexpected)
from ingest.worker import NoChild, read_in_child

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileResult:
    path: str
    status: Outcome
    meeting_date: str = ""
    reason: str = ""
    #: what the reader repaired in a damaged file it still read, as one line
    warning: str = ""


@dataclass(frozen=True)
class FoundFile:
    """A file to ingest, and the folder it was found in (None for a file named itself):
    a link in a folder that leads out of it is not followed."""

    path: Path
    folder: Path | None = None


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)
    #: files in the given folders that are not a minutes format (attachments, images):
    #: not an error, but said, so that a referat saved as .rtf is not lost without a word
    skipped: list[str] = field(default_factory=list)

    @property
    def refused(self) -> list[FileResult]:
        return [r for r in self.results if r.status == Outcome.REFUSED]

    @property
    def repaired(self) -> list[FileResult]:
        """Files read although damaged; each carries its warning line."""
        return [r for r in self.results if r.warning]

    @property
    def ok(self) -> bool:
        return not self.refused

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.results:
            out[r.status] = out.get(r.status, 0) + 1
        return out

    def summary(self) -> str:
        c = self.counts()
        parts = [f"{c[k]} {k}" for k in Outcome if c.get(k)]
        return f"{len(self.results)} file(s): " + (", ".join(parts) or "nothing to do")

    def skipped_summary(self, examples: int = 3) -> str:
        """One line for the files skipped in folders, or "" when there were none."""
        if not self.skipped:
            return ""
        kinds = sorted({Path(p).suffix.lower() or "no extension" for p in self.skipped})
        more = len(self.skipped) - examples
        return (f"skipped {len(self.skipped)} file(s) of other types ({', '.join(kinds)}; "
                f"read: {', '.join(sorted(SUPPORTED))}): "
                + ", ".join(self.skipped[:examples]) + (f" and {more} more" if more > 0 else ""))


def collect_files(paths: list[Path]) -> tuple[list[FoundFile], list[FileResult], list[str]]:
    """Files to ingest under `paths` (folders are walked), refusals for bad paths, and the
    files in folders skipped for their type (hidden files are skipped silently)."""
    files: list[FoundFile] = []
    refused: list[FileResult] = []
    skipped: list[str] = []
    for path in paths:
        if path.is_dir():
            for p in sorted(path.rglob("*")):
                if not p.is_file() or any(part.startswith(".") for part in p.relative_to(path).parts):
                    continue
                if p.suffix.lower() in SUPPORTED:
                    files.append(FoundFile(p, path))
                else:
                    skipped.append(str(p))
        elif path.is_file():
            files.append(FoundFile(path))
        else:
            refused.append(FileResult(str(path), Outcome.REFUSED, reason="no such file or folder"))
    return files, refused, skipped


def ingest_file(found: FoundFile, catalog: Catalog, *, seconds: float | None = None,
                default_forum: str = DEFAULT_FORUM) -> FileResult:
    """Read, parse and store one file. Its bytes are read once, so what is hashed is what
    is parsed; with `seconds`, they are read in a child process given that long. A file
    that names no forum is taken as `default_forum`'s, and its result says so."""
    path = found.path
    try:
        data = file_bytes(path, inside=found.folder)
    except ReadError as e:
        return FileResult(str(path), Outcome.REFUSED, reason=str(e))
    file_hash = hashlib.sha256(data).hexdigest()
    if catalog.knows_file(file_hash):
        return FileResult(str(path), Outcome.KNOWN)
    try:
        if seconds is None:
            with repairs() as notes:
                text = read_bytes(data, path.name)
        else:
            text, notes = read_in_child(data, path.name, seconds)
        meeting = parse_referat(text, source=str(path), default_forum=default_forum)
    except (ReadError, ParseError) as e:
        return FileResult(str(path), Outcome.REFUSED, reason=str(e))
    except NoChild:  # the machine's fault, not the file's
        raise
    except Exception as e:  # a reader library tripping on a damaged file stops only it
        log.info("%s: unexpected error while reading", path, exc_info=True)
        return FileResult(str(path), Outcome.REFUSED, reason=unexpected(e))
    status = catalog.store(meeting, file_hash)
    said = [repairs_line(notes)]
    if not meeting.forum_named:
        said.append(f"names no forum; taken as {default_forum}'s (REFERATBOT_DEFAULT_FORUM)")
    return FileResult(str(path), status, meeting.meeting_date.isoformat(),
                      warning="; ".join(x for x in said if x))


def ingest_paths(paths: list[Path], catalog: Catalog, *, progress: bool = True,
                 default_forum: str = DEFAULT_FORUM) -> IngestReport:
    files, refused, skipped = collect_files(paths)
    report = IngestReport(list(refused), skipped)
    for found in tqdm(files, desc="reading", unit="file", disable=not progress or len(files) < 2):
        result = ingest_file(found, catalog, default_forum=default_forum)
        if result.status == Outcome.REFUSED:
            # The caller reports refusals (the CLI prints one line each); log for -v.
            log.info("%s: refused: %s", result.path, result.reason)
        report.results.append(result)
    return report

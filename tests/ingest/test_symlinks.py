"""Links in a folder being ingested: one that leads out of the folder is refused with a
sentence saying how to read its file on purpose, so that a link in an inbox cannot make
a referat kept elsewhere answerable; one that stays inside is read; a file named on the
command line is read wherever its link leads, as it was asked for."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest.pipeline import ingest_paths

pytestmark = pytest.mark.both_catalogs

OUT_OF_THE_FOLDER = ("it is a link out of the folder it is in, and links out of a folder are "
                     "not followed (to read the file it points to, ingest that file by its own "
                     "name)")


def statuses(report) -> dict[str, tuple[str, str]]:
    return {Path(r.path).name: (r.status, r.reason) for r in report.results}


def test_a_link_out_of_the_folder_is_refused_and_one_inside_it_read(tmp_path, catalog, sample):
    elsewhere = tmp_path / "elsewhere"
    folder = tmp_path / "folder"
    (folder / "2019").mkdir(parents=True)
    elsewhere.mkdir()
    secret = elsewhere / "chefforum-2019-03-14.txt"
    secret.write_bytes(sample("2019-03-14").read_bytes())
    (folder / "2019" / "chefforum-2019-01-17.txt").write_bytes(sample("2019-01-17").read_bytes())
    os.symlink(secret, folder / "link-out.txt")
    os.symlink(Path("..") / "elsewhere" / secret.name, folder / "relative-link-out.txt")
    os.symlink(Path("2019") / "chefforum-2019-01-17.txt", folder / "link-in.txt")

    report = ingest_paths([folder], catalog, progress=False)
    assert statuses(report) == {
        "chefforum-2019-01-17.txt": ("new", ""),
        "link-in.txt": ("known", ""),  # the same file again, by the link inside the folder
        "link-out.txt": ("refused", OUT_OF_THE_FOLDER),
        "relative-link-out.txt": ("refused", OUT_OF_THE_FOLDER)}
    assert [m.meeting_date.isoformat() for m in catalog.meetings()] == ["2019-01-17"]

    # named on its own, the link is read: whoever runs ingest asked for that file
    named = ingest_paths([folder / "link-out.txt"], catalog, progress=False)
    assert statuses(named) == {"link-out.txt": ("new", "")}


def test_a_folder_named_by_a_link_is_walked_as_the_folder(tmp_path, catalog, sample):
    """The folder's own link is not a link out of it (an inbox mounted through one)."""
    real = tmp_path / "share"
    real.mkdir()
    (real / "referat.txt").write_bytes(sample("2019-01-17").read_bytes())
    os.symlink(real, tmp_path / "inbox")
    report = ingest_paths([tmp_path / "inbox"], catalog, progress=False)
    assert statuses(report) == {"referat.txt": ("new", "")}

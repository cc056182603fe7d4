"""The five samples parse exactly as they did before the parser learnt other layouts:
`show --json` of each, taken from main (fixtures/samples_show.json), through the parser
and through the CLI over an ingested catalog. A `kind`, once there, says `referat`."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.settings import Settings
from bot.stores import open_catalog
from ingest.pipeline import ingest_paths
from layout_files import parse_file

SNAPSHOT = json.loads((Path(__file__).parent / "fixtures" / "samples_show.json")
                      .read_text(encoding="utf-8"))


def without_kind(meeting: dict) -> dict:
    """The meeting as the snapshot has it: `kind` is new, and a sample is a referat."""
    meeting = dict(meeting)
    assert meeting.pop("kind", "referat") == "referat"
    return meeting


@pytest.mark.parametrize("day", sorted(SNAPSHOT))
def test_a_sample_parses_as_before(sample, day):
    assert without_kind(parse_file(sample(day)).to_json()) == SNAPSHOT[day]


@pytest.fixture(scope="module")
def catalog_dir(tmp_path_factory, samples_dir) -> Path:
    data = tmp_path_factory.mktemp("snapshot") / "data"
    with open_catalog(Settings(data_dir=data)) as catalog:
        assert ingest_paths([samples_dir], catalog, progress=False).counts() == {"new": 5}
    return data


@pytest.mark.parametrize("day", sorted(SNAPSHOT))
def test_show_json_of_a_sample_is_as_before(catalog_dir, day):
    result = CliRunner().invoke(main, ["--data-dir", str(catalog_dir), "show", day, "--json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert without_kind(json.loads(result.stdout)) == SNAPSHOT[day]

"""REFERATBOT_SOURCE_URL: the link template to the original referat, its placeholders,
and the clear error at start-up for a template that cannot work."""
from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.links import SourceLinks
from bot.settings import Settings, SettingsError

DAY = dt.date(2024, 4, 24)


@pytest.mark.parametrize("template, url", [
    ("https://intranet.albertslund.dk/cf/{date}#punkt-{punkt}",
     "https://intranet.albertslund.dk/cf/2024-04-24#punkt-7"),
    ("https://esdh.example.dk/referat?dato={date:%d-%m-%Y}&punkt={punkt:02d}",
     "https://esdh.example.dk/referat?dato=24-04-2024&punkt=07"),
    ("http://intranet/cf/{date:%Y}/{date:%m%d}.pdf#page={punkt}",
     "http://intranet/cf/2024/0424.pdf#page=7"),
    ("https://intranet.example.dk/chefforum", "https://intranet.example.dk/chefforum"),
    ("https://intranet.example.dk/cf/{punkt:020d}",
     "https://intranet.example.dk/cf/" + "0" * 19 + "7"),
])
def test_the_placeholders(template, url):
    assert SourceLinks(template).url(DAY, 7) == url
    assert Settings.from_env({"REFERATBOT_SOURCE_URL": template}).source_url == template


@pytest.mark.parametrize("template, problem", [
    ("https://intra.example.dk/cf/{dato}#punkt-{punkt}", "it names {dato}"),
    ("https://intra.example.dk/cf/{date}/{}", "it names {}"),
    ("https://intra.example.dk/cf/{0}", "it names {0}"),
    ("https://intra.example.dk/cf/{date.year}", "it names {date.year}"),
    ("https://intra.example.dk/cf/{date", "braces do not pair up"),
    ("https://intra.example.dk/cf/date}", "braces do not pair up"),
    ("https://intra.example.dk/cf/{punkt:%Y}", "format does not work"),
    ("ftp://intra.example.dk/cf/{date}", "not an http:// or https:// URL"),
    ("intra.example.dk/cf/{date}", "not an http:// or https:// URL"),
    ("https:///cf/{date}", "not an http:// or https:// URL"),
    ("https://intra.example.dk/cf/{date:%d %m %Y}", "holds a space"),
    # widths that made every link 100 MB, or cost gigabytes at every start
    ("https://intra.example.dk/cf/{punkt:099999999d}", "padded to 99999999 characters"),
    ("https://intra.example.dk/cf/{punkt:0999999999d}", "padded to 999999999 characters"),
    ("https://intra.example.dk/cf/{punkt:x>999}", "padded to 999 characters"),
    ("https://intra.example.dk/cf/{date:%0999Y}", "padded to 999 characters"),
    ("https://intra.example.dk/cf/{punkt:0" + "9" * 5000 + "d}",
     "padded to 999999999999… characters; at most 20"),
    ("https://intra.example.dk/cf/{punkt:{punkt}{punkt}}", "holds another placeholder"),
    ("https://intra.example.dk/cf/" + "x" * 2000, "longer than 2000 characters"),
    ("https://intra.example.dk/cf/{date!r}", "{date!r} converts the value"),
    ("https://intra.example.dk/cf/{punkt!s}", "{punkt!s} converts the value"),
])
def test_a_template_that_cannot_work_is_named_at_start(template, problem):
    with pytest.raises(SettingsError, match="REFERATBOT_SOURCE_URL") as e:
        Settings.from_env({"REFERATBOT_SOURCE_URL": template})
    assert problem in str(e.value) and template in str(e.value)
    with pytest.raises(ValueError, match="cannot work"):
        SourceLinks(template)


def test_unset_means_no_links():
    assert Settings.from_env({}).source_url is None
    assert Settings.from_env({"REFERATBOT_SOURCE_URL": "  "}).source_url is None


def test_every_command_refuses_a_bad_template(tmp_path):
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "meetings"],
                                env={"REFERATBOT_SOURCE_URL": "https://x.dk/{dato}"})
    assert result.exit_code == 1
    assert "REFERATBOT_SOURCE_URL" in result.output and "{dato}" in result.output

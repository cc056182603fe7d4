"""Text from outside (a file's name, what a Teams user wrote) cannot forge a line of the
log or of the `referatbot` command's output, nor send the terminal escape codes: control
characters reach both escaped (\\n, \\x1b)."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.feedback import Feedback
from bot.jobs.inbox import Inbox
from bot.settings import Settings
from bot.stores import open_catalog

#: A name that would start a line of its own, clear the screen and return the cursor.
EVIL = "x\nERROR forged: a line of its own\x1b[2J\r.txt"
ESCAPED = "x\\nERROR forged: a line of its own\\x1b[2J\\r.txt"


def assert_escaped(output: str) -> None:
    assert ESCAPED in output
    assert "\x1b" not in output and "\r" not in output
    assert not [line for line in output.splitlines() if line.startswith("ERROR forged")]


@pytest.fixture
def refused_file(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / EVIL).write_text("Intet referat her.\n", encoding="utf-8")
    return folder


@pytest.mark.slow  # a subprocess: logging is configured by the command, not under pytest
def test_a_file_name_cannot_forge_a_log_line(refused_file, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("Microsoft")}
    run = subprocess.run([sys.executable, "-m", "bot", "-v", "--data-dir", str(tmp_path / "data"),
                          "ingest", str(refused_file)], capture_output=True, text=True, env=env,
                         timeout=300)
    assert run.returncode == 1  # the file is refused
    logged = [line for line in run.stderr.splitlines() if line.startswith("INFO ingest.")]
    assert any(ESCAPED in line for line in logged), run.stderr
    assert_escaped(run.stderr)


def test_status_shows_an_inbox_file_name_escaped(refused_file, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", inbox=refused_file)
    with open_catalog(settings) as catalog:
        inbox = Inbox(refused_file, catalog)
        started = dt.datetime.now(dt.timezone.utc)
        inbox.take()  # the first look: the file may still be being copied
        [result] = inbox.take()
        assert result.status == "refused"
        inbox.finish([result], started)
    shown = CliRunner().invoke(main, ["--data-dir", str(settings.data_dir), "status"],
                               env={"REFERATBOT_INBOX": str(refused_file)}, color=True)
    assert shown.exit_code == 0, shown.output
    assert shown.output.count(ESCAPED) == 2  # the last intake, and the refused files
    assert_escaped(shown.output)


def test_feedback_comments_reach_the_terminal_escaped(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    with open_catalog(settings) as catalog:
        Feedback(catalog.db).record("telefontider?", [], "down", comment=EVIL)
    shown = CliRunner().invoke(main, ["--data-dir", str(settings.data_dir), "feedback"],
                               color=True)
    assert shown.exit_code == 0, shown.output
    assert_escaped(shown.output)

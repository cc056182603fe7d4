"""The inbox inside the running app (create_app with REFERATBOT_INBOX, real catalog,
index, model and files): a referat dropped into the folder becomes answerable and is in
the next digest; a file still being written is not taken; a bad file is refused once,
shown on /readyz and by `referatbot status`, and taken when it changes."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging

import pytest
from click.testing import CliRunner

from bot.app import create_app
from bot.app_keys import catalog_key, digest_key, inbox_key
from bot.cli import main
from bot.jobs.intake import Intake
from bot.settings import Settings, SettingsError
from fake_teams import activity_json
from new_minutes import answers_telefon, file_name, redated, telefon_question
from servers import eventually

#: seconds between the inbox's polls here (the default is 10)
POLL = 0.1
JUNE = dt.date(2024, 6, 5)


@pytest.fixture
def inbox(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


@pytest.fixture
async def inbox_client(start_app, inbox):
    return await start_app(inbox=inbox, inbox_poll_seconds=POLL)


async def ask(client, question: str) -> dict:
    response = await client.get("/api/ask", params={"q": question})
    assert response.status == 200
    return await response.json()


async def readyz(client) -> tuple[int, dict]:
    response = await client.get("/readyz")
    return response.status, await response.json()


def status_json(data_dir) -> dict:
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), "status", "--json"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def takes_of(app, name: str) -> list:
    """Every time the inbox took the file `name`, from the catalog's intake records."""
    records = Intake(app[catalog_key].db).intakes(limit=1000)
    return [f for r in records for f in r.files if f.path == name]


async def test_a_referat_dropped_in_the_inbox_is_answered_and_in_the_next_digest(
        inbox_client, inbox, connector, samples_dir, bot_settings):
    app = inbox_client.app
    response = await inbox_client.post("/api/messages",
                                       json=activity_json("abonner", service_url=connector.url))
    assert response.status == 201
    await connector.wait_for(1)
    assert not answers_telefon(await ask(inbox_client, telefon_question(JUNE)), JUNE)
    meetings, punkter = app[catalog_key].count()

    (inbox / file_name(JUNE)).write_text(redated(samples_dir, JUNE), encoding="utf-8")
    await eventually(lambda: ask(inbox_client, telefon_question(JUNE)),
                     lambda body: answers_telefon(body, JUNE), what="an answer from the new meeting")

    [result] = await app[digest_key].run_once()
    assert result.status == "sent" and result.decisions == 10
    _, digest = await connector.wait_for(2)
    assert "Mødet 05.06.2024" in json.dumps(digest["attachments"], ensure_ascii=False)

    status = await asyncio.to_thread(status_json, bot_settings.data_dir)
    new = app[catalog_key].meeting(JUNE)
    assert len(new.punkter) == 10
    assert status["catalog"] == {"meetings": meetings + 1, "punkter": punkter + 10}
    last = status["last_intake"]
    assert last["files"] == [{"path": file_name(JUNE), "status": "new",
                              "meeting_date": "2024-06-05", "reason": "", "warning": ""}]
    assert (last["taken"], last["meetings_added"], last["refused"]) == (1, 1, 0)
    assert status["refused"] == []
    assert await readyz(inbox_client) == (200, {"ready": True, "model": True, "store": True,
                                                "catalog": True,
                                                "inbox": {"reachable": True, "refused": []}})
    assert len(takes_of(app, file_name(JUNE))) == 1


async def test_a_file_still_being_copied_is_taken_only_once_whole(start_app, inbox, samples_dir):
    client = await start_app(inbox=inbox, inbox_poll_seconds=POLL)
    app = client.app
    data = redated(samples_dir, JUNE).encode("utf-8")
    target = inbox / file_name(JUNE)
    polls = app[inbox_key].polls
    pieces = 40
    with target.open("wb") as copy:  # a slow copy: a piece every quarter of a poll
        for i in range(pieces):
            copy.write(data[i * len(data) // pieces:(i + 1) * len(data) // pieces])
            copy.flush()
            await asyncio.sleep(POLL / 4)
    assert app[inbox_key].polls - polls >= 5  # the inbox looked at it while it grew
    assert takes_of(app, target.name) == []

    await eventually(lambda: asyncio.to_thread(takes_of, app, target.name), bool,
                     what="the file taken")
    [take] = takes_of(app, target.name)
    assert (take.status, take.meeting_date) == ("new", "2024-06-05")
    assert len(app[catalog_key].meeting(JUNE).punkter) == 10  # all of it, not a part


async def test_a_bad_file_is_refused_once_and_taken_again_when_it_changes(
        start_app, inbox, samples_dir, bot_settings, caplog):
    client = await start_app(inbox=inbox, inbox_poll_seconds=POLL)
    app = client.app
    notes = inbox / "2024" / "noter.txt"
    notes.parent.mkdir()
    notes.write_text("Husk at bestille kage til fredag.\nMvh. Kantinen\n", encoding="utf-8")
    reason = ("no meeting date found (expected 'REFERAT Chefforum d. 24-04-2024', "
              "'Mødedato: 24. april 2024' or a date in the title)")

    status, body = await eventually(lambda: readyz(client), lambda r: r[1]["inbox"]["refused"],
                                    what="the refusal on /readyz")
    assert status == 200 and body["ready"]  # a refused file does not make the server unready
    assert body["inbox"]["refused"] == [{"path": "2024/noter.txt", "reason": reason}]

    async def polls():
        return app[inbox_key].polls
    seen = await polls()
    await eventually(polls, lambda n: n >= seen + 10, what="ten more polls")
    assert [t.status for t in takes_of(app, "2024/noter.txt")] == ["refused"]
    said = [r for r in caplog.records
            if r.name == "bot.jobs.inbox" and "refused 2024/noter.txt" in r.getMessage()]
    assert len(said) == 1 and said[0].levelno == logging.WARNING
    assert reason in said[0].getMessage()

    text = await asyncio.to_thread(CliRunner().invoke, main,
                                   ["--data-dir", str(bot_settings.data_dir), "status"])
    assert text.exit_code == 0
    lines = text.stdout.splitlines()
    assert f"  refused: 2024/noter.txt: {reason}" in lines
    assert lines[-2:] == ["refused, and not read again until changed:",
                          f"  2024/noter.txt: {reason}"]

    notes.write_text(redated(samples_dir, JUNE), encoding="utf-8")  # corrected in place
    await eventually(lambda: asyncio.to_thread(takes_of, app, "2024/noter.txt"),
                     lambda takes: len(takes) == 2, what="the changed file taken")
    assert [t.status for t in takes_of(app, "2024/noter.txt")] == ["new", "refused"]
    assert answers_telefon(await ask(client, telefon_question(JUNE)), JUNE)
    assert (await readyz(client))[1]["inbox"]["refused"] == []


async def test_an_inbox_share_that_goes_away_is_reported_and_polled_until_it_is_back(
        start_app, inbox, samples_dir, caplog):
    client = await start_app(inbox=inbox, inbox_poll_seconds=POLL)
    unmounted = inbox.with_name("unmounted")
    inbox.rename(unmounted)
    status, body = await eventually(lambda: readyz(client),
                                    lambda r: not r[1]["inbox"]["reachable"],
                                    what="the inbox reported unreachable")
    assert status == 200 and body["ready"]

    (unmounted / file_name(JUNE)).write_text(redated(samples_dir, JUNE), encoding="utf-8")
    unmounted.rename(inbox)  # the share is back, with a new referat on it
    await eventually(lambda: ask(client, telefon_question(JUNE)),
                     lambda body: answers_telefon(body, JUNE), what="an answer from the new meeting")
    assert (await readyz(client))[1]["inbox"]["reachable"]
    said = [r for r in caplog.records
            if r.name == "bot.jobs.inbox" and "cannot be read" in r.getMessage()]
    assert len(said) == 1 and said[0].levelno == logging.WARNING


def test_an_inbox_that_is_no_folder_stops_the_app_with_a_sentence(settings, tmp_path):
    missing = tmp_path / "mangler"
    with pytest.raises(SettingsError, match=f"REFERATBOT_INBOX must be a folder, but "
                                            f"'{missing}' does not exist"):
        create_app(settings.with_(inbox=missing))
    a_file = tmp_path / "fil.txt"
    a_file.write_text("x")
    with pytest.raises(SettingsError, match="is not one"):
        create_app(settings.with_(inbox=a_file))


@pytest.mark.parametrize("raw", ["0", "-5", "snart", "inf", "nan"])
def test_the_poll_interval_is_seconds_above_zero(raw):
    with pytest.raises(SettingsError, match="REFERATBOT_INBOX_POLL_SECONDS must be a number of "
                                            f"seconds above 0, such as 10, not '{raw}'"):
        Settings.from_env({"REFERATBOT_INBOX_POLL_SECONDS": raw})
    assert Settings.from_env({"REFERATBOT_INBOX_POLL_SECONDS": "2.5"}).inbox_poll_seconds == 2.5
    assert Settings.from_env({}).inbox_poll_seconds == 10

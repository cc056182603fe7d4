"""The digest inside `serve`: subscribe over /api/messages, new minutes arrive, the app's
digest runner sends one card through botbuilder's continue_conversation to the (fake)
Teams connector, and the watermark moves only then. Also the running server taking in
minutes ingested while it runs."""
from __future__ import annotations

import asyncio
import json
import logging
import weakref

import pytest
from click.testing import CliRunner

from bot.app_keys import catalog_key, digest_key, engine_key, subscriptions_key
from bot.cli import main
from bot.jobs.subscriptions import Subscriptions
from bot.settings import Settings
from bot.stores import open_catalog
from bot.teams.service_urls import is_channel_url
from fake_teams import SERVICE_URL, activity_json
from ingest.pipeline import ingest_paths

NEW_MINUTES = "chefforum-2024-04-24.txt"


def card_text(activity: dict) -> str:
    [attachment] = activity["attachments"]
    return json.dumps(attachment["content"], ensure_ascii=False)


async def post(client, body: dict) -> int:
    response = await client.post("/api/messages", json=body)
    return response.status


def add_minutes(app, samples_dir, tmp_path, name: str) -> None:
    """A new referat arrives: a copy under another date, so it is a new meeting."""
    text = (samples_dir / name).read_text(encoding="utf-8").replace("24-04-2024", "05-06-2024") \
        .replace("24. april 2024", "5. juni 2024")
    folder = tmp_path / "new"
    folder.mkdir(exist_ok=True)
    (folder / "chefforum-2024-06-05.txt").write_text(text, encoding="utf-8")
    assert ingest_paths([folder], app[catalog_key], progress=False).ok


async def test_digest_sent_once_through_the_connector(bot_client, connector, samples_dir, tmp_path):
    app = bot_client.app
    assert await post(bot_client, activity_json("abonner", service_url=connector.url)) == 201
    await connector.wait_for(1)
    runner = app[digest_key]

    assert [r.status for r in await runner.run_once()] == ["nothing new"]
    add_minutes(app, samples_dir, tmp_path, NEW_MINUTES)
    [result] = await runner.run_once()
    assert result.status == "sent" and result.decisions == 10
    _, digest = await connector.wait_for(2)
    assert digest["conversation"]["id"] == "a:personal-chat-1"
    text = card_text(digest)
    assert "Mødet 05.06.2024" in text and "Punkt 7: Rådhusets telefontider" in text
    sub = app[subscriptions_key].get("a:personal-chat-1")
    assert sub.watermark == app[catalog_key].max_seq()

    assert [r.status for r in await runner.run_once()] == ["nothing new"]
    assert len(connector.received) == 2


async def test_digest_to_a_removed_bot_keeps_the_watermark(bot_client, connector, samples_dir,
                                                           tmp_path):
    app = bot_client.app
    await post(bot_client, activity_json("abonner", service_url=connector.url))
    await connector.wait_for(1)
    before = app[subscriptions_key].get("a:personal-chat-1").watermark
    add_minutes(app, samples_dir, tmp_path, NEW_MINUTES)
    connector.refuse["a:personal-chat-1"] = 403
    [result] = await app[digest_key].run_once()
    assert result.status == "failed" and result.error
    sub = app[subscriptions_key].get("a:personal-chat-1")
    assert sub.watermark == before and sub.failures == 1
    del connector.refuse["a:personal-chat-1"]
    [result] = await app[digest_key].run_once()
    assert result.status == "sent"


async def test_running_server_takes_in_minutes_ingested_meanwhile(bot_client, samples_dir, tmp_path):
    app = bot_client.app
    engine = app[engine_key]
    assert not await engine.refresh()  # nothing new yet
    add_minutes(app, samples_dir, tmp_path, NEW_MINUTES)
    old = weakref.ref(engine.status.index.lexical)
    assert await engine.refresh()
    # the index replaced is freed at once, not when the collector next gets to its cycles
    assert old() is None
    response = await bot_client.get("/api/ask", params={"q": "hvad besluttede CF om telefontider i juni 2024?"})
    body = await response.json()
    assert body["answered"]
    assert (body["citations"][0]["meeting_date"], body["citations"][0]["punkt"]) == ("2024-06-05", 7)


async def test_digest_send_command_for_cron(connector, samples_dir, tmp_path):
    """`referatbot digest --send` delivers through the same adapter, outside the server."""
    settings = Settings(data_dir=tmp_path / "data")
    reference = {"conversation": {"id": "19:channel@thread.tacv2"}, "serviceUrl": connector.url,
                 "channelId": "msteams", "bot": {"id": "28:bot"}, "user": {"id": "29:u"}}
    with open_catalog(settings) as catalog:
        Subscriptions.over(catalog).subscribe(reference, tenant_id="tenant-1",
                                         service_url=connector.url, subscribed_by="Marie")
        folder = tmp_path / "in"
        folder.mkdir()
        (folder / "m.txt").write_bytes((samples_dir / "chefforum-2019-01-17.txt").read_bytes())
        assert ingest_paths([folder], catalog, progress=False).ok

    def run(*args):
        return CliRunner().invoke(main, ["--data-dir", str(settings.data_dir), "digest", *args])

    sent = await asyncio.to_thread(run, "--send", "--json")
    assert sent.exit_code == 0, sent.output
    assert json.loads(sent.output.splitlines()[-1])["status"] == "sent"
    [digest] = await connector.wait_for(1)
    assert digest["conversation"]["id"] == "19:channel@thread.tacv2"
    assert "Mødet 17.01.2019" in card_text(digest)
    again = await asyncio.to_thread(run, "--send", "--json")
    assert json.loads(again.output.splitlines()[-1])["status"] == "nothing new"
    assert len(connector.received) == 1


# --- with auth on, only a Bot Framework channel's service URL ----------------------------

SECURED = {"MicrosoftAppId": "00000000-1111-2222-3333-444444444444",
           "MicrosoftAppPassword": "not-a-real-secret"}


def subscribe(catalog, conversation_id: str, service_url: str) -> None:
    reference = {"conversation": {"id": conversation_id}, "serviceUrl": service_url,
                 "channelId": "msteams", "bot": {"id": "28:bot"}, "user": {"id": "29:u"}}
    Subscriptions.over(catalog).subscribe(reference, tenant_id="tenant-1",
                                          service_url=service_url, subscribed_by="Marie")


async def test_with_auth_on_serve_ends_subscriptions_to_other_service_urls(
        start_app, bot_settings, connector, caplog):
    """Made while auth was off, a subscription keeps the service URL its caller gave;
    botbuilder would send the bot's token there."""
    with open_catalog(bot_settings) as catalog:
        subscribe(catalog, "a:made-while-open", connector.url)
        subscribe(catalog, "a:from-teams", SERVICE_URL)
    caplog.set_level(logging.WARNING, logger="bot")
    client = await start_app(app_id=SECURED["MicrosoftAppId"],
                             app_password=SECURED["MicrosoftAppPassword"])
    subscriptions = client.app[subscriptions_key]
    foreign = subscriptions.get("a:made-while-open")
    assert not foreign.active and connector.url in foreign.last_error
    assert subscriptions.get("a:from-teams").active
    [warning] = [r.getMessage() for r in caplog.records if "a:made-while-open" in r.getMessage()]
    assert "inactive" in warning and connector.url in warning
    assert connector.requests == 0


async def test_with_auth_on_digest_send_sends_nothing_to_another_service_url(
        connector, samples_dir, tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    with open_catalog(settings) as catalog:
        subscribe(catalog, "19:channel@thread.tacv2", connector.url)
        folder = tmp_path / "in"
        folder.mkdir()
        (folder / "m.txt").write_bytes((samples_dir / "chefforum-2019-01-17.txt").read_bytes())
        assert ingest_paths([folder], catalog, progress=False).ok
    sent = await asyncio.to_thread(CliRunner().invoke, main, [
        "--data-dir", str(settings.data_dir), "digest", "--send", "--json"], env=SECURED)
    result = json.loads(sent.output.splitlines()[-1])
    assert (result["status"], sent.exit_code) == ("deactivated", 1)
    assert "service URL" in result["error"]
    assert connector.requests == 0
    with open_catalog(settings) as catalog:
        assert not Subscriptions.over(catalog).get("19:channel@thread.tacv2").active


@pytest.mark.parametrize("url", [
    SERVICE_URL, "https://smba.trafficmanager.net/teams/", "https://SMBA.trafficmanager.net/amer/",
    "https://smba.infra.gcc.teams.microsoft.com/teams",
    "https://smba.infra.gov.teams.microsoft.us/teams",
    "https://smba.infra.dod.teams.microsoft.us/teams",
    "https://directline.botframework.com/", "https://europe.webchat.botframework.com/"])
def test_the_service_urls_of_bot_framework_channels(url):
    assert is_channel_url(url)


@pytest.mark.parametrize("url", [
    "http://smba.trafficmanager.net/emea/",  # not https
    "https://someone.trafficmanager.net/",  # any Azure customer can register one
    "https://smba.trafficmanager.net.example.com/", "https://botframework.com.example.com/",
    "https://evilbotframework.com/", "https://smba.trafficmanager.net:8443/emea/",
    "https://user:pw@smba.trafficmanager.net/emea/", "http://127.0.0.1:3978/",
    "http://localhost:56150/_connector", "", "smba.trafficmanager.net", "https://[::1]/"])
def test_any_other_service_url_is_not_a_channels(url):
    assert not is_channel_url(url)

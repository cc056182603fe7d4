"""The digest: what it says, when it runs, and that each decision reaches a subscription
exactly once, across failures and two processes sharing one catalog. Each test with a
catalog runs with the SQLite and the PostgreSQL one."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from bot import cards
from bot.cards import digest_card, short_decision
from bot.jobs import subscriptions as bot_subscriptions
from bot.jobs.digest import DeliveryFailed, DigestRunner, next_run, schedule
from bot.jobs.subscriptions import Subscriptions
from bot.settings import Settings
from fake_teams import actions
from ingest.catalog import Catalog
from ingest.pipeline import ingest_paths

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
pytestmark = pytest.mark.both_catalogs


def reference(conversation_id: str) -> dict:
    return {"conversation": {"id": conversation_id, "tenantId": "tenant-1"},
            "serviceUrl": "http://127.0.0.1:9/", "channelId": "msteams",
            "bot": {"id": "bot"}, "user": {"id": "u1"}}


class Recorder:
    """Stands in for the Teams connector: records cards, fails when told to."""

    def __init__(self):
        self.sent: list[tuple[str, dict]] = []
        self.fail_with: int | None = None

    async def __call__(self, sub, card):
        if self.fail_with:
            raise DeliveryFailed(f"connector said {self.fail_with}", status=self.fail_with)
        self.sent.append((sub.conversation_id, card))


@pytest.fixture
def target(tmp_path, catalog_url):
    """Where the catalog is: a SQLite file, or a fresh PostgreSQL schema."""
    return catalog_url or tmp_path / "catalog.sqlite3"


@pytest.fixture
def catalog(target):
    with Catalog(target) as c:
        yield c


def ingest(catalog: Catalog, tmp_path: Path, *names: str) -> None:
    folder = tmp_path / f"in-{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    for name in names:
        shutil.copy(SAMPLES / name, folder / name)
    assert ingest_paths([folder], catalog, progress=False).ok


def card_text(card: dict) -> str:
    return json.dumps(card, ensure_ascii=False)


async def test_first_digest_covers_only_what_arrives_after_subscribing(catalog, tmp_path):
    ingest(catalog, tmp_path, "chefforum-2023-03-15.txt")
    subs = Subscriptions.over(catalog)
    assert subs.subscribe(reference("c1"), tenant_id="tenant-1", service_url="http://x/",
                          subscribed_by="Marie")
    send = Recorder()
    runner = DigestRunner(catalog, subs, send)
    assert [r.status for r in await runner.run_once(NOW)] == ["nothing new"]
    assert send.sent == []

    ingest(catalog, tmp_path, "chefforum-2024-04-24.txt")
    results = await runner.run_once(NOW)
    assert [r.status for r in results] == ["sent"]
    [(conversation, card)] = send.sent
    text = card_text(card)
    assert conversation == "c1"
    assert "Chefforum" in text and "Mødet 24.04.2024" in text and "15.03.2023" not in text
    assert "Punkt 7: Rådhusets telefontider" in text
    assert "Vis hele punktet" in text
    # every punkt with a Beslutning, and only those
    assert results[0].decisions == 10

    assert [r.status for r in await runner.run_once(NOW)] == ["nothing new"]
    assert len(send.sent) == 1


async def test_failed_send_keeps_the_watermark_and_is_retried(catalog, tmp_path):
    subs = Subscriptions.over(catalog)
    subs.subscribe(reference("c1"), tenant_id="t", service_url="http://x/", subscribed_by="a")
    ingest(catalog, tmp_path, "chefforum-2019-01-17.txt")
    send = Recorder()
    runner = DigestRunner(catalog, subs, send)
    send.fail_with = 502
    assert [r.status for r in await runner.run_once(NOW)] == ["failed"]
    assert subs.get("c1").watermark == 0 and subs.get("c1").failures == 1
    send.fail_with = None
    assert [r.status for r in await runner.run_once(NOW)] == ["sent"]
    assert subs.get("c1").watermark == catalog.max_seq()
    assert len(send.sent) == 1


async def test_removed_bot_is_deactivated_after_repeated_403(catalog, tmp_path):
    subs = Subscriptions.over(catalog)
    subs.subscribe(reference("gone"), tenant_id="t", service_url="http://x/", subscribed_by="a")
    ingest(catalog, tmp_path, "chefforum-2019-01-17.txt")
    send = Recorder()
    send.fail_with = 403
    runner = DigestRunner(catalog, subs, send)
    statuses = [(await runner.run_once(NOW))[0].status for _ in range(3)]
    assert statuses == ["failed", "failed", "deactivated"]
    assert subs.active() == []
    assert await runner.run_once(NOW) == []


async def test_two_processes_never_send_the_same_digest(tmp_path, target):
    """Two runners on two connections to one catalog, started together."""
    with Catalog(target) as first, Catalog(target) as second:
        subs = Subscriptions.over(first)
        for i in range(5):
            subs.subscribe(reference(f"c{i}"), tenant_id="t", service_url="http://x/",
                           subscribed_by="a")
        ingest(first, tmp_path, "chefforum-2021-09-02.txt")
        send = Recorder()
        a = DigestRunner(first, Subscriptions.over(first), send, owner="a")
        b = DigestRunner(second, Subscriptions.over(second), send, owner="b")
        ra, rb = await asyncio.gather(a.run_once(NOW), b.run_once(NOW))
        sent = sorted(c for c, _ in send.sent)
        assert sent == [f"c{i}" for i in range(5)]
        assert sorted(r.status for r in ra + rb).count("sent") == 5
        # and again: nothing twice
        await asyncio.gather(a.run_once(NOW), b.run_once(NOW))
        assert len(send.sent) == 5


async def test_a_crash_while_sending_is_retried_after_the_lease_expires(catalog, tmp_path):
    """A process that claimed a subscription and died before sending loses nothing."""
    subs = Subscriptions.over(catalog)
    subs.subscribe(reference("c1"), tenant_id="t", service_url="http://x/", subscribed_by="a")
    ingest(catalog, tmp_path, "chefforum-2019-03-14.txt")
    assert subs.claim("c1", "dead-process", now=NOW, lease=dt.timedelta(minutes=5))
    send = Recorder()
    runner = DigestRunner(catalog, subs, send, owner="restarted")
    assert [r.status for r in await runner.run_once(NOW + dt.timedelta(minutes=1))] == ["busy"]
    assert send.sent == []
    later = NOW + dt.timedelta(minutes=6)
    assert [r.status for r in await runner.run_once(later)] == ["sent"]
    assert len(send.sent) == 1


def test_closed_punkt_never_in_a_digest(catalog, tmp_path):
    ingest(catalog, tmp_path, "chefforum-2019-03-14.txt")
    decisions = catalog.decisions_since(0)
    assert 5 not in [d.punkt.number for d in decisions]
    assert "Lukket" not in card_text(digest_card(decisions))


def test_subscribe_twice_and_unsubscribe(catalog):
    subs = Subscriptions.over(catalog)
    ref = reference("c1")
    assert subs.subscribe(ref, tenant_id="tenant-1", service_url="http://x/", subscribed_by="a")
    assert not subs.subscribe(ref, tenant_id="tenant-1", service_url="http://x/", subscribed_by="a")
    got = subs.get("c1")
    assert got.tenant_id == "tenant-1" and got.reference == ref and got.subscribed_by == "a"
    assert subs.unsubscribe("c1") and not subs.unsubscribe("c1")
    assert subs.active() == []


def test_subscribing_again_takes_the_new_service_url_and_keeps_the_watermark(catalog, tmp_path):
    """Teams may move a conversation to another service URL: the digest must follow."""
    subs = Subscriptions.over(catalog)
    ref = reference("c1")
    subs.subscribe(ref, tenant_id="tenant-1", service_url="http://old/", subscribed_by="a")
    watermark = subs.get("c1").watermark
    ingest(catalog, tmp_path, "chefforum-2019-03-14.txt")
    moved = {**ref, "serviceUrl": "http://new/"}
    assert not subs.subscribe(moved, tenant_id="tenant-1", service_url="http://new/",
                              subscribed_by="b")
    got = subs.get("c1")
    assert got.reference == moved and got.service_url == "http://new/"
    assert got.watermark == watermark and got.subscribed_by == "a"


def test_subscriptions_survive_a_restart(target):
    with Catalog(target) as catalog:
        Subscriptions.over(catalog).subscribe(reference("c1"), tenant_id="t", service_url="http://x/",
                                         subscribed_by="a")
    with Catalog(target) as catalog:
        assert [s.conversation_id for s in Subscriptions.over(catalog).active()] == ["c1"]


def test_short_decision_is_one_or_two_sentences():
    text = ("Chefforum besluttede at gå videre. Arbejdsgruppen nedsættes nu. "
            "Tredje sætning kommer ikke med.")
    assert short_decision(text) == "Chefforum besluttede at gå videre. Arbejdsgruppen nedsættes nu."
    long = "ord " * 200
    cut = short_decision(long)
    assert len(cut) <= 300 and cut.endswith("…") and not cut[:-1].endswith(" ")


@pytest.mark.parametrize("now, expected", [
    # Monday 06:00 UTC = 07:00 Copenhagen -> Monday 08:00 local
    (dt.datetime(2026, 11, 23, 6, 0, tzinfo=UTC), dt.datetime(2026, 11, 23, 8, 0)),
    # Monday 08:00 local exactly -> Tuesday
    (dt.datetime(2026, 11, 23, 7, 0, tzinfo=UTC), dt.datetime(2026, 11, 24, 8, 0)),
    # Friday after 08:00 -> Monday (weekdays only)
    (dt.datetime(2026, 11, 27, 10, 0, tzinfo=UTC), dt.datetime(2026, 11, 30, 8, 0)),
    # across the end of summer time (25 October 2026)
    (dt.datetime(2026, 10, 23, 12, 0, tzinfo=UTC), dt.datetime(2026, 10, 26, 8, 0)),
])
def test_next_run_in_local_time(now, expected):
    got = next_run(now, at="08:00", timezone="Europe/Copenhagen", weekdays_only=True)
    assert got.replace(tzinfo=None) == expected
    assert got.tzinfo is not None


def test_next_run_every_day_when_weekends_are_included():
    saturday = dt.datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
    got = next_run(saturday, at="08:00", timezone="Europe/Copenhagen", weekdays_only=False)
    assert got.date() == dt.date(2026, 11, 28)


async def test_scheduler_runs_at_the_configured_time_with_an_injected_clock(catalog, tmp_path):
    subs = Subscriptions.over(catalog)
    subs.subscribe(reference("c1"), tenant_id="t", service_url="http://x/", subscribed_by="a")
    ingest(catalog, tmp_path, "chefforum-2024-04-24.txt")
    send = Recorder()
    runner = DigestRunner(catalog, subs, send)
    clock = {"now": dt.datetime(2026, 11, 23, 6, 30, tzinfo=UTC)}  # 07:30 in Copenhagen
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        clock["now"] += dt.timedelta(seconds=seconds)
        if len(send.sent) == 1:
            raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await schedule(runner, at="08:00", timezone="Europe/Copenhagen", weekdays_only=True,
                       clock=lambda: clock["now"], sleep=fake_sleep)
    assert len(send.sent) == 1
    assert sum(slept[:-1]) == pytest.approx(30 * 60)  # waited until 08:00 local, then sent


def test_a_large_digest_shows_the_newest_meetings_and_stays_small(catalog, tmp_path):
    ingest(catalog, tmp_path, *sorted(p.name for p in SAMPLES.glob("*.txt")))
    decisions = catalog.decisions_since(0)
    card = digest_card(decisions)
    text = card_text(card)
    assert len(decisions) > 40
    assert text.index("24.04.2024") < text.index("15.03.2023")
    shown = len([b for b in actions(card) if b["title"] == "Vis hele punktet"])
    assert shown <= cards.DIGEST_MAX_ITEMS
    assert f"og {len(decisions) - shown} beslutninger mere" in text
    # the size check every card passes (the digest card skipped it once, and was over)
    assert cards.card_bytes(card) <= cards.MAX_CARD_BYTES


def test_digest_cli_dry_run_lists_what_each_subscription_would_get(tmp_path, catalog_url):
    from click.testing import CliRunner

    from bot.cli import main

    data = tmp_path / "data"
    target = Settings(data_dir=data, catalog_url=catalog_url).catalog
    env = {"REFERATBOT_CATALOG_URL": catalog_url or ""}
    with Catalog(target) as catalog:
        Subscriptions.over(catalog).subscribe(reference("c1"), tenant_id="t", service_url="http://x/",
                                         subscribed_by="Marie")
        ingest(catalog, tmp_path, "chefforum-2021-09-02.txt")
    result = CliRunner().invoke(main, ["--data-dir", str(data), "digest", "--dry-run", "--json"],
                                env=env)
    assert result.exit_code == 0, result.output
    [line] = result.output.splitlines()
    got = json.loads(line)
    assert got["conversation_id"] == "c1" and len(got["decisions"]) == 9
    assert got["card"]["type"] == "AdaptiveCard"
    # a dry run sends nothing and moves nothing
    with Catalog(target) as catalog:
        assert Subscriptions.over(catalog).get("c1").watermark == 0
    assert CliRunner().invoke(main, ["--data-dir", str(data), "digest"], env=env).exit_code == 2

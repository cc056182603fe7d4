"""The digest per forum and per topic, over a catalog of three forums (the samples and
tests/forum_files.py's committee and council): `abonner`, `abonner byrådet`, `abonner
parkering`, `abonner byrådet parkering` and `afmeld` of each; a watermark for each
interest; a topic found as a question's words are; the card grouped by forum, then by
meeting; and nothing of a closed punkt, whatever the topic."""
from __future__ import annotations

import json

import pytest

from bot.jobs.digest import DigestRunner, words_of
from bot.jobs.subscriptions import Interest, Subscriptions
from fake_teams import texts
from forum_files import CLOSED_WORDS, COMMITTEE, COUNCIL, COUNCIL_DAY, SHARED_DAY, forum_files
from ingest.pipeline import ingest_paths
from test_digest import NOW, Recorder, card_text, catalog, ingest, reference, target  # noqa: F401

pytestmark = pytest.mark.both_catalogs

#: the punkter about parking: the committee's strategy, then the council's adoption of it
PARKING = [(COMMITTEE, SHARED_DAY.isoformat(), 2), (COUNCIL, COUNCIL_DAY.isoformat(), 62)]


def add_forums(catalog, tmp_path) -> None:
    folder = tmp_path / "forums"
    folder.mkdir()
    report = ingest_paths(forum_files(folder), catalog, progress=False)
    assert report.ok, report.summary()


def subscribe(subs: Subscriptions, conversation: str, *interests: Interest) -> None:
    assert subs.subscribe(reference(conversation), tenant_id="tenant-1", service_url="http://x/",
                          subscribed_by="Marie", interests=interests)


def punkter(card: dict) -> list[tuple[str, str, int]]:
    """The punkter a digest card offers to show, in its order."""
    return [(b["data"]["forum"], b["data"]["date"], b["data"]["punkt"])
            for b in _actions(card)]


def _actions(node) -> list[dict]:
    if isinstance(node, dict):
        found = [node] if node.get("type") == "Action.Execute" else []
        return found + [a for v in node.values() for a in _actions(v)]
    return [a for v in node for a in _actions(v)] if isinstance(node, list) else []


async def test_each_interest_gets_its_forums_and_topics_decisions(catalog, tmp_path):
    ingest(catalog, tmp_path, "chefforum-2023-03-15.txt")
    subs = Subscriptions.over(catalog)
    subscribe(subs, "every", Interest())
    subscribe(subs, "council", Interest(COUNCIL))
    subscribe(subs, "parking", Interest(topic="parkering"))
    subscribe(subs, "council-parking", Interest(COUNCIL, "parkering"))
    add_forums(catalog, tmp_path)
    ingest(catalog, tmp_path, "chefforum-2024-04-24.txt")
    send = Recorder()
    results = await DigestRunner(catalog, subs, send).run_once(NOW)
    assert {r.conversation_id: r.status for r in results} == dict.fromkeys(
        ["every", "council", "parking", "council-parking"], "sent")
    got = {conversation: punkter(card) for conversation, card in send.sent}
    forums = {conversation: {f for f, _, _ in shown} for conversation, shown in got.items()}
    assert forums["every"] == {"Chefforum", COMMITTEE, COUNCIL}
    assert forums["council"] == {COUNCIL} and len(got["council"]) > 1
    assert sorted(got["parking"]) == sorted(PARKING)  # across forums, by the topic's words
    assert got["council-parking"] == [PARKING[1]]
    # each decision once, though an interest of every forum and one of the council hold it
    assert len(got["every"]) == len(set(got["every"]))
    assert [r.status for r in await DigestRunner(catalog, subs, send).run_once(NOW)] == \
        ["nothing new"] * 4


async def test_the_card_groups_by_forum_then_by_meeting_and_names_what_is_followed(catalog,
                                                                                   tmp_path):
    subs = Subscriptions.over(catalog)
    subscribe(subs, "c1", Interest(), Interest(COUNCIL, "parkering"))
    add_forums(catalog, tmp_path)
    ingest(catalog, tmp_path, "chefforum-2024-04-24.txt", "chefforum-2023-03-15.txt")
    send = Recorder()
    await DigestRunner(catalog, subs, send).run_once(NOW)
    [(_, card)] = send.sent
    shown = texts(card)
    assert shown[:2] == ["Nye beslutninger",
                         "Samtalen følger: alle fora; Kommunalbestyrelsen om «parkering»"]
    heads = [t for t in shown if t in ("Chefforum", COMMITTEE, COUNCIL)]
    # each forum once, the one with the newest meeting first
    assert heads == [COUNCIL, "Chefforum", COMMITTEE]
    chefforum = shown[shown.index("Chefforum"):shown.index(COMMITTEE)]
    assert [t for t in chefforum if t.startswith("Mødet ")] == ["Mødet 24.04.2024",
                                                               "Mødet 15.03.2023"]
    # the forum's punkter in order under their meeting
    order = punkter(card)
    assert [p for f, d, p in order if (f, d) == ("Chefforum", "2024-04-24")] == sorted(
        p for f, d, p in order if (f, d) == ("Chefforum", "2024-04-24"))


async def test_each_interest_keeps_its_own_watermark(catalog, tmp_path):
    """An interest added later starts then; decisions of other forums move a forum's mark
    past them without a digest, and never reach it."""
    add_forums(catalog, tmp_path)
    subs = Subscriptions.over(catalog)
    subscribe(subs, "c1", Interest(COUNCIL))
    at_subscribing = catalog.max_seq()
    ingest(catalog, tmp_path, "chefforum-2024-04-24.txt")
    send = Recorder()
    runner = DigestRunner(catalog, subs, send)
    assert [r.status for r in await runner.run_once(NOW)] == ["nothing new"]
    assert subs.get("c1").watermarks == {Interest(COUNCIL): catalog.max_seq()}
    assert catalog.max_seq() > at_subscribing
    # every forum from now on: the Chefforum meeting ingested before is not in it
    assert subs.subscribe(reference("c1"), tenant_id="tenant-1", service_url="http://x/",
                          subscribed_by="Marie", interests=(Interest(),))
    ingest(catalog, tmp_path, "chefforum-2021-09-02.txt")
    await runner.run_once(NOW)
    [(_, card)] = send.sent
    assert {(f, d) for f, d, _ in punkter(card)} == {("Chefforum", "2021-09-02")}
    assert set(subs.get("c1").watermarks.values()) == {catalog.max_seq()}


async def test_a_topic_waits_for_the_index_to_take_a_meeting_in(catalog, tmp_path):
    """The index's words lag the catalog (the server refreshes them a little later): a
    decision they do not hold yet is neither sent nor skipped, but weighed at the next
    run; what came before it is sent now."""
    subs = Subscriptions.over(catalog)
    subscribe(subs, "c1", Interest(topic="parkering"))
    add_forums(catalog, tmp_path)
    behind = words_of(catalog)
    ingest(catalog, tmp_path, "chefforum-2024-04-24.txt")
    mark = catalog.max_seq()
    send = Recorder()
    state = {"now": None}
    runner = DigestRunner(catalog, subs, send, index_state=lambda: state["now"])
    assert [r.status for r in await runner.run_once(NOW)] == ["nothing new"]  # still loading
    assert subs.get("c1").watermark < mark
    state["now"] = behind
    assert [r.status for r in await runner.run_once(NOW)] == ["sent"]
    assert sorted(punkter(send.sent[0][1])) == sorted(PARKING)
    assert subs.get("c1").watermark == mark - 1  # the Chefforum meeting the index lacks waits
    state["now"] = words_of(catalog)
    assert [r.status for r in await runner.run_once(NOW)] == ["nothing new"]
    assert subs.get("c1").watermark == catalog.max_seq() and len(send.sent) == 1


async def test_no_topic_brings_a_closed_punkt(catalog, tmp_path):
    subs = Subscriptions.over(catalog)
    for n, word in enumerate(CLOSED_WORDS):
        subscribe(subs, f"c{n}", Interest(topic=word.lower()))
    subscribe(subs, "every", Interest())
    add_forums(catalog, tmp_path)
    ingest(catalog, tmp_path, "chefforum-2019-03-14.txt")  # its punkt 5 is closed
    send = Recorder()
    await DigestRunner(catalog, subs, send).run_once(NOW)
    assert send.sent  # the open punkter are sent
    for _, card in send.sent:
        text = card_text(card)
        assert not any(word in text for word in CLOSED_WORDS)
        assert "Lukket" not in text and ("Chefforum", "2019-03-14", 5) not in punkter(card)


async def test_the_dry_run_shows_what_each_conversation_follows(tmp_path, catalog_url):
    from click.testing import CliRunner

    from bot.cli import main
    from bot.settings import Settings
    from ingest.catalog import Catalog

    data = tmp_path / "data"
    env = {"REFERATBOT_CATALOG_URL": catalog_url or ""}
    with Catalog(Settings(data_dir=data, catalog_url=catalog_url).catalog) as catalog:
        subscribe(Subscriptions.over(catalog), "c1", Interest(COUNCIL, "parkering"))
        add_forums(catalog, tmp_path)
    result = CliRunner().invoke(main, ["--data-dir", str(data), "digest", "--dry-run", "--json"],
                                env=env)
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    assert got["following"] == [{"forum": COUNCIL, "topic": "parkering"}]
    assert [(d["forum"], d["meeting_date"], d["punkt"]) for d in got["decisions"]] == [PARKING[1]]


# --- the commands ----------------------------------------------------------------------


async def say_(chat, text: str) -> str:
    [reply] = await chat.send(text)
    return reply.text


async def test_subscribe_to_forums_and_topics_and_end_each(forums_chat, subscriptions):
    chat = forums_chat
    following = lambda: set(subscriptions.get("a:personal-chat-1").watermarks)  # noqa: E731
    reply = await say_(chat, "abonner byrådet om parkering")
    assert reply.startswith("Så er det på plads") and "Kommunalbestyrelsen om «parkering»" in reply
    assert following() == {Interest(COUNCIL, "parkering")}
    reply = await say_(chat, "abonner tmu")
    assert "Samtalen følger nu: Kommunalbestyrelsen om «parkering»; " \
           "Teknik- og Miljøudvalget" in reply
    assert "får allerede" in await say_(chat, "abonner TMU")
    await say_(chat, "subscribe Sygefravær")
    assert following() == {Interest(COUNCIL, "parkering"), Interest(COMMITTEE),
                           Interest(topic="sygefravær")}
    # ending one: by its topic in any forum, by its forum whatever the topic
    reply = await say_(chat, "afmeld parkering")
    assert reply.startswith("Samtalen følger ikke længere alle fora om «parkering»")
    assert following() == {Interest(COMMITTEE), Interest(topic="sygefravær")}
    reply = await say_(chat, "afmeld byrådet")
    assert reply.startswith("Samtalen følger ikke Kommunalbestyrelsen, så det er der intet")
    await say_(chat, "afmeld Teknik- og Miljøudvalget")
    assert following() == {Interest(topic="sygefravær")}
    # the last one ends the digest; `afmeld` alone ends it whatever it follows
    assert (await say_(chat, "afmeld sygefravær")).startswith("Det daglige overblik er stoppet")
    assert subscriptions.active() == []
    await say_(chat, "abonner")
    await say_(chat, "abonner KB")
    assert (await say_(chat, "afmeld")).startswith("Det daglige overblik er stoppet")
    assert subscriptions.active() == []


async def test_a_topic_is_checked_against_the_minutes_words(forums_chat, subscriptions):
    """A topic of no content word is refused with an example; one whose words the minutes
    never write is followed, and the reply says they do not yet."""
    reply = await say_(forums_chat, "abonner om det")
    assert reply.startswith("«det» siger ikke, hvilket emne") and subscriptions.active() == []
    reply = await say_(forums_chat, "abonner kvantecomputere")
    assert reply.startswith("Så er det på plads")
    assert reply.endswith("Referaterne nævner endnu ikke «kvantecomputere»: overblikket tager "
                          "det med, når et nyt referat gør.")
    reply = await say_(forums_chat, "abonner telefontider")
    assert "Samtalen følger nu: alle fora om «kvantecomputere»; alle fora om «telefontider»" \
        in reply and "nævner endnu ikke" not in reply

"""The bot in Microsoft's own local Teams client, the Microsoft 365 Agents Playground
(pinned in package-lock.json), driven in headless Chromium as a user drives it: started by
scripts/playground.sh, the real `serve` (auth off) over the indexed samples behind it.
What Teams' renderer shows (the AI label, the citation pop-up, the feedback form, the
compose-box search) and the invokes and proactive messages it sends and takes are its
own, not shapes we wrote; no "Unable to reach app" and no refused request anywhere.

What the Playground cannot show (auth, retries, replicas, streaming limits, the 15-second
turn, feedback tied to its answer: the Playground sends Teams' feedback without a
replyToId) stays with the fake connector's tests in tests/bot."""
from __future__ import annotations

import datetime as dt
import json
import time
import urllib.parse
import urllib.request

import pytest
from selenium.webdriver.common.by import By

from bot.jobs.subscriptions import Subscriptions
from bot.settings import Settings
from bot.stores import open_catalog
from fake_teams import TELEFON_QUESTION, TELEFON_SOURCE
from playground_page import AI_LABEL, BOT, CHANNEL, GROUP
from retrieval.phrasebook import HELP_EXAMPLES, say
from servers import listening, run_referatbot

#: a Node.js server, a `serve` and a browser: the playground tier, and the full tier
pytestmark = [pytest.mark.playground, pytest.mark.slow]

TELEFON_CITATION = "Chefforum 24.04.2024 · punkt 7: Rådhusets telefontider"
TELEFON_TITLE, TELEFON_CASE = "Rådhusets telefontider", "Sag 83.02.00-A00-1-23"
#: a question the minutes do not answer
ROCKETS = "hvad besluttede CF om rumraketter?"
#: A new referat for the digest, one punkt (in our own words), so the inbox indexes it fast.
NEW_REFERAT = """REFERAT Chefforum d. 05-06-2024

Mødedato Onsdag d. 5. juni 2024 kl. 09:00
Mødested 915

Punkt 1: CF - Cykelparkering ved personaleindgangen (15 min.)
00.01.00-A00-1-24

Anledning
Medarbejderne mangler overdækkede pladser til cykler ved personaleindgangen.

Beslutning
Chefforum besluttede at etablere tyve overdækkede cykelpladser ved personaleindgangen.
"""
#: how long the inbox may take to ingest and index a referat on a loaded machine
INBOX_DEADLINE = 300.0


def ask(stack, question: str) -> dict:
    """The bot's own answer JSON (/api/ask), to hold the page up against."""
    query = urllib.parse.urlencode({"q": question})
    with urllib.request.urlopen(f"{stack.bot}/api/ask?{query}", timeout=60) as response:
        return json.loads(response.read())


def referatbot(stack, *args: str) -> str:
    """What a `referatbot` command run beside the Playground prints (it must succeed)."""
    done = run_referatbot(stack.env, *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_question_gets_the_answer_with_its_ai_label_citation_and_whole_punkt(playground):
    before = playground.say(TELEFON_QUESTION)
    answer = playground.wait_for(before, "telefontid", TELEFON_SOURCE, say("show_punkt"))
    assert all(playground.ai_labelled(m) for m in answer)
    [text] = [m for m in answer if m.find_elements(By.CSS_SELECTOR, "a.fai-Citation")]
    assert TELEFON_CITATION in playground.citation(text, 1)

    [card] = [m for m in answer if say("show_punkt") in m.text]
    playground.button(card, say("show_punkt")).click()
    # an Action.Execute: the whole punkt replaces the card, no message is added
    playground.until(lambda _: all(w in card.text for w in (TELEFON_TITLE, "Beslutning",
                                                            TELEFON_CASE))
                     and say("sources") not in card.text, "the whole punkt in the card")
    assert len(playground.bot_messages()) == before + len(answer)
    playground.assert_reachable()


def test_thumbs_up_and_down_with_a_comment_are_stored(playground, stack):
    up, down = "Præcist svar (playground)", "Manglede bilaget (playground)"
    before = playground.say(TELEFON_QUESTION)
    first, second = playground.wait_for(before, "telefontid", TELEFON_SOURCE)[:2]
    playground.rate(first, "Like", up)
    playground.rate(second, "Dislike", down)
    stored = json.loads(referatbot(stack, "feedback", "--json"))["comments"]
    # the Playground sends no replyToId, so neither vote is tied to its question
    assert {(c["vote"], c["comment"], c["question"]) for c in stored} >= {
        ("up", up, ""), ("down", down, "")}
    playground.assert_reachable()


def test_a_refused_question_shows_the_nearest_punkter(playground, stack):
    expected = ask(stack, ROCKETS)
    assert not expected["answered"] and expected["suggestions"], expected
    before = playground.say(ROCKETS)
    [card] = [m for m in playground.wait_for(before, say("no_answer")) if say("maybe") in m.text]
    # each nearest punkt in full, its meeting and number too, a line to click
    nearest = [say("suggestion", title=s["title"], number=s["punkt"],
                   day=f"{dt.date.fromisoformat(s['meeting_date']):%d.%m.%Y}")
               for s in expected["suggestions"]]
    lines = [t for t in card.find_elements(By.CSS_SELECTOR, ".ac-textBlock") if t.text in nearest]
    assert [line.text for line in lines] == nearest
    lines[0].click()
    title = expected["suggestions"][0]["title"]
    playground.until(lambda _: title in card.text and say("no_answer") not in card.text,
                     "the nearest punkt in the card")
    playground.assert_reachable()


def test_help_and_its_examples(playground):
    before = playground.say("hjælp")
    [card] = playground.wait_for(before, say("how_to"), *HELP_EXAMPLES)
    before = len(playground.bot_messages())
    playground.button(card, "møde CF 24-04-2024").click()  # an Action.Submit: a message
    playground.wait_for(before, "Chefforum 24.04.2024", "Punkt 7: Rådhusets telefontider")
    playground.assert_reachable()


def test_a_group_chat_and_a_channel_with_a_mention(playground):
    playground.open(GROUP)
    playground.wait_for(0, say("greeting"))  # the bot greets where it is added
    before = playground.say(TELEFON_QUESTION, mention=True)
    answer = playground.wait_for(before, "telefontid", TELEFON_SOURCE)
    assert all(playground.ai_labelled(m) for m in answer)

    playground.open(CHANNEL)
    playground.post(say("greeting"))  # the bot greets the team in a post of its own
    playground.say(TELEFON_QUESTION, mention=True)  # a new post
    post = playground.post(f"{BOT} {TELEFON_QUESTION}")
    # the answer is a reply in the post's thread
    playground.until(lambda _: "telefontid" in post.text and TELEFON_SOURCE in post.text,
                     "the answer in the post's thread")
    labels = post.find_elements(By.CSS_SELECTOR, ".fai-AiGeneratedDisclaimer")
    assert labels and all(label.text == AI_LABEL for label in labels)
    playground.assert_reachable()


def test_subscribe_then_digest_send_reaches_the_playground(playground, stack):
    before = playground.say("abonner")
    playground.wait_for(before, say("subscribed", when="", what="")[:40])
    with open_catalog(Settings(data_dir=stack.data_dir)) as catalog:
        [subscription] = Subscriptions.over(catalog).active()
    # with auth off the digest goes where the conversation is: the Playground's connector
    assert subscription.service_url.rstrip("/") == stack.connector

    (stack.inbox / "chefforum-2024-06-05.txt").write_text(NEW_REFERAT, encoding="utf-8")
    deadline = time.monotonic() + INBOX_DEADLINE
    while not (taken := json.loads(referatbot(stack, "status", "--json"))["last_intake"]):
        assert time.monotonic() < deadline, f"the inbox took no referat in {INBOX_DEADLINE} s"
        time.sleep(0.5)
    assert taken["meetings_added"] == 1, taken
    before = len(playground.bot_messages())
    sent = [json.loads(line)
            for line in referatbot(stack, "digest", "--send", "--json").splitlines()]
    assert [(s["conversation_id"], s["status"]) for s in sent] == \
        [(subscription.conversation_id, "sent")]
    playground.wait_for(before, say("digest_title"), "Mødet 05.06.2024",
                        "Punkt 1: Cykelparkering ved personaleindgangen")
    playground.assert_reachable()


def test_the_compose_box_search_lists_punkter_and_inserts_one(playground):
    results = playground.search("telefontider")
    playground.until(lambda _: TELEFON_TITLE in results.text, "the search's results")
    results.find_element(By.XPATH, f".//*[normalize-space(text())='{TELEFON_TITLE}']").click()
    playground.until(lambda _: TELEFON_TITLE in playground.compose_text()
                     and TELEFON_CASE in playground.compose_text(),
                     "the punkt's card in the compose box")
    before = playground.send()
    # sent to the bot alone, the card is an empty message: the bot says what to write
    playground.wait_for(before, say("empty_chat"))
    searches = [r for r in playground.requests() if r.kind == "invoke"]
    assert searches and all(r.status == 200 for r in searches)
    playground.assert_reachable()


def test_ctrl_c_stops_the_bot_and_the_playground(stack):
    assert stack.stop() == 130  # the shell's status for an interrupt
    assert not listening(stack.bot_port) and not listening(stack.playground_port)
    log = stack.log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log, log

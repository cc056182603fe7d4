"""The local chat page in a real headless Chromium, against the app served on a real
localhost port: ask, read the answer, click through to the punkt, open a meeting."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiohttp import web
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from bot.app import create_app
from browser import ARTIFACTS, WAIT_SECONDS, chromium, failed, save_page
from fake_teams import TELEFON_QUESTION, TELEFON_SOURCE

#: a browser (Chromium): the full tier only
pytestmark = pytest.mark.slow


@pytest.fixture
async def served(bot_settings, embedder):
    """The app on 127.0.0.1 at a free port; yields its URL once it is ready."""
    runner = web.AppRunner(create_app(bot_settings, embedder=embedder))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    app = runner.app
    from bot.app_keys import engine_key
    for _ in range(WAIT_SECONDS * 10):
        if app[engine_key].ready:
            break
        await asyncio.sleep(0.1)
    assert app[engine_key].ready, app[engine_key].error
    yield f"http://127.0.0.1:{port}/"
    await runner.cleanup()


@pytest.fixture
def browser(request, tmp_path):
    """Chromium; the page as it was is saved under test-artifacts/chat-page/ if the test
    failed."""
    driver = chromium(tmp_path / "chromium-profile")
    yield driver
    if failed(request.node):
        save_page(driver, ARTIFACTS / "chat-page", request.node.name)
    driver.quit()


class Page:
    """The chat page as a reader sees it."""

    def __init__(self, driver):
        self.driver = driver

    def cards(self):
        return self.driver.find_elements(By.CSS_SELECTOR, ".msg.bot .card")

    def idle(self) -> bool:
        return self.driver.find_element(By.TAG_NAME, "body").get_attribute("data-busy") == "false"

    def wait_for_card(self, before: int, *words: str):
        """The first card after the first `before` cards, once it holds every one of `words`
        (a card replaced while it is read is read again)."""
        def arrived(_):
            cards = self.cards()
            if not self.idle() or len(cards) <= before:
                return None
            return cards[before] if all(w in cards[before].text for w in words) else None
        return WebDriverWait(self.driver, WAIT_SECONDS,
                             ignored_exceptions=(StaleElementReferenceException,)).until(
            arrived, f"no card with {words} after card {before}")

    def wait_for_text(self, words: str):
        """A bot message (not a card) holding `words`."""
        def arrived(_):
            return self.idle() and any(words in m.text for m in self.driver.find_elements(
                By.CSS_SELECTOR, ".msg.bot .reply > .text"))
        return WebDriverWait(self.driver, WAIT_SECONDS).until(arrived, f"no message with {words}")

    def requests(self) -> int:
        """POSTs the page has made to /api/chat so far."""
        return self.driver.execute_script(
            "return performance.getEntriesByType('resource')"
            ".filter(e => new URL(e.name).pathname === '/api/chat').length")

    def say(self, text: str):
        before = len(self.cards())
        box = self.driver.find_element(By.ID, "text")
        box.clear()
        box.send_keys(text, Keys.ENTER)
        return before


async def test_chat_page_in_chromium(served, browser, tmp_path):
    shots = await asyncio.to_thread(_scenario, browser, served, tmp_path)
    for shot in shots:
        print(f"screenshot: {shot}")
        assert shot.stat().st_size > 10_000


def _scenario(driver, url: str, out: Path) -> list[Path]:
    page = Page(driver)
    driver.get(url)
    assert driver.title == "Referatbot – lokal chat"
    page.wait_for_card(0, "Sådan bruger du mig", "møde [FORUM] DATO")

    # a question: the decision as the message's text, its source numbered as in Teams
    at = page.say(TELEFON_QUESTION)
    answer = page.wait_for_card(at, "Kilder", "[1]", "24.04.2024", "punkt 7")
    assert TELEFON_SOURCE in answer.text
    text = answer.find_element(By.XPATH, "./preceding-sibling::div[contains(@class, 'text')]")
    assert "telefontid" in text.text and text.text.endswith("[1]")
    marker = text.find_element(By.CSS_SELECTOR, "sup > button.cite")
    assert marker.text == "[1]"
    assert marker.get_attribute("title").startswith(
        "Chefforum 24.04.2024 · punkt 7: Rådhusets telefontider – ")
    user_bubbles = driver.find_elements(By.CSS_SELECTOR, ".msg.user")
    assert user_bubbles[-1].text == TELEFON_QUESTION
    first_shot = out / "chat-answer.png"
    driver.save_screenshot(str(first_shot))

    # "Vis hele punktet" is an Action.Execute: the whole punkt replaces the answer, as in
    # Teams, with one request and no message of the user's
    requests, bubbles = page.requests(), len(user_bubbles)
    answer.find_element(By.XPATH, ".//button[normalize-space()='Vis hele punktet']").click()
    punkt = page.wait_for_card(at, "Rådhusets telefontider", "Beslutning", "Sag 83.02.00-A00-1-23")
    assert "Chefforum 24.04.2024 · punkt 7" in punkt.text and "Kilder" not in punkt.text
    assert len(page.cards()) == at + 1 and page.requests() == requests + 1
    assert len(driver.find_elements(By.CSS_SELECTOR, ".msg.user")) == bubbles
    punkt_shot = out / "chat-punkt.png"
    driver.execute_script("arguments[0].scrollIntoView(true);", punkt)
    driver.save_screenshot(str(punkt_shot))

    # reading on, punkt by punkt, then the whole meeting, all in the same card
    punkt.find_element(By.XPATH, ".//button[normalize-space()='Punkt 8 ›']").click()
    punkt = page.wait_for_card(at, "Oprettelse af intern genbrugsbørs", "‹ Punkt 7")
    punkt.find_element(By.XPATH, ".//button[normalize-space()='Vis hele mødet']").click()
    meeting = page.wait_for_card(at, "Chefforum 24.04.2024", "Punkt 7: Rådhusets telefontider")
    assert meeting.text.count("Punkt ") >= 10
    # a punkt of the meeting card is clickable, and opens in place too
    requests = page.requests()
    meeting.find_element(By.XPATH, ".//*[text()='Punkt 6: Orientering om sygefravær 1. kv. "
                                   "2024']").click()
    page.wait_for_card(at, "Orientering om sygefravær 1. kv. 2024", "Beslutning")
    assert len(page.cards()) == at + 1 and page.requests() == requests + 1

    # the page has no Teams feedback loop: the card's own 👍/👎 stay, and are thanked
    at = page.say(TELEFON_QUESTION)
    answer = page.wait_for_card(at, "Kilder", "punkt 7")
    marker = answer.find_element(By.XPATH, "./preceding-sibling::div[contains(@class, 'text')]"
                                 ).find_element(By.CSS_SELECTOR, "sup > button.cite")
    answer.find_element(By.XPATH, ".//button[normalize-space()='👎 Ikke brugbart']").click()
    page.wait_for_text("Tak for din feedback")

    # the source line of an answer is clickable too, and one click is one request
    requests = page.requests()
    source = answer.find_element(By.XPATH, f".//*[text()='{TELEFON_SOURCE}']")
    assert source.find_elements(By.XPATH, "./ancestor::div[contains(@class, 'clickable')]")
    source.click()
    page.wait_for_card(at, "Rådhusets telefontider", "Beslutning")
    assert len(page.cards()) == at + 1 and page.requests() == requests + 1

    # the marker, in the message's text and not in the card replaced, opens the whole
    # punkt as a new message, as Teams' citation opens it in a window
    before = len(page.cards())
    marker.click()
    page.wait_for_card(before, "Rådhusets telefontider", "Beslutning")

    # a meeting, by command: a new message
    before = page.say("møde 24-04-2024")
    meeting = page.wait_for_card(before, "Chefforum 24.04.2024", "Punkt 7: Rådhusets telefontider")
    assert meeting.text.count("Punkt ") >= 10
    second_shot = out / "chat-meeting.png"
    driver.execute_script("arguments[0].scrollIntoView(true);", meeting)
    driver.save_screenshot(str(second_shot))

    # an Action.Submit (the help card's examples) still sends a message
    help_card = page.cards()[0]
    before = len(page.cards())
    help_card.find_element(By.XPATH, ".//button[normalize-space()='seneste']").click()
    page.wait_for_card(before, "Chefforum 24.04.2024")
    assert driver.find_elements(By.CSS_SELECTOR, ".msg.user")[-1].text == "seneste"
    assert "Sådan bruger du mig" in page.cards()[0].text  # the help card stays

    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    return [first_shot, punkt_shot, second_shot]

"""The Microsoft 365 Agents Playground's page (0.2.28) as a user sees it: its conversations
(the personal chat, a group chat, a team's channel), the compose box, the bot's messages
with Teams' AI label, citations and 👍/👎, the compose-box search, and its log panel of
every request between it and the bot.

The selectors are the page's own labels (aria-label, placeholder) and Fluent UI's named
classes (fai-*, fui-*), checked against the pinned version.

The Playground splits a message holding text and a card into two messages, one under the
other, each with the AI label and 👍/👎; `wait_for` returns all the messages that came."""
from __future__ import annotations

import re
from dataclasses import dataclass

from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from browser import WAIT_SECONDS

#: The name the Playground's default configuration gives the bot.
BOT = "Test Bot"
PERSONAL, GROUP, CHANNEL = "Personal Chat", "Group Chat", "My Team - General"
#: What the Playground shows where the bot refused or failed a request.
UNREACHABLE = "Unable to reach app"
AI_LABEL = "AI generated"
BOT_MESSAGES = (f"//div[@aria-label='Message header'][.//*[@aria-label='Message author']"
                f"[normalize-space()='{BOT}']]/..")
COMPOSE_BOX = "div[data-lexical-editor]"
#: A request in the log panel: who sent it to whom, its type and the HTTP status it got.
LOG_LINE = re.compile(r"(Microsoft 365 Agents Playground|User Application) -> "
                      r"(User Application|Microsoft 365 Agents Playground) (\S+) (\d{3})\b")


@dataclass(frozen=True)
class Request:
    sender: str
    kind: str
    status: int


class Playground:
    def __init__(self, driver, url: str):
        self.driver = driver
        self.url = url

    # --- waiting ---------------------------------------------------------------------------

    def until(self, condition, what: str):
        """`condition(driver)` once it is truthy (an element read as it is replaced is read
        again); fails at once if the page says the bot could not be reached, else after
        WAIT_SECONDS, naming `what`."""
        def check(driver):
            value = condition(driver)
            if not value:
                self.assert_reachable(f"waiting for {what}")
            return value
        return WebDriverWait(self.driver, WAIT_SECONDS, ignored_exceptions=(
            StaleElementReferenceException,)).until(check, f"{what} did not come")

    def load(self) -> None:
        """The page afresh: new conversations, connected to the bot."""
        self.driver.get(self.url)
        self.until(lambda d: "Connected." in self.log_text()
                   and d.find_elements(By.CSS_SELECTOR, COMPOSE_BOX), "the Playground's page")

    # --- conversations ---------------------------------------------------------------------

    def open(self, conversation: str) -> None:
        self.driver.find_element(By.CSS_SELECTOR,
                                 f"button[role=treeitem][aria-label='{conversation}']").click()
        self.until(lambda d: d.find_elements(By.CSS_SELECTOR, COMPOSE_BOX), conversation)

    def say(self, text: str, *, mention: bool = False) -> int:
        """Write `text` in the conversation's compose box (the first: a channel's new
        post), after an @mention of the bot when `mention`, and send it; the number of the
        bot's messages before it."""
        before = len(self.bot_messages())
        box = self.driver.find_element(By.CSS_SELECTOR, COMPOSE_BOX)
        box.click()
        if mention:
            box.send_keys("@")
            self.until(lambda d: [m for m in d.find_elements(By.CSS_SELECTOR, "[role=menuitem]")
                                  if m.text.strip() == BOT], "the @mention's list")[0].click()
            text = f" {text}"
        box.send_keys(text, Keys.ENTER)
        return before

    def bot_messages(self) -> list[WebElement]:
        return self.driver.find_elements(By.XPATH, BOT_MESSAGES)

    def wait_for(self, before: int, *words: str) -> list[WebElement]:
        """The bot's messages after the first `before`, once they hold every one of `words`."""
        def arrived(_):
            new = self.bot_messages()[before:]
            return new if new and all(w in "\n".join(m.text for m in new) for w in words) else None
        return self.until(arrived, f"a message with {words}")

    def post(self, text: str) -> WebElement:
        """The first of a channel's posts (with their replies) that shows `text`."""
        return self.until(lambda d: [p for p in d.find_elements(By.CSS_SELECTOR, "div[role=group]")
                                     if text in p.text], f"the post {text!r}")[0]

    # --- what a message offers -------------------------------------------------------------

    @staticmethod
    def ai_labelled(message: WebElement) -> bool:
        return [e.text for e in message.find_elements(
            By.CSS_SELECTOR, ".fai-AiGeneratedDisclaimer")] == [AI_LABEL]

    def citation(self, message: WebElement, number: int) -> str:
        """The pop-up of the citation marker `number` in `message`, clicked: its text."""
        marker = [m for m in message.find_elements(By.CSS_SELECTOR, "a.fai-Citation")
                  if m.text == str(number)][0]
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", marker)

        def opened(d):  # a click can land while the pop-up is still closing
            if marker.get_attribute("aria-expanded") != "true":
                ActionChains(d).move_to_element(marker).click().perform()
            return [p.text for p in d.find_elements(By.CSS_SELECTOR, ".fai-PreviewSurface")
                    if p.is_displayed() and p.text]
        [popup] = self.until(opened, f"the pop-up of [{number}]")
        ActionChains(self.driver).send_keys(Keys.ESCAPE).perform()
        return popup

    def button(self, within: WebElement, title: str) -> WebElement:
        return within.find_element(By.XPATH, f".//button[normalize-space()='{title}']")

    def rate(self, message: WebElement, reaction: str, comment: str) -> None:
        """Teams' 👍 (`Like`) or 👎 (`Dislike`) on `message`, with `comment` written in its
        feedback form, sent and thanked for."""
        message.find_element(By.CSS_SELECTOR, f"button[aria-label='{reaction}']").click()
        form = self.until(lambda d: d.find_element(By.CSS_SELECTOR, "[role=dialog] textarea"),
                          "the feedback form")
        form.send_keys(comment)
        self.button(self.driver.find_element(By.CSS_SELECTOR, "[role=dialog]"), "Submit").click()
        thanks = self.until(lambda d: [f for f in d.find_elements(By.CSS_SELECTOR, "[role=dialog]")
                                       if "Thank you!" in f.text], "the thanks for feedback")[0]
        self.button(thanks, "Close").click()
        self.until(lambda d: not d.find_elements(By.CSS_SELECTOR, "[role=dialog]"),
                   "the feedback form closing")

    # --- the compose box's search ------------------------------------------------------------

    def search(self, words: str) -> WebElement:
        """The search-based message extension, opened from the compose box, `words` typed:
        its panel once it lists results."""
        self.driver.find_element(By.CSS_SELECTOR,
                                 "button[aria-label='Trigger Message Extension App']").click()
        self.until(lambda d: [m for m in d.find_elements(By.CSS_SELECTOR, "[role=menuitem]")
                              if m.text.strip() == "Search Command"],
                   "the search command")[0].click()
        field = self.until(lambda d: d.find_element(
            By.CSS_SELECTOR, "input[placeholder='Enter a search term']"), "the search field")
        field.send_keys(words)
        return field.find_element(By.XPATH, "./ancestor::div[.//*[normalize-space(text())="
                                            "'Search-Based Message Extension']][1]")

    def compose_text(self) -> str:
        return self.driver.find_element(By.CSS_SELECTOR, COMPOSE_BOX).text

    def send(self) -> int:
        """Send what the compose box holds; the number of the bot's messages before it."""
        before = len(self.bot_messages())
        self.driver.find_element(By.CSS_SELECTOR, "button[aria-label='Send Message']").click()
        return before

    # --- the log panel -------------------------------------------------------------------------

    def log_text(self) -> str:
        try:
            panels = self.driver.find_elements(
                By.XPATH, "//div[@contenteditable='true'][not(@data-lexical-editor)]")
            return "\n".join(p.text for p in panels)
        except WebDriverException:  # the page is still loading
            return ""

    def requests(self) -> list[Request]:
        """Every request in the log panel, in order."""
        return [Request(sender, kind, int(status))
                for sender, _, kind, status in LOG_LINE.findall(self.log_text())]

    def assert_reachable(self, when: str = "at the end") -> None:
        """Nothing the user saw says the bot could not be reached, and no request between
        the Playground and the bot was refused or failed."""
        shown = UNREACHABLE in self.driver.find_element(By.TAG_NAME, "body").text
        refused = [r for r in self.requests() if r.status >= 400]
        assert not shown and not refused, \
            f"{when}: the page {'shows' if shown else 'does not show'} {UNREACHABLE!r}; " \
            f"refused: {refused}"

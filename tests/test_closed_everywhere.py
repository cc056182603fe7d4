"""The safety property end to end: a closed punkt's content is kept nowhere and shown
nowhere. Referater with a closed punkt in every form (closed_forms.FORMS) and every format
(.txt .md .docx .pdf .html), each its own meeting whose closed punkt carries invented words
(a marker in its body, a subject in its title), are ingested by the real pipeline into one
data dir (catalog, embedded Chroma, the real model), with a digest subscription taken
before. Then none of those words is in any file under the data dir (read as bytes), in
`show --json`, `meetings --json` or the digest, nor in any answer, citation or suggestion
(/api/ask, `referatbot ask --json`) or compose-box result for questions made of those very
words and of its number and date.
"""
from __future__ import annotations

import datetime as dt
import itertools
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from click.testing import CliRunner

from bot.app import create_app
from bot.cli import main
from bot.jobs.subscriptions import Subscriptions
from bot.settings import Settings
from bot.stores import open_catalog, open_index
from closed_forms import FORMATS, FORMS, Form, referat
from ingest.pipeline import ingest_paths
from layout_files import write_format
from servers import wait_ready

FIRST_DAY = dt.date(2015, 1, 6)
#: Syllables of the invented words: a case's marker and subject are two of them joined, so
#: each case has its own, and no word of the open punkter or of Danish contains one.
FRONT = ["Vrimle", "Pjalte", "Skorpe", "Hvalde", "Grumse", "Fnugle", "Klatre", "Snirke",
         "Trolle", "Bjalke"]
BACK = ["kvist", "brunk", "sjalm", "drotn", "flimp", "gnavr", "plusk", "trumf", "vlask",
        "zorkb"]
COMPOSE = {"commandId": "searchPunkter", "queryOptions": {"skip": 0, "count": 25}}


@dataclass(frozen=True)
class Case:
    form: Form
    suffix: str
    day: dt.date
    marker: str
    subject: str

    @property
    def name(self) -> str:
        return f"{self.form.name}{self.suffix}"

    @property
    def secrets(self) -> list[str]:
        """What of the closed punkt must never be kept: the marker, and the subject where
        the form's heading names it."""
        return [self.marker] + ([self.subject] if "{title}" in self.form.heading else [])

    @property
    def questions(self) -> list[str]:
        """Its marker, its subject, and its number and date."""
        return [f"hvad blev besluttet om {self.marker}?",
                f"køb af ejendom ved {self.subject}", f"punkt 5 den {self.day:%d-%m-%Y}"]


#: Every form as .txt, and these forms in every format (each PDF or Word file costs a
#: fraction of a second to write; the parser's own tests take every form in every format).
IN_EVERY_FORMAT = ("lukket-kolon-titel", "fed-html", "indholdsfortegnelse")
CASES = [Case(form, suffix, FIRST_DAY + dt.timedelta(days=7 * i),
              FRONT[i % 10] + BACK[i // 10], BACK[i % 10].capitalize() + FRONT[i // 10].lower())
         for i, (form, suffix) in enumerate(
             (form, suffix) for form in FORMS for suffix in FORMATS
             if suffix == ".txt" or form.name in IN_EVERY_FORMAT)]


def leaks(text: str, case: Case, asked: str = "") -> list[str]:
    """The case's secrets in `text`, but for those the question `asked` holds itself: a
    reply may repeat the asker's own words ("nothing matches »…«")."""
    return [s for s in case.secrets
            if s.casefold() in text.casefold() and s.casefold() not in asked.casefold()]


@dataclass
class Corpus:
    settings: Settings
    statuses: dict[str, str]  # file name -> ingest status
    files: dict[str, bytes]  # every file under the data dir, by its path in it


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, embedder) -> Corpus:
    inbox = tmp_path_factory.mktemp("closed-inbox")
    for number, case in enumerate(CASES):
        text = referat(case.form, day=case.day, marker=case.marker, title=case.subject)
        write_format(text, inbox / f"{number:03d}-{case.name}")
    settings = Settings(data_dir=tmp_path_factory.mktemp("closed-everywhere") / "data")
    with open_catalog(settings) as catalog:
        Subscriptions.over(catalog).subscribe(
            {"conversation": {"id": "c-digest", "tenantId": "tenant-1"},
             "serviceUrl": "http://127.0.0.1:9/", "channelId": "msteams", "bot": {"id": "bot"},
             "user": {"id": "u1"}}, tenant_id="tenant-1", service_url="http://127.0.0.1:9/",
            subscribed_by="Marie")
        report = ingest_paths([inbox], catalog, progress=False)
        open_index(settings, catalog, embedder=embedder).sync(progress=False)
    files = {str(p.relative_to(settings.data_dir)): p.read_bytes()
             for p in sorted(settings.data_dir.rglob("*")) if p.is_file()}
    return Corpus(settings, {Path(r.path).name.split("-", 1)[1]: r.status for r in report.results},
                  files)


def cli(corpus: Corpus, *args: str, input: str | None = None) -> str:
    result = CliRunner().invoke(main, ["--data-dir", str(corpus.settings.data_dir), *args],
                                input=input, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_referat_is_ingested_with_its_punkt_5_closed(corpus, case):
    assert corpus.statuses[case.name] == "new"
    meeting = json.loads(cli(corpus, "show", case.day.isoformat(), "--json"))
    assert [item["punkt"] for item in meeting["items"]] == [4, 5, 6]
    assert meeting["items"][1] == {"punkt": 5, "title": "Lukket", "closed": True}
    assert leaks(json.dumps(meeting, ensure_ascii=False), case) == []


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_no_file_of_the_data_dir_holds_the_closed_punkts_words(corpus, case):
    assert len(corpus.files) > 2  # the catalog and Chroma's files
    for secret in case.secrets:
        for needle in {secret, secret.lower(), secret.upper()}:
            found = [path for path, data in corpus.files.items() if needle.encode() in data]
            assert found == [], (secret, found)


def test_meetings_and_the_digest_hold_none_of_them(corpus):
    listed = cli(corpus, "meetings", "--json")
    digest = cli(corpus, "digest", "--dry-run", "--json")
    decisions = [d for sub in map(json.loads, digest.splitlines()) for d in sub["decisions"]]
    assert {(d["meeting_date"], d["punkt"]) for d in decisions} == {
        (c.day.isoformat(), n) for c in CASES for n in (4, 6)}
    for case in CASES:
        assert leaks(listed, case) == [] and leaks(digest, case) == [], case.name


def assert_never_shown(payload: dict, case: Case) -> None:
    """Nothing of the closed punkt in an answer: its citations, suggestions and meeting
    strictly, its sentence but for the asker's own words."""
    question = payload["question"]
    found = {k: v for k, v in payload.items() if k not in ("question", "answer")}
    assert leaks(json.dumps(found, ensure_ascii=False), case) == [], question
    assert leaks(payload["answer"], case, asked=question) == [], question
    for cited in payload["citations"] + payload["suggestions"]:
        assert (cited["meeting_date"], cited["punkt"]) != (case.day.isoformat(), 5)
    if payload["meeting"] and payload["meeting"]["meeting_date"] == case.day.isoformat():
        assert 5 not in [item["punkt"] for item in payload["meeting"]["items"]]


@pytest.fixture(scope="module")
async def client(corpus, embedder):
    """The real app over the data dir, auth off."""
    app = TestClient(TestServer(create_app(corpus.settings, embedder=embedder,
                                           stream_after=float("inf"))))
    await app.start_server()
    await wait_ready(app)
    yield app
    await app.close()


_ids = itertools.count()


async def compose_search(client, words: str | None) -> dict:
    """The compose box's search for `words` (None: as it opens, the latest decisions), as
    Teams invokes it; answered in the HTTP response."""
    parameter = ({"name": "initialRun", "value": "true"} if words is None
                 else {"name": "q", "value": words})
    body = {"type": "invoke", "name": "composeExtension/query", "id": f"compose-{next(_ids)}",
            "value": {**COMPOSE, "parameters": [parameter]},
            "serviceUrl": "http://127.0.0.1:9/", "channelId": "msteams",
            "from": {"id": "29:user-marie"}, "recipient": {"id": "28:referatbot"},
            "conversation": {"id": "a:compose", "conversationType": "personal",
                             "tenantId": "tenant-1"},
            "channelData": {"tenant": {"id": "tenant-1"}}}
    response = await client.post("/api/messages", json=body)
    assert response.status == 200
    return await response.json()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
async def test_the_api_and_the_compose_box_never_show_it(client, case):
    for question in case.questions:
        response = await client.get("/api/ask", params={"q": question})
        assert response.status == 200
        assert_never_shown(await response.json(), case)
        found = (await compose_search(client, question))["composeExtension"]
        if found["type"] == "message":  # nothing matched: a sentence that repeats the words
            assert leaks(found["text"], case, asked=question) == [], question
        else:
            results = json.dumps(found, ensure_ascii=False)
            assert leaks(results, case) == [], question
            assert f"{case.day:%d.%m.%Y} · punkt 5" not in results, question


async def test_the_compose_box_opens_on_no_closed_punkt(client):
    found = json.dumps(await compose_search(client, None), ensure_ascii=False)
    assert " · punkt 4" in found  # the latest decisions are listed
    assert [c.name for c in CASES if leaks(found, c)] == []
    assert " · punkt 5" not in found


@pytest.mark.slow  # the command loads the embedding model anew
def test_referatbot_ask_json_never_shows_it(corpus):
    questions = [q for case in CASES for q in case.questions]
    lines = cli(corpus, "ask", "--json", "-", input="\n".join(questions) + "\n").splitlines()
    assert len(lines) == len(questions)
    payloads = iter(map(json.loads, lines))
    for case in CASES:
        for question in case.questions:
            payload = next(payloads)
            assert payload["question"] == question
            assert_never_shown(payload, case)

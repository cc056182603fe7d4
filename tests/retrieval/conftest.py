"""Fixtures for the retrieval tests: the five sample referater ingested once per session
into a temporary data dir (real catalog, real Chroma, the real bundled model), and an
Answerer over them. Loading the model and indexing take half a minute, so every test in
this folder shares them; the tests only read from them."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from bot.resources import open_catalog, open_index
from bot.settings import Settings
from ingest.catalog import Catalog
from ingest.model import Punkt
from ingest.pipeline import ingest_paths
from retrieval.answer import Answerer
from retrieval.index import SearchIndex
from retrieval.model import Answer



@dataclass
class SampleCorpus:
    settings: Settings
    catalog: Catalog
    index: SearchIndex
    answerer: Answerer
    _answers: dict[str, Answer]

    def ask(self, question: str) -> Answer:
        """The Answerer's answer, kept per question text (answers are deterministic)."""
        if question not in self._answers:
            self._answers[question] = self.answerer.ask(question)
        return self._answers[question]

    def punkt(self, day: str | dt.date, number: int) -> Punkt:
        day = dt.date.fromisoformat(day) if isinstance(day, str) else day
        meeting = self.catalog.meeting(day)
        assert meeting is not None, day
        found = meeting.punkt(number)
        assert found is not None, (day, number)
        return found


@pytest.fixture(scope="session")
def corpus(tmp_path_factory, samples_dir, embedder) -> SampleCorpus:
    """data/samples ingested into a session data dir, indexed, with an Answerer."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("retrieval") / "data")
    with open_catalog(settings) as catalog:
        report = ingest_paths([samples_dir], catalog, progress=False)
        assert report.ok and report.counts() == {"new": 5}, report.summary()
        index = open_index(settings, catalog, embedder=embedder)
        index.sync(progress=False)
        yield SampleCorpus(settings, catalog, index, Answerer(index), {})


@pytest.fixture(scope="session")
def ask(corpus):
    """ask("question") -> Answer over the sample corpus."""
    return corpus.ask

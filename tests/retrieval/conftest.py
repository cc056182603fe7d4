"""Fixtures for the retrieval tests: the session's indexed samples (tests/conftest.py's
`indexed_samples`: real catalog, real Chroma, the real bundled model), opened once with
an Answerer over them, and a catalog of three forums (the samples and tests/forum_files.py's
committee and council). Every test in this folder shares them and only reads them."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pytest

from bot.settings import Settings
from bot.stores import open_catalog, open_index
from forum_files import forum_files
from ingest.catalog import Catalog
from ingest.model import Punkt
from ingest.pipeline import ingest_paths
from retrieval.answer import Answerer
from retrieval.index import SearchIndex
from retrieval.model import Answer
from retrieval.query import understand
from retrieval.search import resolve
from retrieval.snippet import Snippet, best_snippet, weigh
from retrieval.tuning import TUNING


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
def corpus(indexed_samples, embedder) -> SampleCorpus:
    """The indexed samples' catalog and index, with an Answerer."""
    settings = Settings(data_dir=indexed_samples)
    with open_catalog(settings) as catalog:
        index = open_index(settings, catalog, embedder=embedder)
        assert index.sync(progress=False) == 0  # indexed already: nothing written
        yield SampleCorpus(settings, catalog, index, Answerer(index), {})


#: the deployment's aliases in the three forums' settings
FORUM_ALIASES = (("byrådet", "Kommunalbestyrelsen"),)


@pytest.fixture(scope="session")
def three_forums(tmp_path_factory, samples_dir, embedder) -> SampleCorpus:
    """The samples and the two forums' minutes, indexed, with an Answerer; the council
    has the alias `byrådet`."""
    root = tmp_path_factory.mktemp("forums")
    settings = Settings(data_dir=root / "data", forum_aliases=FORUM_ALIASES)
    with open_catalog(settings) as catalog:
        report = ingest_paths([samples_dir, *forum_files(root)], catalog, progress=False)
        assert report.ok and report.counts() == {"new": 8}, report.summary()
        index = open_index(settings, catalog, embedder=embedder)
        index.sync(progress=False)
        yield SampleCorpus(settings, catalog, index, Answerer(index), {})


@pytest.fixture(scope="session")
def ask(corpus):
    """ask("question") -> Answer over the sample corpus."""
    return corpus.ask


@pytest.fixture(scope="session")
def snippet(corpus):
    """snippet(punkt, question, decision=..., max_chars=...) -> the punkt's quote for the
    question, its sentences weighed on their words alone (no sentence vectors)."""
    def quote(punkt: Punkt, question: str, *, decision: bool,
              max_chars: int = TUNING.max_chars) -> Snippet:
        query = understand(question)
        concepts = resolve(query, corpus.index.lexical)
        evidence = weigh(punkt, concepts, answer_type=query.answer_type, asked=frozenset(),
                         similarity={})
        return best_snippet(punkt, concepts, evidence, decision=decision,
                            answer_type=query.answer_type,
                            tuning=replace(TUNING, max_chars=max_chars))
    return quote

"""Question -> Answer, in four stages, each a function of the one before's frozen output:

    understand(question) -> Query         retrieval/query.py: dates, intent, answer type, concepts
    retrieve(query, index) -> Candidates   retrieval/retrieve.py: the meeting, or the ranked
                                           punkter with their sentences weighed
    decide(candidates) -> Verdict          retrieval/verdict.py: answer, unsure or none, why,
                                           and the evidence weighed (a fitted verdict)
    quote(verdict) -> Answer               retrieval/quote.py: the minutes' own words, led by
                                           what was asked and where

Every weight and threshold is in one `Tuning` (retrieval/tuning.py). `referatbot eval FILE
--explain ID` prints what each stage made of a question.
"""
from __future__ import annotations

from dataclasses import dataclass

from retrieval.index import SearchIndex
from retrieval.model import Answer
from retrieval.query import Query, understand
from retrieval.quote import quote
from retrieval.retrieve import Candidates, retrieve
from retrieval.search import Searcher
from retrieval.specificity import warm
from retrieval.tuning import TUNING, Tuning
from retrieval.verdict import Verdict, decide

@dataclass(frozen=True)
class Walk:
    """Each stage's output for one question."""

    query: Query
    candidates: Candidates
    verdict: Verdict
    answer: Answer


class Answerer:
    def __init__(self, index: SearchIndex, *, searcher: Searcher | None = None,
                 tuning: Tuning = TUNING):
        self.index = index
        self.tuning = tuning
        self.searcher = searcher or Searcher(index, tuning=tuning)
        warm()

    @classmethod
    def lexical(cls, index: SearchIndex, *, tuning: Tuning = TUNING) -> "Answerer":
        """An answerer on the lexical side alone, which never touches the embedding model
        (for a server whose model is still loading or cannot load); `index` needs only
        its lexical side loaded (`SearchIndex.load_lexical`)."""
        return cls(index, searcher=Searcher(index, dense_weight=0.0, tuning=tuning),
                   tuning=tuning)

    def ask(self, question: str) -> Answer:
        return self.walk(question).answer

    def walk(self, question: str) -> Walk:
        query = understand(question, self.index.forum_names())
        candidates = retrieve(query, self.index, self.searcher)
        verdict = decide(candidates, self.tuning)
        return Walk(query, candidates, verdict, quote(verdict, self.tuning))

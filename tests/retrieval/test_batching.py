"""Questions asked at the same time are embedded in one run (retrieval/batching.py): each
asker gets its own question's vector, the same as asked alone, and an error reaches every
asker of its run without stopping the runs after it."""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from bot.settings import Settings
from retrieval.batching import Batcher
from retrieval.embed import E5, ONNX_FP32, Embedder

QUESTIONS = ["hvad besluttede CF om telefontider?", "hvornår blev budgettet vedtaget?",
             "what did they decide about parking?", "status på klimahandleplanen",
             "hvem er sikkerhedskoordinator?", "hvor mange årsværk spares?"]


class Held:
    """An encode whose first run waits until `release` is set, so that the other askers
    are known to queue behind it; it records the texts of each run."""

    def __init__(self, fail: bool = False):
        self.runs: list[list[str]] = []
        self.release = threading.Event()
        self.fail = fail

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.runs.append(list(texts))
        if len(self.runs) == 1:
            self.release.wait(10)
        elif self.fail:
            raise ValueError("the model failed")
        return np.array([[float(len(t)), float(i)] for i, t in enumerate(texts)])


def _ask_all(batcher: Batcher, encode: Held, texts: list[str]) -> dict[str, object]:
    """Each text asked from a thread of its own, the first alone in its run until all the
    others wait; what each asker got (a vector or an error)."""
    got: dict[str, object] = {}

    def ask(text: str) -> None:
        try:
            got[text] = batcher.encode(text, encode)
        except ValueError as e:
            got[text] = e

    first = threading.Thread(target=ask, args=(texts[0],))
    first.start()
    while not encode.runs:
        time.sleep(0.001)
    rest = [threading.Thread(target=ask, args=(t,)) for t in texts[1:]]
    for t in rest:
        t.start()
    while len(batcher._waiting) < len(rest):
        time.sleep(0.001)
    encode.release.set()
    for t in [first, *rest]:
        t.join(10)
    return got


def test_askers_waiting_on_a_run_share_the_next_and_each_gets_its_own_row():
    batcher, encode = Batcher(), Held()
    got = _ask_all(batcher, encode, QUESTIONS)
    assert [len(run) for run in encode.runs] == [1, len(QUESTIONS) - 1]
    assert sorted(encode.runs[1]) == sorted(QUESTIONS[1:])
    for text in QUESTIONS:  # its own row: the length of its own text
        assert got[text][0] == len(text)


def test_an_error_reaches_every_asker_of_its_run_and_the_next_run_goes_ahead():
    batcher, encode = Batcher(), Held(fail=True)
    got = _ask_all(batcher, encode, QUESTIONS)
    assert got[QUESTIONS[0]][0] == len(QUESTIONS[0])  # its run succeeded
    assert all(isinstance(got[t], ValueError) for t in QUESTIONS[1:])
    encode.fail = False
    assert batcher.encode("igen", encode)[0] == len("igen")  # not left waiting


@pytest.fixture(scope="module")
def fresh_embedder() -> Embedder:
    """Not the session's embedder, whose question vectors are kept: these must be made."""
    return Embedder(E5, backend=ONNX_FP32, threads=1,
                    model_cache=Settings.from_env().model_cache).load()


def test_questions_asked_at_once_get_the_vectors_they_get_alone(fresh_embedder):
    alone = {q: fresh_embedder.query(q) for q in QUESTIONS}
    fresh_embedder.forget_queries()
    start = threading.Barrier(len(QUESTIONS))
    together: dict[str, np.ndarray] = {}

    def ask(q: str) -> None:
        start.wait()
        together[q] = fresh_embedder.query(q)

    threads = [threading.Thread(target=ask, args=(q,)) for q in QUESTIONS]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for q in QUESTIONS:
        assert float(alone[q] @ together[q]) > 0.9999, q

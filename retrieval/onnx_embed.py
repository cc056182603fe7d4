"""Sentence vectors from retrieval/onnx_build.py's export with onnxruntime, tokenized by the
`tokenizers` library: neither torch nor transformers is imported, which spares `serve`
400 MB and runs 3-5 times faster than torch on the same weights.

It computes what sentence-transformers does with the model folder: the same tokenizer
(truncated at its max_seq_length), mean pooling, L2 normalisation. Texts are run in
batches of similar length, so little of a batch is padding. Texts of the common scripts
are tokenized by the export's smaller tokenizer of their pieces (180 MB less), any other
by the full one, loaded the first time one comes.
"""
from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
from tqdm import tqdm

from retrieval.onnx_build import (COMMON_IDS, COMMON_TOKENIZER, FILES, SETTINGS, TOKENIZER,
                                  WORDS, common)


class OnnxEncoder:
    """One onnxruntime session over the export in `folder`, at `precision` (fp32 or int8).
    Safe to share between threads: onnxruntime runs concurrent calls of one session."""

    def __init__(self, folder: Path, precision: str, *, threads: int = 0):
        import onnxruntime

        settings = json.loads((folder / SETTINGS).read_text())
        self.folder = folder
        self.pad_id = settings["pad_id"]
        self.dimension = settings["dimension"]
        self.max_tokens = settings["max_tokens"]
        self.common = self._tokenizer(COMMON_TOKENIZER)
        self.common_ids = np.load(folder / COMMON_IDS)
        self._full = None
        self._full_lock = threading.Lock()
        # read-only and paged in by the rows in use
        self.words = np.load(folder / WORDS, mmap_mode="r")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # threads that spin between layers burn the CPU that concurrent questions and
        # other processes need (measured: 15.6 passages per CPU second without, 11.7 with)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(
            str(folder / FILES[precision]), options, providers=["CPUExecutionProvider"])

    def encode(self, texts: list[str], *, batch_size: int, progress: bool = False) -> np.ndarray:
        """Unit vectors, one row per text, in order."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        ids = self.token_ids(texts)
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
        with tqdm(total=len(texts), desc="embedding", unit="chunk", disable=not progress,
                  leave=False) as bar:
            for start in range(0, len(order), batch_size):
                batch = order[start:start + batch_size]
                out[batch] = self._run([ids[i] for i in batch])
                bar.update(len(batch))
        return out

    def token_ids(self, texts: list[str]) -> list[np.ndarray]:
        """The model's token ids of each text, with <s> and </s>, truncated."""
        out: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * len(texts)
        normalise = self.common.normalizer.normalize_str
        rare = [i for i, t in enumerate(texts) if not common(normalise(t))]
        usual = sorted(set(range(len(texts))) - set(rare))
        for i, e in zip(usual, self.common.encode_batch([texts[i] for i in usual])):
            out[i] = self.common_ids[e.ids]
        if rare:
            for i, e in zip(rare, self._full_tokenizer().encode_batch([texts[i] for i in rare])):
                out[i] = np.asarray(e.ids, dtype=np.int64)
        return out

    def _full_tokenizer(self):
        with self._full_lock:
            if self._full is None:
                self._full = self._tokenizer(TOKENIZER)
            return self._full

    def _tokenizer(self, name: str):
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.folder / name))
        tokenizer.enable_truncation(self.max_tokens)
        tokenizer.no_padding()
        return tokenizer

    def _run(self, batch: list[np.ndarray]) -> np.ndarray:
        width = max(map(len, batch))
        tokens = np.full((len(batch), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for row, ids in enumerate(batch):
            tokens[row, :len(ids)] = ids
            mask[row, :len(ids)] = 1
        vectors = self.words[tokens]  # padding rows are masked out of attention and mean
        return self.session.run(None, {"inputs_embeds": vectors, "attention_mask": mask})[0]

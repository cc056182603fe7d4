"""Opening the catalog, the embedding model and the search index from Settings: the one
place the CLI, the server and the benchmarks build them, so they agree."""
from __future__ import annotations

from bot.settings import Settings
from ingest.catalog import Catalog
from retrieval.embed import Embedder
from retrieval.index import SearchIndex
from retrieval.store import VectorStore, connect


def open_catalog(settings: Settings) -> Catalog:
    return Catalog(settings.catalog)


def open_embedder(settings: Settings) -> Embedder:
    """The configured model, loaded on first use (the bundled e5 built in the model cache)."""
    return Embedder(settings.embedding_model, backend=settings.embedding_backend,
                    model_cache=settings.model_cache)


def open_index(settings: Settings, catalog: Catalog, *, embedder: Embedder | None = None,
               fresh: bool = False) -> SearchIndex:
    """The search index over `catalog`; `fresh` drops the vectors to rebuild them."""
    embedder = embedder or open_embedder(settings)
    client = connect(path=settings.chroma_path, host=settings.chroma_host,
                     port=settings.chroma_port, database=settings.chroma_database)
    store = VectorStore(client, model_name=embedder.name, backend=embedder.backend,
                        fresh=fresh)
    return SearchIndex(catalog, store, embedder, aliases=settings.forum_aliases)

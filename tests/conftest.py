"""Fixtures shared by every test folder: the sample minutes, settings in a temporary data
dir, the real embedding model loaded once per session, and the samples ingested and
indexed once per session (`indexed_samples`) for the tests that only read them.

A test or module marked `both_catalogs` runs once with the SQLite catalog and once with a
PostgreSQL catalog (tests/catalogs.py), through the `catalog_url` fixture."""
from __future__ import annotations

import fcntl
import hashlib
import os
import re
from pathlib import Path

import numpy as np
import pytest

from bot.settings import Settings
from bot.stores import open_catalog, open_index
from browser import REPORTS
from catalogs import BACKENDS, fresh_postgres_catalog
from ingest.pipeline import ingest_paths
from retrieval.embed import Embedder

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """The five sample referater (data/samples/chefforum-YYYY-MM-DD.txt)."""
    assert len(list(SAMPLES.glob("*.txt"))) == 5, f"sample minutes missing in {SAMPLES}"
    return SAMPLES


@pytest.fixture(scope="session")
def indexed_samples(tmp_path_factory, samples_dir, embedder) -> Path:
    """A data dir holding the five samples' catalog and index, built once per session and
    shared by the bot and the retrieval tests. Never written after this: a test that
    writes (subscriptions, feedback, ingest) works on its own copy (tests/bot's
    bot_settings) or its own data dir."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("indexed") / "data")
    with open_catalog(settings) as catalog:
        report = ingest_paths([samples_dir], catalog, progress=False)
        assert report.ok and report.counts() == {"new": 5}, report.summary()
        open_index(settings, catalog, embedder=embedder).sync(progress=False)
    return settings.data_dir


@pytest.fixture
def sample(samples_dir):
    """sample("2024-04-24") -> the path of that meeting's sample file."""
    def path(day: str) -> Path:
        found = samples_dir / f"chefforum-{day}.txt"
        assert found.is_file(), found
        return found
    return path


def pytest_configure(config):
    config.addinivalue_line("markers", "both_catalogs: run with the SQLite and with the "
                                       "PostgreSQL catalog (the catalog_url fixture)")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keeps each phase's report on the test, so a browser fixture can tell, tearing down,
    that the test failed (and save the page)."""
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


def pytest_generate_tests(metafunc):
    if "catalog_url" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_catalogs"):
        metafunc.parametrize("catalog_url", BACKENDS, indirect=True)


@pytest.fixture
def catalog_url(request):
    """None (the SQLite file in the data dir), or for the 'postgresql' case of a test
    marked both_catalogs, the URL of a fresh PostgreSQL schema."""
    if getattr(request, "param", "sqlite") == "sqlite":
        yield None
        return
    with fresh_postgres_catalog() as url:
        yield url


@pytest.fixture
def settings(tmp_path, catalog_url) -> Settings:
    """Settings with a fresh data dir (and catalog) and the default (bundled) embedding model."""
    return Settings(data_dir=tmp_path / "data", catalog_url=catalog_url)


class SessionEmbedder(Embedder):
    """The real bundled model, loaded once; passage vectors are kept per text so that
    tests which ingest the same samples into fresh data dirs embed each text once, and
    question vectors likewise (keyed as the model reads them, with E5's `query: `), since
    the question files and the bot tests ask the same questions again and again. The
    vectors are the model's own: the same text always gets the same vector, so they are
    also kept on disk between sessions (VECTOR_CACHE), which spares the inner loop
    re-embedding the samples each run. The file is named by the model's own vector
    (rounded) for a probe text, so other weights, another library version or another
    precision (bf16 on CPUs that have it) never read vectors they did not make."""

    def __init__(self, cache_dir: Path | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.memo: dict[str, np.ndarray] = {}
        self.embedded = 0  # texts the model actually encoded
        self.cache_dir = cache_dir
        self.cache: Path | None = None

    def load(self) -> "SessionEmbedder":
        first = self._model is None
        super().load()
        if first and self.cache_dir is not None:
            probe = super().passages([PROBE_TEXT])
            fingerprint = hashlib.sha256(np.round(probe, 5).tobytes()).hexdigest()[:16]
            name = re.sub(r"[^A-Za-z0-9.-]+", "_", self.name)
            self.cache = self.cache_dir / f"{name}-{fingerprint}.npz"
            self.memo = self._kept()
        return self

    def passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return super().passages(texts)
        missing = list(dict.fromkeys(t for t in texts if t not in self.memo))
        if missing:
            self.embedded += len(missing)
            for text, vector in zip(missing, super().passages(missing, progress=progress)):
                self.memo[text] = vector
        return np.stack([self.memo[t] for t in texts])

    def query(self, text: str) -> np.ndarray:
        key = self.prefixes[0] + text
        if key not in self.memo:
            self.embedded += 1
            self.memo[key] = super().query(text)
        vector = self.memo[key]
        vector.flags.writeable = False  # shared by every asker, as Embedder's own are
        return vector

    def _kept(self) -> dict[str, np.ndarray]:
        try:
            with np.load(self.cache, allow_pickle=False) as kept:
                return dict(zip(kept["texts"].tolist(), kept["vectors"]))
        except (OSError, KeyError, ValueError):  # none yet, or unreadable: embed afresh
            return {}

    def save(self) -> None:
        """Keep the vectors for the next session (only if this one embedded new texts),
        with those that sessions running beside it (xdist workers) saved meanwhile: under
        a lock, read, add, replace whole."""
        if self.cache is None or not self.embedded:
            return
        self.cache.parent.mkdir(parents=True, exist_ok=True)
        with open(self.cache.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            vectors = self._kept() | self.memo
            texts = list(vectors)
            partial = self.cache.with_suffix(f".{os.getpid()}.npz")
            np.savez(partial, texts=np.array(texts), vectors=np.stack([vectors[t] for t in texts]))
            os.replace(partial, self.cache)  # whole or not at all, for a reader beside it


#: Where SessionEmbedder keeps vectors between sessions; REFERATBOT_TEST_VECTORS=off to
#: embed everything afresh.
VECTOR_CACHE = Settings().model_cache / "test-vectors"
#: Embedded once per session to tell one model's vectors from another's.
PROBE_TEXT = "Chefforum besluttede at godkende referatet."


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The bundled model on its default backend, loaded once per test session. On one
    thread: the suite shares its 2 cores with other processes, and intra-op threads,
    which wait for each other at every layer, then made a question's encoding 5 times
    slower (torch, measured at load 5: 880 ms a question on 2 threads, 160 ms on one)."""
    off = os.environ.get("REFERATBOT_TEST_VECTORS", "").lower() in ("off", "0", "no")
    loaded = SessionEmbedder(None if off else VECTOR_CACHE, threads=1,
                             model_cache=Settings.from_env().model_cache).load()
    yield loaded
    loaded.save()


@pytest.fixture
def catalog(settings):
    with open_catalog(settings) as catalog:
        yield catalog


@pytest.fixture
def index(settings, catalog, embedder):
    """The real search index (embedded Chroma under the data dir) over `catalog`."""
    return open_index(settings, catalog, embedder=embedder)

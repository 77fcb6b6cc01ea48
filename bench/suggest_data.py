"""Evaluation sets for bench/suggest.py, and an embedding cache on disk under bench/out/.

Sets:
- ``written``: bench/data/suggest_eval_sv.jsonl, 120 passages written for the benchmark after
  reading the codebook (15 per factor). Flattering: it shares the descriptions' words.
- ``paraphrase``: 40 passages written to avoid the codebook's wording (5 per factor).
- ``corpus``: passages read from four real Swedish reports in ../shared/corpus and coded by
  hand against the eight factors and valence. The repository holds only references (file,
  character offsets, a short hash of the text) and the labels, in
  bench/data/suggest_corpus_labels.jsonl; the text is read from the corpus at run time.
- ``holdout``: 177 more passages from the same four reports, read only from the parts that no
  ``corpus`` reference overlaps and coded before any suggester was run on them
  (bench/data/suggest_corpus_holdout_labels.jsonl, the same kind of references). It is the
  confirmation set of bench/suggest_confirm.py and is used to choose nothing but by the rule
  written there.
- ``holdout-c2``: the same 177 passages as coded by a second coder, blind to the first
  one's labels, with the same codebook and conventions
  (bench/data/suggest_corpus_holdout_labels_coder2.jsonl; agreement: bench/suggest_coders.py).
- ``holdout-agreed``: the holdout passages whose code both coders gave (valence: the first
  coder's), where a suggester's errors cannot be one coder's reading.
- ``fresh``: 185 passages from what was left of the four reports after ``corpus`` and
  ``holdout`` (no overlap with either, no eight consecutive words shared), coded before any
  suggester was run on them (bench/data/suggest_corpus_fresh_labels.jsonl). What was left
  is mostly law text, the guide's procedures, definitions and evaluation method, so the codes
  lean to arbetsstruktur, forum_beslut and kunskap_samverkan. The test set of
  bench/suggest_fresh.py. ``fresh-c2`` and ``fresh-agreed``: a second coder's reading of it,
  made blind like ``holdout-c2``, and the passages on which the two agree.
- ``spoken``: bench/data/suggest_eval_spoken_sv.jsonl, short focus-group-style turns with
  hesitations and false starts, as uneven as real coding (work structure and the individual
  take most turns, knowledge of collaboration five).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "bench" / "data"
OUT = REPO / "bench" / "out"
CORPUS_ENV = "QUALKIT_CORPUS"


@dataclass(frozen=True, slots=True)
class EvalSet:
    name: str
    texts: list[str]
    codes: list[str]
    valences: list[str]
    note: str = ""


def _rows(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def _from_rows(name: str, rows: Sequence[dict[str, str]], note: str = "") -> EvalSet:
    return EvalSet(
        name,
        [r["text"] for r in rows],
        [r["code"] for r in rows],
        [r["valence"] for r in rows],
        note,
    )


def corpus_dir() -> Path | None:
    """../shared/corpus seen from the repository (or from a worktree one level deeper)."""
    if os.environ.get(CORPUS_ENV):
        found = Path(os.environ[CORPUS_ENV])
        return found if found.is_dir() else None
    for base in (REPO.parent, REPO.parent.parent):
        candidate = base / "shared" / "corpus"
        if candidate.is_dir():
            return candidate
    return None


def passage_text(raw: str) -> str:
    """A passage as stored: the corpus slice with its whitespace collapsed."""
    return " ".join(raw.split())


def short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


CORPUS_LABELS = {
    "corpus": DATA / "suggest_corpus_labels.jsonl",
    "holdout": DATA / "suggest_corpus_holdout_labels.jsonl",
    "holdout-c2": DATA / "suggest_corpus_holdout_labels_coder2.jsonl",
    "fresh": DATA / "suggest_corpus_fresh_labels.jsonl",
    "fresh-c2": DATA / "suggest_corpus_fresh_labels_coder2.jsonl",
}
# Sets made of the passages on which two label files give the same code.
AGREED = {"holdout-agreed": ("holdout", "holdout-c2"), "fresh-agreed": ("fresh", "fresh-c2")}


def _reference(row: dict[str, str]) -> tuple[str, ...]:
    return tuple(str(row[k]) for k in ("id", "file", "start", "end", "sha256_12"))


def load_corpus_set(name: str = "corpus") -> EvalSet | str:
    """The hand-coded real passages of one of `CORPUS_LABELS` or `AGREED`, or a sentence
    saying why they cannot be read."""
    folder = corpus_dir()
    if folder is None:
        return (
            f"{name} set skipped: ../shared/corpus not found "
            f"(set {CORPUS_ENV}=/path/to/corpus to point at it)"
        )
    if name in AGREED:
        first, second = (_rows(CORPUS_LABELS[n]) for n in AGREED[name])
        if [_reference(r) for r in first] != [_reference(r) for r in second]:
            return f"{name} set skipped: the two label files do not list the same passages"
        rows = [a for a, b in zip(first, second, strict=True) if a["code"] == b["code"]]
    else:
        rows = _rows(CORPUS_LABELS[name])
    files: dict[str, str] = {}
    texts, codes, valences, stale = [], [], [], 0
    for row in rows:
        file_name = row["file"]
        if file_name not in files:
            path = folder / file_name
            if not path.is_file():
                return f"{name} set skipped: {path} is missing"
            files[file_name] = path.read_text("utf-8")
        text = passage_text(files[file_name][int(row["start"]) : int(row["end"])])
        if short_hash(text) != row["sha256_12"]:
            stale += 1  # the corpus file changed under the reference: leave it out
            continue
        texts.append(text)
        codes.append(row["code"])
        valences.append(row["valence"])
    note = f"{name}: {stale} references no longer match the corpus and were left out"
    return EvalSet(name, texts, codes, valences, note if stale else "")


def load_sets(wanted: Iterable[str]) -> tuple[list[EvalSet], list[str]]:
    """The named sets that could be loaded, and a note for each one that could not."""
    sets: list[EvalSet] = []
    notes: list[str] = []
    for name in wanted:
        if name == "written":
            sets.append(_from_rows(name, _rows(DATA / "suggest_eval_sv.jsonl")))
        elif name == "paraphrase":
            sets.append(_from_rows(name, _rows(DATA / "suggest_eval_sv_paraphrase.jsonl")))
        elif name == "spoken":
            sets.append(_from_rows(name, _rows(DATA / "suggest_eval_spoken_sv.jsonl")))
        elif name in CORPUS_LABELS or name in AGREED:
            loaded = load_corpus_set(name)
            if isinstance(loaded, str):
                notes.append(loaded)
            else:
                sets.append(loaded)
                if loaded.note:
                    notes.append(loaded.note)
        else:
            notes.append(f"unknown set {name!r}")
    return sets, notes


class DiskEmbeddings:
    """A store stand-in for `EmbeddingCache`: vectors by text hash in one .npz per model.

    The default model encodes about 35 passages a second on two idle cores; the bench reads
    the same few hundred passages on every run, so they are encoded once."""

    def __init__(self, folder: Path = OUT) -> None:
        self.folder = folder
        self._loaded: dict[str, dict[str, bytes]] = {}

    def _path(self, model_id: str) -> Path:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in model_id)
        return self.folder / f"embeddings_{safe}.npz"

    def _table(self, model_id: str) -> dict[str, bytes]:
        if model_id not in self._loaded:
            path = self._path(model_id)
            table: dict[str, bytes] = {}
            if path.is_file():
                with np.load(path) as data:
                    table = {k: data[k].tobytes() for k in data.files}
            self._loaded[model_id] = table
        return self._loaded[model_id]

    def cached_embeddings(self, model_id: str, keys: Sequence[str]) -> dict[str, bytes]:
        table = self._table(model_id)
        return {k: table[k] for k in keys if k in table}

    def put_embeddings(self, model_id: str, dim: int, items: Iterable[tuple[str, bytes]]) -> None:
        table = self._table(model_id)
        table.update(items)
        self.folder.mkdir(parents=True, exist_ok=True)
        arrays = {k: np.frombuffer(v, dtype=np.float32) for k, v in table.items()}
        tmp = self._path(model_id).with_suffix(".tmp.npz")
        np.savez(tmp, **arrays)  # type: ignore[arg-type]
        tmp.replace(self._path(model_id))

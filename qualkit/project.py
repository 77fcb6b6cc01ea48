"""A qualkit project folder: audio/, transcripts/, codebook/, exports/ and qualkit.db.

`Project` is the Python API the CLI and the TUI both stand on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from qualkit import atomic
from qualkit import codebook as codebooks
from qualkit.errors import CodebookError, InputError, NotFoundError, ProjectError, QualkitError
from qualkit.ingest import TRANSCRIPT_SUFFIXES, read_transcript
from qualkit.log import get_logger
from qualkit.model import Code, Codebook, Coding, GroupType, Recording, Segment, Valence
from qualkit.store import Store

_log = get_logger("codebook")

if TYPE_CHECKING:
    import pandas as pd

    from qualkit.export.refi_import import ImportSummary

DB_NAME = "qualkit.db"
FOLDERS = ("audio", "transcripts", "codebook", "exports")
AUDIO_SUFFIXES = {
    ".wav",
    ".mp3",
    ".m4a",
    ".ogg",
    ".oga",
    ".flac",
    ".opus",
    ".mp4",
    ".mov",
    ".webm",
    ".aac",
    ".wma",
    ".mkv",
}
DEFAULT_CODEBOOK = "danermark"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def init_project(root: Path | str) -> Project:
    """Create the project folders, copy the shipped codebooks and create the database."""
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise ProjectError(f"{root} exists and is not a folder.")
    for folder in FOLDERS:
        (root / folder).mkdir(parents=True, exist_ok=True)
    target = root / "codebook"
    for shipped in codebooks.shipped_codebooks():
        dest = target / shipped.name
        if not dest.exists() and shipped.resolve() != dest.resolve():
            atomic.copy_file(shipped, dest)
    return Project(root, create=True)


def open_project(root: Path | str = ".", *, create: bool = False) -> Project:
    """Open an existing project folder (or create one with create=True)."""
    root = Path(root)
    if create:
        return init_project(root)
    if not (root / DB_NAME).exists():
        if not root.is_dir():
            raise ProjectError(
                f"{root} is not a folder. Create a project with: qualkit init {root}"
            )
        if not (root / "codebook").is_dir():
            raise ProjectError(
                f"{root} is not a qualkit project (no {DB_NAME} and no codebook/). "
                f"Create one with: qualkit init {root}"
            )
    return Project(root)


class Project:
    """The API over one project folder."""

    def __init__(self, root: Path | str, *, create: bool = False) -> None:
        self.root = Path(root).resolve()
        for folder in FOLDERS:
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        self.store = Store(self.root / DB_NAME)
        self._check_and_back_up()
        # A broken codebook file must not lock the user out of the project (not even
        # `status`): it is skipped, with a warning naming it, and its last good version
        # stays in the database. `codebook validate` still fails on it.
        self.codebook_problems: list[str] = []
        self.sync_codebooks(skip_broken=True)

    def _check_and_back_up(self) -> None:
        from qualkit.backup import auto_backup, restore_hint
        from qualkit.log import get_logger

        status = self.store.quick_check()
        if status != "ok":
            self.store.close()
            raise ProjectError(
                f"{self.root / DB_NAME} failed its integrity check ({status}). "
                + restore_hint(self.root)
            )
        try:
            auto_backup(self)
        except OSError as exc:  # a read-only or full disk must not stop the work
            get_logger("backup").warning("automatic backup skipped: %s", exc.strerror)

    # ----------------------------------------------------------------- folders
    @property
    def audio_dir(self) -> Path:
        return self.root / "audio"

    @property
    def transcripts_dir(self) -> Path:
        return self.root / "transcripts"

    @property
    def codebook_dir(self) -> Path:
        return self.root / "codebook"

    @property
    def exports_dir(self) -> Path:
        return self.root / "exports"

    @property
    def cache_dir(self) -> Path:
        path = self.root / ".qualkit"
        path.mkdir(exist_ok=True)
        return path

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --------------------------------------------------------------- codebooks
    def sync_codebooks(self, *, skip_broken: bool = False) -> list[str]:
        """Load codebook/*.yaml files that changed since the last sync. Returns their ids.

        A broken file raises CodebookError and nothing is changed in the database; with
        `skip_broken` it is left out, named in `codebook_problems` and in a warning."""
        changed: list[str] = []
        # Every file is read and checked before anything is stored, so one broken or
        # clashing file leaves the database as it was.
        loaded: dict[str, tuple[Path, Codebook, str]] = {}
        for path in sorted(self.codebook_dir.glob("*.yaml")) + sorted(
            self.codebook_dir.glob("*.yml")
        ):
            try:
                digest = codebooks.file_sha256(path)
                book = codebooks.load_codebook(path)
            except CodebookError as exc:
                if not skip_broken:
                    raise
                self.codebook_problems.append(str(exc))
                _log.warning("%s This file was skipped; fix it and run any command again.", exc)
                continue
            if book.id in loaded:
                raise CodebookError(
                    f"{path}: id {book.id!r} is already used by {loaded[book.id][0].name}; "
                    "give each codebook file its own id."
                )
            loaded[book.id] = (path, book, digest)
        with self.store.transaction():
            for _path, book, digest in loaded.values():
                if self.store.codebook_source_hash(book.id) != digest:
                    self.store.upsert_codebook(book, digest)
                    self._drop_unused_codes(book)
                    changed.append(book.id)
        return changed

    def _drop_unused_codes(self, book: Codebook) -> None:
        # A code deleted from the file by hand goes from the project too, unless codings
        # (or sub-codes that have codings) still hang on it: those are kept, not lost.
        in_file = {c.key for c in book.codes}
        gone = [c.key for c in self.store.codebook(book.id).codes if c.key not in in_file]
        progress = True
        while gone and progress:
            progress = False
            for key in list(gone):
                try:
                    self.store.delete_code(book.id, key)
                except InputError:
                    continue  # has codings, or sub-codes not deleted yet
                gone.remove(key)
                progress = True

    def codebook_ids(self) -> list[str]:
        return self.store.codebook_ids()

    def codebook(self, cb_id: str = DEFAULT_CODEBOOK) -> Codebook:
        return self.store.codebook(cb_id)

    def codebook_path(self, cb_id: str) -> Path:
        for path in list(self.codebook_dir.glob("*.yaml")) + list(self.codebook_dir.glob("*.yml")):
            try:
                if codebooks.load_codebook(path).id == cb_id:
                    return path
            except QualkitError:
                continue
        return self.codebook_dir / f"{cb_id}.yaml"

    def _write_back(self, cb_id: str) -> Codebook:
        # Edits made through the API are written to the YAML file too, so the file
        # stays the shareable truth; the recorded hash stops a re-import on next open.
        # Callers hold a transaction: the text is validated before the file is written,
        # so an edit the file format cannot hold (a code id with a space, a bad colour)
        # is rolled back instead of leaving a codebook no command can load.
        book = self.store.codebook(cb_id)
        path = self.codebook_path(cb_id)
        text = codebooks.to_yaml(book)
        try:
            codebooks.parse_codebook(text, path)
        except CodebookError as exc:
            problem = str(exc).split(": ", 1)[-1]
            raise CodebookError(f"Not saved: {problem}") from None
        atomic.write_text(path, text)
        self.store.upsert_codebook(book, codebooks.file_sha256(path))
        return book

    def add_code(self, code: Code) -> Codebook:
        with self.store.transaction():
            self.store.add_code(code)
            return self._write_back(code.codebook)

    def rename_code(
        self, cb_id: str, key: str, label_sv: str | None = None, label_en: str | None = None
    ) -> Codebook:
        fields = {k: v for k, v in (("label_sv", label_sv), ("label_en", label_en)) if v}
        with self.store.transaction():
            self.store.update_code(cb_id, key, **fields)
            return self._write_back(cb_id)

    def update_code(self, cb_id: str, key: str, **fields: str | None) -> Codebook:
        with self.store.transaction():
            self.store.update_code(cb_id, key, **fields)
            return self._write_back(cb_id)

    def move_code(self, cb_id: str, key: str, parent: str | None) -> Codebook:
        with self.store.transaction():
            self.store.update_code(cb_id, key, parent=parent)
            return self._write_back(cb_id)

    def merge_codes(self, cb_id: str, source: str, target: str) -> int:
        with self.store.transaction():
            moved = self.store.merge_codes(cb_id, source, target)
            self._write_back(cb_id)
        return moved

    def split_code(self, cb_id: str, key: str, new_code: Code, coding_ids: list[int]) -> int:
        """Create `new_code` and move the chosen codings of `key` to it."""
        own = {c.id for c in self.store.codings(codebook=cb_id, code=key)}
        stray = [i for i in coding_ids if i not in own]
        if stray:
            raise InputError(f"Codings {stray} are not coded with {key!r}.")
        with self.store.transaction():
            self.store.add_code(new_code)
            moved = self.store.move_codings(coding_ids, cb_id, new_code.key)
            self._write_back(cb_id)
        return moved

    def delete_code(self, cb_id: str, key: str) -> Codebook:
        with self.store.transaction():
            self.store.delete_code(cb_id, key)
            return self._write_back(cb_id)

    # -------------------------------------------------------------- recordings
    def recordings(self) -> list[Recording]:
        return self.store.recordings()

    def recording(self, ref: str | int) -> Recording:
        """A recording by id or by name."""
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            try:
                return self.store.recording(int(ref))
            except NotFoundError:
                if isinstance(ref, int):
                    raise
        rec = self.store.recording_by_name(str(ref))
        if rec is None:
            names = ", ".join(r.name for r in self.recordings()) or "none yet"
            raise NotFoundError(f"No recording {ref!r} in this project (recordings: {names}).")
        return rec

    def update_recording(self, rec_id: int, **fields: object) -> Recording:
        """Change a recording's kommun, group type, date, guide or name."""
        name = fields.get("name")
        if isinstance(name, str):
            other = self.store.recording_by_name(name)
            if not name.strip():
                raise InputError("A recording's name cannot be empty.")
            if other is not None and other.id != rec_id:
                raise InputError(f"A recording named {name!r} already exists.")
        return self.store.update_recording(rec_id, **fields)

    def _relative(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path.resolve())

    def import_transcript(
        self,
        path: Path | str,
        *,
        name: str | None = None,
        kommun: str | None = None,
        group_type: GroupType | None = None,
        date: str | None = None,
        guide: str | None = None,
    ) -> Recording:
        """Read a transcript file and store it as a recording's segments."""
        path = Path(path)
        parsed = read_transcript(path)  # reads and validates before anything is saved
        name = name or path.stem
        if self.store.recording_by_name(name) is not None:
            raise InputError(f"A recording named {name!r} already exists; pass another --name.")
        with self.store.transaction():
            rec = self.store.add_recording(
                name,
                transcript_path=self._relative(path),
                sha256=sha256_file(path),
                kommun=kommun,
                group_type=group_type,
                date=date,
                guide=guide,
            )
            self.store.replace_segments(
                rec.id,
                ((t.speaker, t.text, t.start, t.end, t.words, False) for t in parsed.turns),
            )
        return self.store.recording(rec.id)

    def import_audio(
        self,
        path: Path | str,
        *,
        name: str | None = None,
        kommun: str | None = None,
        group_type: GroupType | None = None,
        date: str | None = None,
        guide: str | None = None,
        copy: bool = True,
    ) -> Recording:
        """Register a recording; by default the file is copied into audio/ (like NVivo)."""
        path = Path(path)
        if not path.is_file():
            raise InputError(f"{path}: no such audio file.")
        if path.suffix.lower() not in AUDIO_SUFFIXES:
            raise InputError(
                f"{path}: {path.suffix or 'no suffix'} is not a known audio or video type "
                f"({', '.join(sorted(AUDIO_SUFFIXES))})."
            )
        if path.stat().st_size == 0:
            raise InputError(f"{path}: the file is empty.")
        name = name or path.stem
        if self.store.recording_by_name(name) is not None:
            raise InputError(f"A recording named {name!r} already exists; pass another --name.")
        digest = sha256_file(path)
        stored = path
        if copy and self.audio_dir.resolve() not in path.resolve().parents:
            stored = self.audio_dir / path.name
            if stored.exists() and sha256_file(stored) != digest:
                raise InputError(f"{stored} already exists with other content; rename the file.")
            if not stored.exists():
                atomic.copy_file(path, stored)
        return self.store.add_recording(
            name,
            audio_path=self._relative(stored),
            sha256=digest,
            kommun=kommun,
            group_type=group_type,
            date=date,
            guide=guide,
        )

    def import_exchange(self, path: Path | str) -> ImportSummary:
        """Import a REFI-QDA project (.qdpx) or codebook (.qdc) from another QDA tool."""
        path = Path(path)
        from qualkit.export.refi_import import import_refi

        return import_refi(self, path)

    def import_path(self, path: Path | str, **meta: object) -> Recording:
        """Import an audio or transcript file by its suffix."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix in TRANSCRIPT_SUFFIXES:
            return self.import_transcript(path, **meta)  # type: ignore[arg-type]
        if suffix in AUDIO_SUFFIXES:
            return self.import_audio(path, **meta)  # type: ignore[arg-type]
        raise InputError(
            f"{path}: cannot import {suffix or 'a file without suffix'}; use audio "
            f"({', '.join(sorted(AUDIO_SUFFIXES))}) or a transcript "
            f"({', '.join(sorted(TRANSCRIPT_SUFFIXES))})."
        )

    # ---------------------------------------------------------------- segments
    def segments(self, recording: str | int | None = None) -> list[Segment]:
        if recording is None:
            return self.store.segments()
        return self.store.segments(self.recording(recording).id)

    def segment(self, ref: str | int) -> Segment:
        """A segment by global id ('12') or by recording and position ('demo:5', 1-based)."""
        if isinstance(ref, int) or str(ref).isdigit():
            return self.store.segment(int(ref))
        rec_ref, sep, idx = str(ref).rpartition(":")
        if not sep or not idx.isdigit():
            raise InputError(
                f"Segment {ref!r}: give a segment id (12) or RECORDING:NUMBER (demo:5)."
            )
        segs = self.segments(rec_ref)
        n = int(idx)
        if not 1 <= n <= len(segs):
            raise NotFoundError(f"Recording {rec_ref!r} has segments 1-{len(segs)}, not {n}.")
        return segs[n - 1]

    # ----------------------------------------------------------------- codings
    def add_coding(
        self,
        segment: str | int,
        code: str,
        *,
        codebook: str = DEFAULT_CODEBOOK,
        valence: Valence | str = Valence.NONE,
        coder: str = "default",
        memo: str | None = None,
        span: tuple[int, int] | None = None,
        round_id: int | None = None,
    ) -> Coding:
        seg = self.segment(segment)
        val = valence if isinstance(valence, Valence) else Valence.parse(valence)
        return self.store.add_coding(
            seg.id,
            codebook,
            code,
            valence=val,
            coder=coder,
            memo=memo,
            span=span,
            round_id=round_id,
        )

    def codings(self, **filters: object) -> list[Coding]:
        return self.store.codings(**filters)  # type: ignore[arg-type]

    def codings_frame(self) -> pd.DataFrame:
        return self.store.codings_frame()

    def segments_frame(self) -> pd.DataFrame:
        return self.store.segments_frame()

    @contextmanager
    def action(self) -> Iterator[None]:
        """Group several API calls into one transaction (one user action)."""
        with self.store.transaction():
            yield

    # ------------------------------------------------------------------ status
    def progress(self, cb_id: str = DEFAULT_CODEBOOK) -> dict[str, dict[str, int]]:
        """Per code: codings by valence."""
        return self.store.coding_counts(cb_id)

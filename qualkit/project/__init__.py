"""A qualkit project folder: audio/, transcripts/, codebook/, exports/ and qualkit.db.

`Project` is the Python API the CLI and the TUI both stand on. It is composed of the
folder and its store (folder), codebook editing (codebook_edits) and importing (imports);
what the user typed is turned into records by `qualkit.resolve`, one way everywhere.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from qualkit import atomic, resolve
from qualkit import codebook as codebooks
from qualkit.backup import auto_backup, restore_hint
from qualkit.errors import InputError, ProjectError
from qualkit.layout import DB_NAME, DEFAULT_CODEBOOK, FOLDERS, SERVER_FILE
from qualkit.log import get_logger
from qualkit.model import Coding, Recording, Segment, Valence
from qualkit.project.codebook_edits import CodebookEditing
from qualkit.project.imports import AUDIO_SUFFIXES, Importing
from qualkit.store import Server, Store, create_database, lacks_schema
from qualkit.store.codings import CodingWrite
from qualkit.store.recordings import MadeSegment

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "AUDIO_SUFFIXES",
    "DB_NAME",
    "DEFAULT_CODEBOOK",
    "FOLDERS",
    "Project",
    "init_project",
    "open_project",
    "server_of",
    "set_server",
]

_log = get_logger("backup")


def server_of(root: Path) -> Server | None:
    """The study database on a server that a team's project folder names, if any."""
    path = root / SERVER_FILE
    if not path.is_file():
        return None
    return Server.from_file_text(path.read_text(encoding="utf-8"))


def set_server(root: Path, server: Server | None) -> None:
    """Point the folder at a study database on a server (None: back to its own qualkit.db)."""
    path = Path(root) / SERVER_FILE
    if server is None:
        path.unlink(missing_ok=True)
    else:
        atomic.write_text(path, server.file_text())


def init_project(root: Path | str, *, database: str | None = None) -> Project:
    """Create the project folders, copy the shipped codebooks and create the database.

    With `database` (a postgresql:// URL or service=NAME) the records live in that study
    database on a server; the folder keeps the audio, transcripts, codebooks and exports."""
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise ProjectError(f"{root} exists and is not a folder.")
    if database is not None:
        server = Server.parse(database)
        if (root / DB_NAME).exists():
            raise ProjectError(
                f"{root} already has its own {DB_NAME}; move its records to the server "
                f"with: qualkit db attach {server.conninfo} -p {root}"
            )
        root.mkdir(parents=True, exist_ok=True)
        set_server(root, server)
    for folder in FOLDERS:
        (root / folder).mkdir(parents=True, exist_ok=True)
    target = root / "codebook"
    if database is not None and _join_study(root, server):
        return Project(root)
    for shipped in codebooks.shipped_codebooks():
        dest = target / shipped.name
        if not dest.exists():
            atomic.write_bytes(dest, shipped.read_bytes())
    return Project(root, create=True)


def _join_study(root: Path, server: Server) -> bool:
    """A study the team already keeps on the server: the folder gets the team's codebooks,
    not the shipped ones, so opening it never puts an old codebook over the team's."""
    store = Store(root / DB_NAME, server=server)
    try:
        books = [store.codebook(i) for i in store.codebook_ids()]
    finally:
        store.close()
    for book in books:
        dest = root / "codebook" / f"{book.id}.yaml"
        if not dest.exists():
            codebooks.save_codebook(book, dest)
    return bool(books)


def open_project(root: Path | str = ".", *, create: bool = False) -> Project:
    """Open an existing project folder (or create one with create=True)."""
    root = Path(root)
    if create:
        return init_project(root)
    if not (root / DB_NAME).exists() and not (root / SERVER_FILE).exists():
        if root.is_file():  # "-p README.md": a project is a folder, never made of a file
            raise ProjectError(
                f"{root} is a file; a project is a folder (the one that holds {DB_NAME})."
            )
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


def _emptied(db: Path) -> str:
    """Why a database file with no project in it is not opened as a new project: opening
    would write into it and back it up, and that backup could push a good one out."""
    size = db.stat().st_size
    what = "is empty (0 bytes)" if size == 0 else f"holds no qualkit data ({size} bytes)"
    return (
        f"{db} {what}: a failed copy or a sync tool may have emptied it. Nothing was "
        "written and no backup was taken (to start a new, empty project here instead, "
        f"delete the file and run qualkit init {db.parent}). {restore_hint(db.parent)}"
    )


class Project(CodebookEditing, Importing):
    """The API over one project folder."""

    def __init__(
        self, root: Path | str, *, create: bool = False, server: Server | None = None
    ) -> None:
        self.root = Path(root).resolve()
        db = self.root / DB_NAME
        self.codebook_problems: list[str] = []
        # What a writable folder held when opened (see close); None on a server.
        self._opened_with: dict[str, int] | None = None
        server = server or server_of(self.root)
        if server is not None:
            self._open_server(db, server)
            return
        if db.exists() and lacks_schema(db):
            raise ProjectError(_emptied(db))
        # A folder the user may read but not change (a colleague's share, a mounted
        # archive) opens read-only: reading works, and a write says why it cannot.
        self.read_only = self.root.is_dir() and not (
            os.access(self.root, os.W_OK) and (not db.exists() or os.access(db, os.W_OK))
        )
        if self.read_only:
            self.store = Store(db, read_only=True)
            self._check()
            return
        for folder in FOLDERS:
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        if not db.exists():
            create_database(db)
        self.store = Store(db)
        self._check()
        self._auto_backup()
        self._opened_with = self.store.content_counts()
        # A broken codebook file must not lock the user out of the project (not even
        # `status`): it is skipped, with a warning naming it, and its last good version
        # stays in the database. `codebook validate` still fails on it.
        self.sync_codebooks(skip_broken=True)

    def _auto_backup(self, *, force: bool = False) -> None:
        try:
            auto_backup(self, force=force)
        except OSError as exc:  # a full disk must not stop the work
            _log.warning("automatic backup skipped: %s", exc.strerror)
        except ProjectError:  # nor a backup folder this user may not write
            _log.warning("automatic backup skipped: the backup folder is read-only")

    def close(self) -> None:
        """Close the store; after new material came in (an import, a transcription) the
        newest automatic backup is brought up to date first, whatever its age."""
        opened_with = self._opened_with
        if opened_with is not None:
            self._opened_with = None
            now = self.store.content_counts()
            if any(now[k] != opened_with[k] for k in ("recordings", "segments")):
                self._auto_backup(force=True)
        super().close()

    def _open_server(self, db: Path, server: Server) -> None:
        """A team's study: records on the server, files in the folder.

        The server keeps its own backups (pg_dump, or `qualkit backup`, which writes a
        SQLite copy), so opening takes none. The server decides who may write."""
        self.read_only = False
        for folder in FOLDERS:
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        self.store = Store(db, server=server)
        self._check()
        try:
            self.sync_codebooks(skip_broken=True)
        except ProjectError as exc:
            # A coder's or reader's role may not change the team's codebook: the server's
            # copy stands, and the lead changes it.
            _log.warning("codebook files not loaded into the study: %s", exc)

    def _check(self) -> None:
        status = self.store.quick_check()
        if status != "ok":
            self.store.close()
            raise ProjectError(
                f"{self.root / DB_NAME} failed its integrity check ({status}). "
                + restore_hint(self.root)
            )

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -------------------------------------------------------------- recordings
    def recordings(self) -> list[Recording]:
        return self.store.recordings()

    def recording(self, ref: str | int) -> Recording:
        """A recording by id or by name."""
        return resolve.recording(self.store, ref)

    def update_recording(self, rec_id: int, **fields: object) -> Recording:
        """Change a recording's kommun, group type, date, guide or name."""
        name = fields.get("name")
        if isinstance(name, str):
            name = fields["name"] = resolve.normal(name)
            other = self.store.recording_by_name(name)
            if not name:
                raise InputError("A recording's name cannot be empty.")
            if other is not None and other.id != rec_id:
                raise InputError(f"A recording named {name!r} already exists.")
        return self.store.update_recording(rec_id, **fields)

    def remove_recording(self, rec_id: int, made: Sequence[MadeSegment] | None = None) -> Recording:
        """Take a recording nobody has worked on out of the project: its segments, voices
        and stages go; the audio file and any transcript files stay where they are, so it
        can be imported again. A recording with codings, memos, suggestion feedback, voices
        named by hand or a place in a round is refused: that is someone's work. So is one
        whose segments differ from `made`, the segments the pipeline made (hand edits). A
        voice a voiceprint named is not: the voiceprint stays and names it again."""
        rec = self.store.recording(rec_id)
        work = self.store.delete_untouched_recording(rec_id, made)
        if work:
            done = ", ".join(f"{n} {kind}" for kind, n in work.items())
            edits_only = set(work) == {"hand-edited segments"}
            raise InputError(
                f"{rec.name!r} has been worked on ({done}); it is not removed. "
                + (
                    "Add --discard-edits to remove it and lose the edits."
                    if edits_only
                    else "Undo that work first if the recording really should go."
                )
            )
        return rec

    # ---------------------------------------------------------------- segments
    def segments(self, recording: str | int | None = None) -> list[Segment]:
        if recording is None:
            return self.store.segments()
        return self.store.segments(self.recording(recording).id)

    def segment(self, ref: str | int) -> Segment:
        """A segment by global id ('12') or by recording and position ('demo:5', 1-based)."""
        return resolve.segment(self.store, ref)

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
        return self.code_segment(
            segment,
            code,
            codebook=codebook,
            valence=valence,
            coder=coder,
            memo=memo,
            span=span,
            round_id=round_id,
        ).coding

    def code_segment(
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
        partner: str | None = None,
    ) -> CodingWrite:
        """Code a segment, or update the coding it has for this code, valence, coder and
        span: one write, after every argument is checked (a failing call writes nothing)."""
        seg = self.segment(segment)
        val = valence if isinstance(valence, Valence) else Valence.parse(valence)
        return self.store.insert_coding(
            seg.id,
            codebook,
            code,
            valence=val,
            coder=coder,
            memo=memo,
            span=span,
            round_id=round_id,
            partner=partner,
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
    def progress(self, codebook_id: str = DEFAULT_CODEBOOK) -> dict[str, dict[str, int]]:
        """Per code: codings by valence."""
        return self.store.coding_counts(codebook_id)

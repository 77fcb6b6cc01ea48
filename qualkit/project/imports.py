"""Bringing recordings into a project: audio files and transcripts."""

from __future__ import annotations

from pathlib import Path

from qualkit import atomic, resolve
from qualkit.atomic import sha256_file
from qualkit.errors import InputError
from qualkit.ingest import TRANSCRIPT_SUFFIXES, read_transcript
from qualkit.model import GroupType, Recording
from qualkit.pipeline.audio import check_decodable
from qualkit.project.folder import ProjectFolder

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


class Importing(ProjectFolder):
    """Importing audio and transcript files as recordings."""

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
        path = resolve.existing_path(path)
        parsed = read_transcript(path)  # reads and validates before anything is saved
        name = resolve.normal(name or path.stem)
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
        path = resolve.existing_path(path)
        if not path.is_file():
            raise InputError(f"{path}: no such audio file.")
        if path.suffix.lower() not in AUDIO_SUFFIXES:
            raise InputError(
                f"{path}: {path.suffix or 'no suffix'} is not a known audio or video type "
                f"({', '.join(sorted(AUDIO_SUFFIXES))})."
            )
        if path.stat().st_size == 0:
            raise InputError(f"{path}: the file is empty.")
        name = resolve.normal(name or path.stem)
        if self.store.recording_by_name(name) is not None:
            raise InputError(f"A recording named {name!r} already exists; pass another --name.")
        check_decodable(path)
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

    def same_audio(self, rec: Recording) -> list[Recording]:
        """Other recordings whose audio has the same content (sha256) as `rec`'s: the same
        session imported twice is counted twice in every report, so the user is told."""
        if not rec.audio_path or not rec.sha256:
            return []
        return [
            r
            for r in self.store.recordings()
            if r.id != rec.id and r.audio_path and r.sha256 == rec.sha256
        ]

    def import_path(self, path: Path | str, **meta: object) -> Recording:
        """Import an audio or transcript file by its suffix."""
        path = resolve.existing_path(path)
        suffix = path.suffix.lower()
        if path.is_dir():
            raise InputError(
                f"{path} is a folder; name the files in it to import, e.g. "
                f"qualkit import {path}/*.wav"
            )
        if suffix in TRANSCRIPT_SUFFIXES:
            return self.import_transcript(path, **meta)  # type: ignore[arg-type]
        if suffix in AUDIO_SUFFIXES:
            return self.import_audio(path, **meta)  # type: ignore[arg-type]
        raise InputError(
            f"{path}: cannot import {suffix or 'a file without suffix'}; use audio "
            f"({', '.join(sorted(AUDIO_SUFFIXES))}) or a transcript "
            f"({', '.join(sorted(TRANSCRIPT_SUFFIXES))})."
        )

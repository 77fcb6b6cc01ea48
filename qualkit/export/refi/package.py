"""What a .qdpx carries besides project.qde: the files of its sources/ folder, and where
an audio file too big for the archive is referenced instead."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from qualkit.project import Project


@dataclass
class Package:
    """Files that go into sources/: name -> bytes, or name -> path on disk (audio)."""

    blobs: dict[str, bytes] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SourceOptions:
    speaker_selections: bool = False  # uncoded speaker turns as selections
    audio: bool = True
    max_internal_bytes: int = 2**31 - 1
    coder_names: bool = False  # Users named as typed instead of 'Kodare 1', 'Kodare 2' ...


def audio_file(project: Project, audio_path: str | None) -> Path | None:
    if not audio_path:
        return None
    path = Path(audio_path)
    if not path.is_absolute():
        path = project.root / path
    return path if path.is_file() else None


def audio_location(
    project: Project, audio: Path, guid: str, pkg: Package, options: SourceOptions
) -> str:
    """The AudioSource's path: inside the archive when it fits REFI-QDA's cap (the file is
    added to `pkg`), else beside the project, or where it lies outside it."""
    if audio.stat().st_size <= options.max_internal_bytes:
        member = f"{guid}{audio.suffix.lower()}"
        pkg.files[member] = audio
        return f"internal://{member}"
    try:
        return f"relative:///{audio.resolve().relative_to(project.root).as_posix()}"
    except ValueError:  # audio kept outside the project folder
        return f"absolute:///{audio.resolve().as_posix().lstrip('/')}"

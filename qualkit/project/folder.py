"""The project folder and its database connection: what every part of the project stands on."""

from __future__ import annotations

from pathlib import Path

from qualkit.store import Store


class ProjectFolder:
    """A project folder with its store open; the parts of `Project` build on it."""

    root: Path
    store: Store

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

    def _relative(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path.resolve())

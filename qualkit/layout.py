"""The layout of a project folder: what lives where. No qualkit imports, so every layer can
name the database file or the folders without importing the project."""

from __future__ import annotations

import unicodedata

DB_NAME = "qualkit.db"
# A team's project folder names its study database on a server here instead (no password).
SERVER_FILE = "qualkit.server"
FOLDERS = ("audio", "transcripts", "codebook", "exports")
DEFAULT_CODEBOOK = "danermark"


def file_stem(name: str, recording_id: int) -> str:
    """The stem of a recording's files (transcripts/, exports/): unique per recording.

    A name that is a file name as it stands (letters, digits, - and _) is its own stem;
    any other name is made safe and gets "~" and the recording's id, so "möte 1" and
    "möte_1" never write the same files. A plain name holds no "~", so the two kinds of
    stem cannot meet."""
    name = unicodedata.normalize("NFC", name)
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name).strip("_")
    if safe and safe == name:
        return safe
    return f"{safe or 'recording'}~{recording_id}"

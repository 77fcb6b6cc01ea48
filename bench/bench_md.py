"""BENCHMARKS.md: put one script's section in place of its old one, or add it at the end."""

from __future__ import annotations

from pathlib import Path


def write_section(path: Path, section: str, heading: str) -> None:
    """Replace the section that starts with `heading` up to the next `## `, keeping the rest."""
    text = path.read_text(encoding="utf-8") if path.is_file() else "# Benchmarks\n\n"
    body = section.rstrip("\n") + "\n"
    start = text.find(heading)
    if start < 0:
        text = text.rstrip("\n") + "\n\n" + body
    else:
        nxt = text.find("\n## ", start + len(heading))
        text = text[:start] + body + ("\n" + text[nxt + 1 :] if nxt >= 0 else "")
    path.write_text(text, encoding="utf-8")


def publish(section: str, path: Path | None, heading: str) -> int:
    """Print a script's section and, when asked for (`--write`), put it in BENCHMARKS.md."""
    print(section)
    if path is not None:
        write_section(path, section, heading)
    return 0

"""Text work for the redactor (`qualkit.redaction`): labels put into a text and where
they lie afterwards, names found before a label went in, and the words a project writes
in lower case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from qualkit.pseudonymise import Finding


def found_around(
    text: str,
    labels: list[tuple[int, int]],
    edits: list[tuple[int, int, str]],
    found: list[Finding],
) -> list[tuple[int, int, str]]:
    """The names `found` in `text` outside `labels` and the `edits` about to be made, at
    their places once the edits are made; of a name an edit covers in part, the capitalised
    words outside it ("Anna Svensson" known, "Anna Svensson Berg" found: "Berg")."""
    out = []
    for f in found:
        covered = [(a, b) for a, b, _ in edits if f.start < b and a < f.end]
        if any(f.start < b and a < f.end for a, b in labels):
            continue
        out += (
            [(f.start, f.end, f.text)]
            if not covered
            else [
                (m.start(), m.end(), m.group(0))
                for m in _NAME_KEY.finditer(text, f.start, f.end)
                if m.group(0)[:1].isupper()
                and not any(m.start() < b and a < m.end() for a, b in covered)
            ]
        )
    shift = [sum(len(lab) - (b - a) for a, b, lab in edits if b <= start) for start, _, _ in out]
    return [(a + d, b + d, w) for (a, b, w), d in zip(out, shift, strict=True)]


_LETTERS = re.compile(r"[^\W\d_]+")
_NAME_KEY = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def splice(
    text: str, edits: list[tuple[int, int, str]], labels: list[tuple[int, int]]
) -> tuple[str, list[tuple[int, int]]]:
    """`text` with each (start, end, label) edit made (in order, none overlapping), and
    where every label lies afterwards: the edits' own and `labels`, moved with the text."""
    out: list[str] = []
    placed: list[tuple[int, int]] = []
    moves: list[tuple[int, int]] = []  # (position in the old text, shift from there on)
    shift = pos = 0
    for a, b, label in edits:
        out.append(text[pos:a])
        out.append(label)
        placed.append((a + shift, a + shift + len(label)))
        shift += len(label) - (b - a)
        moves.append((b, shift))
        pos = b
    out.append(text[pos:])

    def moved(i: int) -> int:
        return i + next((d for end, d in reversed(moves) if end <= i), 0)

    placed += [(moved(a), moved(b)) for a, b in labels]
    return "".join(out), sorted(placed)


def written_lower(texts: Iterable[str]) -> set[str]:
    """The words the texts write in lower case as words: not inside an e-mail address, a
    web address or a file name ("osmo.kosonen@norrby.se", "intervju_osmo_0302"), which
    write names in lower case and say nothing of whether the word is a name."""
    return {
        w
        for t in texts
        for token in t.split()
        if not _ADDRESS_LIKE.search(token)
        for w in _LETTERS.findall(token)
        if w.islower()
    }


_ADDRESS_LIKE = re.compile(r"[@_/]|\w\.\w")

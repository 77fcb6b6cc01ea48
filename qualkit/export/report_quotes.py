"""Quotes for a report: signed as the attribution setting says, chosen by relevance, cut with […].

Pinned quotes (`qualkit quote pin`) come first; the rest are ranked by how much of the
factor's own vocabulary (label and definition) they carry, so a report shows the passage
that speaks to the factor rather than the longest one. Long passages are cut to their
most relevant sentences and every cut is marked […].
"""

from __future__ import annotations

import numbers
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from qualkit.export.report_records import Attribution, Quote
from qualkit.model import Code, Participant, Valence
from qualkit.privacy import Redactor

if TYPE_CHECKING:
    import pandas as pd

CUT = "[…]"
# A quote longer than this is cut to its most relevant sentences.
MAX_QUOTE_CHARS = 320
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def attribution(
    person: Participant | None,
    group_type: str,
    kommun: str,
    setting: Attribution,
    *,
    with_kommun: bool,
    unknown: str,
    red: Redactor | None = None,
) -> str:
    """'FK, medarbetare', 'FK', or 'handläggare, FK'; ', Norrby' added where asked.
    A role is typed text ("kurator hos Gunborg"), so it passes `red` when given."""
    if person is None or person.actor is None:
        parts = [unknown]
    elif setting is Attribution.ROLE_ACTOR:
        parts = [red.redact(person.attribution) if red is not None else person.attribution]
    elif setting is Attribution.ACTOR:
        parts = [person.actor.value]
    else:
        parts = [person.actor.value] + ([group_type] if group_type else [])
    if with_kommun and kommun:
        parts.append(kommun)
    return ", ".join(parts)


def _stems(text: str) -> set[str]:
    # Swedish inflects by suffix: the first five letters of a longer word stand for it.
    return {w[:5] for w in _WORD.findall(text.casefold()) if len(w) >= 4}


def vocabulary(code: Code, lang: str) -> set[str]:
    return _stems(f"{code.label_sv} {code.label_en if lang == 'en' else ''} {code.description}")


def relevance(text: str, vocab: set[str]) -> float:
    """Share of the factor's vocabulary in the passage, with a nudge towards readable length."""
    hits = len(_stems(text) & vocab)
    length = len(text)
    fit = 1.0 if 80 <= length <= MAX_QUOTE_CHARS else 0.6 if length >= 40 else 0.2
    return hits + fit


def cut(text: str, vocab: set[str], limit: int = MAX_QUOTE_CHARS) -> str:
    """The passage's most relevant run of sentences within `limit`, each cut marked […]."""
    if len(text) <= limit:
        return text
    sentences = [s for s in _SENTENCE.split(text) if s]
    best: tuple[float, int, int] | None = None
    for i in range(len(sentences)):
        length = 0
        for j in range(i, len(sentences)):
            length += len(sentences[j]) + 1
            if length > limit and j > i:
                break
            score = sum(len(_stems(s) & vocab) for s in sentences[i : j + 1]) + 0.001 * length
            if best is None or score > best[0]:
                best = (score, i, j)
    assert best is not None
    _, i, j = best
    body = " ".join(sentences[i : j + 1])
    if len(body) > limit:  # one sentence longer than the limit: cut at a word
        body = body[:limit].rsplit(" ", 1)[0]
        j = -1
    return (f"{CUT} " if i > 0 else "") + body + (f" {CUT}" if j != len(sentences) - 1 else "")


def collect(
    frame: pd.DataFrame,
    participants: Mapping[str, Participant],
    red: Redactor,
    codes: Sequence[Code],
    *,
    lang: str,
    setting: Attribution,
    with_kommun: bool,
    pinned: set[int],
    segment_texts: Mapping[int, str] | None = None,
) -> defaultdict[tuple[str, Valence], list[Quote]]:
    """Per (code, valence), every quotable passage, pinned first, then by relevance.
    `segment_texts` (segment id -> text) lets a span coding be quoted in whole words."""
    unknown = "okänd talare" if lang == "sv" else "unknown speaker"
    vocab = {c.key: vocabulary(c, lang) for c in codes}
    scored: defaultdict[tuple[str, Valence], list[tuple[float, Quote]]] = defaultdict(list)
    for row in frame.itertuples(index=False):
        try:
            valence = Valence(str(row.valence))
        except ValueError:
            continue
        person = (
            participants.get(str(row.participant)) if isinstance(row.participant, str) else None
        )
        kommun = str(row.kommun) if isinstance(row.kommun, str) else ""
        group = str(row.group_type) if isinstance(row.group_type, str) else ""
        # A speaker label could be a name, so it is never used to sign a quote.
        signed = attribution(
            person, group, kommun, setting, with_kommun=with_kommun, unknown=unknown, red=red
        )
        raw = str(row.text)
        whole = (segment_texts or {}).get(int(row.segment_id))
        if whole is not None and _given(row.span_start) and _given(row.span_end):
            raw = span_quote(whole, int(row.span_start), int(row.span_end))
        text = _SPACE.sub(" ", red.redact(raw)).strip()
        if not text:
            continue
        words = vocab.get(str(row.code), set())
        coding_id = int(row.coding_id)
        pin = coding_id in pinned
        score = (1000.0 if pin else 0.0) + relevance(text, words)
        quote = Quote(cut(text, words), signed, valence, kommun, coding_id, pin)
        scored[(str(row.code), valence)].append((score, quote))
    out: defaultdict[tuple[str, Valence], list[Quote]] = defaultdict(list)
    for key, items in scored.items():
        items.sort(key=lambda item: -item[0])  # stable: equal scores keep transcript order
        out[key] = [q for _, q in items]
    return out


def _given(value: object) -> bool:
    """A span bound from the frame: None or NaN where the coding has no span."""
    return isinstance(value, numbers.Real) and value == value


def span_quote(text: str, start: int, end: int) -> str:
    """A coded span as a quote: widened to whole words (a coder's mouse rarely lands on a
    word's edge), with what is left out of the turn marked […], as the reports promise."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    inner = text[start:end].strip()
    before = "[…] " if text[:start].strip() else ""
    after = " […]" if text[end:].strip() else ""
    return f"{before}{inner}{after}" if inner else ""


def pick(quotes: Iterable[Quote], n: int) -> tuple[Quote, ...]:
    """The first `n` by rank, every pin kept, different voices before a second from one."""
    ranked = list(quotes)
    chosen: list[Quote] = [q for q in ranked if q.pinned]
    texts = {q.text for q in chosen}
    voices = {q.attribution for q in chosen}
    for first_pass in (True, False):
        for q in ranked:
            if len(chosen) >= n:
                return tuple(chosen)
            if q.text in texts or (first_pass and q.attribution in voices):
                continue
            chosen.append(q)
            voices.add(q.attribution)
            texts.add(q.text)
    return tuple(chosen)

"""The study's own words for Whisper: which terms, in what order, and how many fit.

Whisper base mishears the names of kommuner, authorities and methods
("Försäkringskassan", "samordningsförbund", "SIP"). Given as hotwords, these words sit
in the decoder's prompt for every 30-second chunk and pull the decoding towards their
spelling. The prompt has room for at most 223 tokens and every token taken from it is a
token less for the words the decoder writes, so the terms are chosen by priority until
a token budget is spent.

Pure logic: the seeds (actors and domain terms, shipped here as data), merging the seeds
with what the user added or removed, and fitting terms into the budget. Where the
project's terms come from is `qualkit.glossary`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from qualkit.errors import InputError


class TermSource(StrEnum):
    """Where a glossary term comes from; the order is the priority when the budget is short."""

    USER = "tillagd"
    KOMMUN = "kommun"
    ACTOR = "aktör"
    DOMAIN = "fackord"
    CODEBOOK = "kodbok"

    @property
    def seeded(self) -> bool:
        return self is not TermSource.USER


PRIORITY: tuple[TermSource, ...] = tuple(TermSource)

# The collaborating actors by the names people say aloud (model.Actor has the short forms).
ACTOR_TERMS: tuple[str, ...] = (
    "Försäkringskassan",
    "Arbetsförmedlingen",
    "kommunen",
    "regionen",
    "vårdcentralen",
    "socialtjänsten",
    "psykiatrin",
)

# Words of coordinated rehabilitation and FINSAM that a general model rarely saw
# (DOMAIN.md). Ordered by how often they come up in focus groups of the field.
DOMAIN_TERMS: tuple[str, ...] = (
    "samordningsförbund",
    "samverkan",
    "SIP",
    "rehabkoordinator",
    "försörjningsstöd",
    "sjukpenning",
    "aktivitetsersättning",
    "handläggare",
    "arbetsförmedlare",
    "socialsekreterare",
    "samverkanskoordinator",
    "arbetsmarknadsenheten",
    "AME",
    "FINSAM",
    "kurator",
    "arbetsterapeut",
    "funktionsbrevlåda",
    "avstämningsmöte",
    "arbetsträning",
    "lönebidrag",
    "sjukskrivning",
)

# A codebook label contributes its long words (Swedish compounds: "ansvarsfördelning",
# "kontaktvägar"): short words are the ones Whisper gets right without help.
_MIN_LABEL_WORD = 9
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")

# faster-whisper cuts hotwords at 223 tokens; every prompt token also shortens the room
# left for the transcript in Whisper's 448-token window, so qualkit stays well below.
DEFAULT_TOKEN_BUDGET = 150
MAX_TERM_CHARS = 60


@dataclass(frozen=True, slots=True)
class Term:
    text: str
    source: TermSource

    @property
    def seeded(self) -> bool:
        return self.source.seeded


def clean_term(text: str) -> str:
    """A term as stored: one line, single spaces; a clear error for what cannot be one."""
    term = " ".join(text.split())
    if not term:
        raise InputError("A glossary term cannot be empty.")
    if len(term) > MAX_TERM_CHARS:
        raise InputError(
            f"Glossary term {term[:20]!r}... is {len(term)} characters: give words or short "
            f"names (at most {MAX_TERM_CHARS} characters), not sentences."
        )
    if not any(ch.isalnum() for ch in term):
        raise InputError(f"Glossary term {term!r} has no letters or digits.")
    return term


def codebook_terms(labels: Iterable[str]) -> list[str]:
    """The long words of codebook labels, in order of first appearance, each once."""
    seen: set[str] = set()
    out: list[str] = []
    for label in labels:
        for word in _WORD.findall(label):
            key = word.casefold()
            if len(word) >= _MIN_LABEL_WORD and key not in seen:
                seen.add(key)
                out.append(word.lower() if word[1:].islower() else word)
    return out


def seed_terms(kommuner: Iterable[str], codebook_labels: Iterable[str]) -> list[Term]:
    """The seeds of a study: its kommun names, the actors, the domain terms, and the long
    words of its codebook labels, in priority order."""
    seeds = [Term(" ".join(k.split()), TermSource.KOMMUN) for k in kommuner if k.strip()]
    seeds += [Term(t, TermSource.ACTOR) for t in ACTOR_TERMS]
    seeds += [Term(t, TermSource.DOMAIN) for t in DOMAIN_TERMS]
    seeds += [Term(t, TermSource.CODEBOOK) for t in codebook_terms(codebook_labels)]
    return seeds


def merge_terms(seeds: Iterable[Term], added: Sequence[str], removed: Iterable[str]) -> list[Term]:
    """The glossary in priority order: the user's terms, then the seeds the user kept.

    A term is listed once (case-insensitively), under its highest-priority source."""
    gone = {t.casefold() for t in removed}
    out: dict[str, Term] = {}
    candidates = [Term(t, TermSource.USER) for t in added] + sorted(
        seeds, key=lambda t: PRIORITY.index(t.source)
    )
    for term in candidates:
        key = term.text.casefold()
        if key in out or (term.seeded and key in gone):
            continue
        out[key] = term
    return list(out.values())


def fit_terms(
    terms: Sequence[str],
    count_tokens: Callable[[str], int],
    budget: int = DEFAULT_TOKEN_BUDGET,
) -> tuple[str, ...]:
    """The terms, in order, that fit `budget` tokens as hotwords ("a, b, c").

    A term that does not fit is skipped and later, shorter ones may still fit, so one
    long label does not shut out the kommun names after it."""
    chosen: list[str] = []
    for term in terms:
        if count_tokens(hotwords_text([*chosen, term])) <= budget:
            chosen.append(term)
    return tuple(chosen)


def hotwords_text(terms: Sequence[str]) -> str:
    """How the terms are put to Whisper: comma-separated, as a speaker would list them."""
    return ", ".join(terms)


def rough_token_count(text: str) -> int:
    """An upper estimate of Whisper tokens when no tokenizer is at hand: Swedish
    compounds average 3-4 characters a token; punctuation and spaces count too."""
    return len(text) // 2 + 1

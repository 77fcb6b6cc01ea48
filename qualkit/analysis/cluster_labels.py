"""Labels for candidate categories: the words most particular to each group of passages.

Class-based TF-IDF over the passages' words. Swedish and English stopwords (the maintained
stopwords-iso lists), words found in most passages, word pieces broken at a PDF line end
("perspek-") and person names never appear (those the name finder sees, and in a project
every word its redactor replaces: `named_words`); inflections of one word count once.

Measured and not the default (BENCHMARKS.md, "Cluster proposals", 2026-12-03): with
`prior_words` each word is scored instead by its log-odds in the group against the rest of
the material, with the material's frequencies as an informative Dirichlet prior, divided by
its standard error (Monroe, Colaresi and Quinn 2008, "Fightin' Words"), and with `generic`
(e.g. `GENERIC_WORDS`) more words never label a group. Generic label words fell on all five
benchmark sets, but small groups of talk were left with fewer words, which the rule fixed
beforehand counts as generic too: on the spoken set that made 11 into 12.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence
from functools import cache
from typing import Any

import numpy as np

from qualkit.names import find_names
from qualkit.redaction import Redactor

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)
# "samordnings- och" is fine Swedish, but text from PDFs also breaks words at line ends
# ("perspek-" / "tivet"): a word seen right before a hyphen and a space is no label.
_BROKEN = re.compile(r"([^\W\d_]+)-\s", re.UNICODE)


# Words that stopwords-iso lacks but that say nothing about a theme, found as labels of real
# groups ("behövs", "förekommer", "borde", "faktiskt"): modal and auxiliary verbs, verbs of
# saying, thinking and occurring, sentence adverbs and fillers of talk, and quantifying
# pronouns. Closed classes only: a content word stays, however common.
_GENERIC = """
    kan kunde kunnat ska skulle måste bör borde vill ville velat får fick fått behöver behövde
    behövt behövs brukar brukade lär verkar verkade tycks tror trodde tycker tyckte tänker
    tänkte vet visste menar menade anser ansåg säger sa sade sagt ser såg sett ses syns finns
    fanns funnits görs gjordes gör gjorde gjort blir blev blivit förekommer förekom förekommit
    sker skedde skett ingår ingick gäller gällde handlar innebär faktiskt egentligen liksom
    ärligt kanske typ alltså ju väl nog särskilt både samt dock precis bara sen sedan ändå
    också även redan fortfarande ganska jättemycket jätte lite mycket egen eget egna själv
    själva olika vissa flera övriga hela
"""
GENERIC_WORDS = frozenset(_GENERIC.split())
# Strength of the background prior, in words: the whole material's word frequencies count as
# this many extra words. With 100, more generic words reached the labels of the benchmark
# sets than with 1000 (BENCHMARKS.md, "Cluster proposals").
PRIOR_WORDS = 1000.0


@cache
def stopwords() -> frozenset[str]:
    """Swedish and English stopwords from the maintained stopwords-iso lists."""
    try:
        import stopwordsiso
    except ImportError:  # labels get worse, nothing breaks
        return frozenset()
    return frozenset(w.casefold() for w in stopwordsiso.stopwords(["sv", "en"]))


def _same_stem(a: str, b: str) -> bool:
    """Inflections of one word ("samordningsförbund", "-förbundet", "-förbundets"): one label."""
    shared = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    return shared >= max(5, 0.8 * max(len(a), len(b)))


def _log_odds(
    group: Counter[str], everywhere: Counter[str], prior_words: float
) -> dict[str, float]:
    """z-score of each group word's log-odds in the group against the rest of the material,
    with the material's own frequencies as the informative Dirichlet prior."""
    n_all = sum(everywhere.values()) or 1
    n_in = sum(group.values())
    n_out = n_all - n_in
    weight = {}
    for w, y_in in group.items():
        prior = prior_words * everywhere[w] / n_all
        y_out = everywhere[w] - y_in
        delta = np.log((y_in + prior) / (n_in + prior_words - y_in - prior)) - np.log(
            (y_out + prior) / (n_out + prior_words - y_out - prior)
        )
        weight[w] = float(delta / np.sqrt(1 / (y_in + prior) + 1 / (y_out + prior)))
    return weight


def named_words(texts: Sequence[str], red: Redactor) -> frozenset[str]:
    """Words (casefolded) the redactor replaces somewhere in `texts`: the project's
    registered and reviewed names and everything its detector finds, in their context."""
    out: set[str] = set()
    for text in texts:
        before = Counter(w.casefold() for w in _WORD.findall(text))
        after = Counter(w.casefold() for w in _WORD.findall(red.redact(text, count=False)))
        out.update(before - after)
    return frozenset(out)


def keywords_for(
    texts: Sequence[str],
    labels: Any,
    top: int = 6,
    common: float = 0.4,
    *,
    names: Collection[str] = (),
    prior_words: float | None = None,
    generic: Collection[str] = (),
) -> Any:
    """Class-based TF-IDF: the words most particular to each group, no stopwords, no
    names (`names`: more words that are names here, casefolded, e.g. `named_words`).
    `prior_words`: score by log-odds against the rest with a prior this strong instead
    (`PRIOR_WORDS`); `generic`: more words that never label a group (`GENERIC_WORDS`)."""
    stop = set(stopwords()) | {w.casefold() for w in generic}
    stop.update(w.casefold() for w in names)
    stop.update(m.casefold() for text in texts for m in _BROKEN.findall(text))
    # A name said often in one group ("Olle" in a case story) is no theme, and a label is
    # shown and exported: person names never label a group.
    stop.update(
        w.casefold()
        for text in texts
        for a, b in find_names(text)
        for w in _WORD.findall(text[a:b])
    )
    docs = [
        [w for w in (t.casefold() for t in _WORD.findall(text)) if len(w) > 2 and w not in stop]
        for text in texts
    ]
    doc_freq = Counter(w for d in docs for w in set(d))
    limit = max(2, common * len(docs))
    groups = sorted(g for g in set(labels.tolist()) if g >= 0)
    tf: dict[int, Counter[str]] = {g: Counter() for g in groups}
    in_docs: dict[int, Counter[str]] = {g: Counter() for g in groups}
    everywhere = Counter[str]()
    for d, g in zip(docs, labels.tolist(), strict=True):
        kept = [w for w in d if doc_freq[w] <= limit]
        everywhere.update(kept)
        if g >= 0:
            tf[g].update(kept)
            in_docs[g].update(set(d))
    total = Counter[str]()
    for counts in tf.values():
        total.update(counts)
    avg = np.mean([sum(c.values()) for c in tf.values()]) if tf else 1.0
    out: dict[int, tuple[str, ...]] = {}
    for g in groups:
        if prior_words is None:
            size = sum(tf[g].values()) or 1
            weight = {w: (n / size) * np.log(1 + avg / total[w]) for w, n in tf[g].items()}
        else:
            weight = _log_odds(tf[g], everywhere, prior_words)
        # A word used by one speaker once is an accident, not a theme: preferred are words
        # of two passages or more. A small group whose passages share no such word (three
        # people saying one thing in their own words) would then have no label at all, so
        # it falls back to its words of one passage, and then to words so common in the
        # material that they are no label elsewhere: a weaker label, never none.
        shared = [w for w in weight if in_docs[g][w] >= 2 or len(tf[g]) < top]
        tiers = [
            sorted(shared, key=lambda w: (-weight[w], w)),
            sorted(weight, key=lambda w: (-weight[w], w)),
            [w for w, _n in sorted(in_docs[g].items(), key=lambda wn: (-wn[1], wn[0]))],
        ]
        chosen: list[str] = []
        for tier in tiers:
            for w in tier:
                if len(chosen) == top:
                    break
                if not any(_same_stem(w, c) for c in chosen):
                    chosen.append(w)
            if chosen:
                break
        out[g] = tuple(chosen)
    return out

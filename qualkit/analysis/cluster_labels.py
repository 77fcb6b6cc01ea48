"""Labels for candidate categories: the words most particular to each group of passages.

Class-based TF-IDF over the passages' words. Swedish and English stopwords (the maintained
stopwords-iso lists), words found in most passages, word pieces broken at a PDF line end
("perspek-") and person names never appear (those the name finder sees, and in a project
every word its redactor replaces: `named_words`); inflections of one word count once.
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
) -> Any:
    """Class-based TF-IDF: the words most particular to each group, no stopwords, no
    names (`names`: more words that are names here, casefolded, e.g. `named_words`)."""
    stop = set(stopwords())
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
    for d, g in zip(docs, labels.tolist(), strict=True):
        if g >= 0:
            tf[g].update(w for w in d if doc_freq[w] <= limit)
            in_docs[g].update(set(d))
    total = Counter[str]()
    for counts in tf.values():
        total.update(counts)
    avg = np.mean([sum(c.values()) for c in tf.values()]) if tf else 1.0
    out: dict[int, tuple[str, ...]] = {}
    for g in groups:
        size = sum(tf[g].values()) or 1
        weight = {w: (n / size) * np.log(1 + avg / total[w]) for w, n in tf[g].items()}
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

"""Counting for a report: valence counts, co-occurrence, the regional comparison, relations.

The regional comparison claims a difference only from enough material: a kommun with
fewer than MIN_N_COMPARE coded passages is named with its n, not compared.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from qualkit.analysis.agreement import CONSENSUS_CODER
from qualkit.export.report_records import (
    MIN_N_COMPARE,
    REPORT_ACTORS,
    CommonFactor,
    Comparison,
    FactorDifference,
    Relation,
    Relations,
    ValenceCount,
)
from qualkit.model import Code, Valence

INTEGRATION_CODEBOOK = "integrationsnivaer"


def count(label: str, valences: Iterable[object]) -> ValenceCount:
    """Every coding counted once: a coding without valence is shown, not dropped."""
    c = Counter(str(v) for v in valences)
    promoting = c[Valence.PROMOTING.value]
    hindering = c[Valence.HINDERING.value]
    proposals = c[Valence.PROPOSAL.value]
    return ValenceCount(
        label=label,
        promoting=promoting,
        hindering=hindering,
        proposals=proposals,
        unvalued=sum(c.values()) - promoting - hindering - proposals,
    )


def settled(frame: pd.DataFrame, no_code: Iterable[int] = ()) -> pd.DataFrame:
    """The codings a report reads: where the coders agreed on a passage in a codebook (the
    konsensus coder, `qualkit resolve`), the agreed codings replace each coder's there.
    `no_code`: passages resolved by a consensus memo alone ("no code fits"); they keep no
    coder's codings, unless the consensus coded them in some codebook (then the memo
    belongs to that resolution)."""
    if frame.empty:
        return frame
    agreed = frame["coder"] == CONSENSUS_CODER
    pairs = pd.MultiIndex.from_frame(frame[["segment_id", "codebook"]])
    resolved = pairs.isin(pairs[agreed.to_numpy()])
    empty = set(no_code) - set(frame.loc[agreed, "segment_id"])
    keep = agreed | ~(resolved | frame["segment_id"].isin(empty))
    return frame[keep].reset_index(drop=True)


def passages(
    frame: pd.DataFrame, also: Sequence[str] = (), pinned: Iterable[int] = ()
) -> pd.DataFrame:
    """One row per passage, code and valence, however many coders (or a coder twice, the
    whole turn and a span of it) coded it: a kommun coded by three people must not look
    three times as talkative. The row kept is a pinned coding's if one is (a pin must not
    vanish), else a span coding's, so a quote is what a coder marked. `also`: more columns
    that tell codings apart (the partner actor, for the relations)."""
    if frame.empty:
        return frame
    pins = set(pinned)
    ordered = frame.assign(
        _pin=~frame["coding_id"].isin(pins), _whole=frame["span_start"].isna()
    ).sort_values(["_pin", "_whole", "coding_id"], kind="stable")
    keys = ["segment_id", "code", "valence", *also]
    unique = ordered.drop_duplicates(keys).drop(columns=["_pin", "_whole"])
    return unique.sort_values("coding_id", kind="stable").reset_index(drop=True)


def cooccurrence(frame: pd.DataFrame, keys: Sequence[str]) -> tuple[tuple[int, ...], ...]:
    """Per pair of codes, the passages one coder gave both: two coders who disagree on a
    passage (one codes ledning, the other stabila_org) are no co-occurrence."""
    index = {k: i for i, k in enumerate(keys)}
    grid = [[0] * len(keys) for _ in keys]
    for _seg, rows in frame.groupby("segment_id"):
        pairs: set[tuple[int, int]] = set()
        for _coder, codes in rows.groupby("coder")["code"]:
            present = sorted({index[c] for c in codes if c in index})
            pairs.update((i, j) for i in present for j in present)
        for i, j in pairs:
            grid[i][j] += 1
    return tuple(tuple(row) for row in grid)


def dominant(c: ValenceCount) -> str:
    if c.promoting > c.hindering:
        return Valence.PROMOTING.value
    if c.hindering > c.promoting:
        return Valence.HINDERING.value
    if c.promoting:
        return "blandad"
    return Valence.PROPOSAL.value


def compare(
    frame: pd.DataFrame,
    codes: Sequence[Code],
    labels: Mapping[str, str],
    all_k: Sequence[str],
    integration: tuple[tuple[str, str, int], ...] = (),
    min_n: int = MIN_N_COMPARE,
) -> Comparison:
    names = tuple(all_k)
    n_by = Counter(str(k) for k in frame["kommun"].dropna())
    uncoded = tuple(k for k in names if not n_by[k])
    thin = tuple((k, n_by[k]) for k in names if 0 < n_by[k] < min_n)
    enough = {k for k in names if n_by[k] >= min_n}
    matrix = []
    common: list[CommonFactor] = []
    differences: list[FactorDifference] = []
    for code in codes:
        key = code.key
        rows = frame[frame["code"] == key]
        per = tuple(count(k, rows[rows["kommun"] == k]["valence"]) for k in names)
        matrix.append((labels[key], per))
        compared = [c for c in per if c.label in enough]
        if len(compared) < 2 or not any(c.total for c in compared):
            continue
        main = {c.label: dominant(c) for c in compared if c.total}
        missing = tuple(c.label for c in compared if not c.total)
        if not missing:
            common.append(CommonFactor(labels[key], dominant(count(labels[key], rows["valence"]))))
        if missing or len(set(main.values())) > 1:

            def where(value: str, main: dict[str, str] = main) -> tuple[str, ...]:
                return tuple(k for k, d in main.items() if d == value)

            differences.append(
                FactorDifference(
                    labels[key],
                    promoting_in=where(Valence.PROMOTING.value),
                    hindering_in=where(Valence.HINDERING.value),
                    mixed_in=where("blandad"),
                    proposals_in=where(Valence.PROPOSAL.value),
                    missing_in=missing,
                )
            )
    return Comparison(
        names,
        tuple(matrix),
        tuple(common),
        tuple(differences),
        uncoded,
        thin,
        tuple((k, n_by[k]) for k in names),
        min_n,
        integration,
    )


def integration_levels(
    frame: pd.DataFrame, labels: Mapping[str, str]
) -> tuple[tuple[str, str, int], ...]:
    """Per kommun, the integration level coded most often (and how often)."""
    rows = frame[frame["codebook"] == INTEGRATION_CODEBOOK]
    out = []
    for kommun, group in rows.groupby("kommun"):
        top, n = Counter(str(c) for c in group["code"]).most_common(1)[0]
        out.append((str(kommun), labels.get(top, top), n))
    return tuple(sorted(out))


def _relations(frame: pd.DataFrame) -> tuple[Relation, ...]:
    out = []
    actors = [a.value for a in REPORT_ACTORS]
    for speaker in actors:
        for partner in actors:
            rows = frame[(frame["actor"] == speaker) & (frame["partner_actor"] == partner)]
            if len(rows):
                out.append(
                    Relation(speaker, partner, count(f"{speaker}→{partner}", rows["valence"]))
                )
    return tuple(out)


def relations(frame: pd.DataFrame, by_kommun: Sequence[str] = ()) -> Relations:
    """Who speaks about whom: codings by speaker actor and the partner actor they name."""
    named = frame[frame["partner_actor"].notna() & (frame["partner_actor"] != "")]
    per_kommun = tuple((k, _relations(named[named["kommun"] == k])) for k in by_kommun)
    return Relations(
        actors=tuple(a.value for a in REPORT_ACTORS),
        relations=_relations(named),
        n=len(named),
        by_kommun=per_kommun,
    )

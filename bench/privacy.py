"""Recall and precision of personal-data detection on synthetic Swedish talk.

    PYTHONPATH=. python bench/privacy.py [--data bench/data/pii_sv.jsonl]

Gold spans come from bench/make_pii_data.py. A detected span counts as a hit when it
overlaps a gold span of the same kind (the redaction then covers it); the exact-match
figure is printed too. Baseline, measured in the same run: a plain lookup that flags
every capitalised word in the name lists and every digit run shaped like a personnummer
(no check digit) or a phone number, as a simple script would.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from qualkit.pseudonymise import EMAIL_RE, KINDS, Finding, detect, name_lists

DATA = Path(__file__).parent / "data" / "pii_sv.jsonl"
CORPUS = Path("/work/shared/corpus")
CORPUS_GOLD = Path(__file__).parent / "data" / "corpus_pii.json"


def baseline(text: str) -> list[Finding]:
    firsts, lasts = name_lists()
    out: list[Finding] = []
    for m in EMAIL_RE.finditer(text):
        out.append(Finding("email", m.start(), m.end(), m.group(0)))
    for m in re.finditer(r"(?<!\d)(?:\d{2})?\d{6}[-+]?\d{4}(?!\d)", text):
        out.append(Finding("personnummer", m.start(), m.end(), m.group(0)))
    for m in re.finditer(r"(?<![\d+])(?:\+46|0)[\d -]{7,14}\d", text):
        out.append(Finding("phone", m.start(), m.end(), m.group(0)))
    for m in re.finditer(r"\b[A-ZÅÄÖ][a-zåäöé]+(?:gatan|vägen) \d+", text):
        out.append(Finding("address", m.start(), m.end(), m.group(0)))
    for m in re.finditer(r"\b[A-ZÅÄÖ][a-zåäöé]+\b", text):
        if m.group(0) in firsts or m.group(0) in lasts:
            out.append(Finding("name", m.start(), m.end(), m.group(0)))
    return out


@dataclass
class Score:
    gold: int = 0
    hit_gold: int = 0
    exact: int = 0
    predicted: int = 0
    hit_predicted: int = 0

    @property
    def recall(self) -> float:
        return self.hit_gold / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.hit_predicted / self.predicted if self.predicted else 1.0

    @property
    def exact_recall(self) -> float:
        return self.exact / self.gold if self.gold else 1.0


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def evaluate(
    rows: Iterable[dict[str, object]], detector: Callable[[str], list[Finding]]
) -> tuple[dict[str, Score], dict[str, Score], float]:
    """Scores per kind, name recall split by list/outside-list, and seconds taken."""
    scores = {k: Score() for k in KINDS}
    names = {"in lists": Score(), "outside lists": Score()}
    elapsed = 0.0
    for row in rows:
        text = str(row["text"])
        gold = row["spans"]
        assert isinstance(gold, list)
        t0 = time.perf_counter()
        found = detector(text)
        elapsed += time.perf_counter() - t0
        for kind in KINDS:
            g = [
                (int(s["start"]), int(s["end"]), bool(s["rare"])) for s in gold if s["kind"] == kind
            ]
            p = [(f.start, f.end) for f in found if f.kind == kind]
            sc = scores[kind]
            sc.gold += len(g)
            sc.predicted += len(p)
            for gs, ge, rare in g:
                hit = any(overlaps((gs, ge), q) for q in p)
                sc.hit_gold += hit
                sc.exact += (gs, ge) in p
                if kind == "name":
                    part = names["outside lists" if rare else "in lists"]
                    part.gold += 1
                    part.hit_gold += hit
            sc.hit_predicted += sum(any(overlaps(q, (gs, ge)) for gs, ge, _ in g) for q in p)
    return scores, names, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--misses", action="store_true", help="print missed and false spans")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="real report prose (folder)")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line]
    name_lists()  # load once, outside the timing
    base, base_names, base_s = evaluate(rows, baseline)
    ours, our_names, our_s = evaluate(rows, detect)
    n_chars = sum(len(str(r["text"])) for r in rows)
    print(f"{len(rows)} utterances, {n_chars} characters, data {args.data}")
    print()
    print(
        "| kind | gold | recall | precision | exact-span recall | baseline recall | "
        "baseline precision | precision ratio |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for kind in KINDS:
        o, b = ours[kind], base[kind]
        ratio = o.precision / b.precision if b.precision else float("inf")
        print(
            f"| {kind} | {o.gold} | {o.recall:.3f} | {o.precision:.3f} | {o.exact_recall:.3f} "
            f"| {b.recall:.3f} | {b.precision:.3f} | {ratio:.2f}x |"
        )
    print()
    for part, sc in our_names.items():
        print(
            f"name recall, {part}: {sc.recall:.3f} ({sc.hit_gold}/{sc.gold}); "
            f"baseline {base_names[part].recall:.3f}"
        )
    print(
        f"time: qualkit {our_s * 1000:.1f} ms, baseline {base_s * 1000:.1f} ms "
        f"({our_s / base_s:.1f}x) for {n_chars} characters"
    )
    # Project-wide: once a string is found anywhere and accepted, the Redactor replaces
    # it everywhere; this is the recall an export sees after "accept all".
    from qualkit.privacy import Redactor

    pairs = {f.text: f"[{f.kind}]" for r in rows for f in detect(str(r["text"]))}
    red = Redactor.from_pairs(pairs)
    leaked = {k: 0 for k in KINDS}
    totals = {k: 0 for k in KINDS}
    for row in rows:
        redacted = red.redact(str(row["text"]))
        for sp in row["spans"]:
            totals[sp["kind"]] += 1
            leaked[sp["kind"]] += str(sp["text"]) in redacted
    print(
        "after accepting every proposal, share of gold spans gone from the text: "
        + ", ".join(f"{k} {1 - leaked[k] / totals[k]:.3f}" for k in KINDS if totals[k])
    )
    demo = Path(__file__).resolve().parents[1] / "audio" / "demo" / "fokusgrupp_demo.txt"
    if demo.exists():
        talk = [
            ln.split(":", 1)[1] for ln in demo.read_text(encoding="utf-8").splitlines() if ":" in ln
        ]
        false = [f.text for t in talk for f in detect(t)]
        print(
            f"demo transcript (no personal data, {len(talk)} turns): {len(false)} findings "
            f"{false}; baseline {sum(len(baseline(t)) for t in talk)}"
        )
    # Swedish prose written by others for another purpose: every finding is a false one.
    from qualkit.codebook import load_codebook, shipped_codebooks

    prose = []
    for path in shipped_codebooks():
        book = load_codebook(path)
        prose += [book.description] + [f"{c.label_sv}. {c.description}" for c in book.codes]
    false = [f.text for t in prose for f in detect(t)]
    print(
        f"shipped codebook prose ({sum(map(len, prose))} characters, no personal data): "
        f"{len(false)} findings {false}; baseline {sum(len(baseline(t)) for t in prose)}"
    )
    corpus_section(args.corpus)
    if args.misses:
        for row in rows:
            text = str(row["text"])
            found = detect(text)
            for s in row["spans"]:
                if not any(
                    f.kind == s["kind"] and overlaps((f.start, f.end), (s["start"], s["end"]))
                    for f in found
                ):
                    print("MISS", s["kind"], repr(s["text"]), "|", text)
            for f in found:
                if not any(
                    f.kind == s["kind"] and overlaps((f.start, f.end), (s["start"], s["end"]))
                    for s in row["spans"]
                ):
                    print("FALSE", f.kind, repr(f.text), "|", text)


def corpus_rows(folder: Path) -> list[dict[str, object]]:
    """Paragraphs of the real reports with every occurrence of a labelled string as gold."""
    gold = json.loads(CORPUS_GOLD.read_text(encoding="utf-8"))["spans"]
    rows: list[dict[str, object]] = []
    for path in sorted(folder.glob("*.txt")):
        for para in path.read_text(encoding="utf-8").split("\n"):
            spans = []
            for kind, strings in gold.items():
                for s in strings:
                    for m in re.finditer(r"(?<!\w)" + re.escape(s) + r"(?!\w)", para):
                        spans.append(
                            {"kind": kind, "start": m.start(), "end": m.end(), "rare": False}
                        )
            rows.append({"text": para, "spans": spans})
    return rows


def corpus_section(folder: Path) -> None:
    """Recall and precision on real Swedish report prose that nobody here wrote."""
    if not folder.is_dir():
        print(f"corpus {folder} not found: real-prose section skipped")
        return
    rows = corpus_rows(folder)
    n_chars = sum(len(str(r["text"])) for r in rows)
    base, _, _ = evaluate(rows, baseline)
    ours, _, _ = evaluate(rows, detect)
    print()
    print(f"real report prose: {folder} ({n_chars} characters, labels {CORPUS_GOLD.name})")
    print("| kind | gold | recall | precision | findings | baseline recall | baseline precision |")
    print("|---|---|---|---|---|---|---|")
    for kind in KINDS:
        o, b = ours[kind], base[kind]
        if not (o.gold or o.predicted or b.predicted):
            continue
        print(
            f"| {kind} | {o.gold} | {o.recall:.3f} | {o.precision:.3f} | {o.predicted} "
            f"| {b.recall:.3f} | {b.precision:.3f} |"
        )


if __name__ == "__main__":
    main()

"""Benchmark: the study's glossary given to Whisper, against no glossary, in one run.

    nice -n 10 python bench/glossary.py [--modes off hotwords prompt both] [--tokens 150 60]
        [--write BENCHMARKS.md]

Thirty focus-group sentences full of the field's terms (kommuner of Höglandet, the
actors, samordningsförbund, SIP, försörjningsstöd ...), spoken by two espeak-ng voices,
are transcribed with the packaged whisper-base (faster-whisper int8, qualkit's own
options and windows) once per way of giving the glossary: none, as hotwords, as the
initial prompt, as both. The glossary is the one `qualkit glossary list` would show for
a project with those six kommuner, the Danermark codebook and "Höglandet" added by the
user, fitted to the token budget by the same code as `qualkit transcribe`.

Term recall: of the glossary terms spoken in the reference (a word counts for the
longest term it starts with, so "Samordningsförbundet" counts for samordningsförbund;
acronyms must match whole), the share that comes out in the transcript, counted per
term as min(said, transcribed). WER over the whole text (jiwer, normalised).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_md import publish  # noqa: E402

OUT = REPO / "bench" / "out"
HEADING = "## The study's own words: glossary (bench/glossary.py)"

KOMMUNER = ("Aneby", "Eksjö", "Nässjö", "Sävsjö", "Tranås", "Vetlanda")
USER_TERMS = ("Höglandet",)

SENTENCES = (
    "Vi har ett bra samarbete med Försäkringskassan här i Eksjö.",
    "Samordningsförbundet finansierar flera av våra insatser.",
    "När vi gör en SIP så sitter alla runt samma bord.",
    "Arbetsförmedlingen har blivit svårare att nå sedan de ändrade sina kontor.",
    "I Nässjö träffas vi varannan vecka med rehabkoordinatorn från vårdcentralen.",
    "Många av deltagarna har försörjningsstöd från socialtjänsten.",
    "Handläggaren på Försäkringskassan vet ofta inte vad kommunen kan erbjuda.",
    "I Vetlanda har vi en gemensam funktionsbrevlåda för alla ärenden.",
    "Det är svårt när någon går från sjukpenning till aktivitetsersättning.",
    "Samverkanskoordinatorn har intervjuat personal i alla sex kommuner på Höglandet.",
    "Arbetsmarknadsenheten i Tranås tar emot deltagare för arbetsträning.",
    "Vi borde ha ett avstämningsmöte tidigt i varje sjukskrivning.",
    "Kuratorn i psykiatrin och socialsekreteraren pratar sällan med varandra.",
    "I Sävsjö saknas en tydlig ansvarsfördelning mellan aktörerna.",
    "Arbetsförmedlaren och arbetsterapeuten borde planera tillsammans.",
    "FINSAM gör det möjligt att dela på kostnaderna.",
    "I Aneby är vi så få att alla känner varandra.",
    "Regionen och kommunen har olika syn på vem som har ansvaret.",
    "Lönebidrag från Arbetsförmedlingen kan vara en väg tillbaka.",
    "Vi behöver kontaktvägar som fungerar även när någon slutar.",
    "Personalomsättningen på Försäkringskassan gör det svårt att bygga relationer.",
    "En samordnad individuell plan, alltså en SIP, skrivs med personens samtycke.",
    "Samordningsförbundet på Höglandet har sex medlemskommuner.",
    "Vårdcentralen i Eksjö har en egen rehabkoordinator.",
    "Socialtjänsten i Nässjö och Arbetsförmedlingen har gemensamma målgrupper.",
    "Ledningen måste prioritera samverkan, annars händer ingenting.",
    "Försörjningsstödet ökar när sjukpenningen tar slut.",
    "I Vetlanda och Tranås har man provat gemensamma forum för beslut.",
    "Arbetsmarknadsenheten och Försäkringskassan borde dela lokaler.",
    "Vi har aldrig haft ett avstämningsmöte med psykiatrin.",
)


def glossary_terms() -> list[str]:
    from qualkit.codebook import load_codebook
    from qualkit.pipeline.glossary import merge_terms, seed_terms

    book = load_codebook(REPO / "qualkit" / "codebooks" / "danermark.yaml")
    seeds = seed_terms(KOMMUNER, (c.label_sv for c in book.codes))
    return [t.text for t in merge_terms(seeds, USER_TERMS, ())]


def make_audio() -> tuple[Path, str]:
    from qualkit.pipeline import synth

    wav = OUT / "glossary-30.wav"
    lines = [(("A", "B")[i % 2], s) for i, s in enumerate(SENTENCES)]
    if not wav.is_file():
        mix, _ = synth.converse(lines, synth.assign_voices(["A", "B"]), overlap_every=0)
        synth.write_wav(wav, mix)
    return wav, " ".join(SENTENCES)


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.casefold())


def term_counts(text: str, terms: list[str]) -> Counter[str]:
    """How often each single-word term is said: a word counts for the longest term it
    starts with; terms of up to four letters (SIP, AME) must match the whole word."""
    singles = sorted((t.casefold() for t in terms if " " not in t), key=len, reverse=True)
    found: Counter[str] = Counter()
    for word in _words(text):
        for term in singles:
            if word == term or (len(term) > 4 and word.startswith(term)):
                found[term] += 1
                break
    return found


def term_recall(reference: str, hypothesis: str, terms: list[str]) -> tuple[float, int, int]:
    ref, hyp = term_counts(reference, terms), term_counts(hypothesis, terms)
    said = sum(ref.values())
    heard = sum(min(n, hyp[t]) for t, n in ref.items())
    return heard / max(1, said), heard, said


def run(modes: list[str], budgets: list[int]) -> dict[str, Any]:
    from qualkit.pipeline.audio import ArrayAudio, PcmAudio, decode_to_pcm
    from qualkit.pipeline.metrics import wer
    from qualkit.pipeline.transcribe import TranscribeOptions, transcribe
    from qualkit.pipeline.whisper_backends import load_backend

    wav, reference = make_audio()
    pcm = OUT / "glossary-30.pcm"
    decode_to_pcm(wav, pcm)
    audio = PcmAudio(pcm)
    terms = glossary_terms()
    asr = load_backend(TranscribeOptions(), "cpu")
    transcribe(ArrayAudio(audio.read(0, 8)), asr, TranscribeOptions())  # warm up
    res: dict[str, Any] = {
        "duration_s": audio.duration_s,
        "terms": terms,
        "runs": {},
    }
    runs = [(m, b) for m in modes for b in (budgets if m != "off" else [0])]
    for mode, budget in runs:
        name = mode if mode == "off" else f"{mode}, {budget} tokens"
        opts = (
            TranscribeOptions()
            if mode == "off"
            else TranscribeOptions(glossary=tuple(terms), glossary_as=mode, glossary_tokens=budget)
        )
        fitted = asr.glossary_text(opts) if opts.glossary else ""  # type: ignore[attr-defined]
        t0, c0 = time.perf_counter(), time.process_time()
        tr = transcribe(audio, asr, opts)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        hyp = " ".join(s.text for s in tr.segments)
        recall, heard, said = term_recall(reference, hyp, terms)
        missed = term_counts(reference, terms) - term_counts(hyp, terms)
        res["runs"][name] = {
            "terms_given": len(fitted.split(", ")) if fitted else 0,
            "cpu_rtf": cpu / audio.duration_s,
            "recall": recall,
            "heard": heard,
            "said": said,
            "wer": wer(reference, hyp),
            "rtf": wall / audio.duration_s,
            "missed": dict(missed),
            "hypothesis": hyp,
        }
        print(
            name,
            json.dumps({k: v for k, v in res["runs"][name].items() if k != "hypothesis"}),
            flush=True,
        )
    pcm.unlink(missing_ok=True)
    return res


def report(res: dict[str, Any], cmd: str) -> str:
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    off = res["runs"].get("off")
    lines = [
        HEADING,
        "",
        f"`{cmd}`: 30 sentences ({res['duration_s']:.0f} s of two espeak-ng voices) full of "
        "the field's terms, packaged whisper-base (faster-whisper int8, beam 5, VAD, "
        "qualkit's windows and guards), every way in one run, one model load, on 2 shared "
        f"CPU cores (load when written: `{load}`; wall RTF follows the load, CPU RTF = CPU "
        "seconds of all threads per audio second does not). Glossary: the six Höglandet "
        "kommuner, the actors, the domain terms and the Danermark codebook's long label "
        f'words as seeds, plus "Höglandet" added by the user: {len(res["terms"])} terms in '
        "priority order; each budget takes as many as fit.",
        "",
        "| glossary given as | terms given | term recall | terms heard / said | WER "
        "| RTF wall | RTF CPU |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in res["runs"].items():
        lines.append(
            f"| {name} | {r['terms_given']} | {100 * r['recall']:.1f}% | {r['heard']} / "
            f"{r['said']} | {r['wer']:.3f} | {r['rtf']:.2f} | {r['cpu_rtf']:.2f} |"
        )
    if off:
        deltas = [
            f"{name}: recall {100 * (r['recall'] - off['recall']):+.1f} points, "
            f"WER {r['wer'] - off['wer']:+.3f}, CPU time {r['cpu_rtf'] / off['cpu_rtf']:.1f}×"
            for name, r in res["runs"].items()
            if name != "off"
        ]
        lines += [
            "",
            "Against no glossary (target: recall +20 points, WER no worse): "
            + "; ".join(deltas)
            + ".",
        ]
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--modes",
        nargs="+",
        default=["off", "hotwords", "prompt", "both"],
        choices=("off", "hotwords", "prompt", "both"),
    )
    ap.add_argument(
        "--tokens", type=int, nargs="+", default=[150], help="glossary token budgets to try"
    )
    ap.add_argument("--write", type=Path, help="update this BENCHMARKS.md")
    args = ap.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    res = run(args.modes, args.tokens)
    (OUT / "glossary.json").write_text(json.dumps(res, indent=1, ensure_ascii=False))
    cmd = "nice -n 10 python bench/glossary.py --modes " + " ".join(args.modes)
    section = report(res, cmd + " --tokens " + " ".join(map(str, args.tokens)))
    return publish(section, args.write, HEADING)


if __name__ == "__main__":
    raise SystemExit(main())

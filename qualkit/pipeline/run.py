"""Stage 5: the resumable batch runner.

Every stage reads the artefact of the stage before and writes its own, named by the
recording's sha256 and a hash of the options that shaped it. A killed batch picks up
where it stopped (artefacts are written atomically, so none is ever half there), and
a changed option reruns only the stages that depend on it. Models are loaded on
first need; the speaker model is kept for the whole batch, Whisper is let go while a
recording is diarised.

Logs and progress show names, durations and counts only: never transcript text,
because interview material is personal data.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from qualkit.errors import InputError, QualkitError
from qualkit.layout import file_stem
from qualkit.model import Recording, Stage, StageStatus
from qualkit.pipeline import outputs
from qualkit.pipeline.align import AlignedTranscript, align
from qualkit.pipeline.artefacts import (
    ArtefactStore,
    options_key,
    read_json,
    write_json,
    write_npy,
)
from qualkit.pipeline.audio import DECODER_VERSION, AudioInfo, PcmAudio, decode_to_pcm
from qualkit.pipeline.coded import kept_transcript, replaced_audio
from qualkit.pipeline.diarize import (
    Diarization,
    SpeakerEmbedder,
    diarize,
    load_embedder,
    offline_environment,
)
from qualkit.pipeline.models import describe_model, resolve_whisper_model
from qualkit.pipeline.overlap_model import LoadedOnFirstScore, OverlapScorer
from qualkit.pipeline.progress import (
    PipelineCancelled,
    Progress,
    RichProgress,
    RunResult,
    probe_duration,
)
from qualkit.pipeline.relabel import carry_labels
from qualkit.pipeline.run_options import WEIGHT, PipelineOptions, StageMissing
from qualkit.pipeline.source import current_sha
from qualkit.pipeline.transcribe import AsrBackend, Transcript, transcribe
from qualkit.pipeline.voice_embed import release_free_memory
from qualkit.pipeline.whisper_backends import load_backend
from qualkit.store import Store
from qualkit.voices import land_voices

__all__ = [
    "Pipeline",
    "PipelineOptions",
    "Progress",
    "RichProgress",
    "RunResult",
    "StageMissing",
    "carry_labels",
]

log = logging.getLogger(__name__)


class Pipeline:
    """One long-lived pipeline for a batch: models load on first use (see `_release_asr`)."""

    def __init__(
        self,
        store: Store,
        artefacts_dir: Path,
        transcripts_dir: Path,
        options: PipelineOptions | None = None,
        *,
        base_dir: Path | None = None,
        model_cache: Path | None = None,
        asr_backend: AsrBackend | None = None,
        embedder: SpeakerEmbedder | None = None,
        detector: OverlapScorer | None = None,
        progress: Progress | None = None,
        compute: bool = True,
    ) -> None:
        offline_environment()
        self.store = store
        self.artefacts = ArtefactStore(artefacts_dir)
        self.transcripts_dir = transcripts_dir
        self.options = options or PipelineOptions()
        self.base_dir = base_dir or store.path.parent
        self.model_cache = model_cache
        self._asr = asr_backend
        # A backend handed in belongs to the caller; one loaded here may be let go.
        self._owns_asr = asr_backend is None
        self._embedder = embedder
        # Loaded when it first scores, after the embedding (its peak memory is then not
        # raised by the detector's).
        self._detector = detector or LoadedOnFirstScore(self.options.device)
        self.progress = progress or Progress()
        # False: land what artefacts hold and raise StageMissing before any model stage
        # (the cluster runner computes those elsewhere).
        self.compute = compute
        # A replaced file's warning, until the recording lands: without compute the file
        # is met twice (before and after the cluster's workers), and only the first
        # meeting sees that it changed.
        self._replaced: dict[int, str] = {}

    # ------------------------------------------------------------- models
    @property
    def asr(self) -> AsrBackend:
        if self._asr is None:
            self._asr = load_backend(self.options.transcribe, self.options.device, self.model_cache)
        return self._asr

    @property
    def embedder(self) -> SpeakerEmbedder:
        if self._embedder is None:
            self._embedder = load_embedder(self.options.diarize, self.options.device)
        return self._embedder

    def _release_asr(self) -> None:
        # Whisper and the speaker model are never needed at once: letting Whisper go
        # before diarising keeps the peak at the larger of the two, not their sum
        # (1.64 GB at 9 minutes with both held). Loading base again for the next
        # recording takes about a second, against minutes of work per recording.
        if self._owns_asr and self._asr is not None:
            self._asr = None
            gc.collect()
            release_free_memory()

    def _model_identity(self) -> str:
        if self._asr is not None:
            return self._asr.model_id
        return resolve_whisper_model(self.options.transcribe.model, self.model_cache).identity

    # -------------------------------------------------------------- batch
    def audio_path(self, rec: Recording) -> Path:
        if not rec.audio_path:
            raise InputError(f"Recording {rec.name!r} has no audio file; import one first.")
        p = Path(rec.audio_path)
        return p if p.is_absolute() else self.base_dir / p

    def run(self, recordings: Sequence[Recording]) -> list[RunResult]:
        sizes = []
        for r in recordings:
            try:
                sizes.append(r.duration_s or probe_duration(self.audio_path(r)))
            except QualkitError:
                sizes.append(0.0)
        self.progress.start_batch(sum(sizes), len(recordings))
        results = []
        try:
            for rec, size in zip(recordings, sizes, strict=True):
                self.progress.start_recording(rec.name, size)
                result = self.run_one(rec)
                self.progress.end_recording(result)
                results.append(result)
        finally:
            self.progress.end_batch()
        return results

    @contextmanager
    def _stage(
        self, rec: Recording, stage: Stage, key: str, timings: dict[str, float]
    ) -> Iterator[None]:
        self.store.set_stage(rec.id, stage.value, StageStatus.RUNNING.value, key)
        t0 = time.perf_counter()
        try:
            yield
        except (KeyboardInterrupt, PipelineCancelled):
            # The user stopped it: the next run resumes here, nothing is wrong.
            self.store.set_stage(rec.id, stage.value, StageStatus.INTERRUPTED.value, key)
            raise
        except BaseException:
            self.store.set_stage(rec.id, stage.value, StageStatus.FAILED.value, key)
            raise
        timings[stage.value] = time.perf_counter() - t0
        self.store.set_stage(rec.id, stage.value, StageStatus.DONE.value, key)
        log.info("recording %s: %s done in %.1f s", rec.id, stage.value, timings[stage.value])

    def run_one(self, rec: Recording) -> RunResult:
        """All stages for one recording; a user-caused error fails this recording only."""
        try:
            return self._run_one(rec)
        except QualkitError as exc:
            # The user reads the reason in the result; the log keeps the kind only (no
            # transcript text), below the warnings a terminal shows.
            log.info("recording %s failed: %s", rec.id, type(exc).__name__)
            return RunResult(rec.name, False, error=str(exc))

    def _run_one(self, rec: Recording) -> RunResult:
        opts = self.options
        ran: list[str] = []
        timings: dict[str, float] = {}
        src = self.audio_path(rec)
        if not src.is_file():
            raise InputError(f"Audio file {src} for {rec.name!r} is missing; check the path.")
        sha = current_sha(self.artefacts.root, src)
        replaced = replaced_audio(self.store, self.artefacts, rec, sha, opts)
        if replaced:
            self._replaced[rec.id] = replaced
        if sha != rec.sha256:
            if not rec.sha256:
                self.store.update_recording(rec.id, sha256=sha)
            rec = self.store.recording(rec.id)

        # AUDIO
        akey = options_key(DECODER_VERSION)
        pcm_path = self.artefacts.path(sha, "audio", akey, "pcm")
        info_path = self.artefacts.path(sha, "audio", akey, "json")
        if info_path.is_file() and pcm_path.is_file():
            info = AudioInfo(**read_json(info_path))
        else:
            with self._stage(rec, Stage.AUDIO, akey, timings):
                info = decode_to_pcm(src, pcm_path, sha)
                write_json(info_path, info)
            ran.append(Stage.AUDIO.value)
        self.store.set_stage(rec.id, Stage.AUDIO.value, StageStatus.DONE.value, akey)
        if rec.duration_s != info.duration_s:
            self.store.update_recording(rec.id, duration_s=info.duration_s)
        audio = PcmAudio(pcm_path)

        # TRANSCRIBE
        tkey = self._transcribe_key(rec, sha, "" if info.silent else self._model_identity())
        dkey = opts.diarize.artefact_key(sha) if opts.diarization else "off"
        lkey = options_key(tkey, dkey, opts.align.key_fields())
        kept = kept_transcript(self.store, self.artefacts, rec, sha, lkey, info.duration_s, opts)
        if kept is not None:
            return kept
        t_path = self.artefacts.path(sha, "transcribe", tkey, "json")
        if t_path.is_file():
            tr = Transcript.from_json(read_json(t_path))
            self.progress.advance(info.duration_s * WEIGHT[Stage.TRANSCRIBE], "transcribe")
        else:
            self._require_compute(rec, Stage.TRANSCRIBE)
            with self._stage(rec, Stage.TRANSCRIBE, tkey, timings):
                if info.silent:  # nothing to hear: an empty transcript, no model needed
                    tr = Transcript(
                        opts.transcribe.language or "auto",
                        info.duration_s,
                        opts.transcribe.backend,
                        "",
                    )
                    self.progress.advance(info.duration_s * WEIGHT[Stage.TRANSCRIBE], "transcribe")
                else:
                    tr = transcribe(
                        audio, self.asr, opts.transcribe, self._advancer(Stage.TRANSCRIBE)
                    )
                write_json(t_path, tr.to_json())
            ran.append(Stage.TRANSCRIBE.value)
        self.store.set_stage(rec.id, Stage.TRANSCRIBE.value, StageStatus.DONE.value, tkey)

        # DIARIZE
        dia: Diarization | None = None
        if opts.diarization:
            d_path = self.artefacts.path(sha, "diarize", dkey, "json")
            if d_path.is_file():
                dia = Diarization.from_json(read_json(d_path))
                self.progress.advance(info.duration_s * WEIGHT[Stage.DIARIZE], "diarize")
            else:
                self._require_compute(rec, Stage.DIARIZE)
                with self._stage(rec, Stage.DIARIZE, dkey, timings):
                    if info.silent or not tr.segments:
                        dia = Diarization(info.duration_s, (), (), "none")
                        cents = np.zeros((0, 0), np.float32)
                        self.progress.advance(info.duration_s * WEIGHT[Stage.DIARIZE], "diarize")
                    else:
                        self._release_asr()
                        dia, cents = diarize(
                            audio,
                            self.embedder,
                            opts.diarize,
                            self._advancer(Stage.DIARIZE),
                            self._detector,
                        )
                    write_npy(self.artefacts.path(sha, "diarize", dkey, "npy"), cents)
                    write_json(d_path, dia)
                ran.append(Stage.DIARIZE.value)
            self.store.set_stage(rec.id, Stage.DIARIZE.value, StageStatus.DONE.value, dkey)
        else:
            self.store.set_stage(rec.id, Stage.DIARIZE.value, StageStatus.SKIPPED.value, dkey)
            self.progress.advance(info.duration_s * WEIGHT[Stage.DIARIZE], "diarize")

        # ALIGN (+ transcript files and the store)
        l_path = self.artefacts.path(sha, "align", lkey, "json")
        if l_path.is_file():
            aligned = AlignedTranscript.from_json(read_json(l_path))
        else:
            with self._stage(rec, Stage.ALIGN, lkey, timings):
                aligned = align(tr, dia, opts.align)
                write_json(l_path, aligned)
            ran.append(Stage.ALIGN.value)
        stored_key = self.store.stage_options_key(rec.id, Stage.ALIGN.value)
        stem = file_stem(rec.name, rec.id)
        fresh = (
            Stage.ALIGN.value in ran or stored_key != lkey or not self.store.segment_count(rec.id)
        )
        if fresh:
            # Re-diarising must not move a named voice's name to another voice. (A replaced
            # file's old turns are gone already: move_to_new_audio dropped them.)
            aligned = carry_labels(self._stored_turns(rec.id), aligned)
            self.store.replace_segments(
                rec.id,
                ((s.speaker, s.text, s.start, s.end, s.words, s.overlap) for s in aligned.segments),
            )
        self.store.set_stage(rec.id, Stage.ALIGN.value, StageStatus.DONE.value, lkey)
        c_path = self.artefacts.path(sha, "diarize", dkey, "npy")
        known = land_voices(self.store, rec.id, dia, c_path, aligned) if dia else []
        meta: dict[str, object] = {
            "language": tr.language,
            "model": tr.model,
            "backend": tr.backend,
            "diarisation": dia.backend if dia else "off",
            "truncated_audio": info.truncated,
            "phase_inverted": info.phase_inverted,
            "silent": info.silent,
        }
        if not info.silent:
            self._record_model(tr)
        files = [self.transcripts_dir / f"{stem}.{ext}" for ext in ("json", "srt", "vtt", "txt")]
        if fresh or not all(f.is_file() for f in files):
            # Otherwise the store and files are current (and the store may hold edits
            # such as merged voices, which the artefact does not know about).
            files = outputs.write_all(aligned, self.transcripts_dir, stem, meta)
        return RunResult(
            rec.name,
            True,
            info.duration_s,
            len(aligned.segments),
            len({s.speaker for s in aligned.segments if s.speaker}),
            tuple(ran),
            timings,
            tuple(files),
            warnings=(
                *((self._replaced.pop(rec.id),) if rec.id in self._replaced else ()),
                *info.warnings(len(aligned.segments), rec.audio_path or "the audio file"),
            ),
            known_voices=tuple((v.label, v.pseudonym, v.score) for v in known),
        )

    def _transcribe_key(self, rec: Recording, sha: str, model_id: str) -> str:
        """The options' key, or the finished transcript's if only its glossary differs."""
        done = self.store.stage_options_key(rec.id, Stage.TRANSCRIBE.value) or ""
        path = self.artefacts.path(sha, "transcribe", done, "json")
        if self.options.glossary_redo or not done or not path.is_file():
            return self.options.transcribe.artefact_key(sha, model_id)
        earlier = tuple(read_json(path).get("glossary", ()))
        return self.options.transcribe.key_keeping(sha, model_id, done, earlier)

    def _record_model(self, tr: Transcript) -> None:
        # For the reports' method section; every model used is listed, so a study
        # partly re-transcribed with a larger model does not claim one model for all.
        used = self.store.get_meta("asr_model") or ""
        names = [n for n in used.split("; ") if n]
        this = describe_model(tr.model, tr.backend)
        if this not in names:
            self.store.set_meta("asr_model", "; ".join([*names, this]))

    def _require_compute(self, rec: Recording, stage: Stage) -> None:
        if not self.compute:
            raise StageMissing(rec.name, stage.value)

    def _stored_turns(self, rec_id: int) -> list[tuple[str, float, float]]:
        labels = {sp.id: sp.label for sp in self.store.speakers(rec_id)}
        return [
            (labels[s.speaker_id], s.start, s.end)
            for s in self.store.segments(rec_id)
            if s.speaker_id in labels and s.start is not None and s.end is not None
        ]

    def _advancer(self, stage: Stage) -> Callable[[float], None]:
        done = [0.0]
        weight = WEIGHT[stage]

        def report(seconds: float) -> None:
            self.progress.advance((seconds - done[0]) * weight, stage.value)
            done[0] = seconds

        return report

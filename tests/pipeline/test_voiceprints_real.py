"""Known voices with the packaged models: a voice enrolled from one recording is named in
a second recording of the same people saying other things (slow; marker `pipeline`).

Audio is made at test time with espeak-ng + sox, as in test_real_models.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qualkit.pipeline import synth

pytestmark = [
    pytest.mark.pipeline,
    pytest.mark.skipif(
        bool(synth.tools_missing()),
        reason="espeak-ng and sox are needed: apt-get install -y espeak-ng sox",
    ),
]

FIRST = [
    ("Moderator", "Välkomna allihop. Hur fungerar samverkan mellan er i dag?"),
    ("Handläggare", "Vi träffas varannan vecka i ett gemensamt forum med kommunen."),
    ("Arbetsförmedlare", "Det största problemet är att vi inte vet vem vi ska ringa."),
    ("Moderator", "Tack. Kan du ge ett exempel på när det fungerade bra?"),
    ("Handläggare", "Vi behöver skriftliga rutiner för hur ärenden lämnas över."),
    ("Arbetsförmedlare", "Arbetsförmedlingen har bytt handläggare tre gånger på ett år."),
    ("Moderator", "Vad skulle ni vilja ändra på om ni fick bestämma?"),
]
SECOND = [
    ("Handläggare", "Min chef ger mig tid att gå på samverkansmötena."),
    ("Moderator", "Hur ser ledningen på det här arbetet?"),
    ("Arbetsförmedlare", "Ledningen pratar om samverkan men avsätter ingen tid."),
    ("Moderator", "Är det någon som vill fylla på? Vad tänker ni andra om det?"),
    ("Handläggare", "Individen ska stå i centrum och inte våra regelverk."),
    ("Arbetsförmedlare", "Vi borde ha en kontaktperson hos varje aktör."),
    ("Moderator", "Hur märker individen av att ni samverkar?"),
]


def make(folder: Path, name: str, lines: list[tuple[str, str]]) -> tuple[Path, list]:
    voices = synth.assign_voices(["Moderator", "Handläggare", "Arbetsförmedlare"])
    mix, utts = synth.converse(lines, voices, overlap_every=0, seed=len(name))
    wav = folder / f"{name}.wav"
    synth.write_wav(wav, mix)
    return wav, utts


def voice_of(project: object, rec_name: str, utts: list, speaker: str) -> str:
    """The stored voice label that holds most of `speaker`'s reference time."""
    store = project.store  # type: ignore[attr-defined]
    rec = project.recording(rec_name)  # type: ignore[attr-defined]
    labels = {s.id: s.label for s in store.speakers(rec.id)}
    shared: dict[str, float] = {}
    for seg in store.segments(rec.id):
        for u in utts:
            if u.speaker == speaker and seg.speaker_id in labels:
                ov = min(seg.end, u.end) - max(seg.start, u.start)
                if ov > 0:
                    shared[labels[seg.speaker_id]] = shared.get(labels[seg.speaker_id], 0) + ov
    return max(shared, key=lambda k: shared[k])


def test_an_enrolled_voice_is_named_in_a_second_recording(
    project_dir: Path, tmp_path: Path
) -> None:
    from qualkit import voices
    from qualkit.cli import main
    from qualkit.pipeline.project_batch import transcribe_project
    from qualkit.pipeline.run import PipelineOptions
    from qualkit.project import open_project

    cache = tmp_path / "models"
    wav1, utts1 = make(tmp_path, "grupp1", FIRST)
    wav2, utts2 = make(tmp_path, "grupp2", SECOND)
    options = PipelineOptions(device="cpu")
    with open_project(project_dir) as project:
        project.import_audio(wav1, name="grupp1")
        [res] = transcribe_project(project, ["grupp1"], options=options, model_cache=cache)
        assert res.ok and res.speakers == 3, res
        moderator = voice_of(project, "grupp1", utts1, "Moderator")
    # Enrolled through the CLI, as a user would.
    assert main(["voices", "enroll", "Moderator", "-p", str(project_dir),
                 "--from", "grupp1", "--speaker", moderator]) == 0  # fmt: skip
    with open_project(project_dir) as project:
        project.import_audio(wav2, name="grupp2")
        [res] = transcribe_project(project, ["grupp2"], options=options, model_cache=cache)
        assert res.ok, res.error
        assert [who for _, who, _ in res.known_voices] == ["Moderator"]
        rec = project.recording("grupp2")
        store = project.store
        named = {s.label: s.participant_id for s in store.speakers(rec.id)}
        target = voice_of(project, "grupp2", utts2, "Moderator")
        moderator_id = store.voiceprints()[0].participant_id
        assert named[target] == moderator_id
        assert [label for label, pid in named.items() if pid is not None] == [target]
        scores = voices.voice_scores(store, rec.id)
        [(speaker_id, score)] = scores.items()
        assert store.speaker(speaker_id).label == target
        assert voices.DEFAULT_THRESHOLD <= score <= 1.0
        # The other two people were never enrolled: their voices stay unnamed, and the
        # voiceprint scores them below the threshold.
        [vp] = store.voiceprints()
        assert vp.matches == 1 and vp.source == f"grupp1 / {moderator}"

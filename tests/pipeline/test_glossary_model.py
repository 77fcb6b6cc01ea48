"""The glossary with the packaged Whisper base on a short espeak clip (slow; marker `pipeline`).

The sentence was chosen by experiment: without the glossary base writes
"Samutlings 300 ..." for "Samordningsförbundet"; with the seeded glossary of a project
it spells the term.
"""

from __future__ import annotations

import re

import pytest

from qualkit.pipeline import synth

pytestmark = [
    pytest.mark.pipeline,
    pytest.mark.skipif(
        bool(synth.tools_missing()),
        reason="espeak-ng and sox are needed: apt-get install -y espeak-ng sox",
    ),
]

SENTENCE = "Samordningsförbundet betalar för vår rehabkoordinator."


def test_a_term_the_base_model_misses_is_transcribed_with_the_glossary() -> None:
    from qualkit.pipeline.audio import ArrayAudio
    from qualkit.pipeline.glossary import merge_terms, seed_terms
    from qualkit.pipeline.transcribe import TranscribeOptions, transcribe
    from qualkit.pipeline.whisper_backends import load_backend

    mix, _ = synth.converse([("A", SENTENCE)], {"A": synth.VOICES[0]}, overlap_every=0)
    audio = ArrayAudio(mix)
    # The glossary `qualkit glossary list` shows for a project in Eksjö and Vetlanda.
    terms = tuple(t.text for t in merge_terms(seed_terms(["Eksjö", "Vetlanda"], []), [], []))
    assert "samordningsförbund" in terms
    asr = load_backend(TranscribeOptions(), "cpu")

    def heard(options: TranscribeOptions) -> bool:
        text = " ".join(s.text for s in transcribe(audio, asr, options).segments)
        return re.search(r"\bsamordningsförbund", text.casefold()) is not None

    assert not heard(TranscribeOptions())
    assert heard(TranscribeOptions(glossary=terms))

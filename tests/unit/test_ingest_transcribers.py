"""Files noScribe and aTrain wrote, and odd transcripts: read right, or refused in one line."""

from __future__ import annotations

import itertools
import json
import logging
from pathlib import Path

import pytest

from qualkit.errors import ImportFormatError
from qualkit.ingest import MAX_SEGMENT_CHARS, read_transcript, text_window

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "transcribers"


# ----------------------------------------------------------------- noScribe
def test_noscribe_html_turns_speakers_and_times() -> None:
    parsed = read_transcript(FIXTURES / "noscribe_interview.html")
    first = parsed.turns[0]
    assert first.speaker == "S01" and first.start == pytest.approx(12.14)
    assert first.end == pytest.approx(35.79)
    assert first.text.startswith("Guten Tag, ich habe heute")
    assert "[00:00:12]" not in first.text and not first.text.startswith("S01")
    assert [t.speaker for t in parsed.turns] == ["S01", "S00", "S01"]
    assert parsed.turns[1].text == "Ja." and parsed.turns[1].start == pytest.approx(36.19)
    # The header (title, "Transcribed with noScribe", audio file) and the pause are no turns.
    assert not any("noScribe" in t.text or "pause" in t.text for t in parsed.turns)


def test_noscribe_txt_header_is_no_speaker_and_times_stay_times() -> None:
    parsed = read_transcript(FIXTURES / "noscribe_interview.txt")
    assert "Audio file" not in parsed.speakers and set(parsed.speakers) == {"S00", "S01"}
    first = parsed.turns[0]
    assert first.speaker == "S01" and first.start == 12.0
    assert first.text.startswith("Guten Tag") and "[00:00:12]" not in first.text
    assert parsed.turns[1].start == 36.0 and parsed.turns[1].text == "Ja."
    assert not any("noScribe" in t.text or "Language:" in t.text for t in parsed.turns)


def test_noscribe_vtt_reads() -> None:
    parsed = read_transcript(FIXTURES / "noscribe_interview.vtt")
    assert parsed.turns[0].speaker == "S01" and parsed.turns[0].start == pytest.approx(34.57)
    assert not any("pause" in t.text for t in parsed.turns)
    assert parsed.warnings == ()


def test_one_bad_vtt_cue_is_skipped_with_a_warning_naming_the_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lines = (FIXTURES / "noscribe_interview.vtt").read_text(encoding="utf-8").splitlines()
    bad = next(i for i, line in enumerate(lines) if line.startswith("00:00:36.950"))
    lines[bad] = "00:00:36.950 --> 00:00:3x.650"
    path = tmp_path / "hand_edited.vtt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    good = read_transcript(FIXTURES / "noscribe_interview.vtt")
    with caplog.at_level(logging.WARNING):
        parsed = read_transcript(path)
    assert len(parsed.turns) == len(good.turns) - 1
    assert parsed.warnings == (
        f"{path} line {bad + 1}: cannot read the cue time; expected 00:00:01,000 --> "
        "00:00:04,000; this cue was skipped.",
    )
    assert f"line {bad + 1}" in caplog.text
    assert "Können Sie sich" not in caplog.text  # the skipped text is not logged


def test_a_cue_with_a_mistyped_arrow_is_skipped_with_a_warning_not_silently(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hand_edited.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:02,000\nAnna: Hej.\n\n"
        "2\n00:00:03,000 -> 00:00:04,000\nKalle: Det här kom bort.\n\n"
        "3\n00:00:05,000 --> 00:00:06,000\nAnna: 10:00-12:00 hade vi möte.\n",
        encoding="utf-8",
    )
    parsed = read_transcript(path)
    assert [t.text for t in parsed.turns] == ["Hej.", "10:00-12:00 hade vi möte."]
    assert parsed.warnings == (
        f"{path} line 6: cannot read the cue time; expected 00:00:01,000 --> 00:00:04,000; "
        "this cue was skipped.",
    )


def test_a_vtt_with_only_bad_cues_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.vtt"
    path.write_text("WEBVTT\n\n1\n00:00:05.000 --> 00:00:01.000\nhej\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="line 4: the cue ends before it starts"):
        read_transcript(path)


# ------------------------------------------------------------------- aTrain
@pytest.mark.parametrize(
    "name", ["atrain_transcription_timestamps.txt", "atrain_transcription_maxqda.txt"]
)
def test_atrain_timed_txt(name: str) -> None:
    parsed = read_transcript(FIXTURES / name)
    assert [t.speaker for t in parsed.turns] == ["SPEAKER_00", "SPEAKER_01"] * 2 + ["SPEAKER_01"]
    assert [t.start for t in parsed.turns] == [0.0, 4.0, 10.0, 12.0, 18.0]
    assert parsed.turns[0].text == "Välkomna, vi börjar med hur samverkan fungerar i dag."
    assert parsed.turns[0].end == 4.0
    assert not any("Transcription for" in t.text for t in parsed.turns)


def test_atrain_plain_txt_and_without_speakers() -> None:
    parsed = read_transcript(FIXTURES / "atrain_transcription.txt")
    assert parsed.speakers == ["SPEAKER_00", "SPEAKER_01"] and len(parsed.turns) == 5
    assert not any(t.text.startswith("SPEAKER") for t in parsed.turns)
    bare = read_transcript(FIXTURES / "atrain_nospeakers_transcription_timestamps.txt")
    assert bare.speakers == [] and [t.start for t in bare.turns][:2] == [0.0, 4.0]


@pytest.mark.parametrize("name", ["atrain_transcription.json", "atrain_transcription.srt"])
def test_atrain_json_and_srt(name: str) -> None:
    parsed = read_transcript(FIXTURES / name)
    assert len(parsed.turns) == 5 and parsed.turns[1].start == pytest.approx(4.3)
    if name.endswith(".json"):
        assert parsed.speakers == ["SPEAKER_00", "SPEAKER_01"]
        assert parsed.turns[0].words[0].text == "Välkomna,"


# ------------------------------------------------------------ odd transcripts
def test_json_time_with_5000_digits_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"segments": [{"text": "hej", "start": ' + "9" * 5000 + "}]}")
    with pytest.raises(ImportFormatError, match="too long"):
        read_transcript(path)


def test_utf32_with_bom_is_read_as_utf32(tmp_path: Path) -> None:
    for codec in ("utf-32-le", "utf-32-be"):
        path = tmp_path / f"{codec}.txt"
        bom = b"\xff\xfe\x00\x00" if codec.endswith("le") else b"\x00\x00\xfe\xff"
        path.write_bytes(bom + "Anna: Vi träffas på måndag.\n".encode(codec))
        parsed = read_transcript(path)
        assert parsed.turns[0].speaker == "Anna"
        assert parsed.turns[0].text == "Vi träffas på måndag."


def test_typed_transcript_without_turns_is_split_into_bounded_segments(tmp_path: Path) -> None:
    sentence = "Vi pratade länge om hur samverkan med Försäkringskassan fungerar i praktiken. "
    path = tmp_path / "typed.txt"
    path.write_text(sentence * 5000, encoding="utf-8")  # ~400 kB, no speaker, no time
    parsed = read_transcript(path)
    assert len(parsed.turns) > 100
    assert max(len(t.text) for t in parsed.turns) <= MAX_SEGMENT_CHARS
    assert all(t.text.endswith(".") for t in parsed.turns)  # cut at sentence ends
    assert " ".join(t.text for t in parsed.turns) == (sentence * 5000).strip()


def test_long_timed_turn_shares_its_time(tmp_path: Path) -> None:
    path = tmp_path / "long.json"
    text = "Det här är en mening. " * 400
    path.write_text(json.dumps([{"text": text, "start": 10.0, "end": 110.0}]), encoding="utf-8")
    turns = read_transcript(path).turns
    assert len(turns) > 1 and turns[0].start == 10.0 and turns[-1].end == pytest.approx(110.0)
    assert all(a.end == pytest.approx(b.start) for a, b in itertools.pairwise(turns))


def test_text_window_is_bounded() -> None:
    text = "En mening här. " * 10_000
    window = text_window(text, 500)
    assert len(window) <= 500 and window.endswith(".")
    assert text_window("kort", 500) == "kort"

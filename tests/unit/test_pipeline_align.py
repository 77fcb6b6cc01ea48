"""Stage 4: words to speakers by time overlap, splitting and joining turns."""

from __future__ import annotations

from qualkit.model import Word
from qualkit.pipeline.align import AlignOptions, align, speaker_label
from qualkit.pipeline.artefacts import options_key
from qualkit.pipeline.diarize import Diarization, Turn
from qualkit.pipeline.transcribe import AsrSegment, Transcript


def words(*spec: tuple[float, float, str]) -> tuple[Word, ...]:
    return tuple(Word(a, b, t, 0.9) for a, b, t in spec)


def transcript(*segs: tuple[Word, ...]) -> Transcript:
    return Transcript(
        "sv",
        20.0,
        "fake",
        "fake",
        tuple(AsrSegment(w[0].start, w[-1].end, " ".join(x.text for x in w), w) for w in segs),
    )


DIA = Diarization(
    20.0,
    (Turn(0, 3.0, "SPEAKER_01"), Turn(3.0, 6.0, "SPEAKER_02"), Turn(6.5, 9.0, "SPEAKER_01")),
    ((5.5, 6.2),),
)


def test_segment_split_where_the_voice_changes() -> None:
    t = transcript(
        words((0.2, 0.6, "hej"), (0.7, 1.2, "alla"), (3.1, 3.5, "tack"), (3.6, 4.0, "du"))
    )
    out = align(t, DIA)
    assert [(s.speaker, s.text) for s in out.segments] == [
        ("Talare 1", "hej alla"),
        ("Talare 2", "tack du"),
    ]
    assert out.segments[1].words[0].text == "tack"


def test_word_goes_to_the_turn_it_overlaps_most() -> None:
    t = transcript(words((2.7, 3.5, "gränsen")))  # 0.3 s in turn 1, 0.5 s in turn 2
    out = align(t, DIA)
    assert out.segments[0].speaker == "Talare 2"
    assert out.segments[0].overlap  # 0.3 s of a 0.8 s word in the other voice's turn


def test_word_in_a_gap_goes_to_the_nearest_turn() -> None:
    out = align(transcript(words((6.3, 6.45, "mm"))), DIA)
    assert out.segments[0].speaker == "Talare 1"


def test_overlap_marked_from_regions_and_shared_words() -> None:
    out = align(transcript(words((5.6, 5.9, "ja"))), DIA)
    assert out.segments[0].overlap
    both = Diarization(20.0, (Turn(0, 4, "SPEAKER_01"), Turn(2, 6, "SPEAKER_02")))
    out = align(transcript(words((2.5, 3.0, "samtidigt"))), both)
    assert out.segments[0].overlap


def test_pieces_of_one_voice_join_into_a_turn_but_not_forever() -> None:
    long_turn = Diarization(100.0, (Turn(0, 100, "SPEAKER_01"),))
    segs = [words((i * 5.0, i * 5.0 + 4.0, f"w{i}")) for i in range(20)]
    out = align(transcript(*segs), long_turn, AlignOptions(merge_gap_s=1.5, max_turn_s=30))
    assert len(out.segments) > 1
    assert all(s.end - s.start <= 30 for s in out.segments)
    assert " ".join(s.text for s in out.segments) == " ".join(f"w{i}" for i in range(20))


def test_without_diarisation_speakers_are_none() -> None:
    out = align(transcript(words((0, 1, "ensam"))), None)
    assert out.segments[0].speaker is None and out.speakers == ()


def test_segment_without_word_times() -> None:
    t = Transcript("sv", 20, "f", "f", (AsrSegment(3.2, 5.0, "utan ord"),))
    assert align(t, DIA).segments[0].speaker == "Talare 2"


def test_labels() -> None:
    assert speaker_label("SPEAKER_03") == "Talare 3"


def test_a_one_word_reply_in_a_turn_of_its_own_goes_to_its_voice() -> None:
    # As Whisper and the diariser time it on the synthetic clips: "Tack." 0.4 s after
    # the last word, its word starting a little before the found turn, in one segment
    # with the previous voice's words; the next voice's words continue after it.
    dia = Diarization(
        20.0,
        (Turn(1.0, 5.1, "SPEAKER_01"), Turn(5.5, 6.0, "SPEAKER_02"), Turn(6.4, 9.0, "SPEAKER_01")),
    )
    t = transcript(
        words((4.5, 5.0, "kommunen"), (5.41, 5.8, "Tack."), (6.5, 7.0, "Jag"), (7.1, 7.5, "med"))
    )
    out = align(t, dia)
    assert [(s.speaker, s.text) for s in out.segments] == [
        ("Talare 1", "kommunen"),
        ("Talare 2", "Tack."),
        ("Talare 1", "Jag med"),
    ]


def test_words_at_a_change_go_to_the_sentence_they_belong_to() -> None:
    dia = Diarization(20.0, (Turn(0, 3.0, "SPEAKER_01"), Turn(3.0, 9.0, "SPEAKER_02")), ())
    # The next voice's first word ends the last one's turn: "... ni möter? De | får ..."
    tail = transcript(
        words(
            (0.2, 1.0, "Vad"),
            (1.0, 2.0, "ni"),
            (2.0, 2.6, "möter."),
            (2.7, 2.95, "De"),
            (3.1, 3.6, "får"),
            (3.7, 4.2, "berätta"),
            (4.3, 5.0, "igen."),
        )
    )
    # The last voice's final word opens the next turn: "... en gemensam | plan. Då ..."
    head = transcript(
        words(
            (0.2, 1.0, "Vi"),
            (1.0, 2.0, "gör"),
            (2.0, 2.9, "gemensam"),
            (3.05, 3.5, "plan."),
            (3.6, 4.0, "Då"),
            (4.1, 4.6, "blir"),
            (4.7, 5.0, "det"),
            (5.1, 5.5, "bra."),
        )
    )
    on = AlignOptions(sentence_words=2)
    off = AlignOptions(sentence_words=0)
    assert [s.text for s in align(tail, dia, off).segments] == [
        "Vad ni möter. De",
        "får berätta igen.",
    ]
    assert [s.text for s in align(tail, dia, on).segments] == [
        "Vad ni möter.",
        "De får berätta igen.",
    ]
    assert [s.text for s in align(head, dia, on).segments] == [
        "Vi gör gemensam plan.",
        "Då blir det bra.",
    ]
    # A one-word reply after a full stop stays the reply's own: nothing goes on after it.
    reply = transcript(
        words((0.2, 1.0, "Är"), (1.0, 2.0, "det"), (2.0, 2.8, "klart?"), (3.1, 3.5, "Ja."))
    )
    assert [s.text for s in align(reply, dia, on).segments] == ["Är det klart?", "Ja."]


def test_the_align_key_is_unchanged_with_the_sentence_rule_off() -> None:
    before = {"merge_gap_s": 1.5, "max_turn_s": 45.0, "overlap_share": 0.3}
    off = AlignOptions(sentence_words=0)
    assert options_key("t", "d", off.key_fields()) == options_key("t", "d", before)
    assert options_key("t", "d", AlignOptions(sentence_words=2).key_fields()) != options_key(
        "t", "d", before
    )


def test_the_sentence_rule_works_across_whisper_segments() -> None:
    dia = Diarization(20.0, (Turn(0, 3.0, "SPEAKER_01"), Turn(3.0, 9.0, "SPEAKER_02")), ())
    t = transcript(
        words((0.2, 1.0, "Vad"), (1.0, 2.0, "ni"), (2.0, 2.6, "möter."), (2.7, 2.95, "De")),
        words((3.1, 3.6, "får"), (3.7, 4.2, "berätta"), (4.3, 5.0, "igen.")),
    )
    out = align(t, dia, AlignOptions(sentence_words=2))
    assert [(s.speaker, s.text) for s in out.segments] == [
        ("Talare 1", "Vad ni möter."),
        ("Talare 2", "De får berätta igen."),
    ]

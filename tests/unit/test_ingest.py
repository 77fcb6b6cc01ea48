from __future__ import annotations

import json
from pathlib import Path

import pytest
from docx import Document

from qualkit.errors import ImportFormatError
from qualkit.ingest import read_transcript, role_actor_from_label


def test_txt_with_timestamps_and_continuations(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text(
        "[00:00:05] Anna: Hej alla.\nDet var så här: vi träffas.\n\n"
        "[00:01:10] Handläggare (FK): Ja precis.\n**Moderator:** Nästa fråga.\n",
        encoding="utf-8",
    )
    t = read_transcript(f)
    assert [x.speaker for x in t.turns] == ["Anna", "Handläggare (FK)", "Moderator"]
    assert t.turns[0].text == "Hej alla. Det var så här: vi träffas."
    assert t.turns[0].start == 5.0 and t.turns[0].end == 70.0
    assert t.turns[1].start == 70.0


def test_bom_and_cp1252(tmp_path: Path) -> None:
    f = tmp_path / "bom.txt"
    f.write_bytes("\ufeffÅsa: Öppna frågor.\n".encode())
    assert read_transcript(f).turns[0].speaker == "Åsa"
    g = tmp_path / "win.txt"
    g.write_bytes("Åsa: Där är vi – nästan.\n".encode("cp1252"))
    t = read_transcript(g)
    assert t.turns[0].speaker == "Åsa" and "–" in t.turns[0].text


def test_docx_with_five_speakers(tmp_path: Path) -> None:
    doc = Document()
    for who in ["Moderator", "Anna", "Bo", "Cecilia", "David", "Anna"]:
        doc.add_paragraph(f"{who}: Jag tycker att samverkan fungerar.")
    f = tmp_path / "fg.docx"
    doc.save(str(f))
    t = read_transcript(f)
    assert len(t.turns) == 6
    assert t.speakers == ["Moderator", "Anna", "Bo", "Cecilia", "David"]


def test_srt_and_vtt(tmp_path: Path) -> None:
    srt = tmp_path / "a.srt"
    srt.write_text(
        "1\n00:00:01,000 --> 00:00:03,500\nAnna: Hej.\n\n2\n00:00:04,000 --> 00:00:06,000\n"
        "[Bo] Tjena.\n",
        encoding="utf-8",
    )
    t = read_transcript(srt)
    assert [(x.speaker, x.start, x.end) for x in t.turns] == [("Anna", 1.0, 3.5), ("Bo", 4.0, 6.0)]
    vtt = tmp_path / "a.vtt"
    vtt.write_text(
        "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Cecilia>Hallå där</v>\n", encoding="utf-8"
    )
    t2 = read_transcript(vtt)
    assert t2.turns[0].speaker == "Cecilia" and t2.turns[0].text == "Hallå där"


def test_bad_cue_time_names_line(tmp_path: Path) -> None:
    srt = tmp_path / "bad.srt"
    srt.write_text("1\n00:00:01,000 --> soon\nHej\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r"bad\.srt line 2"):
        read_transcript(srt)


def test_whisperx_and_faster_whisper_json(tmp_path: Path) -> None:
    wx = tmp_path / "wx.json"
    wx.write_text(
        json.dumps(
            {
                "segments": [
                    {
                        "start": 0.5,
                        "end": 2.0,
                        "text": " Hej allihop",
                        "speaker": "SPEAKER_00",
                        "words": [
                            {"word": "Hej", "start": 0.5, "end": 0.9, "score": 0.9},
                            {"word": "allihop", "start": 1.0, "end": 2.0, "score": 0.8},
                            {"word": "2"},
                        ],
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    t = read_transcript(wx)
    assert t.turns[0].speaker == "SPEAKER_00"
    assert [w.text for w in t.turns[0].words] == ["Hej", "allihop"]
    fw = tmp_path / "fw.json"
    fw.write_text(
        json.dumps(
            [
                {
                    "start": 0,
                    "end": 1,
                    "text": "Ja",
                    "words": [{"start": 0, "end": 1, "word": " Ja", "probability": 0.5}],
                }
            ]
        ),
        encoding="utf-8",
    )
    assert read_transcript(fw).turns[0].words[0].probability == 0.5


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("bin.txt", b"Anna: hej\n\x00\x01\x02", "line 2: contains binary data"),
        ("x.json", b'{"segments": [\n  {"text": 1}', "line 2: not valid JSON"),
        ("x.json", b'{"segments": 3}', "expected a list of segments"),
        ("empty.txt", b"\n\n", "no transcript text"),
        ("x.vtt", b"00:01.000 --> 00:02.000\nHej\n", "must start with 'WEBVTT'"),
        ("x.docx", b"not a zip", "not a readable Word .docx"),
        ("x.pdf", b"%PDF", "unknown transcript type .pdf"),
    ],
)
def test_unreadable_files_give_clear_errors(
    tmp_path: Path, name: str, data: bytes, fragment: str
) -> None:
    f = tmp_path / name
    f.write_bytes(data)
    with pytest.raises(ImportFormatError) as err:
        read_transcript(f)
    assert name in str(err.value) and fragment in str(err.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match="no such file"):
        read_transcript(tmp_path / "gone.txt")


def test_role_actor_from_label() -> None:
    assert role_actor_from_label("Handläggare (FK)") == ("handläggare", "FK")
    assert role_actor_from_label("Moderator") == ("moderator", None)

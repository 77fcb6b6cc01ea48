"""Hostile and odd input: importers and the codebook loader fail only with a QualkitError.

Hypothesis feeds random bytes, random text shaped like each format, random JSON and YAML
structures and random zip archives. Anything but a clean result or a QualkitError is a bug.
Example counts are set by QUALKIT_FUZZ_EXAMPLES (default 100 per test; the reliability
benchmark runs more).
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualkit.codebook import parse_codebook
from qualkit.errors import QualkitError
from qualkit.ingest import MAX_BYTES, TRANSCRIPT_SUFFIXES, read_transcript

EXAMPLES = int(os.environ.get("QUALKIT_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=os.environ.get("QUALKIT_FUZZ_RANDOM") is None,
)
SUFFIXES = [*sorted(TRANSCRIPT_SUFFIXES), ".TXT", ".Json", ".doc", ""]


def read_bytes_as(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"transcript{suffix}"
        path.write_bytes(data)
        try:
            parsed = read_transcript(path)
        except QualkitError:
            return
        assert parsed.turns
        for turn in parsed.turns:
            assert isinstance(turn.text, str) and turn.text


# Text close to real formats reaches deeper than random bytes.
_LINE = st.one_of(
    st.text(max_size=80),
    st.from_regex(r"\A[A-ZÅÄÖ][a-zåäö]{0,10}( \([A-Za-z]{1,5}\))?: .{0,40}\Z"),
    st.from_regex(r"\A\[?\d{1,2}:\d{2}(:\d{2})?([.,]\d{1,3})?\]? .{0,30}\Z"),
    st.from_regex(r"\A\d{1,2}:\d{2}:\d{2}[,.]\d{3} --> \d{1,2}:\d{2}:\d{2}[,.]\d{3}\Z"),
    st.from_regex(r"\A<v [^>]{0,10}>.{0,20}\Z"),
    # noScribe's and aTrain's shapes: label then time, header lines, pauses, speaker lines.
    st.from_regex(r"\A(//)?S\d{2}: \[\d{2}:\d{2}:\d{2}\] .{0,30}\Z"),
    st.from_regex(r"\A(\[\d{2}:\d{2}:\d{2}\] - .{0,15} ?){1,4}\Z"),
    st.from_regex(r"\A\(\d{1,3} seconds pause\)|\(\.{1,4}\)\Z"),
    st.sampled_from(
        [
            "Transcribed with noScribe vers. 0.7",
            "Audio file: ./intervju.mp3",
            "(Language: Swedish (sv) | Speaker detection: auto | Timestamps: 1)",
            "Transcription for 2410141418-fokusgr",
            "SPEAKER_00",
            "Speaker undefined",
            "NOTE",
        ]
    ),
    st.just("WEBVTT"),
    st.just("-->"),
    st.just(""),
)
_DOC = st.lists(_LINE, max_size=30).map("\n".join)
_ENCODING = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"])

_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                ["segments", "text", "start", "end", "speaker", "words", "word", "probability", "x"]
            ),
            inner,
            max_size=6,
        )
    ),
    max_leaves=30,
)


@FUZZ
@given(data=st.binary(max_size=4000), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes_with_every_suffix(data: bytes, suffix: str) -> None:
    read_bytes_as(data, suffix)


@FUZZ
@given(text=_DOC, encoding=_ENCODING, suffix=st.sampled_from([".txt", ".srt", ".vtt"]))
def test_format_shaped_text(text: str, encoding: str, suffix: str) -> None:
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    read_bytes_as(data, suffix)


_ANCHOR_NAME = st.one_of(
    st.from_regex(r"\Ats_\d{1,12}_\d{1,12}_(//)?S?\d{0,3}\Z"),
    st.text(max_size=20),
)
_PIECE = st.tuples(_ANCHOR_NAME, _LINE).map(
    lambda p: f'<a name="{p[0]}" >{p[1]}</a>' if p[0] else p[1]
)
_HTML = st.lists(st.lists(_PIECE, max_size=4).map(lambda a: "<p>" + "".join(a)), max_size=8).map(
    lambda ps: "<html><head></head><body>" + "</p>".join(ps) + "</body></html>"
)


@FUZZ
@given(text=_HTML, suffix=st.sampled_from([".html", ".htm"]))
def test_noscribe_shaped_html(text: str, suffix: str) -> None:
    read_bytes_as(text.encode("utf-8"), suffix)


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "transcribers"
_REAL = sorted(p for p in FIXTURES.iterdir() if p.suffix != ".md") if FIXTURES.is_dir() else []


@FUZZ
@given(
    index=st.integers(min_value=0, max_value=max(len(_REAL) - 1, 0)),
    cut=st.integers(min_value=0, max_value=3000),
    flips=st.lists(st.tuples(st.integers(0, 3000), st.integers(0, 255)), max_size=6),
)
def test_real_transcriber_files_cut_and_damaged(
    index: int, cut: int, flips: list[tuple[int, int]]
) -> None:
    if not _REAL:
        pytest.skip("no transcriber fixtures")
    path = _REAL[index]
    data = bytearray(path.read_bytes()[:cut])
    for at, value in flips:
        if at < len(data):
            data[at] = value
    read_bytes_as(bytes(data), path.suffix)


@FUZZ
@given(value=_JSON)
def test_random_json_structures(value: Any) -> None:
    read_bytes_as(json.dumps(value, allow_nan=True).encode(), ".json")


@FUZZ
@given(
    members=st.dictionaries(
        st.sampled_from(
            ["[Content_Types].xml", "word/document.xml", "_rels/.rels", "word/_rels/x", "a"]
        ),
        st.binary(max_size=300) | _DOC.map(str.encode),
        max_size=4,
    )
)
def test_random_zip_as_docx(members: dict[str, bytes]) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    read_bytes_as(buf.getvalue(), ".docx")


@pytest.mark.parametrize(
    ("data", "suffix"),
    [
        (b"[" * 200_000, ".json"),  # deep nesting: RecursionError in the JSON parser
        (b'[{"text": "a", "words": true}]', ".json"),
        (b'[{"text": "a", "start": 1e999}]', ".json"),
        (b'[{"text": "a", "words": [{"word": "a", "start": 0, "end": 1, "score": "x"}]}]', ".json"),
        (b"WEBVTT\n\n00:00:01.000 --> 00:00:00.500\nx\n", ".vtt"),
        (b"PK\x03\x04" + b"\x00" * 100, ".docx"),
        (b'{"segments": [{"text": "a", "start": ' + b"9" * 5000 + b"}]}", ".json"),
        (b'[{"text": "a", "start": "' + b"9" * 5000 + b'"}]', ".json"),
        ("\ufeffAnna: hej\n".encode("utf-32-le"), ".txt"),
        (b"\xff\xfe\x00\x00" + b"\x00\xd8\x00\x00", ".txt"),  # UTF-32 BOM, broken body
        (b"x. " * 400_000, ".txt"),  # one turn of 1.2 MB, no speaker
        (
            b"WEBVTT\n\n1\n00:00:01.000 --> 00:00:0x.000\nx\n\n"
            b"2\n00:00:02.000 --> 00:00:03.000\ny\n",
            ".vtt",
        ),
        (b'<html><body><p><a name="ts_5_1_S01">S01: [00:00:00] hej</a></p></body></html>', ".html"),
        (b'<html><body><p><a name="ts_99999999999_1_">(12 seconds pause)</a></p>', ".html"),
        (b"<html><body><p>no anchors</p></body></html>", ".html"),
        (b"Transcription for x\n\nSPEAKER_00\n[99:99:99] - hej [00:00:01] - ", ".txt"),
        (b"Transcribed with noScribe vers. 0.7\nAudio file: a.mp3\n", ".txt"),
    ],
)
def test_known_hostile_inputs(data: bytes, suffix: str) -> None:
    read_bytes_as(data, suffix)


def test_oversized_transcript_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:
        fh.truncate(MAX_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(QualkitError, match="too large"):
        read_transcript(path)


# ------------------------------------------------------------------ codebooks
_YAML_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=15),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "name",
                    "codes",
                    "label_sv",
                    "label_en",
                    "children",
                    "parent",
                    "hotkey",
                    "colour",
                    "description",
                    "version",
                ]
            )
            | st.text(max_size=5),
            inner,
            max_size=6,
        )
    ),
    max_leaves=40,
)


def parse_ok_or_error(text: str) -> None:
    try:
        book = parse_codebook(text)
    except QualkitError:
        return
    assert book.id
    assert len({c.key for c in book.codes}) == len(book.codes)


@FUZZ
@given(text=st.text(max_size=600))
def test_codebook_random_text(text: str) -> None:
    parse_ok_or_error(text)


@FUZZ
@given(value=_YAML_VALUE)
def test_codebook_random_structures(value: Any) -> None:
    parse_ok_or_error(yaml.safe_dump(value, allow_unicode=True))


@FUZZ
@given(
    codes=st.lists(
        st.fixed_dictionaries(
            {"id": st.from_regex(r"\A[a-z]{1,4}\Z"), "label_sv": st.text(max_size=10)},
            optional={
                "parent": st.from_regex(r"\A[a-z]{1,4}\Z"),
                "hotkey": st.text(max_size=2),
                "colour": st.text(max_size=8),
                "children": st.just([{"id": "barn", "label_sv": "Barn"}]),
            },
        ),
        max_size=6,
    )
)
def test_codebook_plausible_structures(codes: list[dict[str, Any]]) -> None:
    parse_ok_or_error(yaml.safe_dump({"id": "fuzz", "name": "Fuzz", "codes": codes}))


def test_oversized_codebook_is_refused(tmp_path: Path) -> None:
    from qualkit.codebook import MAX_CODEBOOK_BYTES, load_codebook

    path = tmp_path / "huge.yaml"
    with path.open("wb") as fh:
        fh.truncate(MAX_CODEBOOK_BYTES + 1)
    with pytest.raises(QualkitError, match="too large"):
        load_codebook(path)


def test_codebook_yaml_bombs_are_refused() -> None:
    # Aliases nested many levels (a "billion laughs") must not hang or exhaust memory.
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    lines.append("id: bomb\nname: Bomb\ncodes: *a8")
    with pytest.raises(QualkitError):
        parse_codebook("\n".join(lines))


@pytest.mark.parametrize(
    "text",
    [
        "id: c\nname: C\ncodes:\n  - {id: a, label_sv: A, parent: b}\n"
        "  - {id: b, label_sv: B, parent: a}\n",
        "id: c\nname: C\ncodes:\n  - {id: a, label_sv: A, parent: a}\n",
        "id: c\nname: C\ncodes: " + "[" * 3000 + "]" * 3000 + "\n",
        "id: c\nname: C\ncodes:\n"
        + "".join(
            "  " * (2 * i)
            + f"  - id: k{i}\n"
            + "  " * (2 * i)
            + "    label_sv: K\n"
            + "  " * (2 * i)
            + "    children:\n"
            for i in range(400)
        )
        + "  " * 800
        + "  - {id: z, label_sv: Z}\n",
    ],
    # Short ids: pytest puts the id in the environment (PYTEST_CURRENT_TEST), and a
    # megabyte of YAML there makes the next subprocess fail ("Argument list too long").
    ids=["parent-cycle", "own-parent", "deep-brackets", "deep-children"],
)
def test_known_hostile_codebooks(text: str) -> None:
    with pytest.raises(QualkitError):
        parse_codebook(text)

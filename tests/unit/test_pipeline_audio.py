"""Stage 1: decoding any container to 16 kHz mono, and failing clearly on bad input."""

from __future__ import annotations

import itertools
from pathlib import Path

import av
import numpy as np
import pytest

from qualkit.errors import QualkitError
from qualkit.pipeline.audio import (
    ArrayAudio,
    AudioError,
    PcmAudio,
    decode_to_pcm,
    iter_decode,
    windows,
)
from tests.pipeline_fakes import tone_wav


def encode(
    path: Path, codec: str, seconds: float = 3.0, rate: int = 44100, layout: str = "stereo"
) -> Path:
    """Write a tone with PyAV in any container/codec it supports."""
    if codec not in av.codecs_available:
        pytest.skip(f"PyAV has no {codec} encoder here")
    with av.open(str(path), "w") as c:
        s = c.add_stream(codec, rate=rate, layout=layout)
        fmt = s.codec_context.codec.audio_formats[0].name
        n = int(seconds * rate)
        t = np.arange(n) / rate
        x = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        chans = 2 if layout == "stereo" else 1
        planar = fmt.endswith("p")
        base = fmt.rstrip("p")
        dtype = {"flt": np.float32, "s16": np.int16, "s32": np.int32, "dbl": np.float64}[base]
        scale = {np.int16: 32767, np.int32: 2**31 - 1}.get(dtype, 1.0)  # type: ignore[call-overload]
        data = np.stack([x] * chans) * scale
        frame_size = s.codec_context.frame_size or 1024
        for i in range(0, n, frame_size):
            chunk = data[:, i : i + frame_size].astype(dtype)
            arr = chunk if planar else chunk.T.reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(arr), format=fmt, layout=layout)
            frame.sample_rate = rate
            for p in s.encode(frame):
                c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    return path


@pytest.mark.parametrize(
    ("suffix", "codec"),
    [
        ("flac", "flac"),
        ("ogg", "libopus"),
        ("ogg", "libvorbis"),
        ("mp3", "libmp3lame"),
        ("m4a", "aac"),
        ("mp4", "aac"),
        ("opus", "libopus"),
        ("wav", "pcm_s16le"),
    ],
)
def test_any_container_becomes_16k_mono(tmp_path: Path, suffix: str, codec: str) -> None:
    rate = 48000 if "opus" in codec else 44100
    src = encode(tmp_path / f"x.{suffix}", codec, 3.0, rate)
    info = decode_to_pcm(src, tmp_path / "x.pcm")
    assert info.duration_s == pytest.approx(3.0, abs=0.15)
    assert info.source_channels == 2 and not info.silent
    pcm = PcmAudio(tmp_path / "x.pcm")
    assert pcm.samples == info.samples
    assert 0.1 < float(np.abs(pcm.read(1.0, 2.0)).max()) <= 1.0


def test_decoding_streams_in_blocks(tmp_path: Path) -> None:
    src = tone_wav(tmp_path / "long.wav", 70.0, rate=22050, channels=2)
    blocks = list(iter_decode(src, block_s=10.0))
    assert len(blocks) >= 6
    assert max(b.size for b in blocks) < 16000 * 12  # never the whole file at once
    assert sum(b.size for b in blocks) == pytest.approx(70 * 16000, abs=400)


def test_empty_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(AudioError, match="empty"):
        decode_to_pcm(tmp_path / "empty.wav", tmp_path / "x.pcm")


def test_garbage_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "junk.mp3").write_bytes(np.random.default_rng(1).bytes(5000))
    with pytest.raises(QualkitError):
        decode_to_pcm(tmp_path / "junk.mp3", tmp_path / "x.pcm")
    assert not (tmp_path / "x.pcm").exists()


def test_file_without_audio_track(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hej\n" * 100)
    with pytest.raises(QualkitError):
        decode_to_pcm(tmp_path / "notes.txt", tmp_path / "x.pcm")


@pytest.mark.parametrize("codec", ["flac", "libmp3lame"])
def test_truncated_file_keeps_what_decodes(tmp_path: Path, codec: str) -> None:
    suffix = "flac" if codec == "flac" else "mp3"
    src = encode(tmp_path / f"x.{suffix}", codec, 6.0)
    data = src.read_bytes()
    cut = tmp_path / f"cut.{suffix}"
    cut.write_bytes(data[: len(data) // 2])
    info = decode_to_pcm(cut, tmp_path / "x.pcm")
    assert 1.0 < info.duration_s < 5.0


def test_silent_recording_is_flagged(tmp_path: Path) -> None:
    src = tone_wav(tmp_path / "quiet.wav", 5.0, amplitude=0.0)
    info = decode_to_pcm(src, tmp_path / "x.pcm")
    assert info.silent and info.duration_s == pytest.approx(5.0, abs=0.01)


def test_windows_cut_in_pauses() -> None:
    sr = 16000
    t = np.arange(100 * sr) / sr
    x = (0.3 * np.sin(2 * np.pi * 200 * t) * ((t % 7.0) < 6.0)).astype(np.float32)
    ws = windows(ArrayAudio(x), length_s=30.0, search_s=5.0)
    assert ws[0][0] == 0.0 and ws[-1][1] == pytest.approx(100.0)
    for (_, end), (start, _) in itertools.pairwise(ws):
        assert end == start
        assert end % 7.0 >= 5.9  # inside the silent second of each 7 s
    assert all(b - a <= 35.0 for a, b in ws)


def test_short_audio_is_one_window() -> None:
    assert windows(ArrayAudio(np.zeros(16000, np.float32)), 300.0) == [(0.0, 1.0)]


def _write_stereo(path: Path, left: np.ndarray, right: np.ndarray, rate: int = 16000) -> Path:
    import wave

    data = np.stack([left, right], axis=1)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(data, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def test_wav_cut_in_half_is_flagged_truncated(tmp_path: Path) -> None:
    src = tone_wav(tmp_path / "whole.wav", 6.0)
    data = src.read_bytes()
    cut = tmp_path / "half.wav"
    cut.write_bytes(data[: len(data) // 2])  # the header still promises 6 s
    info = decode_to_pcm(cut, tmp_path / "x.pcm")
    assert info.truncated and 2.5 < info.duration_s < 3.5
    assert not decode_to_pcm(src, tmp_path / "y.pcm").truncated


def test_ogg_with_corrupt_pages_is_flagged_and_all_corrupt_is_an_error(tmp_path: Path) -> None:
    src = encode(tmp_path / "x.ogg", "libopus", 8.0, rate=48000, layout="mono")
    data = bytearray(src.read_bytes())
    assert not decode_to_pcm(src, tmp_path / "a.pcm").truncated
    damaged = bytearray(data)
    for i in range(len(data) // 4, len(data), 7):  # flip bits in the last three quarters
        damaged[i] ^= 0x5A
    (tmp_path / "damaged.ogg").write_bytes(bytes(damaged))
    info = decode_to_pcm(tmp_path / "damaged.ogg", tmp_path / "b.pcm")
    assert info.truncated and info.duration_s < 6.0
    # Headers intact, every audio page broken: nothing decodes, which is an error, not
    # an empty "ok" transcript.
    broken = bytearray(data)
    third_page = [i for i in range(len(data) - 4) if data[i : i + 4] == b"OggS"][2]
    for i in range(third_page + 30, len(data), 5):
        broken[i] ^= 0x5A
    (tmp_path / "broken.ogg").write_bytes(bytes(broken))
    with pytest.raises(AudioError, match=r"broken\.ogg"):
        decode_to_pcm(tmp_path / "broken.ogg", tmp_path / "c.pcm")


def test_anti_phase_stereo_uses_one_channel(tmp_path: Path) -> None:
    t = np.arange(5 * 16000) / 16000
    x = 0.3 * np.sin(2 * np.pi * 220 * t) * ((t % 1.5) < 1.0)
    src = _write_stereo(tmp_path / "anti.wav", x, -x)  # one channel wired backwards
    info = decode_to_pcm(src, tmp_path / "x.pcm")
    assert info.phase_inverted and not info.silent and info.peak > 0.25
    normal = _write_stereo(tmp_path / "normal.wav", x, 0.5 * x)
    assert not decode_to_pcm(normal, tmp_path / "y.pcm").phase_inverted

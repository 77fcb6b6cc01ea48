"""Stage 1: decode any common audio or video file to 16 kHz mono PCM, streamed.

The decoded signal is written once as raw int16 next to the other artefacts and
read back in windows, so no stage ever holds a whole 80-minute recording in memory
(int16 halves the disk cost of float32; 16-bit is more than Whisper can use).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from qualkit import atomic
from qualkit.atomic import sha256_file
from qualkit.errors import InputError

SAMPLE_RATE = 16_000
DECODER_VERSION = "pyav-s16-2"  # bump when decoding changes, so artefacts are rebuilt
# Peak below this (about -74 dBFS) is treated as a silent recording: an empty transcript.
SILENCE_PEAK = 2e-4

log = logging.getLogger(__name__)

Samples = npt.NDArray[np.float32]


class AudioError(InputError):
    """A recording that cannot be decoded; the message says what to do."""


@dataclass(frozen=True, slots=True)
class AudioInfo:
    """What decoding found out about a recording (the AUDIO stage's artefact)."""

    sha256: str
    samples: int
    peak: float
    rms: float
    source_rate: int
    source_channels: int
    codec: str
    truncated: bool = False
    sample_rate: int = SAMPLE_RATE
    phase_inverted: bool = False  # stereo whose channels cancel out; one channel was used

    def warnings(self, segments: int, source: str = "this file") -> tuple[str, ...]:
        """What the user must hear about a recording that was transcribed anyway
        (`source`: the audio file as the user knows it, e.g. audio/fg1.wav)."""
        out = []
        if self.truncated:
            out.append(
                f"the file is damaged or cut short: only {self.duration_s:.0f} s could be decoded "
                f"and transcribed; if more is missing, copy the whole recording over {source} "
                "and run qualkit transcribe on it again (the new file is transcribed unless "
                "the recording has been coded or edited meanwhile)"
            )
        if self.phase_inverted:
            out.append(
                "the left and right channels cancel each other out (one is phase-inverted): "
                "the louder channel alone was transcribed"
            )
        if self.silent:
            out.append("no sound in the recording: the transcript is empty")
        elif segments == 0:
            out.append("no speech was recognised: the transcript is empty")
        return tuple(out)

    @property
    def duration_s(self) -> float:
        return self.samples / self.sample_rate

    @property
    def silent(self) -> bool:
        return self.samples == 0 or self.peak < SILENCE_PEAK


def _reason(exc: Exception) -> str:
    """FFmpeg's own words without PyAV's errno and file name ("[Errno 1094995529] ...")."""
    return str(getattr(exc, "strerror", None) or exc)


def _open(path: Path) -> object:
    import av

    if not path.is_file():
        raise AudioError(f"Audio file {path} does not exist; check the recording's path.")
    if path.stat().st_size == 0:
        raise AudioError(f"Audio file {path} is empty (0 bytes); copy the recording again.")
    try:
        return av.open(str(path), mode="r", metadata_errors="ignore")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise AudioError(
            f"Cannot read {path.name}: not a recognised audio or video file ({_reason(exc)}). "
            "Convert it to wav, mp3, m4a, ogg or flac and import it again."
        ) from exc


def _frames(container: Any, stream: Any, path: Path, meta: dict[str, object]) -> Iterator[Any]:
    """Decoded frames; a corrupt or missing tail ends the stream and marks it truncated."""
    import av

    packet_bytes = 0
    try:
        for packet in container.demux(stream):
            packet_bytes += packet.size or 0
            meta["packet_bytes"] = packet_bytes
            yield from packet.decode()
    except (av.error.FFmpegError, EOFError) as exc:
        # Truncated or corrupt tail: keep what decoded cleanly up to here.
        log.warning("decoding %s stopped early: %s", path.name, type(exc).__name__)
        meta["truncated"] = True


def _iter_decode(
    path: Path, block_s: float, channel: int | None = None
) -> Generator[tuple[Samples, dict[str, object]], None, None]:
    """Blocks of 16 kHz float32, each (channels, samples) for a stereo source (so callers
    can tell a phase-inverted channel) and (1, samples) otherwise; `channel` picks one."""
    import av

    container = _open(path)
    assert isinstance(container, av.container.InputContainer)
    meta: dict[str, object] = {"truncated": False}
    try:
        streams = container.streams.audio
        if not streams:
            raise AudioError(f"{path.name} has no audio track.")
        stream = streams[0]
        ctx = stream.codec_context
        channels = int(ctx.channels or 0)
        expected = (container.duration or 0) / 1_000_000
        meta.update(
            rate=int(ctx.sample_rate or 0),
            channels=channels,
            codec=str(ctx.name),
            expected_s=expected,
            audio_only=not container.streams.video,
        )
        layout = "stereo" if channels == 2 else "mono"
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=SAMPLE_RATE)
        pending: list[Samples] = []
        pending_n = 0
        target = int(block_s * SAMPLE_RATE)

        def take(frames: Any) -> None:
            nonlocal pending_n
            for out in frames:
                arr = out.to_ndarray().astype(np.float32, copy=False)
                if channel is not None:
                    arr = arr[min(channel, arr.shape[0] - 1)][None, :]
                pending.append(arr)
                pending_n += arr.shape[1]

        for frame in _frames(container, stream, path, meta):
            take(resampler.resample(frame))
            if pending_n >= target:
                yield np.concatenate(pending, axis=1), meta
                pending, pending_n = [], 0
        try:
            take(resampler.resample(None))
        except av.error.FFmpegError:
            meta["truncated"] = True
        if pending:
            yield np.concatenate(pending, axis=1), meta
    except av.error.FFmpegError as exc:
        raise AudioError(
            f"Cannot decode {path.name} ({_reason(exc)}); the file may be damaged."
        ) from exc
    finally:
        container.close()


def check_decodable(path: Path) -> None:
    """Decode the first second of `path`, so a file that is not audio (a text file named
    .wav, a damaged download) is refused when it is imported, not at the first
    transcription, after it has become a recording of the project."""
    blocks = _iter_decode(path, 1.0)
    try:
        first = next(blocks, None)
    finally:
        blocks.close()
    if first is None or first[0].size == 0:
        raise AudioError(
            f"Cannot import {path.name}: it holds no sound (no audio samples could be "
            "decoded). Check that the recording was saved whole, and import it again."
        )


def iter_decode(path: Path, block_s: float = 30.0) -> Iterator[Samples]:
    """16 kHz mono float32 blocks of about `block_s` seconds, decoded as the file is read.

    A file that breaks off part-way yields what could be decoded; `decode_to_pcm` records it.
    """
    for block, _ in _iter_decode(path, block_s):
        yield block.mean(axis=0, dtype=np.float32)


def _write_pcm(
    path: Path, dest: Path, channel: int | None
) -> tuple[int, float, float, list[float], dict[str, object]]:
    """One decoding pass into `dest`: samples, peak, sum of squares, per-channel sum of
    squares, and what the decoder found out."""
    peak = sumsq = 0.0
    n = 0
    per_channel: list[float] = []
    meta: dict[str, object] = {}
    with atomic.open_for_write(dest) as out:
        for block, block_meta in _iter_decode(path, 30.0, channel):
            meta = block_meta
            np.nan_to_num(block, copy=False)
            np.clip(block, -1.0, 1.0, out=block)
            if len(per_channel) < block.shape[0]:
                per_channel = [0.0] * block.shape[0]
            for c in range(block.shape[0]):
                per_channel[c] += float(np.dot(block[c], block[c]))
            mono = block.mean(axis=0, dtype=np.float32)
            if mono.size:
                peak = max(peak, float(np.max(np.abs(mono))))
                sumsq += float(np.dot(mono, mono))
            n += mono.size
            out.write((mono * 32767.0).astype("<i2").tobytes())
    return n, peak, sumsq, per_channel, meta


def _wav_cut_short(path: Path) -> bool:
    """A RIFF/WAVE file whose data chunk promises more bytes than the file holds (ffmpeg
    quietly takes the file's size instead of the header's for 16-bit PCM)."""
    with open(path, "rb") as f:
        head = f.read(1 << 16)
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return False
    pos = 12
    while pos + 8 <= len(head):
        chunk, size = head[pos : pos + 4], int.from_bytes(head[pos + 4 : pos + 8], "little")
        if chunk == b"data":
            if size in (0, 0xFFFFFFFF):  # streamed WAV: length unknown
                return False
            return path.stat().st_size - (pos + 8) < 0.97 * size
        pos += 8 + size + (size & 1)
    return False


def _damaged(path: Path, n: int, meta: dict[str, object]) -> bool:
    """Less audio than the file promises: its header's duration, or (for an audio-only
    file) its size against the compressed bytes actually read. Ogg drops pages whose
    checksum fails without an error, and a WAV cut short decodes cleanly to its end."""
    expected = float(meta.get("expected_s", 0.0) or 0.0)  # type: ignore[arg-type]
    got = n / SAMPLE_RATE
    if expected and got < expected - max(1.0, 0.03 * expected):
        return True
    read = int(meta.get("packet_bytes", 0) or 0)  # type: ignore[call-overload]
    size = path.stat().st_size
    if bool(meta.get("audio_only")) and size - read > max(8_192, size // 2):
        return True
    return _wav_cut_short(path)


def decode_to_pcm(path: Path, dest: Path, sha256: str | None = None) -> AudioInfo:
    """Decode `path` into `dest` (raw int16, 16 kHz mono), atomically. Memory stays flat."""
    n, peak, sumsq, per_channel, meta = _write_pcm(path, dest, None)
    if n == 0:
        raise AudioError(
            f"{path.name} contains no decodable audio; the file may be damaged. "
            "Copy the recording again or convert it to wav and import that."
        )
    phase_inverted = False
    loudest = max(range(len(per_channel)), key=lambda c: per_channel[c], default=0)
    if len(per_channel) == 2 and sumsq < 0.01 * per_channel[loudest] and peak >= 0:
        # Left and right cancel out in the mono mix (one channel is phase-inverted, a
        # wiring fault): the mix is near silence, so take the louder channel alone.
        n, peak, sumsq, _, meta = _write_pcm(path, dest, loudest)
        phase_inverted = True
    return AudioInfo(
        sha256=sha256 or sha256_file(path),
        samples=n,
        peak=peak,
        rms=(sumsq / n) ** 0.5 if n else 0.0,
        source_rate=int(meta.get("rate", 0) or 0),  # type: ignore[call-overload]
        source_channels=int(meta.get("channels", 0) or 0),  # type: ignore[call-overload]
        codec=str(meta.get("codec", "")),
        truncated=bool(meta.get("truncated", False)) or _damaged(path, n, meta),
        phase_inverted=phase_inverted,
    )


class PcmAudio:
    """Random access to a decoded recording; reads only the window asked for."""

    def __init__(self, path: Path, sample_rate: int = SAMPLE_RATE) -> None:
        self.path = path
        self.sample_rate = sample_rate
        self.samples = os.path.getsize(path) // 2

    @property
    def duration_s(self) -> float:
        return self.samples / self.sample_rate

    def read(self, start_s: float = 0.0, end_s: float | None = None) -> Samples:
        a = max(0, round(start_s * self.sample_rate))
        b = self.samples if end_s is None else min(self.samples, round(end_s * self.sample_rate))
        if b <= a:
            return np.zeros(0, dtype=np.float32)
        raw = np.fromfile(self.path, dtype="<i2", count=b - a, offset=2 * a)
        return raw.astype(np.float32) / np.float32(32767.0)


class ArrayAudio:
    """An in-memory signal with the same interface (tests, benchmarks)."""

    def __init__(self, samples: Samples, sample_rate: int = SAMPLE_RATE) -> None:
        self._x = np.asarray(samples, dtype=np.float32)
        self.sample_rate = sample_rate
        self.samples = int(self._x.size)

    @property
    def duration_s(self) -> float:
        return self.samples / self.sample_rate

    def read(self, start_s: float = 0.0, end_s: float | None = None) -> Samples:
        a = max(0, round(start_s * self.sample_rate))
        b = self.samples if end_s is None else min(self.samples, round(end_s * self.sample_rate))
        return self._x[a:b].copy() if b > a else np.zeros(0, dtype=np.float32)


AudioSource = PcmAudio | ArrayAudio


def windows(
    audio: AudioSource, length_s: float = 300.0, search_s: float = 20.0
) -> list[tuple[float, float]]:
    """Split a recording into windows of about `length_s`, cut at the quietest 0.2 s near each end.

    Cutting in a pause keeps words whole, so windows can be processed independently
    and memory does not grow with recording length.
    """
    total = audio.duration_s
    out: list[tuple[float, float]] = []
    start = 0.0
    frame = 0.2
    while total - start > length_s + search_s:
        lo = start + length_s - search_s
        x = audio.read(lo, lo + 2 * search_s)
        k = int(frame * audio.sample_rate)
        usable = (x.size // k) * k
        if usable == 0:
            cut = start + length_s
        else:
            energy = np.square(x[:usable].reshape(-1, k)).mean(axis=1)
            cut = lo + (int(np.argmin(energy)) + 0.5) * frame
        out.append((start, cut))
        start = cut
    if total > start or not out:
        out.append((start, total))
    return out

from __future__ import annotations

import time
from pathlib import Path

import pytest

from qualkit import playback


def test_missing_audio_and_time_are_messages(tmp_path: Path) -> None:
    assert playback.play(None, 1.0, 2.0).message == "no_audio"
    audio = tmp_path / "a.wav"
    audio.write_bytes(b"RIFF")
    assert playback.play(audio, None, None).message == "no_time"


def test_no_sound_device_is_a_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUALKIT_NO_SOUND", "1")
    audio = tmp_path / "a.wav"
    audio.write_bytes(b"RIFF")
    result = playback.play(audio, 0.0, 1.0)
    assert not result.ok and "ljudenhet" in result.message


def test_ffplay_command_when_present(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(playback.shutil, "which", lambda name: f"/usr/bin/{name}")
    cmd = playback.player_command(Path("x.wav"), 1.5, 2.0)
    assert cmd is not None and cmd[0] == "ffplay" and "-ss" in cmd and "1.50" in cmd


def fake_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """sox and aplay stand-ins on an otherwise empty PATH; the player runs until stopped."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "played"
    (bin_dir / "sox").write_text('#!/bin/sh\nexec /bin/cat "$2"\n')
    (bin_dir / "aplay").write_text(f"#!/bin/sh\n/bin/cat >> {log}\nexec /bin/sleep 30\n")
    for tool in ("sox", "aplay"):
        (bin_dir / tool).chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("PULSE_SERVER", "unix:/nowhere")
    monkeypatch.delenv("QUALKIT_NO_SOUND", raising=False)
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(private_tmp))
    return log


def test_clip_is_piped_never_written_to_a_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = fake_tools(tmp_path, monkeypatch)
    audio = tmp_path / "intervju.wav"
    audio.write_bytes(b"RIFF interview audio")
    player = playback.Player()
    result = player.play(audio, 1.0, 3.0)
    assert result.ok and player.playing
    for _ in range(100):
        if log.exists() and log.read_bytes():
            break
        time.sleep(0.05)
    assert log.read_bytes() == b"RIFF interview audio"  # the player got the clip by pipe
    assert list((tmp_path / "tmp").iterdir()) == []
    assert player.stop() and not player.playing
    assert not player.stop()  # nothing left to stop


def test_a_new_play_stops_the_old_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_tools(tmp_path, monkeypatch)
    audio = tmp_path / "a.wav"
    audio.write_bytes(b"RIFF")
    player = playback.Player()
    first = player.play(audio, 0.0, 1.0).process
    second = player.play(audio, 1.0, 2.0).process
    assert first is not None and second is not None
    assert first.poll() is not None  # ended when the second began
    assert second.poll() is None
    player.stop()
    assert second.poll() is not None

from __future__ import annotations

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

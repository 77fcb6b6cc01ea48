from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from qualkit import playback

from ..playback_fakes import FakeClock, FakeLauncher


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
    assert not result.ok and result.message == "no_device"


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
    # One process, as a real player is: a shell script forks for cat, and a stop that lands
    # between its vfork and exec leaves the shell in uninterruptible wait, never stopped.
    (bin_dir / "aplay").write_text(
        f"#!{sys.executable}\nimport sys, time\n"
        f"with open({str(log)!r}, 'ab') as f:\n    f.write(sys.stdin.buffer.read())\n"
        "time.sleep(30)\n"
    )
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


def test_speed_goes_into_the_player_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(playback.shutil, "which", lambda name: f"/usr/bin/{name}")
    cmd = playback.player_command(Path("x.wav"), 1.0, 2.0, speed=0.75)
    assert cmd is not None and cmd[cmd.index("-af") + 1] == "atempo=0.75"
    assert "-af" not in (playback.player_command(Path("x.wav"), 1.0, 2.0) or [])
    monkeypatch.setattr(playback.shutil, "which", lambda name: None if name == "ffplay" else name)
    pair = playback.pipe_commands(Path("x.wav"), 1.0, 2.0, speed=1.25)
    assert pair is not None and pair[0][-3:] == ["tempo", "-s", "1.25"]


def transport(tmp_path: Path) -> tuple[playback.Player, FakeLauncher, FakeClock, Path]:
    audio = tmp_path / "fg.wav"
    audio.write_bytes(b"RIFF")
    launcher, clock = FakeLauncher(), FakeClock()
    return playback.Player(launcher, clock), launcher, clock, audio


def test_pause_resume_rewind_and_speed_follow_the_clip(tmp_path: Path) -> None:
    player, launcher, clock, audio = transport(tmp_path)
    assert player.play(audio, 10.0, 20.0).ok
    clock.now += 4.0
    assert player.position() == pytest.approx(14.0)
    assert player.toggle_pause() == "paused" and player.paused
    clock.now += 30.0  # paused time does not count
    assert player.position() == pytest.approx(14.0)
    assert player.toggle_pause() == "resumed"
    clock.now += 1.0
    assert player.rewind(3.0).ok  # from 15 s back to 12 s, to the clip's end
    assert player.step_speed(-1) == 0.75  # slower, from where it is
    clock.now += 4.0
    assert player.position() == pytest.approx(15.0)  # 4 s of clock at 0.75x
    assert player.stop() and player.position() is None
    assert launcher.commands_only() == [
        ("play", 10.0, 10.0, 1.0),
        ("pause",),
        ("resume",),
        ("play", 12.0, 8.0, 1.0),
        ("play", 12.0, 8.0, 0.75),
    ]
    assert player.toggle_pause() == "idle" and not player.rewind().ok


def test_speed_is_kept_for_the_next_clip_and_bounded(tmp_path: Path) -> None:
    player, launcher, _clock, audio = transport(tmp_path)
    for _ in range(9):
        player.step_speed(+1)
    assert player.speed == playback.SPEEDS[-1]
    player.play(audio, 0.0, 2.0)
    assert launcher.log[-1] == ("play", 0.0, 2.0, playback.SPEEDS[-1])


def test_a_paused_clip_changing_speed_stays_paused(tmp_path: Path) -> None:
    player, launcher, clock, audio = transport(tmp_path)
    player.play(audio, 0.0, 10.0)
    clock.now += 2.0
    player.toggle_pause()
    player.set_speed(1.25)
    assert player.paused and player.position() == pytest.approx(2.0)
    assert launcher.commands_only()[-2:] == [("play", 2.0, 8.0, 1.25), ("pause",)]


def process_state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def stopped(pid: int, expected: bool) -> bool:
    """Whether the process is stopped (state T), waiting a little for a signal to land."""
    for _ in range(100):
        if (process_state(pid) == "T") == expected:
            break
        time.sleep(0.02)
    return process_state(pid) == "T"


def test_pausing_stops_the_real_player_and_stop_still_ends_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tools(tmp_path, monkeypatch)
    audio = tmp_path / "a.wav"
    audio.write_bytes(b"RIFF")
    player = playback.Player()
    proc = player.play(audio, 0.0, 60.0).process
    assert proc is not None
    assert player.toggle_pause() == "paused"
    assert stopped(proc.pid, True)  # stopped by the signal, not killed
    assert player.toggle_pause() == "resumed"
    assert not stopped(proc.pid, False)
    player.toggle_pause()
    assert player.stop() and proc.poll() is not None  # a paused player is ended too

"""Voices to participants: list, name by role and actor, merge; and the CLI faces."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualkit import speakers
from qualkit.cli import main
from qualkit.errors import NotFoundError
from qualkit.model import Actor, Word
from qualkit.project import Project

# Every test here that uses a project runs on SQLite and on a PostgreSQL server.
pytestmark = pytest.mark.both_backends


@pytest.fixture
def rec_id(project: Project) -> int:
    rec = project.store.add_recording("g1")
    turns = [
        ("Talare 1", "Välkomna allihop.", 0.0, 2.0, (Word(0, 1, "Välkomna"),), False),
        ("Talare 2", "Vi träffas varannan vecka.", 2.0, 5.0, (), False),
        ("Talare 1", "Berätta mer.", 5.0, 5.5, (), False),
        ("Talare 3", "Jag håller med.", 6.0, 7.0, (), True),
    ]
    project.store.replace_segments(rec.id, turns)
    return rec.id


def test_summaries_most_talk_first_with_first_lines(project: Project, rec_id: int) -> None:
    rows = speakers.speaker_summaries(project.store, rec_id)
    assert [r.speaker.label for r in rows] == ["Talare 2", "Talare 1", "Talare 3"]
    assert rows[1].first_lines == ("Välkomna allihop.", "Berätta mer.") and rows[1].turns == 2


def test_name_a_voice_creates_then_updates_a_participant(project: Project, rec_id: int) -> None:
    p = speakers.name_speaker(
        project.store, rec_id, "2", role="handläggare", actor="FK", kommun="Eksjö"
    )
    assert p.attribution == "handläggare, FK" and p.kommun == "Eksjö" and p.actor is Actor.FK
    again = speakers.name_speaker(project.store, rec_id, "Talare 2", kommun="Nässjö")
    assert again.id == p.id and again.kommun == "Nässjö" and again.role == "handläggare"
    assert speakers.find_speaker(project.store, rec_id, p.pseudonym).label == "Talare 2"


def test_merge_two_voices(project: Project, rec_id: int) -> None:
    kept = speakers.merge_speakers(project.store, rec_id, "Talare 1", "3")
    assert kept.label == "Talare 1" and kept.talk_time_s == pytest.approx(3.5)
    assert len(project.store.speakers(rec_id)) == 2


def test_unknown_voice_lists_the_known(project: Project, rec_id: int) -> None:
    with pytest.raises(NotFoundError, match="Talare 1"):
        speakers.find_speaker(project.store, rec_id, "Talare 9")


def test_cli_speakers_and_models(project_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from qualkit.project import open_project

    with open_project(project_dir) as p:
        rec = p.store.add_recording("g1")
        p.store.replace_segments(rec.id, [("Talare 1", "Hej.", 0.0, 1.0, (), False)])
    args = ["speakers", "-p", str(project_dir), "g1"]
    assert main([*args, "--name", "1", "--as", "moderator", "--actor", "annan"]) == 0
    out = capsys.readouterr().out
    # Naming says what changed and how to see every voice; it does not reprint the table.
    assert "moderator" in out and "qualkit speakers g1" in out and "first lines" not in out
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "first lines" in out and "Hej." in out
    assert main([*args, "--name", "1", "--actor", "NAV"]) == 2
    assert main(["models"]) == 0
    assert "whisper-base" in capsys.readouterr().out


def test_cli_transcribe_needs_recordings(
    project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["transcribe", "-p", str(project_dir)]) == 2
    assert "--all" in capsys.readouterr().err
    assert main(["transcribe", "-p", str(project_dir), "--speakers", "0", "--all"]) == 2


def test_after_counting_the_voices_itself_the_cli_says_how_to_give_the_count(
    project_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from qualkit.cli import pipeline_cmds
    from qualkit.pipeline.progress import RunResult

    done = RunResult("g1", True, 600.0, 120, 5, ("transcribe", "diarize", "align"))
    monkeypatch.setattr(pipeline_cmds, "transcribe_project", lambda *a, **k: [done])
    assert main(["transcribe", "-p", str(project_dir), "g1"]) == 0
    out = capsys.readouterr().out
    assert "qualkit transcribe 'g1' --speakers N" in out.replace("\n", " ")
    # Given the count, or with the turns reused from an earlier run: nothing to say.
    assert main(["transcribe", "-p", str(project_dir), "g1", "--speakers", "5"]) == 0
    assert "--speakers N" not in capsys.readouterr().out
    reused = RunResult("g1", True, 600.0, 120, 5, ("align",))
    assert pipeline_cmds.count_tip([reused], counted=True) == ""
    failed = RunResult("g1", False, error="no audio")
    assert pipeline_cmds.count_tip([failed], counted=True) == ""


def test_a_participant_named_by_pseudonym_alone_is_not_said_twice(
    project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from qualkit.project import open_project

    with open_project(project_dir) as p:
        rec = p.store.add_recording("g1")
        p.store.replace_segments(
            rec.id,
            [("Talare 1", "Hej.", 0.0, 1.0, (), False), ("Talare 2", "Tja.", 1.0, 2.0, (), False)],
        )
    args = ["speakers", "-p", str(project_dir), "g1"]
    assert main([*args, "--name", "1", "--pseudonym", "Lisa"]) == 0
    said = capsys.readouterr()
    # An invented first name is the usual pseudonym: named, not warned about.
    assert "is now Lisa." in said.out and "looks like" not in said.err
    assert main([*args, "--name", "2", "--as", "kurator", "--pseudonym", "Kim"]) == 0
    assert "is now Kim (kurator)." in capsys.readouterr().out
    assert main([*args, "--lines", "1"]) == 0
    out = capsys.readouterr().out
    assert "Lisa" in out and "(Lisa)" not in out and "Kim (kurator)" in out


def test_undoing_a_naming_keeps_a_person_a_round_has_come_to_use(
    project: Project, rec_id: int
) -> None:
    from qualkit.undo_rows import UndoConflict
    from qualkit.undo_voices import VoiceName, name_voice, reverse_name

    voice = project.store.speakers(rec_id)[0]
    named = name_voice(project, voice.id, VoiceName("Lisa", "handläggare", "FK", ""))
    lisa = named.person_after
    round_ = project.store.add_round("Runda 1", "2026-12-03")
    project.store.add_round_participant(round_.id, lisa.id)
    # Undo would delete Lisa, and her round membership with her: it is refused instead.
    with pytest.raises(UndoConflict):
        reverse_name(project, named)
    assert project.store.speaker(voice.id).participant_id == lisa.id
    assert project.store.participant(lisa.id) == lisa
    assert [p.id for p in project.store.round_participants(round_.id)] == [lisa.id]


def test_a_turn_without_times_has_unknown_talk_time_not_zero(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A timed transcript: each turn ends where the next begins, so the last has no end.
    timed = tmp_path / "timed.txt"
    timed.write_text(
        "[00:00:05] Anna: Hej.\n[00:00:12] Bo: Vi saknar resurser.\n"
        "[00:00:40] Cecilia: Håller med.\n[00:00:50] Anna: Tack.\n",
        encoding="utf-8",
    )
    rec = project.import_transcript(timed)
    by_label = {s.speaker.label: s for s in speakers.speaker_summaries(project.store, rec.id)}
    assert by_label["Bo"].talk_time_s == pytest.approx(28.0)
    assert by_label["Cecilia"].talk_time_s == pytest.approx(10.0)
    # Anna's last turn has no end: counted out, and said to be.
    anna = by_label["Anna"].talk
    assert anna.known_s == pytest.approx(7.0) and (anna.timed, anna.untimed) == (1, 1)
    # A plain transcript has no times at all: unknown for every voice.
    plain = tmp_path / "plain.txt"
    plain.write_text("Anna: Hej.\nBo: Vi saknar resurser.\n", encoding="utf-8")
    rec = project.import_transcript(plain)
    rows = speakers.speaker_summaries(project.store, rec.id)
    assert [r.talk_time_s for r in rows] == [None, None]

    capsys.readouterr()
    assert main(["speakers", "-p", str(project.root), "plain"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "00:00:00" not in out and "│ – │" in out
    assert "counts only the turns with a start and an end time; 2 turns have none" in out
    assert main(["speakers", "-p", str(project.root), "timed"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "00:00:07*" in out and "1 turn has none" in out and "some of its turns" in out


def test_a_new_participants_default_pseudonym_is_the_lowest_free_number(project: Project) -> None:
    store = project.store
    # Not the count plus one: Kim first leaves Deltagare 1 free, and a typed Deltagare 3
    # (any case) is not made twice.
    store.add_participant("Kim")
    store.add_participant("deltagare 3")
    made = [store.add_participant().pseudonym for _ in range(3)]
    assert made == ["Deltagare 1", "Deltagare 2", "Deltagare 4"]


def test_cli_says_the_voice_by_its_label_and_a_new_participant_as_new(
    project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from qualkit.project import open_project

    turns = [(f"Talare {n}", "Hej.", float(n), n + 0.5, (), False) for n in (1, 2, 3, 4, 5)]
    with open_project(project_dir) as p:
        for name in ("g1", "g2"):
            p.store.replace_segments(p.store.add_recording(name).id, turns)
    g1 = ["speakers", "-p", str(project_dir), "g1"]
    assert main([*g1, "--name", "5", "--as", "moderator", "--pseudonym", "Moderatorn"]) == 0
    assert main([*g1, "--name", "4", "--pseudonym", "Deltagare 5"]) == 0
    capsys.readouterr()
    # "5 is now Deltagare 5" read as if the voice's number made the pseudonym.
    assert main(["speakers", "-p", str(project_dir), "g2", "--name", "5", "--as", "moderator"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Talare 5 is now Deltagare 1 (moderator)." in out
    assert "link it instead: qualkit speakers g2 --name 'Talare 5' --participant NAME" in out


def test_cli_warns_of_a_pseudonym_that_reads_as_a_name(
    project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from qualkit.project import open_project

    with open_project(project_dir) as p:
        rec = p.store.add_recording("g1")
        turns = [
            ("Talare 1", "Hej.", 0.0, 1.0, (), False),
            ("Talare 2", "Ja.", 1.0, 2.0, (), False),
        ]
        p.store.replace_segments(rec.id, turns)
    args = ["speakers", "-p", str(project_dir), "g1"]
    assert main([*args, "--name", "1", "--pseudonym", "Anna Svensson"]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "pseudonym 'Anna Svensson' looks like a person's name (Anna Svensson)" in err
    assert main([*args, "--name", "2", "--as", "moderator", "--pseudonym", "Moderatorn"]) == 0
    assert not capsys.readouterr().err  # a name for a role is no person's name
    with open_project(project_dir) as p:  # a warning, not a refusal
        assert "Anna Svensson" in {x.pseudonym for x in p.store.participants()}


def test_a_first_name_alone_is_warned_about_only_when_it_is_a_participants_real_name(
    project_dir: Path,
) -> None:
    from qualkit import resolve
    from qualkit.project import open_project

    with open_project(project_dir) as p:
        p.store.add_participant("Deltagare 1", real_name="Karin Lindqvist")
        assert resolve.pseudonym_names(p.store, "Lisa") == []  # invented: the usual pseudonym
        assert resolve.pseudonym_names(p.store, "Karin") == ["Karin"]  # a real one's part
        assert resolve.pseudonym_names(p.store, "Lisa Berg") == ["Lisa Berg"]


def test_following_the_link_hint_leaves_no_voiceless_participant_and_markup_is_text(
    project_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from qualkit.project import open_project

    turns = [(f"Talare {n}", "Hej.", float(n), n + 0.5, (), False) for n in (1, 2)]
    with open_project(project_dir) as p:
        for name in ("g1", "g2 [/x]"):  # a recording name that reads as markup
            p.store.replace_segments(p.store.add_recording(name).id, turns)
    base = ["speakers", "-p", str(project_dir)]
    assert main([*base, "g1", "--name", "1", "--pseudonym", "Moderatorn"]) == 0
    assert main([*base, "g2 [/x]", "--name", "1", "--as", "moderator"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "qualkit speakers 'g2 [/x]' --name 'Talare 1' --participant NAME" in out
    assert main([*base, "g2 [/x]", "--name", "1", "--participant", "Moderatorn"]) == 0
    with open_project(project_dir) as p:
        # The participant the first naming made had only that voice: it is gone.
        assert sorted(x.pseudonym for x in p.store.participants()) == ["Moderatorn"]
        assert main([*base, "g2 [/x]"]) == 0  # the table's title is text too
        assert "Voices in g2 [/x]" in " ".join(capsys.readouterr().out.split())


def test_a_participant_left_with_what_a_person_recorded_of_them_is_kept(project: Project) -> None:
    from qualkit.model import Consent

    rec = project.store.add_recording("g1")
    project.store.replace_segments(rec.id, [("Talare 1", "Hej.", 0.0, 1.0, (), False)])
    first = speakers.name_speaker(project.store, rec.id, "1", role="kurator")
    project.store.update_participant(first.id, consent=Consent.GIVEN)
    other = project.store.add_participant("Moderatorn")
    speakers.name_speaker(project.store, rec.id, "1", participant="Moderatorn")
    assert {p.id for p in project.store.participants()} == {first.id, other.id}


def test_two_participants_never_read_alike_by_case_or_spacing(project: Project) -> None:
    from qualkit.errors import InputError

    store = project.store
    store.add_participant("Deltagare 1")
    with pytest.raises(InputError, match="'Deltagare 1' already exists"):
        store.add_participant("DELTAGARE 1")
    kim = store.add_participant("Kim")
    with pytest.raises(InputError, match="already exists"):
        store.update_participant(kim.id, pseudonym="deltagare  1")
    store.add_participant("Deltagare  2")  # typed with two spaces: the default skips it
    assert store.add_participant().pseudonym == "Deltagare 3"
    assert store.update_participant(kim.id, pseudonym="KIM").pseudonym == "KIM"  # its own

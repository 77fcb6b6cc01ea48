"""`qualkit voices enroll|list|forget|match` and `qualkit speakers --unname`: output,
the score beside a voice named by a voiceprint, and one-line errors (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualkit import voices
from qualkit.cli import main
from qualkit.project import open_project
from tests.unit.test_voiceprints import add_recording


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def two_groups(project_dir: Path) -> Path:
    with open_project(project_dir) as project:
        add_recording(project, "grupp1", {"Talare 1": 0, "Talare 2": 1})
        add_recording(project, "grupp2", {"Talare 1": 3, "Talare 2": 0})
    return project_dir


def test_enrol_list_match_unname_forget(
    two_groups: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = str(two_groups)
    code, out, _ = run(
        capsys, "voices", "enroll", "Moderator", "-p", p, "--from", "grupp1", "--speaker", "1"
    )
    assert code == 0 and "Enrolled Moderator's voice from grupp1 / Talare 1" in out
    assert "from 8 s of speech names less reliably" in " ".join(out.split())
    code, out, _ = run(capsys, "voices", "list", "-p", p)
    assert code == 0 and "Moderator" in out and "grupp1 / Talare 1" in out
    with open_project(two_groups) as project:
        raw = project.store.voiceprints()[0].vector
        first = voices.decode(raw, 8)[0]
    assert f"{first:.3f}" not in out  # the vector is never shown

    code, out, _ = run(capsys, "voices", "match", "grupp2", "-p", p)
    assert code == 0 and "Talare 2" in out and "Moderator" in out
    code, out, _ = run(capsys, "speakers", "grupp2", "-p", p)
    assert "voiceprint 0." in out or "voiceprint 1.00" in out
    with open_project(two_groups) as project:
        assert project.store.voiceprints()[0].matches == 1  # the "voices named" column

    code, out, _ = run(capsys, "speakers", "grupp2", "-p", p, "--unname", "Talare 2")
    assert code == 0 and "Talare 2 is no longer Moderator" in out
    assert "voiceprint 0." not in out
    code, out, _ = run(capsys, "voices", "match", "--all", "-p", p)
    assert "No unnamed voice matched" in out  # the undone naming is not redone

    code, out, _ = run(capsys, "voices", "forget", "Moderator", "-p", p)
    assert code == 0 and "Forgot Moderator's voiceprint" in out
    with open_project(two_groups) as project:
        assert project.store.voiceprints() == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("voices", "enroll", "X", "--from", "nej", "--speaker", "1"), "No recording 'nej'"),
        (("voices", "enroll", "X", "--from", "grupp1", "--speaker", "7"), "No voice '7'"),
        (("voices", "forget", "Ingen"), "No participant"),
        (("voices", "match", "grupp1"), "No voiceprints yet"),
        (("speakers", "grupp1", "--unname", "1"), "not named by a voiceprint"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    two_groups: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], message: str
) -> None:
    code, _, err = run(capsys, *argv, "-p", str(two_groups))
    assert code == 2 and message in err and "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith("qualkit: error: ")


def test_match_threshold_must_be_a_similarity(
    two_groups: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = str(two_groups)
    run(capsys, "voices", "enroll", "M", "-p", p, "--from", "grupp1", "--speaker", "1")
    code, _, err = run(capsys, "voices", "match", "--all", "--threshold", "2", "-p", p)
    assert code == 2 and "between 0 and 1" in err


def test_enrolling_a_new_participant_by_a_persons_name_warns(
    two_groups: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = str(two_groups)
    enrol = ("voices", "enroll", "-p", p, "--from", "grupp1", "--speaker")
    code, _, err = run(capsys, *enrol, "1", "Anna Svensson")
    assert code == 0 and "pseudonym 'Anna Svensson' looks like a person's name" in err
    with open_project(two_groups) as project:  # a warning, not a refusal
        assert "Anna Svensson" in {x.pseudonym for x in project.store.participants()}
    code, _, err = run(capsys, *enrol, "2", "Moderator")
    assert code == 0 and not err

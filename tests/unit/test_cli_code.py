"""`qualkit code`, `import`, `recording`, `speakers` and the exports as a new user meets
them: a failing command writes nothing, coding again updates, names typed in another
case are the known ones, and the exports number segments as the CLI does."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from qualkit.cli import main
from qualkit.project import open_project

LINES = [
    "Moderator: Välkomna. Berätta om samverkan.",
    "Anna: Vi når aldrig Försäkringskassan.",
    "Bertil: Ledningen stöttar oss inte.",
    "Moderator: Hur är det med vården?",
    "Anna: Vården ringer tillbaka.",
    "Bertil: Vi borde ha gemensamma möten.",
    "Anna: Strukturen är otydlig.",
]


@pytest.fixture
def proj(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "p"
    assert main(["init", str(root)]) == 0
    (tmp_path / "eksjo.txt").write_text("\n".join(LINES) + "\n", encoding="utf-8")
    assert main(["import", "-p", str(root), str(tmp_path / "eksjo.txt"), "--kommun", "Eksjö"]) == 0
    capsys.readouterr()
    return root


def _coders(root: Path) -> list[str]:
    with open_project(root) as project:
        return [c.name for c in project.store.coders()]


def test_a_failing_code_command_writes_nothing(
    proj: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(["code", "-p", str(proj), "eksjo:5", "ledning", "--partner", "XYZ", "--coder", "zed"])
    assert rc == 2
    assert "Unknown actor 'XYZ'" in capsys.readouterr().err
    with open_project(proj) as project:
        assert project.codings() == []
    assert "zed" not in _coders(proj)
    # An unknown code fails inside the write: the new coder goes with it.
    assert main(["code", "-p", str(proj), "eksjo:5", "nope", "--coder", "zed"]) == 2
    assert "zed" not in _coders(proj)


def test_coding_again_updates_the_coding(proj: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["code", "-p", str(proj), "eksjo:4", "arbetsstruktur", "-v", "hindrande"]
    assert main([*base, "--coder", "anna"]) == 0
    assert "coding id 1" in capsys.readouterr().out
    assert main([*base, "--coder", "anna", "--partner", "vård", "--memo", "oklart"]) == 0
    assert "Updated coding 1" in capsys.readouterr().out
    with open_project(proj) as project:
        [coding] = project.codings()
        assert (coding.memo, project.store.partner_actor(coding.id)) == ("oklart", "vård")


def test_coder_names_near_an_existing_one_are_warned_about(
    proj: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["code", "-p", str(proj), "eksjo:2", "ledning", "--coder", "anna"]) == 0
    capsys.readouterr()
    assert main(["code", "-p", str(proj), "eksjo:3", "ledning", "--coder", "Anna"]) == 0
    err = capsys.readouterr().err
    assert "warning" in err and "'anna'" in err
    assert _coders(proj) == ["anna"]
    assert main(["code", "-p", str(proj), "eksjo:3", "ledning", "--coder", "Ana"]) == 0
    assert "new coder 'Ana' — did you mean 'anna'?" in capsys.readouterr().err
    assert main(["code", "-p", str(proj), "eksjo:3", "ledning", "--coder", "bertil"]) == 0
    assert capsys.readouterr().err == ""


def test_a_kommun_in_another_case_is_filed_under_the_known_spelling(
    proj: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "b.txt").write_text("Anna: Hej.\n", encoding="utf-8")
    assert main(["import", "-p", str(proj), str(tmp_path / "b.txt"), "--kommun", " eksjö "]) == 0
    assert "'Eksjö'" in capsys.readouterr().out
    assert main(["recording", "-p", str(proj), "b", "--kommun", "EKSJÖ"]) == 0
    assert main(["speakers", "-p", str(proj), "b", "--name", "Anna", "--kommun", "eksjö"]) == 0
    with open_project(proj) as project:
        assert {r.kommun for r in project.recordings()} == {"Eksjö"}
        assert {p.kommun for p in project.store.participants() if p.kommun} == {"Eksjö"}


def test_a_new_kommun_one_slip_from_the_studys_own_is_warned_about(
    proj: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "b.txt").write_text("Anna: Hej.\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text("Anna: Hej.\n", encoding="utf-8")
    assert main(["import", "-p", str(proj), str(tmp_path / "b.txt"), "--kommun", "Eskjö"]) == 0
    err = capsys.readouterr().err
    assert "new kommun 'Eskjö': did you mean 'Eksjö'?" in err
    assert "qualkit recording b --kommun 'Eksjö'" in err
    # The command it names moves the work to the kommun meant, with no warning.
    assert main(["recording", "-p", str(proj), "b", "--kommun", "Eksjö"]) == 0
    assert capsys.readouterr().err == ""
    assert main(["speakers", "-p", str(proj), "b", "--name", "Anna", "--kommun", "Eksjo"]) == 0
    assert "did you mean 'Eksjö'?" in capsys.readouterr().err
    # A kommun far from every other is new without a word.
    assert main(["import", "-p", str(proj), str(tmp_path / "c.txt"), "--kommun", "Vetlanda"]) == 0
    assert capsys.readouterr().err == ""
    with open_project(proj) as project:
        assert {r.kommun for r in project.recordings()} == {"Eksjö", "Vetlanda"}


def test_a_coder_name_with_two_letters_swapped_is_warned_about(
    proj: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["code", "-p", str(proj), "eksjo:2", "ledning", "--coder", "anna"]) == 0
    capsys.readouterr()
    assert main(["code", "-p", str(proj), "eksjo:3", "ledning", "--coder", "anan"]) == 0
    assert "new coder 'anan' — did you mean 'anna'?" in capsys.readouterr().err


def test_a_voice_is_linked_to_an_existing_participant(
    proj: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "b.txt").write_text("Moderator: Hej.\nAnna: Hej.\n", encoding="utf-8")
    assert main(["import", "-p", str(proj), str(tmp_path / "b.txt")]) == 0
    name = ["speakers", "-p", str(proj), "--name", "Moderator"]
    assert main([*name[:3], "eksjo", *name[3:], "--as", "moderator", "--pseudonym", "Mod"]) == 0
    assert main([*name[:3], "b", *name[3:], "--as", "moderator"]) == 0
    capsys.readouterr()
    # Renaming the voice to a pseudonym that is taken: one line that names the way out.
    assert main([*name[:3], "b", *name[3:], "--pseudonym", "Mod"]) == 2
    err = capsys.readouterr().err
    assert "--participant 'Mod'" in err and "Traceback" not in err
    assert main([*name[:3], "b", *name[3:], "--participant", "mod"]) == 0
    with open_project(proj) as project:
        owners = {
            project.store.participant(s.participant_id).pseudonym
            for r in project.recordings()
            for s in project.store.speakers(r.id)
            if s.label == "Moderator" and s.participant_id
        }
    assert owners == {"Mod"}


def test_exports_number_segments_as_the_cli_does(proj: Path) -> None:
    assert main(["code", "-p", str(proj), "eksjo:7", "ledning"]) == 0
    assert main(["export", "csv", "-p", str(proj)]) == 0
    codings = pd.read_csv(proj / "exports" / "codings.csv")
    assert list(codings["segment_idx"]) == [7]
    segments = pd.read_csv(proj / "exports" / "segments.csv")
    assert list(segments["idx"]) == list(range(1, len(LINES) + 1))
    assert main(["export", "xlsx", "-p", str(proj)]) == 0
    [xlsx] = (proj / "exports").glob("*.xlsx")
    sheet = pd.read_excel(xlsx, sheet_name=0)
    assert list(sheet["Avsnitt nr"]) == [7]

"""Transcript text and participants' names never reach logs, stderr or error messages."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from qualkit.cli import main
from qualkit.demo import run_demo
from qualkit.log import get_logger
from qualkit.project import open_project

REPO = Path(__file__).resolve().parents[2]
PLANTED_NAME = "Ingegerd Wallinder"
PLANTED_PNR = "811218-9876"
PLANTED_TEXT = "hemliga mötesanteckningar om klienten"


def planted_demo(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    (root / "audio" / "demo").mkdir(parents=True)
    source = (REPO / "audio" / "demo" / "fokusgrupp_demo.txt").read_text(encoding="utf-8")
    lines = source.splitlines()
    lines[1] += f" Jag pratade med {PLANTED_NAME}, {PLANTED_PNR}, om {PLANTED_TEXT}."
    (root / "audio" / "demo" / "fokusgrupp_demo.txt").write_text(
        "\n".join(lines) + "\n", encoding="utf-8"
    )
    return root


def test_demo_and_cli_log_no_text_or_names(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    root = planted_demo(tmp_path)
    caplog.set_level(logging.DEBUG)
    run_demo(root, say=lambda _m: None)
    with open_project(root) as p:
        person = p.store.participants()[0]
        p.store.update_participant(person.id, real_name=PLANTED_NAME)
    capsys.readouterr()
    argv_list = [
        ["status", "-p", str(root)],
        ["pseudo", "scan", "-p", str(root)],
        ["pseudo", "accept", "--kind", "name", "-p", str(root)],
        ["export", "csv", "-p", str(root)],
        ["consent", "Deltagare 1", "withdrawn", "-p", str(root)],
        ["consent", "list", "-p", str(root)],
        ["backup", "-p", str(root)],
        # Errors a user can cause, with the planted strings as arguments where sensible.
        ["consent", "Deltagare 99", "given", "-p", str(root)],
        ["import", str(tmp_path / "saknas.txt"), "-p", str(root)],
    ]
    for argv in argv_list:
        main(argv)
    err = capsys.readouterr().err
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (PLANTED_NAME, "Wallinder", PLANTED_PNR, PLANTED_TEXT):
        assert secret not in err
        assert secret not in logged


def test_logger_filter_redacts_identifiers(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="qualkit")
    get_logger("test").debug("segment 3 mentions %s and %s", PLANTED_PNR, "a.b@example.se")
    text = caplog.records[-1].getMessage()
    assert PLANTED_PNR not in text and "a.b@example.se" not in text
    # In a file name, and typed with an en dash: found all the same, the name kept as given.
    get_logger("test").warning("in/intervju_anna_850709–1234_tel_0701234567.vtt line 3: ...")
    assert caplog.records[-1].getMessage() == (
        "in/intervju_anna_[personnummer]_tel_[telefonnummer].vtt line 3: ..."
    )


def test_broken_transcript_error_does_not_quote_text(tmp_path: Path) -> None:
    from qualkit.errors import QualkitError
    from qualkit.ingest import read_transcript

    path = tmp_path / "x.srt"
    path.write_text(f"1\n00:00:01,000 --> {PLANTED_NAME}\n{PLANTED_TEXT}\n", encoding="utf-8")
    with pytest.raises(QualkitError) as err:
        read_transcript(path)
    assert PLANTED_NAME not in str(err.value) and PLANTED_TEXT not in str(err.value)


def test_copy_of_demo_for_other_tests(tmp_path: Path) -> None:
    # The planted transcript is a valid demo: the names really are in the project.
    root = planted_demo(tmp_path)
    run_demo(root, say=lambda _m: None)
    with open_project(root) as p:
        assert any(PLANTED_NAME in s.text for s in p.segments())
    shutil.rmtree(root)


def test_pipeline_and_other_loggers_are_redacted_too(caplog: pytest.LogCaptureFixture) -> None:
    # The pipeline's modules log through logging.getLogger(__name__), not get_logger.
    import qualkit.pipeline.run  # noqa: F401  the real module, with its own logger

    caplog.set_level(logging.DEBUG)
    wrong_check_digit = "19850412-3398"
    for name in ("qualkit.pipeline.run", "qualkit.pipeline.transcribe", "faster_whisper"):
        logging.getLogger(name).warning(
            "stage failed for %s, call %s or %s", wrong_check_digit, "070-765 43 21", "a@b.se"
        )
    assert len(caplog.records) == 3
    for record in caplog.records:
        text = record.getMessage()
        assert wrong_check_digit not in text and "070-765 43 21" not in text, record.name
        assert "a@b.se" not in text and "[personnummer]" in text

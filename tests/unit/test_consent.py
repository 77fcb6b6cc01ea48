"""Consent register: given/withdrawn with a date, from the API and the CLI."""

from __future__ import annotations

import pandas as pd
import pytest

from qualkit.cli import main
from qualkit.errors import InputError, NotFoundError
from qualkit.export.csv import export_csv
from qualkit.model import Consent
from qualkit.privacy import exportable_segments, set_consent
from qualkit.project import Project


def test_set_consent_by_pseudonym_or_id(demo_project: Project) -> None:
    p = set_consent(demo_project, "deltagare 2", "given", "2026-03-12")
    assert (p.consent, p.consent_date) == (Consent.GIVEN, "2026-03-12")
    p = set_consent(demo_project, p.id, "withdrawn")
    assert p.consent is Consent.WITHDRAWN and p.consent_date
    with pytest.raises(InputError):
        set_consent(demo_project, p.id, "kanske")
    with pytest.raises(InputError):
        set_consent(demo_project, p.id, "given", "12/3")
    with pytest.raises(NotFoundError):
        set_consent(demo_project, "Deltagare 99", "given")


def test_consent_cli_and_export(demo_project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(demo_project.root)
    fk = next(p for p in demo_project.store.participants() if p.actor and p.actor.value == "FK")
    assert main(["consent", fk.pseudonym, "withdrawn", "--date", "2026-05-01", "-p", root]) == 0
    assert main(["consent", "list", "-p", root]) == 0
    out = capsys.readouterr().out
    assert "återkallat" in out and "2026-05-01" in out
    assert main(["consent", fk.pseudonym, "-p", root]) == 2  # state missing
    segs = exportable_segments(demo_project, demo_project.segments())
    withdrawn = {s.id for s in demo_project.store.speakers() if s.participant_id == fk.id}
    assert segs and not any(s.speaker_id in withdrawn for s in segs)
    frame = pd.read_csv(export_csv(demo_project, "segments"))
    assert "FK" not in set(frame["actor"].dropna())

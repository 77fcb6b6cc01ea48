from __future__ import annotations

import pandas as pd

from qualkit.export.csv import export_csv
from qualkit.model import Consent
from qualkit.privacy import Redactor, exportable_segments, is_personnummer
from qualkit.project import Project


def test_personnummer_check_digit() -> None:
    assert is_personnummer("811218", "9876")
    assert not is_personnummer("811218", "9875")
    assert is_personnummer("19811278", "9873")  # samordningsnummer (day + 60)


def test_real_names_and_accepted_pseudonyms_are_replaced(demo_project: Project) -> None:
    store = demo_project.store
    fk = next(p for p in store.participants() if p.actor and p.actor.value == "FK")
    store.update_participant(fk.id, real_name="Karin Lindqvist")
    store.set_pseudonym("name", "Norrbyvägen 3", "[adress]", "accepted")
    store.set_pseudonym("name", "Olle", "[Namn 1]", "proposed")
    red = Redactor.for_project(demo_project)
    out = red.redact("Karin Lindqvist bor på Norrbyvägen 3, pnr 811218-9876. Karin och Olle.")
    assert out == (
        "[handläggare, FK] bor på [adress], pnr [personnummer]. [handläggare, FK] och [Namn 1]."
    )


def test_withdrawn_consent_is_not_exported(demo_project: Project) -> None:
    store = demo_project.store
    af = next(p for p in store.participants() if p.actor and p.actor.value == "AF")
    store.update_participant(af.id, consent=Consent.WITHDRAWN, consent_date="2026-05-01")
    segs = exportable_segments(demo_project, demo_project.segments("fokusgrupp_demo"))
    assert len(segs) == 20 - 4  # the AF participant speaks four turns
    path = export_csv(demo_project, "codings")
    df = pd.read_csv(path)
    assert "AF" not in set(df["actor"])
    assert len(df) == 15 - 4

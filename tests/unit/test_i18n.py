from __future__ import annotations

import pytest

from qualkit.i18n import TEXT, default_lang, t


def test_every_key_has_swedish_and_english() -> None:
    for key, (sv, en) in TEXT.items():
        assert sv.strip() and en.strip(), key


def test_lookup_and_fallback() -> None:
    assert t("key.undo") == "Ångra"
    assert t("key.undo", "en") == "Undo"
    assert t("no.such.key", "en") == "no.such.key"


def test_default_language_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QUALKIT_LANG", raising=False)
    assert default_lang() == "sv"
    monkeypatch.setenv("QUALKIT_LANG", "en_GB")
    assert default_lang() == "en"
    monkeypatch.setenv("QUALKIT_LANG", "de")
    assert default_lang() == "sv"

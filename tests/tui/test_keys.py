"""One letter, one meaning: the keys of every screen, checked against the table in docs/tui.md."""

from __future__ import annotations

from collections import defaultdict

from textual.binding import Binding, BindingType

from qualkit.i18n import t
from qualkit.tui.app import QualkitApp
from qualkit.tui.screens.adopt import AdoptDialog, PassageList
from qualkit.tui.screens.clusters import ClustersScreen
from qualkit.tui.screens.codebook import CodebookScreen
from qualkit.tui.screens.disagreements import DisagreementScreen
from qualkit.tui.screens.overview import OverviewScreen
from qualkit.tui.screens.pseudonyms import PseudonymScreen
from qualkit.tui.screens.search import CodeBrowserScreen, SearchScreen
from qualkit.tui.screens.speakers import SpeakersScreen
from qualkit.tui.screens.transcribe import TranscribeDialog
from qualkit.tui.screens.transcript import TranscriptScreen
from qualkit.tui.widgets.nav import NAV_BINDINGS

SCREENS: dict[str, list[BindingType]] = {
    "everywhere": [*QualkitApp.BINDINGS, *NAV_BINDINGS],
    "overview": list(OverviewScreen.BINDINGS),
    "transcript": list(TranscriptScreen.BINDINGS),
    "speakers": list(SpeakersScreen.BINDINGS),
    "search": list(SearchScreen.BINDINGS),
    "browser": list(CodeBrowserScreen.BINDINGS),
    "codebook": list(CodebookScreen.BINDINGS),
    "clusters": list(ClustersScreen.BINDINGS),
    "adopt": [*AdoptDialog.BINDINGS, *PassageList.BINDINGS],
    "disagreements": list(DisagreementScreen.BINDINGS),
    "pseudonyms": list(PseudonymScreen.BINDINGS),
    "transcribe": list(TranscribeDialog.BINDINGS),
}

# The keys bound to more than one action, each for one kind of act (docs/tui.md, "Keys").
FAMILIES = {
    "a": "take a proposal in, or add",
    "A": "take all proposals in",
    "x": "reject, leave out",
    "e": "edit what is under the cursor",
    "J": "join or merge",
    "v": "select",
    "R": "compute again",
    "enter": "open or act on the item under the cursor",
    "escape": "back or cancel",
    "ctrl+s": "save",
}


def meanings() -> dict[str, set[tuple[str, str]]]:
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for screen, bindings in SCREENS.items():
        for b in Binding.make_bindings(bindings):
            found[b.key].add((screen, t(b.description, "en")))
    return found


def test_each_key_means_one_thing_across_screens() -> None:
    for key, where in meanings().items():
        actions = {action for _screen, action in where}
        if len(actions) > 1:
            assert key in FAMILIES, f"{key!r} means {sorted(where)}"


def test_no_screen_key_shadows_a_key_that_works_everywhere() -> None:
    found = meanings()
    for key, where in found.items():
        screens = {screen for screen, _a in where}
        if "everywhere" in screens and len(screens) > 1:
            actions = {action for _s, action in where}
            assert len(actions) == 1, f"{key!r}: {sorted(where)}"  # only the same action again


def test_tmux_prefix_is_left_alone() -> None:
    assert "ctrl+b" not in meanings()


def test_every_key_is_described_in_both_languages() -> None:
    from qualkit.i18n import TEXT

    for bindings in SCREENS.values():
        for b in Binding.make_bindings(bindings):
            if b.description.startswith(("key.", "dialog.")):
                assert b.description in TEXT, b.description


def test_the_footer_offers_the_codebooks_digits_and_names_keep_their_number() -> None:
    from qualkit.tui.state import digit_span
    from qualkit.tui.widgets.segment_list import fit_name

    assert digit_span("87654321") == "1-8"  # Danermark: 9 and 0 code nothing
    assert digit_span("1234567890") == "1-9, 0"
    assert digit_span(["1", "2", "3", "5"]) == "1-3, 5"
    assert fit_name("Deltagare 3", 8) == "Delta… 3"  # not 'Deltagar' for every voice
    assert fit_name("Talare 2", 8) == "Talare 2"
    assert fit_name("Moderatorn", 8) == "Moderat…"

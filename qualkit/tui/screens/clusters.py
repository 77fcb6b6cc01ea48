"""Clusters: groups of uncoded passages that may be a missing code; adopt one as a code."""

from __future__ import annotations

import re
import unicodedata
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, OptionList, Static

from qualkit.analysis import cluster as clustering
from qualkit.codebook import is_code_id
from qualkit.errors import QualkitError
from qualkit.i18n import t
from qualkit.tui.error_text import error_text
from qualkit.tui.messages import ClustersReady, ClustersUnavailable
from qualkit.tui.screens.adopt import AdoptDialog, Adoption, Passage
from qualkit.tui.screens.undo_keys import UndoKeys, undo_bindings
from qualkit.tui.state import digit_of, fmt_time, new_code_hotkey
from qualkit.tui.widgets.nav import NavList


def code_id(words: str) -> str:
    """A code id the codebook accepts (a-z, 0-9, _) from a cluster's words: 'Möten' -> 'moten'."""
    plain = unicodedata.normalize("NFKD", words.casefold()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9_]", "", plain.replace(" ", "_"))


class ClustersScreen(UndoKeys):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "adopt", "key.adopt", id="cluster_adopt"),
        Binding("R", "refresh", "key.refresh", id="cluster_refresh"),
        Binding("escape", "back", "key.back", id="clusters_back"),
        *undo_bindings("clusters"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.proposals: list[object] = []

    def compose(self) -> ComposeResult:
        self.compose_bindings()
        yield Static(f"[b]{t('clusters.title', self.lang)}[/b]", id="clusters_header")
        yield NavList(id="clusters_list")
        yield Static(id="clusters_detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.action_refresh()

    def undo_done(self) -> None:
        self.action_refresh()  # the undone passages are uncoded again

    def action_refresh(self) -> None:
        self.query_one("#clusters_detail", Static).update(t("clusters.working", self.lang))
        self.compute()

    @work(thread=True, exclusive=True, group="clusters")
    def compute(self) -> None:
        try:
            found = clustering.propose_categories(
                self.host.project, codebook=self.host.codebook_id, uncoded_only=True, seed=0
            )
        except QualkitError as exc:  # no model here: said plainly, never fatal
            self.post_message(ClustersUnavailable(f"{t('clusters.unavailable', self.lang)}: {exc}"))
            return
        except Exception as exc:  # a failing model must not take the app down
            self.post_message(ClustersUnavailable(f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(ClustersReady(list(found)))

    @on(ClustersUnavailable)
    def _unavailable(self, message: ClustersUnavailable) -> None:
        self.query_one("#clusters_detail", Static).update(message.reason)

    @on(ClustersReady)
    def _ready(self, message: ClustersReady) -> None:
        self.proposals = list(message.proposals)
        options = self.query_one(OptionList)
        options.clear_options()
        for p in self.proposals:
            keywords = ", ".join(getattr(p, "keywords", ()))
            nearest = getattr(p, "nearest_code", None) or "-"
            options.add_option(
                f"#{getattr(p, 'id', '?')}  {keywords}  ({getattr(p, 'size', 0)})  → {nearest}"
            )
        if self.proposals:
            options.highlighted = 0
        self.show_detail()

    def on_option_list_option_highlighted(self, _event: OptionList.OptionHighlighted) -> None:
        self.show_detail()

    def selected(self) -> object | None:
        idx = self.query_one(OptionList).highlighted
        if idx is None or not self.proposals:
            return None
        return self.proposals[min(idx, len(self.proposals) - 1)]

    def show_detail(self) -> None:
        p = self.selected()
        box = self.query_one("#clusters_detail", Static)
        if p is None:
            box.update(t("clusters.none", self.lang))
            return
        lines = []
        for sid in list(getattr(p, "representative_ids", ()))[:4]:
            try:
                lines.append("• " + self.host.project.store.segment(int(sid)).text[:160])
            except QualkitError:
                continue
        box.update("\n".join(lines))

    def free_key(self, words: list[str]) -> str:
        """A code id from the cluster's words that the codebook takes and does not have yet."""
        book = self.host.project.codebook(self.host.codebook_id)
        taken = {c.key for c in book.codes}
        base = code_id("_".join(words[:2])) or "ny_kod"
        key, n = base, 2
        while key in taken:
            key, n = f"{base}_{n}", n + 1
        return key

    def passages(self, proposal: object) -> list[Passage]:
        store = self.host.project.store
        speakers: dict[int, str] = {}
        out: list[Passage] = []
        for sid in getattr(proposal, "segment_ids", ()):
            try:
                seg = store.segment(int(sid))
            except QualkitError:
                continue  # changed since the clusters were computed
            if seg.recording_id not in speakers:
                speakers[seg.recording_id] = store.recording(seg.recording_id).name
            out.append(
                Passage(seg.id, f"{speakers[seg.recording_id]} {fmt_time(seg.start)}", seg.text)
            )
        return out

    def action_adopt(self) -> None:
        proposal = self.selected()
        if proposal is None:
            return
        lang = self.lang
        keywords = list(getattr(proposal, "keywords", ()))
        start = Adoption(self.free_key(keywords), " ".join(keywords[:3]), None)

        def adopt(choice: Adoption) -> str | None:
            if not is_code_id(choice.key):
                return t("err.bad_code_id", lang).format(code=choice.key)
            if not choice.label:
                return t("err.empty", lang)
            try:
                self._adopt(proposal, choice)
            except QualkitError as exc:
                return error_text(exc, lang)
            return None

        def done(choice: Adoption | None) -> None:
            if choice is not None:
                self.host.codebook_changed()
                self.notify(t("clusters.adopted", lang))
                if digit_of(self.host.project.codebook(self.host.codebook_id), choice.key) is None:
                    self.notify(t("codebook.no_digit", lang), severity="warning")
                self.action_refresh()

        dialog = AdoptDialog(self.passages(proposal), start, lang, adopt)
        self.app.push_screen(dialog, done)

    def _adopt(self, proposal: object, choice: Adoption) -> None:
        """The code, its digit and the kept passages' codings with their valences: one
        action, which `u` undoes (codebook file included)."""
        book_id = self.host.codebook_id
        assert isinstance(proposal, clustering.ClusterProposal)
        hotkey = new_code_hotkey(self.host.project.codebook(book_id))
        code = clustering.cluster_code(
            proposal, choice.key, choice.label, choice.parent, book_id, hotkey=hotkey
        )
        self.host.undo.add_code(code, choice.valences)

    def action_back(self) -> None:
        self.app.pop_screen()

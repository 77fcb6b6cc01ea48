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
from qualkit.errors import QualkitError
from qualkit.i18n import t
from qualkit.tui.host import HostScreen
from qualkit.tui.messages import ClustersReady, ClustersUnavailable
from qualkit.tui.screens.dialogs import InputDialog
from qualkit.tui.state import next_hotkey


def code_id(words: str) -> str:
    """A code id the codebook accepts (a-z, 0-9, _) from a cluster's words: 'Möten' -> 'moten'."""
    plain = unicodedata.normalize("NFKD", words.casefold()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9_]", "", plain.replace(" ", "_"))


class ClustersScreen(HostScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "adopt", "key.adopt", id="cluster_adopt"),
        Binding("s", "adopt_sub", "key.adopt_sub", id="cluster_adopt_sub"),
        Binding("R", "refresh", "key.refresh", id="cluster_refresh"),
        Binding("escape", "back", "key.back", id="clusters_back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.proposals: list[object] = []

    def compose(self) -> ComposeResult:
        self.compose_bindings()
        yield Static(f"[b]{t('clusters.title', self.lang)}[/b]", id="clusters_header")
        yield OptionList(id="clusters_list")
        yield Static(id="clusters_detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.action_refresh()

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
            box.update(t("suggest.none", self.lang))
            return
        lines = []
        for sid in list(getattr(p, "representative_ids", ()))[:4]:
            try:
                lines.append("• " + self.host.project.store.segment(int(sid)).text[:160])
            except QualkitError:
                continue
        box.update("\n".join(lines))

    def _adopt(self, parent: str | None) -> None:
        proposal = self.selected()
        if proposal is None:
            return
        lang = self.lang
        keywords = list(getattr(proposal, "keywords", ()))
        suggested_key = code_id("_".join(keywords[:2])) or "ny_kod"

        def got_key(key: str | None) -> None:
            if not key:
                return

            def got_label(label: str | None) -> None:
                if not label:
                    return
                book = self.host.project.codebook(self.host.codebook_id)
                hotkey = next_hotkey(book) if any(c.hotkey for c in book.codes) else None
                try:
                    clustering.adopt_cluster(
                        self.host.project,
                        proposal,  # type: ignore[arg-type]
                        key=key.strip(),
                        label_sv=label.strip(),
                        parent=parent,
                        codebook=self.host.codebook_id,
                        coder=self.host.coder,
                    )
                    book = self.host.project.codebook(self.host.codebook_id)
                    if hotkey is not None and key.strip() in {c.key for c in book.codes}:
                        self.host.project.update_code(
                            self.host.codebook_id, key.strip(), hotkey=hotkey
                        )
                except QualkitError as exc:
                    self.notify(str(exc), severity="error")
                    return
                self.host.codebook_changed()
                self.notify(t("clusters.adopted", lang))
                self.action_refresh()

            self.app.push_screen(
                InputDialog(t("codebook.label_prompt", lang), " ".join(keywords[:3])), got_label
            )

        self.app.push_screen(InputDialog(t("codebook.key_prompt", lang), suggested_key), got_key)

    def action_adopt(self) -> None:
        self._adopt(None)

    def action_adopt_sub(self) -> None:
        proposal = self.selected()
        if proposal is None:
            return

        def done(parent: str | None) -> None:
            if parent and parent.strip():
                self._adopt_with_parent(parent.strip())

        nearest = getattr(proposal, "nearest_code", None) or ""
        self.app.push_screen(InputDialog(t("codebook.parent_prompt", self.lang), nearest), done)

    def _adopt_with_parent(self, parent: str) -> None:
        self._adopt(parent)

    def action_back(self) -> None:
        self.app.pop_screen()

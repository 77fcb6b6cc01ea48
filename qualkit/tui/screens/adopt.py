"""Cluster -> code: see every passage, set each one's valence or leave it out, name the code.

The passages a cluster would code are listed in full, so the coder decides on what was
said, not on keywords. f/h/p set a passage's valence (the same key again clears it), x
leaves a passage out or takes it back (x rejects, as on the transcript screen); Tab goes
to the id, label and parent fields; Ctrl+S (or Enter in a field) adopts. An error is
shown in the dialog with everything as typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from qualkit.i18n import t
from qualkit.model import Valence
from qualkit.tui.screens.dialogs import error_line, show_error
from qualkit.tui.state import VALENCE_MARK
from qualkit.tui.widgets.nav import NavList


@dataclass(frozen=True, slots=True)
class Passage:
    segment_id: int
    heading: str  # time and speaker
    text: str


@dataclass(frozen=True, slots=True)
class Adoption:
    key: str
    label: str
    parent: str | None
    # The passages kept, each with the valence its coding gets.
    valences: dict[int, Valence] = field(default_factory=dict)


class PassageList(NavList):
    """The cluster's passages; f/h/p set valence, x leaves one out."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "valence('främjande')", "key.promoting", id="adopt_promoting"),
        Binding("h", "valence('hindrande')", "key.hindering", id="adopt_hindering"),
        Binding("p", "valence('förslag')", "key.proposal", id="adopt_proposal"),
        Binding("x", "leave_out", "key.leave_out", id="adopt_toggle"),
    ]

    def __init__(self, passages: list[Passage]) -> None:
        self.passages = passages
        self.valence = {p.segment_id: Valence.NONE for p in passages}
        self.left_out: set[int] = set()
        super().__init__(*[self.prompt(p) for p in passages], id="adopt_passages")

    def prompt(self, passage: Passage) -> str:
        if passage.segment_id in self.left_out:
            return f"[dim strike]  {escape(passage.heading)}  {escape(passage.text)}[/]"
        mark = VALENCE_MARK[self.valence[passage.segment_id].value]
        return f"[b]{mark}[/b] [dim]{escape(passage.heading)}[/dim]  {escape(passage.text)}"

    def _redraw(self, index: int) -> None:
        self.replace_option_prompt_at_index(index, self.prompt(self.passages[index]))

    def action_valence(self, value: str) -> None:
        index = self.highlighted
        if index is None:
            return
        seg = self.passages[index].segment_id
        chosen = Valence(value)
        self.valence[seg] = Valence.NONE if self.valence[seg] is chosen else chosen
        self.left_out.discard(seg)
        self._redraw(index)

    def action_leave_out(self) -> None:
        index = self.highlighted
        if index is None:
            return
        seg = self.passages[index].segment_id
        self.left_out.symmetric_difference_update({seg})
        self._redraw(index)

    def kept(self) -> dict[int, Valence]:
        return {
            p.segment_id: self.valence[p.segment_id]
            for p in self.passages
            if p.segment_id not in self.left_out
        }


class AdoptDialog(ModalScreen[Adoption | None]):
    """The passages of a cluster and the new code's id, label and parent."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "key.cancel", id="dialog_cancel"),
        Binding("ctrl+s", "save", "dialog.ok", id="dialog_save"),
    ]

    def __init__(
        self,
        passages: list[Passage],
        adoption: Adoption,
        lang: str,
        check: Callable[[Adoption], str | None],
    ) -> None:
        super().__init__()
        self.passages = passages
        self.adoption = adoption
        self.lang = lang
        self.check = check

    def compose(self) -> ComposeResult:
        lang = self.lang
        with VerticalScroll(classes="dialog wide", id="adopt"):
            yield Label(t("clusters.adopt_title", lang), classes="dialog-title")
            yield error_line()
            yield Label(
                t("clusters.passages", lang).format(n=len(self.passages)), classes="dialog-hint"
            )
            yield PassageList(self.passages)
            yield Label(t("codebook.key_prompt", lang))
            yield Input(self.adoption.key, id="adopt_key")
            yield Label(t("codebook.label_prompt", lang))
            yield Input(self.adoption.label, id="adopt_label")
            yield Label(t("codebook.parent_prompt", lang))
            yield Input(self.adoption.parent or "", id="adopt_parent")

    def on_mount(self) -> None:
        self.query_one(PassageList).focus()
        if self.passages:
            self.query_one(PassageList).highlighted = 0

    @on(Input.Submitted)
    def _submitted(self, _event: Input.Submitted) -> None:
        self.action_save()

    def action_save(self) -> None:
        def val(wid: str) -> str:
            return self.query_one(f"#{wid}", Input).value.strip()

        kept = self.query_one(PassageList).kept()
        if not kept:
            show_error(self, t("clusters.none_left", self.lang))
            return
        adoption = Adoption(val("adopt_key"), val("adopt_label"), val("adopt_parent") or None, kept)
        problem = self.check(adoption)
        if problem:
            show_error(self, problem)
            return
        self.dismiss(adoption)

    def action_cancel(self) -> None:
        self.dismiss(None)

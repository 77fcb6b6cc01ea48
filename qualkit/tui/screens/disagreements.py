"""Disagreements: passages where coders differ, side by side, resolved into a consensus.

The logic (which passages differ, what a resolution writes) lives in `qualkit.consensus`;
this screen only shows it and passes the coder's choices back.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, OptionList, SelectionList, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from qualkit.consensus import CodeChoice, Passage, disagreements, resolve
from qualkit.errors import QualkitError
from qualkit.model import Valence
from qualkit.project import DEFAULT_CODEBOOK, Project
from qualkit.tui.error_text import error_text
from qualkit.tui.guard import NoticeOnError
from qualkit.tui.widgets.nav import NavList, NavSelectionList


def _choice_value(choice: CodeChoice) -> str:
    return f"{choice[0]}|{choice[1].value}"


def _parse_value(value: str) -> CodeChoice:
    code, _, valence = value.partition("|")
    return code, Valence(valence)


class DisagreementScreen(NoticeOnError, Screen[None]):
    """Left: the passages still in dispute. Right: the text, each coder's codes, the choice."""

    DEFAULT_CSS = """
    DisagreementScreen #dis_title { height: 1; padding: 0 1; background: $boost; }
    DisagreementScreen #dis_passages { width: 34; height: 1fr; }
    DisagreementScreen #dis_detail { width: 1fr; height: 1fr; padding: 0 1; }
    DisagreementScreen #dis_text { height: auto; max-height: 12; margin-bottom: 1; }
    DisagreementScreen #dis_sides { height: auto; }
    DisagreementScreen .dis_coder {
        width: 1fr; height: auto; border: round $primary; padding: 0 1;
    }
    DisagreementScreen #dis_choices { height: auto; max-height: 12; margin-top: 1; }
    DisagreementScreen #dis_memo { margin-top: 1; }
    DisagreementScreen #dis_actions { height: auto; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "resolve", "Spara konsensus", id="disagreements.resolve"),
        Binding("ctrl+n", "step(1)", "Nästa", id="disagreements.next"),
        Binding("ctrl+p", "step(-1)", "Föregående", id="disagreements.previous"),
        Binding("escape", "close", "Tillbaka", id="disagreements.close"),
    ]

    def __init__(
        self, project: Project, coders: tuple[str, ...] = (), codebook: str = DEFAULT_CODEBOOK
    ) -> None:
        super().__init__()
        self.project = project
        self.coders = coders
        self.codebook = codebook
        self.passages: list[Passage] = []
        self.current: Passage | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="dis_title")
        with Horizontal():
            yield NavList(id="dis_passages")
            with VerticalScroll(id="dis_detail"):
                yield Static(id="dis_text")
                yield Horizontal(id="dis_sides")
                yield Static("Konsensus: välj koderna som ska gälla", id="dis_choose")
                yield NavSelectionList(id="dis_choices")
                yield Input(placeholder="Memo: hur kom ni överens?", id="dis_memo")
                with Vertical(id="dis_actions"):
                    yield Button("Spara konsensus (Ctrl+S)", id="dis_save", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()
        self.query_one(OptionList).focus()

    # ------------------------------------------------------------------ data
    def reload(self, keep_index: int = 0) -> None:
        try:
            self.passages = disagreements(self.project, self.coders or None, codebook=self.codebook)
        except QualkitError as exc:
            self.passages = []
            self.query_one("#dis_title", Static).update(error_text(exc, "sv"))
            return
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(
            Option(f"{p.ref}  {p.speaker}".rstrip(), id=str(p.segment.id)) for p in self.passages
        )
        coders = list(self.passages[0].codings) if self.passages else list(self.coders)
        self.query_one("#dis_title", Static).update(
            f"Oenigheter mellan {', '.join(coders) or 'kodarna'}: {len(self.passages)} kvar"
        )
        if self.passages:
            index = min(keep_index, len(self.passages) - 1)
            options.highlighted = index
            self.show(self.passages[index])
        else:
            self.show(None)

    def label(self, code: str) -> str:
        try:
            return self.project.codebook(self.codebook).code(code).label_sv
        except QualkitError:
            return code

    def show(self, passage: Passage | None) -> None:
        self.current = passage
        text = self.query_one("#dis_text", Static)
        sides = self.query_one("#dis_sides", Horizontal)
        choices = self.query_one("#dis_choices", SelectionList)
        sides.remove_children()
        choices.clear_options()
        if passage is None:
            text.update("Inga oenigheter kvar. Tryck Esc för att gå tillbaka.")
            return
        who = f" ({passage.speaker})" if passage.speaker else ""
        text.update(f"[b]{passage.ref}[/b]{who}\n{passage.segment.text}")
        for coder in passage.codings:
            lines = [
                f"{self.label(code)} ({valence.value})"
                for code, valence in sorted(passage.choices_of(coder))
            ]
            sides.mount(self._coder_box(coder, lines))
        agreed = set(passage.agreed())
        for choice in passage.candidates():
            by = [c for c in passage.codings if choice in passage.choices_of(c)]
            choices.add_option(
                Selection(
                    f"{self.label(choice[0])} ({choice[1].value}) · {', '.join(by)}",
                    _choice_value(choice),
                    choice in agreed,
                )
            )

    @staticmethod
    def _coder_box(coder: str, lines: list[str]) -> Static:
        box = Static("\n".join(lines) or "(ingen kod)", classes="dis_coder", markup=False)
        box.border_title = coder
        return box

    # ---------------------------------------------------------------- events
    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_index is not None and event.option_index < len(self.passages):
            self.show(self.passages[event.option_index])

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "dis_save":
            self.action_resolve()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "dis_memo":
            self.action_resolve()

    # --------------------------------------------------------------- actions
    def action_resolve(self) -> None:
        if self.current is None:
            return
        chosen = [_parse_value(v) for v in self.query_one(SelectionList).selected]
        memo_box = self.query_one("#dis_memo", Input)
        index = self.passages.index(self.current)
        try:
            added = resolve(
                self.project,
                self.current.segment.id,
                chosen,
                memo_box.value,
                codebook=self.codebook,
            )
        except QualkitError as exc:
            self.notify(error_text(exc, "sv"), severity="error")
            return
        self.notify(f"Konsensus sparad för {self.current.ref}: {len(added)} koder.")
        memo_box.value = ""
        self.reload(keep_index=index)

    def action_step(self, delta: int) -> None:
        if not self.passages:
            return
        options = self.query_one(OptionList)
        current = options.highlighted or 0
        options.highlighted = max(0, min(len(self.passages) - 1, current + delta))

    def action_close(self) -> None:
        self.dismiss(None)

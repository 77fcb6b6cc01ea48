"""Small modal dialogs: a line of text, a text area, a choice, a participant form."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, OptionList, TextArea

from qualkit.i18n import t
from qualkit.tui.widgets.nav import NavList

# Called with what was typed: an error to show in the dialog, which then stays open with
# the text as typed, or None to close it. A check may also do the action itself, so an
# error the action meets keeps the text too.
Check = Callable[[str], "str | None"]


def error_line() -> Label:
    return Label("", id="dialog_error", classes="dialog-error")


def show_error(screen: Screen[Any], problem: str) -> None:
    line = screen.query_one("#dialog_error", Label)
    line.update(problem)
    line.display = True


class InputDialog(ModalScreen[str | None]):
    """One line of text; Enter saves, Escape cancels (returns None)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "key.cancel", id="dialog_cancel")
    ]

    def __init__(self, prompt: str, value: str = "", check: Check | None = None) -> None:
        super().__init__()
        self.prompt = prompt
        self.value = value
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.prompt, classes="dialog-title")
            yield Input(value=self.value, id="dialog_input")
            yield error_line()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        problem = self.check(event.value) if self.check is not None else None
        if problem:
            show_error(self, problem)
            return
        self.dismiss(event.value)

    def unsaved(self) -> bool:
        """Whether the line differs from what the dialog opened with (quitting asks)."""
        return self.query_one(Input).value != self.value

    def action_cancel(self) -> None:
        self.dismiss(None)


class EditDialog(ModalScreen[str | None]):
    """Correct a segment's text in a text area; Ctrl+S saves."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "key.cancel", id="dialog_cancel"),
        Binding("ctrl+s", "save", "dialog.ok", id="dialog_save"),
    ]

    def __init__(self, prompt: str, text: str, lang: str = "sv") -> None:
        super().__init__()
        self.prompt = prompt
        self.text = text
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(self.prompt + "  (Ctrl+S / Esc)", classes="dialog-title")
            yield TextArea(self.text, id="dialog_text", soft_wrap=True)
            yield error_line()

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        if not area.read_only:
            area.move_cursor(area.document.end)  # corrections are mostly at the end

    def action_save(self) -> None:
        text = self.query_one(TextArea).text.replace("\n", " ").strip()
        if not text:  # said here, with the editor still open, not after it closed
            show_error(self, t("err.empty_text", self.lang))
            return
        self.dismiss(text)

    def unsaved(self) -> bool:
        """Whether the text was changed and not saved (Escape and quitting ask first)."""
        area = self.query_one(TextArea)
        return not area.read_only and area.text != self.text

    def action_cancel(self) -> None:
        if not self.unsaved():
            self.dismiss(None)
            return

        def answer(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        # Minutes of correcting must not go with one stray Escape.
        self.app.push_screen(ConfirmDialog(t("dialog.discard", self.lang), self.lang), answer)


class SplitDialog(EditDialog):
    """Put the cursor where the segment splits; Ctrl+S returns the character offset.

    `check` gets the offset (and may split there): an error it returns is said in the
    dialog, which stays open with the cursor where it was, to be moved and tried again."""

    def __init__(
        self, prompt: str, text: str, lang: str = "sv", check: Check | None = None
    ) -> None:
        super().__init__(prompt, text, lang)
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(self.prompt + "  (Ctrl+S / Esc)", classes="dialog-title")
            yield TextArea(self.text, id="dialog_text", soft_wrap=True, read_only=True)
            yield error_line()

    def action_save(self) -> None:
        area = self.query_one(TextArea)
        row, col = area.cursor_location
        at = str(_index(area, (row, col)))
        problem = self.check(at) if self.check is not None else None
        if problem:
            show_error(self, problem)
            return
        self.dismiss(at)


@dataclass(frozen=True, slots=True)
class SpanChoice:
    digit: str
    start: int
    end: int


class SpanDialog(ModalScreen[SpanChoice | None]):
    """Select part of a segment's text with Shift+arrows, then press 1-9 to code it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "key.cancel", id="dialog_cancel"),
        *[
            Binding(d, f"code('{d}')", "key.code", show=False, id=f"span_code_{d}")
            for d in "1234567890"
        ],
    ]

    def __init__(self, prompt: str, text: str) -> None:
        super().__init__()
        self.prompt = prompt
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(self.prompt, classes="dialog-title")
            yield TextArea(self.text, id="dialog_text", soft_wrap=True, read_only=True)

    def action_code(self, digit: str) -> None:
        area = self.query_one(TextArea)
        sel = area.selection
        a = _index(area, sel.start)
        b = _index(area, sel.end)
        start, end = min(a, b), max(a, b)
        if start == end:
            start, end = 0, len(self.text)
        self.dismiss(SpanChoice(digit, start, end))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceDialog(ModalScreen[int | None]):
    """Pick one of a few options; returns its index."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "key.cancel", id="dialog_cancel")
    ]

    def __init__(self, prompt: str, options: Sequence[str]) -> None:
        super().__init__()
        self.prompt = prompt
        self.options = list(options)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.prompt, classes="dialog-title")
            # No text field here: j/k/g/G move, as in every list of the app.
            yield NavList(*self.options, id="dialog_options")

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_index)

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True, slots=True)
class ParticipantForm:
    pseudonym: str
    role: str
    actor: str
    kommun: str


class ParticipantDialog(ModalScreen[ParticipantForm | None]):
    """Name a voice: pseudonym, role, actor and kommun. Tab between fields, Enter saves."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "key.cancel", id="dialog_cancel"),
        Binding("ctrl+s", "save", "dialog.ok", id="dialog_save"),
    ]

    def __init__(
        self,
        form: ParticipantForm,
        lang: str = "sv",
        check: Callable[[ParticipantForm], str | None] | None = None,
    ) -> None:
        super().__init__()
        self.form = form
        self.lang = lang
        self.check = check

    def compose(self) -> ComposeResult:
        # Scrolls at 80x24, where four fields do not fit; the error stands under the title.
        with VerticalScroll(classes="dialog"):
            yield Label(t("key.name", self.lang) + "  (Tab / Enter / Esc)", classes="dialog-title")
            yield error_line()
            yield Label(t("speakers.pseudonym", self.lang))
            yield Input(self.form.pseudonym, id="f_pseudonym")
            yield Label(t("speakers.role", self.lang))
            yield Input(self.form.role, id="f_role")
            yield Label(t("speakers.actor", self.lang))
            yield Input(self.form.actor, id="f_actor")
            yield Label(t("speakers.kommun", self.lang))
            yield Input(self.form.kommun, id="f_kommun")

    def on_mount(self) -> None:
        self.query_one("#f_pseudonym", Input).focus()  # not the scrolling frame around it

    @on(Input.Submitted)
    def _submitted(self, _event: Input.Submitted) -> None:
        self.action_save()  # Enter saves from any field; Tab moves between them

    def action_save(self) -> None:
        def val(wid: str) -> str:
            return self.query_one(f"#{wid}", Input).value.strip()

        form = ParticipantForm(val("f_pseudonym"), val("f_role"), val("f_actor"), val("f_kommun"))
        problem = self.check(form) if self.check is not None else None
        if problem:
            show_error(self, problem)
            return
        self.dismiss(form)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _index(area: TextArea, location: tuple[int, int]) -> int:
    """Character offset of a (row, column) location in the text area's text."""
    row, col = location
    lines = area.text.split("\n")
    return sum(len(line) + 1 for line in lines[:row]) + col


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question: j or y says yes; n or Escape says no."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,y", "answer(True)", "dialog.ok", id="dialog_yes"),
        Binding("n,escape", "answer(False)", "key.cancel", id="dialog_no"),
    ]

    def __init__(self, prompt: str, lang: str = "sv") -> None:
        super().__init__()
        self.prompt = prompt
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.prompt, classes="dialog-title")
            yield Label(t("dialog.yes_no", self.lang))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


def unsaved_edits(screen: Screen[Any]) -> bool:
    """Whether `screen` is a dialog holding typed text not yet saved."""
    unsaved = getattr(screen, "unsaved", None)
    return bool(unsaved()) if callable(unsaved) else False

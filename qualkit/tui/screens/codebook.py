"""Codebook: add and rename (undoable with `u`), move and merge codes; switch the codebook."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, OptionList, Static

from qualkit.codebook import is_code_id
from qualkit.errors import QualkitError
from qualkit.i18n import t
from qualkit.model import Code
from qualkit.tui.error_text import error_text
from qualkit.tui.screens.dialogs import ChoiceDialog, InputDialog
from qualkit.tui.screens.undo_keys import UndoKeys, undo_bindings
from qualkit.tui.state import code_key_typed, digit_of, new_code_hotkey
from qualkit.tui.widgets.nav import NavList


class CodebookScreen(UndoKeys):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "key.add_code", id="code_add"),
        Binding("e", "rename", "key.rename_code", id="code_rename"),
        Binding("F", "move", "key.move_code", id="code_move"),
        Binding("J", "merge", "key.merge_code", id="code_merge"),
        Binding("b", "switch", "key.switch_codebook", id="codebook_switch"),
        Binding("escape", "back", "key.back", id="codebook_back"),
        *undo_bindings("codebook"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.codes: list[Code] = []

    def compose(self) -> ComposeResult:
        self.compose_bindings()
        yield Static(id="codebook_header")
        yield NavList(id="codebook_codes")
        yield Static(id="codebook_detail")
        yield Footer()

    def on_mount(self) -> None:
        self.load()
        self.query_one(OptionList).focus()

    def load(self, keep: str | None = None) -> None:
        lang = self.lang
        book = self.host.project.codebook(self.host.codebook_id)
        counts = self.host.project.store.coding_counts(book.id)
        ordered: list[tuple[int, Code]] = []

        def walk(parent: str | None, depth: int) -> None:
            for c in book.children(parent):
                ordered.append((depth, c))
                walk(c.key, depth + 1)

        walk(None, 0)
        self.codes = [c for _d, c in ordered]
        options = self.query_one(OptionList)
        old = options.highlighted or 0
        options.clear_options()
        for depth, c in ordered:
            n = sum(counts.get(c.key, {}).values())
            digit = digit_of(book, c.key) or " "  # the digit that codes with it, as typed
            options.add_option(f"{'  ' * depth}{digit} {c.label(lang)}  [{c.key}]  ({n})")
        if self.codes:
            idx = next((i for i, c in enumerate(self.codes) if c.key == keep), old)
            options.highlighted = min(idx, len(self.codes) - 1)
        self.query_one("#codebook_header", Static).update(
            f"[b]{t('codebook.title', lang)}[/b]  {book.name} [{book.id}]  ·  "
            f"{', '.join(self.host.project.codebook_ids())}"
        )

    def undo_done(self) -> None:
        self.load()

    def selected(self) -> Code | None:
        idx = self.query_one(OptionList).highlighted
        if idx is None or not self.codes:
            return None
        return self.codes[min(idx, len(self.codes) - 1)]

    def on_option_list_option_highlighted(self, _event: OptionList.OptionHighlighted) -> None:
        code = self.selected()
        detail = self.query_one("#codebook_detail", Static)
        detail.update(code.description if code else "")

    def _do(self, fn: Callable[[], object], keep: str | None = None) -> str | None:
        """Run a codebook edit from inside its dialog: an error stays there, text kept."""
        try:
            fn()
        except QualkitError as exc:
            return error_text(exc, self.lang)
        self.host.codebook_changed()
        self.notify(t("codebook.saved", self.lang))
        self.load(keep)
        return None

    def check_new_key(self, key: str) -> str | None:
        """Why `key` cannot be a new code's id in the active codebook, or None."""
        key = key.strip()
        if not is_code_id(key):
            return t("err.bad_code_id", self.lang).format(code=key)
        book = self.host.project.codebook(self.host.codebook_id)
        if key in {c.key for c in book.codes}:
            return t("err.code_exists", self.lang).format(code=key, book=book.id)
        return None

    def action_add(self) -> None:
        lang = self.lang
        parent = self.selected()

        def got_key(key: str | None) -> None:
            if not key:
                return
            key = key.strip()

            def add(label: str) -> str | None:
                if not label.strip():
                    return t("err.empty", lang)
                book = self.host.project.codebook(self.host.codebook_id)
                code = Code(
                    codebook=self.host.codebook_id,
                    key=key,
                    label_sv=label.strip(),
                    parent=parent.parent if parent else None,
                    # A new code is coded from the keyboard like the others at once.
                    hotkey=new_code_hotkey(book),
                )
                problem = self._do(lambda: self.host.undo.add_code(code), key)
                if problem is None:
                    self.say_digit(key)
                return problem

            self.app.push_screen(InputDialog(t("codebook.label_prompt", lang), check=add))

        self.app.push_screen(
            InputDialog(t("codebook.key_prompt", lang), check=self.check_new_key), got_key
        )

    def say_digit(self, key: str) -> None:
        """Which digit codes with a new code, or that it has none (all ten are taken)."""
        digit = digit_of(self.host.project.codebook(self.host.codebook_id), key)
        if digit is None:
            self.notify(t("codebook.no_digit", self.lang), severity="warning")
        else:
            self.notify(t("codebook.digit", self.lang).format(digit=digit))

    def action_rename(self) -> None:
        code = self.selected()
        if code is None:
            return

        def rename(label: str) -> str | None:
            if not label.strip():
                return t("err.empty", self.lang)
            # Through the undo stack: `u` gives the code its old name (and file) back.
            return self._do(
                lambda: self.host.undo.rename_code(code.codebook, code.key, label_sv=label.strip()),
                code.key,
            )

        self.app.push_screen(
            InputDialog(t("codebook.label_prompt", self.lang), code.label_sv, check=rename)
        )

    def action_move(self) -> None:
        code = self.selected()
        if code is None:
            return

        def move(parent: str) -> str | None:
            book = self.host.project.codebook(code.codebook)
            return self._do(
                lambda: self.host.project.move_code(
                    code.codebook, code.key, code_key_typed(book, parent) or None
                ),
                code.key,
            )

        self.app.push_screen(
            InputDialog(t("codebook.parent_prompt", self.lang), code.parent or "", check=move)
        )

    def action_merge(self) -> None:
        code = self.selected()
        if code is None:
            return

        def merge(target: str) -> str | None:
            if not target.strip():
                return t("err.empty", self.lang)
            key = code_key_typed(self.host.project.codebook(code.codebook), target)
            return self._do(
                lambda: self.host.project.merge_codes(code.codebook, code.key, key), key
            )

        self.app.push_screen(InputDialog(t("codebook.merge_prompt", self.lang), check=merge))

    def action_switch(self) -> None:
        ids = self.host.project.codebook_ids()

        def done(index: int | None) -> None:
            if index is None:
                return
            self.host.codebook_id = ids[index]
            self.host.codebook_changed()
            # The old codebook's marks leave the transcript ("Kodat 0"): they are not lost.
            self.notify(
                f"{t('codebook.switched', self.lang)}: {ids[index]}. "
                f"{t('codebook.others_kept', self.lang)}"
            )
            self.load()

        self.app.push_screen(ChoiceDialog(t("codebook.switch_prompt", self.lang), ids), done)

    def action_back(self) -> None:
        self.app.pop_screen()

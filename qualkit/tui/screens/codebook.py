"""Codebook: add, rename, move and merge codes (each undoable with `u`); switch codebook."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.markup import escape
from textual.widgets import Footer, OptionList, Static

from qualkit.codebook import is_code_id, title
from qualkit.errors import QualkitError
from qualkit.i18n import t
from qualkit.model import Code, Codebook
from qualkit.tui.error_text import error_text
from qualkit.tui.screens.dialogs import ChoiceDialog, ConfirmDialog, InputDialog
from qualkit.tui.screens.undo_keys import UndoKeys, undo_bindings
from qualkit.tui.state import TwoCodes, code_key_typed, digit_of, new_code_hotkey
from qualkit.tui.undo_text import moved_to
from qualkit.tui.widgets.nav import NavList
from qualkit.undo_codes import MoveCode

Done = TypeVar("Done")


def shown(book: Codebook, key: str, lang: str) -> str:
    """A code as the list shows it to a coder choosing by digit: '3 «Individ»'."""
    label, digit = f"«{book.code(key).label(lang)}»", digit_of(book, key)
    return escape(f"{digit} {label}" if digit else label)


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
            # Escaped: "[tillit]" is the id a coder may type, not markup to swallow.
            label = escape(f"{c.label(lang)}  [{c.key}]")
            options.add_option(f"{'  ' * depth}{digit} {label}  ({n})")
        if self.codes:
            idx = next((i for i, c in enumerate(self.codes) if c.key == keep), old)
            options.highlighted = min(idx, len(self.codes) - 1)
        self.query_one("#codebook_header", Static).update(
            f"[b]{t('codebook.title', lang)}[/b]  {escape(f'{title(book, lang)} [{book.id}]')}  ·  "
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

    def _do(
        self,
        fn: Callable[[], Done],
        keep: str | None = None,
        said: Callable[[Done], str] | None = None,
    ) -> str | None:
        """Run a codebook edit from inside its dialog: an error stays there, text kept;
        the toast says `said(what the edit returned)`, or that the codebook is saved."""
        try:
            done = fn()
        except QualkitError as exc:
            return error_text(exc, self.lang)
        self.host.codebook_changed()
        self.notify(said(done) if said else t("codebook.saved", self.lang))
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

        lang = self.lang

        def move(typed: str) -> str | None:
            parent, problem = self.typed_code(typed, code)
            if problem is not None:
                return problem
            book = self.host.project.codebook(code.codebook)
            # Named by label and by the digit the coder read before the move (a codebook
            # that numbers its top codes numbers them anew): a wrong digit shows.
            known = parent in {c.key for c in book.codes}
            where = moved_to(shown(book, parent, lang) if known else parent or None, lang)

            def said(action: MoveCode | None) -> str:
                name = escape(code.label(lang))
                if action is None:
                    return t("codebook.not_moved", lang).format(code=name)
                return t("codebook.moved", lang).format(code=name, where=where)

            # Through the undo stack: `u` puts the code back under its earlier parent.
            return self._do(
                lambda: self.host.undo.move_code(code.codebook, code.key, parent or None),
                code.key,
                said,
            )

        self.app.push_screen(
            InputDialog(t("codebook.parent_prompt", self.lang), code.parent or "", check=move)
        )

    def typed_code(self, typed: str, acted_on: Code) -> tuple[str, str | None]:
        """The code id meant by what was typed (a digit the list shows, or an id), and
        why it cannot be told which (a digit that is also another code's id), or None."""
        meant = code_key_typed(self.host.project.codebook(self.host.codebook_id), typed)
        if not isinstance(meant, TwoCodes):
            return meant, None
        if meant.named.key == acted_on.key:  # not into or under itself: the digit is meant
            return meant.shown.key, None
        lang = self.lang
        return "", t("codebook.two_codes", lang).format(
            digit=meant.typed,
            shown=escape(meant.shown.label(lang)),
            named=escape(meant.named.label(lang)),
            shown_key=meant.shown.key,
        )

    def merge_target(self, source: Code, typed: str) -> tuple[str, str | None]:
        """The code `source` is to merge into, or why not: said in the dialog, before any
        question, so a typo is put right there."""
        if not typed.strip():
            return "", t("err.empty", self.lang)
        key, problem = self.typed_code(typed, source)
        if problem is not None:
            return "", problem
        book = self.host.project.codebook(source.codebook)
        if key == source.key:
            return "", t("err.code_into_itself", self.lang)
        if key not in {c.key for c in book.codes}:
            known = ", ".join(c.key for c in book.codes)
            return "", t("err.unknown_code", self.lang).format(code=key, book=book.id, known=known)
        return key, None

    def action_merge(self) -> None:
        code = self.selected()
        if code is None:
            return
        lang = self.lang
        target: list[str] = []  # the code the dialog resolved, for the question after it

        def check(typed: str) -> str | None:
            key, problem = self.merge_target(code, typed)
            target[:] = [key]
            return problem

        def typed(value: str | None) -> None:
            if value is not None and target:
                self.confirm_merge(code, target[0])

        prompt = t("codebook.merge_prompt", lang).format(
            code=escape(f"«{code.label(lang)}» ({code.key})")
        )
        self.app.push_screen(InputDialog(prompt, check=check), typed)

    def confirm_merge(self, source: Code, key: str) -> None:
        """Ask, naming both codes and the codings that move: at 80x24 the dialog covers
        the list the digit was read from, and a wrong digit moves every coder's work."""
        lang = self.lang
        book: Codebook = self.host.project.codebook(source.codebook)
        counts = self.host.project.store.coding_counts(book.id)
        n = sum(counts.get(source.key, {}).values())
        question = t("codebook.merge_confirm", lang).format(
            source=escape(source.label(lang)),
            n=n,
            codings=t("codebook.coding" if n == 1 else "codebook.codings", lang),
            target=shown(book, key, lang),
        )

        def answer(yes: bool | None) -> None:
            if not yes:
                self.notify(t("codebook.merge_cancelled", lang))
                return
            problem = self._do(lambda: self.host.undo.merge_code(book.id, source.key, key), key)
            if problem is not None:  # changed meanwhile (another coder): said, nothing lost
                self.notify(problem, severity="error")

        self.app.push_screen(ConfirmDialog(question, lang), answer)

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

"""Review pseudonym proposals: accept, reject, edit the replacement, accept a whole kind.

Keys: a accept, x reject, e edit the replacement, A accept every proposal of the
highlighted row's kind, + add a name the scan missed, R scan again, escape close (the same
letters as on the transcript screen: a/x take or reject a proposal, A takes all). The list
shows where each original occurs, so the coder can judge "Per" the person from "per" the
preposition.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from qualkit.errors import QualkitError
from qualkit.i18n import t
from qualkit.model import Pseudonym
from qualkit.privacy import add_name, contexts_for, review, review_kind, scan
from qualkit.project import Project
from qualkit.resolve import pseudonym_names
from qualkit.tui.error_text import error_text
from qualkit.tui.guard import NoticeOnError
from qualkit.tui.widgets.nav import RowTable

KIND_LABELS = {
    "name": "namn",
    "personnummer": "personnummer",
    "phone": "telefon",
    "email": "e-post",
    "address": "adress",
}


class PseudonymScreen(NoticeOnError, Screen[None]):
    """A table of proposals with their context; every change is saved at once."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "accept", "Acceptera", id="pseudo.accept"),
        Binding("x", "reject", "Avvisa", id="pseudo.reject"),
        Binding("e", "edit", "Ändra ersättning", id="pseudo.edit"),
        Binding("A", "accept_kind", "Acceptera alla av typen", id="pseudo.accept_kind"),
        Binding("plus", "add_name", "Lägg till missat namn", id="pseudo.add"),
        Binding("R", "scan", "Sök igen", id="pseudo.scan"),
        Binding("escape", "close", "Stäng", id="pseudo.close"),
    ]

    DEFAULT_CSS = """
    PseudonymScreen #pseudo-status { height: 1; }
    PseudonymScreen #pseudo-edit { display: none; }
    PseudonymScreen #pseudo-edit.editing { display: block; }
    """

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project
        self._rows: list[Pseudonym] = []
        self._contexts: dict[str, list[str]] = {}
        self._adding = False  # the input box takes a new name, not a replacement

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Pseudonymer: förslag att granska", id="pseudo-title")
            yield RowTable(id="pseudo-table", cursor_type="row", zebra_stripes=True)
            yield Input(placeholder="Ny ersättning, Enter sparar", id="pseudo-edit")
            yield Static("", id="pseudo-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("id", "typ", "original", "ersättning", "status", "sammanhang")
        self.refresh_rows()
        table.focus()

    # ----------------------------------------------------------------- data
    def refresh_rows(self) -> None:
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        # Open proposals first, then decided ones, each in order of discovery.
        order = {"proposed": 0, "accepted": 1, "rejected": 2}
        self._rows = sorted(
            self.project.store.pseudonyms(), key=lambda p: (order.get(p.status, 3), p.id)
        )
        # Context snippets are looked up once per original, not on every key press.
        missing = [p.original for p in self._rows if p.original not in self._contexts]
        if missing:
            self._contexts.update(contexts_for(self.project, missing, width=25, limit=1))
        for p in self._rows:
            context = self._contexts.get(p.original, [])
            table.add_row(
                str(p.id),
                KIND_LABELS.get(p.kind, p.kind),
                p.original,
                p.replacement,
                p.status,
                context[0] if context else "",
                key=str(p.id),
            )
        if self._rows:
            table.move_cursor(row=min(max(keep, 0), len(self._rows) - 1))
        proposed = sum(1 for p in self._rows if p.status == "proposed")
        self.set_status(f"{proposed} förslag kvar att granska, {len(self._rows)} totalt")

    def current(self) -> Pseudonym | None:
        table = self.query_one(DataTable)
        if not self._rows or table.cursor_row < 0 or table.cursor_row >= len(self._rows):
            return None
        return self._rows[table.cursor_row]

    def set_status(self, text: str) -> None:
        self.query_one("#pseudo-status", Static).update(text)

    def _set(self, status: str, replacement: str | None = None) -> None:
        item = self.current()
        if item is None:
            return
        try:
            review(self.project, [item.id], status, replacement)
        except QualkitError as exc:
            self.set_status(error_text(exc, "sv"))
            return
        self.refresh_rows()
        # Allowed (an invented name is a usual pseudonym), but said, as the CLI says it.
        looks = pseudonym_names(self.project.store, replacement)
        if looks:
            text = t("pseudo.replacement_name", "sv")
            self.notify(
                text.format(replacement=replacement, names=", ".join(looks)),
                severity="warning",
                timeout=10,
                markup=False,
            )

    # -------------------------------------------------------------- actions
    def action_accept(self) -> None:
        self._set("accepted")

    def action_reject(self) -> None:
        self._set("rejected")

    def action_accept_kind(self) -> None:
        item = self.current()
        if item is None:
            return
        n = review_kind(self.project, item.kind, "accepted")
        self.refresh_rows()
        self.set_status(f"Accepterade {n} förslag av typen {KIND_LABELS.get(item.kind, item.kind)}")

    def action_scan(self) -> None:
        result = scan(self.project)
        self.refresh_rows()
        self.set_status(f"Nya förslag: {sum(result.proposed.values())}")

    def action_edit(self) -> None:
        item = self.current()
        if item is None:
            return
        self._open_box(item.replacement, "Ny ersättning, Enter sparar", adding=False)

    def action_add_name(self) -> None:
        self._open_box("", "Ett namn som sökningen missade, Enter lägger till", adding=True)

    def _open_box(self, value: str, placeholder: str, *, adding: bool) -> None:
        self._adding = adding
        box = self.query_one("#pseudo-edit", Input)
        box.value = value
        box.placeholder = placeholder
        box.add_class("editing")
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        box = self.query_one("#pseudo-edit", Input)
        box.remove_class("editing")
        self.query_one(DataTable).focus()
        if not event.value.strip():
            return
        if not self._adding:
            self._set("accepted", event.value.strip())
            return
        try:
            added = add_name(self.project, event.value)
        except QualkitError as exc:
            self.set_status(error_text(exc, "sv"))
            return
        self.refresh_rows()
        self.set_status(f"{added.original} ersätts med {added.replacement} i alla exporter")

    def action_close(self) -> None:
        box = self.query_one("#pseudo-edit", Input)
        if box.has_class("editing"):
            box.remove_class("editing")
            self.query_one(DataTable).focus()
            return
        self.dismiss(None)

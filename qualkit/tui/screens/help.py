"""Help: every key of every screen, in the interface language."""

from __future__ import annotations

import dataclasses
from typing import ClassVar, cast

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from qualkit.i18n import t
from qualkit.tui.host import Host


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "key.back", id="help_close"),
        Binding("j", "scroll('down')", show=False, id="help_down"),
        Binding("k", "scroll('up')", show=False, id="help_up"),
    ]

    def compose(self) -> ComposeResult:
        qapp = cast(Host, self.app)
        lang = qapp.lang
        with VerticalScroll(classes="dialog wide", id="help"):
            yield Static(f"[b]{t('help.title', lang)}[/b]")
            everywhere: set[str] = set()
            for n, (title, bindings) in enumerate(qapp.all_bindings()):
                table = Table(title=title, show_header=False, box=None, expand=True)
                # The keys' column keeps its width and the descriptions take the rest, so
                # the descriptions of every section start in the same column.
                table.add_column(style="bold #ffaf00", width=18, no_wrap=True)
                table.add_column(ratio=1)
                # Every key once per screen, keys of one action on one row ("↓ / j"); a key
                # already listed under "everywhere" is not repeated for a screen.
                rows: dict[str, tuple[list[str], str]] = {}
                seen: set[str] = set()
                for b in bindings:
                    keys = b.key_display or " / ".join(
                        qapp.get_key_display(dataclasses.replace(b, key=k))
                        for k in b.key.split(",")
                    )
                    if keys in seen or keys in everywhere:
                        continue
                    seen.add(keys)
                    rows.setdefault(b.action, ([], t(b.description, lang)))[0].append(keys)
                for keys_list, description in rows.values():
                    table.add_row(" / ".join(keys_list), description)
                if n == 0:
                    everywhere = seen
                yield Static(table)

    def on_mount(self) -> None:
        # Focused, so PgDn, arrows, j/k scroll it: at 80x24 most of the help is below.
        self.query_one("#help", VerticalScroll).focus()

    def action_scroll(self, direction: str) -> None:
        box = self.query_one("#help", VerticalScroll)
        if direction == "down":
            box.scroll_down()
        else:
            box.scroll_up()

    def action_close(self) -> None:
        self.dismiss(None)

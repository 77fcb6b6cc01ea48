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
        Binding("escape,q,question_mark", "close", "key.back", id="help_close")
    ]

    def compose(self) -> ComposeResult:
        qapp = cast(Host, self.app)
        lang = qapp.lang
        with VerticalScroll(classes="dialog wide", id="help"):
            yield Static(f"[b]{t('help.title', lang)}[/b]")
            for title, bindings in qapp.all_bindings():
                table = Table(title=title, show_header=False, box=None, expand=True)
                table.add_column(style="bold #ffaf00", width=18)
                table.add_column()
                seen: set[str] = set()
                for b in bindings:
                    if b.action in seen:
                        continue
                    seen.add(b.action)
                    keys = b.key_display or " / ".join(
                        qapp.get_key_display(dataclasses.replace(b, key=k))
                        for k in b.key.split(",")
                    )
                    table.add_row(keys, t(b.description, lang))
                yield Static(table)

    def action_close(self) -> None:
        self.dismiss(None)

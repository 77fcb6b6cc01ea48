"""What a screen may ask of the app that hosts it.

Screens never import the concrete app (it imports them): they reach it through this
protocol, so the app can import every screen at the top and a screen can be tested
inside any App that offers these members.
"""

from __future__ import annotations

from typing import Protocol, cast

from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

from qualkit.i18n import t
from qualkit.project import Project
from qualkit.resolve import UNNAMED_CODER
from qualkit.search import SearchIndex
from qualkit.tui.audio import AudioControl
from qualkit.tui.guard import NoticeOnError
from qualkit.undo import UndoStack


class Host(Protocol):
    """The coding app as its screens see it."""

    project: Project
    coder: str
    blind: bool
    lang: str
    codebook_id: str
    undo: UndoStack
    audio: AudioControl

    def translate_bindings(self, node: DOMNode) -> None: ...

    def search_index(self) -> SearchIndex: ...

    def refresh_search_codings(self) -> None: ...

    def code_marks(self) -> dict[str, str]: ...

    def coded(self, segment_id: int) -> None: ...

    def data_changed(self) -> None: ...

    def codebook_changed(self) -> None: ...

    def open_transcript(
        self, recording_id: int, segment_id: int | None = None, highlight: str = ""
    ) -> None: ...

    def all_bindings(self) -> list[tuple[str, list[Binding]]]: ...

    def get_key_display(self, binding: Binding) -> str: ...


class HostScreen(NoticeOnError, Screen[None]):
    """A screen of the coding app: `host` is the app, typed by what screens may use."""

    @property
    def host(self) -> Host:
        return cast(Host, self.app)

    @property
    def lang(self) -> str:
        return self.host.lang

    @property
    def unnamed(self) -> bool:
        """Whether the app was started without --coder (outside a team's study), so the
        codings made here are filed under 'default', not under anyone's name."""
        return self.host.coder == UNNAMED_CODER

    def coder_shown(self) -> str:
        """Who is coding, for a screen's header: without --coder, also how to say it."""
        if self.unnamed:
            return t("coder.unnamed", self.lang).format(coder=self.host.coder)
        return self.host.coder

    def compose_bindings(self) -> None:
        """Binding descriptions are i18n keys: show them in the interface language."""
        self.host.translate_bindings(self)

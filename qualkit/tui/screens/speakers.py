"""Speakers: name each diarised voice as a participant, merge voices, play samples."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Static

from qualkit import resolve, voices
from qualkit.errors import QualkitError
from qualkit.i18n import t
from qualkit.model import Recording, Segment
from qualkit.speakers import talk_times
from qualkit.store import Store
from qualkit.tui.error_text import error_text
from qualkit.tui.screens.dialogs import ConfirmDialog, ParticipantDialog, ParticipantForm
from qualkit.tui.screens.undo_keys import UndoKeys, undo_bindings
from qualkit.tui.state import SpeakerInfo, fmt_time, speaker_infos
from qualkit.tui.widgets.nav import RowTable
from qualkit.undo import VOICES, Place
from qualkit.undo_voices import VoiceName


class SpeakersScreen(UndoKeys):
    """One row per voice: who it is, how long it talks, what it says first."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e,enter", "name", "key.name", id="name_voice"),
        Binding("space", "play", "key.play", id="play_sample"),
        Binding("v", "mark", "key.mark", id="mark_voice"),
        Binding("J", "merge", "key.merge", id="merge_voices"),
        Binding("x", "unname", "key.unname", id="unname_voice"),
        *undo_bindings("speakers"),
        Binding("escape", "back", "key.back", id="speakers_back"),
    ]

    def __init__(self, recording: Recording) -> None:
        super().__init__()
        self.recording = recording
        self.infos: list[SpeakerInfo] = []
        self.samples: dict[int, list[Segment]] = {}
        self.talk: dict[int, float | None] = {}
        self.marked: int | None = None

    def compose(self) -> ComposeResult:
        self.compose_bindings()
        yield Static(id="speakers_header")
        yield RowTable(id="speakers_table", cursor_type="row", zebra_stripes=True)
        yield Static(id="speakers_samples")
        yield Footer()

    def on_mount(self) -> None:
        self.load()
        self.query_one(DataTable).focus()

    def load(self) -> None:
        lang = self.lang
        store = self.host.project.store
        self.infos = list(speaker_infos(self.host.project, self.recording.id).values())
        segments = store.segments_light(self.recording.id)
        # Unknown (None, shown as --:--) when none of a voice's turns has times.
        self.talk = {i: talk.known_s for i, talk in talk_times(segments).items()}
        scores = voices.voice_scores(store, self.recording.id)
        self.samples = {}
        for seg in segments:
            if seg.speaker_id is not None and len(self.samples.setdefault(seg.speaker_id, [])) < 3:
                self.samples[seg.speaker_id].append(seg)
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        table.add_columns(
            t("speakers.voice", lang),
            t("speakers.participant", lang),
            t("speakers.talk_time", lang),
            t("speakers.sample", lang),
        )
        for info in self.infos:
            who = f"{info.name}  {info.role_and_actor}".rstrip() if info.named else "-"
            if info.withdrawn:
                who = f"⊘ {who} ({t('transcript.withdrawn', lang)})"
            if info.id in scores:  # named by a voiceprint: show how sure
                who += f"  ({t('speakers.voiceprint', lang)} {scores[info.id]:.2f})"
            mark = "● " if info.id == self.marked else ""
            first = self.samples.get(info.id, [])
            table.add_row(
                mark + info.label,
                who,
                fmt_time(self.talk.get(info.id, 0.0)),  # no turns: no talk
                (first[0].text[:70] if first else ""),
                key=str(info.id),
            )
        if self.infos:
            table.move_cursor(row=min(max(cursor, 0), len(self.infos) - 1))
        header = f"[b]{t('speakers.title', lang)}[/b]  {self.recording.name}"
        if not self.infos:
            header += f"\n{t('speakers.none', lang)}"
        self.query_one("#speakers_header", Static).update(header)
        self.show_samples()

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.show_samples()

    def show_samples(self) -> None:
        info = self.selected()
        box = self.query_one("#speakers_samples", Static)
        if info is None:
            box.update("")
            return
        lines = [f"[b]{info.label}[/b]"]
        for seg in self.samples.get(info.id, []):
            lines.append(f"[dim]{fmt_time(seg.start)}[/dim] {seg.text[:200]}")
        box.update("\n".join(lines))

    def selected(self) -> SpeakerInfo | None:
        table = self.query_one(DataTable)
        if not self.infos:
            return None
        return self.infos[min(max(table.cursor_row, 0), len(self.infos) - 1)]

    def action_name(self) -> None:
        info = self.selected()
        if info is None:
            return
        store = self.host.project.store
        speaker = store.speaker(info.id)
        person = (
            store.participant(speaker.participant_id)
            if speaker.participant_id is not None
            else None
        )
        form = ParticipantForm(
            person.pseudonym if person else "",
            person.role if person else "",
            person.actor.value if person and person.actor else "",
            (person.kommun if person else self.recording.kommun) or "",
        )

        warnings: list[str] = []

        def save(result: ParticipantForm) -> str | None:
            # Saved from inside the dialog: an error is shown there, with the form as typed.
            name = VoiceName(result.pseudonym, result.role, result.actor, result.kommun)
            # Asked before the write: once saved, the slip is a kommun of the study.
            slips = resolve.kommun_slips(store, result.kommun)
            try:
                self.host.undo.name_voice(info.id, name)
            except QualkitError as exc:
                return error_text(exc, self.lang)
            warnings[:] = naming_warnings(store, form, result, slips, self.lang)
            return None

        def done(result: ParticipantForm | None) -> None:
            if result is not None:
                self.notify(t("speakers.named", self.lang))
                for text in warnings:
                    # Typed text, not markup: a kommun written "[Norby]" shows as typed.
                    self.notify(text, severity="warning", timeout=10, markup=False)
                self.host.data_changed()  # the transcript shows the new name
                self.load()

        self.app.push_screen(ParticipantDialog(form, self.lang, check=save), done)

    def action_play(self) -> None:
        info = self.selected()
        if info is None:
            return
        if self.host.audio.stop():
            return  # Space again stops the sample
        first = self.samples.get(info.id, [])
        if first:
            self.host.audio.play(self.recording, first[0].start, first[0].end)

    def action_mark(self) -> None:
        info = self.selected()
        if info is None:
            return
        self.marked = None if self.marked == info.id else info.id
        if self.marked is not None:
            self.notify(f"{t('speakers.marked', self.lang)}: {info.label}")
        self.load()

    def action_merge(self) -> None:
        target = self.selected()
        if target is None or self.marked is None or self.marked == target.id:
            self.notify(t("speakers.mark_first", self.lang), severity="warning")
            return
        drop = next((i for i in self.infos if i.id == self.marked), None)
        if drop is None:
            return

        def merge(confirmed: bool | None) -> None:
            if not confirmed:
                return
            try:
                self.host.undo.merge_voices(target.id, drop.id)
            except QualkitError as exc:
                self.notify(error_text(exc, self.lang), severity="error")
                return
            self.marked = None
            self.notify(t("speakers.merged", self.lang))
            self.load()

        prompt = t("speakers.merge_confirm", self.lang).format(keep=target.label, drop=drop.label)
        self.app.push_screen(ConfirmDialog(prompt, self.lang), merge)

    def action_unname(self) -> None:
        """Take back a name a voiceprint gave; the same voiceprint will not give it again."""
        info = self.selected()
        if info is None:
            return
        if info.id not in voices.voice_scores(self.host.project.store, self.recording.id):
            self.notify(t("speakers.not_voiceprint", self.lang), severity="warning")
            return
        try:
            self.host.undo.unname_voice(info.id)
        except QualkitError as exc:
            self.notify(error_text(exc, self.lang), severity="error")
            return
        self.notify(t("speakers.unnamed", self.lang).format(voice=info.label))
        self.load()

    def undo_place(self) -> Place:
        return (VOICES, self.recording.id)

    def undo_done(self) -> None:
        self.marked = None  # a voice marked for merging may be gone, or back
        self.load()

    def action_back(self) -> None:
        self.dismiss(None)


def naming_warnings(
    store: Store, before: ParticipantForm, after: ParticipantForm, slips: list[str], lang: str
) -> list[str]:
    """What the coder is warned of after naming a voice (the name is saved all the same):
    a new kommun one slip from the study's own, a new pseudonym that reads as a person's
    name. A field left as it was is not warned about again."""
    out = []
    if slips:
        near = (" eller " if lang == "sv" else " or ").join(f"'{k}'" for k in slips)
        out.append(t("speakers.kommun_slip", lang).format(kommun=after.kommun, near=near))
    if after.pseudonym != before.pseudonym:
        looks = resolve.pseudonym_names(store, after.pseudonym)
        if looks:
            text = t("speakers.pseudonym_name", lang)
            out.append(text.format(pseudonym=after.pseudonym, names=", ".join(looks)))
    return out

"""The sources of a .qdpx: one TextSource (and AudioSource) per recording, with selections.

What peers need, learnt by opening our files in them (docs/refi-qda.md):

* Every source name is unique (QualCoder keeps sources in a table with a unique name): the
  AudioSource is named after its audio file.
* creatingUser and creationDateTime on every element that may carry them (QualCoder fails on
  a Transcript or Note without a creationDateTime).
* A coding's memo also in its selection's Description when the selection carries one coding
  (QualCoder reads coding memos only there); the NoteRef stays for tools that read notes.
* The turn table ("who spoke when") is in the TextSource's Description as well as in a note:
  a source's Description survives tools that drop notes, and it lets an import rebuild the
  speakers when a tool drops the Cases' SelectionRefs.
* A recording's kommun, group, date, guide and length are variables on its sources
  (facts.py), the kommun also a Set.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qualkit.export.fields import (
    coder_labels,
    participant_signature,
    span_offsets,
)
from qualkit.export.refi.constants import PROJECT_NS, TURN_TABLE_TITLE, coding_note
from qualkit.export.refi.facts import recording_facts
from qualkit.export.refi.guids import Guids, code_guid
from qualkit.export.refi.package import Package, SourceOptions, audio_file, audio_location
from qualkit.export.refi.xmlwrite import (
    SourceText,
    clean,
    datetime_of,
    el,
    source_text,
    text_el,
)
from qualkit.model import Code, Coding, Memo, Recording, Segment, Valence
from qualkit.privacy import exportable_segments
from qualkit.project import Project
from qualkit.redaction import Redactor

NS = PROJECT_NS
# The user that owns what qualkit itself writes (turn tables, sources).
SYSTEM_USER = "qualkit"


@dataclass(frozen=True, slots=True)
class Note:
    guid: str
    name: str
    text: str  # redacted
    coder: str
    created: str


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "--:--:--"
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


class SourceWriter:
    """Builds the Sources and collects what the rest of project.qde refers to."""

    def __init__(
        self,
        project: Project,
        guids: Guids,
        codes: dict[tuple[str, str], Code],
        with_valence: set[str],
        options: SourceOptions,
    ) -> None:
        self.project = project
        self.guids = guids
        self.codes = codes
        self.with_valence = with_valence
        self.options = options
        self.redactor = Redactor.for_project(project)
        # Users are 'Kodare 1', 'Kodare 2' ... unless asked for: a coder's name is a name.
        self.coder_label = coder_labels(project, names=options.coder_names)
        self.participants = {p.id: p for p in project.store.participants()}
        self.speakers = {s.id: s for s in project.store.speakers()}
        self.memos: dict[str, list[Memo]] = defaultdict(list)
        for memo in project.store.memos():
            self.memos[f"{memo.target}:{memo.target_id}"].append(memo)
        self.pkg = Package()
        self.notes: list[Note] = []
        self.note_refs: dict[str, list[str]] = defaultdict(list)  # owner GUID -> note GUIDs
        self.users: dict[str, str] = {}  # user name as written (a coder label) -> GUID
        self.sources: list[ET.Element] = []
        self.names: set[str] = set()
        self.sets: dict[str, list[str]] = defaultdict(list)  # kommun -> source GUIDs
        self.case_sources: dict[int, list[str]] = defaultdict(list)
        self.case_selections: dict[int, list[str]] = defaultdict(list)
        # source GUID -> the recording's facts as (variable, value)
        self.source_facts: dict[str, list[tuple[str, str]]] = {}
        self.n_codings = 0
        self.skipped = 0

    # ------------------------------------------------------------------ helpers
    def user(self, coder: str) -> str:
        """The GUID of the User a coder is written as (qualkit's own user keeps its name)."""
        name = coder if coder == SYSTEM_USER else self.coder_label(coder)
        if name not in self.users:
            self.users[name] = self.guids("user", name)
        return self.users[name]

    def note(
        self,
        owner: str,
        guid: str,
        name: str,
        text: str,
        coder: str,
        created: str,
        *,
        made_of_redacted: bool = False,
    ) -> None:
        """A note on `owner`; its text is redacted unless it is `made_of_redacted` (a table
        qualkit wrote from times, offsets and fields it redacted itself)."""
        if not made_of_redacted:
            text = self.redactor.redact(text)
        self.notes.append(Note(guid, name, text, coder, created))
        self.note_refs[owner].append(guid)
        self.user(coder)

    def memo_notes(self, owner: str, key: str, name: str, created: str) -> None:
        for memo in self.memos.get(key, []):
            self.note(
                owner,
                self.guids("memo", memo.id),
                name,
                memo.text,
                memo.coder,
                datetime_of(memo.created, created),
            )

    def unique_name(self, name: str) -> str:
        candidate, n = name, 2
        while candidate in self.names:
            candidate = f"{name} ({n})"
            n += 1
        self.names.add(candidate)
        return candidate

    # --------------------------------------------------------------- recordings
    def add_recording(self, rec: Recording) -> None:
        original = self.project.store.segments(rec.id)
        exported = exportable_segments(self.project, original, self.redactor)
        codings = self.project.store.codings(recording_id=rec.id)
        created = datetime_of(rec.date, min((c.created for c in codings), default=None))
        name = self.unique_name(self.redactor.redact(rec.name))
        members: list[str] = []
        text_guid = self.guids("source", rec.id)
        st = source_text(exported)
        if exported:
            self.sources.append(
                self._text_source(rec, name, text_guid, st, original, codings, created)
            )
            members.append(text_guid)
        audio = audio_file(self.project, rec.audio_path) if self.options.audio else None
        if audio is not None:
            audio_el = self._audio_source(
                rec, audio, text_guid if exported else None, name, st, created
            )
            self.sources.append(audio_el)
            members.append(audio_el.get("guid", ""))
        if rec.kommun and members:
            self.sets[rec.kommun].extend(members)
        facts = recording_facts(rec, self.redactor.redact)
        if facts:
            self.source_facts.update(dict.fromkeys(members, facts))

    def _text_source(
        self,
        rec: Recording,
        name: str,
        guid: str,
        st: SourceText,
        original: Sequence[Segment],
        codings: Sequence[Coding],
        created: str,
    ) -> ET.Element:
        txt_name = f"{guid}.txt"
        self.pkg.blobs[txt_name] = st.text.encode("utf-8")
        source = ET.Element(
            f"{{{NS}}}TextSource",
            {
                "guid": guid,
                "name": clean(name),
                "plainTextPath": f"internal://{txt_name}",
                "creatingUser": self.user(SYSTEM_USER),
                "creationDateTime": created,
            },
        )
        turn_of, table = self._turns(rec, name, guid, st, created)
        text_el(source, NS, "Description", table)
        # Recording memos and the turn table travel as notes, so the plain text itself
        # stays exactly the joined segments.
        self.memo_notes(guid, f"recording:{rec.id}", f"Memo: {name}", created)
        self.memo_notes(guid, f"recording:{rec.name}", f"Memo: {name}", created)
        selections = self._coded_spans(st, original, codings)
        if self.options.speaker_selections:
            for span in turn_of:
                selections.setdefault(span, [])
        for (start, end), items in sorted(selections.items()):
            self._selection(source, name, st, start, end, items, turn_of.get((start, end)), created)
        for i, seg in enumerate(st.segments):
            self.memo_notes(guid, f"segment:{seg.id}", f"Memo: {name} tur {i + 1}", created)
        return source

    def _turns(
        self, rec: Recording, name: str, guid: str, st: SourceText, created: str
    ) -> tuple[dict[tuple[int, int], tuple[int, int]], str]:
        """The turn table; returns span -> (participant id, segment id) of named turns."""
        turn_of: dict[tuple[int, int], tuple[int, int]] = {}
        voices: dict[int, str] = {}
        rows = []
        for i, seg in enumerate(st.segments):
            who = ""
            spk = self.speakers.get(seg.speaker_id) if seg.speaker_id is not None else None
            person = (
                self.participants.get(spk.participant_id)
                if spk is not None and spk.participant_id is not None
                else None
            )
            if person is not None:
                who = participant_signature(self.redactor, person)
                if guid not in self.case_sources[person.id]:
                    self.case_sources[person.id].append(guid)
                # Each named speaker's turn is a selection its Case can refer to: NVivo and
                # ATLAS.ti can then cross codes with role and actor.
                if seg.text:
                    turn_of[st.offsets(i)] = (person.id, seg.id)
            elif spk is not None:
                # An unnamed voice's label may be a first name from the transcript file.
                who = voices.setdefault(spk.id, f"Röst {len(voices) + 1}")
            start, end = st.offsets(i)
            rows.append(f"{i + 1}\t{fmt_time(seg.start)}–{fmt_time(seg.end)}\t{start}–{end}\t{who}")
        table = "Tur\tTid\tTecken\tTalare\n" + "\n".join(rows)
        self.note(
            guid,
            self.guids("turns", rec.id),
            f"{TURN_TABLE_TITLE}: {name}",
            table,
            SYSTEM_USER,
            created,
            # Times and character offsets are no phone numbers ("00:01:03\t712–902"): the
            # only typed field, the speaker, is redacted above.
            made_of_redacted=True,
        )
        return turn_of, f"{TURN_TABLE_TITLE}\n{table}"

    def _coded_spans(
        self, st: SourceText, original: Sequence[Segment], codings: Sequence[Coding]
    ) -> dict[tuple[int, int], list[tuple[Coding, str]]]:
        """Codings grouped by their span in the joined text, each with its code GUID."""
        index = {s.id: i for i, s in enumerate(st.segments)}
        originals = {s.id: s for s in original}
        spans: dict[tuple[int, int], list[tuple[Coding, str]]] = defaultdict(list)
        for coding in codings:
            if (coding.codebook, coding.code) not in self.codes:
                continue
            if coding.segment_id not in index:  # withdrawn consent
                self.skipped += 1
                continue
            seg_start, seg_end = st.offsets(index[coding.segment_id])
            span = (seg_start, seg_end)
            if coding.span_start is not None and coding.span_end is not None:
                a, b = span_offsets(
                    self.redactor,
                    originals[coding.segment_id].text,
                    coding.span_start,
                    coding.span_end,
                )
                span = (seg_start + a, seg_start + b)
            if span[1] <= span[0]:
                self.skipped += 1
                continue
            code = self.codes[(coding.codebook, coding.code)]
            valence = coding.valence if coding.codebook in self.with_valence else Valence.NONE
            spans[span].append((coding, code_guid(self.guids, code, valence)))
        return spans

    def _selection(
        self,
        source: ET.Element,
        name: str,
        st: SourceText,
        start: int,
        end: int,
        items: list[tuple[Coding, str]],
        turn: tuple[int, int] | None,
        created: str,
    ) -> None:
        first = items[0][0] if items else None
        if first is not None:
            guid = self.guids("selection", first.segment_id, first.span_start, first.span_end)
        else:
            assert turn is not None
            guid = self.guids("selection", turn[1], None, None)
        if turn is not None:
            self.case_selections[turn[0]].append(guid)
        sel = el(
            source,
            NS,
            "PlainTextSelection",
            guid=guid,
            name=clean(st.text[start:end][:100]),
            startPosition=str(start),
            endPosition=str(end),
            creatingUser=self.user(first.coder if first else SYSTEM_USER),
            creationDateTime=datetime_of(first.created if first else None, created),
        )
        if len(items) == 1:
            memo = self._memo_text(items[0][0])
            if memo:
                text_el(sel, NS, "Description", memo)
        for coding, target in items:
            coding_guid = self.guids("coding", coding.id)
            when = datetime_of(coding.created, created)
            c_el = el(
                sel,
                NS,
                "Coding",
                guid=coding_guid,
                creatingUser=self.user(coding.coder),
                creationDateTime=when,
            )
            el(c_el, NS, "CodeRef", targetGUID=target)
            label = f"Memo: {name} {start}–{end}"
            note = coding_note(coding)
            if note:
                guid_memo = self.guids("coding-memo", coding.id)
                self.note(coding_guid, guid_memo, label, note, coding.coder, when)
            self.memo_notes(coding_guid, f"coding:{coding.id}", label, when)
            self.n_codings += 1

    def _memo_text(self, coding: Coding) -> str:
        texts = [coding_note(coding), *(m.text for m in self.memos.get(f"coding:{coding.id}", []))]
        return self.redactor.redact("\n\n".join(t for t in texts if t))

    def _audio_source(
        self,
        rec: Recording,
        audio: Path,
        text_guid: str | None,
        text_name: str,
        st: SourceText,
        created: str,
    ) -> ET.Element:
        guid = self.guids("audio", rec.id)
        # Named after its file, so it never shares a name with its transcript's TextSource.
        name = self.unique_name(self.redactor.redact(audio.name))
        audio_el = ET.Element(
            f"{{{NS}}}AudioSource",
            {
                "guid": guid,
                "name": clean(name),
                "creatingUser": self.user(SYSTEM_USER),
                "creationDateTime": created,
            },
        )
        audio_el.set("path", audio_location(self.project, audio, guid, self.pkg, self.options))
        if text_guid is not None:
            tr = el(
                audio_el,
                NS,
                "Transcript",
                guid=self.guids("transcript", rec.id),
                name=clean(text_name),
                plainTextPath=f"internal://{text_guid}.txt",
                creatingUser=self.user(SYSTEM_USER),
                creationDateTime=created,
            )
            for i, seg in enumerate(st.segments):
                start, end = st.offsets(i)
                ends = (("start", seg.start, start), ("end", seg.end, end))
                for which, seconds, position in ends:
                    if seconds is not None:
                        el(
                            tr,
                            NS,
                            "SyncPoint",
                            guid=self.guids("sync", seg.id, which),
                            timeStamp=str(round(seconds * 1000)),
                            position=str(position),
                        )
        return audio_el

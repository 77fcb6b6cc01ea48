"""What an undoable action was, in a few words ('memo på segment 2 i fg1'), for the toast
that says what `u` took back, or which screen takes it back.

Read before the action is undone or redone: a segment or coding it names may be gone after.
"""

from __future__ import annotations

from qualkit.errors import NotFoundError
from qualkit.i18n import t
from qualkit.project import Project
from qualkit.undo import (
    CODING,
    Action,
    AddCoding,
    AddSegmentMemo,
    ChangeMemo,
    ChangeValence,
    Place,
    RemoveCoding,
    Restructure,
    merged_pair,
)
from qualkit.undo_codes import MergeCode, MoveCode, NewCode, RenameCode
from qualkit.undo_voices import NameVoice, UnnameVoice


def _segment(project: Project, segment_id: int, lang: str) -> str:
    """'segment 2 i fg1' (its place in the recording, counted from 1)."""
    store = project.store
    try:
        seg = store.segment(segment_id)
        rec = store.recording(seg.recording_id)
    except NotFoundError:
        return t("undo.some_segment", lang)
    return t("undo.segment", lang).format(n=seg.idx + 1, rec=rec.name)


def _coding_segment(project: Project, coding_id: int, lang: str) -> str:
    try:
        return _segment(project, project.store.coding(coding_id).segment_id, lang)
    except NotFoundError:
        return t("undo.some_segment", lang)


def _label(words: tuple[str, str, str], lang: str) -> str:
    """The label a code's words show in `lang` (as `Code.label`)."""
    label_sv, label_en, _description = words
    return label_en if lang == "en" and label_en else label_sv


def moved_to(parent: str | None, lang: str) -> str:
    """Where a moved code went: 'under «Individ»' (as shown), or 'till toppnivån'."""
    if parent is None:
        return t("codebook.to_top", lang)
    return t("codebook.under", lang).format(parent=parent)


def _parent(project: Project, action: MoveCode, lang: str) -> str | None:
    """The label of the parent the code was moved under (its id if it is gone)."""
    if action.parent is None:
        return None
    try:
        return project.codebook(action.codebook).code(action.parent).label(lang)
    except NotFoundError:
        return action.parent


def describe(action: Action, project: Project, lang: str) -> str:
    """The action in a few words, in `lang`."""
    match action:
        case AddCoding(coding):
            seg = _segment(project, coding.segment_id, lang)
            return t("undo.coding", lang).format(code=coding.code, segment=seg)
        case RemoveCoding(coding):
            seg = _segment(project, coding.segment_id, lang)
            return t("undo.removed_coding", lang).format(code=coding.code, segment=seg)
        case ChangeValence(cid, _old, _new):
            return t("undo.valence", lang).format(segment=_coding_segment(project, cid, lang))
        case ChangeMemo(cid, _old, _new):
            return t("undo.memo", lang).format(segment=_coding_segment(project, cid, lang))
        case AddSegmentMemo(_mid, sid, _text, _coder):
            return t("undo.memo", lang).format(segment=_segment(project, sid, lang))
        case NewCode(code=code):
            return t("undo.new_code", lang).format(code=code.label(lang))
        case RenameCode(key=key, old=old, new=new):
            return t("undo.rename_code", lang).format(
                code=key, old=_label(old, lang), new=_label(new, lang)
            )
        case MergeCode(source=source, target=target, book_before=book):
            return t("undo.merge_code", lang).format(
                source=source.label(lang), target=book.code(target).label(lang)
            )
        case MoveCode(code=code):
            where = moved_to(_parent(project, action, lang), lang)
            return t("undo.move_code", lang).format(code=code.label(lang), where=where)
        case Restructure(kind="merge_voices"):
            kept, dropped = merged_pair(action)
            return t("undo.merge_voices", lang).format(drop=dropped.label, keep=kept.label)
        case Restructure(kind=kind, before=before):
            first = before.segments[0].id if before.segments else None
            seg = (
                _segment(project, first, lang)
                if first is not None
                else t("undo.some_segment", lang)
            )
            return t(f"undo.{kind}", lang).format(segment=seg)
        case NameVoice(label=label):
            return t("undo.name_voice", lang).format(voice=label)
        case UnnameVoice(label=label):
            return t("undo.unname_voice", lang).format(voice=label)


def where_done(at: Place, project: Project, lang: str) -> str:
    """Where an action of this place is undone: 'i transkriptet, kodboken eller klustren'."""
    kind, rec_id = at
    if kind == CODING or rec_id is None:
        return t("undo.at_coding", lang)
    try:
        name = project.store.recording(rec_id).name
    except NotFoundError:
        name = "?"
    return t("undo.at_voices", lang).format(rec=name)

"""Errors a coder can meet in the app, said in the interface language.

The core raises its errors in English (the CLI's language, and what a bug report
quotes). The app recognises the ones its keys can cause by their wording and says them
from the translation catalogue, with the names and numbers from the message; anything
else is shown as raised, never hidden. `tests/tui/test_error_text.py` raises each of
these through the core, so a reworded core message fails a test instead of turning
English on screen.
"""

from __future__ import annotations

import re

from qualkit.i18n import t

# (pattern on the core's English message, catalogue key); named groups fill the text.
KNOWN: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.DOTALL), key)
    for pattern, key in (
        (r"Unknown actor '(?P<actor>.*)': use one", "err.unknown_actor"),
        (r"A participant called '(?P<name>.*)' already exists", "err.participant_exists"),
        (r"Code '(?P<code>.*)' already exists in '(?P<book>.*)'\.", "err.code_exists"),
        (
            r"Unknown code '(?P<code>.*)' in codebook '(?P<book>.*)'\."
            r" Known codes: (?P<known>.*)\.",
            "err.unknown_code",
        ),
        (r"Moving '(?P<code>.*)' under '(?P<parent>.*)' would make a cycle", "err.code_cycle"),
        (r"A code cannot be merged into itself", "err.code_into_itself"),
        (
            r"No recording '(?P<name>.*)' in this project \(recordings: (?P<known>.*)\)\.",
            "err.no_recording",
        ),
        (r"No (?P<what>segment|coding|speaker|participant|recording) with id", "err.gone"),
        (r"Coding \d+ would become the same as coding \d+", "err.twin"),
        (r"Coding \d+ is (?P<coder>.*)'s; .* can change only their own", "err.not_own"),
        (r"A memo needs some text", "err.empty_memo"),
        (r"A segment's text cannot be empty", "err.empty_text"),
        (r"Split position must be inside the text", "err.split_edge"),
        (r"Both parts of a split must contain text", "err.split_edge"),
        (r"Only neighbouring segments of one recording can be merged", "err.not_neighbours"),
        (r"Cannot undo or redo: these segments changed since", "err.undo_conflict"),
        (r"Cannot undo or redo: the code or its codings changed since", "err.code_undo_conflict"),
        (
            r"Cannot undo or redo the rename: code '(?P<code>[^']*)' was renamed",
            "err.rename_undo_conflict",
        ),
        (
            r"Cannot undo or redo the move: code '(?P<code>[^']*)', or the code it goes",
            "err.move_undo_conflict",
        ),
        (
            r"Cannot undo or redo: the codebook file (?P<name>\S+) changed since",
            "err.codebook_file_undo_conflict",
        ),
        (r"A voice cannot be merged with itself", "err.voice_itself"),
        (r"Someone else changed segment (?P<n>\d+) while you were editing", "err.edit_conflict"),
        (r"The project database is busy", "err.busy"),
        (r"The project folder .* is read-only", "err.read_only"),
        (r"code id '(?P<code>[^']*)' must be", "err.bad_code_id"),
        # A team's study on a database server (qualkit.store.pg, qualkit.store.roles).
        (r"Cannot reach the project's database server (?P<server>.*?) \(", "err.server_away"),
        (
            r"The connection to the database server (?P<server>.*?) was lost",
            "err.connection_lost",
        ),
        (
            r"Your database role may not do this on (?P<server>.*?) \((?P<why>.*?)\)\. ",
            "err.role_denied",
        ),
        (
            r"In a team's study a coder codes under their own name: you are signed in as "
            r"'(?P<user>[^']*)', so use --coder (?P<login>\S+) \(not '(?P<coder>[^']*)'\)",
            "err.own_name",
        ),
        (
            r"Only the project lead writes the consensus \(coder '(?P<coder>[^']*)'\)",
            "err.lead_consensus",
        ),
        (
            r"In a team's study a coder writes only their own codings, memos, quote pins and "
            r"answers to suggestions, under their database login \((?P<user>[^)]*)\)",
            "err.server_own_rows",
        ),
        (r"Write a memo that says how the coders agreed", "err.consensus_memo"),
    )
)

WHAT = {
    "segment": ("Segmentet", "The segment"),
    "coding": ("Kodningen", "The coding"),
    "speaker": ("Rösten", "The voice"),
    "participant": ("Deltagaren", "The participant"),
    "recording": ("Inspelningen", "The recording"),
}

# English words the core puts inside a message's fields.
FIELD_WORDS = {"none yet": ("inga ännu", "none yet")}


def error_text(exc: BaseException, lang: str) -> str:
    """The message to show for `exc` in `lang`."""
    message = str(exc)
    for pattern, key in KNOWN:
        found = pattern.search(message)
        if found is None:
            continue
        fields = dict(found.groupdict())
        if "what" in fields:
            sv, en = WHAT[fields["what"]]
            fields["what"] = en if lang == "en" else sv
        for name, value in fields.items():
            if value in FIELD_WORDS:
                sv, en = FIELD_WORDS[value]
                fields[name] = en if lang == "en" else sv
        return t(key, lang).format(**fields)
    return message

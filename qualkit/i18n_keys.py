"""The key bindings' descriptions (the footer and the help screen), in both languages.

Part of the one text table of `qualkit.i18n` (merged into its TEXT), kept apart because
every screen's bindings add to it.
"""

from __future__ import annotations

# key: (Swedish, English)
KEY_TEXT: dict[str, tuple[str, str]] = {
    # navigation, coding, speakers, codebook and clusters
    "key.quit": ("Avsluta", "Quit"),
    "key.help": ("Hjälp", "Help"),
    "key.back": ("Tillbaka", "Back"),
    "key.search": ("Sök", "Search"),
    "key.browser": ("Kodbläddrare", "Code browser"),
    "key.codebook": ("Kodbok", "Codebook"),
    "key.speakers": ("Talare", "Speakers"),
    "key.overview": ("Översikt", "Overview"),
    "key.clusters": ("Kluster", "Clusters"),
    "key.disagreements": ("Oenighet", "Disagreements"),
    "key.pseudonyms": ("Pseudonymer", "Pseudonyms"),
    "key.open": ("Öppna", "Open"),
    "key.transcribe": ("Transkribera", "Transcribe"),
    "key.cancel": ("Avbryt", "Cancel"),
    "key.down": ("Ned", "Down"),
    "key.up": ("Upp", "Up"),
    "key.page_down": ("Sida ned", "Page down"),
    "key.page_up": ("Sida upp", "Page up"),
    "key.first": ("Första", "First"),
    "key.last": ("Sista", "Last"),
    "key.code": ("Koda med faktor", "Code with factor"),
    "key.promoting": ("Främjande", "Promoting"),
    "key.hindering": ("Hindrande", "Hindering"),
    "key.proposal": ("Förslag", "Proposal"),
    "key.memo": ("Memo", "Memo"),
    "key.segment_memo": ("Memo på segment", "Segment memo"),
    "key.remove": ("Ta bort kodning", "Remove coding"),
    "key.next_coding": ("Nästa kodning", "Next coding"),
    "key.next_uncoded": ("Nästa okodade", "Next uncoded"),
    "key.next_uncertain": ("Nästa osäkra", "Most uncertain next"),
    "key.span": ("Koda textavsnitt", "Code a span"),
    "key.undo": ("Ångra", "Undo"),
    "key.redo": ("Gör om", "Redo"),
    "key.edit": ("Rätta text", "Edit text"),
    "key.split": ("Dela", "Split"),
    "key.join": ("Slå ihop med nästa", "Join with next"),
    "key.reassign": ("Byt talare", "Change speaker"),
    "key.play": ("Spela upp", "Play"),
    "key.accept": ("Godta förslag", "Accept suggestion"),
    "key.reject": ("Avvisa förslag", "Reject suggestion"),
    "key.accept_all": ("Godta alla över tröskeln", "Accept all above threshold"),
    "key.name": ("Namnge röst", "Name voice"),
    "key.merge": ("Slå ihop röster", "Merge voices"),
    "key.mark": ("Markera", "Mark"),
    "key.unname": ("Ta bort röstavtryckets namn", "Take back the voiceprint's name"),
    "key.add_code": ("Ny kod", "New code"),
    "key.rename_code": ("Byt namn", "Rename"),
    "key.move_code": ("Flytta", "Move"),
    "key.merge_code": ("Slå ihop koder", "Merge codes"),
    "key.switch_codebook": ("Byt kodbok", "Switch codebook"),
    "key.group": ("Gruppera", "Group"),
    "key.filter": ("Filter", "Filter"),
    "key.goto": ("Gå till", "Go to"),
    "key.adopt": ("Gör till kod", "Make a code"),
    "key.refresh": ("Uppdatera", "Refresh"),
    # the transcript: quotes for the reports
    "key.pin": ("Fäst citat", "Pin quote"),
    "key.partner": ("Om aktör", "About actor"),
    # correcting a segment while its audio plays
    "key.play_pause": ("Spela/pausa", "Play/pause"),
    "key.rewind": ("3 s bakåt", "Back 3 s"),
    "key.slower": ("Långsammare", "Slower"),
    "key.faster": ("Snabbare", "Faster"),
    "key.transcribe_mode": ("Rätta med ljud", "Correct with audio"),
    "key.save_next": ("Spara, nästa", "Save, next"),
    # making a cluster a code
    "key.leave_out": ("Utelämna/ta med", "Leave out/take back"),
}

"""Swedish and English interface text: one table, `t(key, lang)`.

Swedish is the default; QUALKIT_LANG=en (or --lang en) switches. A missing key
shows the key itself, so a forgotten entry is visible but never crashes.
"""

from __future__ import annotations

import os

from qualkit.i18n_errors import ERROR_TEXT
from qualkit.i18n_keys import KEY_TEXT

LANGS = ("sv", "en")

# key: (Swedish, English)
TEXT: dict[str, tuple[str, str]] = {
    # the app
    "app.title": ("qualkit: kodning", "qualkit: coding"),
    "app.quit_title": ("Vill du avsluta?", "Do you want to quit?"),
    "app.quit_hint": ("Tryck [b]{key}[/b] för att avsluta.", "Press [b]{key}[/b] to quit the app."),
    # overview
    "overview.title": ("Projektöversikt", "Project overview"),
    "overview.recording": ("Inspelning", "Recording"),
    "overview.kommun": ("Kommun", "Kommun"),
    "overview.group": ("Grupp", "Group"),
    "overview.duration": ("Längd", "Duration"),
    "overview.stage": ("Steg", "Stage"),
    "overview.segments": ("Segment", "Segments"),
    "overview.coded": ("Kodade", "Coded"),
    "overview.empty": (
        "Projektet har inga inspelningar ännu. Importera med: qualkit import FIL",
        "The project has no recordings yet. Import with: qualkit import FILE",
    ),
    "overview.nothing_to_transcribe": (
        "Inga nya inspelningar med ljud att transkribera.",
        "No new recordings with audio to transcribe.",
    ),
    "overview.transcribing": ("Transkriberar", "Transcribing"),
    "overview.done": ("Transkriberingen är klar.", "Transcription finished."),
    "overview.failed": ("Transkriberingen misslyckades", "Transcription failed"),
    "overview.cancelled": ("Transkriberingen avbröts.", "Transcription cancelled."),
    "overview.quit_running": (
        "En transkribering pågår. Avsluta ändå? Det som är klart sparas, och T fortsätter "
        "där den slutade. (j/n)",
        "A transcription is running. Quit anyway? What is finished is kept, and T continues "
        "where it stopped. (y/n)",
    ),
    # Codings, not passages: three coders on one turn count three here, one in a report.
    "overview.progress": ("Kodningar per faktor, alla kodare", "Codings per factor, all coders"),
    "overview.progress_blind": ("Dina kodningar per faktor", "Your codings per factor"),
    # transcript
    "transcript.codings": ("Kodningar", "Codings"),
    "transcript.no_codings": ("Inga kodningar på segmentet.", "No codings on this segment."),
    "transcript.from_suggestion": ("från förslag", "from a suggestion"),
    "transcript.empty": (
        "Transkriptet är tomt: inga segment att visa.",
        "The transcript is empty: no segments to show.",
    ),
    "transcript.not_transcribed": (
        "Inspelningen har inget transkript än. Tryck T i översikten (Esc dit) eller kör"
        " `qualkit transcribe {name}` i terminalen.",
        "This recording has no transcript yet. Press T in the overview (Esc to get there)"
        " or run `qualkit transcribe {name}` in a terminal.",
    ),
    "transcript.all_coded": ("Alla segment är kodade.", "Every segment is coded."),
    "transcript.coded": ("Kodat", "Coded"),
    "transcript.removed": ("Kodning borttagen", "Coding removed"),
    "transcript.pinned": ("Citatet fästs i rapporterna", "Quote pinned for the reports"),
    "transcript.unpinned": ("Citatet lossat: relevans väljer", "Quote unpinned: relevance chooses"),
    "transcript.partner": ("Handlar om aktör: ", "About actor: "),
    "transcript.partner_none": ("Ingen aktör angiven", "No actor named"),
    "transcript.no_coding_selected": (
        "Segmentet har ingen kodning att ändra. Koda först med 1-8.",
        "The segment has no coding to change. Code it first with 1-8.",
    ),
    "transcript.undone": ("Ångrat", "Undone"),
    "transcript.redone": ("Gjort om", "Redone"),
    "transcript.nothing_undo": ("Inget att ångra.", "Nothing to undo."),
    "transcript.nothing_redo": ("Inget att göra om.", "Nothing to redo."),
    # what `u` took back (qualkit.tui.undo_text)
    "undo.undone": ("Ångrat: {what}", "Undone: {what}"),
    "undo.redone": ("Gjort om: {what}", "Redone: {what}"),
    "undo.elsewhere": (
        "Inget att ångra här: det senaste ({what}) ångrar du {where}.",
        "Nothing to undo here: the latest change ({what}) is undone {where}.",
    ),
    "undo.elsewhere_redo": (
        "Inget att göra om här: det senaste ({what}) gör du om {where}.",
        "Nothing to redo here: the latest change ({what}) is redone {where}.",
    ),
    "undo.at_coding": (
        "i transkriptet, kodboken eller klustren",
        "in the transcript, codebook or clusters",
    ),
    "undo.at_voices": ("på Talare-skärmen för {rec}", "on the Speakers screen of {rec}"),
    "undo.segment": ("segment {n} i {rec}", "segment {n} in {rec}"),
    "undo.some_segment": ("ett segment", "a segment"),
    "undo.coding": ("kodning {code} på {segment}", "coding {code} on {segment}"),
    "undo.removed_coding": (
        "borttagen kodning {code} på {segment}",
        "removed coding {code} on {segment}",
    ),
    "undo.valence": ("valens på {segment}", "valence on {segment}"),
    "undo.memo": ("memo på {segment}", "memo on {segment}"),
    "undo.new_code": ("ny kod {code}", "new code {code}"),
    "undo.merge_code": (
        "sammanslagning av {source} med {target}",
        "merge of {source} into {target}",
    ),
    "undo.rename_code": (
        "namnbyte av koden {code} ({old} → {new})",
        "rename of code {code} ({old} → {new})",
    ),
    "undo.edit": ("rättad text i {segment}", "corrected text in {segment}"),
    "undo.split": ("delning av {segment}", "split of {segment}"),
    "undo.join": ("ihopslagning vid {segment}", "join at {segment}"),
    "undo.speaker": ("byte av talare på {segment}", "change of speaker on {segment}"),
    "undo.merge_voices": (
        "sammanslagning av {drop} med {keep}",
        "merge of {drop} into {keep}",
    ),
    "undo.name_voice": ("namn på {voice}", "name of {voice}"),
    "undo.unname_voice": (
        "borttaget röstavtrycksnamn på {voice}",
        "voiceprint name taken back from {voice}",
    ),
    "transcript.withdrawn": ("samtycke återkallat", "consent withdrawn"),
    "transcript.no_next": ("Inget nästa segment att slå ihop med.", "No next segment to join."),
    "transcript.unknown_speaker": ("okänd", "unknown"),
    "transcript.memo_prompt": ("Memo (tom text tar bort)", "Memo (empty text removes it)"),
    "transcript.segment_memo_prompt": ("Memo på segmentet", "Memo on the segment"),
    "transcript.edit_prompt": ("Rätta segmentets text", "Correct the segment's text"),
    "transcript.split_prompt": (
        "Ställ markören där segmentet ska delas och tryck Ctrl+S",
        "Put the cursor where the segment splits and press Ctrl+S",
    ),
    "transcript.span_prompt": (
        "Markera text med Shift+pilar eller musen, tryck sedan kodens siffra",
        "Select text with Shift+arrows or the mouse, then press the code's digit",
    ),
    "transcript.speaker_prompt": ("Välj talare", "Choose speaker"),
    "transcript.no_code_for_key": ("Ingen kod på tangenten", "No code on key"),
    "transcript.blind": ("blint läge", "blind mode"),
    # suggestions
    "suggest.title": ("Förslag", "Suggestions"),
    "suggest.unavailable": (
        "Kodförslag går inte att beräkna här:",
        "Code suggestions cannot be computed here:",
    ),
    "suggest.working": ("Beräknar förslag ...", "Computing suggestions ..."),
    "suggest.no_uncertain": (
        "Inga okodade segment kvar (moderatorns inlägg räknas inte).",
        "No uncoded segments left (the moderator's turns do not count).",
    ),
    "suggest.finding_uncertain": (
        "Söker det okodade segment som modellen är mest osäker på ...",
        "Looking for the uncoded segment the model is least sure of ...",
    ),
    "suggest.none": ("Inga förslag för segmentet.", "No suggestions for this segment."),
    "suggest.accepted": ("Förslag godtaget", "Suggestion accepted"),
    "suggest.rejected": ("Förslag avvisat", "Suggestion rejected"),
    "suggest.pick_accept": (
        "a: välj förslag {numbers} att godta, Esc avbryter",
        "a: pick suggestion {numbers} to accept, Esc cancels",
    ),
    "suggest.pick_reject": (
        "x: välj förslag {numbers} att avvisa, Esc avbryter",
        "x: pick suggestion {numbers} to reject, Esc cancels",
    ),
    "suggest.no_such": (
        "Det finns inget förslag {n} ({numbers} finns). Inget ändrades.",
        "There is no suggestion {n} (there are {numbers}). Nothing was changed.",
    ),
    "suggest.taken": (
        "Förslag {n} är redan godtaget eller avvisat ({numbers} finns kvar). Inget ändrades.",
        "Suggestion {n} was already accepted or rejected ({numbers} left). Nothing was changed.",
    ),
    "suggest.cancelled": ("Inget förslag valt.", "No suggestion picked."),
    "suggest.failed": ("Förslagen kunde inte beräknas", "Suggestions failed"),
    "suggest.uncertain": (
        "osäker: inget förslag är säkert nog, koda själv",
        "uncertain: no suggestion is sure enough, code it yourself",
    ),
    # speakers
    "speakers.title": ("Talare", "Speakers"),
    "speakers.voice": ("Röst", "Voice"),
    "speakers.participant": ("Deltagare", "Participant"),
    "speakers.talk_time": ("Taltid", "Talk time"),
    "speakers.sample": ("Exempel", "Sample"),
    "speakers.none": ("Inspelningen har inga röster.", "The recording has no voices."),
    "speakers.pseudonym": ("Pseudonym", "Pseudonym"),
    "speakers.role": ("Roll (t.ex. handläggare)", "Role (e.g. handläggare)"),
    "speakers.actor": ("Aktör: kommun, vård, FK, AF, annan", "Actor: kommun, vård, FK, AF, annan"),
    "speakers.kommun": ("Kommun", "Kommun"),
    "speakers.named": ("Rösten är namngiven", "Voice named"),
    "speakers.voiceprint": ("röstavtryck", "voiceprint"),
    "speakers.kommun_slip": (
        "Ny kommun '{kommun}': menade du {near}? Är det en felskrivning, rätta kommunen med e.",
        "New kommun '{kommun}': did you mean {near}? If it is a slip, correct the kommun with e.",
    ),
    "speakers.pseudonym_name": (
        "Pseudonymen '{pseudonym}' ser ut som ett personnamn ({names}). Är det deltagarens "
        "riktiga namn, välj en annan, t.ex. Deltagare N.",
        "The pseudonym '{pseudonym}' looks like a person's name ({names}). If it is the "
        "participant's real name, choose another, such as Deltagare N.",
    ),
    "pseudo.replacement_name": (
        "Ersättningen '{replacement}' liknar ett personnamn ({names}) och står så i "
        "exporterna: se till att den är påhittad, eller använd en etikett som [Namn 3].",
        "The replacement '{replacement}' looks like a person's name ({names}) and stands so "
        "in exports: make sure it is invented, or use a label such as [Namn 3].",
    ),
    "speakers.not_voiceprint": (
        "Rösten namngavs inte av ett röstavtryck (byt namn med e).",
        "A voiceprint did not name this voice (rename it with e).",
    ),
    "speakers.unnamed": (
        "{voice} är namnlös igen; röstavtrycket ger den inte samma namn igen.",
        "{voice} is unnamed again; the voiceprint will not give it that name again.",
    ),
    "speakers.marked": ("Markerad för sammanslagning", "Marked for merging"),
    "speakers.mark_first": (
        "Markera först rösten som ska slås ihop (v), välj sedan målet och tryck J.",
        "First mark the voice to merge (v), then choose the target and press J.",
    ),
    "speakers.merged": ("Rösterna är sammanslagna", "Voices merged"),
    # search
    "search.title": ("Sök", "Search"),
    "search.placeholder": (
        "Sökord; filter: kod: valens: talare: aktör: kommun:",
        "Keyword; filters: code: valence: speaker: actor: kommun:",
    ),
    "search.hits": ("träffar", "hits"),
    "browser.title": ("Kodbläddrare", "Code browser"),
    "browser.by_kommun": ("per kommun", "by kommun"),
    "browser.by_actor": ("per aktör", "by actor"),
    # codebook
    "codebook.title": ("Kodbok", "Codebook"),
    "codebook.key_prompt": (
        "Kodens id (a-z, 0-9, _ eller -, utan mellanslag)",
        "Code id (a-z, 0-9, _ or -, no spaces)",
    ),
    "codebook.label_prompt": ("Etikett på svenska", "Swedish label"),
    "codebook.parent_prompt": (
        "Ny förälder (siffra eller id, tomt för toppnivå)",
        "New parent (digit or id, empty for top level)",
    ),
    "codebook.merge_prompt": (
        "Slå ihop {code} med kod (siffran i listan eller id)",
        "Merge {code} into code (its digit in the list, or its id)",
    ),
    "codebook.merge_confirm": (
        "Slå ihop «{source}» ({n} {codings}) med {target}? Kodningarna flyttas dit och"
        " «{source}» tas bort ur kodboken. Går att ångra med u. (j/n)",
        "Merge «{source}» ({n} {codings}) into {target}? The codings move there and"
        " «{source}» leaves the codebook. Undo with u. (y/n)",
    ),
    "codebook.coding": ("kodning", "coding"),
    "codebook.codings": ("kodningar", "codings"),
    "codebook.merge_cancelled": ("Inget slogs ihop", "Nothing was merged"),
    "codebook.two_codes": (
        "{digit} är siffran för «{shown}» men också id för «{named}». Skriv ={shown_key}"
        " för den första, ={digit} för den andra.",
        "{digit} is the digit of «{shown}» but also the id of «{named}». Type ={shown_key}"
        " for the first, ={digit} for the second.",
    ),
    "codebook.switch_prompt": ("Kodbok (id)", "Codebook (id)"),
    "codebook.switched": ("Aktiv kodbok", "Active codebook"),
    "codebook.others_kept": (
        "Kodningar i andra kodböcker finns kvar och visas när du byter tillbaka.",
        "Codings in other codebooks are kept and shown when you switch back.",
    ),
    "codebook.saved": ("Kodboken är sparad", "Codebook saved"),
    "codebook.moved": (
        "«{code}» flyttades {where}. Ångra med u.",
        "«{code}» was moved {where}. Undo with u.",
    ),
    "codebook.not_moved": ("«{code}» ligger redan där", "«{code}» is there already"),
    "codebook.under": ("under {parent}", "under {parent}"),
    "codebook.to_top": ("till toppnivån", "to the top level"),
    "undo.move_code": ("flytt av {code} {where}", "move of {code} {where}"),
    # clusters
    "clusters.title": ("Klusterförslag", "Cluster proposals"),
    "clusters.unavailable": (
        "Klustring går inte att göra här:",
        "Clustering cannot be done here:",
    ),
    "clusters.working": ("Klustrar okodade segment ...", "Clustering uncoded segments ..."),
    "clusters.adopted": ("Klustret blev en kod", "Cluster adopted as a code"),
    # audio
    "audio.no_audio": ("Inspelningen har inget ljud.", "The recording has no audio."),
    "audio.no_time": ("Segmentet har ingen tid.", "The segment has no time."),
    "audio.playing": ("Spelar upp", "Playing"),
    # help
    "help.title": ("Hjälp: alla tangenter", "Help: every key"),
    "help.global": ("Överallt", "Everywhere"),
    "dialog.ok": ("Spara", "Save"),
    "dialog.cancel": ("Avbryt", "Cancel"),
    "error": ("Fel", "Error"),
    "transcript.title": ("Transkript och kodning", "Transcript and coding"),
    "stage.transcript": ("transkript", "transcript"),
    "stage.new": ("ny", "new"),
    "stage.done": ("klar", "done"),
    "stage.running": ("pågår", "running"),
    "stage.failed": ("fel", "failed"),
    "stage.interrupted": ("avbruten", "interrupted"),
    "stage.partial": ("ej klar", "not done"),
    # the coding app keeps each coder's work and who said what
    "coder.unnamed": (
        "{coder} (ange --coder NAMN)",
        "{coder} (give --coder NAME)",
    ),
    "transcript.unnamed_coder": (
        "Du kodar som {coder}, för appen startades utan --coder: starta den med"
        " --coder DITT_NAMN för att koda och ändra som dig själv.",
        "You are coding as {coder}, as the app was started without --coder: start it"
        " with --coder YOUR_NAME to code and change codings as yourself.",
    ),
    "transcript.other_coder": (
        "Kodningen är {coder}s: du kan bara ändra dina egna (c väljer en annan).",
        "That coding is {coder}'s: you can only change your own (c selects another).",
    ),
    "transcript.spans_lost": (
        "{n} kodade textstycken kunde inte följa med ändringen och gäller nu hela segmentet.",
        "{n} coded spans could not follow the edit and now cover the whole segment.",
    ),
    "transcript.join_speakers": (
        "Segmenten har olika talare ({first} och {second}). Slå ihop ändå? "
        "Allt blir {first}s. (j/n)",
        "The segments have different speakers ({first} and {second}). Join anyway? "
        "It all becomes {first}'s. (y/n)",
    ),
    "speakers.merge_confirm": (
        "Slå ihop rösten {drop} med {keep}? Alla {drop}s repliker blir {keep}s. "
        "Går att ångra med u. (j/n)",
        "Merge voice {drop} into {keep}? All of {drop}'s turns become {keep}'s. Undo with u. (y/n)",
    ),
    "dialog.yes_no": ("j = ja, n/Esc = nej", "y = yes, n/Esc = no"),
    "dialog.discard": (
        "Kasta ändringarna i texten? (j/n)",
        "Throw away your changes to the text? (y/n)",
    ),
    "audio.stopped": ("Uppspelningen stoppad", "Playback stopped"),
    "audio.no_device": ("Ingen ljudenhet hittades.", "No sound device found."),
    "audio.no_player": (
        "Ingen ljudspelare hittades: installera ffmpeg (ffplay) eller sox.",
        "No audio player found: install ffmpeg (ffplay) or sox.",
    ),
    "audio.failed": ("Uppspelningen kunde inte starta.", "Playback could not start."),
    "audio.paused": ("Paus", "Paused"),
    "audio.resumed": ("Spelar vidare", "Playing on"),
    "audio.idle": ("Inget spelas just nu.", "Nothing is playing."),
    "audio.speed": ("Hastighet", "Speed"),
    "transcribe.title": ("Rätta med ljud", "Correct with audio"),
    "transcribe.keys": (
        "F2 spela/paus · F3 3 s bakåt · F4/F5 långsammare/snabbare · "
        "Ctrl+S spara, nästa · Esc sluta",
        "F2 play/pause · F3 back 3 s · F4/F5 slower/faster · Ctrl+S save, next · Esc stop",
    ),
    "transcribe.done": ("Sista segmentet är rättat.", "The last segment is corrected."),
    # clusters -> code
    "clusters.adopt_title": ("Gör klustret till en kod", "Make the cluster a code"),
    "clusters.passages": (
        "Passager ({n}): f/h/p sätter valens, x utelämnar/tar med, Tab till fälten",
        "Passages ({n}): f/h/p set valence, x leaves out/takes back, Tab to the fields",
    ),
    "disagreements.title": ("Oenighet mellan kodare", "Disagreements between coders"),
    "codebook.digit": ("Den nya koden kodas med {digit}", "The new code is coded with {digit}"),
    "codebook.no_digit": (
        "Den nya koden fick ingen siffra: alla tio är tagna (eller kodboken numrerar sina "
        "toppkoder). Ge den en hotkey i kodbokens fil.",
        "The new code got no digit: all ten are taken (or the codebook numbers its top "
        "codes). Give it a hotkey in the codebook file.",
    ),
    "clusters.none": (
        "Inga kluster: för få okodade passager som liknar varandra.",
        "No clusters: too few uncoded passages that resemble each other.",
    ),
    "clusters.none_left": ("Ta med minst en passage.", "Keep at least one passage."),
    # the key bindings' descriptions: qualkit.i18n_keys
    **KEY_TEXT,
    # errors a coder can meet, said in the interface language: qualkit.i18n_errors
    **ERROR_TEXT,
}


def default_lang() -> str:
    """QUALKIT_LANG if it names a known language, else Swedish."""
    lang = os.environ.get("QUALKIT_LANG", "sv").strip().lower()[:2]
    return lang if lang in LANGS else "sv"


def t(key: str, lang: str = "sv") -> str:
    """Interface text for `key` in `lang` ('sv' or 'en')."""
    pair = TEXT.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "en" else pair[0]

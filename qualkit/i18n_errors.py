"""The errors a coder can meet in the coding app, said in the interface language.

Part of the one text table of `qualkit.i18n` (merged into its TEXT), kept apart because
the messages are long and grow with every check the app makes.
"""

from __future__ import annotations

# key: (Swedish, English)
ERROR_TEXT: dict[str, tuple[str, str]] = {
    "err.unknown_actor": (
        "Okänd aktör '{actor}': skriv kommun, vård, FK, AF eller annan.",
        "Unknown actor '{actor}': use kommun, vård, FK, AF or annan.",
    ),
    "err.participant_exists": (
        "Det finns redan en deltagare som heter '{name}': välj ett annat pseudonym.",
        "A participant called '{name}' already exists: choose another pseudonym.",
    ),
    "err.code_exists": (
        "Koden '{code}' finns redan i kodboken {book}: välj ett annat id.",
        "Code '{code}' already exists in codebook {book}: choose another id.",
    ),
    "err.unknown_code": (
        "Koden '{code}' finns inte i kodboken {book}. Koder: {known}.",
        "There is no code '{code}' in codebook {book}. Codes: {known}.",
    ),
    "err.code_cycle": (
        "'{code}' kan inte ligga under '{parent}': det är koden själv eller en av dess"
        " underkoder. Inget flyttades.",
        "'{code}' cannot go under '{parent}': that is the code itself or one of its sub-codes."
        " Nothing was moved.",
    ),
    "err.code_into_itself": (
        "En kod kan inte slås ihop med sig själv.",
        "A code cannot be merged into itself.",
    ),
    "err.no_recording": (
        "Projektet har ingen inspelning '{name}' (inspelningar: {known}).",
        "This project has no recording '{name}' (recordings: {known}).",
    ),
    "err.gone": (
        "{what} finns inte längre (någon annan kan ha ändrat det).",
        "{what} is no longer there (someone else may have changed it).",
    ),
    "err.twin": (
        "Du har redan samma kodning på segmentet: ta bort den ena i stället.",
        "You already have the same coding on this segment: remove one instead.",
    ),
    "err.not_own": (
        "Kodningen är {coder}s: du kan bara ändra dina egna.",
        "That coding is {coder}'s: you can only change your own.",
    ),
    "err.empty_memo": ("Ett memo behöver lite text.", "A memo needs some text."),
    "err.empty_text": (
        "Ett segment kan inte vara tomt: slå ihop det med ett annat i stället.",
        "A segment cannot be empty: join it with another instead.",
    ),
    "err.split_edge": (
        "Sätt markören inne i texten: båda delarna måste få text.",
        "Put the cursor inside the text: both parts need some text.",
    ),
    "err.not_neighbours": (
        "Bara segment som följer på varandra i samma inspelning kan slås ihop.",
        "Only neighbouring segments of one recording can be joined.",
    ),
    "err.undo_conflict": (
        "Kan inte ångra: segmenten har ändrats sedan dess (av en annan kodare?). Inget ändrades.",
        "Cannot undo: the segments changed since (another coder?). Nothing was changed.",
    ),
    "err.code_undo_conflict": (
        "Kan inte ångra eller göra om: koden eller dess kodningar har ändrats sedan dess (av en"
        " annan kodare, eller i kodboksfilen). Inget ändrades.",
        "Cannot undo or redo: the code or its codings changed since (another coder, or the"
        " codebook file). Nothing was changed.",
    ),
    "err.rename_undo_conflict": (
        "Kan inte ångra eller göra om namnbytet: koden {code} har bytt namn eller tagits bort"
        " sedan dess (av en annan kodare, eller i kodboksfilen). Inget ändrades.",
        "Cannot undo or redo the rename: code {code} was renamed or deleted since (by another"
        " coder, or in the codebook file). Nothing was changed.",
    ),
    "err.move_undo_conflict": (
        "Kan inte ångra eller göra om flytten: koden {code}, eller koden den ska ligga under,"
        " har ändrats, flyttats eller tagits bort sedan dess (av en annan kodare, eller i"
        " kodboksfilen). Inget ändrades.",
        "Cannot undo or redo the move: code {code}, or the code it goes under, was changed,"
        " moved or deleted since (by another coder, or in the codebook file). Nothing was"
        " changed.",
    ),
    "err.codebook_file_undo_conflict": (
        "Kan inte ångra eller göra om: kodboksfilen {name} har ändrats sedan dess (en senare"
        " ändring av kodboken som inte kan ångras, som en gjord med kommandot qualkit, eller"
        " en ändring i filen). Inget ändrades.",
        "Cannot undo or redo: the codebook file {name} changed since (a later change to the"
        " codebook that cannot be undone, such as one made with the qualkit command, or an"
        " edit of the file). Nothing was changed.",
    ),
    "err.voice_itself": (
        "En röst kan inte slås ihop med sig själv.",
        "A voice cannot be merged with itself.",
    ),
    "err.edit_conflict": (
        "Någon annan ändrade segment {n} medan du rättade det; din text sparades inte. "
        "Läs deras version och rätta igen.",
        "Someone else changed segment {n} while you were editing it; your text was not "
        "saved. Read their version, then edit again.",
    ),
    "err.busy": (
        "Projektet är upptaget: ett annat program skriver i det. Vänta och försök igen.",
        "The project is busy: another program is writing to it. Wait and try again.",
    ),
    "err.read_only": (
        "Projektmappen är skrivskyddad: inget kan ändras här.",
        "The project folder is read-only: nothing can be changed here.",
    ),
    "err.bad_code_id": (
        "Kodens id '{code}' får bara innehålla a-z, 0-9, _ och - (först en bokstav eller siffra).",
        "The code id '{code}' may only hold a-z, 0-9, _ and - (a letter or digit first).",
    ),
    "err.empty": ("Fältet får inte vara tomt.", "The field cannot be empty."),
    "err.server_away": (
        "Projektets databasserver {server} svarar inte. Kontrollera att den är igång och att "
        "du kan nå den; nästa åtgärd försöker igen.",
        "The project's database server {server} does not answer. Check that it runs and "
        "that you can reach it; the next action tries again.",
    ),
    "err.connection_lost": (
        "Förbindelsen med databasservern {server} bröts; ändringen sparades inte (inget av "
        "den skrevs). Försök igen.",
        "The connection to the database server {server} was lost; the change was not saved "
        "(nothing of it was written). Try again.",
    ),
    "err.role_denied": (
        "Din databasroll får inte göra detta på {server} ({why}). Be projektledaren om rätt "
        "roll (qualkit db roles).",
        "Your database role may not do this on {server} ({why}). Ask the project lead for "
        "the right role (qualkit db roles).",
    ),
    "err.own_name": (
        "I ett teams studie kodar var och en under sitt eget namn: du är inloggad som "
        "'{user}', så starta appen med --coder {login} (inte '{coder}').",
        "In a team's study a coder codes under their own name: you are signed in as "
        "'{user}', so start the app with --coder {login} (not '{coder}').",
    ),
    "err.lead_consensus": (
        "Bara projektledaren skriver konsensus (kodaren '{coder}') i ett teams studie.",
        "Only the project lead writes the consensus (coder '{coder}') in a team's study.",
    ),
    "err.server_own_rows": (
        "I ett teams studie skriver en kodare bara sina egna kodningar, memon, citatnålar "
        "och svar på förslag, under sin databasinloggning ({user}). Databasservern vägrade; "
        "inget skrevs.",
        "In a team's study a coder writes only their own codings, memos, quote pins and "
        "answers to suggestions, under their database login ({user}). The database server "
        "refused it; nothing was written.",
    ),
    "err.consensus_memo": (
        "Skriv ett memo om hur kodarna kom överens.",
        "Write a memo that says how the coders agreed.",
    ),
}

"""Word lists the name finder (`qualkit.names`) reads: short forms of first names, names
that are ordinary words, words for groups of people, and words of organisations and places.

Kept apart from the rules so the rules read as rules; each list says why it exists. The
word endings of organisations and ordinary words are lists too, written as patterns.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Swedish short forms of first names, which talk uses more than the names themselves
# ("Micke och Janne fixade det") and the statistics lists leave out.
NICKNAMES = frozenset(
    """
    Micke Janne Bosse Jonte Nisse Hasse Kicki Lillis Kattis Mackan Fredde Jocke Kenta
    Lelle Pontus Totte Ante Danne Affe Berra Calle Conny Frasse Gurra Jöns Kjelle
    Leffe Lollo Mange Masse Nicke Perra Robban Ragge Sune Tobbe Uffe Ville Ylva Åsa
    Mimmi Lisen Sussie Bettan Gittan Majsan Tessan Lotten Stisse Bengan
    """.split()  # noqa: SIM905 (a list of words reads better as words)
)

# Names that are also ordinary Swedish words: at the start of a sentence (where every
# word is capitalised) they are read as the word, not the name. Extends the Swedish
# stop-word list from stopwordsiso with frequent nouns and verbs that are names too.
COMMON_WORDS = frozenset(
    """
    alla hej per bo dag liv stig sten maj mark rut love edit my vide hans inga mina del
    ask sol ros lo tor ek berg lund holm ström strand sand vik dahl hall falk nord björk
    lind alm ali max kim gun signe ebbe
    """.split()  # noqa: SIM905 (a list of words reads better as words)
)

# Groups of people speak too ("Medarbetare tycker", "Chefer säger"): at a sentence's start
# such a word before a verb of speech is no name. Plurals in -ar, -er and -or are listed
# rather than matched by their ending, since many names end so too ("Yasser sa", "Ammar
# tycker").
GROUP_WORDS = frozenset(
    """
    folk barn personal soc ledning staten unga äldre män kvinnor vuxna gamla chefer tjejer
    killar mammor pappor studenter kunder pensionärer syskon rektorer socionomer vänner
    poliser flyktingar arbetslösa nyanlända hemlösa vissa
    politiker föräldrar klienter patienter kommuner regioner myndigheter forskare experter
    ungdomar elever kollegor tjänstemän medborgare invånare familjer grannar läkare
    handläggare arbetsgivare brukare deltagare företrädare representanter anställda
    kuratorer psykologer sjuksköterskor socialsekreterare arbetsförmedlare lärare
    """.split()  # noqa: SIM905 (a list of words reads better as words)
)

# Words of organisations, programmes and products said in this talk that two capitalised
# unknown words would otherwise make a person ("Röda Korset", "Microsoft Teams"), and the
# words of firms and colophons in reports ("Whiplash Info", "ESET Smart Security",
# "Omslagsbild:", "Tryck:"; the last line added after reading the real reports' misses).
NAME_PART_NEVER = frozenset(
    """
    röda korset svenska kyrkan hela människan microsoft teams outlook google meet docs zoom
    office online nya karolinska housing first capio ica maxi volvo cars recovery college
    case management campus norr söder stiftelsen mental health aid gamla stan lex mini
    ekonomiskt bistånd supported employment individual placement support samordnat stöd
    anonyma alkoholister jobbtorg kommunal unionen vision akademikerförbundet previa
    rädda barnen unga örnar friskis svettis ersta diakoni stora sköndal första linjen
    mobila teamet stadsmission
    team syd öst väst nord ung unga kraft direkt öppen öppna grön digital vård omsorg
    hemtjänst mötesplats rehab ingång brevlåda företagshälsa hjärnkoll skyddsnätet feelgood
    center centrum hälsa hjälp jobb arbete framtid
    tema projekt projektet insats insatsen program programmet satsning nätverket modellen
    info security images omslagsbild tryck
    """.split()  # noqa: SIM905 (a list of words reads better as words)
)
# After a name opening a sentence, a verb of being or doing as well as one of speech tells
# a person from a heading or a firm's name in a colophon ("Homan Amani var där").
BEING_AFTER = re.compile(
    r"^,?\s(?:var|är|har|hade|blev|kom|fick|ska|skulle|jobbar|jobbade|arbetar|arbetade|"
    r"bor|bodde)(?!\w)"
)
# Words that open a place's name ("Västra Götaland", "Norra Sverige").
PLACE_WORDS = frozenset({"västra", "östra", "norra", "södra", "mellersta", "nordvästra"})

# Listed names that, written in capitals, are more often something else in this field: a
# register or a tool (LISA at Statistics Sweden, SARA for risk assessment), a word
# ("ROSA", "SKOG", "LÖNN"), a month in a table ("JUNI 2019"). In capitals they count as a
# name only with a cue ("LISA sa"), as every name in capitals did before.
CAPS_NOT_NAMES = frozenset(
    """
    lisa alma sara nova iris rosa viola linnea klara saga lova vera juni august may jan
    jack bill tom asp skog palm bäck malm rask gren lönn frid fors hult borg wall alba
    luna vega svea axel lilja siri uno isa sam ture ester eva alf mia tim
    """.split()  # noqa: SIM905 (a list of words reads better as words)
)


# Listed first names that are also Swedish words, written in lower case: in talk ("jag
# ville", "hela dan", "inge bra", "en tom stol", "rita en bild", "mackan"), in months, in
# words of English. A lower-case first name alone is a name unless it is one of these
# (written down from the lists before measuring, no Swedish dictionary ships with qualkit;
# "andres", as in "den andres kompetens", was added after the real reports showed it).
LOWER_CASE_WORDS = frozenset(
    """
    axel ben bror dan inge karl klara knut lina linda lisa lova rosa saga sanna tina tom
    ville rita urban viking kaj jarl fred frank frans juni august iris viola linnea linnéa
    malva lucia marina tuva tindra ebba alvar tim lena björn meja mila tilde said bill jack
    rose may sam ester lage helga engla nisse lotten lillis mackan mange nicke ante
    enar nova aurora noel alma andres jan mats lotta
    """.split()  # noqa: SIM905 (a list of words reads better as words)
)

# Surnames no Swedish word shares the ending of: listed and written in lower case, they
# are names alone ("sen kom svensson in", "lindqvist sa"). A stem before the ending, so
# the noun "kvist" (a twig, and a listed surname) stays a word.
SURNAME_SHAPE = re.compile(r"(?<=\w\w)(?:son|[qk]vist)$")
# "det var" announces a person ("det var lena som ringde") but before a lower-case name
# that is also a word, a predicate often follows ("det var inge bra", "det var tom där"):
# there the cue counts only where the clause is a cleft, "som", a comma or its end.
_WORD_AFTER_CUE = re.compile(r"(?<!\w)det var\s$", re.IGNORECASE)
_CLEFT_AFTER = re.compile(r"^(?:\s+som(?!\w)|\s*[,.!?;:]|\s*$)")


def word_after_cue(lower: str, before: str, after: str) -> bool:
    """Whether a lower-case listed name after "det var" is the word it also is: "det var
    inge bra" yes, "det var lena som ringde" no (a cleft)."""
    return (
        lower in LOWER_CASE_WORDS
        and bool(_WORD_AFTER_CUE.search(before))
        and not _CLEFT_AFTER.match(after)
    )


# A reference list's author: a capitalised word with an initial after it ("Karlsson O.",
# "Lundquist, L.") or before it ("R. Axelsson"), and a year close after ("(1999)"). Reports
# quote their sources this way, and the surname is a person's even when no list knows it
# and it opens a line. Without the bracketed year, "Deltagare B.", "Bilaga A." and
# "Vitamin D." are the same shape.
_INITIAL_AFTER = re.compile(r"^,?\s[A-ZÅÄÖÉÜØ]\.(?=[\s,;)]|$)")
_INITIAL_BEFORE = re.compile(r"(?<![\w.])[A-ZÅÄÖÉÜØ]\.\s$")
# The year in brackets, as references write it: "Intervjuguide 2024" or "Från 2021" is
# no reference.
_YEAR = re.compile(r"\((?:1[89]|20)\d\d[a-z]?[),;]")


def cited_author(text: str, start: int, end: int) -> bool:
    """Whether the word at `start:end` is written as an author in a reference."""
    initial = _INITIAL_AFTER.match(text[end : end + 5]) or _INITIAL_BEFORE.search(
        text[max(0, start - 4) : start]
    )
    return bool(initial and _YEAR.search(text[end : end + 45]))


# Swedish adjective and abstract-noun endings: "Samordnad Individuell Plan" is no person.
WORD_SHAPE = re.compile(
    r"(?:ad|ade|at|ell|ella|isk|iska|ig|iga|lig|liga|iv|iva|ande|ende|het|ning|tion|skap|"
    r"else|ism|itet|ur|ör|are|are|na|or|er|erna|arna|orna)$"
)
# Organisations and places act and speak in this talk too ("Försäkringskassan sa",
# "Nacka tyckte"): words of those shapes never become names by a cue alone.
ACTOR_SHAPE = re.compile(
    r"(?:kassan|förmedlingen|kommun|kommunen|regionen|region|landstinget|nämnden|förbundet|"
    r"verket|styrelsen|myndigheten|enheten|centrum|centralen|vården|tjänsten|huset|kliniken|"
    r"mottagningen|skolan|polisen|bolaget|gruppen|teamet|projektet|rådet|inspektionen|"
    r"domstolen|departementet|analys|institutet|byrån|universitetet|sverige|fogden|partiet|"
    r"erna|torg|köping|sjö|stad|hamn|ryd|hult|näs|sund|vik|ås|torp|borg|"
    r"ånger|län|land)$"
)

# Homes, schools and care units named after a person ("Annagårdens förskola",
# "Margaretahemmet", "Eriksgården"): the name identifies the workplace as well as a street
# does. A pattern of the compound; the first part must be a listed first name.
WORKPLACE_OF_A_NAME = re.compile(
    r"^(?P<name>[A-ZÅÄÖÉ][a-zåäöé]{2,}?)(?:gården|hemmet|boendet|skolan|förskolan|stugan|"
    r"huset|kliniken|mottagningen)s?$"
)


@lru_cache(maxsize=1)
def towns() -> frozenset[str]:
    """Swedish towns and counties from faker's sv_SE address lists, lower-case."""
    from faker.providers.address.sv_SE import Provider

    counties = (s.split()[-2] if len(s.split()) > 1 else s for s in Provider.states)
    return frozenset(c.lower() for c in Provider.cities) | frozenset(
        c.lower().removesuffix("s") for c in counties
    )


# Words that announce a person: "Hej Leevi", "doktor Turpeinen", "kalla honom Krista",
# "hette Satu", "klienten Olle". Any capitalised word after them is taken as a name, in
# the lists or not.
CUE_BEFORE = re.compile(
    r"(?<!\w)(?:hej|hejsan|hallå|tack|fråga|frågade|doktor|dr\.?|syster|handläggaren|"
    r"kollegan|kollega|chefen|kuratorn|läkaren|herr|fru|fröken|mamma|pappa|sonen|son|"
    r"dottern|dotter|brodern|systern|hette|heter|kallas|kallad|kallade|"
    r"socialsekreteraren|handledaren|samordnaren|koordinatorn|arbetsförmedlaren|"
    r"sjuksköterskan|psykologen|terapeuten|rektorn|rektor|enhetschefen|professor|docent|"
    r"grannen|kompisen|vännen|klienten|patienten|brukaren|deltagaren|maken|sambon|"
    r"det var|jag och|ring|ringde|ringer|mejla|mejlade|träffade|pratade med|"
    r"(?:kalla|kallar|kallade) (?:honom|henne|hen))[,:]?\s$",
    re.IGNORECASE,
)
# A verb of speech after an unknown capitalised word inside a sentence: "... när Ossi sa".
# Present tense too: focus-group talk retells what others say now ("Nguyen håller med").
CUE_AFTER = re.compile(
    r"^,?\s(?:sa|sade|berättade|svarade|frågade|tyckte|menade|förklarade|skrev|ringde|"
    r"mejlade|hade sagt|säger|berättar|svarar|frågar|tycker|menar|förklarar|undrar|"
    r"påpekar|instämmer|håller med)(?!\w)"
)

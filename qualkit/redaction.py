"""The one gate every export passes: replace personal data, reviewed or not.

`Redactor.for_project` is what every exporter and report asks for. It replaces, in this
order: e-mail addresses, personnummer, phone numbers and addresses (always, a coder can
only edit their replacement), participants' real names (with their role label), accepted
proposals (with their possibly edited replacement), proposals not yet reviewed (with the
label the scan gave them), and then any name the detector finds in the text itself,
scanned or not. Only a name a coder rejected is left as it is. So with default settings
nothing the scanner would find reaches a file, whether or not anyone reviewed it; what was
replaced without review is noted per project; `privacy.unreviewed_in` counts a file's.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from weakref import WeakKeyDictionary

from qualkit.identifiers import plain_separators
from qualkit.name_echoes import stands_as_genitive
from qualkit.name_labels import NAME_LABEL, NameLabels, carried_across
from qualkit.name_lists import is_listed_name
from qualkit.project import Project
from qualkit.pseudonymise import (
    NAME,
    PLACEHOLDERS,
    Finding,
    common_words,
    detect_identifiers,
    detect_names,
)
from qualkit.redaction_text import found_around, splice, written_lower

__all__ = ["Redactor", "unreviewed_replacements"]

_EMPTY: Mapping[str, str] = MappingProxyType({})
# Replacements made without review, per project object: (label, what it stands for).
_TALLIES: WeakKeyDictionary[Project, Counter[tuple[str, str]]] = WeakKeyDictionary()
# A genitive after a known name: "Karins" -> "[Namn 1]:s".
_GENITIVE = r"(?P<gen>[’':]?s)?"


def unreviewed_replacements(project: Project) -> set[tuple[str, str]]:
    """What this project's redactors replaced without review so far, in any text they
    read (a file may hold less): (label put in, what it stands for)."""
    return set(_TALLIES.get(project, Counter()))


@dataclass(frozen=True, slots=True)
class Redactor:
    """Applies a project's pseudonyms, participants' real names and the detector."""

    table: Mapping[str, str] = field(default_factory=lambda: _EMPTY)  # casefolded -> label
    pattern: re.Pattern[str] | None = None
    keep: frozenset[str] = frozenset()  # originals a coder rejected: not personal data
    enabled: bool = True
    capital_only: frozenset[str] = frozenset()
    reviewed: frozenset[str] = frozenset()  # casefolded originals a person decided on
    register: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    tally: Counter[tuple[str, str]] = field(default_factory=Counter)
    # Labels of the names the detector finds, one per person across the project.
    names: NameLabels = field(default_factory=NameLabels)
    # The project's code keys as tables show them, each distinct ("kontakt_karin" and
    # "kontakt_karin_lindqvist" both redact to "kontakt_[Namn 1]"; `code_keys`).
    shown_keys: dict[str, str] = field(default_factory=dict)
    # Names found in one text replaced in every other only capitalised (`carried_across`),
    # with a short one's bare "s" only where a genitive stands ("Alis mamma", "Hus är").
    alone: frozenset[str] = frozenset()
    # Listed first names found in one text, replaced in every other only in the genitive.
    genitives: frozenset[str] = frozenset()

    @classmethod
    def for_project(cls, project: Project) -> Redactor:
        pairs: dict[str, str] = {}
        reviewed: set[str] = set()
        register: list[str] = []
        places: set[str] = set()
        for p in project.store.participants():
            if p.kommun:
                places.add(p.kommun)
            if p.real_name and p.real_name.strip():
                label = f"[{p.attribution}]"
                register.append(p.real_name.strip())
                pairs[p.real_name.strip()] = label
                for part in p.real_name.split():
                    if len(part) > 1:
                        pairs.setdefault(part, label)
        reviewed.update(k.casefold() for k in pairs)
        keep: set[str] = set()
        proposed: dict[str, str] = {}
        names_held: list[str] = []  # names proposed or accepted, whose words are carried
        for ps in project.store.pseudonyms():
            original = ps.original.strip()
            if not original:
                continue
            if ps.kind == NAME and ps.status != "rejected":
                names_held.append(original.casefold())
            if ps.status == "accepted":
                pairs[original] = ps.replacement
                reviewed.add(original.casefold())
            elif ps.status == "rejected":
                # "Not personal data" is a coder's word on a name only: a number, e-mail
                # or address of a person's shape is replaced whatever anyone said.
                if ps.kind == NAME:
                    keep.add(original.casefold())
            else:
                proposed[original] = ps.replacement
        for original, label in proposed.items():
            if original.casefold() not in keep:
                pairs.setdefault(original, label)
        recordings = project.store.recordings()
        places.update(r.kommun for r in recordings if r.kommun)
        red = cls.from_pairs(
            pairs,
            keep,
            reviewed=reviewed,
            register=register,
            places=places,
            tally=_TALLIES.setdefault(project, Counter()),
        )
        taken = [int(m.group(1)) for v in pairs.values() if (m := NAME_LABEL.match(v))]
        base = red.names.last = max(taken, default=0)
        # Read the whole project once, in a fixed order (speaker labels, recording names
        # and participants by id, then every turn and memo), so a name gets the same label
        # in every export ("[Namn 4]" is the same person in the CSV and the report), and a
        # full name of listed names found anywhere is replaced everywhere in any case
        # ("ANNA SVENSSON", "anna svensson"), as a scan's proposal would be. A single
        # word is carried over only when it is an unknown word (`carried_across`):
        # "Hans", "Bo", "Klara" and "Lund" are words too.
        texts = [s.label for s in sorted(project.store.speakers(), key=lambda s: s.id)]
        texts += [r.name for r in sorted(recordings, key=lambda r: r.id)]
        for person in sorted(project.store.participants(), key=lambda p: p.id):
            # Typed by a person: a pseudonym ("Maj-Britt") or a role ("kurator hos Gunborg").
            texts += [person.pseudonym, person.role, *map(str, person.attributes.values())]
        texts += [seg.text for seg in project.store.segments_light()]
        texts += [m.text for m in project.store.memos()]
        lower = written_lower(texts)
        # Code keys and codebook ids are typed too ("samtal_med_karin"): read here, every
        # table that shows a key gives its name the same label, so the tables still join.
        books = project.store.codebook_ids()
        keys = [c.key for b in books for c in project.store.codebook(b).codes] + books
        texts += keys
        for text in texts:
            red.redact(text, count=False)
        red.names.link_names_alone(red.table, base)
        own = {w.casefold() for place in places for w in place.split()}
        learned = {
            k: v
            for k, v in red.names.given.items()
            if " " in k and k not in red.table and not set(k.split()) & own and is_listed_name(k)
        }
        # The parts of a full name found here, or proposed or accepted as a name, are
        # carried as words found alone are ("Osmo Kosonen" in one turn, "Osmo" in the next);
        # a name a coder rejected is no name, nor are its words.
        fulls = [k for k in red.names.given if " " in k] + names_held
        alone, genitives = carried_across(
            red.names.given, red.table, red.keep, lower, places, fulls, red.names.label
        )
        if not learned and not alone and not genitives:
            red.code_keys(keys)
            return red
        wider = cls.from_pairs(
            {**pairs, **learned, **alone, **genitives},
            keep,
            reviewed=reviewed,
            register=register,
            places=places,
            tally=red.tally,
            names=red.names,
            alone=alone,
            genitives=genitives,
        )
        wider.code_keys(keys)
        return wider

    def code_keys(self, keys: Iterable[str]) -> None:
        """Fix how each code key shows, in the project's order: redacted as a field, and a
        key that would show like another gets a number ("kontakt_[Namn 1]_2"), so the
        tables that join on keys still tell the codes apart."""
        keys = list(keys)
        taken = set(keys)
        for key in dict.fromkeys(keys):
            shown = base = self.redact_field(key, count=False)
            n = 2
            while shown != key and shown in taken:
                shown, n = f"{base}_{n}", n + 1
            taken.add(shown)
            self.shown_keys[key] = shown

    @classmethod
    def from_pairs(
        cls,
        pairs: Mapping[str, str],
        keep: Iterable[str] = (),
        *,
        reviewed: Iterable[str] | None = None,
        register: Iterable[str] = (),
        places: Iterable[str] = (),
        tally: Counter[tuple[str, str]] | None = None,
        names: NameLabels | None = None,
        alone: Iterable[str] = (),
        genitives: Iterable[str] = (),
    ) -> Redactor:
        """A redactor from original -> replacement pairs (all reviewed unless told)."""
        table: dict[str, str] = {}
        for orig, repl in pairs.items():
            table.setdefault(plain_separators(orig.strip()).casefold(), repl)
        table = {k: v for k, v in table.items() if k}
        pattern = None
        if table:
            # Longest first, so "Anna Svensson" wins over "Anna".
            alternatives = "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))
            pattern = re.compile(
                r"(?<!\w)(?P<base>" + alternatives + ")" + _GENITIVE + r"(?!\w)", re.IGNORECASE
            )
        # Names that are also everyday words ("Per", "Dag", "Bo") are replaced only when
        # capitalised, so "500 kr per timme" survives an accepted pseudonym for Per.
        words = common_words()
        capital_only = frozenset(
            k
            for k, orig in ((o.strip().casefold(), o.strip()) for o in pairs)
            if k in words and orig[:1].isupper()
        )
        return cls(
            MappingProxyType(table),
            pattern,
            frozenset(k.casefold() for k in keep),
            capital_only=capital_only,
            reviewed=frozenset(table if reviewed is None else (r.casefold() for r in reviewed)),
            register=tuple(register),
            places=tuple(places),
            tally=Counter() if tally is None else tally,
            names=NameLabels() if names is None else names,
            alone=frozenset(alone),
            genitives=frozenset(genitives),
        )

    @classmethod
    def disabled(cls) -> Redactor:
        """No redaction at all: only for an export the user explicitly asked unredacted."""
        return cls(enabled=False)

    @property
    def unreviewed(self) -> int:
        """How many replacements this redactor (or its project) made without review."""
        return sum(self.tally.values())

    def redact_field(self, text: str, *, count: bool = True) -> str:
        """`redact` for a short field a person typed (a role, a pseudonym, a voice's label):
        it opens with no sentence, so a surname at its start is a name ("Lindqvists
        assistent")."""
        return self.redact(text, count=count, field=True)

    def redact(self, text: str, *, count: bool = True, field: bool = False) -> str:
        if not self.enabled or not text:
            return text
        # Identifiers first: "anna.svensson@kommun.se" is one address, not two known names
        # and a domain left standing, and "Anna Lindhs väg 3" is an address, not a known
        # name and a house number.
        text, labels = self._identifiers(text, count)
        # The detector reads the text as written too: a known name is the company that
        # finds the rest ("Osmo Kosonen" accepted, then "Osmo var bra"; "Ritva Lammi och
        # Meja Wennberg"), which the text with "[Namn 1]" in its place no longer gives.
        written, placed = text, labels
        # Matched with plain separators: "intervju_anna_svensson" holds "anna svensson".
        hits = [] if self.pattern is None else list(self.pattern.finditer(plain_separators(text)))
        # Only a text the table has a name in is read twice: without one, nothing is edited
        # before the detector's own reading.
        found = self._names_in(text, field) if hits else []
        text, labels, edits = self._known(text, hits, labels, count, found)
        early = found_around(written, placed, edits, found) if edits else []
        return self._detected(text, labels, count, field, early)

    def _names_in(self, text: str, field: bool) -> list[Finding]:
        return detect_names(text, self.register, self.places, field=field)

    def _identifiers(self, text: str, count: bool) -> tuple[str, list[tuple[int, int]]]:
        """Replace e-mail addresses, personnummer, phone numbers and addresses. Whatever a
        coder said about one, only its replacement can change (an accepted proposal's)."""
        edits: list[tuple[int, int, str]] = []
        for f in detect_identifiers(text):
            key = plain_separators(f.text).casefold()
            edits.append((f.start, f.end, self.table.get(key, PLACEHOLDERS[f.kind])))
            if count and key not in self.reviewed:
                self._count(edits[-1][2], key)
        return splice(text, edits, [])

    def _count(self, label: str, original: str) -> None:
        """One person is one label ("Karin", "Karin Lindqvist": "[Namn 1]"); identifiers
        share a placeholder ("[telefonnummer]"), so each number stands for itself."""
        self.tally[(label, label if NAME_LABEL.match(label) else original)] += 1

    def _known(
        self,
        text: str,
        hits: list[re.Match[str]],
        labels: list[tuple[int, int]],
        count: bool,
        names_here: list[Finding],
    ) -> tuple[str, list[tuple[int, int]], list[tuple[int, int, str]]]:
        """Replace the table's originals the `hits` found, outside the `labels` already put
        in; return the text, where every label now lies, and the edits made (where the text
        had them)."""
        edits: list[tuple[int, int, str]] = []
        for m in hits:
            if any(m.start() < b and a < m.end() for a, b in labels):
                continue
            found = text[m.start("base") : m.end("base")]
            key = m.group("base").casefold()
            if key in self.capital_only and not found[:1].isupper():
                continue
            gen = m.group("gen") or ""
            genitive = gen != "s" or stands_as_genitive(text, m.end())
            if key in self.alone and not (found[:1].isupper() and (len(key) > 3 or genitive)):
                continue
            if key in self.genitives and not (found[:1].isupper() and gen and genitive):
                continue
            # A word carried from another text inside a name found here goes with that
            # name, under one label ("Seppo Kosonen", not "[Namn 2] [Namn 2]").
            if (key in self.alone or key in self.genitives) and any(
                f.start <= m.start() and m.end() <= f.end for f in names_here
            ):
                continue
            label = self.table[key] + (":s" if m.group("gen") else "")
            if count and key not in self.reviewed:
                self._count(self.table[key], key)
            edits.append((m.start(), m.end(), label))
        return (*splice(text, edits, labels), edits)

    def _detected(
        self,
        text: str,
        labels: list[tuple[int, int]],
        count: bool,
        field: bool = False,
        early: Sequence[tuple[int, int, str]] = (),
    ) -> str:
        """Replace what the detector finds and nobody rejected, and the `early` names
        (`_found_around`) it does not find here."""
        out: list[str] = []
        pos = 0
        # Identifiers were replaced first (`_identifiers`): only names are left to find.
        found = [(f.start, f.end, f.text) for f in self._names_in(text, field)]
        # What overlaps a label put in above is no finding here ("Meja Holm", where "Holm"
        # is an accepted pseudonym): the name found before the label went in stands for it.
        found = [f for f in found if not any(f[0] < b and a < f[1] for a, b in labels)]
        found += [e for e in early if not any(e[0] < b and a < e[1] for a, b, _ in found)]
        for start, end, name in sorted(found):
            if any(start < b and a < end for a, b in labels):
                continue  # a label put in above ("[Namn 1]"), not personal data
            # A word a coder said is no name is no name in the genitive ":s" either; a bare
            # "s" is left alone: "Mat" rejected must not keep "Mats".
            key = plain_separators(name).casefold()
            if key in self.keep or key.removesuffix(":s") in self.keep:
                continue
            out.append(text[pos:start])
            out.append(self.names.label(name))
            pos = end
            if count:
                self._count(out[-1], name.casefold())
        out.append(text[pos:])
        return "".join(out)

"""Labels for the names an export's detector finds: one person, one "[Namn N]".

A redactor (`qualkit.redaction`) reads a whole project before it writes anything; these
labels are what it learns on the way. A name gets its label the first time it is found;
after the project is read, a first name or surname alone takes the label of the one full
name it belongs to ("Karin" of "Karin Lindqvist"), so one person has one label in every
file of an export; and the single words found that are names in every text of the project
(`carried_across`) are named.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from qualkit.identifiers import plain_separators
from qualkit.name_lists import is_listed
from qualkit.names import carried_alone, genitive_carried

NAME_LABEL = re.compile(r"^\[Namn (\d+)\]")


@dataclass(slots=True)
class NameLabels:
    """Labels given to names found (casefolded name -> label), numbered from `last`."""

    # Labels for names nobody scanned, numbered after the scan's own: distinct people stay
    # distinct in one export ("[Namn 4]" said this, "[Namn 5]" that).
    given: dict[str, str] = field(default_factory=dict)
    last: int = 0
    # Each word of a full name (and its last word without a genitive) -> the labels of the
    # full names it is part of, once the project is read (`link_names_alone`).
    parts: dict[str, set[str]] = field(default_factory=dict)

    def copy(self) -> NameLabels:
        """A scratch copy: labelling on it leaves these labels as they are."""
        return NameLabels(dict(self.given), self.last, {k: set(v) for k, v in self.parts.items()})

    def label(self, found: str) -> str:
        """The label of a name found in a text, given now if it has none."""
        key = plain_separators(found).casefold()
        label = self.given.get(key)
        if label is None:
            same = self._people_with(key) if " " not in key else set()
            if len(same) == 1:
                label = self.given[key] = same.pop()
            else:
                label = self.given[key] = self._next()
        return label

    def _next(self) -> str:
        self.last += 1
        return f"[Namn {self.last}]"

    def _people_with(self, key: str) -> set[str]:
        """Labels of the full names a word alone ("karin", "lindqvists") is part of."""
        return set().union(*(self.parts.get(b, set()) for b in bases(key)))

    def link_names_alone(self, table: Mapping[str, str], base: int) -> None:
        """After a whole project is read: a full name in the genitive is its full name
        ("Karin Lindqvists"); a first name or surname alone, or in the genitive, takes the
        label of the one full name it belongs to (a scan's proposal in `table` or one
        found), wherever either was read first; one that belongs to two people ("Karin" of
        "Karin Lindqvist" and "Karin Berg") has its own, as its genitive has its label.
        Labels given after `base` are then numbered without gaps."""
        proposed = {k: v for k, v in table.items() if NAME_LABEL.match(v)}
        people = {k: v for k, v in {**proposed, **self.given}.items() if " " in k}
        for key in [k for k in people if k in self.given]:
            plain = next((b for b in bases(key) if b != key and b in people), None)
            if plain is not None:
                self.given[key] = people[key] = people[plain]
        self._index_parts(people)
        alone = [k for k in self.given if " " not in k]
        for key in alone:
            labels = self._people_with(key)
            if len(labels) == 1:
                self.given[key] = labels.pop()
            elif self.given[key] in labels:
                self.given[key] = self._next()
        for key in alone:  # "Karins" is "Karin", whoever that is
            plain = next((b for b in bases(key) if b != key and b in self.given), None)
            if plain is not None:
                self.given[key] = self.given[plain]
        self._renumber(base)
        self._index_parts({k: self.given.get(k, v) for k, v in people.items()})

    def _index_parts(self, people: Mapping[str, str]) -> None:
        self.parts.clear()
        for name, label in people.items():
            for word in {*name.split(), *bases(name.split()[-1])}:
                self.parts.setdefault(word, set()).add(label)

    def _renumber(self, base: int) -> None:
        """Number the labels given after `base` 1, 2, 3... in the order they were first
        given, so linking leaves no gaps ("[Namn 1]", "[Namn 3]")."""
        order: dict[str, str] = {}
        for label in self.given.values():
            m = NAME_LABEL.match(label)
            if m and int(m.group(1)) > base and label not in order:
                order[label] = f"[Namn {base + len(order) + 1}]"
        self.given.update({k: order.get(v, v) for k, v in self.given.items()})
        self.last = base + len(order)


def bases(key: str) -> tuple[str, ...]:
    """A casefolded name and the forms it has without a genitive ("karins" -> "karin")."""
    return (key, key.removesuffix(":s"), key.removesuffix("s"))


_NAME_KEY = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def carried_across(
    given: Mapping[str, str],
    table: Mapping[str, str],
    keep: Iterable[str],
    lower: set[str],
    places: Iterable[str],
    fulls: Iterable[str] = (),
    label_of: Callable[[str], str] | None = None,
) -> tuple[dict[str, str], dict[str, str]]:
    """Of the names a project's redactor found (`given`, casefolded -> label), the single
    words that are names in every text of the project (`carried_alone`: unknown words, not
    listed ones), with their labels: a turn names a person the next turn speaks of ("Jag
    och Osmo satt där", "Det tyckte Osmo också"). A genitive found is its name too ("Alis
    mamma", "Ali"); a word some text writes in lower case (`lower`) is an everyday word
    there ("Kunskap till praktik", "utbyta kunskap"). Second, the listed first names found,
    to be replaced in their genitive only ("Alis mamma" in another turn). Words the `table`
    has or a coder kept are left out. Third, the unknown words of the full names in
    `fulls` (found, or proposed and accepted names): "Osmo Kosonen" in one turn, "Det
    tyckte Osmo också" in the next; each with `label_of` its word."""
    kept = set(keep)
    out: dict[str, str] = {}
    genitives: dict[str, str] = {}
    for key, label in given.items():
        if not _NAME_KEY.fullmatch(key) or key in table or key in kept:
            continue
        if genitive_carried(key[:1].upper() + key[1:], places):
            genitives.setdefault(key, label)
            continue
        stem = key[:-1] if key.endswith("s") and len(key) > 2 and not is_listed(key) else ""
        for form in filter(None, (key, stem)):
            if form in lower or form in kept or not carried_alone(_as_name(form), places):
                continue
            out.setdefault(form, label)
    if label_of is None:
        return out, genitives
    for full in fulls:
        for part in full.split():
            if part in out or part in table or part in kept or part in lower:
                continue
            if _NAME_KEY.fullmatch(part) and carried_alone(word := _as_name(part), places):
                out[part] = label_of(word)
    return out, genitives


def _as_name(key: str) -> str:
    """A casefolded word as a name is written: "osmo" -> "Osmo", "osmo-lisa" -> "Osmo-Lisa"."""
    return "-".join(p[:1].upper() + p[1:] for p in key.split("-"))

"""A recording's own facts (kommun, group, date, guide, length) as variables on its sources.

REFI-QDA has no field for them, so without variables an export and re-import lost the
group and the length. Variables are also what other tools show beside a document and
filter on, so each gets its own REFI-QDA type (a date a tool can sort, a number it can
compare). Both the writer and the importer read this one table.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from qualkit.errors import InputError
from qualkit.export.refi.constants import KOMMUN_VARIABLE
from qualkit.model import GroupType, Recording

GROUP_VARIABLE = "grupptyp"
DATE_VARIABLE = "datum"
GUIDE_VARIABLE = "intervjuguide"
DURATION_VARIABLE = "längd_s"

# name -> REFI-QDA typeOfVariable, in the order they are written. None of them is a
# participant's variable name (roll, aktör, kommun): QualCoder keeps one attribute per name.
SOURCE_VARIABLES: dict[str, str] = {
    KOMMUN_VARIABLE: "Text",
    GROUP_VARIABLE: "Text",
    DATE_VARIABLE: "Date",
    GUIDE_VARIABLE: "Text",
    DURATION_VARIABLE: "Float",
}
VALUE_ELEMENT = {
    "Text": "TextValue",
    "Date": "DateValue",
    "Float": "FloatValue",
    "Integer": "IntegerValue",
    "Boolean": "BooleanValue",
    "DateTime": "DateTimeValue",
}


def recording_facts(rec: Recording, redact: Callable[[str], str]) -> list[tuple[str, str]]:
    """The recording's facts as (variable, value), in SOURCE_VARIABLES order.

    Free text (kommun, guide) goes through the export's redaction; a guide's title could
    name a person."""
    out = [
        (KOMMUN_VARIABLE, redact(rec.kommun) if rec.kommun else ""),
        (GROUP_VARIABLE, rec.group_type.value if rec.group_type else ""),
        (DATE_VARIABLE, rec.date or ""),
        (GUIDE_VARIABLE, redact(rec.guide) if rec.guide else ""),
        # Tenths of a second: as exact as a length is ever shown, and a stable file.
        (DURATION_VARIABLE, f"{rec.duration_s:.1f}" if rec.duration_s else ""),
    ]
    return [(name, value) for name, value in out if value]


def recording_fields(
    values: Mapping[str, str], source_name: str, warnings: list[str]
) -> dict[str, Any]:
    """Keyword arguments for Store.add_recording from a source's variables.

    A value that does not parse is left out with a warning: the transcript and its codings
    matter more than a malformed date from another tool."""
    fields: dict[str, Any] = {}
    if kommun := values.get(KOMMUN_VARIABLE, "").strip():
        fields["kommun"] = kommun
    if guide := values.get(GUIDE_VARIABLE, "").strip():
        fields["guide"] = guide
    if group := values.get(GROUP_VARIABLE, "").strip():
        try:
            fields["group_type"] = GroupType.parse(group)
        except InputError:
            warnings.append(f"source {source_name!r}: group {group!r} is not known; left out")
    if day := values.get(DATE_VARIABLE, "").strip():
        try:
            fields["date"] = date.fromisoformat(day[:10]).isoformat()
        except ValueError:
            warnings.append(f"source {source_name!r}: date {day!r} is not a date; left out")
    if length := values.get(DURATION_VARIABLE, "").strip():
        try:
            seconds = float(length)
        except ValueError:
            seconds = math.nan
        if math.isfinite(seconds) and seconds > 0:
            fields["duration_s"] = seconds
        else:
            warnings.append(
                f"source {source_name!r}: length {length!r} is not a number of seconds; left out"
            )
    return fields

"""Självvärdering rounds: who took part, what material, ratings per cell, and change over time.

A round has a name, a date, participants (with their follow-up attributes), an optional
external co-assessor (*medbedömare*) and material: recordings/transcripts, or written answers
to the four reflection questions, imported as a recording whose segments are the answers
(speaker = participant; each question is a segment by the speaker "Fråga").

Counting rule: a passage counts once per code however many coders marked it, so a round
coded by two people is not counted double. `coder=` restricts counts to one coder (blind work).
"""

from qualkit.rounds.answers import (
    QUESTION_SPEAKER,
    QUESTIONS,
    Answer,
    import_answers,
    read_answers,
)
from qualkit.rounds.compare import (
    AssessorAgreement,
    CellChange,
    Quote,
    RoundComparison,
    assessor_agreement,
    compare,
)
from qualkit.rounds.records import (
    FACTORS,
    GRID,
    VALENCE_ORDER,
    Rating,
    add_material,
    add_round,
    check_date,
    participant_ref,
    rate,
    ratings,
    round_codings,
    round_ref,
)

__all__ = [
    "FACTORS",
    "GRID",
    "QUESTIONS",
    "QUESTION_SPEAKER",
    "VALENCE_ORDER",
    "Answer",
    "AssessorAgreement",
    "CellChange",
    "Quote",
    "Rating",
    "RoundComparison",
    "add_material",
    "add_round",
    "assessor_agreement",
    "check_date",
    "compare",
    "import_answers",
    "participant_ref",
    "rate",
    "ratings",
    "read_answers",
    "round_codings",
    "round_ref",
]

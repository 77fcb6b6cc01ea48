"""Code suggestions on the transcript screen: computed in a worker, taken with a/x/A."""

from __future__ import annotations

from textual import on, work
from textual.timer import Timer

from qualkit.analysis import suggest
from qualkit.errors import QualkitError
from qualkit.i18n import t
from qualkit.model import Valence
from qualkit.tui.messages import SuggestionsReady, SuggestionsUnavailable, UncertainFound
from qualkit.tui.screens.transcript_base import TranscriptBase
from qualkit.tui.widgets.panels import SuggestionsPanel

# Suggestions at or above this score are coded by "accept all".
SUGGEST_THRESHOLD = 0.5
# Wait this long after the cursor stops before computing suggestions.
SUGGEST_DELAY_S = 0.25


class SuggestingActions(TranscriptBase):
    """Suggestions for the segment under the cursor, and the keys that take them."""

    suggestions: list[object | None]  # None where one was taken: numbers never shift
    _suggest_timer: Timer | None = None

    def cursor_settled(self) -> None:
        if self._suggest_timer is not None:
            self._suggest_timer.stop()
        self.suggestions = []
        seg = self.current
        if seg is None:
            self.query_one(SuggestionsPanel).show_message(t("suggest.none", self.lang))
            return
        self.query_one(SuggestionsPanel).show_message(t("suggest.working", self.lang))
        seg_id = seg.id
        self._suggest_timer = self.set_timer(
            SUGGEST_DELAY_S, lambda: self.compute_suggestions(seg_id)
        )

    def codebook_switched(self) -> None:
        """Another codebook (or its codes changed): the suggestions shown name codes it
        may not have, so they are dropped and computed anew for it."""
        self.pending = None
        self.cursor_settled()

    @work(thread=True, exclusive=True, group="suggest")
    def compute_suggestions(self, segment_id: int) -> None:
        codebook = self.view.codebook_id
        try:
            found = suggest.suggest_for_segment(
                self.host.project, segment_id, codebook=codebook, top=3
            )
        except Exception as exc:  # a failing model must not take the coding screen down
            self.post_message(SuggestionsUnavailable(self._model_failure(exc)))
            return
        self.post_message(SuggestionsReady(segment_id, list(found), codebook))

    def _model_failure(self, exc: Exception) -> str:
        """What the coder is told when the suggestion model fails in a worker: a user error
        (no model on this machine) said plainly, anything else by its kind only."""
        if isinstance(exc, QualkitError):
            return f"{t('suggest.unavailable', self.lang)} {exc}"
        return f"{t('suggest.failed', self.lang)}: {type(exc).__name__}"

    @on(SuggestionsReady)
    def _suggestions_ready(self, message: SuggestionsReady) -> None:
        seg = self.current
        if seg is None or seg.id != message.segment_id:
            return
        if message.codebook != self.view.codebook_id:  # computed before a switch
            return
        self.suggestions = list(message.suggestions)
        self.query_one(SuggestionsPanel).show_suggestions(self.view, self.suggestions, self.lang)

    @on(SuggestionsUnavailable)
    def _suggestions_unavailable(self, message: SuggestionsUnavailable) -> None:
        self.suggestions = []
        self.query_one(SuggestionsPanel).show_message(message.reason)

    def action_next_uncertain(self) -> None:
        """Go to the uncoded segment of this recording that the model is least sure of:
        coding those first teaches it most (bench/suggest_coder.py)."""
        self.notify(t("suggest.finding_uncertain", self.lang))
        self.find_uncertain(self.recording.id)

    @work(thread=True, exclusive=True, group="uncertain")
    def find_uncertain(self, recording_id: int) -> None:
        try:
            found = suggest.most_uncertain(
                self.host.project, self.view.codebook_id, limit=1, recording=recording_id
            )
        except Exception as exc:  # a failing model must not take the coding screen down
            self.post_message(UncertainFound(None, self._model_failure(exc)))
            return
        self.post_message(UncertainFound(found[0][0] if found else None))

    @on(UncertainFound)
    def _uncertain_found(self, message: UncertainFound) -> None:
        if message.reason:
            self.notify(message.reason, severity="warning")
            return
        idx = None if message.segment_id is None else self.view.index_of(message.segment_id)
        if idx is None:
            self.notify(t("suggest.no_uncertain", self.lang))
            return
        self.seglist.move_to(idx)

    def action_accept_mode(self) -> None:
        self._pick("accept")

    def action_reject_mode(self) -> None:
        self._pick("reject")

    def _pick(self, mode: str) -> None:
        if not any(s is not None for s in self.suggestions):
            self.notify(t("suggest.none", self.lang))
            return
        self.pending = mode
        self.refresh_panels()

    def _feedback(self, segment_id: int, code: str, accepted: bool) -> None:
        try:
            suggest.record_feedback(
                self.host.project,
                segment_id,
                self.view.codebook_id,
                code,
                accepted=accepted,
                coder=self.host.coder,
            )
        except QualkitError as exc:
            self.error(exc)
            return
        # The coding was written before its feedback: read the segment's marks again.
        self.view.reload_segment_codings(segment_id)

    def suggestion_numbers(self) -> str:
        """The numbers of the suggestions still shown: '1-3', '3', or '1, 3'."""
        left = [i + 1 for i, s in enumerate(self.suggestions) if s is not None]
        if not left:
            return "-"
        if left == list(range(left[0], left[-1] + 1)):
            return str(left[0]) if len(left) == 1 else f"{left[0]}-{left[-1]}"
        return ", ".join(str(n) for n in left)

    def pending_hint(self) -> str:
        key = "suggest.pick_accept" if self.pending == "accept" else "suggest.pick_reject"
        return t(key, self.lang).format(numbers=self.suggestion_numbers())

    def suggestion_choice(self, mode: str, number: int) -> None:
        seg = self.current
        chosen = self.suggestions[number - 1] if 1 <= number <= len(self.suggestions) else None
        if seg is None or chosen is None:
            if seg is not None:  # a digit with no suggestion under it: said, nothing written
                gone = 1 <= number <= len(self.suggestions)
                text = t("suggest.taken" if gone else "suggest.no_such", self.lang)
                self.notify(
                    text.format(n=number, numbers=self.suggestion_numbers()), severity="warning"
                )
            self.refresh_panels()
            return
        code = str(getattr(chosen, "code", ""))
        if mode == "accept":
            valence = getattr(chosen, "valence", None) or Valence.NONE
            if self.apply_code(seg, code, valence=valence) is not None:
                self._feedback(seg.id, code, True)
                self.notify(t("suggest.accepted", self.lang))
        else:
            self._feedback(seg.id, code, False)
            self.notify(t("suggest.rejected", self.lang))
        self.suggestions[number - 1] = None
        self.query_one(SuggestionsPanel).show_suggestions(self.view, self.suggestions, self.lang)
        self.refresh_panels()

    def action_accept_all(self) -> None:
        seg = self.current
        if seg is None:
            return
        keep: list[object | None] = []
        # No memo is written: a memo is the coder's own text. That these codings came
        # from suggestions is kept where the model keeps it (suggestion feedback, taken).
        for s in self.suggestions:
            if s is not None and float(getattr(s, "score", 0.0)) >= SUGGEST_THRESHOLD:
                code = str(getattr(s, "code", ""))
                valence = getattr(s, "valence", None) or Valence.NONE
                if self.apply_code(seg, code, valence=valence) is not None:
                    self._feedback(seg.id, code, True)
                keep.append(None)
            else:
                keep.append(s)
        self.suggestions = keep
        self.query_one(SuggestionsPanel).show_suggestions(self.view, self.suggestions, self.lang)

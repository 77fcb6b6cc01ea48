"""Full garbage collections at quiet moments, never in the middle of a keystroke.

Python starts a full collection after every tenth young one; it walks every live object
that is not frozen and takes tens of milliseconds on a full study, so whichever keystroke
it lands in misses the 50 ms target (the search keystroke's p95). While the app runs,
the automatic full collection is held back and done instead once the coder has not
touched a key for a moment; young collections stay automatic (they are short).
"""

from __future__ import annotations

import gc
import time

# Quiet this long (seconds) before a full collection may run.
QUIET_S = 0.4
# Young collections since the last full one before a full one is due (Python's default).
DUE_AFTER = 10
# A full collection never starts by itself while held.
HELD = 1 << 30
# Typing without a pause this long postpones it at most this many times over: cyclic
# garbage must not pile up in a session of non-stop keys.
OVERDUE_AFTER = 10 * DUE_AFTER


class QuietCollector:
    """Hold back automatic full collections; `tick()` does one when the app is quiet."""

    def __init__(self) -> None:
        self.last_input = time.monotonic()
        self.saved: tuple[int, int, int] | None = None
        self.collections = 0

    def hold(self) -> None:
        if self.saved is None:
            self.saved = gc.get_threshold()
            young, middle, _full = self.saved
            gc.set_threshold(young, middle, HELD)

    def release(self) -> None:
        """Python's own thresholds back (several apps run one after another in tests)."""
        if self.saved is not None:
            gc.set_threshold(*self.saved)
            self.saved = None

    def input_seen(self) -> None:
        self.last_input = time.monotonic()

    def tick(self) -> bool:
        """A full collection if one is due and no key came for QUIET_S (or it is long
        overdue); whether it ran."""
        if self.saved is None or gc.get_count()[2] < DUE_AFTER:
            return False
        overdue = gc.get_count()[2] >= OVERDUE_AFTER
        if time.monotonic() - self.last_input < QUIET_S and not overdue:
            return False
        gc.collect()
        self.collections += 1
        return True

"""The time budget of one brief (--time-limit): all its work together, from
loading to the last variant written, however its variants are spread over
the workers.

The brief's clock runs while any of its work runs and stands still while
its documents only wait for a free worker (in a batch of many briefs, that
wait is the other briefs' time, not this one's). A variant that starts gets
what is left; variants that run side by side share one end: the second one
starts later with less left, and both stop at the same moment."""

import time
from dataclasses import dataclass, field

from ..problems import Problem


@dataclass
class Budget:
    seconds: float                 # --time-limit
    variants: int = 1              # how many documents the brief builds
    used: float = 0.0              # seconds of the brief's work so far (its planning included)
    running: int = 0
    since: float = field(default_factory=time.monotonic)

    def start(self):
        """A document of the brief starts now: the seconds it may take."""
        self._tick()
        self.running += 1
        return self.left()

    def stop(self):
        self._tick()
        self.running = max(0, self.running - 1)

    def left(self):
        self._tick()
        return self.seconds - self.used

    def _tick(self):
        now = time.monotonic()
        if self.running:
            self.used += now - self.since
        self.since = now


def overrun(shown_path, variant, budget):
    """The variant stopped at the brief's deadline. With one document, as
    before: it took too long; with several, the budget is the brief's."""
    if budget.variants <= 1:
        return Problem(shown_path, 1, "", f"took longer than {_seconds(budget.seconds)} s (--time-limit)")
    return Problem(shown_path, 1, variant, f"stopped: the brief took longer than {_seconds(budget.seconds)} s "
                                           "(--time-limit bounds all the variants of a brief together)")


def ran_out(shown_path, variant, budget):
    """The variant never started: the brief's other variants used its budget up."""
    return Problem(shown_path, 1, variant, f"not built: the brief's {_seconds(budget.seconds)} s (--time-limit, "
                                           "all its variants together) ran out before this variant started")


def _seconds(seconds):
    return f"{seconds:g}"

"""Phase 5a: keep a variant within its page budget.

The variant is laid out as designed. If it runs over its budget, the theme's
fit steps (`variants/<name>.yaml`: tighter spacing first, then smaller type
down to the 8.5pt floor) are tried in order. The layout that ran over measures
by how much, and the next step tried is the first whose estimated gain covers
that, so no brief needs more than MAX_LAYOUTS layouts. If even the last step
does not fit, the caller reports how many lines are over.

When an earlier build of the same output needed a fit step, that step is
the guess: it is laid out here while a forked child lays out the design on
an idle core and says which step the design's overflow calls for. If that is
the guess, the fit goes on from the guess's layout exactly as if the two had
been laid out in turn, in half the time; if not, the child's answer is
dropped and the fit runs in turn from the design. Either way the result is
the same, so what was built before never shows in the output.

A variant that balances and ends short of its page shares out the spare
space afterwards, without another layout (balance.py).
"""

import math
from dataclasses import dataclass

from .engine import chart_height, page_height, used_height
from ..problems import BriefError, DeadlinePassed
from ..theme.spec import FitStep

MAX_LAYOUTS = 4
SPACING_SHARE = 0.25   # rough share of a short variant's height that is spacing
LEADING = 1.4          # body line height, for counting lines over


@dataclass
class Fitted:
    result: object           # what render() returned for the layout kept
    layouts: int
    step: FitStep = None     # the fit step used; None: as designed
    lines_over: int = 0      # 0 when within budget
    first: FitStep = None    # the first step tried after the design: the next build's guess


def fit_to_budget(render, spec, guess=None, beside=None):
    """render(step) -> a result with a .document; step None means as designed.
    guess: the first fit step an earlier build of the output tried;
    beside(here, there): util.parallel.beside, or None when no core is idle."""
    if spec.pages is None:
        return Fitted(render(None), 1)
    guessed = _laid_out_with_guess(render, spec, guess, beside) if guess and beside else None
    if guessed:
        result, current, layouts, first = guessed, guess, 2, guess
    else:
        result = render(None)
        current, layouts, first = _designed(spec), 1, None
        if _fits(result, spec):
            return Fitted(result, 1)
    tried = {first} - {None}
    while not _fits(result, spec) and layouts < MAX_LAYOUTS:
        step = _next_step(spec.fit, current, _demand(result.document, spec.pages), tried)
        if step is None:
            break
        tried.add(step)
        result = render(step)
        layouts += 1
        current, first = step, first or step
    lines_over = 0 if _fits(result, spec) else _lines_over(result.document, spec.pages, current)
    return Fitted(result, layouts, current, lines_over, first)


def _laid_out_with_guess(render, spec, guess, beside):
    """The guess's layout, when the design laid out beside it calls for the
    guess first; else None."""
    try:
        result, first = beside(lambda: render(guess), lambda: _first_step(render, spec))
    except DeadlinePassed:
        raise
    except BriefError:   # in turn, the design comes first: its problems, if any, are the ones to report
        return None
    return result if first == guess else None


def _first_step(render, spec):
    """The step tried first after the design, or None if the design fits."""
    result = render(None)
    if _fits(result, spec):
        return None
    return _next_step(spec.fit, _designed(spec), _demand(result.document, spec.pages), set())


def _designed(spec):
    return FitStep(1.0, spec.body_size)


def _fits(result, spec):
    return len(result.document.pages) <= spec.pages


def _next_step(steps, current, demand, tried):
    """The first untried step whose estimated gain covers the demand, else the strongest."""
    candidates = [step for step in steps if step not in tried and _gain(current, step) > 1]
    if not candidates:
        return None
    return next((step for step in candidates if _gain(current, step) >= demand), candidates[-1])


def _gain(current, step):
    """How much more content a step holds than the current one: text area grows
    with the square of the type size, spacing with its factor."""
    text = (1 - SPACING_SHARE) * (step.body_size / current.body_size) ** 2
    spacing = SPACING_SHARE * step.spacing / current.spacing
    return 1 / (text + spacing)


def _demand(document, pages):
    """Content height needed over the height the budget offers, both without
    the charts: a fit step shrinks spacing and type, a chart keeps its size."""
    available = page_height(document) * pages - chart_height(document)
    if available <= 0:   # the charts alone fill the budget: only the strongest step may help
        return math.inf
    return (available + _overflow(document, pages)) / available


def _overflow(document, pages):
    return sum(used_height(page) for page in document.pages[pages:])


def _lines_over(document, pages, step):
    line = step.body_size * 4 / 3 * LEADING   # pt -> CSS px
    return max(1, math.ceil(_overflow(document, pages) / line))

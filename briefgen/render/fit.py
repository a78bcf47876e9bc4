"""Phase 5a: keep a variant within its page budget.

The variant is laid out as designed. If it runs over its budget, the theme's
fit steps (`variants/<name>.yaml`: tighter spacing first, then smaller type
down to the 8.5pt floor) are tried in order. The layout that ran over measures
by how much, and the next step tried is the first whose estimated gain covers
that, so no brief needs more than MAX_LAYOUTS layouts. If even the last step
does not fit, the caller reports how many lines are over.

A variant that balances and ends short of its page shares out the spare
space afterwards, without another layout (balance.py).
"""

import math
from dataclasses import dataclass

from .engine import chart_height, page_height, used_height
from ..theme.resolve import FitStep

MAX_LAYOUTS = 4
SPACING_SHARE = 0.25   # rough share of a short variant's height that is spacing
LEADING = 1.4          # body line height, for counting lines over


@dataclass
class Fitted:
    result: object           # what render() returned for the layout kept
    layouts: int
    step: FitStep = None     # the fit step used; None: as designed
    lines_over: int = 0      # 0 when within budget


def fit_to_budget(render, spec):
    """render(step) -> a result with a .document; step None means as designed."""
    result = render(None)
    if spec.pages is None or len(result.document.pages) <= spec.pages:
        return Fitted(result, 1)
    current, tried, layouts = FitStep(1.0, spec.body_size), set(), 1
    while layouts < MAX_LAYOUTS:
        step = _next_step(spec.fit, current, _demand(result.document, spec.pages), tried)
        if step is None:
            break
        tried.add(step)
        result = render(step)
        layouts += 1
        current = step
        if len(result.document.pages) <= spec.pages:
            return Fitted(result, layouts, step)
    return Fitted(result, layouts, current, _lines_over(result.document, spec.pages, current))


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

"""The PDF writer: lay the composed variant out with WeasyPrint, within its
page budget (fit.py), and write the PDF atomically (pdf.py)."""

from pathlib import Path

from ..render.balance import balance
from ..render.engine import hyphen_runs
from ..render.fit import fit_to_budget
from ..render.floats import fill_gaps, marked
from ..render.layout import layout, write_pdf
from ..render.page_area import no_room_problem
from ..problems import BriefError
from ..theme.spec import FitStep
from ..util import cache, parallel
from . import Written

EXTENSION = ".pdf"


MAX_HYPHENATED_LINES = 2   # in a row; a paragraph with more is laid out again unhyphenated


def write(composed, target, options, after_layout):
    """Write the PDF to target. after_layout(document, lines over the budget)
    -> (problems, warnings) checks the layout kept: problems stop the write."""
    flowing = composed.spec.pages is None   # no page budget: a figure that moved on may float (floats.py)
    html = marked(composed.html) if flowing else composed.html

    def render(step, unhyphenated=(), html=html):
        # A fit step overrides the design's spacing and type tokens from a user
        # stylesheet (hence !important): the HTML is composed once.
        rules = [step.css(important=True)] if step else []
        rules += [f"{selector} {{ hyphens: manual !important; }}" for selector in unhyphenated]
        laid_out = layout(html, composed.base_dir, composed.shown_path, composed.roots, options.limits,
                          options.standard, extra_css="\n".join(rules) or None)
        no_room = no_room_problem(laid_out.document, composed)
        if no_room:
            raise BriefError([no_room])
        return laid_out

    # The guess is of use only with a budget and a core to lay it out on beside the design:
    # no cache I/O for a full brief or a series' rows (no core to spare there).
    beside = parallel.beside if composed.spec.pages and options.spare_core and parallel.can_fork() else None
    guess = _step_last_time(target) if beside else None
    fitted = fit_to_budget(render, composed.spec, guess, beside)
    if beside and fitted.first != guess:   # written only when it changed
        _remember_step(target, fitted.first)
    laid_out, layouts = fitted.result, fitted.layouts
    if flowing:
        html, laid_out, added = fill_gaps(html, lambda moved: render(fitted.step, html=moved), laid_out)
        layouts += added
    # A paragraph's lines break the same wherever it falls: one more layout settles them.
    runs = hyphen_runs(laid_out.document, MAX_HYPHENATED_LINES)
    if runs:
        relaid = render(fitted.step, runs, html)
        layouts += 1
        if composed.spec.pages is None or len(relaid.document.pages) <= max(composed.spec.pages,
                                                                          len(laid_out.document.pages)):
            laid_out = relaid
    if composed.spec.balance and len(laid_out.document.pages) == composed.spec.pages:
        balance(laid_out, fitted.step.spacing if fitted.step else 1.0)
    problems, warnings = after_layout(laid_out.document, fitted.lines_over)
    if problems:
        raise BriefError(problems)
    warnings += write_pdf(laid_out, target, composed.date, options.cmyk_profile, _stylesheet_text(composed))
    return Written(target, len(laid_out.document.pages), layouts, fitted.lines_over,
                   laid_out.messages + warnings, laid_out.document, laid_out.served, step=fitted.step)


def _step_last_time(target):
    """The first fit step the last build of this output tried (a guess: fit.py checks it)."""
    found = cache.recall("fit-step", _guess_key(target))
    try:
        return FitStep(*found) if found else None
    except TypeError:   # an entry of another shape: no guess
        return None


def _remember_step(target, step):
    cache.remember("fit-step", _guess_key(target), [step.spacing, step.body_size] if step else None)


def _guess_key(target):
    return str(Path(target).resolve())


def _stylesheet_text(composed):
    """Where a print conversion's warnings look up which custom property sets a colour."""
    texts = [composed.html]
    for stylesheet in composed.stylesheets:
        try:
            texts.append(stylesheet.read_text(encoding="utf-8", errors="replace"))
        except OSError:   # the layout read it; a file gone since only loses a name in a warning
            pass
    return "\n".join(texts)

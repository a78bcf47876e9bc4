"""The PDF writer: lay the composed variant out with WeasyPrint, within its
page budget (fit.py), and write the PDF atomically (pdf.py)."""

from ..fit import fit_to_budget
from ..pdf import layout, write_pdf
from ..problems import BriefError
from . import Written

EXTENSION = ".pdf"


def write(composed, target, options, over_budget):
    """Write the PDF to target. over_budget(lines) -> Problem says what to tell
    the author when even the last fit step is over; it stops the write unless
    --allow-overflow."""
    def render(step):
        # A fit step overrides the design's spacing and type tokens from a user
        # stylesheet (hence !important): the HTML is composed once.
        return layout(composed.html, composed.base_dir, composed.shown_path, composed.roots, options.limits,
                      options.standard, extra_css=step.css(important=True) if step else None)

    fitted = fit_to_budget(render, composed.spec)
    laid_out = fitted.result
    if fitted.lines_over and not options.allow_overflow:
        raise BriefError([over_budget(fitted.lines_over)])
    warnings = composed.check(laid_out.document) if composed.check else []
    write_pdf(laid_out, target, composed.date)
    return Written(target, len(laid_out.document.pages), fitted.layouts, fitted.lines_over,
                   laid_out.messages + warnings, laid_out.document)

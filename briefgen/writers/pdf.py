"""The PDF writer: lay the composed variant out with WeasyPrint, within its
page budget (fit.py), and write the PDF atomically (pdf.py)."""

from ..fit import fit_to_budget
from ..pdf import layout, write_pdf
from ..problems import BriefError
from . import Written

EXTENSION = ".pdf"


def write(composed, target, options, stops_the_write):
    """Write the PDF to target, unless stops_the_write(document, lines over the
    budget) finds problems in the layout kept: then raise them, writing nothing."""
    def render(step):
        # A fit step overrides the design's spacing and type tokens from a user
        # stylesheet (hence !important): the HTML is composed once.
        return layout(composed.html, composed.base_dir, composed.shown_path, composed.roots, options.limits,
                      options.standard, extra_css=step.css(important=True) if step else None)

    fitted = fit_to_budget(render, composed.spec)
    laid_out = fitted.result
    problems = stops_the_write(laid_out.document, fitted.lines_over)
    if problems:
        raise BriefError(problems)
    write_pdf(laid_out, target, composed.date)
    return Written(target, len(laid_out.document.pages), fitted.layouts, fitted.lines_over,
                   laid_out.messages, laid_out.document, laid_out.served)

"""The PDF writer: lay the composed variant out with WeasyPrint, within its
page budget (fit.py), and write the PDF atomically (pdf.py)."""

from ..fit import fit_to_budget
from ..pdf import layout, write_pdf
from ..problems import BriefError
from . import Written

EXTENSION = ".pdf"


def write(composed, target, options, after_layout):
    """Write the PDF to target. after_layout(document, lines over the budget)
    -> (problems, warnings) checks the layout kept: problems stop the write."""
    def render(step):
        # A fit step overrides the design's spacing and type tokens from a user
        # stylesheet (hence !important): the HTML is composed once.
        return layout(composed.html, composed.base_dir, composed.shown_path, composed.roots, options.limits,
                      options.standard, extra_css=step.css(important=True) if step else None)

    fitted = fit_to_budget(render, composed.spec)
    laid_out = fitted.result
    problems, warnings = after_layout(laid_out.document, fitted.lines_over)
    if problems:
        raise BriefError(problems)
    write_pdf(laid_out, target, composed.date)
    return Written(target, len(laid_out.document.pages), fitted.layouts, fitted.lines_over,
                   laid_out.messages + warnings, laid_out.document, laid_out.served)

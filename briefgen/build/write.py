"""Phase 5: a composed variant laid out and written by its format's writer,
with the checks after layout that stop the write: content that did not
reach the page, characters no font of the theme draws, a variant over its
budget.

Apart from the composing phases (document.py), and importing none of their
code, so that the layout process (layout_process.py) runs it having
imported only the layout engine. What it receives is plain values: the
composed variant (writers.Composed), the Options, and PageChecks.
"""

import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .. import writers
from ..compose.glyphs import ThemeFonts, glyph_problems
from ..inputs.loaded import LoadedBrief
from ..problems import Problem, field_name
from ..render.content_check import lost_content
from ..render.engine import displaced_footnotes, page_height, used_height
from ..render.layout import missing_characters, names_a_stylesheet


@dataclass
class Output:
    variant: str
    path: Path                       # the output file the writer made
    pages: int
    layouts: int = 1
    warnings: list = field(default_factory=list)
    served: list = field(default_factory=list)   # files the layout read (images in SVGs, CSS imports, fonts)
    files: list = field(default_factory=list)    # every file the writer wrote, the output first
    lines_over: int = 0              # lines over the page budget (written anyway: --allow-overflow)
    step: object = None              # the fit step the layout used (theme.FitStep); None: as designed
    last_page_used: float = None     # share of the last page's height the content fills


@dataclass
class PageChecks:
    """What the checks after layout need of the brief, made where it was composed."""
    loaded: LoadedBrief   # its content and the line of each field, for the messages
    fonts: ThemeFonts     # the theme's fonts, for characters none of them draws
    longest: list         # the longest items the variant prints: where an overflow's message points


def write_variant(composed, target, options, checks):
    """The variant's output at target, as an Output; BriefError when a check
    after layout fails (nothing is written then)."""
    loaded, spec = checks.loaded, composed.spec

    def after_layout(document, lines_over):
        problems = lost_content(composed.html, document, loaded)
        missing, glyph_warnings = glyph_problems(missing_characters(document, checks.fonts.files), loaded,
                                                 checks.fonts, options.allow_missing_glyphs)
        problems += missing
        if lines_over and not options.allow_overflow:
            problems.append(overflow_problem(loaded, checks.longest, spec, lines_over))
        return problems, glyph_warnings

    with library_warnings(loaded):  # Pillow decoding images, fontTools, ...
        written = writers.writer(options.format).write(composed, target, options, after_layout)
    found = [str(warning) for warning in loaded.warnings] + [
        message if names_a_stylesheet(message) else f"{loaded.shown_path}: {message}"  # the brief's or a stylesheet's
        for message in written.messages] + _layout_warnings(written.document, loaded)
    if written.lines_over:
        found.append(f"{overflow_problem(loaded, checks.longest, spec, written.lines_over)} "
                     "(written anyway: --allow-overflow)")
    return Output(composed.variant, target, written.pages, written.layouts, found, written.served,
                  written.files or [target], written.lines_over, written.step, _last_page_used(written.document))


def overflow_problem(loaded, longest, spec, lines):
    """'summary: 11 lines over one page; longest items: key_points[3], ...' at the longest item's line."""
    pages = {1: "one page", 2: "two pages", 3: "three pages"}.get(spec.pages, f"{spec.pages} pages")
    message = f"{lines} line{'s' if lines > 1 else ''} over {pages}"
    if longest:
        message += "; longest items: " + ", ".join(field_name(path) for path in longest)
    return Problem(loaded.shown_path, loaded.line_of(longest[0]) if longest else 1, spec.name, message)


SILENCED_WARNINGS = (
    "DeprecationWarning",        # ours to fix, not the author's
    "DecompressionBombWarning",  # Pillow's; validation's own pixel bound reports these images
)


@contextmanager
def library_warnings(loaded):
    """Python warnings of the libraries become the brief's one-line warnings
    instead of printing raw."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            for warning in caught:
                if not any(kind.__name__ in SILENCED_WARNINGS for kind in warning.category.__mro__):
                    loaded.warnings.append(Problem(loaded.shown_path, 1, "", _warning_text(warning)))


def _warning_text(warning):
    return f"{warning.category.__name__}: {warning.message}"


def _last_page_used(document):
    if document is None or not document.pages:  # a writer without pages
        return None
    return used_height(document.pages[-1]) / page_height(document)


def _layout_warnings(document, loaded):
    if document is None:  # a writer without pages
        return []
    return [f"{loaded.shown_path}: footnote {number} is printed on page {note_page}, its call on page {call_page}"
            for number, call_page, note_page in displaced_footnotes(document)]

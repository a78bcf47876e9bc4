"""A page with room for text: a theme whose @page margins (or size) leave
none would be laid out as a column of nothing, one page per word, and the
page budget's arithmetic would divide by zero. Such a layout is refused,
at the stylesheet rule that set the margins."""

from pathlib import Path

import tinycss2

from .engine import text_area
from ..problems import Problem, shown

SMALLEST_TEXT_AREA = 96    # CSS px (one inch) each way: less is no page to read


def no_room_problem(document, composed):
    """A Problem when the first page's text area is under SMALLEST_TEXT_AREA; else None."""
    width, height = text_area(document)
    if min(width, height) >= SMALLEST_TEXT_AREA:
        return None
    where = _margin_rule(composed.stylesheets)
    message = (f"the page margins leave {_mm(width)} × {_mm(height)} mm for the text of the {composed.variant} "
               "variant; make them smaller than the page")
    if where is None:
        return Problem(composed.shown_path, 1, "", message)
    return Problem(shown(where[0]), where[1], "@page", message)


def _margin_rule(stylesheets):
    """(file, line) of the last @page rule that sets a margin, in cascade order."""
    found = None
    for file in stylesheets:
        try:
            css = Path(file).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True):
            if rule.type == "at-rule" and rule.lower_at_keyword == "page" and rule.content and _sets_margin(rule):
                found = (file, rule.source_line)
    return found


def _sets_margin(rule):
    declarations = tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True, skip_comments=True)
    return any(item.type == "declaration" and item.lower_name.startswith("margin") for item in declarations)


def _mm(pixels):
    return f"{max(pixels, 0) * 25.4 / 96:.0f}"

"""The only module that reads WeasyPrint's layout internals: the box tree of a
page (`page._page_box`), box classes and their `.children`, footnote areas,
table column positions and the tuples of `page.links`. A WeasyPrint upgrade
that changes them is a change to this file alone; tests/test_engine.py holds a
test for each function.
"""

import copy
import logging
import os
from dataclasses import dataclass
from functools import lru_cache

TOLERANCE = 0.5  # CSS px: rounding in WeasyPrint's layout


@dataclass(frozen=True)
class TextRun:
    """The text of one laid-out text box."""
    text: str
    families: tuple     # its font-family list, first choice first
    on_sheet: bool      # wholly inside the sheet: nothing of it is cut off at an edge
    in_flow: bool       # in the page's body, not in a footnote area or a page margin


@dataclass(frozen=True)
class TableFit:
    """How one laid-out table sits on its page."""
    headers: tuple      # the text of each column's header cell ('' without one)
    columns: int
    outside: int        # columns that reach past the right edge of the page's text area


def text_runs(document):
    """Every text box of every page, in document order."""
    for page in document.pages:
        sheet = page._page_box
        width, height = sheet.margin_width(), sheet.margin_height()
        body, *others = sheet.children
        for part, in_flow in [(body, True)] + [(other, False) for other in others]:
            for box, fixed in _text_boxes(part):
                # a fixed box (a watermark) is repeated on every page, out of the text's flow
                yield TextRun(box.text, tuple(box.style["font_family"]), _within(box, width, height),
                              in_flow and not fixed)


def hyphen_runs(document, limit):
    """CSS selectors of the paragraphs (block boxes of lines) with more than
    `limit` lines in a row ending in a hyphen. WeasyPrint 70 has no
    hyphenate-limit-lines; writers/pdf.py lays such paragraphs out again
    unhyphenated."""
    from weasyprint.formatting_structure.boxes import LineBox, TextBox
    found, parents = {}, None
    for page in document.pages:
        html = page._page_box.children[0]
        for box in _every_box(html):
            lines = [child for child in getattr(box, "children", ()) if isinstance(child, LineBox)]
            run = longest = 0
            for line in lines:
                texts = [text for text in _boxes(line, TextBox)]
                run = run + 1 if texts and texts[-1].text.rstrip().endswith(("-", "\u2010", "\u00ad")) else 0
                longest = max(longest, run)
            if longest > limit and box.element is not None:
                # The document's tree, the same on every page: mapped once, and only when a paragraph needs it.
                parents = parents or {child: parent for parent in html.element.iter() for child in parent}
                found[_selector(box.element, parents)] = True
    return list(found)


def _selector(element, parents):
    """`html > body > section:nth-child(3) > p:nth-child(2)`: the element, and no other."""
    steps = []
    while element in parents:
        parent = parents[element]
        siblings = [child for child in parent if isinstance(child.tag, str)]
        steps.append(f"{_tag(element)}:nth-child({siblings.index(element) + 1})")
        element = parent
    return " > ".join([_tag(element)] + steps[::-1])


def _tag(element):
    return element.tag.rsplit("}", 1)[-1]   # without an XML namespace


def table_fits(document):
    """Each table of the document once (a table continued on the next page is
    the same table), with the columns that do not fit the page's width."""
    from weasyprint.formatting_structure.boxes import TableBox
    seen = {}
    for page in document.pages:
        sheet = page._page_box
        right = sheet.content_box_x() + sheet.width + TOLERANCE
        for table in _boxes(sheet, TableBox):
            ends = [x + width for x, width in zip(table.column_positions, table.column_widths)]
            headers = _header_texts(table, len(ends))
            outside = sum(end > right for end in ends)
            seen[headers] = max(outside, seen.get(headers, 0))
    return [TableFit(headers, len(headers), outside) for headers, outside in seen.items()]


def page_height(document):
    """The height of the first page's text area, CSS px."""
    return document.pages[0]._page_box.height


def used_height(page):
    """How much of a page its content and footnotes take, CSS px."""
    root, *rest = page._page_box.children
    notes = [box for box in rest if type(box).__name__ == "FootnoteAreaBox" and box.children]
    return root.height + sum(box.margin_height() for box in notes)


def figure_gaps(document, share, attribute):
    """(number, text units) of each block marked `attribute` that tops a page
    while the page before ends with more than `share` of its text area empty:
    how many of the text units after it (the children of its following
    div.text siblings, on its page) fill that gap."""
    found = []
    for previous, page in zip(document.pages, document.pages[1:]):
        area = previous._page_box.height
        gap = empty_below(previous)
        if gap <= share * area:
            continue
        parent, block = _top_block(page._page_box.children[0], attribute)
        if block is not None:
            units = _units_filling(parent.children[parent.children.index(block) + 1:], gap)
            if units:
                found.append((int(block.element.get(attribute)), units))
    return found


def empty_below(page):
    """CSS px of the page's text area left empty below its last line (or image),
    above its footnotes."""
    from weasyprint.formatting_structure.boxes import LineBox, ReplacedBox
    sheet = page._page_box
    root, *rest = sheet.children
    notes = [box for box in rest if type(box).__name__ == "FootnoteAreaBox" and box.children]
    floor = min([box.position_y for box in notes] + [sheet.content_box_y() + sheet.height])
    # lines, images and boxes with nothing inside (a rule): a box holding more ends
    # where the page does when its content goes on
    bottoms = [box.position_y + box.margin_height() for box in _every_box(root)
               if (isinstance(box, (LineBox, ReplacedBox)) or not getattr(box, "children", None))
               and box.style["position"] not in ("absolute", "fixed")]
    return max(0, floor - max(bottoms, default=sheet.content_box_y()))


def _top_block(box, attribute):
    """(parent box, box) of the marked block a page's flow starts with; (None, None) when it starts otherwise."""
    from weasyprint.formatting_structure.boxes import BlockLevelBox
    parent = None
    for _ in range(12):   # html > body > main > section > ... : a few levels at most
        if box.element is not None and box.element.get(attribute) and parent is not None:
            return parent, box
        blocks = [child for child in getattr(box, "children", ()) if isinstance(child, BlockLevelBox)
                  and child.style["position"] not in ("absolute", "fixed") and child.margin_height() > TOLERANCE]
        if not blocks:
            return None, None
        parent, box = box, blocks[0]
    return None, None


def _units_filling(siblings, gap):
    """How many text units (children of div.text boxes) in a row, from the start,
    fit in the gap; one, a paragraph that will split, when even the first does not."""
    heights = []
    for sibling in siblings:
        element = sibling.element
        if element is None or sibling.element_tag != "div" or "text" not in (element.get("class") or "").split():
            break
        heights += [unit.margin_height() for unit in sibling.children]
    count, used = 0, 0
    for height in heights:
        if used + height > gap:
            break
        count, used = count + 1, used + height
    return count or min(1, len(heights))


def displaced_footnotes(document):
    """(number, call page, note page) of footnotes printed on another page than their call."""
    note_pages = {name: number for number, page in enumerate(document.pages, 1) for name in page.anchors}
    return [(target.removeprefix("footnote-"), number, note_pages[target])
            for number, page in enumerate(document.pages, 1)
            for kind, target, *_ in page.links
            if kind == "internal" and target.startswith("footnote-") and note_pages.get(target, number) != number]


def _header_texts(table, columns):
    """The header row's cell texts by column, else the first row's."""
    groups = [group for group in table.children if getattr(group, "is_header", False)] or table.children
    rows = [row for group in groups for row in group.children]
    texts = [""] * columns
    for cell in rows[0].children if rows else ():
        if cell.grid_x < columns:
            texts[cell.grid_x] = " ".join(box.text for box, _ in _text_boxes(cell)).strip()
    return tuple(texts)


def _within(box, width, height):
    x, y = box.position_x, box.position_y
    return (x >= -TOLERANCE and y >= -TOLERANCE
            and x + box.margin_width() <= width + TOLERANCE and y + box.margin_height() <= height + TOLERANCE)


def _text_boxes(box, fixed=False):
    """(text box, whether it is inside a fixed-position box)."""
    fixed = fixed or box.style["position"] == "fixed"
    if isinstance(getattr(box, "text", None), str):
        yield box, fixed
    for child in getattr(box, "children", ()):
        yield from _text_boxes(child, fixed)


def _boxes(box, kind):
    if isinstance(box, kind):
        yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child, kind)


def adapt_weasyprint_for_layout():
    """What this module changes in WeasyPrint 70 for a layout (each change
    made once per process; see each function)."""
    reuse_parsed_stylesheets()
    remember_solved_custom_properties()


def adapt_weasyprint_for_writing():
    """What this module changes in WeasyPrint 70 (and cssselect2) for
    writing a PDF: its tags, and its SVG painting (each once per process)."""
    complete_pdf_tags()
    draw_svg_text_in_runs()
    quicker_svg_arithmetic()
    match_no_selectors_at_once()


@lru_cache(maxsize=1)
def complete_pdf_tags():
    """What PDF/UA asks of the structure tree that WeasyPrint 70 leaves out:
    a passage in another language (`<span lang="ko">`, from `[...]{lang=ko}`)
    gets its own /Lang (WeasyPrint writes only the document's), and every
    table header cell a /Scope (WeasyPrint links headers to cells by /Headers
    only, which outside checkers such as pdfua do not follow). Wraps its tree
    builder, which calls itself through the module, once per process."""
    import pydyf
    from weasyprint.pdf import tags

    if getattr(tags._build_box_tree, "briefgen", False):
        return
    build = tags._build_box_tree

    def build_with_languages(box, parent, *args):
        element = getattr(box, "element", None)
        own = element is not None and element.tag not in ("html", "body")
        language = element.get("lang") if own else None
        if getattr(box, "element_tag", None) in ("thead", "tbody", "tfoot"):
            _mark_header_scopes(box)
        for node in build(box, parent, *args):
            if node.get("P") == parent.reference:
                if language and "Lang" not in node:
                    node["Lang"] = pydyf.String(language)
                if node.get("S") == "/TH" and "A" in node and hasattr(box, "header_scope"):
                    node["A"]["Scope"] = "/" + box.header_scope
            yield node

    build_with_languages.briefgen = True
    tags._build_box_tree = build_with_languages


PER_LETTER = ("x", "y", "dx", "dy")      # SVG text attributes that may place each letter
PER_LETTER_ALWAYS = ("rotate", "letter-spacing", "textLength")


def draw_svg_text_in_runs():
    """WeasyPrint 70 lays out and draws each SVG <text> letter by letter, so
    that lists of x, dx or rotate values can place each letter: Arabic then
    comes out unjoined, no pair of letters is kerned, and each letter costs
    two Pango layouts (a chart's axis labels, some 70 layouts, 2 ms). A text
    whose letters are not placed one by one is handed to it as one run, which
    its letter loop lays out and draws whole. Wraps its text drawer where the
    svg module looks it up (TAGS, and the name draw_node compares with), once
    per process."""
    from weasyprint import svg

    if getattr(svg.text, "briefgen", False):
        return
    by_letter = svg.text

    def text_in_runs(drawing, node, font_size):
        element = node._etree_node
        if not element.text or _placed_per_letter(node.attrib):
            return by_letter(drawing, node, font_size)
        letters = element.text
        element.text = _OneRun(letters)
        try:
            return by_letter(drawing, node, font_size)
        finally:
            element.text = letters

    text_in_runs.briefgen = True
    svg.TAGS.update({tag: text_in_runs for tag, draw in svg.TAGS.items() if draw is by_letter})
    svg.text = text_in_runs


@lru_cache(maxsize=1)
def quicker_svg_arithmetic():
    """Two pure functions of WeasyPrint 70's SVG painter, made quicker, once
    per process: drawing a chart into the PDF took some 12 ms of a charted
    one-pager's CPU, and 3 ms of that went to them. Its matrix product (every transform,
    several per mark) summed each entry with a generator; the same products
    are now added in the same order, from 0 (as sum() adds them on Python
    3.11: the same floats). Its length parser (stroke widths, font sizes,
    coordinates: 300 a chart) tried float() and four regular expressions on
    each value, and its value normaliser ran the four on every one: both
    now remember the strings they have seen (lengths and coordinates repeat
    within a chart and from one row's chart to the next)."""
    import sys
    from weasyprint import matrix, svg

    def product(self, other):
        (a0, a1, a2), (b0, b1, b2), (c0, c1, c2) = other
        return matrix.Matrix(matrix=[[0 + x * a0 + y * b0 + z * c0, 0 + x * a1 + y * b1 + z * c1,
                                      0 + x * a2 + y * b2 + z * c2] for x, y, z in self])

    matrix.Matrix.__matmul__ = product
    painter = [module for name, module in sys.modules.items() if name.split(".")[:2] == ["weasyprint", "svg"]]
    for name in ("size", "normalize"):
        original = getattr(svg.utils, name)
        remembered = lru_cache(maxsize=4096)(original)
        for module in painter:   # each of its modules imported them by name
            if getattr(module, name, None) is original:
                setattr(module, name, remembered)


@lru_cache(maxsize=1)
def match_no_selectors_at_once():
    """cssselect2's Matcher reads an element's id, classes, name and
    namespace (each computed under a lock the first time) before it looks at
    its selectors, even when it holds none. WeasyPrint's SVG painter asks two
    matchers, one per <style> importance, for each element of an image, and
    a chart has no <style>: 0.8 ms of a chart's drawing. A matcher without a
    selector now answers at once, with the same empty list."""
    import cssselect2

    match = cssselect2.Matcher.match
    if getattr(match, "briefgen", False):
        return

    def match_unless_empty(self, element):
        if not (self.id_selectors or self.class_selectors or self.lower_local_name_selectors
                or self.namespace_selectors or self.lang_attr_selectors or self.other_selectors):
            return []
        return match(self, element)

    match_unless_empty.briefgen = True
    cssselect2.Matcher.match = match_unless_empty


SOLVED_VALUES_KEPT = 4096


@lru_cache(maxsize=1)
def remember_solved_custom_properties():
    """A declaration that uses var() (every style token of the theme) is
    checked by WeasyPrint 70 for each element it applies to, once the
    variables are substituted: a shorthand such as `font: 600 7.5pt
    var(--font-heading)` is parsed whole again for each of its longhands.
    That was 3 ms of a series row, 111 checks of 100 distinct ones. The
    same declaration with the same substituted tokens (compared as the CSS
    text they write) and base URL gives the same value, so it is checked
    once per process. The value is shared as an inherited value already is
    between an element and its children; a declaration that fails is not
    remembered, so it warns as before."""
    import tinycss2
    from weasyprint.css.tokens import Pending

    solve = Pending.solve
    if getattr(solve, "briefgen", False):
        return
    solved = {}

    def remembered(self, tokens, wanted_key, base_url):
        key = (self, wanted_key, base_url, tinycss2.serialize(tokens))
        if key not in solved:
            if len(solved) >= SOLVED_VALUES_KEPT:
                solved.clear()
            solved[key] = solve(self, tokens, wanted_key, base_url)
        return solved[key]

    remembered.briefgen = True
    Pending.solve = remembered


class _OneRun(str):
    """A text that WeasyPrint's letter loop (`for char in node.text`) takes as one letter."""

    def __iter__(self):
        yield str(self)


def _placed_per_letter(attributes):
    """Split as WeasyPrint's letter loop splits them ("10-5" is two values)."""
    from weasyprint.svg.utils import normalize
    return any(name in attributes for name in PER_LETTER_ALWAYS) or any(
        len(normalize(attributes[name]).split()) > 1 for name in PER_LETTER if name in attributes)


def _mark_header_scopes(row_group):
    """`Column` or `Row` for each <th> of a row group: its scope attribute,
    else its position (a header in <thead>, or anywhere but first in a row
    that has more cells, heads a column)."""
    for row in row_group.children:
        for index, cell in enumerate(row.children):
            if getattr(cell, "element_tag", None) == "th":
                cell.header_scope = header_scope(cell.element.get("scope"), row_group.element_tag == "thead",
                                                 index == 0 and len(row.children) > 1)


def header_scope(attribute, in_head, first_of_several):
    scope = (attribute or "").lower()
    if scope in ("row", "rowgroup"):
        return "Row"
    if scope in ("col", "colgroup") or in_head:
        return "Column"
    return "Row" if first_of_several else "Column"


def chart_height(document):
    """The height of the charts (figure.chart boxes) on every page."""
    return sum(box.margin_height() for page in document.pages for box in _every_box(page._page_box)
               if box.element_tag == "figure" and "chart" in (box.element.get("class") or "").split())


def _every_box(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _every_box(child)


def text_area(document):
    """(width, height) of the first page's text area (inside its margins), CSS px."""
    box = document.pages[0]._page_box
    return box.width, box.height


# Parsed stylesheets a process keeps, and how many it parsed: a series' rows,
# a fit's layouts and watch's rebuilds link the same theme stylesheets.
PARSED_STYLESHEETS = {}
MAX_PARSED_STYLESHEETS = 16
STYLESHEET_PARSES = {"parsed": 0, "reused": 0}


@lru_cache(maxsize=1)
def reuse_parsed_stylesheets():
    """A `<link rel=stylesheet>` or `<style>` is parsed once per process and
    font configuration, not once per layout: a linked sheet's parse (tinycss2,
    selectors, and its @font-face fonts added to Fontconfig again) was a fifth
    of a one-page summary's layout, and the `<style>` of the labels the CSS
    prints (the same for every row of a language) 1.6 ms of a series row; a
    `<style>` is known by its text. WeasyPrint's stylesheet finder names its
    CSS class through its module; that name is wrapped, once per process. A
    sheet is reused only while every file its parse read (the sheet, its
    imports, its fonts) has the same stamp, and only one whose parse warned of nothing and
    added no counter style, colour profile or layer (state of the document,
    not of the sheet). The document's @page rules list is shared by all its
    author sheets: a reused sheet's rules are added to it as a parse would."""
    from weasyprint import css as weasyprint_css

    parse = weasyprint_css.CSS
    if getattr(parse, "briefgen", False):
        return

    def stylesheet(*args, url_fetcher=None, matcher=None, page_rules=None, layers=None, **options):
        source = {name: options.pop(name) for name in ("url", "string") if options.get(name) is not None}
        if args or len(source) != 1 or matcher is not None or page_rules is None or not hasattr(url_fetcher, "served"):
            return parse(*args, url_fetcher=url_fetcher, matcher=matcher, page_rules=page_rules, layers=layers,
                         **source, **options)
        key = (*source.items(), options.get("base_url"), options.get("media_type"), id(options.get("font_config")),
               tuple(url_fetcher.roots))
        kept = PARSED_STYLESHEETS.pop(key, None)
        if kept and kept.font_config is options.get("font_config") and kept.stamps == _stamps(kept.served):
            PARSED_STYLESHEETS[key] = kept   # last again: the sheets least recently used go first
            return kept.reused(url_fetcher, page_rules, layers)
        return _parsed(parse, key, source, url_fetcher, page_rules, layers, options)

    stylesheet.briefgen = True
    weasyprint_css.CSS = stylesheet


@dataclass
class _KeptStylesheet:
    sheet: object
    page_rules: list     # the @page rules its parse added to the document's list
    served: list         # the files its parse read
    stamps: list
    font_config: object

    def reused(self, url_fetcher, page_rules, layers):
        logging.getLogger("weasyprint.progress").info("Step 2 - Fetching and parsing CSS - %s", self.sheet.url)
        STYLESHEET_PARSES["reused"] += 1
        url_fetcher.served += self.served
        page_rules += self.page_rules
        sheet = copy.copy(self.sheet)
        sheet.page_rules, sheet.layers = page_rules, layers
        return sheet


def _parsed(parse, key, source, url_fetcher, page_rules, layers, options):
    counters, profiles = options.get("counter_style"), options.get("color_profiles")
    before = (len(page_rules), len(layers), len(counters or ()), len(profiles or ()),
              len(url_fetcher.served), len(url_fetcher.refused))
    warnings = _WarningCount(logging.WARNING)
    logging.getLogger("weasyprint").addHandler(warnings)
    try:
        sheet = parse(url_fetcher=url_fetcher, page_rules=page_rules, layers=layers, **source, **options)
    finally:
        logging.getLogger("weasyprint").removeHandler(warnings)
    STYLESHEET_PARSES["parsed"] += 1
    after = (len(page_rules), len(layers), len(counters or ()), len(profiles or ()),
             len(url_fetcher.served), len(url_fetcher.refused))
    if warnings.count or after[1:4] != before[1:4] or after[5] != before[5]:
        return sheet
    sheet.url = source.get("url", "CSS string")   # as WeasyPrint's progress log names it
    served = url_fetcher.served[before[4]:]
    stamps = _stamps(served)
    if stamps is None:
        return sheet
    if len(PARSED_STYLESHEETS) >= MAX_PARSED_STYLESHEETS:
        PARSED_STYLESHEETS.pop(next(iter(PARSED_STYLESHEETS)))
    PARSED_STYLESHEETS[key] = _KeptStylesheet(sheet, page_rules[before[0]:], served, stamps,
                                              options.get("font_config"))
    return sheet


def _stamps(paths):
    stamps = []
    for path in paths:
        try:
            status = os.stat(path)
        except OSError:
            return None
        stamps.append((status.st_size, status.st_mtime_ns, status.st_ino))
    return stamps


class _WarningCount(logging.Handler):
    """Counts WeasyPrint's warnings while a stylesheet is parsed."""
    count = 0

    def emit(self, record):
        self.count += 1

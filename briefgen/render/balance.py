"""Phase 5b: share a short page's spare space out between its blocks.

A variant that balances (`balance: true`, the one-page summary) and ends
short of its last page would otherwise leave a hole above the footer. The
layout kept is not laid out again: every vertical gap of the page's flow (the
margins between blocks and the padding inside a block, before its first
child and after its last) is stretched by the same factor, and each box is
moved down by what the gaps above it gained, so the page's content ends on
the last line of the text area. A gap grows to at most MAX_SPACING times
its designed size (of the fit step's spacing, if one was taken); a page with
more spare space keeps the rest at the bottom.

What moves as a whole: lines (and the text within them), images, tables and
flex and grid containers (their inner spacing is part of their design).
Floats move with the flow around them; positioned and running elements
(the summary's footer is one, in the page margin) stay where they are.
"""

from functools import partial

from .engine import page_height, used_height

BALANCE_FROM = 0.03    # spare space under this share of the text area is left as it is
MAX_SPACING = 2.0      # the most a balanced variant's spacing opens up


def balance(laid_out, spacing=1.0):
    """Stretch the gaps of the layout's last page to fill it; the spacing
    factor the layout used caps how far."""
    document = laid_out.document
    height = page_height(document)
    spare = height - used_height(document.pages[-1])
    if spare < BALANCE_FROM * height:
        return
    root = document.pages[-1]._page_box.children[0]
    stretchable = _gaps(root)
    if stretchable > 0:
        root.height += _stretch(root, min(MAX_SPACING / spacing, 1 + spare / stretchable) - 1)
        _place_again(laid_out)


def _place_again(laid_out):
    """Backgrounds, links, anchors and bookmarks were placed where the boxes
    were laid out: place them again (the images come from the layout's cache)."""
    from weasyprint import DEFAULT_OPTIONS
    from weasyprint.document import Page
    from weasyprint.images import get_image_from_uri
    from weasyprint.layout.background import layout_backgrounds

    page_box = laid_out.document.pages[-1]._page_box
    layout_backgrounds(page_box, partial(get_image_from_uri, cache=laid_out.images,
                                         url_fetcher=laid_out.document.url_fetcher, options=DEFAULT_OPTIONS))
    laid_out.document.pages[-1] = Page(page_box)


def _flow_gaps(box):
    """(child, the gap above it) for each in-flow child of a block that
    stretches, then (None, the gap below the last child)."""
    if not _stretches(box):
        return
    top, flow = _padding_top(box), False
    for child in box.children:
        if child.is_in_normal_flow():
            yield child, max(0, _border_top(child) - top)
            top, flow = _border_bottom(child), True
    if flow:
        yield None, max(0, _padding_bottom(box) - top)


def _gaps(box):
    """The total height of the box's stretchable gaps, its children's included."""
    return sum(gap + (_gaps(child) if child else 0) for child, gap in _flow_gaps(box))


def _stretch(box, extra):
    """Move the box's children down by what the gaps above each gained (each
    gap grows by `extra` of itself); returns how much taller the box grew.
    A float moves with the flow before it; positioned boxes stay."""
    gaps = {id(child) if child else None: gap for child, gap in _flow_gaps(box)}   # measured before moving
    moved = 0
    for child in box.children if gaps else ():
        if id(child) in gaps:
            moved += gaps[id(child)] * extra
            child.translate(dy=moved)
            grown = _stretch(child, extra)
            child.height += grown
            moved += grown
        elif child.is_floated():
            child.translate(dy=moved)
    return moved + gaps.get(None, 0) * extra


def _stretches(box):
    """A block whose children are laid out one under another (blocks or lines)."""
    from weasyprint.formatting_structure.boxes import BlockContainerBox, TableCellBox
    return isinstance(box, BlockContainerBox) and not isinstance(box, TableCellBox)


def _padding_top(box):
    return box.position_y + box.margin_top + box.border_top_width


def _padding_bottom(box):
    return _padding_top(box) + box.padding_height()


def _border_top(box):
    return box.position_y + box.margin_top


def _border_bottom(box):
    return _border_top(box) + box.border_height()

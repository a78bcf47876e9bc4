"""Figures that float to the top of the next page, as print layouts do.

A figure (or a short table) kept whole moves to the next page when it does not
fit, and WeasyPrint 70 has no page floats: the page it left ends empty. When
a page ends more than a third empty before such a figure, the text that
follows the figure in its section is moved in front of it, as much as fills
the gap (whole paragraphs of it, counted from the layout), and the document is
laid out again: the figure tops the next page, the text fills the gap. A
figure is never moved past another block (figures keep their order and their
numbers) nor out of its section; a cross-reference's page is the layout's, so
it follows.
"""

import re
from html.parser import HTMLParser

from .engine import figure_gaps

MOVABLE = re.compile(r'<(figure) class="figure[^"]*"|<(div) class="table-block table-short[^"]*"')
FLOAT_ATTRIBUTE = "data-float"
GAP_SHARE = 1 / 3          # of the page's text area: more than this empty before a moved figure is a gap
MAX_PASSES = 3             # layouts added at most, for a document with several gaps


def marked(html):
    """The HTML with each movable block numbered (data-float="N"), so a layout's boxes name them."""
    counter = iter(range(1, 1 << 30))
    return MOVABLE.sub(lambda match: f'{match.group(0)} {FLOAT_ATTRIBUTE}="{next(counter)}"', html)


def fill_gaps(html, relayout, laid_out):
    """(html, layout, layouts added) with the gaps before moved figures filled:
    relayout(html) lays a changed HTML out. A layout that makes nothing better is dropped."""
    added = 0
    for _ in range(MAX_PASSES):
        gaps = figure_gaps(laid_out.document, GAP_SHARE, FLOAT_ATTRIBUTE)
        if not gaps:
            break
        moved = html
        for number, units in sorted(gaps, reverse=True):   # from the end: earlier offsets stay valid
            moved = _moved_after(moved, number, units)
        if moved == html:
            break
        candidate, added = relayout(moved), added + 1
        if len(figure_gaps(candidate.document, GAP_SHARE, FLOAT_ATTRIBUTE)) >= len(gaps) \
                or len(candidate.document.pages) > len(laid_out.document.pages):
            break
        html, laid_out = moved, candidate
    return html, laid_out, added


def _moved_after(html, number, units):
    """The HTML with block `number` moved after the `units` text units that follow
    it (paragraphs, lists: the children of its following div.text siblings)."""
    tree = _Tree.of(html)
    block = next((node for node in tree.nodes if node.attrs.get(FLOAT_ATTRIBUTE) == str(number)), None)
    if block is None or units < 1:
        return html
    following = _text_units(block)
    if len(following) < units:
        units = len(following)
    if not units:
        return html
    last = following[units - 1]
    piece = html[block.start:block.end]
    container = last.parent
    if last is container.children[-1]:
        at, inserted = container.end, piece
    else:   # inside a div.text: close it, the figure, open it again (the figure stays out of .text)
        opening = html[container.start:container.start_tag_end]
        at, inserted = last.end, f"</{container.tag}>\n{piece}\n{opening}"
    return html[:block.start] + html[block.end:at] + inserted + html[at:]


def _text_units(block):
    """The text units after a block, in its parent, up to the next block that is not text."""
    siblings = block.parent.children
    units = []
    for sibling in siblings[siblings.index(block) + 1:]:
        if sibling.tag == "div" and "text" in sibling.attrs.get("class", "").split():
            units += sibling.children
        else:
            break
    return units


class _Node:
    def __init__(self, tag, attrs, start, start_tag_end, parent):
        self.tag, self.attrs, self.start, self.start_tag_end, self.parent = tag, attrs, start, start_tag_end, parent
        self.end, self.children = start_tag_end, []


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Tree(HTMLParser):
    """Elements of an HTML text with their offsets in it (html.parser: no rewriting of the text)."""

    @classmethod
    def of(cls, html):
        tree = cls(convert_charrefs=False)
        tree.text, tree.lines = html, [0] + [match.end() for match in re.finditer("\n", html)]
        tree.root = _Node("#root", {}, 0, 0, None)
        tree.open, tree.nodes = [tree.root], []
        tree.feed(html)
        tree.close()
        return tree

    def position(self):
        line, column = self.getpos()
        return self.lines[line - 1] + column

    def handle_starttag(self, tag, attrs):
        start = self.position()
        node = _Node(tag, dict(attrs), start, start + len(self.get_starttag_text()), self.open[-1])
        self.open[-1].children.append(node)
        self.nodes.append(node)
        if tag not in VOID:
            self.open.append(node)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.open.pop()

    def handle_endtag(self, tag):
        if not any(node.tag == tag for node in self.open[1:]):
            return
        end = self.text.index(">", self.position()) + 1
        while self.open[-1].tag != tag:      # an element left open (a <p> the parser closes)
            self.open.pop().end = self.position()
        self.open.pop().end = end

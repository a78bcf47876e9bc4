"""Inline markdown of a translation unit as protected codes, for exchange files.

A paragraph's text becomes a list of plain strings and Codes: a citation
(`[@tip-report]`), a cross-reference (`@fig-tiers`) or inline code is a
standalone code (XLIFF `<ph>`); emphasis, a link, a passage in another
language and an inline footnote (`^[...]`) are paired codes around text the
translator translates (XLIFF `<pc>`). A translator moves the codes but cannot
change what they stand for: the markdown they stand for is put back from the
source on import.
"""

import re
from dataclasses import dataclass, field

from ..content.crossref import REFERENCE
from ..content.markdown import CITATION, IN_TEXT

WHAT = {"strong": "bold", "emphasis": "italics", "link": "a link", "span": "a passage in another language",
        "footnote": "a footnote", "image": "an image", "citation": "a citation", "crossref": "a cross-reference",
        "code": "code"}
CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
LINK_END = re.compile(r"\]\(([^()\s]*(?:\([^()\s]*\))?[^()\s]*)\)")
SPAN_END = re.compile(r"\]\{[^{}]*\}")


@dataclass
class Code:
    """Markup the translator keeps: `start` alone (standalone), or `start`
    and `end` around `children` (paired)."""
    id: str
    kind: str
    start: str
    end: str = None
    children: list = field(default_factory=list)

    @property
    def paired(self):
        return self.end is not None

    def describe(self):
        shown = f"{self.start}…{self.end}" if self.paired else self.start
        return f"{WHAT[self.kind]} {shown}"


def parse(text):
    """A paragraph's markdown -> [str | Code], codes numbered 1, 2, ... in order."""
    counter = iter(range(1, 10_000))
    return _parse(text, counter)


def to_markdown(nodes):
    """The markdown of parsed (or translated) nodes."""
    out = []
    for node in nodes:
        if isinstance(node, Code):
            out.append(node.start + (to_markdown(node.children) + node.end if node.paired else ""))
        else:
            out.append(node)
    return "".join(out)


def codes(nodes):
    """Every code of the nodes, depth first, in order."""
    for node in nodes:
        if isinstance(node, Code):
            yield node
            yield from codes(node.children)


def _parse(text, counter):
    nodes, plain, position = [], [], 0
    while position < len(text):
        found = _code_at(text, position, counter)
        if found is None:
            step = 2 if text[position] == "\\" else 1   # an escaped character stays text
            plain.append(text[position:position + step])
            position += step
            continue
        code, position = found
        if plain:
            nodes.append("".join(plain))
            plain = []
        nodes.append(code)
    if plain:
        nodes.append("".join(plain))
    return nodes


def _code_at(text, position, counter):
    """(Code, position after it) for markup starting at position, or None."""
    char, before = text[position], text[position - 1] if position else " "
    if char == "`":
        match = CODE_SPAN.match(text, position)
        return match and (Code(str(next(counter)), "code", match.group()), match.end())
    if text.startswith("^[", position):
        return _paired(text, position, 2, "footnote", counter, closing="]")
    if text.startswith("![", position):
        return _bracketed(text, position + 1, counter, "image", start="![")
    if char == "[":
        citation = CITATION.match(text, position)
        if citation:
            return Code(str(next(counter)), "citation", citation.group()), citation.end()
        return _bracketed(text, position, counter)
    if char == "@" and not re.match(r"\w", before):
        match = REFERENCE.match(text, position) or IN_TEXT.match(text, position)
        kind = "crossref" if REFERENCE.match(text, position) else "citation"
        return match and (Code(str(next(counter)), kind, match.group()), match.end())
    if text.startswith("**", position) or text.startswith("__", position):
        return _emphasis(text, position, text[position:position + 2], "strong", counter)
    if char in "*_" and not (char == "_" and re.match(r"\w", before)):
        return _emphasis(text, position, char, "emphasis", counter)
    return None


def _closing_bracket(text, opening):
    """Index of the `]` that closes the `[` at opening, or -1."""
    depth, position = 0, opening
    while position < len(text):
        char = text[position]
        if char == "\\":
            position += 2
            continue
        depth += (char == "[") - (char == "]")
        if depth == 0:
            return position
        position += 1
    return -1


def _paired(text, position, width, kind, counter, closing):
    close = _closing_bracket(text, position + width - 1)
    if close < 0:
        return None
    code = Code(str(next(counter)), kind, text[position:position + width], closing)
    code.children = _parse(text[position + width:close], counter)
    return code, close + len(closing)


def _bracketed(text, position, counter, kind=None, start="["):
    """[text](url), [text]{lang=xx} or, with kind 'image', ![alt](path)."""
    close = _closing_bracket(text, position)
    if close < 0:
        return None
    end = LINK_END.match(text, close) or (kind is None and SPAN_END.match(text, close))
    if not end:
        return None
    kind = kind or ("link" if end.group().startswith("](") else "span")
    code = Code(str(next(counter)), kind, start, end.group())
    code.children = _parse(text[position + 1:close], counter)
    return code, end.end()


def _emphasis(text, position, delimiter, kind, counter):
    """*text*, _text_, **text**: the closing delimiter after a non-space."""
    inner_start = position + len(delimiter)
    if inner_start >= len(text) or text[inner_start].isspace():
        return None
    pattern = re.compile(rf"(?<=\S){re.escape(delimiter)}" + ("" if len(delimiter) == 2 else rf"(?!{re.escape(delimiter)})"))
    search_from = inner_start
    while True:
        match = pattern.search(text, search_from)
        if not match:
            return None
        if len(delimiter) == 1 and text[match.start() - 1] == delimiter:   # part of a ** inside
            search_from = match.end()
            continue
        break
    code = Code(str(next(counter)), kind, delimiter, delimiter)
    code.children = _parse(text[inner_start:match.start()], counter)
    return code, match.end()

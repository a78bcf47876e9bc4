"""The draft's blocks and inlines made into what a brief's markdown can say.

What the brief format has no form for is turned into text it can hold (an
equation into its TeX as code, a link to a file into its words) and written
in the report, with where it was. Footnotes become numbered placeholders,
filled with `^[...]` once the markdown is written (pandoc's markdown writer
only writes reference notes)."""

from urllib.parse import urlsplit

from .edition import cross_reference, link_citation
from .tree import flattened, node, stringify, text_inlines, words

LINK_SCHEMES = ("http", "https", "mailto")
NOTE_MARK = "\ue000{}\ue001"      # private-use characters: pandoc writes them as they are
XREF_MARK = "\ue002{}\ue003"      # a cross-reference, written once the figures' and tables' ids are known
UNWRAPPED = {"Underline", "SmallCaps"}   # the format has no markdown for these: their text stays


class Cleaner:
    """Walks blocks and inlines; `where` is the heading the walk is under."""

    def __init__(self, report, pictures, cite_keys):
        self.report, self.pictures, self.cite_keys = report, pictures, cite_keys
        self.notes = []          # each note's inlines, numbered by position
        self.crossrefs = []      # (kind, id, the link's words), numbered by position
        self.where = "before the first heading"

    # --- blocks ---------------------------------------------------------------

    def blocks(self, blocks):
        cleaned = []
        for block in blocks:
            cleaned.extend(self.block(block))
        return cleaned

    def block(self, block):
        kind, content = block.get("t"), block.get("c")
        handler = getattr(self, f"_block_{kind}", None)
        if handler:
            return handler(content)
        if kind in ("Para", "Plain"):
            return [node(kind, self.inlines(content))]
        if kind in ("CodeBlock", "HorizontalRule"):
            return [block]
        if kind == "Null":
            return []
        self.report.add(self.where, f"a {kind} block", "kept as text")
        return [node("Para", text_inlines(stringify(block)))]

    def _block_Header(self, content):
        level, _, inlines = content
        self.where = f"under '{words(stringify(inlines))}'"
        return [node("Header", [level, ["", [], []], self.inlines(inlines)])]

    def _block_BlockQuote(self, content):
        return [node("BlockQuote", self.blocks(content))]

    def _block_BulletList(self, content):
        return [node("BulletList", [self.blocks(item) for item in content])]

    def _block_OrderedList(self, content):
        (start, _, _), items = content
        attributes = [start, {"t": "Decimal"}, {"t": "Period"}]
        return [node("OrderedList", [attributes, [self.blocks(item) for item in items]])]

    def _block_Div(self, content):
        return self.blocks(content[1])

    def _block_LineBlock(self, content):
        return [node("LineBlock", [self.inlines(line) for line in content])]

    def _block_DefinitionList(self, content):
        blocks = []
        for term, definitions in content:
            blocks.append(node("Para", [node("Strong", self.inlines(term))]))
            for definition in definitions:
                blocks.extend(self.blocks(definition))
        return blocks

    def _block_RawBlock(self, content):
        self.report.add(self.where, f"raw {content[0]} content {_quoted(content[1])}", "kept as text")
        return [node("Para", text_inlines(content[1]))]

    def _block_Table(self, content):
        """A table inside a list or a quote (the brief's tables stand alone): its rows as text."""
        self.report.add(self.where, "a table inside a list or quote", "kept as text, one paragraph a row")
        _, _, _, head, bodies, foot = content
        rows = head[1] + [row for body in bodies for row in body[2] + body[3]] + foot[1]
        return [node("Para", self.inlines(_row_inlines(row))) for row in rows]

    def _block_BriefCallout(self, content):
        """A call-out where the brief has no blocks (a summary): its title in bold, then its text."""
        title, body = content
        return ([node("Para", [node("Strong", self.inlines(title))])] if title else []) + self.blocks(body)

    def _block_BriefQuote(self, content):
        quote, source = content
        return [node("BlockQuote", self.blocks(quote))] + ([node("Para", self.inlines(source))] if source else [])

    def _block_Figure(self, content):
        _, (_, caption), blocks = content
        return self.blocks(blocks) + self.blocks(caption)

    # --- inlines --------------------------------------------------------------

    def inlines(self, inlines):
        cleaned = []
        for inline in inlines:
            cleaned.extend(self.inline(inline))
        return cleaned

    def inline(self, inline):
        kind, content = inline.get("t"), inline.get("c")
        if kind in ("Str", "Space", "SoftBreak", "LineBreak", "Code"):
            return [inline]
        if kind in UNWRAPPED:
            return self.inlines(content)
        if kind == "Strikeout":
            self.report.add(self.where, f"struck-through text {_quoted(stringify(content))}",
                            "kept, not struck through")
            return self.inlines(content)
        if kind in ("Emph", "Strong", "Superscript", "Subscript"):
            return [node(kind, self.inlines(content))]
        if kind == "Quoted":
            return [node("Quoted", [content[0], self.inlines(content[1])])]
        handler = getattr(self, f"_inline_{kind}", None)
        if handler:
            return handler(content)
        self.report.add(self.where, f"a {kind} element {_quoted(stringify(inline))}", "kept as text")
        return text_inlines(stringify(inline))

    def _inline_Span(self, content):
        (_, _, attributes), inlines = content
        language = dict(attributes).get("lang")
        inner = self.inlines(inlines)
        return [node("Span", [["", [], [["lang", language]]], inner])] if language else inner

    def _inline_Link(self, content):
        _, inlines, (url, _) = content
        cited = link_citation(url, stringify(inlines), self.cite_keys)
        if cited:
            suffix = [node("Str", ","), node("Space"), *text_inlines(cited[1])] if cited[1] else []
            return [node("Cite", [[{"citationId": cited[0], "citationPrefix": [], "citationSuffix": suffix,
                                    "citationMode": {"t": "NormalCitation"}, "citationNoteNum": 0,
                                    "citationHash": 0}], [node("Str", "")]])]
        if cross_reference(url):
            self.crossrefs.append((*cross_reference(url), words(stringify(inlines)), self.where))
            return [node("Str", XREF_MARK.format(len(self.crossrefs) - 1))]
        inner = self.inlines(inlines)
        if urlsplit(url).scheme.lower() in LINK_SCHEMES:
            return [node("Link", [["", [], []], inner, [url, ""]])]
        what = "a link inside the document" if url.startswith("#") else f"a link to '{url}'"
        self.report.add(self.where, f"{what} on {_quoted(stringify(inlines))}", "kept as text without the link")
        return inner

    def _inline_Image(self, content):
        return self.pictures.inline(content, self.where)

    def _inline_Math(self, content):
        kind, tex = content
        self.report.add(self.where, f"an equation {_quoted(tex)}", "kept as its TeX, as code")
        return [node("Code", [["", [], []], tex])]

    def _inline_RawInline(self, content):
        self.report.add(self.where, f"raw {content[0]} content {_quoted(content[1])}", "kept as text")
        return text_inlines(content[1])

    def _inline_Cite(self, content):
        citations, fallback = content
        unknown = [c["citationId"] for c in citations if c["citationId"] not in self.cite_keys]
        if unknown:
            self.report.add(self.where, f"a citation of {', '.join(unknown)} with no entry in the document",
                            "kept as its printed text")
            return self.inlines(fallback)
        # The brief's citations take a locator, not a prefix: a prefix goes before the brackets.
        before = [inline for citation in citations for inline in self.inlines(citation["citationPrefix"])]
        rekeyed = [dict(citation, citationId=self.cite_keys[citation["citationId"]], citationPrefix=[],
                        citationSuffix=self.inlines(citation["citationSuffix"])) for citation in citations]
        return before + [node("Space")] * bool(before) + [node("Cite", [rekeyed, [node("Str", "")]])]

    def _inline_Note(self, content):
        where = self.where
        self.where = f"in a footnote {where}"
        inlines = flattened(self.blocks(content))
        while inlines and inlines[0].get("t") in ("Space", "SoftBreak"):   # after Word's note mark, unwrapped
            inlines = inlines[1:]
        self.notes.append(inlines)
        self.where = where
        return [node("Str", NOTE_MARK.format(len(self.notes) - 1))]


def _row_inlines(row):
    inlines = []
    for cell in row[1]:
        if inlines:
            inlines.extend([node("Space"), node("Str", "|"), node("Space")])
        inlines.extend(flattened(cell[4]))
    return inlines


def _quoted(text, limit=60):
    text = words(text)
    return f"'{text[:limit]}…'" if len(text) > limit else f"'{text}'"

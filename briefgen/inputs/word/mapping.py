"""The draft's blocks as a brief: headings of the top level used become
sections (deeper ones stay inside them as markdown headings), tables become
table blocks, captioned pictures figure blocks, and the sections named like
the brief's own fields ("Key points", "Summary", "Recommendations") fill them.

Markdown is not written here: every markdown field holds a Chunk (pandoc
blocks), and all of them are written in one pandoc run afterwards."""

import re
from dataclasses import dataclass

from .tree import block_inlines, flattened, list_items, node, plain, stringify, words

MAX_KEY_POINTS = 6
SOURCE_LINE = re.compile(r"^\s*(sources?|note)\s*:\s*", re.I)
NO_CAPTION = "No caption in the draft"
# Word's numbered caption label ("Table 3: ", "Figure 2. "): the brief numbers its own.
CAPTION_LABEL = re.compile(r"^\s*(Table|Figure|Fig\.|Chart|Graph)\s+[0-9]+\s*[:.\u2013\u2014-]?\s*", re.I)
FIELDS = ("key_points", "summary", "recommendations", "references")


@dataclass(eq=False)
class Chunk:
    """Blocks that become one markdown text."""
    blocks: list


def heading_name(text):
    """'2. Key points:' -> 'key points' (how a heading is compared with the field names)."""
    text = re.sub(r"^\s*([0-9]+|[IVXLC]+)[.)]?\s+", "", words(text))
    return text.rstrip(" :.").casefold()


class Mapper:
    def __init__(self, cleaner, pictures, report, names):
        self.cleaner, self.pictures, self.report = cleaner, pictures, report
        self.names = {field: {heading_name(name) for name in found} for field, found in names.items()}
        self.tables = self.figures = 0
        self.cited = bool(cleaner.cite_keys)

    def brief(self, blocks):
        """{summary, key_points, sections, recommendations} from the body (title and
        other metadata already taken out), plus the text before the first heading."""
        blocks = self._without_empty_headings(blocks)
        level = min((block["c"][0] for block in blocks if block.get("t") == "Header"), default=None)
        preamble, sections = _split(blocks, level)
        mapped, body = {}, []
        for header, content in sections:
            title = words(stringify(header["c"][2]))
            field = self._field(title)
            self.cleaner.where = f"under '{title}'"
            if field and field not in mapped:
                value = getattr(self, f"_{field}")(content, level, title)
                if value is not None:
                    if field != "references":
                        mapped[field] = value
                    continue
            body.append({"title": title, "content": self.content(content, level, title)})
        self.cleaner.where = "before the first heading"
        return mapped, body, preamble

    def _without_empty_headings(self, blocks):
        kept, where = [], "before the first heading"
        for block in blocks:
            if block.get("t") == "Header" and not stringify(block).strip():
                self.report.add(where, "a heading with no words", "left out")
                continue
            if block.get("t") == "Header":
                where = f"under '{words(stringify(block))}'"
            kept.append(block)
        return kept

    def _field(self, title):
        name = heading_name(title)
        return next((field for field in FIELDS if name in self.names.get(field, ())), None)

    # --- the brief's fields --------------------------------------------------

    def _summary(self, blocks, level, title):
        return Chunk(self.cleaner.blocks(blocks))

    def _references(self, blocks, level, title):
        """The draft's list of references: the brief prints its own, from the
        citations, so the draft's list is left out when it has citations (kept otherwise)."""
        if not self.cited:
            return None
        where = f"under '{title}'"
        self.report.add(where, "the draft's list of references",
                        "left out: the brief prints its references from the citations")
        return True

    def _key_points(self, blocks, level, title):
        items = _items(blocks)
        if not items or len(items) > MAX_KEY_POINTS:
            why = "no list or paragraphs" if not items else f"{len(items)} points (a brief has at most 6)"
            self.report.add(f"under '{title}'", f"key points: {why}", "kept as an ordinary section")
            return None
        return [Chunk([plain(flattened(self.cleaner.blocks(item)))]) for item in items]

    def _recommendations(self, blocks, level, title):
        preamble, parts = _split(blocks, level + 1)
        recommendations = [{"text": Chunk([plain(flattened(self.cleaner.blocks(item)))])}
                           for item in _items(preamble)]
        for header, content in parts:
            self.cleaner.where = f"under '{words(stringify(header['c'][2]))}'"
            recommendations.append({"title": words(stringify(header["c"][2])),
                                    "text": Chunk(self.cleaner.blocks(content) or [plain([node("Str", "-")])])})
        for recommendation in recommendations:
            _titled(recommendation)
        return recommendations or None

    # --- a section's blocks --------------------------------------------------

    def content(self, blocks, level, title):
        content, pending, previous = [], [], 2
        for index, block in enumerate(blocks):
            kind = block.get("t")
            if kind in ("Table", "Figure") and (made := self._block(block)):
                if pending:
                    content.append(Chunk(pending))
                    pending = []
                content.append(made)
            elif kind == "Header":
                wanted = 2 + block["c"][0] - (level or 1)
                previous = min(max(wanted, 3), previous + 1, 6)
                cleaned = self.cleaner.block(block)
                cleaned[0]["c"][0] = previous
                pending.extend(cleaned)
            elif self._is_source_of(content, pending, block):
                content[-1]["table"]["source"] = Chunk([plain(self.cleaner.inlines(_without_label(block)))])
            else:
                pending.extend(self.cleaner.block(block))
        if pending:
            content.append(Chunk(pending))
        return content

    def _is_source_of(self, content, pending, block):
        """A 'Source: ...' paragraph right after a table is the table's source."""
        inlines = block_inlines(block)
        return (not pending and content and isinstance(content[-1], dict) and "table" in content[-1]
                and "source" not in content[-1]["table"] and inlines is not None
                and SOURCE_LINE.match(stringify(inlines)) is not None)

    def _block(self, block):
        return self._table(block["c"]) if block["t"] == "Table" else self._figure(block["c"])

    def _figure(self, content):
        _, (_, caption), blocks = content
        images = [inline for block in blocks for inline in (block_inlines(block) or []) if inline["t"] == "Image"]
        if len(images) != 1 or not stringify(caption).strip():
            return None
        (_, _, _), alt_inlines, (src, _) = images[0]["c"]
        placed = self.pictures.place(src, words(stringify(alt_inlines)), self.cleaner.where)
        if placed is None:
            return None
        self.figures += 1
        caption_inlines = _unlabelled(flattened(self.cleaner.blocks(caption)))
        return {"figure": {"image": placed[0], "caption": Chunk([plain(caption_inlines)]),
                           "alt": placed[1]}}

    def _table(self, content):
        self.tables += 1
        _, (_, caption), _, head, bodies, foot = content
        where = self.cleaner.where
        header_rows = head[1]
        rows = [row for body in bodies for row in body[2] + body[3]] + foot[1]
        width = max((_width(row) for row in header_rows + rows), default=1)
        grid = _grid(header_rows + rows, width)
        if len(header_rows) > 1:
            self.report.add(where, f"table {self.tables}: {len(header_rows)} header rows",
                            "joined into one header row")
        if any(_spans(row) for row in header_rows + rows):
            self.report.add(where, f"table {self.tables}: merged cells", "split, the text in the first cell")
        heads = len(header_rows)
        if not heads:   # a brief's table needs column headers, for readers who cannot see it
            self.report.add(where, f"table {self.tables}: no header row", "its first row is the header row")
            heads = 1
        columns = [Chunk([plain(self._joined(cells))]) if any(cells) and stringify(list(filter(None, cells))).strip()
                   else self._unnamed(where, number) for number, cells in enumerate(zip(*grid[:heads]), 1)]
        body = [[Chunk([plain(self._joined([cell]))]) if cell else "" for cell in row]
                for row in grid[heads:]] or [[""] * width]
        if not stringify(caption).strip():
            self.report.add(where, f"table {self.tables}: no caption", f"its caption says '{NO_CAPTION}'")
        table = {"caption": Chunk([plain(_unlabelled(flattened(self.cleaner.blocks(caption))))])
                 if stringify(caption).strip() else NO_CAPTION, "columns": columns, "rows": body}
        return {"table": table}

    def _unnamed(self, where, number):
        self.report.add(where, f"table {self.tables}: column {number} has no header",
                        f"its header says 'Column {number}'")
        return f"Column {number}"

    def _joined(self, cells):
        inlines = []
        for cell in cells:
            if cell and inlines:
                inlines.append(node("Space"))
            inlines.extend(self.cleaner.inlines(flattened(cell)) if cell else [])
        return inlines


def _split(blocks, level):
    """(blocks before the first heading of the level, [(heading, its blocks)])."""
    preamble, sections = [], []
    for block in blocks:
        if block.get("t") == "Header" and block["c"][0] == level:
            sections.append((block, []))
        elif sections:
            sections[-1][1].append(block)
        else:
            preamble.append(block)
    return preamble, sections


def _items(blocks):
    """A list's items, and each paragraph outside a list as an item of its own."""
    items = []
    for block in blocks:
        found = list_items(block)
        items.extend(found if found is not None else [[block]])
    return [item for item in items if stringify(item).strip()]


def _titled(recommendation):
    """'**Act now.** Governments should ...' -> title 'Act now', the rest as text."""
    blocks = recommendation["text"].blocks
    if "title" in recommendation or len(blocks) != 1 or not (inlines := block_inlines(blocks[0])):
        return
    if inlines[0].get("t") == "Strong" and len(inlines) > 2:
        title = words(stringify(inlines[0]["c"])).rstrip(".:")
        rest = inlines[1:]
        while rest and rest[0].get("t") in ("Space", "SoftBreak"):
            rest = rest[1:]
        if title and rest:
            recommendation["title"] = title
            recommendation["text"] = Chunk([plain(rest)])


def _unlabelled(inlines):
    """A caption's inlines without Word's 'Table 3:' in front."""
    label = CAPTION_LABEL.match(stringify(inlines))
    if not label or len(label.group(0)) >= len(stringify(inlines)):
        return inlines
    return _dropped(inlines, len(label.group(0).rstrip()))


def _dropped(inlines, length):
    """The inlines after the first `length` characters of plain words."""
    inlines, consumed = list(inlines), 0
    while inlines and inlines[0]["t"] in ("Str", "Space") and consumed + len(stringify(inlines[0])) <= length:
        consumed += len(stringify(inlines.pop(0)))
    while inlines and inlines[0]["t"] in ("Space", "SoftBreak"):
        inlines.pop(0)
    return inlines


def _without_label(block):
    """A 'Source: ...' paragraph's inlines after the label."""
    inlines = block_inlines(block)
    return _dropped(inlines, len(SOURCE_LINE.match(stringify(inlines)).group(0).rstrip()))


def _width(row):
    return sum(cell[3] for cell in row[1])


def _spans(row):
    return any(cell[2] > 1 or cell[3] > 1 for cell in row[1])


def _grid(rows, width):
    """The rows as a full grid of cells (each a list of blocks, None where a
    merged cell reaches): a merged cell's text goes in its first place."""
    grid, reaching = [], {}
    for row in rows:
        cells, column = [], 0
        queue = list(row[1])
        while column < width:
            if reaching.get(column, 0) > 0:
                reaching[column] -= 1
                cells.append(None)
                column += 1
                continue
            if not queue:
                cells.append(None)
                column += 1
                continue
            _, _, row_span, col_span, blocks = queue.pop(0)
            cells.append(blocks)
            for offset in range(col_span):
                if offset:
                    cells.append(None)
                if row_span > 1:
                    reaching[column + offset] = row_span - 1
            column += col_span
        grid.append(cells[:width])
    return grid

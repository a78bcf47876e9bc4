"""The draft's blocks as a brief: headings of the top level used become
sections (deeper ones stay inside them as markdown headings), tables become
table blocks, captioned pictures figure blocks, and the sections named like
the brief's own fields ("Key points", "Summary", "Recommendations") fill them.

Markdown is not written here: every markdown field holds a Chunk (pandoc
blocks), and all of them are written in one pandoc run afterwards."""

import re
from dataclasses import dataclass

from .edition import is_contents_heading
from .metadata import parse_date
from .tree import (CALLOUT_NODE, QUOTE_NODE, block_inlines, flattened, heading_name, list_items, node, nodes_of,
                   plain, stringify, words)

MAX_KEY_POINTS = 6
SOURCE_LINE = re.compile(r"^\s*(sources?|note)\s*:\s*", re.I)
NO_CAPTION = "No caption in the draft"
# Word's numbered caption label ("Table 3: ", "Figure 2. "): the brief numbers its own.
CAPTION_LABEL = re.compile(r"^\s*(Table|Figure|Fig\.|Chart|Graph)\s+([0-9]+|[A-Z]\.[0-9]+)\s*[:.\u2013\u2014-]?\s*",
                           re.I)
FIELDS = ("key_points", "summary", "recommendations", "references", "contact")
FOLLOWING = {"Space", "SoftBreak"}


@dataclass(eq=False)
class Chunk:
    """Blocks that become one markdown text."""
    blocks: list


class Mapper:
    def __init__(self, cleaner, pictures, report, names, numbered_ids=None, styled=None):
        self.cleaner, self.pictures, self.report = cleaner, pictures, report
        self.names = {field: {heading_name(name) for name in found} for field, found in names.items()}
        self.labels = {field: [words(name) for name in found] for field, found in names.items()}
        self.tables = self.figures = 0
        self.cited = bool(cleaner.cite_keys)
        self.numbered_ids = numbered_ids or {}   # (kind, number) -> id, from the draft's cross-references
        self.ids = set()                         # (kind, id) of the figures and tables given an id
        self.cover = {}
        self.styled = styled or {}               # field -> paragraphs styled as that field (styles.py)
        self.appendix, self.appendix_counts = None, {}   # figures and tables are numbered A.1, A.2 in an appendix

    def brief(self, blocks):
        """{summary, key_points, sections, recommendations} from the body (title and
        other metadata already taken out), plus the text before the first heading."""
        blocks = self._without_colophon(self._without_contents(self._without_empty_headings(blocks)))
        level = min((block["c"][0] for block in blocks if block.get("t") == "Header"), default=None)
        preamble, sections = _split(blocks, level)
        mapped, body = {}, []
        for header, content in sections:
            title = words(stringify(header["c"][2]))
            field = self._field(title)
            self.cleaner.where = f"under '{title}'"
            appendix = self._appendix(title)
            if appendix:
                mapped.setdefault("appendices", []).append(self._appendix_section(appendix, content, level))
                continue
            organisation = self._about(title)
            if organisation is not None and "about" not in mapped:
                mapped["about"] = Chunk(self.cleaner.blocks(content))
                if organisation:
                    mapped["organisation"] = organisation
                continue
            if field and field not in mapped:
                value = getattr(self, f"_{field}")(content, level, title)
                if value is not None:
                    if field != "references":
                        mapped[field] = value
                    continue
            body.append({"title": title, "content": self.content(content, level, title)})
        for field, content in self.styled.items():    # paragraphs styled "Key Point", "Summary", ...
            self.cleaner.where = f"in the paragraphs styled as {field.replace('_', ' ')}"
            value = getattr(self, f"_{field}")(content, level or 1, field.replace("_", " "))
            if field not in mapped and value is not None:
                mapped[field] = value
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

    def _appendix(self, title):
        """(letter, title) of a heading 'Appendix A The survey' (the labels' 'Appendix %(letter)s'), else None."""
        for label in self.labels.get("appendix", ()):
            prefix = label.split("%(")[0].strip()
            found = re.fullmatch(rf"{re.escape(prefix)}\s+([A-Z])\b[.:]?\s*(.+)", title, re.I) if prefix else None
            if found:
                return found.group(1).upper(), found.group(2).strip()
        return None

    def _appendix_section(self, appendix, content, level):
        letter, title = appendix
        self.appendix, self.appendix_counts = letter, {"fig": 0, "tbl": 0}
        section = {"title": title}
        name = self.numbered_ids.get(("app", letter))
        if name:
            section["id"] = name
            self.ids.add(("app", name))
        section["content"] = self.content(content, level, title)
        self.appendix = None
        return section

    def _about(self, title):
        """The organisation's name of an 'About ...' heading ('' for a bare 'About'), else None."""
        for label in self.labels.get("about", ()):
            prefix = label.split("%(")[0].strip()
            if prefix and title.casefold().startswith(prefix.casefold()):
                return title[len(prefix):].strip()
        return None

    def _without_contents(self, blocks):
        """A contents heading (Word's TOC Heading) left out, and, in a draft that
        has one (a finished edition, such as the Word edition), the cover's lines
        before the first heading or under the contents heading read as audience,
        series and number, organisation, and its picture as the cover."""
        kept, cover = [], any(is_contents_heading(block) for block in blocks)
        for block in blocks:
            if is_contents_heading(block):
                cover = True
                self.report.add("in the contents", "the table of contents", "left out: the brief prints its own")
                continue
            if block.get("t") == "Header":
                cover = False
            if cover and block_inlines(block) is not None:
                self._cover_line(words(stringify(block)))
                continue
            if cover and block.get("t") == "Figure" and "cover" not in self.cover:
                self._cover_picture(block["c"])
                continue
            kept.append(block)
        return kept

    def _without_colophon(self, blocks):
        """The back page's last line, 'Policy Brief 2026/11 · 20 November 2026 · https://... · DRAFT'
        (the Word edition's): its address is the brief's url, DRAFT or REVIEW its status."""
        status = words(stringify(blocks[-1])).casefold() if blocks and block_inlines(blocks[-1]) else ""
        if status in ("draft", "review") and len(blocks) > 1:   # the status the Word edition prints last
            colophon = self._without_colophon(blocks[:-1])
            if len(colophon) < len(blocks) - 1:
                self.cover["status"] = status
                return colophon
        last = block_inlines(blocks[-1]) if blocks else None
        text = "".join("\u00b7" if inline.get("t") == "LineBreak" else stringify(inline) for inline in last or ())
        parts = [words(part) for part in text.split("\u00b7") if words(part)]
        if len(parts) < 2 or not any(parse_date(part) for part in parts):
            return blocks
        for part in parts:
            if re.fullmatch(r"https?://\S+", part):
                self.cover["url"] = part
            elif part.casefold() in ("draft", "review"):
                self.cover["status"] = part.casefold()
        self.report.add("at the end", f"the line '{' · '.join(parts)}'",
                        "read as the back page's line: its address is the brief's url, the rest left out")
        return blocks[:-1]

    def _cover_picture(self, content):
        _, (_, caption), blocks = content
        images = [inline for inline in nodes_of(blocks, "Image")]
        placed = images and self.pictures.place(images[0]["c"][2][0], words(stringify(images[0]["c"][1])),
                                                "on the cover")
        if placed:
            self.cover["cover"] = {"image": placed[0], "alt": placed[1]}
            if words(stringify(caption)):
                self.cover["cover"]["credit"] = words(stringify(caption))

    def _cover_line(self, text):
        for label in self.labels.get("prepared_for", ()):
            if text.casefold().startswith(label.casefold() + " "):
                self.cover["audience"] = text[len(label):].strip()
                return
        series = re.fullmatch(r"(.+?)\s+(\S*[0-9]\S*)", text)
        if series and "series" not in self.cover:
            self.cover["series"], self.cover["number"] = series.groups()
        elif "organisation" not in self.cover and not re.search(r"[0-9]", text):
            self.cover["organisation"] = text
        elif text:
            self.report.add("in the contents", f"the line '{text}'", "left out")

    def _field(self, title):
        name = heading_name(title)
        return next((field for field in FIELDS if name in self.names.get(field, ())), None)

    # --- the brief's fields --------------------------------------------------

    def _contact(self, blocks, level, title):
        return Chunk(self.cleaner.blocks(blocks))

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
            if len(content) == 1 and list_items(content[0]) is not None and len(list_items(content[0])) == 1:
                content = list_items(content[0])[0]    # the Word edition's one-item list
            recommendation = {"title": words(stringify(header["c"][2]))}
            content, audience = self._audience(content)
            recommendation["text"] = Chunk(self.cleaner.blocks(content) or [plain([node("Str", "-")])])
            if audience:
                recommendation["audience"] = audience
            recommendations.append(recommendation)
        for recommendation in recommendations:
            _titled(recommendation)
        return recommendations or None

    def _audience(self, blocks):
        """A last paragraph 'Who should act: ...' is the recommendation's audience."""
        last = words(stringify(blocks[-1])) if blocks and block_inlines(blocks[-1]) is not None else ""
        for label in self.labels.get("who_should_act", ()):
            if last.casefold().startswith(label.casefold()) and last[len(label):].strip():
                return blocks[:-1], last[len(label):].strip()
        return blocks, None

    # --- a section's blocks --------------------------------------------------

    def content(self, blocks, level, title):
        content, pending, previous = [], [], 2
        for index, block in enumerate(blocks):
            kind = block.get("t")
            if kind in (CALLOUT_NODE, QUOTE_NODE):
                if pending:
                    content.append(Chunk(pending))
                    pending = []
                content.append(self._styled_block(block))
            elif kind in ("Table", "Figure") and (made := self._block(block)):
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
            elif self._is_notes_of(content, pending, block, blocks[index + 1:index + 2]):
                content[-1]["table"]["notes"] = Chunk(self.cleaner.block(block))
            else:
                pending.extend(self.cleaner.block(block))
        if pending:
            content.append(Chunk(pending))
        return content

    def _styled_block(self, block):
        first, second = block["c"]
        if block["t"] == CALLOUT_NODE:
            callout = {"text": Chunk(self.cleaner.blocks(second) or [plain([node("Str", "-")])])}
            if first and words(stringify(first)):
                callout = {"title": Chunk([plain(self.cleaner.inlines(first))]), **callout}
            return {"callout": callout}
        quote = {"text": Chunk(self.cleaner.blocks(first))}
        if words(stringify(second)):
            quote["source"] = Chunk([plain(self.cleaner.inlines(second))])
        return {"quote": quote}

    def _is_source_of(self, content, pending, block):
        """A 'Source: ...' paragraph right after a table is the table's source."""
        inlines = block_inlines(block)
        return (not pending and content and isinstance(content[-1], dict) and "table" in content[-1]
                and "source" not in content[-1]["table"] and inlines is not None
                and SOURCE_LINE.match(stringify(inlines)) is not None)

    def _is_notes_of(self, content, pending, block, following):
        """A paragraph between a table and its 'Source: ...' line is the table's notes."""
        return (bool(following) and block_inlines(block) is not None and "notes" not in _last_table(content, pending)
                and "source" not in _last_table(content, pending) and _last_table(content, pending) != {}
                and self._is_source_of(content, pending, following[0]))

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
        caption_inlines, source = _source_split(_unlabelled(flattened(self.cleaner.blocks(caption))))
        figure = {"image": placed[0], "caption": Chunk([plain(caption_inlines)]), "alt": placed[1]}
        if source:
            figure["source"] = Chunk([plain(source)])
        self._identify(figure, "fig", self.figures)
        return {"figure": figure}

    def _identify(self, block, kind, number):
        if self.appendix:
            self.appendix_counts[kind] += 1
            number = f"{self.appendix}.{self.appendix_counts[kind]}"
        name = self.numbered_ids.get((kind, str(number)))
        if name and (kind, name) not in self.ids:
            block["id"] = name
            self.ids.add((kind, name))

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
        self._identify(table, "tbl", self.tables)
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


def _last_table(content, pending):
    return content[-1]["table"] if not pending and content and isinstance(content[-1], dict) \
        and "table" in content[-1] else {}


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


def _source_split(inlines):
    """(caption, source) of a caption that ends '... Source: ...'."""
    for index, inline in enumerate(inlines):
        if index and inline == node("Str", "Source:") and inlines[index - 1].get("t") in FOLLOWING:
            return inlines[:index - 1], _dropped(inlines[index + 1:], 0)
    return inlines, None


def _unlabelled(inlines):
    """A caption's inlines without Word's 'Table 3:' in front (bold or not)."""
    if inlines and inlines[0].get("t") in ("Strong", "Emph") and \
            CAPTION_LABEL.fullmatch(stringify(inlines[0]).replace("\u00a0", " ") + " "):
        return _dropped(inlines[1:], 0)
    label = CAPTION_LABEL.match(stringify(inlines).replace("\u00a0", " "))
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

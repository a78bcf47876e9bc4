"""Title, subtitle, authors, date, language and keywords: from what pandoc
reads as the document's metadata (Title, Subtitle, Author, Date, Abstract
paragraphs), then the Word file's core properties, then the first lines."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from .tree import block_inlines, meta_list, meta_value, stringify, words

DATE_FORMATS = ("%d %B %Y", "%B %d, %Y", "%B %d %Y", "%d %b %Y", "%b %d, %Y", "%d/%m/%Y", "%d.%m.%Y",
                "%Y/%m/%d", "%B %Y")
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
TITLE_LINE = 150      # a first line longer than this is a paragraph, not a title
NAME = r"[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){0,3}"
NAMES = re.compile(rf"(?:By |Authors?: )?({NAME}(?:\s*(?:,|;|\band\b|&)\s*{NAME})*)")
USED_KEYS = {"title", "subtitle", "author", "date", "abstract", "keywords", "lang", "references"}
SKIPPED_CORE = ("subject", "category", "comments")


@dataclass
class Properties:
    """The Word file's core properties (docProps/core.xml), as python-docx reads them."""
    title: str = ""
    author: str = ""
    created: datetime = None
    keywords: str = ""
    language: str = ""
    other: dict = field(default_factory=dict)


def document_fields(meta, core, blocks, stem, report, today):
    """(the brief's top fields, the body's blocks with a title line taken out)."""
    where = "in the document's properties"
    found = {}
    title, lines = meta_value(meta, "title") or words(core.title), {}
    if not title:
        title, blocks = _first_line(blocks)
        if title:
            lines, blocks = _lines_under_title(blocks)
    if not title:
        title = stem.replace("-", " ").replace("_", " ").strip().capitalize() or "Untitled"
        report.add(where, "no title in the properties or the first line", f"the file's name '{title}' is the title")
    found["title"] = title
    if meta_value(meta, "subtitle") or lines.get("subtitle"):
        found["subtitle"] = meta_value(meta, "subtitle") or lines["subtitle"]
    found["date"] = lines.get("date") or _date(meta, core, report, today)
    language = meta_value(meta, "lang") or core.language
    if language and LANGUAGE.match(language):
        found["language"] = language
    authors = _meta_authors(meta) or [{"name": name} for name in lines.get("authors", ())] or \
        [{"name": name.strip()} for name in core.author.split(";") if name.strip()]
    if authors:
        found["authors"] = authors
    keywords = meta_list(meta, "keywords") or [k.strip() for k in re.split(r"[,;]", core.keywords) if k.strip()]
    if keywords:
        found["keywords"] = keywords
    for key in sorted(set(meta) - USED_KEYS):
        if meta_value(meta, key):
            report.add(where, f"the property '{key}' ({meta_value(meta, key)[:60]})", "not imported")
    for key, value in core.other.items():
        if words(value):
            report.add(where, f"the property '{key}' ({words(value)[:60]})", "not imported")
    return found, blocks


def _meta_authors(meta):
    """The Author paragraphs: a name, and on lines of their own (as the Word
    edition writes them) a role and an affiliation."""
    value = meta.get("author")
    items = value["c"] if value and value.get("t") == "MetaList" else [value] if value else []
    authors = []
    for item in items:
        inlines = item.get("c") if item.get("t") == "MetaInlines" else None
        if inlines is None:
            lines = [words(stringify(item))]
        else:
            lines = [words(part) for part in "".join("\n" if inline.get("t") == "LineBreak" else stringify(inline)
                                                     for inline in inlines).split("\n")]
        lines = [line for line in lines if line]
        if lines:
            authors.append(dict(zip(("name", "role", "affiliation"), lines[:2] + [" ".join(lines[2:])]
                                    if len(lines) > 2 else lines)))
    return authors


def _date(meta, core, report, today):
    where = "in the document's properties"
    text = meta_value(meta, "date")
    if text:
        parsed = parse_date(text)
        if parsed:
            return parsed
        report.add(where, f"the date '{text}', which is not a date the import can read", "today's date written")
    elif core.created:
        report.add(where, "no date in the text", f"the file's creation date {core.created.date()} written")
        return core.created.date()
    else:
        report.add(where, "no date", "today's date written")
    return today


def parse_date(text):
    text = words(text)
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    for form in DATE_FORMATS:
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


def _first_line(blocks):
    """A short first paragraph before any heading, or a heading of a level that
    occurs once, first, above the others: the title."""
    if not blocks:
        return None, blocks
    first = blocks[0]
    inlines = block_inlines(first)
    text = words(stringify(inlines)) if inlines is not None else ""
    if 0 < len(text) <= TITLE_LINE and not text.endswith(".") and len(blocks) > 1 \
            and not any(inline.get("t") in ("Note", "Image", "Cite", "Link") for inline in inlines):
        return text, blocks[1:]
    levels = [block["c"][0] for block in blocks if block.get("t") == "Header"]
    if first.get("t") == "Header" and levels.count(first["c"][0]) == 1 and len(levels) > 1 \
            and first["c"][0] == min(levels):
        return words(stringify(first["c"][2])), blocks[1:]
    return None, blocks


def _lines_under_title(blocks):
    """The short lines between a first-line title and the first heading: a
    date, a line of names ('By Ana Ruiz and Ben Okafor'), a subtitle."""
    found = {}
    while len(blocks) > 1 and (inlines := block_inlines(blocks[0])) is not None:
        text = words(stringify(inlines))
        if not text or len(text) > TITLE_LINE or text.endswith(".") or \
                any(inline.get("t") in ("Note", "Image", "Cite", "Link") for inline in inlines):
            break
        names = NAMES.fullmatch(text)
        if parse_date(text) and "date" not in found:
            found["date"] = parse_date(text)
        elif names and "authors" not in found:
            found["authors"] = [name for name in re.split(r"\s*(?:,|;|\band\b|&)\s*", names.group(1)) if name]
        elif "subtitle" not in found and "authors" not in found and "date" not in found:
            found["subtitle"] = text
        else:
            break
        blocks = blocks[1:]
    return found, blocks


def core_properties(document):
    """The core properties of a python-docx Document; empty for other formats (None)."""
    if document is None:
        return Properties()
    core = document.core_properties
    other = {key: getattr(core, key) or "" for key in SKIPPED_CORE}
    return Properties(core.title or "", core.author or "", core.created, core.keywords or "",
                      core.language or "", other)

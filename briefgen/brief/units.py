"""Translation units: the pieces of a brief a translator translates.

One unit per translatable text field (titles, summaries, key points,
captions, alt text, sources, notes, table cells, authors' roles ...) and, in a
markdown field of several paragraphs or list items, one per paragraph or item.
A unit's id is its field path, dotted (`sections.0.content.2`), with `.p2` for
the second paragraph or item of a field that has several: the same brief gives
the same ids, and an edition of it finds its own text at the same path.

What is not offered: ids, URLs, e-mail addresses, dates, numbers, file paths,
chart specifications and data, citation keys (inside a unit they are protected
codes, markup.py), and table cells without a letter (figures). A table whose
rows come from a CSV file offers its header and its cells of text; the edition
gets them as the table's own `columns` and `rows`.

An edition records, under `translation: units:`, the hash of the English each
unit was translated from (source_hash): a unit whose English has changed since
is stale.
"""

import hashlib
import re
from dataclasses import dataclass

from ..inputs.tabular import TableError, read_table
from ..problems import field_name

TEXT_FIELDS = {"title", "subtitle", "series", "audience", "organisation", "summary", "about", "contact",
               "disclaimer", "role", "affiliation", "name", "caption", "alt", "source", "notes", "credit",
               "text", "author", "publisher", "note"}
TEXT_LISTS = {"keywords", "key_points", "content", "columns"}
NOT_TEXT = {"spec", "values", "where", "translation", "id", "url", "email", "image", "csv", "data"}
LIST_ITEM = re.compile(r"^(\s*(?:[-*+]|\d{1,9}[.)])\s+)(.*)$")
HAS_LETTER = re.compile(r"[^\W\d_]")
ONE_PAGE = "summary"   # the variant whose fields get character counts in their notes
BUDGETS = {"full": "the full brief", "memo": "the memo (at most 2 pages)",
           "summary": "the one-page summary (exactly 1 page)"}


@dataclass(frozen=True)
class Piece:
    """A paragraph or list item of a text field: separator + marker + text."""
    separator: str      # "" first, "\n\n" between paragraphs, "\n" between list items
    marker: str         # "- ", "1. " or ""
    text: str           # its lines joined by single spaces


@dataclass(frozen=True)
class Unit:
    id: str             # "sections.0.content.2.p1"
    path: tuple         # the field's path in the brief: ('sections', 0, 'content', 2)
    index: int          # which piece of the field; None: the field is one piece
    text: str           # the English (markdown of one paragraph)
    note: str           # context for the translator
    count: int = 1      # how many pieces the field has
    from_csv: bool = False   # a cell of a table's CSV file


def source_hash(text):
    """What an edition records of a unit's English: whitespace does not count
    (re-wrapping a paragraph leaves its translation current)."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:12]


def pieces(value):
    """A text field's paragraphs and list items, in order."""
    found = []
    for number, block in enumerate(re.split(r"\n[ \t]*\n", value.strip())):
        lines = block.split("\n")
        separator = "\n\n" if number else ""
        if not LIST_ITEM.match(lines[0]):
            found.append(Piece(separator, "", _joined(lines)))
            continue
        for line in lines:
            item = LIST_ITEM.match(line)
            if item:
                found.append(Piece(separator, item.group(1), item.group(2).strip()))
                separator = "\n"
            else:   # a continuation line of the item
                last = found.pop()
                found.append(Piece(last.separator, last.marker, _joined([last.text, line])))
    return found


def _joined(lines):
    return " ".join(line.strip() for line in lines if line.strip())


def joined(field_pieces, texts, multiline):
    """A field's value from its pieces with these texts (a block scalar for a multi-line value)."""
    value = "".join(piece.separator + piece.marker + text for piece, text in zip(field_pieces, texts))
    return value + "\n" if multiline and len(field_pieces) > 1 else value


def source_units(data, folder=None):
    """Every unit of a brief's data, in the file's order. folder: where its CSV files are."""
    units = []
    for path, value, from_csv in _texts(data, (), folder):
        field_pieces = pieces(value)
        note = _note(path, value, from_csv)
        if len(field_pieces) == 1 and not field_pieces[0].marker:
            units.append(Unit(dotted(path), path, None, field_pieces[0].text, note, 1, from_csv))
            continue
        for index, piece in enumerate(field_pieces):
            where = f"{note}; {'item' if piece.marker else 'paragraph'} {index + 1} of {len(field_pieces)}"
            units.append(Unit(f"{dotted(path)}.p{index + 1}", path, index, piece.text, where,
                              len(field_pieces), from_csv))
    return units


def dotted(path):
    return ".".join(str(part) for part in path)


def _texts(value, path, folder):
    """(path, text, from_csv) of every translatable text."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in NOT_TEXT or (key == "variants" and isinstance(item, list)):
                continue
            if key == "table" and isinstance(item, dict) and "csv" in item:
                yield from _csv_cells(item, path + (key,), folder)
            if key == "rows" and isinstance(item, list):
                yield from _cells(item, path + (key,))
            elif key in TEXT_FIELDS and isinstance(item, str):
                if _is_text(item):
                    yield path + (key,), item, False
            elif key in TEXT_LISTS and isinstance(item, list):
                for index, entry in enumerate(item):
                    if isinstance(entry, str):
                        if _is_text(entry):
                            yield path + (key, index), entry, False
                    else:
                        yield from _texts(entry, path + (key, index), folder)
            elif isinstance(item, (dict, list)):
                yield from _texts(item, path + (key,), folder)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(item, path + (index,), folder)


def _cells(rows, path):
    for row_number, row in enumerate(rows):
        for column, cell in enumerate(row if isinstance(row, list) else []):
            if isinstance(cell, str) and _is_text(cell):
                yield path + (row_number, column), cell, False


def _csv_cells(table, path, folder):
    """A CSV table's header and cells of text, at the paths its inline form would have."""
    if folder is None:
        return
    try:
        header, *rows = read_table(folder, table)
    except (TableError, ValueError):
        return   # the brief's check reports the file
    for column, name in enumerate(header):
        if _is_text(name):
            yield path + ("columns", column), name, True
    for path_, cell, _ in _cells(rows, path + ("rows",)):
        yield path_, cell, True


def _is_text(value):
    return bool(HAS_LETTER.search(value))


def _note(path, value, from_csv):
    """Which field, where it is shown, and for the one-page summary's fields the length."""
    parts = [field_name(path)]
    if from_csv:
        parts.append("a cell of the table's CSV file")
    shown_in = shown_in_variants(path)
    parts.append("shown in " + ", ".join(BUDGETS.get(name, name) for name in shown_in))
    if ONE_PAGE in shown_in:
        parts.append(f"{len(' '.join(value.split()))} characters in English: keep the translation about as "
                     "long, the one-page summary has to fit one page")
    return "; ".join(parts)


def shown_in_variants(path):
    """The default theme's variants that print a field (docs/variants.md)."""
    if path[:1] == ("variants",) and len(path) > 1:
        return [path[1]]
    top = path[0]
    if top in ("summary", "key_points"):
        return ["full", "memo", "summary"]
    if top == "recommendations":
        return ["full", "memo", "summary"] if path[-1] == "title" else ["full", "memo"]
    if top == "contact":
        return ["full", "summary"]
    if top in ("title", "subtitle", "series", "number", "date", "organisation"):
        return ["full", "memo", "summary"]
    if top == "sections" and len(path) >= 3 and path[2] in ("title", "summary"):
        return ["full", "memo"]
    return ["full"]


# --- an edition's side ------------------------------------------------------

def value_at(data, path):
    """The value at a field path, or None."""
    for part in path:
        if isinstance(data, dict) and isinstance(part, str) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def edition_text(edition, unit):
    """The edition's text for a unit, or None when it has none (or its field
    is split into other pieces than the English)."""
    value = value_at(edition, unit.path)
    if not isinstance(value, str) or not value.strip():
        return None
    if unit.index is None:
        return _joined(value.split("\n"))
    found = pieces(value)
    return found[unit.index].text if len(found) == unit.count else None


def recorded(edition):
    """The edition's `translation: units:` map (unit id -> source hash)."""
    record = edition.get("translation") if isinstance(edition, dict) else None
    units = record.get("units") if isinstance(record, dict) else None
    return units if isinstance(units, dict) else {}


def unit_status(unit, edition):
    """'translated', 'stale' (translated from English that has changed since) or 'missing'."""
    text = edition_text(edition, unit)
    hash_recorded = recorded(edition).get(unit.id)
    if text is None or hash_recorded is None:
        return "missing"
    return "translated" if hash_recorded == source_hash(unit.text) else "stale"

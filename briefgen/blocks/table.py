"""`table`: a numbered table, its cells given in the brief or read from a CSV file.

Print rules prepared here for the template: numeric columns (every filled cell
a number) are right-aligned unless `align` says otherwise; a short table
moves whole; a long one keeps its first and last KEEP_ROWS rows together
(the template marks the breaks between them to avoid), so a page break leaves
at least that many rows on either side. (Row groups with `break-inside: avoid`
would not do: WeasyPrint 70 splits a table's first row group regardless.)"""

import re

from ..inputs.tabular import read_table, table_problems
from . import BlockType

KEEP_ROWS = 3           # body rows kept on either side of a page break
SHORT_TABLE_ROWS = 10   # a table of at most this many body rows is never split
ALIGNMENTS = ("left", "right", "center")
# A number as tables print them: 1,234  -5.2  12%  $3.4bn  +0.7  (12)  2,300 000
NUMBER = re.compile(r"[(]?[-+\u2212]?[$€£¥]?[0-9][0-9,.\u00a0\u202f ]*(%|[kKmM]|bn)?[)]?")
EMPTY_CELLS = {"", "-", "\u2013", "\u2014", "n/a", "na", "..", "…"}

SCHEMA = {
    "type": "object", "required": ["caption"], "additionalProperties": False,
    "properties": {
        "caption": {"$ref": "#/$defs/markdown"},
        "columns": {"type": "array", "minItems": 1, "items": {"type": ["string", "number"]}},
        "rows": {"type": "array", "minItems": 1,
                 "items": {"type": "array", "items": {"type": ["string", "number", "null"]}}},
        "csv": {"$ref": "#/$defs/text"},
        "delimiter": {"enum": [",", ";", "\t", "|"]},
        "encoding": {"type": "string", "pattern": "^[A-Za-z0-9_.-]+$"},
        "source": {"$ref": "#/$defs/markdown"},
        "notes": {"$ref": "#/$defs/markdown"},
        "id": {"$ref": "#/$defs/id"},
        "align": {"type": "array", "minItems": 1, "items": {"enum": list(ALIGNMENTS)}},
        "widths": {"type": "array", "minItems": 1,
                   "items": {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?%$"}},
        "wide": {"type": "boolean"},
        "variants": {"$ref": "#/$defs/variant_list"},
    },
}


def files(table):
    return [table["csv"]] if isinstance(table, dict) and isinstance(table.get("csv"), str) else []


def problems(loaded, path, table):
    if not isinstance(table, dict):
        return []
    has_grid, has_csv = "columns" in table or "rows" in table, "csv" in table
    if has_grid == has_csv:
        return [loaded.problem(path, "a table needs either 'columns' and 'rows', or 'csv'")]
    if has_csv:
        found = table_problems(loaded.path.parent, table)
        if found:
            return [loaded.problem(path + ("csv",), message) for message in found]
        return _layout_problems(loaded, path, table, len(read_table(loaded.path.parent, table)[0]))
    for key in ("columns", "rows"):
        if key not in table:
            return [loaded.problem(path, f"'{key}' is required with '{'rows' if key == 'columns' else 'columns'}'")]
    width = len(table["columns"]) if isinstance(table["columns"], list) else None
    empty = [loaded.problem(path + ("columns", index), "a column needs a header, for readers who cannot see the table")
             for index, column in _indexed(table["columns"]) if not str(column).strip()]
    uneven = [loaded.problem(path + ("rows", index), f"has {len(row)} cells; the table has {width} columns")
              for index, row in _indexed(table["rows"]) if isinstance(row, list) and width and len(row) != width]
    return empty + uneven + (_layout_problems(loaded, path, table, width) if width else [])


def _layout_problems(loaded, path, table, width):
    """`align` and `widths` give one entry per column; widths add up to at most 100%."""
    problems = []
    for key in ("align", "widths"):
        value = table.get(key)
        if isinstance(value, list) and len(value) != width:
            problems.append(loaded.problem(path + (key,), f"has {len(value)} entries; the table has {width} columns"))
    widths = table.get("widths")
    if isinstance(widths, list) and all(isinstance(w, str) and w.endswith("%") for w in widths):
        total = sum(float(w[:-1]) for w in widths if w[:-1].replace(".", "", 1).isdigit())
        if total > 100:
            message = f"adds up to {total:g}%; at most 100% of the text width"
            problems.append(loaded.problem(path + ("widths",), message))
    return problems


def prepare(fields, brief_dir):
    """A CSV table becomes columns and rows, like a table written in the brief."""
    if "csv" in fields:
        header, *rows = read_table(brief_dir, fields)
        for key in ("csv", "delimiter", "encoding"):
            fields.pop(key, None)
        fields.update(columns=header, rows=rows)
    rows = fields["rows"]
    fields["align"] = fields.get("align") or [
        "right" if _is_numeric([row[index] for row in rows if index < len(row)]) else "left"
        for index in range(len(fields["columns"]))]
    fields["short"] = len(rows) <= SHORT_TABLE_ROWS
    fields["keep_rows"] = KEEP_ROWS
    return fields


def _is_numeric(cells):
    """Every filled cell a number (placeholders such as '–' or 'n/a' aside), and one at least."""
    filled = [cell for cell in cells if cell is not None and str(cell).strip().lower() not in EMPTY_CELLS]
    return bool(filled) and all(isinstance(cell, (int, float)) and not isinstance(cell, bool)
                                or NUMBER.fullmatch(str(cell).strip()) for cell in filled)


def cells(table, path, brief_dir):
    """Headers and cells are markdown too, those of CSV files included."""
    for c, column in _indexed(table.get("columns")):
        if isinstance(column, str):
            yield path + ("columns", c), column
    for r, row in _indexed(table.get("rows")):
        for c, cell in _indexed(row):
            if isinstance(cell, str):
                yield path + ("rows", r, c), cell
    if isinstance(table.get("csv"), str) and not table_problems(brief_dir, table):
        for row in read_table(brief_dir, table):
            yield from ((path + ("csv",), cell) for cell in row)


def _indexed(value):
    return enumerate(value) if isinstance(value, list) else ()


BLOCK = BlockType(
    name="table",
    schema=SCHEMA,
    markdown_fields=("caption", "source", "notes"),
    defaults={"source": None, "notes": None, "id": None, "widths": None, "wide": False},
    files=files,
    problems=problems,
    prepare=prepare,
    extra_markdown=cells,
)

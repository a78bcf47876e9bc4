"""`table`: a numbered table, its cells given in the brief or read from a CSV file."""

from ..tabular import read_table, table_problems
from . import BlockType

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
        return [loaded.problem(path + ("csv",), message) for message in table_problems(loaded.path.parent, table)]
    for key in ("columns", "rows"):
        if key not in table:
            return [loaded.problem(path, f"'{key}' is required with '{'rows' if key == 'columns' else 'columns'}'")]
    width = len(table["columns"]) if isinstance(table["columns"], list) else None
    empty = [loaded.problem(path + ("columns", index), "a column needs a header, for readers who cannot see the table")
             for index, column in _indexed(table["columns"]) if not str(column).strip()]
    return empty + [loaded.problem(path + ("rows", index), f"has {len(row)} cells; the table has {width} columns")
                    for index, row in _indexed(table["rows"]) if isinstance(row, list) and width and len(row) != width]


def prepare(fields, brief_dir):
    """A CSV table becomes columns and rows, like a table written in the brief."""
    if "csv" in fields:
        header, *rows = read_table(brief_dir, fields)
        for key in ("csv", "delimiter", "encoding"):
            fields.pop(key, None)
        fields.update(columns=header, rows=rows)
    return fields


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
    defaults={"source": None, "notes": None, "id": None},
    files=files,
    problems=problems,
    prepare=prepare,
    extra_markdown=cells,
)

"""Phase 5b: nothing lost. After a variant is laid out, the text its HTML holds
(what the variant selected and the templates printed) must be on the pages:
a word cut off at the sheet's edge, a table column past the page width or a
block that never reached a page is an error naming the brief's field.

Texts are compared as letters and digits only, lower case: hyphenation,
line breaks inside long words, text-transform and typographic punctuation
then change nothing, and a piece of text counts as printed when it occurs in
the pages' text.
"""

import re
from html.parser import HTMLParser

from .engine import table_fits, text_runs
from ..problems import Problem
from ..inputs.tabular import TableError, read_table

NOT_A_WORD = re.compile(r"[\W_]+")
SHOWN_CHARACTERS = 40      # of a lost text, in the message


def lost_content(html, document, loaded):
    """Problems for every table wider than the page, and every piece of the
    HTML's text that is not on the pages (outside those tables)."""
    folder = loaded.path.parent
    problems, wide_tables = _table_problems(document, loaded, list(_tables(loaded.data, (), folder)))
    return problems + _text_problems(html, document, loaded, list(_fields(loaded.data, (), folder)), wide_tables)


def _table_problems(document, loaded, tables):
    problems, paths = [], []
    for table in table_fits(document):
        if table.outside:
            path = _table_path(tables, table.headers)
            message = f"{table.outside} of {table.columns} columns do not fit the page width"
            if not path:  # a table of the templates, not of the brief
                message = f"a table with columns {', '.join(table.headers[:3])}, ...: {message}"
            problems.append(_problem(loaded, path, message))
            paths += [path] if path else []
    return problems, paths


def _text_problems(html, document, loaded, fields, wide_tables):
    lost = {}   # field path -> its texts not on the pages
    printed = _printed_text(document)
    for text in _html_texts(html):
        if _normal(text) not in printed:
            path = _field_of(fields, text)
            if not (path and any(path[:len(table)] == table for table in wide_tables)):  # said already
                lost.setdefault(path, []).append(text.strip())
    problems = []
    for path, texts in lost.items():
        shown = texts[0] if len(texts[0]) <= SHOWN_CHARACTERS else texts[0][:SHOWN_CHARACTERS] + "…"
        more = f" and {len(texts) - 1} more" if len(texts) > 1 else ""
        problems.append(_problem(loaded, path, f"text does not reach the page: {shown!r}{more}"))
    return problems


def _problem(loaded, path, message):
    return loaded.problem(path, message) if path else Problem(loaded.shown_path, 1, "", message)


def _printed_text(document):
    """The pages' text, the body's first so that a paragraph broken across
    pages reads on, then footnotes and page margins; only what is on the sheet."""
    runs = [run for run in text_runs(document) if run.on_sheet]
    return "|".join(_normal("".join(run.text for run in runs if run.in_flow == in_flow)) for in_flow in (True, False))


def _normal(text):
    return NOT_A_WORD.sub("", text).casefold()


class _TextCollector(HTMLParser):
    """The text nodes of an HTML document's body."""
    SKIPPED = {"head", "style", "script", "title", "svg"}

    def __init__(self):
        super().__init__()
        self.skipping, self.texts = 0, []

    def handle_starttag(self, tag, attrs):
        self.skipping += tag in self.SKIPPED

    def handle_endtag(self, tag):
        self.skipping -= tag in self.SKIPPED and self.skipping > 0

    def handle_data(self, data):
        if not self.skipping and _normal(data):
            self.texts.append(data)


def _html_texts(html):
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return collector.texts


def _fields(value, path, folder):
    """(path, normalised text) of every text of the brief, CSV cells included."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _fields(item, path + (key,), folder)
        if path and path[-1] == "table" and isinstance(value.get("csv"), str):
            for row in _csv_rows(folder, value):
                yield from ((path + ("csv",), _normal(cell)) for cell in row)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _fields(item, path + (index,), folder)
    elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
        yield path, _normal(str(value))


def _csv_rows(folder, table):
    try:
        return read_table(folder, table)
    except (OSError, ValueError, TableError):
        return []


def _field_of(fields, text):
    """The brief's field a lost text came from: the most specific one holding it."""
    wanted = _normal(text)
    holders = [path for path, value in fields if wanted in value]
    return max(holders, key=len) if holders else None


def _tables(value, path, folder):
    """(path, normalised column headers) of every table of the brief."""
    if isinstance(value, dict):
        if path and path[-1] == "table":
            columns = value.get("columns")
            if isinstance(value.get("csv"), str):  # a CSV table: its first row is the header
                columns = (_csv_rows(folder, value) or [[]])[0]
            if isinstance(columns, list):
                yield path, [_normal(str(column)) for column in columns]
        for key, item in value.items():
            yield from _tables(item, path + (key,), folder)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _tables(item, path + (index,), folder)


def _table_path(tables, headers):
    """The path of the brief's table with these column headers."""
    return next((path for path, columns in tables if len(columns) == len(headers)
                 and all(_normal(header) in column for header, column in zip(headers, columns))), None)

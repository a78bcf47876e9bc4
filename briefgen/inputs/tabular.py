"""CSV files of table blocks: read through files.py (confined, at most 5 MB and
5,000 rows), in the encoding and with the delimiter the file was saved with.

Excel saves CSV with ';' in many European locales, as Windows-1252 unless
told 'CSV UTF-8', and as tab-separated UTF-16 for 'Unicode text'; each of
these gets read correctly or an error that says what to set.
"""

import codecs
import csv
import io
import re
from functools import lru_cache

from ..util.files import MB, FileRefused, read_bytes

MAX_CSV_BYTES = 5 * MB
MAX_CSV_ROWS = 5_000           # data rows; a table longer than this is no table for a brief
DELIMITERS = ",;\t|"
SNIFF_LINES = 20
DELIMITER_NAMES = {",": "','", ";": "';'", "\t": "'\\t' (tab)", "|": "'|'"}


class TableError(Exception):
    """One line about a table's CSV file."""


def read_table(folder, table):
    """[header, *rows] of a table block's CSV file (the block's `csv`,
    `delimiter` and `encoding` fields); TableError when it cannot be used."""
    return [list(row) for row in table_rows(folder, table)]


def table_rows(folder, table):
    """read_table's rows as tuples, parsed once per process for the same
    bytes (shared between callers: read, never changed)."""
    name = table["csv"]
    try:
        data = read_bytes(folder / name, folder, MAX_CSV_BYTES, name=name, what="CSV files")
    except FileRefused as error:
        raise TableError(f"file not found: {folder / name}" if error.kind == "missing" else str(error)) from None
    return _parsed(data, name, table.get("encoding"), table.get("delimiter"))


@lru_cache(maxsize=8)
def _parsed(data, name, encoding, delimiter):
    """The rows of a CSV file's bytes, parsed once per process: a series
    reads the same chart data for each of its rows, three times (checked,
    its header read, drawn). The file itself is read, confined and bounded,
    every time; only the parse is kept."""
    if delimiter is not None and delimiter not in DELIMITERS:   # the schema says so too, but may run later
        raise TableError(f"delimiter: {delimiter!r} is none of {', '.join(DELIMITER_NAMES.values())}")
    text = _decode(data, name, encoding)
    refuse_control_characters(text, name)
    chosen = delimiter or _sniff(text)
    rows = _rows(text, chosen, name)
    _check_header(rows, name, chosen, explicit=delimiter is not None)
    return tuple(tuple(row) for row in rows)


def table_problems(folder, table):
    """The messages for a table's CSV file: none when it reads well."""
    try:
        read_table(folder, table)
    except TableError as error:
        return [str(error)]
    return []


def _decode(data, name, encoding):
    if encoding:
        try:
            return data.decode(encoding)   # text encodings only: 'base64' or 'rot13' are LookupErrors
        except LookupError:
            raise TableError(f"encoding: '{encoding}' is not a text encoding (try utf-8, cp1252 or latin-1)") from None
        except (UnicodeDecodeError, TypeError, ValueError) as error:
            raise TableError(f"{name} is not {encoding}: {error}") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise TableError(f"{name} is not UTF-8 (it looks like UTF-16, Excel's 'Unicode text'): "
                         "save it as 'CSV UTF-8' or set encoding: utf-16")
    try:
        return data.decode("utf-8-sig")   # Excel's 'CSV UTF-8' starts with a byte order mark
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        guess, setting = _guess_encoding(data)
        raise TableError(f"{name} is not UTF-8 (line {line}; it looks like {guess}): "
                         f"save it as 'CSV UTF-8' or set encoding: {setting}") from None


# C0 control characters but tab, line feed and carriage return: no text holds
# them (a NUL is a binary file, or a spreadsheet's export gone wrong), and a
# page would show each as a missing glyph.
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def refuse_control_characters(text, name):
    """TableError at the first control character of a data file's text."""
    found = CONTROL_CHARACTER.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        what = "a NUL byte" if found.group() == "\0" else "a control character"
        raise TableError(f"{name} line {line}: {what} (U+{ord(found.group()):04X}), which no text holds; "
                         "is it a CSV file? Export it again as CSV")


def _guess_encoding(data):
    """Windows-1252 leaves five bytes undefined; Latin-1 decodes anything."""
    try:
        data.decode("cp1252")
        return "Windows-1252", "cp1252"
    except UnicodeDecodeError:
        return "Latin-1", "latin-1"


def _sniff(text):
    """The delimiter of the first lines, among , ; tab and |; ',' when unclear."""
    sample = "\n".join(text.splitlines()[:SNIFF_LINES])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def _rows(text, delimiter, name):
    rows = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False):
            if not row:
                continue
            if len(rows) > MAX_CSV_ROWS:   # the header plus MAX_CSV_ROWS rows are read, no more
                raise TableError(f"{name} has over {MAX_CSV_ROWS:,} rows; a table in a brief may have at most "
                                 f"{MAX_CSV_ROWS:,}")
            rows.append(row)
    except csv.Error as error:
        raise TableError(f"cannot read {name} as CSV: {error}") from None
    return rows


def _check_header(rows, name, delimiter, explicit):
    if len(rows) < 2:
        raise TableError(f"{name} needs a header row and at least one data row")
    header = rows[0]
    if len(header) == 1:
        other = next((d for d in DELIMITERS if d != delimiter and d in header[0]), None)
        if other:
            how = "is read with" if explicit else "was read as one column with"
            raise TableError(f"{name} {how} delimiter {DELIMITER_NAMES[delimiter]}, but its header contains "
                             f"{DELIMITER_NAMES[other]}: set delimiter: {_yaml(other)} on the table")
    empty = next((number for number, cell in enumerate(header, 1) if not cell.strip()), None)
    if empty:
        raise TableError(f"{name} column {empty} has an empty header; a column needs a header, "
                         "for readers who cannot see the table")
    bad = next((number for number, row in enumerate(rows, 1) if len(row) != len(header)), None)
    if bad:
        raise TableError(f"{name} row {bad} has a different number of cells than the header")


def _yaml(delimiter):
    return '"\\t"' if delimiter == "\t" else f"'{delimiter}'"

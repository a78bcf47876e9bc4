"""A series' dataset: the rows of a CSV or Parquet file, each a dict, bounded
in size and rows, with one line naming the file for what cannot be read."""

import csv
import io

from ..problems import BriefError
from .tabular import TableError, refuse_control_characters
from ..util.files import MB, FileRefused, read_bytes

MAX_DATA_BYTES = 50 * MB
MAX_ROWS = 100_000


def read_rows(loaded, folder, name):
    """(columns, rows) of the series' CSV or Parquet file: each row a dict."""
    path = folder / name
    try:
        data = read_bytes(path, folder, MAX_DATA_BYTES, name=name, what="data files")
    except FileRefused as error:
        raise BriefError([loaded.problem(("series", "data"), f"file not found: {path}" if error.kind == "missing"
                                         else str(error))]) from None
    try:
        columns, rows = _parquet(data) if path.suffix.lower() == ".parquet" else _csv(data, name)
    except ValueError as error:
        raise BriefError([loaded.problem(("series", "data"), str(error))]) from None
    if len(rows) > MAX_ROWS:
        raise BriefError([loaded.problem(("series", "data"), f"{name} has {len(rows):,} rows; a series has at most {MAX_ROWS:,}")])
    return columns, rows


def _csv(data, name):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{name} is not UTF-8: save it as 'CSV UTF-8'") from None
    try:
        refuse_control_characters(text, name)
    except TableError as error:
        raise ValueError(str(error)) from None
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    try:
        header, *rows = [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if row]
    except (ValueError, csv.Error) as error:
        raise ValueError(f"cannot read {name} as CSV: {error}") from None
    header = [column.strip() for column in header]
    if not all(header) or len(set(header)) < len(header):
        raise ValueError(f"{name}: every column needs a name of its own in the first row")
    for number, row in enumerate(rows, 1):
        if len(row) != len(header):
            raise ValueError(f"{name}: row {number} has {len(row)} cells, the header {len(header)}")
    return header, [dict(zip(header, row)) for row in rows]


def _parquet(data):
    try:
        import pyarrow.parquet
    except ImportError:
        raise ValueError("Parquet data needs pyarrow: pip install 'policy-brief-generator[parquet]'") from None
    try:
        table = pyarrow.parquet.read_table(io.BytesIO(data))
    except Exception as error:  # pyarrow's own errors: not a Parquet file, a damaged one
        raise ValueError(f"cannot read the Parquet file: {error}") from None
    return list(table.column_names), table.to_pylist()

"""A series: one brief per row of a dataset, from a series file

    series:
      data: data/regions.csv     # CSV or Parquet, relative to this file
      key: code                  # the column that names each brief's outputs
    brief:                       # a brief whose strings may hold {{ column }}
      title: "Heat and work in {{ region }}"

built into <out>/<series file stem>/<key>-<variant>.<ext>, with an index.csv
listing every brief and its files.

The series file is read, its placeholders compiled and its template
validated once, here; each row is then filled here (a few string renders)
and only checked, like any brief, in the worker that builds it. Placeholders
are filled by a sandboxed Jinja environment of their own, never by the
theme's: a placeholder is a column name, with at most the number, percent and
date filters; anything else (`{{ ''.__class__ }}`, a loop, a call) is refused
before any row is filled.

A row is up to date when its filled brief (the manifest's facts), the files
it reads and the theme are unchanged: one changed row rebuilds one brief.
`--cluster` sends the rows to a Dask scheduler instead (cluster.py, imported
only then).
"""

import csv
import datetime
import decimal
import hashlib
import io
import json
import re
import time
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from .. import writers
from ..util import bounds
from .batch import (Stopped, output_files, progress_bar, run_in_pool, save_manifest, stop_on_signals, when_stopped,
                    worker_pool)
from .document import Plan, Prepared, Row, bibliography, build_document, output_path, theme_for_brief, unknown_variant
from ..util.files import MB, FileRefused, read_bytes
from ..inputs.load import MAX_BYTES, LoadedBrief, load_brief
from .manifest import Manifest, entry_key
from .outlock import output_folder_lock
from ..util.atomic import remove_stale_temporaries, write_text
from ..problems import BriefError, OutputError, Problem, field_name, shown
from ..theme.resolve import ThemeError
from ..inputs.tabular import TableError, refuse_control_characters
from ..brief.validate import did_you_mean, markdown_paths, referenced_files, validate_brief, variant_problems

SERIES_FIELDS = ("data", "key", "variants")
MAX_DATA_BYTES = 50 * MB
MAX_ROWS = 100_000
KEY_FORM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")   # a file name's part: no folder, no dot file
INDEX = "index.csv"
# Documents per worker before it is replaced (batch.MAX_TASKS for briefs: 20).
# A one-page summary leaves far less behind than a full brief (about 0.04 MB
# each once the caches are full, measured over 300 in one process), and a
# new worker's first chart starts the converter again (about 1 s): a series'
# workers live longer. tests/benchmark.py series shows their memory stays flat.
SERIES_MAX_TASKS = 100
FILTER_NAMES = ("number", "percent", "date")
PLACEHOLDER_HINT = ("a placeholder is a column name, optionally with a filter: "
                    "{{ column }}, {{ column | number }}, {{ column | number(1) }}, "
                    "{{ column | percent }}, {{ column | date }} or {{ column | date('d MMMM y') }}")
# Markdown reads these as syntax; a value's are escaped, so a row's text stays text.
MARKDOWN_SYNTAX = re.compile(r"([\\`*_\[\]{}()<>#+\-.!|~^@&])")


# --- the series file ---------------------------------------------------------

class SeriesBrief(LoadedBrief):
    """A series file's `brief:`, as validation reads a brief: paths relative to
    the template, lines of the series file, fields named as written (brief.title)."""

    def problem(self, path, message, line=None):
        return Problem(self.shown_path, line or self.line_of(path), field_name(("brief", *path)), message)


@dataclass
class Series:
    """A series file read, its template checked: what every row starts from."""
    file: Path
    shown_path: str
    template: SeriesBrief        # the brief with its placeholders, as written
    placeholders: dict           # path in the brief -> the text holding placeholders
    markdown: frozenset          # paths of markdown fields (their values are escaped as markdown)
    key: str
    columns: list
    rows: list                   # the dataset: a dict per row
    variants: list
    theme: object                # theme.Theme
    lines: dict = field(default_factory=dict)   # of the whole series file

    @property
    def stem(self):
        return self.file.stem

    def problem(self, path, message):
        return Problem(self.shown_path, self.lines.get(tuple(path), 1), field_name(path), message)


def is_series(path):
    """A series file: a YAML mapping with a top-level `brief:` (no brief has one).
    A file without a line starting `brief:` is a brief without parsing it twice."""
    path = Path(path)
    if path.suffix.lower() not in (".yaml", ".yml"):
        return False
    try:
        text = read_bytes(path, path.resolve().parent, MAX_BYTES, name=shown(path)).decode("utf-8", "replace")
    except FileRefused:
        return False   # its build says why
    if not re.search(r"^brief[ \t]*:", text, re.MULTILINE):
        return False
    try:
        return "brief" in load_brief(path, shown_path=shown(path)).data
    except BriefError:
        return False


def load_series(file, options):
    """The series file read and checked once; BriefError listing its problems."""
    file = Path(file)
    loaded = load_brief(file, shown_path=shown(file))
    if loaded.problems:
        raise BriefError(loaded.problems)
    problems = [loaded.problem((key,), f"unknown field '{key}'; a series file has exactly 'series' and 'brief'"
                               f"{did_you_mean(key, ('series', 'brief'))}")
                for key in loaded.data if key not in ("series", "brief")]
    problems += [loaded.problem((), f"'{key}' is required") for key in ("series", "brief") if key not in loaded.data]
    settings, brief = loaded.data.get("series"), loaded.data.get("brief")
    for key, value in (("series", settings), ("brief", brief)):
        if key in loaded.data and not isinstance(value, dict):
            problems.append(loaded.problem((key,), "expected a mapping"))
    if problems:
        raise BriefError(problems)
    settings = _settings(loaded, settings)
    columns, rows = read_rows(loaded, file.parent, settings["data"])
    if settings["key"] not in columns:
        raise BriefError([loaded.problem(("series", "key"), f"{settings['data']} has no column '{settings['key']}'"
                                         f"{did_you_mean(settings['key'], columns) or '; its columns: ' + ', '.join(columns)}")])
    template = SeriesBrief(file, loaded.shown_path, brief, text=loaded.text,
                           lines=_below(loaded.lines, "brief"), spans=_below(loaded.spans, "brief"))
    placeholders = compile_placeholders(template, columns)
    if "theme" in placeholders:
        raise BriefError([template.problem(("theme",), "the theme is the series' own: it cannot change by row")])
    _check_template(template, placeholders)
    theme = theme_for_brief(options.theme, brief, template)
    offered = getattr(writers.writer(options.format), "VARIANTS", None)   # the web edition: the full brief
    variants = [name for name in theme.variants if name in offered] if offered and not options.variants \
        else list(options.variants or settings["variants"] or theme.variants)
    unknown = [name for name in variants if name not in theme.variants]
    if unknown:
        raise BriefError([loaded.problem(("series", "variants"), unknown_variant(unknown[0], theme))])
    return Series(file, loaded.shown_path, template, placeholders, frozenset(markdown_paths(brief, file.parent)),
                  settings["key"], columns, rows, variants, theme, loaded.lines)


def _settings(loaded, settings):
    problems = [loaded.problem(("series", key), f"unknown field '{key}'{did_you_mean(key, SERIES_FIELDS)}; "
                                                f"expected one of: {', '.join(SERIES_FIELDS)}")
                for key in settings if key not in SERIES_FIELDS]
    for key in ("data", "key"):
        if not isinstance(settings.get(key), str) or not settings[key].strip():
            problems.append(loaded.problem(("series", key) if key in settings else ("series",),
                                           f"'{key}' is required: {'a CSV or Parquet file' if key == 'data' else 'a column'}"
                                           if key not in settings else "expected text"))
    variants = settings.get("variants", [])
    if not isinstance(variants, list) or not all(isinstance(name, str) for name in variants):
        problems.append(loaded.problem(("series", "variants"), "expected a list of variant names such as [summary]"))
    if problems:
        raise BriefError(problems)
    return {"data": settings["data"], "key": settings["key"], "variants": variants}


def _below(paths, key):
    """A map of (key, *path) -> value as path -> value."""
    return {path[1:]: value for path, value in paths.items() if path[:1] == (key,)}


def _check_template(template, placeholders):
    """Validate the template as written, once: a problem of a field without
    placeholders is the series' own (every row would have it); those of
    fields with placeholders depend on the row and are checked with each."""
    try:
        validate_brief(template)
    except BriefError as error:
        filled_fields = [field_name(("brief", *path)) for path in placeholders]
        own = [problem for problem in error.problems
               if not any(problem.field == name or problem.field.startswith((name + ".", name + "["))
                          for name in filled_fields)]
        if own:
            raise BriefError(own) from None


# --- the dataset -------------------------------------------------------------

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


# --- placeholders ------------------------------------------------------------

class PlaceholderError(Exception):
    pass


def compile_placeholders(template, columns):
    """path -> text of every string of the template that holds a placeholder,
    each checked once: Jinja syntax, only names and the formatting filters,
    only the dataset's columns."""
    found, problems = {}, []
    for path, value in _strings(template.data):
        if not any(mark in value for mark in ("{{", "{%", "{#")):
            continue
        try:
            names = placeholder_names(value)
        except PlaceholderError as error:
            problems.append(template.problem(path, str(error)))
            continue
        problems += [template.problem(path, f"no column '{name}' in the series' data"
                                            f"{did_you_mean(name, columns) or '; its columns: ' + ', '.join(columns)}")
                     for name in names if name not in columns]
        found[path] = value
    if problems:
        raise BriefError(problems)
    return found


def _strings(value, path=()):
    if isinstance(value, str):
        yield path, value
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        yield from _strings(item, path + (key,))


def placeholder_names(text):
    """The column names a text's placeholders use; PlaceholderError for
    anything but `{{ name }}` and `{{ name | filter(constants) }}`."""
    try:
        tree = _environment("en", False).parse(text)
    except TemplateSyntaxError as error:
        raise PlaceholderError(f"{_quoted(text)}: placeholder syntax error: {error.message}") from None
    names = []
    for node in tree.body:
        if not isinstance(node, nodes.Output):
            raise PlaceholderError(f"{_quoted(text)}: only {{{{ column }}}} placeholders may be used, "
                                   f"no {{% ... %}} statements; {PLACEHOLDER_HINT}")
        for child in node.nodes:
            if not isinstance(child, nodes.TemplateData):
                names.append(_placeholder_name(child, text))
    return names


def _placeholder_name(node, text):
    if isinstance(node, nodes.Filter) and node.name in FILTER_NAMES and node.node is not None \
            and all(isinstance(argument, nodes.Const) for argument in node.args) \
            and not node.kwargs and node.dyn_args is None and node.dyn_kwargs is None:
        return _placeholder_name(node.node, text)
    if isinstance(node, nodes.Name) and node.ctx == "load":
        return node.name
    what = f"the filter '{node.name}'" if isinstance(node, nodes.Filter) else _describe(node)
    raise PlaceholderError(f"{_quoted(text)} refused: {what} is not allowed; {PLACEHOLDER_HINT}")


def _describe(node):
    if isinstance(node, nodes.Getattr):
        return f"an attribute ('.{node.attr}')"
    if isinstance(node, nodes.Getitem):
        return "an index ('[...]')"
    if isinstance(node, nodes.Call):
        return "a call"
    if isinstance(node, nodes.Const):
        return "a constant"
    return "an expression"


def _quoted(text):
    return repr(text if len(text) <= 60 else text[:57] + "...")


@lru_cache(maxsize=8)
def _environment(language, markdown):
    """The placeholders' own sandbox (never the theme's template engine):
    autoescaped, strict about unknown names, with the formatting filters in
    the brief's language. Every value goes out through finalize, escaped for
    where it lands: as markdown in a markdown field; verbatim in a plain text
    field, which the theme's templates escape as HTML when they print it
    (HTML-escaping it here too would print '&amp;')."""
    from babel.dates import format_date   # here: a build without a series never loads Babel's formats
    from babel.numbers import format_decimal, format_percent

    environment = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined,
                                       finalize=lambda value: Markup(_escaped(_text(value), markdown)))
    locale = str(language).replace("-", "_")
    environment.filters.clear()
    environment.filters.update({
        "number": lambda value, digits=None: format_decimal(
            _number(value), format=None if digits is None else "#,##0" + ("." + "0" * int(digits) if digits else ""),
            locale=locale),
        "percent": lambda value, digits=0: format_percent(
            _number(value), format="#,##0" + ("." + "0" * int(digits) if digits else "") + "%", locale=locale),
        "date": lambda value, form="long": format_date(_date(value), form, locale=locale),
    })
    return environment


@lru_cache(maxsize=4096)
def _compiled(text, language, markdown):
    return _environment(language, markdown).from_string(text)


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _escaped(text, markdown):
    return MARKDOWN_SYNTAX.sub(r"\\\1", text).replace("\n", " ") if markdown else text


def _number(value):
    if isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool):
        return value
    try:
        return decimal.Decimal(str(value).strip().replace(",", ""))
    except decimal.InvalidOperation:
        raise PlaceholderError(f"{str(value)!r} is not a number") from None


def _date(value):
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise PlaceholderError(f"{str(value)!r} is not an ISO date such as 2026-07-01") from None


def fill(series, values):
    """The row's brief: each placeholder filled from the row's values.
    BriefError naming the field (and the row) when a value cannot be used."""
    language = _language(series, values)

    def filled(value, path):
        if path in series.placeholders:
            return _render(series, path, values, language)
        if isinstance(value, dict):
            return {key: filled(item, path + (key,)) for key, item in value.items()}
        if isinstance(value, list):
            return [filled(item, path + (index,)) for index, item in enumerate(value)]
        return value
    return filled(series.template.data, ())


def _language(series, values):
    """The row's language, for the filters' number and date formats."""
    if ("language",) in series.placeholders:
        return _render(series, ("language",), values, "en")
    return series.template.data.get("language", "en")


def _render(series, path, values, language):
    try:
        return str(_compiled(series.placeholders[path], str(language), path in series.markdown).render(values))
    except PlaceholderError as error:
        message = str(error)
    except (UndefinedError, SecurityError, TypeError, ValueError) as error:
        message = f"cannot fill {_quoted(series.placeholders[path])}: {error}"
    raise BriefError([series.template.problem(path, message)])


# --- rows --------------------------------------------------------------------

@dataclass
class RowTask:
    """One row's brief, filled, on its way to the worker that checks and builds it."""
    series: Series
    number: int                  # 1 for the dataset's first row
    key: str
    data: dict

    @property
    def brief(self):             # what batch.py names a task by
        return self.series.file

    @property
    def name(self):              # as the closing table shows it
        return f"{self.series.stem}/{self.key}"

    @property
    def label(self):
        return f"row {self.number}, {self.series.key}={self.key}"

    def loaded(self):
        template = self.series.template
        return SeriesBrief(template.path, template.shown_path, self.data, template.lines, template.spans,
                           template.text)


def check_row(task):
    """A filled row, validated like a hand-written brief (template and theme
    were checked once): the Prepared brief its variants are built from."""
    loaded = task.loaded()
    data = validate_brief(loaded)
    variant_problems(loaded, task.series.theme.name, task.series.theme.variants)
    return Prepared(loaded, data, task.series.theme, bibliography(loaded, task.series.theme), stem=task.key)


def build_row(task, variant, options):
    """One variant of a row's brief, as a row of the closing table (runs in a worker)."""
    start = time.perf_counter()
    try:
        prepared = check_row(task)
    except BriefError as error:
        row = failed_row(task, variant, [str(problem) for problem in error.problems])
    else:
        row = build_document(Plan(task.series.file, [variant], [], [], prepared), variant, options)
        row.brief = task.name
        row.problems = labelled(row.problems, task.label)
    row.seconds = time.perf_counter() - start
    return row


def failed_row(task, variant, problems):
    return Row(task.name, variant, "failed", str(task.series.file), problems=labelled(problems, task.label))


def labelled(problems, label):
    """Each problem line with the row it comes from: '... (row 17, region=Busan)'."""
    return [problem if problem.endswith(f"({label})") else f"{problem} ({label})" for problem in problems]


def row_facts(task, variants, theme_state):
    """What a row's outputs depend on beyond its own files: its filled brief,
    the variants and the theme's files."""
    text = json.dumps([task.data, variants, theme_state], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def theme_state(theme):
    """The theme's folders and the content of every file in them, as one
    digest made once per build: each row's entry in the manifest then names
    only its own files, not the theme's again (a thousand rows would list
    the same fonts and templates a thousand times)."""
    digest = hashlib.sha256()
    for folder in theme.folders + theme.missing_overrides:
        digest.update(f"{folder}\0{Path(folder).is_dir()}\0".encode())
        for file in sorted(Path(folder).rglob("*")):
            if file.is_file():
                digest.update(f"{file.relative_to(folder)}\0".encode() + hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


# --- the build -----------------------------------------------------------------

def build_series(file, options, jobs, force, cluster=None):
    """Rows of the closing table for every variant of every row of a series:
    built, up to date (skipped) or failed; and the series' index.csv."""
    file = Path(file)
    try:
        series = load_series(file, options)
    except BriefError as error:
        return [Row(file.stem, "-", "failed", str(file), problems=[str(problem) for problem in error.problems])]
    except (ThemeError, OutputError) as error:
        return [Row(file.stem, "-", "failed", str(file), problems=[str(error)])]
    options = replace(options, out_dir=Path(options.out_dir) / series.stem)
    with output_folder_lock(options.out_dir):
        return _build_rows(series, options, jobs, force, cluster)


def _build_rows(series, options, jobs, force, cluster):
    remove_stale_temporaries(options.out_dir)
    manifest = Manifest(options.out_dir)
    plans, numbered = plan_rows(series, options, manifest, force)
    tasks = [(plan.task, variant) for plan in plans for variant in series.variants]
    with stop_on_signals(), when_stopped([row for _, row in numbered], options.out_dir):
        if cluster:
            from .cluster import build_on_cluster   # Dask only when asked for
            built = build_on_cluster(cluster, series, tasks, options, build_row, failed_row)
        else:
            built = _build_here(tasks, options, jobs)
    for plan in plans:
        done = [row for (task, _), row in zip(tasks, built) if task is plan.task]
        numbered += [(plan.task.number, row) for row in done]
        if done and all(row.status == "built" for row in done):
            served = [file for row in done for file in row.served if not _inside(file, series.theme.folders)]
            manifest.record(plan.key, plan.inputs + served, [],
                            [(row.variant, row.pages, output_files(row, options)) for row in done], plan.facts)
    rows = [row for _, row in sorted(numbered, key=lambda pair: pair[0])]   # in the data's order
    rows += remove_gone_rows(series, options, manifest)
    save_manifest(manifest, rows)
    _write_index(series, options, rows)
    return rows


@dataclass
class RowPlan:
    task: RowTask
    key: str          # the manifest's
    facts: str        # the row's brief and the theme (row_facts)
    inputs: list      # the files the row's brief names


def plan_rows(series, options, manifest, force):
    """The rows to build (RowPlans), and (row number, table row) for those up
    to date or that cannot be filled (a bad key, a value a filter refuses)."""
    theme = theme_state(series.theme)
    slim = replace(series, rows=[])   # what each task carries: not the whole dataset
    plans, rows, keys = [], [], {}
    for number, values in enumerate(series.rows, 1):
        key = _text(values.get(series.key)).strip()
        task = RowTask(slim, number, key, {})
        if not KEY_FORM.fullmatch(key):
            rows.append((number, failed_row(task, "-", [str(series.problem(("series", "key"), (
                f"'{key}' cannot name files: a key is letters, digits, '.', '_' and '-', starting with a letter or digit")))])))
            continue
        if key in keys:
            rows.append((number, failed_row(task, "-", [str(series.problem(("series", "key"), (
                f"'{key}' is also row {keys[key]}'s key: each row's outputs need a name of their own")))])))
            continue
        keys[key] = number
        try:
            task.data = fill(series, values)
        except BriefError as error:
            rows.append((number, failed_row(task, "-", [str(problem) for problem in error.problems])))
            continue
        facts = row_facts(task, series.variants, theme)
        manifest_key = json.dumps([entry_key(series.file, options), key])
        recorded = None if force else manifest.current(manifest_key, facts)
        if recorded:
            rows += [(number, Row(task.name, output["variant"], "up to date", str(series.file), output["pages"], 0.0,
                                  str(output["file"]))) for output in recorded]
            continue
        plans.append(RowPlan(task, manifest_key, facts, referenced_files(task.data, series.file.parent)))
    return plans, rows


def remove_gone_rows(series, options, manifest):
    """The outputs of rows the data no longer has (built by an earlier build
    with the same options, and still as it wrote them) are removed, so that
    the folder never offers a brief its data dropped: a "removed" row of the
    table for each, and its manifest entry dropped."""
    ours = entry_key(series.file, options)
    keys = {_text(values.get(series.key)).strip() for values in series.rows}
    removed = []
    for manifest_key in list(manifest.entries):
        try:
            options_key, row_key = json.loads(manifest_key)
        except (ValueError, TypeError):
            continue   # a brief's entry, not a series row's
        if options_key != ours or row_key in keys:
            continue
        files = manifest.recorded_files(manifest_key)   # the output first, then what a web page took along
        for file in files:
            file.unlink(missing_ok=True)
        if files:
            removed.append(Row(f"{series.stem}/{row_key}", "-", "removed", str(series.file), output=str(files[0]),
                               warnings=[f"{series.shown_path}: {row_key} is no longer a row of the data: "
                                         f"removed {shown(files[0])}" + (f" and the {len(files) - 1} files it took along" if files[1:] else "")]))
        manifest.drop(manifest_key)
    return removed


def _build_here(tasks, options, jobs):
    """On this machine: the batch's warm workers (one document alone: here)."""
    if not tasks:
        return []
    with progress_bar(len(tasks)) as bar:
        if len(tasks) == 1:
            [(task, variant)] = tasks
            with bounds.in_process(options.limits, task.series.shown_path):
                return [build_row(task, variant, options)]
        with worker_pool(min(jobs, len(tasks)), options.limits, SERIES_MAX_TASKS) as pool:
            return run_in_pool(pool, tasks, options, bar, build=build_row)


def _inside(file, folders):
    return any(Path(file).resolve().is_relative_to(Path(folder).resolve()) for folder in folders)


# --- the index -----------------------------------------------------------------

def _write_index(series, options, rows):
    """<out>/<series>/index.csv: each row's key, title and output file per
    variant (those on disk: built now, up to date, or kept from an earlier
    build when this one failed); and the index page, when the format's
    writer makes one."""
    folder = Path(options.out_dir)
    entries = []
    for values in series.rows:
        key = _text(values.get(series.key)).strip()
        if KEY_FORM.fullmatch(key):
            entries.append({"key": key, "title": _title(series, values),
                            "files": {variant: _existing(folder, key, variant, options) for variant in series.variants}})
    rendered = io.StringIO()
    writer = csv.writer(rendered, lineterminator="\n")
    writer.writerow(["key", "title", *series.variants])
    writer.writerows([entry["key"], entry["title"], *entry["files"].values()] for entry in entries)
    try:
        write_text(rendered.getvalue(), folder / INDEX)
        _write_index_page(series, options, entries)
    except OutputError as error:
        for row in rows[-1:]:
            row.warnings.append(f"{error}; the series' index was not written")


def _write_index_page(series, options, entries):
    """The hook for the web edition (writers/web.py, built beside this): a
    writer module with write_index(title, entries, folder, language) writes
    the series' index page; entries are dicts of key, title and files
    (variant -> file name in the folder, '' when there is none)."""
    write_index = getattr(writers.writer(options.format), "write_index", None)
    if write_index:
        language = series.template.data.get("language", "en") if "language" not in series.placeholders else "en"
        write_index(series.stem, entries, Path(options.out_dir), str(language))


def _title(series, values):
    """The row's title (plain text in the format)."""
    if ("title",) not in series.placeholders:
        return str(series.template.data.get("title", ""))
    try:
        return _render(series, ("title",), values, _language(series, values))
    except BriefError:
        return ""


def _existing(folder, key, variant, options):
    writer = writers.writer(options.format)
    path = output_path(folder, key, variant, writer.EXTENSION, writer)
    return path.relative_to(folder).as_posix() if path.is_file() else ""


# --- brief check ---------------------------------------------------------------

def check_series(file, options):
    """Every problem of a series file and of each of its rows' briefs, without
    building: (problems, warnings) as lines."""
    try:
        series = load_series(file, options)
    except BriefError as error:
        return [str(problem) for problem in error.problems], []
    problems, warnings = [], []
    for number, values in enumerate(series.rows, 1):
        task = RowTask(series, number, _text(values.get(series.key)).strip(), {})
        try:
            task.data = fill(series, values)
            prepared = check_row(task)
            warnings += [str(warning) for warning in prepared.loaded.warnings]
        except BriefError as error:
            problems += labelled([str(problem) for problem in error.problems], task.label)
    return problems, list(dict.fromkeys(warnings))

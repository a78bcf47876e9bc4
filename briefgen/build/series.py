"""A series: one brief per row of a dataset, from a series file

    series:
      data: data/regions.csv     # CSV or Parquet, relative to this file
      key: code                  # the column that names each brief's outputs
    brief:                       # a brief whose strings may hold {{ column }}
      title: "Heat and work in {{ region }}"

built into <out>/<series file stem>/<key>-<variant>.<ext>, with an index.csv
listing every brief and its files.

The series file is read, its placeholders compiled (brief/template.py) and
its template validated once, here; each row is then filled here (a few
string renders) and only checked, like any brief, in the worker that builds
it (rows.py). The dataset is read by inputs/dataset.py.

A row is up to date when its filled brief (the manifest's facts), the files
it reads and the theme are unchanged: one changed row rebuilds one brief.
`--cluster` sends the rows to a Dask scheduler instead (cluster.py, imported
only then).
"""

import csv
import io
import json
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from .. import writers
from ..brief.template import SeriesBrief, cell_text, compile_placeholders, fill, filled_field
from ..brief.validate import did_you_mean, markdown_paths, referenced_files, validate_brief
from ..inputs.dataset import read_rows
from ..inputs.load import MAX_BYTES, load_brief
from ..problems import BriefError, OutputError, Problem, field_name, shown
from ..theme.resolve import ThemeError
from ..util import bounds
from ..util.atomic import remove_stale_temporaries, write_text
from ..util.files import FileRefused, read_bytes
from .batch import (output_files, progress_bar, run_in_pool, save_manifest, stop_on_signals, when_stopped,
                    worker_pool)
from .document import Row, output_path, theme_for_brief, unknown_variant
from .manifest import Manifest, entry_key
from .outlock import output_folder_lock
from .rows import RowTask, build_row, check_row, failed_row, labelled, row_facts, theme_state

SERIES_FIELDS = ("data", "key", "variants")
KEY_FORM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")   # a file name's part: no folder, no dot file
INDEX = "index.csv"
# Documents per worker before it is replaced (batch.MAX_TASKS for briefs: 20).
# A one-page summary leaves far less behind than a full brief (about 0.04 MB
# each once the caches are full, measured over 300 in one process: 12 MB per
# worker's life), and a new worker's first chart starts the converter again
# (0.45 s of CPU: at 100, that was 2.7 s of a 1,000-row series' 60 s on two
# cores): a series' workers live longer. tests/benchmark.py series shows
# their memory stays flat.
SERIES_MAX_TASKS = 300


# --- the series file ---------------------------------------------------------

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
    theme.read_once(variants)   # here, not once per row in the workers
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
            built = build_on_cluster(cluster, series, tasks, options)
        else:
            built = _build_here(tasks, options, jobs)
    by_task = {}
    for (task, _), row in zip(tasks, built):
        by_task.setdefault(id(task), []).append(row)
    in_theme = _inside_folders(series.theme.folders)
    for plan in plans:
        done = by_task.get(id(plan.task), [])
        numbered += [(plan.task.number, row) for row in done]
        if done and all(row.status == "built" for row in done):
            served = [file for row in done for file in row.served if not in_theme(file)]
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
        key = cell_text(values.get(series.key)).strip()
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
    keys = {cell_text(values.get(series.key)).strip() for values in series.rows}
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


def _inside_folders(folders):
    """file -> whether it is inside one of the folders. Every row serves the
    theme's same files: each is resolved once, not once per row."""
    resolved = [Path(folder).resolve() for folder in folders]

    @lru_cache(maxsize=None)
    def inside(file):
        return any(Path(file).resolve().is_relative_to(folder) for folder in resolved)
    return inside


# --- the index -----------------------------------------------------------------

def _write_index(series, options, rows):
    """<out>/<series>/index.csv: each row's key, title and output file per
    variant (those on disk: built now, up to date, or kept from an earlier
    build when this one failed); and the index page, when the format's
    writer makes one."""
    folder = Path(options.out_dir)
    entries = []
    for values in series.rows:
        key = cell_text(values.get(series.key)).strip()
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
        return filled_field(series, ("title",), values)
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
    except ThemeError as error:   # the theme's variant settings, read once in load_series
        return [str(error)], []
    problems, warnings = [], []
    for number, values in enumerate(series.rows, 1):
        task = RowTask(series, number, cell_text(values.get(series.key)).strip(), {})
        try:
            task.data = fill(series, values)
            prepared = check_row(task)
            warnings += [str(warning) for warning in prepared.loaded.warnings]
        except BriefError as error:
            problems += labelled([str(problem) for problem in error.problems], task.label)
    return problems, list(dict.fromkeys(warnings))

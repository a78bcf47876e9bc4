"""A series' rows on their way to the workers: each row's filled brief as a
task, checked and built like a hand-written brief, and what its outputs
depend on beyond its own files (for the manifest)."""

import gc
import hashlib
import json
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..brief.template import SeriesBrief
from ..brief.validate import validate_brief, variant_problems
from ..problems import BriefError
from .document import Plan, Prepared, Row, bibliography, build_document


@dataclass
class RowTask:
    """One row's brief, filled, on its way to the worker that checks and builds it."""
    series: object               # series.Series
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
    with garbage_collected_after():
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


@contextmanager
def garbage_collected_after():
    """Python's collector kept out of a row's build and run once after it,
    on the youngest generation. A layout keeps most of what it makes alive
    until its end, and the collector went through it ten times a row, and
    through the older generations too: 6 ms of a charted one-pager's CPU in
    a series' worker. Once after the row, when most of it is freed and its
    cycles are all young, 4 ms (a full collection each row: 10 ms). The
    cycles a row leaves wait for that collection: the memory of one
    document's garbage (tens of MB for the full brief)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.collect(0)


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

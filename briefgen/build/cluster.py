"""A series built on a Dask cluster (`brief build SERIES --cluster tcp://host:8786`).

Imported only when a cluster is asked for: the default build needs no Dask.

No file system is shared. What every row needs (the files the series' briefs
read, and every file of the theme's folders) is one Bundle, sent once (the
result of a task of its own, which workers copy from each other, and which the
scheduler can make again when the workers holding it are lost); each task
carries its row's filled brief. A worker writes the
bundle out once into its temporary folder, builds the row there and sends the
outputs back as bytes, which this side writes atomically into the output
folder. A row that fails is a failed row of the table, never an exception:
the other rows go on. A worker lost mid-task is Dask's to retry (the
scheduler gives a task to another worker up to its allowed-failures); a task
that kills worker after worker is reported failed.

On a worker, the document's deadline and memory cap (--time-limit,
--max-memory) do not hold: the worker processes are Dask's, and their tasks
run in threads, where a signal cannot stop them.
"""

import hashlib
import os
import shutil
import tempfile
import threading
import uuid
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from dask.distributed import Client, as_completed

from ..util.atomic import atomic_file
from ..problems import OutputError
from ..theme.resolve import theme_from_folders
from ..brief.validate import referenced_files

CONNECT_SECONDS = 30
BRIEF, THEME, OUT = "brief", "theme", "out"


@dataclass(frozen=True)
class Bundle:
    """The files a series' rows read, as bytes, by their place: the series
    file's folder (brief files) and each of the theme's folders, in order."""
    brief_files: tuple      # (path relative to the series file's folder, bytes)
    template_dirs: tuple    # one tuple of (path relative to the folder, bytes) per folder
    style_dirs: tuple
    digest: str


def bundle_of(series, tasks):
    folder = series.file.parent
    named = sorted({file for task, _ in tasks for file in referenced_files(task.data, folder)})
    brief_files = tuple((str(file.relative_to(folder)), file.read_bytes()) for file in named if file.is_file())
    template_dirs, style_dirs = (tuple(_folder_files(folder) for folder in folders)
                                 for folders in (series.theme.template_dirs, series.theme.style_dirs))
    digest = hashlib.sha256()
    for name, data in brief_files + tuple(item for files in template_dirs + style_dirs for item in files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return Bundle(brief_files, template_dirs, style_dirs, digest.hexdigest()[:24])


def _folder_files(folder):
    return tuple((str(file.relative_to(folder)), file.read_bytes())
                 for file in sorted(Path(folder).rglob("*")) if file.is_file())


def build_on_cluster(address, series, tasks, options, build_row, failed_row):
    """Rows of the tasks, in order, built by the scheduler's workers; the
    outputs written into options.out_dir here. build_row(task, variant,
    options) builds one row on a worker, failed_row(task, variant, problems)
    stands for one the cluster lost (the series passes its own, as batches
    pass build=)."""
    if not tasks:
        return []
    bundle = bundle_of(series, tasks)
    rows = [None] * len(tasks)
    run = uuid.uuid4().hex[:8]
    with Client(address, timeout=CONNECT_SECONDS) as client:
        # A task that returns the bundle, not scattered data: the scheduler can
        # make it again if the workers holding it are lost (scattered data it cannot).
        shared = client.submit(_the_bundle, bundle, pure=False, key=f"brief-bundle-{series.stem}-{run}")
        futures = {client.submit(build_remote, shared, task, variant, options, build_row, pure=False,
                                 key=f"brief-{series.stem}-{task.key}-{variant}-{run}"): index
                   for index, (task, variant) in enumerate(tasks)}
        for future in as_completed(futures):
            index = futures[future]
            task, variant = tasks[index]
            try:
                row, files = future.result()
            except Exception as error:  # KilledWorker (the task killed worker after worker), a lost connection
                rows[index] = failed_row(task, variant, [f"{series.shown_path}:1: the cluster could not build it: "
                                                         f"{type(error).__name__}: {error}"])
                continue
            rows[index] = _received(row, files, options)
    return rows


def _received(row, files, options):
    """The worker's outputs written into the output folder, atomically."""
    try:
        for name, data in files:
            with atomic_file(Path(options.out_dir) / name, "wb") as file:
                file.write(data)
    except OutputError as error:
        row.status, row.problems = "failed", [str(error)]
        return row
    if row.output:
        row.output = str(Path(options.out_dir) / row.output)
    row.files = [str(Path(options.out_dir) / name) for name, _ in files]   # as written here
    return row


# --- on a worker ---------------------------------------------------------------

def _the_bundle(bundle):
    return bundle


_building = threading.Lock()   # a worker with several threads builds one document at a time


def build_remote(bundle, task, variant, options, build_row):
    """(row, [(output file name, bytes)]) of one variant of one row, built in
    this worker's copy of the bundle."""
    root = _written_out(bundle)
    series = task.series
    theme = _theme(root, series.theme.name, len(bundle.template_dirs), len(bundle.style_dirs))
    file = root / BRIEF / series.file.name
    task = replace(task, series=replace(series, file=file, theme=theme, template=replace(series.template, path=file)))
    out = root / OUT
    with _building:
        row = build_row(task, variant, replace(options, out_dir=out))
        files = []
        if row.status == "built":
            outputs = [Path(row.output)] + ([Path(row.output).with_suffix(".html")] if options.keep_html else [])
            files = [(output.name, output.read_bytes()) for output in outputs]
            for output in outputs:
                output.unlink()
    row.output = Path(row.output).name if row.output else ""
    row.served = row.files = []   # this worker's paths: nothing to the client
    return row, files


@lru_cache(maxsize=8)
def _theme(root, name, template_count, style_count):
    return theme_from_folders(name, [root / THEME / f"templates-{index}" for index in range(template_count)],
                              [root / THEME / f"styles-{index}" for index in range(style_count)])


_written = threading.Lock()


def _written_out(bundle):
    """The bundle's files in this worker's temporary folder, written once
    (a folder per bundle, renamed into place when complete)."""
    root = Path(tempfile.gettempdir()) / f"briefgen-{bundle.digest}"
    with _written:
        if not root.is_dir():
            partial = Path(tempfile.mkdtemp(prefix=f".briefgen-{bundle.digest}-"))
            _write_files(partial / BRIEF, bundle.brief_files)
            (partial / BRIEF).mkdir(exist_ok=True)
            for kind, folders in (("templates", bundle.template_dirs), ("styles", bundle.style_dirs)):
                for index, files in enumerate(folders):
                    _write_files(partial / THEME / f"{kind}-{index}", files)
            try:
                os.rename(partial, root)
            except OSError:  # another worker process on this machine was first
                shutil.rmtree(partial, ignore_errors=True)
    return root


def _write_files(folder, files):
    for name, data in files:
        target = (folder / name).resolve()
        if not target.is_relative_to(folder.resolve()):   # a name from the client: never outside the folder
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    folder.mkdir(parents=True, exist_ok=True)

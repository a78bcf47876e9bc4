"""Batch builds: many briefs x variants, skipped when up to date, built in
worker processes (threads do not speed WeasyPrint up), with a progress bar on
a terminal and a closing table. One failing brief does not stop the others."""

import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import nullcontext
import click

from .build import Row, build_document, plan_brief
from .charts import converter_started
from .manifest import Manifest, entry_key


def build_all(briefs, options, jobs, force):
    """Rows of the closing table for every variant of every brief."""
    manifest = Manifest(options.out_dir)
    rows, stale = [], []
    for brief in briefs:
        key = entry_key(brief, options.theme, options.variants, options.allow_overflow, options.standard)
        outputs = None if force else manifest.current(key)
        if outputs:
            rows += [Row(brief.stem, output["variant"], "up to date", str(brief), output["pages"], 0.0,
                         output["pdf"]) for output in outputs]
        else:
            manifest.forget(key)
            stale.append((brief, key))
    # The workers start (and warm up) while the briefs are checked here.
    with (worker_pool(jobs) if jobs > 1 and stale else nullcontext()) as pool:
        plans = []
        for brief, key in stale:
            try:
                plans.append((key, plan_brief(brief, options)))
            except Exception as error:  # a BriefError (or a bug): the other briefs go on
                rows.append(Row(brief.stem, "-", "failed", str(brief), problems=_problem_lines(brief, error)))
        # Full briefs first: the longest jobs start early and the short ones fill the gaps at the end.
        tasks = sorted(((plan, variant) for _, plan in plans for variant in plan.variants),
                       key=lambda task: task[1] != "full")
        built = _run(tasks, options, pool)
    for key, plan in plans:
        done = [row for row in built if row.source == str(plan.brief)]
        rows += done
        if done and all(row.status == "built" for row in done):
            manifest.record(key, plan.inputs, plan.folders,
                            [{"variant": row.variant, "pages": row.pages, "pdf": row.pdf} for row in done])
    manifest.save()
    return rows


def _run(tasks, options, pool):
    """Build the tasks in the pool's workers, or here when there is no pool."""
    if not tasks:
        return []
    progress = (click.progressbar(length=len(tasks), label="Building", file=sys.stderr)
                if sys.stderr.isatty() else nullcontext())
    with progress as bar:
        if pool is None:
            rows = []
            for brief, variant in tasks:
                rows.append(build_document(brief, variant, options))
                if bar:
                    bar.update(1)
            return rows
        return run_in_pool(pool, tasks, options, bar)


def worker_pool(jobs):
    """Worker processes forked from this one with WeasyPrint imported, started
    and warmed up at once: each pays the import and font set-up once."""
    import weasyprint  # noqa: F401
    # vl-convert hangs in a child forked after it ran in the parent (a library
    # user's earlier in-process build): such a parent spawns fresh workers.
    method = "spawn" if converter_started() else "fork"
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method))
    for _ in range(jobs):
        pool.submit(_warm_up)
    return pool


def _warm_up():
    from weasyprint import HTML
    HTML(string="<p>warm</p>").render()


def run_in_pool(pool, tasks, options, bar=None):
    futures = {pool.submit(build_document, brief, variant, options): index for index, (brief, variant) in enumerate(tasks)}
    results = {}
    for future in as_completed(futures):
        results[futures[future]] = future.result()
        if bar:
            bar.update(1)
    return [results[index] for index in range(len(tasks))]


def _problem_lines(brief, error):
    problems = getattr(error, "problems", None)
    if problems:
        return [str(problem) for problem in problems]
    return [f"{brief}:1: internal error, please report it: {type(error).__name__}: {error}"]


def print_table(rows):
    """brief, variant, pages, seconds and status of every document."""
    if not rows:
        return
    header = ("brief", "variant", "pages", "seconds", "status", "pdf")
    lines = [(row.brief, row.variant, "-" if row.pages is None else str(row.pages),
              f"{row.seconds:.2f}", row.status, row.pdf) for row in rows]
    widths = [max(len(line[column]) for line in [header, *lines]) for column in range(len(header))]
    for line in [header, *lines]:
        cells = [cell.rjust(width) if column in (2, 3) else cell.ljust(width)
                 for column, (cell, width) in enumerate(zip(line, widths))]
        click.echo("  ".join(cells).rstrip())

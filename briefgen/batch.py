"""Batch builds: many briefs x variants, skipped when up to date, built in
worker processes (threads do not speed WeasyPrint up), with a progress bar on
a terminal and a closing table. One failing brief does not stop the others."""

import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import nullcontext
from pathlib import Path

import click

from .build import Row, build_document, plan_brief, shown
from .charts import converter_started
from .manifest import Manifest, entry_key
from .problems import OutputError


def build_all(briefs, options, jobs, force):
    """Rows of the closing table for every variant of every brief."""
    manifest = Manifest(options.out_dir)
    briefs, rows = _refuse_collisions(briefs, options.out_dir)
    stale = []
    for brief in briefs:
        key = entry_key(brief, options)
        outputs = None if force else manifest.current(key)
        if outputs:
            rows += [Row(brief.stem, output["variant"], "up to date", str(brief), output["pages"], 0.0,
                         str(output["pdf"])) for output in outputs]
        else:  # its entry stays until replaced: it still describes the earlier PDFs, kept if this build fails
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
            served = [file for row in done for file in row.served]
            manifest.record(key, plan.inputs + served, plan.folders,
                            [(row.variant, row.pages, _output_files(row.pdf, options)) for row in done])
    try:
        manifest.save()
    except (OSError, OutputError) as error:  # the PDFs are written; only the next build's skipping suffers
        message = str(error) if isinstance(error, OutputError) else f"{error.filename}: {error.strerror.lower()}"
        for row in rows:
            row.warnings.append(f"{message}; what was built is not recorded, so the next build rebuilds it")
    return rows


def _output_files(pdf, options):
    return [pdf, str(Path(pdf).with_suffix(".html"))] if options.keep_html else [pdf]


def _refuse_collisions(briefs, out_dir):
    """Briefs whose outputs would have the same names (the same file name in
    different folders) are refused, all of them: none may overwrite another's
    PDFs. The same brief named twice is built once."""
    unique = {}   # the brief's real path -> the brief as named first
    for brief in map(Path, briefs):
        unique.setdefault(brief.resolve(), brief)
    by_stem = {}
    for brief in unique.values():
        by_stem.setdefault(brief.stem, []).append(brief)
    kept, refused = [], []
    for brief in unique.values():
        others = [other for other in by_stem[brief.stem] if other is not brief]
        if not others:
            kept.append(brief)
            continue
        refused.append(Row(brief.stem, "-", "failed", str(brief), problems=[
            f"{shown(brief)}:1: its outputs ({Path(out_dir) / brief.stem}-*.pdf) would overwrite those of "
            f"{shown(others[0])}, a brief with the same file name; rename one, or build them with different --out"]))
    return kept, refused


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


def print_table(rows, seconds=None):
    """brief, variant, pages, seconds and status of every document; then the
    counts of each status and the total time the command took."""
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
    counts = {status: sum(row.status == status for row in rows) for status in ("built", "up to date", "failed")}
    total = f" in {seconds:.1f} s" if seconds is not None else ""
    click.echo(", ".join(f"{count} {status}" for status, count in counts.items()) + total)

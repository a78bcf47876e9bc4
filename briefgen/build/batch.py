"""Batch builds: many briefs x variants, skipped when up to date, built in
worker processes (threads do not speed WeasyPrint up), with a progress bar on
a terminal and a closing table. One failing brief does not stop the others,
nor does one that overruns its deadline (its worker is killed and replaced)
or a worker that dies (replaced; its document is tried once more).

One document alone (`brief build X -v full`) is built in the calling process,
without workers to start, within the same bounds (bounds.py)."""

import os
import signal
import sys
import threading
import time
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import click

from ..util import bounds
from .budget import Budget, overrun, ran_out
from .document import Row, build_document, plan_brief, shown
from ..content.charts import converter_started
from .manifest import Manifest, entry_key
from .outlock import output_folder_lock
from ..render.engine_import import warm_engine
from ..render.layout import Limits
from ..util.atomic import remove_stale_temporaries
from ..util.parallel import die_with_parent, spare_cores
from ..problems import OutputError

# Documents per worker before it is replaced: a warm worker still grows by
# about 0.8 MB per full brief in memory that C code behind WeasyPrint keeps
# (not Python objects: tracemalloc sees none of it); replacing it gives that
# back. A replacement is forked warm, so it costs little.
MAX_TASKS = 20
SIGNAL_NAMES = {signal.SIGINT: "SIGINT", signal.SIGTERM: "SIGTERM", signal.SIGHUP: "SIGHUP"}


class Stopped(BaseException):
    """SIGINT, SIGTERM or SIGHUP reached the main process: it stops its
    workers, removes its temporary files, and reports the rows done so far.
    A BaseException, so that no `except Exception` on the way swallows it."""

    def __init__(self, signum):
        super().__init__(SIGNAL_NAMES[signum])
        self.signum = signum
        self.rows = []

    @property
    def exit_status(self):
        return 128 + self.signum     # 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP


@contextmanager
def stop_on_signals():
    """SIGINT, SIGTERM and SIGHUP raise Stopped in the main thread (once: a
    second Ctrl-C does not interrupt the clean-up). Yields the list of the
    signals received, for code (watchfiles) that turns any into KeyboardInterrupt."""
    received = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def stop(signum, frame):
        for name in SIGNAL_NAMES:
            signal.signal(name, signal.SIG_IGN)
        received.append(signum)
        raise Stopped(signum)

    previous = {name: signal.signal(name, stop) for name in SIGNAL_NAMES}
    try:
        yield received
    finally:
        for name, handler in previous.items():
            signal.signal(name, handler)


def build_all(briefs, options, jobs, force, layout=None):
    """Rows of the closing table for every variant of every brief. One build
    at a time writes into an output folder (outlock.py): a second one waits."""
    with output_folder_lock(options.out_dir):
        return _build_all(briefs, options, jobs, force, layout)


def _build_all(briefs, options, jobs, force, layout=None):
    remove_stale_temporaries(options.out_dir)   # left by an earlier build that was killed
    manifest = Manifest(options.out_dir)
    briefs, rows = _refuse_collisions(briefs, options.out_dir)
    stale = []
    for brief in briefs:
        key = entry_key(brief, options)
        outputs = None if force else manifest.current(key)
        if outputs:
            rows += [Row(brief.stem, output["variant"], "up to date", str(brief), output["pages"], 0.0,
                         str(output["file"])) for output in outputs]
        else:  # its entry stays until replaced: it still describes the earlier outputs, kept if this build fails
            stale.append((brief, key))
    # The workers start while the briefs are checked here.
    with stop_on_signals(), when_stopped(rows, options.out_dir), _builder(stale, options, jobs, layout) as pool:
        plans = []
        for brief, key in stale:
            try:
                plan = _plan(brief, options, pool)
                plan.key = key
                plans.append(plan)
            except Exception as error:  # a BriefError (or a bug): the other briefs go on
                rows.append(Row(brief.stem, "-", "failed", str(brief), problems=_problem_lines(brief, error, options)))
        # Full briefs first: the longest jobs start early and the short ones fill the gaps at the end.
        tasks = sorted(((plan, variant) for plan in plans for variant in plan.variants),
                       key=lambda task: task[1] != "full")
        built = _run(tasks, options, pool, jobs, on_row=_recording(tasks, manifest, options), layout=layout)
    rows += built
    save_manifest(manifest, rows)
    return rows


def _recording(tasks, manifest, options):
    """on_row(index, row) for _run: when the last document of a brief is done
    and all of them built, the brief is recorded and the manifest saved at
    once, so that a build killed later (kill -9, a power cut) keeps what it
    finished: the next build rebuilds only what is missing."""
    done = {}

    def on_row(index, row):
        plan = tasks[index][0]
        rows = done.setdefault(id(plan), [])
        rows.append(row)
        if len(rows) == len(plan.variants) and all(row.status == "built" for row in rows):
            served = [file for row in rows for file in row.served]
            manifest.record(plan.key, plan.inputs + served, plan.folders,
                            [(row.variant, row.pages, output_files(row, options)) for row in rows])
            save_manifest(manifest, rows)
    return on_row


def save_manifest(manifest, rows):
    """Save what was built; a manifest that cannot be written is a warning on each row."""
    try:
        manifest.save()
    except (OSError, OutputError) as error:  # the outputs are written; only the next build's skipping suffers
        message = str(error) if isinstance(error, OutputError) else f"{error.filename}: {error.strerror.lower()}"
        for row in rows:
            row.warnings.append(f"{message}; what was built is not recorded, so the next build rebuilds it")


def output_files(row, options):
    """Every file the writer wrote (the output first), and the HTML of --html."""
    files = row.files or [row.output]
    html = str(Path(row.output).with_suffix(".html"))
    return files + [html] if options.keep_html and html not in files else files


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
            f"{shown(brief)}:1: its outputs ({Path(out_dir) / brief.stem}-*) would overwrite those of "
            f"{shown(others[0])}, a brief with the same file name; rename one, or build them with different --out"]))
    return kept, refused


@contextmanager
def when_stopped(rows, out_dir):
    """On Stopped, once the workers are stopped (nothing of ours is writing):
    remove our temporary files, and put the rows done before building first."""
    try:
        yield
    except Stopped as stop:
        remove_stale_temporaries(out_dir)
        stop.rows = rows + stop.rows
        raise


def _plan(brief, options, pool):
    """plan_brief, within the deadline's soft half when workers build (a
    build here keeps its whole deadline around planning too). The time it
    took is the first part of the brief's budget spent."""
    started = time.monotonic()
    with bounds.soft_deadline(options.limits.seconds, shown(brief)) if pool else nullcontext():
        plan = plan_brief(brief, options)
    plan.seconds_spent = time.monotonic() - started
    return plan


def _builder(stale, options, jobs, layout=None):
    """Warm workers for a batch. One document alone is built here: no workers
    to start, only its bounds to keep (loading and validation included), and
    laid out by the layout process when the command started one."""
    if len(stale) == 1 and len(options.variants) == 1:
        if layout is None:   # laid out here
            warm_engine()
        return bounds.in_process(options.limits, shown(stale[0][0]))
    if layout:   # nothing for it to lay out
        layout.close()
    return worker_pool(jobs, options.limits) if stale else nullcontext()


def _run(tasks, options, pool, jobs, on_row=None, layout=None):
    """Build the tasks in the pool's workers, or here when there is no pool
    (laid out by `layout`, a LayoutProcess, if any); on_row(index, row) as
    each is done. jobs (--jobs): how many processes may build at once, a
    fit's child (render/fit.py) included."""
    if not tasks:
        return []
    with progress_bar(len(tasks)) as bar:
        if pool is None:
            options = replace(options, spare_core=spare_cores(len(tasks), jobs))
            rows = [None] * len(tasks)
            with _reporting_when_stopped(rows, tasks):
                for index, (brief, variant) in enumerate(tasks):
                    rows[index] = build_document(brief, variant, options, layout)
                    if on_row:
                        on_row(index, rows[index])
                    if bar:
                        bar.update(1)
            return rows
        return run_in_pool(pool, tasks, options, bar, on_row=on_row)


def progress_bar(count):
    """A progress bar of `count` documents on a terminal; none in a pipe or a log."""
    return click.progressbar(length=count, label="Building", file=sys.stderr) if sys.stderr.isatty() \
        else nullcontext()


def worker_pool(jobs, limits=Limits(), max_tasks=MAX_TASKS):
    return Workers(jobs, limits, max_tasks)


class Workers:
    """Worker processes (pebble's pool), forked from this one after it has
    imported WeasyPrint and set its fonts up, so that every worker, the
    replacements included, starts warm. A worker that overruns a document's
    deadline is killed and replaced; one that dies is replaced; each is
    replaced after MAX_TASKS documents."""

    def __init__(self, jobs, limits, max_tasks=MAX_TASKS):
        warm_engine()   # once per parent: forked workers share it
        self.jobs, self.limits, self.max_tasks = jobs, limits, max_tasks
        self.pool = self._start()

    def _start(self):
        import multiprocessing  # here, with the other imports that only workers need
        from pebble import ProcessPool
        pool = ProcessPool(max_workers=self.jobs, max_tasks=self.max_tasks, initializer=_start_worker,
                           initargs=(os.getpid(), self.limits.memory),
                           context=multiprocessing.get_context(_start_method()))
        pool.active  # noqa: B018  (asking starts the pool: the workers are forked now)
        return pool

    def submit(self, brief, variant, options, build=None, deadline=None):
        """A future of the document's Row, made by build(brief, variant, options)
        in a worker (default: build_document), stopped after deadline =
        (seconds, the Problem to report then); default: --time-limit. A pool
        that broke (pebble gives up when a worker dies while none is busy) is
        replaced by a new one."""
        deadline = deadline or (options.limits.seconds, bounds.too_long(shown(_file(brief)), options.limits.seconds))
        try:
            return self._schedule(brief, variant, options, build, deadline)
        except RuntimeError:
            self.stop()
            self.pool = self._start()
            return self._schedule(brief, variant, options, build, deadline)

    def _schedule(self, brief, variant, options, build, deadline):
        # The hard deadline: the soft one (in the worker) comes GRACE seconds earlier.
        return self.pool.schedule(_build_in_worker, (brief, variant, options, build, deadline),
                                  timeout=deadline[0] + bounds.GRACE)

    def stop(self):
        """Kill the workers now (they take SIGTERM at once, even inside C code)."""
        self.pool.stop()
        self.pool.join()

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.stop()


def _start_worker(parent, memory):
    """A new worker: it dies with its parent, ends at once on SIGTERM (the
    pool's way of killing it; pebble's own handler would wait for C code to
    return), leaves SIGINT and SIGHUP to the parent, which stops it cleanly,
    and caps its memory."""
    die_with_parent(parent)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    bounds.cap_memory(memory)


def _start_method():
    """vl-convert hangs in a child forked after it ran in the parent (a library
    user's earlier in-process build): such a parent spawns fresh workers."""
    return "spawn" if converter_started() else "fork"




def _file(brief):
    """A task's brief file: tasks carry the brief's Plan (build.Plan) or its file."""
    return getattr(brief, "brief", brief)


def _build_in_worker(brief, variant, options, build, deadline):
    seconds, problem = deadline
    with bounds.soft_deadline(seconds, shown(_file(brief)), problem):
        return (build or build_document)(brief, variant, options)


def run_in_pool(workers, tasks, options, bar=None, build=None, on_row=None):
    """Rows of the tasks, in order, each made by build(brief, variant, options)
    (default: build_document; a series builds its rows with its own), and
    on_row(index, row) called as each is done. A
    document whose worker died is tried once more; one that overran its
    deadline is not. Tasks are handed to the workers one at a time as they
    free up, so that each starts when it is handed over: it gets what is left
    of its brief's budget (budget.py) then."""
    from concurrent.futures import FIRST_COMPLETED, wait
    options = replace(options, spare_core=spare_cores(len(tasks), workers.jobs))
    rows = [None] * len(tasks)
    budgets = _budgets(tasks, options.limits.seconds)
    waiting = list(range(len(tasks)))
    pending = {}   # future -> (task index, the death of its first worker or None)

    shown_file = lru_cache(maxsize=None)(shown)   # a series' rows share one file: resolved once, not per row

    def hand_over(index, earlier_death=None):
        brief, variant = tasks[index]
        budget = budgets[id(brief)]
        left = budget.start()
        if left <= 0:
            budget.stop()
            finish(index, Row(Path(_file(brief)).stem, variant, "failed", str(_file(brief)),
                              problems=[str(ran_out(shown_file(_file(brief)), variant, budget))]))
            return
        deadline = (left, overrun(shown_file(_file(brief)), variant, budget))
        pending[workers.submit(brief, variant, options, build, deadline)] = (index, earlier_death)

    def finish(index, row):
        rows[index] = row
        if on_row:
            on_row(index, row)
        if bar:
            bar.update(1)

    with _reporting_when_stopped(rows, tasks):
        while waiting or pending:
            while waiting and len(pending) < workers.jobs:
                hand_over(waiting.pop(0))
            if not pending:
                continue
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                index, earlier_death = pending.pop(future)
                brief, variant = tasks[index]
                budgets[id(brief)].stop()
                death = _death(future)
                if death and not earlier_death:
                    hand_over(index, death)
                    continue
                finish(index, _row(future, death, earlier_death, brief, variant, options, budgets[id(brief)]))
    return rows


def _budgets(tasks, seconds):
    """One Budget per brief of the tasks (a task's brief: its Plan, or a
    series row's task), with what planning it took already spent."""
    budgets = {}
    for brief, _ in tasks:
        if id(brief) in budgets:
            budgets[id(brief)].variants += 1
        else:
            budgets[id(brief)] = Budget(seconds, used=getattr(brief, "seconds_spent", 0.0))
    return budgets


@contextmanager
def _reporting_when_stopped(rows, tasks):
    """On Stopped, the rows done so far go with it, and a "stopped" row for
    each task not done (rows: filled in task order as documents finish)."""
    try:
        yield
    except Stopped as stop:
        stop.rows = [row or Row(Path(_file(brief)).stem, variant, "stopped", str(_file(brief)))
                     for row, (brief, variant) in zip(rows, tasks)]
        raise


def _death(future):
    """Why the document's worker stopped, or None if it did not."""
    from concurrent.futures.process import BrokenProcessPool
    from pebble import ProcessExpired
    error = future.exception()
    if isinstance(error, ProcessExpired):
        code = error.exitcode
        return f"worker stopped: killed by signal {-code}" if code < 0 else f"worker stopped: exit status {code}"
    if isinstance(error, BrokenProcessPool):
        return "worker stopped: the worker pool broke"
    return None


def _row(future, death, earlier_death, task_brief, variant, options, budget):
    brief = _file(task_brief)
    error = future.exception()
    if error is None:
        row = future.result()
        if earlier_death:
            row.warnings.append(f"{shown(brief)}: {variant}: built on the second try ({earlier_death})")
        return row
    row = Row(Path(brief).stem, variant, "failed", str(brief))
    if isinstance(error, TimeoutError):  # past the hard deadline: the worker was killed
        row.seconds = error.args[1] if len(error.args) > 1 else budget.seconds
        row.problems = [str(overrun(shown(brief), variant, budget))]
    elif death:
        row.problems = [f"{shown(brief)}:1: {death}"]
    else:
        row.problems = _problem_lines(brief, error, options)
    return row


def _problem_lines(brief, error, options):
    problems = getattr(error, "problems", None)
    if problems:
        return [str(problem) for problem in problems]
    if isinstance(error, MemoryError):
        return [str(bounds.too_big(shown(brief), options.limits.memory))]
    return [f"{brief}:1: internal error, please report it: {type(error).__name__}: {error}"]


def print_table(rows, seconds=None):
    """brief, variant, pages, seconds and status of every document; then the
    counts of each status and the total time the command took."""
    if not rows:
        return
    header = ("brief", "variant", "pages", "seconds", "status", "output")
    lines = [(row.brief, row.variant, "-" if row.pages is None else str(row.pages),
              f"{row.seconds:.2f}", row.status, row.output) for row in rows]
    widths = [max(len(line[column]) for line in [header, *lines]) for column in range(len(header))]
    for line in [header, *lines]:
        cells = [cell.rjust(width) if column in (2, 3) else cell.ljust(width)
                 for column, (cell, width) in enumerate(zip(line, widths))]
        click.echo("  ".join(cells).rstrip())
    counts = {status: sum(row.status == status for row in rows) for status in ("built", "up to date", "failed")}
    if any(row.status == "removed" for row in rows):   # a series row the data dropped
        counts["removed"] = sum(row.status == "removed" for row in rows)
    total = f" in {seconds:.1f} s" if seconds is not None else ""
    click.echo(", ".join(f"{count} {status}" for status, count in counts.items()) + total)

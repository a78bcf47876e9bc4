"""`brief watch`: one warm process rebuilds a brief's variants whenever the
brief, the files beside it or the theme change. A broken edit prints its
problems and leaves the last good PDFs in place (writes are atomic)."""

import signal
import time
from pathlib import Path

import click
import watchfiles

from .batch import Stopped, run_in_pool, stop_on_signals, worker_pool
from .document import plan_brief
from ..util.atomic import remove_stale_temporaries

# watchfiles' watcher looks for changes every 50 ms (its step) anyway: a
# timeout of one step lets edits() return once its watcher is in place, and
# costs an empty batch skipped every 50 ms.
WAKE_MS = 50
# An editor's save is a few events within milliseconds (a temporary file, a
# rename): 20 ms without a new one ends the batch, and no batch waits for
# more than 50 ms (watchfiles' defaults, 50 ms and 1.6 s, delay every build).
QUIET_MS, LONGEST_BATCH_MS = 20, 50


def watch_brief(brief, options, jobs, changes=None):
    """Build, then rebuild on every batch of changes. `changes` (an iterable of
    change sets) replaces watching the disk, for tests and the benchmark."""
    out_dir = Path(options.out_dir).resolve()
    folders = watched_folders(brief, options)
    remove_stale_temporaries(out_dir)
    try:
        with stop_on_signals() as received, worker_pool(jobs, options.limits) as pool:
            try:
                # Watching from before the first build: an edit saved while it runs is built next.
                batches = edits(folders, out_dir) if changes is None else changes
                rebuild(brief, options, pool)
                if changes is None:
                    click.echo(f"Watching {', '.join(map(str, folders))} (Ctrl-C to stop)", err=True)
                for _ in batches:
                    rebuild(brief, options, pool)
            except KeyboardInterrupt:  # watchfiles' word for any signal
                raise Stopped(received[0] if received else signal.SIGINT) from None
    except Stopped:  # the workers are stopped now
        remove_stale_temporaries(out_dir)
        raise


def edits(folders, out_dir, **settings):
    """The batches of edits in the folders (watchfiles.watch, with its
    settings), its watcher in place when this returns: any edit from now on
    is in a batch. watchfiles.watch itself sets its watcher up only when
    first asked for a batch, so an edit saved just after "Watching" was
    printed, on a loaded machine, was never seen."""
    batches = watchfiles.watch(*folders, watch_filter=lambda change, path: is_an_edit(path, out_dir),
                               rust_timeout=WAKE_MS, yield_on_timeout=True, step=QUIET_MS,
                               debounce=LONGEST_BATCH_MS, **settings)
    next(batches, None)   # the watcher set up; edits already in this batch precede the first build
    return (batch for batch in batches if batch)   # the timeouts' empty batches are no edits


def rebuild(brief, options, pool):
    """Build every variant of the brief once; print the time taken or the problems."""
    start = time.perf_counter()
    try:
        plan = plan_brief(brief, options)
    except Exception as error:  # the brief's problems; the last good PDFs stay
        _show_problems(getattr(error, "problems", [error]))
        return None
    rows = run_in_pool(pool, [(plan, variant) for variant in plan.variants], options)
    seconds = time.perf_counter() - start
    problems = [problem for row in rows for problem in row.problems]
    if problems:
        _show_problems(problems)
    built = ", ".join(f"{row.variant} {row.pages} page{'s' if row.pages != 1 else ''}"
                      for row in rows if row.status == "built")
    click.echo(f"{time.strftime('%H:%M:%S')} rebuilt {brief} in {seconds:.2f} s: {built or 'nothing'}")
    return seconds


def _show_problems(problems):
    for problem in problems:
        click.echo(str(problem), err=True)


def watched_folders(brief, options):
    folders = [Path(brief).resolve().parent]
    try:
        folders += [Path(folder) for folder in plan_brief(brief, options).folders if Path(folder).is_dir()]
    except Exception:  # a broken brief still gets watched, for the edit that mends it
        pass
    return list(dict.fromkeys(folders))


def is_an_edit(path, out_dir):
    """Changes in the output folder (our own PDFs) and temporary files are not edits."""
    path = Path(path)
    return not path.resolve().is_relative_to(out_dir) and not path.name.endswith((".tmp", "~"))

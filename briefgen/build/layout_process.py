"""One document laid out in a process of its own, forked before the build
imports its composing code.

A build of one document (`brief build X.yaml -v summary`) spends half a
second importing WeasyPrint before its first layout, and about a fifth of
one importing Jinja, markdown-it and PyYAML and loading, validating and
composing the brief. Neither needs the other. Forked when the command
starts, the child imports WeasyPrint and sets up its fonts while this
process composes. The composed variant then goes to the child, which lays
it out, checks the pages and writes the output (write.write_variant) and
sends back the Output, or the error that stopped it.

What crosses the pipe is plain values (writers.Composed, build/options.py,
theme/spec.py, inputs/loaded.py, compose/glyphs.ThemeFonts), so the child
imports none of the composing code: the layout does not wait for it.

Bounds: the child ends at this process's deadline even inside C code
(SIGALRM's default action, armed when the job arrives), caps its memory as
a build here does (--max-memory), and dies with this process (SIGKILL from
the kernel). The soft deadline here interrupts the wait for the result, and
the child is killed when the build ends, however it ends.
"""

import os
import pickle
import signal

from ..util import bounds, parallel


class LayoutProcess:
    """start() forks the child; write(...) is write.write_variant(...), run
    there; close() ends the child. One document per process: a second
    write, or a child that died without answering, runs here instead."""

    def __init__(self):
        self._child = None

    def start(self):
        jobs_read, self._jobs = os.pipe()
        self._results, results_write = os.pipe()
        parent = os.getpid()
        self._child = os.fork()
        if self._child == 0:
            os.close(self._jobs)
            os.close(self._results)
            _serve(jobs_read, results_write, parent)
        os.close(jobs_read)
        os.close(results_write)
        return self

    def write(self, composed, target, options, checks):
        if self._child is None:
            return _write_here(composed, target, options, checks)
        try:
            job = pickle.dumps((composed, target, options, checks, signal.getitimer(signal.ITIMER_REAL)[0]))
            jobs, self._jobs = self._jobs, None
            parallel.send(jobs, job)   # closed by it: the child reads to its end
            answer = parallel.received(self._results)
        except (pickle.PicklingError, TypeError, AttributeError, BrokenPipeError):
            answer = None   # a value that cannot cross (a plugin's), or the child is gone
        finally:
            self.close()
        if answer is None:   # it died (a crash, the kernel's OOM killer) or got nothing: the work is done here
            return _write_here(composed, target, options, checks)
        kind, value = answer
        if kind == "error":
            raise value
        return value

    def close(self):
        if self._child is None:
            return
        for end in (self._jobs, self._results):
            if end is not None:
                os.close(end)
        parallel.end_child(self._child)
        self._child = self._jobs = self._results = None

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.close()


def _write_here(composed, target, options, checks):
    from .write import write_variant
    return write_variant(composed, target, options, checks)


def _serve(jobs_read, results_write, parent):
    """The child: get ready to lay out, wait for the job, send its answer, and
    leave without running what the parent registered (atexit, buffers)."""
    status = 1
    try:
        parallel.die_with_parent(parent)
        signal.signal(signal.SIGINT, signal.SIG_IGN)    # Ctrl-C is the parent's: it stops the build
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _get_ready()
        job = parallel.received(jobs_read)
        if job:   # none: the build needed no layout here (up to date, a failed brief, several documents)
            parallel.send(results_write, pickle.dumps(_answer(*job)))
        status = 0
    finally:
        os._exit(status)


def _get_ready():
    """WeasyPrint imported and warmed up (engine_import.warm_engine), with the
    code that lays out, checks and writes, and what a job names, so that
    unpickling it imports nothing more."""
    from ..render.engine_import import warm_engine
    from .. import writers
    from . import options, write  # noqa: F401
    warm_engine()
    writers.writer("pdf")


def _answer(composed, target, options, checks, seconds_left):
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    if seconds_left:   # the parent's soft deadline, plus the time its hard one allows
        signal.setitimer(signal.ITIMER_REAL, seconds_left + bounds.GRACE)
    bounds.cap_memory(options.limits.memory)
    try:
        return "output", _write_here(composed, target, options, checks)
    except Exception as error:   # the build's own (BriefError, OutputError, MemoryError past --max-memory) and bugs
        try:
            pickle.dumps(error)
        except Exception:
            error = RuntimeError(f"{type(error).__name__}: {error}")
        return "error", error

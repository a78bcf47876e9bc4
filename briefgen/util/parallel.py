"""Two pieces of work at once, on a core the build would otherwise leave
idle: this process does one, a child forked from it the other, and the
child sends back a small value. Used by the page-budget fit (render/fit.py)
to lay out the design and a guessed fit step side by side; its pipe helpers
(send, received) carry the layout process's job and answer too
(build/layout_process.py)."""

import ctypes
import os
import pickle
import select
import signal
import sys
import threading
import time

PATIENCE = 2.0      # the child may take this many times as long as the work here...
SLACK = 0.5         # ...plus this many seconds, before it is given up and killed
LONGEST_LIFE = 60   # seconds a child lives at most when no deadline is set here


def spare_cores(tasks, jobs):
    """Whether a run of `tasks` documents, allowed `jobs` processes at once
    (--jobs), leaves one of them and a core idle."""
    return tasks < min(len(os.sched_getaffinity(0)), jobs)


def can_fork():
    """A fork is safe here: no other Python threads, whose locks the child
    would inherit held."""
    return hasattr(os, "fork") and threading.active_count() == 1


def beside(here, there):
    """(here(), there()), with there() run in a forked child while here() runs
    here. When the child fails, or takes far longer than here() did, it is
    killed and there's value is None. here()'s exceptions go up as they are,
    and the child is killed first."""
    read_end, write_end = os.pipe()
    life = signal.getitimer(signal.ITIMER_REAL)[0] or LONGEST_LIFE
    child = os.fork()
    if child == 0:
        os.close(read_end)
        _child(there, write_end, life)
    os.close(write_end)
    try:
        started = time.monotonic()
        value = here()
        return value, received(read_end, (time.monotonic() - started) * PATIENCE + SLACK)
    finally:
        os.close(read_end)
        end_child(child)


def _child(there, write_end, life):
    """Run there(), send its value, and exit without running anything the
    parent registered (atexit, buffered output, finalizers). The deadline
    here was not inherited (timers are not): SIGALRM's default action ends
    the child at the parent's, even inside C code."""
    status = 1
    try:
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.setitimer(signal.ITIMER_REAL, life)
        send(write_end, pickle.dumps(there()))
        status = 0
    finally:
        os._exit(status)


def send(end, data):
    """Write the bytes to a pipe's end and close it: the reader reads to its end."""
    with os.fdopen(end, "wb") as pipe:
        pipe.write(data)


def received(read_end, seconds=None):
    """The value unpickled from what the other end sends before closing it,
    or None if nothing whole comes (within `seconds`, when given). A signal
    handler's error raised while waiting (the soft deadline) goes up."""
    deadline, chunks = None if seconds is None else time.monotonic() + seconds, []
    while True:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([read_end], [], [], left)[0]:
                return None
        chunk = os.read(read_end, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    try:
        return pickle.loads(b"".join(chunks))
    except Exception:   # nothing, or a sender that died halfway: as if it sent nothing
        return None


def end_child(child):
    """Killed if still running, and reaped."""
    try:
        os.kill(child, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(child, 0)


def die_with_parent(parent):
    """SIGKILL from the kernel when the parent dies, however it dies (Linux;
    elsewhere a pool stops its workers when the parent exits normally)."""
    if not sys.platform.startswith("linux"):
        return
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the line above
        os._exit(1)

"""Bounds on the build of one document: one deadline for the whole build
(--time-limit) and a memory cap (--max-memory).

The deadline has two halves, because they fail in different ways:

- soft: SIGALRM at the deadline raises a BriefError wherever Python code is
  running, so the author gets the one-line "took longer than N s" and the
  process goes on (the next document of the worker, the closing table);
- hard: a Python signal handler only runs between bytecodes, so a loop inside
  C code (a regular expression backtracking, an SVG <use> bomb in a C
  library) never sees SIGALRM. GRACE seconds after the deadline something
  outside the interpreter kills the process that builds: in a batch, the
  worker pool (the task's timeout; see batch.py); for a build in the calling
  process, the watchdog() child below.
"""

import os
import resource
import signal
import subprocess
import threading
from contextlib import contextmanager

from ..problems import DeadlinePassed, Problem

GRACE = 2   # seconds between the soft deadline and the hard one


def too_long(shown_path, seconds):
    return Problem(shown_path, 1, "", f"took longer than {seconds} s (--time-limit)")


def too_big(shown_path, limit):
    return Problem(shown_path, 1, "", f"needed more than {memory_size(limit)} of memory (--max-memory)")


def memory_size(size):
    """1610612736 -> '1.5 GB' (binary units, as the option reads them)."""
    for unit, factor in (("GB", 2 ** 30), ("MB", 2 ** 20)):
        if size >= factor:
            return f"{size / factor:.4g} {unit}"
    return f"{size} bytes"


@contextmanager
def soft_deadline(seconds, shown_path, problem=None):
    """SIGALRM after `seconds`: a BriefError wherever Python code runs then,
    with `problem` (default: too_long). Signals reach the main thread only;
    elsewhere only the hard deadline holds."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise DeadlinePassed([problem or too_long(shown_path, seconds)])

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# The watchdog: `cat` reads the pipe until the build ends and closes it (or
# dies, and the kernel closes it); `timeout` gives up on it after the deadline
# (status 124), and then the build is stuck in C code and is killed.
WATCHDOG = ('timeout "$1" cat >/dev/null; '
            'if [ $? -eq 124 ]; then printf "%s\\n" "$2" >&2; kill -KILL "$3"; fi')


@contextmanager
def watchdog(seconds, message):
    """The hard deadline of a build in the calling process: a small process,
    started here, that waits on a pipe. When the build ends, the parent closes
    its end and the watchdog exits at once; if the parent dies, the kernel
    closes it for it. If the pipe is still open after `seconds`, the parent is
    stuck (in C code, since the soft deadline did not stop it): the watchdog
    prints the one-line message and kills it with SIGKILL, which nothing can
    ignore. Spawned, not forked: a forked child would share the build's
    memory, and every page the build then wrote would be copied (12,000 page
    faults more for the sample's full brief). In a session of its own, Ctrl-C
    and a closed terminal are for the parent, which then ends and closes the
    pipe."""
    read_end, write_end = os.pipe()
    try:
        child = subprocess.Popen(["sh", "-c", WATCHDOG, "watchdog", str(seconds), message, str(os.getpid())],
                                 stdin=read_end, start_new_session=True)
    finally:
        os.close(read_end)
    try:
        yield
    finally:
        os.close(write_end)
        child.wait()


@contextmanager
def in_process(limits, shown_path):
    """The bounds of a build in the calling process (`brief build X -v full`):
    soft and hard deadline, and the memory cap, lifted again afterwards (the
    calling process may be a test runner, or go on to other work)."""
    with watchdog(limits.seconds + GRACE, str(too_long(shown_path, limits.seconds))), \
            memory_cap(limits.memory), soft_deadline(limits.seconds, shown_path):
        yield


@contextmanager
def memory_cap(limit):
    """At most `limit` more bytes of data (private writable memory) than the
    process has now (RLIMIT_DATA: malloc fails past it, and Python raises
    MemoryError). Not RLIMIT_AS: the chart converter's JavaScript engine
    reserves many GB of address space it never uses, and dies under an
    address-space cap. Measured from the current size, so that what a warm
    process already holds (WeasyPrint's fonts, a forking parent's arenas)
    does not count against the document."""
    previous = cap_memory(limit)
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_DATA, previous)


def cap_memory(limit):
    """Set the cap (see memory_cap); return the limits it replaced."""
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    wanted = data_size() + limit
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (wanted, hard))
    return soft, hard


def data_size():
    """Bytes of data (and stack) this process holds now (statm's sixth field)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[5]) * resource.getpagesize()

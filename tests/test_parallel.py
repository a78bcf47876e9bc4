"""util/parallel.py: work done beside this process, in a forked child that
sends back a small value, and never outlives the call."""

import os
import time

import pytest

from briefgen.problems import BriefError, DeadlinePassed, Problem
from briefgen.util import parallel


def children():
    """This process's children, alive or not yet reaped."""
    found = set()
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/children", encoding="ascii") as file:
            found.update(file.read().split())
    return found


@pytest.fixture
def no_child_left():
    """Every child forked during the test is gone at its end (an earlier
    test's processes may still be ending: they are not counted)."""
    before = children()
    yield
    assert not children() - before


def test_the_child_works_at_the_same_time_and_sends_its_value(no_child_left):
    started = time.monotonic()
    here, there = parallel.beside(lambda: (time.sleep(0.4), os.getpid())[1],
                                  lambda: (time.sleep(0.4), os.getpid())[1])
    assert time.monotonic() - started < 0.75   # side by side, not one after the other
    assert here == os.getpid() and there != os.getpid()


def test_a_child_that_fails_sends_nothing(no_child_left):
    here, there = parallel.beside(lambda: "here", lambda: 1 / 0)
    assert (here, there) == ("here", None)


def test_a_child_far_slower_than_the_work_here_is_given_up_and_killed(monkeypatch, no_child_left):
    monkeypatch.setattr(parallel, "SLACK", 0.2)
    started = time.monotonic()
    here, there = parallel.beside(lambda: "here", lambda: time.sleep(30))
    assert (here, there) == ("here", None)
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("error", [BriefError, DeadlinePassed])
def test_an_error_here_goes_up_and_the_child_is_killed(error, no_child_left):
    with pytest.raises(error):
        parallel.beside(lambda: (_ for _ in ()).throw(error([Problem("b.yaml", 1, "", "no")])),
                        lambda: time.sleep(30))


def test_the_child_ends_at_the_deadline_even_inside_c_code(tmp_path, no_child_left):
    """SIGALRM's default action, not a Python handler: a child stuck in C
    code (here: blocked in a read) still ends at the parent's deadline."""
    import signal
    read_end, write_end = os.pipe()
    pid_file = tmp_path / "pid"

    def stuck():
        pid_file.write_text(str(os.getpid()))
        os.read(read_end, 1)   # blocks in C; nobody writes

    def wait_here():
        time.sleep(0.2)
        child = int(pid_file.read_text())
        for _ in range(40):   # the child's own alarm ends it within LONGEST_LIFE (0.5 s here)
            time.sleep(0.05)
            status = open(f"/proc/{child}/stat", encoding="ascii").read().split()[2]
            if status == "Z":
                return "ended"
        return "still running"

    previous = signal.signal(signal.SIGALRM, lambda *a: None)
    signal.setitimer(signal.ITIMER_REAL, 0.5)   # the parent's deadline, which the child inherits as its life
    try:
        here, there = parallel.beside(wait_here, stuck)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert (here, there) == ("ended", None)



@pytest.mark.parametrize("tasks, jobs, cores, spare", [
    (1, 2, 2, True),    # brief build X -v summary; watch -v summary
    (1, 1, 2, False),   # --jobs 1: one process at a time, whatever the cores
    (1, 4, 1, False),   # one core
    (2, 2, 2, False),   # every core builds a document
    (3, 8, 4, True),
])
def test_a_core_is_spare_only_within_jobs_and_cores(monkeypatch, tasks, jobs, cores, spare):
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: set(range(cores)))
    assert parallel.spare_cores(tasks, jobs) is spare

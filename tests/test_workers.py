"""Bounds and crashes: one deadline per document that stops a loop in C code,
a memory cap, workers that die or are killed, signals to the main process,
and one document built in the calling process.

Each test runs the command line in a child process (the tool's own process
may be killed, by design), with a phase of the build patched before the
workers fork, and is bounded by the child's timeout."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from conftest import MINIMAL_BRIEF, ROOT, write_brief

LIMIT = 5          # --time-limit of these tests, seconds (a loaded machine builds the good briefs within it)
BOUND = 60         # no test waits longer for the tool

# Patches applied in the tool's process before anything runs: a brief whose
# title names a behaviour gets it in the compose phase (in the worker that
# builds it). Each start is recorded in <brief folder>/<title>.log.
PATCH = """
import os, re, sys, time
from pathlib import Path
import briefgen.build.document as build

def note(brief):
    with open(Path(brief["folder"]) / (brief["title"] + ".log"), "a") as log:
        log.write(f"{os.getpid()} {time.time()}\\n")

original = build.compose_html
def compose_html(brief, *args, **kwargs):
    title = brief["title"]
    if title in ("c-loop", "regex", "slow", "crash", "big", "in-write"):
        note(brief)
    if title == "c-loop":  # an endless loop in C that never looks at signals: SIGALRM cannot stop it
        import collections, itertools
        collections.deque(itertools.count(), maxlen=0)
    elif title == "regex":  # catastrophic backtracking (Python >= 3.11's re looks at signals: the soft deadline)
        re.match(r"(a+)+$", "a" * 40 + "!")
    elif title == "slow":
        time.sleep(3)
    elif title == "crash":
        os.kill(os.getpid(), 9)
    elif title == "big":
        bytearray(2 ** 30)
    return original(brief, *args, **kwargs)
build.compose_html = compose_html

import briefgen.writers.pdf as pdf_writer
original_write = pdf_writer.write_pdf
def write_pdf(laid_out, target, *args):
    if "in-write" in laid_out.html:  # hold the temporary file open
        from briefgen.util.atomic import atomic_file
        with atomic_file(target, "wb"):
            time.sleep(BOUND)
    return original_write(laid_out, target, *args)
pdf_writer.write_pdf = write_pdf

original_select = build.select_variant
def select_variant(data, variant, folder, defaults):
    brief = original_select(data, variant, folder, defaults)
    brief["folder"] = str(folder)
    return brief
build.select_variant = select_variant
""".replace("BOUND", str(BOUND))


def brief(folder, title, name=None):
    return write_brief(folder, MINIMAL_BRIEF.replace("A minimal brief", title), name=name or f"{title}.yaml")


def start(folder, *args, patch=PATCH):
    """The command line, patched, in a child process of its own session (so a
    signal to its group reaches its workers too, as Ctrl-C on a terminal does)."""
    code = patch + "\nimport generate\ngenerate.main()\n"
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], cwd=folder, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def run(folder, *args):
    process = start(folder, *args)
    try:
        stdout, stderr = process.communicate(timeout=BOUND)
    finally:
        _kill_group(process)
    return process.returncode, stdout, stderr, time.time()


def _kill_group(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def table(stdout):
    """{(brief, variant): status} from the closing table (its last line has the totals)."""
    return {tuple(line.split()[:2]): line.split()[4] for line in stdout.splitlines()[1:-1]}


def starts(folder, title):
    """(pid, time) of each start of the patched behaviour."""
    log = Path(folder) / f"{title}.log"
    lines = log.read_text().split("\n")[:-1] if log.exists() else []
    return [(int(pid), float(when)) for pid, when in (line.split() for line in lines)]


def wait_for(condition, seconds=BOUND):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


@pytest.mark.parametrize("hang", ["c-loop", "regex"])
def test_a_hang_in_a_batch_fails_alone_within_the_deadline(tmp_path, hang):
    brief(tmp_path, hang), brief(tmp_path, "good")
    status, stdout, stderr, ended = run(tmp_path, "build", f"{hang}.yaml", "good.yaml", "-v", "summary",
                                        "--time-limit", LIMIT, "--jobs", "2")
    assert status == 1
    assert table(stdout) == {(hang, "summary"): "failed", ("good", "summary"): "built"}
    assert stderr.splitlines() == [f"{hang}.yaml:1: took longer than {LIMIT} s (--time-limit)"]
    [(_, started)] = starts(tmp_path, hang)
    assert ended - started < LIMIT + 5


@pytest.mark.parametrize("hang", ["c-loop", "regex"])
def test_a_hang_in_a_single_build_in_this_process_ends_within_the_deadline(tmp_path, hang):
    brief(tmp_path, hang)
    status, stdout, stderr, ended = run(tmp_path, "build", f"{hang}.yaml", "-v", "full", "--time-limit", LIMIT)
    [(pid, started)] = starts(tmp_path, hang)
    assert ended - started < LIMIT + 5
    assert stderr.splitlines() == [f"{hang}.yaml:1: took longer than {LIMIT} s (--time-limit)"]
    if hang == "c-loop":  # only the watchdog could stop it: it killed the process
        assert status == -signal.SIGKILL
    else:  # the soft deadline: a clean failure, with the table
        assert status == 1 and table(stdout) == {(hang, "full"): "failed"}
    assert not list((tmp_path / "out").glob(".*.tmp"))


def test_one_document_is_built_in_the_calling_process_without_workers(tmp_path):
    brief(tmp_path, "slow")
    patch = PATCH + "\nimport atexit\natexit.register(lambda: print('pid', os.getpid(), 'pebble' in sys.modules))\n"
    process = start(tmp_path, "build", "slow.yaml", "-v", "full", patch=patch)
    try:
        stdout, stderr = process.communicate(timeout=BOUND)
    finally:
        _kill_group(process)
    assert process.returncode == 0, stderr
    [(pid, _)] = starts(tmp_path, "slow")
    assert stdout.splitlines()[-1] == f"pid {pid} False"  # built by the command's own process; no pool imported


def test_a_worker_killed_mid_batch_is_replaced_and_its_document_retried(tmp_path):
    for title in ("slow", "one", "two", "three"):
        brief(tmp_path, title)
    process = start(tmp_path, "build", "slow.yaml", "one.yaml", "two.yaml", "three.yaml", "-v", "summary", "--jobs", "2")
    try:
        wait_for(lambda: starts(tmp_path, "slow"))
        [(worker, _)] = starts(tmp_path, "slow")
        assert worker in [child.pid for child in psutil.Process(process.pid).children()]
        os.kill(worker, signal.SIGKILL)
        stdout, stderr = process.communicate(timeout=BOUND)
    finally:
        _kill_group(process)
    assert process.returncode == 0, stderr
    assert set(table(stdout).values()) == {"built"} and len(table(stdout)) == 4
    assert len(starts(tmp_path, "slow")) == 2  # tried again, in another worker
    assert starts(tmp_path, "slow")[1][0] != worker
    assert ("warning: slow.yaml: summary: built on the second try (worker stopped: killed by signal 9)"
            in stderr.splitlines())


def test_a_document_whose_worker_always_dies_fails_alone_after_one_retry(tmp_path):
    brief(tmp_path, "crash"), brief(tmp_path, "good")
    status, stdout, stderr, _ = run(tmp_path, "build", "crash.yaml", "good.yaml", "-v", "summary", "-v", "full",
                                    "--jobs", "2")
    assert status == 1
    assert table(stdout) == {("crash", "full"): "failed", ("crash", "summary"): "failed",
                             ("good", "full"): "built", ("good", "summary"): "built"}
    assert len(starts(tmp_path, "crash")) == 4  # two variants, each tried twice
    assert stderr.splitlines() == ["crash.yaml:1: worker stopped: killed by signal 9"]


@pytest.mark.parametrize("variants", [["-v", "full"], ["-v", "full", "-v", "summary"]], ids=["in process", "batch"])
def test_a_document_over_the_memory_cap_fails_alone(tmp_path, variants):
    brief(tmp_path, "big"), brief(tmp_path, "good")
    status, stdout, stderr, _ = run(tmp_path, "build", "big.yaml", *(["good.yaml"] if len(variants) > 2 else []),
                                    *variants, "--max-memory", "500M")
    assert status == 1
    assert stderr.splitlines() == ["big.yaml:1: needed more than 500 MB of memory (--max-memory)"]
    statuses = table(stdout)
    assert {status for (name, _), status in statuses.items() if name == "big"} == {"failed"}
    assert {status for (name, _), status in statuses.items() if name == "good"} <= {"built"}
    if len(variants) > 2:
        assert statuses[("good", "summary")] == "built"


@pytest.mark.parametrize("signum, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)],
                         ids=["SIGINT", "SIGTERM", "SIGHUP"])
def test_a_signal_stops_the_workers_removes_temporary_files_and_prints_the_table(tmp_path, signum, status):
    for title in ("one", "in-write", "two", "three", "four"):
        brief(tmp_path, title)
    process = start(tmp_path, "build", "one.yaml", "in-write.yaml", "two.yaml", "three.yaml", "four.yaml",
                    "-v", "summary", "--jobs", "2")
    try:
        wait_for(lambda: list((tmp_path / "out").glob(".in-write-summary.pdf.*.tmp")))
        workers = psutil.Process(process.pid).children()
        assert len(workers) == 2
        if signum == signal.SIGINT:  # Ctrl-C on a terminal: the whole foreground group
            os.killpg(process.pid, signum)
        else:
            process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=BOUND)
    finally:
        _kill_group(process)
    assert process.returncode == status
    assert "Traceback" not in stderr and stderr.splitlines()[-1] == f"brief: stopped by {signal.Signals(signum).name}"
    assert table(stdout)[("in-write", "summary")] == "stopped" and len(table(stdout)) == 5
    assert not [worker for worker in workers if _alive(worker)]
    assert not list((tmp_path / "out").glob(".*.tmp"))


def test_workers_die_with_their_parent(tmp_path):
    for title in ("in-write", "one", "two"):
        brief(tmp_path, title)
    process = start(tmp_path, "build", "in-write.yaml", "one.yaml", "two.yaml", "-v", "summary", "--jobs", "2")
    try:
        wait_for(lambda: list((tmp_path / "out").glob(".in-write-summary.pdf.*.tmp")))
        workers = psutil.Process(process.pid).children()
        process.kill()  # no clean-up: the kernel ends the workers (one is writing for another minute)
        process.wait(timeout=BOUND)
        wait_for(lambda: not [worker for worker in workers if _alive(worker)], seconds=5)
    finally:
        _kill_group(process)


def _alive(process):
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_stale_temporary_files_are_removed_at_the_next_build(tmp_path):
    brief(tmp_path, "one")
    out = tmp_path / "out"
    out.mkdir()
    ended = subprocess.Popen(["true"])
    ended.wait()
    stale = out / f".one-summary.pdf.{ended.pid}.k2j4x9_q.tmp"      # its writer is gone
    old_style = out / ".one-full.pdf.x8c2l1mm.tmp"                   # from a version without pids
    running = out / f".one-memo.pdf.{os.getppid()}.a1b2c3d4.tmp"    # a live process's: another build's
    for path in (stale, old_style, running):
        path.write_bytes(b"")
    status, _, stderr, _ = run(tmp_path, "build", "one.yaml", "-v", "summary")
    assert status == 0, stderr
    assert sorted(path.name for path in out.glob(".*.tmp")) == [running.name]


def test_a_temporary_file_of_a_worker_killed_but_not_yet_reaped_is_stale(tmp_path):
    """A worker killed with its parent (kill -9) is a zombie until init reaps
    it: its pid still answers kill(pid, 0), but it holds no file open."""
    brief(tmp_path, "one")
    out = tmp_path / "out"
    out.mkdir()
    zombie = subprocess.Popen(["true"])   # ended, not waited for: a zombie
    wait_for(lambda: psutil.Process(zombie.pid).status() == psutil.STATUS_ZOMBIE)
    left = out / f".one-summary.pdf.{zombie.pid}.k2j4x9_q.tmp"
    left.write_bytes(b"%PDF-1.7 half")
    try:
        status, _, stderr, _ = run(tmp_path, "build", "one.yaml", "-v", "summary")
    finally:
        zombie.wait()
    assert status == 0, stderr
    assert not list(out.glob(".*.tmp"))


def test_watch_survives_killed_workers(tmp_path):
    brief(tmp_path, "one")
    process = start(tmp_path, "watch", "one.yaml", "-v", "summary", "--jobs", "2")
    lines = []
    try:
        threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")), daemon=True).start()
        wait_for(lambda: lines)
        for worker in psutil.Process(process.pid).children():  # both, while idle: the pool breaks
            worker.kill()
        time.sleep(1)  # the watcher is watching
        brief(tmp_path, "Edited", name="one.yaml")
        wait_for(lambda: len(lines) >= 2)
        assert "rebuilt one.yaml in" in lines[1] and "summary 1 page" in lines[1]
        assert len(psutil.Process(process.pid).children()) == 2
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=BOUND)
    finally:
        _kill_group(process)
    assert process.returncode == 143

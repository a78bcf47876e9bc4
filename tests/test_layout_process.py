"""build/layout_process.py: a build of one document lays it out in a process
forked before the composing code is imported, which imports WeasyPrint
meanwhile; render/engine_import.py: WeasyPrint imported without running
gcc and ld; util/scratch.py: what the processes leave in the temporary
folder goes with the command."""

import json
import os
import pickle
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL_BRIEF, ROOT, SAMPLE, run_cli, write_brief
from test_parallel import children

from briefgen.build import document
from briefgen.build.layout_process import LayoutProcess
from briefgen.build.write import Output

COMPOSING = ("jinja2", "yaml", "markdown_it", "jsonschema", "briefgen.build.document", "briefgen.theme.resolve",
             "briefgen.compose.html")


def python(code, *args, env=None):
    """Run code in a fresh interpreter at the repository's root; its last line of output."""
    done = subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()[-1]


# A one-document build through the command line, in a fresh interpreter, that
# says which modules this process had when the layout process was forked and
# at the end.
WATCHED_BUILD = """
import json, sys
from briefgen.build import layout_process
seen = {}
start = layout_process.LayoutProcess.start
def watched_start(self):
    seen["at_fork"] = sorted(sys.modules)
    return start(self)
layout_process.LayoutProcess.start = watched_start
from briefgen.cli import cli
try:
    cli(sys.argv[1:], prog_name="brief")
except SystemExit as exit:
    seen["status"] = exit.code
seen["at_end"] = sorted(sys.modules)
print(json.dumps(seen))
"""


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="a layout process needs a second core")
def test_one_document_is_laid_out_by_a_process_forked_before_the_composing_code(tmp_path):
    seen = json.loads(python(WATCHED_BUILD, "build", SAMPLE, "-v", "summary", "--out", tmp_path / "beside"))
    assert seen["status"] == 0
    assert not [name for name in COMPOSING if name in seen["at_fork"]]
    assert "jinja2" in seen["at_end"]              # this process composed...
    assert "weasyprint" not in seen["at_end"]      # ...and the child laid out
    # The same bytes as a build laid out here (--jobs 1: no core for a second process).
    here = json.loads(python(WATCHED_BUILD, "build", SAMPLE, "-v", "summary", "--jobs", "1",
                             "--out", tmp_path / "here"))
    assert "at_fork" not in here and "weasyprint" in here["at_end"]
    name = "north-korea-trafficking-summary.pdf"
    assert (tmp_path / "beside" / name).read_bytes() == (tmp_path / "here" / name).read_bytes()


class Captured:
    """Stands in for a LayoutProcess: keeps what would cross the pipe."""
    def write(self, composed, target, options, checks):
        self.job = (composed, target, options, checks, 0.0)
        return Output(composed.variant, target, 1)


def test_what_crosses_the_pipe_needs_no_module_the_child_has_not_imported(tmp_path):
    captured = Captured()
    document.build_brief(SAMPLE, document.Options(("summary",), out_dir=tmp_path), layout=captured)
    job = tmp_path / "job.pickle"
    job.write_bytes(pickle.dumps(captured.job))
    code = ("import json, pickle, sys; from briefgen.build.layout_process import _get_ready; _get_ready(); "
            "ready = set(sys.modules); pickle.loads(open(sys.argv[1], 'rb').read()); "
            "print(json.dumps([sorted(ready), sorted(set(sys.modules) - ready)]))")
    ready, imported_for_the_job = json.loads(python(code, job))
    assert imported_for_the_job == []
    assert not [name for name in COMPOSING if name in ready]


def test_a_problem_found_in_the_layout_process_is_the_same_one_line(tmp_path, in_root):
    long = MINIMAL_BRIEF.replace("summary: The summary.", "summary: " + "A long summary sentence. " * 400)
    brief = write_brief(tmp_path, long)
    beside = run_cli("build", brief, "-v", "summary", "--out", tmp_path / "beside")
    here = run_cli("build", brief, "-v", "summary", "--jobs", "1", "--out", tmp_path / "here")
    assert beside.exit_code == here.exit_code == 1
    assert "lines over one page; longest items: summary" in beside.stderr
    assert beside.stderr == here.stderr
    assert not list((tmp_path / "beside").glob("*.pdf"))


def test_the_time_limit_ends_the_layout_process(tmp_path):
    rows = "".join(f"            - [Row {n}, 'Some text in a cell']\n" for n in range(4000))
    brief = write_brief(tmp_path, MINIMAL_BRIEF.replace("    content: [Some text.]", (
        "    content:\n      - table:\n          caption: Long\n          columns: [A, B]\n          rows:\n" + rows)))
    before = children()
    result = run_cli("build", brief, "-v", "full", "--time-limit", "1", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{brief}:1: took longer than 1 s (--time-limit)"
    assert not children() - before


def test_a_layout_process_that_died_leaves_the_work_to_this_one(tmp_path):
    process = LayoutProcess().start()
    os.kill(process._child, signal.SIGKILL)
    [output] = document.build_brief(SAMPLE, document.Options(("summary",), out_dir=tmp_path), layout=process)
    assert output.pages == 1 and output.path.read_bytes().startswith(b"%PDF")
    assert process._child is None   # reaped


class Unpicklable:
    """A LayoutProcess handed a value that cannot cross the pipe (a plugin's)."""
    def __init__(self, process):
        self.process = process

    def write(self, composed, target, options, checks):
        checks.plugin_state = lambda: None
        return self.process.write(composed, target, options, checks)


def test_what_cannot_cross_the_pipe_is_laid_out_here(tmp_path):
    before = children()
    process = LayoutProcess().start()
    [output] = document.build_brief(SAMPLE, document.Options(("summary",), out_dir=tmp_path),
                                    layout=Unpicklable(process))
    assert output.pages == 1 and output.path.read_bytes().startswith(b"%PDF")
    assert process._child is None and not children() - before


def test_weasyprint_is_imported_without_running_gcc_or_ld():
    code = """
import ctypes.util, json, subprocess
ran = []
popen = subprocess.Popen.__init__
def watched(self, args, *rest, **options):
    ran.append(args[0] if isinstance(args, (list, tuple)) else args)
    popen(self, args, *rest, **options)
subprocess.Popen.__init__ = watched
from briefgen.render.engine_import import import_weasyprint
import_weasyprint()
print(json.dumps([str(name) for name in ran]))
"""
    ran = json.loads(python(code))
    assert ran and all(Path(program).name == "ldconfig" for program in ran), ran


def test_the_quick_library_search_answers_as_ctypes_does():
    code = """
import ctypes.util, json
names = ["gobject-2.0-0", "gobject-2.0", "pango-1.0", "harfbuzz", "harfbuzz-subset", "harfbuzz-vector",
         "fontconfig-1", "fontconfig", "pangoft2-1.0", "libpangoft2-1.0-0"]
slow = [ctypes.util.find_library(name) for name in names]
from briefgen.render.engine_import import _quick_library_search
with _quick_library_search():
    quick = [ctypes.util.find_library(name) for name in names]
print(json.dumps([slow, quick]))
"""
    slow, quick = json.loads(python(code))
    assert quick == slow and "libgobject-2.0.so.0" in quick


def test_nothing_is_left_in_the_temporary_folder(tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    for extra in ([], ["--jobs", "1"]):   # laid out by the layout process (and the fit's child), and here
        done = subprocess.run([sys.executable, "generate.py", "build", str(SAMPLE), "-v", "summary", "--force",
                               "--out", str(tmp_path / "out"), *extra], cwd=ROOT, capture_output=True, text=True,
                              env={**os.environ, "TMPDIR": str(scratch)}, timeout=120)
        assert done.returncode == 0, done.stderr
        assert list(scratch.iterdir()) == []

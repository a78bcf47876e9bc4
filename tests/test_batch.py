"""Batch builds in worker processes, incremental builds and watch."""

import os
import shutil
import subprocess
import sys
import threading
import time

import psutil
import pytest

from briefgen.build import batch
from briefgen.build import document as build_module
from briefgen.build.document import Options
from briefgen.build.manifest import MANIFEST
from briefgen.build.watch import watch_brief
from conftest import MINIMAL_BRIEF, ROOT, run_cli, write_brief



def table(result):
    """{(brief, variant): status} from the closing table (its last line has the totals)."""
    rows = {}
    for line in result.stdout.splitlines()[1:-1]:
        cells = line.split()
        status = " ".join(cells[4:6]) if cells[4:6] == ["up", "to"] else cells[4]
        rows[(cells[0], cells[1])] = ("up to date" if status == "up to" else status)
    return rows


@pytest.fixture
def folder(tmp_path):
    """Two small briefs, one with a figure, and an output folder."""
    shutil.copy(ROOT / "tests" / "broken" / "figures" / "box.svg", tmp_path / "box.svg")
    write_brief(tmp_path, MINIMAL_BRIEF, name="one.yaml")
    write_brief(tmp_path, MINIMAL_BRIEF + """  - title: Figure
    content:
      - figure: {image: box.svg, caption: A box., alt: A dark blue rectangle.}
""", name="two.yaml")
    return tmp_path


def build(folder, *args):
    return run_cli("build", folder / "one.yaml", folder / "two.yaml", "--out", folder / "out", *args)


PIDS = []  # the file each build_document call writes its process id to


def build_document_noting_the_process(brief, variant, options):
    with open(PIDS[0], "a", encoding="utf-8") as file:
        file.write(f"{os.getpid()}\n")
    return build_module.build_document(brief, variant, options)


def test_a_batch_builds_every_brief_and_variant_in_worker_processes(folder, monkeypatch):
    # Forked workers, as from the command line (earlier tests drew charts in this
    # process, which would make it spawn them; these briefs have no chart).
    monkeypatch.setattr(batch, "converter_started", lambda: False)
    monkeypatch.setattr(batch, "build_document", build_document_noting_the_process)
    monkeypatch.setattr(sys.modules[__name__], "PIDS", [folder / "pids"])
    result = build(folder, "--jobs", "2")
    assert result.exit_code == 0, result.output
    pids = (folder / "pids").read_text().split()
    assert len(pids) == 6 and str(os.getpid()) not in pids  # each document built in a worker process
    assert table(result) == {(name, variant): "built" for name in ("one", "two") for variant in ("full", "memo", "summary")}
    assert result.stdout.splitlines()[0].split() == ["brief", "variant", "pages", "seconds", "status", "output"]
    assert len(list((folder / "out").glob("*.pdf"))) == 6


def test_a_failing_brief_does_not_stop_the_others(folder):
    write_brief(folder, "title: [", name="bad.yaml")
    result = run_cli("build", folder / "bad.yaml", folder / "one.yaml", "--jobs", "2", "--out", folder / "out")
    assert result.exit_code == 1
    assert table(result)[("bad", "-")] == "failed" and table(result)[("one", "summary")] == "built"
    assert f"{folder / 'bad.yaml'}:2: YAML syntax error" in result.stderr


def test_an_unchanged_rebuild_is_skipped_and_force_rebuilds(folder):
    build(folder)
    again = build(folder)
    assert set(table(again).values()) == {"up to date"}
    assert set(table(build(folder, "--force")).values()) == {"built"}


@pytest.mark.parametrize("change", ["brief", "image", "theme", "theme file added", "pdf removed", "manifest corrupt",
                                    "manifest gone"])
def test_a_change_rebuilds_what_depends_on_it(folder, tmp_path, change):
    theme = tmp_path / "theme"
    run_cli("new-theme", theme)
    build(folder, "--theme", theme)
    if change == "brief":
        (folder / "one.yaml").write_text(MINIMAL_BRIEF.replace("Some text.", "Other text."), encoding="utf-8")
    elif change == "image":
        (folder / "box.svg").write_text((folder / "box.svg").read_text().replace("1f3a5f", "b8322a"))
    elif change == "theme":
        (theme / "styles" / "brief.css").write_text("p { color: #333; }", encoding="utf-8")
    elif change == "theme file added":  # a file the last build did not know of
        (theme / "styles" / "memo.css").write_text("h1 { color: #333; }", encoding="utf-8")
    elif change == "pdf removed":
        (folder / "out" / "two-memo.pdf").unlink()
    elif change == "manifest corrupt":
        (folder / "out" / MANIFEST).write_text("{not json", encoding="utf-8")
    else:
        (folder / "out" / MANIFEST).unlink()
    statuses = table(build(folder, "--theme", theme))
    expected = {
        "brief": {"one": "built", "two": "up to date"},
        "image": {"one": "up to date", "two": "built"},
        "theme": {"one": "built", "two": "built"},
        "theme file added": {"one": "built", "two": "built"},
        "pdf removed": {"one": "up to date", "two": "built"},
        "manifest corrupt": {"one": "built", "two": "built"},
        "manifest gone": {"one": "built", "two": "built"},
    }[change]
    assert {brief: status for (brief, _), status in statuses.items()} == expected


def test_touching_a_file_without_changing_it_rebuilds_nothing(folder):
    build(folder)
    os.utime(folder / "one.yaml")
    assert set(table(build(folder)).values()) == {"up to date"}


def test_watch_rebuilds_on_each_change_and_keeps_the_last_good_pdf(folder, capsys):
    brief = folder / "one.yaml"
    options = Options(out_dir=folder / "out")

    def edits():
        brief.write_text(MINIMAL_BRIEF.replace("Some text.", "Edited."), encoding="utf-8")
        yield {"modified"}
        good = (folder / "out" / "one-summary.pdf").read_bytes()
        brief.write_text("title: [", encoding="utf-8")  # an edit that breaks the brief
        yield {"modified"}
        assert (folder / "out" / "one-summary.pdf").read_bytes() == good

    watch_brief(brief, options, 2, changes=edits())
    out, err = capsys.readouterr()
    assert out.count(f"rebuilt {brief} in ") == 2  # the first build and the edit
    assert "full 4 pages, memo 1 page, summary 1 page" in out
    assert f"{brief}:2: YAML syntax error" in err


def test_watch_command_sees_edits_on_disk(folder):
    process = subprocess.Popen([sys.executable, str(ROOT / "generate.py"), "watch", "one.yaml", "-v", "summary"],
                               cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while not lines and time.monotonic() < deadline:
            time.sleep(0.1)
        assert lines, "no first build"
        time.sleep(1)  # let the watcher start
        (folder / "one.yaml").write_text(MINIMAL_BRIEF.replace("Some text.", "Edited."), encoding="utf-8")
        while len(lines) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(lines) >= 2 and "rebuilt one.yaml in" in lines[1] and "summary 1 page" in lines[1]
        workers = psutil.Process(process.pid).children()
        assert workers
    finally:
        process.terminate()
        process.wait(timeout=10)
    time.sleep(0.5)
    # Its own workers, by pid: another watch of the same name (a parallel test run) is not ours.
    assert not [worker for worker in workers if alive(worker)], "worker processes outlived the watch"


def test_watch_does_not_react_to_its_own_output(folder):
    """The PDFs go to out/ inside the watched folder: writing them is no edit."""
    process = subprocess.Popen([sys.executable, str(ROOT / "generate.py"), "watch", "two.yaml", "-v", "summary"],
                               cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")), daemon=True)
    reader.start()

    def wait_for(count, seconds):
        deadline = time.monotonic() + seconds
        while len(lines) < count and time.monotonic() < deadline:
            time.sleep(0.1)

    try:
        wait_for(1, 60)
        assert len(lines) == 1 and (folder / "out" / "two-summary.pdf").is_file()
        wait_for(2, 4)  # a rebuild caused by its own PDF would come within this
        assert len(lines) == 1, lines
        (folder / "two.yaml").write_text((folder / "two.yaml").read_text().replace("Some text.", "Edited."))
        wait_for(2, 60)
        wait_for(3, 4)
        assert len(lines) == 2, lines  # the edit, once
    finally:
        process.terminate()
        process.wait(timeout=10)


def alive(process):
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False

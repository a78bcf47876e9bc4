"""Bad input and faults, round three (issue 26): the last input classes that
ended in "internal error", one time budget per brief, and what a fault
leaves behind: two builds into one folder and a series whose data loses a
row.

The fault tests run the command line in child processes, slowed where they
need time to overlap by a patch that makes each document's compose phase sleep."""

import csv
import hashlib
import json
import signal
import threading
import time
from pathlib import Path

import pikepdf
import psutil
import pytest
from pypdf import PdfReader

from briefgen.build.manifest import MANIFEST
from conftest import MINIMAL_BRIEF, run_cli, write_brief
from test_workers import BOUND, PATCH, _alive, _kill_group, brief as titled_brief, start, wait_for

SLOW = """
import time
import briefgen.build.document as build
original = build.compose_html
def compose_html(*args, **kwargs):
    time.sleep(SECONDS)   # a document that takes long enough to be interrupted
    return original(*args, **kwargs)
build.compose_html = compose_html
"""


def slowed(seconds):
    return SLOW.replace("SECONDS", str(seconds))


def statuses(stdout):
    """{(brief, variant): status} from the closing table (its last line has the totals)."""
    rows = {}
    for line in stdout.splitlines()[1:-1]:
        cells = line.split()
        rows[(cells[0], cells[1])] = "up to date" if cells[4:6] == ["up", "to"] else cells[4]
    return rows


def finish(process):
    try:
        return process.communicate(timeout=BOUND)
    finally:
        _kill_group(process)


def sha(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# --- the four input classes -----------------------------------------------------

THEMED = MINIMAL_BRIEF + "theme: theme\n"


@pytest.mark.parametrize("variant", ["memo", "summary"])
def test_page_margins_wider_than_the_page_fail_at_the_rule_and_the_last_pdf_stays(tmp_path, variant):
    brief = write_brief(tmp_path, THEMED)
    css = tmp_path / "theme" / "styles" / "brief.css"
    css.parent.mkdir(parents=True)
    css.write_text("@page { margin: 2cm }\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("build", brief, "-v", variant, "--out", out).exit_code == 0
    good = (out / f"brief-{variant}.pdf").read_bytes()
    css.write_text("p { color: black }\n@page { margin: 200cm !important }\n", encoding="utf-8")
    result = run_cli("build", brief, "-v", variant, "--out", out)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{css}:2: @page: the page margins leave 0 × 0 mm for the text of the {variant} variant; "
        "make them smaller than the page"]
    assert (out / f"brief-{variant}.pdf").read_bytes() == good


DIGITS = "7" * 5000
TOO_LONG = "a number of 5,000 digits is too long to read (at most 4,300); put it in quotes to keep it as text"


@pytest.mark.parametrize("added, line", [
    (f"number: {DIGITS}\n", f"8: number: {TOO_LONG}"),
    (f"? {DIGITS}\n: x\n", f"8: key: {TOO_LONG}"),
    (f"extra:\n  ? {DIGITS}\n  : x\n", f"9: extra: key: {TOO_LONG}"),
    (f"number: 0x{'f' * 4998}\n", f"8: number: {TOO_LONG}"),   # hexadecimal: read by Python, never printable
], ids=["value", "key", "nested key", "hexadecimal"])
@pytest.mark.parametrize("command", ["check", "build"])
def test_an_integer_of_thousands_of_digits_is_one_line_at_its_key(tmp_path, added, line, command):
    brief = write_brief(tmp_path, MINIMAL_BRIEF + added)
    result = run_cli(command, brief, *(["-v", "summary", "--out", tmp_path / "out"] if command == "build" else []))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"{brief}:{line}"]


TABLE = MINIMAL_BRIEF.replace("    content: [Some text.]", (
    "    content:\n      - table:\n          caption: Cells\n          csv: cells.csv\n"))


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_nul_byte_in_a_csv_file_names_the_file_and_line(tmp_path, command):
    (tmp_path / "cells.csv").write_bytes(b"Source,Note\nA,fine\nB,bad\x00cell\n")
    brief = write_brief(tmp_path, TABLE)
    result = run_cli(command, brief, *(["-v", "full", "--out", tmp_path / "out"] if command == "build" else []))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{brief}:10: sections[0].content[0].table.csv: cells.csv line 3: a NUL byte (U+0000), which no text "
        "holds; is it a CSV file? Export it again as CSV"]


def test_a_nul_byte_in_a_series_data_file_names_the_file_and_line(tmp_path):
    (tmp_path / "rows.csv").write_bytes(b"code,name\nA,Alpha\nB,Be\x00ta\n")
    series = tmp_path / "rows.yaml"
    series.write_text("series:\n  data: rows.csv\n  key: code\nbrief:\n" + "".join(
        f"  {line}\n" for line in MINIMAL_BRIEF.replace("The summary.", '"{{ name }}"').splitlines()), encoding="utf-8")
    result = run_cli("check", series)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{series}:2: series.data: rows.csv line 3: a NUL byte (U+0000), which no text holds; is it a CSV file? "
        "Export it again as CSV"]



@pytest.mark.parametrize("value, found", [("-.inf", "a number"), ("7", "a number"), ("true", "true or false"),
                                          ("{a: b}", "a mapping")])
def test_a_bibliography_that_is_not_text_or_a_list_is_one_line(tmp_path, value, found):
    """Found by the generated YAML documents (`bibliography: -.inf`): an internal error before."""
    brief = write_brief(tmp_path, MINIMAL_BRIEF + f"bibliography: {value}\n")
    result = run_cli("check", brief)
    assert result.exit_code == 1
    assert [line.split(" (YAML reads")[0] for line in result.stderr.splitlines()] == [
        f"{brief}:8: bibliography: expected text or a list, found {found}"]

BUDGET = 4   # --time-limit of the budget test, seconds

# The time the first document of the build starts composing, in ./composing:
# the test's clock starts there, not at the start of a process that may start
# slowly on a loaded machine.
NOTED = """
import os, time
import briefgen.build.document as build
slow = build.compose_html
def compose_html(*args, **kwargs):
    if not os.path.exists("composing"):
        with open("composing", "w") as note:
            note.write(repr(time.time()))
    return slow(*args, **kwargs)
build.compose_html = compose_html
"""


def test_the_time_limit_bounds_all_the_variants_of_a_brief_together(tmp_path):
    """A brief whose documents all take longer than its budget: the first
    two variants stop when the brief's budget runs out, together; the third,
    waiting for a worker, is not started, and each line says why. (The 50
    columns alone, the case as reported, lay a memo out in under 3 s on a
    fast machine, so each document also sleeps past the budget.)"""
    write_brief(tmp_path, THEMED)
    (tmp_path / "theme" / "styles").mkdir(parents=True)
    (tmp_path / "theme" / "styles" / "brief.css").write_text("body, section, p { columns: 50 !important }\n")
    process = start(tmp_path, "build", "brief.yaml", "--time-limit", BUDGET, "--jobs", "2",
                    patch=slowed(BOUND) + NOTED)
    stdout, stderr = finish(process)
    waited = time.time() - float((tmp_path / "composing").read_text())
    assert process.returncode == 1
    stopped = f"stopped: the brief took longer than {BUDGET} s (--time-limit bounds all the variants of a brief together)"
    assert stderr.splitlines() == [
        f"brief.yaml:1: full: {stopped}", f"brief.yaml:1: memo: {stopped}",
        f"brief.yaml:1: summary: not built: the brief's {BUDGET} s (--time-limit, all its variants together) "
        "ran out before this variant started"]
    assert statuses(stdout) == {("brief", variant): "failed" for variant in ("full", "memo", "summary")}
    # One budget (and the command's exit), not one per variant: with a limit per
    # document, full and memo side by side, then the summary, took 2 x BUDGET.
    assert waited < 1.5 * BUDGET + 1


def test_time_limit_help_says_it_is_per_brief():
    result = run_cli("build", "--help")
    assert "all its variants together" in " ".join(result.stdout.split())


# --- a batch killed in the middle ---------------------------------------------------

BRIEFS = [f"b{number}" for number in range(1, 7)]


def test_two_builds_into_one_folder_at_once_take_turns_and_the_manifest_matches_the_files(tmp_path):
    for name in BRIEFS[:3]:
        write_brief(tmp_path, MINIMAL_BRIEF, name=f"{name}.yaml")
    args = ["build", *[f"{name}.yaml" for name in BRIEFS[:3]], "-v", "summary", "--jobs", "1"]
    first = start(tmp_path, *args, patch=slowed(0.5))
    wait_for(lambda: (tmp_path / "out").is_dir())
    second = start(tmp_path, *args, patch=slowed(0.5))
    (first_out, first_err), (second_out, second_err) = finish(first), finish(second)
    assert first.returncode == second.returncode == 0
    assert first_err == ""
    assert second_err.splitlines() == ["waiting for the other build writing into out/ to finish"]
    assert set(statuses(first_out).values()) == {"built"}
    assert set(statuses(second_out).values()) == {"up to date"}
    entries = json.loads((tmp_path / "out" / MANIFEST).read_text())["entries"]
    recorded = {name: digest for entry in entries.values() for output in entry["outputs"]
                for name, (_, digest) in output["files"].items()}
    assert recorded == {f"{name}-summary.pdf": sha(tmp_path / "out" / f"{name}-summary.pdf") for name in BRIEFS[:3]}


# The second build of five edited briefs, --jobs 2, killed when k1 and k2
# are built and recorded, k3's worker has half its PDF written (a temporary
# file, held open), k4 is in layout and k5 waits for a worker.
INTERRUPTED = """
import time
from pathlib import Path
import briefgen.build.document as build
import briefgen.writers.pdf as pdf_writer
from briefgen.util.atomic import atomic_file
original_compose, original_write = build.compose_html, pdf_writer.write_pdf
def compose_html(brief, *args, **kwargs):
    if brief["title"] == "k4":
        Path("k4.started").touch()
        time.sleep(BOUND)
    return original_compose(brief, *args, **kwargs)
def write_pdf(laid_out, target, *args):
    if Path(target).name == "k3-summary.pdf":
        with atomic_file(target, "wb") as file:
            file.write(b"%PDF-1.7 half of it")
            file.flush()
            Path("k3.writing").touch()
            time.sleep(BOUND)
    return original_write(laid_out, target, *args)
build.compose_html, pdf_writer.write_pdf = compose_html, write_pdf
""".replace("BOUND", str(BOUND))

KILLED = [f"k{number}" for number in range(1, 6)]
DONE = 2   # of them built before the kill


def recorded(out):
    """{PDF name: its hash} as the output folder's manifest records them."""
    try:
        entries = json.loads((out / MANIFEST).read_text())["entries"]
    except (OSError, ValueError):
        return {}
    return {name: digest for entry in entries.values() for output in entry["outputs"]
            for name, (_, digest) in output["files"].items()}


def says(path, text):
    """The PDF parses whole (pikepdf reads its cross-reference table and its
    one page) and its page's text says `text`."""
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == 1
    return text in " ".join(PdfReader(path).pages[0].extract_text().split())


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["kill -9", "SIGTERM"])
def test_a_batch_killed_in_the_middle_keeps_old_or_whole_pdfs_and_the_next_build_does_the_rest(tmp_path, signum):
    out, names = tmp_path / "out", [f"{name}.yaml" for name in KILLED]
    for name in KILLED:
        write_brief(tmp_path, MINIMAL_BRIEF.replace("A minimal brief", name), name=f"{name}.yaml")
    args = ["build", *names, "-v", "summary", "--jobs", "2"]
    assert set(statuses(finish(start(tmp_path, *args, patch=""))[0]).values()) == {"built"}
    previous = {f"{name}-summary.pdf": sha(out / f"{name}-summary.pdf") for name in KILLED}
    for name in names:
        (tmp_path / name).write_text((tmp_path / name).read_text().replace("The summary.", "The edited summary."))
    process = start(tmp_path, *args, patch=INTERRUPTED)
    try:
        # k4 is handed to a worker only once k1 and k2 are done (and recorded)
        wait_for(lambda: (tmp_path / "k4.started").exists() and (tmp_path / "k3.writing").exists())
        workers = psutil.Process(process.pid).children(recursive=True)
        assert len(workers) == 2
        process.send_signal(signum)
        process.wait(timeout=BOUND)
        # no worker left running (before reading the output: a worker left would hold the pipes open)
        wait_for(lambda: not [worker for worker in workers if _alive(worker)], seconds=5)
        stdout, stderr = process.communicate(timeout=BOUND)
    finally:
        _kill_group(process)
    assert process.returncode == (-9 if signum == signal.SIGKILL else 143)
    if signum == signal.SIGTERM:   # stopped cleanly: the table, and no temporary file left
        assert stderr.splitlines() == ["brief: stopped by SIGTERM"]
        assert statuses(stdout) == {**{(name, "summary"): "built" for name in KILLED[:DONE]},
                                    **{(name, "summary"): "stopped" for name in KILLED[DONE:]}}
        assert not list(out.glob(".*.tmp"))
    pdfs = {path.name: sha(path) for path in out.glob("*.pdf")}
    assert sorted(pdfs) == sorted(previous)
    for name, digest in pdfs.items():   # the previous good PDF, or the new one whole
        assert digest == previous[name] or says(out / name, "The edited summary."), name
    kept = sorted(name for name in pdfs if pdfs[name] == previous[name])
    assert kept == [f"{name}-summary.pdf" for name in KILLED[DONE:]]   # and those not done are the old ones
    assert recorded(out) == pdfs   # the manifest is whole and describes the files there
    again = finish(start(tmp_path, *args, patch=""))[0]
    assert statuses(again) == {**{(name, "summary"): "up to date" for name in KILLED[:DONE]},
                               **{(name, "summary"): "built" for name in KILLED[DONE:]}}
    assert all(says(path, "The edited summary.") for path in out.glob("*.pdf"))
    assert not list(out.glob(".*.tmp"))   # what kill -9 left is removed


# --- a series whose data loses a row -------------------------------------------------

SERIES = "series:\n  data: rows.csv\n  key: code\n  variants: [summary]\nbrief:\n" + "".join(
    f"  {line}\n" for line in MINIMAL_BRIEF.replace("The summary.", '"About {{ name }}."').splitlines())


def write_rows(folder, rows):
    with open(folder / "rows.csv", "w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows([["code", "name"], *rows])


def test_a_row_gone_from_a_series_data_has_its_outputs_removed_and_reported(tmp_path):
    series = tmp_path / "rows.yaml"
    series.write_text(SERIES, encoding="utf-8")
    write_rows(tmp_path, [["A", "Alpha"], ["B", "Beta"], ["C", "Gamma"]])
    out = tmp_path / "out"
    assert run_cli("build", series, "--out", out, "--jobs", "1").exit_code == 0
    assert (out / "rows" / "B-summary.pdf").is_file()
    write_rows(tmp_path, [["A", "Alpha"], ["C", "Gamma"]])
    result = run_cli("build", series, "--out", out, "--jobs", "1")
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"warning: {series}: B is no longer a row of the data: removed {out / 'rows' / 'B-summary.pdf'}"]
    assert statuses(result.stdout) == {("rows/A", "summary"): "up to date", ("rows/C", "summary"): "up to date",
                                       ("rows/B", "-"): "removed"}
    assert result.stdout.splitlines()[-1].startswith("0 built, 2 up to date, 0 failed, 1 removed")
    assert sorted(path.name for path in (out / "rows").glob("*.pdf")) == ["A-summary.pdf", "C-summary.pdf"]
    assert [row[0] for row in csv.reader((out / "rows" / "index.csv").open())] == ["key", "A", "C"]
    entries = json.loads((out / "rows" / MANIFEST).read_text())["entries"]
    assert sorted(json.loads(key)[1] for key in entries) == ["A", "C"]
    again = run_cli("build", series, "--out", out, "--jobs", "1")   # said once
    assert again.exit_code == 0 and again.stderr == ""


# --- watch over many edits --------------------------------------------------------------

EDITS = 200
GROWTH = 50 * 2 ** 20   # bytes of resident memory the watch may gain over the edits


def test_watch_over_200_edits_keeps_its_memory_flat(tmp_path):
    """The real command, editing the brief on disk 200 times, each edit
    waited for (its rebuild line) before the next; the resident memory of the
    watch and its workers sampled every 20 edits, from after the first build."""
    brief = write_brief(tmp_path, MINIMAL_BRIEF, name="one.yaml")
    process = start(tmp_path, "watch", "one.yaml", "-v", "summary", "--jobs", "1", patch="")
    lines, errors = [], []
    readers = [threading.Thread(target=lambda stream=stream, into=into: into.extend(iter(stream.readline, "")),
                                daemon=True) for stream, into in ((process.stdout, lines), (process.stderr, errors))]
    for reader in readers:
        reader.start()
    try:
        wait_for(lambda: lines and errors)   # built once, and watching
        watched = psutil.Process(process.pid)
        samples = [resident(watched)]
        for edit in range(1, EDITS + 1):
            brief.write_text(MINIMAL_BRIEF.replace("The summary.", f"Summary number {edit}."), encoding="utf-8")
            wait_for(lambda: len(lines) > edit)
            if edit % 20 == 0:
                samples.append(resident(watched))
        wait_for(lambda: says(tmp_path / "out" / "one-summary.pdf", f"Summary number {EDITS}."))
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=BOUND)
        for reader in readers:
            reader.join(timeout=BOUND)
    finally:
        _kill_group(process)
    assert process.returncode == 143
    assert all("rebuilt one.yaml in" in line and "summary 1 page" in line for line in lines)
    assert len(errors) == 1 and errors[0].startswith(f"Watching {tmp_path}, ")   # and no problem
    growth = max(samples) - samples[0]
    print("resident memory every 20 edits:", [f"{sample / 2 ** 20:.0f} MB" for sample in samples])
    assert growth < GROWTH, [f"{sample / 2 ** 20:.0f} MB" for sample in samples]


# The watcher's set-up (watchfiles' RustNotify) held back a second, as a loaded machine may hold the process back.
LATE_WATCHER = """
import time, watchfiles.main
_watcher = watchfiles.main.RustNotify
def late_watcher(*args):
    time.sleep(1)
    return _watcher(*args)
watchfiles.main.RustNotify = late_watcher
"""


def test_watch_builds_an_edit_saved_as_soon_as_it_says_watching(tmp_path):
    """"Watching" is said once the watcher is in place, however late it got
    going: an edit saved at once is built (it was lost for good, and the 200
    edits above waited for it in vain, when a busy machine delayed the set-up)."""
    brief = write_brief(tmp_path, MINIMAL_BRIEF, name="one.yaml")
    lines, errors, process = _watching(tmp_path, LATE_WATCHER)
    try:
        wait_for(lambda: lines and errors)
        brief.write_text(MINIMAL_BRIEF.replace("The summary.", "Saved at once."), encoding="utf-8")
        wait_for(lambda: says(tmp_path / "out" / "one-summary.pdf", "Saved at once."))
    finally:
        _kill_group(process)
    assert "rebuilt one.yaml in" in lines[-1]


def test_watch_builds_an_edit_saved_during_its_first_build(tmp_path):
    """The first build (held 3 s in the worker) starts after the watcher: an
    edit saved meanwhile is built next."""
    brief = titled_brief(tmp_path, "slow", name="one.yaml")
    lines, errors, process = _watching(tmp_path, PATCH)
    try:
        wait_for(lambda: (tmp_path / "slow.log").exists())   # the first build is under way
        brief.write_text(MINIMAL_BRIEF.replace("The summary.", "Saved during the first build."), encoding="utf-8")
        wait_for(lambda: len(lines) >= 2)
        wait_for(lambda: says(tmp_path / "out" / "one-summary.pdf", "Saved during the first build."))
    finally:
        _kill_group(process)
    assert all("rebuilt one.yaml in" in line for line in lines), lines


def _watching(folder, patch):
    """`brief watch one.yaml` started with the patch, and its stdout and stderr lines as they come."""
    process = start(folder, "watch", "one.yaml", "-v", "summary", "--jobs", "1", patch=patch)
    lines, errors = [], []
    for stream, into in ((process.stdout, lines), (process.stderr, errors)):
        threading.Thread(target=lambda stream=stream, into=into: into.extend(iter(stream.readline, "")),
                         daemon=True).start()
    return lines, errors, process


def resident(process):
    """The resident memory of the watch process and its workers, bytes."""
    family = [process, *process.children(recursive=True)]
    total = 0
    for member in family:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:   # a worker replaced meanwhile
            pass
    return total

"""A series: one brief per row of a dataset (issue 19). A series file's
placeholders are filled by a sandbox of their own; each row's brief is
validated like a hand-written one, fails alone, and is rebuilt only when it
changed; a Dask cluster builds the same PDFs, byte for byte."""

import csv
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest
from pypdf import PdfReader

from briefgen.build.document import Options
from briefgen.brief import template as template_module
from briefgen.brief.template import PlaceholderError, placeholder_names
from briefgen.build.series import is_series, load_series
from conftest import ROOT, flat, run_cli

REGIONS = ["Busan", "Seoul", "Daegu", "Incheon", "Gwangju", "Daejeon", "Ulsan", "Sejong", "Suwon", "Changwon",
           "Goyang", "Yongin", "Cheongju", "Jeonju", "Cheonan", "Gimhae", "Pohang", "Jeju", "Gangneung", "Mokpo"]

SERIES = """\
series:
  data: data/regions.csv
  key: code
  variants: [summary]
brief:
  title: "Heat and work in {{ region }}"
  date: 2026-07-01
  summary: "In {{ region }}, {{ workers | number }} people work outdoors."
  key_points: ["{{ region }} had {{ days }} hot days in 2025."]
  sections:
    - title: Background
      content:
        - "Outdoor work in {{ region }}."
        - chart:
            spec: {mark: bar, encoding: {x: {field: year, type: ordinal}, y: {field: days, type: quantitative}}}
            data: data/days.csv
            where: {code: "{{ code }}"}
            caption: "Hot days in {{ region }}."
            alt: "Bars of the hot days in {{ region }} in 2024 and 2025."
            variants: [summary]
"""
SUMMARY_LINE = 8    # the line of `summary:` in SERIES


def write_series(folder, rows=None, text=SERIES, name="regions.yaml"):
    """The series file and its data: 20 regions, R01 to R20."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    rows = rows or [{"code": f"R{n:02}", "region": region, "workers": str(1000 * n + 234), "days": str(20 + n)}
                    for n, region in enumerate(REGIONS, 1)]
    write_csv(folder / "data" / "regions.csv", rows)
    write_csv(folder / "data" / "days.csv", [{"code": row["code"], "year": year, "days": str(int(row["days"]) - shift)}
                                             for row in rows for year, shift in (("2024", 3), ("2025", 0))])
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def write_csv(file, rows):
    with open(file, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def read_rows(file):
    with open(file, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def table_counts(output):
    """The closing table's last line: '19 built, 1 up to date, 0 failed in 3.2 s' -> (19, 1, 0)."""
    line = output.strip().splitlines()[-1]
    return tuple(int(part.split()[0]) for part in line.split(" in ")[0].split(", "))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The 20-row series, built once on this machine (--jobs 2)."""
    folder = tmp_path_factory.mktemp("series")
    file = write_series(folder)
    result = run_cli("build", file, "--out", folder / "out", "--jobs", "2")
    assert result.exit_code == 0, result.output
    return folder, result


def test_a_twenty_row_series_builds_twenty_pdfs_whose_titles_carry_each_rows_values(built):
    folder, result = built
    out = folder / "out" / "regions"
    pdfs = sorted(out.glob("*.pdf"))
    assert [pdf.name for pdf in pdfs] == [f"R{n:02}-summary.pdf" for n in range(1, 21)]
    assert table_counts(result.stdout) == (20, 0, 0)
    for n, region in enumerate(REGIONS, 1):
        reader = PdfReader(out / f"R{n:02}-summary.pdf")
        assert len(reader.pages) == 1
        text = flat(reader.pages[0].extract_text())
        assert text.startswith(flat(f"Heat and work in {region}"))
        assert flat(f"In {region}, {1000 * n + 234:,} people work outdoors") in text   # the number filter: 1,234
        assert flat(f"{region} had {20 + n} hot days") in text
        assert reader.metadata.title == f"Heat and work in {region}"
    index = read_rows(out / "index.csv")
    assert index == [{"key": f"R{n:02}", "title": f"Heat and work in {region}", "summary": f"R{n:02}-summary.pdf"}
                     for n, region in enumerate(REGIONS, 1)]


def test_a_row_with_a_bad_value_fails_alone_naming_its_row(tmp_path):
    rows = [{"code": f"R{n:02}", "region": region, "workers": "many" if n == 7 else "1200", "days": "30"}
            for n, region in enumerate(REGIONS, 1)]
    file = write_series(tmp_path, rows)
    result = run_cli("build", file, "--out", tmp_path / "out", "--jobs", "2")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"{file}:{SUMMARY_LINE}: brief.summary: 'many' is not a number (row 7, code=R07)"]
    assert table_counts(result.stdout) == (19, 0, 1)
    assert len(list((tmp_path / "out" / "regions").glob("*.pdf"))) == 19
    assert not (tmp_path / "out" / "regions" / "R07-summary.pdf").exists()


def test_a_row_whose_brief_is_invalid_fails_alone_with_the_series_files_line(tmp_path):
    text = SERIES.replace("  date: 2026-07-01", '  date: "{{ published }}"')
    rows = [{"code": f"R{n:02}", "region": region, "workers": "1", "days": "30",
             "published": "July" if n == 17 else "2026-07-01"} for n, region in enumerate(REGIONS, 1)]
    file = write_series(tmp_path, rows, text)
    result = run_cli("build", file, "--out", tmp_path / "out", "--jobs", "2")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{file}:7: brief.date: 'July' is not an ISO date such as 2025-11-15 (row 17, code=R17)"
    assert table_counts(result.stdout) == (19, 0, 1)


def test_changing_one_row_rebuilds_only_that_brief(tmp_path):
    file = write_series(tmp_path)
    out = tmp_path / "out" / "regions"
    assert run_cli("build", file, "--out", tmp_path / "out", "--jobs", "2").exit_code == 0
    before = {pdf.name: pdf.stat().st_mtime_ns for pdf in out.glob("*.pdf")}
    rows = read_rows(tmp_path / "data" / "regions.csv")
    rows[4]["region"] = "Gwangju Metropolitan City"
    write_csv(tmp_path / "data" / "regions.csv", rows)
    result = run_cli("build", file, "--out", tmp_path / "out", "--jobs", "2")
    assert result.exit_code == 0, result.output
    assert table_counts(result.stdout) == (1, 19, 0)
    [changed] = [line for line in result.stdout.splitlines() if " built " in f" {line} "]
    assert changed.split()[:2] == ["regions/R05", "summary"]
    after = {pdf.name: pdf.stat().st_mtime_ns for pdf in out.glob("*.pdf")}
    assert [name for name in sorted(after) if after[name] != before[name]] == ["R05-summary.pdf"]
    assert "Gwangju Metropolitan City" in PdfReader(out / "R05-summary.pdf").metadata.title
    # Nothing changed: nothing built. The template changed: every row.
    assert table_counts(run_cli("build", file, "--out", tmp_path / "out").stdout) == (0, 20, 0)
    file.write_text(SERIES.replace("Heat and work in", "Heat at work in"), encoding="utf-8")
    assert table_counts(run_cli("build", file, "--out", tmp_path / "out", "--jobs", "2").stdout) == (20, 0, 0)


def test_a_placeholder_reaching_for_python_internals_is_refused_before_any_row(tmp_path):
    file = write_series(tmp_path, text=SERIES.replace("Heat and work in {{ region }}", "{{ ''.__class__ }}"))
    result = run_cli("build", file, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{file}:6: brief.title: \"{{{{ ''.__class__ }}}}\" refused: an attribute ('.__class__') is not allowed; "
        "a placeholder is a column name, optionally with a filter: {{ column }}, {{ column | number }}, "
        "{{ column | number(1) }}, {{ column | percent }}, {{ column | date }} or {{ column | date('d MMMM y') }}\n")
    assert not (tmp_path / "out" / "regions").exists() or not list((tmp_path / "out" / "regions").glob("*.pdf"))


@pytest.mark.parametrize("text, refused", [
    ("{{ region.__class__.__mro__ }}", "an attribute ('.__mro__')"),
    ("{{ region['x'] }}", "an index ('[...]')"),
    ("{{ lipsum() }}", "a call"),
    ("{{ region | attr('upper') }}", "the filter 'attr'"),
    ("{{ region ~ region }}", "an expression"),
    ("{% for x in region %}{{ x }}{% endfor %}", "no {% ... %} statements"),
])
def test_only_names_and_formatting_filters_are_placeholders(text, refused):
    with pytest.raises(PlaceholderError, match=re.escape(refused)):
        placeholder_names(text)
    assert placeholder_names("{{ a }} and {{ b | number(1) }}, {{ c | date('d MMM') }}") == ["a", "b", "c"]


def test_the_placeholder_sandbox_itself_refuses_internals():
    """Beneath the check of the placeholders' form, the environment is Jinja's sandbox."""
    environment = template_module._environment("en", False)
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import SandboxedEnvironment
    assert isinstance(environment, SandboxedEnvironment)
    with pytest.raises(SecurityError):
        environment.from_string("{{ x.__class__.__subclasses__() }}").render(x="")
    assert set(environment.filters) == {"number", "percent", "date"}


def test_row_values_stay_text(tmp_path):
    """A value that looks like markup prints as written, in markdown fields and plain ones."""
    rows = [{"code": "A1", "region": "Trinidad & Tobago <b>**bold**</b> [@ref] @fig-x", "workers": "12345.6",
             "days": "3"}]
    file = write_series(tmp_path, rows)
    result = run_cli("build", file, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    reader = PdfReader(tmp_path / "out" / "regions" / "A1-summary.pdf")
    text = reader.pages[0].extract_text()
    assert reader.metadata.title == "Heat and work in Trinidad & Tobago <b>**bold**</b> [@ref] @fig-x"
    assert "In Trinidad & Tobago <b>**bold**</b> [@ref] @fig-x, 12,345.6 people work outdoors." in text.replace("\n", " ")


def test_a_series_as_web_pages_gets_an_index_page_linking_every_brief(tmp_path):
    rows = [{"code": f"R{n:02}", "region": region, "workers": "1200", "days": "30"}
            for n, region in enumerate(["Busan", "Seoul", "Daegu"], 1)]
    file = write_series(tmp_path, rows)
    result = run_cli("build", file, "--format", "web", "--out", tmp_path / "out", "--jobs", "1")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "regions"
    index = (folder / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', index)
    assert links == [(f"R0{n}/index.html", f"Heat and work in {region}")
                     for n, region in enumerate(["Busan", "Seoul", "Daegu"], 1)]
    assert all((folder / page).is_file() for page, _ in links)
    assert read_rows(folder / "index.csv")[0] == {"key": "R01", "title": "Heat and work in Busan",
                                                  "full": "R01/index.html"}


def test_a_template_problem_is_said_once_not_per_row(tmp_path):
    file = write_series(tmp_path, text=SERIES.replace("{{ workers | number }}", "{{ wrokers | number }}")
                        .replace("key_points:", "key_point:"))
    result = run_cli("build", file, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"{file}:{SUMMARY_LINE}: brief.summary: no column 'wrokers' in the series' data; did you mean 'workers'?"]
    file.write_text(SERIES.replace("key_points:", "key_point:"), encoding="utf-8")
    result = run_cli("build", file, "--out", tmp_path / "out")
    assert result.stderr.strip().splitlines() == [
        f"{file}:5: brief: 'key_points' is required",
        f"{file}:9: brief.key_point: unknown field 'key_point'; did you mean 'key_points'?"]
    assert table_counts(result.stdout) == (0, 0, 1)


def test_keys_must_name_files_and_be_unique(tmp_path):
    rows = [{"code": code, "region": "Busan", "workers": "1", "days": "3"} for code in ("A1", "../x", "A1", "B2")]
    file = write_series(tmp_path, rows)
    result = run_cli("build", file, "--out", tmp_path / "out", "--jobs", "2")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"{file}:3: series.key: '../x' cannot name files: a key is letters, digits, '.', '_' and '-', "
        "starting with a letter or digit (row 2, code=../x)",
        f"{file}:3: series.key: 'A1' is also row 1's key: each row's outputs need a name of their own (row 3, code=A1)"]
    assert sorted(pdf.name for pdf in (tmp_path / "out" / "regions").glob("*.pdf")) == ["A1-summary.pdf", "B2-summary.pdf"]


def test_a_parquet_dataset_builds_as_its_csv_does(tmp_path):
    pyarrow = pytest.importorskip("pyarrow")
    import pyarrow.parquet
    rows = [{"code": "P1", "region": "Busan", "workers": 4321, "days": 30}]
    write_series(tmp_path, [{key: str(value) for key, value in rows[0].items()}])
    pyarrow.parquet.write_table(pyarrow.Table.from_pylist(rows), tmp_path / "data" / "regions.parquet")
    file = tmp_path / "parquet.yaml"
    file.write_text(SERIES.replace("data/regions.csv", "data/regions.parquet"), encoding="utf-8")
    result = run_cli("build", file, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    text = flat(PdfReader(tmp_path / "out" / "parquet" / "P1-summary.pdf").pages[0].extract_text())
    assert flat("In Busan, 4,321 people work outdoors") in text


def test_a_series_file_is_told_from_a_brief_and_check_checks_every_row(tmp_path):
    rows = [{"code": f"R{n}", "region": "Busan", "workers": "x" if n == 2 else "1", "days": "3"} for n in (1, 2, 3)]
    file = write_series(tmp_path, rows)
    assert is_series(file) and not is_series(ROOT / "briefs" / "north-korea-trafficking.yaml")
    assert not is_series(tmp_path / "data" / "regions.csv")
    result = run_cli("check", file)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{file}:{SUMMARY_LINE}: brief.summary: 'x' is not a number (row 2, code=R2)"
    assert load_series(file, Options()).variants == ["summary"]


def test_the_series_theme_is_read_once_and_each_rows_copy_carries_what_it_read(tmp_path, monkeypatch):
    """Each row's task takes a copy of the theme to its worker (pickled):
    the variant's settings and the theme's font files come with it, read
    once when the series was loaded, not once per row."""
    import pickle
    from pathlib import Path
    from briefgen.theme import resolve
    series = load_series(write_series(tmp_path), Options())
    fresh = resolve.resolve_theme(None, tmp_path)
    spec, fonts = fresh.variant_spec("summary"), fresh.font_files()
    row_copy = pickle.loads(pickle.dumps(series.theme))

    def read_again(*args):
        raise AssertionError("read again")
    monkeypatch.setattr(resolve, "_read_variant_spec", read_again)
    monkeypatch.setattr(Path, "rglob", read_again)
    assert row_copy.variant_spec("summary") == spec and spec.pages == 1
    assert row_copy.font_files() == fonts and fonts
    with pytest.raises(AssertionError, match="read again"):
        resolve.resolve_theme(None, tmp_path).variant_spec("summary")


def test_a_broken_variant_setting_of_the_series_theme_is_said_once_by_build_and_by_check(tmp_path):
    settings = tmp_path / "bad" / "templates" / "variants" / "summary.yaml"
    settings.parent.mkdir(parents=True)
    settings.write_text("pages: 1\nbody_size: large\n")
    file = write_series(tmp_path, text=SERIES.replace("brief:\n", "brief:\n  theme: bad\n"))
    line = f"{settings}:2: body_size: 'large' is not a size in points such as 9.5pt"
    built = run_cli("build", file, "--out", tmp_path / "out", "--jobs", "2")
    assert (built.exit_code, built.stderr.strip()) == (1, line)
    assert table_counts(built.stdout) == (0, 0, 1)
    checked = run_cli("check", file)
    assert (checked.exit_code, checked.stderr.strip()) == (1, line)


def test_watch_refuses_a_series_in_one_line(tmp_path):
    file = write_series(tmp_path)
    result = run_cli("watch", file)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {file} is a series: build it with `brief build {file}`; watch takes one brief\n"


def test_without_a_cluster_dask_is_never_imported(tmp_path):
    file = write_series(tmp_path, [{"code": "A1", "region": "Busan", "workers": "1", "days": "3"}])
    code = ("import sys, generate\n"
            "try:\n    generate.cli(sys.argv[1:], prog_name='brief')\nexcept SystemExit as end:\n    assert not end.code\n"
            "print(sorted(name for name in sys.modules if name.split('.')[0] in ('dask', 'distributed')))")
    result = subprocess.run([sys.executable, "-c", code, "build", str(file), "--out", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=120, cwd=ROOT,
                            env={**os.environ, "BRIEF_CLUSTER": ""})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "out" / "regions" / "A1-summary.pdf").is_file()


CLUSTER = """\
import sys, time
from dask.distributed import LocalCluster

if __name__ == "__main__":
    with LocalCluster(processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        print(cluster.scheduler_address, flush=True)
        sys.stdin.read()   # until the test closes it
"""


@pytest.fixture(scope="module")
def local_cluster(tmp_path_factory):
    """A real Dask LocalCluster (two worker processes), in a process of its own."""
    script = tmp_path_factory.mktemp("cluster") / "cluster.py"
    script.write_text(CLUSTER, encoding="utf-8")
    process = subprocess.Popen([sys.executable, str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        address = process.stdout.readline().strip()
        assert address.startswith("tcp://127.0.0.1:"), address
        yield address
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.timeout(300)
def test_a_local_dask_cluster_builds_the_same_pdfs_byte_for_byte(built, local_cluster, tmp_path, monkeypatch):
    folder, _ = built
    monkeypatch.setenv("BRIEF_CLUSTER", local_cluster)   # the option's environment variable
    result = run_cli("build", folder / "regions.yaml", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert table_counts(result.stdout) == (20, 0, 0)
    local, remote = folder / "out" / "regions", tmp_path / "out" / "regions"
    names = sorted(pdf.name for pdf in local.glob("*.pdf"))
    assert sorted(pdf.name for pdf in remote.glob("*.pdf")) == names and len(names) == 20
    for name in names:
        assert (remote / name).read_bytes() == (local / name).read_bytes(), name
    assert (remote / "index.csv").read_text() == (local / "index.csv").read_text()
    # Incremental as on one machine: nothing changed, nothing sent.
    again = run_cli("build", folder / "regions.yaml", "--out", tmp_path / "out", "--cluster", local_cluster)
    assert table_counts(again.stdout) == (0, 20, 0)
    assert json.loads((remote / ".brief-manifest.json").read_text())["entries"]


@pytest.mark.timeout(300)
def test_on_a_cluster_a_failing_row_fails_alone(local_cluster, tmp_path):
    rows = [{"code": f"R{n}", "region": "Busan", "workers": "1", "days": "3",
             "published": "July" if n == 2 else "2026-07-01"} for n in (1, 2, 3)]
    file = write_series(tmp_path, rows, SERIES.replace("  date: 2026-07-01", '  date: "{{ published }}"'))
    result = run_cli("build", file, "--out", tmp_path / "out", "--cluster", local_cluster)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{file}:7: brief.date: 'July' is not an ISO date such as 2025-11-15 (row 2, code=R2)"
    assert table_counts(result.stdout) == (2, 0, 1)
    assert sorted(pdf.name for pdf in (tmp_path / "out" / "regions").glob("*.pdf")) == ["R1-summary.pdf", "R3-summary.pdf"]


@pytest.mark.timeout(300)
def test_on_a_cluster_a_worker_killed_mid_task_is_retried_by_dask(local_cluster, tmp_path):
    """A second client watches the scheduler and kills (SIGKILL) a worker
    process while it builds one of the series' rows: Dask gives the row to a
    worker again, and every row is built."""
    from dask.distributed import Client
    file = write_series(tmp_path)
    killed = []

    def kill_a_busy_worker():
        with Client(local_cluster, timeout=30) as watcher:
            pids = watcher.run(os.getpid)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                busy = {address: keys for address, keys in watcher.processing().items()
                        if any(str(key).startswith("brief-regions-R") for key in keys)}
                if busy:
                    address, keys = next(iter(busy.items()))
                    os.kill(pids[address], signal.SIGKILL)
                    killed.extend(keys)
                    return
                time.sleep(0.02)

    watcher = threading.Thread(target=kill_a_busy_worker)
    watcher.start()
    result = run_cli("build", file, "--out", tmp_path / "out", "--cluster", local_cluster)
    watcher.join(timeout=150)
    assert killed, "no worker was seen building"
    assert result.exit_code == 0, result.output
    assert table_counts(result.stdout) == (20, 0, 0)
    assert len(list((tmp_path / "out" / "regions").glob("*.pdf"))) == 20


def test_a_row_is_built_without_the_garbage_collector_and_its_cycles_are_collected_after_it(tmp_path):
    """Python's collector went through a one-pager's live layout ten times a
    row (rows.garbage_collected_after): it runs once, after the row."""
    import gc
    from briefgen.build.manifest import Manifest
    from briefgen.build.rows import build_row
    from briefgen.build.series import plan_rows
    options = Options(out_dir=tmp_path / "out")
    series = load_series(write_series(tmp_path), options)
    plans, _ = plan_rows(series, options, Manifest(options.out_dir), True)
    collections = []

    def count(phase, info):
        if phase == "stop":
            collections.append((info["generation"], info["collected"]))
    gc.callbacks.append(count)
    try:
        row = build_row(plans[0].task, "summary", options)
    finally:
        gc.callbacks.remove(count)
    assert row.status == "built" and gc.isenabled()
    [(generation, collected)] = collections   # one collection of the youngest generation, after the row
    assert generation == 0 and collected > 1000   # the cycles the row's layout left

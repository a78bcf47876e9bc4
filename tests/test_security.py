"""Untrusted briefs and themes: no file escapes, no network, limits, and a
clean error whatever the input."""

import http.server
import os
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader

import strategies
from briefgen.util import bounds
from briefgen.build.document import Options, build_document
from briefgen.build.series import check_series, is_series
from briefgen.theme.resolve import ThemeError
from briefgen.render.layout import Limits
from conftest import BriefError, FIGURE, check_brief, MINIMAL_BRIEF, SAMPLE, build_brief, output_path, run_cli, write_brief



@pytest.fixture
def server():
    """A local HTTP server that records every request it receives."""
    requests = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    httpd.timeout = 1
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", requests
    httpd.shutdown()
    httpd.server_close()


def test_a_symlink_pointing_outside_is_refused(tmp_path):
    (tmp_path / "brief").mkdir()
    secret = tmp_path / "secret.png"
    Image.new("RGB", (4, 4)).save(secret)
    (tmp_path / "brief" / "innocent.png").symlink_to(secret)
    brief = write_brief(tmp_path / "brief", MINIMAL_BRIEF + FIGURE.format(image="innocent.png"))
    result = run_cli("check", brief)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{brief}:11: sections[1].content[0].figure.image: 'innocent.png' is outside the brief's folder"


def test_a_network_image_in_the_brief_is_never_fetched(tmp_path, server):
    url, requests = server
    brief = write_brief(tmp_path, MINIMAL_BRIEF.replace("The summary.", f'"![x]({url}/pixel.png)"'))
    result = run_cli("build", brief, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert f"'{url}/pixel.png' must be a path relative to the brief's folder" in result.stderr
    assert requests == []


def make_theme(folder, css, svg=None):
    (folder / "styles").mkdir(parents=True)
    (folder / "styles" / "brief.css").write_text(css, encoding="utf-8")
    return folder


def test_theme_css_cannot_reach_the_network(tmp_path, server):
    url, requests = server
    theme = make_theme(tmp_path / "theme", f".cover {{ background: url({url}/beacon.png); }}")
    result = run_cli("build", write_brief(tmp_path), "--theme", theme, "-v", "full", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert (f"resource refused: {url}/beacon.png: only files of the brief and the theme are read, "
            "never the network") in result.stderr
    assert requests == [] and not (tmp_path / "out" / "brief-full.pdf").exists()


def test_theme_css_cannot_import_a_file_outside_its_folder(tmp_path):
    outside = tmp_path / "outside.css"
    outside.write_text("body { color: red; }", encoding="utf-8")
    theme = make_theme(tmp_path / "theme", '@import url("../../outside.css");')
    (tmp_path / "brief").mkdir()
    result = run_cli("build", write_brief(tmp_path / "brief"), "--theme", theme, "-v", "summary",
                     "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert f"resource refused: {outside} is outside the brief's and the theme's folders" in result.stderr


def test_an_svg_cannot_pull_in_files_from_outside(tmp_path):
    (tmp_path / "brief").mkdir()
    (tmp_path / "brief" / "trap.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">'
        '<image xlink:href="file:///etc/hostname" width="10" height="10"/></svg>', encoding="utf-8")
    brief = write_brief(tmp_path / "brief", MINIMAL_BRIEF + FIGURE.format(image="trap.svg"))
    for command in (["check"], ["build", "-v", "full", "--out", tmp_path / "out"]):
        result = run_cli(*command[:1], brief, *command[1:])
        assert result.exit_code == 1
        assert result.stderr.strip() == (f"{brief}:11: sections[1].content[0].figure.image: 'trap.svg' refers to an "
                                         "image that cannot be used: 'file:///etc/hostname' is outside the brief's folder")


def test_images_over_the_pixel_bound_are_refused(tmp_path):
    Image.new("1", (8000, 6000)).save(tmp_path / "huge.png")  # 48 million pixels, a small file
    brief = write_brief(tmp_path, MINIMAL_BRIEF + FIGURE.format(image="huge.png"))
    result = run_cli("check", brief)
    assert result.exit_code == 1
    assert result.stderr.strip().endswith(
        "figure.image: 'huge.png' is 8000 x 6000 pixels; images may have at most 40 million")


def test_a_file_that_is_not_an_image_is_refused(tmp_path):
    (tmp_path / "fake.png").write_text("not a png", encoding="utf-8")
    brief = write_brief(tmp_path, MINIMAL_BRIEF + FIGURE.format(image="fake.png"))
    assert run_cli("check", brief).stderr.strip().endswith("'fake.png' is not a readable PNG or JPEG image")


def test_the_page_limit_stops_a_long_layout(tmp_path):
    result = run_cli("build", SAMPLE, "-v", "full", "--max-pages", "3", "--out", tmp_path)
    assert result.exit_code == 1
    assert result.stderr.strip().endswith("the layout has 10 pages, over the limit of 3 (--max-pages)")
    assert [path.name for path in tmp_path.iterdir()] == [".cache"]   # the drawn charts, kept for the next build
    assert not list(tmp_path.glob("*.pdf"))


def test_the_time_limit_stops_a_slow_layout(tmp_path):
    rows = "".join(f"            - [Row {n}, 'Some text in a cell']\n" for n in range(4000))
    brief = write_brief(tmp_path, MINIMAL_BRIEF.replace("    content: [Some text.]", (
        "    content:\n      - table:\n          caption: Long\n          columns: [A, B]\n          rows:\n" + rows)))
    result = run_cli("build", brief, "-v", "full", "--time-limit", "1", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{brief}:1: took longer than 1 s (--time-limit)"
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_outputs_never_leave_the_output_folder(tmp_path):
    with pytest.raises(BriefError):
        output_path(tmp_path, "../escaped", "full", ".pdf")
    brief = write_brief(tmp_path, name="..yaml")
    [output] = build_brief(brief, ["summary"], out_dir=tmp_path / "out")
    assert output.path.resolve().parent == (tmp_path / "out").resolve()


# --- property: whatever the structure, a PDF or a clean error -------------------

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=40)
JUNK = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                    lambda children: st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3),
                    max_leaves=8)
BLOCK = st.one_of(
    TEXT, st.fixed_dictionaries({"text": TEXT}),
    st.fixed_dictionaries({"callout": st.fixed_dictionaries(
        {"text": TEXT}, optional={"title": TEXT, "tone": st.sampled_from(["note", "key", "warning"])})}),
    st.fixed_dictionaries({"quote": st.fixed_dictionaries({"text": TEXT}, optional={"source": TEXT})}),
    st.fixed_dictionaries({"table": st.fixed_dictionaries(
        {"caption": TEXT, "columns": st.just(["A", "B"]), "rows": st.lists(st.tuples(TEXT, TEXT).map(list), min_size=1, max_size=3)})}),
    st.fixed_dictionaries({"pagebreak": st.just(True)}))
SECTION = st.fixed_dictionaries({"title": TEXT, "content": st.lists(BLOCK, min_size=1, max_size=3)},
                                optional={"summary": TEXT, "variants": st.sampled_from([["summary"], ["full", "memo"]])})


@st.composite
def briefs(draw):
    """Mostly valid briefs with random text; half of them with one field replaced by junk."""
    brief = {"title": draw(TEXT), "date": "2025-11-15", "summary": draw(TEXT),
             "key_points": draw(st.lists(TEXT, min_size=1, max_size=6)),
             "sections": draw(st.lists(SECTION, min_size=1, max_size=3)),
             "recommendations": draw(st.lists(st.fixed_dictionaries({"text": TEXT}, optional={"title": TEXT}), max_size=3)),
             "language": draw(st.sampled_from(["en", "fr", "de-CH", "xx"]))}
    if draw(st.booleans()):
        key = draw(st.sampled_from(sorted(brief) + ["number", "variants", "authors", "extra"]))
        brief[key] = draw(JUNK)
    return brief


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(briefs())
def test_any_brief_gives_a_pdf_or_a_clean_error(tmp_path, data):
    brief = write_brief(tmp_path, yaml.safe_dump(data, allow_unicode=True), name="random.yaml")
    try:
        outputs = build_brief(brief, ["summary"], out_dir=tmp_path / "out", limits=Limits(30, 5))
    except BriefError as error:
        assert error.problems and all(str(problem).startswith(f"{brief}:") for problem in error.problems)
        assert all("\n" not in str(problem) for problem in error.problems)
        return
    assert len(PdfReader(outputs[0].path).pages) == 1


# --- generated hostile inputs (tests/strategies.py): check and build --------------
# Every outcome is a built PDF or clean one-line errors, never an "internal
# error" (the line a bug of ours prints) nor a traceback. A short run here;
# a long one with BRIEF_HYPOTHESIS_EXAMPLES=N (N checks per strategy, N/10 builds;
# pytest -s prints how many each ran).

EXAMPLES = int(os.environ.get("BRIEF_HYPOTHESIS_EXAMPLES", "150"))
GENERATED_TIME_LIMIT = 5
# The hard deadline of these in-process runs: the watchdog kills the test
# run itself, so it is for a real hang in C code only, not a slow check on a
# loaded machine (which the soft deadline stops with its clean line).
GENERATED_HANG = 60
CURRENT = os.environ.get("BRIEF_HYPOTHESIS_CURRENT")   # a file: each input is written there before it runs


@contextmanager
def generated_bounds(limits, brief):
    with bounds.watchdog(GENERATED_HANG, f"{brief}: hung in C code; the input is in {CURRENT}"), \
            bounds.memory_cap(limits.memory), bounds.soft_deadline(limits.seconds, str(brief)):
        yield


def write_project(folder, files):
    if CURRENT:
        Path(CURRENT).write_text(repr(files), encoding="utf-8")
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder / strategies.BRIEF


def assert_clean(lines):
    """Problems as the command line prints them: one line each, none a bug's."""
    assert lines
    for line in map(str, lines):
        assert "\n" not in line and "internal error" not in line and "Traceback" not in line, line


def check_generated(brief):
    """What `brief check` does, in this process, within its time limit."""
    with generated_bounds(Limits(GENERATED_TIME_LIMIT), brief):
        if is_series(brief):
            problems, _ = check_series(brief, Options())
            if problems:
                assert_clean(problems)
            return
        try:
            check_brief(brief)
        except BriefError as error:
            assert_clean(error.problems)
        except ThemeError as error:
            assert_clean([error])


def build_generated(brief, out):
    """What `brief build BRIEF -v summary` does, in this process: a PDF of one page, or clean errors."""
    options = Options(("summary",), out_dir=out, limits=Limits(GENERATED_TIME_LIMIT, 5))
    with generated_bounds(options.limits, brief):
        row = build_document(brief, "summary", options)
    if row.status == "built":
        assert len(PdfReader(row.output).pages) == 1
    else:
        assert_clean(row.problems)


def counted(kind, phase, run):
    """Run the property, then print how many inputs it tried (pytest -s shows it)."""
    tried = []
    run(tried)
    print(f"\ngenerated {kind} inputs, {phase}: {len(tried)} examples, 0 internal errors")


@pytest.mark.parametrize("kind", sorted(strategies.STRATEGIES))
def test_generated_inputs_check_cleanly(kind):
    def run(tried):
        @settings(max_examples=EXAMPLES, deadline=None, database=None)
        @given(strategies.STRATEGIES[kind])
        def property(files):
            tried.append(1)
            with tempfile.TemporaryDirectory(prefix="brief-generated-") as folder:
                check_generated(write_project(Path(folder), files))
        property()
    counted(kind, "check", run)


@pytest.mark.parametrize("kind", sorted(set(strategies.STRATEGIES) - {"series"}))
def test_generated_inputs_build_or_fail_cleanly(kind):
    def run(tried):
        @settings(max_examples=max(3, EXAMPLES // 10), deadline=None, database=None)
        @given(strategies.STRATEGIES[kind])
        def property(files):
            tried.append(1)
            with tempfile.TemporaryDirectory(prefix="brief-generated-") as folder:
                build_generated(write_project(Path(folder), files), Path(folder) / "out")
        property()
    counted(kind, "build", run)


def test_table_cells_from_csv_are_checked_like_any_markdown(tmp_path):
    (tmp_path / "cells.csv").write_text("Source,Note\nA,[click](javascript:alert(1))\nB,See [@nobody]\n",
                                        encoding="utf-8")
    brief = write_brief(tmp_path, MINIMAL_BRIEF.replace("    content: [Some text.]", (
        "    content:\n      - table:\n          caption: Cells\n          csv: cells.csv\n")))
    result = run_cli("check", brief)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{brief}:10: sections[0].content[0].table.csv: link to 'javascript:alert(1)' refused: "
        "links may go to http:, https:, mailto: or #section-id",
        f"{brief}:10: sections[0].content[0].table.csv: unknown citation '@nobody'; no reference has that id"]

"""The command line: help, version, exit codes, outputs, and nothing lost."""

import errno
import re
import shutil
import subprocess
import sys

import pytest
from pypdf import PdfReader

import generate
from briefgen.problems import OutputError
from conftest import MINIMAL_BRIEF, ROOT, build_brief, run_cli, write_brief


@pytest.mark.parametrize("name", sorted(generate.cli.commands))
def test_every_command_has_help_with_an_example(name):
    result = run_cli(name, "--help")
    assert result.exit_code == 0
    assert "Example" in result.output and f"brief {name}" in result.output


def test_top_level_help_and_version():
    assert "Examples:" in run_cli("--help").output
    result = run_cli("--version")
    assert result.exit_code == 0 and result.output.strip() == f"brief, version {generate.__version__}"


@pytest.mark.parametrize("args", [["build", "--no-such-option"], ["check"], ["frobnicate"]])
def test_usage_errors_exit_with_2(args):
    assert run_cli(*args).exit_code == 2


def test_unknown_theme_on_the_command_line_lists_the_themes(tmp_path):
    brief = write_brief(tmp_path)
    result = run_cli("build", brief, "--theme", "nope", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "unknown theme 'nope'" in result.stderr and "themes: cedarbay, default" in result.stderr


def test_unknown_variant_is_a_usage_error(tmp_path):
    brief = write_brief(tmp_path)
    result = run_cli("build", brief, "--variant", "poster", "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == ("Error: Invalid value for '--variant': unknown variant 'poster'; "
                                              "the theme 'default' offers: full, memo, summary")


def test_no_arguments_build_the_sample_into_out(tmp_path):
    """`python generate.py` alone in a folder holding the checkout's briefs/:
    the main job on the embedded sample."""
    shutil.copytree(ROOT / "briefs", tmp_path / "briefs")
    done = subprocess.run([sys.executable, str(ROOT / "generate.py")], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    # A new user's first build prints no warning: the Korean and Arabic editions are complete.
    assert done.stderr == ""
    out = tmp_path / "out"
    pages = {pdf.name: len(PdfReader(pdf).pages) for pdf in out.glob("*.pdf")}
    assert 5 <= pages.pop("north-korea-trafficking-full.pdf") <= 10
    assert 5 <= pages.pop("north-korea-trafficking.ko-full.pdf") <= 10     # the Korean and Arabic editions
    assert 8 <= pages.pop("north-korea-trafficking.ar-full.pdf") <= 12
    assert pages == {f"north-korea-trafficking{edition}-{variant}.pdf": budget
                     for edition in ("", ".ko", ".ar") for variant, budget in (("memo", 2), ("summary", 1))}
    assert re.search(r"north-korea-trafficking +summary +1 +[0-9.]+ +built +out/north-korea-trafficking-summary.pdf",
                     done.stdout)
    # The sample series: a one-page summary per sector of its data, and their index; its CSV is no brief.
    sectors = ["construction", "logging", "shipbuilding", "manufacturing", "hospitality"]
    series = out / "overseas-labour"
    assert sorted(pdf.name for pdf in series.glob("*.pdf")) == sorted(f"{sector}-summary.pdf" for sector in sectors)
    assert all(len(PdfReader(series / f"{sector}-summary.pdf").pages) == 1 for sector in sectors)
    assert (series / "index.csv").read_text(encoding="utf-8").splitlines()[:2] == [
        "key,title,summary", "construction,North Korean workers abroad: construction,construction-summary.pdf"]


def test_check_accepts_a_valid_brief(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_brief(tmp_path)
    result = run_cli("check", "brief.yaml")
    assert result.exit_code == 0 and result.output.strip() == "brief.yaml: ok"


def test_output_name_comes_from_file_and_variant(tmp_path):
    brief = write_brief(tmp_path, name="my-brief.yaml")
    result = run_cli("build", brief, "--out", tmp_path / "pdfs")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "pdfs" / "my-brief-full.pdf").is_file()
    assert not (tmp_path / "pdfs" / "my-brief-full.html").exists()


def test_failed_rebuild_keeps_the_previous_pdf(tmp_path):
    """The edit is valid and gets as far as layout: the full brief and the memo
    are rewritten, the summary runs over its page and keeps its last good PDF."""
    brief = write_brief(tmp_path)
    out = tmp_path / "out"
    assert run_cli("build", brief, "--out", out).exit_code == 0
    before = {pdf.name: pdf.read_bytes() for pdf in out.glob("*.pdf")}
    assert sorted(before) == ["brief-full.pdf", "brief-memo.pdf", "brief-summary.pdf"]
    long_summary = "The summary. " + "Evidence shows that the practice continues and governments can act. " * 120
    brief.write_text(MINIMAL_BRIEF.replace("The summary.", long_summary), encoding="utf-8")
    result = run_cli("build", brief, "--out", out)
    assert result.exit_code == 1 and " lines over one page" in result.stderr
    after = {pdf.name: pdf.read_bytes() for pdf in out.glob("*.pdf")}
    assert after["brief-full.pdf"] != before["brief-full.pdf"]  # the build did write
    assert after["brief-summary.pdf"] == before["brief-summary.pdf"]  # not over the good one
    assert not list(out.glob("*.tmp")) and not list(out.glob(".*.tmp"))


def test_a_write_that_fails_midway_leaves_no_partial_file(tmp_path, monkeypatch):
    brief = write_brief(tmp_path)
    out = tmp_path / "out"
    run_cli("build", brief, "--out", out, "--variant", "full")
    before = (out / "brief-full.pdf").read_bytes()

    def half_write(self, target=None, **options):  # noqa: ARG001
        target.write(b"%PDF-1.7 half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("weasyprint.document.Document.write_pdf", half_write)
    with pytest.raises(OutputError, match=f"^{re.escape(str(out))}/: no space left on device$"):
        build_brief(brief, ["full"], out_dir=out)
    assert (out / "brief-full.pdf").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == [".brief-manifest.json", ".brief-manifest.lock", "brief-full.pdf"]


def test_one_broken_brief_does_not_stop_the_others(tmp_path):
    good = write_brief(tmp_path, name="good.yaml")
    bad = write_brief(tmp_path, "title: [\n", name="bad.yaml")
    result = run_cli("build", bad, good, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert (tmp_path / "out" / "good-full.pdf").is_file()
    assert "bad.yaml:2: YAML syntax error" in result.stderr


def test_ci_runs_the_readme_set_up_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set up")[1].split("##")[0]
    commands = [line.strip() for line in setup.splitlines() if line.startswith("    ")]
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert len(commands) == 2 and all(command in ci for command in commands)

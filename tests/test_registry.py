"""The block registry and the build's phases: a new block type is one module
and one template; a brief is loaded and validated once per building process."""

import importlib.util
import json

import pytest
from pypdf import PdfReader

from briefgen import blocks, writers
from briefgen.build import document as build
from conftest import MINIMAL_BRIEF, ROOT, build_brief, run_cli, write_brief

SHOUT_BRIEF = MINIMAL_BRIEF + """  - title: Voices
    content:
      - shout: {text: "Act on [the report](https://example.org) now", by: The panel}
"""


@pytest.fixture
def shout(monkeypatch):
    """Register the throwaway block type from tests/plugins for one test only."""
    spec = importlib.util.spec_from_file_location("shout_block", ROOT / "tests" / "plugins" / "shout_block.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setitem(blocks.registry(), "shout", module.BLOCK)
    return module.BLOCK


def test_a_block_type_from_a_plugin_module_and_template_builds(tmp_path, shout):
    [full, memo] = build_brief(write_brief(tmp_path, SHOUT_BRIEF), ["full", "memo"], out_dir=tmp_path / "out")
    full_text = " ".join(page.extract_text() for page in PdfReader(full.path).pages)
    assert "ACT ON THE REPORT NOW (The panel)" in full_text
    # its variant default keeps it out of the memo
    assert "ACT ON" not in " ".join(page.extract_text() for page in PdfReader(memo.path).pages)


def test_a_plugin_block_is_validated_by_its_own_schema_part_and_checks(tmp_path, shout, in_root):
    bad = SHOUT_BRIEF.replace("by: The panel", "by: nobody, loud: true")
    result = run_cli("check", write_brief(tmp_path, bad))
    assert result.exit_code == 1
    assert result.output.splitlines()[0].endswith(
        "brief.yaml:10: sections[1].content[0].shout.loud: unknown field 'loud'; expected one of: text, by, variants")
    # the plugin's markdown fields are checked like any other: a refused link
    refused = SHOUT_BRIEF.replace("https://example.org", "javascript:alert(1)")
    result = run_cli("check", write_brief(tmp_path, refused))
    assert result.exit_code == 1
    assert "sections[1].content[0].shout.text: link to 'javascript:alert(1)' refused" in result.output


def test_the_plugin_check_runs(tmp_path, shout, in_root):
    result = run_cli("check", write_brief(tmp_path, SHOUT_BRIEF.replace("The panel", "Nobody")))
    assert result.exit_code == 1
    assert result.output.strip().endswith("sections[1].content[0].shout.by: someone must say it")


def test_without_the_plugin_the_block_is_unknown(tmp_path, in_root):
    result = run_cli("check", write_brief(tmp_path, SHOUT_BRIEF))
    assert result.exit_code == 1
    assert "unknown block type 'shout'" in result.output


def test_the_schema_command_prints_every_registered_block(shout):
    result = run_cli("schema")
    assert result.exit_code == 0
    block = json.loads(result.stdout)["$defs"]["block"]["properties"]
    assert set(blocks.BUILT_IN) | {"shout", "variants"} == set(block)
    assert block["shout"]["required"] == ["text"]


def test_a_brief_is_loaded_and_validated_once_per_building_process(tmp_path, monkeypatch):
    """Three variants, in this process: one load, one validation, one theme."""
    calls = {"load": 0, "validate": 0, "theme": 0}

    def counted(name, function):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return function(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(build, "load_brief", counted("load", build.load_brief))
    monkeypatch.setattr(build, "validate_brief", counted("validate", build.validate_brief))
    monkeypatch.setattr(build, "resolve_theme", counted("theme", build.resolve_theme))
    result = run_cli("build", write_brief(tmp_path), "--jobs", "1", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 3
    assert calls == {"load": 1, "validate": 1, "theme": 1}


def test_worker_processes_get_the_prepared_brief_and_do_not_load_it_again(tmp_path, monkeypatch):
    """Workers are forked before the briefs are planned: a load there would
    show up as a marker file written from the worker's process."""
    import os
    marks = tmp_path / "loads"
    marks.mkdir()
    original = build.load_brief

    def marked(*args, **kwargs):
        (marks / str(os.getpid())).touch()
        return original(*args, **kwargs)

    monkeypatch.setattr(build, "load_brief", marked)
    result = run_cli("build", write_brief(tmp_path), "--jobs", "2", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert [path.name for path in marks.iterdir()] == [str(os.getpid())]


@pytest.fixture
def text_writer(monkeypatch):
    """Register the throwaway writer from tests/plugins for one test only."""
    monkeypatch.syspath_prepend(str(ROOT / "tests" / "plugins"))
    monkeypatch.setitem(writers.FORMATS, "text", "text_writer")


def test_an_output_writer_is_one_module_registered_in_one_place(tmp_path, text_writer, in_root):
    """Output path, manifest, batch table and CLI take the writer's extension:
    nothing assumes a PDF. (One document a command: it is built in this
    process, where the test registered the writer.)"""
    brief = write_brief(tmp_path, MINIMAL_BRIEF)
    out = tmp_path / "out"

    def build(*options):
        return run_cli("build", brief, "--variant", "summary", "--out", out, *options)

    first = build("--format", "text")
    assert first.exit_code == 0, first.output
    assert [path.name for path in out.glob("brief-*")] == ["brief-summary.txt"]
    assert "The only point." in (out / "brief-summary.txt").read_text(encoding="utf-8")
    assert first.output.splitlines()[1].split()[-1] == str(out / "brief-summary.txt")
    # the manifest records the writer's file: the next build skips it, an edited output is rebuilt
    assert "1 up to date" in build("--format", "text").output
    (out / "brief-summary.txt").write_text("edited\n", encoding="utf-8")
    assert "1 built" in build("--format", "text").output
    # the same brief as a PDF is another output, not "up to date"
    assert "1 built" in build().output

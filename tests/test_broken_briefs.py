"""Every broken brief in tests/broken/ fails with exit code 1 and exactly the
one-line messages its `# expect:` comments give, naming file and line."""

import os
from pathlib import Path

import pytest

from conftest import ROOT, run_cli

BROKEN = sorted((ROOT / "tests" / "broken").glob("*.yaml"))


def expected_lines(path):
    text = path.read_bytes().decode("utf-8", errors="replace")  # one brief is not UTF-8 on purpose
    return [line.removeprefix("# expect: ") for line in text.splitlines()
            if line.startswith("# expect: ")]


def test_the_corpus_covers_the_required_cases():
    names = {path.stem for path in BROKEN}
    assert len(names) >= 30
    assert {"missing-title", "wrong-types", "unknown-block", "duplicate-section-id",
            "unknown-citation", "missing-image", "malformed-yaml"} <= names


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
@pytest.mark.parametrize("command", ["check", "build"])
def test_broken_brief_gives_its_message(path, command, in_root, tmp_path):
    relative = path.relative_to(ROOT)
    args = [command, relative] + (["--out", tmp_path] if command == "build" else [])
    before = written_places(path)
    result = run_cli(*args)
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == expected_lines(path)
    assert "Traceback" not in result.output
    # nothing written: no output for build, and neither command writes beside the brief or in the working folder
    assert list(tmp_path.iterdir()) == []
    assert written_places(path) == before


def written_places(brief):
    """Where a command could leave a file: beside the brief (each file and its
    modification time) and the working folder (its names, such as an out/)."""
    beside = {file: file.stat().st_mtime_ns for file in brief.parent.rglob("*") if file.is_file()}
    return beside, sorted(os.listdir("."))


def test_messages_name_the_file_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("brief.yaml").write_text("title: x\n", encoding="utf-8")
    result = run_cli("check", "brief.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "brief.yaml:1: 'date' is required"

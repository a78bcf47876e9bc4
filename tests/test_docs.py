"""The documentation site (mkdocs.yml, docs/): it builds with --strict, its
generated pages say what the program does, every page is in the navigation,
and every example brief in the docs and the README builds."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from briefgen.brief.validate import schema
from conftest import ROOT, run_cli

MKDOCS = Path(sys.executable).with_name("mkdocs")
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCED_YAML = re.compile(r"^```ya?ml[^\n]*\n(.*?)^```", re.S | re.M)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    done = subprocess.run([str(MKDOCS), "build", "--strict", "--site-dir", str(folder)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, env={"PATH": "/usr/bin:/bin",
                                                                            "NO_MKDOCS_2_WARNING": "1"})
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr, done.stderr
    return folder


def test_the_brief_format_page_has_every_field_of_the_schema(site):
    page = (site / "brief-format" / "index.html").read_text(encoding="utf-8")
    brief = schema()
    for name in brief["properties"]:
        assert f"<code>{name}</code>" in page, name
    for block in brief["$defs"]["block"]["properties"]:   # every registered block type
        assert f'id="{block}-block"' in page or f"<code>{block}</code>" in page, block


def test_the_command_reference_has_every_command_and_option(site):
    from briefgen.cli import cli

    page = (site / "cli" / "index.html").read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        assert f"brief {name}</h2>" in page or f'id="brief-{name}"' in page, name
        for option in (opt for param in command.params for opt in getattr(param, "opts", ()) if opt.startswith("--")):
            assert option in page, f"{name} {option}"


def test_the_home_page_is_the_readme_with_its_pictures(site):
    page = (site / "index.html").read_text(encoding="utf-8")
    assert "Your first brief" in page and 'src="images/full-01.png"' in page


def test_every_page_is_in_the_navigation():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pages = {path.name for path in (ROOT / "docs").glob("*.md")}
    listed = set(re.findall(r":\s*([\w-]+\.md)\s*$", nav, re.M))
    assert pages == listed, f"not in mkdocs.yml's nav: {sorted(pages - listed)}; missing: {sorted(listed - pages)}"


def test_the_readme_is_short_and_points_to_the_site():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) < 250
    assert "mkdocs serve" in readme and "](docs/getting-started.md)" in readme
    for target in re.findall(r"\]\((docs/[^)#]+)\)", readme):
        assert (ROOT / target).is_file(), target


def example_briefs():
    """(document, number, text) of every fenced YAML example that is a whole brief."""
    for document in DOCUMENTS:
        for number, block in enumerate(FENCED_YAML.findall(document.read_text(encoding="utf-8")), 1):
            try:
                data = yaml.safe_load(block)
            except yaml.YAMLError:   # a fragment with "..." for what it leaves out
                continue
            if isinstance(data, dict) and {"title", "sections"} <= set(data):
                yield pytest.param(block, id=f"{document.relative_to(ROOT)}#{number}")


EXAMPLES = list(example_briefs())


def test_the_docs_have_example_briefs():
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("text", EXAMPLES)
def test_every_example_brief_builds(tmp_path, text):
    brief = tmp_path / "example.yaml"
    brief.write_text(text, encoding="utf-8")
    result = run_cli("build", brief, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in (tmp_path / "out").glob("*.pdf")) == [
        "example-full.pdf", "example-memo.pdf", "example-summary.pdf"]

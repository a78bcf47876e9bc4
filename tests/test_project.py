"""The user's project folder: `brief build` builds the working folder's briefs/
(or the briefs in a folder it is given) into out/; theme names are looked up in
the folder's templates/ and styles/ before the built-in themes; `brief init`
lays a project folder out and `brief themes` says where each theme comes from.
The same from an installed wheel: test_install.py."""

import pytest
from pypdf import PdfReader

from briefgen.util import project
from briefgen.compose.html import template_environment
from briefgen.theme.resolve import resolve_theme
from conftest import ROOT, check_brief, run_cli, write_brief

BUILTIN_TEMPLATES = ROOT / "templates"
BUILTIN_STYLES = ROOT / "styles"
COVER_OVERRIDE = ('{% extends "default/partials/cover.html" %}\n'
                  "{% block cover_title %}{{ super() }}<p>Cover from this folder</p>{% endblock %}\n")


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_builtin_themes_are_this_checkouts_folders():
    assert project.builtin("templates") == BUILTIN_TEMPLATES
    assert project.builtin("styles") == BUILTIN_STYLES


def test_build_without_a_brief_builds_the_working_folders_briefs_into_out(in_tmp):
    (in_tmp / "briefs").mkdir()
    write_brief(in_tmp / "briefs", name="one.yaml")
    write_brief(in_tmp, name="elsewhere.yaml")  # not in briefs/: not built
    result = run_cli("build", "--variant", "summary", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert sorted(pdf.name for pdf in (in_tmp / "out").glob("*.pdf")) == ["one-summary.pdf"]


def test_a_folder_argument_builds_the_briefs_in_it(tmp_path):
    folder = tmp_path / "set"
    folder.mkdir()
    for name in ("a.yaml", "b.yaml"):
        write_brief(folder, name=name)
    (folder / "notes.txt").write_text("not a brief", encoding="utf-8")
    result = run_cli("build", folder, "--variant", "summary", "--out", tmp_path / "out", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert sorted(pdf.name for pdf in (tmp_path / "out").glob("*.pdf")) == ["a-summary.pdf", "b-summary.pdf"]


def test_nothing_to_build_is_a_one_line_usage_error(in_tmp):
    result = run_cli("build")
    assert result.exit_code == 2
    assert result.stderr == (f"Error: no briefs to build: {in_tmp / 'briefs'} holds no .yaml file; "
                             "name a brief, or start a project folder with `brief init`\n")
    (in_tmp / "empty").mkdir()
    result = run_cli("build", "empty")
    assert result.exit_code == 2 and result.stderr == "Error: no briefs to build: empty holds no .yaml file\n"
    assert not (in_tmp / "out").exists()


def test_a_theme_name_is_looked_up_in_the_working_folder_first_then_built_in(in_tmp):
    """A project theme in front of the project's own default overrides, in
    front of the built-in default; the stylesheets cascade the other way."""
    (in_tmp / "templates" / "default" / "partials").mkdir(parents=True)
    (in_tmp / "templates" / "default" / "partials" / "cover.html").write_text(COVER_OVERRIDE, encoding="utf-8")
    assert run_cli("new-theme", "house").exit_code == 0
    house = resolve_theme("house")
    assert house.template_dirs == (in_tmp / "templates" / "house", in_tmp / "templates" / "default",
                                   BUILTIN_TEMPLATES / "default")
    assert house.style_dirs == (BUILTIN_STYLES / "default", in_tmp / "styles" / "house")
    environment = template_environment(resolve_theme())  # no name: default, with this folder's cover
    assert environment.get_template("partials/cover.html").filename == str(
        in_tmp / "templates" / "default" / "partials" / "cover.html")
    assert environment.get_template("partials/section.html").filename == str(
        BUILTIN_TEMPLATES / "default" / "partials" / "section.html")
    # the built-in theme a project theme shadows still fills what the project leaves out
    (in_tmp / "styles" / "cedarbay").mkdir(parents=True)
    (in_tmp / "styles" / "cedarbay" / "full.css").write_text("h1 { letter-spacing: 0.01em; }", encoding="utf-8")
    cedarbay = resolve_theme("cedarbay")
    assert cedarbay.style_dirs == (BUILTIN_STYLES / "default", BUILTIN_STYLES / "cedarbay", in_tmp / "styles" / "cedarbay")
    assert cedarbay.brand.name == "Cedar Bay Policy Institute"  # the built-in brand file


def test_the_working_folders_override_is_what_the_pdf_shows(in_tmp):
    (in_tmp / "templates" / "default" / "partials").mkdir(parents=True)
    (in_tmp / "templates" / "default" / "partials" / "cover.html").write_text(COVER_OVERRIDE, encoding="utf-8")
    (in_tmp / "briefs").mkdir()
    write_brief(in_tmp / "briefs")
    result = run_cli("build", "--variant", "full", "--jobs", "1")
    assert result.exit_code == 0, result.output
    cover, second = PdfReader(in_tmp / "out" / "brief-full.pdf").pages[:2]
    assert "A minimal brief" in cover.extract_text() and "Cover from this folder" in cover.extract_text()
    assert "Key points" in second.extract_text()  # the built-in front matter


def test_themes_says_where_each_theme_comes_from(in_tmp):
    (in_tmp / "templates" / "default" / "partials").mkdir(parents=True)
    run_cli("new-theme", "house")
    (in_tmp / "templates" / "notes.txt").write_text("not a theme", encoding="utf-8")
    result = run_cli("themes")
    assert result.exit_code == 0
    assert result.output == ("cedarbay     built-in\n"
                             "default      this folder: templates/default/ (over the built-in theme)\n"
                             "house        this folder: templates/house/, styles/house/\n")


def test_themes_in_the_checkout_are_the_builtin_ones(in_root):
    assert run_cli("themes").output == "cedarbay     built-in\ndefault      built-in\n"


def test_new_theme_by_name_goes_into_the_working_folder(in_tmp):
    result = run_cli("new-theme", "acme")
    assert result.exit_code == 0, result.output
    assert (in_tmp / "templates" / "acme" / "partials" / "cover.html").is_file()
    assert (in_tmp / "styles" / "acme" / "_brand.yml").is_file()
    assert not (BUILTIN_TEMPLATES / "acme").exists()


def test_init_lays_out_a_project_folder_whose_brief_is_valid(in_tmp, monkeypatch):
    result = run_cli("init", "policy")
    assert result.exit_code == 0, result.output
    folder = in_tmp / "policy"
    assert sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()) == [
        "README.md", "briefs/first-brief.yaml", "styles/house/_brand.yml", "styles/house/brief.css",
        "templates/house/partials/cover.html"]
    assert "brief build" in (folder / "README.md").read_text(encoding="utf-8")
    assert result.output.splitlines()[-1] == "Now build the starter brief: cd policy && brief build"
    monkeypatch.chdir(folder)  # valid against the format, with its theme found in the project folder
    loaded = check_brief(folder / "briefs" / "first-brief.yaml")
    assert loaded.data["theme"] == "house" and not loaded.warnings


def test_init_writes_nothing_over_an_existing_file(in_tmp):
    (in_tmp / "README.md").write_text("ours", encoding="utf-8")
    result = run_cli("init")
    assert result.exit_code == 1
    assert result.stderr == "Error: README.md already exists; brief init never overwrites a file\n"
    assert sorted(path.name for path in in_tmp.iterdir()) == ["README.md"]
    assert (in_tmp / "README.md").read_text(encoding="utf-8") == "ours"



def test_an_override_added_to_the_folder_later_rebuilds(in_tmp):
    """The incremental build notices a theme folder that appears in the project."""
    (in_tmp / "briefs").mkdir()
    write_brief(in_tmp / "briefs")
    assert run_cli("build", "--variant", "full", "--jobs", "1").exit_code == 0
    assert run_cli("build", "--variant", "full", "--jobs", "1").stdout.splitlines()[-1].startswith("0 built, 1 up to date")
    (in_tmp / "templates" / "default" / "partials").mkdir(parents=True)
    (in_tmp / "templates" / "default" / "partials" / "cover.html").write_text(COVER_OVERRIDE, encoding="utf-8")
    result = run_cli("build", "--variant", "full", "--jobs", "1")
    assert result.exit_code == 0 and result.stdout.splitlines()[-1].startswith("1 built, 0 up to date"), result.output
    assert "Cover from this folder" in PdfReader(in_tmp / "out" / "brief-full.pdf").pages[0].extract_text()

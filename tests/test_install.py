"""Installed anywhere, used from the organisation's own folder: a wheel of this
checkout, installed (not editable) in a fresh virtual environment, gives a
`brief` that lays out a project folder and builds it with the built-in default
theme, its templates, styles and fonts shipped inside the wheel.

To stay fast and offline, the fresh environment sees the current one's
site-packages through a .pth file, for the dependencies only: the tool itself
is imported from the fresh environment (checked), never from this checkout."""

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import ROOT

TIMEOUT = 120
BUILTIN_FONTS = {"Source-Serif-Pro", "Source-Sans-Pro"}   # styles/default/fonts/
ANYWHERE = shutil.ignore_patterns(".*", "*.egg-info", "__pycache__")


def not_shipped(folder, names):
    """What a clean copy leaves out: dot files and caches anywhere, and the
    checkout's own out/, build/ and tests/ (not briefgen/build/, the package's)."""
    top = {"out", "build", "tests"} if Path(folder) == ROOT else set()
    return ANYWHERE(folder, names) | (top & set(names))
COVER = ('{% extends "default/partials/cover.html" %}\n'
         "{% block cover_title %}{{ super() }}<p>Cover from this folder</p>{% endblock %}\n")


def run(*command, cwd, env=None):
    done = subprocess.run([str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """A wheel built, without network, from a clean copy of the checkout
    (setuptools leaves build/ and egg-info behind in the folder it builds)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=not_shipped)
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
        "--wheel-dir", work / "dist", source, cwd=work)
    [wheel] = (work / "dist").glob("*.whl")
    return wheel


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory):
    """A fresh environment with the wheel installed; returns its bin/ folder."""
    venv = tmp_path_factory.mktemp("venv")
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=venv)
    python = venv / "bin" / "python"
    site_packages = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                             cwd=venv).stdout.strip())
    dependencies = dict.fromkeys(sysconfig.get_paths()[kind] for kind in ("purelib", "platlib"))
    (site_packages / "dependencies.pth").write_text("".join(f"{path}\n" for path in dependencies), encoding="utf-8")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel, cwd=venv)
    return venv / "bin"


@pytest.fixture
def environment():
    """The environment of a user's shell: nothing pointing at this checkout."""
    return {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}


def test_the_wheel_ships_the_code_and_the_builtin_themes(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"briefgen/{path.relative_to(ROOT / 'briefgen').as_posix()}"
                for path in (ROOT / "briefgen").rglob("*") if path.is_file() and "__pycache__" not in path.parts}
    for folder in ("templates", "styles"):
        expected |= {f"briefgen/builtin_{folder}/{path.relative_to(ROOT / folder).as_posix()}"
                     for path in (ROOT / folder).rglob("*") if path.is_file()}
    missing = sorted(expected - names)
    assert not missing, f"not in the wheel (list new packages in pyproject.toml): {missing[:5]}"
    assert "generate.py" in names and not any(name.startswith(("templates/", "styles/")) for name in names)


def test_the_installed_tool_is_imported_from_the_fresh_environment(venv, tmp_path, environment):
    done = run(venv / "python", "-c", "import briefgen, generate; from briefgen.util import project; "
               "print(briefgen.__file__, generate.__file__, project.builtin('templates'), project.builtin('styles'))",
               cwd=tmp_path, env=environment)
    paths = [Path(path) for path in done.stdout.split()]
    assert all(path.is_relative_to(venv.parent) for path in paths), paths
    assert paths[2].name == "builtin_templates" and (paths[3] / "default" / "fonts").is_dir()


def test_init_then_build_in_an_empty_folder(venv, tmp_path, environment):
    brief = venv / "brief"
    run(brief, "init", cwd=tmp_path, env=environment)
    done = run(brief, "build", cwd=tmp_path, env=environment)
    out = tmp_path / "out"
    assert sorted(pdf.name for pdf in out.glob("*.pdf")) == [
        "first-brief-full.pdf", "first-brief-memo.pdf", "first-brief-summary.pdf"]
    assert re.search(r"first-brief +summary +1 +[0-9.]+ +built +out/first-brief-summary.pdf", done.stdout)
    full = PdfReader(out / "first-brief-full.pdf")
    assert full.metadata.title == "A first policy brief"
    cover = full.pages[0].extract_text()
    assert "A first policy brief" in cover and "Your Organisation" in cover  # styles/house/_brand.yml
    assert len(PdfReader(out / "first-brief-summary.pdf").pages) == 1
    assert len(PdfReader(out / "first-brief-memo.pdf").pages) <= 2
    assert BUILTIN_FONTS <= font_families(full)  # the built-in fonts, from the wheel


def test_a_partial_in_the_folder_overrides_the_builtin_one(venv, tmp_path, environment):
    brief = venv / "brief"
    run(brief, "init", cwd=tmp_path, env=environment)
    partials = tmp_path / "templates" / "default" / "partials"
    partials.mkdir(parents=True)
    (partials / "cover.html").write_text(COVER, encoding="utf-8")
    (tmp_path / "briefs" / "plain.yaml").write_text(
        (tmp_path / "briefs" / "first-brief.yaml").read_text(encoding="utf-8").replace("theme: house", ""),
        encoding="utf-8")
    run(brief, "build", "briefs/", "--variant", "full", cwd=tmp_path, env=environment)
    plain = PdfReader(tmp_path / "out" / "plain-full.pdf")
    assert "Cover from this folder" in plain.pages[0].extract_text()       # the override wins
    assert "Key points" in plain.pages[1].extract_text()                    # the built-in default fills the rest
    assert BUILTIN_FONTS <= font_families(plain)
    house = PdfReader(tmp_path / "out" / "first-brief-full.pdf")           # its theme's own cover comes first
    assert "Cover from this folder" not in house.pages[0].extract_text()
    themes = run(brief, "themes", cwd=tmp_path, env=environment).stdout
    assert themes == ("cedarbay     built-in\n"
                      "default      this folder: templates/default/ (over the built-in theme)\n"
                      "house        this folder: templates/house/, styles/house/\n")


def font_families(reader):
    """The family of each embedded font: 'Source-Serif-Pro', ... (its name
    without the subset tag and the style)."""
    names = {str(font.get_object()["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    return {re.sub(r"^/[A-Z]{6}\+|(-(Semi|Bold|Italic))+$", "", name) for name in names}

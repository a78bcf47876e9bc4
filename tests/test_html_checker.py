"""The Nu HTML Checker (vnu.jar, from npm, run with Debian's Java) on the web
editions of every shipped sample, both themes, and a series' index page."""

import json
import shutil
import subprocess
from pathlib import Path

from conftest import ROOT, SAMPLE, run_cli

SERIES = ROOT / "briefs" / "overseas-labour.yaml"


def vnu_jar():
    npm = shutil.which("npm")
    root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, check=True).stdout.strip()
    jar = Path(root) / "vnu-jar" / "build" / "dist" / "vnu.jar"
    assert jar.is_file() and shutil.which("java"), "the README's set-up installs the Nu HTML Checker (npm vnu-jar, Java)"
    return jar


def html_errors(pages):
    """Every error vnu reports, as 'file: message'."""
    result = subprocess.run(["java", "-jar", str(vnu_jar()), "--errors-only", "--format", "json", *map(str, pages)],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [f"{Path(message['url']).name}: {message['message']}" for message in messages]


def test_every_web_edition_has_no_html_error(tmp_path):
    editions = [SAMPLE, SAMPLE.with_suffix(".ko.yaml"), SAMPLE.with_suffix(".ar.yaml")]
    assert run_cli("build", *editions, SERIES, "--format", "web", "--out", tmp_path / "default").exit_code == 0
    assert run_cli("build", SAMPLE, "--theme", "cedarbay", "--format", "web", "--out", tmp_path / "cedarbay").exit_code == 0
    pages = sorted(tmp_path.rglob("*.html"))
    assert len(pages) >= 5  # three languages, the second theme, the series' index (and its rows)
    assert html_errors(pages) == []


def test_the_checker_reports_an_error_it_is_shown(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><html lang="en"><head><title>T</title></head>'
                    '<body><p><div>Block in a paragraph</div></p><img src="x.png"></body></html>', encoding="utf-8")
    errors = html_errors([page])
    assert any("alt" in error for error in errors) and all(error.startswith("bad.html: ") for error in errors)

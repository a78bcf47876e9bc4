"""What a warm process (a worker of a batch or a series, `watch`, `serve`)
keeps from one build to the next, and proof that what it keeps changes
nothing: the same bytes as a cold process, and an edit seen at once."""

import os
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

from conftest import MINIMAL_BRIEF, ROOT, build_brief, run_cli, write_brief
from pagetext import page_sizes, text_lines
from test_pdfua import pdfua_findings

from briefgen.render.engine import STYLESHEET_PARSES

MM = 72 / 25.4   # PDF points per mm
COLD_BUILD = ("import sys; sys.path.insert(0, sys.argv[1]); from conftest import build_brief; "
              "build_brief(sys.argv[2], ['summary'], theme=sys.argv[3], out_dir=sys.argv[4])")


def theme_with_page(folder, width, height):
    """A theme: the default one, with its summary's page size set by its own summary.css."""
    css = folder / "theme" / "styles" / "summary.css"
    css.parent.mkdir(parents=True, exist_ok=True)
    css.write_text(f"@page {{ size: {width}mm {height}mm; }}\n", encoding="utf-8")
    return css.parent.parent


def parses():
    return dict(STYLESHEET_PARSES)


def test_a_warm_process_parses_a_theme_stylesheet_once_and_writes_what_a_cold_process_writes(tmp_path):
    brief, theme = write_brief(tmp_path, MINIMAL_BRIEF), theme_with_page(tmp_path, 120, 170)
    build_brief(brief, ["summary"], theme=str(theme), out_dir=tmp_path / "out")
    before = parses()   # the same brief, theme and output folder (as watch rebuilds): the same sandbox
    [warm] = build_brief(brief, ["summary"], theme=str(theme), out_dir=tmp_path / "out", keep_html=True)
    html = warm.path.with_suffix(".html").read_text(encoding="utf-8")
    links, styles = html.count('rel="stylesheet"'), html.count("<style>")
    assert links == 4   # default brief.css and summary.css, the font tokens, the theme's summary.css
    assert styles == 2   # the labels the stylesheets print, the fit's sizes
    assert parses() == {"parsed": before["parsed"], "reused": before["reused"] + (links + styles) * warm.layouts}
    subprocess.run([sys.executable, "-c", COLD_BUILD, str(ROOT / "tests"), str(brief), str(theme),
                    str(tmp_path / "cold")], check=True, capture_output=True)
    assert warm.path.read_bytes() == (tmp_path / "cold" / warm.path.name).read_bytes()
    assert pdfua_findings(warm.path) == ""


def test_an_edited_stylesheet_is_parsed_again_in_a_warm_process(tmp_path):
    brief, theme = write_brief(tmp_path, MINIMAL_BRIEF), theme_with_page(tmp_path, 120, 170)
    [first] = build_brief(brief, ["summary"], theme=str(theme), out_dir=tmp_path / "out")
    first = first.path.rename(tmp_path / "first.pdf")
    css = theme_with_page(tmp_path, 130, 150) / "styles" / "summary.css"
    stamp = os.stat(css)
    os.utime(css, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 10 ** 9))   # a coarse clock sees the edit too
    before = parses()
    [edited] = build_brief(brief, ["summary"], theme=str(theme), out_dir=tmp_path / "out")
    assert parses()["parsed"] == before["parsed"] + 1   # the edited sheet only
    [(width, height)] = page_sizes(edited.path)
    assert (round(width / MM), round(height / MM)) == (130, 150)
    assert [(round(w / MM), round(h / MM)) for w, h in page_sizes(first)] == [(120, 170)]


def test_a_warm_process_reuses_an_unchanged_style_element_and_parses_a_changed_one(tmp_path):
    # A draft's running head says DRAFT: its word is in a <style> of the page (the labels' <style> stays the same)
    brief = write_brief(tmp_path, MINIMAL_BRIEF + "status: draft\n")
    [draft] = build_brief(brief, ["full"], out_dir=tmp_path / "out")
    draft = draft.path.rename(tmp_path / "draft.pdf")
    brief.write_text(MINIMAL_BRIEF + "status: review\n", encoding="utf-8")
    before = parses()
    [review] = build_brief(brief, ["full"], out_dir=tmp_path / "out")
    assert parses()["parsed"] == before["parsed"] + 1
    marks = [[line.text.replace(" ", "") for line in text_lines(pdf) if line.top < 60 and line.text != "KEY POINTS"]
             for pdf in (draft, review.path)]   # the running head, letter-spaced, beside the section's name
    assert marks == [["DRAFT"], ["REVIEW"]]


def test_a_stylesheet_that_warns_warns_again_at_every_build_of_a_warm_process(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "theme" / "styles").mkdir(parents=True)
    (tmp_path / "theme" / "styles" / "brief.css").write_text("p {\n  colr: red;\n}\n", encoding="utf-8")
    write_brief(tmp_path)
    for _ in range(2):
        result = run_cli("build", "brief.yaml", "-v", "summary", "--theme", "theme", "--out", "out", "--force")
        assert result.exit_code == 0, result.output
        assert result.stderr.splitlines() == ["warning: theme/styles/brief.css:2:3: Ignored `colr: red`, unknown property."]


def build_counting_parses(brief, variant, options):
    """build_document in a worker, with the stylesheet parses it took."""
    from briefgen.build.document import build_document
    before = dict(STYLESHEET_PARSES)
    row = build_document(brief, variant, options)
    row.parses = {kind: STYLESHEET_PARSES[kind] - before[kind] for kind in before}
    return row


def test_watchs_warm_worker_builds_an_edit_without_parsing_a_stylesheet_and_as_a_cold_process_would(tmp_path):
    from briefgen.build.batch import run_in_pool, worker_pool
    from briefgen.build.document import Options, plan_brief
    brief = write_brief(tmp_path, MINIMAL_BRIEF)
    options = Options(("summary",), out_dir=tmp_path / "out")
    with worker_pool(1) as pool:   # as watch and serve rebuild: plan here, build in the warm worker
        [first] = run_in_pool(pool, [(plan_brief(brief, options), "summary")], options, build=build_counting_parses)
        brief.write_text(MINIMAL_BRIEF.replace("The summary.", "The edited summary."), encoding="utf-8")
        [edit] = run_in_pool(pool, [(plan_brief(brief, options), "summary")], options, build=build_counting_parses)
    assert first.status == edit.status == "built"
    # default brief.css and summary.css, the font tokens; the <style>s of the labels and the fit's sizes
    assert first.parses["parsed"] == 5
    assert edit.parses["parsed"] == 0 and edit.parses["reused"] >= 5   # five sheets for each layout
    assert "The edited summary." in " ".join(PdfReader(edit.output).pages[0].extract_text().split())
    subprocess.run([sys.executable, "-c", COLD_BUILD, str(ROOT / "tests"), str(brief), "default",
                    str(tmp_path / "cold")], check=True, capture_output=True)
    assert Path(edit.output).read_bytes() == (tmp_path / "cold" / Path(edit.output).name).read_bytes()

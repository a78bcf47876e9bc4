"""The outside PDF/UA checker, pdfua, on everything the project ships, and our
own checker (briefgen/render/pdf_check.py) proved to fail each rule pdfua checks."""

import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

from conftest import MINIMAL_BRIEF, ROOT, SAMPLE, build_brief, run_cli, write_brief
from briefgen.render.pdf_check import elements, structure_problems

PDFUA = Path(sys.executable).parent / "pdfua"
EDITIONS = [SAMPLE, SAMPLE.with_suffix(".ko.yaml"), SAMPLE.with_suffix(".ar.yaml")]
FEATURES = ROOT / "tests" / "features" / "features.yaml"  # a draft with appendices and a landscape table
SERIES = ROOT / "briefs" / "overseas-labour.yaml"
TABLE = """  - title: Tables
    content:
      - table: {caption: Tiers by year., columns: [Year, Tier], rows: [[2023, 3], [2024, 3]]}
"""


def pdfua_findings(pdf):
    """pdfua's report when it finds anything (exit status not 0), else ''."""
    result = subprocess.run([str(PDFUA), "check", str(pdf)], capture_output=True, text=True, timeout=120)
    return "" if result.returncode == 0 else result.stdout + result.stderr


@pytest.fixture(scope="module")
def shipped_pdfs(tmp_path_factory):
    out = tmp_path_factory.mktemp("shipped")
    pdfs = [output.path for theme in ("default", "cedarbay") for edition in EDITIONS
            for output in build_brief(edition, theme=theme, out_dir=out / theme)]
    pdfs += [output.path for output in build_brief(FEATURES, out_dir=out / "features")]
    assert run_cli("build", SERIES, "--out", out / "series").exit_code == 0
    return pdfs + sorted((out / "series").rglob("*.pdf"))[:1]


def test_pdfua_finds_nothing_in_any_shipped_variant_theme_or_language(shipped_pdfs):
    assert len(shipped_pdfs) == 2 * 3 * 3 + 3 + 1
    assert {pdf.name: pdfua_findings(pdf) for pdf in shipped_pdfs} == {pdf.name: "" for pdf in shipped_pdfs}


def test_our_checker_agrees_with_pdfua_on_every_shipped_pdf(shipped_pdfs):
    assert {pdf.name: structure_problems(pdf) for pdf in shipped_pdfs} == {pdf.name: [] for pdf in shipped_pdfs}


@pytest.fixture(scope="module")
def table_pdf(tmp_path_factory):
    folder = tmp_path_factory.mktemp("table")
    [output] = build_brief(write_brief(folder, MINIMAL_BRIEF + TABLE), ["full"], out_dir=folder)
    assert structure_problems(output.path) == [] and pdfua_findings(output.path) == ""
    return output.path


def broken(table_pdf, tmp_path, damage):
    """A copy of a good PDF with one thing damaged, as both checkers see it."""
    with pikepdf.open(table_pdf) as pdf:
        damage(pdf)
        pdf.save(tmp_path / "broken.pdf")
    return structure_problems(tmp_path / "broken.pdf"), pdfua_findings(tmp_path / "broken.pdf")


def each_element(pdf, role):
    return [element for element in elements(pdf.Root.StructTreeRoot) if str(element.S) == role]


def test_content_painted_outside_marked_content_fails_both_checkers(tmp_path):
    from weasyprint import HTML
    # Opacity paints its text through a form XObject, outside any marked content.
    HTML(string='<html lang="en"><title>T</title><p>Text <span style="opacity: .5">faded</span></p></html>'
         ).write_pdf(tmp_path / "faded.pdf", pdf_variant="pdf/ua-1", pdf_tags=True)
    assert "page 1: content neither tagged nor an artifact (outside marked content)" in structure_problems(
        tmp_path / "faded.pdf")
    assert "UA-01-003" in pdfua_findings(tmp_path / "faded.pdf")


def test_header_cells_without_scope_or_headers_fail_both_checkers(table_pdf, tmp_path):
    def unlink(pdf):
        for cell in each_element(pdf, "/TH") + each_element(pdf, "/TD"):
            for key in ("/Scope", "/Headers"):
                if key in cell.A:
                    del cell.A[key]
    ours, theirs = broken(table_pdf, tmp_path, unlink)
    assert ours == ["a table whose header cells have no /Scope or /Headers"] and "UA-15-003" in theirs


def test_an_empty_heading_fails_our_checker(table_pdf, tmp_path):
    # pdfua 0.1.3's rule UA-14-001 raises on WeasyPrint's structure trees and is
    # skipped ("not evaluated"), so here our checker is the only one that looks.
    def empty(pdf):
        each_element(pdf, "/H2")[0].K = pikepdf.Array()
    ours, _theirs = broken(table_pdf, tmp_path, empty)
    assert ours == ["an empty heading (/H2)"]


def test_a_link_without_a_description_fails_both_checkers(tmp_path):
    brief = write_brief(tmp_path, MINIMAL_BRIEF.replace("summary: ", "summary: See [the report](https://example.org). ", 1))
    [output] = build_brief(brief, ["full"], out_dir=tmp_path)

    def undescribe(pdf):
        for page in pdf.pages:
            for annotation in page.get("/Annots", []):
                del annotation.Contents
    ours, theirs = broken(output.path, tmp_path, undescribe)
    assert ours and all("Link annotation without /Contents" in problem for problem in ours)
    assert "UA-18-005" in theirs


def test_a_missing_pdf_ua_identification_fails_our_checker(table_pdf, tmp_path):
    # pdfua (UA-28-004) looks for the text "pdfuaid" anywhere in the XMP, and
    # the namespace declaration stays when the part is removed; ours reads the part.
    def unidentify(pdf):
        with pdf.open_metadata() as metadata:
            del metadata["pdfuaid:part"]
    ours, _theirs = broken(table_pdf, tmp_path, unidentify)
    assert ours == ["no PDF/UA identification in the XMP metadata (pdfuaid:part)"]


def test_brief_check_runs_our_checker_on_a_pdf_for_users_without_pdfua(table_pdf, tmp_path):
    good = run_cli("check", table_pdf)
    assert (good.exit_code, good.output.strip()) == (0, f"{table_pdf}: ok (PDF/UA structure)")

    def unlink(pdf):
        for cell in each_element(pdf, "/TH"):
            for key in ("/Scope", "/Headers"):
                if key in cell.A:
                    del cell.A[key]
    broken(table_pdf, tmp_path, unlink)
    bad = run_cli("check", tmp_path / "broken.pdf")
    assert bad.exit_code == 1
    assert bad.output.strip() == f"{tmp_path / 'broken.pdf'}: a table whose header cells have no /Scope or /Headers"
    (tmp_path / "junk.pdf").write_text("not a PDF")
    junk = run_cli("check", tmp_path / "junk.pdf")
    assert junk.exit_code == 1 and junk.output.startswith(f"{tmp_path / 'junk.pdf'}: not a PDF that can be read (")
    assert len(junk.output.strip().splitlines()) == 1

"""`--format` is repeatable: one run writes every format asked for, and a web
page always links the PDF editions of the same run (built first, even when
only the page is asked for)."""

from pathlib import Path

import pytest

from briefgen.build.formats import formats_to_build
from conftest import MINIMAL_BRIEF, run_cli, write_brief
from webcheck import page_tree


def editions(page):
    return [(link.get("href"), " ".join(link.text_content().split()))
            for link in page_tree(page).xpath("//nav[@class='editions']//a")]


def rows(result):
    """(variant, the output file's name) of each row of the closing table."""
    return sorted((line.split()[1], Path(line.split()[-1]).name) for line in result.output.splitlines()[1:-1])


def test_pdf_and_web_in_one_run(tmp_path):
    brief = write_brief(tmp_path, MINIMAL_BRIEF)
    out = tmp_path / "out"
    result = run_cli("build", brief, "--format", "pdf", "--format", "web", "--out", out)
    assert result.exit_code == 0, result.output
    assert rows(result) == [("full", "brief-full.pdf"), ("full", "index.html"),
                                ("memo", "brief-memo.pdf"), ("summary", "brief-summary.pdf")]
    assert result.output.splitlines()[-1].startswith("4 built, 0 up to date, 0 failed")
    page = out / "brief" / "index.html"
    assert [href for href, _ in editions(page)] == ["brief-full.pdf", "brief-memo.pdf", "brief-summary.pdf"]
    for href, _ in editions(page):   # copies of this run's PDFs, beside the page
        assert (out / "brief" / href).read_bytes() == (out / href).read_bytes()
    again = run_cli("build", brief, "--format", "web", "--format", "pdf", "--out", out)
    assert again.output.splitlines()[-1].startswith("0 built, 4 up to date, 0 failed"), again.output


def test_the_web_page_alone_comes_with_the_pdfs_it_links(tmp_path):
    brief = write_brief(tmp_path, MINIMAL_BRIEF)
    out = tmp_path / "out"
    result = run_cli("build", brief, "--format", "web", "--out", out)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("4 built, 0 up to date, 0 failed")
    assert [text.split(" · ")[0] for _, text in editions(out / "brief" / "index.html")] == [
        "Full brief", "Memorandum", "Summary"]


@pytest.mark.parametrize("asked, written", [
    ((), ["pdf"]),
    (("pdf",), ["pdf"]),
    (("web",), ["pdf", "web"]),
    (("web", "pdf", "web"), ["pdf", "web"]),
])
def test_the_formats_a_run_writes(asked, written):
    assert formats_to_build(asked) == written


def test_an_unknown_format_is_a_usage_error(tmp_path):
    result = run_cli("build", write_brief(tmp_path, MINIMAL_BRIEF), "--format", "pdf", "--format", "odt")
    assert result.exit_code == 2
    assert "'odt' is not one of 'pdf', 'web', 'docx'" in result.output

"""The web edition (`brief build --format web`, writers/web.py): a folder
with index.html and everything it shows, the full brief's content, the
site's metadata, valid HTML. The browser's checks are in test_browser.py."""

import re
import socket
from pathlib import Path

import pytest
import tinyhtml5.parser

from conftest import MINIMAL_BRIEF, ROOT, SAMPLE, BriefError, output_path, run_cli, write_brief
from webcheck import json_ld, letters, local_references, meta, page_text, page_tree, pdf_lines

STEM = SAMPLE.stem


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory):
    """The sample's PDFs, then its web edition, in one output folder."""
    out = tmp_path_factory.mktemp("site")
    assert run_cli("build", SAMPLE, "--out", out).exit_code == 0
    result = run_cli("build", SAMPLE, "--format", "web", "--out", out)
    assert result.exit_code == 0, result.output
    return out


def test_build_format_web_writes_a_folder_with_every_file_it_names(sample_site):
    page = sample_site / STEM / "index.html"
    html = page.read_text(encoding="utf-8")
    assert "file:" not in html
    references = local_references(page)
    assert len(references) > 15      # the stylesheet, 10 fonts, 3 images, 3 PDFs
    for where, url in references:
        target = (Path(where).parent / url).resolve()
        assert target.is_file(), f"{where}: {url}"
        assert target.is_relative_to((sample_site / STEM).resolve()), url
    # the PDF editions are copied beside the page, and listed with their size and pages
    editions = page_tree(page).xpath("//nav[@class='editions']//li")
    assert [" ".join(li.text_content().split()) for li in editions] == [
        f"Full brief PDF · {size(sample_site, 'full')} · Pages: 10",
        f"Memorandum PDF · {size(sample_site, 'memo')} · Pages: 2",
        f"Summary PDF · {size(sample_site, 'summary')} · Pages: 1"]
    for variant in ("full", "memo", "summary"):
        assert (sample_site / STEM / f"{STEM}-{variant}.pdf").read_bytes() == \
            (sample_site / f"{STEM}-{variant}.pdf").read_bytes()


def size(out, variant):
    return f"{round((out / f'{STEM}-{variant}.pdf').stat().st_size / 1000)} KB"   # split() takes the no-break space


def test_the_web_page_has_every_line_of_the_full_pdf(sample_site):
    text = page_text(sample_site / STEM / "index.html")
    lines = pdf_lines(sample_site / f"{STEM}-full.pdf", "Policy Brief 2026/11")
    assert len(lines) > 300
    missing = [line for line in lines if letters(line) not in text]
    assert missing == []


def test_the_korean_web_page_has_every_line_of_its_full_pdf(tmp_path):
    """(The Arabic PDF's text is not compared: pypdf gives its lines' words in
    visual order and runs some together where the direction changes.)"""
    out, brief = tmp_path / "out", ROOT / "briefs" / "north-korea-trafficking.ko.yaml"
    for output_format in ("pdf", "web"):
        assert run_cli("build", brief, "-v", "full", "--format", output_format, "--out", out).exit_code == 0
    text = page_text(out / brief.stem / "index.html")
    lines = pdf_lines(out / f"{brief.stem}-full.pdf", "정책 브리프 2026/11", "ko")
    assert len(lines) > 250
    assert [line for line in lines if letters(line) not in text] == []


def test_the_page_carries_the_metadata_a_site_needs(sample_site):
    page = sample_site / STEM / "index.html"
    tree = page_tree(page)
    assert (tree.get("lang"), tree.get("dir")) == ("en-GB", "ltr")
    assert tree.findtext(".//title") == "Tier 3 by design: North Korea's human trafficking designation"
    assert tree.xpath("//link[@rel='canonical']/@href") == ["https://example.org/briefs/dprk-trafficking"]
    assert meta(page, "description") == ["Why the DPRK sits at the bottom of international trafficking "
                                         "assessments, and what governments can still do"]
    assert meta(page, "og:url") == ["https://example.org/briefs/dprk-trafficking"]
    assert meta(page, "og:title") == meta(page, "twitter:title") == \
        ["Tier 3 by design: North Korea’s human trafficking designation"]
    assert meta(page, "twitter:card") == ["summary"]
    assert meta(page, "viewport") == ["width=device-width, initial-scale=1"]
    report = json_ld(page)
    assert report["@type"] == "Report" and report["@context"] == "https://schema.org"
    assert [author["name"] for author in report["author"]] == ["Eleanor Marsh", "Samuel Adeyemi"]
    assert report["datePublished"] == "2026-11-20"
    assert report["publisher"] == {"@type": "Organization", "name": "Northeast Asia Rights Observatory"}
    assert not page_tree(page).xpath("//script[not(@type='application/ld+json')]")   # no JavaScript


def test_the_html_is_valid(sample_site):
    parser = tinyhtml5.parser.HTMLParser()
    parser.parse((sample_site / STEM / "index.html").read_bytes())
    assert parser.errors == []
    ids = page_tree(sample_site / STEM / "index.html").xpath("//@id")
    assert len(ids) == len(set(ids))


def test_footnotes_become_endnotes_with_links_back(sample_site):
    tree = page_tree(sample_site / STEM / "index.html")
    calls = tree.xpath("//a[@class='footnote-call']")
    notes = tree.xpath("//ol[@class='endnotes-list']/li")
    assert len(calls) == len(notes) == 7
    for number, (call, note) in enumerate(zip(calls, notes), 1):
        assert (call.get("href"), call.get("id")) == (f"#footnote-{number}", f"note-call-{number}")
        assert note.get("id") == f"footnote-{number}"
        [back] = note.xpath("a[@class='note-back']")
        assert back.get("href") == f"#note-call-{number}"
    assert not tree.xpath("//span[@class='footnote']")   # none left in the text
    assert notes[0].text_content().startswith("This brief uses “the DPRK” and “North Korea” interchangeably")


def test_cross_references_carry_the_numbers_print_gives_them(sample_site):
    tree = page_tree(sample_site / STEM / "index.html")
    figures = [figure.get("id") for figure in tree.xpath("//figure[contains(@class, 'figure')]")]
    tables = [table.get("id") for table in tree.xpath("//table[not(@class='chart-data')]")]
    references = tree.xpath("//a[contains(@class, 'xref')]")
    assert len(references) >= 5
    for reference in references:
        target = reference.get("href")[1:]
        word, number = reference.text_content().split("\u00a0")
        expected = (figures if word == "Figure" else tables if word == "Table" else []).index(target) + 1 \
            if word in ("Figure", "Table") else None
        if expected:
            assert int(number) == expected, reference.text_content()


def test_an_edited_or_missing_file_of_the_folder_is_rebuilt_and_the_rest_is_up_to_date(tmp_path):
    brief = write_brief(tmp_path, MINIMAL_BRIEF)
    out = tmp_path / "out"
    # the page comes with the three PDFs it links (tests/test_formats.py)
    assert "4 built, 0 up to date" in run_cli("build", brief, "--format", "web", "--out", out).output
    assert "0 built, 4 up to date" in run_cli("build", brief, "--format", "web", "--out", out).output
    row = run_cli("build", brief, "--format", "web", "--out", out).output.splitlines()[4]
    assert row.split()[-1] == str(out / "brief" / "index.html")
    [font] = sorted((out / "brief" / "assets").glob("SourceSerifPro-Regular.*.ttf"))
    font.unlink()
    assert "1 built, 3 up to date" in run_cli("build", brief, "--format", "web", "--out", out).output
    assert font.is_file()
    # a PDF the page links is built again when it is missing, in the same run
    (out / "brief-memo.pdf").unlink()   # the brief's PDFs are rebuilt together; the same bytes: the page is current
    assert "3 built, 1 up to date" in run_cli("build", brief, "--format", "web", "--out", out).output
    assert (out / "brief-memo.pdf").is_file() and (out / "brief" / "brief-memo.pdf").is_file()


def test_a_failed_web_build_keeps_the_last_good_page(tmp_path):
    brief = write_brief(tmp_path, MINIMAL_BRIEF)
    out = tmp_path / "out"
    assert run_cli("build", brief, "--format", "web", "--out", out).exit_code == 0
    good = {file: file.read_bytes() for file in (out / "brief").rglob("*") if file.is_file()}
    brief.write_text(MINIMAL_BRIEF.replace("summary: The summary.", "summary: [not, text]"), encoding="utf-8")
    result = run_cli("build", brief, "--format", "web", "--out", out)
    assert result.exit_code == 1
    assert f"{brief}:3: summary:" in result.stderr
    assert {file: file.read_bytes() for file in (out / "brief").rglob("*") if file.is_file()} == good


def test_the_web_format_builds_the_full_brief_only(tmp_path):
    brief = write_brief(tmp_path, MINIMAL_BRIEF)
    result = run_cli("build", brief, "--format", "web", "-v", "memo", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert f"{brief}:1: the web format builds the full variant only, not 'memo'" in result.stderr


def test_two_builds_give_the_same_folder(tmp_path):
    brief = write_brief(tmp_path, MINIMAL_BRIEF)
    folders = []
    for name in ("one", "two"):
        assert run_cli("build", brief, "--format", "web", "--out", tmp_path / name).exit_code == 0
        folder = tmp_path / name / "brief"
        folders.append({file.relative_to(folder): file.read_bytes() for file in folder.rglob("*") if file.is_file()})
    assert folders[0] == folders[1]


@pytest.mark.parametrize("brief, theme, language, direction", [
    ("north-korea-trafficking.ar.yaml", None, "ar", "rtl"),
    ("north-korea-trafficking.ko.yaml", None, "ko", "ltr"),
    ("north-korea-trafficking.yaml", "cedarbay", "en-GB", "ltr"),
])
def test_both_themes_and_other_scripts_build(tmp_path, brief, theme, language, direction):
    out = tmp_path / "out"
    result = run_cli("build", ROOT / "briefs" / brief, "--format", "web", "--out", out,
                     *(("--theme", theme) if theme else ()))
    assert result.exit_code == 0, result.output
    page = out / Path(brief).stem / "index.html"
    tree = page_tree(page)
    assert (tree.get("lang"), tree.get("dir")) == (language, direction)
    parser = tinyhtml5.parser.HTMLParser()
    parser.parse(page.read_bytes())
    assert parser.errors == []
    for where, url in local_references(page):
        assert (Path(where).parent / url).is_file(), url
    if theme == "cedarbay":   # the brand's fonts and logo come along
        assert sorted(file.name.split(".")[0] for file in (out / Path(brief).stem / "assets").glob("*.ttf"))[:2] \
            == ["Caladea-Bold", "Caladea-BoldItalic"]
        [logo] = tree.xpath("//section[contains(@class, 'cover')]//*[contains(@class, 'logo')]/@style")
        assert re.fullmatch(r"background-image: url\('assets/logo\.\w+\.svg'\)", logo), logo


def test_brief_check_composes_the_web_page_of_the_theme_too(tmp_path):
    (tmp_path / "templates" / "web").mkdir(parents=True)
    (tmp_path / "templates" / "web" / "full.html").write_text(
        '{% extends "default/web/full.html" %}\n{% block body %}{{ brief.nope }}{% endblock %}\n', encoding="utf-8")
    brief = write_brief(tmp_path, MINIMAL_BRIEF + "theme: .\n")
    result = run_cli("check", brief)
    assert result.exit_code == 1
    assert result.stderr.strip() == \
        f"{tmp_path / 'templates' / 'web' / 'full.html'}:2: template error: 'dict object' has no attribute 'nope'"


def test_serve_says_when_its_port_is_taken_before_building(tmp_path):
    brief = write_brief(tmp_path, MINIMAL_BRIEF)
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = run_cli("serve", brief, "--port", port, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: cannot serve on 127.0.0.1:{port}: address already in use"
    assert not (tmp_path / "out").exists()


def test_the_page_is_never_written_outside_the_output_folder(tmp_path):
    from briefgen.writers import web
    assert output_path(tmp_path, "brief", "full", ".html", web) == tmp_path / "brief" / "index.html"
    with pytest.raises(BriefError):
        output_path(tmp_path / "out", "..", "full", ".html", web)

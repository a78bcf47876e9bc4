"""What a new author and a new designer trip over (issue 12): each mistake gets
one exact line that names the file, the line and what to do."""

import struct
import subprocess
import sys
import warnings
import zlib

import pytest
from pypdf import PdfReader

from conftest import FIGURE, MINIMAL_BRIEF, ROOT, SAMPLE, destination_pages, run_cli, write_brief



def check_lines(brief):
    result = run_cli("check", brief)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.stderr.splitlines()


def pdf_text(pdf):
    return " ".join(page.extract_text() for page in PdfReader(pdf).pages)


# 1. Misspelt variant names -------------------------------------------------

def test_a_misspelt_variant_name_is_an_error_with_a_suggestion(tmp_path):
    brief = write_brief(tmp_path, MINIMAL_BRIEF.replace("    content: [Some text.]\n", (
        "    variants: [ful, memo]\n"
        "    content:\n"
        "      - text: Only in some.\n"
        "        variants: [sumary]\n")) + (
        "variants:\n"
        "  memmo:\n"
        "    summary: Shorter.\n"
        "  poster:\n"
        "    summary: Shortest.\n"))
    assert check_lines(brief) == [
        f"{brief}:7: sections[0].variants[0]: unknown variant 'ful'; did you mean 'full'?",
        f"{brief}:10: sections[0].content[0].variants[0]: unknown variant 'sumary'; did you mean 'summary'?",
        f"{brief}:12: variants.memmo: unknown variant 'memmo'; did you mean 'memo'?",
        f"{brief}:14: variants.poster: unknown variant 'poster'; the theme 'default' offers: full, memo, summary",
    ]
    result = run_cli("build", brief, "--out", tmp_path / "out")
    assert result.exit_code == 1 and not (tmp_path / "out").exists()


# 2. Each variant's merged content is checked -------------------------------

def test_a_variant_whose_references_lack_a_citation_fails_check(tmp_path):
    brief = write_brief(tmp_path, MINIMAL_BRIEF.replace("The summary.", "The summary [@a; @b].") + (
        "references:\n"
        "  - {id: a, title: A}\n"
        "  - {id: b, title: B}\n"
        "variants:\n"
        "  memo:\n"
        "    references:\n"
        "      - {id: a, title: A}\n"))
    assert check_lines(brief) == [
        f"{brief}:3: summary: unknown citation '@b'; no reference has that id in the variant 'memo', "
        "whose references are variants.memo.references"]
    result = run_cli("build", brief, "-v", "memo", "--out", tmp_path / "out")
    assert result.exit_code == 1 and "internal error" not in result.output


def test_a_link_to_a_section_left_out_of_a_variant_fails_check(tmp_path):
    brief = write_brief(tmp_path, MINIMAL_BRIEF.replace("The summary.", "'See [the annex](#annex).'") + (
        "  - title: Annex\n"
        "    variants: [full]\n"
        "    content: [Details.]\n"))
    assert check_lines(brief) == [
        f"{brief}:3: summary: link to '#annex' but the section 'annex' is not in the variant 'memo'",
        f"{brief}:3: summary: link to '#annex' but the section 'annex' is not in the variant 'summary'"]


# 3. Reference list punctuation ---------------------------------------------

def test_references_end_each_part_once_and_curl_apostrophes_in_authors(tmp_path):
    brief = write_brief(tmp_path, MINIMAL_BRIEF.replace("The summary.", "The summary [@k; @o].") + (
        "references:\n"
        "  - {id: k, author: 'Knowlton, K. et al.', title: Development, year: 2020}\n"
        "  - {id: o, author: \"O'Brien, M.\", title: \"The worker's share\", publisher: Acme Inc.}\n"
        "citation_style: apa\n"))
    assert run_cli("build", brief, "-v", "full", "--out", tmp_path / "out").exit_code == 0
    text = pdf_text(tmp_path / "out" / "brief-full.pdf")
    assert "Knowlton, K. et al. (2020). Development." in text
    assert "O\u2019Brien, M. (n.d.). The worker\u2019s share. Acme Inc." in text
    assert ".." not in text and "O'Brien" not in text


# 5. Blank required fields and NUL characters -------------------------------

def test_a_blank_title_and_a_nul_character_are_errors(tmp_path):
    brief = write_brief(tmp_path, MINIMAL_BRIEF.replace("title: A minimal brief", 'title: "   "')
                        .replace("The summary.", '"The \\0summary."'))
    assert check_lines(brief) == [
        f"{brief}:1: title: is blank (spaces only); write the text or leave the field out",
        f"{brief}:3: summary: contains a NUL character (U+0000); remove it"]


# 6. CSS problems name the stylesheet ---------------------------------------

def test_a_css_problem_names_the_stylesheet_and_its_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "theme" / "styles").mkdir(parents=True)
    (tmp_path / "theme" / "styles" / "brief.css").write_text("/* ours */\np {\n  colr: red;\n}\n", encoding="utf-8")
    write_brief(tmp_path)
    result = run_cli("build", "brief.yaml", "-v", "summary", "--theme", "theme", "--out", "out")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "warning: theme/styles/brief.css:3:3: Ignored `colr: red`, unknown property."]


# 7. One line per font problem ----------------------------------------------

def test_a_paragraph_in_a_script_without_a_font_gives_one_line_at_its_own_line(tmp_path):
    """Ethiopic: no font of the default theme draws it. One error line for the
    script, at the line inside the block where it is used."""
    amharic = "የሰሜን ኮሪያ የሰዎች ዝውውር ሰለባዎች ድንበር አቋርጠው ይሸጣሉ"
    brief = write_brief(tmp_path, MINIMAL_BRIEF.replace("    content: [Some text.]\n", (
        "    content:\n"
        "      - |\n"
        "        An English line first.\n"
        f"        {amharic}\n")))
    result = run_cli("build", brief, "-v", "full", "--out", tmp_path / "out")
    assert result.exit_code == 1, result.output
    line = result.stderr.splitlines()[0]
    assert line.startswith(f"{brief}:10: sections[0].content[0]: no font of the theme 'default' draws Ethiopic text: ")
    assert sum("Ethiopic" in error for error in result.stderr.splitlines()) == 1
    assert not (tmp_path / "out" / "brief-full.pdf").exists()


# 8. Citation errors at the citation's own line, with a suggestion ----------

@pytest.mark.parametrize("style", ["|", ">"])
def test_an_unknown_citation_is_reported_at_its_own_line(tmp_path, style):
    brief = write_brief(tmp_path, MINIMAL_BRIEF.replace("summary: The summary.\n", (
        f"summary: {style}\n"
        "  The first line of the summary.\n"
        "  The second line cites the report\n"
        "  on trafficking [@tip-2024].\n")) + (
        "references:\n"
        "  - {id: tip-2025, title: Trafficking in Persons Report}\n"))
    assert check_lines(brief) == [
        f"{brief}:6: summary: unknown citation '@tip-2024'; no reference has that id; did you mean 'tip-2025'?"]


def test_an_unknown_section_link_suggests_the_nearest_id(tmp_path):
    brief = write_brief(tmp_path, MINIMAL_BRIEF.replace("The summary.", "'See [the background](#backgroud).'"))
    assert check_lines(brief) == [
        f"{brief}:3: summary: link to '#backgroud' but no section has the id 'backgroud'; did you mean '#background'?"]


# 9. YAML errors: tabs, theme files with lines ------------------------------

def test_a_tab_in_the_indentation_says_tab(tmp_path):
    brief = write_brief(tmp_path, MINIMAL_BRIEF.replace("  - title: Background", "\t- title: Background"))
    assert check_lines(brief) == [f"{brief}:6: YAML syntax error: a tab in the indentation; indent with spaces only"]


@pytest.mark.parametrize("settings, message", [
    ("pages: 1\npages: 2\n", "2: pages: duplicate key (first given on line 1)"),
    ("pages: 1\nfit: {spacing: 1}\n", "2: fit: expected a list of steps such as {spacing: 0.75, body_size: 9pt}"),
    ("pages: 1\nfit:\n  - {spacing: 0.5, body_size: 7pt}\n", "3: fit[0].body_size: 7pt is under the 8.5pt floor"),
    ("pages: two\n", "1: pages: expected a whole number of pages, at least 1"),
    ("pagez: 1\n", "1: pagez: unknown setting; expected one of: pages, citations, body_size, fit, cut_hints, chart, balance"),
])
def test_a_variant_file_gets_file_and_line_errors(tmp_path, settings, message):
    variants = tmp_path / "theme" / "templates" / "variants"
    variants.mkdir(parents=True)
    (variants / "summary.yaml").write_text(settings, encoding="utf-8")
    brief = write_brief(tmp_path)
    for how in (["--theme", tmp_path / "theme"], []):
        if not how:
            brief = write_brief(tmp_path, MINIMAL_BRIEF + "theme: theme\n")
        result = run_cli("build", brief, "-v", "summary", "--out", tmp_path / "out", *how)
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [f"{variants / 'summary.yaml'}:{message}"]


# 10. Exit codes, library warnings ------------------------------------------

def test_an_unknown_variant_option_is_a_usage_error(tmp_path):
    result = run_cli("build", write_brief(tmp_path), "--variant", "ful", "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--variant': unknown variant 'ful'; did you mean 'full'? "
        "The theme 'default' offers: full, memo, summary")
    assert not (tmp_path / "out").exists()


def png_header(width, height):
    """A PNG that announces its size and holds no pixels: Pillow reads the header only."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)) + chunk(b"IEND", b"")


def test_pillow_s_decompression_bomb_warning_never_prints_raw(tmp_path):
    (tmp_path / "bomb.png").write_bytes(png_header(10_000, 9_000))  # 90 million pixels: Pillow warns
    brief = write_brief(tmp_path, MINIMAL_BRIEF + FIGURE.format(image="bomb.png"))
    expected = [f"{brief}:11: sections[1].content[0].figure.image: 'bomb.png' is 10000 x 9000 pixels; "
                "images may have at most 40 million"]
    # A process of its own: pytest records warnings itself, so only there would a raw one print.
    for command in (["check", brief], ["build", brief, "--out", tmp_path / "out"]):
        done = subprocess.run([sys.executable, str(ROOT / "generate.py"), *map(str, command)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 1
        assert done.stderr.splitlines() == expected


def test_a_library_warning_becomes_one_line_of_the_brief(tmp_path, monkeypatch):
    import briefgen.build.document
    original = briefgen.build.document.validate_brief

    def warning_validation(loaded):
        warnings.warn("something a library says", UserWarning)
        return original(loaded)

    monkeypatch.setattr(briefgen.build.document, "validate_brief", warning_validation)
    brief = write_brief(tmp_path)
    result = run_cli("check", brief)
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [f"warning: {brief}:1: UserWarning: something a library says"]


# 11. Fonts from elsewhere (the contrast suggestion: test_accessibility) -----
# (tests/test_themes.py::test_brand_errors_name_what_is_wrong has the font outside the theme)

# 12. A custom page size --------------------------------------------------------

def test_a_theme_page_size_keeps_the_cover_on_one_page(tmp_path):
    (tmp_path / "theme" / "styles").mkdir(parents=True)
    (tmp_path / "theme" / "styles" / "brief.css").write_text("@page { size: 148mm 210mm; }\n", encoding="utf-8")
    result = run_cli("build", SAMPLE, "-v", "full", "--theme", tmp_path / "theme", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    reader = PdfReader(tmp_path / "north-korea-trafficking-full.pdf")
    assert round(float(reader.pages[0].mediabox.height) / 72 * 25.4) == 210
    # the cover is page 1 alone: the key points start on page 2
    assert destination_pages(reader)["part-key-points"] == 2


# 13. Habits of the command line --------------------------------------------

def test_python_generate_py_with_a_brief_builds_it(tmp_path):
    write_brief(tmp_path, name="mine.yaml")
    done = subprocess.run([sys.executable, str(ROOT / "generate.py"), "mine.yaml", "-v", "summary"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "mine-summary.pdf").is_file()


def test_variants_misspelt_as_an_option_suggests_variant(tmp_path):
    for args in (["build", write_brief(tmp_path)], [write_brief(tmp_path)], []):
        result = run_cli(*args, "--variants", "full")
        assert result.exit_code == 2
        assert result.stderr.splitlines()[-1] == "Error: No such option '--variants'. Did you mean '--variant'?"


# 14. The closing table's totals --------------------------------------------

def test_the_closing_table_ends_with_counts_and_the_total_time(tmp_path):
    brief = write_brief(tmp_path)
    first = run_cli("build", brief, "-v", "summary", "-v", "memo", "--out", tmp_path / "out")
    last = first.stdout.splitlines()[-1]
    assert last.startswith("2 built, 0 up to date, 0 failed in ") and last.endswith(" s")
    seconds = float(last.split(" in ")[1].removesuffix(" s"))
    assert seconds >= max(float(line.split()[3]) for line in first.stdout.splitlines()[1:-1])
    again = run_cli("build", brief, "-v", "summary", "-v", "memo", "--out", tmp_path / "out")
    assert again.stdout.splitlines()[-1].startswith("0 built, 2 up to date, 0 failed in ")

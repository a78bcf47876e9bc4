"""Nothing lost: text, table columns and blocks that do not reach the page are
errors naming the brief's field; long words in tables break; a truncated image
is an error."""

import re

import weasyprint  # noqa: F401  (as in a warm worker: it tells Pillow to accept truncated images)
from PIL import Image
from pypdf import PdfReader

from conftest import MINIMAL_BRIEF, run_cli, write_brief

COLUMNS = [f"c{index:02}" for index in range(40)]
WIDE_TABLE = MINIMAL_BRIEF.replace("    content: [Some text.]\n", f"""\
    content:
      - Some text.
      - table:
          caption: Forty columns.
          columns: [{", ".join(COLUMNS)}]
          rows:
            - [{", ".join(f"v{index:02}" for index in range(40))}]
""")
LONG_WORD = "START" + "x" * 4990 + "END12345"   # 5,008 characters, no break chance


def long_word_brief(word):
    return MINIMAL_BRIEF.replace("    content: [Some text.]\n", f"""\
    content:
      - Some text.
      - table:
          caption: A long word.
          columns: [Name, Value]
          rows:
            - [a, "{word}"]
""")


def line_of(text, fragment):
    return next(number for number, line in enumerate(text.splitlines(), 1) if fragment in line)


def build_full(brief):
    return run_cli("build", brief, "--variant", "full", "--out", brief.parent / "out", "--jobs", "1")


def test_a_table_wider_than_the_page_is_an_error_naming_the_table(tmp_path):
    brief = write_brief(tmp_path, WIDE_TABLE)
    result = build_full(brief)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{brief}:{line_of(WIDE_TABLE, '- table:')}: sections[0].content[1].table: "
        "20 of 40 columns do not fit the page width"]
    assert not (tmp_path / "out" / "brief-full.pdf").exists()


def test_a_5000_character_word_in_a_cell_is_printed_whole_without_an_extra_page(tmp_path):
    brief = write_brief(tmp_path, long_word_brief(LONG_WORD))
    result = build_full(brief)
    assert result.exit_code == 0, result.output
    reader = PdfReader(tmp_path / "out" / "brief-full.pdf")
    text = re.sub(r"\s", "", "".join(page.extract_text() for page in reader.pages))
    assert LONG_WORD in text
    short = write_brief(tmp_path, long_word_brief("short"), name="short.yaml")
    assert build_full(short).exit_code == 0
    assert len(reader.pages) == len(PdfReader(tmp_path / "out" / "short-full.pdf").pages)


def test_a_long_word_cut_off_at_the_page_edge_is_an_error_naming_the_field(tmp_path):
    text = MINIMAL_BRIEF.replace("Some text.", "Some text START" + "y" * 300 + "END.")
    brief = write_brief(tmp_path, text)
    result = build_full(brief)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{brief}:{line_of(text, 'START')}: sections[0].content[0]: text does not reach the page: "
        f"'Some text START{'y' * 25}…'"]


def test_a_block_a_theme_hides_is_an_error_naming_the_field(tmp_path):
    theme = tmp_path / "theme"
    run_cli("new-theme", theme)
    (theme / "styles" / "brief.css").write_text(".callout { display: none; }", encoding="utf-8")
    text = MINIMAL_BRIEF.replace("    content: [Some text.]\n", """\
    content:
      - Some text.
      - callout: {text: Nobody will read this warning.}
""")
    brief = write_brief(tmp_path, text)
    result = run_cli("build", brief, "-v", "full", "--theme", theme, "--out", tmp_path / "out", "--jobs", "1")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{brief}:{line_of(text, 'callout')}: sections[0].content[1].callout.text: "
        "text does not reach the page: 'Nobody will read this warning.'"]


def test_a_truncated_png_is_an_error(tmp_path):
    Image.effect_noise((400, 300), 64).convert("RGB").save(tmp_path / "noise.png")
    whole = (tmp_path / "noise.png").read_bytes()
    (tmp_path / "noise.png").write_bytes(whole[:len(whole) // 2])
    text = MINIMAL_BRIEF + """  - title: Figure
    content:
      - figure: {image: noise.png, caption: Noise., alt: Grey noise.}
"""
    brief = write_brief(tmp_path, text)
    expected = (f"{brief}:{line_of(text, 'figure:')}: sections[1].content[0].figure.image: 'noise.png' "
                "is truncated or damaged and cannot be decoded (image file is truncated)")
    check = run_cli("check", brief)
    assert check.exit_code == 1 and check.stderr.splitlines() == [expected]
    build = build_full(brief)
    assert build.exit_code == 1 and expected in build.stderr.splitlines()

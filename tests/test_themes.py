"""Organisation themes: lookup and precedence, brand settings, the second theme
in the repository, scaffolding and the errors a designer meets."""

import re
from urllib.parse import unquote

import pypdfium2
import pytest
from pypdf import PdfReader

from briefgen.compose.html import template_environment
from briefgen.theme.resolve import resolve_theme
from briefgen.build.document import theme_of
from conftest import BriefError, MINIMAL_BRIEF, ROOT, SAMPLE, build_brief, check_brief, run_cli, write_brief

LETTER = (612, 792)
A4 = (595, 842)


def page_size(pdf):
    box = PdfReader(pdf).pages[0].mediabox
    return round(float(box.width)), round(float(box.height))


def font_families(pdf):
    """First word of each embedded font's name: 'Caladea', 'Lato', 'Source', ..."""
    names = {str(font.get_object()["/BaseFont"]) for page in PdfReader(pdf).pages
             for font in page["/Resources"]["/Font"].values()}
    return {re.sub(r"^/[A-Z]{6}\+", "", name).split("-")[0] for name in names}


@pytest.fixture(scope="module")
def cedarbay(tmp_path_factory):
    out = tmp_path_factory.mktemp("cedarbay")
    outputs = build_brief(SAMPLE, theme="cedarbay", out_dir=out, keep_html=True)
    return {output.variant: output for output in outputs}


def test_the_theme_partial_wins_and_the_rest_comes_from_default():
    environment = template_environment(resolve_theme("cedarbay"))
    assert environment.get_template("partials/cover.html").filename == str(
        ROOT / "templates" / "cedarbay" / "partials" / "cover.html")
    assert environment.get_template("partials/section.html").filename == str(
        ROOT / "templates" / "default" / "partials" / "section.html")


def test_second_theme_is_us_letter_in_every_variant(cedarbay):
    assert {variant: page_size(output.path) for variant, output in cedarbay.items()} == {
        "full": LETTER, "memo": LETTER, "summary": LETTER}
    assert cedarbay["summary"].pages == 1 and cedarbay["memo"].pages <= 2


def test_second_theme_embeds_its_fonts_not_the_defaults(cedarbay):
    for output in cedarbay.values():
        assert font_families(output.path) <= {"Caladea", "Lato"}, output.variant
        assert "Caladea" in font_families(output.path)


def test_second_theme_shows_its_logo(cedarbay):
    logo = (ROOT / "styles" / "cedarbay" / "logo.svg").as_uri()
    for output in cedarbay.values():
        assert f"background-image: url('{logo}')" in output.path.with_suffix(".html").read_text(encoding="utf-8")
    # the logo's rust disc is drawn at the top of the cover's band (10 mm in, 22 mm down, 26 mm wide)
    cover = pypdfium2.PdfDocument(cedarbay["full"].path)[0].render(scale=1).to_pil().convert("RGB")
    mm = cover.width / 215.9
    logo = cover.crop((int(10 * mm), int(22 * mm), int(36 * mm), int(48 * mm)))
    assert (0xA3, 0x54, 0x1A) in {colour for _, colour in logo.getcolors(maxcolors=1 << 20)}


def test_second_theme_uses_its_accent_colour(cedarbay):
    html = unquote(cedarbay["full"].path.with_suffix(".html").read_text(encoding="utf-8"))
    assert "--color-accent: #1d4d3a" in html and "--color-highlight: #a3541a" in html
    cover = pypdfium2.PdfDocument(cedarbay["full"].path)[0].render(scale=0.5).to_pil().convert("RGB")
    assert cover.getpixel((20, cover.height // 2)) == (0x1D, 0x4D, 0x3A)  # the band down the left


def test_default_theme_keeps_its_look(sample_full):
    assert page_size(sample_full.path) == A4
    assert font_families(sample_full.path) == {"Source"}  # Source Serif Pro and Source Sans Pro


@pytest.mark.parametrize("brief_theme, option, expected", [
    (None, None, A4),                       # default
    ("cedarbay", None, LETTER),             # the brief's theme:
    ("cedarbay", "default", A4),            # --theme wins over the brief
    (None, "cedarbay", LETTER),             # --theme alone
])
def test_theme_precedence(tmp_path, brief_theme, option, expected):
    brief = write_brief(tmp_path, MINIMAL_BRIEF + (f"theme: {brief_theme}\n" if brief_theme else ""))
    args = ["build", brief, "-v", "summary", "--out", tmp_path / "out"] + (["--theme", option] if option else [])
    assert run_cli(*args).exit_code == 0
    assert page_size(tmp_path / "out" / "brief-summary.pdf") == expected


def test_a_brief_names_a_theme_folder_relative_to_itself(tmp_path):
    run_cli("new-theme", tmp_path / "themes" / "ours")
    brief = write_brief(tmp_path, MINIMAL_BRIEF + "theme: themes/ours\n")
    check_brief(brief)  # raises when the theme does not resolve
    # ... and it resolves beside the brief, not in the working folder (the repository here)
    assert theme_of(brief, None).style_dirs[-1] == tmp_path / "themes" / "ours" / "styles"
    with pytest.raises(BriefError):
        check_brief(write_brief(tmp_path, MINIMAL_BRIEF + "theme: themes/theirs\n"))


def test_scaffolded_theme_with_one_changed_colour_builds(tmp_path):
    theme = tmp_path / "acme"
    result = run_cli("new-theme", theme)
    assert result.exit_code == 0 and "_brand.yml" in result.output
    assert sorted(p.name for p in (theme / "templates").iterdir()) == ["blocks", "partials", "variants"]
    brand = theme / "styles" / "_brand.yml"
    brand.write_text(brand.read_text().replace('navy: "#1f3a5f"', 'navy: "#5b2a86"'), encoding="utf-8")
    result = run_cli("build", SAMPLE, "--theme", theme, "-v", "summary", "--out", tmp_path / "out", "--html")
    assert result.exit_code == 0, result.output
    html = unquote((tmp_path / "out" / "north-korea-trafficking-summary.html").read_text(encoding="utf-8"))
    assert "--color-accent: #5b2a86" in html
    masthead = pypdfium2.PdfDocument(tmp_path / "out" / "north-korea-trafficking-summary.pdf")[0]
    assert masthead.render(scale=0.5).to_pil().convert("RGB").getpixel((5, 5)) == (0x5B, 0x2A, 0x86)


def test_scaffolding_into_a_folder_it_cannot_create_is_a_one_line_error(tmp_path):
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    result = run_cli("new-theme", tmp_path / "file" / "acme")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: [Errno 20] Not a directory") and "Traceback" not in result.output


def test_scaffolding_refuses_to_overwrite(tmp_path):
    run_cli("new-theme", tmp_path / "acme")
    result = run_cli("new-theme", tmp_path / "acme")
    assert result.exit_code == 1 and "already exists" in result.stderr


def test_template_syntax_error_names_file_and_line(tmp_path):
    theme = tmp_path / "broken"
    (theme / "templates" / "partials").mkdir(parents=True)
    cover = theme / "templates" / "partials" / "cover.html"
    cover.write_text('{% extends "default/partials/cover.html" %}\n{% block cover_title %}\n{{ super() }\n'
                     "{% endblock %}\n", encoding="utf-8")
    result = run_cli("build", write_brief(tmp_path), "--theme", theme, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{cover}:3: template syntax error: unexpected '}}'"


@pytest.mark.parametrize("setting, message", [
    ("logo: missing.svg\n", "1: logo: file not found: {styles}/missing.svg"),
    ("typography:\n  fonts:\n    - family: Gone\n      files: [fonts/Gone.ttf]\n",
     "4: typography.fonts[0].files[0]: font 'Gone': file not found: {styles}/fonts/Gone.ttf"),
    ("color:\n  primary: teal-ish\n", "2: color.primary: 'teal-ish' is not a colour (#hex, a CSS colour name, rgb(...)) or a palette name"),
    ("color: [a, b]\n", "1: color: expected a mapping, found a list"),
    ("typography:\n  base: [a]\n", "2: typography.base: expected text or a mapping, found a list"),
    ("color:\n  primary: '#000000'\n  primary: '#111111'\n", "3: color.primary: duplicate key (first given on line 2)"),
    ("typography:\n  fonts:\n    - family: Far\n      files: [../../far/Far.ttf]\n",
     "4: typography.fonts[0].files[0]: font 'Far': '../../far/Far.ttf' is outside the theme's styles folder; "
     "a theme carries its files: copy it into {styles}/fonts/ and write 'fonts/Far.ttf'"),
    ("typography:\n  base: Helvetica Neue\n",
     "2: typography.base: font 'Helvetica Neue' is not under typography.fonts, so it comes from Google Fonts "
     "(brand.yml's default) and is not fetched yet: run 'brief fonts fetch {theme}' (builds never reach the "
     "network), or declare it with its files (family: Helvetica Neue, files: [fonts/....ttf])"),
    ("meta:\n\tname: Acme\n", "2: YAML syntax error: a tab in the indentation; indent with spaces only"),
])
def test_brand_errors_name_what_is_wrong(tmp_path, setting, message):
    styles = tmp_path / "theme" / "styles"
    styles.mkdir(parents=True)
    (styles / "_brand.yml").write_text(setting, encoding="utf-8")
    result = run_cli("build", write_brief(tmp_path), "--theme", tmp_path / "theme", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{styles / '_brand.yml'}:" + message.format(styles=styles, theme=styles.parent)
    # the same line when the brief names the theme
    result = run_cli("build", write_brief(tmp_path, MINIMAL_BRIEF + "theme: theme\n"), "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{styles / '_brand.yml'}:" + message.format(styles=styles, theme=styles.parent)

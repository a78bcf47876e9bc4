"""A real brand.yml file (tests/brands/posit, from posit-dev/brand-yml) used as
a theme: light/dark logos, named palette colours, a faint warning colour and
light headings. Its bunny web fonts are left out here (a build needs them
fetched first: test_web_fonts.py fetches them from a local server and builds
the file as published)."""

import re
import shutil
from pathlib import Path
from urllib.parse import unquote

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest

from conftest import ROOT, run_cli
from pagetext import text_lines

POSIT = Path(__file__).parent / "brands" / "posit"
FEATURES = ROOT / "tests" / "features" / "features.yaml"   # has a cover band and running heads


@pytest.fixture(scope="module")
def posit_build(tmp_path_factory):
    folder = tmp_path_factory.mktemp("posit")
    theme = folder / "theme"
    shutil.copytree(POSIT, theme)
    brand = theme / "styles" / "_brand.yml"
    text = re.sub(r"  fonts:\n(?:    .*\n)+", "", brand.read_text(encoding="utf-8"))
    brand.write_text(text.replace("  base: Open Sans\n", "").replace("  monospace: Source Code Pro\n", ""),
                     encoding="utf-8")
    result = run_cli("build", FEATURES, "--theme", theme, "-v", "full", "--html", "--out", folder / "out")
    assert result.exit_code == 0, result.output
    return theme, folder / "out" / "features-full.pdf", result


def test_the_light_dark_logo_form_builds_with_the_reverse_logo_on_the_dark_band(posit_build):
    theme, pdf, _ = posit_build
    html = pdf.with_suffix(".html").read_text(encoding="utf-8")
    cover = html[html.index('class="cover-masthead"'):html.index("</header>")]
    assert "posit-logo-reverse.svg" in cover and "posit-logo-fullcolor.svg" not in cover
    assert "posit-logo-fullcolor.svg" in html   # the light pages' running head
    band = pypdfium2.PdfDocument(str(pdf))[0].render(scale=1).to_pil().convert("RGB")
    mm = band.width / 210
    colours = {colour for _, colour in band.crop((int(15 * mm), int(10 * mm), int(70 * mm), int(30 * mm)))
               .getcolors(maxcolors=1 << 20)}
    assert (255, 255, 255) in colours   # the reverse wordmark is white on the band


def test_a_faint_brand_colour_builds_with_one_warning_naming_the_shade(posit_build):
    theme, _, result = posit_build
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [f"warning: {theme / 'styles' / '_brand.yml'}:47: color.warning: #ee6331 on #fbf1e1 "
                        "(warning call-outs) has a contrast of 2.90:1, under the 4.5:1 of WCAG AA: that text is "
                        "set in the nearest shade that passes, #c64010 (4.53:1)"]


def test_headings_take_the_brands_light_weight(posit_build):
    _, pdf, _ = posit_build
    html = unquote(pdf.with_suffix(".html").read_text(encoding="utf-8"))
    assert "h1, h2, h3, h4, h5, h6, .title { font-weight: 300; }" in html
    heading = next(line for line in text_lines(pdf) if line.text == "Background" and line.size > 12)
    assert font_weight_at(pdf, heading) < 600


def font_weight_at(pdf, line):
    """The weight of the font drawing a text line's first character."""
    page = pypdfium2.PdfDocument(str(pdf))[line.page - 1]
    textpage = page.get_textpage()
    index = textpage.get_index(line.left + 1, page.get_size()[1] - (line.top + line.bottom) / 2, 2, 2)
    return pdfium_c.FPDFText_GetFontWeight(textpage.raw, index)

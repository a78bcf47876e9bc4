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


# --- the README's brand file section: the real file, and exactly the keys read ----

README = (ROOT / "README.md").read_text(encoding="utf-8")
BRAND_SECTION = README[README.index("## Brand files"):README.index("\n## ", README.index("## Brand files") + 1)]
READ_KEYS = [   # as the README lists them; a wrong value at each is one line naming it
    "meta.name", "meta.name.full", "meta.name.short", "meta.link", "meta.link.home",
    "logo", "logo.images", "logo.images.full.path", "logo.small", "logo.medium", "logo.large",
    "logo.large.light", "logo.large.dark", "color.palette", "color.palette.blue",
    *(f"color.{role}" for role in ("foreground", "background", "primary", "secondary", "tertiary", "light",
                                    "warning", "success", "info", "danger", "dark")),
    "typography.fonts", "typography.fonts[0].family", "typography.fonts[0].source", "typography.fonts[0].files",
    # a web font's weight and style: test_web_fonts.py (a build needs the font fetched)
    *(f"typography.{key}.{setting}" for key in ("base", "headings", "monospace")
      for setting in ("family", "weight", "style", "color", "size", "line-height")),
    *(f"defaults.policy-brief.{key}" for key in ("paper", "logo-size", "citation-style", "scripts", "contact",
                                                 "disclaimer")),
]
IGNORED_KEYS = ["meta.link.github", "logo.images.full.alt", "typography.fonts[1].display", "typography.link",
                "typography.monospace-inline", "typography.monospace-block", "defaults.quarto", "defaults.shiny"]
WRONG = [[1, 2]]   # a list of numbers: no key read takes one


def readable_posit(folder):
    """The Posit brand in a styles folder, its web fonts' files replaced by a font of
    the theme (file) and an already fetched google font, so it loads offline."""
    import yaml
    styles = folder / "styles"
    shutil.copytree(POSIT / "styles", styles)
    shutil.copytree(ROOT / "styles" / "cedarbay" / "fonts", styles / "fonts")
    data = yaml.safe_load((styles / "_brand.yml").read_text(encoding="utf-8"))
    data["typography"] = {"fonts": [{"family": "Lato", "source": "file", "files": ["fonts/Lato-Regular.ttf"]},
                                    {"family": "Open Sans", "source": "system", "files": []}],
                          "base": {"family": "Lato"}, "headings": {"family": "Lato"}, "monospace": {"family": "Lato"}}
    data["meta"]["name"] = {"full": "Posit Software, PBC", "short": "Posit"}
    data["meta"]["link"] = {"home": "https://posit.co"}
    data["defaults"] = {"policy-brief": {"paper": "A4"}}
    return styles, data


def with_value(data, key, value):
    import copy
    data = copy.deepcopy(data)
    *parents, last = re.findall(r"[^.\[\]]+", key)
    node = data
    for part in parents:
        node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
    node[int(last) if last.isdigit() else last] = value
    return data


def load(styles, data):
    import yaml
    from briefgen.theme.brand import load_brand
    (styles / "_brand.yml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_brand(styles)


def test_the_readmes_brand_file_is_the_real_one():
    import yaml
    [example] = re.findall(r"```yaml\n(.*?)```", BRAND_SECTION, re.S)   # its short mappings written inline
    assert yaml.safe_load(example) == yaml.safe_load((POSIT / "styles" / "_brand.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("key", READ_KEYS)
def test_each_key_the_readme_says_is_read_is_read(tmp_path, key):
    from briefgen.theme.brand import BrandError
    words = re.sub(r"\[\d\]", "", key).split(".")
    assert f"`{words[-1]}`" in BRAND_SECTION.split("Ignored")[0] or f"`{'.'.join(words[:2])}`" in BRAND_SECTION
    styles, data = readable_posit(tmp_path)
    load(styles, data)   # as it is, it loads
    with pytest.raises(BrandError) as error:
        load(styles, with_value(data, key, WRONG[0]))
    [problem] = error.value.problems
    shown_key = re.sub(r"\[(\d)\]", r"[\1]", key)
    assert problem.field == shown_key or problem.field.startswith(shown_key), (problem.field, key)


@pytest.mark.parametrize("key", IGNORED_KEYS)
def test_each_key_the_readme_says_is_ignored_is_ignored(tmp_path, key):
    assert f"`{key.split('.')[-1]}`" in BRAND_SECTION.split("Ignored")[1] or f"`{key}`" in BRAND_SECTION
    styles, data = readable_posit(tmp_path)
    assert load(styles, with_value(data, key, WRONG[0])) == load(styles, data)

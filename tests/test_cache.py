"""What one run works out and the next reuses (briefgen/util/cache.py): never
stale, and never a reason for a build to fail."""

import os
import shutil
import subprocess
import sys

import pytest
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader

from briefgen.util import cache
from briefgen.render import layout as pdf
from briefgen.brief.validate import validate_brief
from conftest import MINIMAL_BRIEF, ROOT, BriefError, load_brief, run_cli, write_brief

FONTS = ROOT / "styles"
SANS = FONTS / "default" / "fonts" / "SourceSansPro-Regular.ttf"
LATO = FONTS / "cedarbay" / "fonts" / "Lato-Regular.ttf"


def _cmap(font):
    return frozenset(TTFont(font).getBestCmap())


def test_a_font_file_replaced_at_the_same_path_is_read_again(tmp_path):
    font = tmp_path / "Body.ttf"
    shutil.copy(SANS, font)
    characters_of, families_in = pdf._characters_of.__wrapped__, pdf._families_in.__wrapped__  # past the per-process memo
    assert characters_of(str(font), 0) == _cmap(SANS)
    assert characters_of(str(font), 0) == _cmap(SANS)   # from the cache now
    assert families_in(str(font)) == ("Source Sans Pro",)
    shutil.copy(LATO, font)
    assert _cmap(LATO) != _cmap(SANS)
    assert characters_of(str(font), 0) == _cmap(LATO)
    assert families_in(str(font)) == ("Lato",)


def test_a_damaged_entry_is_worked_out_again():
    calls = []

    def compute():
        calls.append(1)
        return {"answer": 42}

    assert cache.remembered("test-kind", ["damaged"], compute) == {"answer": 42}
    assert cache.remembered("test-kind", ["damaged"], compute) == {"answer": 42}
    assert len(calls) == 1
    [entry] = (cache.folder() / "test-kind").glob("*.json")
    entry.write_text('{"answ', encoding="utf-8")
    assert cache.remembered("test-kind", ["damaged"], compute) == {"answer": 42}
    assert len(calls) == 2


def test_content_that_passed_is_checked_again_once_edited(tmp_path):
    brief = write_brief(tmp_path, MINIMAL_BRIEF)
    validate_brief(load_brief(brief))
    validate_brief(load_brief(brief))   # passed before: the schema is not asked again
    write_brief(tmp_path, MINIMAL_BRIEF.replace("key_points: [The only point.]", "key_points: The only point."))
    with pytest.raises(BriefError) as raised:
        validate_brief(load_brief(brief))
    assert str(raised.value.problems[0]).endswith("brief.yaml:4: key_points: expected a list, found text")


def test_what_passed_the_schema_still_has_its_files_checked(tmp_path):
    Image.new("RGB", (40, 30), "teal").save(tmp_path / "chart.png")
    text = MINIMAL_BRIEF + "  - title: Figures\n    content:\n      - figure: {image: chart.png, caption: C, alt: A}\n"
    brief = write_brief(tmp_path, text)
    validate_brief(load_brief(brief))
    (tmp_path / "chart.png").unlink()
    with pytest.raises(BriefError) as raised:
        validate_brief(load_brief(brief))
    assert str(raised.value.problems[0]) == \
        f"{brief}:10: sections[1].content[0].figure.image: image not found: {tmp_path / 'chart.png'}"


def test_an_edited_theme_template_shows_in_the_next_build(tmp_path, in_root):
    theme = tmp_path / "theme"
    assert run_cli("new-theme", theme).exit_code == 0
    partial = theme / "templates" / "partials" / "summary_footer.html"
    brief = write_brief(tmp_path, MINIMAL_BRIEF + "theme: theme\n")

    def footer_after_build(words):
        partial.write_text("{% block summary_footer %}<footer><p>" + words + "</p></footer>{% endblock %}\n",
                           encoding="utf-8")
        result = run_cli("build", brief, "-v", "summary", "--out", tmp_path / "out")
        assert result.exit_code == 0, result.output
        return PdfReader(tmp_path / "out" / "brief-summary.pdf").pages[0].extract_text()

    assert "First footer" in footer_after_build("First footer")
    second = footer_after_build("Second footer")   # the compiled first one is in the cache
    assert "Second footer" in second and "First footer" not in second


def test_a_cache_folder_that_cannot_be_made_never_fails_a_build(tmp_path):
    (tmp_path / "file").write_text("")
    brief = write_brief(tmp_path, MINIMAL_BRIEF)
    result = subprocess.run([sys.executable, str(ROOT / "generate.py"), "build", str(brief), "-v", "summary",
                             "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "BRIEF_CACHE_DIR": str(tmp_path / "file" / "cache")})
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert (tmp_path / "out" / "brief-summary.pdf").is_file()


def test_what_babel_and_tinycss2_worked_out_is_kept_per_input():
    from datetime import date

    from briefgen.content.charts import locales, style_tokens
    from briefgen.compose.html import long_date
    assert style_tokens(":root { --color-accent: #123456; }") == {"--color-accent": "#123456"}
    assert style_tokens(":root { --color-accent: #654321; }") == {"--color-accent": "#654321"}
    assert long_date(date(2025, 11, 15), "en") == "November 15, 2025"
    assert long_date(date(2025, 11, 15), "de") == "15. November 2025"
    assert long_date(date(2025, 11, 16), "de") == "16. November 2025"
    assert locales.__wrapped__("de")[0]["decimal"] == "," and locales.__wrapped__("en")[0]["decimal"] == "."


def test_formatted_citations_are_kept_per_item_citation_and_style(tmp_path):
    from briefgen.content.citations import Cite, format_citations, style_path
    item = {"id": "k", "type": "report", "title": "Forced labour at sea", "issued": {"date-parts": [[2022]]},
            "author": [{"family": "Kim", "given": "Soo-yeon"}]}

    def entry(item, style):
        return format_citations([item], [[Cite("k")]], style, "en").entries[0]["entry"]

    apa = entry(item, style_path("apa", None))
    assert "Kim, S.-y. (2022)" in apa
    assert entry(item, style_path("apa", None)) == apa                     # from the cache
    assert "Forced labour on land" in entry({**item, "title": "Forced labour on land"}, style_path("apa", None))
    custom = tmp_path / "house.csl"
    shutil.copy(style_path("ieee", None), custom)
    ieee = entry(item, custom)
    assert ieee != apa and "S.-y. Kim" in ieee
    custom.write_bytes(style_path("apa", None).read_bytes())              # the same file, another style
    assert entry(item, custom) == apa

"""Briefs in every language: labels from the catalogues, fonts per script,
right to left, Korean line breaking, passages in another language, editions."""

import re
import sys

import pikepdf
import pypdfium2
import pytest
import yaml
from babel.messages.pofile import read_po
from pypdf import PdfReader

from briefgen.compose.html import compose_html
from briefgen.compose.labels import translations
from briefgen.content.markdown import Markdown
from briefgen.render.layout import _faces_by_family
from briefgen.theme.resolve import resolve_theme
from briefgen.brief.variant import select_variant
from conftest import MINIMAL_BRIEF, ROOT, build_brief, load_brief, run_cli, validate_brief, write_brief
from briefgen.render.pdf_check import elements

KOREAN = ROOT / "briefs" / "north-korea-trafficking.ko.yaml"
ARABIC = ROOT / "briefs" / "north-korea-trafficking.ar.yaml"
CATALOGUES = ROOT / "templates" / "default" / "locale"
LANGUAGES = ("en", "fr", "es", "de", "ko", "ar", "zh_Hans", "ru")


@pytest.fixture(scope="session")
def korean(tmp_path_factory):
    """The Korean edition's three PDFs, built once: variant -> Output."""
    out = tmp_path_factory.mktemp("ko")
    return {output.variant: output for output in build_brief(KOREAN, out_dir=out)}


@pytest.fixture(scope="session")
def arabic_summary(tmp_path_factory):
    [output] = build_brief(ARABIC, ["summary"], out_dir=tmp_path_factory.mktemp("ar"))
    return output


def labels():
    """The catalogue's English labels as printed ('Page %(page)s...' -> 'Page')."""
    with open(CATALOGUES / "brief.pot", "rb") as file:
        # a plural label's id is its (singular, plural) pair
        return [label for message in read_po(file) if message.id
                for label in (message.id if isinstance(message.id, tuple) else (message.id,))]


def printed(label):
    return re.split(r"\s*%\(\w+\)s\s*", label)


# --- 1. labels --------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_every_label_is_translated(language):
    with open(CATALOGUES / language / "LC_MESSAGES" / "brief.po", "rb") as file:
        catalogue = read_po(file)
    untranslated = [message.id for message in catalogue if message.id and not (
        all(message.string) if isinstance(message.string, tuple) else message.string)]
    ids = {label for m in catalogue if m.id for label in (m.id if isinstance(m.id, tuple) else (m.id,))}
    assert untranslated == [] and ids == set(labels())


def test_korean_labels_and_no_english_label(korean):
    text = "\n".join(page.extract_text() for page in PdfReader(korean["full"].path).pages)
    words = re.sub(r"\s+", " ", text)
    for label in ("핵심 요점", "요약", "목차", "정책 제언", "참고 문헌", "이행 주체:", "출처:", "표 1.", "그림 1.",
                  "2 / 10쪽", "대상 독자", "문의"):
        assert label in words, label
    english = [part for label in labels() for part in printed(label) if len(part) > 2]
    found = [part for part in english if re.search(rf"(?<!\w){re.escape(part)}(?!\w)", words)]
    assert found == []


def composed(folder, text, variant):
    theme = resolve_theme()
    data = validate_brief(load_brief(write_brief(folder, text)))
    return compose_html(select_variant(data, variant, folder), theme, theme.variant_spec(variant))


def test_english_labels_are_the_catalogue_keys(tmp_path):
    html = composed(tmp_path, MIXED, "full")
    assert '"Page " counter(page) " of " counter(pages)' in html
    assert 'content: "Table " counter(table) "." " "' in html
    assert "<h2>Key points</h2>" in html and "<h2>Executive summary</h2>" in html


def test_a_theme_overrides_one_label(tmp_path):
    folder = tmp_path / "theme" / "templates" / "locale" / "ko" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "brief.po").write_text('msgid "Key points"\nmsgstr "한눈에 보기"\n', encoding="utf-8")
    theme = resolve_theme(tmp_path / "theme")
    labels_ko = translations(theme.template_dirs, "ko")
    assert labels_ko.gettext("Key points") == "한눈에 보기"
    assert labels_ko.gettext("Contents") == "목차"          # the default theme's catalogue for the rest
    assert translations(resolve_theme().template_dirs, "ko").gettext("Key points") == "핵심 요점"


# --- 2. fonts ---------------------------------------------------------------

def embedded_fonts(path):
    """BaseFont name without the subset prefix -> embedded? (what pdffonts lists)."""
    fonts = {}
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                descriptor = (font.DescendantFonts[0] if "/DescendantFonts" in font else font).FontDescriptor
                name = str(font.BaseFont)[1:]
                assert re.match(r"[A-Z]{6}\+", name), f"{name} is not a subset"
                fonts[name[7:]] = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    return fonts


@pytest.mark.parametrize("edition", ["korean", "arabic"])
def test_only_the_themes_fonts_all_embedded(edition, request):
    path = (request.getfixturevalue("korean")["full"] if edition == "korean"
            else request.getfixturevalue("arabic_summary")).path
    fonts = embedded_fonts(path)
    theme_families = {re.sub(r"\W", "", family) for family in _faces_by_family(tuple(resolve_theme().font_files()))}
    assert fonts and all(fonts.values()), fonts
    for name in fonts:
        assert any(re.sub(r"\W", "", name).startswith(family) for family in theme_families), name
    script_font = "Noto-Serif-CJK-KR" if edition == "korean" else "Noto-Naskh-Arabic"
    assert script_font in fonts


def test_one_page_summaries(korean, arabic_summary):
    assert korean["summary"].pages == 1 and korean["memo"].pages <= 2
    assert arabic_summary.pages == 1


HANGUL_BRIEF = """\
title: A brief with Korean
date: 2025-11-15
summary: The Workers' Party (조선로동당) and more.
key_points: [The only point.]
sections:
  - title: Background
    content: [Some text.]
"""


@pytest.fixture
def latin_theme(tmp_path):
    styles = tmp_path / "latin" / "styles"
    styles.mkdir(parents=True)
    (styles / "_brand.yml").write_text("typography:\n  base: Source Serif Pro\n", encoding="utf-8")
    return tmp_path / "latin"


def test_a_script_without_a_font_is_one_error_line(tmp_path, latin_theme):
    brief = write_brief(tmp_path, HANGUL_BRIEF)
    result = run_cli("build", brief, "--theme", latin_theme, "--variant", "summary", "--out", tmp_path / "out")
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code == 1 and len(errors) == 1
    assert errors[0].startswith(f"{brief}:3: summary: no font of the theme '{latin_theme}' draws Hangul text: "
                                "'당' (U+B2F9), '동' (U+B3D9), '로' (U+B85C), '선' (U+C120), '조' (U+C870); ")
    assert "--allow-missing-glyphs" in errors[0] and "Traceback" not in result.output
    assert not (tmp_path / "out" / "brief-summary.pdf").exists()


def test_allow_missing_glyphs_makes_one_warning(tmp_path, latin_theme):
    brief = write_brief(tmp_path, HANGUL_BRIEF.replace("and more", "and مرحبا"))
    result = run_cli("build", brief, "--theme", latin_theme, "--variant", "summary", "--out", tmp_path / "out",
                     "--allow-missing-glyphs")
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert result.exit_code == 0, result.output
    assert warnings == [f"warning: {brief}: 10 characters (Arabic, Hangul) in no font of the theme "
                        f"'{latin_theme}'; a fallback font draws them (--allow-missing-glyphs)"]


# --- 3. right to left -------------------------------------------------------

def big_digits(path):
    """(digit, left, right) of the key-point numbers: the largest digits that count 1 to 5."""
    page = pypdfium2.PdfDocument(str(path))[0]
    text = page.get_textpage()
    digits = []
    for index in range(text.count_chars()):
        character = text.get_text_range(index, 1)
        left, bottom, right, top = text.get_charbox(index)
        if character in "12345":
            digits.append((character, left, right, top - bottom))
    # the digits of one size that count 1 to 5 (a fit step may have made them
    # smaller than the design's; a chart's labels are other digits)
    for size in sorted({height for *_, height in digits}, reverse=True):
        same = [(character, left, right) for character, left, right, height in digits if abs(height - size) <= 1]
        if "12345" in "".join(character for character, *_ in same):
            return same, page.get_width()
    return [], page.get_width()


def key_point_numbers(digits):
    """The first run of big digits that counts 1 to 5."""
    numbers = "".join(digit for digit, *_ in digits)
    start = numbers.index("12345")
    return digits[start:start + 5]


def test_arabic_key_point_numbers_sit_at_the_right_margin(arabic_summary):
    digits, width = big_digits(arabic_summary.path)
    margin = 23 * 72 / 25.4      # the key points' box: 16 mm from the page edge, 7 mm padding
    for _, left, right in key_point_numbers(digits):
        assert width - margin - 4 < right <= width - margin + 1


def test_english_key_point_numbers_sit_at_the_left_margin(tmp_path):
    [output] = build_brief(ROOT / "briefs" / "north-korea-trafficking.yaml", ["summary"], out_dir=tmp_path)
    digits, width = big_digits(output.path)
    assert all(left < width / 4 for _, left, _ in key_point_numbers(digits))


def test_arabic_structure_tree_carries_its_languages(arabic_summary):
    with pikepdf.open(arabic_summary.path) as pdf:
        assert str(pdf.Root.Lang) == "ar"
        spans = [(str(element.S), str(element.Lang)) for element in elements(pdf.Root.StructTreeRoot)
                 if "/Lang" in element]
    assert ("/Span", "en") in spans      # "(Trafficking in Persons Report)" in the first key point


# --- 4. line breaking and passages ------------------------------------------

def source_words(path):
    """Every word of a brief's text, as characters only, and every pair of
    words that follow one another."""
    words, pairs = set(), set()

    def walk(value):
        if isinstance(value, str):
            tokens = [normal(token) for token in value.split()]
            words.update(tokens)
            pairs.update(zip(tokens, tokens[1:]))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return words, pairs


def normal(token):
    return re.sub(r"[^\w]", "", token)


def test_korean_words_never_break_at_a_line_end(korean):
    """A word broken at a line end leaves two pieces that make a word of the
    source together (and are no two words that follow one another there)."""
    words, pairs = source_words(KOREAN)
    broken = []
    for variant in ("full", "memo", "summary"):
        for page in PdfReader(korean[variant].path).pages:
            lines = [line.split() for line in page.extract_text().splitlines() if line.split()]
            for line, following in zip(lines, lines[1:]):
                last, first = normal(line[-1]), normal(following[0])
                if last and first and re.search("[가-힣]", last + first) and last + first in words and (last, first) not in pairs:
                    broken.append(f"{line[-1]} / {following[0]}")
    assert broken == []


def test_korean_text_has_word_joiners_only_inside_words():
    html = Markdown(None, "ko").block("북한의 **3등급** 지정")
    assert html == "<p>북\u2060한\u2060의 <strong>3\u2060등\u2060급</strong> 지\u2060정</p>\n"


MIXED = """\
title: A brief with a Korean name
date: 2025-11-15
summary: "The Workers' Party ([조선로동당]{lang=ko}) and [text]{lang=fr .red style=x}."
key_points: [The only point.]
sections:
  - title: Background
    content: [Some text.]
"""


def test_a_passage_in_another_language_is_a_span_with_lang_only(tmp_path):
    html = composed(tmp_path, MIXED, "summary")
    assert '(<span lang="ko">조\u2060선\u2060로\u2060동\u2060당</span>)' in html
    assert '<span lang="fr">text</span>' in html


def test_a_passage_gets_its_own_lang_in_the_structure_tree(tmp_path):
    [output] = build_brief(write_brief(tmp_path, MIXED), ["summary"], out_dir=tmp_path)
    with pikepdf.open(output.path) as pdf:
        assert str(pdf.Root.Lang) == "en"
        languages = {str(element.Lang) for element in elements(pdf.Root.StructTreeRoot) if "/Lang" in element}
    assert languages == {"ko", "fr"}


# --- 5. editions --------------------------------------------------------------

def test_an_edition_names_its_outputs_and_reports_what_it_lacks(tmp_path):
    original = yaml.safe_load(MINIMAL_BRIEF)
    original["sections"].append({"title": "More", "content": ["More text."]})
    original["recommendations"] = [{"title": "Act", "text": "Do it."}]
    write_brief(tmp_path, yaml.safe_dump(original, allow_unicode=True), "brief.yaml")
    translation = {**original, "language": "fr", "title": "Une note",
                   "sections": original["sections"][:1]}
    del translation["recommendations"]
    edition = write_brief(tmp_path, yaml.safe_dump(translation, allow_unicode=True, sort_keys=False), "brief.fr.yaml")
    result = run_cli("check", edition)
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"warning: {edition}:1: recommendations: the original (brief.yaml) has 'recommendations', "
        "which this translation lacks",
        f"warning: {edition}:6: sections[1]: the original (brief.yaml) has 2 items in sections, "
        "1 more than this translation",
    ]
    [output] = build_brief(edition, ["summary"], out_dir=tmp_path / "out")
    assert output.path.name == "brief.fr-summary.pdf"


def test_the_korean_edition_is_complete_and_checks_without_a_warning():
    result = run_cli("check", KOREAN)
    assert result.exit_code == 0 and result.stderr == ""


def test_the_benchmark_prints_the_french_and_english_full_brief_times_side_by_side(tmp_path):
    # The timing itself is judged on an idle machine (tests/benchmark.py editions); here, what it prints.
    sys.path.insert(0, str(ROOT / "tests"))
    import benchmark
    assert "editions" in benchmark.SECTIONS
    (label, times), (ratio_label, ratio) = benchmark.edition_rows(tmp_path, runs=1)
    assert label == "sample full brief, English | French edition" and re.fullmatch(r"\d+\.\d\d s \| \d+\.\d\d s", times)
    assert ratio_label == "French / English (target <= 1.3x)" and re.fullmatch(r"\d+\.\d\dx", ratio)
    assert (tmp_path / "out" / "north-korea-trafficking.fr-full.pdf").is_file()

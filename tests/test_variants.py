"""Short variants with page budgets: the one-page summary, the two-page memo,
the fit search that keeps them there, and variants a theme adds."""

import pytest
import weasyprint
import yaml
from pypdf import PdfReader

from briefgen.theme.resolve import resolve_theme
from conftest import SAMPLE, build_brief, flat, run_cli, write_brief

BRIEF = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
SENTENCE = "Evidence from many sources shows that the practice continues and that governments can still act. "


def long_brief(summary_words):
    """A brief whose one-page summary is as long as asked, six key points and six recommendations."""
    summary = " ".join([SENTENCE] * (summary_words // 15))
    points = "".join(f'  - "Key point {n}: {SENTENCE * 2}"\n' for n in range(1, 7))
    actions = "".join(f"  - title: Recommendation number {n} for action\n    text: Do it.\n" for n in range(1, 7))
    return (f'title: Fit test brief\ndate: 2025-11-15\nsummary: "{summary}"\nkey_points:\n{points}'
            f"recommendations:\n{actions}sections:\n  - title: Background\n    content: [Some text.]\n")


@pytest.fixture(scope="module")
def sample_short(tmp_path_factory):
    out = tmp_path_factory.mktemp("short")
    outputs = build_brief(SAMPLE, ["summary", "memo"], out_dir=out)
    return {output.variant: output for output in outputs}


def text_of(pdf):
    return flat(" ".join(page.extract_text() for page in PdfReader(pdf).pages))


def font_sizes(pdf):
    """(size in pt, text) of every text run in the PDF."""
    runs = []
    for page in PdfReader(pdf).pages:
        page.extract_text(visitor_text=lambda text, cm, tm, font, size:
                          text.strip() and runs.append((round(size * tm[3] * cm[3], 2), text.strip())))
    return runs


def count_layouts(monkeypatch):
    calls = []
    original = weasyprint.HTML.render
    monkeypatch.setattr(weasyprint.HTML, "render", lambda self, *a, **k: calls.append(1) or original(self, *a, **k))
    return calls


def test_sample_summary_is_one_page_with_every_key_point_and_action(sample_short):
    summary = sample_short["summary"]
    assert summary.pages == 1 and len(PdfReader(summary.path).pages) == 1
    text = text_of(summary.path)
    for item in BRIEF["key_points"] + [r["title"] for r in BRIEF["recommendations"]]:
        assert flat(item.replace("*", "")) in text, item
    assert "example org briefs dprk trafficking" in text  # the way to the full brief


def test_sample_memo_fits_two_pages_with_every_key_point_and_action(sample_short):
    memo = sample_short["memo"]
    assert memo.pages <= 2 and len(PdfReader(memo.path).pages) <= 2
    text = text_of(memo.path)
    for item in BRIEF["key_points"] + [r["title"] for r in BRIEF["recommendations"]]:
        assert flat(item.replace("*", "")) in text, item
    # the memo's header, line by line, in its order at the top of page 1
    header = PdfReader(memo.path).pages[0].extract_text().splitlines()[1:6]
    authors = ", ".join(author["name"] for author in BRIEF["authors"])
    assert header == [f"To {BRIEF['audience']}", f"From {authors}, {BRIEF['organisation']}",
                      "Date 20 November 2026", f"Subject {BRIEF['title'].replace(chr(39), chr(0x2019))}",
                      f"Reference {BRIEF['series']} {BRIEF['number']}"]
    for section in BRIEF["sections"]:
        assert flat(section["title"]) in text


def test_a_brief_that_fits_is_laid_out_once(tmp_path, monkeypatch):
    layouts = count_layouts(monkeypatch)
    [output] = build_brief(write_brief(tmp_path), ["memo"], out_dir=tmp_path)
    assert output.pages == 1 and output.layouts == 1 and len(layouts) == 1
    # the one-pager balances (`balance: true`) without another layout: its gaps are stretched (balance.py)
    [output] = build_brief(write_brief(tmp_path), ["summary"], out_dir=tmp_path)
    assert output.pages == 1 and output.layouts == 1 and len(layouts) == 2


def test_the_fit_rescues_a_long_summary_without_going_under_the_floor(tmp_path, monkeypatch):
    layouts = count_layouts(monkeypatch)
    brief = write_brief(tmp_path, long_brief(300))
    [output] = build_brief(brief, ["summary"], out_dir=tmp_path)
    assert output.pages == 1 and 2 <= output.layouts <= 4 and len(layouts) == output.layouts
    body = [size for size, text in font_sizes(output.path) if "Evidence" in text or "Recommendation" in text]
    assert body and min(body) >= 8.5
    design = resolve_theme().variant_spec("summary").body_size  # the size before any fit step
    assert min(body) < design  # the type really was made smaller than the design's


def test_the_step_tried_last_time_is_laid_out_beside_the_design_and_the_pdf_is_the_same(tmp_path, monkeypatch):
    """With a core to spare, the fit step the last build tried first is laid
    out here while a forked child lays out the design (fit.py): one layout
    less in this process, and not a byte of difference."""
    brief = write_brief(tmp_path, long_brief(300))
    # No core to spare: one layout after another, and no guess read or written.
    [in_turn] = build_brief(brief, ["summary"], out_dir=tmp_path / "in-turn")
    written_in_turn = in_turn.path.read_bytes()
    build_brief(brief, ["summary"], out_dir=tmp_path, spare_core=True)   # no guess yet: in turn; remembers it
    layouts_here = count_layouts(monkeypatch)
    [beside] = build_brief(brief, ["summary"], out_dir=tmp_path, spare_core=True)
    assert in_turn.layouts >= 2 and (beside.layouts, beside.step) == (in_turn.layouts, in_turn.step)
    assert len(layouts_here) == beside.layouts - 1   # the design's layout was the child's
    assert beside.path.read_bytes() == written_in_turn


def test_a_guess_the_design_does_not_call_for_is_dropped(tmp_path, monkeypatch):
    """Last time the summary needed a fit step; now it fits as designed. The
    guess's layout is dropped, and the PDF is the design's, as built in turn."""
    brief = write_brief(tmp_path, long_brief(300))
    build_brief(brief, ["summary"], out_dir=tmp_path / "out", spare_core=True)   # remembers the step it tried first
    write_brief(tmp_path)   # short again
    [in_turn] = build_brief(brief, ["summary"], out_dir=tmp_path / "in-turn")
    layouts_here = count_layouts(monkeypatch)
    [beside] = build_brief(brief, ["summary"], out_dir=tmp_path / "out", spare_core=True)
    assert (beside.layouts, beside.step, in_turn.layouts) == (1, None, 1)
    assert len(layouts_here) == 2   # the guess, dropped, then the design
    assert beside.path.read_bytes() == in_turn.path.read_bytes()


def test_the_step_to_guess_is_written_only_when_it_changes(tmp_path):
    """No cache write per build in steady state, none at all for a variant
    without a page budget, and none without a core to lay the guess out on
    (a series' rows: thousands of them)."""
    from briefgen.util import cache
    brief = write_brief(tmp_path, long_brief(300))
    [no_core] = build_brief(brief, ["summary"], out_dir=tmp_path / "no-core")
    assert no_core.layouts >= 2 and not cache._entry("fit-step", str(no_core.path.resolve())).exists()
    summary, full = build_brief(brief, ["summary", "full"], out_dir=tmp_path, spare_core=True)
    entry = cache._entry("fit-step", str(summary.path.resolve()))
    written = entry.stat()
    steps = [[step.spacing, step.body_size] for step in resolve_theme().variant_spec("summary").fit]
    assert summary.layouts >= 2 and cache.recall("fit-step", str(summary.path.resolve())) in steps
    assert not cache._entry("fit-step", str(full.path.resolve())).exists()
    build_brief(brief, ["summary"], out_dir=tmp_path, spare_core=True)
    assert (entry.stat().st_ino, entry.stat().st_mtime_ns) == (written.st_ino, written.st_mtime_ns)


def test_a_brief_that_cannot_fit_fails_and_names_what_to_cut(tmp_path, monkeypatch):
    layouts = count_layouts(monkeypatch)
    brief = write_brief(tmp_path, long_brief(900))
    result = run_cli("build", brief, "--variant", "summary", "--out", tmp_path / "out")
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"{brief}:3: summary: ")
    assert " lines over one page; longest items: summary, key_points[0]" in line
    assert not (tmp_path / "out" / "brief-summary.pdf").exists()
    assert len(layouts) <= 4


def test_allow_overflow_writes_the_pdf_with_a_warning(tmp_path):
    brief = write_brief(tmp_path, long_brief(900))
    result = run_cli("build", brief, "-v", "summary", "--out", tmp_path / "out", "--allow-overflow")
    assert result.exit_code == 0
    assert "lines over one page; longest items: summary, key_points[0] (written anyway" in result.stderr
    assert len(PdfReader(tmp_path / "out" / "brief-summary.pdf").pages) == 2


def test_summary_shows_first_sentence_of_untitled_actions_and_no_citations(tmp_path):
    text = write_brief(tmp_path).read_text() + (
        "recommendations:\n  - text: Fund the shelters now. Then evaluate them.\n"
        "references:\n  - {id: r1, title: A report}\n")
    brief = write_brief(tmp_path, text.replace("The summary.", "The summary [@r1]."))
    [output] = build_brief(brief, ["summary"], out_dir=tmp_path)
    words = text_of(output.path)
    assert "fund the shelters now" in words and "then evaluate them" not in words
    assert "the summary 1" not in words and "the summary" in words


BRIEFING_TEMPLATE = """{% extends "base.html" %}
{% block body %}
{% include "partials/memo_header.html" %}
{% for section in brief.sections %}{% include "partials/section_summary.html" %}{% endfor %}
{% include "partials/recommendations.html" %}
{% endblock %}
"""


def test_a_theme_adds_a_variant_with_its_own_budget(tmp_path):
    theme = tmp_path / "theme"
    (theme / "templates" / "variants").mkdir(parents=True)
    (theme / "templates" / "variants" / "briefing.html").write_text(BRIEFING_TEMPLATE, encoding="utf-8")
    (theme / "templates" / "variants" / "briefing.yaml").write_text(
        "pages: 3\nfit:\n  - {spacing: 0.6, body_size: 9pt}\n", encoding="utf-8")
    result = run_cli("build", SAMPLE, "--theme", theme, "--variant", "briefing", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "out" / "north-korea-trafficking-briefing.pdf"
    assert len(PdfReader(pdf).pages) <= 3
    assert flat(BRIEF["sections"][-1]["title"]) in text_of(pdf)


def test_a_fit_step_under_the_floor_is_refused(tmp_path):
    theme = tmp_path / "theme"
    (theme / "templates" / "variants").mkdir(parents=True)
    (theme / "templates" / "variants" / "summary.yaml").write_text(
        "pages: 1\nfit:\n  - {spacing: 0.5, body_size: 7pt}\n", encoding="utf-8")
    result = run_cli("build", write_brief(tmp_path), "--theme", theme, "-v", "summary", "--out", tmp_path)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"{theme / 'templates' / 'variants' / 'summary.yaml'}:3: fit[0].body_size: "
                                          "7pt is under the 8.5pt floor"]

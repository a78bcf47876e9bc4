"""`brief diff`: what changed between two versions of a brief, found and
marked at the right words in the changes PDF (text, colours and the lines
drawn under and through them, read back) and in its web page (ins/del)."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_cli, write_brief
from pagetext import text_lines, thin_rules, word_boxes
from briefgen.render.pdf_check import structure_problems

from briefgen.review.words import hunks, merged, tokens  # noqa: E402

ACCENT = (0x1F, 0x3A, 0x5F)      # the default theme's --color-accent: inserted words
HIGHLIGHT = (0xB8, 0x32, 0x2A)   # --color-highlight: deleted words

OLD = """\
title: Water prices in the valley
date: 2026-01-10
summary: Prices rose in 2025 for every household.
key_points:
  - Prices rose sharply for every household.
  - Poor households pay the largest share of their income.
  - Meters are missing in rural areas.
sections:
  - title: Background
    content:
      - "The utility serves 40000 households in the region. Its tariff was last reviewed in 2019."
      - table:
          caption: Tariffs by band
          columns: [Band, Price per cubic metre]
          rows:
            - [Low, "1.20"]
            - [High, "2.40"]
  - title: Options
    content:
      - Three options are open to the regulator this year.
  - title: Costs
    content:
      - The costs fall hardest on poorer households in the hills.
  - title: Map
    content:
      - figure:
          image: map.svg
          caption: Where the utility's pipes run.
          alt: A map of the valley with pipes along the river.
references:
  - id: audit
    title: Audit of the valley utility
    publisher: Valley Audit Office
    year: 2024
"""

NEW = (OLD
       .replace("serves 40000 households", "serves 42500 households")
       .replace("reviewed in 2019.", "reviewed in 2023 [@survey].")
       .replace('[High, "2.40"]', '[High, "2.75"]')
       .replace("  - Meters are missing in rural areas.\n", "")
       .replace("Three options are open to the regulator this year.",
                "Four options are open to the regulator this year.")
       .replace("    year: 2024\n", "    year: 2024\n  - id: survey\n    title: Household water survey\n"
                                    "    publisher: Valley Statistics\n    year: 2025\n"))
# The Costs section moves before Options.
_options = NEW.index("  - title: Options")
_costs, _map = NEW.index("  - title: Costs"), NEW.index("  - title: Map")
NEW = NEW[:_options] + NEW[_costs:_map] + NEW[_options:_costs] + NEW[_map:]

MAP = ('<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">'
       '<rect width="200" height="100" fill="#ffffff"/><path d="M0 50 H{end}" stroke="#1f3a5f" stroke-width="6"/></svg>')


def _versions(folder):
    """Two folders, old/ and new/, each with brief.yaml and its map (the new map longer)."""
    sides = []
    for name, text, end in (("old", OLD, 100), ("new", NEW, 190)):
        side = Path(folder) / name
        side.mkdir()
        (side / "map.svg").write_text(MAP.format(end=end), encoding="utf-8")
        sides.append(write_brief(side, text))
    return sides


@pytest.fixture(scope="module")
def changes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("review")
    old, new = _versions(folder)
    result = run_cli("diff", old, new, "--out", folder / "out")
    assert result.exit_code == 0, result.output
    pdf, page = folder / "out" / "brief-changes.pdf", folder / "out" / "brief-changes.html"
    return {"pdf": pdf, "html": page.read_text(encoding="utf-8"), "folder": folder, "stdout": result.stdout,
            "old": old, "new": new}


def _marked_in_pdf(pdf, word, kind):
    """The word's boxes that carry the mark: in the colour, and the line drawn
    under it (inserted) or through its middle (deleted), across the whole word."""
    colour = ACCENT if kind == "ins" else HIGHLIGHT
    marked = []
    for box in word_boxes(pdf, word):
        height = box.bottom - box.top
        for rule in thin_rules(pdf):
            across = rule.page == box.page and rule.left <= box.left + 0.5 and rule.right >= box.right - 0.5
            middle = (rule.top + rule.bottom) / 2
            placed = (box.bottom - 0.2 * height <= middle <= box.bottom + 0.35 * height if kind == "ins"
                      else box.top + 0.3 * height <= middle <= box.bottom - 0.2 * height)
            if across and placed and colour in (rule.fill, rule.stroke) and box.fill == colour:
                marked.append(box)
                break
    return marked


def _unmarked_in_pdf(pdf, word):
    return [box for box in word_boxes(pdf, word) if box.fill not in (ACCENT, HIGHLIGHT)]


def _elements(html, tag):
    return [re.sub(r"<[^>]+>", "", inner) for inner in re.findall(rf'<{tag} class="change[^"]*">(.*?)</{tag}>', html, re.S)]


# --- words -------------------------------------------------------------------

def test_words_of_each_script_are_tokens():
    assert tokens("Workers 12,500 [@un-2024] @fig-map don't") == [
        "Workers", " ", "12,500", " ", "[@un-2024]", " ", "@fig-map", " ", "don't"]
    assert tokens("قالَ الرئيسُ") == ["قالَ", " ", "الرئيسُ"]    # the vowel signs stay in their words
    assert tokens("북한의 노동자") == ["북한의", " ", "노동자"]          # Korean: words between spaces
    assert tokens("中文字") == ["中", "文", "字"]                       # written without spaces: by character


def test_korean_and_arabic_differences_fall_on_whole_words():
    korean = [(hunk.old, hunk.new) for hunk in hunks("북한의 노동자 파견", "북한의 해외 노동자 파견") if hunk.changed]
    assert korean == [("", "해외 ")]
    arabic = [(hunk.old, hunk.new) for hunk in hunks("قالَ الرئيسُ أمس", "قالَ الوزيرُ أمس") if hunk.changed]
    assert arabic == [("الرئيسُ", "الوزيرُ")]


def test_a_deleted_list_item_keeps_its_marker_outside_the_marks():
    text = merged(hunks("- one\n- two\n", "- one\n"))
    assert text == "- one\n- \ue012two\ue013\n"


# --- the changes document ------------------------------------------------------

def test_an_edited_paragraph_is_marked_at_its_words(changes):
    assert _elements(changes["html"], "del") and "Three" in _elements(changes["html"], "del")
    assert "Four" in _elements(changes["html"], "ins")
    assert [box.page for box in _marked_in_pdf(changes["pdf"], "Three", "del")]
    assert [box.page for box in _marked_in_pdf(changes["pdf"], "Four", "ins")]
    # The words around the change are not marked.
    assert _unmarked_in_pdf(changes["pdf"], "regulator")


def test_a_changed_number_in_the_text_is_marked_and_listed(changes):
    html, pdf = changes["html"], changes["pdf"]
    assert "40000" in _elements(html, "del") and "42500" in _elements(html, "ins")
    assert _marked_in_pdf(pdf, "40000", "del") and _marked_in_pdf(pdf, "42500", "ins")
    assert _marked_in_pdf(pdf, "2019", "del") and _marked_in_pdf(pdf, "2023", "ins")
    summary = html[html.index('id="part-changes"'):html.index("</section>", html.index('id="part-changes"'))]
    rows = re.findall(r"<tr><td><bdi>(.*?)</bdi></td>.*?<del[^>]*>(.*?)</del>.*?<ins[^>]*>(.*?)</ins>", summary, re.S)
    assert ("Section “Background”, paragraph 1", "40000", "42500") in rows
    assert ("Section “Background”, paragraph 1", "2019", "2023") in rows
    assert "number: 40000 -> 42500 (Section “Background”, paragraph 1)" in changes["stdout"]


def test_a_changed_number_in_a_table_is_marked_in_its_cell(changes):
    html = changes["html"]
    html = html[html.index("Tariffs by band"):]
    html = html[:html.index("</table>")]
    cell = re.search(r"<td[^>]*>(?:(?!</td>).)*2\.40(?:(?!</td>).)*</td>", html, re.S).group()
    assert re.search(r'<del class="change">2\.40</del>', cell) and re.search(r'<ins class="change">2\.75</ins>', cell)
    low = re.search(r"<td[^>]*>1\.20</td>", html)
    assert low, "an unchanged cell is not marked"
    assert _marked_in_pdf(changes["pdf"], "2.40", "del") and _marked_in_pdf(changes["pdf"], "2.75", "ins")
    assert "number: 2.40 -> 2.75 (Section “Background”, table 1, row 2, Price per cubic metre)" in changes["stdout"]


def test_a_moved_section_is_said_where_it_was_and_is(changes):
    html = changes["html"]
    assert html.index('id="costs"') < html.index('id="options"')
    assert "Section moved: it was section 3, it is section 2." in html
    assert "section moved: Costs (section 3, now 2)" in changes["stdout"]
    # Options, which kept its order among the others, is not called moved.
    assert "section moved: Options" not in changes["stdout"]
    lines = [line.text for line in text_lines(changes["pdf"])]
    assert "Section moved: it was section 3, it is section 2." in lines


def test_an_added_reference_is_marked_in_the_list_and_the_summary(changes):
    html = changes["html"]
    entry = re.search(r'<li id="reference-survey" class="reference-added"><ins class="change">(.*?)</ins></li>',
                      html, re.S)
    assert entry and "Household water survey" in entry.group(1)
    assert 'id="reference-audit">' in html and 'id="reference-audit" class=' not in html
    assert "reference added: survey (Household water survey)" in changes["stdout"]
    assert _marked_in_pdf(changes["pdf"], "Household", "ins")


def test_a_removed_key_point_is_printed_struck_through(changes):
    html = changes["html"]
    points = html[html.index('id="part-key-points"'):]
    points = points[:points.index("</aside>")]
    assert "Meters are missing in rural areas." in _elements(points, "del")
    assert _marked_in_pdf(changes["pdf"], "Meters", "del")
    assert "key points: 0 added, 1 removed" in changes["stdout"]


def test_a_changed_figure_is_shown_before_and_after(changes):
    html = changes["html"]
    pair = re.search(r'<div class="changes-side-by-side">(.*?)</div>', html, re.S)
    assert pair, "no side-by-side figure"
    images = re.findall(r'<img src="([^"]+)" alt="([^"]*)"', pair.group(1))
    assert len(images) == 2 and images[0][1].startswith("Before the change:")
    copies = [Path(changes["pdf"]).parent / src for src, _ in images]
    assert [copy.read_text() for copy in copies] == [MAP.format(end=100), MAP.format(end=190)]
    assert "picture changed: Section “Map”, figure 1" in changes["stdout"]


def test_the_first_page_summarises_the_changes_and_the_budgets(changes):
    lines = [line.text for line in text_lines(changes["pdf"]) if line.page == 1]
    assert lines[0] == "What changed"
    first = " ".join(lines)
    for expected in ("Moved: Costs (section 3, now 2)", "Edited: Background", "Key points removed: 1",
                     "Household water survey", "Page budgets"):
        assert expected in first, (expected, first)
    budgets = [line for line in changes["stdout"].splitlines() if line.startswith("page budget:")]
    assert [line.split(" (")[0] for line in budgets] == ["page budget: memo", "page budget: summary"]
    assert all(re.search(r"\d+ pages?, the last \d+% full.*-> \d+ pages?, the last \d+% full", line) for line in budgets)


def test_marks_are_said_not_only_shown(changes):
    """A screen reader hears 'inserted:' / 'deleted:' before each change (never colour alone):
    the labels are in the web page's style and in the PDF's text, out of sight."""
    assert 'ins.change::before { content: "inserted:" " "; }' in changes["html"]
    lines = " ".join(line.text for line in text_lines(changes["pdf"]) if line.page > 1)
    assert "inserted:" in lines and "deleted:" in lines


def test_the_changes_pdf_passes_the_accessibility_checks(changes, tmp_path):
    assert structure_problems(changes["pdf"]) == []
    own = _pdfua_errors(changes["pdf"])
    build = run_cli("build", changes["new"], "--variant", "full", "--out", tmp_path, "--force")
    assert build.exit_code == 0, build.output
    full = _pdfua_errors(tmp_path / "brief-full.pdf")
    # No error the full brief itself does not have (its own are another issue's).
    assert {rule for rule, _ in own} <= {rule for rule, _ in full}, own


def _pdfua_errors(pdf):
    checker = Path(sys.executable).parent / "pdfua"
    done = subprocess.run([str(checker), "check", "--format", "json", "--min-severity", "error", str(pdf)],
                          capture_output=True, text=True, timeout=120)
    report = json.loads(done.stdout)
    files = report if isinstance(report, list) else report.get("files", [report])
    findings = [finding for file in files for finding in file.get("findings", [])]
    return [(finding["rule_id"], finding.get("message", "")) for finding in findings
            if str(finding.get("severity", "")).lower() == "error"]


# --- --check, --format text, revisions ------------------------------------------

def test_identical_briefs_have_no_changes(tmp_path):
    old, _ = _versions(tmp_path)
    result = run_cli("diff", "--check", old, old)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "no changes"


def test_check_exits_1_with_the_summary_on_stdout(tmp_path):
    old, new = _versions(tmp_path)
    result = run_cli("diff", "--check", old, new)
    assert result.exit_code == 1
    assert "section moved: Costs (section 3, now 2)" in result.stdout
    assert "reference added: survey (Household water survey)" in result.stdout
    assert not (tmp_path / "out").exists()   # nothing laid out or written


def test_format_text_is_a_word_level_unified_diff(tmp_path):
    old, new = _versions(tmp_path)
    result = run_cli("diff", "--format", "text", old, new)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("--- ") and lines[1].startswith("+++ ")
    at = lines.index("@@ Section “Background”, paragraph 1 @@")
    assert lines[at + 1] == ("The utility serves [-40000-]{+42500+} households in the region. "
                             "Its tariff was last reviewed in [-2019.-]{+2023 [@survey].+}"
                             if "[-2019.-]" in lines[at + 1] else
                             "The utility serves [-40000-]{+42500+} households in the region. "
                             "Its tariff was last reviewed in [-2019-]{+2023 [@survey]+}.")
    assert "[-Meters are missing in rural areas.-]" in result.stdout


def _git(folder, *arguments):
    subprocess.run(["git", "-C", str(folder), *arguments], check=True, capture_output=True, timeout=30)


def test_two_git_revisions_of_a_file(tmp_path):
    """`brief diff HEAD~1 brief.yaml`, and REV:path on both sides, read the brief and its CSV at each revision."""
    repo = tmp_path / "repo"
    (repo / "data").mkdir(parents=True)
    brief = write_brief(repo, OLD.replace("""          columns: [Band, Price per cubic metre]
          rows:
            - [Low, "1.20"]
            - [High, "2.40"]""", "          csv: data/tariffs.csv"))
    (repo / "map.svg").write_text(MAP.format(end=100), encoding="utf-8")
    (repo / "data" / "tariffs.csv").write_text("Band,Price\nLow,1.20\nHigh,2.40\n", encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "v1")
    (repo / "data" / "tariffs.csv").write_text("Band,Price\nLow,1.20\nHigh,2.95\n", encoding="utf-8")
    brief.write_text(brief.read_text().replace("serves 40000", "serves 41000"), encoding="utf-8")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qam", "v2")

    result = run_cli("diff", "--check", "HEAD~1", brief)
    assert result.exit_code == 1, result.output
    assert "number: 40000 -> 41000 (Section “Background”, paragraph 1)" in result.stdout
    assert "number: 2.40 -> 2.95 (Section “Background”, table 1, row 2, Price)" in result.stdout
    assert result.stdout.startswith(f"HEAD~1:{brief}")

    both = run_cli("diff", "--check", f"HEAD~1:{brief}", f"HEAD:{brief}")
    assert both.exit_code == 1 and both.stdout.splitlines()[1:] == result.stdout.splitlines()[1:]
    same = run_cli("diff", "--check", "HEAD", brief)
    assert same.exit_code == 0 and same.stdout.splitlines()[-1] == "no changes"


def test_an_unknown_revision_is_one_line(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    brief = write_brief(repo, OLD)
    (repo / "map.svg").write_text(MAP.format(end=100), encoding="utf-8")
    _git(repo, "init", "-q")
    result = run_cli("diff", "--check", "no-such-rev", brief)
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"no-such-rev:{brief}:1: git cannot read it: ")


def test_a_missing_file_is_one_line(tmp_path):
    old, _ = _versions(tmp_path)
    result = run_cli("diff", "--check", tmp_path / "nowhere.yaml", old)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{tmp_path / 'nowhere.yaml'}:1: file not found"


def test_an_invalid_old_version_is_reported_at_its_line(tmp_path):
    old, new = _versions(tmp_path)
    old.write_text(OLD.replace("summary: Prices", "sumary: Prices"), encoding="utf-8")
    result = run_cli("diff", "--check", old, new)
    assert result.exit_code == 2
    assert f"{old}:3: sumary: unknown field 'sumary'; did you mean 'summary'?" in result.stderr.splitlines()


VNU = Path("/usr/lib/node_modules/vnu-jar/build/dist/vnu.jar")


@pytest.mark.skipif(not VNU.is_file(), reason="the Nu HTML Checker (npm vnu-jar) is not installed")
def test_the_changes_page_is_valid_html(changes):
    page = Path(changes["pdf"]).with_suffix(".html")
    done = subprocess.run(["java", "-jar", str(VNU), "--errors-only", str(page)], capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr

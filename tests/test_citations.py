"""Bibliographies (CSL-JSON, BibTeX, the YAML list) formatted in a CSL style:
golden output of the bundled styles, citeproc-py's defects worked around, the
citation forms, the errors, incremental builds and the sample in two styles."""

import json
import re
import shutil
import subprocess
import sys

import pytest
from pypdf import PdfReader

from briefgen.content.citations import STYLES, Cite, format_citations, style_path
from conftest import MINIMAL_BRIEF, ROOT, SAMPLE, build_brief, run_cli, write_brief
from test_manifest import build, statuses

sys.path.insert(0, str(ROOT / "tests" / "golden"))
import render  # noqa: E402  (tests/golden/render.py writes the golden files)

GOLDEN = ROOT / "tests" / "golden"
ITEMS = {item["id"]: item for item in render.ENTRIES}


def pdf_text(pdf):
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(pdf).pages)


def formatted(ids, style, clusters=None, language="en-US"):
    """The entries' list and citations, each id cited once in the order given."""
    clusters = clusters or [[Cite(item_id)] for item_id in ids]
    return format_citations([ITEMS[item_id] for item_id in ids], clusters, style_path(style, None), language)


def entry(item_id, style):
    [result] = formatted([item_id], style).entries
    return result["entry"]


# --- golden files, checked by hand against each style's published examples --------

@pytest.mark.parametrize("style", sorted(STYLES))
def test_each_bundled_style_formats_the_golden_entries(style):
    expected = (GOLDEN / f"{style}.txt").read_text(encoding="utf-8")
    assert render.rendered(style) == expected, f"regenerate with tests/golden/render.py and read the diff"


@pytest.mark.parametrize("style", sorted(STYLES))
def test_each_bundled_style_formats_the_bibtex_cases(style):
    # tests/golden/bibtex.bib: maths, italics, accents, \url/\href, howpublished and note
    # addresses, a chapter with pages, braces and species names in titles
    expected = (GOLDEN / f"{style}.bib.txt").read_text(encoding="utf-8")
    assert render.rendered_bibtex(style) == expected, "regenerate with tests/golden/render.py and read the diff"


def bibtex_entry(item_id, style):
    items = render.bibtex_items()
    [result] = [entry for entry in format_citations(items, [[Cite(item_id)]], style_path(style, None), "en-US").entries]
    return result["entry"]


@pytest.mark.parametrize("style", ["chicago-author-date", "chicago-note"])
def test_title_case_keeps_species_names_and_braced_text_as_the_bib_wrote_them(style):
    text = bibtex_entry("herring-dna", style)
    assert "The DNA of Baltic Herring, <i>Clupea harengus membras</i>, and of Cod, Gadus morhua, in a Warming Sea" \
        in text


def test_a_chapter_prints_its_pages_where_the_style_gives_them():
    assert "(Eds.), <i>Sanctions and human rights</i> (pp. 101–124). Routledge." in bibtex_entry("park-chapter", "apa")
    assert "London: Routledge, pp. 101–124." in bibtex_entry("park-chapter", "harvard")
    # CMOS 18 (the bundled Chicago styles) gives a chapter's pages in a note's locator, not in the
    # bibliography, and no place of publication (the style's comment: 'CMOS17/classic' printed them)
    assert bibtex_entry("park-chapter", "chicago-author-date").endswith(
        "In <i>Sanctions and Human Rights</i>, edited by Alan Brown and Ruth Green. Routledge.")


def test_the_golden_set_covers_the_kinds_of_source_a_brief_cites():
    types = {item["type"] for item in render.ENTRIES}
    assert {"article-journal", "book", "chapter", "report", "webpage", "article-newspaper", "dataset"} <= types
    assert len(render.ENTRIES) >= 20
    assert any(len(item.get("author", [])) == 2 for item in render.ENTRIES)
    assert any(len(item.get("author", [])) > 6 for item in render.ENTRIES)


# --- citeproc-py's defects, one test each -----------------------------------------

def test_hyphenated_given_names_keep_an_initial_for_each_part():
    assert entry("hyphenated", "apa").startswith("Dupont, J.-P. (2018).")
    assert entry("lee-book", "apa").startswith("Lee, M.-h. (2019).")   # was 'Lee, M.-. ho .'
    assert entry("hyphenated", "vancouver").startswith("Dupont JP.")
    assert entry("lee-book", "vancouver").startswith("Lee MH.")


def test_no_doubled_punctuation_after_an_abbreviation_or_a_question():
    assert entry("inc-author", "apa").startswith("Verité Inc. (2020).")       # was 'Verité Inc.. (2020)'
    assert "Is sanctions enforcement working? <i>Survival</i>" in entry("question-title", "apa")
    item = {"id": "k", "type": "report", "title": "Development", "author": [{"literal": "Knowlton, K. et al."}],
            "issued": {"date-parts": [[2020]]}}
    [result] = format_citations([item], [[Cite("k")]], style_path("apa", None), "en").entries
    assert result["entry"] == "Knowlton, K. et al. (2020). <i>Development</i>."   # was 'et al.. (2020)'


def test_names_in_scripts_without_capitals_are_printed_whole():
    assert entry("korean-names", "apa").startswith("김민수. (2021).")                # was '김, . 민수 .'
    assert entry("arabic-names", "apa").startswith("الحسن, أحمد. (2020).")


def test_names_are_html_escaped():
    item = {"id": "x", "type": "book", "title": "T", "author": [{"family": "<img src=x>", "given": "A"}]}
    [result] = format_citations([item], [[Cite("x")]], style_path("apa", None), "en").entries
    assert "<img" not in result["entry"] and "&lt;img src=x&gt;, A." in result["entry"]


def test_a_substituted_variable_is_printed_once():
    # editors standing in for the author, and a title standing in for a missing author
    assert entry("edited-book", "apa") == ("Piotrowicz, R., Rijken, C., &amp; Uhl, B. H. (Eds.). (2018). "
                                            "<i>The Routledge handbook of human trafficking</i>. Routledge.")
    assert entry("web-page", "apa").count("North Korea human trafficking designation") == 1


def test_a_label_without_its_variable_prints_nothing():
    assert "Edition" not in entry("magazine", "chicago-note")   # was '<i>The Economist</i>, April 2, 2022. Edition.'


def test_a_localized_date_keeps_its_delimiter():
    assert "2022 May;21(3):245–67" in entry("smith-journal", "vancouver")   # was '2022May'


def test_a_locator_gets_its_label():
    clusters = [[Cite("lee-book", "chap. 3")], [Cite("lee-book", "12")], [Cite("lee-book", "§ 4")]]
    texts = [text for _, text in formatted(["lee-book"], "apa", clusters).clusters]
    assert [re.sub(r"<[^>]+>", "", text) for text in texts] == [
        "(Lee, 2019, Chapter 3)", "(Lee, 2019, p. 12)", "(Lee, 2019, Section 4)"]   # was '(Lee, 2019, 3)'


def test_chicago_spells_out_given_names():
    assert entry("smith-journal", "chicago-author-date").startswith("Smith, Jane A. 2022.")   # initialize="false"


# --- order, numbering and links ----------------------------------------------------

def test_numeric_styles_number_by_first_citation_author_date_styles_sort():
    ids = ["smith-journal", "dupont-later", "hyphenated"]
    ITEMS["dupont-later"] = {**ITEMS["hyphenated"], "id": "dupont-later", "issued": {"date-parts": [[2021]]}}
    clusters = [[Cite("hyphenated")], [Cite("smith-journal")], [Cite("dupont-later")]]
    try:
        ieee = formatted(ids, "ieee", clusters)
        apa = formatted(ids, "apa", clusters)
    finally:
        del ITEMS["dupont-later"]
    assert [(e["label"], e["id"]) for e in ieee.entries] == [("[1]", "hyphenated"), ("[2]", "smith-journal"),
                                                             ("[3]", "dupont-later")]
    assert [e["id"] for e in apa.entries] == ["hyphenated", "dupont-later", "smith-journal"]  # author, then year


def test_each_cited_item_links_to_its_entry_and_dois_and_urls_are_links():
    result = formatted(["two-authors", "news"], "apa", [[Cite("two-authors"), Cite("news", "p. 4")]])
    assert result.clusters[0] == (None, '(<a class="citation-link" href="#reference-news">Kim, 2023, p. 4</a>; '
                                        '<a class="citation-link" href="#reference-two-authors">Nguyen &amp; '
                                        'O’Brien, 2023</a>)')
    assert ('<a class="url" href="https://doi.org/10.1177/01979183221234567">'
            'https://doi.org/10.1177/01979183221234567</a>') in result.entries[1]["entry"]
    ieee = formatted(["two-authors"], "ieee").entries[0]["entry"]
    assert 'doi: <a class="url" href="https://doi.org/10.1177/01979183221234567">10.1177/' in ieee


# --- bibliography files, in briefs ---------------------------------------------------

CITING = MINIMAL_BRIEF.replace("The summary.", "The summary [@smith-journal, p. 12].").replace(
    "Some text.", "'@two-authors found it [-@two-authors]; others disagree [@smith-journal; @lee-book].'")


def write_json(folder, ids, name="refs.json"):
    (folder / name).write_text(json.dumps([ITEMS[i] for i in ids], indent=2, ensure_ascii=False), encoding="utf-8")


def test_a_brief_cites_a_csl_json_file_in_every_form(tmp_path):
    write_json(tmp_path, ["smith-journal", "lee-book", "two-authors", "web-page"])
    brief = write_brief(tmp_path, CITING + "bibliography: refs.json\ncitation_style: chicago-author-date\n")
    [output] = build_brief(brief, ["full"], out_dir=tmp_path / "out")
    text = pdf_text(output.path)
    assert "The summary (Smith 2022, 12)." in text
    assert "Nguyen and O’Brien (2023) found it (2023); others disagree (Lee 2019; Smith 2022)." in text
    references = text[text.rindex("References"):]
    assert references.index("Lee, Min-ho. 2019.") < references.index("Nguyen, Thi Lan") < references.index("Smith,")
    assert "North Korea Human Trafficking" not in references   # only what the brief cites


def test_the_one_page_summary_drops_citations_but_keeps_an_author_named_in_the_text(tmp_path):
    write_json(tmp_path, ["smith-journal", "lee-book", "two-authors"])
    brief = write_brief(tmp_path, CITING.replace("The summary [@smith-journal, p. 12].",
                                                 "'@two-authors found it [@lee-book].'") + "bibliography: refs.json\n")
    [output] = build_brief(brief, ["summary"], out_dir=tmp_path / "out")
    assert "Nguyen and O’Brien found it." in pdf_text(output.path)


def test_a_dropped_citation_leaves_no_space_before_the_punctuation(tmp_path):
    write_json(tmp_path, ["smith-journal", "lee-book"])
    summary = ("summary: |\n  Policy needs *better data*\n  [@smith-journal]. It needs [better\n  "
               "laws](https://example.org) [@lee-book], and money [@lee-book]; soon.\n")
    brief = write_brief(tmp_path, MINIMAL_BRIEF.replace("summary: The summary.\n", summary) + "bibliography: refs.json\n")
    [output] = build_brief(brief, ["summary"], out_dir=tmp_path / "out")
    text = " ".join(pdf_text(output.path).split())
    assert "Policy needs better data. It needs better laws, and money; soon." in text


def citing_brief(tmp_path):
    write_json(tmp_path, ["smith-journal", "lee-book", "two-authors"])
    return write_brief(tmp_path, CITING + "bibliography: refs.json\ncitation_style: chicago-author-date\n")


def test_csl_on_the_command_line_wins_over_the_brief_and_several_build_side_by_side(tmp_path):
    brief, out = citing_brief(tmp_path), tmp_path / "out"
    assert run_cli("build", brief, "-v", "full", "--csl", "ieee", "--out", out).exit_code == 0
    assert "The summary [1, p. 12]." in pdf_text(out / "brief-full.pdf")
    result = run_cli("build", brief, "-v", "full", "--csl", "ieee", "--csl", "apa", "--out", out)
    assert result.exit_code == 0
    assert "The summary [1, p. 12]." in pdf_text(out / "ieee" / "brief-full.pdf")
    assert "The summary (Smith, 2022, p. 12)." in pdf_text(out / "apa" / "brief-full.pdf")


def test_csl_takes_a_style_file_and_an_edit_to_it_rebuilds(tmp_path):
    brief, out = citing_brief(tmp_path), tmp_path / "out"
    style = tmp_path / "house.csl"
    shutil.copy(style_path("ieee", None), style)
    first = run_cli("build", brief, "-v", "full", "--csl", style, "--out", out)
    assert first.exit_code == 0 and "The summary [1, p. 12]." in pdf_text(out / "brief-full.pdf")
    assert "up to date" in run_cli("build", brief, "-v", "full", "--csl", style, "--out", out).output
    style.write_text(style.read_text(encoding="utf-8").replace("<!-- ", "<!-- edited ", 1), encoding="utf-8")
    assert "built" in run_cli("build", brief, "-v", "full", "--csl", style, "--out", out).output


@pytest.mark.parametrize("value, message", [
    ("bogus", "--csl bogus: unknown citation style; expected one of apa, chicago-author-date, chicago-note, "
              "harvard, ieee, vancouver or a .csl file"),
    ("missing.csl", "--csl missing.csl: no such file"),
])
def test_a_csl_that_cannot_be_used_is_one_line(tmp_path, value, message):
    result = run_cli("build", citing_brief(tmp_path), "--csl", value, "--out", tmp_path / "out")
    assert result.exit_code == 2 and result.output.strip().splitlines() == [f"Error: {message}"]
    assert not (tmp_path / "out").exists()


LATEX_BIB = r"""
@article{smith-n2o,
  author = {Smith, Jane and M{\"u}ller, Karl},
  title = {Emissions of N$_2$O from CaCO$_3$ and \textit{Sphagnum} bogs},
  journal = {Soil Biology},
  year = {2021}, volume = {12}, pages = {1--9}
}
@misc{who-site,
  author = {{World Health Organization}},
  title = {Trafficking in persons},
  howpublished = {\url{https://www.who.int/trafficking_report}},
  year = {2020}
}
@techreport{ilo-note,
  author = {{International Labour Organization}},
  title = {Forced labour estimates},
  institution = {ILO}, year = {2022},
  note = {Available at \url{https://www.ilo.org/estimates}}
}
"""


@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
def test_bibtex_is_read_as_latex_maths_italics_and_urls(tmp_path, style):
    (tmp_path / "refs.bib").write_text(LATEX_BIB, encoding="utf-8")
    brief = write_brief(tmp_path, MINIMAL_BRIEF.replace("Some text.", "'Gases [@smith-n2o], sites [@who-site; @ilo-note].'")
                        + f"bibliography: refs.bib\ncitation_style: {style}\n")
    result = run_cli("build", brief, "-v", "full", "--html", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "out" / "brief-full.html").read_text(encoding="utf-8")
    assert "N<sub>2</sub>O" in page and "CaCO<sub>3</sub>" in page and "<i>Sphagnum</i>" in page
    assert "$" not in page and "\\textit" not in page
    text = " ".join(pdf_text(tmp_path / "out" / "brief-full.pdf").split())
    assert "https://www.who.int/trafficking_report" in text.replace(" ", "")
    assert "https://www.ilo.org/estimates" in text.replace(" ", "")
    assert "[Https" not in text and "Müller" in text


def test_a_bibtex_file_is_mapped_to_csl_fields(tmp_path):
    (tmp_path / "refs.bib").write_text("""
@article{smith2022,
  author = {Smith, Jane A. and O'Brien, Patrick},
  title = {Forced labour and state revenue in {C}losed economies},
  journaltitle = {Journal of Human Rights},
  volume = {21}, number = {3}, pages = {245--267},
  date = {2022-05},
  doi = {10.1080/14754835.2022.2041234}
}
@techreport{ilo2022,
  author = {{International Labour Organization}},
  title = {Global estimates of modern slavery},
  institution = {ILO}, address = {Geneva}, year = {2022},
  url = {https://www.ilo.org/}, urldate = {2026-01-10}
}
""", encoding="utf-8")
    brief = write_brief(tmp_path, MINIMAL_BRIEF.replace("The summary.", "The summary [@smith2022; @ilo2022].")
                        + "bibliography: [refs.bib]\ncitation_style: apa\n")
    [output] = build_brief(brief, ["full"], out_dir=tmp_path / "out")
    text = pdf_text(output.path)
    assert "(International Labour Organization, 2022; Smith & O’Brien, 2022)" in text
    assert ("Smith, J. A., & O’Brien, P. (2022). Forced labour and state revenue in Closed economies. "
            "Journal of Human Rights, 21(3), 245–267. https://doi.org/10.1080/14754835.2022.2041234") in text
    assert "International Labour Organization. (2022). Global estimates of modern slavery. ILO. https://www.ilo.org/" in text


def test_the_yaml_list_and_a_file_mix_and_ids_must_be_unique(tmp_path, in_root):
    write_json(tmp_path, ["smith-journal"])
    brief = write_brief(tmp_path, MINIMAL_BRIEF.replace("The summary.", "The summary [@smith-journal; @own].")
                        + "citation_style: apa\nbibliography: refs.json\n"
                          "references:\n  - {id: own, title: Our notes, year: 2024}\n")
    [output] = build_brief(brief, ["full"], out_dir=tmp_path / "out")
    assert "(Our Notes, 2024; Smith, 2022)" in pdf_text(output.path)
    (tmp_path / "refs.json").write_text('[\n  {"id": "own", "type": "book", "title": "Again"}\n]\n', encoding="utf-8")
    lines = check_lines(brief)
    assert f"{tmp_path / 'refs.json'}:2: reference id 'own' is already used by {brief}:11" in lines


def check_lines(brief):
    result = run_cli("check", brief)
    assert result.exit_code == 1 and "Traceback" not in result.output
    return result.stderr.splitlines()


def test_a_citation_of_an_id_missing_from_the_bibliography_names_its_own_line(tmp_path):
    write_json(tmp_path, ["smith-journal"])
    brief = write_brief(tmp_path, MINIMAL_BRIEF.replace("    content: [Some text.]", """\
    content:
      - |
        A first line.
        A second line cites [@smith-jornal, p. 3].
""") + "bibliography: refs.json\n")
    assert check_lines(brief) == [
        f"{brief}:10: sections[0].content[0]: unknown citation '@smith-jornal'; no reference has that id; "
        "did you mean 'smith-journal'?"]


@pytest.mark.parametrize("name, content, message", [
    ("refs.json", '[\n  {"id": "a", "title": "No type"}\n]', "refs.json:2: entry 'a' has no 'type' "
                                                             "(article-journal, book, report, webpage, ...)"),
    ("refs.json", '[\n  {"id": "a", "type": "book"},\n  {"id": "b", "type": "book",}\n]',
     "refs.json:3: not valid JSON: Expecting property name enclosed in double quotes"),
    ("refs.json", '{"id": "a"}', "refs.json:1: expected a CSL-JSON array '[ {...}, ... ]' "
                                 "(Zotero: Export Collection, format CSL JSON)"),
    ("refs.bib", "@book{a, title = {A}}\n@article{b,\n  title = {B,\n  year = 2020\n",
     "refs.bib:3: BibTeX syntax error: premature end of file"),
    ("refs.bib", "@book{a, title = {A}}\n@book{a, title = {B}}\n", "refs.bib:2: BibTeX: repeated bibliography entry"),
    ("refs.bib", "@online{w, title = {W}, date = {May 2020}}\n",
     "refs.bib:1: entry 'w': date 'May 2020' is not an ISO date such as 2024-05-01"),
])
def test_a_malformed_entry_is_one_line_at_its_file_and_line(tmp_path, name, content, message):
    (tmp_path / name).write_text(content, encoding="utf-8")
    brief = write_brief(tmp_path, MINIMAL_BRIEF + f"bibliography: {name}\n")
    [line] = check_lines(brief)
    assert line.startswith(f"{tmp_path / message}") or line.startswith(str(tmp_path / message)), line


@pytest.mark.parametrize("field, message", [
    ("bibliography: missing.json", "8: bibliography: bibliography file 'missing.json' does not exist"),
    ("bibliography: ../outside.json", "8: bibliography: bibliography file '../outside.json' is outside the brief's folder"),
    ("bibliography: refs.ris", "8: bibliography: 'refs.ris' is not a CSL-JSON (.json) or BibTeX (.bib) file"),
    ("citation_style: mla", "8: citation_style: unknown citation style 'mla'; expected one of apa, "
                            "chicago-author-date, chicago-note, harvard, ieee, vancouver or a .csl file"),
])
def test_bibliography_and_style_fields_are_checked(tmp_path, field, message):
    folder = tmp_path / "brief"
    folder.mkdir()
    (tmp_path / "outside.json").write_text("[]", encoding="utf-8")
    brief = write_brief(folder, MINIMAL_BRIEF + field + "\n")
    assert check_lines(brief) == [f"{brief}:{message}"]


def test_a_csl_file_beside_the_brief_is_a_style(tmp_path):
    write_json(tmp_path, ["smith-journal"])
    shutil.copy(style_path("ieee", None), tmp_path / "house.csl")
    brief = write_brief(tmp_path, MINIMAL_BRIEF.replace("The summary.", "The summary [@smith-journal].")
                        + "bibliography: refs.json\ncitation_style: house.csl\n")
    [output] = build_brief(brief, ["full"], out_dir=tmp_path / "out")
    text = pdf_text(output.path)
    assert "The summary [1]." in text and "References J. A. Smith, “Forced labour" in text   # IEEE's form


XXE_STYLE = """<?xml version="1.0"?>
<!DOCTYPE style [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <citation><layout><text value="&secret;"/></layout></citation>
</style>
"""


@pytest.mark.parametrize("content, message", [
    (XXE_STYLE, "'evil.csl' declares XML entities or a DOCTYPE, which a citation style does not need"),
    ('<style xmlns="http://purl.org/net/xbiblio/csl"><info><link href="x" rel="independent-parent"/></info></style>',
     "'evil.csl' is not an independent CSL style (no <citation>): a dependent style names its parent in "
     "<link rel=\"independent-parent\">; use that parent's .csl file"),
    ("<style", "'evil.csl' is not a readable CSL style: Couldn't find end of Start Tag style line 1, line 1, column 7"),
])
def test_a_csl_file_that_cannot_be_a_style_is_refused_at_its_line(tmp_path, content, message):
    (tmp_path / "evil.csl").write_text(content, encoding="utf-8")
    brief = write_brief(tmp_path, MINIMAL_BRIEF + "citation_style: evil.csl\n")
    assert check_lines(brief) == [f"{brief}:8: citation_style: {message}"]


def test_a_theme_sets_the_default_style_with_a_csl_file_of_its_own(tmp_path):
    styles = tmp_path / "theme" / "styles"
    styles.mkdir(parents=True)
    shutil.copy(style_path("harvard", None), styles / "house.csl")
    (styles / "_brand.yml").write_text("defaults:\n  policy-brief:\n    citation-style: house.csl\n", encoding="utf-8")
    write_json(tmp_path, ["smith-journal"])
    text = MINIMAL_BRIEF.replace("The summary.", "The summary [@smith-journal].") + "bibliography: refs.json\n"
    [output] = build_brief(write_brief(tmp_path, text + "theme: theme\n"), ["full"], out_dir=tmp_path / "out")
    assert "The summary (Smith, 2022)." in pdf_text(output.path)   # Cite Them Right: a comma, unlike Chicago
    # the brief's own style wins over the theme's
    [output] = build_brief(write_brief(tmp_path, text + "theme: theme\ncitation_style: ieee\n"), ["full"],
                           out_dir=tmp_path / "out")
    assert "The summary [1]." in pdf_text(output.path)


def test_a_theme_naming_an_unknown_style_fails_at_its_line(tmp_path):
    styles = tmp_path / "theme" / "styles"
    styles.mkdir(parents=True)
    (styles / "_brand.yml").write_text("defaults:\n  policy-brief:\n    citation-style: mla\n", encoding="utf-8")
    result = run_cli("build", write_brief(tmp_path, MINIMAL_BRIEF + "theme: theme\n"), "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"{styles / '_brand.yml'}:3: defaults.policy-brief.citation-style: unknown "
                                     "citation style 'mla'; expected one of apa, chicago-author-date, chicago-note, "
                                     "harvard, ieee, vancouver or a .csl file of the theme")


def test_a_changed_bibliography_file_rebuilds(tmp_path):
    write_json(tmp_path, ["smith-journal"])
    brief = write_brief(tmp_path, MINIMAL_BRIEF.replace("The summary.", "The summary [@smith-journal].")
                        + "bibliography: refs.json\n")
    assert statuses(build(brief, variant="full")) == {"built"}
    assert statuses(build(brief, variant="full")) == {"up to date"}
    write_json(tmp_path, ["smith-journal", "lee-book"])
    assert statuses(build(brief, variant="full")) == {"built"}


def test_a_build_without_references_does_not_import_the_citation_libraries(tmp_path):
    brief = write_brief(tmp_path)
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from briefgen.build.document import Options, build_brief; "
            "build_brief(sys.argv[2], Options(('summary',), out_dir=sys.argv[3])); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('citeproc', 'pybtex')))")
    result = subprocess.run([sys.executable, "-c", code, str(ROOT), str(brief), str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# --- the sample, in the default theme's style (IEEE), in APA and in Chicago notes -------

@pytest.fixture(scope="module")
def sample_in(tmp_path_factory):
    def build_in(style):
        folder = tmp_path_factory.mktemp(style or "default")
        for name in ("figures", "data"):
            shutil.copytree(SAMPLE.parent / name, folder / name)
        shutil.copy(SAMPLE.with_suffix(".json"), folder)
        text = SAMPLE.read_text(encoding="utf-8")
        if style:
            text = text.replace("bibliography: north-korea-trafficking.json", f"citation_style: {style}\n"
                                "bibliography: north-korea-trafficking.json")
        brief = write_brief(folder, text, SAMPLE.name)
        return {output.variant: output for output in build_brief(brief, out_dir=folder / "out", keep_html=True)}
    return build_in


def test_the_sample_cites_its_csl_json_file_in_apa(sample_in):
    outputs = sample_in("apa")
    full = pdf_text(outputs["full"].path)
    assert "the bottom category (US Department of State, n.d.)." in full
    assert ("United Nations Human Rights Council, & United Nations General Assembly. (n.d.). Resolutions on the "
            "situation of human rights in the Democratic People’s Republic of Korea. United Nations.") in full
    assert "North Korea human trafficking designation. (2025, November 15)." in full
    memo = pdf_text(outputs["memo"].path)
    # the memo's short list: what the memo cites, sorted as APA sorts
    assert "Sources United Nations Human Rights Council, United Nations General Assembly, Resolutions" in memo
    assert "United Nations Security Council, Measures restricting" in memo
    assert "US Department of State, Trafficking in Persons Report The full brief" in memo
    assert "US Department of State" not in pdf_text(outputs["summary"].path)         # no citations on one page


def test_the_sample_numbers_its_citations_in_the_default_theme(sample_in):
    outputs = sample_in(None)
    full = pdf_text(outputs["full"].path)
    assert "the bottom category [1]." in full   # numbered by first citation, in reading order
    assert "eliminating them [2]." in full
    references = full[full.rindex("References"):]
    # IEEE in the brief's language (en-GB: single quotation marks); a web page prints no date in IEEE.
    # The list's own numbers (markers) follow the order of first citation.
    assert ("References US Department of State, ‘Trafficking in Persons Report’, US Department of State. [Online]. "
            "Available: https:// www.state.gov/ ‘North Korea human trafficking designation’. International") in references
    html = outputs["full"].path.with_suffix(".html").read_text(encoding="utf-8")
    assert '<ol class="numbered">\n    <li id="reference-tip-report">' in html


def test_the_sample_in_chicago_notes_puts_citations_in_footnotes(sample_in):
    outputs = sample_in("chicago-note")
    reader = PdfReader(outputs["full"].path)
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    text = " ".join(pages)
    assert "the bottom category1." in text   # the call follows the word, the period follows the call
    assert "1 US Department of State, Trafficking in Persons Report (US Department of State, n.d.), " \
           "https://www.state.gov/." in text
    assert "US Department of State, Trafficking in Persons Report. " in text   # a later note is short
    references = text[text.rindex("References"):]   # the bibliography, sorted by author
    assert references.index("International Labour Organization. Standards") < references.index(
        "United Nations Security Council. Measures") < references.index(
        "US Department of State. Trafficking in Persons Report. US Department of State, n.d.")


SPECIES_BIB = r"""@article{herring2020,
  author = {Ojaveer, Henn},
  title = {Growth of Baltic herring Clupea harengus membras in a changing sea},
  journal = {Fisheries Research}, year = {2020}
}
@article{cod2021,
  author = {Eero, Margit},
  title = {Cod {Gadus morhua} and \textit{Sprattus sprattus} under a climate crisis: the data},
  journal = {ICES Journal of Marine Science}, year = {2021}
}
"""


def test_a_species_name_the_bib_leaves_to_title_case_is_one_warning_with_the_entry_key(tmp_path):
    (tmp_path / "refs.bib").write_text(SPECIES_BIB)
    brief = write_brief(tmp_path, MINIMAL_BRIEF.replace("summary: The summary.",
                                                        "bibliography: refs.bib\nsummary: The summary [@herring2020; @cod2021]."))
    result = run_cli("check", brief)
    assert result.exit_code == 0, result.output
    # braced ({Gadus morhua}) and italic (\textit) names are kept as written; English words are no species
    assert result.stderr.strip() == (
        f"warning: {tmp_path / 'refs.bib'}:1: title: entry 'herring2020': 'Clupea harengus membras' looks like a "
        "species name, which title-case styles (Chicago) capitalise; write {Clupea harengus membras} or "
        r"\textit{Clupea harengus membras} in the .bib to keep it as written")

"""The sample brief's full PDF: content, order, contents page, notes, metadata."""

import json
import re

import yaml

from briefgen.theme.resolve import resolve_theme
from briefgen.brief.validate import section_ids
from conftest import SAMPLE, build_brief, destination_pages, flat, internal_links, page_texts, write_brief

BRIEF = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
REFERENCES = json.loads((SAMPLE.parent / BRIEF["bibliography"]).read_text(encoding="utf-8"))   # CSL JSON


def plain(markdown):
    """Markdown source reduced to the words a reader sees."""
    text = re.sub(r"\^\[.*?\]|\[@[^\]]+\]", "", markdown)
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)
    return re.sub(r"[*_`]", "", text)


def words(markdown, count=8):
    """The first words of a markdown text."""
    return " ".join(plain(markdown).split()[:count])


def test_full_brief_has_five_to_ten_pages(sample_full):
    assert 5 <= sample_full.pages <= 10
    assert sample_full.path.name == "north-korea-trafficking-full.pdf"


def test_no_warnings_for_the_sample(sample_full):
    assert sample_full.warnings == []


def test_sections_key_points_recommendations_in_order(sample_reader):
    text = flat(" ".join(page_texts(sample_reader)))
    expected = ([words(point) for point in BRIEF["key_points"]]
                + [section["title"] for section in BRIEF["sections"]]
                + [item["title"] for item in BRIEF["recommendations"]])
    position = 0
    for phrase in expected:
        found = text.find(flat(phrase), position)
        assert found >= 0, f"not found in order: {phrase!r}"
        position = found


def test_every_footnote_is_printed_in_order(sample_reader):
    notes = re.findall(r"\^\[(.*?)\]", SAMPLE.read_text(encoding="utf-8"), re.S)
    assert len(notes) >= 5
    text = flat(" ".join(page_texts(sample_reader)))
    position = 0
    for number, note in enumerate(notes, 1):
        found = text.find(flat(f"{number} {words(note, 6)}"), position)
        assert found >= 0, f"footnote {number} missing or out of order: {note[:40]!r}"
        position = found


def test_footnotes_sit_on_the_page_of_their_call(sample_reader):
    notes = destination_pages(sample_reader)
    calls = [(page, target) for page, target in internal_links(sample_reader) if target.startswith("footnote-")]
    assert len(calls) >= 5
    assert [(page, target) for page, target in calls if notes[target] != page] == []


def test_contents_page_numbers_match_where_sections_start(sample_reader):
    texts = page_texts(sample_reader)
    contents_page = next(i for i, t in enumerate(texts, 1) if "Contents" in t)
    contents = flat(texts[contents_page - 1])
    for number, section in enumerate(BRIEF["sections"], 1):
        heading = flat(f"{number} {section['title']}")
        printed = re.search(rf"{heading} (\d+)", contents)
        assert printed, f"no contents entry for {section['title']!r}"
        starts = next(page for page, text in enumerate(texts, 1) if page > contents_page
                      and any(flat(line) == heading for line in text.splitlines()))
        assert int(printed.group(1)) == starts, section["title"]


def test_contents_entries_link_to_their_sections(sample_reader):
    pages = destination_pages(sample_reader)
    contents_page = pages["part-contents"]
    # one link per entry (WeasyPrint may split a link into several areas); citations aside
    targets = list(dict.fromkeys(t for p, t in internal_links(sample_reader)
                                 if p == contents_page and not t.startswith(("reference-", "footnote-"))))
    assert targets[-2:] == ["part-recommendations", "part-references"]
    assert len(targets) == len(BRIEF["sections"]) + 2
    assert all(pages[target] > contents_page for target in targets)
    for target, section in zip(targets, BRIEF["sections"]):
        if "id" in section:
            assert target == section["id"]


def test_citations_link_to_the_numbered_references(sample_reader):
    links = [t for _, t in internal_links(sample_reader) if t.startswith("reference-")]
    ids = {f"reference-{r['id']}" for r in REFERENCES}
    assert set(links) == ids
    pages = destination_pages(sample_reader)
    references_page = pages["part-references"]
    assert all(pages[i] >= references_page for i in ids)
    text = flat(" ".join(page_texts(sample_reader)[references_page - 1:]))
    for ref in REFERENCES:
        assert flat(ref["title"]) in text


def test_metadata_comes_from_the_brief(sample_reader):
    info = sample_reader.metadata
    assert info.title == BRIEF["title"]  # the text as written: metadata gets no typographic quotes
    assert info.author == ", ".join(a["name"] for a in BRIEF["authors"])
    assert info.subject == BRIEF["subtitle"]
    assert info["/Keywords"] == ", ".join(BRIEF["keywords"])
    assert info["/CreationDate"] == "D:" + str(BRIEF["date"]).replace("-", "")
    assert info["/Creator"].startswith("brief ")
    assert sample_reader.trailer["/Root"]["/Lang"] == BRIEF["language"]


def test_outline_lists_the_sections(sample_reader):
    titles = [item.title for item in sample_reader.outline if not isinstance(item, list)]
    assert titles == (["Executive summary"] + [s["title"] for s in BRIEF["sections"]]
                      + ["Recommendations", "References"])


def test_running_head_and_page_x_of_y(sample_reader):
    texts = page_texts(sample_reader)
    total = len(texts)
    for number, text in enumerate(texts[1:-1], 2):
        assert f"Page {number} of {total}" in text
    first_section = BRIEF["sections"][0]["title"].upper()
    assert any(first_section in text for text in texts[2:])


def running_heads(reader):
    """The text of each page's top-left margin box (the running head), '' when empty."""
    heads = []
    for page in reader.pages:
        top, runs = float(page.mediabox.height) - 22 / 25.4 * 72, []  # the top margin is 22 mm
        page.extract_text(visitor_text=lambda text, cm, tm, font, size: runs.append(text.strip())
                          if text.strip() and tm[5] * cm[3] + cm[5] > top and tm[4] * cm[0] + cm[4]
                          < float(page.mediabox.width) / 2 else None)
        heads.append(" ".join(runs))
    return heads


def test_the_running_head_names_the_part_in_progress(sample_reader):
    """string(running-head, start): the heading that opens a page names it; on
    any other page, the last heading of the pages before it."""
    parts = [("part-key-points", "Key points"), ("part-summary", "Executive summary")] + [
        (section_id, section["title"]) for section, section_id in zip(BRIEF["sections"], section_ids(BRIEF["sections"]))
    ] + [("part-recommendations", "Recommendations"), ("part-references", "References")]
    destinations = sample_reader.named_destinations
    content_top = float(sample_reader.pages[1].mediabox.height) - 22 / 25.4 * 72
    heads = running_heads(sample_reader)
    carried, checked = None, 0
    for number in range(2, len(heads)):  # the cover and the back page have none
        starting = [(float(destinations[part].top), title) for part, title in parts
                    if sample_reader.get_destination_page_number(destinations[part]) + 1 == number]
        opens_page = [title for top, title in starting if top > content_top - 30]
        expected = opens_page[0] if opens_page else carried
        assert heads[number - 1] == expected.upper(), number
        checked += bool(starting) and not opens_page  # a page whose heading starts lower down
        carried = starting[-1][1] if starting else carried
    assert checked >= 2  # the case that tells 'start' from 'first' is really seen


def test_every_font_is_embedded_and_a_theme_font(sample_reader):
    embedded = {}
    for page in sample_reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            else:
                descriptor = font["/FontDescriptor"]
            embedded[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert embedded and all(embedded.values()), embedded
    assert all(re.match(r"^/[A-Z]{6}\+", name) for name in embedded), "fonts are embedded as subsets"
    theme_families = {_letters(family) for family in _families(resolve_theme().font_files())}
    assert {"SourceSerifPro", "SourceSansPro"} <= theme_families   # and the Noto families of other scripts
    for name in embedded:
        assert any(_letters(name[8:]).startswith(family) for family in theme_families), name


def _letters(text):
    return re.sub(r"[^A-Za-z]", "", text)


def _families(files):
    from briefgen.render.layout import _faces_by_family
    return set(_faces_by_family(tuple(files)))


def test_same_input_gives_identical_bytes(sample_full, tmp_path):
    [again] = build_brief(SAMPLE, ["full"], out_dir=tmp_path)
    assert again.path.read_bytes() == sample_full.path.read_bytes()


def test_laid_out_once_per_output(tmp_path, monkeypatch):
    import weasyprint
    calls = []
    original = weasyprint.HTML.render
    monkeypatch.setattr(weasyprint.HTML, "render", lambda self, *a, **k: calls.append(1) or original(self, *a, **k))
    build_brief(SAMPLE, ["full"], out_dir=tmp_path)
    assert len(calls) == 1


def test_html_is_written_beside_the_pdf_on_request(sample_full):
    html = sample_full.path.with_suffix(".html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and 'lang="en-GB"' in html


def test_every_block_type_is_used_by_the_sample():
    kinds = set()
    for section in BRIEF["sections"]:
        for block in section["content"]:
            kinds.update(["text"] if isinstance(block, str) else block)
    assert {"text", "callout", "quote", "table", "figure", "chart", "pagebreak"} <= kinds


def test_identical_bytes_with_the_fonttools_subsetter(tmp_path, monkeypatch):
    """Without HarfBuzz's subsetter WeasyPrint subsets with fontTools, which
    stamps each font with the time it was saved: two builds a second apart
    must still be identical."""
    import time

    import weasyprint.pdf.fonts as fonts
    subset_calls = []
    original = fonts.Font._fonttools_subset
    monkeypatch.setattr(fonts, "harfbuzz_subset", None)
    monkeypatch.setattr(fonts.Font, "_fonttools_subset",
                        lambda self, *args: subset_calls.append(1) or original(self, *args))
    brief = write_brief(tmp_path)
    [first] = build_brief(brief, ["summary"], out_dir=tmp_path / "first")
    time.sleep(1.1)  # the fonts' time stamps count seconds
    [second] = build_brief(brief, ["summary"], out_dir=tmp_path / "second")
    assert subset_calls  # fontTools really did the subsetting
    assert first.path.read_bytes() == second.path.read_bytes()

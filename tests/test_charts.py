"""Charts drawn from a brief's data in the theme's colours and fonts, offline
and cached; numbered cross-references (@fig-, @tbl-, @sec-)."""

import json
import re
import shutil
import subprocess
import sys
import textwrap
import time

import pikepdf
import pypdfium2
import pytest
from pypdf import PdfReader

from briefgen.content import charts
from briefgen.content.access import contrast
from briefgen.build.batch import build_all
from briefgen.build.document import Options
from briefgen.theme.resolve import ThemeError, resolve_theme
from conftest import ROOT, build_brief, destination_pages, flat, internal_links, run_cli, write_brief
from briefgen.render.pdf_check import elements

HEAT = "year,deaths\n2021,120\n2022,480\n2023,1230\n2024,2340\n"
BARS = """\
      - chart:
          spec:
            layer:
              - mark: bar
              - mark: {type: text, dy: -6}
                encoding: {text: {field: deaths, type: quantitative, format: ","}}
            encoding:
              x: {field: year, type: ordinal, title: Year of record}
              y: {field: deaths, type: quantitative, title: Heat deaths}
          data: data/heat.csv
          caption: Heat deaths by year
          alt: Bars rising from 120 deaths in 2021 to 2,340 in 2024.
          id: heat
"""
CHART_BRIEF = """\
title: A brief with a chart
date: 2025-11-15
language: {language}
summary: The summary.
key_points: [The only point.]
sections:
  - title: Heat
    content:
      - As @fig-heat shows, deaths rose.
{chart}"""
ACCENTS = {"default": (0x1F, 0x3A, 0x5F), "cedarbay": (0x1D, 0x4D, 0x3A)}


def chart_brief(folder, chart=BARS, language="en", csv=HEAT, extra=""):
    (folder / "data").mkdir(exist_ok=True)
    (folder / "data" / "heat.csv").write_text(csv, encoding="utf-8")
    return write_brief(folder, CHART_BRIEF.format(language=language, chart=chart) + extra)


def page_of(reader, phrase):
    """1-based number of the first page whose text holds the phrase."""
    return next(number for number, page in enumerate(reader.pages, 1) if phrase in page.extract_text())


def fonts_of(page):
    """Base names of the fonts a page uses, in its content and in its forms (SVG drawings)."""
    names, pending = set(), [page.get("/Resources")]
    while pending:
        resources = pending.pop()
        if resources is None:
            continue
        resources = resources.get_object()
        for font in (resources.get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
        for xobject in (resources.get("/XObject") or {}).values():
            pending.append(xobject.get_object().get("/Resources"))
        for pattern in (resources.get("/Pattern") or {}).values():
            pending.append(pattern.get_object().get("/Resources"))
    return names


def family_key(name):
    return re.sub(r"[^a-z]", "", name.lower())


# --- drawing, theme, fonts, pixels ---------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The chart brief's full PDF in both themes."""
    results = {}
    for theme in ("default", "cedarbay"):
        folder = tmp_path_factory.mktemp(theme)
        [output] = build_brief(chart_brief(folder), ["full"], theme=theme, out_dir=folder / "out")
        results[theme] = output.path
    return results


@pytest.mark.parametrize("theme", ["default", "cedarbay"])
def test_the_chart_page_uses_only_the_themes_fonts_and_its_text_is_real(built, theme):
    reader = PdfReader(built[theme])
    page = reader.pages[page_of(reader, "Heat deaths by year") - 1]
    theme_families = {family_key(charts.first_family(font)) for font in _families(theme)}
    used = fonts_of(page)
    assert used and all(any(family_key(name).startswith(family) for family in theme_families) for name in used), used
    # the chart's text is in the theme's heading font (Lato in Cedar Bay)
    heading = family_key(resolve_theme(theme).chart_theme().config["font"])
    assert any(family_key(name).startswith(heading) for name in used)
    text = flat(page.extract_text())
    # axis title and labels, and the data labels of the text layer
    assert "year of record" in text and "heat deaths" in text
    assert all(year in text for year in ("2021", "2022", "2023", "2024"))
    assert "2 340" in text and "1 230" in text   # "2,340", "1,230" (flat() drops the comma)


def _families(theme):
    from briefgen.render.layout import _faces_by_family
    return set(_faces_by_family(tuple(resolve_theme(theme).font_files())))


def test_a_bar_has_the_themes_accent_colour_in_both_themes(built):
    assert ACCENTS["default"] != ACCENTS["cedarbay"]
    for theme, pdf in built.items():
        reader = PdfReader(pdf)
        number = page_of(reader, "Heat deaths by year")
        image = pypdfium2.PdfDocument(pdf)[number - 1].render(scale=100 / 72).to_pil().convert("RGB")
        x, y = _middle_of_tallest_run(image, ACCENTS[theme])
        assert image.getpixel((x, y)) == ACCENTS[theme], theme


def _middle_of_tallest_run(image, colour):
    """The middle pixel of the tallest vertical run of one colour: a bar, not text."""
    width, height = image.size
    pixels = image.load()
    best = (0, None)
    for x in range(0, width, 3):
        run = 0
        for y in range(height):
            run = run + 1 if pixels[x, y] == colour else 0
            if run > best[0]:
                best = (run, (x, y - run // 2))
    assert best[0] > 100, f"no bar of {colour}: tallest run {best[0]} px"  # 100 px at 100 dpi: 25 mm
    return best[1]


def test_the_chart_is_a_tagged_figure_with_its_alt_text_and_its_data_a_real_table(tmp_path):
    chart = BARS + "          table: true\n"
    [output] = build_brief(chart_brief(tmp_path, chart), ["full"], out_dir=tmp_path / "out")
    with pikepdf.open(output.path) as pdf:
        found = list(elements(pdf.Root.StructTreeRoot))
        alts = [str(element.get("/Alt", "")) for element in found if str(element.S) == "/Figure"]
        assert "Bars rising from 120 deaths in 2021 to 2,340 in 2024." in alts
        assert "/Table" in [str(element.S) for element in found]
    text = flat(PdfReader(output.path).pages[page_of(PdfReader(output.path), "Heat deaths by year") - 1].extract_text())
    assert "year deaths 2021 120 2022 480" in text
    assert "table 1" not in text   # the data table is not a numbered table


def test_axis_numbers_follow_the_briefs_language(tmp_path):
    [output] = build_brief(chart_brief(tmp_path, language="de"), ["full"], out_dir=tmp_path / "out")
    reader = PdfReader(output.path)
    text = reader.pages[page_of(reader, "Heat deaths by year") - 1].extract_text()
    assert "2.000" in text and "2.340" in text   # German grouping on the axis and in the data labels
    assert "2,000" not in text


def test_arabic_axis_labels_print_as_words_a_reader_can_find(tmp_path):
    """WeasyPrint draws SVG text letter by letter: Arabic labels came out
    unjoined and in reverse order, and no reader found the words."""
    cities = "city,days\nالقاهرة,40\nعمّان,25\nالرياض,60\n"
    chart = BARS.replace("year, type: ordinal, title: Year of record", "city, type: nominal, title: المدينة")
    chart = chart.replace("deaths, type: quantitative, title", "days, type: quantitative, title").replace(
        "{field: deaths, type: quantitative, format", "{field: days, type: quantitative, format")
    [output] = build_brief(chart_brief(tmp_path, chart, "ar", cities), ["full"], out_dir=tmp_path / "out")
    reader = PdfReader(output.path)
    page = reader.pages[page_of(reader, "Heat deaths by year") - 1].extract_text()
    for word in ("المدينة", "القاهرة", "الرياض"):
        assert word in page


def test_the_authors_config_wins_and_a_theme_can_ship_its_own(tmp_path):
    theme = tmp_path / "mytheme"
    (theme / "styles").mkdir(parents=True)
    (theme / "styles" / "chart.json").write_text('{"axis": {"gridColor": "#00aa00"}, "mark": {"color": "#123456"}}')
    chart = BARS.replace("          data:", "            config: {mark: {color: \"#7a1f1f\"}}\n          data:")
    build_brief(chart_brief(tmp_path, chart), ["full"], theme=str(theme), out_dir=tmp_path / "out")
    [svg] = (tmp_path / "out" / charts.CACHE).glob("*.svg")
    drawing = svg.read_text()
    assert 'fill="#7a1f1f"' in drawing and "#123456" not in drawing   # the author's config over the theme's
    assert 'stroke="#00aa00"' in drawing                                # the theme's file over the derived config
    assert 'font-family="Source Sans Pro"' in drawing


def test_the_palettes_stand_out_from_the_page_and_a_faint_theme_palette_is_refused(tmp_path):
    for name in ("default", "cedarbay"):
        config = resolve_theme(name).chart_theme().config
        assert config["range"]["category"][0] == config["mark"]["color"]   # the accent first
        assert min(contrast(colour, config["background"]) for colour in config["range"]["category"]) >= 3
    theme = tmp_path / "faint"
    (theme / "styles").mkdir(parents=True)
    (theme / "styles" / "chart.json").write_text('{"range": {"category": ["#1f3a5f", "#dddddd"]}}')
    with pytest.raises(ThemeError, match=r"chart colour #dddddd on the page background #ffffff has a "
                                         r"contrast of 1\.\d\d:1, under the 3:1 that marks need"):
        resolve_theme(str(theme))


def test_a_brief_with_a_chart_needs_the_converter(tmp_path, monkeypatch, in_root):
    monkeypatch.setattr(charts, "installed", lambda: False)
    result = run_cli("check", chart_brief(tmp_path))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"{tmp_path / 'brief.yaml'}:10: sections[0].content[1].chart: {charts.MISSING}"]


# --- no network, no file outside the brief's folder ---------------------------

SERVER = """
import http.server, sys
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        print(self.path, flush=True)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"year,deaths\\n2021,120\\n")
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""


@pytest.fixture
def server(tmp_path):
    """A local HTTP server in its own process (a blocking fetch cannot stall
    it), which logs every request it gets: (port, the log's lines)."""
    log = tmp_path / "server.log"
    with open(log, "w") as output:
        process = subprocess.Popen([sys.executable, "-c", SERVER], stdout=output)
        try:
            for _ in range(100):
                if log.read_text().strip():
                    break
                time.sleep(0.05)
            port = int(log.read_text().split()[0])
            yield port, lambda: log.read_text().split()[1:]
        finally:
            process.kill()
            process.wait(timeout=10)


LOOKUP = """\
      - chart:
          spec:
            mark: bar
            transform:
              - lookup: year
                from:
                  data: {{url: "{url}"}}
                  key: year
                  fields: [deaths]
            encoding:
              x: {{field: year, type: ordinal}}
              y: {{field: deaths, type: quantitative}}
          values: [{{year: 2021}}]
          caption: Looked up
          alt: Bars of deaths looked up from another file.
          id: heat
"""


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_remote_url_in_a_spec_is_refused_and_never_fetched(tmp_path, server, command, in_root):
    port, log = server
    url = f"http://127.0.0.1:{port}/data.csv"
    brief = chart_brief(tmp_path, LOOKUP.format(url=url))
    result = run_cli(command, brief, *(["--out", tmp_path / "out"] if command == "build" else []))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[0] == (
        f"{brief}:16: sections[0].content[1].chart.spec.transform[0].from.data.url: "
        f"'{url}' refused: a chart reads files in the brief's folder only, never the network")
    assert log() == []


def test_a_file_outside_the_briefs_folder_is_refused(tmp_path, in_root):
    folder = tmp_path / "brief"
    folder.mkdir()
    (tmp_path / "secret.csv").write_text(HEAT)
    result = run_cli("check", chart_brief(folder, LOOKUP.format(url="../secret.csv")))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"{folder / 'brief.yaml'}:16: sections[0].content[1].chart.spec.transform[0].from.data.url: "
        "'../secret.csv' refused: it is outside the brief's folder"]


def test_a_file_in_the_briefs_folder_is_read_by_us_not_by_the_converter(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "more.csv").write_text(HEAT)
    [output] = build_brief(chart_brief(tmp_path, LOOKUP.format(url="data/more.csv")), ["full"],
                           out_dir=tmp_path / "out")
    assert "Looked up" in " ".join(page.extract_text() for page in PdfReader(output.path).pages)


def test_the_converter_itself_may_fetch_nothing(server):
    port, log = server
    spec = {"data": {"url": f"http://127.0.0.1:{port}/data.csv"}, "mark": "bar",
            "encoding": {"x": {"field": "year", "type": "ordinal"}}}
    number, time = charts.locales("en")
    with pytest.raises(charts.ChartError, match="External data url not allowed"):
        charts._convert(spec, {}, number, time, ())
    assert log() == []


def test_vega_lites_warnings_are_not_printed_nor_stop_the_build_forking(capsys):
    """A spec Vega-Lite draws with a warning (a channel the mark drops) is
    drawn, and nothing reaches the terminal beside the build's own lines. Nor
    does the converter's logging thread join Python's threads, which would
    keep every later build of the process from forking its layouts."""
    import threading
    spec = {"data": {"values": [{"a": 1}]}, "mark": "bar",
            "encoding": {"x": {"field": "a", "type": "quantitative"}, "shape": {"field": "a", "type": "nominal"}}}
    threads = threading.active_count()
    assert "<svg" in charts._convert(spec, {}, *charts.locales("en"), ())
    time.sleep(0.2)   # the converter's thread has logged by now, if it logs
    assert capsys.readouterr() == ("", "")
    assert threading.active_count() == threads


@pytest.mark.parametrize("kind", ["data", "image"])
def test_the_converter_fetches_nothing_though_a_program_before_let_it(server, kind):
    """vl-convert's settings belong to its process and default to the network:
    what an earlier program in the same process set is set back when the build
    first takes the converter."""
    import vl_convert
    port, log = server
    url = f"http://127.0.0.1:{port}/{kind}"
    spec = ({"data": {"url": url}, "mark": "bar", "encoding": {"x": {"field": "year", "type": "ordinal"}}}
            if kind == "data" else
            {"data": {"values": [{"u": url}]}, "mark": "image", "encoding": {"url": {"field": "u", "type": "nominal"}}})
    charts.vl_converter.cache_clear()
    vl_convert.configure(base_url=True, allowed_base_urls=["*"], auto_google_fonts=True, allow_google_fonts=True)
    try:
        try:
            charts._convert(spec, {}, *charts.locales("en"), ())
        except charts.ChartError as error:
            assert "not allowed" in str(error) or "denied" in str(error).lower(), error
        assert vl_convert.get_config()["allowed_base_urls"] == []
        assert log() == []
    finally:
        charts.vl_converter.cache_clear()
        charts.vl_converter()


# --- cache, incremental builds, workers ----------------------------------------

def test_a_second_build_reuses_every_chart(tmp_path):
    second = BARS.replace("id: heat", "id: trend").replace("mark: bar", "mark: line")
    brief = chart_brief(tmp_path, BARS + second)
    before = charts.conversions
    build_brief(brief, ["full"], out_dir=tmp_path / "out")
    assert charts.conversions - before == 2
    build_brief(brief, ["full"], out_dir=tmp_path / "out")
    assert charts.conversions - before == 2          # both from the cache
    (tmp_path / "data" / "heat.csv").write_text(HEAT.replace("2340", "2400"))
    build_brief(brief, ["full"], out_dir=tmp_path / "out")
    assert charts.conversions - before == 4          # new data: both drawn again


def test_the_data_file_is_an_input_of_incremental_builds(tmp_path):
    brief = chart_brief(tmp_path)
    options = Options(("full",), out_dir=tmp_path / "out")
    assert [row.status for row in build_all([brief], options, jobs=1, force=False)] == ["built"]
    assert [row.status for row in build_all([brief], options, jobs=1, force=False)] == ["up to date"]
    (tmp_path / "data" / "heat.csv").write_text(HEAT.replace("2340", "2400"))
    assert [row.status for row in build_all([brief], options, jobs=1, force=False)] == ["built"]


def test_charts_are_drawn_in_the_workers_never_in_the_parent(tmp_path):
    """vl-convert hangs in a child forked from a process that used it: the
    parent plans, the forked workers draw."""
    brief = chart_brief(tmp_path)
    script = (
        "import sys; from pathlib import Path\n"
        "from briefgen.build.batch import build_all\nfrom briefgen.build.document import Options\n"
        f"rows = build_all([Path({str(brief)!r})], Options(out_dir=Path({str(tmp_path / 'out')!r})), jobs=2, force=True)\n"
        "print(sorted(row.status for row in rows), 'vl_convert' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=180, cwd=ROOT)
    assert result.stdout.strip() == "['built', 'built', 'built'] False", result.stderr


def test_the_summary_shows_one_chart_sized_to_its_slot(tmp_path):
    chart = BARS + "        variants: [full, summary]\n"
    [summary] = build_brief(chart_brief(tmp_path, chart), ["summary"], out_dir=tmp_path / "out")
    assert summary.pages == 1
    text = PdfReader(summary.path).pages[0].extract_text()
    assert "Figure 1. Heat deaths by year" in text and "Year of record" in text
    [svg] = (tmp_path / "out" / charts.CACHE).glob("*.svg")
    assert re.search(r'<svg[^>]* width="673" height="159"', svg.read_text())   # 178 mm x 42 mm in CSS px


def test_the_fit_keeps_the_summary_chart_at_its_slot_size_and_counts_it(tmp_path, monkeypatch):
    from briefgen.render import fit
    measured = []
    chart_height = fit.chart_height
    monkeypatch.setattr(fit, "chart_height", lambda document: measured.append(chart_height(document)) or measured[-1])
    chart = BARS + "        variants: [full, summary]\n"
    long_summary = "summary: " + "Deaths rose in every year of record, and the rise was steepest in the last. " * 45
    brief = chart_brief(tmp_path, chart)
    brief.write_text(brief.read_text().replace("summary: The summary.", long_summary))
    [summary] = build_brief(brief, ["summary"], out_dir=tmp_path / "out")
    assert summary.pages == 1 and summary.layouts >= 2   # it took a fit step, and fits
    # the chart's figure (42 mm slot and its caption) is what the estimate keeps out of the shrinkable height
    assert measured and all(159 < height < 260 for height in measured)


# --- cross-references ----------------------------------------------------------

XREF_BRIEF = """\
title: Cross-references
date: 2025-11-15
summary: "The summary; see @sec-later."
key_points: [The only point.]
sections:
  - title: First
    summary: "As @fig-two shows."
    content:
      - "@fig-two shows the trend, @fig-one the start, and @tbl-rules the rules (see @sec-later)."
{inserted}      - table: {{caption: Rules, id: rules, columns: [a, b], rows: [[1, 2]]}}
      - figure: {{image: box.svg, caption: The first figure, alt: A dark box standing for the start., id: one}}
      - pagebreak: true
      - figure: {{image: box.svg, caption: The second figure, alt: A dark box standing for the trend., id: two}}
  - title: Later
    id: later
    content: [Text.]
"""
BOX = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20"/></svg>'


def xref_brief(folder, inserted=""):
    (folder / "box.svg").write_text(BOX)
    return write_brief(folder, XREF_BRIEF.format(inserted=inserted))


def test_figure_2_links_to_the_page_of_the_second_figure(tmp_path):
    [output] = build_brief(xref_brief(tmp_path), ["full"], out_dir=tmp_path / "out")
    reader = PdfReader(output.path)
    referring = page_of(reader, "shows the trend")
    assert "Figure 2 shows the trend, Figure 1 the start, and Table 1 the rules (see Section 2)" \
        in reader.pages[referring - 1].extract_text().replace("\n", " ")
    second = page_of(reader, "Figure 2. The second figure")
    assert second != page_of(reader, "Figure 1. The first figure")
    assert destination_pages(reader)["fig-two"] == second
    assert (referring, "fig-two") in internal_links(reader)
    assert (referring, "later") in internal_links(reader)


def test_inserting_a_table_renumbers_every_reference(tmp_path):
    inserted = "      - table: {caption: Inserted, columns: [x], rows: [[1]]}\n"
    [output] = build_brief(xref_brief(tmp_path, inserted), ["full"], out_dir=tmp_path / "out")
    text = " ".join(page.extract_text() for page in PdfReader(output.path).pages).replace("\n", " ")
    assert "Table 2 the rules" in text and "Table 2. Rules" in text and "Table 1. Inserted" in text


def test_a_variant_without_the_target_prints_the_word_and_does_not_warn(tmp_path):
    # The memo leaves the figure out by design: nothing for the author to fix.
    [memo] = build_brief(xref_brief(tmp_path), ["memo"], out_dir=tmp_path / "out")
    text = " ".join(page.extract_text() for page in PdfReader(memo.path).pages).replace("\n", " ")
    assert "As Figure shows." in text and "see Section 2" in text
    assert memo.warnings == []


@pytest.mark.parametrize("text, message", [
    ("See @fig-nothing.", "unknown cross-reference '@fig-nothing': no figure or chart has the id 'nothing'"),
    ("See @tbl-one.", "unknown cross-reference '@tbl-one': no table has the id 'one'"),
    ("See @app-data.", "unknown cross-reference '@app-data': no appendix has the id 'data'"),
])
def test_an_unknown_target_is_an_error_with_its_line(tmp_path, text, message, in_root):
    brief = xref_brief(tmp_path)
    brief.write_text(brief.read_text().replace("content: [Text.]", f"content: [\"{text}\"]"))
    result = run_cli("check", brief)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"{brief}:16: sections[1].content[0]: {message}"]


def test_reference_ids_must_not_look_like_cross_references_and_block_ids_are_unique(tmp_path, in_root):
    brief = xref_brief(tmp_path)
    text = brief.read_text().replace("id: one}", "id: two}").replace("@fig-one", "@fig-two")
    text += "references:\n  - {id: fig-x, title: A report}\n"
    brief.write_text(text)
    result = run_cli("check", brief)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"{brief}:13: sections[0].content[4].figure.id: id 'two' is already used by sections[0].content[2].figure",
        f"{brief}:18: references[0].id: reference id 'fig-x' begins with 'fig-', which cross-references use "
        "(@fig-, @tbl-, @sec-, @app-); choose another id"]


def test_the_samples_references_and_charts(sample_reader):
    text = " ".join(page.extract_text() for page in sample_reader.pages).replace("\n", " ").replace("\xa0", " ")
    for phrase in ("Table 1 sets out", "summarised in Table 2.", "Figure 1 shows the ladder, and Figure 2",
                   "Figure 3 sets them beside", "Figure 2. The DPRK", "Figure 3. Abuses the source names"):
        assert phrase in text, phrase
    targets = {target for _, target in internal_links(sample_reader)}
    assert {"tbl-forms", "tbl-sources", "fig-tiers", "fig-tier-trend", "fig-settings"} <= targets
    for label in ("Tier 2 Watch List", "Overseas worksites", "Debt bondage, smuggling", "Perpetrator not named"):
        assert label in text, label   # the charts' own text, searchable


WHERE = """\
      - chart:
          spec:
            mark: bar
            encoding:
              x: {field: year, type: ordinal}
              y: {field: deaths, type: quantitative}
          values:
            - {region: North, year: 2023, deaths: 11}
            - {region: South, year: 2023, deaths: 22}
            - {region: North, year: 2024, deaths: 33}
          where: {region: North}
          caption: Heat deaths in the north
          alt: Two bars, 11 deaths in 2023 and 33 in 2024.
          id: heat
          table: true
"""


def test_where_keeps_the_rows_whose_column_equals_the_value(tmp_path, in_root):
    [output] = build_brief(chart_brief(tmp_path, WHERE), ["full"], out_dir=tmp_path / "out")
    reader = PdfReader(output.path)
    text = flat(reader.pages[page_of(reader, "Heat deaths in the north") - 1].extract_text())
    assert "region year deaths north 2023 11 north 2024 33" in text and "south" not in text
    result = run_cli("check", chart_brief(tmp_path, WHERE.replace("{region: North}", "{area: North}")))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"{tmp_path / 'brief.yaml'}:20: sections[0].content[1].chart.where.area: "
        "the chart's data has no column 'area'; its columns: region, year, deaths"]


def test_a_process_that_drew_a_chart_spawns_its_workers_instead_of_forking(tmp_path):
    """A library user builds a brief in-process, then a batch: forked workers
    would hang in the converter, so they are spawned (the call ends, in time)."""
    brief = chart_brief(tmp_path)
    script = (
        "from pathlib import Path\nfrom briefgen.build.batch import build_all\nfrom briefgen.build.document import Options, build_brief\n"
        f"build_brief(Path({str(brief)!r}), Options(('full',), out_dir=Path({str(tmp_path / 'first')!r})))\n"
        f"rows = build_all([Path({str(brief)!r})], Options(out_dir=Path({str(tmp_path / 'out')!r})), jobs=2, force=True)\n"
        "print(sorted(row.status for row in rows))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=240, cwd=ROOT)
    assert result.stdout.strip() == "['built', 'built', 'built']", result.stderr


def test_a_spec_vega_lite_cannot_draw_fails_in_one_line(tmp_path, in_root):
    brief = chart_brief(tmp_path, BARS.replace("- mark: bar", "- mark: pie chart"))
    result = run_cli("build", brief, "--out", tmp_path / "out", "-v", "full")
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"{brief}:11: sections[0].content[1].chart.spec: Vega-Lite cannot draw the chart: ")
    assert not (tmp_path / "out" / "brief-full.pdf").exists()


def test_every_language_with_labels_has_the_cross_reference_words():
    from briefgen.content.crossref import WORDS
    catalogues = {folder.name.split("_")[0] for folder in (ROOT / "templates" / "default" / "locale").iterdir()
                  if folder.is_dir()}
    assert catalogues <= set(WORDS)


def test_a_korean_brief_prints_its_references_in_korean(tmp_path):
    brief = write_brief(tmp_path, """\
title: 북한의 인신매매
date: 2025-11-15
language: ko
summary: 요약입니다.
key_points: [첫째 요점입니다.]
sections:
  - title: 배경
    content:
      - "@tbl-rules 참조."
      - table: {id: rules, caption: 규칙, columns: [항목, 값], rows: [[가, 1], [나, 2]]}
""")
    [output] = build_brief(brief, ["full"], out_dir=tmp_path / "out")
    text = flat(" ".join(page.extract_text() for page in PdfReader(output.path).pages))
    assert "표 1 참조" in text.replace("\u2060", "")


def test_check_composes_a_brief_with_charts_without_drawing_them(tmp_path, in_root):
    before = charts.conversions
    result = run_cli("check", ROOT / "briefs" / "north-korea-trafficking.yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout == "briefs/north-korea-trafficking.yaml: ok\n"
    assert charts.conversions == before


# --- specs as the Vega-Lite gallery writes them; temporal axes ----------------------

GALLERY = ROOT / "tests" / "gallery"   # copies of vega/vega-lite's examples/specs (tests/gallery/README.md)


def gallery_brief(folder, name):
    """A brief whose chart's spec is the gallery file's text, pasted as it is
    (YAML reads JSON), with the gallery's data folder copied beside it."""
    shutil.copytree(GALLERY / "data", folder / "data", dirs_exist_ok=True)
    spec = textwrap.indent((GALLERY / f"{name}.vl.json").read_text(encoding="utf-8"), " " * 12)
    chart = (f"      - chart:\n          spec:\n{spec}"
             "          caption: From the gallery\n          alt: The gallery's example chart.\n          id: heat\n")
    return write_brief(folder, CHART_BRIEF.format(language="en", chart=chart))


def chart_page_text(pdf, caption="From the gallery"):
    reader = PdfReader(pdf)
    return reader.pages[page_of(reader, caption) - 1].extract_text()


@pytest.mark.parametrize("name, expected", [
    ("bar", ["A", "B", "C", "D", "E", "F", "G", "H", "I"]),
    ("layer_bar_labels", ["28", "55", "43"]),
    ("line", ["2005", "2006", "2007", "2008", "2009", "2010"]),   # GOOG, from August 2004
    ("line_color", ["AAPL", "AMZN", "GOOG", "IBM", "MSFT"]),
])
def test_a_gallery_spec_builds_unchanged(tmp_path, name, expected):
    result = run_cli("build", gallery_brief(tmp_path, name), "-v", "full", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    words = chart_page_text(tmp_path / "out" / "brief-full.pdf").split()
    assert all(word in words for word in expected), words


def test_a_gallery_spec_with_data_given_twice_is_one_line(tmp_path, in_root):
    brief = gallery_brief(tmp_path, "bar")
    brief.write_text(brief.read_text(encoding="utf-8").replace("          id: heat\n",
                                                               "          id: heat\n          values: [{a: 1}]\n"))
    result = run_cli("check", brief)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"{brief}:15: sections[0].content[1].chart.spec.data: the chart's data is given twice: keep the spec's "
        "'data' or the block's 'data'/'values'"]


TIME_CHART = """\
      - chart:
          spec:
            mark: line
            encoding:
              x: {field: when, type: temporal, title: null}
              y: {field: deaths, type: quantitative}
          data: data/heat.csv
          caption: Heat deaths over time
          alt: A line of heat deaths rising over time.
          id: heat
"""


@pytest.mark.parametrize("dates, labels, absent", [
    ([f"{year}-01-01" for year in range(2019, 2025)], ["2019", "2020", "2021", "2022", "2023", "2024"],
     ["July", "April", "October"]),
    ([f"2024-{month:02d}-01" for month in range(1, 10)], ["Jan 2024", "Mar 2024", "May 2024", "Sep 2024"],
     ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]),
    ([f"2024-03-{day:02d}" for day in range(1, 21)], ["1 Mar", "3 Mar", "11 Mar", "19 Mar"], ["12 PM", "Mar 03"]),
])
def test_a_temporal_axis_is_labelled_in_the_unit_its_span_needs(tmp_path, dates, labels, absent):
    csv = "when,deaths\n" + "".join(f"{date},{100 + 10 * number}\n" for number, date in enumerate(dates))
    [output] = build_brief(chart_brief(tmp_path, TIME_CHART, csv=csv), ["full"], out_dir=tmp_path / "out")
    text = " ".join(chart_page_text(output.path, "Heat deaths over time").split())
    assert all(label in text for label in labels), text
    assert not any(word in text for word in absent), text


# --- a spec with inline values: compiled to Vega once per process ------------------

DRAWN_IN_ONE_GO = ["bar", "layer_bar_labels", "bar_grouped", "arc_pie", "layer_bar_fruit",
                   "bar_diverging_stack_transform", "argmin_spaces", "bar_simple_binned_timeunit_special_chars"]


def numbered_ids(svg):
    """Vega numbers clip paths and gradients across a process's conversions."""
    ids = {}
    return re.sub(r"(clip|gradient_|pattern_)(\d+)", lambda m: m.group(1) + str(ids.setdefault(m.group(0), len(ids))), svg)


@pytest.mark.parametrize("language", ["en", "de", "ko"])
def test_a_spec_compiled_once_draws_what_vega_lite_draws_in_one_go(language):
    number, time = charts.locales(language)
    config = {"font": "DejaVu Sans", "axis": {"labelFontSize": 10}}
    for name in DRAWN_IN_ONE_GO:
        spec = json.loads((GALLERY / f"{name}.vl.json").read_text(encoding="utf-8"))
        expected = charts.vl_converter().vegalite_to_svg(spec, config=config, format_locale=number,
                                                         time_format_locale=time)
        assert numbered_ids(charts._convert(spec, config, number, time, ())) == numbered_ids(expected), name


def test_the_locale_reaches_a_spec_compiled_once():
    spec = json.loads((GALLERY / "bar_grouped.vl.json").read_text(encoding="utf-8"))
    english, german = (charts._convert(spec, {}, *charts.locales(language), ()) for language in ("en", "de"))
    assert english != german


def test_rows_of_one_spec_compile_it_once():
    spec = {"mark": "bar", "encoding": {"x": {"field": "year", "type": "ordinal"},
                                        "y": {"field": "days", "type": "quantitative"}}}
    number, time = charts.locales("en")
    before = charts._compiled.cache_info()
    drawn = [charts._convert({**spec, "data": {"values": [{"year": 2024, "days": days}]}}, {"font": "Row font"},
                             number, time, ()) for days in (11, 29)]
    after = charts._compiled.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 1)
    assert drawn[0] != drawn[1]           # each row's own values

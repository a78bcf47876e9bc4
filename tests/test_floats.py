"""A figure that does not fit floats to the top of the next page while the
text after it fills the gap, as print layouts do (briefgen/render/floats.py):
no page ends more than a third empty before a figure that moved on, the
figure stays in its section, and its cross-reference points to its page."""

from pypdf import PdfReader

from conftest import ROOT, build_brief, destination_pages, internal_links, write_brief
from pagetext import MM, text_lines

PARAGRAPH = ("Outdoor workers in construction and farming face the hottest hours of the day, and the hours they "
             "can work safely shrink as summers grow longer; employers that plan rest, shade and water keep the "
             "work going. ") * 3
TALL_CHART = """\
      - chart:
          spec:
            mark: bar
            height: 520
            encoding:
              x: {field: year, type: ordinal}
              y: {field: deaths, type: quantitative}
          values: [{year: 2021, deaths: 120}, {year: 2022, deaths: 480}, {year: 2023, deaths: 1230}]
          caption: Heat deaths by year
          alt: Bars rising from 120 deaths in 2021 to 1,230 in 2023.
          id: tall
"""
TEXT_AREA = (22 * MM, (297 - 20) * MM)   # the default theme's A4 page, between its top and bottom margins


def tall_chart_brief(folder):
    """Two paragraphs, the reference, a chart too tall for what is left of the page, five paragraphs."""
    def paragraphs(numbers):
        return "".join(f"      - '{PARAGRAPH.strip()} ({number})'\n" for number in numbers)
    return write_brief(folder, "title: A brief with a tall chart\ndate: 2025-11-15\nsummary: The summary.\n"
                               "key_points: [The only point.]\nsections:\n  - title: Heat\n    content:\n"
                       + paragraphs([1, 2]) + "      - As @fig-tall shows, deaths rose.\n" + TALL_CHART
                       + paragraphs(range(7, 12)) + "  - title: Next\n    content:\n      - The next section.\n")


def test_no_page_ends_a_third_empty_before_a_figure_that_moved_on(tmp_path):
    [output] = build_brief(tall_chart_brief(tmp_path), ["full"], out_dir=tmp_path / "out")
    lines = [line for line in text_lines(output.path) if TEXT_AREA[0] < line.top and line.bottom < TEXT_AREA[1]]
    caption = next(line for line in lines if line.text.startswith("Figure 1."))
    before = [line for line in lines if line.page == caption.page - 1]
    empty = (TEXT_AREA[1] - max(line.bottom for line in before)) / (TEXT_AREA[1] - TEXT_AREA[0])
    assert empty <= 1 / 3, f"page {caption.page - 1} ends {empty:.0%} empty"
    # the chart tops its page (nothing but its own drawing above its caption), the text after it filled the gap
    on_its_page = [line for line in lines if line.page == caption.page]
    assert not any(line.top < caption.top and line.text.startswith(("Outdoor", "safely", "work")) for line in on_its_page)
    assert caption.top > TEXT_AREA[0] + 100 * MM   # below the 520 px (138 mm) chart
    texts = [line.text for line in lines]
    order = " ".join(texts)
    assert order.index("(9)") < order.index("Figure 1.") < order.index("(11)") < order.index("The next section.")
    reader = PdfReader(output.path)
    assert destination_pages(reader)["fig-tall"] == caption.page
    assert ("fig-tall" in [target for page, target in internal_links(reader) if page == caption.page - 1])

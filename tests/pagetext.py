"""Text lines of a PDF with their positions and sizes (test helper), read
with pypdfium2: what a reader sees on each page, where and how large."""

from dataclasses import dataclass

import pypdfium2
import pypdfium2.raw as pdfium_c

MM = 72 / 25.4   # PDF points per millimetre


@dataclass(frozen=True)
class Line:
    page: int        # 1-based
    text: str
    left: float      # points from the page's left edge
    right: float
    top: float       # points from the page's top edge
    bottom: float
    size: float      # font size of the run's first character, points


def page_sizes(path):
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return [pdf[index].get_size() for index in range(len(pdf))]
    finally:
        pdf.close()


def text_lines(path):
    """Every text run of every page (a line, or a table cell's line), top to bottom."""
    pdf = pypdfium2.PdfDocument(str(path))
    found = []
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            height = page.get_size()[1]
            textpage = page.get_textpage()
            for number in range(textpage.count_rects()):
                left, bottom, right, top = textpage.get_rect(number)
                # pdfium reports a hyphen it takes for hyphenation at a line's end as U+0002
                text = textpage.get_text_bounded(left, bottom, right, top).replace("\x02", "-").strip()
                if not text:
                    continue
                char = textpage.get_index((left + right) / 2 if right - left < 4 else left + 1,
                                          (top + bottom) / 2, 2, 2)
                size = pdfium_c.FPDFText_GetFontSize(textpage.raw, char) if char is not None and char >= 0 else 0.0
                found.append(Line(index + 1, text, left, right, height - top, height - bottom, round(size, 2)))
    finally:
        pdf.close()
    return found


@dataclass(frozen=True)
class Box:
    """Something drawn on a page, in the same coordinates as Line, with its colours (r, g, b)."""
    page: int
    left: float
    right: float
    top: float
    bottom: float
    fill: tuple = None
    stroke: tuple = None


def word_boxes(path, word):
    """Every occurrence of a word on the pages: the box of its characters and
    the fill colour of its first character."""
    import ctypes
    pdf = pypdfium2.PdfDocument(str(path))
    found = []
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            height = page.get_size()[1]
            textpage = page.get_textpage()
            searcher = textpage.search(word, match_case=True, match_whole_word=True)
            while (hit := searcher.get_next()) is not None:
                start, count = hit
                boxes = [textpage.get_charbox(char) for char in range(start, start + count)]
                red, green, blue, alpha = (ctypes.c_uint() for _ in range(4))
                pdfium_c.FPDFText_GetFillColor(textpage.raw, start, red, green, blue, alpha)
                found.append(Box(index + 1, min(b[0] for b in boxes), max(b[2] for b in boxes),
                                 height - max(b[3] for b in boxes), height - min(b[1] for b in boxes),
                                 (red.value, green.value, blue.value)))
    finally:
        pdf.close()
    return found


def thin_rules(path, thickness=2.0):
    """Lines drawn on the pages (path objects at most `thickness` points high):
    underlines, strike-throughs, rules."""
    import ctypes
    pdf = pypdfium2.PdfDocument(str(path))
    found = []
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            height = page.get_size()[1]
            for item in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=8):
                left, bottom, right, top = item.get_bounds()
                if top - bottom > thickness or right - left < 1:
                    continue
                colours = []
                for getter in (pdfium_c.FPDFPageObj_GetFillColor, pdfium_c.FPDFPageObj_GetStrokeColor):
                    red, green, blue, alpha = (ctypes.c_uint() for _ in range(4))
                    getter(item.raw, red, green, blue, alpha)
                    colours.append((red.value, green.value, blue.value))
                found.append(Box(index + 1, left, right, height - top, height - bottom, *colours))
    finally:
        pdf.close()
    return found

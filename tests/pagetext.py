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

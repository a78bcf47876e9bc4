"""Table column widths, as a browser's automatic table layout gives them.

pandoc gives a table whose HTML names no widths equal columns; Word widens
them to fit when it opens the file, but LibreOffice keeps them, and breaks a
word of a narrow column in two. Each column here gets at least its longest
word and, where the text width allows, its longest line (CSS's min- and
max-content widths, measured in characters of the body's size)."""

from docx.oxml.ns import qn

CHARACTER = 0.55           # an average character's width, in ems of the body's size
CELL_PADDING = 2 * 108     # twips: pandoc's reference table's cell margins, left and right
EMU_PER_TWIP = 635


def fit_columns(document, body_size):
    """Every table's grid columns, from its cells' text; body_size in pt."""
    section = document.sections[-1]
    available = (section.page_width - section.left_margin - section.right_margin) / EMU_PER_TWIP
    twips_per_character = body_size * 20 * CHARACTER
    for table in document.element.body.iter(qn("w:tbl")):
        columns = table.find(qn("w:tblGrid")).findall(qn("w:gridCol"))
        least, most = _content_widths(table, len(columns), twips_per_character)
        for column, width in zip(columns, _distributed(least, most, available)):
            column.set(qn("w:w"), str(int(width)))


def _content_widths(table, count, twips_per_character):
    """Each column's (longest word, longest text) in twips, padding included."""
    least, most = [CELL_PADDING] * count, [CELL_PADDING] * count
    for row in table.findall(qn("w:tr")):
        cells = row.findall(qn("w:tc"))
        if len(cells) != count:   # a spanning cell: measure the regular rows only
            continue
        for index, cell in enumerate(cells):
            text = "".join(cell.itertext())
            longest = max((len(word) for word in text.split()), default=0)
            least[index] = max(least[index], longest * twips_per_character + CELL_PADDING)
            most[index] = max(most[index], len(text) * twips_per_character + CELL_PADDING)
    return least, most


def _distributed(least, most, available):
    """CSS's automatic layout: the longest lines when they fit; else each
    column its longest word and a share of the rest by what it would want more."""
    if sum(most) <= available:
        return most
    if sum(least) >= available:
        return [available * width / sum(least) for width in least]
    spare = available - sum(least)
    wanted = sum(high - low for low, high in zip(least, most))
    return [low + spare * (high - low) / wanted for low, high in zip(least, most)]
